//! RES006: an `nvidia.com/gpu` limit or request Kubernetes rejects, or that the device cannot give.

use super::gpus::{plural, whole};
use crate::manifest::Module;
use crate::manifest::placeholder::contains_placeholder;
use crate::rules::shared::k8s::{self, GPU};
use crate::rules::shared::keys::shown;
use crate::rules::shared::quantity::parse_cpu;
use crate::rules::{Check, Context, Edit, Finding, FixAvailability, K8S, Rule, RuleDoc, Section, Severity, Suggestion};
use serde_json::Value;

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "RES006",
        section: Section::Resources,
        severity: Severity::Error,
        fix: FixAvailability::Always,
        targets: K8S,
        title: "`nvidia.com/gpu` request that differs from the limit, has no limit, is not a whole number or is more than the device has",
        detects: "In `k8s-experimental.resources`: an `nvidia.com/gpu` request different from the limit, a request without a limit, a GPU count that is not a whole number of 0 or more (`1.5`, `\"500m\"`, `-1`), or a count above the device's GPUs (`--gpus`, default 1).",
        why: "GPUs are extended resources: Kubernetes cannot overcommit them, so it rejects a pod whose GPU request differs from its limit, that requests GPUs without a limit, or that asks for a fraction of a GPU. The agent passes `resources` to the pod as written, so the module never starts. A pod that asks for more GPUs than the node has is accepted but stays Pending. A limit alone is enough: the request then equals it.",
        before: r#"{"k8s-experimental": {"resources": {"limits": {"nvidia.com/gpu": 2}, "requests": {"nvidia.com/gpu": 1}}}}"#,
        after: r#"{"k8s-experimental": {"resources": {"limits": {"nvidia.com/gpu": 2}}}}"#,
        fix_safety: "Safe: the limit is what the pod gets, and a request without a limit becomes the limit. A count that is not a whole number, or more than the device has, is an input: confirm the proposed count (a fraction rounded up, at most the device's GPUs). Placeholders are left alone: they must become a whole number from 0 to the device's GPUs.",
    },
    check: Check::Module(check),
};

/// A GPU count as Kubernetes reads it.
enum Count {
    Whole(u64),
    /// Not a whole number of GPUs, as written.
    Bad(String),
}

fn count(v: &Value) -> Count {
    whole(v).map_or_else(|| Count::Bad(shown(v)), Count::Whole)
}

/// The whole count closest above a bad one, between 1 and the device's GPUs.
fn proposed(bad: &str, device: u64) -> u64 {
    let milli = parse_cpu(bad).unwrap_or(1000);
    u64::try_from(milli.div_ceil(1000)).unwrap_or(device).max(1).min(device)
}

fn check(ctx: &Context, module: &Module) -> Vec<Finding> {
    let device = u64::from(ctx.device.gpus);
    let limit = k8s::resource(module, "limits", GPU);
    let request = k8s::resource(module, "requests", GPU);
    let templated = |v: Option<&Value>| v.and_then(Value::as_str).is_some_and(contains_placeholder);
    if (limit.is_none() && request.is_none()) || templated(limit) || templated(request) {
        return Vec::new();
    }
    // The limit is written (its parent must take it); the request, when there is one, removed.
    let limit_at = k8s::resource_rel(module, "limits", GPU).map(|p| module.create_options_at(p));
    let request_at = k8s::rel(module, &["resources", "requests"]).map(|p| module.create_options_at(p.child(GPU)));
    let (Some(limit_at), Some(request_at)) = (limit_at, request_at) else { return Vec::new() };
    let remove_request = request.map(|_| Edit::Remove { at: request_at.clone() });
    let and_drop = if request.is_some() { " and drop the request" } else { "" };
    let finding =
        |at: &crate::manifest::Location, message: String| Finding::new(&RULE, Some(module), at.clone(), message);
    // A count to confirm, written as the limit.
    let input = |n: u64, summary: String| {
        let edits = std::iter::once(Edit::Set { at: limit_at.clone(), value: n.into() })
            .chain(remove_request.clone())
            .collect();
        Suggestion::new(summary, edits).with_input("GPU count", 0, "", Some(n.into()))
    };
    let too_many = |n: u64| format!("{n} GPU{} are more than the device's {device}: the pod stays Pending", plural(n));

    match (limit.map(count), request.map(count)) {
        (Some(Count::Bad(bad)), _) => {
            let n = proposed(&bad, device);
            let message = format!(
                "GPU limit `{GPU}: {bad}` is not a whole number of GPUs (0 or more): Kubernetes rejects the pod"
            );
            vec![
                finding(&limit_at, message)
                    .suggest(input(n, format!("limit the module to {n} GPU{}{and_drop}", plural(n)))),
            ]
        }
        (Some(Count::Whole(l)), _) if l > device => {
            let message = format!("GPU limit `{GPU}: {l}`: {}", too_many(l));
            vec![finding(&limit_at, message).suggest(input(
                device,
                format!("limit the module to the device's {device} GPU{}{and_drop}", plural(device)),
            ))]
        }
        (None, Some(Count::Whole(n))) if n > device => {
            let message =
                format!("GPU request `{GPU}: {n}` without a limit: Kubernetes rejects the pod; and {}", too_many(n));
            vec![
                finding(&request_at, message)
                    .suggest(input(device, format!("make it a limit of the device's {device} GPU{}", plural(device)))),
            ]
        }
        (None, Some(Count::Whole(n))) => {
            let edits =
                vec![Edit::Set { at: limit_at, value: Value::from(n) }, Edit::Remove { at: request_at.clone() }];
            let message = format!("GPU request `{GPU}: {n}` without a limit: Kubernetes rejects the pod");
            vec![
                finding(&request_at, message)
                    .suggest(Suggestion::new(format!("make it a limit of {n} GPU{}", plural(n)), edits)),
            ]
        }
        (None, Some(Count::Bad(bad))) => {
            let n = proposed(&bad, device);
            let message = format!(
                "GPU request `{GPU}: {bad}` without a limit and not a whole number: Kubernetes rejects the pod"
            );
            vec![finding(&request_at, message).suggest(input(n, format!("make it a limit of {n} GPU{}", plural(n))))]
        }
        (Some(Count::Whole(l)), Some(r)) => {
            let r = match r {
                Count::Whole(r) if r == l => return Vec::new(),
                Count::Whole(r) => r.to_string(),
                Count::Bad(bad) => bad,
            };
            let message = format!("GPU request `{GPU}: {r}` differs from the limit {l}: Kubernetes rejects the pod");
            let summary = format!("drop the request: the limit of {l} GPU{} is used as the request", plural(l));
            vec![
                finding(&request_at, message)
                    .suggest(Suggestion::new(summary, vec![Edit::Remove { at: request_at.clone() }])),
            ]
        }
        _ => Vec::new(),
    }
}
