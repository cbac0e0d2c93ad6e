//! OTH004: environment variable names Kubernetes rejects.

use super::env_names::{self, Problem};
use crate::manifest::{Location, Module};
use crate::rules::{Check, Context, Edit, Finding, FixAvailability, K8S, Rule, RuleDoc, Section, Severity, Suggestion};

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "OTH004",
        section: Section::Other,
        severity: Severity::Error,
        fix: FixAvailability::Sometimes,
        targets: K8S,
        title: "Environment variable name with `:` or other characters Kubernetes rejects",
        detects: "A name in the module's `env` section or in a createOptions `Env` entry (the part before the first `=`) that does not match `[-._a-zA-Z][-._a-zA-Z0-9]*`: a `:` (fixable), any other character, or a leading digit. Names holding a template placeholder are left alone.",
        why: "Kubernetes validates container environment variable names and rejects the whole pod when one is invalid, so the module never starts. .NET configuration reads `__` in a variable name as the `:` section separator, so `Logging__LogLevel` means what `Logging:LogLevel` meant.",
        before: r#"{"env": {"Logging:LogLevel": {"value": "Debug"}}, "createOptions": {"Env": ["Serilog:MinimumLevel=Information"]}}"#,
        after: r#"{"env": {"Logging__LogLevel": {"value": "Debug"}}, "createOptions": {"Env": ["Serilog__MinimumLevel=Information"]}}"#,
        fix_safety: "Safe for .NET modules, which read `__` as `:`. A module in another language must read the new name; check its code. Names with other invalid characters must be renamed by hand, in the module's code too.",
    },
    check: Check::Module(check),
};

fn check(_ctx: &Context, module: &Module) -> Vec<Finding> {
    let mut out = Vec::new();
    {
        let env = &module.env;
        for var in env.iter().filter(|v| !env_names::is_templated(&v.name)) {
            let name = &var.name;
            let path = Location::Document(var.at.clone());
            match env_names::problem(name) {
                None => {}
                Some(Problem::Colon) => {
                    let fixed = env_names::sanitise(name);
                    let message = format!("env name `{name}` has `:`, which Kubernetes rejects in a variable name");
                    out.push(if env.iter().any(|v| v.name == fixed) {
                        Finding::new(&RULE, Some(module), path, format!("{message}; `{fixed}` is set too: keep one"))
                    } else {
                        Finding::new(&RULE, Some(module), path.clone(), message).suggest(Suggestion::new(
                            format!("rename `{name}` to `{fixed}`"),
                            vec![Edit::RenameKey { at: path, to: fixed }],
                        ))
                    });
                }
                Some(Problem::Invalid(why)) => out.push(invalid(module, path, name, &why)),
            }
        }
    }
    for (index, entry) in module.create_env() {
        let (name, rest) = entry.split_once('=').map_or((entry, None), |(n, v)| (n, Some(v)));
        if env_names::is_templated(name) {
            continue;
        }
        let path = module.co_path(format!("/Env/{index}"));
        match env_names::problem(name) {
            None => {}
            Some(Problem::Colon) => {
                let fixed = env_names::sanitise(name);
                let entry = rest.map_or(fixed.clone(), |v| format!("{fixed}={v}"));
                out.push(
                    Finding::new(
                        &RULE,
                        Some(module),
                        path.clone(),
                        format!("Env name `{name}` has `:`, which Kubernetes rejects in a variable name"),
                    )
                    .suggest(Suggestion::new(
                        format!("rename `{name}` to `{fixed}`"),
                        vec![Edit::Set { at: path, value: entry.into() }],
                    )),
                );
            }
            Some(Problem::Invalid(why)) => out.push(invalid(module, path, name, &why)),
        }
    }
    out
}

fn invalid(module: &Module, path: Location, name: &str, why: &str) -> Finding {
    Finding::new(
        &RULE,
        Some(module),
        path,
        format!(
            "env name `{name}` {why}: Kubernetes accepts letters, digits, `_`, `-` and `.`, not starting with a digit; rename it in the manifest and in the module's code"
        ),
    )
}
