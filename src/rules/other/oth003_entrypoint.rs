//! OTH003: `Entrypoint` and `Cmd` written in a way the agents do not read.

use crate::manifest::{Module, pointer};
use crate::rules::{Check, Context, Edit, Finding, FixAvailability, K8S, Rule, RuleDoc, Section, Severity, Suggestion};
use serde_json::Value;

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "OTH003",
        section: Section::Other,
        severity: Severity::Warning,
        fix: FixAvailability::Sometimes,
        targets: K8S,
        title: "Entrypoint or Cmd miscased or given as a string",
        detects: "A createOptions key `EntryPoint` (any casing but `Entrypoint`; likewise for `Cmd`), or an `Entrypoint`/`Cmd` given as a string instead of a list.",
        why: "The guide warns that some Docker options such as EntryPoint do not work on the GPU device: older agents look the key up case-sensitively and require a JSON list. Docker itself reads a string as a one-element list; the .NET agents read an empty string as \"not set\" (the image's own ENTRYPOINT/CMD) and fail on any other string.",
        before: r#"{"EntryPoint": "/app/start.sh", "Cmd": ""}"#,
        after: r#"{"Entrypoint": ["/app/start.sh"]}"#,
        fix_safety: "Safe: a string becomes the one-element list Docker makes of it, and an empty string (\"no override\") is removed, which is how the agents read it. A string with spaces stays one element, as in Docker: if a shell line was meant, write [\"/bin/sh\", \"-c\", \"…\"]. Better still, bake the entrypoint into the image (ENTRYPOINT/CMD in the Dockerfile).",
    },
    check: Check::Module(check),
};

/// Advice added to every finding.
const BAKE: &str = "better still, bake it into the image (Dockerfile ENTRYPOINT/CMD)";

fn check(_ctx: &Context, module: &Module) -> Vec<Finding> {
    let Some(co) = module.create_options.object() else { return Vec::new() };
    let mut out = Vec::new();
    for canonical in ["Entrypoint", "Cmd"] {
        let spellings = co.keys().filter(|k| k.eq_ignore_ascii_case(canonical)).count();
        for (key, value) in co.iter().filter(|(k, _)| k.eq_ignore_ascii_case(canonical)) {
            let here = pointer::join("", key);
            let target = pointer::join("", canonical);
            let miscased = key != canonical;
            let path = module.co_path(&here);
            let spelled = if miscased {
                format!("`{key}` (read as `{canonical}` only by newer agents)")
            } else {
                format!("`{key}`")
            };
            let finding =
                |message: String| Finding::new(&RULE, Some(module), path.clone(), format!("{message}; {BAKE}"));
            if miscased && spellings > 1 {
                out.push(finding(format!(
                    "`{key}` is set next to another spelling of `{canonical}`; keep one, named `{canonical}`"
                )));
                continue;
            }
            let (message, summary, mut edits) = match value {
                Value::Array(_) | Value::Null if miscased => (
                    format!("{spelled} must be spelled `{canonical}`"),
                    format!("rename `{key}` to `{canonical}`"),
                    Vec::new(),
                ),
                Value::Array(_) | Value::Null => continue,
                Value::String(s) if s.trim().is_empty() => {
                    out.push(finding(format!("{spelled} is an empty string, which means \"no override\"")).suggest(
                        Suggestion::new(
                            format!("remove `{key}` (the image's own {} applies)", canonical.to_uppercase()),
                            vec![Edit::Remove { at: path.clone() }],
                        ),
                    ));
                    continue;
                }
                Value::String(s) => {
                    let shell = if s.contains(char::is_whitespace) {
                        " (one program name, as Docker reads it: use [\"/bin/sh\", \"-c\", …] for a shell line)"
                    } else {
                        ""
                    };
                    (
                        format!("{spelled} is the string `{s}`, not a list{shell}"),
                        format!("write `{canonical}` as the list [\"{s}\"]"),
                        vec![Edit::Set { at: module.co_path(&target), value: Value::Array(vec![value.clone()]) }],
                    )
                }
                other => {
                    out.push(finding(format!("{spelled} is {}, neither a list nor a string", kind(other))));
                    continue;
                }
            };
            if miscased {
                edits.insert(0, Edit::RenameKey { at: path.clone(), to: canonical.to_owned() });
            }
            // The list written (or, for a plain rename, the new key) is what the engineer may edit.
            let mut suggestion = Suggestion::new(summary, edits);
            suggestion.primary = suggestion.edits.len() - 1;
            out.push(finding(message).suggest(suggestion));
        }
    }
    out
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::Object(_) => "an object",
        _ => "a value",
    }
}
