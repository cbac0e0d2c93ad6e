//! NET004: one container port bound to several host ports.

use super::ports::{self, HostPort, bindings};
use crate::manifest::Module;
use crate::rules::{Check, Context, Edit, Finding, FixAvailability, K8S, Rule, RuleDoc, Section, Severity, Suggestion};

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "NET004",
        section: Section::Network,
        severity: Severity::Error,
        fix: FixAvailability::Sometimes,
        targets: K8S,
        title: "Two host ports mapped to the same container port",
        detects: "A container port and protocol (`80/tcp`) bound to two or more different host ports, in one `PortBindings` entry or in two entries whose keys differ only in case (`80/tcp`, `80/TCP`). The same host port written twice (Docker's IPv4 + IPv6 pair) is fine.",
        why: "The Kubernetes agent names each Service port `hostport-<container port>-<protocol>`, so two host ports for one container port give the Service two ports with the same name, and Kubernetes rejects the Service: the module gets no Service at all. Keep one host port (the first, which clients most likely use).",
        before: r#"{"HostConfig": {"PortBindings": {"80/tcp": [{"HostPort": "80"}, {"HostPort": "8080"}]}}}"#,
        after: r#"{"HostConfig": {"PortBindings": {"80/tcp": [{"HostPort": "80"}]}}}"#,
        fix_safety: "Check the clients: anything that used the dropped host port must use the kept one (module-to-module addresses are rewritten by NET008).",
    },
    check: Check::Module(check),
};

/// One container port and protocol: the host port kept, and the mappings to drop (pointer, host port).
struct Group<'a> {
    port: (u16, &'a str),
    kept: u16,
    drop: Vec<(String, u16)>,
}

fn check(_ctx: &Context, module: &Module) -> Vec<Finding> {
    if ports::mixes_protocols(module) {
        return Vec::new();
    }
    let all: Vec<_> = bindings(module)
        .into_iter()
        // Keys without a protocol are rewritten whole by NET002 (which keeps one mapping).
        .filter(|b| b.port.is_some() && b.protocol.is_some() && !b.is_placeholder())
        .collect();
    // A placeholder host port cannot be compared: leave that container port alone.
    let unknown: Vec<(u16, &str)> = all
        .iter()
        .filter(|b| b.host_ports().iter().any(|h| matches!(h, HostPort::Placeholder(_))))
        .filter_map(|b| Some((b.port?, b.proto())))
        .collect();
    let mut groups: Vec<Group<'_>> = Vec::new();
    for b in &all {
        let Some(port) = b.port else { continue };
        let key = (port, b.proto());
        if unknown.contains(&key) {
            continue;
        }
        for (i, h) in b.host_ports().iter().enumerate() {
            let Some(host) = h.number() else { continue };
            match groups.iter_mut().find(|g| g.port == key) {
                None => groups.push(Group { port: key, kept: host, drop: Vec::new() }),
                Some(g) if g.kept != host => g.drop.push((b.mapping_rel(i), host)),
                Some(_) => {}
            }
        }
    }
    groups
        .into_iter()
        .filter(|g| !g.drop.is_empty())
        .map(|Group { port: (port, proto), kept, drop }| {
            let others: Vec<String> = drop.iter().map(|(_, h)| h.to_string()).collect();
            Finding::new(
                &RULE,
                Some(module),
                module.co_path(&drop[0].0),
                format!(
                    "container port {port}/{proto} is bound to host ports {kept} and {}: the Service would get duplicate port names",
                    others.join(", ")
                ),
            )
            .suggest(Suggestion::new(
                format!("keep host port {kept}, drop {}", others.join(", ")),
                drop.iter().map(|(rel, _)| Edit::Remove { at: module.co_path(rel) }).collect(),
            ))
        })
        .collect()
}
