//! The manifest rules of the guide (MAN…): chunks, invalid createOptions, templates, placeholders,
//! size and shapes.

mod common;
use common::*;
use fpga2gpu::manifest::{ENCODE_CHUNK_CHARS, Manifest, Shape};
use fpga2gpu::migrate::{Policy, migrate};
use fpga2gpu::rules::{FixKind, Severity, analyse};
use serde_json::{Value, json};

fn settings<'a>(doc: &'a Value, module: &str) -> &'a serde_json::Map<String, Value> {
    doc.pointer(&format!("/modulesContent/$edgeAgent/properties.desired/modules/{module}/settings"))
        .and_then(Value::as_object)
        .unwrap_or_else(|| panic!("settings of {module}"))
}

#[test]
fn man001_chunk_gap_is_an_error_and_long_options_are_rechunked() {
    let m = load("MAN001");
    let found = findings(&m, "MAN001");
    let gap = found.iter().find(|f| f.module.as_deref() == Some("gappy")).expect("gap finding");
    assert_eq!(gap.severity, Severity::Error);
    assert!(gap.message.contains("createOptions01 missing"), "{}", gap.message);
    let gappy = m.module("gappy").unwrap();
    assert_eq!(gappy.create_options.value, Some(json!({"Env": ["A=1", "B=2"]})), "chunks still join in numeric order");

    let long = found.iter().find(|f| f.module.as_deref() == Some("chatty")).expect("too many chunks");
    assert_eq!(long.severity, Severity::Warning);
    assert!(long.message.contains("chunks"), "{}", long.message);

    // Changing the long module re-chunks it: 512 characters a piece, numbered without gaps.
    let all = analyse(&m);
    let chatty = m.module("chatty").unwrap();
    let out = fpga2gpu::migrate::apply(
        &m,
        vec![(
            all[0].key(),
            vec![fpga2gpu::rules::Edit::Set { path: chatty.co_path("/WorkingDir"), value: json!("/app") }],
        )],
    );
    let s = settings(&out.doc, "chatty");
    let keys: Vec<&str> = s.keys().map(String::as_str).filter(|k| k.starts_with("createOptions")).collect();
    assert!(keys.len() > 8);
    assert_eq!(keys[0], "createOptions");
    assert_eq!(keys[1], "createOptions01");
    assert_eq!(keys[keys.len() - 1], format!("createOptions{:02}", keys.len() - 1));
    let joined: String = keys.iter().map(|k| s[*k].as_str().unwrap()).collect();
    assert!(keys.iter().all(|k| s[*k].as_str().unwrap().chars().count() <= ENCODE_CHUNK_CHARS));
    let v: Value = serde_json::from_str(&joined).unwrap();
    assert_eq!(v["WorkingDir"], "/app");
    assert!(out.warnings.iter().any(|w| w.contains("chatty") && w.contains("chunks")), "{:?}", out.warnings);
}

#[test]
fn man002_invalid_create_options_leave_the_module_untouched_and_lenient_ones_are_rewritten() {
    let m = load("MAN002");
    let found = findings(&m, "MAN002");
    let broken = found.iter().find(|f| f.module.as_deref() == Some("broken")).unwrap();
    assert_eq!((broken.severity, broken.fix), (Severity::Error, FixKind::Manual));
    assert!(broken.message.contains("line 1, column"), "{}", broken.message);
    let lenient = found.iter().find(|f| f.module.as_deref() == Some("lenient")).unwrap();
    assert_eq!((lenient.severity, lenient.fix), (Severity::Warning, FixKind::Auto));

    let out = accept(&m, "MAN002");
    assert_eq!(
        settings(&out.doc, "broken")["createOptions"],
        settings(&m.doc, "broken")["createOptions"],
        "the unreadable module is copied as it was"
    );
    assert_eq!(
        settings(&out.doc, "lenient")["createOptions"],
        json!(r#"{"HostConfig":{"Privileged":true},"WorkingDir":"/app"}"#)
    );
    assert!(auto_left(&m, &out, "MAN002").is_empty());
}

#[test]
fn man003_object_create_options_stay_objects_on_export() {
    let m = load("MAN003");
    let out = migrate(&m, &analyse(&m), |f| Policy::All.decide(f));
    let co = &settings(&out.doc, "templated")["createOptions"];
    assert!(co.is_object(), "template createOptions stays an object: {co}");
    assert!(co.pointer("/HostConfig/Mounts/0/Source").is_some(), "and the STO001 fix is applied inside it: {co}");
}

#[test]
fn man004_placeholders_are_never_touched() {
    let m = load("MAN004");
    let f = findings(&m, "MAN004");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].module.as_deref(), Some("cam"));
    assert!(f[0].message.contains("${CAM_CREATE_OPTIONS}"));
    let out = migrate(&m, &analyse(&m), |f| Policy::All.decide(f));
    let text = out.text(&m);
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
fn man005_agent_desired_properties_over_32_kb_is_a_warning() {
    let m = load("MAN005");
    let f = findings(&m, "MAN005");
    assert_eq!(f.len(), 1);
    assert_eq!((f[0].severity, f[0].module.as_deref()), (Severity::Warning, None));
    assert!(f[0].message.contains("KB"));
    assert!(findings(&load("MAN003"), "MAN005").is_empty(), "a small manifest is fine");
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
        let out = migrate(&m, &analyse(&m), |_| None);
        let text = out.text(&m);
        let stripped = original.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&original);
        assert_eq!(
            text.as_bytes(),
            stripped,
            "{file}: nothing accepted, same bytes (indent, line endings) but the BOM"
        );

        let all = migrate(&m, &analyse(&m), |f| Policy::All.decide(f));
        let again = Manifest::load(all.text(&m).as_bytes()).unwrap();
        assert_eq!((again.shape, again.layered), (shape, layered), "{file}: same shape after migration");
        assert_eq!(again.modules.len(), m.modules.len());
    }
    let layered = load("shapes/content-layered.json");
    let out = migrate(&layered, &analyse(&layered), |f| Policy::All.decide(f));
    let co = out.doc.pointer("/content/modulesContent/$edgeAgent").unwrap().to_string();
    assert!(co.contains("Mounts"), "STO001 is applied inside a layered module: {co}");
    assert_eq!(out.doc["targetCondition"], "tags.layer='sensors'", "unknown top-level keys survive");
}
