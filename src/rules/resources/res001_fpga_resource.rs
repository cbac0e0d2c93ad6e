//! RES001: the FPGA resource `microsoft.com/fpga_catapult` in `k8s-experimental.resources`.

use super::gpus::{self, Plan, plural};
use crate::manifest::Module;
use crate::rules::shared::k8s::{self, FPGA, GPU};
use crate::rules::shared::keys::shown;
use crate::rules::{Check, Context, Edit, Finding, FixAvailability, K8S, Rule, RuleDoc, Section, Severity, Suggestion};

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "RES001",
        section: Section::Resources,
        severity: Severity::Error,
        fix: FixAvailability::Always,
        targets: K8S,
        title: "FPGA resource `microsoft.com/fpga_catapult` becomes an `nvidia.com/gpu` limit",
        detects: "`microsoft.com/fpga_catapult` in `k8s-experimental.resources.limits` or `.requests` (resource name matched ignoring case).",
        why: "The GPU device has no FPGA: no node offers `microsoft.com/fpga_catapult`, so the pod stays Pending. Its accelerators are NVIDIA GPUs, requested as `nvidia.com/gpu` in `limits` (a GPU request, if any, must equal the limit, so the FPGA request is dropped rather than converted). The module's image drives the FPGA: an FPGA (Brainwave) build must be rebuilt for the GPU.",
        before: r#"{"k8s-experimental": {"resources": {"limits": {"microsoft.com/fpga_catapult": 2}, "requests": {"microsoft.com/fpga_catapult": 2}}}}"#,
        after: r#"{"k8s-experimental": {"resources": {"limits": {"nvidia.com/gpu": 1}}}}"#,
        fix_safety: "Confirm the GPU count: it defaults to the FPGA count, within the GPUs the device has left once the deployment's other GPU limits are counted (see RES003 and RES010: modules are served in order; a module left without a GPU shares one instead, ASE's GPU sharing: no limit and `NVIDIA_VISIBLE_DEVICES=0`, the GPU to confirm; NEW-5 of TRAPS.md). An FPGA is not a GPU: the image must be a GPU build of the model, whatever the count. A placeholder count is carried over as it is. When the module already has an `nvidia.com/gpu` limit (or a GPU request, which RES006 makes the limit), or asks for no FPGA, only the FPGA resource is removed.",
    },
    check: Check::Manifest(check),
};

const REBUILD: &str = "if the image is still the FPGA (Brainwave) build, it must be rebuilt for the GPU: an FPGA image does not run there";

fn check(ctx: &Context) -> Vec<Finding> {
    let plan = Plan::new(ctx);
    ctx.manifest.modules.iter().enumerate().filter_map(|(i, m)| finding(&plan, i, m)).collect()
}

/// The finding on the module at `position`, if it has an FPGA resource.
fn finding(plan: &Plan, position: usize, module: &Module) -> Option<Finding> {
    // Every FPGA entry, limits first: (part, where, name as written, value).
    let mut found = Vec::new();
    for part in ["limits", "requests"] {
        let (Some(map), Some(at)) = (k8s::part(module, part), k8s::rel(module, &["resources", part])) else { continue };
        for (name, value) in map.iter().filter(|(n, _)| n.trim().eq_ignore_ascii_case(FPGA)) {
            found.push((part, at.child(name), name.as_str(), value));
        }
    }
    let (first_part, first_at, first_name, first_value) = found.first()?;
    let mut edits: Vec<Edit> =
        found.iter().map(|(_, at, _, _)| Edit::Remove { at: module.create_options_at(at.clone()) }).collect();
    let mut message = format!(
        "`{first_name}: {}` in k8s-experimental.resources.{first_part}: the GPU device has no FPGA",
        shown(first_value)
    );
    let finding =
        |message: String| Finding::new(&RULE, Some(module), module.create_options_at(first_at.clone()), message);

    if let Some(gpus::Ask::Written { shown, request, .. }) = gpus::written(module) {
        let summary = if request {
            format!("remove the FPGA resource (RES006 turns the module's `{GPU}: {shown}` request into the limit)")
        } else {
            format!("remove the FPGA resource (the module already has `{GPU}: {shown}`)")
        };
        message.push_str(&format!("; {REBUILD}"));
        return Some(finding(message).suggest(Suggestion::new(summary, edits)));
    }
    let Some(p) = plan.proposal(position) else {
        // A count of 0 or less asks for no accelerator.
        let summary = "remove the FPGA resource (it asks for no FPGA, so no GPU replaces it)";
        return Some(finding(message).suggest(Suggestion::new(summary, edits)));
    };
    let Some(gpu_at) = k8s::resource_rel(module, "limits", GPU) else {
        message.push_str("; `k8s-experimental.resources.limits` is not an object to write the GPU limit into");
        return Some(finding(message).suggest(
            Suggestion::new("remove the FPGA resource (then give the module its GPU limit yourself)", edits).review(),
        ));
    };
    if p.time_shares(plan.device) {
        let share = gpus::time_share(module);
        let wanted = p.wanted().unwrap_or(0);
        message.push_str(&format!(
            "; it asks for {wanted} accelerator{}, but {}: the suggestion shares a GPU the other modules hold, ASE's GPU sharing: no `{GPU}` limit, `{}` (the modules take turns on it; MPS, RES012, lets them run at once); {REBUILD}",
            plural(wanted),
            p.shortfall(plan.device),
            share.selects()
        ));
        let summary = format!("share a GPU (`{}`, no `{GPU}` limit) instead of the FPGA", share.selects());
        return Some(finding(message).suggest(share.suggestion(summary, edits)));
    }
    let value = p.value();
    let short = p.shortfall(plan.device);
    if !short.is_empty() {
        let wanted = p.wanted().unwrap_or(0);
        message.push_str(&format!("; it asks for {wanted} accelerator{}, but {short}", plural(wanted)));
    }
    if let Some(placeholder) = value.as_str() {
        message.push_str(&format!(
            "; the count `{placeholder}` is filled in at deploy time and carried over: it must become a whole number from 0 to {}",
            plan.device
        ));
    }
    if module.host_config().is_some_and(|h| h.is_privileged()) {
        message.push_str("; `HostConfig.Privileged`, if it was there only for the FPGA, can go too");
    }
    message.push_str(&format!("; {REBUILD}"));
    edits.insert(0, Edit::Set { at: module.create_options_at(gpu_at), value: value.clone() });
    let summary = match p.granted {
        Some(0) => {
            format!("no GPU for this module (`{GPU}: 0`: the device's GPUs are taken); type a count to give it some")
        }
        _ => format!(
            "request {} NVIDIA GPU{} as `limits.{GPU}` instead of the FPGA",
            shown(&value),
            plural(p.granted.unwrap_or(2))
        ),
    };
    Some(finding(message).suggest(Suggestion::new(summary, edits).with_input("GPU count", 0, "", Some(value))))
}
