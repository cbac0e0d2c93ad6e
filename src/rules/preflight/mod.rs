//! The pre-flight family (`K8S…`): what Kubernetes would reject or never run, found on the objects
//! the agent would create. The docs live here with every other rule's; the checks are in
//! `crate::k8s::preflight`, above the migration, since they translate the manifest first.

pub mod k8s001_refused;
pub mod k8s002_names;
pub mod k8s003_volumes;
pub mod k8s004_service;
pub mod k8s005_collisions;
pub mod k8s006_proxy_ports;
pub mod k8s007_quantities;
pub mod k8s008_gpus;
pub mod k8s009_external_ips;
pub mod k8s010_missing_claims;
