//! RES010: the modules together ask for more GPUs than the device has (with NEW-5 of TRAPS.md:
//! ASE's time-sharing as the way out).

use super::gpus::{self, Ask, Plan, Role, Source, plural};
use crate::manifest::Location;
use crate::rules::shared::k8s::{self, GPU};
use crate::rules::{Check, Context, Edit, Finding, FixAvailability, K8S, Rule, RuleDoc, Section, Severity};

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "RES010",
        section: Section::Resources,
        severity: Severity::Error,
        fix: FixAvailability::Sometimes,
        targets: K8S,
        title: "The modules together ask for more GPUs than the device has",
        detects: "Once per deployment: the `nvidia.com/gpu` limits already written (a GPU request without a limit counts as its limit), plus what the modules that compute on an accelerator ask for through an FPGA resource (RES001) or Docker GPU settings (RES003), add up to more than the device's GPUs (`--gpus`, default 1). Modules that only watch GPUs count 0; placeholder counts are not counted. Kubernetes only: in the VM, Docker lets containers share GPUs, and RES102 checks each request against the VM's GPUs.",
        why: "On Kubernetes a GPU limit is whole and exclusive: `nvidia.com/gpu` cannot be shared or over-committed, and an Azure Stack Edge Pro GPU has one or two (fewer when GPUs are given to VMs). Every module that asks for one takes it from the others, and a pod whose GPUs are taken stays Pending, for good. ASE documents the way out (NEW-5, TRAPS.md): modules share a GPU by time-slicing with no limit and `NVIDIA_VISIBLE_DEVICES=<index>` in each (\"Multiple modules can map to one GPU\", `azure-stack-edge-gpu-sharing.md`; `azure-stack-edge-gpu-deploy-iot-edge-gpu-sharing.md`), optionally with MPS (RES012).",
        before: r#"two modules with "HostConfig": {"Runtime": "nvidia"} on a device with 1 GPU"#,
        after: r#"the first gets {"k8s-experimental": {"resources": {"limits": {"nvidia.com/gpu": 1}}}}, the second shares it: {"env": {"NVIDIA_VISIBLE_DEVICES": {"value": "0"}}} and no limit"#,
        fix_safety: "RES001 and RES003 propose each module's count within the device's GPUs (in module order: limits already written first, then modules that compute, then placeholder runtimes), and give a module that computes but is left without a GPU ASE's time-sharing instead (no limit, `NVIDIA_VISIBLE_DEVICES=0`). When limits already written add up to more than the device has, this finding suggests the same for the modules beyond them: their limit goes and they share GPU 0, to review (shared, each runs slower under load). Decide which modules hold the device's GPUs.",
    },
    check: Check::Manifest(check),
};

fn check(ctx: &Context) -> Vec<Finding> {
    let plan = Plan::new(ctx);
    let demand = plan.demand();
    if demand <= plan.device {
        return Vec::new();
    }
    let mut asks = Vec::new();
    let mut given = Vec::new();
    let mut uncounted = Vec::new();
    let mut shares = false;
    for e in &plan.entries {
        let name = &e.module.name;
        match &e.ask {
            Ask::Written { count: Some(n), request, .. } => {
                asks.push(format!("`{name}` {n} ({})", if *request { "GPU request" } else { "GPU limit" }));
            }
            Ask::Written { shown, .. } => uncounted.push(format!("`{name}` (`{GPU}: {shown}`)")),
            Ask::Proposed(p) if p.role == Role::Compute => match p.wanted() {
                Some(n) => {
                    let from = if p.source == Source::FpgaResource { "FPGA resource" } else { "Docker GPU settings" };
                    asks.push(format!("`{name}` {n} ({from})"));
                    if p.time_shares(plan.device) {
                        shares = true;
                        given.push(format!("`{name}` shares one"));
                    } else {
                        given.push(format!("`{name}` {}", p.granted.unwrap_or(0)));
                    }
                }
                None => uncounted.push(format!("`{name}` (a placeholder count)")),
            },
            Ask::Proposed(_) => {}
        }
    }
    let device = plan.device;
    let mut message = format!(
        "the modules ask for {demand} GPU{} and the device has {device}: {}; pods whose GPUs are taken stay Pending",
        plural(demand),
        asks.join(", ")
    );
    if !given.is_empty() {
        let sharing = if shares {
            ", and let a module left without one share a GPU (ASE's GPU sharing: no limit, `NVIDIA_VISIBLE_DEVICES=<index>`)"
        } else {
            ""
        };
        message.push_str(&format!(
            "; the suggestions give what the written limits leave, in module order{sharing}: {} — decide which modules get the device's GPUs",
            given.join(", ")
        ));
    }
    if !uncounted.is_empty() {
        message.push_str(&format!("; not counted: {}", uncounted.join(", ")));
    }
    let finding = Finding::new(&RULE, None, Location::Document(ctx.manifest.edge_agent_at()), message);
    vec![match share_written(&plan) {
        Some((names, edits)) => {
            let summary = format!(
                "let {} share GPU 0 instead of holding a GPU (no `{GPU}` limit, `NVIDIA_VISIBLE_DEVICES=0`)",
                names.join(", ")
            );
            let message = format!(
                "{}; the limits already written add up to more than the device has: the suggestion lets {} share GPU 0, ASE's GPU sharing",
                finding.message,
                names.join(", ")
            );
            Finding { message, ..finding }.suggest(crate::rules::Suggestion::new(summary, edits).review())
        }
        None => finding,
    }]
}

/// The modules whose written GPU limits go beyond the device's GPUs (in module order, counts
/// capped at the device's, since RES006 lowers a larger one), and the edits that let them share
/// GPU 0 instead: their limit and request go, `NVIDIA_VISIBLE_DEVICES=0` comes. Only whole
/// limits (a request alone is RES006's to turn into a limit first).
fn share_written(plan: &Plan) -> Option<(Vec<String>, Vec<Edit>)> {
    let mut held = 0u64;
    let mut names = Vec::new();
    let mut edits = Vec::new();
    for e in &plan.entries {
        let Ask::Written { count: Some(n), request: false, .. } = e.ask else { continue };
        if n == 0 {
            continue;
        }
        let n = n.min(plan.device);
        if held + n <= plan.device {
            held += n;
            continue;
        }
        let module = e.module;
        let share = gpus::time_share(module);
        let Some(limit) = k8s::resource_rel(module, "limits", GPU) else { continue };
        if let Some((edit, _)) = share.select {
            edits.push(edit);
        }
        edits.push(Edit::Remove { at: module.create_options_at(limit) });
        if k8s::resource(module, "requests", GPU).is_some()
            && let Some(request) = k8s::rel(module, &["resources", "requests"])
        {
            edits.push(Edit::Remove { at: module.create_options_at(request.child(GPU)) });
        }
        names.push(format!("`{}`", module.name));
    }
    (!names.is_empty()).then_some((names, edits))
}
