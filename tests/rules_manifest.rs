//! The manifest rules of the guide (MAN…): one snapshot per rule on its fixture, then what a
//! snapshot cannot say (export re-chunks, lenient JSON rewritten, forms and shapes written back).

mod common;
use common::*;
use fpga2gpu::device::DeviceProfile;
use fpga2gpu::manifest::{ENCODE_CHUNK_CHARS, Location, Manifest, Pointer, Shape};
use fpga2gpu::migrate::{Decision, Policy, migrate};
use fpga2gpu::rules::{Edit, Finding, Severity, Suggestion, analyse};
use serde_json::{Value, json};
use std::collections::HashSet;
use test_case::test_case;

#[test_case("MAN001")]
#[test_case("MAN002")]
#[test_case("MAN003")]
#[test_case("MAN004")]
#[test_case("MAN005")]
#[test_case("MAN006")]
fn rule(id: &str) {
    insta::assert_snapshot!(id, rule_snapshot_text(id, None));
}

/// A module's `settings` in a document.
fn settings<'a>(m: &Manifest, doc: &'a Value, module: &str) -> &'a serde_json::Map<String, Value> {
    let at = m.module(module).unwrap_or_else(|| panic!("module {module}")).at.child("settings");
    doc.pointer(at.as_str()).and_then(Value::as_object).unwrap_or_else(|| panic!("settings of {module}"))
}

/// Analyses and migrates with a policy.
fn migrate_all(m: &Manifest, policy: Policy) -> fpga2gpu::migrate::Outcome {
    let device = DeviceProfile::default();
    migrate(m, &device, &analyse(m, &device), |f| policy.decide(f))
}

#[test]
fn man001_chunks_join_in_order_each_problem_has_its_own_place_and_export_rechunks() {
    let m = load("MAN001");
    assert_eq!(
        m.module("gappy").unwrap().create_options.value,
        Some(json!({"Env": ["A=1", "B=2"]})),
        "chunks still join in numeric order across the gap"
    );
    let patchy: Vec<Finding> =
        findings(&m, "MAN001").into_iter().filter(|f| f.module.as_deref() == Some("patchy")).collect();
    let places: Vec<String> = patchy.iter().map(|f| f.location.to_string()).collect();
    let chunk = |k: &str| format!("{}/settings/{k}", m.module("patchy").unwrap().at);
    assert_eq!(
        places,
        [chunk("createOptions01"), chunk("createOptions04"), chunk("createOptions06")],
        "one finding per gap at its first missing chunk, and the chunk that is not a string at its own key"
    );

    // Any change to the long module re-chunks it: 512 characters a piece, numbered without gaps,
    // and the export says it needs more than 8.
    let chatty = m.module("chatty").unwrap();
    let change =
        Finding::new(fpga2gpu::rules::rule("MAN001").unwrap(), Some(chatty), chatty.location(), "a test change")
            .suggest(Suggestion::new(
                "set WorkingDir",
                vec![Edit::Set {
                    at: chatty.create_options_at(Pointer::root().child("WorkingDir")),
                    value: json!("/app"),
                }],
            ));
    let out = migrate(&m, &DeviceProfile::default(), &[change], |_| Some(Decision::Accept));
    let s = settings(&m, &out.doc, "chatty");
    let keys: Vec<&str> = s.keys().map(String::as_str).filter(|k| k.starts_with("createOptions")).collect();
    assert!(keys.len() > 8, "{keys:?}");
    let expected: Vec<String> =
        (0..keys.len()).map(|n| if n == 0 { "createOptions".into() } else { format!("createOptions{n:02}") }).collect();
    assert_eq!(keys, expected, "numbered without gaps, in order");
    assert!(keys.iter().all(|k| s[*k].as_str().unwrap().chars().count() <= ENCODE_CHUNK_CHARS));
    let joined: String = keys.iter().map(|k| s[*k].as_str().unwrap()).collect();
    let v: Value = serde_json::from_str(&joined).unwrap();
    assert_eq!(v["WorkingDir"], "/app");
    assert_eq!(v["Env"].as_array().map(Vec::len), Some(90), "nothing lost");
    assert!(out.warnings.iter().any(|w| w.contains("chatty") && w.contains("chunks")), "{:?}", out.warnings);
}

#[test]
fn man002_unreadable_create_options_stay_as_written_and_lenient_ones_become_strict_json() {
    let m = load("MAN002");
    let out = migrate_all(&m, Policy::Auto);
    assert_eq!(
        settings(&m, &out.doc, "broken")["createOptions"],
        settings(&m, &m.doc, "broken")["createOptions"],
        "the unreadable module is copied as it was"
    );
    assert_eq!(
        settings(&m, &out.doc, "lenient")["createOptions"],
        json!(r#"{"HostConfig":{"Privileged":true},"WorkingDir":"/app"}"#),
        "the safe fix rewrites the string as strict JSON, every value kept"
    );
    assert!(findings(&reload(&m, &out), "MAN002").iter().all(|f| f.module.as_deref() == Some("broken")));
}

#[test]
fn man003_object_create_options_stay_objects_on_export() {
    let m = load("MAN003");
    let out = migrate_all(&m, Policy::All);
    let co = &settings(&m, &out.doc, "templated")["createOptions"];
    assert!(co.is_object(), "template createOptions stays an object: {co}");
    assert!(co.pointer("/HostConfig/Mounts/0/Source").is_some(), "and the STO001 fix is applied inside it: {co}");
    assert!(findings(&load("MAN002"), "MAN003").is_empty(), "string createOptions are not reported");
}

#[test]
fn man004_placeholders_are_never_touched() {
    let m = load("MAN004");
    let text = migrate_all(&m, Policy::All).text(&m);
    for p in [
        "${ACR}",
        "${VERSION}",
        "${CAM_CREATE_OPTIONS}",
        "<IMAGE_URI>",
        "#SHARE_NAME#",
        "$SHARE_NAME",
        "$SECRET_KEY",
        "<URL>",
    ] {
        assert!(text.contains(p), "{p} survives the migration");
    }
}

#[test]
fn man005_a_small_manifest_is_fine() {
    assert!(findings(&load("MAN003"), "MAN005").is_empty());
}

#[test]
fn man006_every_shape_is_read_and_written_back_in_the_same_shape() {
    for (file, shape, layered) in [
        ("shapes/content-layered.json", Shape::Content, true),
        ("shapes/legacy-bom-crlf.json", Shape::ModuleContent, false),
        ("shapes/bare-tabs.json", Shape::Bare, false),
    ] {
        let m = load(file);
        assert_eq!((m.shape, m.layered), (shape, layered), "{file}");
        assert!(!findings(&m, "MAN006").is_empty(), "{file}: the shape is reported");
        let original = std::fs::read(fixture_path(file)).unwrap();
        let text = migrate_all(&m, Policy::None).text(&m);
        let stripped = original.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&original);
        assert_eq!(
            text.as_bytes(),
            stripped,
            "{file}: nothing accepted, same bytes (indent, line endings) but the BOM"
        );

        let all = migrate_all(&m, Policy::All);
        let again = Manifest::load(all.text(&m).as_bytes()).unwrap();
        assert_eq!((again.shape, again.layered), (shape, layered), "{file}: same shape after migration");
        assert_eq!(again.modules.len(), m.modules.len());
    }
    let layered = load("shapes/content-layered.json");
    let out = migrate_all(&layered, Policy::All);
    let co = out.doc.pointer("/content/modulesContent/$edgeAgent").unwrap().to_string();
    assert!(co.contains("Mounts"), "STO001 is applied inside a layered module: {co}");
    assert_eq!(out.doc["targetCondition"], "tags.layer='sensors'", "unknown top-level keys survive");
}

#[test]
fn man006_notices_are_at_their_own_places() {
    // A bare manifest with a byte order mark and no modules: three facts, three places.
    let m =
        Manifest::load(b"\xEF\xBB\xBF{\"$edgeAgent\": {\"properties.desired\": {\"modules\": {}}}, \"$edgeHub\": {}}")
            .unwrap();
    let found = findings(&m, "MAN006");
    let places: Vec<String> = found.iter().map(|f| f.location.to_string()).collect();
    assert_eq!(places.len(), 3, "{found:#?}");
    assert_eq!(places.iter().collect::<HashSet<_>>().len(), 3, "{places:?}");
    let at =
        |text: &str| found.iter().find(|f| f.message.contains(text)).unwrap_or_else(|| panic!("{text}: {found:#?}"));
    assert_eq!(at("byte order mark").location, Location::Document(Pointer::root()));
    assert_eq!(at("bare modulesContent").location.to_string(), "/$edgeAgent");
    let none = at("no modules");
    assert_eq!(none.location.to_string(), "/$edgeAgent/properties.desired/modules");
    assert_eq!(none.severity, Severity::Warning);

    // A duplicate key in a createOptions string is a place in that module's createOptions.
    let m = load("MAN006");
    let sensor = m.module("sensor").unwrap();
    let dup = findings(&m, "MAN006").into_iter().find(|f| f.message.contains("`Privileged`")).expect("duplicate");
    assert_eq!(dup.location, sensor.create_options_at(Pointer::from_tokens(["HostConfig", "Privileged"])));
}
