//! Docker settings in a module's createOptions, read the way the edge agents read them:
//! Newtonsoft.Json matches property names ignoring case (`HostConfig.NanoCPUs` is `NanoCpus`), and a
//! number may come written as a string or as a template placeholder. Case-insensitive `HostConfig`
//! lookups live here so that every section finds the same object whatever its casing.

use super::keys::get_ci;
use crate::manifest::Module;
use crate::manifest::pointer;
use serde_json::{Map, Value};

/// One `HostConfig` setting: the key as written, its value and where it is.
#[derive(Debug, Clone, Copy)]
pub struct Setting<'a> {
    pub key: &'a str,
    pub value: &'a Value,
    hc_key: &'a str,
}

impl Setting<'_> {
    /// Pointer relative to createOptions (`/HostConfig/NanoCPUs`).
    pub fn rel(&self) -> String {
        pointer::from_tokens("", [self.hc_key, self.key])
    }

    /// `HostConfig.<key>` as written, for messages.
    pub fn shown(&self) -> String {
        format!("`{}.{}`", self.hc_key, self.key)
    }
}

/// `HostConfig` of the module, whatever its casing: the key as written and the object.
pub fn host_config(module: &Module) -> Option<(&str, &Map<String, Value>)> {
    get_ci(module.create_options.object()?, "HostConfig").and_then(|(k, v)| v.as_object().map(|o| (k, o)))
}

/// A `HostConfig` setting by name, ignoring case.
pub fn setting<'a>(module: &'a Module, key: &str) -> Option<Setting<'a>> {
    let (hc_key, hc) = host_config(module)?;
    get_ci(hc, key).map(|(key, value)| Setting { key, value, hc_key })
}

pub use crate::manifest::model::{Amount, amount};

/// `HostConfig.Privileged` is on (`true` or `"true"`, which the agent also reads).
pub fn privileged(module: &Module) -> bool {
    module.host_config().and_then(|h| h.privileged.as_ref()).and_then(|p| p.flag()).unwrap_or(false)
}
