//! NET103 (VM): a Docker network the module joins that the VM's moby may not have.

use super::vm::{self, EDGE_NETWORK};
use crate::manifest::placeholder::contains_placeholder;
use crate::manifest::{Location, Module};
use crate::rules::{Check, Context, Finding, FixAvailability, Rule, RuleDoc, Section, Severity, VM};

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "NET103",
        section: Section::Network,
        severity: Severity::Warning,
        fix: FixAvailability::Never,
        targets: VM,
        title: "Docker network that must exist in the VM",
        detects: "`HostConfig.NetworkMode`, or a key of `NetworkingConfig.EndpointsConfig`, naming a network other than `host`, `bridge` or `azure-iot-edge` (`default`, `none`, `container:<name>` and placeholders are left alone; a host-network module's endpoints are NET102's). Docker compares network names exactly, so `Host` or `Bridge` is a user network too.",
        why: "moby in the VM starts with its own `bridge`, `host` and `none` networks, and IoT Edge creates `azure-iot-edge`; any other network the module joins was created by hand on the FPGA device and does not exist in a new VM, so the container fails to start (\"network … not found\") until it is created there (VM-TARGET.md §7, NET103). A network name that differs from `host` or `bridge` only in case is not that network for Docker: it is a user network that almost certainly never existed, so the module did not start on the FPGA device either.",
        before: r#"{"HostConfig": {"NetworkMode": "plant-net"}}"#,
        after: r#"{"HostConfig": {"NetworkMode": "plant-net"}}"#,
        fix_safety: "Manual: create the network in the VM (`docker network create`, with the driver and subnet it had on the FPGA device) before deploying, or move the module to `azure-iot-edge`. For a misspelled `Host` or `Bridge`, write it in lower case.",
    },
    check: Check::Module(check),
};

/// The networks every VM has: moby's own and the IoT Edge network.
const KNOWN: [&str; 3] = ["host", "bridge", EDGE_NETWORK];

/// A `NetworkMode` that names no network: the default, none, or another container's stack.
fn names_no_network(mode: &str) -> bool {
    let mode = mode.trim();
    mode.is_empty() || mode == "default" || mode == "none" || mode.starts_with("container:")
}

fn check(_ctx: &Context, module: &Module) -> Vec<Finding> {
    let mut out = Vec::new();
    if let Some(mode) = super::ports::network_mode(module)
        && let Some(name) = mode.text()
        && !names_no_network(name)
        && !KNOWN.contains(&name)
        && !contains_placeholder(name)
    {
        out.push(finding(module, module.create_options_at(mode.at.clone()), &format!("`{}: {name}`", mode.key), name));
    }
    if !vm::is_host_network(module)
        && let Some((value, at)) = vm::endpoints_config(module)
        && let Some(endpoints) = value.as_object()
    {
        for name in endpoints.keys().filter(|n| !KNOWN.contains(&n.as_str()) && !contains_placeholder(n)) {
            out.push(finding(
                module,
                module.create_options_at(at.child(name)),
                &format!("`EndpointsConfig` entry `{name}`"),
                name,
            ));
        }
    }
    out
}

fn finding(module: &Module, at: Location, what: &str, name: &str) -> Finding {
    let meant = KNOWN.iter().find(|k| k.eq_ignore_ascii_case(name.trim()) && **k != name);
    let message = match meant {
        Some(k) => format!(
            "module `{}`: {what} is not the `{k}` network for Docker, which compares network names exactly: it names a user network `{name}`, which no VM has; write `{k}`",
            module.name
        ),
        None => format!(
            "module `{}`: {what} names the Docker network `{name}`, which a new VM does not have: create it in the VM's moby before deploying, or the container fails to start",
            module.name
        ),
    };
    let finding = Finding::new(&RULE, Some(module), at, message);
    match meant {
        Some(_) => finding,
        None => finding.step(
            format!("Create the Docker network `{name}` in the VM"),
            format!(
                "`sudo docker network create {name}` in the VM (with the driver, subnet and options the network had on the FPGA device: `docker network inspect {name}` there) before the deployment reaches it."
            ),
            false,
        ),
    }
}
