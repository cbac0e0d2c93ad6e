//! STO001: a bind of the FPGA device's Edge share path.

use super::layout::NOT_WRITABLE;
use super::paths::{BindOwner, ShareRoots};
use super::plan::{Fate, Plan};
use super::steps::create_share;
use crate::device::DeviceProfile;
use crate::manifest::Module;
use crate::manifest::placeholder::contains_placeholder;
use crate::rules::{Check, Context, Finding, FixAvailability, K8S, Rule, RuleDoc, Section, Severity, Suggestion};

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "STO001",
        section: Section::Storage,
        severity: Severity::Error,
        fix: FixAvailability::Sometimes,
        targets: K8S,
        title: "Bind of an FPGA Edge share path becomes a volume mount of the share",
        detects: "A `HostConfig.Binds` entry `/home/hcsshares/<share>[/<folder>]:<target>[:ro]`, or `/home/databox-edge/hostgatewayshares/<share>…` (the mount point some releases of the portal showed, MicrosoftDocs/azure-docs#74930), or `<folder>/<share>…` under a folder the device profile names as another such mount point (`--share-root`, TRAPS.md §3): the host path where the FPGA device mounts Edge shares. Each finding asks for the share in the report's \"Before you deploy\" checklist (TRAPS.md NEW-8).",
        why: "On the GPU device shares are Kubernetes volumes named after the share; the FPGA host path does not exist there, so the bind would mount an empty directory. The share must exist on the GPU device with \"Use the share with Edge compute\" (local or cloud, as on the FPGA device).",
        before: r#"{"HostConfig": {"Binds": ["/home/hcsshares/images:/data:ro"]}}"#,
        after: r#"{"HostConfig": {"Mounts": [{"Type": "volume", "Source": "images", "Target": "/data", "ReadOnly": true}]}}"#,
        fix_safety: "Safe: the same share is mounted at the same place (create it on the GPU device first; STO009 checks the device's shares). A bind of a folder inside a share cannot be mounted alone: the whole share is mounted and the fix needs your confirmation. Where the path is mounted already the bind is only removed.",
    },
    check: Check::Module(check),
};

fn check(ctx: &Context, module: &Module) -> Vec<Finding> {
    let shares = ShareRoots::of(ctx.device);
    let plan = Plan::of(module, shares);
    plan.of_owner(BindOwner::Share)
        .map(|item| {
            let part = item.first();
            let (share, sub) = shares.share_of(part.source).unwrap_or_default();
            let location = module.create_options_at(part.at.clone());
            let mut message = format!("{} uses the FPGA share path of share `{share}`", part.shown);
            if contains_placeholder(share) {
                message.push_str(" (filled in at deploy time: it is kept as written)");
            }
            let finding = create_share(Finding::new(&RULE, Some(module), location, message), share, ctx.device);
            match &item.fate {
                Fate::Covered { by, instead } => finding.suggest(item.covered(module, by, instead)),
                Fate::Mount { .. } if !plan.writer.writable => {
                    let mut f = finding;
                    f.message.push_str(NOT_WRITABLE);
                    f
                }
                Fate::Mount { mount, also_at } => {
                    let (edits, at) = item.replace_with(module, &plan.writer, mount);
                    let note = device_note(ctx.device, share);
                    let create = if note.is_empty() { "" } else { ": create it with \"Use the share with Edge compute\"" };
                    let mut summary = format!("mount share `{share}` as a volume at {}{note}{create}", mount.target);
                    if let Some(other) = also_at {
                        summary.push_str(&format!(" (it is mounted at {other} too: one volume, two paths)"));
                    }
                    if sub.is_empty() {
                        finding.suggest(Suggestion::new(summary, edits))
                    } else {
                        let summary = format!(
                            "mount the whole share `{share}` at {} (the module must then read its `{sub}` folder){note}{create}",
                            mount.target
                        );
                        finding.suggest_review(Suggestion::new(summary, edits).with_input(
                            "share name",
                            at,
                            plan.writer.source_input().as_str(),
                            Some(share.into()),
                        ))
                    }
                }
                Fate::System(..) | Fate::Manual(_) => finding,
            }
        })
        .collect()
}

/// What the device profile says about the share: nothing when shares are not declared or it is one.
pub(super) fn device_note(device: &DeviceProfile, share: &str) -> String {
    match device.has_share(share) {
        Some(false) if !contains_placeholder(share) => {
            let shares: Vec<String> = device.shares.iter().flatten().map(|s| format!("`{s}`")).collect();
            if shares.is_empty() {
                "; the device profile declares no shares".to_owned()
            } else {
                format!("; it is not among the device's shares ({})", shares.join(", "))
            }
        }
        _ => String::new(),
    }
}
