//! MAN005: `$edgeAgent` desired properties over IoT Hub's 32 KB limit.

use crate::manifest::{Location, Manifest};
use crate::rules::{BOTH, Check, Context, Finding, FixAvailability, Rule, RuleDoc, Section, Severity};

/// IoT Hub's limit for one desired-properties section.
pub const DESIRED_PROPERTIES_LIMIT: usize = 32 * 1024;

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "MAN005",
        section: Section::Other,
        severity: Severity::Warning,
        fix: FixAvailability::Never,
        targets: BOTH,
        title: "$edgeAgent desired properties over 32 KB",
        detects: "The `$edgeAgent` desired properties of the manifest (as written, or after migration) larger than 32 KB.",
        why: "IoT Hub refuses a desired-properties section over 32 KB, so the deployment cannot be applied. The settings the migration adds (Kubernetes sections; on the VM, device requests and mounts) make createOptions larger.",
        before: "a $edgeAgent section of 31 KB before migration",
        after: "move modules to a layered deployment, or shorten createOptions (drop ignored keys, defaults)",
        fix_safety: "Manual: split the deployment or trim createOptions.",
    },
    check: Check::Manifest(check),
};

/// Size of `$edgeAgent` desired properties as IoT Hub counts them (minified JSON).
pub fn agent_desired_size(manifest: &Manifest) -> usize {
    let agent = manifest.get(&manifest.edge_agent_at());
    agent.map_or(0, |a| serde_json::to_string(a).map_or(0, |s| s.len()))
}

fn check(ctx: &Context) -> Vec<Finding> {
    let size = agent_desired_size(ctx.manifest);
    if size <= DESIRED_PROPERTIES_LIMIT {
        return Vec::new();
    }
    vec![Finding::new(
        &RULE,
        None,
        Location::Document(ctx.manifest.edge_agent_at()),
        format!("$edgeAgent desired properties are {:.1} KB, over IoT Hub's 32 KB limit", size as f64 / 1024.0),
    )]
}
