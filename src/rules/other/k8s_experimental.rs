//! The `k8s-experimental` section of createOptions, correctly spelled or not, read once for the
//! rules that add to it (OTH001), check it (OTH007) or need to know what it already holds.

use super::keys::get_ci;
use crate::manifest::{Module, pointer};
use serde_json::{Map, Value};

/// The only spelling the Kubernetes agent reads, at the top of createOptions.
pub const SECTION: &str = "k8s-experimental";

/// The inner keys the agent knows (it matches them ignoring case), in their documented spelling.
pub const KNOWN: [&str; 6] = ["volumes", "resources", "nodeSelector", "securityContext", "serviceOptions", "strategy"];

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

/// Every section of the module: top-level keys named like the section, and the same inside
/// `HostConfig` (a common misplacement). The agent's own section comes first.
pub fn sections(module: &Module) -> Vec<Experimental<'_>> {
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

/// The agent's own section, when present.
pub fn agent_section(module: &Module) -> Option<&Value> {
    module.create_options.object()?.get(SECTION)
}

/// An inner key of a section, ignoring case as the agent does.
pub fn inner<'a>(section: &'a Map<String, Value>, key: &str) -> Option<(&'a str, &'a Value)> {
    get_ci(section, key)
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
