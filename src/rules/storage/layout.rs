//! What a module mounts, read from the model (`Binds`, `Mounts`, `k8s-experimental.volumes`), and
//! how a fix writes a new `Mounts` entry: next to the keys the engineer wrote, in their spelling.

use crate::manifest::model::{self, Bind, BindEntry, KeyCase, Mount, Mounts};
use crate::manifest::{Module, Pointer};
use crate::rules::shared::k8s;
use serde_json::{Map, Value};

/// Every `Binds` entry Docker reads (`source:target[:options]`), with its place.
pub fn binds(module: &Module) -> impl Iterator<Item = (&BindEntry, &Bind)> {
    module
        .host_config()
        .and_then(|h| h.binds.as_ref())
        .and_then(|b| b.entries.as_deref())
        .unwrap_or(&[])
        .iter()
        .filter_map(|e| Some((e, e.bind.as_ref()?)))
}

/// `Mounts`, whatever its JSON type.
pub fn mounts_field(module: &Module) -> Option<&Mounts> {
    module.host_config()?.mounts.as_ref()
}

/// The entries of `Mounts`, when it is a list.
pub fn mounts(module: &Module) -> &[Mount] {
    mounts_field(module).and_then(|m| m.entries.as_deref()).unwrap_or(&[])
}

/// A container path as Docker compares mount points: without trailing slashes.
pub fn path_key(path: &str) -> &str {
    let p = path.trim().trim_end_matches('/');
    if p.is_empty() { "/" } else { p }
}

/// The container paths a bind or a `Mounts` entry covers, as [`path_key`]s: data written there
/// lands in what is mounted, not in the container's own layer.
pub fn mounted_paths(module: &Module) -> Vec<&str> {
    binds(module)
        .map(|(_, b)| path_key(&b.target))
        .chain(mounts(module).iter().filter_map(|m| m.target().map(path_key)))
        .collect()
}

/// The kinds of `Mounts` entry a fix writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MountType {
    /// A host folder (a hostPath volume, like a bind).
    Bind,
    /// An Edge share of the device (a PersistentVolumeClaim named after the share).
    Volume,
}

impl MountType {
    pub fn name(self) -> &'static str {
        match self {
            MountType::Bind => "bind",
            MountType::Volume => "volume",
        }
    }

    /// The type of an existing entry, when it is one of these.
    pub fn of(mount: &Mount) -> Option<MountType> {
        match mount.kind()?.as_str() {
            "bind" => Some(MountType::Bind),
            "volume" => Some(MountType::Volume),
            _ => None,
        }
    }
}

/// A `Mounts` entry a fix adds: always with `Type`, `Source` and `Target`, which the agent
/// requires of every entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMount {
    pub kind: MountType,
    pub source: String,
    pub target: String,
    pub read_only: bool,
}

impl NewMount {
    /// The entry, its keys in `case`.
    pub fn value(&self, case: KeyCase) -> Value {
        let mut m = Map::new();
        m.insert(case.spell("Type"), self.kind.name().into());
        m.insert(case.spell("Source"), self.source.clone().into());
        m.insert(case.spell("Target"), self.target.clone().into());
        if self.read_only {
            m.insert(case.spell("ReadOnly"), true.into());
        }
        Value::Object(m)
    }

    /// The same entry written as JSON, for messages (`{"Type": "bind", …}`).
    pub fn shown(&self, case: KeyCase) -> String {
        let Value::Object(m) = self.value(case) else { unreachable!("a mount is an object") };
        let parts: Vec<String> = m.iter().map(|(k, v)| format!("{}: {v}", Value::String(k.clone()))).collect();
        format!("{{{}}}", parts.join(", "))
    }
}

/// Where and how a module takes new `Mounts` entries.
#[derive(Debug, Clone)]
pub struct MountsWriter {
    /// The `Mounts` list, or where it will be created (`Mounts` spelled like `Binds`).
    pub at: Pointer,
    /// The case of the keys of an entry: those of the entries there, or of `Mounts` itself.
    pub case: KeyCase,
    /// `Mounts` is a list, null or absent: anything else cannot take an entry (STO005 says so).
    pub writable: bool,
}

impl MountsWriter {
    /// Where an input goes inside a new entry: its `Source`, in the entry's spelling.
    pub fn source_input(&self) -> Pointer {
        Pointer::root().child(&self.case.spell("Source"))
    }

    pub fn of(module: &Module) -> MountsWriter {
        let hc = module.host_config();
        match hc.and_then(|h| h.mounts.as_ref()) {
            Some(m) => {
                let entry_key = m.entries.iter().flatten().find_map(|e| e.kind.as_ref().or(e.source.as_ref()));
                MountsWriter {
                    at: m.at.clone(),
                    case: KeyCase::of(entry_key.map_or(m.key.as_str(), |f| f.key.as_str())),
                    writable: matches!(m.value, Value::Array(_) | Value::Null),
                }
            }
            None => {
                let (base, example) = match hc {
                    Some(h) => (h.at.clone(), h.binds.as_ref().map_or(h.key.as_str(), |b| b.key.as_str())),
                    None => (Pointer::root().child("HostConfig"), "HostConfig"),
                };
                let case = KeyCase::of(example);
                MountsWriter { at: base.child(&case.spell("Mounts")), case, writable: true }
            }
        }
    }
}

/// Suffix for a finding whose fix cannot be written because `Mounts` is not a list.
pub const NOT_WRITABLE: &str = " (`HostConfig.Mounts` is not a list: fix it first, see STO005)";

/// A volume mount of `k8s-experimental.volumes`: the pod volume's name and where it is mounted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtraMount {
    pub volume: Option<String>,
    pub path: String,
}

/// The `k8s-experimental.volumes` entries (the agent reads their keys ignoring case).
fn extra_volumes(module: &Module) -> impl Iterator<Item = &Value> {
    k8s::inner(module, "volumes").and_then(|(_, v)| v.as_array()).into_iter().flatten()
}

/// The names of the pod volumes `k8s-experimental.volumes` declares.
pub fn extra_volume_names(module: &Module) -> Vec<String> {
    extra_volumes(module)
        .filter_map(|v| model::lookup(v, &Pointer::root(), &["volume", "name"]))
        .filter_map(|(n, _)| n.as_str().map(str::to_owned))
        .collect()
}

/// Every container path `k8s-experimental.volumes` mounts a volume at.
pub fn extra_mounts(module: &Module) -> Vec<ExtraMount> {
    extra_volumes(module)
        .flat_map(|v| {
            let mounts = model::lookup(v, &Pointer::root(), &["volumeMounts"]).and_then(|(m, _)| m.as_array());
            mounts.into_iter().flatten().filter_map(|m| {
                let text = |key: &str| model::lookup(m, &Pointer::root(), &[key]).and_then(|(v, _)| v.as_str());
                Some(ExtraMount { volume: text("name").map(str::to_owned), path: text("mountPath")?.to_owned() })
            })
        })
        .collect()
}
