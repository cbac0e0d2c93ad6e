//! `fpga2gpu check --format sarif`: SARIF 2.1.0 through `serde-sarif`'s typed structures (the crate
//! clippy-sarif uses), so code-scanning services place every finding on its line.

use super::position::Position;
use crate::manifest::LoadError;
use crate::rules::{Finding, Rule, Severity};
use serde_json::{Value, json};
use serde_sarif::sarif::{
    ArtifactLocation, Invocation, Location, LogicalLocation, Message, MultiformatMessageString, Notification,
    PhysicalLocation, PropertyBag, Region, ReportingConfiguration, ReportingDescriptor, Result as SarifResult,
    ResultLevel, Run, Sarif, Tool, ToolComponent,
};
use std::collections::BTreeMap;

/// The schema the output declares (and `tests/sarif.rs` validates against).
pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// What `check` learned about one file.
pub enum FileReport<'a> {
    Checked { uri: String, findings: &'a [Finding], positions: &'a [Position] },
    Unreadable { uri: String, error: &'a LoadError },
}

/// One SARIF log for every file checked: one run, the rule catalogue as the driver's rules.
pub fn log(rules: &[&Rule], files: &[FileReport<'_>]) -> Sarif {
    let index: BTreeMap<&str, usize> = rules.iter().enumerate().map(|(i, r)| (r.doc.id, i)).collect();
    let mut results = Vec::new();
    let mut notifications = Vec::new();
    for file in files {
        match file {
            FileReport::Checked { uri, findings, positions } => {
                for (f, p) in findings.iter().zip(positions.iter()) {
                    results.push(result(uri, f, p, index.get(f.rule).copied()));
                }
            }
            FileReport::Unreadable { uri, error } => {
                let (line, column) = error.position().unwrap_or((1, 1));
                let location = Location::builder()
                    .physical_location(
                        PhysicalLocation::builder()
                            .artifact_location(ArtifactLocation::builder().uri(uri.clone()).build())
                            .region(Region::builder().start_line(line as i64).start_column(column as i64).build())
                            .build(),
                    )
                    .build();
                notifications.push(
                    Notification::builder()
                        .message(text(format!("{uri}: {error}")))
                        .level(json!("error"))
                        .locations(vec![location])
                        .build(),
                );
            }
        }
    }
    let driver = ToolComponent::builder()
        .name("fpga2gpu")
        .version(env!("CARGO_PKG_VERSION"))
        .information_uri("https://github.com/fpga2gpu/fpga2gpu")
        .rules(rules.iter().map(|r| descriptor(r)).collect::<Vec<_>>())
        .build();
    let invocation = Invocation::builder()
        .execution_successful(notifications.is_empty())
        .tool_execution_notifications(notifications)
        .build();
    let run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .results(results)
        .invocations(vec![invocation])
        .column_kind(json!("unicodeCodePoints"))
        .build();
    Sarif::builder().schema(SCHEMA).version(json!("2.1.0")).runs(vec![run]).build()
}

fn text(s: impl Into<String>) -> Message {
    Message::builder().text(s.into()).build()
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn descriptor(r: &Rule) -> ReportingDescriptor {
    let d = &r.doc;
    let mut props = BTreeMap::new();
    props.insert("section".to_owned(), json!(d.section));
    props.insert("fix".to_owned(), json!(d.fix));
    props.insert("targets".to_owned(), json!(d.targets));
    ReportingDescriptor::builder()
        .id(d.id)
        .name(d.title)
        .short_description(MultiformatMessageString::builder().text(d.title).build())
        .full_description(MultiformatMessageString::builder().text(d.detects).build())
        .help(
            MultiformatMessageString::builder()
                .text(format!(
                    "{}\n\nExample: before {} after {}\n\nHow safe the fix is: {}",
                    d.why, d.before, d.after, d.fix_safety
                ))
                .build(),
        )
        .default_configuration(ReportingConfiguration::builder().level(json!(level(d.severity))).build())
        .properties(PropertyBag::builder().additional_properties(props).build())
        .build()
}

fn result(uri: &str, f: &Finding, p: &Position, rule_index: Option<usize>) -> SarifResult {
    let region = Region::builder()
        .start_line(p.region.start_line as i64)
        .start_column(p.region.start_column as i64)
        .end_line(p.region.end_line as i64)
        .end_column(p.region.end_column as i64)
        .build();
    let physical = PhysicalLocation::builder()
        .artifact_location(ArtifactLocation::builder().uri(uri.to_owned()).build())
        .region(region)
        .build();
    let logical = LogicalLocation::builder()
        .name(f.module.clone().unwrap_or_else(|| "deployment".to_owned()))
        .kind(if f.module.is_some() { "module" } else { "deployment" })
        .fully_qualified_name(f.location.to_string())
        .build();
    let location = Location::builder().physical_location(physical).logical_locations(vec![logical]).build();
    let mut props = BTreeMap::new();
    props.insert("section".to_owned(), json!(f.section));
    props.insert("fix".to_owned(), json!(f.fix()));
    props.insert("path".to_owned(), Value::String(f.location.to_string()));
    if let Some(s) = &f.suggestion {
        props.insert("suggestion".to_owned(), Value::String(s.summary.clone()));
    }
    let level = match f.severity {
        Severity::Error => ResultLevel::Error,
        Severity::Warning => ResultLevel::Warning,
        Severity::Info => ResultLevel::Note,
    };
    let mut r = SarifResult::builder()
        .rule_id(f.rule)
        .level(level)
        .message(text(super::quoted_message(f, p)))
        .locations(vec![location])
        .properties(PropertyBag::builder().additional_properties(props).build())
        .build();
    r.rule_index = rule_index.map(|i| i as i64);
    r
}
