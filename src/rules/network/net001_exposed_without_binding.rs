//! NET001: an exposed port with no host port binding.

use super::ports::{self, Plan, Purpose, canonical_key, is_bound, is_host_network, is_read, mapping};
use crate::device::ServiceType;
use crate::manifest::Module;
use crate::manifest::placeholder::contains_placeholder;
use crate::rules::{Check, Context, Edit, Finding, FixAvailability, K8S, Rule, RuleDoc, Section, Severity, Suggestion};
use serde_json::Value;

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "NET001",
        section: Section::Network,
        severity: Severity::Warning,
        fix: FixAvailability::Sometimes,
        targets: K8S,
        title: "Exposed port without a host port binding",
        detects: "An `ExposedPorts` port (`\"8080/tcp\": {}`) with no `HostConfig.PortBindings` entry for the same port and protocol, in a module that is not on the host network. Also an `ExposedPorts` key the agent cannot read: not `<port>/<protocol>` (ignored), or a number outside 1–65535 (the Service is rejected).",
        why: "The guide requires a `HostPort` for a port to be exposed inside and outside the cluster and for module-to-module traffic. The agent itself is more lenient: an exposed port becomes a Service port of the same number, so other modules reach `<module>:<port>`, but on a Service that is cluster-only (ClusterIP) when the module has no bindings at all. With a binding the Service listens on the `HostPort` and, as a LoadBalancer on ASE, on an external IP (NET007). On the host network no binding is needed.",
        before: r#"{"ExposedPorts": {"8080/tcp": {}}}"#,
        after: r#"{"ExposedPorts": {"8080/tcp": {}}, "HostConfig": {"PortBindings": {"8080/tcp": [{"HostPort": "8080"}]}}}"#,
        fix_safety: "Safe when the module already has bindings (its Service is already a LoadBalancer and already answers on that number): the binding only names the port. Needs review when it gives the module its first binding: the Service changes from cluster-only to the device's default type (a LoadBalancer on ASE), so the port becomes reachable from outside the device and takes an external IP, which it never was on Docker; keep it cluster-only with NET007's ClusterIP if nothing outside needs it. A host port other than the container port (the number is taken, reserved or the proxy's) is proposed for you to confirm.",
    },
    check: Check::Module(check),
};

fn check(ctx: &Context, module: &Module) -> Vec<Finding> {
    let mut out: Vec<Finding> = module.exposed_ports().iter().filter_map(|e| unreadable(module, e)).collect();
    if is_host_network(module) || ports::mixes_protocols(module, ctx.device) {
        return out;
    }
    let unbound: Vec<_> = module
        .exposed_ports()
        .iter()
        .filter(|e| is_read(e) && !is_bound(module, e.port.expect("read keys have a port"), &e.protocol))
        .collect();
    if unbound.is_empty() {
        return out;
    }
    let plan = Plan::of(module, ctx.device);
    let service = ports::service(module, ctx.device);
    let at = ports::port_bindings_at(module);
    // The first binding turns a cluster-only Service into the device's default type.
    let opens = !module.port_bindings().iter().any(|b| is_read(&b.port))
        && ports::explicit_service_type(module, ctx.device).is_none()
        && ctx.device.service_type != ServiceType::ClusterIP;
    for e in unbound {
        let port = e.port.expect("read keys have a port");
        let key = canonical_key(port, &e.protocol);
        let agent = match service.as_ref().and_then(|s| s.port(port)) {
            Some(p) if p.from_binding => {
                format!("the agent gives it no Service port, host port {port} forwards to container port {}", p.target)
            }
            _ if opens => format!("the agent gives it only a Service port {port} on a cluster-only Service"),
            _ => format!("the agent gives it only a Service port {port}"),
        };
        let mut finding = Finding::new(
            &RULE,
            Some(module),
            module.create_options_at(e.at.clone()),
            format!("exposed port `{}` has no `PortBindings` entry: the guide asks for a host port; {agent}", e.key),
        );
        let (Some(at), Some(host)) = (&at, plan.get(Purpose::Bind, &e.at)) else {
            finding.message.push_str(" (`HostConfig.PortBindings` is not an object: add the binding by hand)");
            out.push(finding);
            continue;
        };
        let edit = Edit::Set { at: module.create_options_at(at.child(&key)), value: Value::Array(vec![mapping(host)]) };
        let suggestion = if host != port {
            Suggestion::new(
                format!("bind `{key}` to host port {host} (port {port} is taken, reserved, or the proxy's)"),
                vec![edit],
            )
            .with_input("host port", 0, "/0/HostPort", Some(host.to_string().into()))
        } else if opens {
            Suggestion::new(
                format!("bind `{key}` to host port {host}: the module's Service becomes a {} reachable from outside the device", ctx.device.service_type.name()),
                vec![edit],
            )
            .review()
        } else {
            Suggestion::new(format!("bind `{key}` to host port {host}"), vec![edit])
        };
        out.push(finding.suggest(suggestion));
    }
    out
}

/// An `ExposedPorts` key the agent cannot use: skipped when it is not `<port>/<protocol>`, a
/// rejected Service when the number is out of range.
fn unreadable(module: &Module, e: &crate::manifest::model::PortKey) -> Option<Finding> {
    if e.read_by_agent() || contains_placeholder(&e.key) {
        return None;
    }
    let number = e.key.split('/').next().unwrap_or("").trim();
    let at = module.create_options_at(e.at.clone());
    Some(if e.port.is_none() && number.parse::<i64>().is_ok() {
        Finding::new(
            &RULE,
            Some(module),
            at,
            format!("exposed port `{}` is not a port number (1–65535): Kubernetes rejects the module's Service", e.key),
        )
        .severity(Severity::Error)
    } else {
        Finding::new(
            &RULE,
            Some(module),
            at,
            format!("exposed port `{}` is not `<port>/<protocol>` (tcp, udp or sctp): the agent ignores it", e.key),
        )
    })
}
