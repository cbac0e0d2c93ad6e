//! The command-line contract CI pipelines rely on: exit codes, JSON fields, atomic output,
//! decisions replayed across manifests.

mod common;
use common::fixture_path;
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fpga2gpu")).args(args).output().expect("fpga2gpu runs")
}

fn sample() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/sample.deployment.json").display().to_string()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn check_exit_codes_say_errors_and_unreadable_input() {
    let errors = run(&["check", &sample()]);
    assert_eq!(errors.status.code(), Some(1), "the FPGA sample has error findings");
    assert!(stdout(&errors).contains("module CameraCapture"), "{}", stdout(&errors));

    let clean = fixture_path("clean.deployment.json");
    let ok = run(&["check", clean.to_str().unwrap()]);
    assert_eq!(ok.status.code(), Some(0), "{}", stdout(&ok));

    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{\n  \"modulesContent\": {\n    oops\n}").unwrap();
    let unreadable = run(&["check", &sample(), bad.to_str().unwrap()]);
    assert_eq!(unreadable.status.code(), Some(2));
    assert!(stderr(&unreadable).contains("line 3, column 5"), "{}", stderr(&unreadable));
}

/// The steps on the device side (TRAPS, VM-TARGET) come after the findings, each once, so the
/// terminal says what to prepare as the report does.
#[test]
fn check_text_ends_with_the_steps_on_the_device() {
    let out = stdout(&run(&["check", &sample()]));
    let (findings, steps) = out.split_once("before you deploy (on the device)").expect("a checklist");
    assert!(findings.contains("STO001"), "{findings}");
    let shares: Vec<&str> = steps.lines().filter(|l| l.contains("[ ] Create Edge share")).collect();
    assert!(shares.iter().any(|l| l.contains("`images`")), "{steps}");
    assert_eq!(shares.len(), shares.iter().collect::<std::collections::HashSet<_>>().len(), "each step once: {steps}");

    let vm = stdout(&run(&["check", "--target", "vm", &sample()]));
    let vm_steps = vm.split_once("before you deploy (on the device)").expect("a VM checklist").1;
    assert!(vm_steps.contains("[ ] Create the GPU VM"), "{vm_steps}");
    assert!(!vm_steps.contains("Create Edge share `images` on the GPU device"), "{vm_steps}");
}

#[test]
fn check_json_lists_findings_with_the_documented_fields() {
    let o = run(&["check", "--format", "json", &sample()]);
    let v: Value = serde_json::from_slice(&o.stdout).expect("valid JSON on stdout");
    let findings = v["findings"].as_array().expect("findings list");
    assert!(!findings.is_empty());
    for f in findings {
        for key in ["file", "rule", "section", "severity", "module", "path", "message", "fix", "reason"] {
            assert!(f.get(key).is_some(), "{key} missing in {f}");
        }
    }
    let sections: std::collections::BTreeSet<&str> = findings.iter().filter_map(|f| f["section"].as_str()).collect();
    assert_eq!(sections.len(), 5, "the sample triggers every section: {sections:?}");
}

#[test]
fn migrate_writes_atomically_and_never_over_the_input_by_default() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("deployment.json");
    std::fs::copy(sample(), &input).unwrap();
    let before = std::fs::read(&input).unwrap();

    let refused = run(&["migrate", input.to_str().unwrap(), "-o", input.to_str().unwrap()]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(stderr(&refused).contains("--in-place"), "{}", stderr(&refused));
    assert_eq!(std::fs::read(&input).unwrap(), before, "input untouched");

    let out = dir.path().join("deployment.gpu.json");
    let o = run(&["migrate", input.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "written, but the sample keeps errors only a person can fix: {}", stderr(&o));
    assert!(stderr(&o).contains("still open on the output"), "{}", stderr(&o));
    let to_stdout = run(&["migrate", input.to_str().unwrap()]);
    assert_eq!(std::fs::read(&out).unwrap(), to_stdout.stdout, "file and stdout agree");
    let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names.len(), 2, "no temporary file left: {names:?}");

    let in_place = run(&["migrate", input.to_str().unwrap(), "--in-place"]);
    assert_eq!(in_place.status.code(), Some(1));
    assert_eq!(std::fs::read(&input).unwrap(), to_stdout.stdout);
}

/// `-o`, `--in-place` and `--report` give files the permissions `cp` would: a new file those of
/// any new file (the umask), a replaced file its old mode; never a temporary file's 0600.
#[cfg(unix)]
#[test]
fn migrate_output_files_get_the_permissions_of_a_copy() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o7777;
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("deployment.json");
    std::fs::copy(sample(), &input).unwrap();
    let reference = dir.path().join("reference");
    std::fs::File::create(&reference).unwrap();
    let (out, report) = (dir.path().join("new.gpu.json"), dir.path().join("report.md"));
    let o =
        run(&["migrate", input.to_str().unwrap(), "-o", out.to_str().unwrap(), "--report", report.to_str().unwrap()]);
    assert_ne!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_eq!(mode(&out), mode(&reference), "a new output gets the umask");
    assert_eq!(mode(&report), mode(&reference), "a new report too");

    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o664)).unwrap();
    std::fs::set_permissions(&input, std::fs::Permissions::from_mode(0o640)).unwrap();
    run(&["migrate", input.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    assert_eq!(mode(&out), 0o664, "a replaced output keeps its mode");
    run(&["migrate", input.to_str().unwrap(), "--in-place"]);
    assert_eq!(mode(&input), 0o640, "an input migrated in place keeps its mode");
}

#[test]
fn accept_none_returns_the_input_and_auto_changes_it() {
    let none = run(&["migrate", &sample(), "--accept", "none"]);
    let original: Value = serde_json::from_str(&std::fs::read_to_string(sample()).unwrap()).unwrap();
    let out: Value = serde_json::from_slice(&none.stdout).unwrap();
    assert_eq!(out, original);
    assert_eq!(
        stdout(&none),
        std::fs::read_to_string(sample()).unwrap(),
        "byte for byte, as the sample is 2-space JSON"
    );
    let auto = run(&["migrate", &sample()]);
    assert_ne!(auto.stdout, none.stdout);
    assert!(stderr(&auto).contains("applied"), "{}", stderr(&auto));
}

#[test]
fn a_decisions_file_replays_choices() {
    let dir = tempfile::tempdir().unwrap();
    let decisions = dir.path().join("decisions.json");
    std::fs::write(&decisions, r#"{"decisions": [{"rule": "STO001", "decision": "reject"}]}"#).unwrap();
    let o = run(&["migrate", &sample(), "--accept", "auto", "--decisions", decisions.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("/home/hcsshares/images"), "the rejected share binds stay");

    std::fs::write(&decisions, "{ not json").unwrap();
    let bad = run(&["migrate", &sample(), "--decisions", decisions.to_str().unwrap()]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("line 1"), "{}", stderr(&bad));
}

#[test]
fn rules_and_explain_read_the_rule_docs() {
    let o = run(&["rules"]);
    let text = stdout(&o);
    for r in fpga2gpu::rules::catalogue() {
        assert!(text.contains(r.doc.id), "{} listed", r.doc.id);
    }
    let e = run(&["explain", "sto001"]);
    assert!(e.status.success());
    let text = stdout(&e);
    assert!(text.starts_with("STO001: "));
    for part in ["Why it matters", "before:", "after:", "How safe"] {
        assert!(text.contains(part), "{part}");
    }
    assert_eq!(run(&["explain", "XYZ999"]).status.code(), Some(2));
}

#[test]
fn migrate_report_says_what_changed_and_why() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.md");
    let decisions = dir.path().join("d.json");
    std::fs::write(&decisions, r#"[{"rule": "STO001", "module": "CameraCapture", "decision": "reject"}]"#).unwrap();
    let o =
        run(&["migrate", &sample(), "--decisions", decisions.to_str().unwrap(), "--report", report.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let md = std::fs::read_to_string(&report).unwrap();
    assert!(md.starts_with("# Migration report: sample.deployment.json"));
    let camera = &md[md.find("## Module `CameraCapture`").expect("camera section")..];
    let rejected = camera.find("### Rejected").expect("the rejection is listed");
    assert!(camera[rejected..].contains("**STO001**"));
    assert!(md.contains("*Why:*"));
}
