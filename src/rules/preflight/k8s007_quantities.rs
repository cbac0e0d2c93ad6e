//! K8S007: A resource quantity is refused.
//!
//! Checked by the pre-flight (`crate::k8s::preflight`) on the objects the agent would create.

use crate::rules::{Check, FixAvailability, K8S, Rule, RuleDoc, Section, Severity};

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "K8S007",
        section: Section::Resources,
        severity: Severity::Error,
        fix: FixAvailability::Never,
        targets: K8S,
        title: "A resource quantity is refused",
        detects: "In the predicted objects: a quantity that is not a Kubernetes quantity (`\"memory\": \"lots\"`, `\"1 Gi\"`), a negative one, a request above its limit, an extended resource (`nvidia.com/gpu`) that is not a whole number, requested without a limit or with a request different from the limit, a resource name Kubernetes does not know for containers (`gpu`), and a PersistentVolumeClaim asking for no storage (`0Mi`: the agent writes that when it has a storage class but no default size). Not reported again where a manifest rule already reports an error at the same place.",
        why: "The API server validates resources when it receives the Deployment or the claim: the object is rejected and the module never runs (or its volume never binds).",
        before: r#"{"k8s-experimental": {"resources": {"limits": {"memory": "lots", "nvidia.com/gpu": 0.5}}}}"#,
        after: r#"{"k8s-experimental": {"resources": {"limits": {"memory": "512Mi", "nvidia.com/gpu": 1}}}}"#,
        fix_safety: "Nothing to accept: write a valid quantity (`512Mi`, `500m`, whole GPUs); give the PVC size in the device profile (`--pvc-size-mb`).",
    },
    check: Check::Preflight,
};
