//! The pre-flight: the predicted objects checked the way the API server and the scheduler would
//! check them (rules `K8S001`…`K8S010`, documented in `crate::rules::preflight`).
//!
//! Some facts are also visible on the manifest, and a manifest rule owns them; the pre-flight
//! then stays silent, so that the engineer hears each fact once:
//!
//! | fact | owner | the pre-flight is silent when |
//! |---|---|---|
//! | a refusal at a place a rule reports | that rule | an error of any rule is at the refusal's place |
//! | names that come from the module name | OTH002 | OTH002 reports the module |
//! | sanitised module names collide | OTH002 | OTH002 reports the module |
//! | two host ports on one container port (duplicate port names) | NET004 | NET004 reports the module |
//! | a module port on 35000/35001 | PRX003 | PRX003 reports the module |
//! | an invalid quantity at a place a rule reports | that rule (RES006…) | an error is at that place |
//! | the GPUs of all modules above the device's | RES010 | RES010 reports |
//! | external IPs above the device's range | NET007 | NET007 has an error or warning for the deployment |
//! | a volume mount naming no declared share | STO009 | STO009 reports at that mount |
//!
//! What only the objects show stays here: volume names the agent keeps as written, volumes and
//! mounts that collide in a pod, ports the agent reads as any 32-bit number, Service types it
//! turns into numbers, a claim asking for `0Mi`, claims nobody creates.

use super::{ModuleObjects, Object, agent, translate};
use crate::device::{DeviceProfile, Target};
use crate::manifest::placeholder::contains_placeholder;
use crate::manifest::{Location, Manifest};
use crate::rules::preflight::{
    k8s001_refused as k001, k8s002_names as k002, k8s003_volumes as k003, k8s004_service as k004,
    k8s005_collisions as k005, k8s006_proxy_ports as k006, k8s007_quantities as k007, k8s008_gpus as k008,
    k8s009_external_ips as k009, k8s010_missing_claims as k010,
};
use crate::rules::shared::names::{self, NameRule, k8s_name};
use crate::rules::shared::quantity;
use crate::rules::{Finding, Rule, Severity, analyse};
use k8s_openapi::api::core::v1::{Container, ResourceRequirements};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use std::collections::{BTreeMap, HashMap, HashSet};

/// The whole engine's check for the Kubernetes target: every manifest rule ([`analyse`]) and the
/// pre-flight on the objects the agent would create, sorted as `analyse` sorts. For the VM
/// target it is `analyse` alone.
pub fn check(manifest: &Manifest, device: &DeviceProfile) -> Vec<Finding> {
    let mut findings = analyse(manifest, device);
    if device.target != Target::K8s {
        return findings;
    }
    let objects = translate(manifest, device);
    let extra = preflight(manifest, device, &objects, &findings);
    findings.extend(extra);
    let order: HashMap<&str, usize> = manifest.modules.iter().enumerate().map(|(i, m)| (m.name.as_str(), i)).collect();
    let index = |f: &Finding| f.module.as_deref().and_then(|n| order.get(n).copied()).unwrap_or(usize::MAX);
    findings.sort_by_cached_key(|f| (index(f), f.section, f.rule, f.location.clone()));
    findings
}

/// The pre-flight's own findings on translated objects, leaving out the facts `known` (the
/// manifest rules' findings) already report.
pub fn preflight(
    manifest: &Manifest,
    device: &DeviceProfile,
    objects: &[ModuleObjects],
    known: &[Finding],
) -> Vec<Finding> {
    let mut out = Out::new(manifest, known);
    let claims_made: HashSet<&str> =
        objects.iter().flat_map(|m| m.claims()).filter_map(|c| c.metadata.name.as_deref()).collect();
    for mo in objects {
        refusal(&mut out, mo);
        let Some(module_at) = mo.sources.module.clone() else { continue };
        names(&mut out, mo, &module_at);
        volumes(&mut out, mo, &module_at);
        service(&mut out, mo, &module_at);
        proxy_ports(&mut out, mo, &module_at);
        quantities(&mut out, mo, &module_at);
        claims(&mut out, device, mo, &claims_made);
    }
    gpus(&mut out, device, objects);
    external_ips(&mut out, device, objects);
    out.findings()
}

/// A finding's identity: rule id, module, place.
type Key = (&'static str, Option<String>, Location);

/// Findings being collected: one per rule, module and place (messages at one place are joined).
struct Out<'a> {
    manifest: &'a Manifest,
    known: &'a [Finding],
    /// The manifest rules' findings by module (the owners the pre-flight defers to), indexed
    /// once: the look-ups run for every module.
    by_module: HashMap<&'a str, Vec<&'a Finding>>,
    found: BTreeMap<Key, (&'static Rule, Vec<String>)>,
}

impl<'a> Out<'a> {
    fn new(manifest: &'a Manifest, known: &'a [Finding]) -> Out<'a> {
        let mut by_module: HashMap<&str, Vec<&Finding>> = HashMap::new();
        for f in known {
            if let Some(m) = f.module.as_deref() {
                by_module.entry(m).or_default().push(f);
            }
        }
        Out { manifest, known, by_module, found: BTreeMap::new() }
    }

    /// The manifest rules' findings on `module`.
    fn on(&self, module: &str) -> impl Iterator<Item = &'a Finding> + '_ {
        self.by_module.get(module).into_iter().flatten().copied()
    }

    fn add(&mut self, rule: &'static Rule, module: Option<&str>, at: Location, message: String) {
        let entry = self.found.entry((rule.doc.id, module.map(str::to_owned), at)).or_insert((rule, Vec::new()));
        if !entry.1.contains(&message) {
            entry.1.push(message);
        }
    }

    /// A manifest rule reports on the module (any finding).
    fn owned(&self, rule: &str, module: &str) -> bool {
        self.on(module).any(|f| f.rule == rule)
    }

    /// `rule` reports some module that the agent names `name` (the other side of a collision).
    fn owned_by_name(&self, rule: &str, name: &str) -> bool {
        self.known.iter().any(|f| f.rule == rule && f.module.as_deref().is_some_and(|m| k8s_name(m) == name))
    }

    /// An error of any manifest rule is at this place of the module.
    fn error_at(&self, module: &str, at: &Location) -> bool {
        self.on(module).any(|f| f.severity == Severity::Error && f.location == *at)
    }

    fn findings(self) -> Vec<Finding> {
        let manifest = self.manifest;
        self.found
            .into_iter()
            .map(|((_, module, at), (rule, messages))| {
                let m = module.as_deref().and_then(|n| manifest.module(n));
                Finding::new(rule, m, at, messages.join("; "))
            })
            .collect()
    }
}

fn refusal(out: &mut Out, mo: &ModuleObjects) {
    let (Some(error), Some(at)) = (&mo.error, &mo.sources.error) else { return };
    if mo.sources.collision {
        // OTH002 reports a collision on the custom module; the system module it collides with
        // (edgeHub) is the same fact seen from the other side.
        if !out.owned_by_name("OTH002", &k8s_name(&mo.module)) {
            out.add(&k005::RULE, Some(&mo.module), at.clone(), error.clone());
        }
    } else if !out.error_at(&mo.module, at) {
        out.add(&k001::RULE, Some(&mo.module), at.clone(), format!("the agent would refuse `{}`: {error}", mo.module));
    }
}

fn names(out: &mut Out, mo: &ModuleObjects, module_at: &Location) {
    let from_module_name = !out.owned("OTH002", &mo.module);
    let mut check = |rule: NameRule, what: &str, name: &str, at: &Location, from_name: bool| {
        if (from_name && !from_module_name) || contains_placeholder(name) {
            return;
        }
        if let Some(why) = rule.check(name) {
            out.add(&k002::RULE, Some(&mo.module), at.clone(), format!("{what} `{name}` is not {why}"));
        }
    };
    for o in &mo.objects {
        let rule = match o {
            Object::Service(_) => NameRule::Rfc1035Label,
            _ => NameRule::Dns1123Subdomain,
        };
        let at = match o {
            Object::PersistentVolumeClaim(_) => {
                let i = mo.claims().position(|c| c.metadata.name.as_deref() == Some(o.name())).unwrap_or(0);
                mo.sources.claims.get(i).unwrap_or(module_at).clone()
            }
            _ => module_at.clone(),
        };
        let from_name = !matches!(o, Object::PersistentVolumeClaim(_));
        check(rule, &format!("the {} name", o.kind()), o.name(), &at, from_name);
    }
    let Some(d) = mo.deployment() else { return };
    if let Some(labels) = &d.metadata.labels {
        for (k, v) in labels {
            let from_name = k == agent::MODULE_LABEL;
            check(NameRule::LabelValue, &format!("the label `{k}`"), v, module_at, from_name);
        }
    }
    let Some(spec) = d.spec.as_ref().and_then(|s| s.template.spec.as_ref()) else { return };
    for c in spec.containers.iter().skip(1) {
        check(NameRule::Dns1123Label, "the container name", &c.name, module_at, true);
    }
    for (i, v) in spec.volumes.iter().flatten().enumerate() {
        let at = mo.sources.volumes.get(i).unwrap_or(module_at);
        check(NameRule::Dns1123Label, "the volume name", &v.name, at, false);
    }
    if let Some(ports) = mo.service().and_then(|s| s.spec.as_ref()).and_then(|s| s.ports.as_ref()) {
        for (i, p) in ports.iter().enumerate() {
            let at = mo.sources.service_ports.get(i).unwrap_or(module_at);
            check(NameRule::Dns1123Label, "the Service port name", p.name.as_deref().unwrap_or(""), at, false);
        }
    }
}

fn module_container(mo: &ModuleObjects) -> Option<&Container> {
    mo.deployment()?.spec.as_ref()?.template.spec.as_ref()?.containers.get(1)
}

fn volumes(out: &mut Out, mo: &ModuleObjects, module_at: &Location) {
    let Some(spec) = mo.deployment().and_then(|d| d.spec.as_ref()).and_then(|s| s.template.spec.as_ref()) else {
        return;
    };
    let volumes = spec.volumes.as_deref().unwrap_or(&[]);
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (i, v) in volumes.iter().enumerate() {
        if let Some(first) = seen.insert(v.name.as_str(), i) {
            let at = mo.sources.volumes.get(i).unwrap_or(module_at).clone();
            let whose = if first < 2 { " (the proxy side-car's)" } else { "" };
            out.add(&k003::RULE, Some(&mo.module), at, format!("the pod has two volumes named `{}`{whose}", v.name));
        }
    }
    let Some(c) = module_container(mo) else { return };
    let mut paths: HashSet<&str> = HashSet::new();
    for (i, m) in c.volume_mounts.iter().flatten().enumerate() {
        let at = mo.sources.mounts.get(i).unwrap_or(module_at).clone();
        if !paths.insert(m.mount_path.as_str()) {
            out.add(
                &k003::RULE,
                Some(&mo.module),
                at.clone(),
                format!("two volumes are mounted at `{}`", m.mount_path),
            );
        }
        if !seen.contains_key(m.name.as_str()) {
            out.add(
                &k003::RULE,
                Some(&mo.module),
                at,
                format!("the mount at `{}` names the volume `{}`, which the pod does not have", m.mount_path, m.name),
            );
        }
    }
}

fn in_range(port: i32) -> bool {
    (1..=65535).contains(&port)
}

fn service(out: &mut Out, mo: &ModuleObjects, module_at: &Location) {
    if let Some(c) = module_container(mo) {
        for (i, p) in c.ports.iter().flatten().enumerate() {
            if !in_range(p.container_port) {
                let at = mo.sources.container_ports.get(i).unwrap_or(module_at).clone();
                if !out.error_at(&mo.module, &at) {
                    out.add(
                        &k004::RULE,
                        Some(&mo.module),
                        at,
                        format!("the container port {} is not in 1–65535", p.container_port),
                    );
                }
            }
        }
    }
    let Some(spec) = mo.service().and_then(|s| s.spec.as_ref()) else { return };
    let mut names: HashSet<&str> = HashSet::new();
    for (i, p) in spec.ports.iter().flatten().enumerate() {
        let at = mo.sources.service_ports.get(i).unwrap_or(module_at).clone();
        let name = p.name.as_deref().unwrap_or("");
        if !names.insert(name) && !out.owned("NET004", &mo.module) {
            out.add(&k004::RULE, Some(&mo.module), at.clone(), format!("the Service has two ports named `{name}`"));
        }
        let mut bad = Vec::new();
        if !in_range(p.port) {
            bad.push(format!("the Service port {}", p.port));
        }
        if let Some(IntOrString::Int(t)) = p.target_port
            && !in_range(t)
        {
            bad.push(format!("the target port {t}"));
        }
        if !bad.is_empty() && !out.error_at(&mo.module, &at) {
            out.add(&k004::RULE, Some(&mo.module), at, format!("{} is not in 1–65535", bad.join(" and ")));
        }
    }
    let type_at = mo.sources.service_type.clone().unwrap_or_else(|| module_at.clone());
    let type_ = spec.type_.as_deref().unwrap_or("");
    if !matches!(type_, "ClusterIP" | "NodePort" | "LoadBalancer") {
        out.add(
            &k004::RULE,
            Some(&mo.module),
            type_at,
            format!("the agent reads the Service type as the number {type_}, which is not a Service type"),
        );
    }
    if let Some(ip) = spec.load_balancer_ip.as_deref().filter(|ip| !ip.is_empty() && !contains_placeholder(ip)) {
        let at = mo.sources.load_balancer_ip.clone().unwrap_or_else(|| module_at.clone());
        if type_ != "LoadBalancer" {
            out.add(
                &k004::RULE,
                Some(&mo.module),
                at,
                format!("`loadBalancerIP` {ip} is only allowed on a LoadBalancer Service; this one is {type_}"),
            );
        } else if ip.parse::<std::net::IpAddr>().is_err() {
            out.add(&k004::RULE, Some(&mo.module), at, format!("`loadBalancerIP` `{ip}` is not an IP address"));
        }
    }
}

fn proxy_ports(out: &mut Out, mo: &ModuleObjects, module_at: &Location) {
    if out.owned("PRX003", &mo.module) {
        return;
    }
    let proxy = |p: i32| agent::PROXY_PORTS.iter().any(|x| i32::from(*x) == p);
    if let Some(c) = module_container(mo) {
        for (i, p) in c.ports.iter().flatten().enumerate() {
            if proxy(p.container_port) {
                let at = mo.sources.container_ports.get(i).unwrap_or(module_at).clone();
                out.add(
                    &k006::RULE,
                    Some(&mo.module),
                    at,
                    format!("the container port {} is the proxy side-car's", p.container_port),
                );
            }
        }
    }
    let host_network = mo
        .deployment()
        .and_then(|d| d.spec.as_ref())
        .and_then(|s| s.template.spec.as_ref())
        .and_then(|s| s.host_network)
        .unwrap_or(false);
    for (i, p) in
        mo.service().and_then(|s| s.spec.as_ref()).and_then(|s| s.ports.as_ref()).into_iter().flatten().enumerate()
    {
        let at = mo.sources.service_ports.get(i).unwrap_or(module_at).clone();
        if let Some(IntOrString::Int(t)) = p.target_port
            && proxy(t)
        {
            out.add(
                &k006::RULE,
                Some(&mo.module),
                at.clone(),
                format!("the container port {t} is the proxy side-car's"),
            );
        }
        if host_network && proxy(p.port) {
            out.add(
                &k006::RULE,
                Some(&mo.module),
                at,
                format!("the host port {} is the proxy side-car's on the node (host network)", p.port),
            );
        }
    }
}

/// Resource names a container may ask for without a domain.
fn standard_resource(name: &str) -> bool {
    matches!(name, "cpu" | "memory" | "ephemeral-storage") || name.starts_with("hugepages-")
}

/// Extended resources: a domain other than Kubernetes' own.
fn extended(name: &str) -> bool {
    name.split_once('/').is_some_and(|(domain, _)| !domain.ends_with("kubernetes.io") && domain != "kubernetes.io")
}

fn quantities(out: &mut Out, mo: &ModuleObjects, module_at: &Location) {
    if let Some(c) = module_container(mo)
        && let Some(r) = &c.resources
    {
        let at = mo.sources.resources.clone().unwrap_or_else(|| module_at.clone());
        if !out.error_at(&mo.module, &at) {
            for problem in resource_problems(r) {
                out.add(&k007::RULE, Some(&mo.module), at.clone(), problem);
            }
        }
    }
    for (i, claim) in mo.claims().enumerate() {
        let storage = claim
            .spec
            .as_ref()
            .and_then(|s| s.resources.as_ref())
            .and_then(|r| r.requests.as_ref())
            .and_then(|r| r.get("storage"));
        if let Some(q) = storage
            && quantity::value(&q.0).is_some_and(|v| v <= 0.0)
        {
            let at = mo.sources.claims.get(i).unwrap_or(module_at).clone();
            out.add(
                &k007::RULE,
                Some(&mo.module),
                at,
                format!(
                    "the PersistentVolumeClaim `{}` asks for {} of storage, which must be more than zero: give the agent's default size (`--pvc-size-mb`)",
                    claim.metadata.name.as_deref().unwrap_or(""),
                    q.0
                ),
            );
        }
    }
}

/// What the API server refuses in a container's requests and limits.
fn resource_problems(r: &ResourceRequirements) -> Vec<String> {
    let mut out = Vec::new();
    let empty = BTreeMap::new();
    let limits = r.limits.as_ref().unwrap_or(&empty);
    let requests = r.requests.as_ref().unwrap_or(&empty);
    let mut value = |kind: &str, name: &str, text: &str| -> Option<f64> {
        if contains_placeholder(text) {
            return None;
        }
        if !name.contains('/') && !standard_resource(name) {
            out.push(format!("`{name}` is not a resource a container can ask for (cpu, memory, ephemeral-storage, or a name with a domain such as nvidia.com/gpu)"));
            return None;
        }
        let Some(v) = quantity::value(text) else {
            out.push(format!("the {kind} `{name}: {text}` is not a Kubernetes quantity"));
            return None;
        };
        if v < 0.0 {
            out.push(format!("the {kind} `{name}: {text}` is negative"));
        } else if extended(name) && v.fract() != 0.0 {
            out.push(format!("the {kind} `{name}: {text}` is not a whole number"));
        }
        Some(v)
    };
    let limit_values: BTreeMap<&str, Option<f64>> =
        limits.iter().map(|(k, q)| (k.as_str(), value("limit", k, &q.0))).collect();
    let request_values: BTreeMap<&str, Option<f64>> =
        requests.iter().map(|(k, q)| (k.as_str(), value("request", k, &q.0))).collect();
    for (name, request) in &request_values {
        let limit = limit_values.get(name).copied().flatten();
        match (request, limit) {
            (Some(req), Some(lim)) if extended(name) && req != &lim => {
                out.push(format!("the request of `{name}` must equal its limit"));
            }
            (Some(req), Some(lim)) if *req > lim => {
                out.push(format!("the request of `{name}` is above its limit"));
            }
            (_, None) if extended(name) && !limit_values.contains_key(name) => {
                out.push(format!("`{name}` is requested without a limit, which it must have"));
            }
            _ => {}
        }
    }
    out
}

fn claims(out: &mut Out, device: &DeviceProfile, mo: &ModuleObjects, made: &HashSet<&str>) {
    let Some(shares) = &device.shares else { return };
    let shares: HashSet<String> = shares.iter().filter_map(|s| names::dns_label(s).ok()).collect();
    let Some(spec) = mo.deployment().and_then(|d| d.spec.as_ref()).and_then(|s| s.template.spec.as_ref()) else {
        return;
    };
    for (i, v) in spec.volumes.iter().flatten().enumerate() {
        let Some(claim) = &v.persistent_volume_claim else { continue };
        let name = claim.claim_name.as_str();
        if made.contains(name) || shares.contains(name) || contains_placeholder(name) {
            continue;
        }
        let at = mo.sources.volumes.get(i).cloned().unwrap_or_else(|| mo.sources.module.clone().expect("translated"));
        if out.owned_at("STO009", &mo.module, &at) {
            continue;
        }
        let why = match &device.storage_class {
            None => "the agent has no storage class, so it creates no claims",
            Some(_) => "the agent creates claims only for `volume` mounts",
        };
        out.add(
            &k010::RULE,
            Some(&mo.module),
            at,
            format!("the claim `{name}` is not one of the device's shares and {why}: the pod stays Pending"),
        );
    }
}

impl Out<'_> {
    fn owned_at(&self, rule: &str, module: &str, at: &Location) -> bool {
        self.on(module).any(|f| f.rule == rule && f.location == *at)
    }
}

fn gpus(out: &mut Out, device: &DeviceProfile, objects: &[ModuleObjects]) {
    if out.known.iter().any(|f| f.rule == "RES010") {
        return;
    }
    let mut total = 0u64;
    let mut users = Vec::new();
    for mo in objects {
        let n = mo.gpus();
        if n > 0.0 {
            total += n as u64;
            users.push(format!("`{}` ({n})", mo.module));
        }
    }
    if total > u64::from(device.gpus) {
        out.add(
            &k008::RULE,
            None,
            Location::Document(out.manifest.edge_agent_at()),
            format!("the running pods ask for {total} GPUs and the device has {}: {}", device.gpus, users.join(", ")),
        );
    }
}

fn external_ips(out: &mut Out, device: &DeviceProfile, objects: &[ModuleObjects]) {
    let Some(available) = device.external_ips else { return };
    if out.known.iter().any(|f| f.rule == "NET007" && f.module.is_none() && f.severity <= Severity::Warning) {
        return;
    }
    let users: Vec<&str> = objects.iter().filter(|mo| mo.takes_external_ip()).map(|mo| mo.module.as_str()).collect();
    if users.len() > available as usize {
        out.add(
            &k009::RULE,
            None,
            Location::Document(out.manifest.edge_agent_at()),
            format!(
                "{} LoadBalancer Services need an external IP each and the device's range has {available}: {}",
                users.len(),
                users.iter().map(|u| format!("`{u}`")).collect::<Vec<_>>().join(", ")
            ),
        );
    }
}
