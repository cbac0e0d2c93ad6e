//! Other differences between the Docker and the Kubernetes agent (OTH…): update strategy, names,
//! entrypoints, environment, ignored and unknown settings, schema version, restart and pull policy.

mod env_names;
mod oth001_update_strategy;
mod oth002_module_names;
mod oth003_entrypoint;
mod oth004_env_names;
mod oth005_env_values;
mod oth006_ignored_keys;
mod oth007_experimental_keys;
mod oth008_schema_version;
mod oth009_backoff_advice;
mod oth010_restart_pull_policy;

use crate::rules::Rule;

pub static RULES: &[&Rule] = &[
    &oth001_update_strategy::RULE,
    &oth002_module_names::RULE,
    &oth003_entrypoint::RULE,
    &oth004_env_names::RULE,
    &oth005_env_values::RULE,
    &oth006_ignored_keys::RULE,
    &oth007_experimental_keys::RULE,
    &oth008_schema_version::RULE,
    &oth009_backoff_advice::RULE,
    &oth010_restart_pull_policy::RULE,
];
