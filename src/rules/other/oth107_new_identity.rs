//! OTH107 (VM): the VM is a new IoT Edge device, so what modules encrypted on the FPGA device
//! stays there. Said once per manifest.

use crate::manifest::Location;
use crate::rules::{Check, Context, Finding, FixAvailability, Rule, RuleDoc, Section, Severity, VM};

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "OTH107",
        section: Section::Other,
        severity: Severity::Info,
        fix: FixAvailability::Never,
        targets: VM,
        title: "The VM is a new IoT Edge device: secrets encrypted on the FPGA device do not move",
        detects: "Every manifest (reported once).",
        why: "Microsoft's move path gives the VM a new IoT Edge device identity: create it, install IoT Edge in the VM with it, redeploy the modules, then delete the old identity (azure-stack-edge-move-to-self-service-iot-edge, steps 1–4). The keys of the IoT Edge workload API's encrypt/decrypt calls derive from the module identity and its generation id (how-to-access-host-storage-from-module), and those are new in the VM, so data a module encrypted on the FPGA device cannot be decrypted there. That last point is inferred, not documented: a device test would confirm it.",
        before: "any manifest",
        after: "no change to the manifest",
        fix_safety: "Nothing to change in the manifest. Before the cut-over, list the modules that store data encrypted through the workload API (secrets, tokens, cached credentials) and plan to re-provision or re-create it in the VM.",
    },
    check: Check::Manifest(check),
};

fn check(ctx: &Context) -> Vec<Finding> {
    vec![
        Finding::new(
            &RULE,
            None,
            Location::Document(ctx.manifest.root.clone()),
            "the VM is a new IoT Edge device identity: data modules encrypted through the workload API on the FPGA device cannot be decrypted there (inferred); re-provision their secrets",
        )
        .step(
            "Re-provision the secrets modules encrypted on the FPGA device",
            "The VM gets a new IoT Edge device identity (Microsoft's move article: create it, deploy to it, then delete the FPGA device's). Inferred, not documented: the workload API's encryption keys derive from the module identity and generation id, so anything a module encrypted on the FPGA device (secrets, tokens, cached credentials) cannot be decrypted in the VM. Export such data in plain form before the cut-over, or re-create it in the VM.",
            true,
        ),
    ]
}
