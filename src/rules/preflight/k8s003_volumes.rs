//! K8S003: Two volumes or two mounts of a pod collide.
//!
//! Checked by the pre-flight (`crate::k8s::preflight`) on the objects the agent would create.

use crate::rules::{Check, FixAvailability, K8S, Rule, RuleDoc, Section, Severity};

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "K8S003",
        section: Section::Storage,
        severity: Severity::Error,
        fix: FixAvailability::Never,
        targets: K8S,
        title: "Two volumes or two mounts of a pod collide",
        detects: "In a predicted pod: two volumes with one name (a `k8s-experimental.volumes` entry and a createOptions bind or mount that sanitise to the same name, or a module volume named like the proxy side-car's), two mounts of the module's container at one path, or a mount naming a volume the pod does not have.",
        why: "The agent keeps `k8s-experimental` volumes as written and adds its own; its own code notes that a name collision makes the API call fail and the deployment stay failed. Kubernetes rejects a pod with duplicate volume names or mount paths.",
        before: r#"{"HostConfig": {"Binds": ["/data:/data"], "Mounts": [{"Type": "bind", "Source": "/srv/data", "Target": "/data"}]}}"#,
        after: r#"{"HostConfig": {"Mounts": [{"Type": "bind", "Source": "/srv/data", "Target": "/data"}]}}"#,
        fix_safety: "Nothing to accept: keep one of the two mounts (usually the share volume) or rename one of the volumes.",
    },
    check: Check::Preflight,
};
