//! OTH002: module names Kubernetes cannot use as they are.

use crate::manifest::placeholder::contains_placeholder;
use crate::rules::{Check, Context, Finding, FixAvailability, K8S, Rule, RuleDoc, Section, Severity, Suggestion};
use std::collections::{HashMap, HashSet};

/// Kubernetes' limit for a DNS label (Service and Deployment names).
const MAX_NAME: usize = 63;

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "OTH002",
        section: Section::Other,
        severity: Severity::Error,
        fix: FixAvailability::Sometimes,
        targets: K8S,
        title: "Module name that is not a valid Kubernetes name",
        detects: "A custom module name that does not match `^[a-z]([-a-z0-9]*[a-z0-9])?$` or is longer than 63 characters, and says when it also collides with another module once the agent has lower-cased it and dropped the invalid characters. edgeAgent and edgeHub are named by the agent itself and are not checked; a name that is a template placeholder cannot be checked and is only mentioned.",
        why: "The Kubernetes agent names each module's Deployment and Service after the module, forced into a DNS label: lower-cased, characters other than letters, digits and `-` dropped, cut at 63. `Image_Processor` becomes Service `imageprocessor`, so other modules that reach it as `Image_Processor:5001` no longer resolve it, and two modules that end up with the same Service name cannot both run.",
        before: r#"{"modules": {"Image_Processor": {}}, "routes": {"r": "FROM /messages/modules/Image_Processor/outputs/* INTO $upstream"}}"#,
        after: r#"{"modules": {"image-processor": {}}, "routes": {"r": "FROM /messages/modules/image-processor/outputs/* INTO $upstream"}}"#,
        fix_safety: "Renames everywhere in the manifest: the `modules` key, the module's twin in `modulesContent`, every route, and host names in other modules' environment values. A module identity that already exists in IoT Hub under the old name is replaced by a new one (its twin's reported properties start empty), and anything outside the manifest that addresses the module by name (cloud code calling direct methods, dashboards) must change too.",
    },
    check: Check::Manifest(check),
};

fn check(ctx: &Context) -> Vec<Finding> {
    let modules = &ctx.manifest.modules;
    // Which modules end up with the same Kubernetes name.
    let mut by_service: HashMap<String, Vec<&str>> = HashMap::with_capacity(modules.len());
    for m in modules.iter().filter(|m| !contains_placeholder(&m.name)) {
        by_service.entry(agent_name(&m.name)).or_default().push(&m.name);
    }
    // Names a new name must avoid: every module's own name, and the Kubernetes name of every module
    // that keeps its name.
    let mut taken: HashSet<String> = modules.iter().map(|m| m.name.clone()).collect();
    taken.extend(
        modules
            .iter()
            .filter(|m| m.system || is_valid(&m.name) || contains_placeholder(&m.name))
            .map(|m| agent_name(&m.name)),
    );

    let mut out = Vec::new();
    for m in modules.iter().filter(|m| !m.system) {
        if contains_placeholder(&m.name) {
            out.push(
                Finding::new(
                    &RULE,
                    Some(m),
                    m.location(),
                    format!(
                        "module name `{}` is a placeholder and cannot be checked: the name filled in must be lower-case letters, digits and `-`, at most {MAX_NAME} characters",
                        m.name
                    ),
                )
                .severity(Severity::Info),
            );
            continue;
        }
        if is_valid(&m.name) {
            continue;
        }
        let service = agent_name(&m.name);
        let mut message = format!("module name `{}` {}", m.name, problems(&m.name));
        let others: Vec<&str> =
            by_service.get(&service).into_iter().flatten().copied().filter(|n| *n != m.name).collect();
        if others.is_empty() {
            message.push_str(&format!("; the agent names its Service `{service}`"));
        } else {
            let list: Vec<String> = others.iter().map(|n| format!("`{n}`")).collect();
            message.push_str(&format!(
                "; the agent names its Service `{service}`, the same as module {}",
                list.join(", ")
            ));
        }
        let new = unique(&proposed(&m.name), &mut taken);
        out.push(Finding::new(&RULE, Some(m), m.location(), message).suggest(Suggestion::rename(
            format!("rename `{}` to `{new}` in the module list, its twin, routes and host names", m.name),
            &m.name,
            &new,
        )));
    }
    out
}

/// A DNS label starting with a letter, at most 63 characters.
pub fn is_valid(name: &str) -> bool {
    let b = name.as_bytes();
    !b.is_empty()
        && b.len() <= MAX_NAME
        && b[0].is_ascii_lowercase()
        && b[b.len() - 1] != b'-'
        && b.iter().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
}

/// What is wrong, for the message.
fn problems(name: &str) -> String {
    let mut p = Vec::new();
    if name.is_empty() {
        return "is empty".to_owned();
    }
    if name.chars().any(|c| c.is_ascii_uppercase()) {
        p.push("has upper-case letters".to_owned());
    }
    let mut bad: Vec<char> = name.chars().filter(|c| !(c.is_ascii_alphanumeric() || *c == '-')).collect();
    bad.dedup();
    bad.truncate(5);
    if !bad.is_empty() {
        let list: Vec<String> = bad.iter().map(|c| format!("`{c}`")).collect();
        p.push(format!("has {}", list.join(" ")));
    }
    if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        p.push("does not start with a letter".to_owned());
    }
    if name.ends_with('-') {
        p.push("ends with `-`".to_owned());
    }
    if name.chars().count() > MAX_NAME {
        p.push(format!("is {} characters long (at most {MAX_NAME})", name.chars().count()));
    }
    if p.is_empty() {
        return "is not a valid Kubernetes name".to_owned();
    }
    p.join(", ")
}

/// The name the agent gives the module's Service (its `SanitizeDNSValue`): lower-cased, from the
/// first letter to the last letter or digit, other characters than letters, digits and `-`
/// dropped, cut at 63.
pub fn agent_name(name: &str) -> String {
    let lower = name.to_lowercase();
    let chars: Vec<char> = lower.chars().collect();
    let Some(start) = chars.iter().position(|c| c.is_ascii_lowercase()) else { return String::new() };
    let end = chars.iter().rposition(|c| c.is_ascii_lowercase() || c.is_ascii_digit()).unwrap_or(start);
    chars[start..=end]
        .iter()
        .filter(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || **c == '-')
        .take(MAX_NAME)
        .collect()
}

/// A readable valid name close to the old one: lower-cased, `_` as `-`, other invalid characters
/// dropped, runs of `-` merged, starting with a letter, cut at 63.
pub fn proposed(name: &str) -> String {
    let mut s = String::with_capacity(name.len());
    for c in name.chars() {
        let c = match c {
            '_' => '-',
            c => c.to_ascii_lowercase(),
        };
        if c.is_ascii_lowercase() || c.is_ascii_digit() || (c == '-' && !s.is_empty() && !s.ends_with('-')) {
            if s.is_empty() && !c.is_ascii_lowercase() {
                continue;
            }
            s.push(c);
        }
    }
    s.truncate(MAX_NAME);
    let s = s.trim_end_matches('-');
    if s.is_empty() { "module".to_owned() } else { s.to_owned() }
}

/// `base`, or `base-2`, `base-3`… when taken; the result is marked taken.
fn unique(base: &str, taken: &mut HashSet<String>) -> String {
    let mut candidate = base.to_owned();
    let mut n = 2u64;
    while taken.contains(&candidate) {
        let suffix = format!("-{n}");
        let head = &base[..base.len().min(MAX_NAME - suffix.len())];
        candidate = format!("{}{suffix}", head.trim_end_matches('-'));
        n += 1;
    }
    taken.insert(candidate.clone());
    candidate
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(is_valid("camera-1") && !is_valid("Camera") && !is_valid("cam_1") && !is_valid("1cam"));
        assert!(!is_valid("cam-") && !is_valid(&"a".repeat(64)) && is_valid(&"a".repeat(63)));
        assert_eq!(agent_name("Image_Processor"), "imageprocessor");
        assert_eq!(agent_name("_3D-Scanner_"), "d-scanner");
        assert_eq!(proposed("Image_Processor"), "image-processor");
        assert_eq!(proposed("__3D..Scanner__"), "dscanner");
        assert_eq!(proposed("My__Mod"), "my-mod");
        assert_eq!(proposed("€€"), "module");
        assert_eq!(proposed(&"A".repeat(70)).len(), 63);
        let mut taken: HashSet<String> = ["cam".to_owned(), "cam-2".to_owned()].into();
        assert_eq!(unique("cam", &mut taken), "cam-3");
        let long = "a".repeat(63);
        taken.insert(long.clone());
        assert_eq!(unique(&long, &mut taken).len(), 63);
    }
}
