//! NET010: a host port ASE reserves for itself.

use super::ports::{self, RESERVED, bindings, free_host_port, used_host_ports};
use crate::manifest::Module;
use crate::manifest::pointer;
use crate::rules::{Check, Context, Edit, Finding, FixAvailability, K8S, Rule, RuleDoc, Section, Severity, Suggestion};
use serde_json::Value;

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "NET010",
        section: Section::Network,
        severity: Severity::Error,
        fix: FixAvailability::Sometimes,
        targets: K8S,
        title: "Host port reserved on Azure Stack Edge",
        detects: "A `PortBindings` mapping with `HostPort` 31000 or 31001.",
        why: "Azure Stack Edge uses host port 31000 for the Kubernetes dashboard and 31001 for its local container registry. A module Service on the same port conflicts with them: the module or the device service becomes unreachable.",
        before: r#"{"HostConfig": {"PortBindings": {"8080/tcp": [{"HostPort": "31000"}]}}}"#,
        after: r#"{"HostConfig": {"PortBindings": {"8080/tcp": [{"HostPort": "8080"}]}}}"#,
        fix_safety: "Confirm the new port, and update the clients that used the old one (other modules' addresses are checked by NET008). The proposal is the container port when it is free, else none.",
    },
    check: Check::Module(check),
};

fn check(_ctx: &Context, module: &Module) -> Vec<Finding> {
    // NET003's fix rewrites all bindings of a module that mixes protocols; keys without a protocol
    // are skipped by the agent until NET002 renames them.
    if ports::mixes_protocols(module) {
        return Vec::new();
    }
    let used = used_host_ports(module);
    let mut out = Vec::new();
    for b in bindings(module).iter().filter(|b| b.protocol.is_some() && !b.is_placeholder()) {
        for (i, h) in b.host_ports().iter().enumerate() {
            let Some(host) = h.number() else { continue };
            let Some((_, what)) = RESERVED.iter().find(|(p, _)| *p == host) else { continue };
            let Some(key) = ports::host_port_key(&b.mappings()[i]) else { continue };
            let rel = pointer::join(&b.mapping_rel(i), key);
            let proposal = b.port.filter(|p| free_host_port(*p, &used) == Some(*p));
            out.push(
                Finding::new(
                    &RULE,
                    Some(module),
                    module.co_path(&rel),
                    format!("port binding `{}` uses host port {host}, reserved on Azure Stack Edge for {what}", b.key),
                )
                .suggest_review(
                    Suggestion::new(
                        match proposal {
                            Some(p) => format!("bind `{}` to host port {p} instead", b.key),
                            None => format!("bind `{}` to another host port", b.key),
                        },
                        vec![Edit::Set {
                            at: module.co_path(&rel),
                            value: Value::String(proposal.unwrap_or(host).to_string()),
                        }],
                    )
                    .with_input("host port", 0, "", proposal.map(|p| Value::String(p.to_string()))),
                ),
            );
        }
    }
    out
}
