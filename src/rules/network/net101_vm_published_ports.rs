//! NET101 (VM): what the deployment publishes on the VM's IP, and the clients to repoint.

use super::vm::{self, EDGE_HUB_PORTS};
use crate::manifest::Location;
use crate::manifest::model::HostPort;
use crate::rules::{Check, Context, Finding, FixAvailability, Rule, RuleDoc, Section, Severity, VM};

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "NET101",
        section: Section::Network,
        severity: Severity::Info,
        fix: FixAvailability::Never,
        targets: VM,
        title: "Published ports move to the VM's IP address",
        detects: "Once per deployment, when any module (edgeHub included) has `PortBindings` or is on the host network: the host ports each module publishes, listed per module.",
        why: "In the VM, moby publishes every module's `PortBindings` on the VM's own IP address: there is no LoadBalancer, no per-module IP and no Kubernetes external service IP range to reserve (VM-TARGET.md §3; the GPU-extension article says the Kubernetes IPs can be skipped when Kubernetes is not needed). edgeHub's usual bindings take 443, 5671 and 8883 on the VM. Every client outside the VM (cameras pushing to a module, PLC clients, dashboards) and every leaf device must be pointed at the VM instead of the FPGA device; leaf devices also need the VM's gateway hostname and its new edge CA, because the VM is a new IoT Edge device (Microsoft's move-to-self-managed article, step 6). The VM's NIC takes a static or a dynamic IP on the compute port's virtual switch (portal VM creation): give it a static one, or clients lose it when it changes.",
        before: r#"{"edgeHub": {"PortBindings": {"8883/tcp": [{"HostPort": "8883"}]}}, "camera": {"PortBindings": {"80/tcp": [{"HostPort": "8080"}]}}}"#,
        after: r#"{"edgeHub": {"PortBindings": {"8883/tcp": [{"HostPort": "8883"}]}}, "camera": {"PortBindings": {"80/tcp": [{"HostPort": "8080"}]}}}"#,
        fix_safety: "Nothing to change in the manifest: the \"Before you deploy\" checklist gets the step (static IP for the VM, the ports to reach, the clients and leaf devices to repoint).",
    },
    check: Check::Manifest(check),
};

fn check(ctx: &Context) -> Vec<Finding> {
    let listing = vm::listing(ctx);
    if listing.is_empty() {
        return Vec::new();
    }
    let per_module: Vec<String> = listing
        .values()
        .map(|(name, ports)| {
            if ports.is_empty() {
                format!("`{name}` on the host network (every port it listens on)")
            } else {
                format!("`{name}` {}", ports.join(", "))
            }
        })
        .collect();
    let mut message = format!(
        "the modules publish on the VM's IP address: {}; clients outside the VM and leaf devices must use the VM's (static) IP",
        per_module.join("; ")
    );
    if let Some(hub) = ctx.manifest.modules.iter().find(|m| m.system && m.name == "edgeHub") {
        let published: Vec<u16> = hub
            .port_bindings()
            .iter()
            .flat_map(|b| b.mappings.iter().flatten())
            .filter_map(|x| match x.host_port() {
                HostPort::Port(p) => Some(p),
                _ => None,
            })
            .collect();
        let missing: Vec<String> =
            EDGE_HUB_PORTS.iter().filter(|p| !published.contains(p)).map(u16::to_string).collect();
        if !vm::is_host_network(hub) && !missing.is_empty() {
            message.push_str(&format!(
                "; edgeHub does not publish {}: leaf devices cannot reach it over {}",
                missing.join(", "),
                if missing.len() == 1 { "that port" } else { "those ports" }
            ));
        }
    }
    let detail = format!(
        "Create the VM with a static IP on the compute port's virtual switch (portal: the VM's network interface). No Kubernetes external service IP range is needed. Ports published on that IP: {}. Point every client outside the VM at it, and reconfigure each leaf device for the VM as its gateway (new gateway hostname and edge CA: the VM is a new IoT Edge device).",
        per_module.join("; ")
    );
    vec![Finding::new(&RULE, None, Location::Document(ctx.manifest.edge_agent_at()), message).step(
        "Give the VM a static IP and point clients and leaf devices at it",
        detail,
        false,
    )]
}
