//! NET009: service options the agent cannot read: an unknown `type`, or `service-options` with a dash.

use crate::manifest::Module;
use crate::manifest::model;
use crate::rules::shared::k8s::{self, canonical_type};
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
    let Some(section) = k8s::agent(module) else { return Vec::new() };
    let misspelled = section.unknown.iter().find(|f| k8s::is_misspelled_service_options(&f.key));
    let (options, misspelled) = match (&section.service_options, misspelled) {
        // Both spellings: the agent reads `serviceOptions` and ignores the other.
        (Some(good), Some(bad)) => {
            return vec![Finding::new(
                &RULE,
                Some(module),
                module.create_options_at(bad.at.clone()),
                format!(
                    "`{}` sits beside `{}`: the agent ignores `{}`; merge what it says into `{}` by hand",
                    bad.key, good.key, bad.key, good.key
                ),
            )];
        }
        (Some(good), None) => (good, false),
        (None, Some(bad)) => (bad, true),
        (None, None) => return Vec::new(),
    };
    let key = &options.key;
    if !options.value.is_object() {
        return vec![Finding::new(
            &RULE,
            Some(module),
            module.create_options_at(options.at.clone()),
            format!("service options `{key}` are {}, not an object with `type`: the agent ignores them", options.value),
        )];
    }
    // Where the options are once renamed.
    let renamed = section.at.child("serviceOptions");
    let mut edits = Vec::new();
    let mut said = Vec::new();
    let mut at = options.at.clone();
    if misspelled {
        said.push(format!("service options under `{key}` are ignored (the agent reads `serviceOptions`)"));
        edits.push(Edit::RenameKey { at: module.create_options_at(options.at.clone()), to: "serviceOptions".into() });
    }
    if let Some((value, type_at)) = model::lookup(&options.value, &options.at, &["type"])
        && value.as_str().and_then(canonical_type).is_none()
    {
        let type_key = type_at.last().map(|k| k.into_owned()).unwrap_or_else(|| "type".to_owned());
        let write_at = if misspelled { renamed.child(&type_key) } else { type_at.clone() };
        if !misspelled {
            at = type_at.clone();
        }
        match value.as_str().and_then(near_miss) {
            Some(t) => {
                said.push(format!("Service type {value} is not one the agent knows; it means `{t}`"));
                edits.push(Edit::Set { at: module.create_options_at(write_at), value: Value::String(t.into()) });
            }
            None => {
                said.push(format!(
                    "Service type {value} is not ClusterIP, NodePort or LoadBalancer: the agent ignores it and the default (LoadBalancer) applies"
                ));
                edits.push(Edit::Remove { at: module.create_options_at(write_at) });
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
        Finding::new(&RULE, Some(module), module.create_options_at(at), said.join("; "))
            .suggest(Suggestion::new(summary, edits)),
    ]
}

/// The Service type a misspelling means (`cluster-ip`, `Node Port`, `load_balancer`).
fn near_miss(value: &str) -> Option<&'static str> {
    let squashed: String = value.chars().filter(char::is_ascii_alphanumeric).collect();
    canonical_type(&squashed)
}
