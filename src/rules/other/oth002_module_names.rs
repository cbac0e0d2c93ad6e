//! OTH002: module names as the Kubernetes agent treats them.
//!
//! The agent names a module's Deployment, Service and container after the module, through its
//! `SanitizeK8sValue`: lower-cased, every character but `a-z`, `0-9`, `.` and `-` dropped. Upper case
//! is therefore harmless (and DNS ignores case, so other modules reach the module at any case);
//! dropped characters (`_`) change the host name other modules must use; and some names cannot be
//! Kubernetes names at all, or collide once sanitised, which makes the agent refuse the deployment.

use super::listed;
use crate::manifest::placeholder::{contains_placeholder, placeholder_ranges};
use crate::manifest::{Location, Module};
use crate::rules::shared::env::{self, Place};
use crate::rules::{
    Check, Context, Edit, Finding, FixAvailability, K8S, RENAME_NOTE, Rule, RuleDoc, Section, Severity, Suggestion,
};
use std::collections::{HashMap, HashSet};

/// Kubernetes' limit for a DNS label (Service and container names).
const MAX_NAME: usize = 63;

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "OTH002",
        section: Section::Other,
        severity: Severity::Error,
        fix: FixAvailability::Sometimes,
        targets: K8S,
        title: "Module name the Kubernetes agent changes or cannot use",
        detects: "Custom module names, read as the agent reads them (lower-cased, characters other than `a-z`, `0-9`, `.` and `-` dropped). Error: a name that collides with another module's once sanitised, has `.`, starts with a digit or `-`, ends with `-`, keeps nothing, or is over 63 characters. Warning: a name with `_` (or another character the agent drops); and, in a separate finding per value, an env value of another module that reaches it as `<that name>:<port>` or `scheme://<that name>`. Info: upper-case letters alone. edgeAgent and edgeHub are named by the agent and only count for collisions; a name that is a placeholder is reported as filled in at deploy time.",
        why: "The agent names each module's Deployment, Service and container after the module, lower-cased and with the characters Kubernetes names cannot have dropped (`Image_Processor` → `imageprocessor`), and refuses the whole deployment when two modules end up with the same name. Other modules reach a module through its Service, so a host name with `_` no longer resolves; DNS ignores case, so upper case alone changes nothing (Microsoft's own GPU manifests keep `GPUModule`). A `.`, a leading digit or more than 63 characters make a name Kubernetes refuses for a Service or a container.",
        before: r#"{"modules": {"3d.scanner": {}, "Image_Processor": {}, "uploader": {"env": {"URL": {"value": "http://Image_Processor:5001"}}}}}"#,
        after: r#"{"modules": {"d-scanner": {}, "Image_Processor": {}, "uploader": {"env": {"URL": {"value": "http://imageprocessor:5001"}}}}}"#,
        fix_safety: "Pointing another module's env value at the Service name the agent gives (`imageprocessor`) is safe: the module keeps its name and identity. A rename (proposed for errors, shown for the other kinds) changes the name everywhere in the manifest: the `modules` key, the module's twin, every route, and host names in other modules' env values; but it is a new module identity in IoT Hub (its twin starts empty, and cloud code that calls its direct methods or addresses it by name must change too). A typed name is checked by this rule before it is accepted.",
    },
    check: Check::Manifest(check),
};

pub use crate::rules::shared::names::k8s_name;

/// What the rule makes of a name.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    /// A valid, lower-case name: nothing to say.
    Fine,
    /// Upper-case letters only.
    Case,
    /// Characters the agent drops (`_`…), the Kubernetes name being valid.
    Dropped(Vec<char>),
    /// A name Kubernetes cannot use, or that collides: what is wrong.
    Invalid(Vec<String>),
}

/// The kind of a custom module's name; `others` are the modules whose Kubernetes name is the same.
fn kind(name: &str, others: &[&str]) -> Kind {
    let k = k8s_name(name);
    let mut errors = Vec::new();
    if k.is_empty() {
        errors.push("keeps no letter or digit once the agent drops what Kubernetes names cannot have".to_owned());
    } else {
        if k.contains('.') {
            errors.push("has `.`, which a Kubernetes Service or container name cannot have".to_owned());
        }
        match k.chars().next() {
            Some(c) if c.is_ascii_digit() => errors.push(format!(
                "{} with a digit, which a Kubernetes Service name cannot",
                if name.starts_with(c) { "starts".to_owned() } else { format!("becomes `{k}`, starting") }
            )),
            Some('-') => errors.push("starts with `-`, which a Kubernetes name cannot".to_owned()),
            _ => {}
        }
        if k.ends_with('-') {
            errors.push("ends with `-`, which a Kubernetes name cannot".to_owned());
        }
        let n = k.chars().count();
        if n > MAX_NAME {
            errors.push(if n == name.chars().count() {
                format!("is {n} characters long; a Kubernetes name has at most {MAX_NAME}")
            } else {
                format!("keeps {n} characters once the agent has dropped what it cannot use; a Kubernetes name has at most {MAX_NAME}")
            });
        }
    }
    if !others.is_empty() {
        let list = listed(&others.iter().map(|o| format!("`{o}`")).collect::<Vec<_>>());
        errors.push(format!(
            "becomes `{k}` for the agent, as module {list} does: the agent refuses the whole deployment (a name collision)"
        ));
    }
    if !errors.is_empty() {
        return Kind::Invalid(errors);
    }
    let mut dropped: Vec<char> =
        name.chars().filter(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-'))).collect();
    dropped.sort_unstable();
    dropped.dedup();
    if !dropped.is_empty() {
        Kind::Dropped(dropped)
    } else if name.chars().any(|c| c.is_ascii_uppercase()) {
        Kind::Case
    } else {
        Kind::Fine
    }
}

fn check(ctx: &Context) -> Vec<Finding> {
    let modules = &ctx.manifest.modules;
    let mut by_k8s: HashMap<String, Vec<&str>> = HashMap::with_capacity(modules.len());
    for m in modules.iter().filter(|m| !contains_placeholder(&m.name)) {
        by_k8s.entry(k8s_name(&m.name)).or_default().push(&m.name);
    }
    // In a group of modules that collide, one keeps its name: a system module, else the one whose
    // name already is its Kubernetes name, else the first. The others are the ones to rename.
    let system: HashSet<&str> = modules.iter().filter(|m| m.system).map(|m| m.name.as_str()).collect();
    let keeper = |group: &[&str]| -> Option<String> {
        group
            .iter()
            .find(|n| system.contains(*n))
            .or_else(|| group.iter().find(|n| k8s_name(n) == **n))
            .or(group.first())
            .map(|n| (*n).to_owned())
    };
    let kinds: Vec<(&Module, Kind)> = modules
        .iter()
        .filter(|m| !m.system && !contains_placeholder(&m.name))
        .map(|m| {
            let group = by_k8s.get(&k8s_name(&m.name)).map(Vec::as_slice).unwrap_or_default();
            let others: Vec<&str> = if keeper(group).as_deref() == Some(m.name.as_str()) {
                Vec::new()
            } else {
                group.iter().copied().filter(|n| *n != m.name).collect()
            };
            (m, kind(&m.name, &others))
        })
        .collect();
    // Names a proposed name must avoid: every module's own name, and the Kubernetes name of every
    // module that keeps its name by default (all but the invalid ones).
    let mut taken: HashSet<String> = modules.iter().map(|m| m.name.clone()).collect();
    taken.extend(modules.iter().filter(|m| m.system || contains_placeholder(&m.name)).map(|m| k8s_name(&m.name)));
    taken.extend(kinds.iter().filter(|(_, k)| !matches!(k, Kind::Invalid(_))).map(|(m, _)| k8s_name(&m.name)));

    let mut out = Vec::new();
    for m in modules.iter().filter(|m| !m.system && contains_placeholder(&m.name)) {
        out.push(
            Finding::new(
                &RULE,
                Some(m),
                m.location(),
                format!(
                    "module name `{}` is a placeholder, filled in at deploy time: the name it becomes must be lower-case letters, digits and `-`, start with a letter, at most {MAX_NAME} characters, and not `_` or `.`",
                    m.name
                ),
            )
            .severity(Severity::Info),
        );
    }
    for (m, kind) in &kinds {
        let k = k8s_name(&m.name);
        let finding = |severity: Severity, message: String| {
            Finding::new(&RULE, Some(m), m.location(), message).severity(severity)
        };
        match kind {
            Kind::Fine => {}
            Kind::Case => out.push(
                finding(
                    Severity::Info,
                    format!(
                        "module name `{}` has upper-case letters: the agent names its Deployment and Service `{k}`, which other modules reach at any case (DNS ignores it); nothing needs to change",
                        m.name
                    ),
                )
                .suggest(rename(m, &k).display_only()),
            ),
            Kind::Dropped(chars) => {
                let shown = listed(&chars.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>());
                out.push(
                    finding(
                        Severity::Warning,
                        format!(
                            "module name `{}` has {shown}, which the agent drops: its Service is `{k}`, so other modules must reach it at `{k}`, not at `{}` (routes and IoT Hub keep the name as it is)",
                            m.name,
                            m.name.to_ascii_lowercase()
                        ),
                    )
                    .suggest(rename(m, &k).display_only()),
                );
            }
            Kind::Invalid(errors) => {
                let new = unique(&proposed(&m.name), &mut taken);
                out.push(
                    finding(Severity::Error, format!("module name `{}` {}", m.name, errors.join("; ")))
                        .suggest(rename(m, &new)),
                );
            }
        }
    }
    // Hosts that reach a module whose name has characters the agent drops.
    // By lower-cased name: each value is scanned once for all of them.
    let dropped: HashMap<String, &Module> = kinds
        .iter()
        .filter(|(_, k)| matches!(k, Kind::Dropped(_)))
        .map(|(m, _)| (m.name.to_ascii_lowercase(), *m))
        .collect();
    if !dropped.is_empty() {
        for m in modules.iter().filter(|m| !super::deployed_by_device(m)) {
            out.extend(references(m, &dropped));
        }
    }
    out
}

/// A rename of `m` to `to`, saying that it makes a new module identity.
fn rename(m: &Module, to: &str) -> Suggestion {
    Suggestion::rename(
        format!("rename `{}` to `{to}` in the module list, its twin, routes and host names; {RENAME_NOTE}", m.name),
        &m.name,
        to,
    )
}

/// One finding per env value of `m` that reaches one of `targets` by its name as written.
fn references(m: &Module, targets: &HashMap<String, &Module>) -> Vec<Finding> {
    let mut out = Vec::new();
    for var in env::vars(m) {
        let Some(text) = var.value.as_deref() else { continue };
        let hits = hosts(text, targets);
        if hits.is_empty() {
            continue;
        }
        let mut new = String::with_capacity(text.len());
        let mut last = 0;
        for (s, e, t) in &hits {
            new.push_str(&text[last..*s]);
            new.push_str(&k8s_name(&t.name));
            last = *e;
        }
        new.push_str(&text[last..]);
        let what = match var.place {
            Place::Section => format!("env `{}`", var.name),
            Place::Create { .. } => format!("`Env` `{}`", var.name),
        };
        let found = listed(
            &hits
                .iter()
                .map(|(s, e, t)| {
                    format!("`{}` as `{}`, whose Service is `{}`", t.name, &text[*s..*e], k8s_name(&t.name))
                })
                .collect::<Vec<_>>(),
        );
        let wanted = listed(&hits.iter().map(|(_, _, t)| format!("`{}`", k8s_name(&t.name))).collect::<Vec<_>>());
        let at: Location = var.value_at.clone();
        out.push(
            Finding::new(
                &RULE,
                Some(m),
                at.clone(),
                format!("{what} reaches module {found}: a host name with characters the agent drops does not resolve"),
            )
            .severity(Severity::Warning)
            .suggest(Suggestion::new(
                format!("use {wanted} (the modules keep their names)"),
                vec![Edit::Set { at, value: var.written(&new) }],
            )),
        );
    }
    out
}

/// Where `text` uses `name` (ignoring case) as a host: `name:<port>`, or `scheme://name` ending the
/// authority. A bare name is left alone: it may be the module's identity (a direct method's
/// target, a route), which keeps its name. Placeholders are never touched.
fn hosts<'m>(text: &str, targets: &HashMap<String, &'m Module>) -> Vec<(usize, usize, &'m Module)> {
    let b = text.as_bytes();
    let name_char = |c: u8| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.');
    let mut held: Option<Vec<(usize, usize)>> = None;
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if !name_char(b[i]) || (i > 0 && (name_char(b[i - 1]) || matches!(b[i - 1], b'$' | b'{' | b'<' | b'#'))) {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && name_char(b[i]) {
            i += 1;
        }
        let Some(target) = targets.get(&text[start..i].to_ascii_lowercase()) else { continue };
        let port = b.get(i) == Some(&b':') && b.get(i + 1).is_some_and(u8::is_ascii_digit);
        let url = text[..start].ends_with("://") && (i == b.len() || matches!(b[i], b'/' | b':' | b'?' | b'#'));
        if !(port || url) {
            continue;
        }
        // Inside a placeholder it is the template's text, not a host (found only when needed).
        let held = held.get_or_insert_with(|| placeholder_ranges(text));
        if !held.iter().any(|&(s, e)| s < i && start < e) {
            out.push((start, i, *target));
        }
    }
    out
}

/// A readable valid name close to the old one: lower-cased, `_` and `.` as `-`, other invalid
/// characters dropped, runs of `-` merged, starting with a letter, cut at 63.
pub fn proposed(name: &str) -> String {
    let mut s = String::with_capacity(name.len());
    for c in name.chars() {
        let c = match c {
            '_' | '.' => '-',
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
    fn names_as_the_agent_sanitises_them() {
        // KubeUtilsTest's SanitizeK8sValue cases: lower-cased, `-`/`.` kept, nothing trimmed.
        assert_eq!(k8s_name("$edgeAgent"), "edgeagent");
        assert_eq!(k8s_name("---a-0---"), "---a-0---");
        assert_eq!(k8s_name("000"), "000");
        assert_eq!(k8s_name("Image_Processor"), "imageprocessor");
        assert_eq!(k8s_name("Straße.1"), "strae.1");
    }

    #[test]
    fn kinds() {
        assert_eq!(kind("camera-1", &[]), Kind::Fine);
        assert_eq!(kind("GPUModule", &[]), Kind::Case);
        assert_eq!(kind("image_processor", &[]), Kind::Dropped(vec!['_']));
        assert_eq!(kind("My Module!", &[]), Kind::Dropped(vec![' ', '!']));
        for bad in ["3dscanner", "_3d", "cam.1", "-cam", "cam-", "__", &"a".repeat(64)] {
            assert!(matches!(kind(bad, &[]), Kind::Invalid(_)), "{bad}");
        }
        assert!(matches!(kind("Camera_1", &["camera1"]), Kind::Invalid(e) if e[0].contains("`camera1`")));
        assert_eq!(kind(&"a".repeat(63), &[]), Kind::Fine);
    }

    #[test]
    fn hosts_are_names_followed_by_a_port_or_in_a_url() {
        let m = crate::manifest::Manifest::load(
            br#"{"modulesContent": {"$edgeAgent": {"properties.desired": {"modules": {"Image_Processor": {}}}}}}"#,
        )
        .unwrap();
        let targets: HashMap<String, &Module> = [("image_processor".to_owned(), &m.modules[0])].into();
        let at = |t: &'static str| -> Vec<&'static str> {
            hosts(t, &targets).into_iter().map(|(s, e, _)| &t[s..e]).collect()
        };
        assert_eq!(at("http://Image_Processor:5001/score"), ["Image_Processor"]);
        assert_eq!(at("image_processor:5001"), ["image_processor"]);
        assert_eq!(at("tcp://image_processor"), ["image_processor"]);
        assert!(at("image_processor").is_empty(), "a bare name may be the module's identity");
        assert!(at("/modules/image_processor/inputs/x").is_empty());
        assert!(at("my_image_processor:1 image_processor2:1 ${image_processor}:1").is_empty());
    }

    #[test]
    fn proposals() {
        assert_eq!(proposed("Image_Processor"), "image-processor");
        assert_eq!(proposed("__3D..Scanner__"), "d-scanner");
        assert_eq!(proposed("3d.scanner"), "d-scanner");
        assert_eq!(proposed("€€"), "module");
        assert_eq!(proposed(&"A".repeat(70)).len(), 63);
        let mut taken: HashSet<String> = ["cam".to_owned(), "cam-2".to_owned()].into();
        assert_eq!(unique("cam", &mut taken), "cam-3");
        let long = "a".repeat(63);
        taken.insert(long.clone());
        assert_eq!(unique(&long, &mut taken).len(), 63);
    }
}
