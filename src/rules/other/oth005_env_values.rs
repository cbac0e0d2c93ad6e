//! OTH005: createOptions `Env` entries whose value holds `=`.

use super::env_names;
use crate::manifest::Module;
use crate::rules::{Check, Context, Edit, Finding, FixAvailability, K8S, Rule, RuleDoc, Section, Severity, Suggestion};
use serde_json::{Value, json};

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "OTH005",
        section: Section::Other,
        severity: Severity::Info,
        fix: FixAvailability::Sometimes,
        targets: K8S,
        title: "createOptions Env value containing `=` moves to the module's env section",
        detects: "A createOptions `Env` entry `NAME=value` whose value itself contains `=` (connection strings, base64 padding, query strings). `WIRESERVER_ADDRESS` (removed by RES002), names with a template placeholder and names Kubernetes rejects for other reasons than `:` (OTH004) are left out.",
        why: "Older Kubernetes agents dropped `Env` entries whose value holds `=`, so the module starts without the variable. The module's `env` section holds the value on its own and is passed as it is.",
        before: r#"{"createOptions": {"Env": ["DB=Server=sql;Password=x=="]}}"#,
        after: r#"{"createOptions": {}, "env": {"DB": {"value": "Server=sql;Password=x=="}}}"#,
        fix_safety: "Safe: the variable keeps its name and value (a `:` in the name becomes `__`, as OTH004 does). When the name is already in the module's `env`, that value wins and the entry must be reconciled by hand.",
    },
    check: Check::Module(check),
};

fn check(ctx: &Context, module: &Module) -> Vec<Finding> {
    let env_section = module.json(ctx.manifest).and_then(|m| m.get("env"));
    if env_section.is_some_and(|e| !matches!(e, Value::Object(_) | Value::Null)) {
        return Vec::new();
    }
    let env = &module.env;
    let mut out = Vec::new();
    for (index, entry) in module.create_env() {
        let Some((name, value)) = entry.split_once('=') else { continue };
        if !value.contains('=') || name.eq_ignore_ascii_case("WIRESERVER_ADDRESS") || env_names::is_templated(name) {
            continue;
        }
        let new_name = env_names::sanitise(name);
        if !env_names::is_valid(&new_name) {
            continue;
        }
        let path = module.co_path(format!("/Env/{index}"));
        let message = format!("Env entry `{name}` has `=` in its value `{value}`");
        if let Some(existing) = [name, new_name.as_str()].into_iter().find(|n| env.iter().any(|v| v.name == *n)) {
            out.push(Finding::new(
                &RULE,
                Some(module),
                path,
                format!("{message}; the module's env section sets `{existing}` too, and wins: remove one by hand"),
            ));
            continue;
        }
        let renamed = if new_name != name { format!(" as `{new_name}`") } else { String::new() };
        out.push(Finding::new(&RULE, Some(module), path.clone(), message).suggest(Suggestion::new(
            format!("move `{name}` to the module's env section{renamed}"),
            vec![
                Edit::Set { at: module.document_at(["env", new_name.as_str()]), value: json!({"value": value}) },
                Edit::Remove { at: path },
            ],
        )));
    }
    out
}
