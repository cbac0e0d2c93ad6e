//! OTH101 (VM): `k8s-experimental`, in any spelling, which IoT Edge on Docker never reads.
//!
//! RES101 and RES104 move what is worth keeping out of the section (the FPGA resource becomes a
//! `DeviceRequests` entry; memory, cpu and `nvidia.com/gpu` become Docker settings) and remove
//! what they moved. So this rule removes everything else and leaves their resources to them:
//! when both are accepted, the removals leave the section empty and the migration drops it; when
//! only this one is (`--accept auto`), nothing they would have moved is lost.

use crate::manifest::placeholder::placeholders;
use crate::manifest::{Module, Pointer, json_kind};
use crate::rules::shared::k8s::{self, Experimental, FPGA, GPU};
use crate::rules::{Check, Context, Edit, Finding, FixAvailability, Rule, RuleDoc, Section, Severity, Suggestion, VM};
use serde_json::Value;

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "OTH101",
        section: Section::Other,
        severity: Severity::Info,
        fix: FixAvailability::Always,
        targets: VM,
        title: "k8s-experimental is ignored by IoT Edge on Docker: removed",
        detects: "A `k8s-experimental` section in any spelling (`k8s_experimental`, `K8s-Experimental`, or placed inside `HostConfig`), on any module, whatever it holds. The resources RES101 and RES104 move into Docker settings (`memory`, `cpu` and `nvidia.com/gpu` by their exact names, and `microsoft.com/fpga_catapult` in any case, under the section's `resources.limits` or `resources.requests`, with a value) are left to them; a section holding nothing else is not reported.",
        why: "Only the Kubernetes agent reads `k8s-experimental`; edgeAgent 1.5/1.6 on Docker passes unknown createOptions keys through, and Docker skips this one (VM-TARGET §7: \"The agent ignores `k8s-experimental` entirely\"). Volumes, node selectors, security contexts, service options and update strategies written there do nothing in the VM, and keeping them suggests they do. What is worth keeping moves into `HostConfig` first: GPU and FPGA resources become `DeviceRequests` (RES101, RES104), memory and cpu `Memory`, `NanoCpus` and their reservations (RES104).",
        before: r#"{"k8s-experimental": {"strategy": {"type": "Recreate"}, "volumes": [{"volume": {"name": "images"}}], "resources": {"limits": {"nvidia.com/gpu": 1}}}}"#,
        after: r#"{"k8s-experimental": {"resources": {"limits": {"nvidia.com/gpu": 1}}}}   (then RES104 moves the GPU limit to DeviceRequests and the section goes)"#,
        fix_safety: "Safe: Docker ignored the section on the FPGA device and ignores it in the VM, so removing it changes nothing the module does. The resources RES101 and RES104 move are never removed by this rule, so taking only the safe fixes loses no GPU, memory or cpu setting; accept those rules too and the section disappears. A resource you reject there stays in the section, which Docker ignores. A misspelled or misplaced section was read by no agent at all and is removed whole. A placeholder in the section is removed with it: whatever it is filled with, Docker ignores it.",
    },
    check: Check::Module(check),
};

/// The resources RES104 takes out of the section, by their exact names (Kubernetes resource
/// names are case-sensitive, and RES104 reads them so).
const MOVED: [&str; 3] = ["memory", "cpu", GPU];

fn check(_ctx: &Context, module: &Module) -> Vec<Finding> {
    let kept = still_to_move(module);
    k8s::sections_any_spelling(module).iter().filter_map(|s| finding(module, s, &kept)).collect()
}

/// Where the resources still to be moved are: `resources.limits.<name>` and
/// `resources.requests.<name>` of the agent's own section (the spelling the resource rules read).
fn still_to_move(module: &Module) -> Vec<Pointer> {
    let mut out = Vec::new();
    for part in ["limits", "requests"] {
        let (Some(map), Some(at)) = (k8s::part(module, part), k8s::rel(module, &["resources", part])) else { continue };
        for (name, value) in map {
            // RES101 matches the FPGA resource trimmed and ignoring case.
            let fpga = name.trim().eq_ignore_ascii_case(FPGA);
            if !value.is_null() && (fpga || MOVED.contains(&name.as_str())) {
                out.push(at.child(name));
            }
        }
    }
    out
}

fn finding(module: &Module, s: &Experimental<'_>, kept: &[Pointer]) -> Option<Finding> {
    let kept: Vec<&Pointer> = if s.read_by_agent { kept.iter().collect() } else { Vec::new() };
    let mut removed = Vec::new();
    collect_removals(s.value, &s.rel_pointer, &kept, &mut removed);
    if removed.is_empty() {
        return None;
    }
    let name = if s.in_host_config { format!("HostConfig.{}", s.key) } else { s.key.to_owned() };
    let whole = kept.is_empty();
    // Placeholders in what is removed (a kept GPU count may be one: it stays).
    let mut filled = Vec::new();
    for p in &removed {
        let rel = p.strip_prefix(&s.rel_pointer).unwrap_or_else(Pointer::root);
        if let Some(v) = s.value.pointer(rel.as_str()) {
            placeholders_in(v, &mut filled);
        }
    }
    let what = if whole {
        match s.value {
            Value::String(_) if !filled.is_empty() => {
                format!("it is the placeholder {}, ignored whatever it is filled with", filled.join(", "))
            }
            Value::Object(o) if o.is_empty() => "it is empty".to_owned(),
            Value::Object(o) => format!("it holds {}", listed_keys(o.keys())),
            other => format!("it is {}", json_kind(other)),
        }
    } else {
        let shown: Vec<String> = removed.iter().map(|p| format!("`{}`", inside(p, &s.rel_pointer))).collect();
        format!(
            "{} removed; the resources RES101/RES104 move into `HostConfig` are left to them",
            super::listed(&shown)
        )
    };
    let filled = if filled.is_empty() || s.value.is_string() {
        String::new()
    } else {
        format!(" (the placeholder {} goes too: whatever it is filled with, Docker ignores it)", filled.join(", "))
    };
    let unread = if s.read_by_agent { "" } else { " (and was read by no agent: it is misspelled or misplaced)" };
    let message = format!("`{name}` is ignored by IoT Edge on Docker{unread}: {what}{filled}");
    let at = module.create_options_at(s.rel_pointer.clone());
    let summary =
        if whole { format!("remove `{name}`") } else { format!("remove what `{name}` holds besides its resources") };
    let edits = removed.into_iter().map(|p| Edit::Remove { at: module.create_options_at(p) }).collect();
    Some(Finding::new(&RULE, Some(module), at, message).suggest(Suggestion::new(summary, edits)))
}

/// The largest parts of `value` (at `at`) that hold none of `kept`: removing them all leaves
/// exactly the kept resources.
fn collect_removals(value: &Value, at: &Pointer, kept: &[&Pointer], out: &mut Vec<Pointer>) {
    if kept.contains(&at) {
        return;
    }
    let below: Vec<&Pointer> = kept.iter().copied().filter(|k| k.starts_with(at)).collect();
    match value {
        Value::Object(o) if !below.is_empty() => {
            for (k, v) in o {
                collect_removals(v, &at.child(k), &below, out);
            }
        }
        _ => out.push(at.clone()),
    }
}

/// `resources/limits/foo` for a removed part, relative to the section, for messages.
fn inside(p: &Pointer, section: &Pointer) -> String {
    let rel = p.strip_prefix(section).unwrap_or_else(|| p.clone());
    let quoted = |t: std::borrow::Cow<'_, str>| if t.contains('.') { format!("\"{t}\"") } else { t.into_owned() };
    rel.tokens().map(quoted).collect::<Vec<_>>().join(".")
}

fn listed_keys<'a>(keys: impl Iterator<Item = &'a String>) -> String {
    let keys: Vec<String> = keys.map(|k| format!("`{k}`")).collect();
    super::listed(&keys)
}

/// Adds the placeholders in `value` (keys and string values) to `out`, each once.
fn placeholders_in(value: &Value, out: &mut Vec<String>) {
    fn add(text: &str, out: &mut Vec<String>) {
        for p in placeholders(text) {
            let p = format!("`{p}`");
            if !out.contains(&p) {
                out.push(p);
            }
        }
    }
    match value {
        Value::String(s) => add(s, out),
        Value::Array(a) => a.iter().for_each(|v| placeholders_in(v, out)),
        Value::Object(o) => {
            for (k, v) in o {
                add(k, out);
                placeholders_in(v, out);
            }
        }
        _ => {}
    }
}
