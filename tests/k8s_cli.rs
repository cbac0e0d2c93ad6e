//! `fpga2gpu k8s`: the contract other tools rely on (formats, the module filter, exit codes), and
//! the pre-flight in `check` and `migrate`.

mod common;
use common::fixture_path;
use serde_json::Value;
use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fpga2gpu")).args(args).output().expect("fpga2gpu runs")
}

fn fixture(id: &str) -> String {
    fixture_path(&format!("rules/{id}.json")).display().to_string()
}

#[test]
fn json_lists_every_module_with_objects_or_the_agents_refusal() {
    let o = run(&["k8s", "--format", "json", &fixture("K8S001")]);
    assert_eq!(o.status.code(), Some(1), "one module is refused");
    let v: Value = serde_json::from_slice(&o.stdout).expect("JSON on stdout");
    let modules = v["modules"].as_array().unwrap();
    let ids: Vec<&str> = modules.iter().map(|m| m["module"].as_str().unwrap()).collect();
    assert_eq!(ids, ["$edgeAgent", "$edgeHub", "camera", "ok"]);
    for m in modules {
        for o in m["objects"].as_array().unwrap() {
            for key in ["apiVersion", "kind", "metadata", "spec"] {
                assert!(o.get(key).is_some() || (key == "spec" && o["kind"] == "ServiceAccount"), "{key} in {o}");
            }
        }
    }
    assert!(modules[2]["error"].as_str().unwrap().contains("annotation key"));
    assert!(modules[2]["objects"].as_array().unwrap().is_empty());
    assert!(modules[3]["error"].is_null());
    assert!(String::from_utf8_lossy(&o.stderr).contains("the agent would refuse `camera`"));
}

#[test]
fn yaml_is_a_stream_of_documents_each_naming_its_module() {
    let o = run(&["k8s", &fixture("K8S004"), "--module", "api", "--module", "$edgeHub"]);
    assert_eq!(o.status.code(), Some(0));
    let text = String::from_utf8(o.stdout).unwrap();
    let docs: Vec<Value> =
        serde_yaml_ng::Deserializer::from_str(&text).map(|d| serde::Deserialize::deserialize(d).unwrap()).collect();
    let kinds: Vec<(&str, &str)> =
        docs.iter().map(|d| (d["kind"].as_str().unwrap(), d["metadata"]["name"].as_str().unwrap())).collect();
    assert_eq!(
        kinds,
        [
            ("ServiceAccount", "edgehub"),
            ("Service", "edgehub"),
            ("Deployment", "edgehub"),
            ("ServiceAccount", "api"),
            ("Service", "api"),
            ("Deployment", "api")
        ]
    );
    assert_eq!(text.matches("\n# module api: ").count() + text.matches("# module $edgeHub: ").count(), 6, "{text}");
}

#[test]
fn device_flags_change_the_objects_and_bad_input_is_exit_2() {
    let o = run(&[
        "k8s",
        "--format",
        "json",
        "--storage-class",
        "",
        "--pvc-size-mb",
        "512",
        "--volume-name-from-source",
        &fixture("K8S010"),
    ]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let claims: Vec<&Value> = v["modules"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|m| m["objects"].as_array().unwrap())
        .filter(|o| o["kind"] == "PersistentVolumeClaim")
        .collect();
    assert_eq!(claims.len(), 2);
    assert_eq!(claims[0]["spec"]["resources"]["requests"]["storage"], "512Mi");
    assert_eq!(claims[0]["spec"]["storageClassName"], "");
    assert_eq!(claims[0]["spec"]["volumeName"], "input");
    let o = run(&["k8s", "--format", "json", "--service-type", "ClusterIP", &fixture("K8S009")]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(
        v["modules"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|m| m["objects"].as_array().unwrap())
            .filter(|o| o["kind"] == "Service")
            .all(|s| s["spec"]["type"] == "ClusterIP")
    );

    assert_eq!(run(&["k8s", "/nonexistent/manifest.json"]).status.code(), Some(2));
    let unknown = run(&["k8s", &fixture("K8S004"), "--module", "nope"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no module `nope`"));
}

#[test]
fn check_and_migrate_run_the_preflight() {
    let o = run(&["check", "--format", "json", &fixture("K8S003")]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v["findings"].as_array().unwrap().iter().any(|f| f["rule"] == "K8S003" && f["section"] == "storage"));
    assert_eq!(o.status.code(), Some(1));
    let vm = run(&["check", "--format", "json", "--target", "vm", &fixture("K8S003")]);
    let v: Value = serde_json::from_slice(&vm.stdout).unwrap();
    assert!(!v["findings"].as_array().unwrap().iter().any(|f| f["rule"].as_str().unwrap().starts_with("K8S")));
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.json");
    let m = run(&["migrate", "--accept", "all", &fixture("K8S002"), "-o", out.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&m.stderr);
    assert!(err.contains("K8S002 inference"), "migrate lists what would still fail: {err}");
    assert_eq!(m.status.code(), Some(1));
}
