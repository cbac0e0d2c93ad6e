//! RES002: the FPGA device's `WIRESERVER_ADDRESS` variable.

use crate::manifest::Module;
use crate::rules::shared::env::{self, Place};
use crate::rules::{
    BOTH, Check, Context, Edit, Finding, FixAvailability, Rule, RuleDoc, Section, Severity, Suggestion,
};

/// The variable FPGA (Brainwave) modules use to reach the device's wire server.
pub const NAME: &str = "WIRESERVER_ADDRESS";

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "RES002",
        section: Section::Resources,
        severity: Severity::Error,
        fix: FixAvailability::Always,
        targets: BOTH,
        title: "FPGA-only `WIRESERVER_ADDRESS` variable is removed",
        detects: "`WIRESERVER_ADDRESS` (any case) in `createOptions.Env` or in the module's `env` section, on either target.",
        why: "FPGA (Brainwave) modules reach the FPGA through the device's wire server at this address. The GPU device has no wire server, on Kubernetes or in a VM: GPU modules ask for GPUs instead (an `nvidia.com/gpu` limit on Kubernetes, a GPU device request in the VM), and the address points nowhere.",
        before: r#"{"Env": ["WIRESERVER_ADDRESS=10.139.218.1", "MODEL=resnet50"]}"#,
        after: r#"{"Env": ["MODEL=resnet50"]}"#,
        fix_safety: "Safe for the GPU device. A module that still reads the variable at start-up must be rebuilt for the GPU anyway (an FPGA image does not run there).",
    },
    check: Check::Module(check),
};

fn check(ctx: &Context, module: &Module) -> Vec<Finding> {
    let vars = ctx.env(module);
    env::named(vars, NAME)
        .map(|var| {
            let value = var.value.as_deref().unwrap_or("");
            let message = format!("`{}={value}` in {}: the GPU device has no wire server", var.name, var.location());
            let summary = match var.place {
                Place::Section => format!("remove `{}` from the module's env", var.name),
                Place::Create { .. } => format!("remove `{}` from createOptions.Env", var.name),
            };
            Finding::new(&RULE, Some(module), var.at.clone(), message)
                .suggest(Suggestion::new(summary, vec![Edit::Remove { at: var.at.clone() }]))
        })
        .collect()
}
