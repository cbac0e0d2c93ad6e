//! Docker settings in a module's createOptions, read the way the edge agents read them:
//! Newtonsoft.Json matches property names ignoring case (`HostConfig.NanoCPUs` is `NanoCpus`), and a
//! number may come written as a string or as a template placeholder. Case-insensitive `HostConfig`
//! lookups live here so that every section finds the same object whatever its casing.

use super::keys::get_ci;
use crate::manifest::Module;
use crate::manifest::placeholder::contains_placeholder;
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

/// A Docker number (bytes, nano-CPUs, microseconds, shares) as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Amount {
    /// `null`: not set.
    Unset,
    /// A whole number, written as a number or a string.
    Int(i128),
    /// A template placeholder (`$MEMORY`, `${CPU}`): data the tooling fills in, never converted.
    Placeholder(String),
    /// Anything else (`"256m"`, `1.5`, `true`), as written.
    Invalid(String),
}

/// Reads a Docker number.
pub fn amount(value: &Value) -> Amount {
    match value {
        Value::Null => Amount::Unset,
        Value::Number(n) => whole(&n.to_string()).map_or_else(|| Amount::Invalid(n.to_string()), Amount::Int),
        Value::String(s) if contains_placeholder(s) => Amount::Placeholder(s.clone()),
        Value::String(s) => whole(s).map_or_else(|| Amount::Invalid(s.clone()), Amount::Int),
        other => Amount::Invalid(other.to_string()),
    }
}

/// A whole number in any JSON spelling (`268435456`, `" 42 "`, `2.68435456e8`, `1.0`).
fn whole(text: &str) -> Option<i128> {
    let t = text.trim();
    if let Ok(n) = t.parse::<i128>() {
        return Some(n);
    }
    let f = t.parse::<f64>().ok().filter(|f| f.is_finite() && f.fract() == 0.0 && f.abs() < 1e30)?;
    Some(f as i128)
}

/// `HostConfig.Privileged` is on (`true` or `"true"`, which the agent also reads).
pub fn privileged(module: &Module) -> bool {
    setting(module, "Privileged").is_some_and(|s| match s.value {
        Value::Bool(b) => *b,
        Value::String(t) => t.trim().eq_ignore_ascii_case("true"),
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn amounts_of_every_shape() {
        assert_eq!(amount(&json!(268435456)), Amount::Int(268435456));
        assert_eq!(amount(&json!("268435456")), Amount::Int(268435456));
        assert_eq!(amount(&json!(" -1 ")), Amount::Int(-1));
        assert_eq!(amount(&json!(1.0)), Amount::Int(1));
        assert_eq!(amount(&json!(1.5)), Amount::Invalid("1.5".into()));
        assert_eq!(amount(&json!("256m")), Amount::Invalid("256m".into()));
        assert_eq!(amount(&json!("$MEMORY")), Amount::Placeholder("$MEMORY".into()));
        assert_eq!(amount(&json!(true)), Amount::Invalid("true".into()));
        assert_eq!(amount(&json!(null)), Amount::Unset);
    }
}
