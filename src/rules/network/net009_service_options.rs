//! NET009: service options the agent cannot read: an unknown `type`, or `service-options` with a dash.

use crate::manifest::Module;
use crate::manifest::pointer;
use crate::rules::shared::k8s::{self, canonical_type, service_options, service_type};
use crate::rules::{Check, Context, Edit, Finding, FixAvailability, K8S, Rule, RuleDoc, Section, Severity, Suggestion};
use serde_json::Value;

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "NET009",
        section: Section::Network,
        severity: Severity::Error,
        fix: FixAvailability::Sometimes,
        targets: K8S,
        title: "Service options the agent ignores",
        detects: "`k8s-experimental.serviceOptions.type` that is not ClusterIP, NodePort or LoadBalancer (any case), or the service options under a dashed or underscored key (`service-options`, `service_options`).",
        why: "The Kubernetes agent reads `serviceOptions` (any case) and parses `type` as one of its three Service types; anything else is silently ignored and the default type applies, a LoadBalancer on ASE, which takes an external IP and exposes the module outside the device. A near miss (`Cluster-IP`) is spelled the way the agent reads it; a value it cannot mean is removed, which is what the agent does with it anyway.",
        before: r#"{"k8s-experimental": {"service-options": {"type": "Cluster-IP"}}}"#,
        after: r#"{"k8s-experimental": {"serviceOptions": {"type": "ClusterIP"}}}"#,
        fix_safety: "Safe: the spelling the agent reads, with the meaning that was written. Where a value is removed, the module's Service is a LoadBalancer as before; choose ClusterIP if no outside client needs it (NET007).",
    },
    check: Check::Module(check),
};

fn check(_ctx: &Context, module: &Module) -> Vec<Finding> {
    let Some((key, misspelled, options)) = service_options(module) else {
        return Vec::new();
    };
    let options_rel = pointer::from_tokens("", [k8s::SECTION, key]);
    // Both spellings: `service_options` returned the one the agent reads; the other is ignored.
    if let Some(other) = k8s::section(module).and_then(|s| s.keys().find(|k| k8s::is_misspelled_service_options(k)))
        && !misspelled
    {
        return vec![Finding::new(
            &RULE,
            Some(module),
            module.co_path(pointer::from_tokens("", [k8s::SECTION, other])),
            format!(
                "`{other}` sits beside `{key}`: the agent ignores `{other}`; merge what it says into `{key}` by hand"
            ),
        )];
    }
    if !options.is_object() {
        return vec![Finding::new(
            &RULE,
            Some(module),
            module.co_path(&options_rel),
            format!("service options `{key}` are {options}, not an object with `type`: the agent ignores them"),
        )];
    }
    let good_rel = pointer::from_tokens("", [k8s::SECTION, "serviceOptions"]);
    let mut edits = Vec::new();
    let mut said = Vec::new();
    let mut path = options_rel.clone();
    let mut rel = options_rel.as_str();
    if misspelled {
        said.push(format!("service options under `{key}` are ignored (the agent reads `serviceOptions`)"));
        edits.push(Edit::RenameKey { at: module.co_path(&options_rel), to: "serviceOptions".into() });
        rel = good_rel.as_str();
    }
    if let Some((type_key, value)) = service_type(module)
        && value.as_str().and_then(canonical_type).is_none()
    {
        let type_rel = pointer::join(rel, type_key);
        if !misspelled {
            path = pointer::join(&options_rel, type_key);
        }
        match value.as_str().and_then(near_miss) {
            Some(t) => {
                said.push(format!("Service type {value} is not one the agent knows; it means `{t}`"));
                edits.push(Edit::Set { at: module.co_path(&type_rel), value: Value::String(t.into()) });
            }
            None => {
                said.push(format!(
                    "Service type {value} is not ClusterIP, NodePort or LoadBalancer: the agent ignores it and the default (LoadBalancer) applies"
                ));
                edits.push(Edit::Remove { at: module.co_path(&type_rel) });
            }
        }
    }
    if edits.is_empty() {
        return Vec::new();
    }
    let summary = edits
        .iter()
        .map(|e| match e {
            Edit::RenameKey { .. } => format!("rename `{key}` to `serviceOptions`"),
            Edit::Set { value, .. } => format!("set the type to {value}"),
            _ => "remove the type (LoadBalancer applies)".to_owned(),
        })
        .collect::<Vec<_>>()
        .join(", ");
    vec![
        Finding::new(&RULE, Some(module), module.co_path(&path), said.join("; "))
            .suggest(Suggestion::new(summary, edits)),
    ]
}

/// The Service type a misspelling means (`cluster-ip`, `Node Port`, `load_balancer`).
fn near_miss(value: &str) -> Option<&'static str> {
    let squashed: String = value.chars().filter(char::is_ascii_alphanumeric).collect();
    canonical_type(&squashed)
}
