//! NET008: an env value or route reaching another module by its container port or a non-lower-case name.

use crate::manifest::placeholder::placeholders;
use crate::manifest::{Location, Module};
use crate::rules::shared::env::{self, Place};
use crate::rules::{Check, Context, Edit, Finding, FixAvailability, K8S, Rule, RuleDoc, Section, Severity, Suggestion};
use serde_json::Value;

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "NET008",
        section: Section::Network,
        severity: Severity::Warning,
        fix: FixAvailability::Sometimes,
        targets: K8S,
        title: "Module address uses the container port or a capitalised name",
        detects: "`<module>:<port>` in a module's `env` values, its createOptions `Env` values or a route, where `<module>` names a module of the deployment (any case, as a whole word) and `<port>` is that module's container port rather than its `HostPort`, or `<module>` is not lower-case. Placeholders and hosts that are not modules of the deployment are left alone.",
        why: "On Docker, modules talk over the IoT Edge network straight to a container port, by the module's name as written. On Kubernetes they talk through the module's Service, named after the lower-cased module name, which listens on the `HostPort` and forwards to the container port: `<lower-cased name>:<HostPort>`. Where the two ports differ, the old address reaches nothing.",
        before: r#"{"env": {"SCORING_URL": {"value": "http://Scoring:5001/score"}}, "scoring": {"PortBindings": {"5001/tcp": [{"HostPort": "8081"}]}}}"#,
        after: r#"{"env": {"SCORING_URL": {"value": "http://scoring:8081/score"}}}"#,
        fix_safety: "Safe when the value is an address the module dials. A port that already is one of the target's host ports is left as it is (that is what it means on Kubernetes); check it if it was meant as a container port.",
    },
    check: Check::Manifest(check),
};

/// One `<host>:<port>` to rewrite.
struct Hit {
    start: usize,
    end: usize,
    found: String,
    wanted: String,
}

fn check(ctx: &Context) -> Vec<Finding> {
    let manifest = ctx.manifest;
    let mut out = Vec::new();
    for m in &manifest.modules {
        // Numbers and booleans come as text too; they hold no `:` and so never match.
        for var in env::vars(m) {
            let Some(text) = &var.value else { continue };
            let (what, prefix) = match var.place {
                Place::Section => (format!("env `{}`", var.name), String::new()),
                Place::Create { .. } => (format!("`Env` `{}`", var.name), format!("{}=", var.name)),
            };
            out.extend(finding(ctx, Some(m), var.value_at.clone(), &what, &prefix, text));
        }
    }
    for r in manifest.routes() {
        out.extend(finding(ctx, None, Location::Document(r.at.clone()), "route", "", &r.text));
    }
    out
}

fn finding(
    ctx: &Context,
    module: Option<&Module>,
    path: Location,
    what: &str,
    prefix: &str,
    text: &str,
) -> Option<Finding> {
    let hits = scan(ctx, text);
    if hits.is_empty() {
        return None;
    }
    let mut new = String::with_capacity(text.len());
    let mut last = 0;
    for h in &hits {
        new.push_str(&text[last..h.start]);
        new.push_str(&h.wanted);
        last = h.end;
    }
    new.push_str(&text[last..]);
    let message = format!(
        "{what} reaches {} by {}: modules talk through the Service `<lower-cased name>:<HostPort>`",
        hits.iter().map(|h| format!("`{}`", h.found)).collect::<Vec<_>>().join(", "),
        reason(&hits)
    );
    let list = hits.iter().map(|h| format!("`{}` → `{}`", h.found, h.wanted)).collect::<Vec<_>>().join(", ");
    Some(Finding::new(&RULE, module, path.clone(), message).suggest(Suggestion::new(
        format!("use {list}"),
        vec![Edit::Set { at: path, value: Value::String(format!("{prefix}{new}")) }],
    )))
}

fn reason(hits: &[Hit]) -> &'static str {
    let port = hits.iter().any(|h| port_of(&h.found) != port_of(&h.wanted));
    let case = hits.iter().any(|h| host_of(&h.found) != host_of(&h.wanted));
    match (port, case) {
        (true, true) => "its container port and a capitalised name",
        (true, false) => "its container port instead of its host port",
        _ => "a name that is not lower-case",
    }
}

fn host_of(s: &str) -> &str {
    s.rsplit_once(':').map_or(s, |(h, _)| h)
}

fn port_of(s: &str) -> &str {
    s.rsplit_once(':').map_or("", |(_, p)| p)
}

fn is_host_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.')
}

/// Every `<module>:<port>` in `text` that should read differently.
fn scan(ctx: &Context, text: &str) -> Vec<Hit> {
    let bytes = text.as_bytes();
    // Byte ranges of placeholders: data, never rewritten.
    let base = text.as_ptr() as usize;
    let held: Vec<(usize, usize)> = placeholders(text)
        .into_iter()
        .map(|p| {
            let s = p.as_ptr() as usize - base;
            (s, s + p.len())
        })
        .collect();
    let mut hits = Vec::new();
    for (colon, _) in text.match_indices(':') {
        let mut start = colon;
        while start > 0 && is_host_byte(bytes[start - 1]) {
            start -= 1;
        }
        let mut end = colon + 1;
        while end < bytes.len() && bytes[end].is_ascii_digit() {
            end += 1;
        }
        if start == colon || end == colon + 1 || end - colon > 6 {
            continue;
        }
        if end < bytes.len() && (bytes[end].is_ascii_alphanumeric() || bytes[end] == b'_') {
            continue;
        }
        if start > 0 && matches!(bytes[start - 1], b'$' | b'{' | b'<' | b'#' | b'%') {
            continue;
        }
        if held.iter().any(|&(s, e)| s < end && start < e) || hits.last().is_some_and(|h: &Hit| start < h.end) {
            continue;
        }
        let host = &text[start..colon];
        let Some(target) = ctx.module_by_service(host) else { continue };
        let Some(port) = crate::manifest::model::parse_port(&text[colon + 1..end]) else { continue };
        let wanted_port = service_port(target, port);
        let wanted_host = target.name.to_ascii_lowercase();
        if wanted_host == host && wanted_port == port {
            continue;
        }
        hits.push(Hit {
            start,
            end,
            found: text[start..end].to_owned(),
            wanted: format!("{wanted_host}:{wanted_port}"),
        });
    }
    hits
}

/// The port of `target`'s Service for `port`: the first usable host port of the binding whose
/// container port it is (TCP first). A port that already is one of the target's host ports is
/// taken as one and kept: that is what it means on Kubernetes, and what an earlier rewrite wrote.
fn service_port(target: &Module, port: u16) -> u16 {
    let bindings = target.port_bindings();
    if bindings.iter().any(|b| b.host_ports().any(|h| h == port)) {
        return port;
    }
    bindings
        .iter()
        .filter(|b| b.port.port == Some(port))
        .min_by_key(|b| b.port.protocol != "tcp")
        .and_then(|b| b.host_ports().next())
        .unwrap_or(port)
}
