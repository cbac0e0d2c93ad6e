//! OTH018 (TRAPS NEW-19): `User`, `Sysctls`, `CapAdd` and `CapDrop`, which the agent drops, and
//! what on Kubernetes can stand in for them.

use super::{deployed_by_device, listed};
use crate::manifest::model::{self, Field, HostConfig, KeyCase, OtherKey, is_unset, shown};
use crate::manifest::{Location, Module, Pointer, scalar_text};
use crate::rules::shared::k8s;
use crate::rules::{Check, Context, Edit, Finding, FixAvailability, K8S, Rule, RuleDoc, Section, Severity, Suggestion};
use serde_json::{Value, json};

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "OTH018",
        section: Section::Other,
        severity: Severity::Warning,
        fix: FixAvailability::Sometimes,
        targets: K8S,
        title: "User, Sysctls, CapAdd or CapDrop is dropped: what replaces it on Kubernetes",
        detects: "Top-level `User` (unless `k8s-experimental.securityContext.runAsUser` is set), and `HostConfig.Sysctls` (each entry), `CapAdd` and `CapDrop`, in any case, unless empty. A placeholder is reported as filled in at deploy time. edgeAgent is left out (the device deploys it). (TRAPS.md NEW-19; OTH006 leaves these keys to this rule.)",
        why: "The Kubernetes agent builds the container's security settings from `HostConfig.Privileged` alone; `User`, `Sysctls`, `CapAdd` and `CapDrop` are dropped without a word, so the module runs as the image's user (file access on shares and host paths depends on it, Azure/iotedge#6634), without its sysctls, without the capabilities it added and with those it dropped. What Kubernetes has instead is the pod's `securityContext`, which the agent copies from `k8s-experimental.securityContext`: `runAsUser`/`runAsGroup` take numeric ids, `sysctls` takes the sysctls Kubernetes calls safe (others make the kubelet refuse the pod, and the device's kubelet cannot be told to allow them). It applies to the whole pod, the IoT Edge proxy side-car included. Capabilities have no place in a pod security context; only `Privileged: true` reaches the container, and it grants every capability.",
        before: r#"{"User": "1000:1000", "HostConfig": {"Sysctls": {"net.ipv4.tcp_syncookies": "1"}, "CapAdd": ["NET_ADMIN"]}}"#,
        after: r#"{"HostConfig": {"Privileged": true}, "k8s-experimental": {"securityContext": {"runAsUser": 1000, "runAsGroup": 1000, "sysctls": [{"name": "net.ipv4.tcp_syncookies", "value": "1"}]}}}"#,
        fix_safety: "A safe sysctl is moved safely: the pod gets it as the container did (when the device's agent runs pods as non-root by default, that default is written alongside, since any security context replaces it). A numeric `User` is moved for review: it applies to the whole pod, so the IoT Edge proxy side-car runs as that user too; check that it still starts. A user name cannot be mapped (look its id up in the image). `CapAdd` can only become `Privileged: true`, shown for you to accept explicitly: it grants far more than the capabilities asked for. Removing `CapDrop` needs review: nothing drops those capabilities on the device.",
    },
    check: Check::Module(check),
};

/// Sysctls Kubernetes allows on every node by default, on every version the device has run:
/// newer safe ones (`net.ipv4.ping_group_range` since 1.18, `net.ipv4.ip_unprivileged_port_start`
/// since 1.22…) depend on the device's Kubernetes version and are treated as unsafe.
const SAFE_SYSCTLS: &[&str] = &["kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.tcp_syncookies"];

/// The uid the agent runs pods as when it runs them as non-root by default.
const NON_ROOT_UID: u64 = 1000;

fn check(ctx: &Context, module: &Module) -> Vec<Finding> {
    let Some(c) = module.container().filter(|_| !deployed_by_device(module)) else { return Vec::new() };
    let mut out = Vec::new();
    if let Some(o) = c.other.iter().find(|o| o.docker == Some("User") && !is_unset(&o.field.value)) {
        out.extend(user(ctx, module, &o.field));
    }
    let Some(hc) = module.host_config() else { return out };
    for o in hc.other.iter().filter(|o| !is_unset(&o.field.value)) {
        match o.docker {
            Some("Sysctls") => out.extend(sysctls(ctx, module, hc, o)),
            Some("CapAdd") => out.push(cap_add(module, hc, o)),
            Some("CapDrop") => out.push(cap_drop(module, hc, o)),
            _ => {}
        }
    }
    out
}

/// Where `securityContext.<field>` is written, through the spellings already there; `None` when
/// the section or the security context is not an object.
fn context_at(module: &Module, field: &str) -> Option<Location> {
    k8s::rel(module, &["securityContext", field]).map(|p| module.create_options_at(p))
}

/// The pod has a security context of its own (the agent then applies no default).
fn has_context(module: &Module) -> bool {
    k8s::at(module, &["securityContext"]).is_some_and(|v| !v.is_null())
}

/// The agent's default security context, written next to a new one so that it is not lost: when
/// the device runs pods as non-root, any security context of the module's replaces that default.
/// `user` is the uid this rule writes for the module, if any: root needs no default, another uid
/// only `runAsNonRoot`.
fn keep_default(ctx: &Context, module: &Module, user: Option<u64>) -> Vec<Edit> {
    if !ctx.device.run_as_non_root || has_context(module) || user == Some(0) {
        return Vec::new();
    }
    let mut edits: Vec<Edit> =
        context_at(module, "runAsNonRoot").map(|at| Edit::Set { at, value: Value::Bool(true) }).into_iter().collect();
    if user.is_none()
        && let Some(at) = context_at(module, "runAsUser")
    {
        edits.push(Edit::Set { at, value: json!(NON_ROOT_UID) });
    }
    edits
}

/// A Docker user id: a number, or `root` (uid and gid 0 everywhere).
fn numeric_id(text: &str) -> Option<u64> {
    let t = text.trim();
    if t == "root" { Some(0) } else { t.parse().ok() }
}

/// The ids of a Docker `User` (`uid[:gid]`) that Kubernetes can take; `None` when a part is a
/// name other than `root`.
fn ids(user: &str) -> Option<(u64, Option<u64>)> {
    match user.split_once(':') {
        Some((u, g)) => Some((numeric_id(u)?, Some(numeric_id(g)?))),
        None => Some((numeric_id(user)?, None)),
    }
}

/// The uid this rule's own fix writes for the module's `User`, if it writes one.
fn translated_uid(module: &Module) -> Option<u64> {
    let c = module.container()?;
    let user = c.other.iter().find(|o| o.docker == Some("User") && !is_unset(&o.field.value))?;
    ids(&scalar_text(&user.field.value)?).map(|(uid, _)| uid)
}

fn user(ctx: &Context, module: &Module, f: &Field) -> Option<Finding> {
    if k8s::at(module, &["securityContext", "runAsUser"]).is_some_and(|v| !v.is_null()) {
        return None;
    }
    let at = module.create_options_at(f.at.clone());
    let key = &f.key;
    let finding = |message: String| Finding::new(&RULE, Some(module), at.clone(), message);
    if let Some(p) = f.placeholder() {
        return Some(
            finding(format!(
                "`{key}` is the placeholder `{p}`, filled in at deploy time: whatever it becomes, the GPU device ignores it and runs the image's user; a numeric id goes in `k8s-experimental.securityContext.runAsUser`"
            ))
            .severity(Severity::Info),
        );
    }
    let text = scalar_text(&f.value).unwrap_or_else(|| f.shown());
    let ignored =
        format!("`{key}` `{text}` is ignored on the GPU device, where the container runs as the image's user");
    let Some((uid, gid)) = ids(&text) else {
        let name = text.split(':').next().unwrap_or_default();
        return Some(finding(format!(
            "{ignored}; Kubernetes takes numeric ids only: look up the ids of `{text}` in the image (`id {name}`) and set them as `k8s-experimental.securityContext.runAsUser`/`runAsGroup`, which apply to the whole pod, the IoT Edge proxy side-car too"
        )));
    };
    let ids = match gid {
        Some(g) => format!("`runAsUser` {uid}, `runAsGroup` {g}"),
        None => format!("`runAsUser` {uid}"),
    };
    let message = format!(
        "{ignored}: the pod's `securityContext` ({ids}) sets it, for every container of the pod, the IoT Edge proxy side-car too"
    );
    let (Some(user_at), Some(group_at)) = (context_at(module, "runAsUser"), context_at(module, "runAsGroup")) else {
        return Some(finding(format!(
            "{message}; `k8s-experimental` or its `securityContext` is not an object, so set it by hand"
        )));
    };
    let mut edits = vec![Edit::Set { at: user_at, value: json!(uid) }];
    if let Some(g) = gid {
        edits.push(Edit::Set { at: group_at, value: json!(g) });
    }
    edits.extend(keep_default(ctx, module, Some(uid)));
    edits.push(Edit::Remove { at: at.clone() });
    Some(finding(message).suggest_review(Suggestion::new(
        format!("run the pod as {ids} (`k8s-experimental.securityContext`) instead of `{key}`"),
        edits,
    )))
}

fn sysctls(ctx: &Context, module: &Module, hc: &HostConfig, o: &OtherKey) -> Vec<Finding> {
    let Some(entries) = o.field.value.as_object() else { return Vec::new() };
    let set: Vec<String> = k8s::at(module, &["securityContext", "sysctls"])
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|s| model::lookup(s, &Pointer::root(), &["name"]).and_then(|(v, _)| v.as_str()))
        .map(|n| n.replace('/', "."))
        .collect();
    let mut out = Vec::new();
    for (name, value) in entries {
        let at = module.create_options_at(o.field.at.child(name));
        let value_text = scalar_text(value).unwrap_or_else(|| shown(value));
        let written = format!("`{}.{}` `{name}={value_text}`", hc.key, o.field.key);
        let canonical = name.trim().replace('/', ".");
        let finding = |message: String| Finding::new(&RULE, Some(module), at.clone(), message);
        if crate::manifest::placeholder::contains_placeholder(name) {
            out.push(
                finding(format!(
                    "{written} names a placeholder, filled in at deploy time: whatever it becomes, the GPU device ignores it; only Kubernetes' safe sysctls can go in `k8s-experimental.securityContext.sysctls`"
                ))
                .severity(Severity::Info),
            );
            continue;
        }
        if !SAFE_SYSCTLS.contains(&canonical.as_str()) {
            out.push(finding(format!(
                "{written} is ignored on the GPU device, and it is not one of Kubernetes' safe sysctls ({}): in the pod's security context it makes the kubelet refuse the pod, and the device's kubelet cannot be told to allow it, so the module must work without it",
                listed(&SAFE_SYSCTLS.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>())
            )));
            continue;
        }
        let remove = Edit::Remove { at: at.clone() };
        if set.contains(&canonical) {
            out.push(
                finding(format!(
                    "{written} is ignored on the GPU device; `k8s-experimental.securityContext.sysctls` sets it already"
                ))
                .suggest(Suggestion::new(format!("remove `{name}` from `{}.{}`", hc.key, o.field.key), vec![remove])),
            );
            continue;
        }
        let message = format!(
            "{written} is ignored on the GPU device: Kubernetes sets this safe sysctl through the pod's `securityContext.sysctls`"
        );
        let Some(list) = k8s::rel(module, &["securityContext", "sysctls"]) else {
            out.push(finding(format!(
                "{message}; `k8s-experimental` or its `securityContext` is not an object, so set it by hand"
            )));
            continue;
        };
        if k8s::at(module, &["securityContext", "sysctls"]).is_some_and(|v| !v.is_array() && !v.is_null()) {
            out.push(finding(format!("{message}; its `sysctls` is not a list, so set it by hand")));
            continue;
        }
        let mut edits = vec![Edit::Append {
            at: module.create_options_at(list),
            value: json!({"name": canonical, "value": value_text}),
        }];
        // A `User` this rule moves sets the pod's user itself.
        edits.extend(keep_default(ctx, module, translated_uid(module)));
        edits.push(remove);
        out.push(finding(message).suggest(Suggestion::new(
            format!("move `{canonical}` to `k8s-experimental.securityContext.sysctls`"),
            edits,
        )));
    }
    out
}

/// The capabilities as written, for messages.
fn caps(f: &Field) -> String {
    match &f.value {
        Value::Array(a) => a.iter().map(shown).collect::<Vec<_>>().join(", "),
        other => shown(other),
    }
}

fn cap_add(module: &Module, hc: &HostConfig, o: &OtherKey) -> Finding {
    let f = &o.field;
    let at = module.create_options_at(f.at.clone());
    let written = format!("`{}.{}` ({})", hc.key, f.key, caps(f));
    let finding = |message: String| Finding::new(&RULE, Some(module), at.clone(), message);
    let remove = Edit::Remove { at: at.clone() };
    if hc.privileged.as_ref().and_then(Field::flag) == Some(true) {
        return finding(format!(
            "{written} is ignored on the GPU device, and changes nothing there: `Privileged`, which the agent translates, already gives the container every capability"
        ))
        .severity(Severity::Info)
        .suggest(Suggestion::new(format!("remove `{}.{}`", hc.key, f.key), vec![remove]));
    }
    let message = format!(
        "{written} is ignored on the GPU device: the agent gives a container no capabilities beyond the runtime's defaults (the pod's security context has no capabilities); only `Privileged: true` reaches the container, and it grants every capability and access to the host's devices"
    );
    if !f.placeholders().is_empty() {
        return finding(format!("{message}; it holds a placeholder, filled in at deploy time"))
            .severity(Severity::Info);
    }
    let privileged =
        hc.privileged.as_ref().map_or_else(|| hc.at.child(&KeyCase::of(&hc.key).spell("Privileged")), |p| p.at.clone());
    finding(format!("{message}: accept that only if the module cannot work without these capabilities")).suggest(
        Suggestion::new(
            format!("run the module privileged instead of adding {}", caps(f)),
            vec![Edit::Set { at: module.create_options_at(privileged), value: Value::Bool(true) }, remove],
        )
        .display_only(),
    )
}

fn cap_drop(module: &Module, hc: &HostConfig, o: &OtherKey) -> Finding {
    let f = &o.field;
    let at = module.create_options_at(f.at.clone());
    let held = f.placeholders();
    let mut message = format!(
        "`{}.{}` ({}) is ignored on the GPU device: the container keeps the runtime's default capabilities, more than it had on the FPGA device, and nothing the agent reads can drop them",
        hc.key,
        f.key,
        caps(f)
    );
    if !held.is_empty() {
        message.push_str(&format!(
            "; it holds the placeholder {}, which removing it takes out of the template",
            listed(&held.iter().map(|p| format!("`{p}`")).collect::<Vec<_>>())
        ));
    }
    Finding::new(&RULE, Some(module), at.clone(), message).suggest_review(Suggestion::new(
        format!("remove `{}.{}` (the device cannot drop these capabilities)", hc.key, f.key),
        vec![Edit::Remove { at }],
    ))
}

#[cfg(test)]
mod tests {
    use super::{ids, numeric_id};

    #[test]
    fn docker_users() {
        assert_eq!(ids("1000:1000"), Some((1000, Some(1000))));
        assert_eq!(ids("root:root"), Some((0, Some(0))));
        assert_eq!(ids("1000"), Some((1000, None)));
        assert_eq!(ids("1000:staff"), None);
        assert_eq!(ids("app"), None);
    }

    #[test]
    fn user_ids() {
        assert_eq!(numeric_id("1000"), Some(1000));
        assert_eq!(numeric_id(" root "), Some(0));
        assert_eq!(numeric_id("edgeuser"), None);
        assert_eq!(numeric_id("-1"), None);
    }
}
