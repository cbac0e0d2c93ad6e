//! RES010: the modules together ask for more GPUs than the device has.

use super::gpus::{Ask, Plan, Role, Source, plural};
use crate::manifest::Location;
use crate::rules::shared::k8s::GPU;
use crate::rules::{Check, Context, Finding, FixAvailability, K8S, Rule, RuleDoc, Section, Severity};

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "RES010",
        section: Section::Resources,
        severity: Severity::Error,
        fix: FixAvailability::Never,
        targets: K8S,
        title: "The modules together ask for more GPUs than the device has",
        detects: "Once per deployment: the `nvidia.com/gpu` limits already written (a GPU request without a limit counts as its limit), plus what the modules that compute on an accelerator ask for through an FPGA resource (RES001) or Docker GPU settings (RES003), add up to more than the device's GPUs (`--gpus`, default 1). Modules that only watch GPUs count 0; placeholder counts are not counted.",
        why: "On Kubernetes a GPU is whole and exclusive: `nvidia.com/gpu` cannot be shared or over-committed, and an Azure Stack Edge Pro GPU has one or two (fewer when GPUs are given to VMs). Every module that asks for one takes it from the others, and a pod whose GPUs are taken stays Pending, for good.",
        before: r#"two modules with "HostConfig": {"Runtime": "nvidia"} on a device with 1 GPU"#,
        after: r#"the first gets {"k8s-experimental": {"resources": {"limits": {"nvidia.com/gpu": 1}}}}, the second {"nvidia.com/gpu": 0} until you decide otherwise"#,
        fix_safety: "Nothing to accept here: RES001, RES003 and RES006 propose each module's count within the device's GPUs (in module order: limits already written first, then modules that compute, then placeholder runtimes; a module beyond them gets 0, with an input to change it). Decide which modules get the GPUs; lower a written limit by hand.",
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
                    given.push(format!("`{name}` {}", p.granted.unwrap_or(0)));
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
        message.push_str(&format!(
            "; the suggestions give what the written limits leave, in module order: {} — decide which modules get the device's GPUs",
            given.join(", ")
        ));
    }
    if !uncounted.is_empty() {
        message.push_str(&format!("; not counted: {}", uncounted.join(", ")));
    }
    vec![Finding::new(&RULE, None, Location::Document(ctx.manifest.edge_agent_at()), message)]
}
