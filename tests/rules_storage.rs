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

/// The pointer (inside the decoded createOptions) a finding is about.
fn co_rel(path: &str) -> &str {
    path.split_once("/settings/createOptions").map_or(path, |(_, rel)| rel)
}

#[test]
fn sto002_host_folder_bind_becomes_mounts_bind_entry() {
    let m = load("STO002");
    let found = findings(&m, "STO002");
    let rels: Vec<&str> = found.iter().map(|f| co_rel(&f.path)).collect();
    assert_eq!(rels, ["/HostConfig/Binds/0", "/HostConfig/Binds/1", "/HostConfig/Binds/2", "/HostConfig/Binds/3"]);
    assert!(found.iter().all(|f| f.severity == Severity::Warning && f.section == Section::Storage));
    assert!(found[..3].iter().all(|f| f.fix == FixKind::Auto));
    assert!(found[0].message.contains("/data/storage"), "{}", found[0].message);
    assert!(found[1].message.contains("$VIDEO_FOLDER"), "the placeholder is named as written");
    let summary = &found[2].suggestion.as_ref().unwrap().summary;
    assert!(summary.contains("`z` dropped"), "{summary}");
    assert_eq!(found[3].fix, FixKind::Manual, "a relative host path cannot be converted");
    assert!(found[3].message.contains("./cache") && found[3].suggestion.is_none());
    // Every other bind belongs to exactly one other storage rule.
    for (rule, n) in [("STO001", 1), ("STO003", 1), ("STO004", 1), ("STO008", 1)] {
        assert_eq!(findings(&m, rule).len(), n, "{rule}");
    }

    let out = accept(&m, "STO002");
    assert_eq!(
        create_options(&m, &out, "recorder"),
        json!({"HostConfig": {
            "Binds": ["./cache:/cache", "/home/hcsshares/input:/in", "/etc/app/config.json:/app/config.json:ro", "otel:/blobroot", "C:\\data:/win"],
            "Mounts": [
                {"Type": "bind", "Source": "/data/storage", "Target": "/storage", "ReadOnly": true},
                {"Type": "bind", "Source": "$VIDEO_FOLDER", "Target": "/media"},
                {"Type": "bind", "Source": "/var/log/app", "Target": "/logs"}
            ]
        }}),
        "the placeholder host path is kept verbatim"
    );
    assert!(auto_left(&m, &out, "STO002").is_empty());
}

#[test]
fn sto003_named_volume_bind_becomes_share_volume() {
    let m = load("STO003");
    let found = findings(&m, "STO003");
    assert_eq!(found.len(), 2, "`$DATA_DIR:/x` is a host path (STO002), not a volume");
    assert!(
        found.iter().all(|f| f.severity == Severity::Error && f.section == Section::Storage && f.fix == FixKind::Input)
    );
    assert_eq!(co_rel(&found[1].path), "/HostConfig/Binds/1");
    assert!(found[1].message.contains("`MyData`"), "{}", found[1].message);
    let input = found[1].suggestion.as_ref().and_then(|s| s.input.as_ref()).expect("an input");
    assert_eq!((input.at.as_str(), &input.default), ("/Source", &Some(json!("mydata"))));

    let out = accept(&m, "STO003");
    assert_eq!(
        create_options(&m, &out, "blob"),
        json!({"HostConfig": {
            "Binds": ["$DATA_DIR:/x"],
            "Mounts": [
                {"Type": "volume", "Source": "otel", "Target": "/blobroot"},
                {"Type": "volume", "Source": "mydata", "Target": "/data", "ReadOnly": true}
            ]
        }})
    );
    assert!(auto_left(&m, &out, "STO003").is_empty());
    assert!(findings(&reload(&m, &out), "STO003").is_empty());

    let typed = migrate_rule(&m, "STO003", fpga2gpu::migrate::Decision::Value { value: json!("shared") });
    assert_eq!(create_options(&m, &typed, "blob")["HostConfig"]["Mounts"][0]["Source"], "shared");
}

#[test]
fn sto004_file_bind_mounts_its_folder_or_needs_a_manual_change() {
    let m = load("STO004");
    let found = findings(&m, "STO004");
    let summary: Vec<(&str, FixKind)> = found.iter().map(|f| (co_rel(&f.path), f.fix)).collect();
    assert_eq!(
        summary,
        [
            ("/HostConfig/Binds/0", FixKind::Input),
            ("/HostConfig/Binds/2", FixKind::Manual),
            ("/HostConfig/Binds/3", FixKind::Manual),
            ("/HostConfig/Binds/4", FixKind::Manual),
            ("/HostConfig/Mounts/0", FixKind::Input),
        ],
        "two files of one folder make one finding; `/data/in` is a folder (STO002)"
    );
    assert!(found.iter().all(|f| f.severity == Severity::Error && f.section == Section::Storage));
    assert!(found[0].message.contains("settings.json") && found[0].message.contains("1 more"), "{}", found[0].message);
    assert!(found[1].message.contains("`/etc`") && found[1].message.contains("shadow"), "{}", found[1].message);
    assert!(found[2].message.contains("docker.sock") && found[2].message.contains("no Docker engine"));
    assert!(found[3].message.contains("device node"));
    let s = found[0].suggestion.as_ref().unwrap();
    assert!(
        s.summary.contains("/app/config/settings.json") && s.summary.contains("/app/config/secrets.yaml"),
        "{}",
        s.summary
    );
    assert_eq!(s.input.as_ref().unwrap().default, Some(json!("/opt/app/config")));

    let out = accept(&m, "STO004");
    assert_eq!(
        create_options(&m, &out, "app"),
        json!({"HostConfig": {
            "Binds": ["/etc/localtime:/etc/localtime:ro", "/var/run/docker.sock:/var/run/docker.sock", "/dev/video0:/dev/video0", "/data/in:/in"],
            "Mounts": [
                {"Type": "bind", "Source": "/opt/app/config", "Target": "/app/config", "ReadOnly": true},
                {"Type": "bind", "Source": "/srv/models", "Target": "/models"}
            ]
        }})
    );
    assert!(auto_left(&m, &out, "STO004").is_empty());
    let left = findings(&reload(&m, &out), "STO004");
    assert!(left.len() == 3 && left.iter().all(|f| f.fix == FixKind::Manual), "only the manual ones stay: {left:?}");
}

#[test]
fn sto005_incomplete_mount_is_reported_for_a_manual_fix() {
    let m = load("STO005");
    let found = findings(&m, "STO005");
    let rels: Vec<&str> = found.iter().map(|f| co_rel(&f.path)).collect();
    assert_eq!(
        rels,
        ["/HostConfig/Mounts/0", "/HostConfig/Mounts/1", "/HostConfig/Mounts/2"],
        "the tmpfs needs no source and lower-case keys are read as Docker reads them"
    );
    assert!(
        found.iter().all(|f| (f.severity, f.section, f.fix) == (Severity::Error, Section::Storage, FixKind::Manual))
    );
    assert!(found.iter().all(|f| f.suggestion.is_none()));
    assert!(found[0].message.contains("`/data`") && found[0].message.contains("no `Source`"), "{}", found[0].message);
    assert!(found[1].message.contains("volumeMount"), "{}", found[1].message);
    assert!(found[2].message.contains("a string"), "{}", found[2].message);

    let out = accept(&m, "STO005");
    assert!(out.applied.is_empty(), "nothing to apply");
    assert_eq!(create_options(&m, &out, "store"), m.module("store").unwrap().create_options.value.clone().unwrap());
    assert!(auto_left(&m, &out, "STO005").is_empty());
}

#[test]
fn sto006_tmpfs_becomes_memory_emptydir_and_npipe_is_dropped() {
    let m = load("STO006");
    let all = findings(&m, "STO006");
    let found: Vec<_> = all.iter().filter(|f| f.module.as_deref() == Some("scratch")).collect();
    let rels: Vec<&str> = found.iter().map(|f| co_rel(&f.path)).collect();
    assert_eq!(rels, ["/HostConfig/Mounts/0", "/HostConfig/Mounts/1", "/HostConfig/Mounts/3"], "the volume is fine");
    assert!(
        found.iter().all(|f| (f.severity, f.section, f.fix) == (Severity::Warning, Section::Storage, FixKind::Auto))
    );
    assert!(found[0].message.contains("`/app/cache`"), "{}", found[0].message);
    assert!(found[1].message.contains("npipe") && found[1].message.contains(r"\\.\pipe\docker_engine"));

    let out = accept(&m, "STO006");
    assert_eq!(
        create_options(&m, &out, "scratch"),
        json!({
            "HostConfig": {"Mounts": [{"Type": "volume", "Source": "data", "Target": "/data"}]},
            "k8s-experimental": {
                "resources": {"limits": {"memory": "512Mi"}},
                "volumes": [
                    {"volume": {"name": "tmpfs-app-cache", "emptyDir": {"medium": "Memory", "sizeLimit": "64Mi"}},
                     "volumeMounts": [{"name": "tmpfs-app-cache", "mountPath": "/app/cache"}]},
                    {"volume": {"name": "tmpfs-app-cache-2", "emptyDir": {"medium": "Memory"}},
                     "volumeMounts": [{"name": "tmpfs-app-cache-2", "mountPath": "/app.cache"}]}
                ]
            }
        }),
        "names are unique DNS labels and the existing k8s-experimental keys stay"
    );
    // At /dev/shm the size is ShmSize's; where a volume already mounts the path, the tmpfs only goes.
    let shm: Vec<_> = all.iter().filter(|f| f.module.as_deref() == Some("shm")).collect();
    assert!(shm[1].suggestion.as_ref().unwrap().summary.contains("already mounts"), "{:?}", shm[1].suggestion);
    assert_eq!(
        create_options(&m, &out, "shm"),
        json!({
            "HostConfig": {"ShmSize": 268435456},
            "k8s-experimental": {"volumes": [
                {"volume": {"name": "cache", "emptyDir": {}}, "volumeMounts": [{"name": "cache", "mountPath": "/cache"}]},
                {"volume": {"name": "tmpfs-dev-shm", "emptyDir": {"medium": "Memory", "sizeLimit": "256Mi"}},
                 "volumeMounts": [{"name": "tmpfs-dev-shm", "mountPath": "/dev/shm"}]}
            ]}
        })
    );
    assert!(auto_left(&m, &out, "STO006").is_empty());
}

#[test]
fn sto007_anonymous_volume_without_a_mount_is_reported() {
    let m = load("STO007");
    let found = findings(&m, "STO007");
    assert_eq!(found.len(), 1, "`/logs/` is kept on a bind");
    let f = &found[0];
    assert_eq!((f.severity, f.section, f.fix), (Severity::Warning, Section::Storage, FixKind::Manual));
    assert_eq!(co_rel(&f.path), "/Volumes/~1data");
    assert!(f.message.contains("`/data`") && f.message.contains("lost"), "{}", f.message);
    assert!(f.suggestion.is_none());

    let out = accept(&m, "STO007");
    assert!(out.applied.is_empty());
    assert_eq!(
        create_options(&m, &out, "db"),
        json!({"Volumes": {"/data": {}, "/logs/": {}}, "HostConfig": {"Binds": ["/var/log/db:/logs"]}})
    );
    assert!(auto_left(&m, &out, "STO007").is_empty());
}

#[test]
fn sto008_windows_host_path_needs_a_manual_fix() {
    let m = load("STO008");
    let found = findings(&m, "STO008");
    let rels: Vec<&str> = found.iter().map(|f| co_rel(&f.path)).collect();
    assert_eq!(rels, ["/HostConfig/Binds/0", "/HostConfig/Mounts/0"]);
    assert!(
        found.iter().all(|f| (f.severity, f.section, f.fix) == (Severity::Error, Section::Storage, FixKind::Manual))
    );
    assert!(found[0].message.contains(r"`C:\data`"), "{}", found[0].message);
    assert!(found[1].message.contains(r"`D:\models`"), "{}", found[1].message);
    assert_eq!(findings(&m, "STO002").len(), 1, "only `/srv/ok` is a Linux host folder");

    let out = accept(&m, "STO008");
    assert!(out.applied.is_empty());
    assert_eq!(create_options(&m, &out, "winapp"), m.module("winapp").unwrap().create_options.value.clone().unwrap());
    assert!(auto_left(&m, &out, "STO008").is_empty());
}
