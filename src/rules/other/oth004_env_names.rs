//! OTH004: environment variable names Kubernetes rejects.

use super::deployed_by_device;
use super::env_names::{self, Problem};
use crate::manifest::Module;
use crate::rules::shared::env::{Place, Var};
use crate::rules::{Check, Context, Edit, Finding, FixAvailability, K8S, Rule, RuleDoc, Section, Severity, Suggestion};

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "OTH004",
        section: Section::Other,
        severity: Severity::Error,
        fix: FixAvailability::Sometimes,
        targets: K8S,
        title: "Environment variable name with `:` or other characters Kubernetes rejects",
        detects: "A name in the module's `env` section or in a createOptions `Env` entry `NAME=value` (the part before the first `=`) that does not match `[-._a-zA-Z][-._a-zA-Z0-9]*`: a `:` (fixable), any other character, or a leading digit. An `Env` entry without `=` is left out (the agent drops it before Kubernetes sees it), as are names holding a template placeholder and edgeAgent, which the device deploys itself.",
        why: "Kubernetes validates container environment variable names and rejects the whole pod when one is invalid, so the module never starts. .NET configuration reads `__` in a variable name as the `:` section separator, so `Logging__LogLevel` means what `Logging:LogLevel` meant.",
        before: r#"{"env": {"Logging:LogLevel": {"value": "Debug"}}, "createOptions": {"Env": ["Serilog:MinimumLevel=Information"]}}"#,
        after: r#"{"env": {"Logging__LogLevel": {"value": "Debug"}}, "createOptions": {"Env": ["Serilog__MinimumLevel=Information"]}}"#,
        fix_safety: "Safe for .NET modules, which read `__` as `:`. A module in another language must read the new name; check its code. Names with other invalid characters must be renamed by hand, in the module's code too.",
    },
    check: Check::Module(check),
};

fn check(ctx: &Context, module: &Module) -> Vec<Finding> {
    if deployed_by_device(module) {
        return Vec::new();
    }
    let vars = ctx.env(module);
    let mut out = Vec::new();
    for var in vars {
        // An `Env` entry without `=` never reaches Kubernetes: the agent drops it.
        if env_names::is_templated(var.name) || (matches!(var.place, Place::Create { .. }) && var.value.is_none()) {
            continue;
        }
        match env_names::problem(var.name) {
            None => {}
            Some(Problem::Colon) => out.push(colon(module, vars, var)),
            Some(Problem::Invalid(why)) => out.push(Finding::new(
                &RULE,
                Some(module),
                var.at.clone(),
                format!(
                    "{} name `{}` {why}: Kubernetes accepts letters, digits, `_`, `-` and `.`, not starting with a digit; rename it in the manifest and in the module's code",
                    what(var),
                    var.name
                ),
            )),
        }
    }
    out
}

fn what(var: &Var<'_>) -> &'static str {
    match var.place {
        Place::Section => "env",
        Place::Create { .. } => "`Env`",
    }
}

/// A name whose only fault is `:`: renamed with `__`, unless that name is set too in the same place.
fn colon(module: &Module, vars: &[Var<'_>], var: &Var<'_>) -> Finding {
    let fixed = env_names::sanitise(var.name);
    let message = format!("{} name `{}` has `:`, which Kubernetes rejects in a variable name", what(var), var.name);
    if vars.iter().any(|v| v.name == fixed) {
        return Finding::new(&RULE, Some(module), var.at.clone(), format!("{message}; `{fixed}` is set too: keep one"));
    }
    let edit = match var.place {
        Place::Section => Edit::RenameKey { at: var.at.clone(), to: fixed.clone() },
        Place::Create { .. } => Edit::Set {
            at: var.at.clone(),
            value: format!("{fixed}={}", var.value.as_deref().unwrap_or_default()).into(),
        },
    };
    Finding::new(&RULE, Some(module), var.at.clone(), message)
        .suggest(Suggestion::new(format!("rename `{}` to `{fixed}`", var.name), vec![edit]))
}
