//! Key look-ups and values the way the edge agents read createOptions: Newtonsoft.Json matches
//! property names ignoring case, so `hostconfig.capadd` is read like `HostConfig.CapAdd`.

use serde_json::{Map, Value};

/// The entry whose key equals `key` ignoring ASCII case (the first one, as written).
pub fn get_ci<'a>(map: &'a Map<String, Value>, key: &str) -> Option<(&'a str, &'a Value)> {
    map.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(k, v)| (k.as_str(), v))
}

pub use crate::manifest::model::{is_unset, shown};

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keys_ignore_case_and_keep_spelling() {
        let map = json!({"hostConfig": 1, "HostConfig": 2});
        assert_eq!(get_ci(map.as_object().unwrap(), "HOSTCONFIG"), Some(("hostConfig", &json!(1))));
    }
}
