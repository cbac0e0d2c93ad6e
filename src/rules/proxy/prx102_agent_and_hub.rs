//! PRX102 (VM): `https_proxy` on one of edgeAgent and edgeHub but not the other.

use super::prx002_upstream_protocol::{NAME as UPSTREAM, OVER_WEBSOCKETS};
use crate::manifest::Module;
use crate::rules::shared::env::{self, Var, redact};
use crate::rules::{Check, Context, Edit, Finding, FixAvailability, Rule, RuleDoc, Section, Severity, Suggestion, VM};
use serde_json::json;

const HTTPS_PROXY: &str = "https_proxy";

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "PRX102",
        section: Section::Proxy,
        severity: Severity::Warning,
        fix: FixAvailability::Always,
        targets: VM,
        title: "https_proxy on edgeHub but not edgeAgent, or the reverse",
        detects: "`https_proxy` (any case, with a value, in `env` or `createOptions.Env`) on one of the system modules edgeAgent and edgeHub and not on the other; reported on the module that lacks it.",
        why: "Microsoft's proxy guide for IoT Edge says to set `https_proxy` on both runtime modules in the deployment: edgeHub for its IoT Hub connection, edgeAgent for its own. The manifest's edgeAgent settings replace the `[agent.env]` of config.toml once the deployment applies, so an edgeAgent without the proxy loses IoT Hub, and \"the only way to reestablish the connection is to edit the config file\" (how-to-configure-proxy-support).",
        before: r#"{"edgeAgent": {"env": {}}, "edgeHub": {"env": {"https_proxy": {"value": "http://proxy:3128"}, "UpstreamProtocol": {"value": "AmqpWs"}}}}"#,
        after: r#"{"edgeAgent": {"env": {"https_proxy": {"value": "http://proxy:3128"}, "UpstreamProtocol": {"value": "AmqpWs"}}}, "edgeHub": {"env": {"https_proxy": {"value": "http://proxy:3128"}, "UpstreamProtocol": {"value": "AmqpWs"}}}}"#,
        fix_safety: "Safe: the module gets the proxy the other runtime module already uses, in its `env` section (a placeholder is copied as it is), and the same `UpstreamProtocol` when the other one has AmqpWs/MqttWs and this one has no proxy and no protocol of its own (otherwise PRX002 asks). An empty `https_proxy` of the module is replaced.",
    },
    check: Check::Manifest(check),
};

fn check(ctx: &Context) -> Vec<Finding> {
    let runtime = |name: &str| ctx.manifest.modules.iter().find(|m| m.system && m.name == name);
    let (Some(agent), Some(hub)) = (runtime("edgeAgent"), runtime("edgeHub")) else { return Vec::new() };
    let (agent_vars, hub_vars) = (ctx.env(agent), ctx.env(hub));
    match (https_proxy(agent_vars), https_proxy(hub_vars)) {
        (Some(from), None) => vec![finding(agent, from, agent_vars, hub, hub_vars)],
        (None, Some(from)) => vec![finding(hub, from, hub_vars, agent, agent_vars)],
        _ => Vec::new(),
    }
}

/// The module's `https_proxy` with a value.
fn https_proxy<'v, 'a>(vars: &'v [Var<'a>]) -> Option<&'v Var<'a>> {
    env::named(vars, HTTPS_PROXY).find(|v| v.value.as_deref().is_some_and(|x| !x.trim().is_empty()))
}

/// The finding on `to`, which lacks the proxy `proxy` of `from`.
fn finding(from: &Module, proxy: &Var, from_vars: &[Var], to: &Module, to_vars: &[Var]) -> Finding {
    let url = proxy.value.as_deref().unwrap_or_default();
    let name = proxy.name;
    // Empty `https_proxy` entries of `to` go: in `createOptions.Env` one would win over the new value.
    let mut edits: Vec<Edit> = env::named(to_vars, HTTPS_PROXY).map(|v| Edit::Remove { at: v.at.clone() }).collect();
    edits.insert(0, Edit::Set { at: env::section_at(to, name), value: json!({"value": url}) });
    let mut summary = format!("add `{name}` to {}", to.name);
    let has_proxy = super::prx001_no_proxy::proxy(to_vars).is_some();
    let protocol = env::named(from_vars, UPSTREAM)
        .filter_map(|v| v.value.as_deref().map(str::trim))
        .find(|p| OVER_WEBSOCKETS.iter().any(|w| w.eq_ignore_ascii_case(p)));
    if let Some(p) = protocol.filter(|_| !has_proxy && env::named(to_vars, UPSTREAM).next().is_none()) {
        edits.push(Edit::Set { at: env::section_at(to, UPSTREAM), value: json!({"value": p}) });
        summary.push_str(&format!(" with `{UPSTREAM}={p}`"));
    }
    // A removed entry of the same name in the env section is the one the Set replaces.
    let set_at = env::section_at(to, name);
    edits.retain(|e| !matches!(e, Edit::Remove { at } if *at == set_at));
    Finding::new(
        &RULE,
        Some(to),
        set_at,
        format!(
            "{} reaches IoT Hub through `{name}={}` but {} has no `{name}`: Microsoft's guide sets it on both",
            from.name,
            redact(url),
            to.name
        ),
    )
    .suggest(Suggestion::new(summary, edits))
}
