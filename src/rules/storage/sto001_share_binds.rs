//! STO001: a bind of the FPGA device's Edge share path.

use super::binds::binds;
use crate::manifest::Module;
use crate::rules::{Check, Context, Edit, Finding, FixAvailability, K8S, Rule, RuleDoc, Section, Severity, Suggestion};
use serde_json::{Map, Value};

/// Where the FPGA device mounts Edge shares on the host.
pub const SHARE_ROOT: &str = "/home/hcsshares/";

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "STO001",
        section: Section::Storage,
        severity: Severity::Error,
        fix: FixAvailability::Sometimes,
        targets: K8S,
        title: "Bind of an FPGA Edge share path becomes a volume mount of the share",
        detects: "A `HostConfig.Binds` entry `/home/hcsshares/<share>:<target>[:ro]`: the host path where the FPGA device mounts Edge shares.",
        why: "On the GPU device shares are Kubernetes volumes named after the share; the FPGA host path /home/hcsshares does not exist there, so the bind would mount an empty directory.",
        before: r#"{"HostConfig": {"Binds": ["/home/hcsshares/images:/data:ro"]}}"#,
        after: r#"{"HostConfig": {"Mounts": [{"Type": "volume", "Source": "images", "Target": "/data", "ReadOnly": true}]}}"#,
        fix_safety: "Safe when the share of that name exists on the GPU device (create it in the Azure portal first). A bind of a folder inside a share cannot be mounted alone: the whole share is mounted and the fix needs your confirmation.",
    },
    check: Check::Module(check),
};

fn check(_ctx: &Context, module: &Module) -> Vec<Finding> {
    binds(module)
        .into_iter()
        .filter_map(|b| {
            let rest = b.source.strip_prefix(SHARE_ROOT)?.trim_end_matches('/');
            let (share, sub) = rest.split_once('/').map_or((rest, ""), |(s, sub)| (s, sub));
            if share.is_empty() {
                return None;
            }
            let mut mount = Map::new();
            mount.insert("Type".into(), "volume".into());
            mount.insert("Source".into(), share.into());
            mount.insert("Target".into(), b.target.into());
            if b.read_only() {
                mount.insert("ReadOnly".into(), true.into());
            }
            let edits = vec![
                Edit::Remove { at: module.co_path(b.rel_pointer()) },
                Edit::Append { at: module.co_path("/HostConfig/Mounts"), value: Value::Object(mount) },
            ];
            let finding = Finding::new(
                &RULE,
                Some(module),
                module.co_path(b.rel_pointer()),
                format!("bind `{}` uses the FPGA share path of share `{share}`", b.raw),
            );
            Some(if sub.is_empty() {
                finding.suggest(Suggestion::new(format!("mount share `{share}` as a volume at {}", b.target), edits))
            } else {
                finding.suggest_review(
                    Suggestion::new(
                        format!(
                            "mount the whole share `{share}` at {} (the module must then read its `{sub}` folder)",
                            b.target
                        ),
                        edits,
                    )
                    .with_input("share name", 1, "/Source", Some(share.into())),
                )
            })
        })
        .collect()
}
