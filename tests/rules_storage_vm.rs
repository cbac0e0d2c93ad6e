//! The storage rules of the VM target (VM-TARGET.md §7: STO101–STO104, and STO005/STO008 on both
//! targets): one snapshot per rule on its fixture, then the migration of a seed-style FPGA manifest
//! and of a managed-Kubernetes GPU manifest to the VM, the choice of the VM's share folder, typed
//! host paths, and Docker's own mount validation.

mod common;
use common::*;
use test_case::test_case;

#[test_case("STO101")]
#[test_case("STO102")]
#[test_case("STO103")]
#[test_case("STO104")]
#[test_case("STO105")]
fn rule(id: &str) {
    insta::assert_snapshot!(id, rule_snapshot_text(id, None));
}

use fpga2gpu::device::{DeviceProfile, Target};
use fpga2gpu::manifest::Manifest;
use fpga2gpu::migrate::{Decision, Policy, migrate};
use fpga2gpu::rules::{Finding, Fix, Severity, analyse};
use serde_json::{Value, json};

fn vm() -> DeviceProfile {
    DeviceProfile { target: Target::Vm, ..DeviceProfile::default() }
}

fn storage(m: &Manifest, device: &DeviceProfile) -> Vec<Finding> {
    analyse(m, device).into_iter().filter(|f| f.rule.starts_with("STO")).collect()
}

/// `fpga2gpu migrate --accept all` for `device`, read back.
fn accept_all(m: &Manifest, device: &DeviceProfile) -> Manifest {
    let findings = analyse(m, device);
    let out = migrate(m, device, &findings, |f| Policy::All.decide(f));
    let failed: Vec<_> = out.failed().collect();
    assert!(failed.is_empty(), "not applied: {failed:?}");
    out.reload(m).expect("the output loads")
}

/// (module, `Mounts` entry) pairs.
type MountsOf = Vec<(String, Value)>;
/// (module, `Binds` entry) pairs.
type BindsOf = Vec<(String, String)>;

/// Every `Mounts` entry of every module, and every `Binds` entry, of a migrated manifest.
fn mounts_and_binds(m: &Manifest) -> (MountsOf, BindsOf) {
    let (mut mounts, mut binds) = (Vec::new(), Vec::new());
    for module in &m.modules {
        let Some(co) = module.create_options.value.as_ref() else { continue };
        for e in co["HostConfig"]["Mounts"].as_array().into_iter().flatten() {
            mounts.push((module.name.clone(), e.clone()));
        }
        for b in co["HostConfig"]["Binds"].as_array().into_iter().flatten() {
            binds.push((module.name.clone(), b.as_str().unwrap_or_default().to_owned()));
        }
    }
    (mounts, binds)
}

#[test]
fn the_seed_manifest_migrated_to_the_vm_mounts_the_shares_from_the_vm() {
    let m = load("storage/vm_seed.json");
    let device = vm();
    let out = accept_all(&m, &device);
    let text = out.doc.to_string();
    assert!(!text.contains("/home/hcsshares") && !text.contains("hostgatewayshares"), "{text}");

    let (mounts, binds) = mounts_and_binds(&out);
    // Every share bind is now a `Mounts` bind of the VM's mount of the share; the host folder
    // `/data/cache` (STO102: manual) stays a bind.
    assert_eq!(binds, [("uploadimages".to_owned(), "/data/cache:/cache".to_owned())]);
    let expected = [
        ("captureimages", json!({"Type": "bind", "Source": "/mnt/images", "Target": "/imagefiles"})),
        ("voiddetectionbrainwave", json!({"Type": "bind", "Source": "/mnt/images", "Target": "/imagefiles"})),
        (
            "voiddetectionbrainwave",
            json!({"Type": "bind", "Source": "/mnt/models/void", "Target": "/models", "ReadOnly": true}),
        ),
        ("apiserver", json!({"Type": "bind", "Source": "/mnt/images/out", "Target": "/app/wwwroot/images/output"})),
        ("uploadimages", json!({"Type": "bind", "Source": "/mnt/upload", "Target": "/upload"})),
    ];
    assert_eq!(mounts.len(), expected.len(), "{mounts:#?}");
    for (module, entry) in expected {
        assert!(mounts.contains(&(module.to_owned(), entry.clone())), "{module}: {entry} missing in {mounts:#?}");
    }
    // Modules keep their names.
    let names: Vec<&str> = out.modules.iter().map(|x| x.name.as_str()).collect();
    assert!(names.contains(&"voiddetectionbrainwave") && names.contains(&"captureimages"));

    // Idempotence: the output, migrated again, proposes no safe storage fix and no share fix; the
    // share mounts are still in the checklist (STO102), each share once.
    let again = storage(&out, &device);
    let safe: Vec<&Finding> = again.iter().filter(|f| f.fix() == Fix::Safe).collect();
    assert!(safe.is_empty(), "{safe:#?}");
    assert!(again.iter().all(|f| f.rule != "STO101"), "{again:#?}");
    let all_again = analyse(&out, &device);
    let steps = fpga2gpu::report::checklist(&all_again);
    let mounts_in_vm: Vec<&str> =
        steps.iter().map(|s| s.action.as_str()).filter(|a| a.starts_with("Mount Edge share")).collect();
    assert_eq!(
        mounts_in_vm,
        [
            "Mount Edge share `images` in the VM at `/mnt/images`",
            "Mount Edge share `models` in the VM at `/mnt/models`",
            "Mount Edge share `upload` in the VM at `/mnt/upload`",
        ]
    );
    let out2 = accept_all(&out, &device);
    assert_eq!(out2.doc, out.doc, "a second `--accept all` changes nothing");
}

#[test]
fn share_findings_carry_the_mount_lines_of_their_share() {
    let m = load("storage/vm_seed.json");
    let found: Vec<Finding> = storage(&m, &vm()).into_iter().filter(|f| f.rule == "STO101").collect();
    assert_eq!(found.len(), 5);
    for f in &found {
        assert_eq!((f.severity, f.fix()), (Severity::Error, Fix::NeedsReview));
        let step = f.step.as_ref().expect("every share finding has its mount step");
        assert!(step.inferred, "VM access to shares is inferred, not documented");
        let share = step.action.split('`').nth(1).unwrap();
        let at = format!("/mnt/{share}");
        assert!(step.detail.contains(&format!("//<device name>/{share} {at} cifs")), "{}", step.detail);
        assert!(step.detail.contains(&format!("<device IP>:/{share} {at} nfs vers=3")), "{}", step.detail);
        assert!(step.detail.contains("_netdev") && step.detail.contains("allowed NFS clients"), "{}", step.detail);
        assert!(step.detail.contains("device name only"), "SMB by name, not IP: {}", step.detail);
    }
    // One share, one step: the checklist of the input names `images` once.
    let all = analyse(&m, &vm());
    let steps = fpga2gpu::report::checklist(&all);
    assert_eq!(steps.iter().filter(|s| s.action.contains("`images`")).count(), 1);
}

#[test]
fn a_managed_kubernetes_manifest_mounts_its_share_volumes_from_the_vm() {
    let m = load("storage/k8s_gpu.json");
    let device = vm();
    let found: Vec<Finding> = storage(&m, &device).into_iter().filter(|f| f.rule == "STO101").collect();
    assert_eq!(found.len(), 3, "{found:#?}");
    assert!(found.iter().all(|f| f.message.contains("`nvidia.com/gpu` resource in module `gpumodule`")));
    let out = accept_all(&m, &device);
    let (mounts, _) = mounts_and_binds(&out);
    assert!(mounts.contains(&(
        "gpumodule".to_owned(),
        json!({"Type": "bind", "Source": "/mnt/images", "Target": "/imagefiles", "ReadOnly": true})
    )));
    assert!(
        mounts
            .contains(&("gpumodule".to_owned(), json!({"Type": "bind", "Source": "/mnt/models", "Target": "/models"})))
    );
    assert!(
        mounts.contains(&(
            "camera".to_owned(),
            json!({"Type": "bind", "Source": "/mnt/images", "Target": "/imagefiles"})
        ))
    );
    // edgeHub's store stays a Docker volume: on the new device it starts empty, on the VM's disk.
    assert!(
        mounts.contains(&("edgeHub".to_owned(), json!({"Type": "volume", "Source": "edgehub", "Target": "/storage"})))
    );
    assert!(storage(&out, &device).iter().all(|f| !(f.rule == "STO103" && f.module.as_deref() == Some("edgeHub"))));
    assert!(storage(&out, &device).iter().all(|f| f.rule != "STO101"));

    // A source only the Kubernetes agent accepts gives the deployment away, for its other volumes too.
    let named = load("storage/k8s_volume_names.json");
    let found: Vec<Finding> = storage(&named, &device).into_iter().filter(|f| f.rule == "STO101").collect();
    assert_eq!(found.len(), 2, "{found:#?}");
    assert!(found[0].message.contains("no Docker volume name"), "{}", found[0].message);
    assert!(
        found[1].message.contains("a volume mount of `/https/`, which only the Kubernetes agent accepts"),
        "{}",
        found[1].message
    );
    let out = accept_all(&named, &device);
    let (mounts, _) = mounts_and_binds(&out);
    assert!(mounts.contains(&("api".to_owned(), json!({"Type": "bind", "Source": "/mnt/https", "Target": "/https/"}))));

    // Without a sign of Kubernetes, a volume mount is a Docker volume (STO103), unless declared.
    let plain = parse(&std::fs::read_to_string(fixture_path("rules/STO103.json")).unwrap());
    let as_docker = storage(&plain, &device);
    assert!(as_docker.iter().any(|f| f.rule == "STO103" && f.message.contains("`models`")));
    let declared = DeviceProfile { shares: Some(vec!["models".into()]), ..vm() };
    let as_share = storage(&plain, &declared);
    let f = as_share.iter().find(|f| f.message.contains("`models`")).unwrap();
    assert_eq!(f.rule, "STO101");
    assert!(f.message.contains("one of the device's shares"), "{}", f.message);
}

#[test]
fn keeping_the_fpga_paths_is_a_choice_of_the_vm_share_folder() {
    let m = load("STO101");
    let keep = DeviceProfile { vm_share_root: "/home/hcsshares".into(), ..vm() };
    let out = accept_all(&m, &keep);
    let (mounts, binds) = mounts_and_binds(&out);
    assert!(binds.is_empty(), "{binds:?}");
    assert!(mounts.contains(&(
        "filemover".to_owned(),
        json!({"Type": "bind", "Source": "/home/hcsshares/input", "Target": "/data/in", "ReadOnly": true})
    )));
    // The `Mounts` bind at the FPGA path is left as it is; the other root moves under the chosen one.
    assert!(mounts.contains(&(
        "scorer".to_owned(),
        json!({"Type": "bind", "Source": "/home/hcsshares/models", "Target": "/models", "ReadOnly": true})
    )));
    assert!(mounts.contains(&(
        "archiver".to_owned(),
        json!({"Type": "bind", "Source": "/home/hcsshares/share1", "Target": "/in"})
    )));
    let left = storage(&out, &keep);
    assert!(left.iter().all(|f| f.rule != "STO101"), "{left:#?}");
    let step = left.iter().find(|f| f.module.as_deref() == Some("scorer")).and_then(|f| f.step.as_ref()).unwrap();
    assert_eq!(step.action, "Mount Edge share `models` in the VM at `/home/hcsshares/models`");
}

/// Decides the one STO101 finding of `module` at `at` with a typed host path.
fn typed(m: &Manifest, module: &str, at: &str, value: &str) -> fpga2gpu::migrate::Outcome {
    let all = analyse(m, &vm());
    let hit = |f: &Finding| {
        f.rule == "STO101"
            && f.module.as_deref() == Some(module)
            && f.location.in_create_options().is_some_and(|(_, p)| p.as_str() == at)
    };
    assert!(all.iter().any(hit), "no STO101 finding at {module} {at}");
    migrate(m, &vm(), &all, |f| hit(f).then(|| Decision::Value { value: json!(value) }))
}

#[test]
fn a_typed_host_path_is_checked_like_the_rule_checks() {
    let m = load("STO101");
    // Another folder of the VM: taken.
    let out = typed(&m, "scorer", "/HostConfig/Mounts/0", "/srv/shares/models");
    assert_eq!(out.failed().count(), 0, "{:?}", out.failed().collect::<Vec<_>>());
    assert_eq!(create_options(&m, &out, "scorer")["HostConfig"]["Mounts"][0]["Source"], "/srv/shares/models");
    // Still the FPGA path (outside the VM's share folder), empty, or relative: refused, saying why.
    let why = |out: &fpga2gpu::migrate::Outcome| out.failed().map(|(_, w)| w.to_owned()).collect::<Vec<_>>();
    let fpga = why(&typed(&m, "scorer", "/HostConfig/Mounts/0", "/home/hcsshares/models"));
    assert!(fpga.len() == 1 && fpga[0].contains("STO101"), "{fpga:?}");
    let empty = why(&typed(&m, "filemover", "/HostConfig/Binds/1", ""));
    assert!(empty.len() == 1 && empty[0].contains("STO005"), "{empty:?}");
    let relative = why(&typed(&m, "filemover", "/HostConfig/Binds/1", "mnt/output"));
    assert!(relative.len() == 1 && relative[0].contains("absolute"), "{relative:?}");
}

#[test]
fn docker_refuses_these_mounts_in_the_vm() {
    let m = parse(&std::fs::read_to_string(fixture_path("rules/STO005.json")).unwrap());
    let k8s: Vec<Finding> = storage(&m, &DeviceProfile::default()).into_iter().filter(|f| f.rule == "STO005").collect();
    let on_vm: Vec<Finding> = storage(&m, &vm()).into_iter().filter(|f| f.rule == "STO005").collect();
    assert!(!k8s.is_empty() && !on_vm.is_empty());
    // Docker needs no `Source` on a volume (an anonymous volume): only the managed agent refuses it.
    let entry = |mount: Value| {
        let doc = std::fs::read_to_string(fixture_path("rules/STO104.json")).unwrap();
        let mut doc: Value = serde_json::from_str(&doc).unwrap();
        let co = json!({"HostConfig": {"Mounts": [mount]}}).to_string();
        doc["modulesContent"]["$edgeAgent"]["properties.desired"]["modules"]["winapp"]["settings"]["createOptions"] =
            Value::String(co);
        let m = parse(&doc.to_string());
        let of = |d: &DeviceProfile| {
            storage(&m, d).into_iter().filter(|f| f.rule == "STO005").map(|f| f.message).collect::<Vec<_>>()
        };
        (of(&DeviceProfile::default()), of(&vm()))
    };
    let (k, v) = entry(json!({"Type": "volume", "Target": "/cache"}));
    assert!(k.len() == 1 && v.is_empty(), "{k:?} {v:?}");
    let (_, v) = entry(json!({"Type": "volume", "Target": "/cache", "ReadOnly": true}));
    assert!(v.len() == 1 && v[0].contains("read-only anonymous volume"), "{v:?}");
    let (_, v) = entry(json!({"Type": "tmpfs", "Source": "x", "Target": "/cache"}));
    assert!(v.len() == 1 && v[0].contains("tmpfs with `Source`"), "{v:?}");
    let (_, v) = entry(json!({"Type": "bind", "Source": "data", "Target": "/data"}));
    assert!(v.len() == 1 && v[0].contains("not an absolute path"), "{v:?}");
    let (_, v) = entry(json!({"Source": "/data", "Target": "/data"}));
    assert!(v.len() == 1 && v[0].contains("mount type unknown"), "{v:?}");
    let (_, v) = entry(json!({"Type": "bind", "Source": "$DATA", "Target": "/data"}));
    assert!(v.is_empty(), "a placeholder is filled in at deploy time: {v:?}");
}

#[test]
fn rules_run_on_the_targets_of_vm_target_table() {
    // VM-TARGET.md §7: STO001 is replaced by STO101; STO002/3/4/7 do not apply; STO005 and
    // STO008 apply to both; STO006 (tmpfs) does not apply, its named pipes are STO104's.
    let targets = |id: &str| fpga2gpu::rules::rule(id).unwrap().doc.targets.to_vec();
    for id in ["STO001", "STO002", "STO003", "STO004", "STO006", "STO007", "STO009", "STO010"] {
        assert_eq!(targets(id), [Target::K8s], "{id}");
    }
    for id in ["STO005", "STO008"] {
        assert_eq!(targets(id), [Target::K8s, Target::Vm], "{id}");
    }
    for id in ["STO101", "STO102", "STO103", "STO104"] {
        assert_eq!(targets(id), [Target::Vm], "{id}");
    }
    // A tmpfs runs on Docker: nothing to say on the VM.
    let tmpfs = load("STO006");
    assert!(storage(&tmpfs, &vm()).iter().all(|f| !f.message.contains("tmpfs")), "{:#?}", storage(&tmpfs, &vm()));
}
