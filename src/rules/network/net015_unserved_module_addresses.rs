//! NET015 (TRAPS.md NEW-2): a module reached by name on a port its Service does not answer on, or
//! that has no Service at all.

use super::addresses::Text;
use super::ports::{self, canonical_key, groups, mapping, taken};
use crate::manifest::{Module, Pointer};
use crate::rules::shared::k8s;
use crate::rules::{Check, Context, Edit, Finding, FixAvailability, K8S, Rule, RuleDoc, Section, Severity, Suggestion};
use serde_json::{Value, json};

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "NET015",
        section: Section::Network,
        severity: Severity::Error,
        fix: FixAvailability::Sometimes,
        targets: K8S,
        title: "Module reached on a port its Service does not have",
        detects: "TRAPS.md NEW-2. `<module>:<port>` in an `env` value, a createOptions `Env` value, a `Cmd` or `Entrypoint` argument, a module twin's desired properties or a route, where `<module>` is a custom module of the deployment (any case) that is not on the host network and has neither a Service port of that number nor a binding of that container port (NET008 and NET002 handle those): no `PortBindings` or `ExposedPorts` at all (no Service, so no DNS name), or not that port. One finding per module and port, listing who reaches it.",
        why: "On Docker every module is on the IoT Edge network under its own name and answers on every port it listens on, ports declared or not. The Kubernetes agent creates a module's Service, and with it the name `<module>`, only from its `PortBindings` and `ExposedPorts` (`KubernetesServiceMapper`), and the Service answers only on those ports: a module that others call must declare the port. The Azure Video Analyzer and Live Video Analytics \"deploy on Azure Stack Edge\" articles say so (\"For Module discovery on Azure Stack Edge it is required that the module have the host port binding in createOptions\"; modules are \"addressable over `moduleName:hostport`\"), as does microsoft/iotedge-k8s-doc `bp/network/modulecomms.md`.",
        before: r#"{"env": {"RTSP_URL": {"value": "rtsp://rtspsim:554/media/camera-300s.mkv"}}, "rtspsim": {"createOptions": {}}}"#,
        after: r#"{"rtspsim": {"createOptions": {"HostConfig": {"PortBindings": {"554/tcp": [{"HostPort": "554"}]}}, "k8s-experimental": {"serviceOptions": {"type": "ClusterIP"}}}}}"#,
        fix_safety: "Needs review: the port the module listens on is read from its callers' addresses. It is bound with host port = container port, so the callers' addresses work as written. When the module had no binding, the first one comes with `serviceOptions.type: ClusterIP`, which keeps it reachable from modules only, as on Docker (make it a LoadBalancer if clients outside the device call it too); when it had no port at all, also with the Recreate update strategy the guide advises for modules with ports (OTH001), so that one accept leaves nothing for the next run. A number the module already binds for another container port is left to you.",
    },
    check: Check::Manifest(check),
};

/// One port of a module that callers reach and its Service lacks.
struct Unserved<'a, 'b> {
    target: &'a Module,
    port: u16,
    callers: Vec<&'b Text<'a>>,
}

fn check(ctx: &Context) -> Vec<Finding> {
    let addresses = ctx.addresses();
    let mut found: Vec<Unserved<'_, '_>> = Vec::new();
    for (t, list) in addresses.texts.iter().zip(&addresses.found) {
        for a in list {
            let target = a.target;
            if target.system || ports::is_host_network(target) || !unserved(ctx, target, a.port) {
                continue;
            }
            match found.iter_mut().find(|u| u.target.name == target.name && u.port == a.port) {
                Some(u) if !u.callers.iter().any(|c| std::ptr::eq(*c, t)) => u.callers.push(t),
                Some(_) => {}
                None => found.push(Unserved { target, port: a.port, callers: vec![t] }),
            }
        }
    }
    found.iter().map(|u| finding(ctx, u)).collect()
}

/// The target's Service has no port `port` and no binding of that container port exists (NET008
/// rewrites callers of a remapped binding, NET002 binds an unbound one). Placeholders in its port
/// keys or host ports may hold the port: then nothing is said.
fn unserved(ctx: &Context, target: &Module, port: u16) -> bool {
    if ports::service(target, ctx.device).is_some_and(|s| s.port(port).is_some()) {
        return false;
    }
    let placeholder = target.port_bindings().iter().any(|b| !ports::is_read(&b.port))
        || target.exposed_ports().iter().any(|e| !ports::is_read(e))
        || groups(target).iter().any(|g| g.has_placeholder());
    !placeholder && !groups(target).iter().any(|g| g.port == port)
}

fn finding(ctx: &Context, u: &Unserved<'_, '_>) -> Finding {
    let m = u.target;
    let port = u.port;
    let key = canonical_key(port, "tcp");
    let at = ports::port_bindings_at(m);
    let location = m.create_options_at(at.as_ref().map_or_else(Pointer::root, |a| a.child(&key)));
    let callers = u
        .callers
        .iter()
        .map(|t| format!("{} of `{}`", t.what(), t.owner.map_or("$edgeHub", |o| o.name.as_str())))
        .collect::<Vec<_>>()
        .join(", ");
    let service = ports::service(m, ctx.device);
    let mut message = match &service {
        None => format!(
            "`{}:{port}` is reached by {callers}, but `{}` has no port binding or exposed port: the agent makes no Service for it, so its name does not resolve on Kubernetes",
            m.name.to_ascii_lowercase(),
            m.name
        ),
        Some(s) => format!(
            "`{}:{port}` is reached by {callers}, but the Service of `{}` answers only on {}: nothing answers on {port}",
            m.name.to_ascii_lowercase(),
            m.name,
            s.ports.iter().map(|p| p.port.to_string()).collect::<Vec<_>>().join(", ")
        ),
    };
    let finding = |message: String| Finding::new(&RULE, Some(m), location.clone(), message);
    let Some(at) = at else {
        message.push_str(" (`HostConfig.PortBindings` is not an object: bind the port by hand)");
        return finding(message);
    };
    if taken(m).get(&port).is_some_and(|t| *t != port) {
        message.push_str(&format!(
            " (host port {port} already forwards to another container port: bind container port {port} by hand)"
        ));
        return finding(message);
    }
    let mut edits =
        vec![Edit::Set { at: m.create_options_at(at.child(&key)), value: Value::Array(vec![mapping(port)]) }];
    let first = !m.port_bindings().iter().any(|b| ports::is_read(&b.port))
        && ports::explicit_service_type(m, ctx.device).is_none();
    let type_at = k8s::rel(m, &["serviceOptions", "type"]).filter(|_| ctx.device.k8s_extensions);
    let summary = match (first, type_at) {
        (true, Some(type_at)) => {
            edits.push(Edit::Set { at: m.create_options_at(type_at), value: Value::String("ClusterIP".into()) });
            // Its first port: the update strategy the guide advises for modules with ports (OTH001)
            // comes with it, so that one accept leaves nothing for the next run.
            let recreate = match first_port_strategy(m) {
                Some(at) => {
                    edits.push(Edit::Set { at: m.create_options_at(at), value: json!({"type": "Recreate"}) });
                    " and the Recreate update strategy"
                }
                None => "",
            };
            format!(
                "bind `{key}` to host port {port}, with Service type ClusterIP{recreate}: modules reach it, nothing outside the device does (as on Docker)"
            )
        }
        (true, None) => format!(
            "bind `{key}` to host port {port}: the module's Service becomes a {} reachable from outside the device",
            ctx.device.service_type.name()
        ),
        (false, _) => format!("bind `{key}` to host port {port}"),
    };
    finding(message).suggest_review(Suggestion::new(summary, edits))
}

/// Where the Recreate strategy goes when the binding is the module's first port and it holds
/// nothing else OTH001 asks the strategy for (a volume, a device, the host network, resources),
/// and has no strategy in any spelling of the section: then only this fix makes OTH001 speak.
fn first_port_strategy(m: &Module) -> Option<Pointer> {
    let holds_nothing = m.exposed_ports().is_empty()
        && k8s::agent(m).is_none_or(|s| s.resources.is_none())
        && m.host_config().is_none_or(|h| {
            h.binds.is_none()
                && h.mounts.is_none()
                && h.network_mode.is_none()
                && h.devices.is_none()
                && h.device_requests.is_none()
                && h.runtime.is_none()
        });
    let any_strategy = k8s::sections_any_spelling(m)
        .iter()
        .any(|s| crate::manifest::model::lookup(s.value, &Pointer::root(), &["strategy"]).is_some());
    if !holds_nothing || any_strategy {
        return None;
    }
    k8s::rel(m, &["strategy"])
}
