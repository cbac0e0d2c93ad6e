//! STO008: a bind of a Windows host path.

use super::layout::{MountType, binds, mounts};
use super::paths::{BindOwner, ShareRoots, is_windows, owner};
use crate::device::Target;
use crate::manifest::Module;
use crate::rules::{BOTH, Check, Context, Finding, FixAvailability, Rule, RuleDoc, Section, Severity};

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "STO008",
        section: Section::Storage,
        severity: Severity::Error,
        fix: FixAvailability::Never,
        targets: BOTH,
        title: "Bind of a Windows host path",
        detects: "A `HostConfig.Binds` entry whose source is a Windows path (`C:\\data:/data`, `\\\\.\\pipe\\x:…`), or a `Mounts` bind entry with such a `Source`.",
        why: "The Kubernetes agent splits a bind on every `:`, so `C:\\data:/data` becomes the host path `C` mounted at `\\data`: the pod is invalid or mounts the wrong thing. Docker's Linux parser splits it too (into `C`, `\\data` and the mode `/data`) and refuses it. And the GPU device, like the VM on it, is Linux: no Windows path exists there at all (VM-TARGET.md §7: unchanged on the VM target).",
        before: r#"{"HostConfig": {"Binds": ["C:\\data:/data"]}}"#,
        after: r#"{"HostConfig": {"Mounts": [{"Type": "volume", "Source": "data", "Target": "/data"}]}}"#,
        fix_safety: "Manual: decide where the data lives on the GPU device (usually a share mounted as a volume).",
    },
    check: Check::Module(check),
};

fn check(ctx: &Context, module: &Module) -> Vec<Finding> {
    let shares = ShareRoots::of(ctx.device);
    let (split, host) = match ctx.device.target {
        Target::K8s => ("the agent splits it on `:`", "the GPU device is Linux; mount a share instead"),
        Target::Vm => ("Docker splits it on `:`", "the VM is Linux; mount a share or a folder of the VM instead"),
    };
    let from_binds = binds(module).filter(|(_, b)| owner(b, &shares) == BindOwner::Windows).map(|(entry, b)| {
        Finding::new(
            &RULE,
            Some(module),
            module.create_options_at(entry.at.clone()),
            format!(
                "bind `{}` has the Windows host path `{}`: {split} and {host}",
                entry.raw.as_deref().unwrap_or_default(),
                b.source
            ),
        )
    });
    let from_mounts = mounts(module).iter().filter(|m| MountType::of(m) == Some(MountType::Bind)).filter_map(|m| {
        let source = m.source().filter(|s| is_windows(s))?;
        Some(Finding::new(
            &RULE,
            Some(module),
            module.create_options_at(m.at.clone()),
            format!("`Mounts` bind of the Windows host path `{source}`: {host}"),
        ))
    });
    from_binds.chain(from_mounts).collect()
}
