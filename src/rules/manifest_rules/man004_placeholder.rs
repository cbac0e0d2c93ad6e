//! MAN004: placeholders are never touched; a createOptions that is one cannot be checked.

use crate::manifest::{CreateOptionsProblem, Module, Pointer};
use crate::rules::{BOTH, Check, Context, Finding, FixAvailability, Rule, RuleDoc, Section, Severity};

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "MAN004",
        section: Section::Other,
        severity: Severity::Info,
        fix: FixAvailability::Never,
        targets: BOTH,
        title: "Placeholders are never touched",
        detects: "Template placeholders (`${X}`, `$X`, `<X>`, `#X#`, `__X`) anywhere in the manifest; reported when a whole createOptions is a placeholder and so cannot be checked.",
        why: "Placeholders are filled in by the build or release pipeline. fpga2gpu keeps them verbatim and never expands or 'fixes' them; rules that would rewrite one say so instead.",
        before: r#"{"createOptions": "${CAMERA_CREATE_OPTIONS}"}"#,
        after: r#"{"createOptions": "${CAMERA_CREATE_OPTIONS}"}"#,
        fix_safety: "Nothing is changed. Run fpga2gpu again on the manifest the pipeline produces to check the filled-in values.",
    },
    check: Check::Module(check),
};

fn check(_ctx: &Context, module: &Module) -> Vec<Finding> {
    module
        .create_options
        .problems
        .iter()
        .filter_map(|p| match p {
            CreateOptionsProblem::Placeholder { text } => Some(Finding::new(
                &RULE,
                Some(module),
                module.create_options_at(Pointer::root()),
                format!("createOptions is the placeholder `{text}`; it is filled in at deploy time and cannot be checked here"),
            )),
            _ => None,
        })
        .collect()
}
