//! Turning one decision into the changes it makes: the suggestion's edits (and rename) as
//! proposed, with a typed value in place, or with the edited fragment.

use super::decisions::Decision;
use crate::manifest::pointer;
use crate::rules::{Edit, Finding, InputTarget, Rename};

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
        }
    }
    Ok(Some(resolved))
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
