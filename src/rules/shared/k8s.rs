//! The `k8s-experimental` section of createOptions, read two ways through the module model:
//!
//! - as the Kubernetes agent reads it ([`section`], [`at`], [`rel`], [`resource`]): the section
//!   key spelled exactly `k8s-experimental` at the top of createOptions, its inner keys matched
//!   ignoring case. Fixes set *leaves* (`…/resources/limits/memory`) in the spelling already there,
//!   so that several rules' fixes compose into one object and two spellings of one key never end
//!   up side by side (the agent would keep only one of them);
//! - as the engineer may have written it ([`sections_any_spelling`], [`meant`]): misspelled
//!   (`k8s_experimental`) or misplaced (inside `HostConfig`) sections and inner keys, which the agent
//!   ignores, for the rules that report or merge them (OTH007) or must not add a second one (OTH001).

use crate::device::ServiceType;
use crate::manifest::model::{self, Amount, Experimental as AgentSection, amount};
use crate::manifest::{Module, Pointer};
use serde_json::{Map, Value};

pub use crate::manifest::model::{
    K8S_KEYS as KNOWN, K8S_SECTION as SECTION, is_k8s_section_name as is_section_name, squash,
};

/// The NVIDIA device plugin's resource.
pub const GPU: &str = "nvidia.com/gpu";
/// The FPGA device's resource.
pub const FPGA: &str = "microsoft.com/fpga_catapult";

// --- The section the agent reads -------------------------------------------------------------

/// The agent's own section (key spelled exactly), whatever its JSON type.
pub fn agent(module: &Module) -> Option<&AgentSection> {
    module.container()?.k8s.as_ref()
}

/// The agent's own section's value, whatever its JSON type: for rules that must know whether it
/// is absent, null or an object before writing into it.
pub fn agent_section(module: &Module) -> Option<&Value> {
    agent(module).map(|s| &s.value)
}

/// The agent's own section, when it is an object.
pub fn section(module: &Module) -> Option<&Map<String, Value>> {
    agent_section(module)?.as_object()
}

/// An inner key of the agent's section as written (matched ignoring case) and its value.
pub fn inner<'m>(module: &'m Module, name: &str) -> Option<(&'m str, &'m Value)> {
    agent(module)?.get(name).map(|f| (f.key.as_str(), &f.value))
}

/// The value at `k8s-experimental.<levels…>`, each level matched ignoring case.
pub fn at<'a>(module: &'a Module, levels: &[&str]) -> Option<&'a Value> {
    model::lookup(agent_section(module)?, &Pointer::root(), levels).map(|(v, _)| v)
}

/// Where (in createOptions) `k8s-experimental.<levels…>` is or would be written, through the
/// spellings already there; `None` when an existing level is not an object, so that writing below
/// it would fail.
pub fn rel(module: &Module, levels: &[&str]) -> Option<Pointer> {
    let mut path = Pointer::root().child(SECTION);
    let mut cur = agent_section(module);
    for level in levels {
        match cur {
            None | Some(Value::Null) => {
                path = path.child(level);
                cur = None;
            }
            Some(Value::Object(m)) => {
                let found = m.iter().rev().find(|(k, _)| k.eq_ignore_ascii_case(level));
                path = path.child(found.map_or(*level, |(k, _)| k.as_str()));
                cur = found.map(|(_, v)| v);
            }
            Some(_) => return None,
        }
    }
    Some(path)
}

/// Where (in createOptions) an inner key is: the existing spelling, or `name`. Unlike [`rel`] it
/// always answers, also when the section is not an object: the caller checks whether it can write.
pub fn rel_path(module: &Module, name: &str) -> Pointer {
    let key = inner(module, name).map_or(name, |(k, _)| k);
    Pointer::from_tokens([SECTION, key])
}

// --- Resources -------------------------------------------------------------------------------

/// `k8s-experimental.resources.<part>` (`limits` or `requests`), when it is an object.
pub fn part<'a>(module: &'a Module, part: &str) -> Option<&'a Map<String, Value>> {
    at(module, &["resources", part])?.as_object()
}

/// One resource of `limits` or `requests` (`nvidia.com/gpu`, `memory`), by its exact name.
pub fn resource<'a>(module: &'a Module, part_name: &str, name: &str) -> Option<&'a Value> {
    part(module, part_name)?.get(name)
}

/// Where (in createOptions) to write the resource `name` of `part`; `None` when the section's
/// shape does not allow it (the parent exists and is not an object).
pub fn resource_rel(module: &Module, part_name: &str, name: &str) -> Option<Pointer> {
    let parent = rel(module, &["resources", part_name])?;
    if let Some(existing) = at(module, &["resources", part_name])
        && !matches!(existing, Value::Object(_) | Value::Null)
    {
        return None;
    }
    Some(parent.child(name))
}

/// A GPU count as written (`2`, `"2"`); `None` when it is not a whole number.
pub fn count(value: &Value) -> Option<i128> {
    match amount(value) {
        Amount::Int(n) => Some(n),
        _ => None,
    }
}

// --- Service options -------------------------------------------------------------------------

/// The module's service options: `serviceOptions` in any case, or its dashed / underscored
/// misspelling (`service-options`, which the agent ignores). Returns the key as written, whether it
/// is misspelled, and its value.
pub fn service_options(module: &Module) -> Option<(&str, bool, &Value)> {
    let s = agent(module)?;
    if let Some(f) = &s.service_options {
        return Some((f.key.as_str(), false, &f.value));
    }
    s.unknown.iter().find(|f| is_misspelled_service_options(&f.key)).map(|f| (f.key.as_str(), true, &f.value))
}

/// `service-options` or `service_options` in any case: a spelling of `serviceOptions` the agent
/// ignores (NET009 renames it; OTH007 leaves it to NET009).
pub fn is_misspelled_service_options(key: &str) -> bool {
    key.eq_ignore_ascii_case("service-options") || key.eq_ignore_ascii_case("service_options")
}

/// The `type` of the service options: key as written and value.
pub fn service_type(module: &Module) -> Option<(&str, &Value)> {
    let (_, _, options) = service_options(module)?;
    options.as_object()?.iter().rev().find(|(k, _)| k.eq_ignore_ascii_case("type")).map(|(k, v)| (k.as_str(), v))
}

/// The Service types the agent knows (it parses them case-insensitively).
pub const SERVICE_TYPES: [&str; 3] = ["ClusterIP", "NodePort", "LoadBalancer"];

/// The canonical spelling of a valid Service type.
pub fn canonical_type(value: &str) -> Option<&'static str> {
    ServiceType::parse(value).map(ServiceType::name)
}

/// The module's Service takes no external IP: its type is ClusterIP or NodePort.
pub fn is_internal_service(module: &Module) -> bool {
    service_type(module).and_then(|(_, v)| v.as_str()).and_then(canonical_type).is_some_and(|t| t != "LoadBalancer")
}

/// The service options' `type` is set to something the agent cannot read.
pub fn has_invalid_type(module: &Module) -> bool {
    service_type(module).is_some_and(|(_, v)| v.as_str().and_then(canonical_type).is_none())
}

// --- Every spelling, including the ones the agent ignores ------------------------------------

/// One `k8s-experimental`-like section of a module's createOptions.
#[derive(Debug, Clone)]
pub struct Experimental<'a> {
    /// The key as written (`k8s-experimental`, `k8s_experimental`, `K8s-Experimental`…).
    pub key: &'a str,
    pub value: &'a Value,
    /// Where it is in createOptions (`/k8s_experimental`, `/HostConfig/k8s-experimental`).
    pub rel_pointer: Pointer,
    /// Spelled exactly `k8s-experimental` at the top of createOptions: the only one the agent reads.
    pub read_by_agent: bool,
    /// Placed inside `HostConfig` instead of at the top of createOptions.
    pub in_host_config: bool,
}

/// Every section of the module, in any spelling: top-level keys named like the section, and the
/// same inside `HostConfig` (a common misplacement). The agent's own section comes first.
pub fn sections_any_spelling(module: &Module) -> Vec<Experimental<'_>> {
    let Some(c) = module.container() else { return Vec::new() };
    let agent = c.k8s.as_ref().map(|s| Experimental {
        key: SECTION,
        value: &s.value,
        rel_pointer: s.at.clone(),
        read_by_agent: true,
        in_host_config: false,
    });
    let hc = c.host_config.as_ref().map(|h| &h.at);
    agent
        .into_iter()
        .chain(c.k8s_lookalikes.iter().map(|f| Experimental {
            key: &f.key,
            value: &f.value,
            rel_pointer: f.at.clone(),
            read_by_agent: false,
            in_host_config: hc.is_some_and(|h| f.at.starts_with(h)),
        }))
        .collect()
}

/// The documented spelling of an inner key the agent knows (matched ignoring case).
pub fn known(key: &str) -> Option<&'static str> {
    KNOWN.iter().copied().find(|k| k.eq_ignore_ascii_case(key))
}

/// The known key an unknown one was probably meant to be (`node_selector`, `Security-Context`).
pub fn meant(key: &str) -> Option<&'static str> {
    let s = squash(key);
    KNOWN.iter().copied().find(|k| squash(k) == s)
}
