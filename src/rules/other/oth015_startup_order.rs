//! OTH015 (TRAPS NEW-16): `startupOrder`, which the Kubernetes agent ignores.

use super::{deployed_by_device, listed};
use crate::manifest::Module;
use crate::manifest::model::Amount;
use crate::rules::{Check, Context, Finding, FixAvailability, K8S, Rule, RuleDoc, Section, Severity};

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "OTH015",
        section: Section::Other,
        severity: Severity::Info,
        fix: FixAvailability::Never,
        targets: K8S,
        title: "startupOrder is ignored: all modules start together",
        detects: "A module whose `startupOrder` made the Docker agent start it after other modules (another module has a lower `startupOrder`), and a `startupOrder` given as a placeholder (reported as filled in at deploy time). The module started first, and modules without a `startupOrder`, are not reported; nor is edgeAgent (the device deploys it). (TRAPS.md NEW-16.)",
        why: "The Kubernetes agent gives every module the default startup order (`KubernetesModule` sets `StartupOrder = DefaultStartupOrder`) and deploys them all at once, as one EdgeDeployment: a module that relied on starting after edgeHub, a broker or a database starts at the same time as them. This comes from the agent's code; no user report was found.",
        before: r#"{"modules": {"broker": {"startupOrder": 1}, "pipeline": {"startupOrder": 2}}}"#,
        after: "the same: nothing to change in the manifest",
        fix_safety: "Nothing to change: make sure the module retries its connections (to edgeHub and to the modules it needs) until they are up, as modules on Kubernetes must. Keeping the setting does no harm.",
    },
    check: Check::Manifest(check),
};

fn check(ctx: &Context) -> Vec<Finding> {
    let ordered: Vec<(&Module, Amount)> = ctx
        .manifest
        .modules
        .iter()
        .filter(|m| !deployed_by_device(m))
        .filter_map(|m| Some((m, m.settings.startup_order.as_ref()?.amount())))
        .collect();
    let mut out = Vec::new();
    for (module, order) in &ordered {
        let at = module.document_at(["startupOrder"]);
        match order {
            Amount::Placeholder(p) => out.push(Finding::new(
                &RULE,
                Some(module),
                at,
                format!(
                    "`startupOrder` is the placeholder `{p}`, filled in at deploy time: whatever it becomes, the GPU device starts all modules together"
                ),
            )),
            Amount::Int(n) => {
                let mut before: Vec<(i128, &str)> = ordered
                    .iter()
                    .filter_map(|(m, o)| match o {
                        Amount::Int(k) if k < n => Some((*k, m.name.as_str())),
                        _ => None,
                    })
                    .collect();
                if before.is_empty() {
                    continue;
                }
                before.sort();
                let list: Vec<String> = before.iter().map(|(k, name)| format!("`{name}` ({k})")).collect();
                out.push(Finding::new(
                    &RULE,
                    Some(module),
                    at,
                    format!(
                        "`startupOrder` {n} is ignored on the GPU device: on Docker this module started after {}; on Kubernetes all modules start together, so it must retry until they are up",
                        listed(&list)
                    ),
                ));
            }
            Amount::Unset | Amount::Invalid(_) => {}
        }
    }
    out
}
