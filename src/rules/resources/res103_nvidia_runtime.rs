//! RES103 (VM): `Runtime: nvidia`, which works only when the VM's dockerd knows that runtime.

use super::devices::{self, Kind};
use super::vm::{self, Writer};
use crate::manifest::Module;
use crate::rules::{Check, Context, Edit, Finding, FixAvailability, Rule, RuleDoc, Section, Severity, Suggestion, VM};

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "RES103",
        section: Section::Resources,
        severity: Severity::Warning,
        fix: FixAvailability::Sometimes,
        targets: VM,
        title: "`Runtime: nvidia` works only where dockerd has that runtime: prefer a GPU device request",
        detects: "`HostConfig.Runtime` `nvidia` (key and value matched ignoring case), or a runtime that is a placeholder (`<Docker Runtime>`).",
        why: "In the VM the Docker agent passes `Runtime` to moby as written, and moby starts the container only if a runtime of that name is registered: `nvidia` is there once the NVIDIA Container Toolkit is installed and registered (`nvidia-ctk runtime configure --runtime=docker`, or Microsoft's ASE cloud-init with `--add-runtime=nvidia`), otherwise the container fails with \"unknown or invalid runtime name: nvidia\". A GPU device request (`HostConfig.DeviceRequests: [{\"Count\": -1, \"Capabilities\": [[\"gpu\"]]}]`, Azure/iotedge#1580) needs only the toolkit's hook, which moby finds on its own (moby `daemon/nvidia_linux.go`), and says how many GPUs the module takes; with the runtime, `NVIDIA_VISIBLE_DEVICES` (or the image's default) chooses them (VM-TARGET.md §1, §7).",
        before: r#"{"HostConfig": {"Runtime": "nvidia"}, "Env": ["NVIDIA_VISIBLE_DEVICES=0"]}"#,
        after: r#"{"HostConfig": {"DeviceRequests": [{"DeviceIDs": ["0"], "Capabilities": [["gpu"]]}]}}"#,
        fix_safety: "Review: the device request gives the module every GPU of the VM (`Count: -1`), or exactly the GPUs its `NVIDIA_VISIBLE_DEVICES` names (as `DeviceIDs`, the variable then goes: moby sets it from them). When the module already has a GPU request, or another rule writes one (RES101, RES104), the runtime is only removed. Keeping `Runtime: nvidia` also works once the toolkit is registered with moby, as the checklist says. A placeholder runtime is left to the deployment.",
    },
    check: Check::Module(check),
};

fn check(ctx: &Context, module: &Module) -> Vec<Finding> {
    let items = devices::items(module);
    let Some(item) = items.iter().find(|i| matches!(i.kind, Kind::Runtime | Kind::RuntimePlaceholder(_))) else {
        return Vec::new();
    };
    let at = module.create_options_at(item.at.clone());
    let what = &item.what;
    if let Kind::RuntimePlaceholder(p) = &item.kind {
        let message = format!(
            "`{what}`: the runtime is the placeholder `{p}`, filled in at deploy time; if it becomes `nvidia`, dockerd in the VM must have that runtime registered (the NVIDIA Container Toolkit, `nvidia-ctk runtime configure --runtime=docker`), else the container does not start; a GPU device request needs no runtime"
        );
        return vec![vm::gpu_step(Finding::new(&RULE, Some(module), at, message), ctx.device)];
    }
    let mut message = format!(
        "`{what}` works only if dockerd in the VM has the `nvidia` runtime registered (the NVIDIA Container Toolkit, `nvidia-ctk runtime configure --runtime=docker`), else the container does not start"
    );
    let remove = Edit::Remove { at: at.clone() };
    let finding = |message: String| Finding::new(&RULE, Some(module), at.clone(), message);
    let suggestion = match vm::writer(module) {
        Some(Writer::Runtime) => match vm::request(module, -1) {
            Some(request) => {
                let summary = match &request.takes_over {
                    Some(t) => {
                        message.push_str(&format!(
                            "; a GPU device request needs no runtime, and takes over {} (moby sets the variable from the request)",
                            t.shown()
                        ));
                        format!("request the GPUs of `{}` as a device request instead of the runtime", t.var)
                    }
                    None => {
                        message.push_str(
                            "; a GPU device request needs no runtime and says how many GPUs the module takes (`Count: -1`: every GPU of the VM)",
                        );
                        "request the VM's GPUs as a device request instead of the runtime".to_owned()
                    }
                };
                let (label, at, default) = request.input;
                let edits = request.edits.into_iter().chain(std::iter::once(remove)).collect();
                Some(Suggestion::new(summary, edits).with_input(label, 0, at, Some(default)))
            }
            None => {
                message.push_str("; `HostConfig.DeviceRequests` is not a list to add a GPU request to");
                None
            }
        },
        Some(w) => {
            message.push_str(&format!("; {} gives it its GPUs without the runtime", w.describe()));
            Some(Suggestion::new("remove the runtime (the device request gives the GPUs)", vec![remove]).review())
        }
        None => None,
    };
    let f = finding(message);
    let f = match suggestion {
        Some(s) => f.suggest(s),
        None => f,
    };
    vec![vm::gpu_step(f, ctx.device)]
}
