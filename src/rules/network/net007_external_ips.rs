//! NET007: each module with port bindings takes an external IP; offer ClusterIP, count the IPs.

use super::ports::{HostPort, bindings, is_host_network, port_bindings_object};
use crate::manifest::Module;
use crate::manifest::pointer;
use crate::rules::shared::k8s::{self, SECTION, has_invalid_type, is_internal_service, service_options, service_type};
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
        detects: "Each module (not edgeHub, not on the host network) with `PortBindings` whose Service would be a LoadBalancer (no `k8s-experimental.serviceOptions.type` of ClusterIP or NodePort), and, once per deployment, how many external IPs it needs.",
        why: "The Kubernetes agent creates one Service per module with port bindings, and on ASE its default type is LoadBalancer: each such module, and edgeHub, takes one IP from the device's \"Kubernetes external service IPs\" range, which is small (set in the device's compute network settings). A module that only other modules call needs no external IP: `serviceOptions.type: ClusterIP` keeps it reachable inside the cluster at `<module name>:<HostPort>`. A `HostIp` such as `127.0.0.1` or `172.17.0.1` kept a port off the network on Docker; the agent ignores it, so such a port becomes public unless the Service is ClusterIP.",
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
    let manifest = ctx.manifest;
    let mut out = Vec::new();
    let hub_internal = ctx.module("edgeHub").is_some_and(is_internal_service);
    let mut external: Vec<&str> = if hub_internal { Vec::new() } else { vec!["edgeHub"] };
    for m in manifest.modules.iter().filter(|m| !m.system && !is_host_network(m)) {
        if port_bindings_object(m).is_none_or(|pb| pb.is_empty()) || is_internal_service(m) {
            continue;
        }
        external.push(&m.name);
        // An unreadable type is NET009's to fix first; an explicit LoadBalancer is a choice made.
        if has_invalid_type(m) || service_type(m).is_some() {
            continue;
        }
        out.extend(finding(m));
    }
    let n = external.len();
    out.push(Finding::new(
        &RULE,
        None,
        crate::manifest::Location::Document(manifest.edge_agent_at()),
        format!(
            "the deployment needs {n} external IP{} from the device's Kubernetes external service IP range: {}",
            if n == 1 { "" } else { "s" },
            external.iter().map(|e| format!("`{e}`")).collect::<Vec<_>>().join(", ")
        ),
    ));
    out
}

fn finding(m: &Module) -> Option<Finding> {
    // Write into the keys as spelled, so no second spelling appears beside them.
    let section = m.create_options.object().and_then(|o| o.get(SECTION));
    if section.is_some_and(|s| !s.is_object()) {
        return None;
    }
    let (options_key, options) = match service_options(m) {
        Some((k, _, v)) => (k, Some(v)),
        None => ("serviceOptions", None),
    };
    if options.is_some_and(|o| !o.is_object()) {
        return None;
    }
    let type_key = service_type(m).map_or("type", |(k, _)| k);
    let rel = pointer::from_tokens("", [k8s::SECTION, options_key, type_key]);

    let all = bindings(m);
    let mut host_ports: Vec<String> = Vec::new();
    for h in all.iter().flat_map(|b| b.host_ports()) {
        let text = match h {
            HostPort::Valid(p) => p.to_string(),
            HostPort::Placeholder(p) => p,
            _ => continue,
        };
        if !host_ports.contains(&text) {
            host_ports.push(text);
        }
    }
    let ips: Vec<&str> =
        all.iter().flat_map(|b| b.mappings().iter().filter_map(|x| x.get("HostIp")?.as_str())).collect();
    let mappings = all.iter().map(|b| b.mappings().len()).sum::<usize>();
    let local = mappings > 0 && ips.len() == mappings && ips.iter().all(|ip| is_local_ip(ip));

    let ports = if host_ports.is_empty() {
        all.iter().map(|b| b.key).collect::<Vec<_>>().join(", ")
    } else {
        host_ports.join(", ")
    };
    let mut message = format!(
        "module `{}` binds host port{} {ports}: its Service is a LoadBalancer that takes one of the device's external IPs",
        m.name,
        if host_ports.len() == 1 { "" } else { "s" }
    );
    if local {
        message.push_str(&format!(
            "; on Docker `HostIp` {} kept it off the network, the agent ignores `HostIp`",
            ips.first().copied().unwrap_or_default()
        ));
    }
    Some(
        Finding::new(&RULE, Some(m), m.co_path("/HostConfig/PortBindings"), message).suggest_review(
            Suggestion::new(
                "keep it cluster-only (Service type ClusterIP) if no client outside the device needs it",
                vec![Edit::Set { at: m.co_path(&rel), value: Value::String("ClusterIP".into()) }],
            )
            .with_input("Service type", 0, "", local.then(|| Value::String("ClusterIP".into()))),
        ),
    )
}
