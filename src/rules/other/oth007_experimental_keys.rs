//! OTH007: `k8s-experimental` settings the agent never reads: unknown inner keys, or the whole
//! section misspelled or misplaced.

use super::{deployed_by_device, shadowed_spelling};
use crate::manifest::model::Experimental as AgentSection;
use crate::manifest::placeholder::contains_placeholder;
use crate::manifest::{Module, Pointer, json_kind};
use crate::rules::shared::k8s::{self, Experimental, KNOWN, SECTION, is_misspelled_service_options, known, meant};
use crate::rules::{Check, Context, Edit, Finding, FixAvailability, K8S, Rule, RuleDoc, Section, Severity, Suggestion};
use serde_json::Value;

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "OTH007",
        section: Section::Other,
        severity: Severity::Error,
        fix: FixAvailability::Sometimes,
        targets: K8S,
        title: "k8s-experimental key the agent does not read",
        detects: "An inner key of `k8s-experimental` other than volumes, resources, nodeSelector, securityContext, serviceOptions and strategy (matched ignoring case; misspellings of serviceOptions such as `service-options` are NET009's), a known key given twice in two spellings, a section spelled otherwise (`k8s_experimental`, `K8s-Experimental`, `k8sExperimental`) or placed inside `HostConfig`, and a section that is not an object (a placeholder is reported as filled in at deploy time). edgeAgent, which the device deploys, is left out.",
        why: "The agent reads the section only under the exact key `k8s-experimental` at the top of createOptions, and within it only the six keys it knows (ignoring case); anything else is skipped with a log line, so GPUs, volumes or service options written there never reach the pod.",
        before: r#"{"k8s_experimental": {"resources": {"limits": {"nvidia.com/gpu": 1}}}, "k8s-experimental": {"nodeselector": {"gpu": "true"}, "replicas": 2}}"#,
        after: r#"{"k8s-experimental": {"nodeselector": {"gpu": "true"}, "resources": {"limits": {"nvidia.com/gpu": 1}}}}"#,
        fix_safety: "Safe: the Docker agent ignores the whole section and the Kubernetes agent ignores what is removed. A misspelled inner key close to a known one (`node_selector`) is renamed, not removed. A misspelled or misplaced section is merged setting by setting into `k8s-experimental`; when both hold different values for the same setting nothing is changed and you merge by hand.",
    },
    check: Check::Module(check),
};

fn check(_ctx: &Context, module: &Module) -> Vec<Finding> {
    if deployed_by_device(module) {
        return Vec::new();
    }
    let agent = k8s::agent(module);
    let mut out = Vec::new();
    for s in k8s::sections_any_spelling(module) {
        if s.read_by_agent {
            out.extend(agent.map(|a| check_inner(module, a)).unwrap_or_default());
        } else if let Some(f) = misplaced(module, &s, agent) {
            out.push(f);
        }
    }
    out
}

/// Unknown and doubled keys inside the agent's own section.
fn check_inner(module: &Module, s: &AgentSection) -> Vec<Finding> {
    let path = module.create_options_at(s.at.clone());
    if !s.is_object {
        return match &s.value {
            Value::Null => Vec::new(),
            Value::String(t) if contains_placeholder(t) => vec![
                Finding::new(
                    &RULE,
                    Some(module),
                    path,
                    format!("`{SECTION}` is the placeholder `{t}`, filled in at deploy time: the agent reads it only as an object of the keys it knows ({})", KNOWN.join(", ")),
                )
                .severity(Severity::Info),
            ],
            other => vec![Finding::new(
                &RULE,
                Some(module),
                path,
                format!("`{SECTION}` is {}, not an object: the agent cannot parse it and ignores it", json_kind(other)),
            )],
        };
    }
    let mut out = Vec::new();
    for f in &s.unknown {
        // Misspellings of serviceOptions (`service-options`, `service_options`) are NET009's.
        if contains_placeholder(&f.key) || is_misspelled_service_options(&f.key) {
            continue;
        }
        let at = module.create_options_at(f.at.clone());
        let key = &f.key;
        // Another spelling of the same key (the right one, or a second wrong one) makes a rename clobber it.
        let spellings =
            |m: &str| s.get(m).map_or(0, |_| 1) + s.unknown.iter().filter(|u| meant(&u.key) == Some(m)).count();
        let finding = match meant(key) {
            Some(m) if spellings(m) > 1 => Finding::new(
                &RULE,
                Some(module),
                at,
                format!(
                    "`{SECTION}.{key}` is not a key the agent knows, and another spelling of `{m}` is set too: keep one, named `{m}`"
                ),
            ),
            Some(m) => Finding::new(
                &RULE,
                Some(module),
                at.clone(),
                format!("`{SECTION}.{key}` is not a key the agent knows; it reads `{m}`"),
            )
            .suggest(Suggestion::new(
                format!("rename `{key}` to `{m}`"),
                vec![Edit::RenameKey { at, to: m.to_owned() }],
            )),
            None => Finding::new(
                &RULE,
                Some(module),
                at.clone(),
                format!("`{SECTION}.{key}` is ignored by the agent, which knows only {}", KNOWN.join(", ")),
            )
            .suggest(Suggestion::new(format!("remove `{key}`"), vec![Edit::Remove { at }])),
        };
        out.push(finding);
    }
    for d in &s.shadowed {
        let shown = format!("{SECTION}.{}", d.key);
        out.push(shadowed_spelling(&RULE, module, d, &shown, "the agent reads", Severity::Warning));
    }
    out
}

/// A section the agent does not read, moved into the one it reads.
fn misplaced(module: &Module, s: &Experimental<'_>, agent: Option<&AgentSection>) -> Option<Finding> {
    let path = module.create_options_at(s.rel_pointer.clone());
    let inside_host_config = s.in_host_config;
    let name = if inside_host_config { format!("HostConfig.{}", s.key) } else { s.key.to_owned() };
    let what = if inside_host_config {
        format!("`{name}` is ignored: the agent reads `{SECTION}` at the top of createOptions")
    } else {
        format!("`{name}` is ignored: the agent reads the section only when spelled `{SECTION}`")
    };
    let finding = |message: String| Finding::new(&RULE, Some(module), path.clone(), message);
    let manual = |message: String| Some(finding(message));
    let agent = match agent {
        Some(a) if a.is_object => Some(a),
        Some(a) if !a.value.is_null() => {
            return manual(format!("{what}; `{SECTION}` is set too, as {}: merge them by hand", json_kind(&a.value)));
        }
        _ => None,
    };
    let section = match s.value {
        Value::Object(o) => o,
        Value::Null => {
            return Some(
                finding(format!("{what}; it is empty"))
                    .suggest(Suggestion::new(format!("remove `{name}`"), vec![Edit::Remove { at: path.clone() }])),
            );
        }
        Value::String(t) if contains_placeholder(t) && agent.is_none() => {
            let edits = if inside_host_config {
                vec![
                    Edit::Set { at: module.create_options_at(Pointer::root().child(SECTION)), value: s.value.clone() },
                    Edit::Remove { at: path.clone() },
                ]
            } else {
                vec![Edit::RenameKey { at: path.clone(), to: SECTION.to_owned() }]
            };
            return Some(finding(what).suggest(Suggestion::new(format!("move `{name}` to `{SECTION}`"), edits)));
        }
        other => return manual(format!("{what}; it is {}, not an object: rewrite it by hand", json_kind(other))),
    };

    let mut leaves = Vec::new();
    let mut dropped = Vec::new();
    for (key, value) in section {
        let Some(canonical) = known(key).or_else(|| meant(key)) else {
            dropped.push(format!("`{key}`"));
            continue;
        };
        collect_leaves(value, vec![canonical.to_owned()], &mut leaves);
    }
    let mut edits = Vec::new();
    let mut conflicts = Vec::new();
    for (tokens, value) in leaves {
        match existing(agent.map(|a| &a.value), &tokens, &value) {
            Existing::Absent(at) => edits.push(Edit::Set { at: module.create_options_at(at), value }),
            Existing::Same => {}
            Existing::Differs => conflicts.push(format!("`{}`", tokens.join("."))),
        }
    }
    if !conflicts.is_empty() {
        return manual(format!("{what}; `{SECTION}` sets {} differently: merge them by hand", conflicts.join(", ")));
    }
    edits.push(Edit::Remove { at: path.clone() });
    let mut message = what;
    if !dropped.is_empty() {
        message.push_str(&format!("; unknown {} dropped", dropped.join(", ")));
    }
    let summary = match agent {
        Some(_) => format!("merge `{name}` into `{SECTION}`"),
        None => format!("move `{name}` to `{SECTION}`"),
    };
    Some(finding(message).suggest(Suggestion::new(summary, edits)))
}

/// Objects are walked down to their leaves (scalars, arrays, empty objects), so that the settings
/// merge with what other rules write into the same section.
fn collect_leaves(value: &Value, at: Vec<String>, out: &mut Vec<(Vec<String>, Value)>) {
    match value {
        Value::Object(o) if !o.is_empty() => {
            for (k, v) in o {
                let mut next = at.clone();
                next.push(k.clone());
                collect_leaves(v, next, out);
            }
        }
        _ => out.push((at, value.clone())),
    }
}

enum Existing {
    /// Nothing there: the leaf is written at this pointer (through the spellings the section has).
    Absent(Pointer),
    Same,
    Differs,
}

/// What the agent's section already holds where a leaf would go; its levels are matched ignoring
/// case, as the agent reads them, so a merge never writes a second spelling next to the first.
fn existing(section: Option<&Value>, tokens: &[String], leaf: &Value) -> Existing {
    let mut at = Pointer::root().child(SECTION);
    let mut cur = section;
    for (i, t) in tokens.iter().enumerate() {
        let found = cur
            .and_then(Value::as_object)
            .and_then(|o| o.iter().rev().find(|(k, _)| k.eq_ignore_ascii_case(t)))
            .filter(|(_, v)| !v.is_null());
        match found {
            None => {
                at = at.child(t);
                for rest in &tokens[i + 1..] {
                    at = at.child(rest);
                }
                return Existing::Absent(at);
            }
            Some((_, v)) if i + 1 == tokens.len() => {
                let same = v == leaf || (leaf.as_object().is_some_and(serde_json::Map::is_empty) && v.is_object());
                return if same { Existing::Same } else { Existing::Differs };
            }
            Some((k, v @ Value::Object(_))) => {
                at = at.child(k);
                cur = Some(v);
            }
            Some(_) => return Existing::Differs,
        }
    }
    Existing::Absent(at)
}
