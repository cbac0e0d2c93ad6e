//! OTH009: what to expect from the GPU device's Kubernetes runtime, said once per manifest.

use crate::rules::{Check, Context, Finding, FixAvailability, K8S, Rule, RuleDoc, Section, Severity};

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "OTH009",
        section: Section::Other,
        severity: Severity::Info,
        fix: FixAvailability::Never,
        targets: K8S,
        title: "A module shown as backoff may still be pulling its image; consider IoT Edge in a VM",
        detects: "Every manifest (reported once).",
        why: "On the GPU device a pod still in ContainerCreating, typically while a large image is pulled over a slow link, shows as `backoff` in IoT Hub: it is not necessarily failing, give it time before changing anything. Microsoft now recommends running current IoT Edge in a Linux VM on the device instead of the managed Kubernetes runtime, where the manifest runs unchanged.",
        before: "any manifest",
        after: "no change to the manifest",
        fix_safety: "Nothing to change.",
    },
    check: Check::Manifest(check),
};

fn check(ctx: &Context) -> Vec<Finding> {
    vec![Finding::new(
        &RULE,
        None,
        crate::manifest::Location::Document(ctx.manifest.root.clone()),
        "on the GPU device a module whose image is still being pulled shows as `backoff` in IoT Hub; and Microsoft now recommends IoT Edge in a Linux VM on the device over its Kubernetes runtime",
    )]
}
