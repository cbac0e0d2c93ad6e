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

/// What a rule does to its fixture, as one JSON value for an insta snapshot (ruff's rule tests):
/// its findings, the changed parts of every module once all of them are accepted (proposed values
/// for inputs), and what the rule still finds on that output (idempotence: nothing it can fix).
/// The device is the rule's first target with default settings, unless `device` says otherwise.
pub fn rule_snapshot(id: &str, device: Option<DeviceProfile>) -> Value {
    let rule = fpga2gpu::rules::rule(id).unwrap_or_else(|| panic!("no rule {id}"));
    let device = device.unwrap_or_else(|| DeviceProfile { target: rule.doc.targets[0], ..DeviceProfile::default() });
    let m = load(id);
    let all = analyse(&m, &device);
    let found: Vec<&Finding> = all.iter().filter(|f| f.rule == id).collect();
    let findings: Vec<Value> = found
        .iter()
        .map(|f| {
            serde_json::json!({
                "module": f.module, "severity": f.severity, "at": f.location.to_string(), "message": f.message,
                "fix": f.fix(), "suggestion": f.suggestion.as_ref().map(|s| serde_json::json!({
                    "summary": s.summary, "applicability": s.applicability,
                    "input": s.input.as_ref().map(|i| serde_json::json!({"label": i.label, "default": i.default})),
                    "rename": s.rename.as_ref().map(|r| &r.to),
                })),
            })
        })
        .collect();
    let out = migrate(&m, &device, &all, |f| (f.rule == id && f.suggestion.is_some()).then_some(Decision::Accept));
    let mut failed: Vec<String> = out.failed().map(|(k, why)| format!("{}: {why}", k.id())).collect();
    failed.sort();
    let again = reload(&m, &out);
    let mut changed = serde_json::Map::new();
    for before in &m.modules {
        let to = out.renamed.iter().find(|(f, _)| *f == before.name).map_or(before.name.as_str(), |(_, t)| t);
        let Some(after) = again.module(to) else { continue };
        let part = |x: &Manifest, at: &fpga2gpu::manifest::Pointer| x.get(at).cloned().unwrap_or(Value::Null);
        let (co_before, co_after) = (before.create_options.value.clone(), after.create_options.value.clone());
        let (env_before, env_after) = (part(&m, &before.at.child("env")), part(&again, &after.at.child("env")));
        if co_before != co_after || env_before != env_after || to != before.name {
            changed.insert(
                to.to_owned(),
                serde_json::json!({"createOptions": co_after, "env": env_after, "renamed from": (to != before.name).then_some(&before.name)}),
            );
        }
    }
    let deployment_before = m.get(&m.edge_hub_at()).cloned();
    let deployment_after = again.get(&again.edge_hub_at()).cloned();
    let left: Vec<String> = analyse(&again, &device)
        .into_iter()
        .filter(|f| f.rule == id)
        .map(|f| format!("{} {}: {}", f.fix().name(), f.module.as_deref().unwrap_or("deployment"), f.message))
        .collect();
    serde_json::json!({
        "findings": findings,
        "changed modules": changed,
        "$edgeHub changed": deployment_before != deployment_after,
        "not applied": failed,
        "warnings": out.warnings,
        "left after accepting": left,
    })
}

/// [`rule_snapshot`] as pretty JSON written by serde_json (insta's own JSON writer shows the
/// arbitrary-precision numbers of manifests as `$serde_json::private::Number` objects).
pub fn rule_snapshot_text(id: &str, device: Option<DeviceProfile>) -> String {
    serde_json::to_string_pretty(&rule_snapshot(id, device)).expect("a Value serialises")
}

/// Asserts that no suggestion among `findings` takes a placeholder (`${ACR}`, `$X`, …) out of the
/// module without saying so: a removed or replaced value's placeholders are either carried into
/// the new value or named in the message or summary, with the word "placeholder".
pub fn assert_placeholders_kept_or_said(label: &str, manifest: &Manifest, findings: &[Finding]) {
    use fpga2gpu::manifest::placeholder::placeholders;
    use fpga2gpu::rules::Edit;
    for f in findings {
        let Some(s) = &f.suggestion else { continue };
        for e in &s.edits {
            let (Edit::Remove { at } | Edit::Set { at, .. }) = e else { continue };
            // The value the edit takes out of the original createOptions.
            let Some((module, inner)) = at.in_create_options() else { continue };
            let Some(co) = decode_create_options(manifest.get(&module.child("settings"))).value else { continue };
            let Some(before) = co.pointer(inner.as_str()) else { continue };
            let text = before.to_string();
            let held = placeholders(&text);
            let carried = |p: &&str| s.edits.iter().any(|e| e.fragment().is_some_and(|v| v.to_string().contains(p)));
            if held.iter().all(carried) {
                continue;
            }
            let said = format!("{} {}", f.message, s.summary);
            assert!(
                said.contains("placeholder") && held.iter().all(|p| said.contains(p)),
                "{label} {}: drops {held:?} without saying so: {said}",
                f.key().id()
            );
        }
    }
}

/// The real manifests: `$FPGA2GPU_CORPUS`, or `../shared/corpus/real` beside this checkout.
pub fn corpus_dir() -> PathBuf {
    std::env::var_os("FPGA2GPU_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/real"))
}

/// The corpus's `.json` files, sorted; `None` when the folder is not there, said plainly on stderr
/// (`skipped` names what is left out). A folder without a single manifest is an error.
pub fn corpus_paths(skipped: &str) -> Option<Vec<PathBuf>> {
    let dir = corpus_dir();
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("SKIPPED: {skipped} (no corpus at {}; set FPGA2GPU_CORPUS)", dir.display());
        return None;
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "the corpus folder {} holds no .json files", dir.display());
    Some(files)
}

/// A corpus file's name.
pub fn file_name(p: &std::path::Path) -> String {
    p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

/// The corpus files with their bytes, by file name; `None` as for [`corpus_paths`].
pub fn corpus_bytes(skipped: &str) -> Option<Vec<(String, Vec<u8>)>> {
    let paths = corpus_paths(skipped)?;
    Some(paths.iter().filter_map(|p| Some((file_name(p), std::fs::read(p).ok()?))).collect())
}

/// The corpus manifests that load, by file name; empty (said plainly) when there is no corpus.
pub fn corpus_manifests(skipped: &str) -> Vec<(String, Manifest)> {
    let paths = corpus_paths(skipped).unwrap_or_default();
    paths.iter().filter_map(|p| Some((file_name(p), Manifest::load_file(p).ok()?))).collect()
}
