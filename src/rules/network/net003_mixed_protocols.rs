//! NET003: one module with TCP and UDP ports behind the same Service.

use super::ports::{self, bindings, exposed_ports, is_host_network, mapping, ports_by_protocol};
use crate::manifest::Module;
use crate::manifest::pointer;
use crate::rules::{Check, Context, Edit, Finding, FixAvailability, K8S, Rule, RuleDoc, Section, Severity, Suggestion};
use serde_json::{Map, Value};

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "NET003",
        section: Section::Network,
        severity: Severity::Error,
        fix: FixAvailability::Sometimes,
        targets: K8S,
        title: "TCP and UDP ports in one module",
        detects: "A module whose port bindings (and, off the host network, exposed ports, which NET001 binds) use more than one protocol, e.g. `1883/tcp` and `1680/udp`. With `serviceOptions.type` ClusterIP or NodePort, only the same port number on two protocols.",
        why: "The Kubernetes agent puts all of a module's ports into one Service, a LoadBalancer on ASE, and a LoadBalancer Service cannot mix protocols: the guide says port mappings for TCP and UDP in the same request do not work. The agent also keys the Service's ports by number, so the same number on TCP and UDP collapses into one port.",
        before: r#"{"ExposedPorts": {"1883/tcp": {}, "1680/udp": {}}, "HostConfig": {"PortBindings": {"1883/tcp": [{"HostPort": "1883"}], "1680/udp": [{"HostPort": "1680"}]}}}"#,
        after: r#"{"ExposedPorts": {"1883/tcp": {}}, "HostConfig": {"PortBindings": {"1883/tcp": [{"HostPort": "1883"}]}}}"#,
        fix_safety: "You choose: the proposed `PortBindings` keep the TCP ports and drop the UDP ones (from `ExposedPorts` too). If the UDP ports matter, move them to a separate module (a second module with the same image, or a small forwarder) instead, or type the UDP bindings to keep; then remove the other protocol's exposed ports yourself.",
    },
    check: Check::Module(check),
};

fn check(_ctx: &Context, module: &Module) -> Vec<Finding> {
    if !ports::mixes_protocols(module) {
        return Vec::new();
    }
    let by = ports_by_protocol(module);
    // Keep TCP (what most clients speak); without TCP, the protocol with the most ports.
    let keep = if by.contains_key("tcp") {
        "tcp".to_owned()
    } else {
        by.iter().max_by_key(|(_, ports)| ports.len()).map(|(p, _)| p.clone()).unwrap_or_default()
    };
    let listing = |proto: &str| {
        format!("{} {}", proto.to_ascii_uppercase(), by.get(proto).map(|p| p.join(", ")).unwrap_or_default())
    };
    let dropped: Vec<&String> = by.keys().filter(|p| **p != keep).collect();
    let dropped_list = dropped.iter().map(|p| listing(p)).collect::<Vec<_>>().join("; ");
    let majority = dropped.iter().find(|p| by[p.as_str()].len() > by[keep.as_str()].len());

    // The module's new PortBindings: the kept protocol's bindings, cleaned up the way NET002 and
    // NET004 would, plus a binding for each exposed port NET001 would bind.
    let mut kept = Map::new();
    for b in bindings(module) {
        if b.is_placeholder() || b.port.is_none() || !ports::known_protocol(b.proto()) {
            kept.insert(b.key.to_owned(), b.value.clone());
        } else if b.proto() == keep {
            kept.entry(b.normalized_key()).or_insert_with(|| b.cleaned());
        }
    }
    let mut edits = Vec::new();
    if !is_host_network(module) {
        for e in exposed_ports(module) {
            let Some(port) = e.port.filter(|_| ports::known_protocol(&e.protocol)) else { continue };
            if e.protocol == keep {
                kept.entry(format!("{port}/{keep}")).or_insert_with(|| Value::Array(vec![mapping(port)]));
            } else {
                edits.push(Edit::Remove { at: module.co_path(pointer::from_tokens("", ["ExposedPorts", e.key])) });
            }
        }
    }
    let value = Value::Object(kept);
    edits.insert(0, Edit::Set { at: module.co_path("/HostConfig/PortBindings"), value: value.clone() });

    let mut message = format!(
        "module `{}` has {} and {dropped_list} ports behind one Service: a LoadBalancer Service cannot mix protocols",
        module.name,
        listing(&keep)
    );
    if let Some(p) = majority {
        message.push_str(&format!(
            " (most of its ports are {}: keep those instead if they are the main service)",
            p.to_ascii_uppercase()
        ));
    }
    let at = if ports::port_bindings_object(module).is_some() { "/HostConfig/PortBindings" } else { "/ExposedPorts" };
    if !ports::port_bindings_writable(module) {
        message.push_str(" (`HostConfig.PortBindings` is not an object: fix it by hand)");
        return vec![Finding::new(&RULE, Some(module), module.co_path(at), message)];
    }
    vec![
        Finding::new(&RULE, Some(module), module.co_path(at), message).suggest_review(
            Suggestion::new(
                format!(
                    "keep the {} ports and drop {dropped_list}; or move those to a separate module",
                    keep.to_ascii_uppercase()
                ),
                edits,
            )
            .with_input("port bindings to keep", 0, "", Some(value)),
        ),
    ]
}
