//! Key look-ups and values the way the edge agents read createOptions: Newtonsoft.Json matches
//! property names ignoring case, so `hostconfig.capadd` is read like `HostConfig.CapAdd`.

use serde_json::{Map, Value};

/// The entry whose key equals `key` ignoring ASCII case (the first one, as written).
pub fn get_ci<'a>(map: &'a Map<String, Value>, key: &str) -> Option<(&'a str, &'a Value)> {
    map.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(k, v)| (k.as_str(), v))
}

/// A value as the engineer wrote it, for messages: strings bare, anything else as compact JSON.
pub fn shown(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Docker's "not set": null, `""`, `false`, `0`, and containers holding only such values. A key set
/// to its default changes nothing on either device.
pub fn is_unset(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::Number(n) => n.as_f64() == Some(0.0),
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.iter().all(is_unset),
        Value::Object(o) => o.values().all(is_unset),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unset_values() {
        for v in
            [json!(null), json!(""), json!(0), json!(false), json!([{}]), json!({"Name": "", "MaximumRetryCount": 0})]
        {
            assert!(is_unset(&v), "{v}");
        }
        for v in [json!("root"), json!(-1), json!(["NET_ADMIN"]), json!({"Type": "json-file"})] {
            assert!(!is_unset(&v), "{v}");
        }
    }

    #[test]
    fn keys_ignore_case_and_keep_spelling() {
        let map = json!({"hostConfig": 1, "HostConfig": 2});
        assert_eq!(get_ci(map.as_object().unwrap(), "HOSTCONFIG"), Some(("hostConfig", &json!(1))));
    }
}
