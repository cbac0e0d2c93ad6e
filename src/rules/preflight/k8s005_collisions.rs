//! K8S005: Module names collide once the agent sanitises them.
//!
//! Checked by the pre-flight (`crate::k8s::preflight`) on the objects the agent would create.

use crate::rules::{Check, FixAvailability, K8S, Rule, RuleDoc, Section, Severity};

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "K8S005",
        section: Section::Other,
        severity: Severity::Error,
        fix: FixAvailability::Never,
        targets: K8S,
        title: "Module names collide once the agent sanitises them",
        detects: "Modules whose names are the same once lower-cased and stripped of characters other than letters, digits, `-` and `.` (`camera_1` and `camera1`, `Filter` and `filter`). This is OTH002's fact: not reported again when OTH002 reports the module.",
        why: "The agent's planner checks this before it does anything: `Deployment will cause a name collision in Kubernetes namespace`, and it applies none of the deployment.",
        before: r#"{"modules": {"camera_1": {}, "camera1": {}}}"#,
        after: r#"{"modules": {"camera-1": {}, "camera1": {}}}"#,
        fix_safety: "Nothing to accept here: rename one of the modules (OTH002 proposes a name and rewrites routes).",
    },
    check: Check::Preflight,
};
