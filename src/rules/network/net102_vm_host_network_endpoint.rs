//! NET102 (VM): a host-network module without the `host` endpoint the 1.5/1.6 agent needs.

use super::vm;
use crate::manifest::Module;
use crate::rules::{Check, Context, Edit, Finding, FixAvailability, Rule, RuleDoc, Section, Severity, Suggestion, VM};
use serde_json::json;

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "NET102",
        section: Section::Network,
        severity: Severity::Error,
        fix: FixAvailability::Always,
        targets: VM,
        title: "Host network without the `host` endpoint",
        detects: "`HostConfig.NetworkMode: \"host\"` in a module whose `NetworkingConfig.EndpointsConfig` is absent, or names a network other than `host` (keys of `NetworkingConfig` and `EndpointsConfig` in any case, as Docker reads them).",
        why: "When `NetworkingConfig.EndpointsConfig` is absent, edgeAgent 1.5/1.6 attaches the module to the `azure-iot-edge` network (`CombinedEdgeletConfigProvider.InjectNetworkAliases`), and Docker cannot attach a container to the host network and a bridge at once, so the container fails to start. The maintainers' workaround is to name the host network as the module's only endpoint: `\"NetworkingConfig\": {\"EndpointsConfig\": {\"host\": {}}}` beside `\"HostConfig\": {\"NetworkMode\": \"host\"}` (Azure/iotedge#6742, #5935; VM-TARGET.md §3). A host-network module is not on the IoT Edge network: it cannot resolve `edgeHub` and reaches the hub through the ports edgeHub publishes on the VM (#6374, #63).",
        before: r#"{"HostConfig": {"NetworkMode": "host"}}"#,
        after: r#"{"HostConfig": {"NetworkMode": "host"}, "NetworkingConfig": {"EndpointsConfig": {"host": {}}}}"#,
        fix_safety: "Safe: the module stays on the host network, as it was on the FPGA device. Needs review when `EndpointsConfig` named other networks: they are dropped (Docker cannot join them beside the host network anyway).",
    },
    check: Check::Module(check),
};

fn check(_ctx: &Context, module: &Module) -> Vec<Finding> {
    if !vm::is_host_network(module) {
        return Vec::new();
    }
    let mode = super::ports::network_mode(module).expect("a host-network module has a network mode");
    let nc = vm::networking_config(module);
    let endpoints = vm::endpoints_config(module);
    let host = || json!({"host": {}});
    let (edit, others) = match (nc, &endpoints) {
        (None, _) => (
            Edit::Set {
                at: module.create_options_at(crate::manifest::Pointer::root().child("NetworkingConfig")),
                value: json!({"EndpointsConfig": host()}),
            },
            Vec::new(),
        ),
        (Some(nc), None) if nc.value.is_object() => {
            (Edit::Set { at: module.create_options_at(nc.at.child("EndpointsConfig")), value: host() }, Vec::new())
        }
        (Some(nc), None) => (
            Edit::Set { at: module.create_options_at(nc.at.clone()), value: json!({"EndpointsConfig": host()}) },
            Vec::new(),
        ),
        (Some(_), Some((value, at))) => {
            let names: Vec<String> = value.as_object().map(|o| o.keys().cloned().collect()).unwrap_or_default();
            if names.iter().any(|n| n == "host") && names.len() == 1 {
                return Vec::new();
            }
            let kept = value.get("host").cloned().unwrap_or_else(|| json!({}));
            let others: Vec<String> = names.into_iter().filter(|n| n != "host").collect();
            (Edit::Set { at: module.create_options_at(at.clone()), value: json!({"host": kept}) }, others)
        }
    };
    let mut message = format!(
        "module `{}` is on the host network (`{}: host`) without `NetworkingConfig.EndpointsConfig.host`: ",
        module.name, mode.key
    );
    if others.is_empty() {
        message.push_str("the agent attaches it to `azure-iot-edge` as well and the container fails to start");
    } else {
        let list = others.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ");
        message.push_str(&format!(
            "its endpoints name {list}, which Docker cannot join beside the host network: the container fails to start"
        ));
    }
    message.push_str("; it reaches edgeHub through the ports edgeHub publishes on the VM, not the name `edgeHub`");
    let suggestion = Suggestion::new("name `host` as the module's only network endpoint", vec![edit]);
    let finding = Finding::new(&RULE, Some(module), module.create_options_at(mode.at.clone()), message);
    vec![if others.is_empty() { finding.suggest(suggestion) } else { finding.suggest_review(suggestion) }]
}
