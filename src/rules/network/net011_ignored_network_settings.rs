//! NET011: network settings the Kubernetes agent ignores.

use super::ports::network_mode;
use crate::manifest::Module;
use crate::manifest::placeholder::contains_placeholder;
use crate::rules::{Check, Context, Edit, Finding, FixAvailability, K8S, Rule, RuleDoc, Section, Severity, Suggestion};
use serde_json::Value;

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "NET011",
        section: Section::Network,
        severity: Severity::Warning,
        fix: FixAvailability::Sometimes,
        targets: K8S,
        title: "Network settings ignored on Kubernetes",
        detects: "`NetworkingConfig`; `HostConfig.NetworkMode` other than `host`, `default` or `bridge` (e.g. `azure-iot-edge`, `none`, `container:<name>`); `HostConfig.ExtraHosts`, `Dns`, `DnsOptions`, `DnsSearch`. `NetworkMode` spelled `Host` (or any other case) is rewritten as `host`.",
        why: "The Kubernetes agent translates only `NetworkMode: host`; every pod gets the cluster network and the cluster DNS, and there is no way to add /etc/hosts entries through the agent. These settings silently do nothing on the GPU device, so a module that relied on them (an `ExtraHosts` name, a DNS server) must reach its peers by Service name or real DNS. `NetworkMode` is special: the agent compares it with `host` case-insensitively, Docker does not (`Host` names a user network there and the container fails to start), so `Host` is rewritten as `host` for both to agree. Empty values carry no setting and are removed as info.",
        before: r#"{"HostConfig": {"NetworkMode": "azure-iot-edge", "ExtraHosts": ["opcserver:10.0.0.5"], "Dns": ["8.8.8.8"]}}"#,
        after: r#"{"HostConfig": {}}"#,
        fix_safety: "Safe for the deployment (the agent ignores these keys). Check that the module reaches hosts named in `ExtraHosts` some other way (real DNS, or an IP address in its settings).",
    },
    check: Check::Module(check),
};

/// An empty value (`null`, `""`, `[]`, `[""]`, `{}`) sets nothing.
fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Array(a) => a.iter().all(|x| x.as_str().is_some_and(|s| s.trim().is_empty())),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 60 { s.chars().take(57).collect::<String>() + "…" } else { s }
}

fn check(_ctx: &Context, module: &Module) -> Vec<Finding> {
    let mut out = Vec::new();
    let remove = |rel: &str, message: String, empty: bool| {
        let path = module.co_path(rel);
        let key = rel.rsplit('/').next().unwrap_or(rel);
        let f = Finding::new(&RULE, Some(module), path.clone(), message)
            .suggest(Suggestion::new(format!("remove `{key}`"), vec![Edit::Remove { at: path }]));
        if empty { f.severity(Severity::Info) } else { f }
    };
    if let Some(nc) = module.create_options.object().and_then(|o| o.get("NetworkingConfig")) {
        let host_endpoint = nc.pointer("/EndpointsConfig/host").is_some();
        let mut message = format!("`NetworkingConfig` {} is ignored on Kubernetes", short(nc));
        if host_endpoint && network_mode(module).and_then(Value::as_str) != Some("host") {
            message.push_str("; to use the host network, set `HostConfig.NetworkMode: host`");
        }
        out.push(remove("/NetworkingConfig", message, is_empty(nc)));
    }
    let Some(hc) = module.create_options.host_config() else { return out };
    if let Some(mode) = hc.get("NetworkMode") {
        match mode.as_str() {
            Some("host" | "default" | "bridge") => {}
            Some(m) if contains_placeholder(m) => out.push(
                Finding::new(
                    &RULE,
                    Some(module),
                    module.co_path("/HostConfig/NetworkMode"),
                    format!("`NetworkMode: {m}` is filled in at deploy time: on Kubernetes only `host` has an effect"),
                )
                .severity(Severity::Info),
            ),
            Some(m) if m.trim().eq_ignore_ascii_case("host") => {
                let path = module.co_path("/HostConfig/NetworkMode");
                out.push(
                    Finding::new(
                        &RULE,
                        Some(module),
                        path.clone(),
                        format!("`NetworkMode: {m}` is host networking for the Kubernetes agent (it ignores case) but a user network named `{m}` for Docker"),
                    )
                    .suggest(Suggestion::new("write it as `host`", vec![Edit::Set { at: path, value: "host".into() }])),
                );
            }
            Some(m) if m.trim().is_empty() => {
                out.push(remove("/HostConfig/NetworkMode", "`NetworkMode` is empty".into(), true))
            }
            Some(m) => {
                let why = if m.starts_with("container:") {
                    "each module is its own pod on Kubernetes: reach the other module through its Service"
                } else if m == "none" {
                    "every pod gets the cluster network anyway"
                } else if m == "azure-iot-edge" {
                    "this is the IoT Edge Docker network; on Kubernetes modules reach each other through Services"
                } else {
                    "only `host` is translated; every other pod gets the cluster network"
                };
                out.push(remove(
                    "/HostConfig/NetworkMode",
                    format!("`NetworkMode: {m}` is ignored on Kubernetes: {why}"),
                    false,
                ));
            }
            None => out.push(remove(
                "/HostConfig/NetworkMode",
                format!("`NetworkMode` {} is not a string: ignored", short(mode)),
                false,
            )),
        }
    }
    for (key, why) in [
        ("ExtraHosts", "no /etc/hosts entries are added: reach those hosts by DNS name or IP address"),
        ("Dns", "pods use the cluster DNS"),
        ("DnsOptions", "pods use the cluster DNS"),
        ("DnsSearch", "pods use the cluster DNS"),
    ] {
        if let Some(v) = hc.get(key) {
            out.push(remove(
                &format!("/HostConfig/{key}"),
                format!("`{key}` {} is ignored on Kubernetes: {why}", short(v)),
                is_empty(v),
            ));
        }
    }
    out
}
