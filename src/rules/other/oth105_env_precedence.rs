//! OTH105 (VM): a variable set in both the module's `env` and `createOptions.Env`, differently.

use crate::manifest::Module;
use crate::rules::shared::env::{Place, Var, redact};
use crate::rules::{Check, Context, Finding, FixAvailability, Rule, RuleDoc, Section, Severity, VM};

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "OTH105",
        section: Section::Other,
        severity: Severity::Info,
        fix: FixAvailability::Never,
        targets: VM,
        title: "Variable in both env and createOptions.Env with different values: createOptions.Env wins",
        detects: "An environment variable set in the module's `env` section and in `createOptions.Env` under the same name (exact, as Linux compares names) with different values (an entry without `=` has the empty value). Reported once per name, at the `createOptions.Env` entry that takes effect (the last one).",
        why: "edgelet merges the module's `env` with `createOptions.Env` and, on a duplicate name, keeps the `createOptions.Env` value (`merge_env` in edgelet-docker `runtime.rs`, 1.5.44): the value in `env` never reaches the container. Reading the manifest suggests otherwise, and an engineer who changes the `env` value (in the portal, for instance) sees no effect.",
        before: r#"{"env": {"LOG_LEVEL": {"value": "debug"}}, "settings": {"createOptions": "{\"Env\":[\"LOG_LEVEL=info\"]}"}}"#,
        after: r#"{"env": {"LOG_LEVEL": {"value": "debug"}}, "settings": {"createOptions": "{\"Env\":[\"LOG_LEVEL=info\"]}"}}   (the module gets LOG_LEVEL=info: keep the value you mean in one place)"#,
        fix_safety: "Nothing is changed: which value the module should get is yours to decide. Remove the other entry by hand, or move the value you want into `createOptions.Env`.",
    },
    check: Check::Module(check),
};

fn check(ctx: &Context, module: &Module) -> Vec<Finding> {
    let vars = ctx.env(module);
    let value = |v: &Var| v.value.clone().unwrap_or_default();
    let mut out = Vec::new();
    for section in vars.iter().filter(|v| v.place == Place::Section) {
        // The createOptions entry that takes effect: the last of that name.
        let Some(winner) = vars.iter().rev().find(|v| v.place != Place::Section && v.name == section.name) else {
            continue;
        };
        if value(winner) == value(section) {
            continue;
        }
        out.push(Finding::new(
            &RULE,
            Some(module),
            winner.at.clone(),
            format!(
                "`{}` is {} in the module's env and {} in createOptions.Env: the module gets {} (createOptions.Env wins)",
                section.name,
                shown(&value(section)),
                shown(&value(winner)),
                shown(&value(winner))
            ),
        ));
    }
    out
}

/// A value for messages: quoted, credentials in a URL hidden, or "an empty value".
fn shown(value: &str) -> String {
    if value.is_empty() { "an empty value".to_owned() } else { format!("`{}`", redact(value)) }
}
