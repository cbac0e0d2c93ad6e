//! NET011: network settings the Kubernetes agent ignores.

use super::ports::is_host_network;
use crate::manifest::Module;
use crate::manifest::model::{self, Field};
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
        fix_safety: "Safe for `NetworkingConfig` and `NetworkMode` (the agent ignores them, modules reach each other through Services) and for empty values. Needs review for `ExtraHosts` and the DNS settings with content: removing them changes nothing on Kubernetes, but the module relied on those names or servers; check it reaches them some other way (real DNS, or an IP address in its settings) before taking it.",
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

/// Why each ignored `HostConfig` key does not matter, by its Docker spelling.
const IGNORED: [(&str, &str); 4] = [
    ("ExtraHosts", "no /etc/hosts entries are added: reach those hosts by DNS name or IP address"),
    ("Dns", "pods use the cluster DNS"),
    ("DnsOptions", "pods use the cluster DNS"),
    ("DnsSearch", "pods use the cluster DNS"),
];

fn review(mut finding: Finding) -> Finding {
    finding.suggestion = finding.suggestion.map(Suggestion::review);
    finding
}

fn check(_ctx: &Context, module: &Module) -> Vec<Finding> {
    let mut out = Vec::new();
    let remove = |f: &Field, message: String, empty: bool| {
        let path = module.create_options_at(f.at.clone());
        let finding = Finding::new(&RULE, Some(module), path.clone(), message)
            .suggest(Suggestion::new(format!("remove `{}`", f.key), vec![Edit::Remove { at: path }]));
        if empty { finding.severity(Severity::Info) } else { finding }
    };
    let Some(container) = module.container() else { return out };
    if let Some(nc) = container.other.iter().find(|o| o.docker == Some("NetworkingConfig")).map(|o| &o.field) {
        let host_endpoint = model::lookup(&nc.value, &nc.at, &["EndpointsConfig", "host"]).is_some();
        let mut message = format!("`{}` {} is ignored on Kubernetes", nc.key, short(&nc.value));
        if host_endpoint && !is_host_network(module) {
            message.push_str("; to use the host network, set `HostConfig.NetworkMode: host`");
        }
        out.push(remove(nc, message, is_empty(&nc.value)));
    }
    let Some(hc) = module.host_config() else { return out };
    if let Some(mode) = &hc.network_mode {
        let key = &mode.key;
        match mode.text() {
            Some("host" | "default" | "bridge") => {}
            Some(m) if contains_placeholder(m) => out.push(
                Finding::new(
                    &RULE,
                    Some(module),
                    module.create_options_at(mode.at.clone()),
                    format!("`{key}: {m}` is filled in at deploy time: on Kubernetes only `host` has an effect"),
                )
                .severity(Severity::Info),
            ),
            Some(m) if m.trim().eq_ignore_ascii_case("host") => {
                let path = module.create_options_at(mode.at.clone());
                let agent = if m.eq_ignore_ascii_case("host") {
                    "host networking for the Kubernetes agent (it ignores case)"
                } else {
                    "not host networking for the Kubernetes agent either (it does not trim)"
                };
                out.push(
                    Finding::new(
                        &RULE,
                        Some(module),
                        path.clone(),
                        format!("`{key}: {m}` is {agent} but a user network named `{m}` for Docker"),
                    )
                    .suggest(Suggestion::new("write it as `host`", vec![Edit::Set { at: path, value: "host".into() }])),
                );
            }
            Some(m) if m.trim().is_empty() => out.push(remove(mode, format!("`{key}` is empty"), true)),
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
                out.push(remove(mode, format!("`{key}: {m}` is ignored on Kubernetes: {why}"), false));
            }
            None => out.push(remove(mode, format!("`{key}` {} is not a string: ignored", short(&mode.value)), false)),
        }
    }
    for (docker, why) in IGNORED {
        if let Some(f) = hc.other.iter().find(|o| o.docker == Some(docker)).map(|o| &o.field) {
            let empty = is_empty(&f.value);
            let finding = remove(f, format!("`{}` {} is ignored on Kubernetes: {why}", f.key, short(&f.value)), empty);
            // The module relied on these names or servers: taking the removal blindly would close
            // the only reminder of it.
            out.push(if empty { finding } else { review(finding) });
        }
    }
    out
}
