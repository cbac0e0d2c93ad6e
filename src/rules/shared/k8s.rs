//! The `k8s-experimental` section of createOptions, read two ways:
//!
//! - as the Kubernetes agent reads it ([`section`], [`inner`], [`at`], [`rel`]): the section key
//!   spelled exactly `k8s-experimental` at the top of createOptions, its inner keys matched ignoring
//!   case. Rules that check or extend what the agent sees use these. Fixes set *leaves*
//!   (`…/resources/limits/memory`) in the spelling already there, so that several rules' fixes
//!   compose into one object and two spellings of one key never end up side by side (the agent
//!   would keep only one of them);
//! - as the engineer may have written it ([`sections_any_spelling`], [`meant`]): misspelled
//!   (`k8s_experimental`) or misplaced (inside `HostConfig`) sections and inner keys, which the agent
//!   ignores, for the rules that report or merge them (OTH007) or must not add a second one (OTH001).

use super::docker::{Amount, amount};
use super::keys::get_ci;
use crate::manifest::{Module, pointer};
use serde_json::{Map, Value};

/// The only spelling of the section the agent reads, at the top of createOptions.
pub const SECTION: &str = "k8s-experimental";

/// The inner keys the agent knows (it matches them ignoring case), in their documented spelling.
pub const KNOWN: [&str; 6] = ["volumes", "resources", "nodeSelector", "securityContext", "serviceOptions", "strategy"];

/// The NVIDIA device plugin's resource.
pub const GPU: &str = "nvidia.com/gpu";
/// The FPGA device's resource.
pub const FPGA: &str = "microsoft.com/fpga_catapult";
/// An Azure Stack Edge Pro GPU device has one or two GPUs.
pub const MAX_GPUS: u64 = 2;

// --- The section the agent reads -------------------------------------------------------------

/// The agent's own section (key spelled exactly), whatever its JSON type: for rules that must
/// know whether it is absent, null or an object before writing into it.
pub fn agent_section(module: &Module) -> Option<&Value> {
    module.create_options.object()?.get(SECTION)
}

/// The agent's own section, when it is an object.
pub fn section(module: &Module) -> Option<&Map<String, Value>> {
    agent_section(module)?.as_object()
}

/// An inner key of the agent's section as written (matched ignoring case) and its value.
pub fn inner<'m>(module: &'m Module, name: &str) -> Option<(&'m str, &'m Value)> {
    get_ci(section(module)?, name)
}

/// The value at `k8s-experimental.<levels…>`, each level matched ignoring case.
pub fn at<'a>(module: &'a Module, levels: &[&str]) -> Option<&'a Value> {
    let mut cur = agent_section(module)?;
    for level in levels {
        cur = get_ci(cur.as_object()?, level)?.1;
    }
    Some(cur)
}

/// Pointer (relative to createOptions) to `k8s-experimental.<levels…>`, through the spellings
/// already there; `None` when an existing level is not an object, so that writing below it
/// would fail.
pub fn rel(module: &Module, levels: &[&str]) -> Option<String> {
    let mut path = pointer::join("", SECTION);
    let mut cur = module.create_options.object()?.get(SECTION);
    for level in levels {
        match cur {
            None | Some(Value::Null) => {
                path = pointer::join(&path, level);
                cur = None;
            }
            Some(Value::Object(m)) => {
                let found = get_ci(m, level);
                path = pointer::join(&path, found.map_or(*level, |(k, _)| k));
                cur = found.map(|(_, v)| v);
            }
            Some(_) => return None,
        }
    }
    Some(path)
}

/// Pointer (relative to createOptions) to an inner key: the existing spelling, or `name`. Unlike
/// [`rel`] it always answers, also when the section is not an object: the caller checks whether it
/// can write there.
pub fn rel_path(module: &Module, name: &str) -> String {
    let key = inner(module, name).map_or(name, |(k, _)| k);
    pointer::from_tokens("", [SECTION, key])
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

/// Pointer (relative to createOptions) to write the resource `name` of `part`; `None` when the
/// section's shape does not allow it (the parent exists and is not an object).
pub fn resource_rel(module: &Module, part_name: &str, name: &str) -> Option<String> {
    let parent = rel(module, &["resources", part_name])?;
    if let Some(existing) = at(module, &["resources", part_name])
        && !matches!(existing, Value::Object(_) | Value::Null)
    {
        return None;
    }
    Some(pointer::join(&parent, name))
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
    let section = section(module)?;
    let mut misspelled = None;
    for (k, v) in section {
        if k.eq_ignore_ascii_case("serviceOptions") {
            return Some((k.as_str(), false, v));
        }
        if misspelled.is_none() && is_misspelled_service_options(k) {
            misspelled = Some((k.as_str(), true, v));
        }
    }
    misspelled
}

/// `service-options` or `service_options` in any case: a spelling of `serviceOptions` the agent
/// ignores (NET009 renames it; OTH007 leaves it to NET009).
pub fn is_misspelled_service_options(key: &str) -> bool {
    key.eq_ignore_ascii_case("service-options") || key.eq_ignore_ascii_case("service_options")
}

/// The `type` of the service options: key as written and value.
pub fn service_type(module: &Module) -> Option<(&str, &Value)> {
    let (_, _, options) = service_options(module)?;
    get_ci(options.as_object()?, "type")
}

/// The Service types the agent knows (it parses them case-insensitively).
pub const SERVICE_TYPES: [&str; 3] = ["ClusterIP", "NodePort", "LoadBalancer"];

/// The canonical spelling of a valid Service type.
pub fn canonical_type(value: &str) -> Option<&'static str> {
    SERVICE_TYPES.iter().copied().find(|t| t.eq_ignore_ascii_case(value.trim()))
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
    /// Pointer relative to createOptions (`/k8s_experimental`, `/HostConfig/k8s-experimental`).
    pub rel_pointer: String,
    /// Spelled exactly `k8s-experimental` at the top of createOptions: the only one the agent reads.
    pub read_by_agent: bool,
    /// Placed inside `HostConfig` instead of at the top of createOptions.
    pub in_host_config: bool,
}

/// True for any spelling of the section's name: `k8s_experimental`, `K8S-Experimental`, `k8sExperimental`.
pub fn is_section_name(key: &str) -> bool {
    squash(key) == "k8sexperimental"
}

/// Lower-case letters and digits only: what tells spellings of one name apart from other names.
pub fn squash(key: &str) -> String {
    key.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect()
}

/// Every section of the module, in any spelling: top-level keys named like the section, and the
/// same inside `HostConfig` (a common misplacement). The agent's own section comes first.
pub fn sections_any_spelling(module: &Module) -> Vec<Experimental<'_>> {
    let Some(co) = module.create_options.object() else { return Vec::new() };
    let mut out: Vec<Experimental<'_>> = co
        .iter()
        .filter(|(k, _)| is_section_name(k))
        .map(|(k, v)| Experimental {
            key: k,
            value: v,
            rel_pointer: pointer::join("", k),
            read_by_agent: k == SECTION,
            in_host_config: false,
        })
        .collect();
    for (hc_key, hc) in co.iter().filter(|(k, _)| k.eq_ignore_ascii_case("HostConfig")) {
        if let Some(hc) = hc.as_object() {
            out.extend(hc.iter().filter(|(k, _)| is_section_name(k)).map(|(k, v)| Experimental {
                key: k,
                value: v,
                rel_pointer: pointer::from_tokens("", [hc_key.as_str(), k.as_str()]),
                read_by_agent: false,
                in_host_config: true,
            }));
        }
    }
    out.sort_by_key(|s| !s.read_by_agent);
    out
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
