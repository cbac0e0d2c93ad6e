//! The storage rules of the guide (STO…): one snapshot per rule on its fixture in
//! tests/fixtures/rules, then what a snapshot cannot say: spellings, fixes that see each other,
//! system files, shares and placeholders (issue 10), typed values.

mod common;
use common::*;
use test_case::test_case;

#[test_case("STO001")]
#[test_case("STO002")]
#[test_case("STO003")]
#[test_case("STO004")]
#[test_case("STO005")]
#[test_case("STO006")]
#[test_case("STO007")]
#[test_case("STO008")]
#[test_case("STO009")]
#[test_case("STO010")]
fn rule(id: &str) {
    insta::assert_snapshot!(id, rule_snapshot_text(id, None));
}

use fpga2gpu::device::DeviceProfile;
use fpga2gpu::manifest::Manifest;
use fpga2gpu::migrate::{Decision, migrate};
use fpga2gpu::rules::{Applicability, Finding, Fix, Severity, analyse};
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// The storage findings of a manifest for `device`.
fn storage(m: &Manifest, device: &DeviceProfile) -> Vec<Finding> {
    analyse(m, device).into_iter().filter(|f| f.rule.starts_with("STO")).collect()
}

/// The findings of one storage rule.
fn of_rule(m: &Manifest, device: &DeviceProfile, id: &str) -> Vec<Finding> {
    storage(m, device).into_iter().filter(|f| f.rule == id).collect()
}

/// Accepts, for `device`, the storage findings `take` picks; checks that all of them apply.
fn accept_where(m: &Manifest, device: &DeviceProfile, take: impl Fn(&Finding) -> bool) -> Manifest {
    let all = analyse(m, device);
    let out = migrate(m, device, &all, |f| {
        (f.rule.starts_with("STO") && f.suggestion.is_some() && take(f)).then_some(Decision::Accept)
    });
    let failed: Vec<_> = out.failed().collect();
    assert!(failed.is_empty(), "not applied: {failed:?}");
    out.reload(m).expect("the output loads")
}

/// Every container path a module mounts something at, as the agent would: `Binds`, `Mounts` of a
/// type it translates, and `k8s-experimental.volumes`; with how often.
fn mount_paths(module: &fpga2gpu::manifest::Module) -> Vec<String> {
    let key = |p: &str| {
        let t = p.trim_end_matches('/');
        if t.is_empty() { "/".to_owned() } else { t.to_owned() }
    };
    let mut out = Vec::new();
    if let Some(hc) = module.host_config() {
        for e in hc.binds.iter().flat_map(|b| b.entries.iter().flatten()) {
            out.extend(e.bind.as_ref().map(|b| key(&b.target)));
        }
        for m in hc.mounts.iter().flat_map(|m| m.entries.iter().flatten()) {
            if matches!(m.kind().as_deref(), Some("bind" | "volume")) {
                out.extend(m.target().map(key));
            }
        }
    }
    let volumes = module.container().and_then(|c| c.k8s.as_ref()).and_then(|k| k.volumes.as_ref());
    for v in volumes.and_then(|v| v.value.as_array()).into_iter().flatten() {
        for vm in v["volumeMounts"].as_array().into_iter().flatten() {
            out.extend(vm["mountPath"].as_str().map(key));
        }
    }
    out
}

/// What the agent refuses in a module's storage, or Kubernetes in its pod, that `before` did not
/// have: incomplete `Mounts` entries (STO005's errors), and a path mounted more often than before
/// (where it was mounted at most once).
fn refused(before: &Manifest, after: &Manifest, device: &DeviceProfile) -> Vec<String> {
    let incomplete = |m: &Manifest| storage(m, device).into_iter().filter(|f| f.rule == "STO005").count();
    let mut out = Vec::new();
    if incomplete(after) > incomplete(before) {
        out.push(format!("{} incomplete mounts", incomplete(after)));
    }
    for module in &after.modules {
        let old = mount_paths(before.module(&module.name).expect("same modules"));
        let new = mount_paths(module);
        for p in new.iter().collect::<BTreeSet<_>>() {
            let (n, o) = (new.iter().filter(|x| *x == p).count(), old.iter().filter(|x| *x == p).count());
            if n > o.max(1) {
                out.push(format!("{}: {p} mounted {n} times", module.name));
            }
        }
    }
    out
}

#[test]
fn no_accepted_combination_of_fixes_mounts_two_things_at_one_path() {
    let m = load("storage/collisions.json");
    let device = DeviceProfile::default();
    let found: Vec<Finding> = storage(&m, &device).into_iter().filter(|f| f.suggestion.is_some()).collect();
    assert!(found.len() >= 6 && found.len() <= 12, "{found:#?}");
    for subset in 0u32..(1 << found.len()) {
        let keys: Vec<_> =
            found.iter().enumerate().filter(|(i, _)| subset & (1 << i) != 0).map(|(_, f)| f.key()).collect();
        let out = accept_where(&m, &device, |f| keys.contains(&f.key()));
        let wrong = refused(&m, &out, &device);
        assert!(wrong.is_empty(), "accepting {keys:?} gives {wrong:?}");
    }
    // Accepting all of them leaves every path mounted once.
    let out = accept_where(&m, &device, |_| true);
    for module in &out.modules {
        let paths = mount_paths(module);
        assert_eq!(paths.len(), paths.iter().collect::<BTreeSet<_>>().len(), "{}: {paths:?}", module.name);
    }
}

/// The storage findings of a fixture of tests/fixtures/storage and the createOptions (and `env`)
/// of every module once all of them are accepted, for a snapshot.
fn storage_snapshot(name: &str, device: &DeviceProfile) -> Value {
    let m = load(&format!("storage/{name}.json"));
    let findings: Vec<Value> = storage(&m, device)
        .iter()
        .map(|f| {
            let (_, at) = f.location.in_create_options().expect("storage findings are in createOptions");
            json!({
                "rule": f.rule, "module": f.module, "severity": f.severity, "at": at.as_str(), "message": f.message,
                "fix": f.fix(), "summary": f.suggestion.as_ref().map(|s| &s.summary),
                "input": f.suggestion.as_ref().and_then(|s| s.input.as_ref()).map(|i| json!({"label": i.label, "default": i.default})),
            })
        })
        .collect();
    let out = accept_where(&m, device, |_| true);
    let modules: serde_json::Map<String, Value> = out
        .modules
        .iter()
        .filter(|x| !x.system)
        .map(|x| {
            let env = out.get(&x.at.child("env")).cloned().unwrap_or(Value::Null);
            (x.name.clone(), json!({"createOptions": x.create_options.value, "env": env}))
        })
        .collect();
    let left: Vec<String> = storage(&out, device)
        .iter()
        .map(|f| format!("{} {} {}: {}", f.rule, f.fix().name(), f.module.as_deref().unwrap_or("-"), f.message))
        .collect();
    json!({"findings": findings, "after accepting all": modules, "left": left})
}

#[test]
fn fixes_see_the_module_and_each_other() {
    let snapshot = serde_json::to_string_pretty(&storage_snapshot("collisions", &DeviceProfile::default())).unwrap();
    insta::assert_snapshot!("collisions", snapshot);
}

/// Docker's documented keys of the storage case and the spelling the lower-case variant uses.
const LOWER: &[(&str, &str)] = &[
    ("HostConfig", "hostConfig"),
    ("Binds", "binds"),
    ("Mounts", "mounts"),
    ("Type", "type"),
    ("Source", "source"),
    ("Target", "target"),
    ("ReadOnly", "readOnly"),
];

/// `v` with every object key of [`LOWER`] in its lower-case spelling.
fn lower_keys(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| {
                    let k = LOWER.iter().find(|(d, _)| d == k).map_or(k.as_str(), |(_, l)| l);
                    (k.to_owned(), lower_keys(v))
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(lower_keys).collect()),
        other => other.clone(),
    }
}

/// The spelling fixture with every module's createOptions written `hostConfig`, `binds`, `mounts`…
fn lower_variant(m: &Manifest) -> Manifest {
    let mut doc = m.doc.clone();
    for module in &m.modules {
        let at = module.at.child("settings").child("createOptions");
        if let Some(Value::String(text)) = doc.pointer(at.as_str()).cloned()
            && !text.is_empty()
        {
            let co: Value = serde_json::from_str(&text).unwrap();
            *doc.pointer_mut(at.as_str()).unwrap() = Value::String(lower_keys(&co).to_string());
        }
    }
    parse(&doc.to_string())
}

/// A finding as the spelling test compares it: everything, the places and the fix's JSON read
/// ignoring the case of keys.
fn comparable(f: &Finding) -> Value {
    let s = f.suggestion.as_ref();
    json!({
        "rule": f.rule, "module": f.module, "severity": f.severity, "message": f.message, "fix": f.fix(),
        "at": f.location.to_string().to_ascii_lowercase(),
        "summary": s.map(|s| s.summary.to_ascii_lowercase()),
        "input": s.and_then(|s| s.input.as_ref()).map(|i| json!([i.label, i.default])),
    })
}

#[test]
fn a_module_written_hostconfig_binds_mounts_gets_the_same_findings_and_keeps_its_spelling() {
    let canonical = load("storage/spelling.json");
    let lower = lower_variant(&canonical);
    assert!(lower.modules.iter().filter(|m| !m.system).all(|m| m.host_config().is_some_and(|h| h.key == "hostConfig")));
    let device = DeviceProfile::default();
    let (a, b) = (storage(&canonical, &device), storage(&lower, &device));
    let rules: BTreeSet<&str> = a.iter().map(|f| f.rule).collect();
    assert_eq!(rules, BTreeSet::from(["STO001", "STO002", "STO003", "STO004", "STO005", "STO006", "STO009", "STO010"]));
    assert_eq!(a.iter().map(comparable).collect::<Vec<_>>(), b.iter().map(comparable).collect::<Vec<_>>());

    // Accepting everything writes the same result, in the module's own spelling.
    let (a, b) = (accept_where(&canonical, &device, |_| true), accept_where(&lower, &device, |_| true));
    for (x, y) in a.modules.iter().zip(&b.modules).filter(|(x, _)| !x.system) {
        let (x, y) = (x.create_options.value.as_ref().unwrap(), y.create_options.value.as_ref().unwrap());
        assert_eq!(&lower_keys(x), y, "the fix keeps the module's spelling");
        let text = y.to_string();
        assert!(
            !["\"HostConfig\"", "\"Mounts\"", "\"Type\"", "\"Source\"", "\"ReadOnly\""]
                .iter()
                .any(|k| text.contains(k)),
            "{text}"
        );
    }
    let fresh = b.module("fresh").unwrap().create_options.value.clone().unwrap();
    assert_eq!(
        fresh,
        json!({"hostConfig": {"mounts": [
            {"type": "volume", "source": "input", "target": "/in", "readOnly": true},
            {"type": "bind", "source": "/tmp", "target": "/tmp"}
        ]}}),
        "a module without `mounts` gets one spelled like its `binds`"
    );
}

/// Decides one finding (by rule, module and place in createOptions) with `decision`, nothing else.
fn decide(
    m: &Manifest,
    device: &DeviceProfile,
    rule: &str,
    module: &str,
    at: &str,
    decision: Decision,
) -> fpga2gpu::migrate::Outcome {
    let all = analyse(m, device);
    let hit = |f: &Finding| {
        f.rule == rule
            && f.module.as_deref() == Some(module)
            && f.location.in_create_options().is_some_and(|(_, p)| p.as_str() == at)
    };
    assert!(all.iter().any(hit), "no {rule} finding at {module} {at}");
    migrate(m, device, &all, |f| hit(f).then(|| decision.clone()))
}

/// The last bind of its rule in the module: a fix that removes an earlier one shifts the next into
/// its place, which `check_decision` reads as "still found" (see the report).
#[test]
fn a_typed_share_name_replaces_the_proposed_one_and_an_empty_one_is_refused() {
    let m = load("STO002");
    let device = DeviceProfile::default();
    let typed =
        |v: &str| decide(&m, &device, "STO002", "camera", "/HostConfig/Binds/2", Decision::Value { value: json!(v) });
    let out = typed("archive");
    assert_eq!(out.failed().count(), 0, "{:?}", out.failed().collect::<Vec<_>>());
    assert_eq!(
        create_options(&m, &out, "camera")["HostConfig"]["Mounts"],
        json!([{"Type": "volume", "Source": "archive", "Target": "/media"}])
    );
    let out = typed(" ");
    let why: Vec<&str> = out.failed().map(|(_, why)| why).collect();
    assert!(why.len() == 1 && why[0].contains("STO005"), "a volume without a source is refused: {why:?}");
}

fn with_shares(shares: &[&str]) -> DeviceProfile {
    DeviceProfile { shares: Some(shares.iter().map(|s| s.to_string()).collect()), ..DeviceProfile::default() }
}

#[test]
fn volume_mounts_are_checked_against_the_shares_the_device_declares() {
    let m = load("STO009");
    // Not declared: one info per volume, saying which share the device needs (the snapshot).
    let none = of_rule(&m, &DeviceProfile::default(), "STO009");
    assert!(none.iter().all(|f| f.rule == "STO009" && f.severity == Severity::Info && f.fix() == Fix::None));
    assert_eq!(none.len(), 3);

    let device = with_shares(&["IMAGES", "my-share"]);
    let found: Vec<Finding> = of_rule(&m, &device, "STO009");
    let brief: Vec<(&str, Severity, Fix)> =
        found.iter().map(|f| (f.location.in_create_options().unwrap().1.as_str(), f.severity, f.fix())).collect();
    assert_eq!(
        brief,
        [
            ("/HostConfig/Mounts/1/Source", Severity::Warning, Fix::NeedsReview),
            ("/HostConfig/Mounts/2/Source", Severity::Info, Fix::None)
        ],
        "`images` is a share (case does not matter); a placeholder cannot be checked"
    );
    assert!(
        found[0].message.contains("`My_Share`") && found[0].message.contains("`IMAGES`, `my-share`"),
        "{}",
        found[0].message
    );
    let input = found[0].suggestion.as_ref().unwrap().input.as_ref().unwrap();
    assert_eq!(input.default, Some(json!("my-share")), "the declared share spelled alike is proposed");
    assert!(found[1].message.contains("filled in at deploy time"), "{}", found[1].message);

    // The typed share must be one of the device's: STO009 checks the value it is given.
    let typed = |v: &str| {
        decide(&m, &device, "STO009", "store", "/HostConfig/Mounts/1/Source", Decision::Value { value: json!(v) })
    };
    let out = typed("elsewhere");
    assert!(out.failed().any(|(_, why)| why.contains("STO009")), "an undeclared share is refused");
    let out = typed("images");
    assert_eq!(out.failed().count(), 0);
    assert_eq!(create_options(&m, &out, "store")["HostConfig"]["Mounts"][1]["Source"], "images");
    // `--accept all` takes the share spelled alike; nothing of STO009 is left but the placeholder
    // (edgeHub's store, STO010, would add a share of its own).
    let out = accept_where(&m, &device, |f| f.rule != "STO010");
    let left: Vec<Finding> = of_rule(&out, &device, "STO009");
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].severity, Severity::Info);
}

#[test]
fn share_fixes_say_when_the_device_lacks_the_share() {
    let device = with_shares(&["output"]);
    let found = of_rule(&load("STO001"), &device, "STO001");
    let summary = |i: usize| found[i].suggestion.as_ref().unwrap().summary.clone();
    assert!(summary(0).contains("not among the device's shares (`output`)"), "{}", summary(0));
    assert!(!summary(1).contains("not among"), "`output` is declared: {}", summary(1));
    assert!(
        found.iter().filter(|f| f.message.contains("$SHARE_NAME")).all(|f| !f
            .suggestion
            .as_ref()
            .unwrap()
            .summary
            .contains("not among")),
        "a placeholder is not checked"
    );
    // A data folder's share is proposed under the folder's name, the host bind shown as the other way.
    let found = of_rule(&load("STO002"), &device, "STO002");
    let data = found.iter().find(|f| f.message.contains("/data/storage")).unwrap();
    let s = data.suggestion.as_ref().unwrap();
    assert_eq!(s.applicability, Applicability::NeedsReview);
    assert!(
        s.summary.contains("`storage`")
            && s.summary.contains("not among the device's shares")
            && s.summary.contains(r#"{"Type": "bind", "Source": "/data/storage""#),
        "{}",
        s.summary
    );
    assert!(
        data.message.contains("worker VM") && data.message.contains("IoT Edge role is removed"),
        "{}",
        data.message
    );
}

#[test]
fn a_placeholder_is_never_removed_without_saying_so() {
    // Every storage fix, accepted alone: a placeholder of the module's createOptions that the output
    // loses is quoted in the finding.
    let device = DeviceProfile::default();
    for id in ["STO001", "STO002", "STO003", "STO004", "STO006", "STO009"] {
        let m = load(id);
        for f in storage(&m, &device).into_iter().filter(|f| f.suggestion.is_some()) {
            let out = accept_where(&m, &device, |g| g.key() == f.key());
            let name = f.module.as_deref().unwrap();
            let text = |x: &Manifest| x.module(name).unwrap().create_options.value.as_ref().unwrap().to_string();
            let (before, after) = (text(&m), text(&out));
            for p in fpga2gpu::manifest::placeholder::placeholders(&before) {
                let said = f.message.contains(p) || f.suggestion.as_ref().unwrap().summary.contains(p);
                assert!(after.contains(p) || said, "{id} {name}: `{p}` removed silently by {:?}", f.suggestion);
            }
        }
    }
    // The bind of `$VIDEO_FOLDER` keeps it verbatim and says it is filled in at deploy time.
    let m = load("STO002");
    let f = storage(&m, &device).into_iter().find(|f| f.message.contains("$VIDEO_FOLDER")).unwrap();
    assert!(f.message.contains("filled in at deploy time") && f.fix() == Fix::Safe, "{}", f.message);
    let out = accept_where(&m, &device, |g| g.key() == f.key());
    let co = out.module("recorder").unwrap().create_options.value.clone().unwrap();
    let kept = json!({"Type": "bind", "Source": "$VIDEO_FOLDER", "Target": "/media"});
    assert!(co["HostConfig"]["Mounts"].as_array().unwrap().contains(&kept), "{co}");
}

#[test]
fn system_files_are_removed_and_the_time_zone_becomes_tz() {
    let m = load("STO004");
    let device = DeviceProfile::default();
    // `--accept all` leaves no system-file error open (the other errors need the module changed).
    let out = accept_where(&m, &device, |_| true);
    let left: Vec<Finding> = storage(&out, &device).into_iter().filter(|f| f.rule == "STO004").collect();
    assert!(left.len() == 5 && left.iter().all(|f| f.fix() == Fix::Manual), "{left:#?}");
    assert!(!left.iter().any(|f| {
        ["/etc/hosts", "/etc/resolv.conf", "/etc/localtime", "/etc/timezone", "/etc/machine-id"]
            .iter()
            .any(|s| f.message.contains(s))
    }));
    // `--accept auto` removes only what keeps the module as it was: the resolver, and the time zone
    // where `TZ` sets it already.
    let all = analyse(&m, &device);
    let safe: Vec<String> = all
        .iter()
        .filter(|f| f.rule == "STO004" && f.fix() == Fix::Safe)
        .map(|f| format!("{} {}", f.module.as_deref().unwrap(), f.location.in_create_options().unwrap().1))
        .collect();
    assert_eq!(safe, ["sysfiles /HostConfig/Binds/1", "zoned /HostConfig/Binds/0"]);
    // A typed zone goes into the module's env.
    let out =
        decide(&m, &device, "STO004", "berlin", "/HostConfig/Binds/0", Decision::Value { value: json!("Asia/Tokyo") });
    assert_eq!(out.failed().count(), 0, "{:?}", out.failed().collect::<Vec<_>>());
    let again = out.reload(&m).unwrap();
    let berlin = again.module("berlin").unwrap();
    assert_eq!(berlin.env_value("TZ"), Some("Asia/Tokyo"));
    assert!(!again.get(&berlin.at).unwrap().to_string().contains("/etc/localtime"));
}

/// The `edgeHub` of a manifest with `createOptions` and `env` as given (STO010's variants).
fn edge_hub(create_options: Value, env: Value) -> Manifest {
    let mut doc: Value =
        serde_json::from_str(&std::fs::read_to_string(fixture_path("rules/STO010.json")).unwrap()).unwrap();
    let hub = &mut doc["modulesContent"]["$edgeAgent"]["properties.desired"]["systemModules"]["edgeHub"];
    hub["settings"]["createOptions"] = Value::String(create_options.to_string());
    hub["env"] = env;
    parse(&doc.to_string())
}

#[test]
fn edgehub_keeps_its_store_on_a_share_volume() {
    let device = DeviceProfile::default();
    let sto010 = |m: &Manifest| storage(m, &device).into_iter().filter(|f| f.rule == "STO010").collect::<Vec<_>>();
    // Without `storageFolder`: the variable and the volume, with the share step.
    let m = load("STO010");
    let found = sto010(&m);
    assert_eq!(found.len(), 1);
    assert_eq!((found[0].severity, found[0].fix()), (Severity::Warning, Fix::NeedsReview));
    let step = found[0].step.as_ref().expect("a share to create");
    assert!(step.action.contains("Edge share `edgehub`") && !step.inferred, "{step:?}");
    let out = accept_where(&m, &device, |f| f.rule == "STO010");
    let hub = out.module("edgeHub").unwrap();
    assert_eq!(hub.env_value("storageFolder"), Some("/storage"));
    assert_eq!(
        hub.create_options.value.as_ref().unwrap()["HostConfig"]["Mounts"],
        json!([{"Type": "volume", "Source": "edgehub", "Target": "/storage"}])
    );
    assert!(sto010(&out).is_empty(), "nothing left once accepted");

    // A `storageFolder` nothing holds: only the volume, at that folder.
    let m = edge_hub(json!({}), json!({"storageFolder": {"value": "/iotedge/storage/"}}));
    let found = sto010(&m);
    assert!(found.len() == 1 && found[0].message.contains("`/iotedge/storage/`"), "{found:#?}");
    let typed = decide(&m, &device, "STO010", "edgeHub", "", Decision::Value { value: json!("hubstore") });
    assert_eq!(typed.failed().count(), 0, "{:?}", typed.failed().collect::<Vec<_>>());
    assert_eq!(
        create_options(&m, &typed, "edgeHub")["HostConfig"]["Mounts"],
        json!([{"Type": "volume", "Source": "hubstore", "Target": "/iotedge/storage/"}])
    );
    let empty = decide(&m, &device, "STO010", "edgeHub", "", Decision::Value { value: json!("") });
    assert!(empty.failed().any(|(_, why)| why.contains("STO005")), "a volume without a source is refused");

    // Held by a bind (the FPGA production layout), a share volume or a volume above it: nothing.
    for co in [
        json!({"HostConfig": {"Binds": ["/etc/iotedge/storage/:/iotedge/storage/"]}}),
        json!({"HostConfig": {"Mounts": [{"Type": "volume", "Source": "edgehub", "Target": "/iotedge/storage"}]}}),
        json!({"HostConfig": {"Mounts": [{"Type": "volume", "Source": "edgehub", "Target": "/iotedge"}]}}),
    ] {
        let m = edge_hub(co.clone(), json!({"storageFolder": {"value": "/iotedge/storage/"}}));
        assert!(sto010(&m).is_empty(), "{co}");
    }
    // Not for the VM: Docker keeps the store across restarts there, as on the FPGA device.
    let vm = DeviceProfile { target: fpga2gpu::device::Target::Vm, ..DeviceProfile::default() };
    assert!(storage(&load("STO010"), &vm).iter().all(|f| f.rule != "STO010"));
}

#[test]
fn shares_get_a_create_step_unless_the_device_has_them() {
    let device = DeviceProfile::default();
    let found = storage(&load("STO001"), &device);
    let actions: BTreeSet<String> = found.iter().filter_map(|f| f.step.as_ref()).map(|s| s.action.clone()).collect();
    assert!(
        actions.contains("Create Edge share `input` on the GPU device, with \"Use the share with Edge compute\""),
        "{actions:#?}"
    );
    assert!(actions.iter().any(|a| a.contains("filled in for `$SHARE_NAME`")), "{actions:#?}");
    // The checklist names each share once, whichever rule asks for it.
    let all = analyse(&load("STO001"), &device);
    let list = fpga2gpu::report::checklist(&all);
    let images = list.iter().filter(|s| s.action.contains("`images`")).count();
    assert_eq!(images, 1);
    assert!(list[0].detail.contains("NFS v3") && list[0].detail.contains("Permission denied"), "{}", list[0].detail);
    // A share the device declares needs no step.
    let declared = storage(&load("STO001"), &with_shares(&["input"]));
    assert!(declared.iter().filter_map(|f| f.step.as_ref()).all(|s| !s.action.contains("`input`")));
}

#[test]
fn a_share_root_the_engineer_names_is_read_as_the_fpga_share_path() {
    // TRAPS.md §3: the portal showed other mount points; the device profile names them.
    let m = parse(
        &std::fs::read_to_string(fixture_path("rules/STO001.json"))
            .unwrap()
            .replace("/home/hcsshares/input", "/mnt/edge/input"),
    );
    let plain = storage(&m, &DeviceProfile::default());
    assert!(plain.iter().any(|f| f.rule == "STO002" && f.message.contains("/mnt/edge/input")));
    let device = DeviceProfile { share_roots: vec!["/mnt/edge".into()], ..DeviceProfile::default() };
    let named = storage(&m, &device);
    let f = named.iter().find(|f| f.message.contains("/mnt/edge/input")).unwrap();
    assert_eq!(f.rule, "STO001");
    assert!(f.message.contains("share `input`"), "{}", f.message);
}
