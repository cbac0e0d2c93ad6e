//! NET016 (TRAPS.md NEW-12): a LoadBalancer module that clients outside the device reach gets a
//! dynamic external IP: pin it, and repoint its clients.

use super::ports;
use crate::device::ServiceType;
use crate::manifest::model;
use crate::manifest::{Module, Pointer};
use crate::rules::shared::k8s;
use crate::rules::{Check, Context, Edit, Finding, FixAvailability, K8S, Rule, RuleDoc, Section, Severity, Suggestion};
use serde_json::Value;
use std::net::IpAddr;

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "NET016",
        section: Section::Network,
        severity: Severity::Info,
        fix: FixAvailability::Sometimes,
        targets: K8S,
        title: "LoadBalancer IP not pinned",
        detects: "TRAPS.md NEW-12. A module whose Service is a LoadBalancer and that clients outside the device reach: edgeHub (leaf devices, downstream devices), and any module whose `k8s-experimental.serviceOptions.type` is `LoadBalancer` (a choice made for outside clients; NET007 asks the question for the others), without `serviceOptions.loadBalancerIP`. An error when `loadBalancerIP` is set but is not an IP address, lies in ASE's default pod or service subnet (172.27.0.0/16, 172.28.0.0/16), or is pinned by two modules.",
        why: "On the FPGA device clients reached every module at the device's IP. On the GPU device each LoadBalancer Service, edgeHub's included, gets its own IP from the \"Kubernetes external service IPs\" range, assigned dynamically (ASE troubleshooting include `azure-stack-edge-iot-troubleshoot-compute-error-detail.md`, \"Configure static IPs for IoT Edge modules\": \"Kubernetes assigns dynamic IPs to each IoT Edge module\"; its fix is `serviceOptions.loadBalancerIP`). Cameras, PLC clients and downstream devices configured with an IP lose the module when it changes (TRAPS.md §1 #15). Downstream devices also need a `GatewayHostName` that resolves to edgeHub's IP and matches its certificate; certificates uploaded after compute was configured need iotedged and edgeHub restarted (release notes, issue 13).",
        before: r#"{"k8s-experimental": {"serviceOptions": {"type": "LoadBalancer"}}}"#,
        after: r#"{"k8s-experimental": {"serviceOptions": {"type": "LoadBalancer", "loadBalancerIP": "10.128.44.240"}}}"#,
        fix_safety: "Only you know a free address: one in the device's Kubernetes external service IP range (local web UI, Compute page), used by no other module. There is no default, so no policy takes the fix. Either way, the \"Before you deploy\" checklist lists the clients to repoint.",
    },
    check: Check::Manifest(check),
};

/// `serviceOptions.loadBalancerIP` (any case, as the agent reads it), with its place.
fn pinned(module: &Module) -> Option<(&Value, Pointer)> {
    let options = k8s::agent(module)?.service_options.as_ref()?;
    model::lookup(&options.value, &options.at, &["loadBalancerIP"])
}

/// What is wrong with a pinned IP, if anything.
fn invalid(ip: &Value) -> Option<String> {
    let Some(text) = ip.as_str() else { return Some(format!("`{ip}` is not an IP address")) };
    if crate::manifest::placeholder::contains_placeholder(text) {
        return None;
    }
    match text.trim().parse::<IpAddr>() {
        Err(_) => Some(format!("`{text}` is not an IP address")),
        Ok(IpAddr::V4(v4)) if crate::device::in_cluster_subnets(v4) => Some(format!(
            "`{text}` lies in ASE's default pod or service subnet (172.27.0.0/16, 172.28.0.0/16), not in the external service IP range"
        )),
        Ok(_) => None,
    }
}

fn check(ctx: &Context) -> Vec<Finding> {
    if !ctx.device.k8s_extensions {
        return Vec::new();
    }
    // The modules that reach outside clients through a LoadBalancer, with their pinned address.
    let mut reached = Vec::new();
    for m in &ctx.manifest.modules {
        let Some(service) = ports::service(m, ctx.device) else { continue };
        let edge_hub = m.system && m.name == "edgeHub";
        if service.kind == ServiceType::LoadBalancer && (edge_hub || service.explicit) {
            reached.push((m, edge_hub, pinned(m)));
        }
    }
    let text = |ip: &Value| ip.as_str().map(str::trim).unwrap_or_default().to_owned();
    let mut out = Vec::new();
    for (m, edge_hub, pin_at) in &reached {
        let Some((ip, at)) = pin_at else {
            out.extend(unpinned(m, *edge_hub));
            continue;
        };
        let mine = text(ip);
        let others: Vec<String> = reached
            .iter()
            .filter(|(o, _, p)| {
                o.name != m.name && !mine.is_empty() && p.as_ref().is_some_and(|(x, _)| text(x) == mine)
            })
            .map(|(o, _, _)| format!("`{}`", o.name))
            .collect();
        let problem = invalid(ip).or_else(|| {
            (!others.is_empty())
                .then(|| format!("`{mine}` is pinned by {} too: only one of the Services gets it", others.join(", ")))
        });
        if let Some(problem) = problem {
            out.push(
                Finding::new(
                    &RULE,
                    Some(m),
                    m.create_options_at(at.clone()),
                    format!("`{}`'s `loadBalancerIP` {problem}", m.name),
                )
                .severity(Severity::Error)
                .suggest(pin(
                    m,
                    at.clone(),
                    "pin an unused address of the external service IP range instead",
                )),
            );
        }
    }
    out
}

/// The suggestion: the engineer's address at `at`.
fn pin(m: &Module, at: Pointer, summary: &str) -> Suggestion {
    Suggestion::new(summary, vec![Edit::Set { at: m.create_options_at(at), value: Value::String(String::new()) }])
        .with_input("load balancer IP", 0, "", None)
}

fn unpinned(m: &Module, edge_hub: bool) -> Option<Finding> {
    let at = k8s::rel(m, &["serviceOptions", "loadBalancerIP"])?;
    let (who, action, detail) = if edge_hub {
        (
            "leaf devices and downstream devices",
            "Point leaf devices and downstream devices at edgeHub's external IP".to_owned(),
            "After the deployment, read edgeHub's external IP: `kubectl get svc -n iotedge` in the device's PowerShell interface (EXTERNAL-IP of `edgehub`). Each leaf or downstream device's `GatewayHostName` must resolve to that IP and match edgeHub's certificate; certificates uploaded after compute was configured need iotedged and edgeHub restarted (ASE release notes, issue 13).".to_owned(),
        )
    } else {
        (
            "its clients outside the device",
            format!("Point the clients of `{}` at its external IP", m.name),
            format!(
                "On the FPGA device clients reached `{}` at the device's IP; now its Service has its own address from the Kubernetes external service IP range. Read it after the deployment (`kubectl get svc -n iotedge` in the device's PowerShell interface, EXTERNAL-IP of `{}`) and reconfigure cameras, PLC clients and dashboards that call it.",
                m.name,
                m.name.to_ascii_lowercase()
            ),
        )
    };
    Some(
        Finding::new(
            &RULE,
            Some(m),
            m.create_options_at(at.clone()),
            format!(
                "`{}` is a LoadBalancer with a dynamically assigned external IP: {who} configured with an address lose it when the IP changes; pin one from the device's external service IP range",
                m.name
            ),
        )
        .suggest(pin(m, at, "pin the Service's external IP (`serviceOptions.loadBalancerIP`)"))
        .step(action, detail, false),
    )
}
