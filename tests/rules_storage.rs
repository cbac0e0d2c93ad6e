//! The storage rules of the guide (STO…), one test each, on a small manifest in tests/fixtures/rules.

mod common;
use common::*;
use fpga2gpu::rules::{FixKind, Section, Severity};
use serde_json::json;

#[test]
fn sto001_share_bind_becomes_volume_mount_of_the_share() {
    let m = load("STO001");
    let found = findings(&m, "STO001");
    assert_eq!(found.len(), 2);
    assert!(
        found.iter().all(|f| f.severity == Severity::Error && f.section == Section::Storage && f.fix == FixKind::Auto)
    );
    assert_eq!(found[0].module.as_deref(), Some("filemover"));
    assert!(found[0].path.ends_with("/settings/createOptions/HostConfig/Binds/0"), "{}", found[0].path);

    let out = accept(&m, "STO001");
    let co = create_options(&m, &out, "filemover");
    assert_eq!(
        co,
        json!({"HostConfig": {"Mounts": [
            {"Type": "volume", "Source": "input", "Target": "/data/in", "ReadOnly": true},
            {"Type": "volume", "Source": "output", "Target": "/data/out"}
        ]}}),
        "both binds become share volumes and the emptied Binds list is dropped"
    );
    assert!(auto_left(&m, &out, "STO001").is_empty());
}
