//! NET006: more than one module on the host network.

use super::ports::{is_host_network, network_mode};
use crate::rules::{Check, Context, Finding, FixAvailability, K8S, Rule, RuleDoc, Section, Severity};

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "NET006",
        section: Section::Network,
        severity: Severity::Error,
        fix: FixAvailability::Never,
        targets: K8S,
        title: "More than one module on the host network",
        detects: "Two or more modules (edgeAgent aside: the device starts it itself) with `HostConfig.NetworkMode: \"host\"` (any case, as the agent reads it). One finding per such module.",
        why: "Every module pod has an IoT Edge proxy side-car listening on ports 35000 and 35001. On the host network those are the node's ports, so the second host-network pod cannot start its side-car and stays in CrashLoopBackOff. Only one module can use the host network; the others must use their Service (`<module name>:<HostPort>`).",
        before: r#"{"modules": {"a": {"createOptions": {"HostConfig": {"NetworkMode": "host"}}}, "b": {"createOptions": {"HostConfig": {"NetworkMode": "host"}}}}}"#,
        after: r#"{"modules": {"a": {"createOptions": {"HostConfig": {"NetworkMode": "host"}}}, "b": {"createOptions": {"ExposedPorts": {"8080/tcp": {}}, "HostConfig": {"PortBindings": {"8080/tcp": [{"HostPort": "8080"}]}}}}}}"#,
        fix_safety: "Manual: choose the one module that really needs the host network (raw sockets, multicast, device discovery); give the others port bindings for what they serve.",
    },
    check: Check::Manifest(check),
};

fn check(ctx: &Context) -> Vec<Finding> {
    let on_host: Vec<_> =
        ctx.manifest.modules.iter().filter(|m| !(m.system && m.name == "edgeAgent") && is_host_network(m)).collect();
    if on_host.len() < 2 {
        return Vec::new();
    }
    let names = on_host.iter().map(|m| format!("`{}`", m.name)).collect::<Vec<_>>().join(", ");
    on_host
        .iter()
        .filter_map(|m| {
            let mode = network_mode(m)?;
            Some(Finding::new(
                &RULE,
                Some(m),
                m.create_options_at(mode.at.clone()),
                format!(
                    "module `{}` is one of {} modules on the host network ({names}): only one can run, each pod's proxy side-car binds ports 35000/35001 on the node",
                    m.name,
                    on_host.len()
                ),
            ))
        })
        .collect()
}
