//! The resources rules of the guide (RES…): a snapshot of each rule on its fixture in
//! tests/fixtures/rules, then what a snapshot cannot say: other device profiles, the deployment's
//! GPU budget under each `--accept` policy, typed values checked by the rule they fix, the module's
//! own spelling, placeholders.

mod common;
use common::*;
use fpga2gpu::device::DeviceProfile;
use fpga2gpu::manifest::Manifest;
use fpga2gpu::migrate::{Decision, Outcome, Policy, check_decision, migrate};
use fpga2gpu::rules::{Finding, Fix, Severity, analyse};
use serde_json::{Value, json};
use test_case::test_case;

#[test_case("RES001")]
#[test_case("RES002")]
#[test_case("RES003")]
#[test_case("RES004")]
#[test_case("RES005")]
#[test_case("RES006")]
#[test_case("RES007")]
#[test_case("RES008")]
#[test_case("RES009")]
#[test_case("RES010")]
#[test_case("RES011")]
#[test_case("RES012")]
#[test_case("RES013")]
fn rule(id: &str) {
    insta::assert_snapshot!(id, rule_snapshot_text(id, None));
}

fn gpus(n: u32) -> DeviceProfile {
    DeviceProfile { gpus: n, ..DeviceProfile::default() }
}

/// The findings of `rule` on `module`, for `device`.
fn on(m: &Manifest, device: &DeviceProfile, rule: &str, module: &str) -> Vec<Finding> {
    analyse(m, device).into_iter().filter(|f| f.rule == rule && f.module.as_deref() == Some(module)).collect()
}

/// The one finding of `rule` on `module`.
fn one(m: &Manifest, device: &DeviceProfile, rule: &str, module: &str) -> Finding {
    let mut found = on(m, device, rule, module);
    assert_eq!(found.len(), 1, "one {rule} finding on {module}: {found:#?}");
    found.remove(0)
}

fn input_default(f: &Finding) -> Option<Value> {
    f.suggestion.as_ref()?.input.as_ref()?.default.clone()
}

/// Migrates with a policy, as `fpga2gpu migrate --accept` does.
fn with_policy(m: &Manifest, device: &DeviceProfile, policy: Policy) -> Outcome {
    let found = analyse(m, device);
    let out = migrate(m, device, &found, |f| policy.decide(f));
    assert_eq!(out.failed().count(), 0, "{:?}", out.failed().collect::<Vec<_>>());
    out
}

/// Every module's `nvidia.com/gpu` limit in a migrated document, by module.
fn gpu_limits(m: &Manifest, out: &Outcome) -> Vec<(String, Value)> {
    let again = reload(m, out);
    again
        .modules
        .iter()
        .filter_map(|module| {
            let co = module.create_options.value.as_ref()?;
            let limit = co.pointer("/k8s-experimental/resources/limits/nvidia.com~1gpu")?;
            Some((module.name.clone(), limit.clone()))
        })
        .collect()
}

#[test]
fn res001_proposes_the_fpga_count_within_the_device_gpus() {
    let m = load("RES001");
    for (n, expected) in [(1, 1), (2, 2), (4, 2)] {
        let f = one(&m, &gpus(n), "RES001", "detector");
        assert_eq!((f.severity, f.fix()), (Severity::Error, Fix::NeedsReview), "an FPGA is not a GPU: confirm");
        assert_eq!(input_default(&f), Some(json!(expected)), "2 FPGAs on a {n}-GPU device");
        assert!(f.message.contains("rebuilt for the GPU"), "{}", f.message);
        assert_eq!(f.message.contains("asks for 2 accelerators"), n < 2, "{}", f.message);
    }
    let zero = one(&m, &gpus(0), "RES001", "detector");
    assert_eq!(input_default(&zero), Some(json!(0)), "a device whose GPUs all go to VMs");
}

/// Every module's `NVIDIA_VISIBLE_DEVICES` in its `env` section, in a migrated document.
fn shared_gpus(m: &Manifest, out: &Outcome) -> Vec<(String, String)> {
    reload(m, out)
        .modules
        .iter()
        .filter_map(|module| {
            let v = module.env.iter().find(|v| v.name == "NVIDIA_VISIBLE_DEVICES")?;
            Some((module.name.clone(), v.value.clone()?))
        })
        .collect()
}

#[test]
fn gpu_budget_on_one_and_two_gpus() {
    let m = load("RES010");
    // (GPUs; detector's and classifier's GPU limits, `None` when they time-share; RES010 reported)
    for (n, detector, classifier, over) in
        [(1, None, None, true), (2, Some(1), None, true), (3, Some(1), Some(1), false)]
    {
        let device = gpus(n);
        for (name, limit) in [("detector", detector), ("classifier", classifier)] {
            let f = one(&m, &device, "RES003", name);
            assert_eq!(f.severity, Severity::Error, "a GPU module losing its GPU is an error");
            match limit {
                Some(l) => {
                    assert_eq!(f.suggestion.as_ref().and_then(|s| s.fragment()), Some(json!(l)), "{n} GPUs, {name}");
                    assert_eq!(f.fix(), Fix::Safe, "{n} GPUs: {}", f.message);
                }
                None => {
                    // NEW-5: beyond the device's GPUs a module shares one, as ASE documents.
                    assert_eq!(
                        (f.fix(), input_default(&f)),
                        (Fix::NeedsReview, Some(json!("0"))),
                        "{n}: {}",
                        f.message
                    );
                    assert!(f.message.contains("held by `ported` (1)"), "{}", f.message);
                    assert!(f.message.contains("ASE's GPU sharing"), "{}", f.message);
                }
            }
        }
        let monitor = one(&m, &device, "RES003", "gpumetrics");
        assert_eq!((monitor.severity, monitor.fix()), (Severity::Warning, Fix::NeedsReview));
        assert_eq!(input_default(&monitor), Some(json!(0)), "a metrics exporter holds no GPU by default");
        assert!(monitor.message.contains("dcgm-exporter"), "the evidence is quoted: {}", monitor.message);

        let budget: Vec<Finding> = analyse(&m, &device).into_iter().filter(|f| f.rule == "RES010").collect();
        assert_eq!(budget.len(), usize::from(over), "{n} GPUs: {budget:#?}");
        if over {
            assert!(
                budget[0].message.contains(&format!("ask for 3 GPUs and the device has {n}")),
                "{}",
                budget[0].message
            );
            assert!(budget[0].message.contains("`classifier` shares one"), "{}", budget[0].message);
            assert_eq!((budget[0].severity, budget[0].module.as_ref()), (Severity::Error, None));
            assert!(budget[0].suggestion.is_none(), "the modules' own findings propose the sharing");
        }

        // `--accept all` never asks for more GPUs than the device has, gives every module that
        // computes a GPU or a share of one, and settles RES010.
        let out = with_policy(&m, &device, Policy::All);
        let limits = gpu_limits(&m, &out);
        let total: u64 = limits.iter().map(|(_, v)| v.as_u64().expect("whole counts")).sum();
        assert!(total <= u64::from(n), "{n} GPUs: {limits:?}");
        let shared = shared_gpus(&m, &out);
        for (name, limit) in [("detector", detector), ("classifier", classifier)] {
            let has_limit = limits.iter().any(|(m, v)| m == name && v.as_u64() == limit);
            let shares = shared.iter().any(|(m, v)| m == name && v == "0");
            assert!(
                if limit.is_some() { has_limit && !shares } else { shares && !has_limit },
                "{n}: {name} {limits:?} {shared:?}"
            );
        }
        let again = reload(&m, &out);
        assert!(
            analyse(&again, &device).iter().all(|f| !["RES003", "RES010", "RES006", "RES009"].contains(&f.rule)),
            "{n} GPUs: nothing left to decide"
        );
    }
}

#[test]
fn written_limits_beyond_the_device_are_offered_time_sharing() {
    // NEW-5: two modules written for the managed runtime, each with its own GPU, on one GPU.
    let m = load("rules/RES_written_gpu_limits.json");
    let device = DeviceProfile::default();
    let found = analyse(&m, &device);
    let budget: Vec<&Finding> = found.iter().filter(|f| f.rule == "RES010").collect();
    assert_eq!(budget.len(), 1, "{found:#?}");
    assert_eq!(budget[0].fix(), Fix::NeedsReview);
    assert!(budget[0].message.contains("lets `tracker` share GPU 0"), "{}", budget[0].message);
    let out = migrate(&m, &device, &found, |f| (f.rule == "RES010").then_some(Decision::Accept));
    assert_eq!(gpu_limits(&m, &out), [("detector".to_owned(), json!(1))], "the first keeps its GPU");
    assert_eq!(shared_gpus(&m, &out), [("tracker".to_owned(), "0".to_owned())]);
    let again = reload(&m, &out);
    assert!(analyse(&again, &device).iter().all(|f| !["RES010", "RES009", "RES006"].contains(&f.rule)));
    // On two GPUs both fit.
    assert!(analyse(&m, &gpus(2)).iter().all(|f| f.rule != "RES010"));
}

#[test]
fn nvidia_visible_devices_is_reported_next_to_a_limit_only() {
    // TRAPS.md §3: without a GPU limit the variable is ASE's GPU sharing, not a mistake.
    let m = load("RES009");
    let device = DeviceProfile::default();
    for quiet in ["telegraf", "detector", "cpuonly"] {
        assert!(on(&m, &device, "RES009", quiet).is_empty(), "{quiet} time-shares or selects no GPU");
    }
    let limited = one(&m, &device, "RES009", "limited");
    assert_eq!((limited.severity, limited.fix()), (Severity::Warning, Fix::DisplayOnly));
    // A GPU the device does not have stops the container: an error, everywhere.
    let wrong = one(&m, &device, "RES009", "wrongindex");
    assert_eq!((wrong.severity, wrong.fix()), (Severity::Error, Fix::NeedsReview));
    assert!(on(&m, &gpus(2), "RES009", "wrongindex").is_empty(), "index 1 exists on two GPUs");
}

#[test]
fn accept_auto_gives_a_gpu_module_its_gpu_and_leaves_the_shortage_open() {
    // #5: a GPU module migrated in the default mode keeps its GPU.
    let m = load("RES003");
    let device = DeviceProfile::default();
    let out = with_policy(&m, &device, Policy::Auto);
    let yolo = create_options(&m, &out, "yolo");
    assert_eq!(
        (&yolo["HostConfig"], &yolo["k8s-experimental"]["resources"]),
        (&json!({"IpcMode": "host"}), &json!({"limits": {"nvidia.com/gpu": 1}})),
        "`Count: -1` is the device's one GPU; the runtime and the request go"
    );
    let again = reload(&m, &out);
    assert!(on(&again, &device, "RES003", "yolo").is_empty());
    // The FPGA module beyond the budget is left open, as an error, for the engineer to decide:
    // share the GPU (ASE's GPU sharing, proposed) or take it from another module.
    let void = one(&again, &device, "RES003", "voiddetection");
    assert_eq!((void.severity, void.fix()), (Severity::Error, Fix::NeedsReview));
    assert!(void.message.contains("held by `yolo` (1)"), "{}", void.message);

    // On two GPUs "all" is both, and the FPGA module gets none: decided in module order.
    let two = gpus(2);
    let yolo = one(&m, &two, "RES003", "yolo");
    assert_eq!((yolo.fix(), yolo.suggestion.as_ref().and_then(|s| s.fragment())), (Fix::Safe, Some(json!(2))));
    assert_eq!(input_default(&one(&m, &two, "RES003", "voiddetection")), Some(json!("0")), "it shares GPU 0");
}

#[test]
fn typed_values_are_checked_by_the_rule_they_fix() {
    let check = |m: &Manifest, device: &DeviceProfile, f: &Finding, value: Value| {
        check_decision(m, device, &analyse, f, &Decision::Value { value })
    };
    // A memory limit must be a Kubernetes quantity (RES005 reports one that is not).
    let m = load("RES005");
    let device = DeviceProfile::default();
    let plain = one(&m, &device, "RES005", "plain");
    let refused = check(&m, &device, &plain, json!({"memory": "lots", "cpu": "500m"}));
    assert!(refused.as_ref().is_err_and(|e| e.contains("lots")), "{refused:?}");
    assert!(check(&m, &device, &plain, json!({"memory": "128m", "cpu": "500m"})).is_err(), "milli-bytes");
    assert_eq!(check(&m, &device, &plain, json!({"memory": "1Gi", "cpu": "2"})), Ok(()));
    let gpu = one(&m, &device, "RES005", "gpu");
    assert!(check(&m, &device, &gpu, json!("lots")).is_err());
    assert_eq!(check(&m, &device, &gpu, json!("1.5Gi")), Ok(()));

    // An edited fragment is checked too: RES004's move, with a value that is not a quantity.
    let m4 = load("RES004");
    let memory = on(&m4, &device, "RES004", "worker")
        .into_iter()
        .find(|f| f.location.to_string().ends_with("/HostConfig/Memory"))
        .expect("worker's Memory");
    let edited = |fragment: Value| check_decision(&m4, &device, &analyse, &memory, &Decision::Fragment { fragment });
    assert!(edited(json!("lots")).is_err());
    assert_eq!(edited(json!("300Mi")), Ok(()));

    // A GPU count must be a whole number from 0 to the device's GPUs (RES006 reports the rest).
    let m1 = load("RES001");
    for (n, bad, good) in [
        (1, vec![json!(3), json!(2), json!(1.5), json!(-1), json!("two")], vec![json!(0), json!(1)]),
        (2, vec![json!(3)], vec![json!(2)]),
    ] {
        let device = gpus(n);
        let detector = one(&m1, &device, "RES001", "detector");
        for v in bad {
            assert!(check(&m1, &device, &detector, v.clone()).is_err(), "{v} GPUs on a {n}-GPU device");
        }
        for v in good {
            assert_eq!(check(&m1, &device, &detector, v.clone()), Ok(()), "{v} GPUs on a {n}-GPU device");
        }
    }
    // The GPU a module beyond the budget shares must exist (RES009 reports one that does not).
    let m3 = load("RES003");
    for (n, bad, good) in [
        (1, vec![json!("1"), json!(1), json!("two"), json!("-1")], vec![json!("0"), json!(0)]),
        (2, vec![json!("2")], vec![json!("1"), json!("GPU-8f6c5e2a")]),
    ] {
        let device = gpus(n);
        let void = one(&m3, &device, "RES003", "voiddetection");
        for v in bad {
            assert!(check(&m3, &device, &void, v.clone()).is_err(), "GPU {v} on a {n}-GPU device");
        }
        for v in good {
            assert_eq!(check(&m3, &device, &void, v.clone()), Ok(()), "GPU {v} on a {n}-GPU device");
        }
    }
}

#[test]
fn a_module_gets_the_same_findings_in_any_spelling_and_keeps_its_own() {
    let canonical = load("rules/RES_spelling_canonical.json");
    let lower = load("rules/RES_spelling_lower.json");
    let device = DeviceProfile::default();
    let shape = |m: &Manifest| {
        let mut out: Vec<(String, Severity, &str, String, String)> = analyse(m, &device)
            .into_iter()
            .filter(|f| f.rule.starts_with("RES"))
            .map(|f| {
                let summary = f.suggestion.as_ref().map(|s| s.summary.to_lowercase()).unwrap_or_default();
                (
                    f.rule.to_owned(),
                    f.severity,
                    f.fix().name(),
                    f.location.to_string().to_lowercase(),
                    f.message.to_lowercase() + &summary,
                )
            })
            .collect();
        out.sort();
        out
    };
    let expected = shape(&canonical);
    assert!(expected.len() >= 6, "Memory, NanoCpus, the GPU, the camera, IpcMode, ShmSize: {expected:#?}");
    assert_eq!(shape(&lower), expected);

    let accept_all = |m: &Manifest| {
        let found = analyse(m, &device);
        let out = migrate(m, &device, &found, |f| f.rule.starts_with("RES").then_some(Decision::Accept));
        create_options(m, &out, "camera")
    };
    let fixed = accept_all(&lower);
    assert_eq!(
        fixed,
        json!({
            "hostConfig": {"ipcMode": "host", "Privileged": true},
            "k8s-experimental": {"resources": {"limits": {"nvidia.com/gpu": 1, "memory": "256Mi", "cpu": "1500m"}}}
        }),
        "edited in place in the module's own spelling (a new key in Docker's); the display-only privileged variant taken explicitly"
    );
    let canonical_fixed = accept_all(&canonical);
    assert_eq!(fixed.to_string().to_lowercase(), canonical_fixed.to_string().to_lowercase());
}

#[test]
fn host_ipc_never_gets_a_private_dev_shm() {
    let m = load("RES008");
    let device = DeviceProfile::default();
    for name in ["avaedge", "shared"] {
        let f = one(&m, &device, "RES008", name);
        assert!(f.message.contains("shares the host's /dev/shm"), "{}", f.message);
        assert_eq!(f.fix(), Fix::Safe);
    }
    let out = with_policy(&m, &device, Policy::All);
    assert_eq!(create_options(&m, &out, "avaedge"), json!({"HostConfig": {"IpcMode": "host"}}));
    assert_eq!(
        create_options(&m, &out, "shared"),
        json!({"HostConfig": {"IpcMode": "host"}}),
        "ShmSize goes, no emptyDir: RES007 makes the mode host"
    );
    // With a placeholder mode the emptyDir is only shown: no policy takes it.
    let templated = one(&m, &device, "RES008", "templatedipc");
    assert_eq!(templated.fix(), Fix::DisplayOnly);
    assert!(templated.message.contains("`$IPC_MODE`"), "{}", templated.message);
    assert!(create_options(&m, &out, "templatedipc").get("k8s-experimental").is_none());
}

#[test]
fn edge_agent_limits_are_not_findings() {
    // The device deploys edgeAgent itself: its settings are not the engineer's to change.
    for (fixture, rule) in [("RES004", "RES004"), ("RES005", "RES005")] {
        let m = load(fixture);
        assert!(on(&m, &DeviceProfile::default(), rule, "edgeAgent").is_empty(), "{rule}");
    }
    // edgeHub's are: the manifest deploys it.
    assert_eq!(on(&load("RES004"), &DeviceProfile::default(), "RES004", "edgeHub").len(), 1);
}

#[test]
fn device_advice_follows_the_device() {
    let m = load("RES003");
    let device = DeviceProfile::default();
    for (module, kind) in
        [("camera", "a video capture device"), ("lora", "a serial port"), ("usbcamera", "a video capture device")]
    {
        for f in on(&m, &device, "RES003", module) {
            assert!(f.message.contains(kind), "{module}: {}", f.message);
            assert!(
                !f.message.contains("GPU limit") && !f.message.contains("nvidia"),
                "{module}: not a GPU: {}",
                f.message
            );
        }
    }
    let privileged = on(&m, &device, "RES003", "usbcamera");
    assert!(privileged.iter().all(|f| f.message.contains("the module is privileged")), "{privileged:#?}");
    assert!(!on(&m, &device, "RES003", "camera")[0].message.contains("is privileged"));
}

#[test]
fn placeholders_are_never_dropped_without_a_word() {
    let device = DeviceProfile::default();
    for id in [
        "RES001", "RES003", "RES004", "RES005", "RES006", "RES007", "RES008", "RES009", "RES010", "RES011", "RES012",
        "RES013",
    ] {
        let m = load(id);
        let found: Vec<Finding> = analyse(&m, &device).into_iter().filter(|f| f.rule.starts_with("RES")).collect();
        assert_placeholders_kept_or_said(id, &m, &found);
    }
}

#[test]
fn the_worker_vm_size_is_the_device_setting_or_its_documented_default() {
    let m = load("RES013");
    let f = findings(&m, "RES013");
    assert_eq!(f.len(), 1, "{f:#?}");
    // 20 GiB (Docker) + 12 GiB (request) + 4 GiB (reservation) against the default 32 GiB worker;
    // CPU is 4 + 6 + 2 against 12: it fits; the placeholder is not counted.
    assert!(f[0].message.contains("reserve 12 CPU and 36 GiB"), "{}", f[0].message);
    assert!(f[0].message.contains("not enough memory,"), "{}", f[0].message);
    assert!(f[0].message.contains("12 CPU and 32 GiB (the default"), "{}", f[0].message);
    let step = f[0].step.as_ref().expect("a device step");
    assert!(step.action.contains("Set-AzureDataBoxEdgeRoleCompute") && !step.inferred);
    // A worker given 40 GiB holds them; one given 10 CPUs does not.
    let bigger = DeviceProfile { worker_memory_gib: Some(40.0), ..DeviceProfile::default() };
    assert!(on_deployment(&m, &bigger, "RES013").is_empty());
    let fewer = DeviceProfile { worker_memory_gib: Some(40.0), worker_cpus: Some(10.0), ..DeviceProfile::default() };
    let cpu = on_deployment(&m, &fewer, "RES013");
    assert!(cpu.len() == 1 && cpu[0].message.contains("not enough CPU,"), "{cpu:#?}");
}

/// The deployment-level findings of `rule`.
fn on_deployment(m: &Manifest, device: &DeviceProfile, rule: &str) -> Vec<Finding> {
    analyse(m, device).into_iter().filter(|f| f.rule == rule && f.module.is_none()).collect()
}

#[test]
fn an_fpga_image_stays_reported_until_it_is_replaced() {
    // NEW-4: the settings go with RES001/RES003, the image does not.
    let m = load("RES011");
    let device = DeviceProfile::default();
    let out = with_policy(&m, &device, Policy::All);
    let again = reload(&m, &out);
    let before: Vec<Finding> = findings(&m, "RES011");
    let names: Vec<&str> = before.iter().filter_map(|f| f.module.as_deref()).collect();
    assert_eq!(names, ["voiddetection", "resnet"], "a path word `fpga` is not the image's name");
    let after: Vec<Finding> = findings(&again, "RES011");
    assert_eq!(after.len(), 1, "{after:#?}");
    assert!(after[0].message.contains("named as an FPGA (Brainwave) build"), "{}", after[0].message);
    let step = after[0].step.as_ref().expect("a checklist step per image");
    assert!(step.action.contains("intelligentedge/void-detection-brainwave:1.0.0"), "{}", step.action);
    assert!(after[0].message.contains("Get-HcsGpuNvidiaSmi"), "{}", after[0].message);
}

#[test]
fn mps_is_a_device_step_on_kubernetes_and_a_vm_step_in_the_vm() {
    let m = load("RES012");
    let k8s = findings(&m, "RES012");
    let names: Vec<&str> = k8s.iter().filter_map(|f| f.module.as_deref()).collect();
    assert_eq!(names, ["nbody", "spatialanalysis"], "time-sharing alone and the telegraf monitor need no MPS");
    for f in &k8s {
        let step = f.step.as_ref().unwrap();
        assert!(step.action.contains("Start-HcsGpuMPS") && step.action.contains("after every device update"));
    }
    let vm = DeviceProfile { target: fpga2gpu::device::Target::Vm, ..DeviceProfile::default() };
    let in_vm: Vec<Finding> = analyse(&m, &vm).into_iter().filter(|f| f.rule == "RES012").collect();
    assert_eq!(in_vm.len(), 2);
    assert!(in_vm.iter().all(|f| f.step.as_ref().unwrap().detail.contains("nvidia-cuda-mps-control")));
}
