//! K8S001: The agent would refuse the module.
//!
//! Checked by the pre-flight (`crate::k8s::preflight`) on the objects the agent would create.

use crate::rules::{Check, FixAvailability, K8S, Rule, RuleDoc, Section, Severity};

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "K8S001",
        section: Section::Other,
        severity: Severity::Error,
        fix: FixAvailability::Never,
        targets: K8S,
        title: "The agent would refuse the module",
        detects: "A module the Kubernetes agent cannot translate: createOptions it cannot read into its Docker model (a known setting of the wrong JSON type, such as `Binds` or `Privileged` given as text it cannot convert), `Cmd`/`Entrypoint` that are not lists, a `Mounts` entry without `Type`, `Source` or `Target`, a volume or annotation name it cannot sanitise (empty, too long, no letter or digit), an image it cannot parse, a module type other than `docker`. Not reported again where a manifest rule already reports an error at the same place.",
        why: "The agent throws while it builds the module's objects, so the deployment is not applied on the device: the module (and usually the whole deployment) never starts, and the only trace is the agent's log. The preview shows the module without objects and this reason.",
        before: r#"{"Cmd": "python app.py", "HostConfig": {"Mounts": [{"Type": "volume", "Target": "/data"}]}}"#,
        after: r#"{"Cmd": ["python", "app.py"], "HostConfig": {"Mounts": [{"Type": "volume", "Source": "data", "Target": "/data"}]}}"#,
        fix_safety: "Nothing to accept: the message says what the agent could not read; correct it in the module (the rule named at the same place, if any, may offer the change).",
    },
    check: Check::Preflight,
};
