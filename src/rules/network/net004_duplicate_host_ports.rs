//! NET004: port bindings that collide in the module's Service: one container port on several host
//! ports (duplicate port names), or one host port for several container ports (one number).

use super::ports::{self, Plan, Purpose, collisions, groups};
use crate::manifest::Module;
use crate::manifest::model::HostPort;
use crate::rules::{Check, Context, Edit, Finding, FixAvailability, K8S, Rule, RuleDoc, Section, Severity, Suggestion};

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "NET004",
        section: Section::Network,
        severity: Severity::Error,
        fix: FixAvailability::Sometimes,
        targets: K8S,
        title: "Port bindings that collide in the module's Service",
        detects: "A container port and protocol (`80/tcp`) bound to two or more different host ports, in one `PortBindings` entry or in several keys that mean the same port (`80`, `80/tcp`, `80/TCP`); or one host port bound for two container ports. The same host port written twice for one container port (Docker's IPv4 + IPv6 pair) is fine.",
        why: "The Kubernetes agent names each Service port `hostport-<container port>-<protocol>`, so two host ports for one container port give the Service two ports with the same name, and Kubernetes rejects the Service: the module gets no Service at all. It also keys the Service's ports by number, so of two container ports on one host port only the last is kept and the other is silently unreachable (Docker refused to start such a container).",
        before: r#"{"HostConfig": {"PortBindings": {"80/tcp": [{"HostPort": "80"}, {"HostPort": "8080"}]}}}"#,
        after: r#"{"HostConfig": {"PortBindings": {"80/tcp": [{"HostPort": "80"}]}}}"#,
        fix_safety: "Needs review either way: on Docker every one of those host ports answered, on Kubernetes only one can. Duplicate names: the first host port is kept (the one clients most likely use); clients of the dropped ones must use it (module-to-module addresses are checked by NET008). A shared host port: the later binding moves to the next free host port.",
    },
    check: Check::Module(check),
};

fn check(ctx: &Context, module: &Module) -> Vec<Finding> {
    if ports::mixes_protocols(module, ctx.device) {
        return Vec::new();
    }
    let groups = groups(module);
    let mut out = Vec::new();
    // One container port on several host ports. A placeholder host port cannot be compared.
    for g in groups.iter().filter(|g| !g.has_placeholder()) {
        let hosts = g.host_ports();
        let [kept, ..] = hosts[..] else { continue };
        if hosts.len() < 2 {
            continue;
        }
        let drop: Vec<_> = g
            .bindings
            .iter()
            .flat_map(|b| b.mappings.iter().flatten())
            .filter(|m| matches!(m.host_port(), HostPort::Port(h) if h != kept))
            .collect();
        let others: Vec<String> = hosts[1..].iter().map(u16::to_string).collect();
        out.push(
            Finding::new(
                &RULE,
                Some(module),
                module.create_options_at(drop[0].at.clone()),
                format!(
                    "container port {}/{} is bound to host ports {kept} and {}: the Service would get two ports named `hostport-{}-{}` and Kubernetes rejects it",
                    g.port,
                    g.protocol,
                    others.join(", "),
                    g.port,
                    g.protocol
                ),
            )
            .suggest_review(Suggestion::new(
                format!("keep host port {kept}, drop {}", others.join(", ")),
                drop.iter().map(|m| Edit::Remove { at: module.create_options_at(m.at.clone()) }).collect(),
            )),
        );
    }
    // One host port for several container ports.
    let collisions = collisions(&groups);
    if collisions.is_empty() {
        return out;
    }
    let plan = Plan::of(module, ctx.device);
    for c in collisions {
        let finding = Finding::new(
            &RULE,
            Some(module),
            module.create_options_at(c.mappings[0].clone()),
            format!(
                "port binding `{}` uses host port {}, which `{}` binds too: the agent keeps one Service port per number, so one of the two container ports is unreachable",
                c.group.key(),
                c.host,
                c.with
            ),
        );
        let Some(new) = plan.get(Purpose::Rebind, &c.mappings[0]) else {
            out.push(finding);
            continue;
        };
        let maps =
            c.group.bindings.iter().flat_map(|b| b.mappings.iter().flatten()).filter(|m| c.mappings.contains(&m.at));
        let edits = maps
            .map(|m| {
                let hp = m.host_port.as_ref().map_or_else(|| m.at.child("HostPort"), |f| f.at.clone());
                Edit::Set { at: module.create_options_at(hp), value: new.to_string().into() }
            })
            .collect();
        out.push(finding.suggest_review(Suggestion::new(
            format!("bind `{}` to host port {new} instead (the next free one)", c.group.key()),
            edits,
        )));
    }
    out
}
