//! Module renames: a rename moves the module's key and its twin, and rewrites every reference to
//! it, in routes (`/modules/<name>/`, case-sensitive) and as a host name in env values
//! (`<name>:8080`, `http://<name>/…`, matched ignoring case as DNS does, and also under the name
//! the Kubernetes agent gives the module, which a reference may already use).

use crate::rules::shared::names::k8s_name;
use std::collections::HashMap;

/// Accepted module renames, indexed for rewriting references to them.
pub struct Renames {
    /// Old name → new name, for routes (`/modules/<name>/`), which are case-sensitive.
    exact: HashMap<String, String>,
    /// Lower-cased old name (and the agent's name for it) → new name, for host names, which are
    /// not case-sensitive.
    lower: HashMap<String, String>,
}

impl Renames {
    /// `others` are the names of the modules that keep theirs: a host that lower-cases to one of
    /// them is ambiguous, so it is only rewritten when it matches the renamed module exactly.
    pub fn new<'a>(pairs: &[(String, String)], others: impl IntoIterator<Item = &'a str>) -> Renames {
        let mut lower: HashMap<String, String> = HashMap::new();
        for (f, t) in pairs {
            lower.insert(k8s_name(f), t.clone());
            lower.insert(f.to_ascii_lowercase(), t.clone());
        }
        for name in others {
            lower.remove(&name.to_ascii_lowercase());
            lower.remove(&k8s_name(name));
        }
        Renames { exact: pairs.iter().cloned().collect(), lower }
    }

    /// Rewrites references to renamed modules in one pass: `/modules/<from>/` in routes, and
    /// `<from>` (any case) used as a host name (`from:8080`, `http://from/…`, `Server=from;`).
    /// `None` when nothing changes.
    pub fn rewrite(&self, s: &str) -> Option<String> {
        if self.exact.is_empty() {
            return None;
        }
        let b = s.as_bytes();
        let mut out = String::new();
        let mut last = 0;
        let mut i = 0;
        while i < b.len() {
            if !is_name_char(b[i]) || (i > 0 && is_host_char(b[i - 1])) {
                i += 1;
                continue;
            }
            let start = i;
            while i < b.len() && (is_name_char(b[i]) || b[i] == b'.') {
                i += 1;
            }
            // A name may hold dots (`3d.scanner`); a dot that ends it is the sentence's.
            while i > start + 1 && b[i - 1] == b'.' {
                i -= 1;
            }
            let token = &s[start..i];
            let to = if s[..start].ends_with("/modules/") {
                self.exact.get(token)
            } else if i == b.len() || matches!(b[i], b':' | b'/' | b';' | b',' | b'"' | b'\'' | b' ') {
                self.exact.get(token).or_else(|| self.lower.get(&token.to_ascii_lowercase()))
            } else {
                None
            };
            if let Some(to) = to {
                out.push_str(&s[last..start]);
                out.push_str(to);
                last = i;
            }
        }
        if last == 0 {
            return None;
        }
        out.push_str(&s[last..]);
        Some(out)
    }
}

fn is_name_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_')
}

fn is_host_char(b: u8) -> bool {
    is_name_char(b) || matches!(b, b'.' | b'$' | b'{')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renames_hosts_and_routes_only() {
        let r = Renames::new(&[("My_Mod".to_owned(), "my-mod".to_owned())], ["other"]);
        assert_eq!(
            r.rewrite("FROM /messages/modules/My_Mod/outputs/* INTO $upstream").as_deref(),
            Some("FROM /messages/modules/my-mod/outputs/* INTO $upstream")
        );
        assert_eq!(r.rewrite("http://my_mod:8080/score").as_deref(), Some("http://my-mod:8080/score"));
        assert_eq!(r.rewrite("URL=my_mod:80").as_deref(), Some("URL=my-mod:80"));
        assert_eq!(r.rewrite("my_modx:80 and amy_mod:1 a.my_mod:2"), None);
        assert_eq!(r.rewrite("/modules/my_mod/inputs/x"), None, "routes are case-sensitive");
        let ambiguous = Renames::new(&[("Camera".to_owned(), "camera-2".to_owned())], ["camera"]);
        assert_eq!(ambiguous.rewrite("http://camera:8080"), None, "`camera` is the module that keeps its name");
        assert_eq!(ambiguous.rewrite("http://Camera:8080").as_deref(), Some("http://camera-2:8080"));
        let dotted = Renames::new(&[("3d.scanner".to_owned(), "d-scanner".to_owned())], ["other"]);
        assert_eq!(
            dotted
                .rewrite(
                    "FROM /messages/modules/3d.scanner/outputs/* INTO BrokeredEndpoint(\"/modules/other/inputs/x\")"
                )
                .as_deref(),
            Some("FROM /messages/modules/d-scanner/outputs/* INTO BrokeredEndpoint(\"/modules/other/inputs/x\")")
        );
        assert_eq!(dotted.rewrite("tcp://3d.scanner:7000").as_deref(), Some("tcp://d-scanner:7000"));
        assert_eq!(dotted.rewrite("3d.scanner.local:7000"), None, "another host");
        let sanitised = Renames::new(&[("Image_Processor".to_owned(), "image-processor".to_owned())], ["other"]);
        assert_eq!(
            sanitised.rewrite("http://imageprocessor:5001").as_deref(),
            Some("http://image-processor:5001"),
            "a reference already pointed at the agent's name follows the rename"
        );
    }
}
