//! NET005: a module on the host network (works on ASE 2110 and later; advice only).

use super::ports::{is_host_network, network_mode};
use crate::manifest::Module;
use crate::rules::{Check, Context, Finding, FixAvailability, K8S, Rule, RuleDoc, Section, Severity};

/// The first ASE release whose managed IoT Edge runs host-network modules: 2101 and 2106 list
/// "Modules deployed through IoT Edge can't use host network" as a known issue, 2110 as fixed.
pub const HOST_NETWORK_SINCE: u32 = 2110;

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "NET005",
        section: Section::Network,
        severity: Severity::Info,
        fix: FixAvailability::Never,
        targets: K8S,
        title: "Module on the host network",
        detects: "`HostConfig.NetworkMode: \"host\"` (the Kubernetes agent compares it case-insensitively, so `Host` counts too; NET011 fixes that spelling for Docker). An error when the device profile's `ase-version` is older than 2110.",
        why: "This works on the GPU device from ASE release 2110 on: the agent runs the pod with `hostNetwork: true` and sets `dnsPolicy: ClusterFirstWithHostNet` itself, so the module still resolves other modules' Services. Other modules, edgeHub included, need not be on the host network. Only one module can be (NET006), and the module's ports are the node's ports: they need no bindings. Releases 2101 and 2106 list \"Modules deployed through IoT Edge can't use host network\" as a known issue (release notes, issue 17), fixed in 2110 (TRAPS.md §1 #16): update the device first.",
        before: r#"{"HostConfig": {"NetworkMode": "host"}}"#,
        after: r#"{"HostConfig": {"NetworkMode": "host"}}"#,
        fix_safety: "Nothing to change in the manifest. On a device older than 2110, update the device software before deploying.",
    },
    check: Check::Module(check),
};

fn check(ctx: &Context, module: &Module) -> Vec<Finding> {
    let Some(mode) = network_mode(module).filter(|_| is_host_network(module)) else {
        return Vec::new();
    };
    let at = module.create_options_at(mode.at.clone());
    let written = format!("`{}: {}`", mode.key, mode.shown());
    match ctx.device.ase_release() {
        Some(release) if release < HOST_NETWORK_SINCE => vec![
            Finding::new(
                &RULE,
                Some(module),
                at,
                format!(
                    "module `{}` uses the host network ({written}), which the managed IoT Edge of ASE {release} does not run (known issue until release {HOST_NETWORK_SINCE}): update the device software first",
                    module.name
                ),
            )
            .severity(Severity::Error)
            .step(
                format!("Update the device software to ASE {HOST_NETWORK_SINCE} or later"),
                format!(
                    "Releases before {HOST_NETWORK_SINCE} cannot run IoT Edge modules on the host network (ASE release notes 2101 and 2106, known issue 17; fixed in 2110). Install a current device update before deploying these modules."
                ),
                false,
            ),
        ],
        _ => vec![Finding::new(
            &RULE,
            Some(module),
            at,
            format!(
                "module `{}` uses the host network ({written}): this works from ASE {HOST_NETWORK_SINCE} on; the agent adds `dnsPolicy: ClusterFirstWithHostNet`, other modules need not follow",
                module.name
            ),
        )],
    }
}
