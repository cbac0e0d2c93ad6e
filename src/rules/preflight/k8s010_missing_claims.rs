//! K8S010: A pod mounts a PersistentVolumeClaim that will never exist.
//!
//! Checked by the pre-flight (`crate::k8s::preflight`) on the objects the agent would create.

use crate::rules::{Check, FixAvailability, K8S, Rule, RuleDoc, Section, Severity};

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "K8S010",
        section: Section::Storage,
        severity: Severity::Error,
        fix: FixAvailability::Never,
        targets: K8S,
        title: "A pod mounts a PersistentVolumeClaim that will never exist",
        detects: "A pod volume whose claim the agent does not create (it has no storage class) and that is not one of the device's declared shares (`--shares`), or a `k8s-experimental.volumes` claim nobody creates. Reported only when the profile declares the shares; STO009 owns volume mounts naming no declared share and is not repeated.",
        why: "The pod waits for the claim and stays Pending; if the mount was meant for data, nothing is written anywhere until someone creates the claim by hand.",
        before: r#"{"HostConfig": {"Mounts": [{"Type": "volume", "Source": "images", "Target": "/images"}]}}"#,
        after: r#"{"HostConfig": {"Mounts": [{"Type": "volume", "Source": "<a share enabled for Edge compute>", "Target": "/images"}]}}"#,
        fix_safety: "Nothing to accept: mount a share the device has (enabled for Edge compute), declare it with `--shares`, or give the agent a storage class.",
    },
    check: Check::Preflight,
};
