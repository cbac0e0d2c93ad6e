//! Ports and networks as IoT Edge in a VM runs them (VM-TARGET.md §3): one moby host publishes
//! every module's `PortBindings` on the VM's IP, modules reach each other on the `azure-iot-edge`
//! bridge at `<module>:<container port>` exactly as on the FPGA device, and Docker reads
//! `NetworkMode` and network names exactly as written. The VM rules (NET101–NET104, and NET002 on
//! the VM) share what is here, and one plan of new host ports for the whole VM so that their fixes,
//! taken together, never publish one number twice.

use super::ports::is_read;
use crate::manifest::model::{self, Field, HostPort, PortMapping};
use crate::manifest::{Module, Pointer};
use crate::rules::Context;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap, HashSet};

/// The IoT Edge network the agent attaches modules to (config.toml `[moby_runtime] network`).
pub const EDGE_NETWORK: &str = "azure-iot-edge";

/// edgeHub's ports for MQTT, AMQP and HTTPS/WebSockets: what leaf devices and modules connect to.
pub const EDGE_HUB_PORTS: [u16; 3] = [8883, 5671, 443];

/// The module is on the host network as Docker reads it: `NetworkMode` exactly `host` (Docker
/// compares network names exactly; `Host` names a user network).
pub fn is_host_network(module: &Module) -> bool {
    super::ports::network_mode(module).and_then(Field::text) == Some("host")
}

/// `NetworkingConfig` as written (any case: Docker's JSON decoder ignores it).
pub fn networking_config(module: &Module) -> Option<&Field> {
    module.container()?.other.iter().find(|o| o.docker == Some("NetworkingConfig")).map(|o| &o.field)
}

/// `NetworkingConfig.EndpointsConfig`: its value and where it is in createOptions.
pub fn endpoints_config(module: &Module) -> Option<(&Value, Pointer)> {
    let nc = networking_config(module)?;
    model::lookup(&nc.value, &nc.at, &["EndpointsConfig"])
}

/// A `HostIp` that listens on every address (none, `""`, `0.0.0.0`, `::`).
fn is_any_ip(ip: Option<&str>) -> bool {
    ip.is_none_or(|ip| matches!(ip.trim(), "" | "0.0.0.0" | "::" | "[::]"))
}

/// Two `HostIp`s Docker cannot both bind one port on: equal, or one of them every address.
pub fn ips_overlap(a: Option<&str>, b: Option<&str>) -> bool {
    is_any_ip(a) || is_any_ip(b) || a.map(str::trim) == b.map(str::trim)
}

/// One host port a module publishes on the VM: a numeric `HostPort` of a binding Docker reads.
#[derive(Debug, Clone)]
pub struct Published<'m> {
    pub module: &'m Module,
    /// The binding's key as written (`80/tcp`).
    pub key: &'m str,
    pub container_port: u16,
    /// Lower-cased.
    pub protocol: &'m str,
    pub host_port: u16,
    /// `HostIp` as written; `None` when absent.
    pub host_ip: Option<&'m str>,
    /// The mapping, in the module's createOptions.
    pub at: Pointer,
    /// Where its `HostPort` is, or would be written.
    pub host_port_at: Pointer,
}

/// Every host port the deployment publishes on the VM, system modules first, then in manifest
/// order. A module on the host network publishes nothing (Docker discards its bindings).
pub fn published<'m>(ctx: &Context<'m>) -> Vec<Published<'m>> {
    let mut modules: Vec<&Module> = ctx.manifest.modules.iter().collect();
    modules.sort_by_key(|m| !m.system);
    let mut out = Vec::new();
    for m in modules.into_iter().filter(|m| !is_host_network(m)) {
        for b in m.port_bindings().iter().filter(|b| is_read(&b.port)) {
            for x in b.mappings.iter().flatten() {
                if let HostPort::Port(host_port) = x.host_port() {
                    out.push(Published {
                        module: m,
                        key: &b.port.key,
                        container_port: b.port.port.expect("read keys have a port"),
                        protocol: &b.port.protocol,
                        host_port,
                        host_ip: x.host_ip.as_ref().and_then(Field::text),
                        at: x.at.clone(),
                        host_port_at: x.host_port.as_ref().map_or_else(|| x.at.child("HostPort"), |f| f.at.clone()),
                    });
                }
            }
        }
    }
    out
}

/// A published port another module already publishes on an overlapping address.
#[derive(Debug, Clone)]
pub struct Collision<'m> {
    /// The later one's mappings with that host port and protocol (an IPv4 + IPv6 pair moves together).
    pub mappings: Vec<Published<'m>>,
    /// The module that keeps the port (edgeHub before any custom module, else the first), and
    /// its binding's key.
    pub with: &'m Module,
    pub with_key: &'m str,
}

impl Collision<'_> {
    pub fn first(&self) -> &Published<'_> {
        &self.mappings[0]
    }
}

/// Every collision on the VM, in order: each module that publishes a host port and protocol an
/// earlier module already publishes, or that it publishes itself for another container port.
pub fn collisions<'m>(ctx: &Context<'m>) -> Vec<Collision<'m>> {
    let all = published(ctx);
    let mut out: Vec<Collision<'m>> = Vec::new();
    for (i, p) in all.iter().enumerate() {
        let earlier = all[..i].iter().find(|e| {
            (e.module.name != p.module.name || e.container_port != p.container_port)
                && e.host_port == p.host_port
                && e.protocol == p.protocol
                && ips_overlap(e.host_ip, p.host_ip)
        });
        let Some(e) = earlier else { continue };
        let joined = out.iter_mut().find(|c| {
            let f = c.first();
            f.module.name == p.module.name
                && f.container_port == p.container_port
                && f.host_port == p.host_port
                && f.protocol == p.protocol
        });
        match joined {
            Some(c) => c.mappings.push(p.clone()),
            None => out.push(Collision { mappings: vec![p.clone()], with: e.module, with_key: e.key }),
        }
    }
    out
}

/// A binding with mappings that leave the host port to Docker: no `HostPort`, `null`, `""` or `0`.
#[derive(Debug, Clone)]
pub struct Ephemeral<'m> {
    pub module: &'m Module,
    pub key: &'m str,
    pub container_port: u16,
    pub protocol: &'m str,
    /// The mappings without a host port, and where each one's `HostPort` is written.
    pub mappings: Vec<(Pointer, Pointer)>,
    /// Which of them give host port `0` (Docker's "any port") rather than none.
    pub zero: Vec<usize>,
    /// A host port another mapping of the same container port publishes it on, if any.
    pub also_on: Option<u16>,
}

/// Every container port published on a host port Docker chooses, in manifest order (modules on
/// the host network publish nothing; keys with placeholders are data).
pub fn ephemeral<'m>(ctx: &Context<'m>) -> Vec<Ephemeral<'m>> {
    let mut out: Vec<Ephemeral<'m>> = Vec::new();
    for m in ctx.manifest.modules.iter().filter(|m| !is_host_network(m)) {
        for b in m.port_bindings().iter().filter(|b| is_read(&b.port)) {
            let port = b.port.port.expect("read keys have a port");
            let chosen_by_docker: Vec<(&PortMapping, bool)> = b
                .mappings
                .iter()
                .flatten()
                .filter_map(|x| match x.host_port() {
                    HostPort::Missing if x.is_object => Some((x, false)),
                    HostPort::Invalid(v) if v.trim() == "0" => Some((x, true)),
                    _ => None,
                })
                .collect();
            let zero = chosen_by_docker.iter().enumerate().filter(|(_, (_, z))| *z).map(|(i, _)| i).collect();
            let mappings: Vec<(Pointer, Pointer)> = chosen_by_docker
                .iter()
                .map(|(x, _)| {
                    (x.at.clone(), x.host_port.as_ref().map_or_else(|| x.at.child("HostPort"), |f| f.at.clone()))
                })
                .collect();
            if mappings.is_empty() {
                continue;
            }
            let also_on = m
                .port_bindings()
                .iter()
                .filter(|o| is_read(&o.port) && o.port.port == Some(port) && o.port.protocol == b.port.protocol)
                .flat_map(|o| o.host_ports())
                .next();
            out.push(Ephemeral {
                module: m,
                key: &b.port.key,
                container_port: port,
                protocol: &b.port.protocol,
                mappings,
                zero,
                also_on,
            });
        }
    }
    out
}

/// What a proposed VM host port is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Purpose {
    /// A port another module already publishes (NET104), keyed by the first colliding mapping.
    Collision,
    /// A container port Docker publishes on an ephemeral port (NET002 on the VM), keyed by its
    /// first mapping.
    Ephemeral,
}

/// The host ports the VM rules propose, chosen together for the whole VM: collisions first, in
/// order, then ephemeral ports, each the container port when free, else the next free number.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    chosen: HashMap<(Purpose, String, Pointer), u16>,
}

impl Plan {
    pub fn of(ctx: &Context<'_>) -> Plan {
        let mut plan = Plan::default();
        let mut used: HashSet<(u16, String)> =
            published(ctx).iter().map(|p| (p.host_port, p.protocol.to_owned())).collect();
        let take = |wanted: u16, protocol: &str, used: &mut HashSet<(u16, String)>| {
            let free = (wanted..=u16::MAX).find(|p| !used.contains(&(*p, protocol.to_owned())))?;
            used.insert((free, protocol.to_owned()));
            Some(free)
        };
        for c in collisions(ctx) {
            let f = c.first();
            if let Some(p) = take(f.host_port, f.protocol, &mut used) {
                plan.chosen.insert((Purpose::Collision, f.module.name.clone(), f.at.clone()), p);
            }
        }
        for e in ephemeral(ctx).iter().filter(|e| e.also_on.is_none()) {
            if let Some(p) = take(e.container_port, e.protocol, &mut used) {
                plan.chosen.insert((Purpose::Ephemeral, e.module.name.clone(), e.mappings[0].0.clone()), p);
            }
        }
        plan
    }

    /// The host port proposed for `purpose` at mapping `at` of `module`.
    pub fn get(&self, purpose: Purpose, module: &Module, at: &Pointer) -> Option<u16> {
        self.chosen.get(&(purpose, module.name.clone(), at.clone())).copied()
    }
}

/// What a module publishes, for people: `443`, `8080 → 80/tcp`, `127.0.0.1:9000 → 9000/tcp`,
/// `an ephemeral port → 5000/tcp`, by module in manifest order. Modules on the host network are
/// listed with no ports: every port they listen on is the VM's.
pub fn listing(ctx: &Context<'_>) -> BTreeMap<usize, (String, Vec<String>)> {
    let mut out = BTreeMap::new();
    for (i, m) in ctx.manifest.modules.iter().enumerate() {
        if is_host_network(m) {
            out.insert(i, (m.name.clone(), Vec::new()));
            continue;
        }
        let mut ports: Vec<String> = Vec::new();
        for b in m.port_bindings().iter().filter(|b| b.port.port.is_some()) {
            let container = format!("{}/{}", b.port.port.expect("checked"), b.port.protocol);
            for x in b.mappings.iter().flatten() {
                let host = match x.host_port() {
                    HostPort::Port(p) => p.to_string(),
                    HostPort::Placeholder(s) | HostPort::Range(s) => s,
                    HostPort::Missing if x.is_object => "an ephemeral port".to_owned(),
                    HostPort::Missing | HostPort::Invalid(_) => continue,
                };
                let ip = x.host_ip.as_ref().and_then(Field::text).filter(|ip| !is_any_ip(Some(ip)));
                let host = ip.map_or(host.clone(), |ip| format!("{ip}:{host}"));
                let shown = if container == format!("{host}/tcp") { host } else { format!("{host} → {container}") };
                if !ports.contains(&shown) {
                    ports.push(shown);
                }
            }
        }
        if !ports.is_empty() {
            out.insert(i, (m.name.clone(), ports));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::device::{DeviceProfile, Target};
    use crate::manifest::Manifest;
    use serde_json::json;

    fn manifest(modules: Value) -> Manifest {
        let text = json!({"modulesContent": {"$edgeAgent": {"properties.desired": {
            "systemModules": {"edgeHub": {"settings": {"image": "hub", "createOptions":
                json!({"HostConfig": {"PortBindings": {"443/tcp": [{"HostPort": "443"}], "8883/tcp": [{"HostPort": "8883"}]}}}).to_string()}}},
            "modules": modules
        }}}});
        Manifest::load(text.to_string().as_bytes()).unwrap()
    }

    fn module(co: Value) -> Value {
        json!({"settings": {"image": "x", "createOptions": co.to_string()}})
    }

    #[test]
    fn one_plan_for_the_whole_vm_never_proposes_a_number_twice() {
        let m = manifest(json!({
            "web": module(json!({"HostConfig": {"PortBindings": {"443/tcp": [{"HostPort": "443"}], "8080/tcp": [{"HostPort": ""}]}}})),
            "api": module(json!({"HostConfig": {"PortBindings": {"443/tcp": [{"HostPort": "443"}], "444/tcp": [{}]}}})),
            "local": module(json!({"HostConfig": {"PortBindings": {"8883/tcp": [{"HostIp": "127.0.0.1", "HostPort": "8883"}]}}})),
            "dns": module(json!({"HostConfig": {"PortBindings": {"443/udp": [{"HostPort": "443"}]}}})),
            "sniffer": module(json!({"HostConfig": {"NetworkMode": "host", "PortBindings": {"443/tcp": [{"HostPort": "443"}]}}})),
        }));
        let device = DeviceProfile { target: Target::Vm, ..DeviceProfile::default() };
        let ctx = Context::new(&m, &device);
        let c = collisions(&ctx);
        let names: Vec<(&str, u16, &str)> =
            c.iter().map(|c| (c.first().module.name.as_str(), c.first().host_port, c.with.name.as_str())).collect();
        // udp 443 and the host-network module collide with nothing; 127.0.0.1:8883 collides with
        // edgeHub's 8883 on every address.
        assert_eq!(names, [("web", 443, "edgeHub"), ("api", 443, "edgeHub"), ("local", 8883, "edgeHub")]);
        let plan = Plan::of(&ctx);
        let at = |name: &str, key: &str| {
            let module = m.module(name).unwrap();
            (module, Pointer::from_tokens(["HostConfig", "PortBindings", key]).index(0))
        };
        let (web, a) = at("web", "443/tcp");
        let (api, b) = at("api", "443/tcp");
        assert_eq!(plan.get(Purpose::Collision, web, &a), Some(444), "444 is free until api's ephemeral asks for it");
        assert_eq!(plan.get(Purpose::Collision, api, &b), Some(445));
        let (web8080, e) = at("web", "8080/tcp");
        assert_eq!(plan.get(Purpose::Ephemeral, web8080, &e), Some(8080));
        let (api444, e) = at("api", "444/tcp");
        assert_eq!(plan.get(Purpose::Ephemeral, api444, &e), Some(446), "444 and 445 went to the collisions");
        assert!(!ips_overlap(Some("127.0.0.1"), Some("10.0.0.4")));
        assert!(ips_overlap(Some("0.0.0.0"), Some("10.0.0.4")));
    }
}
