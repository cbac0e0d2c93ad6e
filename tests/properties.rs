//! Properties of the whole engine, over generated manifests ([`synth`](../tests/support/synth.rs), random sizes and
//! seeds) and over the real corpus (`FPGA2GPU_CORPUS`, by default `../shared/corpus/real`):
//! - `--accept none` gives back the same JSON, key order included;
//! - `--accept all` leaves nothing to auto-fix when run again;
//! - every createOptions string it writes is in chunks of at most 512 characters that join to JSON,
//!   and it rewrites one only when its value changes;
//! - every template placeholder of the input is in the output, unchanged;
//! - no module, route or module twin is lost (renamed modules are looked up by their new name).
//!
//! Case counts are bounded so the file runs in seconds in a debug build.

mod common;

#[path = "support/synth.rs"]
#[allow(dead_code)]
mod synth;

use fpga2gpu::manifest::{
    CreateOptionsForm, CreateOptionsProblem, ENCODE_CHUNK_CHARS, Manifest, decode_create_options, placeholder,
};
use fpga2gpu::migrate::{Outcome, Policy, migrate};
use fpga2gpu::rules::{Finding, Fix, analyse};
use proptest::prelude::*;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};

/// The corpus files, or `None` (said plainly) when the folder is not there.
fn corpus() -> Option<Vec<(String, Vec<u8>)>> {
    common::corpus_bytes("the corpus tests")
}

/// The text of a document, keys in document order: equal text = equal JSON and equal key order.
fn text_of(v: &Value) -> String {
    serde_json::to_string(v).expect("a Value serialises")
}

/// Findings that `--accept` would still take automatically.
fn auto_suggestions(m: &Manifest) -> Vec<String> {
    analyse(m, &fpga2gpu::device::DeviceProfile::default())
        .into_iter()
        .filter(|f| f.fix() == Fix::Safe)
        .map(|f| format!("{} {:?} {}: {}", f.rule, f.module, f.location, f.message))
        .collect()
}

/// The createOptions chunk strings of a module's settings, in numeric order, when all are strings.
fn chunks(settings: &Map<String, Value>) -> Vec<(u32, String, &str)> {
    let mut out: Vec<(u32, String, &str)> = settings
        .iter()
        .filter(|(k, _)| fpga2gpu::manifest::is_chunk_key(k))
        .filter_map(|(k, v)| Some((k["createOptions".len()..].parse().unwrap_or(0), k.clone(), v.as_str()?)))
        .collect();
    out.sort_by_key(|c| c.0);
    out
}

fn settings<'m>(m: &'m Manifest, name: &str) -> Option<&'m Map<String, Value>> {
    m.get(&m.module(name)?.at.child("settings"))?.as_object()
}

/// Every placeholder in the manifest's keys and strings, createOptions read decoded (a placeholder
/// may straddle two chunks of the input and not of the output).
fn placeholders(m: &Manifest) -> BTreeSet<String> {
    fn walk(v: &Value, in_settings: bool, out: &mut BTreeSet<String>) {
        match v {
            Value::String(s) => out.extend(placeholder::placeholders(s).into_iter().map(str::to_owned)),
            Value::Array(a) => a.iter().for_each(|x| walk(x, false, out)),
            Value::Object(o) => {
                for (k, x) in o {
                    out.extend(placeholder::placeholders(k).into_iter().map(str::to_owned));
                    let chunk = k.strip_prefix("createOptions").is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit()));
                    if !(in_settings && chunk && x.is_string()) {
                        walk(x, k == "settings", out);
                    }
                }
            }
            _ => {}
        }
    }
    let mut out = BTreeSet::new();
    walk(&m.doc, false, &mut out);
    for module in &m.modules {
        match &module.create_options.value {
            Some(v) => walk(v, false, &mut out),
            None => {
                let joined: String =
                    settings(m, &module.name).map(|s| chunks(s).into_iter().map(|c| c.2).collect()).unwrap_or_default();
                out.extend(placeholder::placeholders(&joined).into_iter().map(str::to_owned));
            }
        }
    }
    out
}

/// `--accept none`: the same document, key for key, in the same order.
fn none_round_trips(name: &str, m: &Manifest) -> Result<(), TestCaseError> {
    let out = migrate(
        m,
        &fpga2gpu::device::DeviceProfile::default(),
        &analyse(m, &fpga2gpu::device::DeviceProfile::default()),
        |_| None,
    );
    prop_assert!(out.applied().next().is_none(), "{name}: nothing accepted, nothing applied");
    let again = Manifest::load(out.text(m).as_bytes()).map_err(|e| TestCaseError::fail(format!("{name}: {e}")))?;
    prop_assert_eq!(text_of(&m.doc), text_of(&again.doc), "{}: --accept none changes nothing", name);
    Ok(())
}

/// Every `--accept all` property of one manifest.
fn accept_all_properties(name: &str, m: &Manifest, generated: bool) -> Result<(), TestCaseError> {
    let out: Outcome = migrate(
        m,
        &fpga2gpu::device::DeviceProfile::default(),
        &analyse(m, &fpga2gpu::device::DeviceProfile::default()),
        |f| Policy::All.decide(f),
    );
    let text = out.text(m);
    let again = Manifest::load(text.as_bytes()).map_err(|e| TestCaseError::fail(format!("{name}: output: {e}")))?;

    let left = auto_suggestions(&again);
    prop_assert!(left.is_empty(), "{}: auto suggestions left after --accept all: {:#?}", name, left);

    let renamed: BTreeMap<&str, &str> = out.renamed.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let new_name = |n: &str| renamed.get(n).copied().unwrap_or(n).to_owned();
    for module in &m.modules {
        let to = new_name(&module.name);
        let Some(kept) = again.module(&to) else {
            return Err(TestCaseError::fail(format!("{name}: module `{}` (now `{to}`) lost", module.name)));
        };
        if m.twin_at(&module.name).is_some() {
            prop_assert!(again.twin_at(&to).is_some(), "{}: twin of `{}` lost", name, module.name);
        }

        // createOptions written by the migration: chunks of at most 512 characters joining to JSON.
        let (Some(before), Some(after)) = (settings(m, &module.name), settings(&again, &to)) else { continue };
        let (old, new) = (chunks(before), chunks(after));
        let rewritten = old.iter().map(|c| c.2).collect::<String>() != new.iter().map(|c| c.2).collect::<String>();
        if kept.create_options.form == CreateOptionsForm::Object || !(rewritten || generated) {
            continue;
        }
        for (i, (n, key, piece)) in new.iter().enumerate() {
            prop_assert_eq!(*n as usize, i, "{}: `{}` chunks numbered without gaps ({})", name, to, key);
            prop_assert!(
                piece.chars().count() <= ENCODE_CHUNK_CHARS,
                "{}: `{}` chunk {} has {} characters",
                name,
                to,
                key,
                piece.chars().count()
            );
        }
        let joined: String = new.iter().map(|c| c.2).collect();
        if m.module(&module.name).is_some_and(|x| x.create_options.value.is_some()) && !joined.trim().is_empty() {
            let parsed = serde_json::from_str::<Value>(&joined);
            prop_assert!(
                matches!(parsed, Ok(Value::Object(_))),
                "{}: `{}` createOptions chunks do not join to a JSON object: {:?}",
                name,
                to,
                parsed.as_ref().err()
            );
            prop_assert_eq!(decode_create_options(Some(&Value::Object(after.clone()))).value, parsed.ok());
        }
    }
    prop_assert_eq!(again.modules.len(), m.modules.len(), "{}: module count", name);

    let routes = |x: &Manifest| x.routes().into_iter().map(|r| r.at).collect::<BTreeSet<_>>();
    let (before, after) = (routes(m), routes(&again));
    prop_assert!(
        before.is_subset(&after),
        "{}: routes lost: {:?}",
        name,
        before.difference(&after).collect::<Vec<_>>()
    );

    let (before, after) = (placeholders(m), placeholders(&again));
    prop_assert!(
        before.is_subset(&after),
        "{}: placeholders changed or lost: {:?}",
        name,
        before.difference(&after).collect::<Vec<_>>()
    );
    Ok(())
}

/// A module that no accepted edit changes keeps its createOptions text as written (whitespace, key
/// order, chunking): it is re-encoded only when its value changes (or when it was lenient JSON,
/// whose fix is strict JSON). Checked with module renames, which touch other modules' strings.
fn unchanged_create_options_keep_their_text(name: &str, m: &Manifest) -> Result<(), String> {
    // Module renames alone: they change only the strings that name a renamed module.
    let rename = |f: &Finding| f.suggestion.as_ref().is_some_and(|s| s.rename.is_some());
    let out = migrate(
        m,
        &fpga2gpu::device::DeviceProfile::default(),
        &analyse(m, &fpga2gpu::device::DeviceProfile::default()),
        |f| rename(f).then(|| Policy::All.decide(f)).flatten(),
    );
    let again = Manifest::load(out.text(m).as_bytes()).map_err(|e| format!("{name}: output: {e}"))?;
    let renamed: BTreeMap<&str, &str> = out.renamed.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let mut problems = Vec::new();
    for module in &m.modules {
        let to = renamed.get(module.name.as_str()).copied().unwrap_or(&module.name);
        let (Some(before), Some(after), Some(kept)) =
            (settings(m, &module.name), settings(&again, to), again.module(to))
        else {
            continue;
        };
        let text = |s: &Map<String, Value>| chunks(s).into_iter().map(|c| c.2).collect::<String>();
        let lenient = module.create_options.problems.iter().any(|p| matches!(p, CreateOptionsProblem::Lenient { .. }));
        if text(before) != text(after) && !lenient && module.create_options.value == kept.create_options.value {
            problems.push(format!("`{}`: {:?} became {:?}", module.name, text(before), text(after)));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!("{name}: createOptions re-encoded although their value did not change:\n{}", problems.join("\n")))
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn generated_manifests_round_trip_with_accept_none(modules in 0usize..40, seed in any::<u64>()) {
        let text = synth::manifest(modules, seed);
        let m = Manifest::load(text.as_bytes()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        none_round_trips("generated", &m)?;
        // A generated manifest is printed the way the exporter prints: even the bytes are equal.
        let out = migrate(&m, &fpga2gpu::device::DeviceProfile::default(), &analyse(&m, &fpga2gpu::device::DeviceProfile::default()), |_| None);
        prop_assert_eq!(out.text(&m), text);
    }

    #[test]
    fn generated_manifests_keep_every_property_with_accept_all(modules in 0usize..40, seed in any::<u64>()) {
        let text = synth::manifest(modules, seed);
        let m = Manifest::load(text.as_bytes()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        accept_all_properties(&format!("synth::manifest({modules}, {seed})"), &m, true)?;
    }
}

#[test]
fn corpus_round_trips_with_accept_none() {
    let Some(files) = corpus() else { return };
    for (name, bytes) in &files {
        let Ok(m) = Manifest::load(bytes) else { continue };
        if let Err(e) = none_round_trips(name, &m) {
            panic!("{e}");
        }
    }
}

#[test]
fn corpus_keeps_every_property_with_accept_all() {
    let Some(files) = corpus() else { return };
    let mut failures = Vec::new();
    for (name, bytes) in &files {
        let Ok(m) = Manifest::load(bytes) else { continue };
        if let Err(e) = accept_all_properties(name, &m, false) {
            failures.push(e.to_string());
        }
    }
    assert!(failures.is_empty(), "{} corpus files break a property:\n{}", failures.len(), failures.join("\n"));
}

#[test]

fn renames_leave_the_create_options_of_other_modules_as_written() {
    let mut failures = Vec::new();
    for seed in 0..8 {
        let text = synth::manifest(40, seed);
        let m = Manifest::load(text.as_bytes()).expect("generated manifests load");
        failures.extend(unchanged_create_options_keep_their_text(&format!("synth::manifest(40, {seed})"), &m).err());
    }
    for (name, bytes) in corpus().unwrap_or_default() {
        let Ok(m) = Manifest::load(&bytes) else { continue };
        failures.extend(unchanged_create_options_keep_their_text(&name, &m).err());
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The generator itself: deterministic, and its manifests exercise every createOptions form.
#[test]
fn generator_same_seed_same_bytes() {
    assert_eq!(synth::manifest(30, 7), synth::manifest(30, 7));
    assert_ne!(synth::manifest(30, 7), synth::manifest(30, 8));
    assert_ne!(synth::manifest_value(30, 0), synth::manifest_value(30, 1));
}

#[test]
fn generator_loads_with_every_module_and_some_chunked_options() {
    let m = Manifest::load(synth::manifest(200, 1).as_bytes()).expect("generated manifests load");
    assert_eq!(m.modules.len(), 202);
    assert!(m.modules.iter().all(|m| m.create_options.value.is_some()));
    assert!(
        m.modules.iter().any(|m| matches!(m.create_options.form, CreateOptionsForm::String { chunks } if chunks > 1))
    );
    assert!(m.modules.iter().any(|m| m.create_options.form == CreateOptionsForm::Object));
    assert_eq!(m.routes().len(), 201);
}
