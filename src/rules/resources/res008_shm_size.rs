//! RES008: `ShmSize`, which the Kubernetes agent ignores, becomes a memory-backed `/dev/shm`.

use super::quantity::memory;
use crate::manifest::Module;
use crate::rules::shared::docker::{Amount, amount, setting};
use crate::rules::shared::k8s;
use crate::rules::shared::keys::{get_ci, shown};
use crate::rules::{Check, Context, Edit, Finding, FixAvailability, K8S, Rule, RuleDoc, Section, Severity, Suggestion};
use serde_json::{Value, json};

/// Where containers expect shared memory.
const SHM: &str = "/dev/shm";
/// The /dev/shm size Docker and the GPU device's container runtime give a container by default.
const DEFAULT_SHM: u128 = 64 << 20;

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "RES008",
        section: Section::Resources,
        severity: Severity::Warning,
        fix: FixAvailability::Sometimes,
        targets: K8S,
        title: "`ShmSize` becomes a memory-backed emptyDir at /dev/shm",
        detects: "`HostConfig.ShmSize` (key matched ignoring case).",
        why: "The agent ignores `ShmSize`: the container gets the runtime's default 64 MiB `/dev/shm`, and modules that pass frames or tensors through shared memory (video analytics, PyTorch data loaders) fail or crash when it fills. On Kubernetes a larger `/dev/shm` is an `emptyDir` with `medium: Memory` and `sizeLimit` = ShmSize, mounted at `/dev/shm` through `k8s-experimental.volumes`.",
        before: r#"{"HostConfig": {"ShmSize": 1073741824}}"#,
        after: r#"{"k8s-experimental": {"volumes": [{"volume": {"name": "dshm", "emptyDir": {"medium": "Memory", "sizeLimit": "1Gi"}}, "volumeMounts": [{"name": "dshm", "mountPath": "/dev/shm"}]}]}}"#,
        fix_safety: "Safe. A size up to the default 64 MiB (or 0) is only removed. What the module writes to /dev/shm counts against its memory limit, as with Docker. When `k8s-experimental.volumes` already mounts /dev/shm, or a tmpfs mount at /dev/shm becomes one (STO006), `ShmSize` is only removed. A placeholder size is left for you.",
    },
    check: Check::Module(check),
};

fn check(_ctx: &Context, module: &Module) -> Vec<Finding> {
    let Some(s) = setting(module, "ShmSize") else { return Vec::new() };
    let path = module.co_path(s.rel());
    let value = shown(s.value);
    let finding = |message: String| Finding::new(&RULE, Some(module), path.clone(), message);
    let remove = |summary: &str| Suggestion::new(summary, vec![Edit::Remove { at: path.clone() }]);
    let bytes = match amount(s.value) {
        Amount::Unset => return Vec::new(),
        Amount::Int(n) if n as u128 <= DEFAULT_SHM || n <= 0 => {
            let message = format!(
                "{} {value} is ignored on Kubernetes, and asks for no more than the default 64 MiB /dev/shm the pod gets anyway",
                s.shown()
            );
            return vec![finding(message).suggest(remove("remove ShmSize"))];
        }
        Amount::Int(n) => n as u128,
        Amount::Placeholder(p) => {
            let message = format!(
                "{} is the placeholder `{p}` and is ignored on Kubernetes: mount a memory-backed emptyDir of that size at /dev/shm through `k8s-experimental.volumes` yourself",
                s.shown()
            );
            return vec![finding(message)];
        }
        Amount::Invalid(t) => {
            let message = format!("{} `{t}` is not a byte count, and the setting is ignored on Kubernetes", s.shown());
            return vec![finding(message)];
        }
    };
    let size = memory(bytes);
    let volumes = k8s::at(module, &["volumes"]);
    if let Some(name) = volumes.and_then(Value::as_array).and_then(|list| shm_volume(list)) {
        let message =
            format!("{} {value} is ignored on Kubernetes, and volume `{name}` already mounts /dev/shm", s.shown());
        return vec![finding(message).suggest(remove("remove ShmSize"))];
    }
    if let Some(target) = tmpfs_shm(module) {
        let message = format!(
            "{} {value} is ignored on Kubernetes, and the tmpfs mount at `{target}` becomes the /dev/shm volume (STO006)",
            s.shown()
        );
        return vec![finding(message).suggest(remove("remove ShmSize"))];
    }
    let rel = match (volumes, k8s::rel(module, &["volumes"])) {
        (None | Some(Value::Null | Value::Array(_)), Some(rel)) => rel,
        _ => {
            let message = format!(
                "{} {value} is ignored on Kubernetes, and `k8s-experimental.volumes` is not a list to add the /dev/shm volume to",
                s.shown()
            );
            return vec![finding(message)];
        }
    };
    let name = free_name(volumes.and_then(Value::as_array).map_or(&[], Vec::as_slice));
    let entry = json!({
        "volume": {"name": name, "emptyDir": {"medium": "Memory", "sizeLimit": size}},
        "volumeMounts": [{"name": name, "mountPath": SHM}]
    });
    let message = format!(
        "{} {value} is ignored on Kubernetes: /dev/shm becomes a memory-backed emptyDir with `sizeLimit: \"{size}\"`",
        s.shown()
    );
    let edits = vec![Edit::Append { at: module.co_path(&rel), value: entry }, Edit::Remove { at: path.clone() }];
    vec![finding(message).suggest(Suggestion::new(format!("mount a {size} memory-backed emptyDir at /dev/shm"), edits))]
}

/// The name of a `k8s-experimental.volumes` entry mounted at /dev/shm.
fn shm_volume(list: &[Value]) -> Option<String> {
    list.iter().find_map(|entry| {
        let entry = entry.as_object()?;
        let mounts = get_ci(entry, "volumeMounts")?.1.as_array()?;
        let mount = mounts.iter().filter_map(Value::as_object).find(|m| {
            get_ci(m, "mountPath").and_then(|(_, p)| p.as_str()).is_some_and(|p| p.trim_end_matches('/') == SHM)
        })?;
        Some(get_ci(mount, "name").map_or_else(|| "?".to_owned(), |(_, n)| shown(n)))
    })
}

/// A `HostConfig.Mounts` tmpfs entry at /dev/shm (STO006 turns it into an emptyDir there).
fn tmpfs_shm(module: &Module) -> Option<String> {
    let mounts = setting(module, "Mounts")?.value.as_array()?;
    mounts.iter().filter_map(Value::as_object).find_map(|m| {
        let kind = get_ci(m, "Type").and_then(|(_, t)| t.as_str())?;
        let target = get_ci(m, "Target").and_then(|(_, t)| t.as_str())?;
        (kind.eq_ignore_ascii_case("tmpfs") && target.trim_end_matches('/') == SHM).then(|| target.to_owned())
    })
}

/// `dshm`, or `dshm-2`, `dshm-3`… when a volume already has that name.
fn free_name(list: &[Value]) -> String {
    let taken: Vec<String> = list
        .iter()
        .filter_map(|e| e.as_object().and_then(|o| get_ci(o, "volume")).and_then(|(_, v)| v.as_object()))
        .filter_map(|v| get_ci(v, "name").and_then(|(_, n)| n.as_str()).map(str::to_owned))
        .collect();
    std::iter::once("dshm".to_owned())
        .chain((2..).map(|n| format!("dshm-{n}")))
        .find(|n| !taken.contains(n))
        .unwrap_or_else(|| "dshm".to_owned())
}
