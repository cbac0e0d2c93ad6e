//! STO010 (TRAPS.md NEW-11): edgeHub's message store without a volume, lost whenever its pod
//! restarts on Kubernetes.

use super::layout::{MountType, MountsWriter, NOT_WRITABLE, NewMount, binds, extra_mounts, mounts, path_key};
use super::paths::is_under;
use super::steps::create_store_share;
use super::sto001_share_binds::device_note;
use crate::manifest::{Module, Pointer};
use crate::rules::shared::k8s;
use crate::rules::{Check, Context, Edit, Finding, FixAvailability, K8S, Rule, RuleDoc, Section, Severity, Suggestion};
use serde_json::json;

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "STO010",
        section: Section::Storage,
        severity: Severity::Warning,
        fix: FixAvailability::Sometimes,
        targets: K8S,
        title: "edgeHub's message store is not on a volume: lost whenever its pod restarts",
        detects: "TRAPS.md NEW-11. The `edgeHub` system module without a `storageFolder` variable, or with one that no bind, mount or `k8s-experimental` volume holds (a mount at that folder or above it).",
        why: "edgeHub stores every message before it acknowledges it, and keeps the modules' subscriptions in the same store. Without a volume the store lives in the container: on Docker it survived restarts of the container, but a pod that restarts on Kubernetes is a new container, so the messages not yet delivered and the subscriptions are lost (Azure/iotedge#5292, on Azure Stack Edge: \"On K8s, after edgeHub restart, Python edge modules, loses subscriptions\"). The IoT Edge on Kubernetes documentation: \"To avoid message loss the `edgeHub` module should be configured with persistent volumes\" (microsoft/iotedge-k8s-doc `bp/storage/ase.md`, `bp/storage/perstorage.md`), with `storageFolder=/storage` and a `volume` mount of an Edge share at `/storage` (`examples/pervol_translation.md`).",
        before: r#"{"HostConfig": {"PortBindings": {"8883/tcp": [{"HostPort": "8883"}]}}}"#,
        after: r#"{"HostConfig": {"PortBindings": {"8883/tcp": [{"HostPort": "8883"}]}, "Mounts": [{"Type": "volume", "Source": "edgehub", "Target": "/storage"}]}, "k8s-experimental": {"strategy": {"type": "Recreate"}}} and edgeHub's env: {"storageFolder": {"value": "/storage"}}"#,
        fix_safety: "Needs review: create the Edge share first (an Edge local share: the store is written all the time and belongs on the device, not tiered to Azure), named as you confirm (default `edgehub`); the fix also gives edgeHub the Recreate update strategy (unless it has one), so that the old pod stops before the new one opens the store. Inferred, not documented for ASE: edgeHub runs as a non-root user (Azure/iotedge#6035), so if it cannot write to the share its log says so, and the pod's `k8s-experimental.securityContext` (`fsGroup`) is the documented way to give it access on storage classes that need it (`bp/storage/perstorage.md`).",
    },
    check: Check::Module(check),
};

/// The share proposed for edgeHub's store.
const SHARE: &str = "edgehub";
/// Where the store goes when edgeHub has no `storageFolder` (the IoT Edge on Kubernetes example's).
const FOLDER: &str = "/storage";

fn check(ctx: &Context, module: &Module) -> Vec<Finding> {
    if !(module.system && module.name == "edgeHub") {
        return Vec::new();
    }
    let folder = module.env_value("storageFolder").map(str::trim).filter(|f| !f.is_empty());
    let held: Vec<String> = binds(module)
        .map(|(_, b)| path_key(&b.target).to_owned())
        .chain(
            mounts(module)
                .iter()
                .filter(|m| MountType::of(m).is_some())
                .filter_map(|m| m.target().map(|t| path_key(t).to_owned())),
        )
        .chain(extra_mounts(module).into_iter().map(|e| path_key(&e.path).to_owned()))
        .collect();
    let holds = |path: &str| {
        let path = path_key(path);
        held.iter().any(|h| is_under(path, h))
    };
    let location = module.create_options_at(Pointer::root());
    let (message, target) = match folder {
        Some(f) if holds(f) => return Vec::new(),
        Some(f) => (
            format!(
                "edgeHub keeps its message store in `{f}` (`storageFolder`), which no volume holds: on Kubernetes the messages not yet delivered and the modules' subscriptions are lost whenever its pod restarts"
            ),
            f.to_owned(),
        ),
        None => (
            "edgeHub has no `storageFolder`, so it keeps its message store inside the container: on Kubernetes the messages not yet delivered and the modules' subscriptions are lost whenever its pod restarts".to_owned(),
            FOLDER.to_owned(),
        ),
    };
    let finding = create_store_share(Finding::new(&RULE, Some(module), location, message), SHARE, ctx.device);
    let writer = MountsWriter::of(module);
    if !writer.writable {
        let mut f = finding;
        f.message.push_str(NOT_WRITABLE);
        return vec![f];
    }
    let mut edits = Vec::new();
    if folder.is_none() {
        edits.push(Edit::Set { at: module.document_at(["env", "storageFolder"]), value: json!({ "value": FOLDER }) });
    }
    if holds(&target) {
        // `/storage` is mounted already: only the variable is missing.
        let summary = format!("set `storageFolder` to `{FOLDER}`, which a volume already holds");
        return vec![finding.suggest(Suggestion::new(summary, edits).review())];
    }
    let mount =
        NewMount { kind: MountType::Volume, source: SHARE.to_owned(), target: target.clone(), read_only: false };
    edits.push(Edit::Append { at: module.create_options_at(writer.at.clone()), value: mount.value(writer.case) });
    let at = edits.len() - 1;
    // Two pods must never open one store: the old pod stops before the new one starts.
    let recreate = match (k8s::agent(module).and_then(|s| s.strategy.as_ref()), k8s::rel(module, &["strategy"])) {
        (None, Some(strategy)) => {
            edits.push(Edit::Set { at: module.create_options_at(strategy), value: json!({"type": "Recreate"}) });
            ", with the Recreate update strategy so that two pods never open the store together"
        }
        _ => "",
    };
    let set = if folder.is_none() { format!("set `storageFolder` to `{FOLDER}` and ") } else { String::new() };
    let summary = format!(
        "{set}mount an Edge local share (proposed: `{SHARE}`{}) at `{target}` for the store{recreate}",
        device_note(ctx.device, SHARE)
    );
    vec![finding.suggest(Suggestion::new(summary, edits).with_input(
        "share name",
        at,
        writer.source_input().as_str(),
        Some(SHARE.into()),
    ))]
}
