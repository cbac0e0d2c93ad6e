//! NET010: a host port ASE reserves for itself.

use super::ports::{self, Plan, Purpose, RESERVED, is_read};
use crate::manifest::Module;
use crate::manifest::model::{HostPort, PortBinding};
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

fn check(ctx: &Context, module: &Module) -> Vec<Finding> {
    // NET003's fix rewrites all bindings of a module that mixes protocols.
    if ports::mixes_protocols(module, ctx.device) {
        return Vec::new();
    }
    let reserved = |b: &&PortBinding| b.host_ports().any(ports::is_reserved);
    if !module.port_bindings().iter().any(|b| reserved(&b)) {
        return Vec::new();
    }
    let plan = Plan::of(module, ctx.device);
    let mut out = Vec::new();
    for b in module.port_bindings().iter().filter(|b| is_read(&b.port)) {
        for m in b.mappings.iter().flatten() {
            let HostPort::Port(host) = m.host_port() else { continue };
            let Some((_, what)) = RESERVED.iter().find(|(p, _)| *p == host) else { continue };
            let Some(field) = &m.host_port else { continue };
            let proposal = plan.get(Purpose::Rebind, &m.at);
            out.push(
                Finding::new(
                    &RULE,
                    Some(module),
                    module.create_options_at(field.at.clone()),
                    format!(
                        "port binding `{}` uses host port {host}, reserved on Azure Stack Edge for {what}",
                        b.port.key
                    ),
                )
                .suggest_review(
                    Suggestion::new(
                        match proposal {
                            Some(p) => format!("bind `{}` to host port {p} instead", b.port.key),
                            None => format!("bind `{}` to another host port", b.port.key),
                        },
                        vec![Edit::Set {
                            at: module.create_options_at(field.at.clone()),
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
