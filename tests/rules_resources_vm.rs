//! The resources rules for the VM target (IoT Edge 1.5/1.6 on moby in a GPU VM): a snapshot of each
//! VM rule on its fixture, the rules of both targets as they behave in the VM, then the migrations
//! the issue asks for: an FPGA module and a managed-Kubernetes GPU module migrated with
//! `--target vm --accept all`, and what must hold across the rules (one GPU request per module,
//! typed values checked, the checklist step).

mod common;
use common::*;
use fpga2gpu::device::{DeviceProfile, GpuModel, Target};
use fpga2gpu::manifest::Manifest;
use fpga2gpu::migrate::{Decision, Outcome, Policy, check_decision, migrate};
use fpga2gpu::rules::{Finding, Fix, Severity, analyse};
use serde_json::{Value, json};
use test_case::test_case;

#[test_case("RES101")]
#[test_case("RES102")]
#[test_case("RES103")]
#[test_case("RES104")]
#[test_case("RES105")]
fn rule(id: &str) {
    insta::assert_snapshot!(id, rule_snapshot_text(id, None));
}

/// Rules of both targets, on their own fixture, in the VM.
#[test_case("RES002")]
#[test_case("RES005")]
#[test_case("RES009")]
#[test_case("RES011")]
#[test_case("RES012")]
fn rule_in_the_vm(id: &str) {
    insta::assert_snapshot!(format!("{id}_vm"), rule_snapshot_text(id, Some(vm())));
}

fn vm() -> DeviceProfile {
    DeviceProfile { target: Target::Vm, ..DeviceProfile::default() }
}

fn vm_with(gpus: u32, model: GpuModel) -> DeviceProfile {
    DeviceProfile { target: Target::Vm, gpus, gpu_model: model, ..DeviceProfile::default() }
}

fn of<'f>(found: &'f [Finding], rule: &str, module: &str) -> Vec<&'f Finding> {
    found.iter().filter(|f| f.rule == rule && f.module.as_deref() == Some(module)).collect()
}

fn one<'f>(found: &'f [Finding], rule: &str, module: &str) -> &'f Finding {
    let list = of(found, rule, module);
    assert_eq!(list.len(), 1, "one {rule} finding on {module}: {found:#?}");
    list[0]
}

/// `fpga2gpu migrate --target vm --accept <policy>`.
fn migrated(m: &Manifest, device: &DeviceProfile, policy: Policy) -> Outcome {
    let found = analyse(m, device);
    let out = migrate(m, device, &found, |f| policy.decide(f));
    let failed: Vec<_> = out.failed().collect();
    assert!(failed.is_empty(), "not applied: {failed:?}");
    assert!(out.warnings.is_empty(), "warnings: {:?}", out.warnings);
    out
}

/// The module's GPU device requests in a createOptions value.
fn gpu_requests(co: &Value) -> Vec<&Value> {
    co["HostConfig"]["DeviceRequests"]
        .as_array()
        .map(|list| list.iter().filter(|r| r.to_string().contains("gpu")).collect())
        .unwrap_or_default()
}

#[test]
fn an_fpga_module_migrated_to_the_vm_gets_its_gpu_through_a_device_request() {
    // Microsoft's FPGA example: catapult limits and requests, Privileged, WIRESERVER_ADDRESS.
    let m = load("RES101");
    let device = vm();
    let out = migrated(&m, &device, Policy::All);
    let co = create_options(&m, &out, "voiddetection");
    assert_eq!(
        co,
        json!({"HostConfig": {"DeviceRequests": [{"Count": -1, "Capabilities": [["gpu"]]}]}}),
        "the FPGA, its privilege and the wire server go; every GPU of the VM comes"
    );
    let text = out.text(&m);
    assert!(!text.contains("catapult"), "no FPGA is left anywhere:\n{text}");
    assert!(!text.contains("WIRESERVER_ADDRESS"), "no wire server is left:\n{text}");
    // The module that already had a request keeps it, alone.
    let kept = create_options(&m, &out, "nodes");
    assert_eq!(kept, json!({"HostConfig": {"DeviceRequests": [{"Count": 1, "Capabilities": [["gpu"]]}]}}));
    // NVIDIA_VISIBLE_DEVICES becomes the request's DeviceIDs.
    let templated = reload(&m, &out);
    let t = templated.module("templated").unwrap();
    assert!(t.env.is_empty(), "the variable went into the request: {:?}", t.env);
    assert_eq!(
        create_options(&m, &out, "templated"),
        json!({"HostConfig": {"DeviceRequests": [{"DeviceIDs": ["0"], "Capabilities": [["gpu"]]}]}})
    );
    // Re-migrating proposes no safe fix, and nothing of RES10x is left to decide.
    let again = reload(&m, &out);
    let left = analyse(&again, &device);
    assert!(left.iter().all(|f| f.fix() != Fix::Safe), "{left:#?}");
    assert!(left.iter().all(|f| !f.rule.starts_with("RES10") && f.rule != "RES002"), "{left:#?}");
}

#[test]
fn a_managed_kubernetes_gpu_module_moves_its_gpu_limit_into_a_device_request() {
    let m = load("rules/RES_vm_k8s_gpu.json");
    let device = vm();
    let out = migrated(&m, &device, Policy::All);
    let co = create_options(&m, &out, "detector");
    let hc = &co["HostConfig"];
    assert_eq!(
        (&hc["Memory"], &hc["NanoCpus"], &hc["DeviceRequests"]),
        (&json!(2147483648_u64), &json!(2000000000_u64), &json!([{"Count": 1, "Capabilities": [["gpu"]]}])),
        "the GPU limit becomes the request's count, memory and CPU Docker's limits"
    );
    // STO105 carries the pod's memory emptyDir at /dev/shm over as a tmpfs, as it ran on Kubernetes.
    assert_eq!(hc["Mounts"][0]["Type"], "tmpfs");
    // The resources moved; OTH101 removed what remained (the strategy): no section is left.
    assert!(co.get("k8s-experimental").is_none(), "{co}");
    // The module that time-shared on Kubernetes (NVIDIA_VISIBLE_DEVICES alone) gets its request too.
    assert_eq!(
        gpu_requests(&create_options(&m, &out, "shared")),
        vec![&json!({"DeviceIDs": ["0"], "Capabilities": [["gpu"]]})]
    );
    // The names stay (the VM never renames).
    let again = reload(&m, &out);
    assert!(again.module("detector").is_some() && again.module("shared").is_some());
    let left = analyse(&again, &device);
    assert!(left.iter().all(|f| f.fix() != Fix::Safe), "re-migrating proposes no safe fix: {left:#?}");
    assert!(left.iter().all(|f| f.rule != "RES104" && f.rule != "RES009"), "{left:#?}");
}

#[test]
fn every_way_of_asking_for_a_gpu_ends_in_one_request() {
    // The FPGA, a Kubernetes limit, the NVIDIA runtime and NVIDIA_VISIBLE_DEVICES on one module:
    // only RES101 writes the request, the others only remove what they found.
    let m = parse(
        r#"{"modulesContent": {"$edgeAgent": {"properties.desired": {"schemaVersion": "1.0",
        "runtime": {"type": "docker", "settings": {}},
        "systemModules": {"edgeAgent": {"type": "docker", "settings": {"image": "mcr.microsoft.com/azureiotedge-agent:1.0", "createOptions": ""}},
                          "edgeHub": {"type": "docker", "settings": {"image": "mcr.microsoft.com/azureiotedge-hub:1.0", "createOptions": ""}}},
        "modules": {"all": {"type": "docker", "settings": {"image": "x/all:1", "createOptions":
            "{\"Env\":[\"NVIDIA_VISIBLE_DEVICES=all\"],\"HostConfig\":{\"Runtime\":\"nvidia\",\"Devices\":[{\"PathOnHost\":\"/dev/catapult0\"}]},\"k8s-experimental\":{\"resources\":{\"limits\":{\"nvidia.com/gpu\":1,\"microsoft.com/fpga_catapult\":1}}}}"}}}}},
        "$edgeHub": {"properties.desired": {"schemaVersion": "1.0", "routes": {}, "storeAndForwardConfiguration": {"timeToLiveSecs": 7200}}}}}"#,
    );
    let device = vm();
    let found = analyse(&m, &device);
    let writers: Vec<&str> = found
        .iter()
        .filter(|f| {
            f.suggestion
                .as_ref()
                .is_some_and(|s| s.edits.iter().any(|e| e.at().to_string().ends_with("/DeviceRequests")))
        })
        .map(|f| f.rule)
        .collect();
    assert_eq!(writers, ["RES101"], "one rule writes the request");
    let out = migrated(&m, &device, Policy::All);
    let co = create_options(&m, &out, "all");
    assert_eq!(co, json!({"HostConfig": {"DeviceRequests": [{"Count": -1, "Capabilities": [["gpu"]]}]}}));
    let again = reload(&m, &out);
    assert!(
        analyse(&again, &device).iter().all(|f| !f.rule.starts_with("RES") || f.rule == "RES005"),
        "nothing left but advice on limits"
    );
}

#[test]
fn a_migration_to_the_vm_never_writes_into_k8s_experimental() {
    // OTH101 removes the section once the resources rules have taken what they need: they must
    // leave nothing in it for that removal to undo.
    for id in ["RES101", "RES102", "RES103", "RES104", "RES105", "rules/RES_vm_k8s_gpu.json"] {
        let m = load(id);
        for f in analyse(&m, &vm()).into_iter().filter(|f| f.rule.starts_with("RES")) {
            for e in f.suggestion.iter().flat_map(|s| &s.edits) {
                let writes = e.fragment().is_some();
                assert!(
                    !(writes && e.at().to_string().contains("/k8s-experimental")),
                    "{id} {}: writes into k8s-experimental: {e:?}",
                    f.key().id()
                );
            }
        }
    }
}

#[test]
fn gpu_findings_carry_the_gpu_vm_step_for_the_device() {
    let m = load("RES101");
    for (device, sizes, absent) in [
        (vm(), "Standard_NC4as_T4_v3", "A2"),
        (vm_with(2, GpuModel::T4), "`Standard_NC32as_2T4_v1` gives the VM both T4 GPUs", "A2"),
        (vm_with(1, GpuModel::A2), "Standard_NC4as_A2", "T4"),
    ] {
        let found = analyse(&m, &device);
        let step = one(&found, "RES101", "voiddetection").step.clone().expect("a checklist step");
        assert!(step.detail.contains(sizes), "{}", step.detail);
        assert!(!step.detail.contains(absent), "{}", step.detail);
        assert!(step.detail.contains("nvidia-ctk runtime configure --runtime=docker"), "{}", step.detail);
        assert!(step.inferred, "a GPU VM on Ubuntu 22.04/24.04 is not documented by Microsoft");
        // RES103 asks for the same step: the checklist gives it once.
        let runtime = analyse(&load("RES103"), &device);
        assert_eq!(one(&runtime, "RES103", "runtime").step.as_ref().map(|s| &s.action), Some(&step.action));
    }
}

#[test]
fn typed_values_are_checked_by_the_rules_that_read_them() {
    let device = vm();
    let check =
        |m: &Manifest, f: &Finding, value: Value| check_decision(m, &device, &analyse, f, &Decision::Value { value });
    // A GPU count: -1 or 1 on a one-GPU VM; 2 is more than it has (RES102), "all" is not a number.
    let m = load("RES101");
    let found = analyse(&m, &device);
    let f = one(&found, "RES101", "voiddetection");
    assert_eq!(check(&m, f, json!(-1)), Ok(()));
    assert_eq!(check(&m, f, json!(1)), Ok(()));
    assert!(check(&m, f, json!(2)).is_err_and(|e| e.contains("RES102")));
    assert!(check(&m, f, json!("all")).is_err());
    // A memory limit: Docker's bytes, not a Kubernetes quantity, and at least 6 MB (RES005).
    let m = load("RES104");
    let found = analyse(&m, &device);
    let memory = of(&found, "RES104", "ported")
        .into_iter()
        .find(|f| f.location.to_string().ends_with("/limits/memory"))
        .expect("ported's memory limit");
    assert_eq!(check(&m, memory, json!(536870912)), Ok(()));
    assert!(check(&m, memory, json!("512Mi")).is_err_and(|e| e.contains("RES005")));
    assert!(check(&m, memory, json!(1024)).is_err_and(|e| e.contains("6 MB")));
}

#[test]
fn nvidia_visible_devices_in_the_vm() {
    let m = load("RES009");
    let device = vm();
    let found = analyse(&m, &device);
    // Next to a request: the GPUs move into its DeviceIDs.
    let requested = one(&found, "RES009", "requested");
    assert_eq!(requested.severity, Severity::Warning);
    let out = migrate(&m, &device, &found, |f| (f.rule == "RES009").then_some(Decision::Accept));
    assert_eq!(
        create_options(&m, &out, "requested"),
        json!({"HostConfig": {"DeviceRequests": [{"Capabilities": [["gpu"]], "DeviceIDs": ["0"]}]}})
    );
    // A GPU the VM does not have is an error; on a two-GPU VM index 1 exists.
    assert_eq!(one(&found, "RES009", "wrongindex").severity, Severity::Error);
    assert!(of(&analyse(&m, &vm_with(2, GpuModel::T4)), "RES009", "wrongindex")[0].severity != Severity::Error);
    // Next to a Kubernetes GPU limit, RES104 writes the request and takes the variable over.
    assert!(of(&found, "RES009", "limited").is_empty());
    let limit = of(&found, "RES104", "limited");
    assert!(limit[0].message.contains("`NVIDIA_VISIBLE_DEVICES=0` as `DeviceIDs: [\"0\"]`"), "{}", limit[0].message);
}

#[test]
fn placeholders_are_never_dropped_without_a_word() {
    for id in ["RES009", "RES101", "RES102", "RES103", "RES104", "RES105", "rules/RES_vm_k8s_gpu.json"] {
        let m = load(id);
        let found: Vec<_> = analyse(&m, &vm()).into_iter().filter(|f| f.rule.starts_with("RES")).collect();
        assert_placeholders_kept_or_said(id, &m, &found);
    }
}
