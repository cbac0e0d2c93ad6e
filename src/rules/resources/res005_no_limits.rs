//! RES005: a custom module without memory or CPU limits.

use super::devices;
use crate::manifest::Module;
use crate::rules::shared::docker::{Amount, amount, setting};
use crate::rules::shared::k8s::{self, FPGA, GPU};
use crate::rules::{Check, Context, Edit, Finding, FixAvailability, K8S, Rule, RuleDoc, Section, Severity, Suggestion};
use serde_json::{Value, json};

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "RES005",
        section: Section::Resources,
        severity: Severity::Info,
        fix: FixAvailability::Sometimes,
        targets: K8S,
        title: "Custom module without memory or CPU limits",
        detects: "A custom module (not edgeAgent or edgeHub) with neither `memory` nor `cpu` in `k8s-experimental.resources.limits`, and no Docker `Memory`, `NanoCpus` or `CpuQuota` that RES004 moves there.",
        why: "Limits are not required, but good practice: without them one module can take the node's memory and CPU from the IoT Edge runtime and the other modules, and Kubernetes evicts unlimited pods first under pressure. If `requests` is absent, the limits are used as requests, so the scheduler reserves them.",
        before: r#"{"HostConfig": {"PortBindings": {"8080/tcp": [{"HostPort": "8080"}]}}}"#,
        after: r#"{"HostConfig": {"PortBindings": {"8080/tcp": [{"HostPort": "8080"}]}}, "k8s-experimental": {"resources": {"limits": {"memory": "512Mi", "cpu": "500m"}}}}"#,
        fix_safety: "Only you know what the module needs: there is no default, and the values shown are an example of the shape. Too low a memory limit gets the module OOM-killed; too low a CPU limit throttles it. When other settings of the module write into `limits` (a GPU, or limits already there), the suggestion sets `limits.memory` alone so that the fixes compose: add `cpu` next to it the same way if wanted.",
    },
    check: Check::Module(check),
};

fn check(_ctx: &Context, module: &Module) -> Vec<Finding> {
    if module.system || module.create_options.value.is_none() || has_limits(module) {
        return Vec::new();
    }
    let message = "neither `memory` nor `cpu` in `k8s-experimental.resources.limits`: the module can take the node's memory and CPU from the IoT Edge runtime and the other modules";
    let finding = Finding::new(&RULE, Some(module), module.co_path(k8s_limits_rel(module)), message);
    // Other fixes set leaves of `limits` (a GPU) or it exists already: write a leaf too, else the
    // whole (new) object, which the engineer can fill in at once.
    let existing = k8s::at(module, &["resources", "limits"]);
    if existing.is_some_and(|v| !v.is_object() && !v.is_null()) {
        return vec![finding];
    }
    let leaves = existing.is_some_and(Value::is_object) || writes_gpu_limit(module);
    let suggestion = if leaves {
        let Some(rel) = k8s::resource_rel(module, "limits", "memory") else {
            return vec![finding];
        };
        Suggestion::new(
            "set a memory limit (add `cpu` next to it the same way if wanted)",
            vec![Edit::Set { at: module.co_path(&rel), value: json!("512Mi") }],
        )
        .with_input("memory limit", 0, "", None)
    } else {
        let Some(rel) = k8s::rel(module, &["resources", "limits"]) else {
            return vec![finding];
        };
        Suggestion::new(
            "set memory and CPU limits",
            vec![Edit::Set { at: module.co_path(&rel), value: json!({"memory": "512Mi", "cpu": "500m"}) }],
        )
        .with_input("limits", 0, "", None)
        .with_parts(&[("memory limit", "memory"), ("CPU limit", "cpu")])
    };
    vec![finding.suggest_review(suggestion)]
}

/// A memory or CPU limit now, or one RES004 moves from Docker's settings (a placeholder counts:
/// the engineer has set a limit).
fn has_limits(module: &Module) -> bool {
    let k8s_limit = ["memory", "cpu"].iter().any(|r| k8s::resource(module, "limits", r).is_some());
    let docker_limit = ["Memory", "NanoCpus", "CpuQuota"].iter().any(|key| {
        setting(module, key).is_some_and(|s| match amount(s.value) {
            Amount::Int(n) => n > 0,
            Amount::Placeholder(_) => true,
            Amount::Unset | Amount::Invalid(_) => false,
        })
    });
    k8s_limit || docker_limit
}

/// RES001, RES003 or RES006 writes `limits.nvidia.com/gpu` for this module.
fn writes_gpu_limit(module: &Module) -> bool {
    let fpga = ["limits", "requests"]
        .iter()
        .filter_map(|p| k8s::part(module, p))
        .any(|m| m.keys().any(|k| k.trim().eq_ignore_ascii_case(FPGA)));
    fpga || devices::wants_gpu(module) || k8s::resource(module, "requests", GPU).is_some()
}

/// Where the limits are (or go), for the finding's path.
fn k8s_limits_rel(module: &Module) -> crate::manifest::Pointer {
    k8s::rel(module, &["resources", "limits"]).unwrap_or_else(|| crate::manifest::Pointer::root().child(k8s::SECTION))
}
