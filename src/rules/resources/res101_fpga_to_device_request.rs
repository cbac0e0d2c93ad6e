//! RES101 (VM): the FPGA — `microsoft.com/fpga_catapult`, `/dev/catapult*` — becomes a GPU device
//! request.

use super::vm::{self, Writer};
use crate::manifest::Module;
use crate::rules::{Check, Context, Edit, Finding, FixAvailability, Rule, RuleDoc, Section, Severity, Suggestion, VM};

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "RES101",
        section: Section::Resources,
        severity: Severity::Error,
        fix: FixAvailability::Always,
        targets: VM,
        title: "FPGA (`microsoft.com/fpga_catapult`, `/dev/catapult*`) becomes a GPU device request in the VM",
        detects: "`microsoft.com/fpga_catapult` in `k8s-experimental.resources` (limits or requests, name matched ignoring case) or `/dev/catapult*` in `HostConfig.Devices`: one finding per module.",
        why: "The GPU VM has no FPGA. Docker refuses to create a container whose `Devices` name a node the VM lacks, and the Docker agent ignores `k8s-experimental`, so the module would get no accelerator at all. In the VM a container gets GPUs through `HostConfig.DeviceRequests`: `[{\"Count\": -1, \"Capabilities\": [[\"gpu\"]]}]` (IoT Edge passes it to Docker since 1.0.10, Azure/iotedge#1580; `Capabilities` is a list of lists, #3959). moby serves it through the NVIDIA Container Toolkit's hook, which must be installed in the VM with the NVIDIA driver (moby `daemon/nvidia_linux.go`; VM-TARGET.md §1). `Count: -1` is every GPU of the VM: 1, or 2 on `Standard_NC32as_2T4_v1` / `Standard_NC32as_2A2_v1`.",
        before: r#"{"HostConfig": {"Devices": [{"PathOnHost": "/dev/catapult0", "PathInContainer": "/dev/catapult0"}]}, "k8s-experimental": {"resources": {"limits": {"microsoft.com/fpga_catapult": 1}}}}"#,
        after: r#"{"HostConfig": {"DeviceRequests": [{"Count": -1, "Capabilities": [["gpu"]]}]}}"#,
        fix_safety: "Confirm the count: -1 (every GPU of the VM) by default, or a number from 1 to the VM's GPUs (`--gpus`; RES102 refuses more). An `NVIDIA_VISIBLE_DEVICES` that names GPUs becomes the request's `DeviceIDs` instead. When the module already has a GPU device request, or asks for no FPGA (a count of 0), the FPGA settings are only removed, which is safe. A placeholder FPGA count is not carried: a request counts GPUs, and -1 takes them all. The image must be a GPU build too (RES011); `Privileged`, if it was there for the FPGA, is RES105's. Install the driver and the toolkit in the VM (the checklist says how).",
    },
    check: Check::Module(check),
};

fn check(ctx: &Context, module: &Module) -> Vec<Finding> {
    let settings = vm::fpga_settings(module);
    let Some(first) = settings.first() else { return Vec::new() };
    let labels: Vec<&str> = settings.iter().map(|s| s.label.as_str()).collect();
    let mut why = Vec::new();
    if settings.iter().any(|s| s.node) {
        why.push("Docker does not create a container whose `Devices` name a node the VM lacks");
    }
    if settings.iter().any(|s| !s.node) {
        why.push("the Docker agent ignores `k8s-experimental`");
    }
    let mut message = format!("{}: the GPU VM has no FPGA ({})", labels.join(", "), why.join("; "));
    let placeholders: Vec<String> =
        settings.iter().filter_map(|s| s.placeholder.as_ref()).map(|p| format!("`{p}`")).collect();
    if !placeholders.is_empty() {
        message.push_str(&format!(
            "; the placeholder count {} goes with it: a device request counts GPUs, and -1 takes every GPU of the VM",
            placeholders.join(", ")
        ));
    }
    let removals: Vec<Edit> =
        settings.iter().map(|s| Edit::Remove { at: module.create_options_at(s.at.clone()) }).collect();
    let finding =
        |message: String| Finding::new(&RULE, Some(module), module.create_options_at(first.at.clone()), message);
    match vm::writer(module) {
        Some(Writer::Fpga) => match vm::request(module, -1) {
            Some(request) => {
                message.push_str("; GPUs reach a container in the VM through `HostConfig.DeviceRequests`");
                let summary = match &request.takes_over {
                    Some(t) => {
                        message
                            .push_str(&format!(", here with {} (moby sets the variable from the request)", t.shown()));
                        format!("request the GPUs of `{}` as a device request instead of the FPGA", t.var)
                    }
                    None => "request the VM's GPUs (`Count: -1`) as a device request instead of the FPGA".to_owned(),
                };
                let (label, at, default) = request.input;
                let edits = request.edits.into_iter().chain(removals).collect();
                let suggestion = Suggestion::new(summary, edits).with_input(label, 0, at, Some(default));
                vec![vm::gpu_step(finding(message).suggest(suggestion), ctx.device)]
            }
            None => {
                message.push_str("; `HostConfig.DeviceRequests` is not a list to add the GPU request to");
                let suggestion = Suggestion::new(
                    "remove the FPGA settings (then give the module its GPU request yourself)",
                    removals,
                )
                .review();
                vec![vm::gpu_step(finding(message).suggest(suggestion), ctx.device)]
            }
        },
        Some(Writer::Existing) => {
            message.push_str("; the module's GPU device request gives it its GPUs");
            vec![
                finding(message)
                    .suggest(Suggestion::new("remove the FPGA settings (the device request stays)", removals)),
            ]
        }
        other => {
            match other {
                Some(w) => message
                    .push_str(&format!("; it asks for no FPGA (a count of 0), and {} gives it its GPUs", w.describe())),
                None => message.push_str("; it asks for no FPGA (a count of 0), so no GPU replaces it"),
            }
            vec![finding(message).suggest(Suggestion::new("remove the FPGA settings", removals))]
        }
    }
}
