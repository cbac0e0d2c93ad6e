//! The migration report: per module, what changed and why, what was rejected and what still needs
//! manual work — the document an engineer attaches to the change request. It reads each
//! finding's fate from the migration outcome; it decides nothing itself.

pub mod github;
pub mod position;
pub mod sarif;

use crate::device::{DeviceProfile, Target};
use crate::manifest::Manifest;
use crate::migrate::{Fate, Outcome};
use crate::rules::{Finding, Fix, Step};
use std::fmt::Write;

/// How the report groups findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Group {
    Changed,
    Rejected,
    Manual,
    Failed,
    Open,
    Note,
}

fn group(f: &Finding, fate: &Fate) -> Group {
    match fate {
        Fate::Accepted | Fate::Edited => Group::Changed,
        Fate::Rejected => Group::Rejected,
        Fate::Failed(_) => Group::Failed,
        Fate::Open => match f.fix() {
            Fix::Manual => Group::Manual,
            Fix::None => Group::Note,
            _ => Group::Open,
        },
    }
}

pub use crate::rules::RENAME_NOTE;

/// Renders the report in Markdown. `remaining` are the findings of the migrated manifest read
/// back (what would still be reported on the output).
pub fn markdown_report(
    file_name: &str,
    device: &DeviceProfile,
    manifest: &Manifest,
    findings: &[Finding],
    outcome: &Outcome,
    remaining: &[Finding],
) -> String {
    let groups: Vec<Group> = findings.iter().map(|f| group(f, outcome.fate(&f.key()))).collect();
    let count = |x: Group| groups.iter().filter(|g| **g == x).count();

    let mut s = String::new();
    let _ = writeln!(s, "# Migration report: {file_name}\n");
    let _ = writeln!(
        s,
        "Azure Stack Edge Pro FPGA (IoT Edge on Docker) → Azure Stack Edge Pro GPU ({}), by fpga2gpu {}.\n",
        target_title(device),
        env!("CARGO_PKG_VERSION")
    );
    let _ = writeln!(
        s,
        "{} modules, {} findings: **{} applied**, {} rejected, {} need manual work, {} still open, {} notes.\n",
        manifest.modules.len(),
        findings.len(),
        count(Group::Changed),
        count(Group::Rejected),
        count(Group::Manual) + count(Group::Failed),
        count(Group::Open),
        count(Group::Note),
    );
    let steps = checklist(findings);
    if !steps.is_empty() {
        let _ = writeln!(s, "## Before you deploy\n");
        for step in steps {
            let _ = writeln!(
                s,
                "- [ ] **{}**{}  ",
                step.action,
                if step.inferred { " *(inferred, not documented by Microsoft)*" } else { "" }
            );
            let _ = writeln!(s, "  {}", step.detail.replace('\n', "\n  "));
        }
        s.push('\n');
    }
    if !outcome.renamed.is_empty() {
        let _ = writeln!(s, "Renamed modules (routes and references updated):\n");
        for (from, to) in &outcome.renamed {
            let _ = writeln!(s, "- `{from}` → `{to}`");
        }
        let _ = writeln!(s, "\n**Note:** {RENAME_NOTE}.\n");
    }

    let mut entries: Vec<Option<&str>> = manifest.modules.iter().map(|m| Some(m.name.as_str())).collect();
    entries.push(None);
    for entry in entries {
        let items: Vec<(&Finding, Group)> =
            findings.iter().zip(groups.iter().copied()).filter(|(f, _)| f.module.as_deref() == entry).collect();
        if items.is_empty() {
            continue;
        }
        match entry {
            Some(name) => {
                let _ = writeln!(s, "## Module `{name}`\n");
            }
            None => {
                let _ = writeln!(s, "## Deployment\n");
            }
        }
        for (title, g) in [
            ("Changed", Group::Changed),
            ("Rejected", Group::Rejected),
            ("Needs manual work", Group::Manual),
            ("Could not be applied", Group::Failed),
            ("Not decided yet", Group::Open),
            ("Notes", Group::Note),
        ] {
            let list: Vec<&Finding> = items.iter().filter(|(_, x)| *x == g).map(|(f, _)| *f).collect();
            if list.is_empty() {
                continue;
            }
            let _ = writeln!(s, "### {title}\n");
            for f in list {
                let _ = write!(s, "- **{}** ({}, {}): {}", f.rule, f.section.name(), f.severity.name(), f.message);
                if let (Group::Changed, Some(sug)) = (g, &f.suggestion) {
                    let _ = write!(s, ". Change ({}): {}", sug.applicability.title(), sug.summary);
                }
                if let Fate::Failed(why) = outcome.fate(&f.key()) {
                    let _ = write!(s, ". Not applied: {why}");
                }
                let _ = writeln!(s, ".  \n  *Why:* {}", f.reason);
            }
            s.push('\n');
        }
    }
    let still: Vec<&Finding> = remaining.iter().filter(|f| f.fix() != Fix::None).collect();
    if !still.is_empty() {
        let _ = writeln!(s, "## Still reported on the migrated manifest\n");
        for f in still {
            let _ = writeln!(
                s,
                "- **{}** ({}) {}: {}",
                f.rule,
                f.severity.name(),
                f.module.as_deref().map_or_else(|| "deployment".to_owned(), |m| format!("`{m}`")),
                f.message
            );
        }
        s.push('\n');
    }
    if !outcome.warnings.is_empty() {
        let _ = writeln!(s, "## Export warnings\n");
        for w in &outcome.warnings {
            let _ = writeln!(s, "- {w}");
        }
    }
    s
}

/// The target as the report's first line names it.
pub fn target_title(device: &DeviceProfile) -> String {
    match device.target {
        Target::K8s => "the managed IoT Edge on Kubernetes".to_owned(),
        Target::Vm => format!("IoT Edge {} in an Ubuntu VM", device.iotedge_version.name()),
    }
}

/// The "Before you deploy" checklist: the steps findings ask for, each once, in finding order.
pub fn checklist(findings: &[Finding]) -> Vec<&Step> {
    let mut seen = std::collections::HashSet::new();
    findings.iter().filter_map(|f| f.step.as_ref()).filter(|s| seen.insert(&s.action)).collect()
}

/// A finding's message for places that show it without its module's createOptions beside it
/// (annotations, SARIF, the terminal): inside a createOptions string, it quotes the value the
/// region's chunk holds, since the region is the whole string.
pub fn quoted_message(f: &Finding, p: &position::Position) -> String {
    match &p.fragment {
        Some(fragment) if !p.exact && !f.message.contains(fragment.as_str()) => {
            format!("{} (in createOptions: `{fragment}`)", f.message)
        }
        _ => f.message.clone(),
    }
}
