//! RES009: `NVIDIA_VISIBLE_DEVICES`, which picks GPUs behind the scheduler's back.

use super::devices::monitoring;
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
        fix: FixAvailability::Always,
        targets: K8S,
        title: "`NVIDIA_VISIBLE_DEVICES` bypasses the scheduler's GPU accounting",
        detects: "`NVIDIA_VISIBLE_DEVICES` (any case) in the module's `env` or `createOptions.Env`, unless it is empty, `void` or `none` (no GPU). Info only for a module that only watches GPUs (a metrics exporter or collector, told by its image's name, as RES003 tells it).",
        why: "The NVIDIA runtime hands a container the GPUs this variable names, whatever Kubernetes scheduled: the module then uses GPUs the scheduler may have given another pod, and GPU modules crash or slow down each other. On the GPU device, ask for GPUs with an `nvidia.com/gpu` limit; the device plugin then sets the variable to the GPUs the pod was given.",
        before: r#"{"Env": ["NVIDIA_VISIBLE_DEVICES=all"]}"#,
        after: r#"{"k8s-experimental": {"resources": {"limits": {"nvidia.com/gpu": 1}}}}"#,
        fix_safety: "Manual: give the module an `nvidia.com/gpu` limit if it computes on a GPU (see RES003), then remove the variable (the suggested removal, display only). A monitoring module that only reads GPU metrics through it may keep it: it then sees the GPUs without holding one.",
    },
    check: Check::Module(check),
};

fn check(_ctx: &Context, module: &Module) -> Vec<Finding> {
    let vars = env::vars(module);
    let monitor = monitoring(module);
    env::named(&vars, NAME)
        .filter(|v| {
            v.value.as_deref().is_some_and(|x| !matches!(x.trim().to_ascii_lowercase().as_str(), "" | "void" | "none"))
        })
        .map(|var| {
            let value = var.value.as_deref().unwrap_or_default();
            let remove = Suggestion::new(
                format!("remove `{}` (once the module requests its GPUs as a limit)", var.name),
                vec![Edit::Remove { at: var.at.clone() }],
            )
            .display_only();
            let finding = |message: String| Finding::new(&RULE, Some(module), var.at.clone(), message).suggest(remove);
            match &monitor {
                Some(why) => finding(format!(
                    "`{}={value}` in {}: the module looks like a GPU monitor ({why}), which may keep it to read the GPUs' metrics without holding one; a module that computes on a GPU asks for it with an `nvidia.com/gpu` limit instead",
                    var.name,
                    var.location()
                ))
                .severity(Severity::Info),
                None => finding(format!(
                    "`{}={value}` in {} hands the module GPUs the scheduler does not account for: request them with an `nvidia.com/gpu` limit instead",
                    var.name,
                    var.location()
                )),
            }
        })
        .collect()
}
