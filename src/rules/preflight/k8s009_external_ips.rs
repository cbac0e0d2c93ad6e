//! K8S009: The Services need more external IPs than the device has.
//!
//! Checked by the pre-flight (`crate::k8s::preflight`) on the objects the agent would create.

use crate::rules::{Check, FixAvailability, K8S, Rule, RuleDoc, Section, Severity};

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "K8S009",
        section: Section::Network,
        severity: Severity::Error,
        fix: FixAvailability::Never,
        targets: K8S,
        title: "The Services need more external IPs than the device has",
        detects: "The predicted LoadBalancer Services (edgeHub's, every module's with port bindings and no other `serviceOptions.type`, host-network modules included) outnumber the addresses of the device's Kubernetes external service IP range, when the profile gives it (`--external-ips`). NET007 counts them on the manifest: not reported again when NET007 reports an error or warning for the deployment.",
        why: "Each LoadBalancer Service takes one address from that range; the ones that find none stay `<pending>` and their modules are unreachable from outside the cluster.",
        before: r#"{"modules": {"a": {"HostConfig": {"PortBindings": {"80/tcp": [{"HostPort": "80"}]}}}}}"#,
        after: r#"{"modules": {"a": {"HostConfig": {"PortBindings": {"80/tcp": [{"HostPort": "80"}]}}, "k8s-experimental": {"serviceOptions": {"type": "ClusterIP"}}}}}"#,
        fix_safety: "Nothing to accept: make cluster-only modules ClusterIP (NET007 offers it) or enlarge the device's range.",
    },
    check: Check::Preflight,
};
