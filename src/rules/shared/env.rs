//! A module's environment as the Kubernetes agent builds it: the module's `env` section first,
//! then `createOptions.Env` (`NAME=value` strings). Read once for the rules that look for a
//! variable (proxy settings, `WIRESERVER_ADDRESS`, `NVIDIA_VISIBLE_DEVICES`), whatever shape the
//! entries have.
//!
//! `Module::env_value` answers "what is `NAME`" (exact name, strings only, first hit); rules need
//! every entry instead, names matched ignoring case, with where it is, so they can report and fix each.

use crate::manifest::{Manifest, Module, pointer};
use serde_json::Value;

/// Where a variable is set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// The module's `env` section, under this key.
    Section,
    /// `createOptions.Env`, at this index.
    Create { index: usize },
}

/// One environment variable of a module.
#[derive(Debug, Clone, PartialEq)]
pub struct Var<'a> {
    /// The name as written.
    pub name: &'a str,
    /// The value as text (numbers and booleans written out); `None` when there is none
    /// (`null`, an entry without `value`, `NAME` without `=`).
    pub value: Option<String>,
    pub place: Place,
    /// Absolute pointer to the entry (`…/env/<name>` or `…/settings/createOptions/Env/<i>`).
    pub path: String,
    /// For a section entry written `{"value": …}`: it is an object, so a fix sets its `value`.
    pub object: bool,
}

impl Var<'_> {
    /// Absolute pointer a fix sets to change the value: the entry's `value` (section, object
    /// entry), the entry itself (section, bare value) or the `NAME=value` string.
    pub fn value_path(&self) -> String {
        if self.object { pointer::join(&self.path, "value") } else { self.path.clone() }
    }

    /// What a fix writes at [`Var::value_path`] to give the variable `value`.
    pub fn written(&self, value: &str) -> Value {
        match self.place {
            Place::Section => Value::String(value.to_owned()),
            Place::Create { .. } => Value::String(format!("{}={value}", self.name)),
        }
    }

    /// Where the variable is, for messages.
    pub fn location(&self) -> &'static str {
        match self.place {
            Place::Section => "the module's `env`",
            Place::Create { .. } => "`createOptions.Env`",
        }
    }
}

/// Every variable of the module: its `env` section, then `createOptions.Env`.
pub fn vars<'a>(manifest: &'a Manifest, module: &'a Module) -> Vec<Var<'a>> {
    let mut out = Vec::new();
    if let Some(section) = module.env(manifest) {
        for (name, entry) in section {
            let (value, object) = match entry {
                Value::Object(o) => (o.get("value").and_then(text), true),
                other => (text(other), false),
            };
            out.push(Var {
                name,
                value,
                place: Place::Section,
                path: pointer::from_tokens(&module.pointer, ["env", name.as_str()]),
                object,
            });
        }
    }
    for (index, entry) in module.create_env() {
        let (name, value) = entry.split_once('=').map_or((entry, None), |(n, v)| (n, Some(v.to_owned())));
        out.push(Var {
            name,
            value,
            place: Place::Create { index },
            path: module.co_path(&format!("/Env/{index}")),
            object: false,
        });
    }
    out
}

/// The variables named `name`, ignoring case (Linux names are case-sensitive, but a variable
/// spelled in another case is still the engineer's attempt at this one).
pub fn named<'v, 'a>(vars: &'v [Var<'a>], name: &str) -> impl Iterator<Item = &'v Var<'a>> {
    let name = name.to_owned();
    vars.iter().filter(move |v| v.name.trim().eq_ignore_ascii_case(&name))
}

/// Pointer to a new variable `name` in the module's `env` section.
pub fn section_path(module: &Module, name: &str) -> String {
    pointer::from_tokens(&module.pointer, ["env", name])
}

/// A proxy URL for messages, without its credentials (`http://user:pw@proxy:3128` →
/// `http://***@proxy:3128`): reports get shared.
pub fn redact(url: &str) -> String {
    let start = url.find("://").map_or(0, |i| i + 3);
    match url[start..].rfind('@') {
        Some(at) => format!("{}***{}", &url[..start], &url[start + at..]),
        None => url.to_owned(),
    }
}

/// A scalar as text: strings as they are, numbers and booleans written out; `None` otherwise.
pub fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_credentials_only() {
        assert_eq!(redact("http://user:pw@proxy:3128"), "http://***@proxy:3128");
        assert_eq!(redact("user@proxy:3128"), "***@proxy:3128");
        assert_eq!(redact("http://proxy:3128"), "http://proxy:3128");
        assert_eq!(redact("<proxyAddress>"), "<proxyAddress>");
    }
}
