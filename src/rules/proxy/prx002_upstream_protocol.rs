//! PRX002: edgeHub (or edgeAgent) behind a web proxy with an upstream protocol the proxy does not
//! carry.

use super::prx001_no_proxy::proxy;
use crate::manifest::Module;
use crate::manifest::placeholder::contains_placeholder;
use crate::rules::shared::env::{self, Place, Var, redact};
use crate::rules::{
    BOTH, Check, Context, Edit, Finding, FixAvailability, Rule, RuleDoc, Section, Severity, Suggestion,
};
use serde_json::json;

pub(super) const NAME: &str = "UpstreamProtocol";
/// The protocols that run over HTTPS (port 443) and so through a web proxy.
pub(super) const OVER_WEBSOCKETS: [&str; 2] = ["AmqpWs", "MqttWs"];

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "PRX002",
        section: Section::Proxy,
        severity: Severity::Warning,
        fix: FixAvailability::Always,
        targets: BOTH,
        title: "edgeHub behind a web proxy without `UpstreamProtocol=AmqpWs`",
        detects: "edgeHub, and edgeAgent too, with a proxy variable (`https_proxy`/`http_proxy`, any case) in its `env` or `createOptions.Env`, and an `UpstreamProtocol` that is missing or not `AmqpWs`/`MqttWs` (compared trimmed and ignoring case: `\"MQTT \"` is MQTT). Placeholder values are left alone.",
        why: "A web proxy carries HTTPS (port 443) only. Without `UpstreamProtocol`, edgeHub talks to IoT Hub over AMQP on port 5671 (MQTT: 8883), which the proxy does not carry, so the device goes offline unless the network lets that port through. `AmqpWs` (or `MqttWs`) runs the same protocol over WebSockets on 443, through the proxy. edgeAgent reads its own `UpstreamProtocol` the same way for its own IoT Hub connection, so it is covered when its env sets a proxy too.",
        before: r#"{"env": {"https_proxy": {"value": "http://proxy:3128"}, "UpstreamProtocol": {"value": "Mqtt"}}}"#,
        after: r#"{"env": {"https_proxy": {"value": "http://proxy:3128"}, "UpstreamProtocol": {"value": "AmqpWs"}}}"#,
        fix_safety: "Confirm the protocol: `AmqpWs` by default, `MqttWs` if the module's devices use MQTT; keep the current one only if the proxy network lets AMQP (5671) or MQTT (8883) out. The value is written in the module's `env`; an `UpstreamProtocol` in `createOptions.Env` moves there, so that only one remains.",
    },
    check: Check::Module(check),
};

fn check(ctx: &Context, module: &Module) -> Vec<Finding> {
    if !module.system {
        return Vec::new();
    }
    let vars = ctx.env(module);
    let Some(proxy) = proxy(vars) else { return Vec::new() };
    let protocols: Vec<&Var> = env::named(vars, NAME).collect();
    let value = |v: &Var| v.value.as_deref().unwrap_or_default().to_owned();
    if protocols.iter().any(|v| contains_placeholder(&value(v))) {
        return Vec::new();
    }
    let ok = |v: &&Var| OVER_WEBSOCKETS.iter().any(|p| value(v).trim().eq_ignore_ascii_case(p));
    if !protocols.is_empty() && protocols.iter().all(ok) {
        return Vec::new();
    }
    let default = json!(OVER_WEBSOCKETS[0]);
    // One value in the module's env: set the first entry there, or add one; drop the others.
    let section = protocols.iter().find(|v| v.place == Place::Section);
    let (set, at) = match section {
        Some(v) if v.object => (Edit::Set { at: v.value_at.clone(), value: default.clone() }, ""),
        Some(v) => (Edit::Set { at: v.at.clone(), value: json!({"value": OVER_WEBSOCKETS[0]}) }, "/value"),
        None => {
            (Edit::Set { at: env::section_at(module, NAME), value: json!({"value": OVER_WEBSOCKETS[0]}) }, "/value")
        }
    };
    let kept = section.map(|v| &v.at);
    let edits = std::iter::once(set)
        .chain(protocols.iter().filter(|v| Some(&v.at) != kept).map(|v| Edit::Remove { at: v.at.clone() }))
        .collect();
    let current = match protocols.last() {
        Some(v) => format!("`{}` is `{}`", v.name, value(v)),
        None => format!("`{NAME}` is not set (AMQP on port 5671)"),
    };
    let message = format!(
        "{} reaches IoT Hub through the proxy `{}` but {current}: a web proxy carries only AmqpWs/MqttWs (port 443)",
        module.name,
        redact(proxy.value.as_deref().unwrap_or_default())
    );
    let path = protocols.first().map_or_else(|| env::section_at(module, NAME), |v| v.at.clone());
    vec![Finding::new(&RULE, Some(module), path, message).suggest_review(
        Suggestion::new(format!("set `{NAME}` to AmqpWs"), edits).with_input("upstream protocol", 0, at, Some(default)),
    )]
}
