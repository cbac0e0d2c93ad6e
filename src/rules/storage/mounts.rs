//! `HostConfig.Mounts` entries, read once for the storage rules. Docker and the Kubernetes agent
//! (Newtonsoft) both read the keys of an entry case-insensitively, so lookups here do too.

use crate::manifest::Module;
use crate::rules::shared::keys::get_ci;
use serde_json::{Map, Value};

/// One element of `HostConfig.Mounts`, whatever its JSON type.
#[derive(Debug, Clone, Copy)]
pub struct Mount<'a> {
    /// Index in the `Mounts` array.
    pub index: usize,
    pub value: &'a Value,
}

impl<'a> Mount<'a> {
    /// The entry's keys, when it is an object.
    pub fn fields(&self) -> Option<&'a Map<String, Value>> {
        self.value.as_object()
    }

    /// The key as written and its value, matched case-insensitively (`Type`, `type`, `TYPE`).
    pub fn field(&self, name: &str) -> Option<(&'a str, &'a Value)> {
        get_ci(self.fields()?, name)
    }

    /// A string field with something in it (trimmed), `None` when missing, empty or not a string.
    pub fn text(&self, name: &str) -> Option<&'a str> {
        self.field(name).and_then(|(_, v)| v.as_str()).map(str::trim).filter(|s| !s.is_empty())
    }

    /// `Type`, lower-cased.
    pub fn kind(&self) -> Option<String> {
        self.text("Type").map(str::to_ascii_lowercase)
    }

    pub fn source(&self) -> Option<&'a str> {
        self.text("Source")
    }

    pub fn target(&self) -> Option<&'a str> {
        self.text("Target")
    }

    /// `ReadOnly: true`.
    pub fn read_only(&self) -> bool {
        self.field("ReadOnly").is_some_and(|(_, v)| v.as_bool() == Some(true))
    }

    /// Pointer (relative to createOptions) to this entry.
    pub fn rel_pointer(&self) -> String {
        format!("/HostConfig/Mounts/{}", self.index)
    }
}

/// Every element of `HostConfig.Mounts`, when it is an array.
pub fn mounts(module: &Module) -> Vec<Mount<'_>> {
    module
        .create_options
        .host_config()
        .and_then(|h| h.get("Mounts"))
        .and_then(Value::as_array)
        .map(|list| list.iter().enumerate().map(|(index, value)| Mount { index, value }).collect())
        .unwrap_or_default()
}

/// `HostConfig.Mounts` can take new entries: it is a list, or absent, or null (STO005 reports
/// anything else).
pub fn writable(module: &Module) -> bool {
    module
        .create_options
        .host_config()
        .is_some_and(|h| matches!(h.get("Mounts"), None | Some(Value::Null | Value::Array(_))))
}

/// Suffix for a finding whose fix cannot be written because `Mounts` is not a list.
pub const NOT_WRITABLE: &str = " (`HostConfig.Mounts` is not a list: fix it first, see STO005)";

/// Where a new `Mounts` entry goes (relative to createOptions).
pub const MOUNTS: &str = "/HostConfig/Mounts";
