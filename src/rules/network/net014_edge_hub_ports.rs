//! NET014 (TRAPS.md NEW-1): edgeHub's Service does not answer on 8883, 5671 or 443, the ports
//! modules connect to at `edgehub`.

use super::ports::{self, canonical_key, groups, mapping, taken};
use super::vm::EDGE_HUB_PORTS;
use crate::manifest::Module;
use crate::rules::shared::k8s;
use crate::rules::{Check, Context, Edit, Finding, FixAvailability, K8S, Rule, RuleDoc, Section, Severity, Suggestion};
use serde_json::Value;

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "NET014",
        section: Section::Network,
        severity: Severity::Error,
        fix: FixAvailability::Sometimes,
        targets: K8S,
        title: "edgeHub's Service lacks the ports modules connect to",
        detects: "TRAPS.md NEW-1. edgeHub's Service, as the agent would make it from edgeHub's `PortBindings` and `ExposedPorts`, has no port 8883 (MQTT), 5671 (AMQP) or 443 (HTTPS and WebSockets) forwarding to the same container port. An error when it has none of them (or edgeHub has no ports at all, so no Service); a warning when only some are missing. A host port given by a placeholder counts as present.",
        why: "On Docker, modules reached edgeHub over the IoT Edge network on any port, bindings or not. The Kubernetes agent gives every module `IOTEDGE_GATEWAYHOSTNAME=edgehub` (`KubernetesDeploymentMapper`), and that name only exists as edgeHub's Service, which the agent creates only from edgeHub's ports and which answers only on them (`KubernetesServiceMapper`). Without the three ports, modules cannot connect over that protocol (the C# SDK's default is AMQP, the Python and C SDKs' MQTT, WebSockets go to 443). Evidence: the Azure Video Analyzer and Live Video Analytics \"deploy on Azure Stack Edge\" articles (\"For Module discovery on Azure Stack Edge it is required that the module have the host port binding in createOptions\") and microsoft/iotedge-k8s-doc `bp/network/modulecomms.md` (\"clients cannot access ports that are not defined in `PortBindings`\"); the 5671/8883 detail is read from the agent's code, not from a user report (TRAPS.md §4).",
        before: r#"{"edgeHub": {"createOptions": {}}}"#,
        after: r#"{"edgeHub": {"createOptions": {"HostConfig": {"PortBindings": {"8883/tcp": [{"HostPort": "8883"}], "5671/tcp": [{"HostPort": "5671"}], "443/tcp": [{"HostPort": "443"}]}}, "k8s-experimental": {"serviceOptions": {"type": "ClusterIP"}}}}}"#,
        fix_safety: "Safe. When edgeHub already has port bindings (its Service is already a LoadBalancer) the missing ports are added with host port = container port, as Microsoft's default edgeHub createOptions have them. When it has none, the bindings come with `serviceOptions.type: ClusterIP`, which keeps edgeHub reachable from modules only, as it was on the FPGA device; make it a LoadBalancer (an external IP, NET007) if leaf devices or clients outside the device are to connect. Without `k8s-experimental` (the profile's `k8s-extensions` off) that first binding makes edgeHub a LoadBalancer and needs review. A port already bound to another host port (NET013) or a host port another container port takes is left to you.",
    },
    check: Check::Module(check),
};

/// The protocol each port carries, for messages.
fn protocol(port: u16) -> &'static str {
    match port {
        8883 => "MQTT",
        5671 => "AMQP",
        _ => "HTTPS/WebSockets",
    }
}

fn check(ctx: &Context, module: &Module) -> Vec<Finding> {
    if !(module.system && module.name == "edgeHub") || module.container().is_none() {
        return Vec::new();
    }
    let service = ports::service(module, ctx.device);
    let groups = groups(module);
    let served = |port: u16| {
        service.as_ref().is_some_and(|s| s.port(port).is_some_and(|p| p.target == port))
            || groups.iter().any(|g| g.port == port && g.has_placeholder())
    };
    let missing: Vec<u16> = EDGE_HUB_PORTS.into_iter().filter(|p| !served(*p)).collect();
    if missing.is_empty() {
        return Vec::new();
    }
    let list = missing.iter().map(|p| format!("{p} ({})", protocol(*p))).collect::<Vec<_>>().join(", ");
    let none = missing.len() == EDGE_HUB_PORTS.len();
    let first_binding = !module.port_bindings().iter().any(|b| ports::is_read(&b.port));
    let at = ports::port_bindings_at(module);
    let location = module.create_options_at(at.clone().unwrap_or_default());
    let mut message = match &service {
        None => format!(
            "edgeHub has no port: the agent makes no `edgehub` Service, so modules (told `IOTEDGE_GATEWAYHOSTNAME=edgehub`) cannot connect to it on {list}"
        ),
        Some(_) => format!(
            "edgeHub's Service does not answer on {list}: modules (told `IOTEDGE_GATEWAYHOSTNAME=edgehub`) that use {} cannot connect",
            if missing.len() == 1 { "that protocol" } else { "those protocols" }
        ),
    };
    let finding = |message: String| {
        let f = Finding::new(&RULE, Some(module), location.clone(), message);
        if none { f } else { f.severity(Severity::Warning) }
    };
    let Some(at) = at else {
        message.push_str(" (`HostConfig.PortBindings` is not an object: add the bindings by hand)");
        return vec![finding(message)];
    };
    // Ports bound elsewhere (NET013 moves them) or whose number another container port binds are
    // left to the engineer.
    let used = taken(module);
    let (addable, by_hand): (Vec<u16>, Vec<u16>) =
        missing.iter().partition(|p| !groups.iter().any(|g| g.port == **p) && used.get(p).is_none_or(|t| *t == **p));
    if !by_hand.is_empty() {
        let list = by_hand.iter().map(u16::to_string).collect::<Vec<_>>().join(", ");
        message.push_str(&format!(
            " ({list}: bound to another host port, or the host port is another container port's: bind it by hand)"
        ));
    }
    if addable.is_empty() {
        return vec![finding(message)];
    }
    let mut edits: Vec<Edit> = addable
        .iter()
        .map(|p| Edit::Set {
            at: module.create_options_at(at.child(&canonical_key(*p, "tcp"))),
            value: Value::Array(vec![mapping(*p)]),
        })
        .collect();
    let keys = addable.iter().map(|p| format!("`{p}/tcp`")).collect::<Vec<_>>().join(", ");
    let to = match addable[..] {
        [one] => format!("host port {one}"),
        _ => "the same host ports".to_owned(),
    };
    // A first binding would make the Service the device's default type; ClusterIP keeps edgeHub
    // as reachable as it was on Docker: from modules only.
    let cluster_only = first_binding && ports::explicit_service_type(module, ctx.device).is_none();
    let type_at = k8s::rel(module, &["serviceOptions", "type"]).filter(|_| ctx.device.k8s_extensions);
    let suggestion = match (cluster_only, type_at) {
        (true, Some(type_at)) => {
            edits.push(Edit::Set { at: module.create_options_at(type_at), value: Value::String("ClusterIP".into()) });
            Suggestion::new(
                format!(
                    "bind {keys} to {to}, with Service type ClusterIP: modules reach edgeHub, nothing outside the device does (as on Docker without bindings)"
                ),
                edits,
            )
        }
        (true, None) => Suggestion::new(
            format!(
                "bind {keys} to {to}: edgeHub's Service becomes a {} reachable from outside the device",
                ctx.device.service_type.name()
            ),
            edits,
        )
        .review(),
        (false, _) => Suggestion::new(format!("bind {keys} to {to}"), edits),
    };
    vec![finding(message).suggest(suggestion)]
}
