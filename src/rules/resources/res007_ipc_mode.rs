//! RES007: `IpcMode` `shareable` or `container:<name>`, which the Kubernetes agent does not
//! translate.

use crate::manifest::placeholder::contains_placeholder;
use crate::manifest::{Module, Pointer};
use crate::rules::{Check, Context, Edit, Finding, FixAvailability, K8S, Rule, RuleDoc, Section, Severity, Suggestion};

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "RES007",
        section: Section::Resources,
        severity: Severity::Error,
        fix: FixAvailability::Sometimes,
        targets: K8S,
        title: "Shared memory through `IpcMode` shareable / container:<name> becomes `IpcMode: host`",
        detects: "`HostConfig.IpcMode` `shareable` or `container:<name>` (key and value matched ignoring case); an `IpcMode` that is a placeholder (`$IPC_MODE`) is a warning that says what each value becomes.",
        why: "Only `IpcMode: host` is translated (to the pod's `hostIPC`); `shareable` and `container:<name>` are ignored, so each pod gets its own IPC namespace and modules that exchange frames through shared memory (Live Video Analytics and an inference module, say) no longer see each other's segments. On the GPU device both modules use `\"IpcMode\": \"host\"`.",
        before: r#"{"HostConfig": {"IpcMode": "container:lvaEdge"}}"#,
        after: r#"{"HostConfig": {"IpcMode": "host"}}"#,
        fix_safety: "Safe for modules meant to share memory. Host IPC shares the node's IPC namespace with every host-IPC pod, so keep it to the modules that need it. For `container:<name>`, the module named there gets `IpcMode: host` too when it has no IPC mode of its own (with `shareable` it has its own finding). A placeholder is left for the deployment to fill in.",
    },
    check: Check::Module(check),
};

fn check(ctx: &Context, module: &Module) -> Vec<Finding> {
    let Some(ipc) = module.host_config().and_then(|h| h.ipc_mode.as_ref()) else { return Vec::new() };
    let Some(mode) = ipc.text().map(str::trim) else { return Vec::new() };
    let hc_key = &module.host_config().expect("IpcMode is in HostConfig").key;
    let named = format!("`{hc_key}.{}`", ipc.key);
    let at = module.create_options_at(ipc.at.clone());
    if let Some(p) = ipc.placeholder() {
        let message = format!(
            "{named} is the placeholder `{p}`, filled in at deploy time: `host` becomes the pod's host IPC namespace, as on Docker; `shareable` and `container:<name>` are not translated, so the pod gets an IPC namespace of its own and shares no memory with other modules; `private` or empty: a namespace of its own, as on Docker. Modules that share memory must get `host`"
        );
        return vec![Finding::new(&RULE, Some(module), at, message).severity(Severity::Warning)];
    }
    let lower = mode.to_ascii_lowercase();
    let shared_with = lower.strip_prefix("container:").map(|_| mode["container:".len()..].trim());
    if lower != "shareable" && shared_with.is_none() {
        return Vec::new();
    }
    let mut edits = vec![Edit::Set { at: at.clone(), value: "host".into() }];
    let mut message =
        format!("{named} `{mode}` is not translated on Kubernetes: the pod gets an IPC namespace of its own");
    let mut summary = "use `IpcMode: host`".to_owned();
    if let Some(name) = shared_with {
        let other =
            ctx.module(name).or_else(|| ctx.manifest.modules.iter().find(|m| m.name.eq_ignore_ascii_case(name)));
        match other {
            Some(other) => {
                // The other module must be on the host IPC namespace too; `shareable` is its own
                // finding, `host` is fine, a placeholder is the deployment's; anything else (no
                // mode, `private`) gets it here.
                let theirs = other.host_config().and_then(|h| h.ipc_mode.as_ref());
                let mode = theirs.and_then(|f| f.text()).map(|m| m.trim().to_ascii_lowercase());
                let templated = theirs.is_some_and(|f| f.placeholder().is_some());
                if !templated
                    && !matches!(mode.as_deref(), Some("host" | "shareable"))
                    && let Some(where_) = ipc_at(other)
                {
                    edits.push(Edit::Set { at: other.create_options_at(where_), value: "host".into() });
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
    vec![Finding::new(&RULE, Some(module), at, message).suggest(Suggestion::new(summary, edits))]
}

/// Where a module's `IpcMode` is or goes: its own spelling, in its `HostConfig` as spelled; `None`
/// when its createOptions cannot be read or `HostConfig` is not an object.
fn ipc_at(module: &Module) -> Option<Pointer> {
    let container = module.container()?;
    match &container.host_config {
        None => Some(Pointer::root().child("HostConfig").child("IpcMode")),
        Some(hc) if !hc.is_object => None,
        Some(hc) => Some(hc.ipc_mode.as_ref().map_or_else(|| hc.at.child("IpcMode"), |f| f.at.clone())),
    }
}
