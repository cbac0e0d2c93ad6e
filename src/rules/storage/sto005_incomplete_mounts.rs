//! STO005: a `Mounts` entry without `Type`, `Source` or `Target`.

use super::mounts::mounts;
use crate::manifest::{Module, json_kind};
use crate::rules::{Check, Context, Finding, FixAvailability, K8S, Rule, RuleDoc, Section, Severity};
use serde_json::Value;

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "STO005",
        section: Section::Storage,
        severity: Severity::Error,
        fix: FixAvailability::Never,
        targets: K8S,
        title: "`Mounts` entry missing `Type`, `Source` or `Target`",
        detects: "An element of `HostConfig.Mounts` that is not an object, or lacks a non-empty `Type`, `Source` or `Target` (keys are read case-insensitively, as Docker does), or a `Mounts` that is not a list. A `tmpfs` entry needs no `Source`: STO006 replaces it.",
        why: "The Kubernetes agent validates every mount before it deploys anything: one incomplete entry makes it reject the whole deployment (InvalidMountException), so no module of the device is updated. Docker was more lenient (a tmpfs needs no source), which is why such entries run on the FPGA device.",
        before: r#"{"HostConfig": {"Mounts": [{"Type": "volume", "Target": "/data"}]}}"#,
        after: r#"{"HostConfig": {"Mounts": [{"Type": "volume", "Source": "data", "Target": "/data"}]}}"#,
        fix_safety: "Manual: only the module's author knows which share or folder was meant.",
    },
    check: Check::Module(check),
};

fn check(_ctx: &Context, module: &Module) -> Vec<Finding> {
    if let Some(m) = module.create_options.host_config().and_then(|h| h.get("Mounts"))
        && !m.is_array()
        && !m.is_null()
    {
        return vec![Finding::new(
            &RULE,
            Some(module),
            module.co_path("/HostConfig/Mounts"),
            format!("`Mounts` is {}, not a list of mounts", kind(m)),
        )];
    }
    mounts(module)
        .into_iter()
        .filter_map(|m| {
            let path = module.co_path(m.rel_pointer());
            if m.fields().is_none() {
                return Some(Finding::new(
                    &RULE,
                    Some(module),
                    path,
                    format!("`Mounts` entry {} is {}, not an object with `Type`, `Source` and `Target`", m.index, kind(m.value)),
                ));
            }
            // A tmpfs has no source (Docker needs none); STO006 replaces the whole entry.
            let tmpfs = m.kind().as_deref() == Some("tmpfs");
            let missing: Vec<&str> = ["Type", "Source", "Target"]
                .into_iter()
                .filter(|k| m.text(k).is_none() && !(tmpfs && *k == "Source"))
                .collect();
            if missing.is_empty() {
                return None;
            }
            let mut message = format!(
                "`Mounts` entry {}{} has no {}",
                m.index,
                m.target().map(|t| format!(" (target `{t}`)")).unwrap_or_default(),
                missing.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
            );
            if m.field("mountPath").is_some() || m.field("name").is_some() {
                message.push_str(
                    ": it looks like a Kubernetes volumeMount, which belongs in `k8s-experimental.volumes` with its volume",
                );
            }
            Some(Finding::new(&RULE, Some(module), path, message))
        })
        .collect()
}

/// [`json_kind`], but an array is "a list": Docker's documentation calls `Mounts` a list, and the
/// messages say so.
fn kind(v: &Value) -> &'static str {
    if v.is_array() { "a list" } else { json_kind(v) }
}
