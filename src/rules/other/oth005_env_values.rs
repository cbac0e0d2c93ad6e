//! OTH005: createOptions `Env` entries whose value holds `=`.

use super::{deployed_by_device, env_names};
use crate::manifest::Module;
use crate::rules::shared::env::{self, Place};
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
        detects: "A createOptions `Env` entry `NAME=value` whose value itself contains `=` (connection strings, base64 padding, query strings). `WIRESERVER_ADDRESS` (removed by RES002), names with a template placeholder, names Kubernetes rejects for other reasons than `:` (OTH004) and edgeAgent (deployed by the device) are left out.",
        why: "Older Kubernetes agents dropped `Env` entries whose value holds `=`, so the module starts without the variable (the agent on the device splits at the first `=` and keeps it). The module's `env` section holds the value on its own and is passed as it is, by every agent.",
        before: r#"{"createOptions": {"Env": ["DB=Server=sql;Password=x=="]}}"#,
        after: r#"{"createOptions": {}, "env": {"DB": {"value": "Server=sql;Password=x=="}}}"#,
        fix_safety: "Safe: the variable keeps its name and value (a `:` in the name becomes `__`, as OTH004 does). When the name is already in the module's `env`, that value wins and the entry must be reconciled by hand.",
    },
    check: Check::Module(check),
};

fn check(ctx: &Context, module: &Module) -> Vec<Finding> {
    if deployed_by_device(module) {
        return Vec::new();
    }
    // The fix writes into the module's `env`: it must be absent or an object.
    let env_section = ctx.manifest.get(&module.at.child("env"));
    if env_section.is_some_and(|e| !matches!(e, Value::Object(_) | Value::Null)) {
        return Vec::new();
    }
    let vars = ctx.env(module);
    let mut out = Vec::new();
    for var in vars.iter().filter(|v| matches!(v.place, Place::Create { .. })) {
        let (name, Some(value)) = (var.name, var.value.as_deref()) else { continue };
        if !value.contains('=') || name.eq_ignore_ascii_case("WIRESERVER_ADDRESS") || env_names::is_templated(name) {
            continue;
        }
        let new_name = env_names::sanitise(name);
        if !env_names::is_valid(&new_name) {
            continue;
        }
        let message = format!("`Env` entry `{name}` has `=` in its value `{value}`");
        let in_section = |n: &str| vars.iter().any(|v| matches!(v.place, Place::Section) && v.name == n);
        if let Some(existing) = [name, new_name.as_str()].into_iter().find(|n| in_section(n)) {
            out.push(Finding::new(
                &RULE,
                Some(module),
                var.at.clone(),
                format!("{message}; the module's env section sets `{existing}` too, and wins: remove one by hand"),
            ));
            continue;
        }
        let renamed = if new_name != name { format!(" as `{new_name}`") } else { String::new() };
        out.push(Finding::new(&RULE, Some(module), var.at.clone(), message).suggest(Suggestion::new(
            format!("move `{name}` to the module's env section{renamed}"),
            vec![
                Edit::Set { at: env::section_at(module, &new_name), value: json!({"value": value}) },
                Edit::Remove { at: var.at.clone() },
            ],
        )));
    }
    out
}
