//! PRX003: a module using port 35000 or 35001, the ports of the IoT Edge proxy side-car.

use crate::manifest::model::{HostPort, PortBinding, PortKey};
use crate::manifest::{Manifest, Module};
use crate::rules::{
    Check, Context, Edit, Finding, FixAvailability, K8S, PortPlace, RefusedPort, Rule, RuleDoc, Section, Severity,
    Suggestion,
};
use std::collections::BTreeSet;

pub use crate::device::PROXY_PORTS;
use crate::device::RESERVED_HOST_PORTS as RESERVED;

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "PRX003",
        section: Section::Proxy,
        severity: Severity::Error,
        fix: FixAvailability::Always,
        targets: K8S,
        title: "Module port 35000 or 35001, used by the IoT Edge proxy on Kubernetes",
        detects: "Port 35000 or 35001 as a container port (an `ExposedPorts` or `PortBindings` key, any spelling of either: error) or as a `HostPort` of another container port (warning). A port the module listens on without declaring it cannot be seen in the manifest.",
        why: "Every module pod has an IoT Edge proxy side-car listening on localhost:35000 and 35001, in the network namespace the module's container shares: a module listening on either port conflicts with it, and one of the two fails to bind. A host port of 35000/35001 is the module's Service port, which does not share the pod's ports, but the guide asks to keep both numbers free, and clients of the module must change with it.",
        before: r#"{"ExposedPorts": {"35000/tcp": {}}, "HostConfig": {"PortBindings": {"35000/tcp": [{"HostPort": "35000"}]}}}"#,
        after: r#"{"ExposedPorts": {"35002/tcp": {}}, "HostConfig": {"PortBindings": {"35002/tcp": [{"HostPort": "35002"}]}}}"#,
        fix_safety: "Confirm the port. The proposal is the next one above 35001 that no module of the deployment uses (nor 31000/31001). A container port is one number in several places: the port typed is written in `ExposedPorts`, the `PortBindings` key and any proxy-port `HostPort` at once, keys keeping their protocol; the module itself must then listen on the new port (its configuration or image). A `HostPort` alone takes the port typed; clients that used the old port must change too. A typed port that is 35000/35001, reserved on the device (31000/31001) or already used by the module is refused.",
    },
    check: Check::Manifest(check),
};

/// One container port 35000/35001 (with its protocol) of a module: every key that declares it.
struct Declared<'m> {
    port: u16,
    protocol: &'m str,
    exposed: Vec<&'m PortKey>,
    bindings: Vec<&'m PortBinding>,
}

fn check(ctx: &Context) -> Vec<Finding> {
    let mut free = used_ports(ctx.manifest);
    let mut out = Vec::new();
    for module in &ctx.manifest.modules {
        for d in declared(module) {
            let new = next_free(&mut free);
            out.push(container_finding(module, &d, new));
        }
        // Host ports 35000/35001 of other container ports.
        for b in module.port_bindings().iter().filter(|b| proxy_port(&b.port).is_none()) {
            for mapping in b.mappings.iter().flatten() {
                let (HostPort::Port(port), Some(field)) = (mapping.host_port(), &mapping.host_port) else { continue };
                if !PROXY_PORTS.contains(&port) {
                    continue;
                }
                let new = next_free(&mut free);
                let at = module.create_options_at(field.at.clone());
                let message = format!(
                    "`{}` is published on host port {port}, a port of the IoT Edge proxy on Kubernetes: keep 35000/35001 free (clients must use the new port)",
                    b.port.key
                );
                let refused = refusals(module.port_bindings().iter().flat_map(|o| {
                    o.mappings.iter().flatten().filter(|m| m.at != mapping.at).filter_map(|m| match m.host_port() {
                        HostPort::Port(p) => {
                            Some((p, format!("is already a host port of this module (`{}`)", o.port.key)))
                        }
                        _ => None,
                    })
                }));
                let suggestion = Suggestion::new(
                    format!("publish `{}` on host port {new}", b.port.key),
                    vec![Edit::Set { at: at.clone(), value: new.to_string().into() }],
                )
                .with_port_input(
                    "host port",
                    vec![PortPlace { edit: 0, suffix: String::new() }],
                    refused,
                    new,
                );
                out.push(
                    Finding::new(&RULE, Some(module), at, message).severity(Severity::Warning).suggest(suggestion),
                );
            }
        }
    }
    out
}

/// The module's container ports 35000/35001, grouped by port and protocol, in the order first seen.
fn declared(module: &Module) -> Vec<Declared<'_>> {
    let mut out: Vec<Declared> = Vec::new();
    for key in module.exposed_ports() {
        if let Some((port, protocol)) = proxy_port(key) {
            group(&mut out, port, protocol).exposed.push(key);
        }
    }
    for b in module.port_bindings() {
        if let Some((port, protocol)) = proxy_port(&b.port) {
            group(&mut out, port, protocol).bindings.push(b);
        }
    }
    out
}

fn group<'a, 'm>(groups: &'a mut Vec<Declared<'m>>, port: u16, protocol: &'m str) -> &'a mut Declared<'m> {
    let i = match groups.iter().position(|d| d.port == port && d.protocol == protocol) {
        Some(i) => i,
        None => {
            groups.push(Declared { port, protocol, exposed: Vec::new(), bindings: Vec::new() });
            groups.len() - 1
        }
    };
    &mut groups[i]
}

/// A container port 35000/35001 declared in `ExposedPorts` and/or `PortBindings`: moved to `new`
/// everywhere at once, the port the engineer types written into every place.
fn container_finding(module: &Module, d: &Declared, new: u16) -> Finding {
    let mut edits = Vec::new();
    let mut host_places = Vec::new();
    let mut named = Vec::new();
    // HostPorts first, at the keys as they are: the renames come after, so no edit's place
    // depends on the port typed.
    for b in &d.bindings {
        for mapping in b.mappings.iter().flatten() {
            if let (HostPort::Port(p), Some(field)) = (mapping.host_port(), &mapping.host_port)
                && PROXY_PORTS.contains(&p)
            {
                host_places.push(PortPlace { edit: edits.len(), suffix: String::new() });
                edits.push(Edit::Set { at: module.create_options_at(field.at.clone()), value: new.to_string().into() });
            }
        }
    }
    let exposed_section = module.container().and_then(|c| c.exposed_ports.as_ref()).map_or("ExposedPorts", |e| &e.key);
    let bindings_section =
        module.host_config().and_then(|h| h.port_bindings.as_ref()).map_or("PortBindings", |p| &p.key);
    let keys =
        d.exposed.iter().map(|k| (*k, exposed_section)).chain(d.bindings.iter().map(|b| (&b.port, bindings_section)));
    let mut places = Vec::new();
    for (key, section) in keys {
        let suffix = key.key.split_once('/').map_or_else(String::new, |(_, proto)| format!("/{proto}"));
        places.push(PortPlace { edit: edits.len(), suffix: suffix.clone() });
        edits.push(Edit::RenameKey { at: module.create_options_at(key.at.clone()), to: format!("{new}{suffix}") });
        named.push(format!("`{section}` `{}`", key.key));
    }
    // The editor opens the first renamed key.
    places.extend(host_places);
    let first = d.exposed.first().copied().or_else(|| d.bindings.first().map(|b| &b.port)).expect("a group has a key");
    let own: Vec<&PortKey> = d.exposed.iter().copied().chain(d.bindings.iter().map(|b| &b.port)).collect();
    let refused = refusals(
        module
            .exposed_ports()
            .iter()
            .chain(module.port_bindings().iter().map(|b| &b.port))
            .filter(|k| !own.iter().any(|o| o.at == k.at))
            .filter_map(|k| Some((k.port?, format!("is already a container port of this module (`{}`)", k.key))))
            .chain(module.port_bindings().iter().filter(|b| !own.iter().any(|o| o.at == b.port.at)).flat_map(|b| {
                b.host_ports().map(|p| (p, format!("is already a host port of this module (`{}`)", b.port.key)))
            })),
    );
    let message = format!(
        "container port {}/{} ({}) is a port of the IoT Edge proxy side-car in every pod: the module and the proxy cannot both listen on it",
        d.port,
        d.protocol,
        named.join(", ")
    );
    let summary = format!("move the port to {new} everywhere it is declared; the module must then listen on {new}");
    Finding::new(&RULE, Some(module), module.create_options_at(first.at.clone()), message)
        .suggest(Suggestion::new(summary, edits).with_port_input("container port", places, refused, new))
}

/// The ports a typed value must not be: the proxy's, the device's reserved ones, then `taken`
/// (the module's own), each once.
fn refusals(taken: impl Iterator<Item = (u16, String)>) -> Vec<RefusedPort> {
    let mut out: Vec<RefusedPort> = PROXY_PORTS
        .iter()
        .map(|&port| RefusedPort { port, why: "is a port of the IoT Edge proxy".to_owned() })
        .collect();
    out.extend(
        RESERVED
            .iter()
            .map(|&(port, what)| RefusedPort { port, why: format!("is reserved on Azure Stack Edge for {what}") }),
    );
    for (port, why) in taken {
        if !out.iter().any(|r| r.port == port) {
            out.push(RefusedPort { port, why });
        }
    }
    out
}

/// A key's port and protocol when the port is 35000 or 35001.
fn proxy_port(key: &PortKey) -> Option<(u16, &str)> {
    key.port.filter(|p| PROXY_PORTS.contains(p)).map(|p| (p, key.protocol.as_str()))
}

/// Every port number the deployment uses (container and host ports), with the proxy's and the
/// reserved ones: none of them is proposed.
fn used_ports(manifest: &Manifest) -> BTreeSet<u16> {
    let mut used: BTreeSet<u16> = PROXY_PORTS.iter().chain(RESERVED.iter().map(|(p, _)| p)).copied().collect();
    for module in &manifest.modules {
        used.extend(module.exposed_ports().iter().filter_map(|k| k.port));
        for b in module.port_bindings() {
            used.extend(b.port.port);
            used.extend(b.host_ports());
        }
    }
    used
}

/// The next port above the proxy's that nothing uses; taken from then on.
fn next_free(used: &mut BTreeSet<u16>) -> u16 {
    let port = (PROXY_PORTS[1] + 1..=u16::MAX).find(|p| !used.contains(p)).unwrap_or(PROXY_PORTS[1] + 1);
    used.insert(port);
    port
}
