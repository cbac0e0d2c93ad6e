//! NET007: each LoadBalancer Service takes an external IP: offer ClusterIP, count the IPs, and say
//! when the device's range is too small.

use super::ports::{self, Service, is_host_network};
use crate::device::ServiceType;
use crate::manifest::model::HostPort;
use crate::manifest::{Location, Module};
use crate::rules::shared::k8s;
use crate::rules::{Check, Context, Edit, Finding, FixAvailability, K8S, Rule, RuleDoc, Section, Severity, Suggestion};
use serde_json::Value;

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "NET007",
        section: Section::Network,
        severity: Severity::Info,
        fix: FixAvailability::Sometimes,
        targets: K8S,
        title: "Port bindings take an external IP: keep cluster-only modules ClusterIP",
        detects: "Each custom module with `PortBindings` whose Service would be a LoadBalancer by default (no `k8s-experimental.serviceOptions.type`), host-network modules included; and, once per deployment, how many external IPs it needs: edgeHub when it has port bindings, and each module whose Service is a LoadBalancer. An error when the device profile's `external-ips` is smaller than that.",
        why: "The Kubernetes agent creates one Service per module with ports, and when the module has port bindings its type is the device's default, a LoadBalancer on ASE: each such module, edgeHub included, takes one IP from the device's \"Kubernetes external service IPs\" range, which is small (set in the device's compute network settings); a Service beyond the range gets no IP and stays `<pending>`. The agent ignores the network mode here: a host-network module with port bindings still gets its LoadBalancer Service. A module that only other modules call needs no external IP: `serviceOptions.type: ClusterIP` keeps it reachable inside the cluster at `<module name>:<HostPort>`. A `HostIp` such as `127.0.0.1` or `172.17.0.1` kept a port off the network on Docker; the agent ignores it, so such a port becomes public unless the Service is ClusterIP.",
        before: r#"{"HostConfig": {"PortBindings": {"8080/tcp": [{"HostPort": "8080"}]}}}"#,
        after: r#"{"HostConfig": {"PortBindings": {"8080/tcp": [{"HostPort": "8080"}]}}, "k8s-experimental": {"serviceOptions": {"type": "ClusterIP"}}}"#,
        fix_safety: "Only you know whether clients outside the device call the module: with ClusterIP they cannot. There is no default unless every binding was limited to a local `HostIp`, where ClusterIP keeps the Docker behaviour.",
    },
    check: Check::Manifest(check),
};

/// Host IPs that kept a Docker port binding off the network: loopback and the docker0 bridge.
fn is_local_ip(ip: &str) -> bool {
    let ip = ip.trim();
    ip.starts_with("127.") || ip == "::1" || ip.eq_ignore_ascii_case("localhost") || ip == "172.17.0.1"
}

fn check(ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut external: Vec<&str> = Vec::new();
    for m in ctx.manifest.modules.iter().filter(|m| !(m.system && m.name == "edgeAgent")) {
        let Some(service) = ports::service(m, ctx.device) else { continue };
        if service.kind != ServiceType::LoadBalancer {
            continue;
        }
        external.push(&m.name);
        // edgeHub serves leaf devices and clients outside the device; an unreadable type is
        // NET009's to fix first; an explicit LoadBalancer is a choice made.
        // Without `k8s-experimental` (the profile's `k8s-extensions` off) there is nothing to offer.
        if m.system || service.explicit || k8s::service_options(m).is_some() || !ctx.device.k8s_extensions {
            continue;
        }
        out.extend(finding(m, &service));
    }
    let n = external.len();
    if n == 0 {
        return out;
    }
    let list = external.iter().map(|e| format!("`{e}`")).collect::<Vec<_>>().join(", ");
    let at = Location::Document(ctx.manifest.edge_agent_at());
    out.push(match ctx.device.external_ips {
        Some(range) if n > range as usize => Finding::new(
            &RULE,
            None,
            at,
            format!(
                "the deployment needs {n} external IPs but the device's Kubernetes external service IP range holds {range}: {} of the LoadBalancer Services ({list}) get no IP and stay unreachable from outside; make modules that only other modules call ClusterIP, or widen the range in the device's compute network settings",
                n - range as usize
            ),
        )
        .severity(Severity::Error),
        range => Finding::new(
            &RULE,
            None,
            at,
            format!(
                "the deployment needs {n} external IP{} from the device's Kubernetes external service IP range{}: {list}",
                if n == 1 { "" } else { "s" },
                range.map_or_else(String::new, |r| format!(" (it holds {r})"))
            ),
        ),
    });
    out
}

fn finding(m: &Module, service: &Service) -> Option<Finding> {
    let pb = m.host_config()?.port_bindings.as_ref()?;
    // Written into the keys as spelled, so no second spelling appears beside them.
    let at = k8s::rel(m, &["serviceOptions", "type"])?;

    // Host ports in the order written: the ones the Service has, and placeholders filled in later.
    let mappings: Vec<_> = m.port_bindings().iter().flat_map(|b| b.mappings.iter().flatten()).collect();
    let mut host_ports: Vec<String> = Vec::new();
    for h in mappings.iter().map(|x| x.host_port()) {
        let text = match h {
            HostPort::Port(p) if service.port(p).is_some_and(|s| s.from_binding) => p.to_string(),
            HostPort::Placeholder(p) => p,
            _ => continue,
        };
        if !host_ports.contains(&text) {
            host_ports.push(text);
        }
    }
    let ips: Vec<&str> = mappings.iter().filter_map(|x| x.host_ip.as_ref()?.text()).collect();
    let local = !mappings.is_empty() && ips.len() == mappings.len() && ips.iter().all(|ip| is_local_ip(ip));

    let ports = if host_ports.is_empty() {
        m.port_bindings().iter().map(|b| b.port.key.as_str()).collect::<Vec<_>>().join(", ")
    } else {
        host_ports.join(", ")
    };
    let mut message = format!(
        "module `{}` binds host port{} {ports}: its Service is a LoadBalancer that takes one of the device's external IPs",
        m.name,
        if host_ports.len() == 1 { "" } else { "s" }
    );
    if is_host_network(m) {
        message.push_str(" (the agent makes it for a host-network module too)");
    }
    if local {
        message.push_str(&format!(
            "; on Docker `HostIp` {} kept it off the network, the agent ignores `HostIp`",
            ips.first().copied().unwrap_or_default()
        ));
    }
    Some(
        Finding::new(&RULE, Some(m), m.create_options_at(pb.at.clone()), message).suggest_review(
            Suggestion::new(
                "keep it cluster-only (Service type ClusterIP) if no client outside the device needs it",
                vec![Edit::Set { at: m.create_options_at(at), value: Value::String("ClusterIP".into()) }],
            )
            .with_input("Service type", 0, "", local.then(|| Value::String("ClusterIP".into()))),
        ),
    )
}
