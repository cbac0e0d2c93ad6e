//! OTH010: module `restartPolicy` and `imagePullPolicy`, which the Kubernetes agent does not map.

use super::deployed_by_device;
use crate::manifest::Module;
use crate::manifest::placeholder::contains_placeholder;
use crate::rules::{Check, Context, Finding, FixAvailability, K8S, Rule, RuleDoc, Section, Severity};

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "OTH010",
        section: Section::Other,
        severity: Severity::Info,
        fix: FixAvailability::Never,
        targets: K8S,
        title: "Module restartPolicy other than always, or imagePullPolicy, is not mapped",
        detects: "A module's `restartPolicy` other than `always`: `never`, `on-failure` and `on-unhealthy` as a warning (a module that exits is started again, forever), anything else as info; and any `imagePullPolicy` (info). Either one given as a placeholder is reported as filled in at deploy time. edgeAgent, which the device deploys, is left out. (TRAPS.md amendment: warning, not info, for a module meant to exit.)",
        why: "The agent runs each module as a Kubernetes Deployment, whose pods always restart, and does not pass the pull policy on: Kubernetes' default applies (Always for an untagged or `:latest` image, IfNotPresent otherwise). A module meant to run once and exit is restarted in a loop, and shows as failing; Azure Stack Edge's own GPU-sharing sample (`azure-stack-edge-gpu-deploy-iot-edge-gpu-sharing.md`) keeps such a module's pod alive with `while true; do echo no-op; sleep 10000; done` after its work.",
        before: r#"{"restartPolicy": "never", "imagePullPolicy": "never", "settings": {"image": "myacr.azurecr.io/job:1.0"}}"#,
        after: r#"{"restartPolicy": "never", "imagePullPolicy": "never", "settings": {"image": "myacr.azurecr.io/job:1.0"}}"#,
        fix_safety: "Nothing to change in the manifest. A module meant to run once must keep running (or wait) after its work, or it is restarted in a loop: change its command to wait when done, as ASE's sample does.",
    },
    check: Check::Module(check),
};

fn check(_ctx: &Context, module: &Module) -> Vec<Finding> {
    if deployed_by_device(module) {
        return Vec::new();
    }
    let mut out = Vec::new();
    if let Some(policy) = &module.settings.restart_policy {
        let text = policy.shown();
        const LOOPS: &str = ", forever; make it wait after its work instead of exiting";
        let effect = match policy.text().map(|t| t.trim().to_ascii_lowercase()).as_deref() {
            Some("always") => None,
            Some("never") => {
                Some((Severity::Warning, format!("the module is started again every time it exits{LOOPS}")))
            }
            Some("on-failure") => {
                Some((Severity::Warning, format!("the module is restarted after a clean exit too{LOOPS}")))
            }
            Some("on-unhealthy") => {
                Some((Severity::Warning, format!("the module is restarted whenever it exits{LOOPS}")))
            }
            _ if policy.placeholder().is_some() => Some((
                Severity::Info,
                "it is filled in at deploy time, and whatever it becomes the agent does not use it".to_owned(),
            )),
            _ => Some((
                Severity::Info,
                "it is not a value IoT Edge knows, and the module is started again every time it exits".to_owned(),
            )),
        };
        if let Some((severity, effect)) = effect {
            out.push(
                Finding::new(
                    &RULE,
                    Some(module),
                    module.document_at(["restartPolicy"]),
                    format!("restartPolicy `{text}` is not mapped (pods always restart): {effect}"),
                )
                .severity(severity),
            );
        }
    }
    if let Some(policy) = &module.settings.image_pull_policy {
        let image = module.settings.image.as_ref().and_then(|i| i.text());
        let effect = match image {
            Some(i) if !contains_placeholder(i) => {
                format!("Kubernetes pulls `{i}` with its default, {}", default_pull(i))
            }
            _ => {
                "Kubernetes pulls with its default (Always for an untagged or `:latest` image, IfNotPresent otherwise)"
                    .to_owned()
            }
        };
        let filled = if policy.placeholder().is_some() { ", whatever it is filled in with at deploy time" } else { "" };
        out.push(Finding::new(
            &RULE,
            Some(module),
            module.document_at(["imagePullPolicy"]),
            format!("imagePullPolicy `{}` is not mapped{filled}: {effect}", policy.shown()),
        ));
    }
    out
}

/// Kubernetes' pull policy for an image: Always when untagged or `:latest`, else IfNotPresent.
fn default_pull(image: &str) -> &'static str {
    if image.contains('@') {
        return "IfNotPresent";
    }
    let last = image.rsplit('/').next().unwrap_or(image);
    match last.split_once(':') {
        Some((_, tag)) if tag != "latest" => "IfNotPresent",
        _ => "Always",
    }
}

#[cfg(test)]
mod tests {
    use super::default_pull;

    #[test]
    fn pull_defaults() {
        assert_eq!(default_pull("myacr.azurecr.io:443/job:1.0"), "IfNotPresent");
        assert_eq!(default_pull("myacr.azurecr.io:443/job"), "Always");
        assert_eq!(default_pull("job:latest"), "Always");
        assert_eq!(default_pull("job@sha256:abc"), "IfNotPresent");
    }
}
