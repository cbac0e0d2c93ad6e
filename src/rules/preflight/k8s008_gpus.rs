//! K8S008: The pods ask for more GPUs than the device has.
//!
//! Checked by the pre-flight (`crate::k8s::preflight`) on the objects the agent would create.

use crate::rules::{Check, FixAvailability, K8S, Rule, RuleDoc, Section, Severity};

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "K8S008",
        section: Section::Resources,
        severity: Severity::Error,
        fix: FixAvailability::Never,
        targets: K8S,
        title: "The pods ask for more GPUs than the device has",
        detects: "The `nvidia.com/gpu` of every running pod (replicas 1; a stopped module's Deployment has none) added up, above the device profile's GPU count (default 1). RES010 owns the same fact on the manifest: not reported again when RES010 reports.",
        why: "A GPU belongs to one container at a time: the pods that find none stay Pending, and with the default rolling update a new version of a GPU module waits for its old pod's GPU.",
        before: r#"{"modules": {"a": {"k8s-experimental": {"resources": {"limits": {"nvidia.com/gpu": 1}}}}, "b": {"k8s-experimental": {"resources": {"limits": {"nvidia.com/gpu": 1}}}}}}"#,
        after: r#"{"modules": {"a": {"k8s-experimental": {"resources": {"limits": {"nvidia.com/gpu": 1}}}}, "b": {}}}"#,
        fix_safety: "Nothing to accept: lower the counts, stop a module, or declare the GPUs the device really has (`--gpus`).",
    },
    check: Check::Preflight,
};
