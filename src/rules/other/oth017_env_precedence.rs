//! OTH017 (TRAPS NEW-18): one variable in the module's `env` and in `createOptions.Env` with
//! different values: the two agents keep different ones.

use super::env_names;
use super::{deployed_by_device, listed};
use crate::manifest::Module;
use crate::manifest::placeholder::placeholders;
use crate::rules::shared::env::Place;
use crate::rules::{Check, Context, Edit, Finding, FixAvailability, K8S, Rule, RuleDoc, Section, Severity, Suggestion};

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "OTH017",
        section: Section::Other,
        severity: Severity::Warning,
        fix: FixAvailability::Always,
        targets: K8S,
        title: "Variable set in both env and createOptions.Env: the Kubernetes agent keeps the other value",
        detects: "A variable set both in the module's `env` section and in `createOptions.Env` (same name, case-sensitively as both agents compare names; a `:` counts as the `__` OTH004 writes for it) with different values. Entries without `=`, names no fix makes valid and edgeAgent (the device deploys it) are left out. (TRAPS.md NEW-18.)",
        why: "The Docker agent removes from `createOptions.Env` every variable the module's `env` also sets, then adds the `env` ones (`CreateCommand.InjectEnvVars`): the `env` value wins. The Kubernetes agent lists the `env` variables first and appends `createOptions.Env` after them (`KubernetesDeploymentMapper.CollectModuleEnv`), and Kubernetes keeps the last of two variables with one name: the `createOptions.Env` value wins. The module gets the other value on the GPU device. This comes from the agents' code; no user report was found.",
        before: r#"{"env": {"LOG_LEVEL": {"value": "info"}}, "createOptions": {"Env": ["LOG_LEVEL=debug", "PORT=80"]}}"#,
        after: r#"{"env": {"LOG_LEVEL": {"value": "info"}}, "createOptions": {"Env": ["PORT=80"]}}"#,
        fix_safety: "Safe: removing the `createOptions.Env` entry leaves the value the module had on the FPGA device (the `env` one). If it holds a placeholder, the removal takes it out of the template, so that one needs review.",
    },
    check: Check::Module(check),
};

fn check(ctx: &Context, module: &Module) -> Vec<Finding> {
    if deployed_by_device(module) {
        return Vec::new();
    }
    let vars = ctx.env(module);
    let mut out = Vec::new();
    for create in vars.iter().filter(|v| matches!(v.place, Place::Create { .. })) {
        let Some(value) = create.value.as_deref() else { continue };
        let Some(key) = name_key(create.name) else { continue };
        let Some(section) =
            vars.iter().find(|v| v.place == Place::Section && name_key(v.name).as_deref() == Some(key.as_str()))
        else {
            continue;
        };
        let kept = section.value.as_deref().unwrap_or_default();
        if kept == value {
            continue;
        }
        let name = create.name;
        let message = format!(
            "`{name}` is `{kept}` in the module's `env` and `{value}` in `createOptions.Env`: the Docker agent used `{kept}`, the Kubernetes agent uses `{value}`"
        );
        let held = placeholders(value);
        let summary = format!("remove `{name}={value}` from `createOptions.Env`, keeping `{name}={kept}`");
        let removal = Suggestion::new(summary, vec![Edit::Remove { at: create.at.clone() }]);
        let finding = Finding::new(&RULE, Some(module), create.at.clone(), message);
        out.push(if held.is_empty() {
            finding.suggest(removal)
        } else {
            let list = listed(&held.iter().map(|p| format!("`{p}`")).collect::<Vec<_>>());
            Finding {
                message: format!(
                    "{}; the entry holds the placeholder {list}, which removing it takes out of the template",
                    finding.message
                ),
                ..finding
            }
            .suggest_review(removal)
        });
    }
    out
}

/// The name a variable has on Kubernetes, once OTH004 has written each `:` as `__` (so that this
/// rule sees the same pair before and after that fix); `None` for a name no fix makes valid.
fn name_key(name: &str) -> Option<String> {
    match env_names::problem(name) {
        None => Some(name.to_owned()),
        Some(env_names::Problem::Colon) => Some(env_names::sanitise(name)),
        Some(env_names::Problem::Invalid(_)) => None,
    }
}
