//! RES003: Docker device settings (`Devices`, `DeviceRequests`, `Runtime: nvidia`), which the
//! Kubernetes agent ignores.

use super::devices::{self, Class, Item, Kind};
use super::gpus::{self, Plan, Proposal, Role, plural};
use super::res009_nvidia_visible_devices::NAME as VISIBLE_DEVICES;
use crate::manifest::Module;
use crate::rules::shared::env;
use crate::rules::shared::k8s::{self, GPU};
use crate::rules::shared::keys::shown;
use crate::rules::{Check, Context, Edit, Finding, FixAvailability, K8S, Rule, RuleDoc, Section, Severity, Suggestion};
use serde_json::Value;

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "RES003",
        section: Section::Resources,
        severity: Severity::Error,
        fix: FixAvailability::Sometimes,
        targets: K8S,
        title: "Device bindings and the NVIDIA runtime become an `nvidia.com/gpu` limit",
        detects: "`HostConfig.Devices`, `HostConfig.DeviceRequests` and `HostConfig.Runtime: nvidia` (keys and values matched ignoring case). The FPGA device's `/dev/catapult*` FPGAs, `/dev/nvidia*` nodes, GPU device requests and the NVIDIA runtime are one finding per module: an error for a module that computes on them, a warning for a module that only watches GPUs (a metrics exporter or collector, told by its image's name) or whose runtime is a placeholder, or when the module already has its GPU limit. Any other device (`/dev/video0`, `/dev/ttyUSB0`, `/dev/dri`…) is a warning of its own.",
        why: "The Kubernetes agent ignores `Devices`, `DeviceRequests` and `Runtime`: a GPU module migrated without more gets no GPU, silently. On the GPU device an accelerator is a Kubernetes resource: `k8s-experimental.resources.limits[\"nvidia.com/gpu\"]` makes the scheduler give the pod that many GPUs (the NVIDIA device plugin mounts the device nodes and driver). GPUs are whole and few (one or two on an Azure Stack Edge Pro GPU), so the deployment's GPU limits are decided together (RES010). Other host devices reach a pod only when it is privileged (`HostConfig.Privileged: true`, which the agent translates); a bind of a device file does not work, since the agent mounts binds as directories.",
        before: r#"{"HostConfig": {"Runtime": "nvidia", "DeviceRequests": [{"Driver": "nvidia", "Count": -1, "Capabilities": [["gpu"]]}]}}"#,
        after: r#"{"k8s-experimental": {"resources": {"limits": {"nvidia.com/gpu": 1}}}}"#,
        fix_safety: "Safe for a module that computes on NVIDIA GPUs and gets all it asked for: the count comes from `DeviceRequests` (`Count`, or its `DeviceIDs`; `-1`, \"all\", is the device's GPUs), `/dev/nvidiaN` nodes count one each, `Runtime: nvidia` alone is one GPU. The deployment's GPUs are given in module order (limits already written first, then modules that compute, then placeholder runtimes): a module that computes but finds none left shares a GPU instead, as ASE documents (no limit, `NVIDIA_VISIBLE_DEVICES=0`, the GPU to confirm; NEW-5 of TRAPS.md), and RES010 reports the shortage. FPGAs (`/dev/catapult*`) become as many GPUs, to confirm, and the image must be rebuilt for the GPU: an FPGA (Brainwave) build does not run there. A metrics monitor gets 0 by default: it then holds no GPU the other modules need. A placeholder count is carried over; a placeholder runtime gets a count to confirm. When the module already has an `nvidia.com/gpu` limit, or RES001 (its FPGA resource) or RES006 (its GPU request) writes one, the settings are only removed. Other devices: the privileged variant is shown, never applied by a policy.",
    },
    check: Check::Manifest(check),
};

/// What an FPGA module must do besides its GPU limit.
const REBUILD: &str = "if the image is still the FPGA build, it must be rebuilt for the GPU: an FPGA (Brainwave) image does not run there";

fn check(ctx: &Context) -> Vec<Finding> {
    let plan = Plan::new(ctx);
    let mut out = Vec::new();
    for (position, module) in ctx.manifest.modules.iter().enumerate() {
        let items = devices::items(module);
        let gpu: Vec<&Item> = items.iter().filter(|i| i.is_gpu()).collect();
        if !gpu.is_empty() {
            out.push(gpu_finding(&plan, position, module, &gpu));
        }
        out.extend(items.iter().filter(|i| !i.is_gpu()).map(|i| other_finding(module, i)));
    }
    out
}

/// One finding for everything that asks for the module's accelerators.
fn gpu_finding(plan: &Plan, position: usize, module: &Module, gpu: &[&Item]) -> Finding {
    let quoted = |items: &[&&Item]| items.iter().map(|i| i.label()).collect::<Vec<_>>().join(", ");
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
        parts.push(format!("{} {verb} ignored on Kubernetes", quoted(&others)));
    }
    let mut message = parts.join("; ");
    let at = module.create_options_at(gpu[0].at.clone());
    let mut edits: Vec<Edit> =
        gpu.iter().map(|i| Edit::Remove { at: module.create_options_at(i.at.clone()) }).collect();
    let what = if gpu.len() == 1 { "the ignored setting" } else { "the ignored settings" };
    let done = |mut message: String, summary: String, edits: Vec<Edit>| {
        if catapult {
            message.push_str(&format!("; {REBUILD}"));
        }
        Finding::new(&RULE, Some(module), at.clone(), message)
            .severity(Severity::Warning)
            .suggest(Suggestion::new(summary, edits))
    };

    match gpus::written(module) {
        Some(gpus::Ask::Written { shown, request: false, .. }) => {
            message.push_str(&format!(", and the module already has its GPU limit `{GPU}: {shown}`"));
            return done(message, format!("remove {what}"), edits);
        }
        Some(gpus::Ask::Written { shown, request: true, .. }) => {
            message.push_str(&format!(", and RES006 turns the module's GPU request `{GPU}: {shown}` into its limit"));
            return done(message, format!("remove {what}"), edits);
        }
        _ => {}
    }
    if let Some((part, name, value)) = gpus::fpga_resource(module) {
        message.push_str(&format!(
            ", and RES001 turns the module's `{name}: {}` ({part}) into its GPU limit",
            shown(value)
        ));
        return done(message, format!("remove {what}"), edits);
    }
    let (Some(p), Some(limit)) = (plan.proposal(position), k8s::resource_rel(module, "limits", GPU)) else {
        // `k8s-experimental.resources.limits` exists but is not an object: the engineer first.
        message.push_str(": the pod gets a GPU only through an `nvidia.com/gpu` limit, and `k8s-experimental.resources.limits` is not an object to write it into");
        return Finding::new(&RULE, Some(module), at, message);
    };
    if p.time_shares(plan.device) {
        let share = gpus::time_share(module);
        let wanted = p.wanted().unwrap_or(0);
        let mut message = format!(
            "{message}: a pod gets GPUs through an `{GPU}` limit, and it asks for {wanted} GPU{}, but {}; so the suggestion shares a GPU the other modules hold, ASE's GPU sharing: no limit, `{}` (the modules take turns on it; MPS, RES012, lets them run at once)",
            plural(wanted),
            p.shortfall(plan.device),
            share.selects()
        );
        if catapult {
            message.push_str(&format!("; {REBUILD}"));
            if module.host_config().is_some_and(|h| h.is_privileged()) {
                message.push_str("; `HostConfig.Privileged`, if it was there only for the FPGA, can go too");
            }
        }
        let summary = format!("share a GPU (`{}`, no `{GPU}` limit) and remove the ignored settings", share.selects());
        return Finding::new(&RULE, Some(module), at, message).suggest(share.suggestion(summary, edits));
    }
    let value = p.value();
    edits.insert(0, Edit::Set { at: module.create_options_at(limit), value: value.clone() });
    let (message, summary, severity, safe) = explain(plan, module, p, catapult, &message, &value);
    let suggestion = Suggestion::new(summary, edits);
    let suggestion = if safe { suggestion } else { suggestion.with_input("GPU count", 0, "", Some(value)) };
    Finding::new(&RULE, Some(module), at, message).severity(severity).suggest(suggestion)
}

/// The message, the summary, the severity and whether the suggestion is safe, for a module whose
/// GPU limit the plan proposes.
fn explain(
    plan: &Plan,
    module: &Module,
    p: &Proposal,
    catapult: bool,
    settings: &str,
    value: &Value,
) -> (String, String, Severity, bool) {
    let device = plan.device;
    let n = shown(value);
    // "GPUs" for a placeholder count.
    let gpus_word = format!("GPU{}", plural(p.granted.unwrap_or(2)));
    let one_of = match device {
        0 => "a GPU the device does not have".to_owned(),
        1 => "the device's only GPU".to_owned(),
        n => format!("one of the device's {n} GPUs"),
    };
    let remove = "and remove the ignored settings";
    match &p.role {
        Role::Monitor(why) => {
            let sees = if env::named(&env::vars(module), VISIBLE_DEVICES).next().is_some() {
                "it still sees the GPUs its `NVIDIA_VISIBLE_DEVICES` names, without holding one"
            } else {
                "without a limit it sees no GPU, so give it 1 if it must read GPU metrics and the device has one to spare"
            };
            (
                format!(
                    "{settings}; the module looks like a GPU monitor ({why}): it gets no GPU of its own by default, since an `{GPU}` limit would take {one_of} from the modules that compute, and {sees}"
                ),
                format!("no GPU for this monitor (`{GPU}: 0`) {remove}"),
                Severity::Warning,
                false,
            )
        }
        Role::Uncertain(placeholder) => {
            let taken = p.granted == Some(0) && p.wanted().is_some_and(|w| w > 0);
            let message = format!(
                "{settings}: the runtime is the placeholder `{placeholder}`, filled in at deploy time; if it becomes `nvidia` the module computes on a GPU and needs an `{GPU}` limit (Kubernetes ignores the runtime, whatever its value), if it becomes `runc` or stays empty it needs none{}",
                if taken {
                    "; the device's GPUs go to the modules that certainly compute, so none is proposed"
                } else {
                    ""
                }
            );
            let summary = if taken {
                format!(
                    "no GPU for this module (`{GPU}: 0`) {remove}, the placeholder with them; type a count if the runtime will be `nvidia`"
                )
            } else {
                format!(
                    "request {n} {gpus_word} as `limits.{GPU}` (type 0 if the runtime will not be `nvidia`) {remove}, the placeholder with them"
                )
            };
            (message, summary, Severity::Warning, false)
        }
        Role::Compute => {
            let mut message = format!("{settings}: without an `{GPU}` limit the pod gets no GPU");
            if let devices::Wants::Placeholder(ph) = &p.wants {
                message.push_str(&format!(
                    "; the GPU count is the placeholder `{ph}`, filled in at deploy time and carried over to the limit: it must become a whole number from 0 to {device} (Docker's -1, all GPUs, is not a Kubernetes count)"
                ));
            }
            let short = p.shortfall(device);
            if !short.is_empty() {
                let wanted = p.wanted().unwrap_or(0);
                message.push_str(&format!("; it asks for {wanted} GPU{}, but {short}", plural(wanted)));
            }
            if catapult {
                message.push_str(&format!("; {REBUILD}"));
                if module.host_config().is_some_and(|h| h.is_privileged()) {
                    message.push_str("; `HostConfig.Privileged`, if it was there only for the FPGA, can go too");
                }
            }
            let summary = match p.granted {
                Some(0) => format!(
                    "no GPU for this module (`{GPU}: 0`: the device's GPUs are taken) {remove}; type a count to give it some"
                ),
                _ if catapult => format!("request {n} {gpus_word} as `limits.{GPU}` in place of the FPGAs {remove}"),
                _ => format!("request {n} {gpus_word} as `limits.{GPU}` {remove}"),
            };
            let safe = p.complete() && !catapult;
            (message, summary, Severity::Error, safe)
        }
    }
}

/// A device other than an accelerator: advice that follows the device and the module.
fn other_finding(module: &Module, item: &Item) -> Finding {
    let what = &item.what;
    let at = module.create_options_at(item.at.clone());
    let Kind::Other(class) = &item.kind else { unreachable!("only non-GPU items") };
    let remove = Edit::Remove { at: at.clone() };
    let finding = |message: String| Finding::new(&RULE, Some(module), at.clone(), message).severity(Severity::Warning);
    match class {
        Class::Request => {
            return finding(format!(
                "{} is ignored on Kubernetes, where devices are resources of device plugins",
                item.label()
            ))
            .suggest(
                Suggestion::new("remove the ignored device request (once the module works without it)", vec![remove])
                    .display_only(),
            );
        }
        Class::IntelGpu => {
            return finding(format!(
                "`{what}` is {} and is not passed to the pod (the agent ignores `Devices`); the GPU device's accelerators are NVIDIA GPUs: use a CPU build, or an NVIDIA build with an `{GPU}` limit",
                class.describe()
            ))
            .suggest(Suggestion::new("remove the ignored device (once the module works without it)", vec![remove]).display_only());
        }
        Class::Unreadable => {
            return finding(format!(
                "`Devices` entry {what} names no host device, and the agent ignores `Devices` anyway"
            ))
            .suggest(Suggestion::new("remove the unreadable entry", vec![remove]));
        }
        Class::Placeholder(p) => {
            let held = if p == what { "is a placeholder".to_owned() } else { format!("holds the placeholder `{p}`") };
            return finding(format!(
                "device `{what}` {held}, filled in at deploy time, and the agent ignores `Devices` whatever it becomes: an FPGA (`/dev/catapult*`) or GPU (`/dev/nvidia*`) node needs an `{GPU}` limit instead, any other device reaches the pod only when the module is privileged (`HostConfig.Privileged: true`)"
            ));
        }
        Class::Camera | Class::Serial | Class::Usb | Class::Device => {}
    }
    let kind = class.describe();
    let hc = module.host_config().expect("a Devices entry is in HostConfig");
    if module.host_config().is_some_and(|h| h.is_privileged()) {
        let mut message = format!(
            "device `{what}` ({kind}) is not passed to the pod by `Devices` (the agent ignores it), but the module is privileged, so its pod sees the node's devices anyway: the device must be attached to the GPU device"
        );
        return match &item.renamed_to {
            Some(inside) => {
                message.push_str(&format!(
                    "; the container sees it as `{what}`, not as `{inside}`: point the module at `{what}`"
                ));
                finding(message).suggest(
                    Suggestion::new(
                        "remove the ignored device entry (once the module uses the host's path)",
                        vec![remove],
                    )
                    .display_only(),
                )
            }
            None => finding(message).severity(Severity::Info).suggest(Suggestion::new(
                "remove the ignored device entry (privileged, the pod sees the device)",
                vec![remove],
            )),
        };
    }
    let message = format!(
        "device `{what}` ({kind}) is not passed to the pod (the agent ignores `Devices`): a pod sees the node's devices only when privileged (`HostConfig.Privileged: true`, which the agent translates), and the device must be attached to the GPU device"
    );
    let privileged_at = hc.privileged.as_ref().map_or_else(|| hc.at.child("Privileged"), |p| p.at.clone());
    let edits = vec![Edit::Set { at: module.create_options_at(privileged_at), value: Value::Bool(true) }, remove];
    finding(message).suggest(
        Suggestion::new(
            "make the module privileged (it then sees every device of the node) and remove the ignored entry",
            edits,
        )
        .display_only(),
    )
}
