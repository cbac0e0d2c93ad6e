//! Helpers shared by the integration tests: load a per-rule fixture, run the engine, look at the
//! migrated createOptions of a module.
#![allow(dead_code)]

use fpga2gpu::device::DeviceProfile;
use fpga2gpu::manifest::{Manifest, decode_create_options};
use fpga2gpu::migrate::{Decision, Outcome, migrate};
use fpga2gpu::rules::{Finding, Fix, analyse};
use serde_json::Value;
use std::path::PathBuf;

/// `tests/fixtures/<name>`.
pub fn fixture_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

/// Loads `tests/fixtures/rules/<ID>.json` (or another fixture by relative name).
pub fn load(name: &str) -> Manifest {
    let file = if name.ends_with(".json") { name.to_owned() } else { format!("rules/{name}.json") };
    Manifest::load_file(&fixture_path(&file)).unwrap_or_else(|e| panic!("fixture {file}: {e}"))
}

/// Loads a manifest from inline JSON text.
pub fn parse(text: &str) -> Manifest {
    Manifest::load(text.as_bytes()).unwrap_or_else(|e| panic!("inline manifest: {e}"))
}

/// Every finding, for the default device.
pub fn all(manifest: &Manifest) -> Vec<Finding> {
    analyse(manifest, &DeviceProfile::default())
}

/// The findings of one rule.
pub fn findings(manifest: &Manifest, rule: &str) -> Vec<Finding> {
    all(manifest).into_iter().filter(|f| f.rule == rule).collect()
}

/// Migrates deciding every finding of `rule` that has a suggestion with `decision`, nothing else.
pub fn migrate_rule(manifest: &Manifest, rule: &str, decision: Decision) -> Outcome {
    let all = all(manifest);
    let out = migrate(manifest, &DeviceProfile::default(), &all, |f| {
        (f.rule == rule && f.suggestion.is_some()).then(|| decision.clone())
    });
    let failed: Vec<_> = out.failed().collect();
    assert!(failed.is_empty(), "not applied: {failed:?}");
    assert!(out.warnings.is_empty(), "warnings: {:?}", out.warnings);
    out
}

/// Accepts every finding of `rule` (input fixes take their default).
pub fn accept(manifest: &Manifest, rule: &str) -> Outcome {
    migrate_rule(manifest, rule, Decision::Accept)
}

/// Re-loads a migrated document, as the next run of the tool would.
pub fn reload(manifest: &Manifest, out: &Outcome) -> Manifest {
    Manifest::load(out.text(manifest).as_bytes()).expect("migrated output loads")
}

/// The decoded createOptions of module `name` in a migrated document.
pub fn create_options(manifest: &Manifest, out: &Outcome, name: &str) -> Value {
    let again = reload(manifest, out);
    let m = again.module(name).unwrap_or_else(|| panic!("module {name} in output"));
    let settings = again.get(&m.at.child("settings"));
    decode_create_options(settings).value.expect("readable createOptions")
}

/// Safe fixes of `rule` left after re-loading the output: idempotence says none.
pub fn auto_left(manifest: &Manifest, out: &Outcome, rule: &str) -> Vec<Finding> {
    findings(&reload(manifest, out), rule).into_iter().filter(|f| f.fix() == Fix::Safe).collect()
}
