//! STO002: a bind of a host folder: a share volume for the module's data, a `Mounts` bind entry
//! for system folders and folders filled in at deploy time.

use super::layout::{MountType, NOT_WRITABLE, NewMount};
use super::paths::{BindOwner, ShareRoots};
use super::plan::{Fate, Item, Manual, Plan};
use super::steps::create_share;
use super::sto001_share_binds::device_note;
use crate::manifest::Module;
use crate::manifest::placeholder::contains_placeholder;
use crate::rules::{Check, Context, Finding, FixAvailability, K8S, Rule, RuleDoc, Section, Severity, Suggestion};

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "STO002",
        section: Section::Storage,
        severity: Severity::Warning,
        fix: FixAvailability::Sometimes,
        targets: K8S,
        title: "Bind of a host folder: a share volume for data, a `Mounts` bind entry otherwise",
        detects: "A `HostConfig.Binds` entry `<host folder>:<target>[:ro]` whose source is an absolute host path (or a placeholder filled in at deploy time, such as `$VIDEO_FOLDER`) and that no other storage rule handles (Edge shares: STO001, files: STO004, Windows paths: STO008). A relative source (`./data`) is reported for a manual fix.",
        why: "The guide asks for `Mounts` instead of `Binds`; the Kubernetes agent turns both into a hostPath volume of type DirectoryOrCreate. On the GPU device that host folder is inside the Kubernetes worker VM: its data is not visible through the device's shares, nothing can be copied into it from outside, and it is lost when the IoT Edge role (the Kubernetes cluster) is removed, which is also the usual fix when every module shows Unknown. A folder of the module's data therefore belongs on an Edge share mounted as a `volume`, as Microsoft's Azure Stack Edge versions of such manifests do (Video Analyzer: `{\"Type\": \"volume\", \"Source\": \"media\", \"Target\": \"/live/mediaServer/media\"}`). System folders (`/tmp`, `/dev/…`, `/run/…`) and folders filled in at deploy time stay host folders, written as a `Mounts` bind entry.",
        before: r#"{"HostConfig": {"Binds": ["/data/storage:/storage:ro", "/tmp:/tmp"]}}"#,
        after: r#"{"HostConfig": {"Mounts": [{"Type": "volume", "Source": "storage", "Target": "/storage", "ReadOnly": true}, {"Type": "bind", "Source": "/tmp", "Target": "/tmp"}]}}"#,
        fix_safety: "A data folder needs review: create an Edge share of the proposed name (the folder's last part, lower-cased) with \"Use the share with Edge compute\" (a local share keeps the data on the device, a cloud share tiers it to Azure) and copy into it what the module expects to find; or edit the entry to `{\"Type\": \"bind\", …}` to keep the host folder, whose data then lives in the worker VM and goes with the role. A system folder or a placeholder is safe: the same host folder is mounted at the same place, the placeholder kept as written. Bind options other than `ro`/`rw` (`z`, `rslave`…) are dropped; the agent ignores them.",
    },
    check: Check::Module(check),
};

fn check(ctx: &Context, module: &Module) -> Vec<Finding> {
    let plan = Plan::of(module, ShareRoots::of(ctx.device));
    plan.of_owner(BindOwner::HostPath)
        .map(|item| {
            let part = item.first();
            let location = module.create_options_at(part.at.clone());
            let at = format!("{} of host folder `{}`", part.shown, part.source);
            match &item.fate {
                Fate::Manual(Manual::Relative) => Finding::new(
                    &RULE,
                    Some(module),
                    location,
                    format!("{} has the relative host path `{}`: use an absolute host folder (or a share volume)", part.shown, part.source),
                ),
                Fate::Covered { by, instead } => Finding::new(
                    &RULE,
                    Some(module),
                    location,
                    format!("{at}: {} mounts `{}` too", by.what, part.target),
                )
                .suggest(item.covered(module, by, instead)),
                Fate::Mount { mount, .. } if mount.kind == MountType::Volume => {
                    let message = format!(
                        "{at}: on the GPU device a host folder lives in the Kubernetes worker VM, not visible through the device's shares and lost when the IoT Edge role is removed; keep the module's data on an Edge share"
                    );
                    let finding = create_share(Finding::new(&RULE, Some(module), location, message), &mount.source, ctx.device);
                    if !plan.writer.writable {
                        let mut f = finding;
                        f.message.push_str(NOT_WRITABLE);
                        return f;
                    }
                    finding.suggest(share_volume(ctx, module, &plan, item, mount))
                }
                Fate::Mount { mount, .. } => {
                    let message = if contains_placeholder(part.source) {
                        format!("{at} should be a `Mounts` bind entry; the host folder is filled in at deploy time and kept as written")
                    } else {
                        format!("{at} should be a `Mounts` bind entry")
                    };
                    let finding = Finding::new(&RULE, Some(module), location, message);
                    if !plan.writer.writable {
                        let mut f = finding;
                        f.message.push_str(NOT_WRITABLE);
                        return f;
                    }
                    let (edits, _) = item.replace_with(module, &plan.writer, mount);
                    let mut summary =
                        format!("mount host folder `{}` at {} with a `Mounts` bind entry", part.source, part.target);
                    summary.push_str(&dropped_options(item));
                    finding.suggest(Suggestion::new(summary, edits))
                }
                Fate::System(..) | Fate::Manual(_) => Finding::new(&RULE, Some(module), location, at),
            }
        })
        .collect()
}

/// The share volume that replaces a bind of a data folder, with the host bind as the alternative.
fn share_volume(ctx: &Context, module: &Module, plan: &Plan<'_>, item: &Item<'_>, mount: &NewMount) -> Suggestion {
    let part = item.first();
    let (edits, at) = item.replace_with(module, &plan.writer, mount);
    let host = NewMount { kind: MountType::Bind, source: part.source.to_owned(), ..mount.clone() };
    let summary = format!(
        "mount Edge share `{}` at {} instead: create it with \"Use the share with Edge compute\", local or cloud, and copy the folder's data into it{}{}; to keep the host folder, edit the entry to {}",
        mount.source,
        mount.target,
        device_note(ctx.device, &mount.source),
        dropped_options(item),
        host.shown(plan.writer.case)
    );
    Suggestion::new(summary, edits).with_input(
        "share name",
        at,
        plan.writer.source_input().as_str(),
        Some(mount.source.clone().into()),
    )
}

/// Says which bind options the `Mounts` entry does not keep.
fn dropped_options(item: &Item<'_>) -> String {
    let dropped: Vec<&str> = item
        .first()
        .options
        .into_iter()
        .flat_map(|o| o.split(','))
        .filter(|o| !matches!(*o, "ro" | "rw" | ""))
        .collect();
    if dropped.is_empty() {
        String::new()
    } else {
        format!("; option `{}` is dropped (Kubernetes ignores it)", dropped.join(","))
    }
}
