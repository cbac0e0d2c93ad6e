//! Turning one decision into the changes it makes: the suggestion's edits (and rename) as
//! proposed, with a typed value in place, or with the edited fragment.

use super::decisions::Decision;
use crate::manifest::{model, pointer};
use crate::rules::{Edit, Finding, InputTarget, Rename};
use serde_json::Value;

/// Why a decision could not be turned into changes.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DecisionError {
    #[error("{0} has no suggested change to accept")]
    NothingToAccept(String),
    #[error("{0} needs a value: it has no default")]
    NeedsValue(String),
    #[error("{0} takes no value")]
    NoInput(String),
    #[error("{0}: the value does not fit the suggested change ({1})")]
    BadValue(String, String),
}

/// The changes one accepted decision makes.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved {
    pub edits: Vec<Edit>,
    pub rename: Option<Rename>,
}

/// The changes a decision makes, or `None` for a rejection.
pub fn resolve(finding: &Finding, decision: &Decision) -> Result<Option<Resolved>, DecisionError> {
    let name = || format!("{} on {}", finding.rule, finding.module.as_deref().unwrap_or("the deployment"));
    if *decision == Decision::Reject {
        return Ok(None);
    }
    let s = finding.suggestion.as_ref().ok_or_else(|| DecisionError::NothingToAccept(name()))?;
    let mut resolved = Resolved { edits: s.edits.clone(), rename: s.rename.clone() };
    let value = match decision {
        Decision::Reject => return Ok(None),
        Decision::Accept => match &s.input {
            Some(i) => Some(i.default.clone().ok_or_else(|| DecisionError::NeedsValue(name()))?),
            None => None,
        },
        Decision::Value { value } => {
            if s.input.is_none() {
                return Err(DecisionError::NoInput(name()));
            }
            Some(value.clone())
        }
        Decision::Fragment { fragment } => {
            match &mut resolved.rename {
                Some(r) => {
                    r.to = fragment
                        .as_str()
                        .ok_or_else(|| DecisionError::BadValue(name(), "a module name must be a string".into()))?
                        .to_owned()
                }
                None => {
                    let e = resolved
                        .edits
                        .get(s.primary)
                        .and_then(|e| e.with_fragment(fragment.clone()))
                        .ok_or_else(|| DecisionError::BadValue(name(), "a new key must be a string".into()))?;
                    resolved.edits[s.primary] = e;
                }
            }
            None
        }
    };
    if let (Some(value), Some(input)) = (value, &s.input) {
        match &input.target {
            InputTarget::Rename => {
                let to = value
                    .as_str()
                    .ok_or_else(|| DecisionError::BadValue(name(), "a module name must be a string".into()))?;
                if let Some(r) = &mut resolved.rename {
                    r.to = to.to_owned();
                }
            }
            InputTarget::Edit { edit, at } => {
                let e =
                    resolved.edits.get(*edit).ok_or_else(|| DecisionError::BadValue(name(), "no such edit".into()))?;
                let mut frag =
                    e.fragment().ok_or_else(|| DecisionError::BadValue(name(), "the edit takes no value".into()))?;
                pointer::set(&mut frag, at.as_str(), value)
                    .map_err(|e| DecisionError::BadValue(name(), e.to_string()))?;
                resolved.edits[*edit] = e
                    .with_fragment(frag)
                    .ok_or_else(|| DecisionError::BadValue(name(), "a new key must be a string".into()))?;
            }
            InputTarget::Port { places, refused } => {
                let port = port_of(&value).ok_or_else(|| {
                    DecisionError::BadValue(
                        name(),
                        format!("`{}` is not a port number (1 to 65535)", model::shown(&value)),
                    )
                })?;
                if let Some(r) = refused.iter().find(|r| r.port == port) {
                    return Err(DecisionError::BadValue(name(), format!("port {port} {}", r.why)));
                }
                for place in places {
                    let text = Value::String(format!("{port}{}", place.suffix));
                    let e = resolved
                        .edits
                        .get(place.edit)
                        .and_then(|e| e.with_fragment(text))
                        .ok_or_else(|| DecisionError::BadValue(name(), "no such edit".into()))?;
                    resolved.edits[place.edit] = e;
                }
            }
        }
    }
    Ok(Some(resolved))
}

/// A typed port: a number, or text holding one (`"36000"`, as a `HostPort` is written).
fn port_of(value: &Value) -> Option<u16> {
    match value {
        Value::String(s) => model::parse_port(s),
        Value::Number(n) => n.as_u64().and_then(|p| u16::try_from(p).ok()).filter(|p| *p > 0),
        _ => None,
    }
}

/// The editable fragment as a decision makes it (an edited fragment, or a typed value in place):
/// what the app's editor opens with.
pub fn decided_fragment(finding: &Finding, decision: &Decision) -> Option<serde_json::Value> {
    let s = finding.suggestion.as_ref()?;
    let r = resolve(finding, decision).ok().flatten()?;
    match r.rename {
        Some(rename) => Some(serde_json::Value::String(rename.to)),
        None => r.edits.get(s.primary)?.fragment(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::{Location, Pointer};
    use crate::rules::{PortPlace, RefusedPort, Suggestion};
    use serde_json::json;

    /// A port in three places: a `HostPort`, then two keys that keep their protocol.
    fn port_finding() -> Finding {
        let at = |p: &str| Location::Document(Pointer::from_tokens([p]));
        let edits = vec![
            Edit::Set { at: at("hp"), value: json!("35002") },
            Edit::RenameKey { at: at("exposed"), to: "35002/tcp".into() },
            Edit::RenameKey { at: at("bound"), to: "35002".into() },
        ];
        let places = vec![
            PortPlace { edit: 1, suffix: "/tcp".into() },
            PortPlace { edit: 2, suffix: String::new() },
            PortPlace { edit: 0, suffix: String::new() },
        ];
        let refused = vec![RefusedPort { port: 8080, why: "is already a container port of this module".into() }];
        let rule = crate::rules::rule("PRX003").expect("a rule");
        crate::rules::Finding::new(rule, None, at("exposed"), "port")
            .suggest(Suggestion::new("move", edits).with_port_input("container port", places, refused, 35002))
    }

    fn written(r: &Resolved) -> Vec<Value> {
        r.edits.iter().filter_map(Edit::fragment).collect()
    }

    #[test]
    fn a_typed_port_is_written_in_every_place_as_text() {
        let f = port_finding();
        assert_eq!(f.suggestion.as_ref().unwrap().primary, 1, "the editor opens the first key");
        let typed = resolve(&f, &Decision::Value { value: json!("36000") }).unwrap().unwrap();
        assert_eq!(written(&typed), [json!("36000"), json!("36000/tcp"), json!("36000")]);
        let number = resolve(&f, &Decision::Value { value: json!(36001) }).unwrap().unwrap();
        assert_eq!(written(&number), [json!("36001"), json!("36001/tcp"), json!("36001")]);
        let accepted = resolve(&f, &Decision::Accept).unwrap().unwrap();
        assert_eq!(written(&accepted), [json!("35002"), json!("35002/tcp"), json!("35002")]);
    }

    #[test]
    fn a_typed_port_that_is_refused_or_not_a_port_is_an_error() {
        let f = port_finding();
        let err = |v: Value| resolve(&f, &Decision::Value { value: v }).unwrap_err().to_string();
        assert!(err(json!("8080")).contains("port 8080 is already a container port"), "{}", err(json!("8080")));
        for bad in [json!("http"), json!("0"), json!(70000), json!(true), json!("80/tcp")] {
            assert!(err(bad.clone()).contains("is not a port number"), "{bad}: {}", err(bad.clone()));
        }
    }
}
