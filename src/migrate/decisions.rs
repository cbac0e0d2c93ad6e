//! The engineer's decisions: one per finding in the app, or a decisions file replayed across many
//! manifests (`fpga2gpu migrate --decisions`), and the policy that decides the rest (`--accept`).

use crate::device::DeviceProfile;
use crate::rules::{Applicability, Finding, FindingKey, catalogue};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// What the engineer decided about one finding.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "decision", rename_all = "kebab-case")]
pub enum Decision {
    /// Take the suggestion as proposed (an input fix takes its default).
    Accept,
    /// Leave this as it is.
    Reject,
    /// Take an input fix with this value.
    Value { value: Value },
    /// Take the suggestion with its editable fragment replaced.
    Fragment { fragment: Value },
}

/// Which suggestions to take when no explicit decision is given.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Policy {
    /// Nothing: the output is the input, re-encoded.
    None,
    /// Safe suggestions only.
    #[default]
    Auto,
    /// Safe suggestions and those that need review, with their proposed values.
    All,
}

impl Policy {
    /// The decision this policy makes for a finding, if any. Display-only suggestions and input
    /// fixes without a proposed value are never taken by a policy.
    pub fn decide(self, finding: &Finding) -> Option<Decision> {
        let s = finding.suggestion.as_ref()?;
        let has_value = s.input.as_ref().is_none_or(|i| i.default.is_some());
        match (self, s.applicability) {
            (Policy::None, _) | (_, Applicability::DisplayOnly) => None,
            (Policy::Auto, Applicability::Safe) | (Policy::All, Applicability::Safe | Applicability::NeedsReview)
                if has_value =>
            {
                Some(Decision::Accept)
            }
            _ => None,
        }
    }
}

/// One line of a decisions file: matches findings by rule, and optionally module and path.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DecisionEntry {
    pub rule: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub module: Option<String>,
    /// The finding's location as one JSON pointer (what `fpga2gpu check --format json` prints).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(flatten)]
    pub decision: Decision,
}

/// A decisions file: the device the manifests go to and the choices to replay.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Decisions {
    /// The device profile the decisions were made for; `None` in older files (the default then).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<DeviceProfile>,
    pub decisions: Vec<DecisionEntry>,
}

/// A decisions file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum DecisionsError {
    #[error("decisions file is not valid JSON at line {line}, column {column}: {message}")]
    Json { line: usize, column: usize, message: String },
    #[error("decisions file: {0}")]
    Shape(String),
    #[error("decisions file: no rule `{id}`{}", closest.as_ref().map_or_else(String::new, |c| format!(" (did you mean `{c}`?)")))]
    UnknownRule { id: String, closest: Option<&'static str> },
}

impl DecisionsError {
    /// Line and column of the problem, where the error has one.
    pub fn position(&self) -> Option<(usize, usize)> {
        match self {
            DecisionsError::Json { line, column, .. } => Some((*line, *column)),
            _ => None,
        }
    }
}

impl Decisions {
    /// Reads `{"device": …, "decisions": [...]}` or a bare list of entries. A rule id that is
    /// not in the catalogue is refused, naming the closest real one: a typo must not silently
    /// decide nothing.
    pub fn from_json(text: &str) -> Result<Decisions, DecisionsError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let v: Value = serde_json::from_str(text).map_err(|e| DecisionsError::Json {
            line: e.line(),
            column: e.column(),
            message: e.to_string().split(" at line ").next().unwrap_or_default().to_owned(),
        })?;
        let decisions: Decisions = match v {
            Value::Array(_) => Decisions {
                device: None,
                decisions: serde_json::from_value(v).map_err(|e| DecisionsError::Shape(e.to_string()))?,
            },
            Value::Object(ref o) if o.contains_key("decisions") => {
                serde_json::from_value(v).map_err(|e| DecisionsError::Shape(e.to_string()))?
            }
            _ => return Err(DecisionsError::Shape("expected {\"decisions\": [...]} or a list of decisions".into())),
        };
        for entry in &decisions.decisions {
            if crate::rules::rule(&entry.rule).is_none() {
                return Err(DecisionsError::UnknownRule { id: entry.rule.clone(), closest: closest_rule(&entry.rule) });
            }
        }
        Ok(decisions)
    }

    /// The decisions the engineer made in a session, one per finding, exactly keyed.
    pub fn from_map(device: &DeviceProfile, map: &BTreeMap<FindingKey, Decision>) -> Decisions {
        Decisions {
            device: Some(device.clone()),
            decisions: map
                .iter()
                .map(|(k, d)| DecisionEntry {
                    rule: k.rule.clone(),
                    module: k.module.clone(),
                    path: Some(k.location.to_string()),
                    decision: d.clone(),
                })
                .collect(),
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("decisions serialise") + "\n"
    }

    /// The decision for each finding the entries match, and the entries that match none (made on
    /// a manifest or for a device that has changed since). What reloading a changed manifest and
    /// importing a decisions file re-apply, and what they list as no longer matching.
    pub fn matched(&self, findings: &[Finding]) -> (BTreeMap<FindingKey, Decision>, Vec<&DecisionEntry>) {
        let places: Vec<String> = findings.iter().map(|f| f.location.to_string()).collect();
        let matches = |e: &DecisionEntry, (f, place): (&Finding, &String)| {
            e.rule.eq_ignore_ascii_case(f.rule)
                && (e.module.is_none() || e.module == f.module)
                && e.path.as_ref().is_none_or(|p| p == place)
        };
        let decided = findings.iter().filter_map(|f| Some((f.key(), self.decide(f)?))).collect();
        let unmatched =
            self.decisions.iter().filter(|e| !findings.iter().zip(&places).any(|fp| matches(e, fp))).collect();
        (decided, unmatched)
    }

    /// The most specific entry matching a finding (path beats module beats rule alone).
    pub fn decide(&self, finding: &Finding) -> Option<Decision> {
        let mut path = None;
        self.decisions
            .iter()
            .filter(|e| e.rule.eq_ignore_ascii_case(finding.rule))
            .filter(|e| e.module.is_none() || e.module == finding.module)
            .filter(|e| e.path.as_ref().is_none_or(|p| *p == *path.get_or_insert_with(|| finding.location.to_string())))
            .max_by_key(|e| (e.path.is_some(), e.module.is_some()))
            .map(|e| e.decision.clone())
    }
}

/// The catalogue id closest to `id` (by edit distance, ignoring case), when one is close enough
/// to be a likely typo.
pub fn closest_rule(id: &str) -> Option<&'static str> {
    let id = id.to_ascii_uppercase();
    catalogue()
        .iter()
        .map(|r| (strsim::levenshtein(&id, r.doc.id), r.doc.id))
        .filter(|(d, _)| *d <= 2)
        .min()
        .map(|(_, id)| id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_rule_id_is_refused_with_the_closest_one() {
        let err = Decisions::from_json(r#"{"decisions": [{"rule": "STO01", "decision": "accept"}]}"#).unwrap_err();
        assert!(matches!(err, DecisionsError::UnknownRule { closest: Some("STO001"), .. }), "{err}");
        assert_eq!(err.to_string(), "decisions file: no rule `STO01` (did you mean `STO001`?)");
        let far = Decisions::from_json(r#"[{"rule": "XYZ", "decision": "reject"}]"#).unwrap_err();
        assert_eq!(far.to_string(), "decisions file: no rule `XYZ`");
        let ok = Decisions::from_json(r#"[{"rule": "sto001", "decision": "reject"}]"#).unwrap();
        assert_eq!(ok.decisions.len(), 1, "ids are matched ignoring case");
    }

    #[test]
    fn matched_decisions_and_those_that_match_no_finding_any_more() {
        use crate::manifest::{Location, Pointer};
        use crate::rules::{Section, Severity};
        let finding = |rule: &'static str, module: &str, at: &str| Finding {
            rule,
            section: Section::Storage,
            severity: Severity::Error,
            module: Some(module.into()),
            location: Location::CreateOptions { module: Pointer::root().child(module), at: Pointer::root().child(at) },
            message: String::new(),
            reason: "",
            suggestion: None,
            step: None,
        };
        let made = [finding("STO001", "a", "Binds"), finding("NET001", "a", "Ports"), finding("STO001", "b", "Binds")];
        let map = made.iter().map(|f| (f.key(), Decision::Reject)).collect();
        let file = Decisions::from_map(&DeviceProfile::default(), &map);
        // Module b is gone, and NET001's place moved.
        let now = [finding("STO001", "a", "Binds"), finding("NET001", "a", "ExposedPorts")];
        let (decided, unmatched) = file.matched(&now);
        assert_eq!(decided.keys().cloned().collect::<Vec<_>>(), [now[0].key()]);
        let gone: Vec<(&str, Option<&str>)> =
            unmatched.iter().map(|e| (e.rule.as_str(), e.module.as_deref())).collect();
        assert_eq!(gone, [("NET001", Some("a")), ("STO001", Some("b"))]);
        // An entry for a rule alone decides every finding of it.
        let broad = Decisions::from_json(r#"[{"rule": "STO001", "decision": "reject"}]"#).unwrap();
        assert_eq!(broad.matched(&made).0.len(), 2);
    }

    #[test]
    fn the_device_profile_is_saved_with_the_decisions() {
        let device = DeviceProfile { gpus: 2, ..DeviceProfile::default() };
        let saved = Decisions::from_map(&device, &BTreeMap::new()).to_json();
        assert_eq!(Decisions::from_json(&saved).unwrap().device, Some(device));
        let bad = Decisions::from_json(r#"{"device": {"gpu": 2}, "decisions": []}"#).unwrap_err();
        assert!(bad.to_string().contains("gpu"), "{bad}");
    }
}
