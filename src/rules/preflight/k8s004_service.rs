//! K8S004: The module's Service or container ports are refused.
//!
//! Checked by the pre-flight (`crate::k8s::preflight`) on the objects the agent would create.

use crate::rules::{Check, FixAvailability, K8S, Rule, RuleDoc, Section, Severity};

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "K8S004",
        section: Section::Network,
        severity: Severity::Error,
        fix: FixAvailability::Never,
        targets: K8S,
        title: "The module's Service or container ports are refused",
        detects: "In a predicted Service or container: two Service ports with one name (one container port bound to two host ports gives two `hostport-<port>-<proto>` ports), a port number outside 1–65535 (the agent reads any 32-bit number: `0`, `70000`, `-1`), a Service type the agent turned into a number (`serviceOptions.type` `\"3\"` or `\"LoadBalancer,NodePort\"`), or a `loadBalancerIP` on a Service that is not a LoadBalancer or that is not an IP address. Duplicate names from two host ports are NET004's: not reported again when NET004 reports the module.",
        why: "The API server validates every Service and pod: one bad port or type rejects the whole object, and the module is unreachable (no Service) or does not run (no pod).",
        before: r#"{"HostConfig": {"PortBindings": {"80/tcp": [{"HostPort": "8080"}, {"HostPort": "8081"}]}}}"#,
        after: r#"{"HostConfig": {"PortBindings": {"80/tcp": [{"HostPort": "8080"}]}}}"#,
        fix_safety: "Nothing to accept: keep one host port per container port, use ports 1–65535, and a Service type by name.",
    },
    check: Check::Preflight,
};
