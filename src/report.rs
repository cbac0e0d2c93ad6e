//! The migration report: per module, what changed and why, what was rejected and what still needs
//! manual work — the document an engineer attaches to the change request.

use crate::manifest::Manifest;
use crate::migrate::{Decision, Outcome};
use crate::rules::{Finding, FixKind};
use std::collections::HashSet;
use std::fmt::Write;

/// What became of a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fate {
    Applied,
    Rejected,
    Skipped,
    Manual,
    Note,
    Open,
}

/// Renders the report in Markdown.
pub fn markdown_report(
    file_name: &str,
    manifest: &Manifest,
    findings: &[Finding],
    decide: impl Fn(&Finding) -> Option<Decision>,
    outcome: &Outcome,
) -> String {
    let applied: HashSet<_> = outcome.applied.iter().collect();
    let skipped: Vec<_> = outcome.skipped.iter().collect();
    let fate = |f: &Finding| {
        let key = f.key();
        if applied.contains(&key) {
            Fate::Applied
        } else if skipped.iter().any(|(k, _)| *k == key) {
            Fate::Skipped
        } else if decide(f) == Some(Decision::Reject) {
            Fate::Rejected
        } else if f.fix == FixKind::Manual {
            Fate::Manual
        } else if f.suggestion.is_none() {
            Fate::Note
        } else {
            Fate::Open
        }
    };
    let fates: Vec<Fate> = findings.iter().map(fate).collect();
    let count = |x: Fate| fates.iter().filter(|f| **f == x).count();

    let mut s = String::new();
    let _ = writeln!(s, "# Migration report: {file_name}\n");
    let _ = writeln!(
        s,
        "Azure Stack Edge Pro FPGA (IoT Edge on Docker) → Azure Stack Edge Pro GPU (IoT Edge on Kubernetes), by fpga2gpu {}.\n",
        env!("CARGO_PKG_VERSION")
    );
    let _ = writeln!(
        s,
        "{} modules, {} findings: **{} applied**, {} rejected, {} need manual work, {} still open, {} notes.\n",
        manifest.modules.len(),
        findings.len(),
        count(Fate::Applied),
        count(Fate::Rejected),
        count(Fate::Manual) + count(Fate::Skipped),
        count(Fate::Open),
        count(Fate::Note),
    );
    if !outcome.renamed.is_empty() {
        let _ = writeln!(s, "Renamed modules (routes and references updated):\n");
        for (from, to) in &outcome.renamed {
            let _ = writeln!(s, "- `{from}` → `{to}`");
        }
        s.push('\n');
    }

    let mut groups: Vec<Option<&str>> = manifest.modules.iter().map(|m| Some(m.name.as_str())).collect();
    groups.push(None);
    for group in groups {
        let items: Vec<(&Finding, Fate)> =
            findings.iter().zip(fates.iter().copied()).filter(|(f, _)| f.module.as_deref() == group).collect();
        if items.is_empty() {
            continue;
        }
        match group {
            Some(name) => {
                let _ = writeln!(s, "## Module `{name}`\n");
            }
            None => {
                let _ = writeln!(s, "## Deployment\n");
            }
        }
        for (title, fate) in [
            ("Changed", Fate::Applied),
            ("Rejected", Fate::Rejected),
            ("Needs manual work", Fate::Manual),
            ("Could not be applied", Fate::Skipped),
            ("Not decided yet", Fate::Open),
            ("Notes", Fate::Note),
        ] {
            let list: Vec<&Finding> = items.iter().filter(|(_, x)| *x == fate).map(|(f, _)| *f).collect();
            if list.is_empty() {
                continue;
            }
            let _ = writeln!(s, "### {title}\n");
            for f in list {
                let _ = write!(s, "- **{}** ({}, {}): {}", f.rule, f.section.name(), f.severity.name(), f.message);
                if let (Fate::Applied, Some(sug)) = (fate, &f.suggestion) {
                    let _ = write!(s, ". Change: {}", sug.summary);
                }
                if fate == Fate::Skipped
                    && let Some((_, why)) = skipped.iter().find(|(k, _)| *k == f.key())
                {
                    let _ = write!(s, ". Not applied: {why}");
                }
                let _ = writeln!(s, ".  \n  *Why:* {}", f.reason);
            }
            s.push('\n');
        }
    }
    if !outcome.warnings.is_empty() {
        let _ = writeln!(s, "## Export warnings\n");
        for w in &outcome.warnings {
            let _ = writeln!(s, "- {w}");
        }
    }
    s
}
