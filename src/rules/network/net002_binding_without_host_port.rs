//! NET002: a port binding the agent skips: no usable `HostPort`, or a key without a protocol.

use super::ports::{self, Binding, HostPort, bindings, free_host_port, mapping, used_host_ports};
use crate::manifest::Module;
use crate::manifest::pointer;
use crate::rules::{Check, Context, Edit, Finding, FixAvailability, K8S, Rule, RuleDoc, Section, Severity, Suggestion};
use serde_json::Value;
use std::collections::HashSet;

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "NET002",
        section: Section::Network,
        severity: Severity::Error,
        fix: FixAvailability::Sometimes,
        targets: K8S,
        title: "Port binding without a usable host port",
        detects: "A `HostConfig.PortBindings` entry that the Kubernetes agent skips: a mapping with no `HostPort`, an empty one, a range (`8000-8010`) or a number that is not a port; an entry that is `null` or `[]`; or a key without its protocol (`\"8080\"` instead of `\"8080/tcp\"`). A container port range or an unknown protocol in the key is reported for a manual fix.",
        why: "Docker picks a random host port when `HostPort` is missing or empty and accepts ranges and keys without a protocol. The Kubernetes agent needs `<port>/<protocol>` keys and a `HostPort` that parses as one number: anything else is skipped with a log line, so the port is silently not exposed through the module's Service. Setting `HostPort` to the container port keeps the number clients already use.",
        before: r#"{"HostConfig": {"PortBindings": {"8080": [{"HostPort": ""}]}}}"#,
        after: r#"{"HostConfig": {"PortBindings": {"8080/tcp": [{"HostPort": "8080"}]}}}"#,
        fix_safety: "Safe: the host port becomes the container port (or the next free number when the module already binds that one, which you confirm). Extra mappings without a usable host port are dropped when another mapping already binds the port.",
    },
    check: Check::Module(check),
};

fn check(_ctx: &Context, module: &Module) -> Vec<Finding> {
    if ports::mixes_protocols(module) {
        return Vec::new();
    }
    let all = bindings(module);
    let keys: HashSet<&str> = all.iter().map(|b| b.key).collect();
    let mut used = used_host_ports(module);
    all.iter().filter(|b| !b.is_placeholder()).filter_map(|b| finding(module, b, &keys, &mut used)).collect()
}

fn finding(module: &Module, b: &Binding<'_>, keys: &HashSet<&str>, used: &mut HashSet<u16>) -> Option<Finding> {
    let path = module.co_path(&b.rel);
    let manual = |what: String| Some(Finding::new(&RULE, Some(module), path.clone(), what));
    let Some(port) = b.port else {
        return if b.port_text.contains('-') {
            manual(format!("port binding `{}` is a range: the agent skips it; bind each port on its own", b.key))
        } else {
            manual(format!("port binding `{}` does not name a container port: the agent skips it", b.key))
        };
    };
    if !ports::known_protocol(b.proto()) {
        return manual(format!(
            "port binding `{}` has the unknown protocol `{}`: use tcp, udp or sctp",
            b.key,
            b.proto()
        ));
    }
    let states = b.host_ports();

    // `"8080"`: the whole entry moves to `"8080/tcp"`, cleaned up on the way.
    if b.protocol.is_none() {
        let new_key = b.normalized_key();
        let new_rel = pointer::from_tokens("", ["HostConfig", "PortBindings", &new_key]);
        if keys.contains(new_key.as_str()) {
            return Some(
                Finding::new(
                    &RULE,
                    Some(module),
                    path.clone(),
                    format!("port binding `{}` has no protocol and duplicates `{new_key}`: the agent skips it", b.key),
                )
                .suggest(Suggestion::new(
                    format!("drop `{}` (`{new_key}` binds the port)", b.key),
                    vec![Edit::Remove { at: path }],
                )),
            );
        }
        let cleaned = b.cleaned();
        return Some(
            Finding::new(
                &RULE,
                Some(module),
                path.clone(),
                format!(
                    "port binding `{}` has no protocol: the agent skips it (Docker reads it as `{new_key}`)",
                    b.key
                ),
            )
            .suggest(Suggestion::new(
                format!("write it as `{new_key}`: {}", describe(&cleaned)),
                vec![
                    Edit::RenameKey { at: path, to: new_key.clone() },
                    Edit::Set { at: module.co_path(&new_rel), value: cleaned },
                ],
            )),
        );
    }

    // `null`, `[]` or not a list: one mapping to the container port.
    if states.is_empty() {
        let host = free_host_port(port, used)?;
        used.insert(host);
        let what = match b.value {
            Value::Array(_) => "no mappings".to_owned(),
            other => format!("`{other}` instead of a list of mappings"),
        };
        return Some(with_port(
            Finding::new(
                &RULE,
                Some(module),
                path.clone(),
                format!("port binding `{}` has {what}: the agent skips it", b.key),
            ),
            b,
            host,
            port,
            vec![Edit::Set { at: path, value: Value::Array(vec![mapping(host)]) }],
            "/0/HostPort",
        ));
    }

    let bad: Vec<usize> = states.iter().enumerate().filter(|(_, s)| !s.usable()).map(|(i, _)| i).collect();
    let &first_bad = bad.first()?;
    let what = describe_state(&states[first_bad]);
    if states.iter().any(HostPort::usable) {
        // Another mapping binds the port: the broken ones only add nothing.
        let edits = bad.iter().map(|&i| Edit::Remove { at: module.co_path(b.mapping_rel(i)) }).collect();
        return Some(
            Finding::new(
                &RULE,
                Some(module),
                module.co_path(b.mapping_rel(first_bad)),
                format!("port binding `{}` mapping {first_bad} has {what}: the agent skips it", b.key),
            )
            .suggest(Suggestion::new(
                format!("drop the mapping(s) without a usable host port from `{}` (another mapping binds it)", b.key),
                edits,
            )),
        );
    }
    let host = free_host_port(port, used)?;
    used.insert(host);
    let maps = b.mappings();
    let (set, at) = if maps[first_bad].is_object() {
        let key = ports::host_port_key(&maps[first_bad]).unwrap_or("HostPort");
        let rel = pointer::join(&b.mapping_rel(first_bad), key);
        (Edit::Set { at: module.co_path(&rel), value: host.to_string().into() }, "")
    } else {
        (Edit::Set { at: module.co_path(b.mapping_rel(first_bad)), value: mapping(host) }, "/HostPort")
    };
    let mut edits = vec![set];
    edits.extend(bad[1..].iter().map(|&i| Edit::Remove { at: module.co_path(b.mapping_rel(i)) }));
    Some(with_port(
        Finding::new(
            &RULE,
            Some(module),
            module.co_path(b.mapping_rel(first_bad)),
            format!("port binding `{}` has {what}: the agent skips it", b.key),
        ),
        b,
        host,
        port,
        edits,
        at,
    ))
}

/// The suggestion that binds `host` (its first edit writes it, at `at` inside that edit's value):
/// auto when it is the container port, else the engineer confirms it.
fn with_port(finding: Finding, b: &Binding<'_>, host: u16, port: u16, edits: Vec<Edit>, at: &str) -> Finding {
    if host == port {
        return finding.suggest(Suggestion::new(format!("bind `{}` to host port {host}", b.key), edits));
    }
    finding.suggest_review(
        Suggestion::new(
            format!("bind `{}` to host port {host} (port {port} is taken, reserved, or the proxy's)", b.key),
            edits,
        )
        .with_input("host port", 0, at, Some(host.to_string().into())),
    )
}

fn describe_state(s: &HostPort) -> String {
    match s {
        HostPort::Missing => "no `HostPort`".into(),
        HostPort::Empty => "an empty `HostPort`".into(),
        HostPort::Range(r) => format!("the host port range `{r}`"),
        HostPort::Invalid(v) => format!("the host port `{v}`, which is not a port number"),
        HostPort::Valid(_) | HostPort::Placeholder(_) => "a host port".into(),
    }
}

fn describe(cleaned: &Value) -> String {
    match cleaned.pointer("/0").map(HostPort::of) {
        Some(HostPort::Valid(p)) => format!("host port {p}"),
        Some(HostPort::Placeholder(p)) => format!("host port {p}"),
        _ => "its mapping".into(),
    }
}
