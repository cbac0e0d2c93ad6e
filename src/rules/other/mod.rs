//! Other differences between the Docker and the Kubernetes agent (OTH…): update strategy, names,
//! entrypoints, environment, ignored and unknown settings, schema version, restart and pull policy.

mod env_names;
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
