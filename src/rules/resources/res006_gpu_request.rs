//! RES006: an `nvidia.com/gpu` request Kubernetes rejects.

use super::quantity::parse_cpu;
use crate::manifest::Module;
use crate::manifest::placeholder::contains_placeholder;
use crate::rules::shared::k8s::{self, GPU, MAX_GPUS};
use crate::rules::shared::keys::shown;
use crate::rules::{Check, Context, Edit, Finding, FixAvailability, K8S, Rule, RuleDoc, Section, Severity, Suggestion};
use serde_json::Value;

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "RES006",
        section: Section::Resources,
        severity: Severity::Error,
        fix: FixAvailability::Sometimes,
        targets: K8S,
        title: "`nvidia.com/gpu` request that differs from the limit, has no limit, or is not a whole number",
        detects: "In `k8s-experimental.resources`: an `nvidia.com/gpu` request different from the limit, a request without a limit, or a GPU count that is not a whole number (`1.5`, `\"500m\"`, `-1`).",
        why: "GPUs are extended resources: Kubernetes cannot overcommit them, so it rejects a pod whose GPU request differs from its limit, that requests GPUs without a limit, or that asks for a fraction of a GPU. The agent passes `resources` to the pod as written, so the module never starts. A limit alone is enough: the request then equals it.",
        before: r#"{"k8s-experimental": {"resources": {"limits": {"nvidia.com/gpu": 2}, "requests": {"nvidia.com/gpu": 1}}}}"#,
        after: r#"{"k8s-experimental": {"resources": {"limits": {"nvidia.com/gpu": 2}}}}"#,
        fix_safety: "Safe: the limit is what the pod gets. A request without a limit becomes the limit. A count that is not a whole number is an input: confirm the proposed count (rounded up, between 1 and the device's 2). Placeholders are left alone.",
    },
    check: Check::Module(check),
};

/// A GPU count as Kubernetes reads it.
enum Count {
    Whole(i128),
    /// Not a whole number of GPUs, as written.
    Bad(String),
}

fn count(v: &Value) -> Count {
    match k8s::count(v) {
        Some(n) if n >= 0 => Count::Whole(n),
        _ => Count::Bad(shown(v)),
    }
}

/// The whole count closest above a bad one, between 1 and the device's GPUs.
fn proposed(bad: &str) -> u64 {
    let milli = parse_cpu(bad).unwrap_or(1000);
    u64::try_from(milli.div_ceil(1000)).unwrap_or(MAX_GPUS).clamp(1, MAX_GPUS)
}

fn check(_ctx: &Context, module: &Module) -> Vec<Finding> {
    let limit = k8s::resource(module, "limits", GPU);
    let request = k8s::resource(module, "requests", GPU);
    let templated = |v: Option<&Value>| v.and_then(Value::as_str).is_some_and(contains_placeholder);
    if (limit.is_none() && request.is_none()) || templated(limit) || templated(request) {
        return Vec::new();
    }
    // The limit is written (its parent must take it); the request, when there is one, removed.
    let limit_path = k8s::resource_rel(module, "limits", GPU).map(|p| module.co_path(&p));
    let request_path = k8s::rel(module, &["resources", "requests"]).map(|p| module.create_options_at(p.child(GPU)));
    let (Some(limit_path), Some(request_path)) = (limit_path, request_path) else { return Vec::new() };
    let remove_request = request.map(|_| Edit::Remove { at: request_path.clone() });
    let finding =
        |path: &crate::manifest::Location, message: String| Finding::new(&RULE, Some(module), path.clone(), message);

    match (limit.map(count), request.map(count)) {
        (Some(Count::Bad(bad)), _) => {
            let n = proposed(&bad);
            let edits =
                std::iter::once(Edit::Set { at: limit_path.clone(), value: n.into() }).chain(remove_request).collect();
            let message = format!(
                "GPU limit `{GPU}: {bad}` is not a whole number of GPUs (0 or more): Kubernetes rejects the pod"
            );
            let summary = format!(
                "limit the module to {n} GPU(s){}",
                if request.is_some() { " and drop the request" } else { "" }
            );
            vec![finding(&limit_path, message).suggest_review(Suggestion::new(summary, edits).with_input(
                "GPU count",
                0,
                "",
                Some(n.into()),
            ))]
        }
        (None, Some(Count::Whole(n))) => {
            let edits =
                vec![Edit::Set { at: limit_path, value: Value::from(n) }, Edit::Remove { at: request_path.clone() }];
            let message = format!("GPU request `{GPU}: {n}` without a limit: Kubernetes rejects the pod");
            vec![
                finding(&request_path, message)
                    .suggest(Suggestion::new(format!("make it a limit of {n} GPU(s)"), edits)),
            ]
        }
        (None, Some(Count::Bad(bad))) => {
            let n = proposed(&bad);
            let edits = vec![Edit::Set { at: limit_path, value: n.into() }, Edit::Remove { at: request_path.clone() }];
            let message = format!(
                "GPU request `{GPU}: {bad}` without a limit and not a whole number: Kubernetes rejects the pod"
            );
            vec![finding(&request_path, message).suggest_review(
                Suggestion::new(format!("make it a limit of {n} GPU(s)"), edits).with_input(
                    "GPU count",
                    0,
                    "",
                    Some(n.into()),
                ),
            )]
        }
        (Some(Count::Whole(l)), Some(r)) => {
            let r = match r {
                Count::Whole(r) if r == l => return Vec::new(),
                Count::Whole(r) => r.to_string(),
                Count::Bad(bad) => bad,
            };
            let message = format!("GPU request `{GPU}: {r}` differs from the limit {l}: Kubernetes rejects the pod");
            let summary = format!("drop the request: the limit of {l} GPU(s) is used as the request");
            vec![
                finding(&request_path, message)
                    .suggest(Suggestion::new(summary, vec![Edit::Remove { at: request_path.clone() }])),
            ]
        }
        _ => Vec::new(),
    }
}
