//! STO104 (VM target): named-pipe mounts and Windows container paths, which Docker on Linux
//! refuses.

use super::layout::{MountType, binds, mounts};
use super::paths::is_windows;
use crate::manifest::Module;
use crate::rules::{Check, Context, Finding, FixAvailability, Rule, RuleDoc, Section, Severity, VM};

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "STO104",
        section: Section::Storage,
        severity: Severity::Error,
        fix: FixAvailability::Never,
        targets: VM,
        title: "Named-pipe mount or Windows container path in a Linux VM",
        detects: "A `Mounts` entry of type `npipe`, and a bind or mount whose container path is a Windows path (`C:\\app`). Windows host paths are STO008's, on both targets.",
        why: "The VM runs Linux (VM-TARGET.md §7). Docker's Linux mount parser knows `bind`, `volume` and `tmpfs`: any other type fails with \"mount type unknown\", and a container path must be an absolute Linux path (moby/moby `volume/mounts/linux_parser.go`), so the container is not created. A Windows named pipe (`\\\\.\\pipe\\docker_engine`) is for Windows containers; on the managed Kubernetes target STO006 drops it instead.",
        before: r#"{"HostConfig": {"Mounts": [{"Type": "npipe", "Source": "\\\\.\\pipe\\docker_engine", "Target": "\\\\.\\pipe\\docker_engine"}]}}"#,
        after: r#"{"HostConfig": {"Mounts": [{"Type": "bind", "Source": "/var/run/docker.sock", "Target": "/var/run/docker.sock"}]}} (with a Linux build of the module)"#,
        fix_safety: "Manual: a module written for Windows containers needs a Linux image; its Docker named pipe becomes the Unix socket `/var/run/docker.sock`, its paths Linux paths.",
    },
    check: Check::Module(check),
};

fn check(_ctx: &Context, module: &Module) -> Vec<Finding> {
    let mut out = Vec::new();
    // A Windows host path is STO008's: one finding per entry.
    for (entry, bind) in binds(module).filter(|(_, b)| is_windows(&b.target) && !b.windows && !is_windows(&b.source)) {
        let message = format!(
            "bind `{}` has the Windows container path `{}`: the VM runs Linux, and Docker refuses it",
            entry.raw.as_deref().unwrap_or_default(),
            bind.target
        );
        out.push(Finding::new(&RULE, Some(module), module.create_options_at(entry.at.clone()), message));
    }
    for m in mounts(module) {
        let location = module.create_options_at(m.at.clone());
        let target = m.target().unwrap_or_default();
        let message = if m.kind().as_deref() == Some("npipe") {
            format!(
                "`npipe` mount of `{}`: a Windows named pipe; Docker on the Linux VM refuses the mount type, so the container is not created",
                m.source().unwrap_or(target)
            )
        } else if MountType::of(m).is_some() && is_windows(target) {
            format!(
                "`Mounts` entry {} has the Windows container path `{target}`: the VM runs Linux, and Docker refuses it",
                m.index
            )
        } else {
            continue;
        };
        out.push(Finding::new(&RULE, Some(module), location, message));
    }
    out
}
