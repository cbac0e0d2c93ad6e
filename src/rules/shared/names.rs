//! Names, as the Kubernetes agent makes them (its `KubeUtils`) and as the API server checks them:
//! one place for the rules that check module names, the renames that rewrite references, and the
//! translation and pre-flight that build and check the objects.
//!
//! The agent's sanitisers lower-case a name and drop the characters a Kubernetes name cannot hold;
//! some throw instead (an empty result, too long, no valid first character), and then the agent
//! refuses the module. The validators are apimachinery's: what the API server accepts.

use std::fmt;

/// Why the agent could not make a name (its `InvalidKubernetesNameException`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameError(pub String);

impl fmt::Display for NameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

type Sanitised = Result<String, NameError>;

const MAX_VALUE: usize = 253;
const MAX_LABEL: usize = 63;

fn is_alpha(c: char) -> bool {
    c.is_ascii_alphabetic()
}

fn is_alnum(c: char) -> bool {
    c.is_ascii_alphanumeric()
}

/// .NET's `ToLower()` for the characters that matter here (every kept character is ASCII; a
/// non-ASCII letter that lower-cases to one, like the Kelvin sign, becomes it, as in .NET).
fn lower(s: &str) -> String {
    s.to_lowercase()
}

/// The name the agent gives a module's Deployment, Service and container (`SanitizeK8sValue`
/// without its length check): lower-cased, every character but `a-z`, `0-9`, `.` and `-` dropped.
pub fn k8s_name(name: &str) -> String {
    lower(name).chars().filter(|c| is_alnum(*c) || matches!(c, '-' | '.')).collect()
}

/// `SanitizeK8sValue`: [`k8s_name`], at most 253 characters. Deployment, Service and
/// ServiceAccount names and the module label come from it; it may return a name the API server
/// refuses (empty, a leading `-`, dots), which only the pre-flight catches.
pub fn k8s_value(name: &str) -> Sanitised {
    let out = k8s_name(name);
    if out.chars().count() > MAX_VALUE {
        return Err(NameError(format!("Value '{}' as sanitized exceeded maximum length {MAX_VALUE}", lower(name))));
    }
    Ok(out)
}

/// `SanitizeDNSLabel` (RFC 1123: may start with a digit): pod volume and PVC names.
pub fn dns_label(name: &str) -> Sanitised {
    dns_value(name, is_alnum)
}

/// `SanitizeDNSValue` (RFC 1035: starts with a letter): each part of an annotation key's prefix.
pub fn rfc1035_value(name: &str) -> Sanitised {
    dns_value(name, is_alpha)
}

fn dns_value(name: &str, starts: fn(char) -> bool) -> Sanitised {
    if name.is_empty() {
        return Err(NameError(format!("DNS Name '{name}' is null or empty")));
    }
    let name = lower(name);
    let chars: Vec<char> = name.chars().collect();
    let Some(start) = chars.iter().position(|c| starts(*c)) else {
        return Err(NameError(format!("DNS name '{name}' does not start with a valid character")));
    };
    let mut end = start.max(chars.len() - 1);
    while end > start && !is_alnum(chars[end]) {
        end -= 1;
    }
    let out: String = chars[start..=end].iter().filter(|c| is_alnum(**c) || **c == '-').collect();
    if out.len() > MAX_LABEL {
        return Err(NameError(format!("DNS name '{name}' exceeded maximum length of {MAX_LABEL}")));
    }
    if out.is_empty() {
        return Err(NameError(format!("DNS name '{name}' as sanitized is empty")));
    }
    Ok(out)
}

/// `SanitizeDNSDomain`: dot-separated RFC 1035 labels, at most 253 characters.
pub fn dns_domain(name: &str) -> Sanitised {
    if name.is_empty() {
        return Err(NameError(format!("DNS subdomain '{name}' is null or empty")));
    }
    let parts: Result<Vec<String>, NameError> = name.split('.').map(rfc1035_value).collect();
    let out = parts?.join(".");
    if out.len() > MAX_VALUE {
        return Err(NameError(format!("DNS subdomain '{name}' as sanitized exceeded maximum length of {MAX_VALUE}")));
    }
    Ok(out)
}

/// `SanitizeNameValue`: case kept, `[A-Za-z0-9._-]` between alphanumeric ends, at most 63.
fn name_value(name: &str) -> Sanitised {
    let chars: Vec<char> = name.chars().collect();
    let Some(start) = chars.iter().position(|c| is_alnum(*c)) else {
        return Err(NameError(format!("Name '{name}' does not start with a valid character")));
    };
    let mut end = start.max(chars.len() - 1);
    while end > start && !is_alnum(chars[end]) {
        end -= 1;
    }
    let out: String = chars[start..=end].iter().filter(|c| is_alnum(**c) || matches!(c, '-' | '.' | '_')).collect();
    if out.len() > MAX_LABEL {
        return Err(NameError(format!("Name '{name}' exceeded maximum length of {MAX_LABEL}")));
    }
    if out.is_empty() {
        return Err(NameError(format!("Name '{name}' as sanitized is empty")));
    }
    Ok(out)
}

/// `SanitizeLabelValue`: the device id label.
pub fn label_value(name: &str) -> Sanitised {
    if name.is_empty() {
        return Err(NameError(format!("Name '{name}' is null or empty")));
    }
    name_value(&lower(name))
}

/// `SanitizeAnnotationKey`: a Docker label key made an annotation key (`prefix/name`).
pub fn annotation_key(key: &str) -> Sanitised {
    if key.is_empty() {
        return Err(NameError(format!("Key '{key}' is null or empty")));
    }
    let out = match key.split_once('/') {
        Some((prefix, name)) => format!("{}/{}", dns_domain(prefix)?, name_value(name)?),
        None => name_value(key)?,
    };
    if out.is_empty() {
        return Err(NameError(format!("Key '{key}' as sanitized is empty")));
    }
    Ok(out)
}

fn label_chars(s: &str, first: fn(char) -> bool) -> bool {
    let b: Vec<char> = s.chars().collect();
    !b.is_empty() && first(b[0]) && is_alnum_lower(b[b.len() - 1]) && b.iter().all(|c| is_alnum_lower(*c) || *c == '-')
}

fn is_alnum_lower(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit()
}

/// What a name must be, by the API server's rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameRule {
    /// RFC 1123 label: `[a-z0-9]([-a-z0-9]*[a-z0-9])?`, at most 63 (containers, volumes, port names).
    Dns1123Label,
    /// RFC 1123 subdomain: such labels joined by dots, at most 253 (Deployments, PVCs, ServiceAccounts).
    Dns1123Subdomain,
    /// RFC 1035 label: like an RFC 1123 label, starting with a letter (Services).
    Rfc1035Label,
    /// A label value: empty, or `[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?`, at most 63.
    LabelValue,
}

impl NameRule {
    /// Why `name` breaks the rule; `None` when it is valid.
    pub fn check(self, name: &str) -> Option<String> {
        let ok = match self {
            NameRule::Dns1123Label => name.len() <= MAX_LABEL && label_chars(name, is_alnum_lower),
            NameRule::Rfc1035Label => name.len() <= MAX_LABEL && label_chars(name, |c| c.is_ascii_lowercase()),
            NameRule::Dns1123Subdomain => {
                name.len() <= MAX_VALUE
                    && name.split('.').all(|p| p.len() <= MAX_LABEL && label_chars(p, is_alnum_lower))
            }
            NameRule::LabelValue => {
                let b: Vec<char> = name.chars().collect();
                b.is_empty()
                    || (b.len() <= MAX_LABEL
                        && is_alnum(b[0])
                        && is_alnum(b[b.len() - 1])
                        && b.iter().all(|c| is_alnum(*c) || matches!(c, '-' | '_' | '.')))
            }
        };
        (!ok).then(|| self.describe().to_owned())
    }

    /// The rule in words, for messages.
    pub fn describe(self) -> &'static str {
        match self {
            NameRule::Dns1123Label => {
                "a DNS-1123 label: at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit"
            }
            NameRule::Dns1123Subdomain => {
                "a DNS-1123 subdomain: at most 253 characters, lower-case letters, digits, '-' and '.', each part starting and ending with a letter or digit"
            }
            NameRule::Rfc1035Label => {
                "an RFC 1035 label: at most 63 lower-case letters, digits and '-', starting with a letter and ending with a letter or digit"
            }
            NameRule::LabelValue => {
                "a label value: at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit"
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validators() {
        assert!(NameRule::Dns1123Label.check("a-0").is_none());
        assert!(NameRule::Dns1123Label.check("0a").is_none());
        assert!(NameRule::Dns1123Label.check("a.b").is_some());
        assert!(NameRule::Dns1123Label.check("").is_some());
        assert!(NameRule::Rfc1035Label.check("0a").is_some());
        assert!(NameRule::Dns1123Subdomain.check("a.b-c").is_none());
        assert!(NameRule::Dns1123Subdomain.check("a..b").is_some());
        assert!(NameRule::LabelValue.check("").is_none());
        assert!(NameRule::LabelValue.check("-a").is_some());
        assert!(NameRule::LabelValue.check(&"a".repeat(64)).is_some());
    }

    #[test]
    fn lower_cases_and_drops_what_kubernetes_names_cannot_have() {
        assert_eq!(k8s_name("Image_Processor"), "imageprocessor");
        assert_eq!(k8s_name("3d.Scanner-1"), "3d.scanner-1");
        assert_eq!(k8s_name("ÄB c"), "bc", "non-ASCII letters and spaces are dropped after lower-casing");
    }
}
