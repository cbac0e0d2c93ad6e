//! `fpga2gpu migrate -o`: an export that cannot be written says why, exits 2, leaves no partial or
//! temporary file and never touches the input; one that can is written atomically (a temporary
//! `.fpga2gpu-*.tmp` file in the target's folder, renamed over the target).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A manifest with one auto fix (a share bind), so that the output differs from the input.
const INPUT: &str = r#"{
  "modulesContent": {
    "$edgeAgent": {
      "properties.desired": {
        "schemaVersion": "1.1",
        "modules": {
          "camera": {
            "type": "docker",
            "settings": {
              "image": "${ACR}/camera:1.0",
              "createOptions": "{\"HostConfig\":{\"Binds\":[\"/home/hcsshares/images:/data\"]}}"
            }
          }
        }
      }
    },
    "$edgeHub": {"properties.desired": {"schemaVersion": "1.1", "routes": {}}}
  }
}
"#;

struct Setup {
    dir: tempfile::TempDir,
    input: PathBuf,
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("deployment.json");
    std::fs::write(&input, INPUT).expect("write input");
    Setup { dir, input }
}

fn migrate(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fpga2gpu")).arg("migrate").args(args).output().expect("the binary runs")
}

fn migrate_to(input: &Path, output: &Path) -> Output {
    migrate(&[input.as_os_str(), "-o".as_ref(), output.as_os_str()])
}

/// Names of the temporary files the atomic write would leave behind if it failed half-way.
fn temp_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.starts_with(".fpga2gpu-") && n.ends_with(".tmp"))
                .collect()
        })
        .unwrap_or_default()
}

fn assert_refused(out: &Output, expected: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "exit code 2; stderr: {stderr}");
    assert!(stderr.contains(expected), "stderr says {expected:?}: {stderr}");
}

fn assert_input_unchanged(s: &Setup) {
    assert_eq!(std::fs::read_to_string(&s.input).expect("input still there"), INPUT, "the input is untouched");
}

#[test]
fn export_into_a_directory_is_refused() {
    let s = setup();
    let target = s.dir.path().join("out");
    std::fs::create_dir(&target).expect("mkdir");
    let out = migrate_to(&s.input, &target);
    assert_refused(&out, "is a directory, not a file");
    assert_eq!(std::fs::read_dir(&target).expect("still a directory").count(), 0, "nothing written into it");
    assert!(temp_files(s.dir.path()).is_empty());
    assert_input_unchanged(&s);
}

#[test]
fn export_into_a_missing_folder_is_refused_and_creates_nothing() {
    let s = setup();
    let folder = s.dir.path().join("no-such-folder");
    let out = migrate_to(&s.input, &folder.join("out.json"));
    assert_refused(&out, "cannot write");
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such-folder"), "the error names the path");
    assert!(!folder.exists(), "the folder is not created");
    assert!(temp_files(s.dir.path()).is_empty());
    assert_input_unchanged(&s);
}

#[test]
fn export_into_an_unwritable_folder_is_refused_without_leftovers() {
    use std::os::unix::fs::PermissionsExt;
    let s = setup();
    let folder = s.dir.path().join("read-only");
    std::fs::create_dir(&folder).expect("mkdir");
    std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o555)).expect("chmod");
    // Root ignores permission bits (tests often run as root in containers): then the unwritable
    // target is a path below a regular file, which no user can create.
    let probe = folder.join("probe");
    let root = std::fs::write(&probe, b"").is_ok();
    let (target, leftovers_in) = if root {
        let _ = std::fs::remove_file(&probe);
        let file = s.dir.path().join("regular-file");
        std::fs::write(&file, b"not a folder").expect("write");
        (file.join("out.json"), s.dir.path().to_owned())
    } else {
        (folder.join("out.json"), folder.clone())
    };
    let out = migrate_to(&s.input, &target);
    assert_refused(&out, "cannot write");
    assert!(!target.exists(), "no partial output");
    assert!(temp_files(&leftovers_in).is_empty(), "no temporary file left");
    assert!(temp_files(s.dir.path()).is_empty());
    assert_input_unchanged(&s);
    std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o755)).expect("chmod back");
}

#[test]
fn export_onto_the_input_needs_in_place() {
    let s = setup();
    for target in [s.input.clone(), s.dir.path().join(".").join("deployment.json")] {
        let out = migrate_to(&s.input, &target);
        assert_refused(&out, "refusing to overwrite the input");
        assert!(String::from_utf8_lossy(&out.stderr).contains("--in-place"), "the error says how");
        assert_input_unchanged(&s);
        assert!(temp_files(s.dir.path()).is_empty());
    }
}

#[test]
fn export_is_written_atomically_and_in_place_works() {
    let s = setup();
    let target = s.dir.path().join("migrated.json");
    let out = migrate_to(&s.input, &target);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let written = std::fs::read_to_string(&target).expect("output written");
    assert!(written.contains("\\\"Type\\\":\\\"volume\\\""), "the share bind became a volume mount: {written}");
    assert!(temp_files(s.dir.path()).is_empty(), "the temporary file was renamed, not left");
    assert_input_unchanged(&s);

    // Writing again over an existing output replaces it whole.
    let again = migrate_to(&s.input, &target);
    assert_eq!(again.status.code(), Some(0));
    assert_eq!(std::fs::read_to_string(&target).expect("output"), written);

    let in_place = migrate(&[s.input.as_os_str(), "--in-place".as_ref()]);
    assert_eq!(in_place.status.code(), Some(0), "{}", String::from_utf8_lossy(&in_place.stderr));
    assert_eq!(std::fs::read_to_string(&s.input).expect("input"), written, "--in-place writes the same result");
    assert!(temp_files(s.dir.path()).is_empty());
}
