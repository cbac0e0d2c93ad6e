//! What the engineer types, turned into a decision: the value of an input fix (one field, or one
//! per part) and the fragment editor's JSON. The view shows fields and this module's verdict; how
//! text becomes a JSON value (its type taken from the suggestion) is decided here, and whether the
//! value is right by the rule's own check ([`super::check_decision`]).

use super::decisions::Decision;
use super::resolve::resolve;
use crate::rules::{Finding, Input, InputTarget};
use serde_json::{Map, Value};

/// One field of an input fix, as the app shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// What to type ("host port", "memory limit").
    pub label: String,
    /// The value as decided (or proposed), as text.
    pub text: String,
    /// An example of what goes there, shown while the field is empty.
    pub example: Option<String>,
}

/// The fields of a finding's input fix, filled with the value `decision` gives it (the proposed
/// value when undecided or rejected). Empty when the finding takes no value.
pub fn fields(finding: &Finding, decision: Option<&Decision>) -> Vec<Field> {
    let Some(input) = finding.suggestion.as_ref().and_then(|s| s.input.as_ref()) else { return Vec::new() };
    let value = match decision {
        Some(d @ (Decision::Value { .. } | Decision::Fragment { .. })) => decided_value(finding, input, d),
        _ => input.default.clone(),
    };
    let example = example(finding, input);
    if input.parts.is_empty() {
        return vec![Field {
            label: input.label.clone(),
            text: value.as_ref().map(text).unwrap_or_default(),
            example: example.as_ref().map(text),
        }];
    }
    input
        .parts
        .iter()
        .map(|part| Field {
            label: part.label.clone(),
            text: value.as_ref().and_then(|v| v.get(&part.key)).map(text).unwrap_or_default(),
            example: example.as_ref().and_then(|v| v.get(&part.key)).map(text),
        })
        .collect()
}

/// The decision the typed texts make (one per field of [`fields`]): accepting the proposal when
/// they spell it, a typed value otherwise; or what is expected. The rule's own check comes after
/// (`Session::check`, [`super::check_decision`]).
pub fn decision(finding: &Finding, texts: &[String]) -> Result<Decision, String> {
    let input = finding.suggestion.as_ref().and_then(|s| s.input.as_ref()).ok_or("this fix takes no value")?;
    let example = example(finding, input);
    let value = if input.parts.is_empty() {
        parse(texts.first().map_or("", String::as_str), example.as_ref())?
    } else {
        let mut object = Map::new();
        for (part, typed) in input.parts.iter().zip(texts) {
            if typed.trim().is_empty() {
                continue;
            }
            let value = parse(typed, example.as_ref().and_then(|v| v.get(&part.key)))
                .map_err(|e| format!("{}: {e}", part.label))?;
            object.insert(part.key.clone(), value);
        }
        if object.is_empty() {
            let labels: Vec<&str> = input.parts.iter().map(|p| p.label.as_str()).collect();
            return Err(format!("type a value: {}", labels.join(" and/or ")));
        }
        Value::Object(object)
    };
    Ok(if input.default.as_ref() == Some(&value) { Decision::Accept } else { Decision::Value { value } })
}

/// The fragment editor's text as a decision: JSON that fits the suggested change; or why not,
/// with the line and column of a syntax error.
pub fn fragment(finding: &Finding, text: &str) -> Result<Decision, String> {
    let fragment: Value = serde_json::from_str(text).map_err(|e| {
        let msg = e.to_string();
        let msg = msg.rfind(" at line ").map_or(msg.as_str(), |i| &msg[..i]).to_owned();
        format!("Invalid JSON at line {}, column {}: {msg}.", e.line(), e.column())
    })?;
    let decision = Decision::Fragment { fragment };
    resolve(finding, &decision).map_err(|e| format!("Valid JSON, but it does not fit this change: {e}"))?;
    Ok(decision)
}

/// The value at the input's place once `decision` is applied.
fn decided_value(finding: &Finding, input: &Input, decision: &Decision) -> Option<Value> {
    if let Decision::Value { value } = decision {
        return Some(value.clone());
    }
    let resolved = resolve(finding, decision).ok().flatten()?;
    match &input.target {
        InputTarget::Rename => resolved.rename.map(|r| Value::String(r.to)),
        InputTarget::Edit { edit, at } => resolved.edits.get(*edit)?.fragment()?.pointer(at.as_str()).cloned(),
        // Every place holds the same number: the first one, without its `/tcp`.
        InputTarget::Port { places, .. } => {
            let place = places.first()?;
            let fragment = resolved.edits.get(place.edit)?.fragment()?;
            let port = fragment.as_str()?.strip_suffix(place.suffix.as_str())?;
            Some(Value::String(port.to_owned()))
        }
    }
}

/// What the value looks like: the proposal, or the example the suggested edit holds there.
fn example(finding: &Finding, input: &Input) -> Option<Value> {
    input.default.clone().or_else(|| {
        let s = finding.suggestion.as_ref()?;
        match &input.target {
            InputTarget::Rename => s.fragment(),
            InputTarget::Edit { edit, at } => {
                s.edits.get(*edit)?.fragment()?.pointer(at.as_str()).cloned().filter(|v| !v.is_null())
            }
            InputTarget::Port { .. } => None,
        }
    })
}

/// A value as typed in a field (strings without their quotes).
fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Typed text as a value of the example's JSON type (strings as typed, trimmed).
fn parse(typed: &str, example: Option<&Value>) -> Result<Value, String> {
    let t = typed.trim();
    if t.is_empty() {
        return Err("a value is needed".to_owned());
    }
    match example {
        Some(Value::Number(_)) => serde_json::from_str::<Value>(t)
            .ok()
            .filter(Value::is_number)
            .ok_or_else(|| "a number is needed".to_owned()),
        Some(Value::Bool(_)) => match t {
            "true" => Ok(Value::Bool(true)),
            "false" => Ok(Value::Bool(false)),
            _ => Err("true or false is needed".to_owned()),
        },
        Some(Value::Array(_) | Value::Object(_)) => serde_json::from_str(t).map_err(|e| {
            format!("JSON like {} is needed (column {})", example.map(text).unwrap_or_default(), e.column())
        }),
        _ => Ok(Value::String(t.to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::{Location, Pointer};
    use crate::rules::{Edit, Section, Severity, Suggestion};
    use serde_json::json;

    fn finding(suggestion: Suggestion) -> Finding {
        Finding {
            rule: "RES005",
            section: Section::Resources,
            severity: Severity::Info,
            module: Some("m".into()),
            location: Location::Document(Pointer::root()),
            message: String::new(),
            reason: "",
            suggestion: Some(suggestion),
            step: None,
        }
    }

    fn set(value: Value) -> Vec<Edit> {
        vec![Edit::Set { at: Location::Document(Pointer::root().child("x")), value }]
    }

    #[test]
    fn a_typed_value_keeps_the_type_of_the_proposal() {
        let count = finding(Suggestion::new("gpus", set(json!(1))).with_input("GPU count", 0, "", Some(json!(1))));
        assert_eq!(fields(&count, None)[0].text, "1");
        assert_eq!(decision(&count, &[" 1 ".into()]), Ok(Decision::Accept), "the proposal typed again is Accept");
        assert_eq!(decision(&count, &["2".into()]), Ok(Decision::Value { value: json!(2) }));
        assert_eq!(decision(&count, &["two".into()]), Err("a number is needed".into()));
        assert_eq!(decision(&count, &["  ".into()]), Err("a value is needed".into()));
        assert_eq!(fields(&count, Some(&Decision::Value { value: json!(3) }))[0].text, "3");
        assert_eq!(fields(&count, Some(&Decision::Reject))[0].text, "1");

        let port = finding(Suggestion::new("port", set(json!("80"))).with_input("host port", 0, "", Some(json!("80"))));
        assert_eq!(decision(&port, &["8080".into()]), Ok(Decision::Value { value: json!("8080") }));
    }

    #[test]
    fn an_object_input_is_typed_part_by_part() {
        let limits = finding(
            Suggestion::new("limits", set(json!({"memory": "512Mi", "cpu": "500m"})))
                .with_input("limits", 0, "", None)
                .with_parts(&[("memory limit", "memory"), ("CPU limit", "cpu")]),
        );
        let f = fields(&limits, None);
        assert_eq!(f.iter().map(|f| f.label.as_str()).collect::<Vec<_>>(), ["memory limit", "CPU limit"]);
        assert!(f.iter().all(|f| f.text.is_empty()), "no proposal: the fields start empty");
        assert_eq!(f[0].example.as_deref(), Some("512Mi"));
        assert_eq!(
            decision(&limits, &["1Gi".into(), "2".into()]),
            Ok(Decision::Value { value: json!({"memory": "1Gi", "cpu": "2"}) })
        );
        assert_eq!(
            decision(&limits, &["1Gi".into(), String::new()]),
            Ok(Decision::Value { value: json!({"memory": "1Gi"}) }),
            "an empty part is left out"
        );
        assert!(decision(&limits, &[String::new(), String::new()]).unwrap_err().contains("memory limit"));
        let decided = Decision::Value { value: json!({"memory": "1Gi", "cpu": "2"}) };
        assert_eq!(fields(&limits, Some(&decided))[1].text, "2", "each field shows its part of the decision");
    }

    #[test]
    fn a_fragment_must_be_json_that_fits_the_change() {
        let f = finding(Suggestion::new("strategy", set(json!("Recreate"))));
        assert_eq!(fragment(&f, r#""Recreate""#), Ok(Decision::Fragment { fragment: json!("Recreate") }));
        let err = fragment(&f, "{\n  \"type\": ").unwrap_err();
        assert!(err.starts_with("Invalid JSON at line 2, column"), "{err}");
        let rename = finding(Suggestion::rename("rename", "m", "n"));
        assert!(fragment(&rename, "{}").unwrap_err().contains("does not fit"));
        assert_eq!(fields(&rename, Some(&Decision::Fragment { fragment: json!("k") }))[0].text, "k");
    }
}
