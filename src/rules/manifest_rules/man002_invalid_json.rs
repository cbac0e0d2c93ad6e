//! MAN002: createOptions that is not valid JSON: unreadable (the module is left untouched), or
//! read leniently and rewritten as strict JSON.

use crate::manifest::{CreateOptionsProblem, Module, Pointer};
use crate::rules::{
    BOTH, Check, Context, Edit, Finding, FixAvailability, Rule, RuleDoc, Section, Severity, Suggestion,
};

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "MAN002",
        section: Section::Other,
        severity: Severity::Error,
        fix: FixAvailability::Sometimes,
        targets: BOTH,
        title: "createOptions that is not valid JSON",
        detects: "A createOptions string (joined from its chunks) that is not a JSON object. One the edge agent still reads (trailing commas, unquoted keys) is a warning and can be rewritten as strict JSON; one that cannot be read at all is an error.",
        why: "A createOptions the agent cannot parse fails the deployment of that module. fpga2gpu reports it, leaves that module untouched and migrates the rest.",
        before: r#"{"createOptions": "{\"HostConfig\":{\"Privileged\":true,},}"}"#,
        after: r#"{"createOptions": "{\"HostConfig\":{\"Privileged\":true}}"}"#,
        fix_safety: "Rewriting lenient JSON as strict JSON keeps every value: it is safe. Unreadable createOptions must be fixed by hand.",
    },
    check: Check::Module(check),
};

fn check(_ctx: &Context, module: &Module) -> Vec<Finding> {
    let at = module.create_options_at(Pointer::root());
    module
        .create_options
        .problems
        .iter()
        .filter_map(|p| match p {
            CreateOptionsProblem::Invalid { message } => Some(Finding::new(
                &RULE,
                Some(module),
                at.clone(),
                format!("createOptions is not valid JSON ({message}); this module is left untouched"),
            )),
            CreateOptionsProblem::Lenient { message } => {
                let value = module.create_options.value.clone()?;
                Some(
                    Finding::new(
                        &RULE,
                        Some(module),
                        at.clone(),
                        format!("createOptions is not strict JSON ({message}); it was read leniently, as the edge agent reads it"),
                    )
                    .severity(Severity::Warning)
                    .suggest(Suggestion::new(
                        "rewrite createOptions as strict JSON",
                        vec![Edit::Set { at: at.clone(), value }],
                    )),
                )
            }
            _ => None,
        })
        .collect()
}
