//! What rules need to know about the whole manifest, computed once per analysis so that
//! cross-module look-ups (names, services, ports) cost a hash look-up, not a scan.

use crate::manifest::{Manifest, Module};
use serde_json::Value;
use std::collections::HashMap;

/// The manifest being analysed, with indexes over its modules.
pub struct Context<'a> {
    pub manifest: &'a Manifest,
    by_name: HashMap<&'a str, usize>,
    /// Lower-cased module name (the Kubernetes Service name) → module index.
    by_service: HashMap<String, usize>,
    bindings: Vec<Vec<PortBinding>>,
}

/// One `HostConfig.PortBindings` entry (`"8080/tcp": [{"HostPort": "80"}]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortBinding {
    /// The key as written (`"8080/tcp"`).
    pub key: String,
    /// The container port (`"8080"`).
    pub container_port: String,
    /// `tcp` (the default when the key has no protocol), `udp` or `sctp`, lower-cased.
    pub protocol: String,
    /// The `HostPort` of each mapping, as written (`None` when missing or not a string/number).
    pub host_ports: Vec<Option<String>>,
    /// Pointer (relative to createOptions) to the entry: `/HostConfig/PortBindings/8080~1tcp`.
    pub rel_pointer: String,
}

impl<'a> Context<'a> {
    pub fn new(manifest: &'a Manifest) -> Context<'a> {
        let mut by_name = HashMap::with_capacity(manifest.modules.len());
        let mut by_service = HashMap::with_capacity(manifest.modules.len());
        for (i, m) in manifest.modules.iter().enumerate() {
            by_name.insert(m.name.as_str(), i);
            by_service.entry(m.name.to_ascii_lowercase()).or_insert(i);
        }
        let bindings = manifest.modules.iter().map(port_bindings).collect();
        Context { manifest, by_name, by_service, bindings }
    }

    /// The module with exactly this name.
    pub fn module(&self, name: &str) -> Option<&'a Module> {
        self.by_name.get(name).map(|&i| &self.manifest.modules[i])
    }

    /// The module whose Service (lower-cased name) is `host`, compared case-insensitively.
    pub fn module_by_service(&self, host: &str) -> Option<&'a Module> {
        self.by_service.get(&host.to_ascii_lowercase()).map(|&i| &self.manifest.modules[i])
    }

    /// Position of a module in the manifest (for stable ordering).
    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.by_name.get(name).copied()
    }

    /// The module's port bindings (computed once).
    pub fn port_bindings(&self, module: &Module) -> &[PortBinding] {
        self.index_of(&module.name).map_or(&[], |i| &self.bindings[i])
    }
}

/// Reads `HostConfig.PortBindings` of a module.
pub fn port_bindings(module: &Module) -> Vec<PortBinding> {
    let Some(pb) = module.create_options.host_config().and_then(|h| h.get("PortBindings")).and_then(Value::as_object)
    else {
        return Vec::new();
    };
    pb.iter()
        .map(|(key, v)| {
            let (port, proto) = key.split_once('/').unwrap_or((key.as_str(), "tcp"));
            let host_ports = v
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|m| match m.get("HostPort") {
                            Some(Value::String(s)) => Some(s.clone()),
                            Some(Value::Number(n)) => Some(n.to_string()),
                            _ => None,
                        })
                        .collect()
                })
                .unwrap_or_default();
            PortBinding {
                key: key.clone(),
                container_port: port.trim().to_owned(),
                protocol: proto.trim().to_ascii_lowercase(),
                host_ports,
                rel_pointer: crate::manifest::pointer::from_tokens("", ["HostConfig", "PortBindings", key.as_str()]),
            }
        })
        .collect()
}
