//! OTH016 (TRAPS NEW-17): `Hostname`, ignored on Kubernetes, where the pod's host name changes.

use super::deployed_by_device;
use crate::manifest::Module;
use crate::manifest::model::is_unset;
use crate::rules::shared::names::k8s_name;
use crate::rules::{Check, Context, Finding, FixAvailability, K8S, Rule, RuleDoc, Section, Severity};

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "OTH016",
        section: Section::Other,
        severity: Severity::Warning,
        fix: FixAvailability::Never,
        targets: K8S,
        title: "Hostname is ignored: the pod's host name changes at every restart",
        detects: "A top-level `Hostname` in createOptions (any case), unless empty. A placeholder is reported as filled in at deploy time. edgeAgent is left out (the device deploys it). (TRAPS.md NEW-17; OTH006 leaves `Hostname` to this rule.)",
        why: "The Kubernetes agent does not translate `Hostname`: the container's host name is the pod's name, `<module>-<hash>-<random>`, a new one each time the pod is recreated (every update, every restart of the node). Applications that derive their identity from the host name get a new identity each time: OPC Publisher \"uses the hostname of the machine it's running on for certificate and endpoint generation\" (its documentation), and its samples set `\"Hostname\": \"publisher\"` for that reason. Other modules are not affected: they reach this one by its Service name, the lower-cased module name.",
        before: r#"{"Hostname": "publisher", "Cmd": ["--pf=/appdata/pn.json"]}"#,
        after: r#"{"Cmd": ["--pf=/appdata/pn.json"]}"#,
        fix_safety: "No automatic fix: removing the key changes nothing on the GPU device. Decide whether the application derives anything from its host name; if it does, give it a stable identity by its own options (its application name or URI), keep its certificate store on a share volume so it survives pod restarts, and then remove `Hostname`.",
    },
    check: Check::Module(check),
};

fn check(_ctx: &Context, module: &Module) -> Vec<Finding> {
    let Some(c) = module.container().filter(|_| !deployed_by_device(module)) else { return Vec::new() };
    let Some(o) = c.other.iter().find(|o| o.docker == Some("Hostname") && !is_unset(&o.field.value)) else {
        return Vec::new();
    };
    let at = module.create_options_at(o.field.at.clone());
    let pod = k8s_name(&module.name);
    let written = match o.field.placeholder() {
        Some(p) => {
            format!("`{}` is the placeholder `{p}`, filled in at deploy time, and whatever it becomes it", o.field.key)
        }
        None => format!("`{}` `{}`", o.field.key, o.field.shown()),
    };
    vec![Finding::new(
        &RULE,
        Some(module),
        at,
        format!(
            "{written} is ignored on the GPU device: the container's host name is the pod's name (`{pod}-<hash>-<random>`), new each time the pod is recreated, so an application that takes its identity from the host name (OPC Publisher's certificates and endpoints) gets a new one after every restart; other modules still reach this one as `{pod}`"
        ),
    )]
}
