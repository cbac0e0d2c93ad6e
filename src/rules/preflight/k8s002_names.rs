//! K8S002: A Kubernetes object gets a name the API server refuses.
//!
//! Checked by the pre-flight (`crate::k8s::preflight`) on the objects the agent would create.

use crate::rules::{Check, FixAvailability, K8S, Rule, RuleDoc, Section, Severity};

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "K8S002",
        section: Section::Other,
        severity: Severity::Error,
        fix: FixAvailability::Never,
        targets: K8S,
        title: "A Kubernetes object gets a name the API server refuses",
        detects: "Names of the predicted objects that are not valid for their kind: a Deployment, ServiceAccount or PersistentVolumeClaim not a DNS-1123 subdomain, a Service not an RFC 1035 label (it must start with a letter), a container, volume or Service port not a DNS-1123 label, a label value (the module label) over 63 characters or not starting and ending with a letter or digit. Names that come from the module name are OTH002's: not reported again when OTH002 reports the module.",
        why: "The agent sanitises names only partly (it lower-cases and drops characters, but keeps dots, leading dashes and digits, and `k8s-experimental.volumes` names as written), so the API server rejects the object and the module never runs. A volume name such as `ModuleA` in `k8s-experimental.volumes` is the usual case.",
        before: r#"{"k8s-experimental": {"volumes": [{"volume": {"name": "ModuleConfig", "configMap": {"name": "cfg"}}, "volumeMounts": [{"name": "ModuleConfig", "mountPath": "/etc/cfg"}]}]}}"#,
        after: r#"{"k8s-experimental": {"volumes": [{"volume": {"name": "module-config", "configMap": {"name": "cfg"}}, "volumeMounts": [{"name": "module-config", "mountPath": "/etc/cfg"}]}]}}"#,
        fix_safety: "Nothing to accept: rename the volume (and every mount of it) or the module (OTH002 proposes a module name).",
    },
    check: Check::Preflight,
};
