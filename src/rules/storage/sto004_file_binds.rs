//! STO004: a bind of a file, which a hostPath volume of type DirectoryOrCreate cannot mount.

use super::binds::binds;
use super::mounts::{self, MOUNTS, mounts};
use super::paths::{BindOwner, is_device, is_docker, is_file, is_system_dir, is_windows, owner, parent};
use super::paths::{is_volume_name, starts_with_placeholder};
use crate::manifest::Module;
use crate::rules::{Check, Context, Edit, Finding, FixAvailability, K8S, Rule, RuleDoc, Section, Severity, Suggestion};
use serde_json::{Map, Value};

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "STO004",
        section: Section::Storage,
        severity: Severity::Error,
        fix: FixAvailability::Sometimes,
        targets: K8S,
        title: "Bind of a file: mount the folder that holds it",
        detects: "A bind, in `Binds` or as a `Mounts` entry of type `bind`, whose host source or container target is a file: a name with a file extension (`config.json`), a well-known file (`/var/run/docker.sock`, `/etc/hosts`, `/etc/localtime`, `/sys/class/gpio/export`), a program in a `bin` folder, or a device node (`/dev/video0`).",
        why: "The Kubernetes agent turns every bind into a hostPath volume of type DirectoryOrCreate, and the kubelet refuses to start the pod when the host path is a file (or creates an empty directory where the file was expected). Only directories can be mounted: mount the parent folder and let the module read the file inside it. Where the parent is a system folder (`/`, `/etc`, `/dev`, `/var/run`…) mounting it would shadow the container's own files, and the Docker socket is useless because there is no Docker engine on the GPU device: those need a change to the module.",
        before: r#"{"HostConfig": {"Binds": ["/opt/app/config/settings.json:/app/config/settings.json:ro"]}}"#,
        after: r#"{"HostConfig": {"Mounts": [{"Type": "bind", "Source": "/opt/app/config", "Target": "/app/config", "ReadOnly": true}]}}"#,
        fix_safety: "Check that the module can read the file from the mounted folder (the whole folder becomes visible, and it hides whatever the image had at the target folder). Several files of the same folder become one mount.",
    },
    check: Check::Module(check),
};

/// One bind of a file, in either form.
struct FileBind<'a> {
    /// Pointer (relative to createOptions) to the `Binds` or `Mounts` element.
    rel: String,
    /// How the engineer wrote it (`a:b:ro`, or `Mounts` `a` → `b`).
    shown: String,
    source: &'a str,
    target: &'a str,
    read_only: bool,
}

fn check(_ctx: &Context, module: &Module) -> Vec<Finding> {
    let mut items: Vec<FileBind<'_>> = binds(module)
        .into_iter()
        .filter(|b| owner(b) == BindOwner::File)
        .map(|b| FileBind {
            rel: b.rel_pointer(),
            shown: format!("bind `{}`", b.raw),
            source: b.source,
            target: b.target,
            read_only: b.read_only(),
        })
        .collect();
    let all_mounts = mounts(module);
    items.extend(all_mounts.iter().filter(|m| m.kind().as_deref() == Some("bind")).filter_map(|m| {
        let (source, target) = (m.source()?, m.target()?);
        (!is_windows(source) && (is_file(source) || is_file(target))).then(|| FileBind {
            rel: m.rel_pointer(),
            shown: format!("`Mounts` bind `{source}` → `{target}`"),
            source,
            target,
            read_only: m.read_only(),
        })
    }));

    let mut out = Vec::new();
    // Files of the same folder, mounted at the same place, become one mount.
    let mut groups: Vec<((&str, &str), Vec<&FileBind<'_>>)> = Vec::new();
    for item in &items {
        match manual_reason(item) {
            Some(reason) => out.push(Finding::new(
                &RULE,
                Some(module),
                module.co_path(&item.rel),
                format!("{} {reason}", item.shown),
            )),
            None => {
                let key = (parent(item.source), parent(item.target));
                match groups.iter_mut().find(|(k, _)| *k == key) {
                    Some((_, g)) => g.push(item),
                    None => groups.push((key, vec![item])),
                }
            }
        }
    }
    // A folder mount that already exists (and is not one of the files) needs no second one.
    let existing: Vec<(&str, &str)> = all_mounts
        .iter()
        .filter(|m| m.kind().as_deref() == Some("bind") && !items.iter().any(|i| i.rel == m.rel_pointer()))
        .filter_map(|m| Some((m.source()?, m.target()?)))
        .chain(binds(module).into_iter().filter(|b| owner(b) != BindOwner::File).map(|b| (b.source, b.target)))
        .collect();

    for ((folder, target), group) in groups {
        let first = group[0];
        let reads: Vec<String> =
            group.iter().map(|i| format!("{}/{}", target.trim_end_matches('/'), name(i.source))).collect();
        let mut edits: Vec<Edit> = group.iter().map(|i| Edit::Remove { at: module.co_path(&i.rel) }).collect();
        let message = format!(
            "{} mounts the file `{}`: a hostPath DirectoryOrCreate volume cannot mount a file",
            first.shown,
            if is_file(first.source) { first.source } else { first.target }
        ) + &if group.len() > 1 {
            format!(" ({} more file(s) of `{folder}`)", group.len() - 1)
        } else {
            String::new()
        };
        let reads = reads.join("`, `");
        let finding = Finding::new(&RULE, Some(module), module.co_path(&first.rel), message);
        if !mounts::writable(module) {
            let mut f = finding;
            f.message.push_str(mounts::NOT_WRITABLE);
            out.push(f);
            continue;
        }
        if existing.contains(&(folder, target)) {
            out.push(finding.suggest_review(Suggestion::new(
                format!("drop it: folder `{folder}` is already mounted at {target}; the module must read `{reads}`"),
                edits,
            )));
            continue;
        }
        let mut mount = Map::new();
        mount.insert("Type".into(), "bind".into());
        mount.insert("Source".into(), folder.into());
        mount.insert("Target".into(), target.into());
        if group.iter().all(|i| i.read_only) {
            mount.insert("ReadOnly".into(), true.into());
        }
        let at = edits.len();
        edits.push(Edit::Append { at: module.co_path(MOUNTS), value: Value::Object(mount) });
        out.push(
            finding.suggest_review(
                Suggestion::new(
                    format!("mount folder `{folder}` at {target} instead; the module must read `{reads}`"),
                    edits,
                )
                .with_input("host folder", at, "/Source", Some(folder.into())),
            ),
        );
    }
    out
}

/// Why this file bind needs a change to the module rather than a folder mount, if it does.
fn manual_reason(item: &FileBind<'_>) -> Option<String> {
    if is_docker(item.source) || is_docker(item.target) {
        return Some(format!(
            "mounts Docker's `{}`: there is no Docker engine on the GPU device, so the module cannot talk to Docker there",
            if is_docker(item.source) { item.source } else { item.target }
        ));
    }
    if is_device(item.source) {
        return Some(format!(
            "mounts the device node `{}`: a hostPath directory cannot mount it; request the device as a Kubernetes resource, or bind all of `/dev` with `Privileged` if the module really needs raw access",
            item.source
        ));
    }
    if starts_with_placeholder(item.source) || is_volume_name(item.source) {
        return Some(format!(
            "mounts the file `{}` from the host path `{}`, filled in at deploy time: make it the folder that holds the file",
            item.target, item.source
        ));
    }
    let shadowed: Vec<&str> =
        [parent(item.source), parent(item.target)].into_iter().filter(|p| is_system_dir(p)).collect();
    match shadowed.as_slice() {
        [] => None,
        [dir, ..] => Some(format!(
            "mounts the file `{}`, and its folder `{dir}` is a system folder: mounting it would shadow the container's own files; the module must get the file another way (a share, an environment variable, or the image)",
            if is_file(item.source) { item.source } else { item.target }
        )),
    }
}

fn name(path: &str) -> &str {
    path.rsplit_once('/').map_or(path, |(_, n)| n)
}
