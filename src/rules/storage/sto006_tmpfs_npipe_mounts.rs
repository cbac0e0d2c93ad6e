//! STO006: `tmpfs` and `npipe` mounts, which the Kubernetes agent ignores.

use super::layout::{extra_mounts, extra_volume_names, mounts, path_key};
use crate::manifest::model::{self, Amount, Mount, amount};
use crate::manifest::{Module, Pointer};
use crate::rules::shared::k8s;
use crate::rules::{Check, Context, Edit, Finding, FixAvailability, K8S, Rule, RuleDoc, Section, Severity, Suggestion};
use serde_json::{Value, json};
use std::collections::HashSet;

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "STO006",
        section: Section::Storage,
        severity: Severity::Warning,
        fix: FixAvailability::Sometimes,
        targets: K8S,
        title: "`tmpfs` mount becomes a memory-backed emptyDir; `npipe` mount is dropped",
        detects: "A `HostConfig.Mounts` entry of type `tmpfs` or `npipe`.",
        why: "The Kubernetes agent translates only `bind` and `volume` mounts: a tmpfs is silently not mounted, so the module writes its scratch files into the container layer instead of memory. The same thing on Kubernetes is an emptyDir volume with `medium: Memory`, declared in `k8s-experimental.volumes` with its volumeMount at the same path (`TmpfsOptions.SizeBytes` becomes its `sizeLimit`; at /dev/shm without one, `ShmSize` does, and RES008 then only removes `ShmSize`). Where `k8s-experimental.volumes` already mounts something at that path the tmpfs is only dropped: two volumes at one path make Kubernetes reject the pod. A named pipe (`npipe`) exists only on Windows hosts; the GPU device is Linux. On the VM target a tmpfs works as on the FPGA device, and a named pipe is STO104's error (VM-TARGET.md §7).",
        before: r#"{"HostConfig": {"Mounts": [{"Type": "tmpfs", "Target": "/app/cache", "TmpfsOptions": {"SizeBytes": 67108864}}]}}"#,
        after: r#"{"k8s-experimental": {"volumes": [{"volume": {"name": "tmpfs-app-cache", "emptyDir": {"medium": "Memory", "sizeLimit": "64Mi"}}, "volumeMounts": [{"name": "tmpfs-app-cache", "mountPath": "/app/cache"}]}]}}"#,
        fix_safety: "Safe: an emptyDir in memory behaves like a tmpfs (emptied when the pod restarts; it counts against the module's memory limit). A module that needs the Docker engine's named pipe cannot work on the GPU device whatever the manifest says.",
    },
    check: Check::Module(check),
};

fn check(_ctx: &Context, module: &Module) -> Vec<Finding> {
    let volumes_at = module.create_options_at(k8s::rel_path(module, "volumes"));
    let volumes = k8s::inner(module, "volumes").map(|(_, v)| v);
    // Names already taken in the pod: k8s-experimental volumes, and the ones we add here.
    let mut taken: HashSet<String> = extra_volume_names(module).into_iter().collect();
    // Paths k8s-experimental volumes already mount: a second volume there would be rejected.
    let mounted: HashSet<String> = extra_mounts(module).into_iter().map(|e| path_key(&e.path).to_owned()).collect();
    let section_ok = k8s::agent_section(module).is_none_or(Value::is_object);
    let can_append = section_ok && volumes.is_none_or(|v| v.is_array() || v.is_null());
    mounts(module)
        .iter()
        .filter_map(|m| {
            let kind = m.kind()?;
            let target = m.target().filter(|t| !t.trim().is_empty())?;
            let location = module.create_options_at(m.at.clone());
            match kind.as_str() {
                "npipe" => Some(
                    Finding::new(
                        &RULE,
                        Some(module),
                        location.clone(),
                        format!(
                            "`npipe` mount of `{}` is a Windows named pipe: ignored on the Linux GPU device",
                            m.source().unwrap_or(target)
                        ),
                    )
                    .suggest(Suggestion::new(
                        format!("drop the named-pipe mount at {target}"),
                        vec![Edit::Remove { at: location }],
                    )),
                ),
                "tmpfs" => {
                    let message =
                        format!("`tmpfs` mount at `{target}` is ignored on Kubernetes: nothing is mounted there");
                    if !can_append {
                        return Some(Finding::new(
                            &RULE,
                            Some(module),
                            location,
                            message + "; `k8s-experimental.volumes` is not a list, so add the emptyDir by hand",
                        ));
                    }
                    if mounted.contains(path_key(target)) {
                        return Some(Finding::new(&RULE, Some(module), location.clone(), message).suggest(
                            Suggestion::new(
                                format!("drop it: `k8s-experimental.volumes` already mounts a volume at {target}"),
                                vec![Edit::Remove { at: location }],
                            ),
                        ));
                    }
                    let name = unique_name(target, &mut taken);
                    let entry = empty_dir(module, m, &name, target);
                    Some(Finding::new(&RULE, Some(module), location.clone(), message).suggest(Suggestion::new(
                        format!(
                            "mount a memory-backed emptyDir `{name}` at {target} through `k8s-experimental.volumes`"
                        ),
                        vec![Edit::Append { at: volumes_at.clone(), value: entry }, Edit::Remove { at: location }],
                    )))
                }
                _ => None,
            }
        })
        .collect()
}

/// The `k8s-experimental.volumes` entry, in the agent's format (a Kubernetes volume and its mounts).
/// Its size is the tmpfs size, or at /dev/shm the module's `ShmSize` (RES008 then only removes that).
fn empty_dir(module: &Module, m: &Mount, name: &str, target: &str) -> Value {
    let mut empty_dir = json!({"medium": "Memory"});
    let bytes = |v: &Value| match amount(v) {
        Amount::Int(n) if n > 0 => u64::try_from(n).ok(),
        _ => None,
    };
    let tmpfs_size = m
        .other
        .iter()
        .find(|o| o.docker == Some("TmpfsOptions"))
        .and_then(|o| model::lookup(&o.field.value, &Pointer::root(), &["SizeBytes"]))
        .and_then(|(v, _)| bytes(v));
    let size = tmpfs_size.or_else(|| {
        (path_key(target) == "/dev/shm")
            .then(|| module.host_config().and_then(|h| h.shm_size.as_ref()).and_then(|f| bytes(&f.value)))
            .flatten()
    });
    if let Some(bytes) = size {
        empty_dir["sizeLimit"] = quantity(bytes).into();
    }
    let mut mount = json!({"name": name, "mountPath": target});
    if m.is_read_only() {
        mount["readOnly"] = true.into();
    }
    json!({"volume": {"name": name, "emptyDir": empty_dir}, "volumeMounts": [mount]})
}

/// A byte count as a Kubernetes quantity: a binary suffix only when exact, never `m`.
fn quantity(bytes: u64) -> String {
    for (suffix, unit) in [("Ti", 1u64 << 40), ("Gi", 1 << 30), ("Mi", 1 << 20), ("Ki", 1 << 10)] {
        if bytes.is_multiple_of(unit) {
            return format!("{}{suffix}", bytes / unit);
        }
    }
    bytes.to_string()
}

/// A valid DNS label from the target path (`/app/cache` → `tmpfs-app-cache`), unique in the pod.
fn unique_name(target: &str, taken: &mut HashSet<String>) -> String {
    let mut slug = String::new();
    for c in target.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug = slug.trim_matches('-');
    let base = if slug.is_empty() { "tmpfs".to_owned() } else { format!("tmpfs-{slug}") };
    let base: String = base.chars().take(56).collect::<String>().trim_end_matches('-').to_owned();
    let mut name = base.clone();
    let mut n = 2;
    while taken.contains(&name) {
        name = format!("{base}-{n}");
        n += 1;
    }
    taken.insert(name.clone());
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_dns_labels_and_unique() {
        let mut taken = HashSet::from(["tmpfs-app-cache".to_owned()]);
        assert_eq!(unique_name("/app/cache", &mut taken), "tmpfs-app-cache-2");
        assert_eq!(unique_name("/", &mut taken), "tmpfs");
        assert!(unique_name(&"/x".repeat(80), &mut taken).len() <= 63);
        assert_eq!(quantity(67108864), "64Mi");
        assert_eq!(quantity(1000), "1000");
    }
}
