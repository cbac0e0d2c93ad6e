//! STO105 (VM target): the volumes of `k8s-experimental` in a manifest written for the managed
//! Kubernetes runtime, which the Docker agent in the VM ignores.

use super::layout::{MountType, MountsWriter, NOT_WRITABLE, NewMount, mounted_paths, path_key};
use super::steps::mount_share_in_vm;
use super::vm::written_for_kubernetes;
use crate::manifest::model::{self, Amount, KeyCase, amount};
use crate::manifest::{Module, Pointer};
use crate::rules::shared::k8s;
use crate::rules::{Check, Context, Edit, Finding, FixAvailability, Rule, RuleDoc, Section, Severity, Suggestion, VM};
use serde_json::{Map, Value};

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "STO105",
        section: Section::Storage,
        severity: Severity::Warning,
        fix: FixAvailability::Sometimes,
        targets: VM,
        title: "`k8s-experimental` volume is not mounted in the VM: mount its Docker equivalent",
        detects: "A volume mount of `k8s-experimental.volumes` (`volumeMounts[].mountPath`) that no `Binds` or `Mounts` entry mounts, in a deployment written for the managed Kubernetes runtime (`nvidia.com/gpu` resources, a `k8s-experimental` strategy or service options, or a volume source only the Kubernetes agent accepts: see STO101). In a deployment written for Docker the section was ignored on the FPGA device too, and nothing changes.",
        why: "The Docker agent of IoT Edge 1.5/1.6 ignores `k8s-experimental` entirely (VM-TARGET.md §7), and the section is removed for the VM (OTH101): what the module mounted through it on Kubernetes is not mounted any more, so it writes into its container layer, or finds nothing. Docker has an equivalent for most of it: a memory-backed `emptyDir` is a `tmpfs` mount, a disk `emptyDir` an anonymous volume, a `hostPath` a bind, and a claim on Azure Stack Edge an Edge share, which the VM mounts itself (STO101).",
        before: r#"{"k8s-experimental": {"volumes": [{"volume": {"name": "cache", "emptyDir": {"medium": "Memory", "sizeLimit": "64Mi"}}, "volumeMounts": [{"name": "cache", "mountPath": "/cache"}]}]}}"#,
        after: r#"{"HostConfig": {"Mounts": [{"Type": "tmpfs", "Target": "/cache", "TmpfsOptions": {"SizeBytes": 67108864}}]}}"#,
        fix_safety: "An `emptyDir` is safe: a tmpfs (memory) or an anonymous volume (disk) is what the pod had, emptied with the container. A `hostPath` needs review: the folder was in the Kubernetes worker VM and must exist in this VM (STO102 lists it). A `persistentVolumeClaim` needs review: it becomes a bind of the VM's mount of the share of that name (the input), with the share's mount step. Config maps, secrets and other sources have no Docker equivalent: put the files in a folder of the VM and bind it.",
    },
    check: Check::Module(check),
};

/// What a `k8s-experimental` volume is, as far as Docker has an equivalent.
enum Source {
    /// `emptyDir`, in memory (`medium: Memory`) or on disk; its size limit in bytes.
    EmptyDir { memory: bool, bytes: Option<u64> },
    /// `hostPath.path`.
    HostPath(String),
    /// `persistentVolumeClaim.claimName`: an Edge share on Azure Stack Edge.
    Claim(String),
    /// Anything else (`configMap`, `secret`…): the kind, as written.
    Other(String),
}

fn check(ctx: &Context, module: &Module) -> Vec<Finding> {
    let Some(field) = k8s::agent(module).and_then(|s| s.volumes.as_ref()) else { return Vec::new() };
    let Some(entries) = field.value.as_array() else { return Vec::new() };
    let Some((signed_by, sign)) = written_for_kubernetes(ctx) else { return Vec::new() };
    let mounted: Vec<&str> = mounted_paths(module);
    let writer = MountsWriter::of(module);
    let mut out = Vec::new();
    for (i, entry) in entries.iter().enumerate() {
        let at = field.at.index(i);
        let Some((volume, _)) = model::lookup(entry, &at, &["volume"]) else { continue };
        let name = model::lookup(volume, &at, &["name"]).and_then(|(v, _)| v.as_str()).unwrap_or_default();
        let Some(source) = source(volume) else { continue };
        let Some((list, list_at)) = model::lookup(entry, &at, &["volumeMounts"]) else { continue };
        for (j, vm) in list.as_array().into_iter().flatten().enumerate() {
            let text = |key: &str| model::lookup(vm, &Pointer::root(), &[key]).map(|(v, _)| v);
            if text("name").and_then(Value::as_str).is_some_and(|n| n != name) {
                continue;
            }
            let Some(path) = text("mountPath").and_then(Value::as_str).filter(|p| !p.trim().is_empty()) else {
                continue;
            };
            if mounted.contains(&path_key(path)) {
                continue;
            }
            let read_only = text("readOnly").is_some_and(|v| v == &Value::Bool(true) || v == "true");
            let message = format!(
                "`k8s-experimental` mounts volume `{name}` ({}) at `{path}`: the Docker agent in the VM ignores the section, so nothing is mounted there (the deployment is written for the managed Kubernetes runtime: {sign} in module `{signed_by}`)",
                source.said()
            );
            let location = module.create_options_at(list_at.index(j));
            let finding = Finding::new(&RULE, Some(module), location, message);
            out.push(fix(ctx, module, &writer, finding, &source, path, read_only));
        }
    }
    out
}

/// The volume's source, from the keys of its `volume` object; `None` when it names none.
fn source(volume: &Value) -> Option<Source> {
    let object = volume.as_object()?;
    let get = |key: &str| model::lookup(volume, &Pointer::root(), &[key]).map(|(v, _)| v);
    if let Some(empty) = get("emptyDir") {
        let medium = model::lookup(empty, &Pointer::root(), &["medium"]).and_then(|(v, _)| v.as_str());
        let size = model::lookup(empty, &Pointer::root(), &["sizeLimit"]).and_then(|(v, _)| bytes(v));
        return Some(Source::EmptyDir {
            memory: medium.is_some_and(|m| m.eq_ignore_ascii_case("memory")),
            bytes: size,
        });
    }
    if let Some(path) = get("hostPath").and_then(|h| model::lookup(h, &Pointer::root(), &["path"])) {
        return Some(Source::HostPath(path.0.as_str()?.to_owned()));
    }
    if let Some(claim) = get("persistentVolumeClaim").and_then(|c| model::lookup(c, &Pointer::root(), &["claimName"])) {
        return Some(Source::Claim(claim.0.as_str()?.to_owned()));
    }
    object.keys().find(|k| !k.eq_ignore_ascii_case("name")).map(|k| Source::Other(k.clone()))
}

impl Source {
    fn said(&self) -> String {
        match self {
            Source::EmptyDir { memory: true, .. } => "an emptyDir in memory".to_owned(),
            Source::EmptyDir { memory: false, .. } => "an emptyDir".to_owned(),
            Source::HostPath(p) => format!("host path `{p}`"),
            Source::Claim(c) => format!("claim `{c}`"),
            Source::Other(kind) => format!("a `{kind}`"),
        }
    }
}

/// A Kubernetes size as bytes: a number, or a quantity with a binary or decimal suffix.
fn bytes(v: &Value) -> Option<u64> {
    if let Amount::Int(n) = amount(v) {
        return u64::try_from(n).ok().filter(|n| *n > 0);
    }
    let text = v.as_str()?.trim();
    let split = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let (digits, suffix) = text.split_at(split);
    let n: u64 = digits.parse().ok()?;
    let unit: u64 = match suffix {
        "" => 1,
        "Ki" => 1 << 10,
        "Mi" => 1 << 20,
        "Gi" => 1 << 30,
        "Ti" => 1 << 40,
        "k" => 1_000,
        "M" => 1_000_000,
        "G" => 1_000_000_000,
        "T" => 1_000_000_000_000,
        _ => return None,
    };
    n.checked_mul(unit).filter(|n| *n > 0)
}

/// The finding with the `Mounts` entry that does in Docker what the volume did in the pod.
fn fix(
    ctx: &Context,
    module: &Module,
    writer: &MountsWriter,
    finding: Finding,
    source: &Source,
    path: &str,
    read_only: bool,
) -> Finding {
    if matches!(source, Source::Other(_)) {
        let mut f = finding;
        f.message.push_str("; Docker has no such source: put the files in a folder of the VM and bind it");
        return f;
    }
    if !writer.writable {
        let mut f = finding;
        f.message.push_str(NOT_WRITABLE);
        return f;
    }
    let append = |value: Value| vec![Edit::Append { at: module.create_options_at(writer.at.clone()), value }];
    match source {
        Source::EmptyDir { memory, bytes } => {
            let value = empty_dir(writer.case, *memory, *bytes, path, read_only);
            let what = if *memory { "a tmpfs (memory)" } else { "an anonymous volume" };
            finding.suggest(Suggestion::new(format!("mount {what} at {path}, as the pod had"), append(value)))
        }
        Source::HostPath(host) => {
            let mount = NewMount { kind: MountType::Bind, source: host.clone(), target: path.to_owned(), read_only };
            let summary = format!(
                "bind host folder `{host}` at {path}: it was in the Kubernetes worker VM, so create it in this VM"
            );
            finding.suggest_review(Suggestion::new(summary, append(mount.value(writer.case))))
        }
        Source::Claim(claim) => {
            let share = ctx.device.vm_share_path(claim);
            let mount = NewMount { kind: MountType::Bind, source: share.clone(), target: path.to_owned(), read_only };
            let summary = format!("bind `{share}`, the VM's mount of share `{claim}`, at {path}");
            let finding = mount_share_in_vm(finding, claim, &share);
            finding.suggest(Suggestion::new(summary, append(mount.value(writer.case))).with_input(
                "host path in the VM",
                0,
                writer.source_input().as_str(),
                Some(share.into()),
            ))
        }
        Source::Other(_) => unreachable!("handled above"),
    }
}

/// A `tmpfs` entry (with its size) or an anonymous volume entry, keys in `case`.
fn empty_dir(case: KeyCase, memory: bool, bytes: Option<u64>, path: &str, read_only: bool) -> Value {
    let mut m = Map::new();
    m.insert(case.spell("Type"), if memory { "tmpfs" } else { "volume" }.into());
    m.insert(case.spell("Target"), path.into());
    if memory && let Some(n) = bytes {
        let mut options = Map::new();
        options.insert(case.spell("SizeBytes"), n.into());
        m.insert(case.spell("TmpfsOptions"), Value::Object(options));
    }
    // Docker refuses a read-only anonymous volume.
    if read_only && memory {
        m.insert(case.spell("ReadOnly"), true.into());
    }
    Value::Object(m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sizes_are_read_as_kubernetes_quantities() {
        assert_eq!(bytes(&json!("64Mi")), Some(67108864));
        assert_eq!(bytes(&json!(536870912)), Some(536870912));
        assert_eq!(bytes(&json!("1G")), Some(1_000_000_000));
        assert_eq!(bytes(&json!("1.5Gi")), None, "not exact: no size rather than a wrong one");
        assert_eq!(bytes(&json!("0")), None);
    }
}
