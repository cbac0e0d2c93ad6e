//! OTH009: what to expect from the runtime the manifest goes to, said once per manifest: on the
//! managed Kubernetes runtime, how a slow image pull looks and Microsoft's advice to use a VM; in
//! the VM, how long the chosen IoT Edge release is serviced and where the pre-flight is (OTH108).

use crate::device::{IotEdgeVersion, Target};
use crate::manifest::Location;
use crate::rules::{BOTH, Check, Context, Finding, FixAvailability, Rule, RuleDoc, Section, Severity};

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "OTH009",
        section: Section::Other,
        severity: Severity::Info,
        fix: FixAvailability::Never,
        targets: BOTH,
        title: "What to expect from the runtime: backoff while pulling (Kubernetes), support dates (VM)",
        detects: "Every manifest (reported once).",
        why: "On the managed Kubernetes runtime a pod still in ContainerCreating, typically while a large image is pulled over a slow link, shows as `backoff` in IoT Hub: it is not necessarily failing, give it time before changing anything; and Microsoft now recommends running current IoT Edge in a Linux VM on the device instead (the managed runtime is at end of life, ASE 2607 release notes). In the VM, the IoT Edge release decides how long the deployment is supported: 1.5 LTS is serviced until 2026-11-10, 1.6 LTS until 2028-11-14 (Azure/iotedge CHANGELOG; IoT Edge version history).",
        before: "any manifest",
        after: "no change to the manifest",
        fix_safety: "Nothing to change.",
    },
    check: Check::Manifest(check),
};

/// The reason a VM finding gives: the lifecycle, and where the pre-flight is.
const VM_WHY: &str = "The managed IoT Edge runtime on the device's Kubernetes is obsolete and at end of life, with no plans to update it; Microsoft's fix is a self-managed IoT Edge in a Linux VM (ASE 2607 release notes, known issue 28). IoT Edge 1.5 LTS is serviced until 2026-11-10 and 1.6 LTS until 2028-11-14 (Azure/iotedge CHANGELOG; IoT Edge version history), and the system images should be the release of the `aziot-edge` package in the VM (how-to-update-iot-edge). OTH108 lists what to prepare in the VM before deploying.";

fn check(ctx: &Context) -> Vec<Finding> {
    let at = Location::Document(ctx.manifest.root.clone());
    match ctx.device.target {
        Target::K8s => vec![Finding::new(
            &RULE,
            None,
            at,
            "on the GPU device a module whose image is still being pulled shows as `backoff` in IoT Hub; and Microsoft now recommends IoT Edge in a Linux VM on the device over its Kubernetes runtime",
        )],
        Target::Vm => {
            let v = ctx.device.iotedge_version;
            let other = match v {
                IotEdgeVersion::V1_5 => "1.6 LTS is serviced until 2028-11-14: prefer it unless a module needs 1.5",
                IotEdgeVersion::V1_6 => "1.5 LTS only until 2026-11-10",
            };
            let message = format!(
                "IoT Edge {} LTS in the VM is serviced until {} ({other}); prepare the VM with the pre-flight checklist (OTH108) before deploying",
                v.name(),
                v.serviced_until()
            );
            vec![Finding { reason: VM_WHY, ..Finding::new(&RULE, None, at, message) }]
        }
    }
}
