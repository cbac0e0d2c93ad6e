//! RES009: `NVIDIA_VISIBLE_DEVICES`, which picks GPUs behind the scheduler's back.

use crate::manifest::Module;
use crate::rules::shared::env;
use crate::rules::{Check, Context, Edit, Finding, FixAvailability, K8S, Rule, RuleDoc, Section, Severity, Suggestion};

/// The NVIDIA container runtime's variable naming the GPUs a container sees.
pub const NAME: &str = "NVIDIA_VISIBLE_DEVICES";

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "RES009",
        section: Section::Resources,
        severity: Severity::Warning,
        fix: FixAvailability::Never,
        targets: K8S,
        title: "`NVIDIA_VISIBLE_DEVICES` bypasses the scheduler's GPU accounting",
        detects: "`NVIDIA_VISIBLE_DEVICES` (any case) in the module's `env` or `createOptions.Env`, unless it is empty, `void` or `none` (no GPU).",
        why: "The NVIDIA runtime hands a container the GPUs this variable names, whatever Kubernetes scheduled: the module then uses GPUs the scheduler may have given another pod, and GPU modules crash or slow down each other. On the GPU device, ask for GPUs with an `nvidia.com/gpu` limit; the device plugin then sets the variable to the GPUs the pod was given.",
        before: r#"{"Env": ["NVIDIA_VISIBLE_DEVICES=all"]}"#,
        after: r#"{"k8s-experimental": {"resources": {"limits": {"nvidia.com/gpu": 1}}}}"#,
        fix_safety: "Manual: give the module an `nvidia.com/gpu` limit if it computes on a GPU (see RES003), then remove the variable (the suggested removal). A monitoring module that only reads GPU metrics through it may keep it, knowing it sees every GPU.",
    },
    check: Check::Module(check),
};

fn check(_ctx: &Context, module: &Module) -> Vec<Finding> {
    let vars = env::vars(module);
    env::named(&vars, NAME)
        .filter(|v| v.value.as_deref().is_some_and(|x| !matches!(x.trim().to_ascii_lowercase().as_str(), "" | "void" | "none")))
        .map(|var| {
            let value = var.value.as_deref().unwrap_or_default();
            let message = format!(
                "`{}={value}` in {} hands the module GPUs the scheduler does not account for: request them with an `nvidia.com/gpu` limit instead",
                var.name,
                var.location()
            );
            Finding::new(&RULE, Some(module), var.at.clone(), message).suggest(Suggestion::new(
                format!("remove `{}` (once the module requests its GPUs as a limit)", var.name),
                vec![Edit::Remove { at: var.at.clone() }],
            ).display_only())
        })
        .collect()
}
