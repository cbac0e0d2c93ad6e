//! STO002: a bind of a host folder, written as a `Mounts` bind entry.

use super::binds::{Bind, binds};
use super::mounts::{self, MOUNTS};
use super::paths::{BindOwner, owner, starts_with_placeholder};
use crate::manifest::Module;
use crate::rules::{Check, Context, Edit, Finding, FixAvailability, K8S, Rule, RuleDoc, Section, Severity, Suggestion};
use serde_json::{Map, Value};

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "STO002",
        section: Section::Storage,
        severity: Severity::Warning,
        fix: FixAvailability::Sometimes,
        targets: K8S,
        title: "Bind of a host folder becomes a `Mounts` bind entry",
        detects: "A `HostConfig.Binds` entry `<host folder>:<target>[:ro]` whose source is an absolute host path (or a placeholder filled in at deploy time, such as `$VIDEO_FOLDER`) and that no other storage rule handles (Edge shares: STO001, files: STO004, Windows paths: STO008). A relative source (`./data`) is reported for a manual fix.",
        why: "The guide asks for `Mounts` instead of `Binds`. The Kubernetes agent turns both into a hostPath volume of type DirectoryOrCreate, so the module keeps working, but the `Mounts` form names source, target and read-only explicitly instead of relying on the `:` split of a string. A relative path is rejected by Docker and is not a valid hostPath.",
        before: r#"{"HostConfig": {"Binds": ["/data/storage:/storage:ro"]}}"#,
        after: r#"{"HostConfig": {"Mounts": [{"Type": "bind", "Source": "/data/storage", "Target": "/storage", "ReadOnly": true}]}}"#,
        fix_safety: "Safe: the same host folder is mounted at the same place. Bind options other than `ro`/`rw` (`z`, `rslave`…) are dropped; the Kubernetes agent ignores them anyway. The host folder must exist on the GPU device (or is created empty).",
    },
    check: Check::Module(check),
};

fn check(_ctx: &Context, module: &Module) -> Vec<Finding> {
    binds(module).into_iter().filter(|b| owner(b) == BindOwner::HostPath).map(|b| finding(module, &b)).collect()
}

fn finding(module: &Module, b: &Bind<'_>) -> Finding {
    let path = module.co_path(b.rel_pointer());
    if !b.source.starts_with('/') && !starts_with_placeholder(b.source) {
        return Finding::new(
            &RULE,
            Some(module),
            path,
            format!(
                "bind `{}` has the relative host path `{}`: use an absolute host folder (or a share volume)",
                b.raw, b.source
            ),
        );
    }
    if !mounts::writable(module) {
        let message = format!("bind `{}` of host folder `{}` should be a `Mounts` bind entry", b.raw, b.source);
        return Finding::new(&RULE, Some(module), path, message + mounts::NOT_WRITABLE);
    }
    let mut mount = Map::new();
    mount.insert("Type".into(), "bind".into());
    mount.insert("Source".into(), b.source.into());
    mount.insert("Target".into(), b.target.into());
    if b.read_only() {
        mount.insert("ReadOnly".into(), true.into());
    }
    let dropped: Vec<&str> =
        b.options.into_iter().flat_map(|o| o.split(',')).filter(|o| !matches!(*o, "ro" | "rw" | "")).collect();
    let mut summary = format!("mount host folder `{}` at {} with a `Mounts` bind entry", b.source, b.target);
    if !dropped.is_empty() {
        summary.push_str(&format!(" (option `{}` dropped: ignored on Kubernetes)", dropped.join(",")));
    }
    Finding::new(
        &RULE,
        Some(module),
        path.clone(),
        format!("bind `{}` of host folder `{}` should be a `Mounts` bind entry", b.raw, b.source),
    )
    .suggest(Suggestion::new(
        summary,
        vec![Edit::Remove { at: path }, Edit::Append { at: module.co_path(MOUNTS), value: Value::Object(mount) }],
    ))
}
