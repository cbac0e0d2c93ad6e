//! The rule registry, checked: every rule is declared once, in its section, documented, with a
//! fixture that triggers it and a test that names it; its findings keep the promise of its fix
//! availability; and no two findings of one analysis share an identity.

mod common;
use common::*;
use fpga2gpu::device::{DeviceProfile, Target};
use fpga2gpu::manifest::Manifest;
use fpga2gpu::rules::{FixAvailability, Section, analyse, catalogue};
use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;

/// The section a rule id's prefix belongs to (`None`: any section, for the pre-flight family).
fn section_of(prefix: &str) -> Option<Option<Section>> {
    Some(match prefix {
        "STO" => Some(Section::Storage),
        "NET" => Some(Section::Network),
        "RES" => Some(Section::Resources),
        "PRX" => Some(Section::Proxy),
        "OTH" | "MAN" => Some(Section::Other),
        "K8S" => None,
        _ => return None,
    })
}

#[test]
fn ids_are_unique_and_their_prefix_matches_the_section() {
    let mut seen = HashSet::new();
    for r in catalogue() {
        let d = &r.doc;
        assert!(seen.insert(d.id), "{} is declared twice", d.id);
        assert!(
            d.id.len() == 6 && d.id[3..].bytes().all(|b| b.is_ascii_digit()),
            "{}: ids are three letters and three digits",
            d.id
        );
        match section_of(&d.id[..3]) {
            None => panic!("{}: unknown prefix", d.id),
            Some(Some(s)) => assert_eq!(d.section, s, "{}: its prefix says {:?}", d.id, s),
            Some(None) => {}
        }
        assert!(!d.targets.is_empty(), "{}: applies to no target", d.id);
    }
}

#[test]
fn every_rule_is_documented_in_full() {
    for r in catalogue() {
        let d = &r.doc;
        for (what, text) in [
            ("title", d.title),
            ("detects", d.detects),
            ("why", d.why),
            ("before", d.before),
            ("after", d.after),
            ("fix_safety", d.fix_safety),
        ] {
            assert!(text.trim().len() >= 10, "{}: `{what}` is missing or too short", d.id);
        }
        assert!(!d.title.ends_with('.'), "{}: a title is one line without a period", d.id);
    }
}

fn tests_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests")
}

/// The device a rule's fixture is analysed for: its first target, and the profile of
/// `<ID>.device.json` beside the fixture when the rule needs one (a pre-flight rule that compares
/// with the device's external IPs or shares).
fn device_for(id: &str, targets: &[Target]) -> DeviceProfile {
    let base = match std::fs::read_to_string(fixture_path(&format!("rules/{id}.device.json"))) {
        Ok(text) => serde_json::from_str(&text).unwrap_or_else(|e| panic!("{id}.device.json: {e}")),
        Err(_) => DeviceProfile::default(),
    };
    DeviceProfile { target: targets[0], ..base }
}

/// What a rule finds on a manifest: the whole engine's check, and for a pre-flight rule its own
/// check without the manifest rules that own some of its facts (so that its fixture shows what
/// it finds even where an owner speaks instead).
fn found_by(id: &str, m: &Manifest, device: &DeviceProfile) -> Vec<fpga2gpu::rules::Finding> {
    let all = if id.starts_with("K8S") {
        fpga2gpu::k8s::preflight::preflight(m, device, &fpga2gpu::k8s::translate(m, device), &[])
    } else {
        analyse(m, device)
    };
    all.into_iter().filter(|f| f.rule == id).collect()
}

#[test]
fn every_rule_has_a_fixture_that_triggers_it_and_a_test_that_names_it() {
    let mut test_text = String::new();
    for entry in std::fs::read_dir(tests_dir()).unwrap() {
        let p = entry.unwrap().path();
        if p.extension().is_some_and(|x| x == "rs") && p.file_name().is_some_and(|n| n != "registry.rs") {
            test_text.push_str(&std::fs::read_to_string(&p).unwrap());
        }
    }
    for r in catalogue() {
        let id = r.doc.id;
        let path = fixture_path(&format!("rules/{id}.json"));
        let m = Manifest::load_file(&path).unwrap_or_else(|e| panic!("{id}: fixture {}: {e}", path.display()));
        let found = found_by(id, &m, &device_for(id, r.doc.targets));
        assert!(!found.is_empty(), "{id}: its fixture does not trigger it");
        match r.doc.fix {
            FixAvailability::Never => {
                assert!(found.iter().all(|f| f.suggestion.is_none()), "{id}: declared to never fix, but suggests")
            }
            FixAvailability::Always => {
                assert!(found.iter().all(|f| f.suggestion.is_some()), "{id}: declared to always fix, but one has none")
            }
            FixAvailability::Sometimes => {}
        }
        assert!(found.iter().all(|f| f.section == r.doc.section || id.starts_with("K8S")), "{id}: section");
        assert!(test_text.contains(&format!("\"{id}\"")), "{id}: no test names it");
    }
}

/// Every manifest the tests know: the rule fixtures and the real corpus.
fn manifests() -> Vec<(String, Manifest)> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(fixture_path("rules")).expect("the rule fixtures") {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "json")
            && let Ok(m) = Manifest::load_file(&p)
        {
            out.push((file_name(&p), m));
        }
    }
    out.extend(corpus_manifests("the corpus part of the identity test"));
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

#[test]
fn no_two_findings_share_an_identity() {
    for target in [Target::K8s, Target::Vm] {
        let device = DeviceProfile { target, ..DeviceProfile::default() };
        for (name, m) in manifests() {
            let mut seen: BTreeMap<_, &str> = BTreeMap::new();
            let findings = fpga2gpu::k8s::check(&m, &device);
            for f in &findings {
                if let Some(other) = seen.insert(f.key(), &f.message) {
                    panic!("{name} ({target:?}): two findings share {:?}:\n  {other}\n  {}", f.key(), f.message);
                }
            }
        }
    }
}
