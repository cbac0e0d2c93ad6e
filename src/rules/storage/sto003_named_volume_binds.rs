//! STO003: a bind of a Docker named volume, which the Kubernetes agent reads as a host folder.

use super::binds::binds;
use super::mounts::{self, MOUNTS};
use super::paths::{BindOwner, owner};
use crate::manifest::Module;
use crate::manifest::placeholder::contains_placeholder;
use crate::rules::{Check, Context, Edit, Finding, FixAvailability, K8S, Rule, RuleDoc, Section, Severity, Suggestion};
use serde_json::{Map, Value};

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "STO003",
        section: Section::Storage,
        severity: Severity::Error,
        fix: FixAvailability::Sometimes,
        targets: K8S,
        title: "Bind of a Docker named volume becomes a share volume mount",
        detects: "A `HostConfig.Binds` entry `<volume name>:<target>[:ro]` whose source is a Docker volume name (`myvol:/data`), not a host path.",
        why: "The Kubernetes agent splits every bind on `:` and makes the source a hostPath, so `myvol` becomes a host directory named `myvol` (a relative path) instead of a volume: the data Docker kept in the volume is not there. On the GPU device persistent storage is a share mounted as a `Mounts` entry of type `volume`; the agent claims it as a PersistentVolumeClaim named after the lower-cased `Source`.",
        before: r#"{"HostConfig": {"Binds": ["otel:/blobroot"]}}"#,
        after: r#"{"HostConfig": {"Mounts": [{"Type": "volume", "Source": "otel", "Target": "/blobroot"}]}}"#,
        fix_safety: "Confirm the share name: create a share of that name on the GPU device first (the default is the volume's name, lower-cased, as the PersistentVolumeClaim is named). The data of the Docker volume is not copied.",
    },
    check: Check::Module(check),
};

fn check(_ctx: &Context, module: &Module) -> Vec<Finding> {
    binds(module)
        .into_iter()
        .filter(|b| owner(b) == BindOwner::NamedVolume)
        .map(|b| {
            // Placeholders are data: never lower-case one.
            let share =
                if contains_placeholder(b.source) { b.source.to_owned() } else { b.source.to_ascii_lowercase() };
            let mut mount = Map::new();
            mount.insert("Type".into(), "volume".into());
            mount.insert("Source".into(), share.clone().into());
            mount.insert("Target".into(), b.target.into());
            if b.read_only() {
                mount.insert("ReadOnly".into(), true.into());
            }
            let path = module.co_path(b.rel_pointer());
            let message = format!(
                "bind `{}` names Docker volume `{}`: on Kubernetes it becomes a host directory, not a volume",
                b.raw, b.source
            );
            if !mounts::writable(module) {
                return Finding::new(&RULE, Some(module), path, message + mounts::NOT_WRITABLE);
            }
            Finding::new(&RULE, Some(module), path.clone(), message).suggest_review(
                Suggestion::new(
                    format!("mount share `{share}` as a volume at {} (create the share on the GPU device)", b.target),
                    vec![
                        Edit::Remove { at: path },
                        Edit::Append { at: module.co_path(MOUNTS), value: Value::Object(mount) },
                    ],
                )
                .with_input("share name", 1, "/Source", Some(share.into())),
            )
        })
        .collect()
}
