//! STO008: a bind of a Windows host path.

use super::layout::{MountType, binds, mounts};
use super::paths::{BindOwner, is_windows, owner};
use crate::manifest::Module;
use crate::rules::{Check, Context, Finding, FixAvailability, K8S, Rule, RuleDoc, Section, Severity};

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "STO008",
        section: Section::Storage,
        severity: Severity::Error,
        fix: FixAvailability::Never,
        targets: K8S,
        title: "Bind of a Windows host path",
        detects: "A `HostConfig.Binds` entry whose source is a Windows path (`C:\\data:/data`, `\\\\.\\pipe\\x:…`), or a `Mounts` bind entry with such a `Source`.",
        why: "The Kubernetes agent splits a bind on every `:`, so `C:\\data:/data` becomes the host path `C` mounted at `\\data`: the pod is invalid or mounts the wrong thing. And the GPU device is Linux: no Windows path exists there at all.",
        before: r#"{"HostConfig": {"Binds": ["C:\\data:/data"]}}"#,
        after: r#"{"HostConfig": {"Mounts": [{"Type": "volume", "Source": "data", "Target": "/data"}]}}"#,
        fix_safety: "Manual: decide where the data lives on the GPU device (usually a share mounted as a volume).",
    },
    check: Check::Module(check),
};

fn check(_ctx: &Context, module: &Module) -> Vec<Finding> {
    let from_binds = binds(module).filter(|(_, b)| owner(b) == BindOwner::Windows).map(|(entry, b)| {
        Finding::new(
            &RULE,
            Some(module),
            module.create_options_at(entry.at.clone()),
            format!(
                "bind `{}` has the Windows host path `{}`: the agent splits it on `:` and the GPU device is Linux; mount a share instead",
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
            format!(
                "`Mounts` bind of the Windows host path `{source}`: the GPU device is Linux; mount a share instead"
            ),
        ))
    });
    from_binds.chain(from_mounts).collect()
}
