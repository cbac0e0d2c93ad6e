//! OTH014 (TRAPS NEW-15): `k8s-experimental.nodeSelector` labels the device's node does not have.

use super::deployed_by_device;
use crate::manifest::Module;
use crate::manifest::model::shown;
use crate::manifest::placeholder::contains_placeholder;
use crate::rules::shared::k8s;
use crate::rules::{Check, Context, Edit, Finding, FixAvailability, K8S, Rule, RuleDoc, Section, Severity, Suggestion};

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "OTH014",
        section: Section::Other,
        severity: Severity::Warning,
        fix: FixAvailability::Sometimes,
        targets: K8S,
        title: "nodeSelector label the device's Kubernetes node does not have",
        detects: "A key of `k8s-experimental.nodeSelector` that is not one of the labels every Kubernetes node has (`kubernetes.io/hostname`, `kubernetes.io/os`, `kubernetes.io/arch` and their deprecated `beta.kubernetes.io/` forms), and `os`/`arch` selectors whose value the device's node does not have (it is `linux`/`amd64`). A key or value holding a placeholder is reported as filled in at deploy time; edgeAgent is left out (the device deploys it). (TRAPS.md NEW-15.)",
        why: "The agent copies `nodeSelector` onto the pod, and Kubernetes places the pod only on a node carrying every selected label. On Azure Stack Edge \"users do not have access to set labels on the Nodes\" (Azure Video Analyzer on Azure Stack Edge), and the device's one worker node is a Linux amd64 VM: a pod selecting any other label stays Pending, and the module never starts. On the FPGA device the Docker agent ignored the whole section.",
        before: r#"{"k8s-experimental": {"nodeSelector": {"accelerator": "fpga", "kubernetes.io/os": "linux"}}}"#,
        after: r#"{"k8s-experimental": {"nodeSelector": {"kubernetes.io/os": "linux"}}}"#,
        fix_safety: "Removing a label the node cannot have is safe: the label cannot be set on the device, and the device has one worker node, so removing the selector only lets the pod be placed; on the FPGA device the section was ignored anyway. Removing an `os`/`arch` selector that names another platform needs review: the pod is then placed, but an image built for that platform does not run on the device. A selector holding a placeholder is removed only after review.",
    },
    check: Check::Module(check),
};

/// Labels the kubelet puts on every node.
const BUILT_IN: &[&str] = &[
    "kubernetes.io/hostname",
    "kubernetes.io/os",
    "kubernetes.io/arch",
    "beta.kubernetes.io/os",
    "beta.kubernetes.io/arch",
];

/// The value the device's node has for a label, where it is known.
fn node_value(label: &str) -> Option<&'static str> {
    match label {
        "kubernetes.io/os" | "beta.kubernetes.io/os" => Some("linux"),
        "kubernetes.io/arch" | "beta.kubernetes.io/arch" => Some("amd64"),
        _ => None,
    }
}

fn check(_ctx: &Context, module: &Module) -> Vec<Finding> {
    if deployed_by_device(module) {
        return Vec::new();
    }
    let Some(selector) = k8s::agent(module).and_then(|s| s.node_selector.as_ref()) else { return Vec::new() };
    let Some(labels) = selector.value.as_object() else { return Vec::new() };
    let mut out = Vec::new();
    for (label, value) in labels {
        let at = module.create_options_at(selector.at.child(label));
        let value_text = shown(value);
        let finding = |message: String| Finding::new(&RULE, Some(module), at.clone(), message);
        let remove = |why: &str| {
            Suggestion::new(format!("remove the selector `{label}`{why}"), vec![Edit::Remove { at: at.clone() }])
        };
        if contains_placeholder(label) {
            out.push(
                finding(format!(
                    "nodeSelector label `{label}` is a placeholder, filled in at deploy time: the pod is placed only if the device's node has the label it becomes, and users cannot label the node"
                ))
                .severity(Severity::Info),
            );
            continue;
        }
        if !BUILT_IN.contains(&label.as_str()) {
            let f = finding(format!(
                "nodeSelector `{label}: {value_text}` selects a label the device's node does not have, and users cannot set node labels on Azure Stack Edge: the pod stays Pending"
            ));
            out.push(if contains_placeholder(&value_text) {
                f.suggest_review(remove(&format!(" and the placeholder it holds (`{value_text}`)")))
            } else {
                f.suggest(remove(""))
            });
            continue;
        }
        let Some(has) = node_value(label) else { continue };
        if contains_placeholder(&value_text) {
            out.push(
                finding(format!(
                    "nodeSelector `{label}` is the placeholder `{value_text}`, filled in at deploy time: the device's node is `{has}`, and any other value keeps the pod Pending"
                ))
                .severity(Severity::Info),
            );
        } else if value.as_str() != Some(has) {
            out.push(
                finding(format!(
                    "nodeSelector `{label}: {value_text}` does not match the device's node, which is `{has}`: the pod stays Pending (an image built for `{value_text}` would not run there either)"
                ))
                .suggest_review(remove("")),
            );
        }
    }
    out
}
