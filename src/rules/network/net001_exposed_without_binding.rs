//! NET001: an exposed port with no host port binding.

use super::ports::{self, bindings, exposed_ports, free_host_port, is_host_network, mapping, used_host_ports};
use crate::manifest::Module;
use crate::manifest::pointer;
use crate::rules::{Check, Context, Edit, Finding, FixAvailability, K8S, Rule, RuleDoc, Section, Severity, Suggestion};
use serde_json::Value;

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "NET001",
        section: Section::Network,
        severity: Severity::Warning,
        fix: FixAvailability::Sometimes,
        targets: K8S,
        title: "Exposed port without a host port binding",
        detects: "An `ExposedPorts` port (`\"8080/tcp\": {}`) with no `HostConfig.PortBindings` entry for the same port and protocol, in a module that is not on the host network.",
        why: "On the GPU device a module is reached through its Kubernetes Service, and the guide requires a `HostPort` for the port to be exposed inside and outside the cluster and for module-to-module traffic. An exposed port alone only makes a cluster-internal Service port; with a binding, the Service listens on the `HostPort` (and, as a LoadBalancer, on an external IP: see NET007). On the host network no binding is needed.",
        before: r#"{"ExposedPorts": {"8080/tcp": {}}}"#,
        after: r#"{"ExposedPorts": {"8080/tcp": {}}, "HostConfig": {"PortBindings": {"8080/tcp": [{"HostPort": "8080"}]}}}"#,
        fix_safety: "Safe: the host port is the container port, so clients keep using the same number. When that number is already bound to another port of the module, the next free one is proposed for you to confirm. The module's Service becomes a LoadBalancer and takes an external IP, unless you keep it cluster-only (NET007).",
    },
    check: Check::Module(check),
};

fn check(_ctx: &Context, module: &Module) -> Vec<Finding> {
    if is_host_network(module) || ports::mixes_protocols(module) {
        return Vec::new();
    }
    let writable = ports::port_bindings_writable(module);
    let bound: Vec<(u16, String)> =
        bindings(module).iter().filter_map(|b| Some((b.port?, b.proto().to_owned()))).collect();
    let mut used = used_host_ports(module);
    exposed_ports(module)
        .into_iter()
        .filter_map(|e| {
            let port = e.port.filter(|_| ports::known_protocol(&e.protocol))?;
            if bound.contains(&(port, e.protocol.clone())) {
                return None;
            }
            let key = format!("{port}/{}", e.protocol);
            let host = free_host_port(port, &used)?;
            used.insert(host);
            let path = module.co_path(pointer::from_tokens("", ["ExposedPorts", e.key]));
            let edit = Edit::Set {
                at: module.co_path(pointer::from_tokens("", ["HostConfig", "PortBindings", &key])),
                value: Value::Array(vec![mapping(host)]),
            };
            let finding = Finding::new(
                &RULE,
                Some(module),
                path,
                format!("exposed port `{}` has no `PortBindings` entry, so it gets no host port", e.key),
            );
            Some(if !writable {
                let mut f = finding;
                f.message.push_str(" (`HostConfig.PortBindings` is not an object: add the binding by hand)");
                f
            } else if host == port {
                finding.suggest(Suggestion::new(format!("bind `{key}` to host port {host}"), vec![edit]))
            } else {
                finding.suggest_review(
                    Suggestion::new(
                        format!("bind `{key}` to host port {host} (port {port} is taken, reserved, or the proxy's)"),
                        vec![edit],
                    )
                    .with_input("host port", 0, "/0/HostPort", Some(host.to_string().into())),
                )
            })
        })
        .collect()
}
