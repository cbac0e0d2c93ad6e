//! The `k8s-experimental` section of createOptions, read the way the Kubernetes agent reads it:
//! the section key spelled exactly, its inner keys case-insensitively. Fixes write into the key as
//! the engineer spelled it, so that two spellings of one key never end up side by side (the agent
//! would keep only one of them).

use crate::manifest::Module;
use crate::manifest::pointer;
use serde_json::{Map, Value};

/// The section key, spelled exactly.
pub const SECTION: &str = "k8s-experimental";

/// The `k8s-experimental` object of a module's createOptions.
pub fn section(module: &Module) -> Option<&Map<String, Value>> {
    module.create_options.object()?.get(SECTION)?.as_object()
}

/// An inner key as written (matched case-insensitively) and its value.
pub fn inner<'m>(module: &'m Module, name: &str) -> Option<(&'m str, &'m Value)> {
    section(module)?.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(k, v)| (k.as_str(), v))
}

/// Pointer (relative to createOptions) to an inner key: the existing spelling, or `name`.
pub fn rel_path(module: &Module, name: &str) -> String {
    let key = inner(module, name).map_or(name, |(k, _)| k);
    pointer::from_tokens("", [SECTION, key])
}

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
        if misspelled.is_none()
            && (k.eq_ignore_ascii_case("service-options") || k.eq_ignore_ascii_case("service_options"))
        {
            misspelled = Some((k.as_str(), true, v));
        }
    }
    misspelled
}

/// The `type` of the service options: key as written and value.
pub fn service_type(module: &Module) -> Option<(&str, &Value)> {
    let (_, _, options) = service_options(module)?;
    options.as_object()?.iter().find(|(k, _)| k.eq_ignore_ascii_case("type")).map(|(k, v)| (k.as_str(), v))
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
