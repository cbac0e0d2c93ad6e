//! OTH003: `Entrypoint` and `Cmd` written in a way the agents do not read as a list.

use super::{deployed_by_device, shadowed_spelling};
use crate::manifest::model::Field;
use crate::manifest::{Module, json_kind};
use crate::rules::{Check, Context, Edit, Finding, FixAvailability, K8S, Rule, RuleDoc, Section, Severity, Suggestion};
use serde_json::Value;

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "OTH003",
        section: Section::Other,
        severity: Severity::Warning,
        fix: FixAvailability::Sometimes,
        targets: K8S,
        title: "Entrypoint or Cmd given as a string, or set twice",
        detects: "`Entrypoint` or `Cmd` (in any casing: Docker and both agents read keys ignoring case) given as a string instead of a list of strings, or as another value that is not a list; an empty string (info); and a second spelling of the key (`EntryPoint` next to `Entrypoint`, info).",
        why: "The guide warns that Docker options such as EntryPoint may not work on the GPU device. The Kubernetes agent passes `Entrypoint` and `Cmd` to the pod as the container's command and arguments, read as lists of strings: a string other than an empty one cannot be read as a list, while an empty string reads as \"not set\" (the image's own ENTRYPOINT/CMD). When a key is written in two spellings, Docker and the agent read the later one.",
        before: r#"{"entrypoint": "/app/start.sh", "Cmd": ""}"#,
        after: r#"{"entrypoint": ["/app/start.sh"]}"#,
        fix_safety: "Safe: a string becomes the one-element list Docker makes of it (the key keeps its spelling), an empty string (\"no override\") and a shadowed spelling are removed, which is how the agents read them. A string with spaces stays one element, as in Docker: if a shell line was meant, write [\"/bin/sh\", \"-c\", \"…\"]. Better still, bake the entrypoint into the image (ENTRYPOINT/CMD in the Dockerfile).",
    },
    check: Check::Module(check),
};

/// Advice added to findings about the value.
const BAKE: &str = "better still, bake it into the image (Dockerfile ENTRYPOINT/CMD)";

fn check(_ctx: &Context, module: &Module) -> Vec<Finding> {
    let Some(c) = module.container().filter(|_| !deployed_by_device(module)) else { return Vec::new() };
    let mut out = Vec::new();
    for (canonical, field) in [("Entrypoint", &c.entrypoint), ("Cmd", &c.cmd)] {
        let Some(f) = field else { continue };
        for s in c.shadowed.iter().filter(|s| s.key.eq_ignore_ascii_case(canonical)) {
            out.push(shadowed_spelling(&RULE, module, s, &s.key, "Docker and the agent read", Severity::Info));
        }
        out.extend(value(module, canonical, f));
    }
    out
}

/// The finding about the value that is read, if it is not a list.
fn value(module: &Module, canonical: &str, f: &Field) -> Option<Finding> {
    let at = module.create_options_at(f.at.clone());
    let finding = |message: String| Finding::new(&RULE, Some(module), at.clone(), message);
    let key = &f.key;
    match &f.value {
        Value::Array(_) | Value::Null => None,
        Value::String(s) if s.trim().is_empty() => Some(
            finding(format!(
                "`{key}` is an empty string, which the agents read as \"not set\": the image's own {} applies",
                canonical.to_uppercase()
            ))
            .severity(Severity::Info)
            .suggest(Suggestion::new(
                format!("remove `{key}` (the image's own {} applies)", canonical.to_uppercase()),
                vec![Edit::Remove { at: at.clone() }],
            )),
        ),
        Value::String(s) => {
            let note = if let Some(p) = f.placeholder().filter(|p| p.trim() == s.trim()) {
                format!(" (the placeholder `{p}`, filled in at deploy time, stays: as the list's one element)")
            } else if s.contains(char::is_whitespace) {
                " (one program name, as Docker reads it: use [\"/bin/sh\", \"-c\", …] for a shell line)".to_owned()
            } else {
                String::new()
            };
            Some(finding(format!("`{key}` is the string `{s}`, not a list of strings{note}; {BAKE}")).suggest(
                Suggestion::new(
                    format!("write `{key}` as the list [\"{s}\"]"),
                    vec![Edit::Set { at: at.clone(), value: Value::Array(vec![f.value.clone()]) }],
                ),
            ))
        }
        other => Some(finding(format!(
            "`{key}` is {}, but the agents read a list of strings: write one, or bake the {} into the image (Dockerfile {})",
            json_kind(other),
            if canonical == "Cmd" { "command" } else { "entrypoint" },
            canonical.to_uppercase()
        ))),
    }
}
