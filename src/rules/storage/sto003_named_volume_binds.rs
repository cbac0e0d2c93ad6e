//! STO003: a bind of a Docker named volume, which the Kubernetes agent reads as a host folder.

use super::layout::NOT_WRITABLE;
use super::paths::{BindOwner, ShareRoots};
use super::plan::{Fate, Plan};
use super::steps::create_share;
use super::sto001_share_binds::device_note;
use crate::manifest::Module;
use crate::rules::{Check, Context, Finding, FixAvailability, K8S, Rule, RuleDoc, Section, Severity, Suggestion};

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "STO003",
        section: Section::Storage,
        severity: Severity::Error,
        fix: FixAvailability::Sometimes,
        targets: K8S,
        title: "Bind of a Docker named volume becomes a share volume mount",
        detects: "A `HostConfig.Binds` entry `<volume name>:<target>[:ro]` whose source is a Docker volume name (`myvol:/data`), not a host path.",
        why: "The Kubernetes agent splits every bind on `:` and makes the source a hostPath, so `myvol` becomes a host directory named `myvol` (a relative path) instead of a volume: the data Docker kept in the volume is not there. On the GPU device persistent storage is an Edge share mounted as a `Mounts` entry of type `volume`; the agent claims it as a PersistentVolumeClaim named after the `Source` made a DNS label (lower case; characters other than letters, digits and `-` dropped).",
        before: r#"{"HostConfig": {"Binds": ["otel:/blobroot"]}}"#,
        after: r#"{"HostConfig": {"Mounts": [{"Type": "volume", "Source": "otel", "Target": "/blobroot"}]}}"#,
        fix_safety: "Confirm the share name and create a share of that name on the GPU device first, with \"Use the share with Edge compute\". The default is the volume's name, lower-cased, with `_` and `.` made `-` so that the agent's claim has the same name (a placeholder is kept as written). The data of the Docker volume is not copied, and a share starts empty where Docker seeded a new volume with the image's files.",
    },
    check: Check::Module(check),
};

fn check(ctx: &Context, module: &Module) -> Vec<Finding> {
    let plan = Plan::of(module, ShareRoots::of(ctx.device));
    plan.of_owner(BindOwner::NamedVolume)
        .map(|item| {
            let part = item.first();
            let location = module.create_options_at(part.at.clone());
            let message = format!(
                "{} names Docker volume `{}`: on Kubernetes it becomes a host directory, not a volume",
                part.shown, part.source
            );
            let finding = Finding::new(&RULE, Some(module), location, message);
            match &item.fate {
                Fate::Covered { by, instead } => finding.suggest(item.covered(module, by, instead)),
                Fate::Mount { .. } if !plan.writer.writable => {
                    let mut f = finding;
                    f.message.push_str(NOT_WRITABLE);
                    f
                }
                Fate::Mount { mount, .. } => {
                    let finding = create_share(finding, &mount.source, ctx.device);
                    let (edits, at) = item.replace_with(module, &plan.writer, mount);
                    let summary = format!(
                        "mount share `{}` as a volume at {} (create the share on the GPU device){}",
                        mount.source,
                        mount.target,
                        device_note(ctx.device, &mount.source)
                    );
                    finding.suggest(Suggestion::new(summary, edits).with_input(
                        "share name",
                        at,
                        plan.writer.source_input().as_str(),
                        Some(mount.source.clone().into()),
                    ))
                }
                Fate::System(..) | Fate::Manual(_) => finding,
            }
        })
        .collect()
}
