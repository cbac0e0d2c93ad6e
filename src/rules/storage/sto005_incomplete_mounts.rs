//! STO005: a `Mounts` entry without `Type`, `Source` or `Target`.

use super::layout::{mounts, mounts_field};
use crate::manifest::model::{Field, Mount};
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
        why: "The Kubernetes agent validates every mount before it deploys anything: one incomplete entry makes it reject the whole deployment (InvalidMountException), so no module of the device is updated; an empty `Source` fails it too, when the agent makes a volume name of it. Docker was more lenient (a tmpfs needs no source), which is why such entries run on the FPGA device.",
        before: r#"{"HostConfig": {"Mounts": [{"Type": "volume", "Target": "/data"}]}}"#,
        after: r#"{"HostConfig": {"Mounts": [{"Type": "volume", "Source": "data", "Target": "/data"}]}}"#,
        fix_safety: "Manual: only the module's author knows which share or folder was meant.",
    },
    check: Check::Module(check),
};

fn check(_ctx: &Context, module: &Module) -> Vec<Finding> {
    let Some(field) = mounts_field(module) else { return Vec::new() };
    if !matches!(field.value, Value::Array(_) | Value::Null) {
        return vec![Finding::new(
            &RULE,
            Some(module),
            module.create_options_at(field.at.clone()),
            format!("`{}` is {}, not a list of mounts", field.key, kind(&field.value)),
        )];
    }
    mounts(module).iter().filter_map(|m| incomplete(module, m)).collect()
}

fn incomplete(module: &Module, m: &Mount) -> Option<Finding> {
    let location = module.create_options_at(m.at.clone());
    if !m.is_object {
        return Some(Finding::new(
            &RULE,
            Some(module),
            location,
            format!(
                "`Mounts` entry {} is {}, not an object with `Type`, `Source` and `Target`",
                m.index,
                kind(&m.value)
            ),
        ));
    }
    let filled = |f: &Option<Field>| f.as_ref().and_then(Field::text).is_some_and(|t| !t.trim().is_empty());
    // A tmpfs has no source (Docker needs none); STO006 replaces the whole entry.
    let tmpfs = m.kind().as_deref() == Some("tmpfs");
    let missing: Vec<&str> = [("Type", &m.kind), ("Source", &m.source), ("Target", &m.target)]
        .into_iter()
        .filter(|(k, f)| !(filled(f) || (tmpfs && *k == "Source")))
        .map(|(k, _)| k)
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
    let k8s_like = m.other.iter().any(|o| ["mountPath", "name"].iter().any(|k| o.field.key.eq_ignore_ascii_case(k)));
    if k8s_like {
        message.push_str(
            ": it looks like a Kubernetes volumeMount, which belongs in `k8s-experimental.volumes` with its volume",
        );
    }
    Some(Finding::new(&RULE, Some(module), location, message))
}

/// [`json_kind`], but an array is "a list": Docker's documentation calls `Mounts` a list, and the
/// messages say so.
fn kind(v: &Value) -> &'static str {
    if v.is_array() { "a list" } else { json_kind(v) }
}
