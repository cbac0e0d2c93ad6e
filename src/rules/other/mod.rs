//! Other differences between the Docker and the Kubernetes agent (OTH…): update strategy, names,
//! entrypoints, environment, ignored and unknown settings, schema version, restart and pull policy.

use crate::manifest::Module;
use crate::manifest::model::Shadowed;
use crate::rules::{Edit, Finding, Rule, Severity, Suggestion};

mod env_names;
mod image;
pub(super) mod oth001_update_strategy;
pub(super) mod oth002_module_names;
pub(super) mod oth003_entrypoint;
pub(super) mod oth004_env_names;
pub(super) mod oth005_env_values;
pub(super) mod oth006_ignored_keys;
pub(super) mod oth007_experimental_keys;
pub(super) mod oth008_schema_version;
pub(super) mod oth009_backoff_advice;
pub(super) mod oth010_restart_pull_policy;
pub(super) mod oth011_unknown_keys;
pub(super) mod oth012_trigger_topics;
pub(super) mod oth013_registry_addresses;
pub(super) mod oth014_node_selector;
pub(super) mod oth015_startup_order;
pub(super) mod oth016_hostname;
pub(super) mod oth017_env_precedence;
pub(super) mod oth018_user_and_capabilities;
pub(super) mod oth019_edge_hub_version;
pub(super) mod oth020_metrics_endpoints;
pub(super) mod oth101_experimental_section;
pub(super) mod oth102_schema_version;
pub(super) mod oth103_restart_policy;
pub(super) mod oth104_system_images;
pub(super) mod oth105_env_precedence;
pub(super) mod oth106_gateway;
pub(super) mod oth107_new_identity;
pub(super) mod oth108_vm_preflight;

/// `edgeAgent`: the GPU device deploys its own agent and never redeploys it from the manifest
/// (the agent compares only the image of its own Deployment, and pins that too), so nothing in the
/// manifest's `edgeAgent` settings reaches the device: no advice about them can be acted on.
fn deployed_by_device(module: &Module) -> bool {
    module.system && module.name.eq_ignore_ascii_case("edgeAgent")
}

/// A key written twice in different cases (`Env` then `ENV`): `readers` read only the later one,
/// so the earlier is removed. `shown` names the key in the message (`HostConfig.binds`).
fn shadowed_spelling(
    rule: &'static Rule,
    module: &Module,
    s: &Shadowed,
    shown: &str,
    readers: &str,
    severity: Severity,
) -> Finding {
    let at = module.create_options_at(s.at.clone());
    Finding::new(
        rule,
        Some(module),
        at.clone(),
        format!("`{shown}` is set next to `{}`, which {readers} instead (the later spelling wins)", s.by),
    )
    .severity(severity)
    .suggest(Suggestion::new(format!("remove `{}`", s.key), vec![Edit::Remove { at }]))
}

/// `a`, `a and b`, `a, b and c`: lists in messages.
fn listed(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [head @ .., last] => format!("{} and {last}", head.join(", ")),
    }
}
