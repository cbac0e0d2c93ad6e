//! Hostile inputs: each is refused with a message that says what is wrong (and where), or read
//! without a crash, a stack overflow or a lost value. Some also run the binary, whose contract is
//! exit code 2 and the reason on stderr.

use fpga2gpu::manifest::{CreateOptionsForm, LoadError, MAX_INPUT_BYTES, Manifest, decode_create_options};
use fpga2gpu::migrate::{Policy, migrate};
use fpga2gpu::rules::analyse;
use serde_json::{Value, json};
use std::path::Path;
use std::process::{Command, Output};

/// `fpga2gpu check FILE`.
fn check(file: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fpga2gpu")).arg("check").arg(file).output().expect("the binary runs")
}

/// Writes `bytes` to a fresh file and runs `fpga2gpu check` on it.
fn check_bytes(bytes: &[u8]) -> Output {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("manifest.json");
    std::fs::write(&file, bytes).expect("write");
    check(&file)
}

fn assert_refused(out: &Output, expected: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "exit code 2 for unreadable input; stderr: {stderr}");
    assert!(stderr.contains(expected), "stderr says {expected:?}: {stderr}");
}

/// A minimal manifest with the given modules (name → module object).
fn manifest_with(modules: Value, routes: Value) -> String {
    json!({"modulesContent": {
        "$edgeAgent": {"properties.desired": {"schemaVersion": "1.1", "modules": modules}},
        "$edgeHub": {"properties.desired": {"schemaVersion": "1.1", "routes": routes}},
    }})
    .to_string()
}

fn module_with_create_options(create_options: &str) -> String {
    manifest_with(
        json!({"deep": {"type": "docker", "settings": {"image": "x", "createOptions": create_options}}}),
        json!({}),
    )
}

#[test]
fn empty_file_is_refused_as_empty() {
    for text in ["", "   \n\t\r\n"] {
        let err = Manifest::load(text.as_bytes()).expect_err("empty input is refused");
        assert!(matches!(err, LoadError::Empty), "{err}");
        assert_eq!(err.to_string(), "the file is empty");
    }
    assert_refused(&check_bytes(b""), "the file is empty");
}

#[test]
fn binary_data_is_refused_with_line_and_column() {
    // A PNG header: not UTF-8 at its second byte.
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
    let err = Manifest::load(png).expect_err("binary is refused");
    assert_eq!(err.position(), Some((1, 1)), "{err}");
    assert!(err.to_string().contains("not UTF-8 text: invalid byte at line 1, column 1"), "{err}");
    // Control bytes are UTF-8 but not JSON.
    let err = Manifest::load(b"\0\x01\x02\x03").expect_err("control bytes are refused");
    assert!(matches!(err, LoadError::Json { line: 1, column: 1, .. }), "{err}");
    assert_refused(&check_bytes(png), "line 1, column 1");
}

#[test]
fn invalid_utf8_is_refused_at_its_byte() {
    let bytes = b"{\n  \"modulesContent\": {\n    \"a\": \"caf\xe9\"\n  }\n}";
    let err = Manifest::load(bytes).expect_err("Latin-1 is refused");
    assert!(matches!(err, LoadError::NotUtf8 { line: 3, column: 14 }), "{err}");
    assert!(err.to_string().contains("line 3, column 14"), "{err}");
    assert_refused(&check_bytes(bytes), "not UTF-8 text: invalid byte at line 3, column 14");
}

#[test]
fn json_nested_100_000_deep_is_refused_without_overflowing_the_stack() {
    for (open, close) in [("[", "]"), ("{\"a\":", "}")] {
        let text = format!("{}1{}", open.repeat(100_000), close.repeat(100_000));
        let err = Manifest::load(text.as_bytes()).expect_err("too deep");
        let (line, column) = err.position().expect("a JSON error has a position");
        assert!(err.to_string().contains(&format!("line {line}, column {column}")), "{err}");
        assert!(err.to_string().contains("recursion limit"), "{err}");
        assert_refused(&check_bytes(text.as_bytes()), "recursion limit exceeded");
    }
}

const NESTINGS: [(&str, &str); 3] = [("[", "]"), ("{\"a\":", "}"), ("{a:", ",}")];

#[test]
fn create_options_nested_100_000_deep_only_fail_their_module() {
    // Past serde_json's limit (128) the lenient reader (json5) gets the text: at every depth it
    // must give up cleanly (or read it), and nothing may recurse once per level.
    for depth in [200, 100_000] {
        for (open, close) in NESTINGS {
            create_options_nested(depth, open, close);
        }
    }
}

#[test]
fn create_options_nested_thousands_deep_do_not_crash_the_binary() {
    // Run in the binary, not in this process: a stack overflow aborts the whole test program.
    // Depths where pest (json5's parser) still succeeds but json5 then builds the value by
    // recursion are the dangerous ones.
    for depth in [2_000, 20_000, 50_000] {
        for (open, close) in NESTINGS {
            let deep = format!("{}1{}", open.repeat(depth), close.repeat(depth));
            let run = check_bytes(module_with_create_options(&deep).as_bytes());
            assert!(
                matches!(run.status.code(), Some(0 | 1)),
                "fpga2gpu check crashed on a createOptions nested {depth} deep ({open}…{close}): {:?}\n{}",
                run.status,
                String::from_utf8_lossy(&run.stderr)
            );
        }
    }
}

/// Load → analyse → migrate → encode → reload of a module whose createOptions is `depth` levels
/// deep: whatever the lenient reader makes of it, nothing overflows and nothing is lost.
fn create_options_nested(depth: usize, open: &str, close: &str) {
    let deep = format!("{}1{}", open.repeat(depth), close.repeat(depth));
    let text = module_with_create_options(&deep);
    let m = Manifest::load(text.as_bytes()).expect("the manifest itself is shallow");
    let co = &m.module("deep").expect("module").create_options;
    let findings = analyse(&m, &fpga2gpu::device::DeviceProfile::default());
    if co.value.is_none() {
        assert!(findings.iter().any(|f| f.rule == "MAN002"), "depth {depth}: reported as invalid createOptions");
    }
    let out = migrate(&m, &fpga2gpu::device::DeviceProfile::default(), &findings, |f| Policy::All.decide(f));
    let again = Manifest::load(out.text(&m).as_bytes()).expect("the output loads");
    assert!(again.module("deep").is_some(), "depth {depth}: the module is kept");
    if co.value.is_none() {
        assert_eq!(out.doc, m.doc, "depth {depth}: nothing to change in an unreadable module");
    }
    // The binary (main-thread stack) reads it too, and exits with the findings' code, not a crash.
    let run = check_bytes(text.as_bytes());
    assert!(
        matches!(run.status.code(), Some(0 | 1)),
        "depth {depth}: {:?} {}",
        run.status,
        String::from_utf8_lossy(&run.stderr)
    );
}

#[test]
fn file_over_the_size_limit_is_refused_before_reading() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("huge.json");
    // A sparse file: 64 MiB + 1 byte on paper, nothing on disk.
    std::fs::File::create(&file).and_then(|f| f.set_len(MAX_INPUT_BYTES as u64 + 1)).expect("sparse file");
    let err = Manifest::load_file(&file).expect_err("too large");
    assert!(matches!(err, LoadError::TooLarge { .. }), "{err}");
    assert!(err.to_string().contains("64 MiB"), "{err}");
    assert_eq!(err.position(), None, "a size error has no line and column");
    assert_refused(&check(&file), "over the 67108864 byte (64 MiB) limit");

    let big = vec![b' '; MAX_INPUT_BYTES + 1];
    assert!(matches!(Manifest::load(&big), Err(LoadError::TooLarge { .. })));
}

#[test]
fn module_with_100_create_options_chunks_is_joined_in_order_and_rechunked() {
    // Long Env entries, split into 100 pieces named createOptions, createOptions01 … createOptions99,
    // written in reverse order to show that the numbers, not the positions, decide.
    let env: Vec<String> = (0..400).map(|i| format!("SETTING_{i:03}=value-{i:03}-abcdefghijklmnop")).collect();
    let co = json!({"Env": env, "HostConfig": {"Binds": ["/home/hcsshares/images:/data"]}}).to_string();
    let chars: Vec<char> = co.chars().collect();
    let size = chars.len().div_ceil(100);
    let pieces: Vec<String> = chars.chunks(size).map(|c| c.iter().collect()).collect();
    assert_eq!(pieces.len(), 100);
    let mut settings = serde_json::Map::new();
    settings.insert("image".into(), json!("x"));
    for (n, p) in pieces.iter().enumerate().rev() {
        let key = if n == 0 { "createOptions".to_owned() } else { format!("createOptions{n:02}") };
        settings.insert(key, json!(p));
    }
    let text = manifest_with(json!({"big": {"type": "docker", "settings": settings}}), json!({}));
    let m = Manifest::load(text.as_bytes()).expect("loads");
    let module = m.module("big").expect("module");
    assert_eq!(module.create_options.form, CreateOptionsForm::String { chunks: 100 });
    assert_eq!(module.create_options.value.as_ref().and_then(|v| v.get("Env")), Some(&json!(env)));

    let findings = analyse(&m, &fpga2gpu::device::DeviceProfile::default());
    assert!(findings.iter().any(|f| f.rule == "MAN001" && f.message.contains("chunks")), "too many chunks reported");
    let out = migrate(&m, &fpga2gpu::device::DeviceProfile::default(), &findings, |f| Policy::All.decide(f));
    assert!(out.warnings.iter().any(|w| w.contains("more than the 8")), "{:?}", out.warnings);
    let again = Manifest::load(out.text(&m).as_bytes()).expect("output loads");
    let settings = again.get(&again.module("big").expect("kept").at.child("settings"));
    let obj = settings.and_then(Value::as_object).expect("settings");
    let chunks: Vec<&str> =
        obj.iter().filter(|(k, _)| k.starts_with("createOptions")).filter_map(|(_, v)| v.as_str()).collect();
    assert!(chunks.iter().all(|c| c.chars().count() <= 512), "every chunk at most 512 characters");
    let decoded = decode_create_options(settings).value.expect("the chunks join to JSON");
    assert_eq!(decoded.get("Env"), Some(&json!(env)), "every Env entry survives");
}

#[test]
fn duplicate_keys_are_reported_with_their_pointer() {
    let text = r#"{
  "modulesContent": {
    "$edgeAgent": {
      "properties.desired": {
        "modules": {
          "camera": {
            "type": "docker",
            "status": "running",
            "status": "stopped",
            "settings": {"image": "x", "createOptions": "{\"HostConfig\":{\"Privileged\":true,\"Privileged\":false}}"}
          }
        }
      }
    }
  }
}"#;
    let m = Manifest::load(text.as_bytes()).expect("duplicate keys are valid JSON");
    let base = "/modulesContent/$edgeAgent/properties.desired/modules/camera";
    assert_eq!(m.notices.len(), 2, "{:?}", m.notices);
    assert!(
        m.notices[0].message.contains(&format!("duplicate key `status` at {base}/status")),
        "{}",
        m.notices[0].message
    );
    assert!(
        m.notices[1]
            .message
            .contains(&format!("duplicate key `Privileged` at {base}/settings/createOptions/HostConfig/Privileged")),
        "{}",
        m.notices[1].message
    );
    assert_eq!(m.doc.pointer(&format!("{base}/status")), Some(&json!("stopped")), "serde_json keeps the last value");
    let findings = analyse(&m, &fpga2gpu::device::DeviceProfile::default());
    assert!(
        findings.iter().any(|f| f.rule == "MAN006" && f.message.contains("duplicate key `status`")),
        "each notice becomes a MAN006 finding"
    );
    let run = check_bytes(text.as_bytes());
    assert!(String::from_utf8_lossy(&run.stdout).contains("duplicate key `status`"));
}

#[test]
fn module_named_by_a_placeholder_is_kept_as_written() {
    let name = "${MODULE_NAME}";
    let text = manifest_with(
        json!({name: {"type": "docker", "settings": {"image": "${ACR}/x", "createOptions": "{\"HostConfig\":{\"Binds\":[\"/home/hcsshares/images:/data\"]}}"}}}),
        json!({"up": format!("FROM /messages/modules/{name}/outputs/* INTO $upstream")}),
    );
    let m = Manifest::load(text.as_bytes()).expect("loads");
    assert!(m.module(name).is_some());
    let findings = analyse(&m, &fpga2gpu::device::DeviceProfile::default());
    let renames = findings
        .iter()
        .filter_map(|f| f.suggestion.as_ref())
        .filter_map(|s| s.rename.as_ref())
        .filter(|r| r.module == name)
        .count();
    assert_eq!(renames, 0, "a placeholder name is data, never renamed");
    let out = migrate(&m, &fpga2gpu::device::DeviceProfile::default(), &findings, |f| Policy::All.decide(f));
    assert!(out.renamed.is_empty(), "{:?}", out.renamed);
    let again = Manifest::load(out.text(&m).as_bytes()).expect("output loads");
    assert!(again.module(name).is_some(), "the module keeps its placeholder name");
    assert!(again.routes().iter().any(|r| r.text.contains(&format!("/modules/{name}/"))), "routes still name it");
}
