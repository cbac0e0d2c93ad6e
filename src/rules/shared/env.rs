//! A module's environment as the Kubernetes agent builds it: the module's `env` section first,
//! then `createOptions.Env` (`NAME=value` strings). Read once for the rules that look for a
//! variable (proxy settings, `WIRESERVER_ADDRESS`, `NVIDIA_VISIBLE_DEVICES`), whatever shape the
//! entries have.
//!
//! `Module::env_value` answers "what is `NAME`" (exact name, first hit); rules need every entry
//! instead, names matched ignoring case, with where it is, so they can report and fix each.

use crate::manifest::{Location, Module};
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
    /// The entry (`…/env/<name>` or `createOptions` `/Env/<i>`).
    pub at: Location,
    /// Where a fix writes a new value: the entry's `value` (section, object entry), the entry
    /// itself (section, bare value) or the `NAME=value` string.
    pub value_at: Location,
    /// A section entry written `{"value": …}`.
    pub object: bool,
}

impl Var<'_> {
    /// What a fix writes at [`Var::value_at`] to give the variable `value`.
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
pub fn vars(module: &Module) -> Vec<Var<'_>> {
    let mut out = Vec::with_capacity(module.env.len() + module.env_entries().len());
    for v in &module.env {
        out.push(Var {
            name: &v.name,
            value: v.value.clone(),
            place: Place::Section,
            at: Location::Document(v.at.clone()),
            value_at: Location::Document(v.value_at()),
            object: v.object,
        });
    }
    for e in module.env_entries() {
        let Some((name, value)) = e.split() else { continue };
        let at = module.create_options_at(e.at.clone());
        out.push(Var {
            name,
            value: value.map(str::to_owned),
            place: Place::Create { index: e.index },
            value_at: at.clone(),
            at,
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

/// Where a new variable `name` goes in the module's `env` section.
pub fn section_at(module: &Module, name: &str) -> Location {
    module.document_at(["env", name])
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
