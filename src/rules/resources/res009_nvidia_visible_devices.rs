//! RES009: `NVIDIA_VISIBLE_DEVICES`, which picks GPUs itself: behind the scheduler's back next to
//! a GPU limit (Kubernetes), overridden by a GPU device request or unread without the NVIDIA
//! runtime (VM), and fatal when it names a GPU the device does not have.

use super::devices::monitoring;
use super::gpus::{self, Plan, Selection};
use super::vm::{self, Writer};
use crate::device::Target;
use crate::manifest::Module;
use crate::manifest::model::DeviceRequest;
use crate::rules::shared::env::{self, Var};
use crate::rules::shared::k8s::GPU;
use crate::rules::{
    BOTH, Check, Context, Edit, Finding, FixAvailability, Rule, RuleDoc, Section, Severity, Suggestion,
};
use serde_json::json;

/// The NVIDIA container runtime's variable naming the GPUs a container sees.
pub const NAME: &str = gpus::VISIBLE_DEVICES;

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "RES009",
        section: Section::Resources,
        severity: Severity::Warning,
        fix: FixAvailability::Sometimes,
        targets: BOTH,
        title: "`NVIDIA_VISIBLE_DEVICES` next to a GPU limit or device request, or naming a GPU the device lacks",
        detects: "`NVIDIA_VISIBLE_DEVICES` (any case) in the module's `env` or `createOptions.Env` that selects GPUs (not empty, `void` or `none`). Everywhere: a GPU index the device (or the VM, `--gpus`) does not have (error). Kubernetes: the module also has an `nvidia.com/gpu` limit, written or proposed by RES001/RES003/RES006 (info for a module that only watches GPUs); without a limit it is ASE's documented GPU sharing and not reported (TRAPS.md §3). VM: the module also has a GPU device request, or has neither a request nor `Runtime: nvidia`, so nothing reads the variable.",
        why: "The NVIDIA runtime hands a container the GPUs this variable names. On Kubernetes that is how ASE shares one GPU between modules (\"Multiple modules can map to one GPU\": no GPU limit, `NVIDIA_VISIBLE_DEVICES=0` in each, `azure-stack-edge-gpu-deploy-iot-edge-gpu-sharing.md`), but next to an `nvidia.com/gpu` limit it picks GPUs the scheduler may have given another pod, and GPU modules slow down or crash each other. In the VM moby sets the variable itself from a GPU device request (`DeviceIDs`, or `Count` as 0…N-1, moby `daemon/nvidia_linux.go`), so a value of the module's own competes with it; and without a request the variable selects GPUs only under `Runtime: nvidia` (VM-TARGET.md §1, §8: inferred). An index the device does not have (`1` with one GPU) makes the NVIDIA hook fail, and the container does not start.",
        before: r#"{"Env": ["NVIDIA_VISIBLE_DEVICES=0"], "HostConfig": {"DeviceRequests": [{"Count": 1, "Capabilities": [["gpu"]]}]}}"#,
        after: r#"{"HostConfig": {"DeviceRequests": [{"DeviceIDs": ["0"], "Capabilities": [["gpu"]]}]}}"#,
        fix_safety: "Kubernetes: the removal is only shown (give the module a GPU limit or time-share without one, then remove the variable). VM, to review: with a device request the GPUs the variable names become the request's `DeviceIDs` (`all`: `Count: -1`) and the variable goes; alone, it becomes a GPU device request of its own. A GPU index the device lacks becomes 0, to review. A monitoring module that only reads GPU metrics may keep the variable.",
    },
    check: Check::Manifest(check),
};

fn check(ctx: &Context) -> Vec<Finding> {
    let plan = (ctx.device.target == Target::K8s).then(|| Plan::new(ctx));
    let gpus = u64::from(ctx.device.gpus);
    let mut out = Vec::new();
    for (position, module) in ctx.manifest.modules.iter().enumerate() {
        let vars = ctx.env(module);
        for var in env::named(vars, NAME) {
            let Some(selection) = var.value.as_deref().and_then(Selection::value) else { continue };
            let missing = selection.missing(gpus);
            let finding = if !missing.is_empty() {
                Some(missing_gpu(ctx, module, var, &missing))
            } else if let Some(plan) = &plan {
                kubernetes(plan, position, module, var)
            } else {
                in_vm(ctx, module, var, &selection)
            };
            out.extend(finding);
        }
    }
    out
}

fn missing_gpu(ctx: &Context, module: &Module, var: &Var, missing: &[&str]) -> Finding {
    let gpus = ctx.device.gpus;
    let place = if ctx.device.target == Target::Vm { "the VM" } else { "the device" };
    let message = format!(
        "`{}={}` in {}: {} names no GPU of {place}, which has {gpus} (`--gpus`; indexes from 0, or `GPU-…` UUIDs): the NVIDIA hook fails and the container does not start",
        var.name,
        var.value.as_deref().unwrap_or_default(),
        var.location(),
        missing.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", ")
    );
    let fix = Suggestion::new(
        format!("select GPU 0 (`{}=0`)", var.name),
        vec![Edit::Set { at: var.value_at.clone(), value: var.written("0") }],
    )
    .review();
    Finding::new(&RULE, Some(module), var.at.clone(), message).severity(Severity::Error).suggest(fix)
}

/// Kubernetes: a finding only when the module has (or is given) a GPU limit as well.
fn kubernetes(plan: &Plan, position: usize, module: &Module, var: &Var) -> Option<Finding> {
    let limit = match gpus::written(module) {
        Some(gpus::Ask::Written { count, shown, .. }) => (count != Some(0)).then(|| format!("`{GPU}: {shown}`")),
        _ => plan
            .proposal(position)
            .and_then(|p| p.granted)
            .filter(|n| *n > 0)
            .map(|n| format!("the `{GPU}: {n}` limit proposed for it")),
    }?;
    let value = var.value.as_deref().unwrap_or_default();
    let remove = Suggestion::new(
        format!("remove `{}` (the limit gives the module its GPUs)", var.name),
        vec![Edit::Remove { at: var.at.clone() }],
    )
    .display_only();
    let finding = |message: String| Finding::new(&RULE, Some(module), var.at.clone(), message).suggest(remove);
    Some(match monitoring(module) {
        Some(why) => finding(format!(
            "`{}={value}` in {} next to {limit}: the module looks like a GPU monitor ({why}), which may keep the variable to read the GPUs' metrics",
            var.name,
            var.location()
        ))
        .severity(Severity::Info),
        None => finding(format!(
            "`{}={value}` in {} next to {limit} picks GPUs the scheduler does not account for: the limit gives the module its GPUs; without a limit the variable alone shares a GPU (ASE's GPU sharing)",
            var.name,
            var.location()
        )),
    })
}

/// The VM: next to a GPU request, or read by nothing.
fn in_vm(ctx: &Context, module: &Module, var: &Var, selection: &Selection) -> Option<Finding> {
    let value = var.value.as_deref().unwrap_or_default();
    let shown = format!("`{}={value}` in {}", var.name, var.location());
    let finding = |message: String| Finding::new(&RULE, Some(module), var.at.clone(), message);
    match vm::writer(module)? {
        Writer::Existing => {
            let request = gpu_request(module)?;
            let mut edits = Vec::new();
            let at = |key: &str, field: &Option<crate::manifest::model::Field>| {
                module.create_options_at(field.as_ref().map_or_else(|| request.at.child(key), |f| f.at.clone()))
            };
            match selection {
                Selection::All => {
                    edits.push(Edit::Set { at: at("Count", &request.count), value: json!(-1) });
                    if request.device_ids.is_some() {
                        edits.push(Edit::Remove { at: at("DeviceIDs", &request.device_ids) });
                    }
                }
                Selection::Ids(ids) => {
                    edits.push(Edit::Set { at: at("DeviceIDs", &request.device_ids), value: json!(ids) });
                    if request.count.is_some() {
                        edits.push(Edit::Remove { at: at("Count", &request.count) });
                    }
                }
            }
            edits.push(Edit::Remove { at: var.at.clone() });
            let message = format!(
                "{shown} next to the module's GPU device request: moby sets the variable itself from the request, so the two compete; name the GPUs in the request instead (`DeviceIDs`, or `Count: -1` for all)"
            );
            let summary = match selection {
                Selection::All => {
                    "ask the device request for every GPU (`Count: -1`) and remove the variable".to_owned()
                }
                Selection::Ids(ids) => {
                    format!("name GPU {} in the device request's `DeviceIDs` and remove the variable", ids.join(", "))
                }
            };
            Some(finding(message).suggest(Suggestion::new(summary, edits).review()))
        }
        Writer::VisibleDevices => {
            let request = vm::request(module, -1)?;
            let taken = request.takes_over.as_ref().filter(|t| t.var.starts_with(var.name))?;
            let message = format!(
                "{shown}: without a GPU device request or `Runtime: nvidia` nothing reads the variable in the VM, so the module gets no GPU (unless `nvidia` is dockerd's default runtime: inferred, not documented); a device request with {} does what it meant",
                taken.written
            );
            let (label, at, default) = request.input;
            let suggestion = Suggestion::new("request these GPUs as a device request", request.edits).with_input(
                label,
                0,
                at,
                Some(default),
            );
            Some(vm::gpu_step(finding(message).severity(Severity::Warning).suggest(suggestion), ctx.device))
        }
        // RES101, RES104 or RES103 writes the request and takes the variable over.
        _ => None,
    }
}

/// The module's first GPU device request.
fn gpu_request(module: &Module) -> Option<&DeviceRequest> {
    module.host_config()?.device_requests.as_ref()?.entries.as_ref()?.iter().find(|r| r.is_gpu())
}
