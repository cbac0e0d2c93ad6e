//! The agent's `k8s-experimental` section (key spelled exactly, inner keys matched ignoring case),
//! as the resource rules read and write it. Fixes set *leaves* (`…/resources/limits/memory`) in
//! the spelling already there, so that several rules' fixes compose into one object and two
//! spellings of one key never end up side by side.

use super::docker::get_ci;
use crate::manifest::{Module, pointer};
use serde_json::{Map, Value};

/// The only spelling of the section the agent reads.
pub const SECTION: &str = "k8s-experimental";
/// The NVIDIA device plugin's resource.
pub const GPU: &str = "nvidia.com/gpu";
/// The FPGA device's resource.
pub const FPGA: &str = "microsoft.com/fpga_catapult";
/// An Azure Stack Edge Pro GPU device has one or two GPUs.
pub const MAX_GPUS: u64 = 2;

/// The value at `k8s-experimental.<levels…>`, each level matched ignoring case.
pub fn at<'a>(module: &'a Module, levels: &[&str]) -> Option<&'a Value> {
    let mut cur = module.create_options.object()?.get(SECTION)?;
    for level in levels {
        cur = get_ci(cur.as_object()?, level)?.1;
    }
    Some(cur)
}

/// `k8s-experimental.resources.<part>` (`limits` or `requests`), when it is an object.
pub fn part<'a>(module: &'a Module, part: &str) -> Option<&'a Map<String, Value>> {
    at(module, &["resources", part])?.as_object()
}

/// One resource of `limits` or `requests` (`nvidia.com/gpu`, `memory`), by its exact name.
pub fn resource<'a>(module: &'a Module, part_name: &str, name: &str) -> Option<&'a Value> {
    part(module, part_name)?.get(name)
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
    match super::docker::amount(value) {
        super::docker::Amount::Int(n) => Some(n),
        _ => None,
    }
}
