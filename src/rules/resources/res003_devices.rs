//! RES003: Docker device settings (`Devices`, `DeviceRequests`, `Runtime: nvidia`), which the
//! Kubernetes agent ignores.

use super::devices::{self, Item, Kind};
use super::res009_nvidia_visible_devices::NAME as VISIBLE_DEVICES;
use crate::manifest::Module;
use crate::rules::shared::docker::privileged;
use crate::rules::shared::env;
use crate::rules::shared::k8s::{self, FPGA, GPU};
use crate::rules::shared::keys::shown;
use crate::rules::{Check, Context, Edit, Finding, FixAvailability, K8S, Rule, RuleDoc, Section, Severity, Suggestion};
use serde_json::Value;

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "RES003",
        section: Section::Resources,
        severity: Severity::Warning,
        fix: FixAvailability::Sometimes,
        targets: K8S,
        title: "Device bindings and the NVIDIA runtime become an `nvidia.com/gpu` limit",
        detects: "`HostConfig.Devices`, `HostConfig.DeviceRequests` and `HostConfig.Runtime: nvidia` (keys and values matched ignoring case). The FPGA device's `/dev/catapult*` FPGAs, `/dev/nvidia*` nodes, GPU device requests and the NVIDIA runtime are one finding per module (input: the GPU count); any other device (`/dev/video0`, `/dev/dri`…) is a finding of its own (manual).",
        why: "The Kubernetes agent ignores `Devices`, `DeviceRequests` and `Runtime`: the pod gets no device from them. On the GPU device an accelerator is a Kubernetes resource: `k8s-experimental.resources.limits.nvidia.com/gpu` makes the scheduler give the pod that many GPUs (the NVIDIA device plugin mounts the device nodes and driver). Other host devices reach a pod only when it is privileged (`HostConfig.Privileged: true`, which the agent translates); a bind of a device file does not work, since the agent mounts binds as directories.",
        before: r#"{"HostConfig": {"Privileged": true, "Devices": [{"PathOnHost": "/dev/catapult0", "PathInContainer": "/dev/catapult0"}, {"PathOnHost": "/dev/catapult1", "PathInContainer": "/dev/catapult1"}]}}"#,
        after: r#"{"HostConfig": {"Privileged": true}, "k8s-experimental": {"resources": {"limits": {"nvidia.com/gpu": 2}}}}"#,
        fix_safety: "Confirm the GPU count: it defaults to the number of FPGAs or GPUs the settings name (a `Runtime: nvidia` or an \"all GPUs\" request counts as 1), at most 2 (an Azure Stack Edge Pro GPU has one or two GPUs; more leaves the pod Pending). A module that only watches GPUs (metrics) may need none: reject then. `Privileged`, if it was there only for the FPGA, can go. When the module already has an `nvidia.com/gpu` limit, or RES001 (its FPGA resource) or RES006 (its GPU request) writes one, the settings are only removed. Other devices are yours to replace: the suggested removal is only for when the module works without them.",
    },
    check: Check::Module(check),
};

fn check(ctx: &Context, module: &Module) -> Vec<Finding> {
    let items = devices::items(module);
    let gpu: Vec<&Item> = items.iter().filter(|i| i.is_gpu()).collect();
    let mut out = Vec::new();
    if !gpu.is_empty() {
        out.push(gpu_finding(ctx, module, &items, &gpu));
    }
    out.extend(items.iter().filter(|i| !i.is_gpu()).map(|i| other_finding(module, i)));
    out
}

/// One finding for everything that asks for the module's accelerators.
fn gpu_finding(_ctx: &Context, module: &Module, items: &[Item], gpu: &[&Item]) -> Finding {
    let quoted = |items: &[&&Item]| items.iter().map(|i| format!("`{}`", i.what)).collect::<Vec<_>>().join(", ");
    let (fpgas, others): (Vec<&&Item>, Vec<&&Item>) = gpu.iter().partition(|i| i.kind == Kind::Catapult);
    let catapult = !fpgas.is_empty();
    let mut parts = Vec::new();
    if catapult {
        let what = if fpgas.len() == 1 { "an FPGA device" } else { "FPGA devices" };
        parts.push(format!(
            "{}: {what}, not passed to the pod (the agent ignores `Devices`) and absent on the GPU device",
            quoted(&fpgas)
        ));
    }
    if !others.is_empty() {
        let verb = if others.len() == 1 { "is" } else { "are" };
        parts.push(format!(
            "{} {verb} ignored on Kubernetes: the pod gets a GPU only through an `{GPU}` limit",
            quoted(&others)
        ));
    }
    let mut message = parts.join("; ");
    if gpu.iter().any(|i| i.kind == Kind::GpuRequest { count: None }) {
        message.push_str("; \"all GPUs\" is one or two on this device");
    }
    if catapult && privileged(module) {
        message.push_str("; `HostConfig.Privileged`, if it was there only for the FPGA, can go too");
    }
    let vars = env::vars(module);
    if !catapult && env::named(&vars, VISIBLE_DEVICES).next().is_some() {
        message
            .push_str("; the module sets NVIDIA_VISIBLE_DEVICES: if it only watches GPUs it may need none of its own");
    }
    let path = module.co_path(&gpu[0].rel);
    let mut edits: Vec<Edit> = gpu.iter().map(|i| Edit::Remove { at: module.co_path(&i.rel) }).collect();
    let finding = Finding::new(&RULE, Some(module), path, message);
    let what = if gpu.len() == 1 { "the ignored setting" } else { "the ignored settings" };

    if let Some(existing) = k8s::resource(module, "limits", GPU) {
        let summary = format!("remove {what} (the module already has `{GPU}: {}`)", shown(existing));
        return finding.suggest_review(Suggestion::new(summary, edits));
    }
    if has_fpga_resource(module) {
        let summary = format!("remove {what} (RES001 turns the module's `{FPGA}` resource into the GPU limit)");
        return finding.suggest_review(Suggestion::new(summary, edits));
    }
    if let Some(request) = k8s::resource(module, "requests", GPU) {
        let summary =
            format!("remove {what} (RES006 turns the module's `{GPU}: {}` request into the limit)", shown(request));
        return finding.suggest_review(Suggestion::new(summary, edits));
    }
    let Some(gpu_rel) = k8s::resource_rel(module, "limits", GPU) else {
        // `k8s-experimental.resources.limits` exists but is not an object: the engineer first.
        return finding;
    };
    let count = Value::from(devices::gpu_count(items));
    edits.insert(0, Edit::Set { at: module.co_path(&gpu_rel), value: count.clone() });
    let summary = format!("request {count} NVIDIA GPU(s) as `limits.{GPU}` instead");
    finding.suggest_review(Suggestion::new(summary, edits).with_input("GPU count", 0, "", Some(count)))
}

/// A device other than an accelerator: the engineer decides what replaces it.
fn other_finding(module: &Module, item: &Item) -> Finding {
    let what = &item.what;
    let message = if what.starts_with("device request") {
        format!("{what} is ignored on Kubernetes, where devices are resources of device plugins")
    } else if what.starts_with("/dev/dri") {
        format!(
            "Intel GPU device `{what}` (OpenVINO, VA-API) is not passed to the pod (the agent ignores `Devices`), and the GPU device's accelerators are NVIDIA GPUs: use a CPU build, or an NVIDIA build with an `{GPU}` limit"
        )
    } else if what.starts_with('/') {
        format!(
            "device `{what}` is not passed to the pod (the agent ignores `Devices`): only a privileged module (`HostConfig.Privileged: true`) sees the node's devices, and the device must exist on the GPU device"
        )
    } else {
        format!("`Devices` entry {what} cannot be read as a device, and the agent ignores `Devices` anyway")
    };
    let path = module.co_path(&item.rel);
    Finding::new(&RULE, Some(module), path.clone(), message).suggest(
        Suggestion::new(
            "remove the ignored device setting (once the module works without it)",
            vec![Edit::Remove { at: path }],
        )
        .display_only(),
    )
}

/// RES001 will write the GPU limit: the module has the FPGA resource in `k8s-experimental`.
fn has_fpga_resource(module: &Module) -> bool {
    ["limits", "requests"]
        .iter()
        .filter_map(|p| k8s::part(module, p))
        .any(|m| m.keys().any(|k| k.trim().eq_ignore_ascii_case(FPGA)))
}
