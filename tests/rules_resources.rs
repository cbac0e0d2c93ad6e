//! The resources rules of the guide (RES…), one test each, on a small manifest in tests/fixtures/rules.

mod common;
use common::*;
use fpga2gpu::manifest::Manifest;
use fpga2gpu::migrate::{Decision, Outcome, migrate};
use fpga2gpu::rules::{Finding, FixKind, Section, Severity, analyse};
use serde_json::{Value, json};

/// The one finding on `module`.
fn on<'a>(found: &'a [Finding], module: &str) -> &'a Finding {
    let here: Vec<&Finding> = found.iter().filter(|f| f.module.as_deref() == Some(module)).collect();
    assert_eq!(here.len(), 1, "one finding on {module}: {found:#?}");
    here[0]
}

/// Migrates deciding each finding of `rule` with `decide` (nothing else is changed).
fn decide(m: &Manifest, rule: &str, decide: impl Fn(&Finding) -> Option<Decision>) -> Outcome {
    let out = migrate(m, &analyse(m), |f| if f.rule == rule { decide(f) } else { None });
    assert!(out.skipped.is_empty(), "skipped: {:?}", out.skipped);
    assert!(out.warnings.is_empty(), "warnings: {:?}", out.warnings);
    out
}

fn input_default(f: &Finding) -> Option<Value> {
    f.suggestion.as_ref()?.input.as_ref()?.default.clone()
}

#[test]
fn res001_fpga_resource_becomes_gpu_limit() {
    let m = load("RES001");
    let found = findings(&m, "RES001");
    assert_eq!(found.len(), 3, "not the module that only has a GPU limit: {found:#?}");
    assert!(found.iter().all(|f| f.severity == Severity::Error && f.section == Section::Resources));

    let detector = on(&found, "detector");
    assert_eq!(detector.fix, FixKind::Input);
    assert!(
        detector.path.ends_with(
            "/detector/settings/createOptions/k8s-experimental/resources/limits/microsoft.com~1fpga_catapult"
        ),
        "{}",
        detector.path
    );
    assert!(detector.message.contains("`microsoft.com/fpga_catapult: 2`"), "{}", detector.message);
    assert!(detector.message.contains("Privileged"), "Privileged may go: {}", detector.message);
    assert_eq!(input_default(detector), Some(json!(2)));
    let ported = on(&found, "ported");
    assert_eq!(ported.fix, FixKind::Auto, "a GPU limit is already there: only the FPGA goes");
    assert_eq!(
        input_default(on(&found, "templated")),
        Some(json!("$FPGA_COUNT")),
        "a placeholder count is carried over"
    );

    let out = accept(&m, "RES001");
    assert_eq!(
        create_options(&m, &out, "detector"),
        json!({
            "HostConfig": {"Privileged": true, "PortBindings": {"50051/tcp": [{"HostPort": "50051"}]}},
            "k8s-experimental": {"resources": {"limits": {"nvidia.com/gpu": 2}}}
        }),
        "the FPGA limit and request go (the emptied requests too), the GPU limit comes"
    );
    assert_eq!(
        create_options(&m, &out, "ported"),
        json!({"k8s-experimental": {"Resources": {"Limits": {"nvidia.com/gpu": 1}}}}),
        "written in the spelling already there, the existing GPU limit kept"
    );
    assert_eq!(
        create_options(&m, &out, "templated"),
        json!({"k8s-experimental": {"resources": {"limits": {"nvidia.com/gpu": "$FPGA_COUNT"}}}})
    );
    assert!(auto_left(&m, &out, "RES001").is_empty());
    assert!(findings(&reload(&m, &out), "RES001").is_empty());

    let one = decide(&m, "RES001", |f| {
        (f.module.as_deref() == Some("detector")).then(|| Decision::Value { value: json!(1) })
    });
    assert_eq!(
        create_options(&m, &one, "detector")["k8s-experimental"],
        json!({"resources": {"limits": {"nvidia.com/gpu": 1}}})
    );
}

#[test]
fn res002_wireserver_address_is_removed() {
    let m = load("RES002");
    let found = findings(&m, "RES002");
    assert_eq!(found.len(), 2, "createOptions.Env and env of `brainwave`, not look-alike names: {found:#?}");
    assert!(
        found.iter().all(|f| (f.severity, f.section, f.fix) == (Severity::Error, Section::Resources, FixKind::Auto))
    );
    assert!(found.iter().all(|f| f.module.as_deref() == Some("brainwave")));
    let (env, create): (Vec<&Finding>, Vec<&Finding>) = found.iter().partition(|f| f.path.contains("/env/"));
    assert!(env[0].path.ends_with("/brainwave/env/wireserver_address"), "{}", env[0].path);
    assert!(create[0].path.ends_with("/brainwave/settings/createOptions/Env/0"), "{}", create[0].path);
    assert!(create[0].message.contains("WIRESERVER_ADDRESS=10.139.218.1"), "{}", create[0].message);

    let out = accept(&m, "RES002");
    assert_eq!(create_options(&m, &out, "brainwave"), json!({"Env": ["MODEL=resnet50"]}));
    let module = reload(&m, &out);
    let brainwave = module.module("brainwave").expect("module");
    assert_eq!(Value::Object(brainwave.env(&module).expect("env").clone()), json!({"LOG": {"value": "info"}}));
    assert!(auto_left(&m, &out, "RES002").is_empty());
}

#[test]
fn res003_device_bindings_become_gpu_limit() {
    let m = load("RES003");
    let found = findings(&m, "RES003");
    assert_eq!(found.len(), 4, "not `Runtime: runc` nor an empty Devices list: {found:#?}");
    assert!(found.iter().all(|f| f.severity == Severity::Warning && f.section == Section::Resources));

    let fpga = on(&found, "voiddetection");
    assert_eq!(fpga.fix, FixKind::Input);
    assert!(fpga.path.ends_with("/voiddetection/settings/createOptions/HostConfig/Devices/0"), "{}", fpga.path);
    assert!(fpga.message.contains("`/dev/catapult0`, `/dev/catapult1`"), "{}", fpga.message);
    assert!(fpga.message.contains("Privileged"), "{}", fpga.message);
    assert_eq!(input_default(fpga), Some(json!(2)), "one GPU per FPGA");
    let yolo = on(&found, "yolo");
    assert!(yolo.path.ends_with("/HostConfig/DeviceRequests/0"), "{}", yolo.path);
    assert!(yolo.message.contains("`runtime: nvidia`") && yolo.message.contains("all GPUs"), "{}", yolo.message);
    assert_eq!(input_default(yolo), Some(json!(1)));
    let camera = on(&found, "camera");
    assert_eq!(camera.fix, FixKind::Manual);
    assert!(camera.message.contains("`/dev/video0`"), "{}", camera.message);
    assert_eq!(on(&found, "ported").fix, FixKind::Auto, "a GPU limit is already there");

    // Take the GPU fixes with their defaults; the manual one stays the engineer's.
    let out = decide(&m, "RES003", |f| (f.fix != FixKind::Manual).then_some(Decision::Accept));
    assert_eq!(
        create_options(&m, &out, "voiddetection"),
        json!({"HostConfig": {"Privileged": true}, "k8s-experimental": {"resources": {"limits": {"nvidia.com/gpu": 2}}}}),
        "the emptied Devices list is dropped; Privileged is the engineer's call"
    );
    assert_eq!(
        create_options(&m, &out, "yolo"),
        json!({"HostConfig": {"IpcMode": "host"}, "k8s-experimental": {"resources": {"limits": {"nvidia.com/gpu": 1}}}})
    );
    assert_eq!(
        create_options(&m, &out, "ported"),
        json!({"k8s-experimental": {"resources": {"limits": {"nvidia.com/gpu": 1}}}})
    );
    assert_eq!(create_options(&m, &out, "camera"), create_options(&m, &decide(&m, "RES003", |_| None), "camera"));
    assert!(auto_left(&m, &out, "RES003").is_empty());
    assert_eq!(findings(&reload(&m, &out), "RES003").len(), 1, "only the camera is left");
}

#[test]
fn res004_docker_limits_move_to_kubernetes_quantities() {
    let m = load("RES004");
    let found = findings(&m, "RES004");
    assert!(found.iter().all(|f| f.severity == Severity::Warning && f.section == Section::Resources));
    let worker: Vec<&Finding> = found.iter().filter(|f| f.module.as_deref() == Some("worker")).collect();
    assert_eq!(worker.len(), 4, "one finding per Docker key");
    let at = |suffix: &str| {
        *worker.iter().find(|f| f.path.ends_with(suffix)).unwrap_or_else(|| panic!("finding at {suffix}: {worker:#?}"))
    };
    assert!(at("/HostConfig/Memory").message.contains("`resources.limits.memory: \"256Mi\"`"));
    assert!(at("/HostConfig/NanoCPUs").message.contains("`resources.limits.cpu: \"1500m\"`"), "the corpus' casing");
    let shares = at("/HostConfig/CpuShares");
    assert!(shares.message.contains("\"1500m\"") && shares.message.contains("capped"), "{}", shares.message);
    let templated = on(&found, "templated");
    assert_eq!(templated.fix, FixKind::Manual);
    assert!(templated.suggestion.is_none() && templated.message.contains("`$MEMORY`"), "{}", templated.message);
    assert!(on(&found, "preset").message.contains("`limits.memory: 1Gi`, which is kept"));

    let out = accept(&m, "RES004");
    assert_eq!(
        create_options(&m, &out, "worker"),
        json!({"k8s-experimental": {"resources": {
            "requests": {"cpu": "1500m", "memory": "128Mi"},
            "limits": {"memory": "256Mi", "cpu": "1500m"}
        }}}),
        "CpuShares 2048 would be 2 CPUs, capped at the 1.5 CPU limit; the emptied HostConfig goes"
    );
    assert_eq!(
        create_options(&m, &out, "quota"),
        json!({"HostConfig": {"IpcMode": "host"}, "k8s-experimental": {"resources": {"limits": {"cpu": "250m"}}}}),
        "50000 µs per 200000 µs period is a quarter CPU; Memory 0 (no limit) is only removed"
    );
    assert_eq!(
        create_options(&m, &out, "templated"),
        json!({"HostConfig": {"Memory": "$MEMORY"}}),
        "placeholders are data"
    );
    assert_eq!(
        create_options(&m, &out, "preset"),
        json!({"k8s-experimental": {"resources": {"limits": {"memory": "1Gi"}}}})
    );
    assert!(auto_left(&m, &out, "RES004").is_empty());
}

#[test]
fn res005_module_without_limits_gets_limits_to_type() {
    let m = load("RES005");
    let found = findings(&m, "RES005");
    assert_eq!(found.len(), 2, "not edgeHub, not modules with a k8s or Docker limit: {found:#?}");
    assert!(
        found.iter().all(|f| (f.severity, f.section, f.fix) == (Severity::Info, Section::Resources, FixKind::Input))
    );
    assert!(found.iter().all(|f| input_default(f).is_none()), "only the engineer knows the limits");
    let plain = on(&found, "plain");
    assert!(plain.path.ends_with("/plain/settings/createOptions/k8s-experimental/resources/limits"), "{}", plain.path);
    assert_eq!(plain.suggestion.as_ref().and_then(|s| s.fragment()), Some(json!({"memory": "512Mi", "cpu": "500m"})));
    let gpu = on(&found, "gpu");
    assert_eq!(
        gpu.suggestion.as_ref().and_then(|s| s.fragment()),
        Some(json!("512Mi")),
        "a leaf next to the GPU limit"
    );

    let out = decide(&m, "RES005", |f| match f.module.as_deref() {
        Some("plain") => Some(Decision::Value { value: json!({"memory": "1Gi", "cpu": "2"}) }),
        _ => Some(Decision::Value { value: json!("2Gi") }),
    });
    assert_eq!(
        create_options(&m, &out, "plain"),
        json!({
            "HostConfig": {"PortBindings": {"8080/tcp": [{"HostPort": "8080"}]}},
            "k8s-experimental": {"resources": {"limits": {"memory": "1Gi", "cpu": "2"}}}
        })
    );
    assert_eq!(
        create_options(&m, &out, "gpu"),
        json!({"k8s-experimental": {"resources": {"limits": {"nvidia.com/gpu": 1, "memory": "2Gi"}}}}),
        "the GPU limit is kept"
    );
    assert!(findings(&reload(&m, &out), "RES005").is_empty());
    assert!(auto_left(&m, &out, "RES005").is_empty());
}

#[test]
fn res006_gpu_request_must_equal_the_limit() {
    let m = load("RES006");
    let found = findings(&m, "RES006");
    assert_eq!(found.len(), 3, "not an equal request (2 vs \"2\" alike), not placeholders: {found:#?}");
    assert!(found.iter().all(|f| f.severity == Severity::Error && f.section == Section::Resources));
    let mismatch = on(&found, "mismatch");
    assert_eq!(mismatch.fix, FixKind::Auto);
    assert!(
        mismatch.path.ends_with("/mismatch/settings/createOptions/k8s-experimental/resources/requests/nvidia.com~1gpu")
    );
    assert!(mismatch.message.contains("`nvidia.com/gpu: 1` differs from the limit 2"), "{}", mismatch.message);
    assert!(on(&found, "requestonly").message.contains("without a limit"));
    let fraction = on(&found, "fraction");
    assert_eq!(fraction.fix, FixKind::Input);
    assert!(fraction.message.contains("`nvidia.com/gpu: 1.5`"), "{}", fraction.message);
    assert_eq!(input_default(fraction), Some(json!(2)), "rounded up");

    let out = accept(&m, "RES006");
    assert_eq!(
        create_options(&m, &out, "mismatch"),
        json!({"k8s-experimental": {"resources": {"limits": {"nvidia.com/gpu": 2}}}})
    );
    assert_eq!(
        create_options(&m, &out, "requestonly"),
        json!({"k8s-experimental": {"resources": {"requests": {"memory": "1Gi"}, "limits": {"nvidia.com/gpu": 1}}}})
    );
    assert_eq!(
        create_options(&m, &out, "fraction"),
        json!({"k8s-experimental": {"resources": {"limits": {"nvidia.com/gpu": 2}}}})
    );
    assert!(auto_left(&m, &out, "RES006").is_empty());
    assert!(findings(&reload(&m, &out), "RES006").is_empty());
}

#[test]
fn res007_shared_ipc_becomes_host_ipc() {
    let m = load("RES007");
    let found = findings(&m, "RES007");
    assert_eq!(found.len(), 3, "not `host`, not a module without IpcMode: {found:#?}");
    assert!(
        found.iter().all(|f| (f.severity, f.section, f.fix) == (Severity::Error, Section::Resources, FixKind::Auto))
    );
    let lva = on(&found, "lvaEdge");
    assert!(lva.path.ends_with("/lvaEdge/settings/createOptions/HostConfig/IpcMode"), "{}", lva.path);
    assert!(lva.message.contains("`shareable`"), "{}", lva.message);
    assert!(on(&found, "lvaExtension").message.contains("`container:lvaEdge`"));
    assert!(on(&found, "consumer").message.contains("`producer` gets `IpcMode: host` too"), "{found:#?}");

    let out = accept(&m, "RES007");
    for name in ["lvaEdge", "lvaExtension", "consumer"] {
        assert_eq!(create_options(&m, &out, name), json!({"HostConfig": {"IpcMode": "host"}}), "{name}");
    }
    assert_eq!(
        create_options(&m, &out, "producer"),
        json!({"HostConfig": {"PortBindings": {"80/tcp": [{"HostPort": "8081"}]}, "IpcMode": "host"}}),
        "the module shared with joins the host IPC namespace too"
    );
    assert!(auto_left(&m, &out, "RES007").is_empty());
}

#[test]
fn res008_shm_size_becomes_memory_backed_dev_shm() {
    let m = load("RES008");
    let found = findings(&m, "RES008");
    assert_eq!(found.len(), 4);
    assert!(found.iter().all(|f| f.severity == Severity::Warning && f.section == Section::Resources));
    let ava = on(&found, "avaedge");
    assert_eq!(ava.fix, FixKind::Auto);
    assert!(ava.path.ends_with("/avaedge/settings/createOptions/HostConfig/ShmSize"), "{}", ava.path);
    assert!(ava.message.contains("1073741824") && ava.message.contains("`sizeLimit: \"1Gi\"`"), "{}", ava.message);
    assert!(on(&found, "spatial").message.contains("volume `dshm` already mounts /dev/shm"));
    assert!(on(&found, "small").message.contains("default 64 MiB"));
    let templated = on(&found, "templated");
    assert_eq!(templated.fix, FixKind::Manual);
    assert!(templated.suggestion.is_none() && templated.message.contains("`${SHM_SIZE}`"));

    let out = accept(&m, "RES008");
    assert_eq!(
        create_options(&m, &out, "avaedge"),
        json!({
            "HostConfig": {"IpcMode": "host"},
            "k8s-experimental": {"volumes": [{
                "volume": {"name": "dshm", "emptyDir": {"medium": "Memory", "sizeLimit": "1Gi"}},
                "volumeMounts": [{"name": "dshm", "mountPath": "/dev/shm"}]
            }]}
        })
    );
    let spatial = create_options(&m, &out, "spatial");
    assert!(spatial.get("HostConfig").is_none(), "ShmSize removed, no second /dev/shm volume: {spatial}");
    assert_eq!(spatial["k8s-experimental"]["volumes"].as_array().map(Vec::len), Some(1));
    assert_eq!(create_options(&m, &out, "small"), json!({}));
    assert!(auto_left(&m, &out, "RES008").is_empty());
}

#[test]
fn res009_nvidia_visible_devices_is_flagged_for_the_engineer() {
    let m = load("RES009");
    let found = findings(&m, "RES009");
    assert_eq!(found.len(), 1, "`void` asks for no GPU: {found:#?}");
    let f = &found[0];
    assert_eq!((f.severity, f.section, f.fix), (Severity::Warning, Section::Resources, FixKind::Manual));
    assert_eq!(f.module.as_deref(), Some("telegraf"));
    assert!(f.path.ends_with("/telegraf/env/NVIDIA_VISIBLE_DEVICES"), "{}", f.path);
    assert!(f.message.contains("`NVIDIA_VISIBLE_DEVICES=all`"), "{}", f.message);

    let untouched = decide(&m, "RES009", |_| None);
    assert_eq!(untouched.doc, m.doc, "manual: nothing changes unless the engineer accepts");
    let out = accept(&m, "RES009");
    let again = reload(&m, &out);
    let env = again.module("telegraf").and_then(|t| t.env(&again)).cloned().map(Value::Object);
    assert_eq!(env, Some(json!({"NVIDIA_DRIVER_CAPABILITIES": {"value": "utility"}})));
    assert!(auto_left(&m, &out, "RES009").is_empty());
}
