//! K8S006: A module port is the proxy side-car's.
//!
//! Checked by the pre-flight (`crate::k8s::preflight`) on the objects the agent would create.

use crate::rules::{Check, FixAvailability, K8S, Rule, RuleDoc, Section, Severity};

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "K8S006",
        section: Section::Proxy,
        severity: Severity::Error,
        fix: FixAvailability::Never,
        targets: K8S,
        title: "A module port is the proxy side-car's",
        detects: "A container port, a Service target port, or (with host networking) a Service port of 35000 or 35001. This is PRX003's fact: not reported again when PRX003 reports the module.",
        why: "Every pod the agent makes has the IoT Edge proxy side-car listening on localhost:35000 and localhost:35001; containers of a pod share its network namespace, so the module cannot listen there (or the side-car cannot start), and the module loses the workload API.",
        before: r#"{"ExposedPorts": {"35000/tcp": {}}}"#,
        after: r#"{"ExposedPorts": {"35010/tcp": {}}}"#,
        fix_safety: "Nothing to accept here: move the module to another port (PRX003 proposes one).",
    },
    check: Check::Preflight,
};
