//! RES007: `IpcMode` `shareable` or `container:<name>`, which the Kubernetes agent does not
//! translate.

use crate::manifest::Module;
use crate::manifest::placeholder::contains_placeholder;
use crate::rules::shared::docker::{self, setting};
use crate::rules::shared::keys::shown;
use crate::rules::{Check, Context, Edit, Finding, FixAvailability, K8S, Rule, RuleDoc, Section, Severity, Suggestion};

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "RES007",
        section: Section::Resources,
        severity: Severity::Error,
        fix: FixAvailability::Sometimes,
        targets: K8S,
        title: "Shared memory through `IpcMode` shareable / container:<name> becomes `IpcMode: host`",
        detects: "`HostConfig.IpcMode` `shareable` or `container:<name>` (key and value matched ignoring case).",
        why: "Only `IpcMode: host` is translated (to the pod's `hostIPC`); `shareable` and `container:<name>` are ignored, so each pod gets its own IPC namespace and modules that exchange frames through shared memory (Live Video Analytics and an inference module, say) no longer see each other's segments. On the GPU device both modules use `\"IpcMode\": \"host\"`.",
        before: r#"{"HostConfig": {"IpcMode": "container:lvaEdge"}}"#,
        after: r#"{"HostConfig": {"IpcMode": "host"}}"#,
        fix_safety: "Safe for modules meant to share memory. Host IPC shares the node's IPC namespace with every host-IPC pod, so keep it to the modules that need it. For `container:<name>`, the module named there gets `IpcMode: host` too when it has no IPC mode of its own (with `shareable` it has its own finding).",
    },
    check: Check::Module(check),
};

fn check(ctx: &Context, module: &Module) -> Vec<Finding> {
    let Some(ipc) = setting(module, "IpcMode") else { return Vec::new() };
    let Some(mode) = ipc.value.as_str().map(str::trim) else { return Vec::new() };
    let lower = mode.to_ascii_lowercase();
    let shared_with = lower.strip_prefix("container:").map(|_| mode["container:".len()..].trim());
    if lower != "shareable" && shared_with.is_none() {
        return Vec::new();
    }
    let path = module.co_path(ipc.rel());
    let mut edits = vec![Edit::Set { at: path.clone(), value: "host".into() }];
    let mut message = format!(
        "{} `{}` is not translated on Kubernetes: the pod gets an IPC namespace of its own",
        ipc.shown(),
        shown(ipc.value)
    );
    let mut summary = "use `IpcMode: host`".to_owned();
    if let Some(name) = shared_with {
        let other =
            ctx.module(name).or_else(|| ctx.manifest.modules.iter().find(|m| m.name.eq_ignore_ascii_case(name)));
        match other {
            Some(other) => {
                // The other module must be on the host IPC namespace too; `shareable` is its own
                // finding, `host` is fine, anything else (no mode, `private`) gets it here.
                let mode =
                    setting(other, "IpcMode").and_then(|s| s.value.as_str()).map(|m| m.trim().to_ascii_lowercase());
                if other.create_options.value.is_some() && !matches!(mode.as_deref(), Some("host" | "shareable")) {
                    let rel = setting(other, "IpcMode").map_or_else(|| ipc_rel(other), |s| s.rel());
                    edits.push(Edit::Set { at: other.co_path(&rel), value: "host".into() });
                    message.push_str(&format!("; `{}` gets `IpcMode: host` too, to share memory with it", other.name));
                    summary = format!("use `IpcMode: host` here and in `{}`", other.name);
                }
            }
            None if contains_placeholder(name) => message.push_str(&format!(
                "; the module it names, `{name}`, is a placeholder: give that module `IpcMode: host` too"
            )),
            None if name.is_empty() => message.push_str("; it names no module"),
            None => message.push_str(&format!("; no module is named `{name}`")),
        }
    }
    vec![Finding::new(&RULE, Some(module), path, message).suggest(Suggestion::new(summary, edits))]
}

/// Where a module without `IpcMode` gets one: in its `HostConfig` as spelled.
fn ipc_rel(module: &Module) -> String {
    let hc = docker::host_config(module).map_or("HostConfig", |(k, _)| k);
    crate::manifest::pointer::from_tokens("", [hc, "IpcMode"])
}
