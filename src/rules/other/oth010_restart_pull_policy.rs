//! OTH010: module `restartPolicy` and `imagePullPolicy`, which the Kubernetes agent does not map.

use crate::manifest::Module;
use crate::manifest::placeholder::contains_placeholder;
use crate::rules::shared::keys::shown;
use crate::rules::{Check, Context, Finding, FixAvailability, K8S, Rule, RuleDoc, Section, Severity};
use serde_json::Value;

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "OTH010",
        section: Section::Other,
        severity: Severity::Info,
        fix: FixAvailability::Never,
        targets: K8S,
        title: "Module restartPolicy other than always, or imagePullPolicy, is not mapped",
        detects: "A module's `restartPolicy` other than `always` (`never`, `on-failure`, `on-unhealthy`), and any `imagePullPolicy`.",
        why: "The agent runs each module as a Kubernetes Deployment, whose pods always restart, and does not pass the pull policy on: Kubernetes' default applies (Always for an untagged or `:latest` image, IfNotPresent otherwise).",
        before: r#"{"restartPolicy": "never", "imagePullPolicy": "never", "settings": {"image": "myacr.azurecr.io/job:1.0"}}"#,
        after: r#"{"restartPolicy": "never", "imagePullPolicy": "never", "settings": {"image": "myacr.azurecr.io/job:1.0"}}"#,
        fix_safety: "Nothing to change in the manifest. A module meant to run once must keep running (or wait) after its work, or it is restarted in a loop.",
    },
    check: Check::Module(check),
};

fn check(ctx: &Context, module: &Module) -> Vec<Finding> {
    let Some(json) = module.json(ctx.manifest) else { return Vec::new() };
    let mut out = Vec::new();
    if let Some(policy) = json.get("restartPolicy") {
        let text = shown(policy);
        let effect = match policy.as_str().map(str::to_ascii_lowercase).as_deref() {
            Some("always") => None,
            Some("never") => Some("the module is started again every time it exits"),
            Some("on-failure") => Some("the module is restarted after a clean exit too"),
            Some("on-unhealthy") => Some("the module is restarted whenever it exits"),
            Some(p) if contains_placeholder(p) => None,
            _ => Some("it is not a value IoT Edge knows, and the pod always restarts"),
        };
        if let Some(effect) = effect {
            out.push(Finding::new(
                &RULE,
                Some(module),
                module.document_at(["restartPolicy"]),
                format!("restartPolicy `{text}` is not mapped: {effect} (pods always restart)"),
            ));
        }
    }
    if let Some(policy) = json.get("imagePullPolicy") {
        let image = json.get("settings").and_then(|s| s.get("image")).and_then(Value::as_str);
        let effect = match image {
            Some(i) if !contains_placeholder(i) => {
                format!("Kubernetes pulls `{i}` with its default, {}", default_pull(i))
            }
            _ => {
                "Kubernetes pulls with its default (Always for an untagged or `:latest` image, IfNotPresent otherwise)"
                    .to_owned()
            }
        };
        out.push(Finding::new(
            &RULE,
            Some(module),
            module.document_at(["imagePullPolicy"]),
            format!("imagePullPolicy `{}` is not mapped: {effect}", shown(policy)),
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
