//! NET017 (TRAPS.md NEW-24): cameras and PLCs at private addresses, which pods reach through the
//! Kubernetes VMs on the compute port only.

use super::addresses::{Text, dotted_numbers};
use crate::manifest::placeholder::placeholder_ranges;
use crate::rules::{Check, Context, Finding, FixAvailability, K8S, Rule, RuleDoc, Section, Severity};
use std::net::Ipv4Addr;

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "NET017",
        section: Section::Network,
        severity: Severity::Info,
        fix: FixAvailability::Never,
        targets: K8S,
        title: "Camera or PLC on a private network: check the compute port's routes",
        detects: "TRAPS.md NEW-24. In `env` values, createOptions `Env` values, `Cmd` and `Entrypoint` arguments and twin desired properties: a device address at a private IPv4 address (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16; not the Docker bridges, which NET012 reports, nor ASE's pod and service subnets): after `rtsp://`, `rtsps://`, `rtmp://`, `opc.tcp://`, `modbus://`, `modbus+tcp://` or `s7://`, or with an industrial port (554 RTSP, 502 Modbus, 4840 OPC UA, 102 S7, 44818 EtherNet/IP). One finding per setting.",
        why: "On the FPGA device, modules ran on the device's own Docker and reached cameras and PLCs through any of the device's ports. On the GPU device, pods run in the Kubernetes VMs, which sit only on the virtual switch of the port compute is enabled on, and their traffic follows the Kubernetes VMs' routes (ASE \"Kubernetes networking\" article: port 3 \"connected to a private network that has cameras and other sensors\"; routes on the Kubernetes VMs are added with `Add-HcsNetRoute`, only from the device's PowerShell interface). A flat subnet needs nothing; a camera on another subnet of the private network needs a route. The manifest cannot tell which, so this is advice (TRAPS.md §1 #29).",
        before: r#"{"env": {"CAMERA_URL": {"value": "rtsp://192.168.20.14:554/stream1"}}}"#,
        after: r#"{"env": {"CAMERA_URL": {"value": "rtsp://192.168.20.14:554/stream1"}}}"#,
        fix_safety: "Nothing to change in the manifest. If the address is on another subnet than the compute port, add a route on the Kubernetes VMs before deploying (the \"Before you deploy\" checklist gives the command).",
    },
    check: Check::Manifest(check),
};

/// Schemes of camera and field-bus protocols.
const SCHEMES: [&str; 7] = ["rtsp://", "rtsps://", "rtmp://", "opc.tcp://", "modbus://", "modbus+tcp://", "s7://"];
/// Ports of camera and field-bus protocols.
const PORTS: [u16; 5] = [554, 502, 4840, 102, 44818];

fn check(ctx: &Context) -> Vec<Finding> {
    ctx.addresses().module_texts().filter_map(finding).collect()
}

/// A private address outside the Docker bridges (NET012) and ASE's cluster subnets.
fn is_device_network(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    ip.is_private() && !(a == 172 && matches!(b, 17 | 18)) && !crate::device::in_cluster_subnets(ip)
}

/// Every device address in `text`: the IP, in order, once each.
fn device_addresses(text: &str) -> Vec<Ipv4Addr> {
    let lower = text.to_ascii_lowercase();
    let held = placeholder_ranges(text);
    let mut out = Vec::new();
    for (start, end) in dotted_numbers(text) {
        let Ok(ip) = text[start..end].parse::<Ipv4Addr>() else { continue };
        if !is_device_network(ip) || held.iter().any(|&(s, e)| s < end && start < e) {
            continue;
        }
        let scheme = after_scheme(&lower[..start]);
        let port = text[end..]
            .strip_prefix(':')
            .map(|r| r.bytes().take_while(u8::is_ascii_digit).count())
            .and_then(|n| text[end + 1..end + 1 + n].parse::<u16>().ok());
        if (scheme || port.is_some_and(|p| PORTS.contains(&p))) && !out.contains(&ip) {
            out.push(ip);
        }
    }
    out
}

/// `before` ends with one of [`SCHEMES`], possibly followed by credentials (`user:pw@`).
fn after_scheme(before: &str) -> bool {
    let Some(sep) = before.rfind("://") else { return false };
    let credentials = &before[sep + 3..];
    let bare = credentials.is_empty() || (credentials.ends_with('@') && !credentials.contains(['/', ' ']));
    bare && SCHEMES.iter().any(|s| before[..sep + 3].ends_with(s))
}

fn finding(t: &Text<'_>) -> Option<Finding> {
    let found = device_addresses(&t.text);
    if found.is_empty() {
        return None;
    }
    let list = found.iter().map(|ip| format!("`{ip}`")).collect::<Vec<_>>().join(", ");
    let owner = t.owner.map_or_else(String::new, |m| format!(" of `{}`", m.name));
    let first = found[0];
    let [a, b, c, _] = first.octets();
    let mut finding = Finding::new(
        &RULE,
        t.owner,
        t.at.clone(),
        format!(
            "{}{owner} reaches a camera or field device at {list}: on the GPU device pods reach {} through the Kubernetes VMs on the compute port; if it is on another subnet, add a route with `Add-HcsNetRoute`",
            t.what(),
            if found.len() == 1 { "it" } else { "them" }
        ),
    );
    finding = finding.step(
        format!("Make sure the Kubernetes VMs reach {}", found.iter().map(Ipv4Addr::to_string).collect::<Vec<_>>().join(", ")),
        format!(
            "Nothing to do when the address is on the compute port's subnet. Otherwise, in the device's PowerShell interface: `Add-HcsNetRoute -InterfaceAlias \"<compute port, e.g. Port3>\" -DestinationPrefix \"<its subnet, e.g. {a}.{b}.{c}.0/24>\" -NextHop \"<gateway on the compute network>\" -RouteMetric 100`; check with `Get-HcsNetRoute` (ASE \"Kubernetes networking\" article, Change routing on compute network)."
        ),
        false,
    );
    Some(finding)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_device_addresses_by_scheme_or_port() {
        let ips = |t: &str| device_addresses(t).iter().map(Ipv4Addr::to_string).collect::<Vec<_>>();
        assert_eq!(ips("rtsp://admin:pw@192.168.20.14/stream1"), ["192.168.20.14"]);
        assert_eq!(ips("opc.tcp://10.1.2.3:4840,opc.tcp://10.1.2.3:4840"), ["10.1.2.3"]);
        assert_eq!(ips("plc=172.20.0.9:502"), ["172.20.0.9"]);
        assert!(ips("http://10.16.8.4:3128").is_empty(), "a proxy is not a device");
        assert!(ips("rtsp://172.18.0.5:554 rtsp://8.8.8.8/x rtsp://rtspsim:554 ${CAM}").is_empty());
        assert!(ips("rtsp://172.27.1.1/x 10.0.0.1.5:554").is_empty());
    }
}
