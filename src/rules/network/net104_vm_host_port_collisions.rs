//! NET104 (VM): two modules publish the same host port on the one Docker host of the VM.

use super::vm::{self, Plan, Purpose};
use crate::rules::{
    Check, Context, Edit, Finding, FixAvailability, PortPlace, Rule, RuleDoc, Section, Severity, Suggestion, VM,
};

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "NET104",
        section: Section::Network,
        severity: Severity::Error,
        fix: FixAvailability::Sometimes,
        targets: VM,
        title: "Host port published twice on the VM",
        detects: "A host port and protocol that a module publishes in `PortBindings` when an earlier module (edgeHub before any custom module, then manifest order) already publishes it, or the module itself already publishes it for another container port, on an overlapping address: the same `HostIp`, or either of them on every address (no `HostIp`, `0.0.0.0`, `::`). The same host port twice for one container port (Docker's IPv4 + IPv6 pair) is fine. Modules on the host network publish nothing (Docker discards their bindings). One finding per module, container port and host port.",
        why: "All modules of the VM run on one Docker host, which can publish each host port and protocol once: the second container fails to start with \"port is already allocated\" (VM-TARGET.md §7, NET104). On the managed Kubernetes runtime every module's Service has its own external IP, so manifests written for it often publish the same port (80, 443) on several modules, and a module there can even take edgeHub's 443, 5671 or 8883.",
        before: r#"{"edgeHub": {"PortBindings": {"443/tcp": [{"HostPort": "443"}]}}, "web": {"PortBindings": {"443/tcp": [{"HostPort": "443"}]}}}"#,
        after: r#"{"edgeHub": {"PortBindings": {"443/tcp": [{"HostPort": "443"}]}}, "web": {"PortBindings": {"443/tcp": [{"HostPort": "444"}]}}}"#,
        fix_safety: "Needs review: the later binding moves to the next host port that no module of the VM publishes (you may type another); clients outside the VM must use the new number. Modules of the deployment still reach it at `<module>:<container port>`, which does not change.",
    },
    check: Check::Manifest(check),
};

fn check(ctx: &Context) -> Vec<Finding> {
    let collisions = vm::collisions(ctx);
    if collisions.is_empty() {
        return Vec::new();
    }
    let plan = Plan::of(ctx);
    collisions
        .iter()
        .map(|c| {
            let p = c.first();
            let m = p.module;
            let by = if c.with.name == m.name {
                format!("its own `{}` already publishes", c.with_key)
            } else {
                format!("`{}` already publishes", c.with.name)
            };
            let finding = Finding::new(
                &RULE,
                Some(m),
                m.create_options_at(p.at.clone()),
                format!(
                    "port binding `{}` publishes host port {}/{}, which {by}: one Docker host allocates each port once, so `{}` fails to start",
                    p.key, p.host_port, p.protocol, m.name
                ),
            );
            let Some(new) = plan.get(Purpose::Collision, m, &p.at) else { return finding };
            let edits: Vec<Edit> = c
                .mappings
                .iter()
                .map(|x| Edit::Set { at: m.create_options_at(x.host_port_at.clone()), value: new.to_string().into() })
                .collect();
            let places = (0..edits.len()).map(|edit| PortPlace { edit, suffix: String::new() }).collect();
            finding.suggest(
                Suggestion::new(
                    format!("publish `{}` on host port {new} instead (the next one no module publishes)", p.key),
                    edits,
                )
                .with_port_input("host port", places, Vec::new(), new),
            )
        })
        .collect()
}
