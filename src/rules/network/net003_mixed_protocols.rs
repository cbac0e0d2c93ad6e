//! NET003: one module with TCP and UDP ports behind the same Service.

use super::ports::{self, canonical_key, free_host_port, groups, is_host_network, is_read, mapping, ports_by_protocol};
use crate::manifest::Module;
use crate::manifest::model::HostPort;
use crate::rules::{Check, Context, Edit, Finding, FixAvailability, K8S, Rule, RuleDoc, Section, Severity, Suggestion};
use serde_json::{Map, Value};
use std::collections::{HashMap, HashSet};

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "NET003",
        section: Section::Network,
        severity: Severity::Error,
        fix: FixAvailability::Sometimes,
        targets: K8S,
        title: "TCP and UDP ports in one module",
        detects: "A module whose Service ports (host ports of its bindings and, off the host network, its exposed ports, which NET001 binds) use more than one protocol, e.g. `1883/tcp` and `1680/udp`. With a Service type of ClusterIP or NodePort, only the same port number on two protocols.",
        why: "The Kubernetes agent puts all of a module's ports into one Service, a LoadBalancer on ASE, and a LoadBalancer Service cannot mix protocols: the guide says port mappings for TCP and UDP in the same request do not work. The agent also keys the Service's ports by number, so the same number on TCP and UDP collapses into one port.",
        before: r#"{"ExposedPorts": {"1883/tcp": {}, "1680/udp": {}}, "HostConfig": {"PortBindings": {"1883/tcp": [{"HostPort": "1883"}], "1680/udp": [{"HostPort": "1680"}]}}}"#,
        after: r#"{"ExposedPorts": {"1883/tcp": {}}, "HostConfig": {"PortBindings": {"1883/tcp": [{"HostPort": "1883"}]}}}"#,
        fix_safety: "You choose: the proposed `PortBindings` keep the TCP ports and drop the UDP ones (from `ExposedPorts` too). If the UDP ports matter, move them to a separate module (a second module with the same image, or a small forwarder) instead, or type the UDP bindings to keep; then remove the other protocol's exposed ports yourself.",
    },
    check: Check::Module(check),
};

fn check(ctx: &Context, module: &Module) -> Vec<Finding> {
    if !ports::mixes_protocols(module, ctx.device) {
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
        let ports = by.get(proto).map(|p| p.iter().map(u16::to_string).collect::<Vec<_>>().join(", "));
        format!("{} {}", proto.to_ascii_uppercase(), ports.unwrap_or_default())
    };
    let dropped: Vec<&String> = by.keys().filter(|p| **p != keep).collect();
    let dropped_list = dropped.iter().map(|p| listing(p)).collect::<Vec<_>>().join("; ");
    let majority = dropped.iter().find(|p| by[p.as_str()].len() > by[keep.as_str()].len());

    let mut message = format!(
        "module `{}` has {} and {dropped_list} Service ports: a LoadBalancer Service cannot mix protocols, and one number on two protocols collapses into one port",
        module.name,
        listing(&keep)
    );
    if let Some(p) = majority {
        message.push_str(&format!(
            " (most of its ports are {}: keep those instead if they are the main service)",
            p.to_ascii_uppercase()
        ));
    }
    let pb = module.host_config().and_then(|h| h.port_bindings.as_ref()).map(|p| p.at.clone());
    let exposed = module.container().and_then(|c| c.exposed_ports.as_ref()).map(|e| e.at.clone());
    let finding =
        Finding::new(&RULE, Some(module), module.create_options_at(pb.or(exposed).unwrap_or_default()), message);
    let Some(pb_at) = ports::port_bindings_at(module) else {
        let mut f = finding;
        f.message.push_str(" (`HostConfig.PortBindings` is not an object: fix it by hand)");
        return vec![f];
    };

    // The module's new PortBindings: the kept protocol's bindings, one host port per container
    // port (what NET002 and NET004 would leave), plus a binding for each exposed port NET001 would
    // bind; keys the agent cannot read stay for NET002 to report.
    let mut kept = Map::new();
    let mut used: HashMap<u16, u16> = HashMap::new();
    for b in module.port_bindings().iter().filter(|b| !is_read(&b.port)) {
        kept.insert(b.port.key.clone(), b.value.clone());
    }
    let keep_groups: Vec<_> = groups(module).into_iter().filter(|g| g.protocol == keep).collect();
    let mut pending = Vec::new();
    for g in &keep_groups {
        let first = g.bindings.iter().find_map(|b| {
            let m = b
                .mappings
                .iter()
                .flatten()
                .find(|m| matches!(m.host_port(), HostPort::Port(_) | HostPort::Placeholder(_)))?;
            Some((b, m))
        });
        match first {
            Some((b, m)) => {
                if let HostPort::Port(h) = m.host_port() {
                    used.insert(h, g.port);
                }
                let value = b.value.as_array().and_then(|a| a.get(m.index)).cloned().unwrap_or_else(|| mapping(g.port));
                kept.insert(g.key().to_owned(), Value::Array(vec![value]));
            }
            None => pending.push((g.key().to_owned(), g.port)),
        }
    }
    let mut edits = Vec::new();
    if !is_host_network(module) {
        for e in module.exposed_ports().iter().filter(|e| is_read(e)) {
            let port = e.port.expect("read keys have a port");
            if e.protocol == keep {
                if !keep_groups.iter().any(|g| g.port == port) {
                    pending.push((canonical_key(port, &keep), port));
                }
            } else {
                edits.push(Edit::Remove { at: module.create_options_at(e.at.clone()) });
            }
        }
    }
    let mut seen = HashSet::new();
    for (key, port) in pending {
        if !seen.insert(port) {
            continue;
        }
        if let Some(h) = free_host_port(port, &used) {
            used.insert(h, port);
            kept.insert(key, Value::Array(vec![mapping(h)]));
        }
    }
    let value = Value::Object(kept);
    edits.insert(0, Edit::Set { at: module.create_options_at(pb_at), value: value.clone() });
    vec![
        finding.suggest_review(
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
