//! NET005: a module on the host network (works; advice only).

use super::ports::{is_host_network, network_mode};
use crate::manifest::Module;
use crate::rules::{Check, Context, Finding, FixAvailability, K8S, Rule, RuleDoc, Section, Severity};

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "NET005",
        section: Section::Network,
        severity: Severity::Info,
        fix: FixAvailability::Never,
        targets: K8S,
        title: "Module on the host network",
        detects: "`HostConfig.NetworkMode: \"host\"` (the Kubernetes agent compares it case-insensitively, so `Host` counts too; NET011 fixes that spelling for Docker).",
        why: "This works on the GPU device: the agent runs the pod with `hostNetwork: true` and sets `dnsPolicy: ClusterFirstWithHostNet` itself, so the module still resolves other modules' Services. Other modules, edgeHub included, need not be on the host network. Only one module can be (NET006), and the module's ports are the node's ports: they need no bindings.",
        before: r#"{"HostConfig": {"NetworkMode": "host"}}"#,
        after: r#"{"HostConfig": {"NetworkMode": "host"}}"#,
        fix_safety: "Nothing to change.",
    },
    check: Check::Module(check),
};

fn check(_ctx: &Context, module: &Module) -> Vec<Finding> {
    let Some(mode) = network_mode(module).filter(|_| is_host_network(module)) else {
        return Vec::new();
    };
    vec![Finding::new(
        &RULE,
        Some(module),
        module.create_options_at(mode.at.clone()),
        format!(
            "module `{}` uses the host network (`{}: {}`): the agent adds `dnsPolicy: ClusterFirstWithHostNet`, other modules need not follow",
            module.name,
            mode.key,
            mode.shown()
        ),
    )]
}
