//! Ports as the Kubernetes agent turns them into a module's Service, and the host ports the
//! network rules propose. Reading `ExposedPorts` and `HostConfig.PortBindings` is the model's job
//! (`Module::exposed_ports`, `Module::port_bindings`, `PortMapping::host_port`); what is here is
//! network-specific: the Service the agent builds from them (`KubernetesServiceMapper`,
//! `PortExtensions`), host ports ASE keeps for itself, and one plan of new host ports per module so
//! that fixes of different rules, accepted together, never bind one number twice.

use crate::device::{DeviceProfile, ServiceType};
use crate::manifest::model::{self, Field, HostPort, PortBinding, PortKey};
use crate::manifest::placeholder::contains_placeholder;
use crate::manifest::{Module, Pointer};
use crate::rules::shared::k8s;
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap, HashSet};

pub use crate::device::{PROXY_PORTS, RESERVED_HOST_PORTS as RESERVED};

pub fn is_reserved(port: u16) -> bool {
    RESERVED.iter().any(|(p, _)| *p == port)
}

/// `HostConfig.NetworkMode`, as written.
pub fn network_mode(module: &Module) -> Option<&Field> {
    module.host_config()?.network_mode.as_ref()
}

/// The pod runs on the host network: the agent compares `NetworkMode` with `host` ignoring case
/// (Docker does not: there `Host` names a user network), and does not trim it.
pub fn is_host_network(module: &Module) -> bool {
    network_mode(module).and_then(Field::text).is_some_and(|m| m.eq_ignore_ascii_case("host"))
}

/// A port key the agent reads: a number and a known protocol, and no template placeholder (data
/// filled in at deploy time, which the rules leave alone).
pub fn is_read(key: &PortKey) -> bool {
    key.read_by_agent() && !contains_placeholder(&key.key)
}

/// `{"HostPort": "<port>"}` as Docker writes it.
pub fn mapping(port: u16) -> Value {
    json!({"HostPort": port.to_string()})
}

/// `<port>/<protocol>`, the key a fix writes.
pub fn canonical_key(port: u16, protocol: &str) -> String {
    format!("{port}/{protocol}")
}

/// Where `PortBindings` is, or where a fix creates it: under `HostConfig` as the module spells it.
/// `None` when something on the way is not an object (only a person can repair that).
pub fn port_bindings_at(module: &Module) -> Option<Pointer> {
    let c = module.container()?;
    match &c.host_config {
        None => Some(Pointer::from_tokens(["HostConfig", "PortBindings"])),
        Some(hc) if !hc.is_object => None,
        Some(hc) => match &hc.port_bindings {
            None => Some(hc.at.child("PortBindings")),
            Some(pb) => pb.entries.as_ref().map(|_| pb.at.clone()),
        },
    }
}

/// Where `ExposedPorts` is, or where a fix creates it; `None` when it is not an object.
pub fn exposed_ports_at(module: &Module) -> Option<Pointer> {
    let c = module.container()?;
    match &c.exposed_ports {
        None => Some(Pointer::root().child("ExposedPorts")),
        Some(e) => e.ports.as_ref().map(|_| e.at.clone()),
    }
}

// --- The Service the agent makes ------------------------------------------------------------

/// One port of a module's Service, as the agent makes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServicePort {
    /// The Service port: a binding's host port, or the exposed port itself.
    pub port: u16,
    /// The container port it forwards to.
    pub target: u16,
    /// Lower-cased (`tcp`).
    pub protocol: String,
    /// `hostport-<container port>-<protocol>` or `exposedport-<port>-<protocol>`: Kubernetes
    /// rejects a Service with two ports of one name.
    pub name: String,
    /// It comes from a port binding (not from `ExposedPorts` alone).
    pub from_binding: bool,
}

/// The Service the agent makes for a module with ports.
#[derive(Debug, Clone, PartialEq)]
pub struct Service {
    /// Its ports. The agent keys them by number: a host port replaces an exposed port of the same
    /// number, a later binding an earlier one, whatever the protocols.
    pub ports: Vec<ServicePort>,
    /// Ports the agent dropped because another took their number.
    pub replaced: Vec<ServicePort>,
    pub kind: ServiceType,
    /// The type comes from the module's `serviceOptions`, not from the default.
    pub explicit: bool,
}

impl Service {
    /// The Service port `number`.
    pub fn port(&self, number: u16) -> Option<&ServicePort> {
        self.ports.iter().find(|p| p.port == number)
    }

    /// Names two of its ports share: the API server rejects the Service.
    pub fn duplicate_names(&self) -> Vec<&str> {
        let mut seen = HashSet::new();
        let mut dup: Vec<&str> = self.ports.iter().map(|p| p.name.as_str()).filter(|n| !seen.insert(*n)).collect();
        dup.dedup();
        dup
    }
}

/// The `serviceOptions.type` the agent reads from the module (its own section, the key in any
/// case, a value it parses), unless the device's agent ignores `k8s-experimental`.
pub fn explicit_service_type(module: &Module, device: &DeviceProfile) -> Option<ServiceType> {
    if !device.k8s_extensions {
        return None;
    }
    let options = k8s::agent(module)?.service_options.as_ref()?;
    let (value, _) = model::lookup(&options.value, &options.at, &["type"])?;
    ServiceType::parse(value.as_str()?)
}

/// The module's Service as the agent makes it (`KubernetesServiceMapper`): `None` when it has no
/// port the agent reads, so no Service and no DNS name.
pub fn service(module: &Module, device: &DeviceProfile) -> Option<Service> {
    let mut ports: Vec<ServicePort> = Vec::new();
    let mut replaced = Vec::new();
    let mut put = |p: ServicePort| match ports.iter().position(|x| x.port == p.port) {
        Some(i) if ports[i] == p => {}
        Some(i) => replaced.push(std::mem::replace(&mut ports[i], p)),
        None => ports.push(p),
    };
    for e in module.exposed_ports().iter().filter(|k| is_read(k)) {
        let port = e.port.expect("read keys have a port");
        put(ServicePort {
            port,
            target: port,
            name: format!("exposedport-{port}-{}", e.protocol),
            protocol: e.protocol.clone(),
            from_binding: false,
        });
    }
    for b in module.port_bindings().iter().filter(|b| is_read(&b.port)) {
        let target = b.port.port.expect("read keys have a port");
        for host in b.host_ports() {
            put(ServicePort {
                port: host,
                target,
                name: format!("hostport-{target}-{}", b.port.protocol),
                protocol: b.port.protocol.clone(),
                from_binding: true,
            });
        }
    }
    if ports.is_empty() {
        return None;
    }
    // Only exposed ports (no `PortBindings` at all): ClusterIP; otherwise the device's default.
    let only_exposed = module.host_config().and_then(|h| h.port_bindings.as_ref()).is_none_or(|p| p.entries.is_none());
    let explicit = explicit_service_type(module, device);
    let kind = explicit.unwrap_or(if only_exposed { ServiceType::ClusterIP } else { device.service_type });
    Some(Service { ports, replaced, kind, explicit: explicit.is_some() })
}

// --- Bindings grouped as the Service names them -----------------------------------------------

/// The `PortBindings` keys the agent reads for one container port and protocol: `80`, `80/tcp`
/// and `80/TCP` are one group, whose host ports all become Service ports named `hostport-80-tcp`.
#[derive(Debug, Clone)]
pub struct Group<'m> {
    pub port: u16,
    pub protocol: &'m str,
    pub bindings: Vec<&'m PortBinding>,
}

impl Group<'_> {
    /// Its distinct numeric host ports, in order.
    pub fn host_ports(&self) -> Vec<u16> {
        let mut out = Vec::new();
        for h in self.bindings.iter().flat_map(|b| b.host_ports()) {
            if !out.contains(&h) {
                out.push(h);
            }
        }
        out
    }

    /// A host port is a placeholder: its number is known only at deploy time.
    pub fn has_placeholder(&self) -> bool {
        self.host_port_states().any(|h| matches!(h, HostPort::Placeholder(_)))
    }

    /// Some mapping gives the agent a host port (a number, or a placeholder filled in later).
    pub fn is_bound(&self) -> bool {
        self.host_port_states().any(|h| matches!(h, HostPort::Port(_) | HostPort::Placeholder(_)))
    }

    fn host_port_states(&self) -> impl Iterator<Item = HostPort> + '_ {
        self.bindings.iter().flat_map(|b| b.mappings.iter().flatten()).map(|m| m.host_port())
    }

    /// The key a message names: the first one as written.
    pub fn key(&self) -> &str {
        &self.bindings[0].port.key
    }
}

/// The groups of a module, in the order of their first key.
pub fn groups(module: &Module) -> Vec<Group<'_>> {
    let mut out: Vec<Group<'_>> = Vec::new();
    for b in module.port_bindings().iter().filter(|b| is_read(&b.port)) {
        let port = b.port.port.expect("read keys have a port");
        match out.iter_mut().find(|g| g.port == port && g.protocol == b.port.protocol) {
            Some(g) => g.bindings.push(b),
            None => out.push(Group { port, protocol: &b.port.protocol, bindings: vec![b] }),
        }
    }
    out
}

/// The module has a binding for this container port and protocol.
pub fn is_bound(module: &Module, port: u16, protocol: &str) -> bool {
    module.port_bindings().iter().any(|b| is_read(&b.port) && b.port.port == Some(port) && b.port.protocol == protocol)
}

/// The module's container port is in `ExposedPorts` with this protocol.
pub fn is_exposed(module: &Module, port: u16, protocol: &str) -> bool {
    module.exposed_ports().iter().any(|e| is_read(e) && e.port == Some(port) && e.protocol == protocol)
}

// --- Protocols ----------------------------------------------------------------------------------

/// The Service port numbers of a module by protocol (`tcp` → `[80, 443]`): host ports of its
/// bindings (the container port where none is usable yet: NET002 binds it), and its exposed
/// ports unless it is on the host network (NET001 binds those).
pub fn ports_by_protocol(module: &Module) -> BTreeMap<String, Vec<u16>> {
    let mut by: BTreeMap<String, Vec<u16>> = BTreeMap::new();
    let mut add = |proto: &str, port: u16| {
        let list = by.entry(proto.to_owned()).or_default();
        if !list.contains(&port) {
            list.push(port);
        }
    };
    for g in groups(module) {
        let hosts = g.host_ports();
        if hosts.is_empty() {
            add(g.protocol, g.port);
        }
        for h in hosts {
            add(g.protocol, h);
        }
    }
    if !is_host_network(module) {
        for e in module.exposed_ports().iter().filter(|e| is_read(e)) {
            add(&e.protocol, e.port.expect("read keys have a port"));
        }
    }
    by
}

/// The module's Service would mix protocols (NET003): a LoadBalancer Service cannot, and in any
/// Service the same number on two protocols collapses into one port (the agent keys Service ports
/// by number). While it does, NET003's fix rewrites all of its `PortBindings`, so the rules that
/// edit single bindings leave the module to it.
pub fn mixes_protocols(module: &Module, device: &DeviceProfile) -> bool {
    if module.port_bindings().is_empty() && module.exposed_ports().is_empty() {
        return false;
    }
    let by = ports_by_protocol(module);
    if by.len() < 2 {
        return false;
    }
    let kind = explicit_service_type(module, device).unwrap_or(device.service_type);
    if kind == ServiceType::LoadBalancer {
        return true;
    }
    let mut seen = HashSet::new();
    by.values().flatten().any(|p| !seen.insert(*p))
}

// --- New host ports ---------------------------------------------------------------------------

/// What a proposed host port is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Purpose {
    /// A container port without a usable host port: NET001 (an `ExposedPorts` key) and NET002 (a
    /// `PortBindings` key).
    Bind,
    /// A host port that must change: reserved on ASE (NET010, keyed by each mapping), or taken by
    /// another container port (NET004, keyed by the first mapping of the collision).
    Rebind,
    /// The container port of a remapped binding (NET013), kept free for it. Keyed by the binding.
    Remap,
}

/// The host ports the network rules propose for one module, chosen together and in one order
/// (reserved ports, collisions, remapped bindings, unbound bindings, then exposed ports) so that
/// any combination of the accepted fixes binds each number once, and none of them a reserved or
/// proxy port.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    chosen: HashMap<(Purpose, Pointer), u16>,
}

impl Plan {
    pub fn of(module: &Module, device: &DeviceProfile) -> Plan {
        let mut plan = Plan::default();
        let groups = groups(module);
        let mut used = taken(module);
        // Reserved host ports: the container port, when it is free (every mapping of the group on
        // that reserved port gets it, so an IPv4 + IPv6 pair stays one Service port).
        for g in &groups {
            for (reserved, _) in RESERVED {
                let maps: Vec<_> = g
                    .bindings
                    .iter()
                    .flat_map(|b| b.mappings.iter().flatten())
                    .filter(|m| m.host_port() == HostPort::Port(reserved))
                    .collect();
                if !maps.is_empty() && is_free(g.port, g.port, &used) {
                    used.insert(g.port, g.port);
                    plan.chosen.extend(maps.iter().map(|m| ((Purpose::Rebind, m.at.clone()), g.port)));
                }
            }
        }
        // A host port a second container port takes: the next free one for the later.
        for c in collisions(&groups) {
            if let Some(p) = free_host_port(c.group.port, &used) {
                used.insert(p, c.group.port);
                plan.chosen.insert((Purpose::Rebind, c.mappings[0].clone()), p);
            }
        }
        // Remapped bindings keep their container port free for NET013.
        for g in groups.iter().filter(|g| remapped(module, device, g).is_some()) {
            if is_free(g.port, g.port, &used) {
                used.insert(g.port, g.port);
                plan.chosen.insert((Purpose::Remap, g.bindings[0].port.at.clone()), g.port);
            }
        }
        for g in groups.iter().filter(|g| !g.is_bound()) {
            if let Some(p) = free_host_port(g.port, &used) {
                used.insert(p, g.port);
                plan.chosen.insert((Purpose::Bind, g.bindings[0].port.at.clone()), p);
            }
        }
        if !is_host_network(module) {
            for e in module.exposed_ports().iter().filter(|e| is_read(e)) {
                let port = e.port.expect("read keys have a port");
                if !is_bound(module, port, &e.protocol)
                    && let Some(p) = free_host_port(port, &used)
                {
                    used.insert(p, port);
                    plan.chosen.insert((Purpose::Bind, e.at.clone()), p);
                }
            }
        }
        plan
    }

    /// The host port proposed for `purpose` at `at` (a key or a mapping).
    pub fn get(&self, purpose: Purpose, at: &Pointer) -> Option<u16> {
        self.chosen.get(&(purpose, at.clone())).copied()
    }
}

/// The Service port numbers a module already uses, each with the container port it forwards to
/// (0 where the agent cannot read the binding): its numeric host ports, then its exposed ports.
pub fn taken(module: &Module) -> HashMap<u16, u16> {
    let mut used = HashMap::new();
    for b in module.port_bindings() {
        let target = if is_read(&b.port) { b.port.port.unwrap_or(0) } else { 0 };
        for h in b.host_ports() {
            used.entry(h).or_insert(target);
        }
    }
    for e in module.exposed_ports().iter().filter(|e| is_read(e)) {
        let port = e.port.expect("read keys have a port");
        used.entry(port).or_insert(port);
    }
    used
}

/// Usable as the host port of container port `target`: not reserved, not the proxy's, and no
/// Service port of that number forwards elsewhere (an exposed port of the same number as the
/// container port is the same Service port).
fn is_free(port: u16, target: u16, used: &HashMap<u16, u16>) -> bool {
    !is_reserved(port) && !PROXY_PORTS.contains(&port) && used.get(&port).is_none_or(|t| *t == target && port == target)
}

/// A host port for container port `port`: the port itself when it is free, else the next free
/// number above it.
pub fn free_host_port(port: u16, used: &HashMap<u16, u16>) -> Option<u16> {
    (port..=u16::MAX).find(|p| is_free(*p, port, used))
}

/// A group whose host port an earlier group (another container port) already binds: the agent
/// keeps one Service port per number, so one of the two container ports is lost.
#[derive(Debug, Clone)]
pub struct Collision<'g, 'm> {
    pub group: &'g Group<'m>,
    /// The host port both bind (the group's first, the one NET004 keeps; not a reserved one, NET010
    /// moves those).
    pub host: u16,
    /// The earlier group's key.
    pub with: &'g str,
    /// Every mapping of the group with that host port (an IPv4 + IPv6 pair moves together).
    pub mappings: Vec<Pointer>,
}

/// The collisions of a module's groups, in order.
pub fn collisions<'g, 'm>(groups: &'g [Group<'m>]) -> Vec<Collision<'g, 'm>> {
    let mut owner: HashMap<u16, usize> = HashMap::new();
    let mut out = Vec::new();
    for (i, g) in groups.iter().enumerate() {
        let Some(&host) = g.host_ports().first() else { continue };
        match owner.get(&host) {
            Some(&o) if !is_reserved(host) => {
                let mappings = g
                    .bindings
                    .iter()
                    .flat_map(|b| b.mappings.iter().flatten())
                    .filter(|m| m.host_port() == HostPort::Port(host))
                    .map(|m| m.at.clone())
                    .collect();
                out.push(Collision { group: g, host, with: groups[o].key(), mappings });
            }
            _ => {}
        }
        for h in g.host_ports() {
            owner.entry(h).or_insert(i);
        }
    }
    out
}

/// A binding whose host port differs from its container port (`8000/tcp` → `8080`), so that the
/// Service no longer answers on the port Docker-network callers used: its one host port. Not on
/// the host network (Docker ignores bindings there), not with several host ports (NET004), a
/// placeholder, a reserved port (NET010) or the container port already exposed (the Service has
/// that port too).
pub fn remapped(module: &Module, device: &DeviceProfile, g: &Group<'_>) -> Option<u16> {
    let host = match g.host_ports()[..] {
        [h] if h != g.port && !is_reserved(h) => h,
        _ => return None,
    };
    let excluded = is_exposed(module, g.port, g.protocol)
        || g.has_placeholder()
        || is_host_network(module)
        || mixes_protocols(module, device);
    (!excluded).then_some(host)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::Manifest;

    fn module(create_options: Value) -> Module {
        let text = json!({"modulesContent": {"$edgeAgent": {"properties.desired": {"modules": {
            "m": {"settings": {"image": "x", "createOptions": create_options.to_string()}}
        }}}}});
        Manifest::load(text.to_string().as_bytes()).unwrap().modules.remove(0)
    }

    #[test]
    fn the_service_keys_ports_by_number_as_the_agent_does() {
        let m = module(json!({"ExposedPorts": {"80/tcp": {}, "5000": {}}, "HostConfig": {"PortBindings": {
            "8080/tcp": [{"HostPort": "80"}], "53/udp": [{"HostPort": "53"}, {"HostPort": "53"}]
        }}}));
        let s = service(&m, &DeviceProfile::default()).unwrap();
        let ports: Vec<(u16, u16, &str)> = s.ports.iter().map(|p| (p.port, p.target, p.name.as_str())).collect();
        assert_eq!(
            ports,
            [(80, 8080, "hostport-8080-tcp"), (5000, 5000, "exposedport-5000-tcp"), (53, 53, "hostport-53-udp")]
        );
        assert_eq!(s.replaced.len(), 1, "the exposed port 80 lost its number to the binding");
        assert_eq!(s.kind, ServiceType::LoadBalancer);
        let only_exposed = module(json!({"ExposedPorts": {"80/tcp": {}}}));
        assert_eq!(service(&only_exposed, &DeviceProfile::default()).unwrap().kind, ServiceType::ClusterIP);
        assert!(service(&module(json!({})), &DeviceProfile::default()).is_none());
    }

    #[test]
    fn one_plan_never_proposes_a_number_twice() {
        // 82/tcp has an empty host port, 81/tcp is only exposed, 80/tcp is remapped to 81.
        let m = module(json!({"ExposedPorts": {"81/tcp": {}}, "HostConfig": {"PortBindings": {
            "80/tcp": [{"HostPort": "81"}], "82/tcp": [{"HostPort": ""}], "90/tcp": [{"HostPort": "31000"}]
        }}}));
        let plan = Plan::of(&m, &DeviceProfile::default());
        let keys = |k: &str| Pointer::from_tokens(["HostConfig", "PortBindings", k]);
        assert_eq!(plan.get(Purpose::Rebind, &keys("90/tcp").index(0)), Some(90));
        assert_eq!(plan.get(Purpose::Remap, &keys("80/tcp")), Some(80));
        assert_eq!(plan.get(Purpose::Bind, &keys("82/tcp")), Some(82));
        assert_eq!(plan.get(Purpose::Bind, &Pointer::from_tokens(["ExposedPorts", "81/tcp"])), Some(83));
        assert_eq!(free_host_port(31000, &HashMap::new()), Some(31002));
        // An exposed port is a Service port of its own: 91 is not free for container port 90.
        let m = module(json!({"ExposedPorts": {"91/tcp": {}}, "HostConfig": {"PortBindings": {
            "91/tcp": [{"HostPort": "90"}], "90/tcp": [{"HostPort": ""}]
        }}}));
        let plan = Plan::of(&m, &DeviceProfile::default());
        assert_eq!(plan.get(Purpose::Bind, &keys("90/tcp")), Some(92));
    }
}
