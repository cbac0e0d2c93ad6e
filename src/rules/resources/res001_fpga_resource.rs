//! RES001: the FPGA resource `microsoft.com/fpga_catapult` in `k8s-experimental.resources`.

use crate::manifest::Module;
use crate::manifest::placeholder::contains_placeholder;
use crate::rules::shared::docker::privileged;
use crate::rules::shared::k8s::{self, FPGA, GPU, MAX_GPUS};
use crate::rules::shared::keys::shown;
use crate::rules::{Check, Context, Edit, Finding, FixAvailability, K8S, Rule, RuleDoc, Section, Severity, Suggestion};
use serde_json::Value;

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "RES001",
        section: Section::Resources,
        severity: Severity::Error,
        fix: FixAvailability::Sometimes,
        targets: K8S,
        title: "FPGA resource `microsoft.com/fpga_catapult` becomes an `nvidia.com/gpu` limit",
        detects: "`microsoft.com/fpga_catapult` in `k8s-experimental.resources.limits` or `.requests` (resource name matched ignoring case).",
        why: "The GPU device has no FPGA: no node offers `microsoft.com/fpga_catapult`, so the pod stays Pending. Its accelerators are NVIDIA GPUs, requested as `nvidia.com/gpu` in `limits` (a GPU request, if any, must equal the limit, so the FPGA request is dropped rather than converted).",
        before: r#"{"k8s-experimental": {"resources": {"limits": {"microsoft.com/fpga_catapult": 2}, "requests": {"microsoft.com/fpga_catapult": 2}}}}"#,
        after: r#"{"k8s-experimental": {"resources": {"limits": {"nvidia.com/gpu": 2}}}}"#,
        fix_safety: "Confirm the GPU count: it defaults to the FPGA count, at most 2 (an Azure Stack Edge Pro GPU has one or two GPUs; asking for more than the device has leaves the pod Pending). The module's image must be a GPU build of the model: an FPGA (Brainwave) image does not run on a GPU. A placeholder count is carried over as it is. When the module already has an `nvidia.com/gpu` limit (or a GPU request, which RES006 makes the limit), only the FPGA resource is removed.",
    },
    check: Check::Module(check),
};

fn check(_ctx: &Context, module: &Module) -> Vec<Finding> {
    // (part as written, name as written, value), limits first.
    let mut found = Vec::new();
    for part in ["limits", "requests"] {
        let Some(map) = k8s::part(module, part) else { continue };
        let part_key = k8s::rel(module, &["resources", part]).unwrap_or_default();
        for (name, value) in map.iter().filter(|(n, _)| n.trim().eq_ignore_ascii_case(FPGA)) {
            found.push((part, part_key.child(name), name.as_str(), value));
        }
    }
    let Some(&(first_part, ref first_rel, first_name, first_value)) = found.first() else { return Vec::new() };
    let mut edits: Vec<Edit> = found.iter().map(|(_, rel, _, _)| Edit::Remove { at: module.co_path(rel) }).collect();
    let fpgas = shown(first_value);
    let mut message =
        format!("`{first_name}: {fpgas}` in k8s-experimental.resources.{first_part}: the GPU device has no FPGA");
    if privileged(module) {
        message.push_str("; `HostConfig.Privileged`, if it was there only for the FPGA, can go too");
    }
    let finding = Finding::new(&RULE, Some(module), module.co_path(first_rel), message);

    if let Some(gpus) = k8s::resource(module, "limits", GPU) {
        let summary = format!("remove the FPGA resource (the module already has `{GPU}: {}`)", shown(gpus));
        return vec![finding.suggest_review(Suggestion::new(summary, edits))];
    }
    if let Some(request) = k8s::resource(module, "requests", GPU) {
        let summary = format!(
            "remove the FPGA resource (RES006 turns the module's `{GPU}: {}` request into the limit)",
            shown(request)
        );
        return vec![finding.suggest_review(Suggestion::new(summary, edits))];
    }
    // The FPGA count: the limit's (found first), or the request's when there is no limit.
    let default: Value = match (first_value, k8s::count(first_value)) {
        (_, Some(n)) if n <= 0 => {
            let summary = "remove the FPGA resource (it asks for no FPGA, so no GPU replaces it)";
            return vec![finding.suggest_review(Suggestion::new(summary, edits))];
        }
        (_, Some(n)) => Value::from(u64::try_from(n).unwrap_or(MAX_GPUS).min(MAX_GPUS)),
        (Value::String(s), None) if contains_placeholder(s) => Value::String(s.clone()),
        _ => Value::from(1u64),
    };
    let Some(gpu_rel) = k8s::resource_rel(module, "limits", GPU) else {
        return vec![finding];
    };
    edits.insert(0, Edit::Set { at: module.co_path(&gpu_rel), value: default.clone() });
    let summary = format!("request {} NVIDIA GPU(s) as `limits.{GPU}` instead of the FPGA", shown(&default));
    vec![finding.suggest_review(Suggestion::new(summary, edits).with_input("GPU count", 0, "", Some(default)))]
}
