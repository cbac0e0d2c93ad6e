//! Ports as the Kubernetes agent reads them: `ExposedPorts` and `HostConfig.PortBindings` keys
//! must be `<port>/<protocol>` (tcp, udp or sctp, any case) or they are skipped, and a `HostPort`
//! must parse as a number. Docker is more lenient (`"8080"` means tcp), so FPGA manifests carry
//! every variant; these helpers read them all without panicking.

use crate::manifest::Module;
use crate::manifest::placeholder::{contains_placeholder, is_placeholder};
use crate::manifest::pointer;
use crate::rules::shared::keys::get_ci;
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, HashSet};

/// Host ports ASE reserves: the Kubernetes dashboard and the local container registry.
pub const RESERVED: [(u16, &str); 2] = [(31000, "the Kubernetes dashboard"), (31001, "the container registry")];
/// Ports of the IoT Edge proxy side-car in every pod.
pub const PROXY_PORTS: [u16; 2] = [35000, 35001];

/// `HostConfig.NetworkMode`, when it is set.
pub fn network_mode(module: &Module) -> Option<&Value> {
    module.create_options.host_config()?.get("NetworkMode")
}

/// The pod runs on the host network. The agent compares `NetworkMode` with `host`
/// case-insensitively (Docker does not: there `Host` names a user network), so `Host` counts.
pub fn is_host_network(module: &Module) -> bool {
    network_mode(module).and_then(Value::as_str).is_some_and(|m| m.trim().eq_ignore_ascii_case("host"))
}

/// A port number 1–65535 (surrounding spaces allowed, as .NET's `int.TryParse` allows them).
pub fn parse_port(s: &str) -> Option<u16> {
    let s = s.trim();
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse::<u16>().ok().filter(|&p| p > 0)
}

/// `<port>[/<protocol>]` split; the protocol lower-cased, `None` when the key has none.
pub fn split_key(key: &str) -> (&str, Option<String>) {
    match key.split_once('/') {
        Some((p, proto)) => (p.trim(), Some(proto.trim().to_ascii_lowercase())),
        None => (key.trim(), None),
    }
}

/// A protocol the agent knows.
pub fn known_protocol(proto: &str) -> bool {
    matches!(proto, "tcp" | "udp" | "sctp")
}

/// One `ExposedPorts` key.
#[derive(Debug, Clone)]
pub struct Exposed<'a> {
    pub key: &'a str,
    /// `None` for a placeholder, a range or anything else that is not one port.
    pub port: Option<u16>,
    /// Lower-cased; `tcp` when the key has none.
    pub protocol: String,
}

/// Every `ExposedPorts` key.
pub fn exposed_ports(module: &Module) -> Vec<Exposed<'_>> {
    let Some(ports) = module.create_options.object().and_then(|o| o.get("ExposedPorts")).and_then(Value::as_object)
    else {
        return Vec::new();
    };
    ports
        .keys()
        .map(|key| {
            let (port, proto) = split_key(key);
            Exposed { key, port: parse_port(port), protocol: proto.unwrap_or_else(|| "tcp".into()) }
        })
        .collect()
}

/// What a port mapping's `HostPort` says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostPort {
    Valid(u16),
    /// A template placeholder: data, never touched.
    Placeholder(String),
    /// No `HostPort`, `null`, or the mapping is not an object.
    Missing,
    Empty,
    /// `8000-8010`.
    Range(String),
    /// `0`, `99999`, `abc`, `true`…
    Invalid(String),
}

/// The `HostPort` key of a mapping as written (the agent matches it ignoring case), so that a fix
/// overwrites it instead of adding a second spelling.
pub fn host_port_key(mapping: &Value) -> Option<&str> {
    get_ci(mapping.as_object()?, "HostPort").map(|(k, _)| k)
}

impl HostPort {
    pub fn of(mapping: &Value) -> HostPort {
        let value = mapping.as_object().and_then(|m| get_ci(m, "HostPort"));
        match value.map(|(_, v)| v) {
            None | Some(Value::Null) => HostPort::Missing,
            Some(Value::Number(n)) => {
                let text = n.to_string();
                parse_port(&text).map_or(HostPort::Invalid(text), HostPort::Valid)
            }
            Some(Value::String(s)) if s.trim().is_empty() => HostPort::Empty,
            Some(Value::String(s)) if contains_placeholder(s) => HostPort::Placeholder(s.clone()),
            Some(Value::String(s)) => match parse_port(s) {
                Some(p) => HostPort::Valid(p),
                None if s.contains('-') => HostPort::Range(s.clone()),
                None => HostPort::Invalid(s.clone()),
            },
            Some(other) => HostPort::Invalid(other.to_string()),
        }
    }

    /// The agent makes a Service port of it (placeholders are assumed to be filled in with one).
    pub fn usable(&self) -> bool {
        matches!(self, HostPort::Valid(_) | HostPort::Placeholder(_))
    }

    pub fn number(&self) -> Option<u16> {
        match self {
            HostPort::Valid(p) => Some(*p),
            _ => None,
        }
    }
}

/// One `HostConfig.PortBindings` key and its mappings.
#[derive(Debug, Clone)]
pub struct Binding<'a> {
    pub key: &'a str,
    /// The container port text before the `/`.
    pub port_text: &'a str,
    pub port: Option<u16>,
    /// Lower-cased; `None` when the key has no protocol (the agent then skips the entry).
    pub protocol: Option<String>,
    pub value: &'a Value,
    /// Pointer (relative to createOptions) to the key.
    pub rel: String,
}

impl<'a> Binding<'a> {
    /// The protocol Docker uses: `tcp` when the key has none.
    pub fn proto(&self) -> &str {
        self.protocol.as_deref().unwrap_or("tcp")
    }

    /// The key as the agent needs it: `<port>/<protocol>`.
    pub fn normalized_key(&self) -> String {
        format!("{}/{}", self.port_text, self.proto())
    }

    /// A template placeholder in the key: data, never touched.
    pub fn is_placeholder(&self) -> bool {
        contains_placeholder(self.key)
    }

    /// The mappings (`[{"HostPort": "80"}]`); empty for `null`, `[]` or anything not a list.
    pub fn mappings(&self) -> &'a [Value] {
        self.value.as_array().map_or(&[], Vec::as_slice)
    }

    /// What each mapping's `HostPort` says.
    pub fn host_ports(&self) -> Vec<HostPort> {
        self.mappings().iter().map(HostPort::of).collect()
    }

    /// Pointer (relative to createOptions) to mapping `i`.
    pub fn mapping_rel(&self, i: usize) -> String {
        format!("{}/{i}", self.rel)
    }

    /// The entry after the fixes of NET002 and NET004: one mapping, the first usable one, or the
    /// container port when none is usable.
    pub fn cleaned(&self) -> Value {
        let maps = self.mappings();
        match self.host_ports().iter().position(HostPort::usable) {
            Some(i) => Value::Array(vec![maps[i].clone()]),
            None => {
                let mut first = maps.first().and_then(Value::as_object).cloned().unwrap_or_else(Map::new);
                let key = get_ci(&first, "HostPort").map(|(k, _)| k.to_owned());
                first.insert(key.unwrap_or_else(|| "HostPort".into()), self.port_text.into());
                Value::Array(vec![Value::Object(first)])
            }
        }
    }
}

/// Every `HostConfig.PortBindings` key, when it is an object.
pub fn bindings(module: &Module) -> Vec<Binding<'_>> {
    let Some(pb) = port_bindings_object(module) else {
        return Vec::new();
    };
    pb.iter()
        .map(|(key, value)| {
            let (port_text, protocol) = split_key(key);
            Binding {
                key,
                port_text,
                port: parse_port(port_text),
                protocol,
                value,
                rel: pointer::from_tokens("", ["HostConfig", "PortBindings", key]),
            }
        })
        .collect()
}

/// `HostConfig.PortBindings` as an object.
pub fn port_bindings_object(module: &Module) -> Option<&Map<String, Value>> {
    module.create_options.host_config()?.get("PortBindings")?.as_object()
}

/// `HostConfig.PortBindings` can take new entries: `HostConfig` and `PortBindings` are objects
/// (or absent, or null). Anything else is a createOptions only a person can repair.
pub fn port_bindings_writable(module: &Module) -> bool {
    let Some(co) = module.create_options.object() else { return false };
    match co.get("HostConfig") {
        None | Some(Value::Null) => true,
        Some(Value::Object(hc)) => matches!(hc.get("PortBindings"), None | Some(Value::Null | Value::Object(_))),
        Some(_) => false,
    }
}

/// Host ports the module's mappings use.
pub fn used_host_ports(module: &Module) -> HashSet<u16> {
    bindings(module).iter().flat_map(|b| b.host_ports()).filter_map(|h| h.number()).collect()
}

/// A host port for container port `port`: the port itself when it is free, not reserved and not
/// the proxy's, else the next such number above it.
pub fn free_host_port(port: u16, used: &HashSet<u16>) -> Option<u16> {
    (port..=u16::MAX).find(|p| !used.contains(p) && !is_reserved(*p) && !PROXY_PORTS.contains(p))
}

pub fn is_reserved(port: u16) -> bool {
    RESERVED.iter().any(|(p, _)| *p == port)
}

/// The ports of a module that will sit behind one Service, by protocol (`tcp` → `["80", "443"]`).
/// Bindings count always; exposed ports too, unless the module is on the host network (NET001
/// gives each of them a binding).
pub fn ports_by_protocol(module: &Module) -> BTreeMap<String, Vec<String>> {
    let mut by: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut add = |proto: &str, port: u16| {
        let list = by.entry(proto.to_owned()).or_default();
        let p = port.to_string();
        if !list.contains(&p) {
            list.push(p);
        }
    };
    for b in bindings(module) {
        if let Some(port) = b.port.filter(|_| known_protocol(b.proto()) && !b.is_placeholder()) {
            add(b.proto(), port);
        }
    }
    if !is_host_network(module) {
        for e in exposed_ports(module) {
            if let Some(port) = e.port.filter(|_| known_protocol(&e.protocol)) {
                add(&e.protocol, port);
            }
        }
    }
    by
}

/// The module's Service would mix protocols (NET003): a LoadBalancer Service cannot, and in any
/// Service the same port number on two protocols collapses into one (the agent keys Service ports
/// by number). While it does, NET003's fix rewrites all of its `PortBindings`, so the rules that
/// edit single bindings leave the module to it.
pub fn mixes_protocols(module: &Module) -> bool {
    let by = ports_by_protocol(module);
    if by.len() < 2 {
        return false;
    }
    if !crate::rules::shared::k8s::is_internal_service(module) {
        return true;
    }
    let mut seen = HashSet::new();
    by.values().flatten().any(|p| !seen.insert(p))
}

/// `{"HostPort": "<port>"}` as Docker writes it.
pub fn mapping(port: u16) -> Value {
    json!({"HostPort": port.to_string()})
}

/// A placeholder anywhere in a port key or `HostPort`.
pub fn is_placeholder_text(s: &str) -> bool {
    is_placeholder(s) || contains_placeholder(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_ports_of_every_shape() {
        assert_eq!(HostPort::of(&json!({"HostPort": "80"})), HostPort::Valid(80));
        assert_eq!(HostPort::of(&json!({"HostPort": 8080})), HostPort::Valid(8080));
        assert_eq!(HostPort::of(&json!({"hostport": " 81 "})), HostPort::Valid(81));
        assert_eq!(HostPort::of(&json!({"HostIp": "0.0.0.0"})), HostPort::Missing);
        assert_eq!(HostPort::of(&json!("80")), HostPort::Missing);
        assert_eq!(HostPort::of(&json!({"HostPort": ""})), HostPort::Empty);
        assert_eq!(HostPort::of(&json!({"HostPort": "8000-8010"})), HostPort::Range("8000-8010".into()));
        assert_eq!(HostPort::of(&json!({"HostPort": "0"})), HostPort::Invalid("0".into()));
        assert_eq!(HostPort::of(&json!({"HostPort": "${PORT}"})), HostPort::Placeholder("${PORT}".into()));
        assert_eq!(HostPort::of(&json!({"HostPort": [1]})), HostPort::Invalid("[1]".into()));
        assert_eq!(split_key("8080"), ("8080", None));
        assert_eq!(split_key("53/UDP"), ("53", Some("udp".into())));
        assert_eq!(free_host_port(31000, &HashSet::new()), Some(31002));
    }
}
