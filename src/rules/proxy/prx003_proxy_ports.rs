//! PRX003: a module using port 35000 or 35001, the ports of the IoT Edge proxy side-car.

use crate::manifest::pointer;
use crate::manifest::{Manifest, Module};
use crate::rules::shared::docker::host_config;
use crate::rules::shared::keys::get_ci;
use crate::rules::{Check, Context, Edit, Finding, FixAvailability, K8S, Rule, RuleDoc, Section, Severity, Suggestion};
use serde_json::Value;
use std::collections::BTreeSet;

/// The ports of the IoT Edge proxy side-car in every module pod.
pub const PROXY_PORTS: [u16; 2] = [35000, 35001];
/// Host ports Azure Stack Edge reserves (Kubernetes dashboard, container registry).
const RESERVED: [u16; 2] = [31000, 31001];

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "PRX003",
        section: Section::Proxy,
        severity: Severity::Error,
        fix: FixAvailability::Sometimes,
        targets: K8S,
        title: "Module port 35000 or 35001, used by the IoT Edge proxy on Kubernetes",
        detects: "Port 35000 or 35001 as a container port (an `ExposedPorts` or `PortBindings` key: error) or as a `HostPort` (warning). A port the module listens on without declaring it cannot be seen in the manifest.",
        why: "Every module pod has an IoT Edge proxy side-car listening on localhost:35000 and 35001, in the network namespace the module's container shares: a module listening on either port conflicts with it, and one of the two fails to bind. A host port of 35000/35001 is the module's Service port, which does not share the pod's ports, but the guide asks to keep both numbers free, and clients of the module must change with it.",
        before: r#"{"ExposedPorts": {"35000/tcp": {}}, "HostConfig": {"PortBindings": {"35000/tcp": [{"HostPort": "35000"}]}}}"#,
        after: r#"{"ExposedPorts": {"35002/tcp": {}}, "HostConfig": {"PortBindings": {"35002/tcp": [{"HostPort": "35002"}]}}}"#,
        fix_safety: "The proposed port is the next one above 35001 that no module of the deployment uses (nor 31000/31001). A container port changes in `ExposedPorts`, the `PortBindings` key and any proxy-port `HostPort` at once, so it is offered as one change to confirm or reject (to pick another port, reject it and edit the manifest); the module itself must then listen on the new port (its configuration or image). A `HostPort` alone takes the port you confirm; clients that used the old port must change too.",
    },
    check: Check::Manifest(check),
};

/// One container port of a module: where it is declared.
#[derive(Default)]
struct Declared {
    /// `ExposedPorts` key as written.
    exposed: Option<String>,
    /// `PortBindings` key as written, with its mappings.
    binding: Option<(String, Vec<Value>)>,
}

fn check(ctx: &Context) -> Vec<Finding> {
    let mut used = used_ports(ctx.manifest);
    let mut out = Vec::new();
    for module in &ctx.manifest.modules {
        let Some(co) = module.create_options.object() else { continue };
        let exposed = get_ci(co, "ExposedPorts").and_then(|(k, v)| v.as_object().map(|o| (k, o)));
        let bindings = host_config(module)
            .and_then(|(hc, h)| get_ci(h, "PortBindings").and_then(|(k, v)| v.as_object().map(|o| (hc, k, o))));

        // Container ports 35000/35001, by (port, protocol), in the order first seen.
        let mut declared: Vec<((u16, String), Declared)> = Vec::new();
        for key in exposed.iter().flat_map(|(_, o)| o.keys()) {
            if let Some(at) = proxy_key(key) {
                slot(&mut declared, at).exposed = Some(key.clone());
            }
        }
        for (key, value) in bindings.iter().flat_map(|(_, _, o)| o.iter()) {
            if let Some(at) = proxy_key(key) {
                slot(&mut declared, at).binding = Some((key.clone(), value.as_array().cloned().unwrap_or_default()));
            }
        }
        for ((port, _), d) in &declared {
            let new = next_free(&mut used);
            out.push(container_finding(module, exposed.map(|e| e.0), bindings.map(|b| (b.0, b.1)), *port, d, new));
        }
        // Host ports 35000/35001 of other container ports.
        let Some((hc, pb, map)) = bindings else { continue };
        for (key, value) in map.iter().filter(|(k, _)| proxy_key(k).is_none()) {
            for (j, mapping) in value.as_array().into_iter().flatten().enumerate() {
                let Some((hp_key, port)) = proxy_host_port(mapping) else { continue };
                let path = module.co_path(pointer::from_tokens("", [hc, pb, key, &j.to_string(), hp_key]));
                let new = next_free(&mut used);
                let message = format!(
                    "`{key}` is published on host port {port}, a port of the IoT Edge proxy on Kubernetes: keep 35000/35001 free (clients must use the new port)"
                );
                let suggestion = Suggestion::new(
                    format!("publish `{key}` on host port {new}"),
                    vec![Edit::Set { at: path.clone(), value: new.to_string().into() }],
                )
                .with_input("host port", 0, "", Some(new.to_string().into()));
                out.push(
                    Finding::new(&RULE, Some(module), path, message)
                        .severity(Severity::Warning)
                        .suggest_review(suggestion),
                );
            }
        }
    }
    out
}

/// A container port 35000/35001 declared in `ExposedPorts` and/or `PortBindings`: moved to `new`
/// everywhere at once.
fn container_finding(
    module: &Module,
    exposed_key: Option<&str>,
    bindings: Option<(&str, &str)>,
    port: u16,
    d: &Declared,
    new: u16,
) -> Finding {
    let mut edits = Vec::new();
    let mut places = Vec::new();
    let mut path = None;
    if let (Some(ek), Some(key)) = (exposed_key, &d.exposed) {
        let rel = pointer::from_tokens("", [ek, key]);
        path = Some(module.co_path(&rel));
        edits.push(Edit::RenameKey { at: module.co_path(&rel), to: renamed(key, new) });
        places.push(format!("`ExposedPorts` `{key}`"));
    }
    if let (Some((hc, pb)), Some((key, mappings))) = (bindings, &d.binding) {
        let rel = pointer::from_tokens("", [hc, pb, key]);
        path.get_or_insert_with(|| module.co_path(&rel));
        let to = renamed(key, new);
        edits.push(Edit::RenameKey { at: module.co_path(&rel), to: to.clone() });
        places.push(format!("`PortBindings` `{key}`"));
        for (j, mapping) in mappings.iter().enumerate() {
            if let Some((hp_key, _)) = proxy_host_port(mapping) {
                let at = pointer::from_tokens("", [hc, pb, &to, &j.to_string(), hp_key]);
                edits.push(Edit::Set { at: module.co_path(&at), value: new.to_string().into() });
            }
        }
    }
    let message = format!(
        "container port {port} ({}) is a port of the IoT Edge proxy side-car in every pod: the module and the proxy cannot both listen on it",
        places.join(", ")
    );
    let summary = format!("move the port to {new} everywhere it is declared; the module must then listen on {new}");
    Finding::new(&RULE, Some(module), path.unwrap_or_else(|| module.create_options_pointer()), message)
        .suggest_review(Suggestion::new(summary, edits))
}

/// The declarations of one container port, added when first seen.
fn slot(declared: &mut Vec<((u16, String), Declared)>, at: (u16, String)) -> &mut Declared {
    let i = match declared.iter().position(|(k, _)| *k == at) {
        Some(i) => i,
        None => {
            declared.push((at, Declared::default()));
            declared.len() - 1
        }
    };
    &mut declared[i].1
}

/// `35000/tcp` → (35000, "tcp"); `None` for other ports and anything that is not a port.
fn proxy_key(key: &str) -> Option<(u16, String)> {
    let (port, proto) = key.split_once('/').unwrap_or((key, "tcp"));
    let port = port.trim().parse::<u16>().ok().filter(|p| PROXY_PORTS.contains(p))?;
    Some((port, proto.trim().to_ascii_lowercase()))
}

/// The same key with another port: `35000/tcp` → `35002/tcp` (the protocol as written).
fn renamed(key: &str, new: u16) -> String {
    match key.split_once('/') {
        Some((_, proto)) => format!("{new}/{proto}"),
        None => new.to_string(),
    }
}

/// A mapping's `HostPort` (key as written) when it is 35000 or 35001.
fn proxy_host_port(mapping: &Value) -> Option<(&str, u16)> {
    let (key, value) = get_ci(mapping.as_object()?, "HostPort")?;
    let port = match value {
        Value::String(s) => s.trim().parse::<u16>().ok(),
        Value::Number(n) => n.as_u64().and_then(|n| u16::try_from(n).ok()),
        _ => None,
    }?;
    PROXY_PORTS.contains(&port).then_some((key, port))
}

/// Every port number the deployment uses (container and host ports), with the proxy's and the
/// reserved ones: none of them is proposed.
fn used_ports(manifest: &Manifest) -> BTreeSet<u16> {
    let mut used: BTreeSet<u16> = PROXY_PORTS.iter().chain(&RESERVED).copied().collect();
    let port = |key: &str| key.split('/').next().and_then(|p| p.trim().parse::<u16>().ok());
    for module in &manifest.modules {
        let Some(co) = module.create_options.object() else { continue };
        if let Some((_, Value::Object(exposed))) = get_ci(co, "ExposedPorts") {
            used.extend(exposed.keys().filter_map(|k| port(k)));
        }
        let Some((_, Value::Object(bindings))) = host_config(module).and_then(|(_, h)| get_ci(h, "PortBindings"))
        else {
            continue;
        };
        for (key, value) in bindings {
            used.extend(port(key));
            for mapping in value.as_array().into_iter().flatten().filter_map(Value::as_object) {
                if let Some((_, hp)) = get_ci(mapping, "HostPort") {
                    used.extend(crate::manifest::scalar_text(hp).and_then(|t| port(&t)));
                }
            }
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
