//! STO009: a `volume` mount whose source is not an Edge share of the GPU device.

use super::layout::{MountType, mounts};
use super::paths::dns_label;
use super::steps::create_share;
use crate::manifest::Module;
use crate::manifest::model::squash;
use crate::manifest::placeholder::contains_placeholder;
use crate::rules::{Check, Context, Edit, Finding, FixAvailability, K8S, Rule, RuleDoc, Section, Severity, Suggestion};

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "STO009",
        section: Section::Storage,
        severity: Severity::Warning,
        fix: FixAvailability::Sometimes,
        targets: K8S,
        title: "Volume mount of a share the GPU device does not have",
        detects: "A `HostConfig.Mounts` entry of type `volume` whose `Source` is not one of the device's Edge shares (the device profile's `shares`, `--shares a,b`). When the profile declares no shares, each volume mount is listed (info) as a share the device must have.",
        why: "On the GPU device a `volume` mount is an Edge share: the agent claims it as a PersistentVolumeClaim named after the `Source`, and only shares created with \"Use the share with Edge compute\" back such claims. For any other name the pod stays Pending, or its data lands in storage that is not the share you can reach and keep. Create the share before deploying: same name, \"Use the share with Edge compute\" ticked, an Edge local share for data that stays on the device or a cloud share for data tiered to Azure, as it was on the FPGA device (local-share data does not migrate by itself; NFS shares are v3 only and must be reachable from the compute network). Each finding adds that step to the report's \"Before you deploy\" checklist (TRAPS.md NEW-8, with NEW-10's empty share and NEW-23's cloud-share writes in its detail).",
        before: r#"{"HostConfig": {"Mounts": [{"Type": "volume", "Source": "images", "Target": "/data"}]}} with shares `input`, `output`"#,
        after: r#"{"HostConfig": {"Mounts": [{"Type": "volume", "Source": "input", "Target": "/data"}]}}"#,
        fix_safety: "Needs review: name the share the data is on (one of the device's shares); or keep the name and create that share on the GPU device, then add it to the device profile. A placeholder is filled in at deploy time and is never replaced.",
    },
    check: Check::Module(check),
};

fn check(ctx: &Context, module: &Module) -> Vec<Finding> {
    mounts(module)
        .iter()
        .filter(|m| MountType::of(m) == Some(MountType::Volume))
        .filter_map(|m| {
            let field = m.source.as_ref()?;
            let source = field.text().filter(|s| !s.trim().is_empty())?;
            let location = module.create_options_at(field.at.clone());
            let claim = dns_label(source);
            let named = if claim != source && !contains_placeholder(source) {
                format!(" (the agent names its claim `{claim}`)")
            } else {
                String::new()
            };
            let need = format!(
                "volume mount at `{}` names share `{source}`: the GPU device needs an Edge share of that name{named} with \"Use the share with Edge compute\" (an Edge local share to keep the data on the device, a cloud share to tier it to Azure, as on the FPGA device)",
                m.target().unwrap_or_default()
            );
            if contains_placeholder(source) {
                let message = format!(
                    "volume mount at `{}` names share `{source}`, filled in at deploy time: it must be an Edge share of the GPU device with \"Use the share with Edge compute\"",
                    m.target().unwrap_or_default()
                );
                return Some(create_share(Finding::new(&RULE, Some(module), location, message), source, ctx.device).severity(Severity::Info));
            }
            let shares = match &ctx.device.shares {
                None => {
                    return Some(create_share(Finding::new(&RULE, Some(module), location, need), source, ctx.device).severity(Severity::Info));
                }
                Some(s) => s,
            };
            if shares.iter().any(|s| s.eq_ignore_ascii_case(source) || dns_label(s) == claim) {
                return None;
            }
            let declared = if shares.is_empty() {
                "the device profile declares none".to_owned()
            } else {
                format!("its shares are {}", shares.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", "))
            };
            let message = format!(
                "volume mount at `{}` names share `{source}`, which the GPU device does not have ({declared}): the pod stays Pending or its data is not kept on a share",
                m.target().unwrap_or_default()
            );
            // A declared share spelled alike (`my_share` for `my-share`) is most likely the one meant.
            let alike = shares.iter().find(|s| squash(s) == squash(source)).cloned();
            let suggestion = Suggestion::new(
                format!("mount a share the device has instead of `{source}` (or create `{source}` on the device and declare it)"),
                vec![Edit::Set { at: module.create_options_at(field.at.clone()), value: source.into() }],
            )
            .with_input("share name", 0, "", alike.map(Into::into));
            Some(create_share(Finding::new(&RULE, Some(module), location, message), source, ctx.device).suggest(suggestion))
        })
        .collect()
}
