//! RES008: `ShmSize`, which the Kubernetes agent ignores, becomes a memory-backed `/dev/shm` —
//! unless the module shares the host's `/dev/shm` through host IPC.

use crate::manifest::model::{Amount, lookup};
use crate::manifest::{Module, Pointer};
use crate::rules::shared::k8s;
use crate::rules::shared::keys::shown;
use crate::rules::shared::quantity::memory;
use crate::rules::{Check, Context, Edit, Finding, FixAvailability, K8S, Rule, RuleDoc, Section, Severity, Suggestion};
use serde_json::{Value, json};

/// Where containers expect shared memory.
const SHM: &str = "/dev/shm";
/// The /dev/shm size Docker and the GPU device's container runtime give a container by default.
const DEFAULT_SHM: u128 = 64 << 20;

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "RES008",
        section: Section::Resources,
        severity: Severity::Warning,
        fix: FixAvailability::Sometimes,
        targets: K8S,
        title: "`ShmSize` becomes a memory-backed emptyDir at /dev/shm, or goes with host IPC",
        detects: "`HostConfig.ShmSize` (key matched ignoring case).",
        why: "The agent ignores `ShmSize`: the container gets the runtime's default 64 MiB `/dev/shm`, and modules that pass frames or tensors through shared memory (video analytics, PyTorch data loaders) fail or crash when it fills. On Kubernetes a larger `/dev/shm` is an `emptyDir` with `medium: Memory` and `sizeLimit` = ShmSize, mounted at `/dev/shm` through `k8s-experimental.volumes`. A module with `IpcMode: host` is different: it shares the host's `/dev/shm` (that is how video analytics and inference modules share frames), Docker ignores `ShmSize` for it too, and a private emptyDir there would break the sharing.",
        before: r#"{"HostConfig": {"ShmSize": 1073741824}}"#,
        after: r#"{"k8s-experimental": {"volumes": [{"volume": {"name": "dshm", "emptyDir": {"medium": "Memory", "sizeLimit": "1Gi"}}, "volumeMounts": [{"name": "dshm", "mountPath": "/dev/shm"}]}]}}"#,
        fix_safety: "Safe. With `IpcMode: host` (or `shareable` / `container:<name>`, which RES007 turns into host) `ShmSize` is only removed, never replaced by a private /dev/shm. A size up to the default 64 MiB (or 0) is only removed. What the module writes to /dev/shm counts against its memory limit, as with Docker. When `k8s-experimental.volumes` already mounts /dev/shm, or a tmpfs mount at /dev/shm becomes one (STO006), `ShmSize` is only removed. A placeholder size is left for you; with a placeholder `IpcMode` the emptyDir is only shown (it is right unless the mode becomes `host`).",
    },
    check: Check::Module(check),
};

/// The module's IPC mode, as far as /dev/shm goes.
enum Ipc {
    /// Host IPC now, or once RES007's fix is in: the host's /dev/shm.
    Host(String),
    /// Filled in at deploy time.
    Placeholder(String),
    /// A /dev/shm of its own.
    Private,
}

fn ipc(module: &Module) -> Ipc {
    let Some(f) = module.host_config().and_then(|h| h.ipc_mode.as_ref()) else { return Ipc::Private };
    if let Some(p) = f.placeholder() {
        return Ipc::Placeholder(p.to_owned());
    }
    let mode = f.text().map(|m| m.trim().to_ascii_lowercase()).unwrap_or_default();
    match mode.as_str() {
        "host" => Ipc::Host("the module uses host IPC".into()),
        "shareable" => Ipc::Host("RES007 gives the module host IPC in place of `shareable`".into()),
        m if m.starts_with("container:") => {
            Ipc::Host("RES007 gives the module host IPC in place of `container:…`".into())
        }
        _ => Ipc::Private,
    }
}

fn check(_ctx: &Context, module: &Module) -> Vec<Finding> {
    let Some(hc) = module.host_config() else { return Vec::new() };
    let Some(s) = &hc.shm_size else { return Vec::new() };
    let named = format!("`{}.{}`", hc.key, s.key);
    let at = module.create_options_at(s.at.clone());
    let value = s.shown();
    let finding = |message: String| Finding::new(&RULE, Some(module), at.clone(), message);
    let remove = |summary: &str| Suggestion::new(summary, vec![Edit::Remove { at: at.clone() }]);
    let amount = s.amount();
    if amount == Amount::Unset {
        return Vec::new();
    }
    let ipc = ipc(module);
    if let Ipc::Host(why) = &ipc {
        let placeholder = if let Amount::Placeholder(p) = &amount {
            format!(" (the placeholder `{p}` goes with it)")
        } else {
            String::new()
        };
        let message = format!(
            "{named} {value} is ignored on Kubernetes, and needs no replacement: {why}, which shares the host's /dev/shm with the other host-IPC modules (that is how they share frames); Docker ignores `ShmSize` with host IPC too, and a private /dev/shm would break the sharing"
        );
        return vec![finding(message).suggest(remove(&format!("remove ShmSize{placeholder}")))];
    }
    let bytes = match amount {
        Amount::Int(n) if n <= 0 || n as u128 <= DEFAULT_SHM => {
            let message = format!(
                "{named} {value} is ignored on Kubernetes, and asks for no more than the default 64 MiB /dev/shm the pod gets anyway"
            );
            return vec![finding(message).suggest(remove("remove ShmSize"))];
        }
        Amount::Int(n) => n as u128,
        Amount::Placeholder(p) => {
            let message = format!(
                "{named} is the placeholder `{p}`, filled in at deploy time, and ignored on Kubernetes whatever it becomes: mount a memory-backed emptyDir of that size at /dev/shm through `k8s-experimental.volumes` yourself (a size up to 64 MiB needs none)"
            );
            return vec![finding(message)];
        }
        Amount::Invalid(t) => {
            let message = format!("{named} `{t}` is not a byte count, and the setting is ignored on Kubernetes");
            return vec![finding(message)];
        }
        Amount::Unset => return Vec::new(),
    };
    let size = memory(bytes);
    let volumes = k8s::at(module, &["volumes"]);
    if let Some(name) = volumes.and_then(Value::as_array).and_then(|list| shm_volume(list)) {
        let message = format!("{named} {value} is ignored on Kubernetes, and volume `{name}` already mounts /dev/shm");
        return vec![finding(message).suggest(remove("remove ShmSize"))];
    }
    if let Some(target) = tmpfs_shm(module) {
        let message = format!(
            "{named} {value} is ignored on Kubernetes, and the tmpfs mount at `{target}` becomes the /dev/shm volume (STO006)"
        );
        return vec![finding(message).suggest(remove("remove ShmSize"))];
    }
    let rel = match (volumes, k8s::rel(module, &["volumes"])) {
        (None | Some(Value::Null | Value::Array(_)), Some(rel)) => rel,
        _ => {
            let message = format!(
                "{named} {value} is ignored on Kubernetes, and `k8s-experimental.volumes` is not a list to add the /dev/shm volume to"
            );
            return vec![finding(message)];
        }
    };
    let name = free_name(volumes.and_then(Value::as_array).map_or(&[], Vec::as_slice));
    let entry = json!({
        "volume": {"name": name, "emptyDir": {"medium": "Memory", "sizeLimit": size}},
        "volumeMounts": [{"name": name, "mountPath": SHM}]
    });
    let edits = vec![Edit::Append { at: module.create_options_at(rel), value: entry }, Edit::Remove { at: at.clone() }];
    let summary = format!("mount a {size} memory-backed emptyDir at /dev/shm");
    if let Ipc::Placeholder(p) = ipc {
        let message = format!(
            "{named} {value} is ignored on Kubernetes, and `IpcMode` is the placeholder `{p}`, filled in at deploy time: if it becomes `host` the module shares the host's /dev/shm and `ShmSize` only goes (a private /dev/shm would break the sharing); otherwise /dev/shm must become a memory-backed emptyDir with `sizeLimit: \"{size}\"`"
        );
        return vec![finding(message).suggest(Suggestion::new(summary, edits).display_only())];
    }
    let message = format!(
        "{named} {value} is ignored on Kubernetes: /dev/shm becomes a memory-backed emptyDir with `sizeLimit: \"{size}\"`"
    );
    vec![finding(message).suggest(Suggestion::new(summary, edits))]
}

/// The name of a `k8s-experimental.volumes` entry mounted at /dev/shm (keys matched ignoring case,
/// as the agent reads them).
fn shm_volume(list: &[Value]) -> Option<String> {
    let root = Pointer::root();
    list.iter().find_map(|entry| {
        let (mounts, _) = lookup(entry, &root, &["volumeMounts"])?;
        let mount = mounts.as_array()?.iter().find(|m| {
            lookup(m, &root, &["mountPath"])
                .and_then(|(p, _)| p.as_str())
                .is_some_and(|p| p.trim_end_matches('/') == SHM)
        })?;
        Some(lookup(mount, &root, &["name"]).map_or_else(|| "?".to_owned(), |(n, _)| shown(n)))
    })
}

/// A `HostConfig.Mounts` tmpfs entry at /dev/shm (STO006 turns it into an emptyDir there).
fn tmpfs_shm(module: &Module) -> Option<String> {
    let mounts = module.host_config()?.mounts.as_ref()?.entries.as_ref()?;
    mounts.iter().find_map(|m| {
        let target = m.target()?;
        (m.kind().as_deref() == Some("tmpfs") && target.trim_end_matches('/') == SHM).then(|| target.to_owned())
    })
}

/// `dshm`, or `dshm-2`, `dshm-3`… when a volume already has that name.
fn free_name(list: &[Value]) -> String {
    let root = Pointer::root();
    let taken: Vec<String> = list
        .iter()
        .filter_map(|e| lookup(e, &root, &["volume", "name"]).and_then(|(n, _)| n.as_str()).map(str::to_owned))
        .collect();
    std::iter::once("dshm".to_owned())
        .chain((2..).map(|n| format!("dshm-{n}")))
        .find(|n| !taken.contains(n))
        .unwrap_or_else(|| "dshm".to_owned())
}
