//! NET008: an env value, command argument, twin property or route that reaches another module on
//! its container port, where the module's Service listens on the host port.

use super::addresses::{Addresses, ModuleAddress, Text};
use super::net013_remapped_host_ports::{Remedy, remedy};
use super::ports::{self, groups};
use crate::rules::{Check, Context, Edit, Finding, FixAvailability, K8S, Rule, RuleDoc, Section, Severity, Suggestion};

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "NET008",
        section: Section::Network,
        severity: Severity::Warning,
        fix: FixAvailability::Sometimes,
        targets: K8S,
        title: "Module address uses the container port",
        detects: "`<module>:<port>` in a module's `env` values, its createOptions `Env` values, its `Cmd` and `Entrypoint` arguments, its twin's desired properties (TRAPS.md NEW-2 extends the scan to twins) or a route, where `<module>` names a module of the deployment (any case, as a whole word) and `<port>` is a container port of one of its bindings that its Service does not answer on (the binding's host port differs, and the port is not exposed). A capitalised name is not a finding: the Service is named after the lower-cased module name and DNS ignores case. Placeholders and hosts that are not modules of the deployment are left alone.",
        why: "On Docker, modules talk over the IoT Edge network straight to a container port. On Kubernetes they talk through the module's Service, which listens on the `HostPort` (and on each exposed port) and forwards to the container port: `<module>:<HostPort>`. Where the two ports differ, the old address reaches nothing.",
        before: r#"{"env": {"SCORING_URL": {"value": "http://Scoring:5001/score"}}, "scoring": {"PortBindings": {"5001/tcp": [{"HostPort": "8081"}]}}}"#,
        after: r#"{"env": {"SCORING_URL": {"value": "http://Scoring:8081/score"}}}"#,
        fix_safety: "Safe when the value is an address the module dials: only the port changes, to the one the Service answers on. A port that already is one of the target's Service ports is left as it is (that is what it means on Kubernetes); check it if it was meant as a container port. Shown only, never taken by a policy, while NET013 proposes to bind the container port as the host port: then the address is right as it is, and rewriting it would break it.",
    },
    check: Check::Manifest(check),
};

/// One `<module>:<port>` to rewrite.
struct Hit {
    start: usize,
    end: usize,
    found: String,
    wanted: String,
    target: String,
    host_port: u16,
    /// NET013 proposes host port = container port for this binding: the address is right once
    /// that is accepted.
    rebind: bool,
}

fn check(ctx: &Context) -> Vec<Finding> {
    let addresses = ctx.addresses();
    addresses.texts.iter().zip(&addresses.found).filter_map(|(t, found)| finding(ctx, addresses, t, found)).collect()
}

fn finding(ctx: &Context<'_>, addresses: &Addresses<'_>, t: &Text<'_>, found: &[ModuleAddress<'_>]) -> Option<Finding> {
    let hits: Vec<Hit> = found.iter().filter_map(|a| hit(ctx, addresses, &t.text, a)).collect();
    if hits.is_empty() {
        return None;
    }
    let mut new = String::with_capacity(t.text.len());
    let mut last = 0;
    for h in &hits {
        new.push_str(&t.text[last..h.start]);
        new.push_str(&h.wanted);
        last = h.end;
    }
    new.push_str(&t.text[last..]);
    let reached = hits
        .iter()
        .map(|h| {
            format!(
                "`{}`, the container port of `{}` (its Service listens on host port {})",
                h.found, h.target, h.host_port
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    let mut message = format!("{} reaches {reached}", t.what());
    let rebind = hits.iter().any(|h| h.rebind);
    if rebind {
        message.push_str(
            "; NET013 proposes to bind the container port as the host port, which keeps this address as it is",
        );
    }
    let list = hits.iter().map(|h| format!("`{}` → `{}`", h.found, h.wanted)).collect::<Vec<_>>().join(", ");
    let suggestion =
        Suggestion::new(format!("use {list}"), vec![Edit::Set { at: t.at.clone(), value: t.written(&new) }]);
    Some(Finding::new(&RULE, t.owner, t.at.clone(), message).suggest(if rebind {
        suggestion.display_only()
    } else {
        suggestion
    }))
}

/// The address, when the target's Service does not answer on its port but a binding of that
/// container port has a host port: the first (TCP first). A port that already is a Service port
/// is kept: that is what it means on Kubernetes, and what an earlier rewrite wrote.
fn hit(ctx: &Context<'_>, addresses: &Addresses<'_>, text: &str, a: &ModuleAddress<'_>) -> Option<Hit> {
    let target = a.target;
    if ports::service(target, ctx.device).is_some_and(|s| s.port(a.port).is_some()) {
        return None;
    }
    let all = groups(target);
    let g = all.iter().filter(|g| g.port == a.port).min_by_key(|g| g.protocol != "tcp")?;
    let host_port = *g.host_ports().first()?;
    let rebind = matches!(remedy(ctx, addresses, target, g), Some((_, Remedy::Rebind)));
    Some(Hit {
        start: a.start,
        end: a.end,
        found: text[a.start..a.end].to_owned(),
        wanted: format!("{}:{host_port}", a.host),
        target: target.name.clone(),
        host_port,
        rebind,
    })
}
