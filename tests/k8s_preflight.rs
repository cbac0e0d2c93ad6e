//! The pre-flight rules (`K8S001`…): each on its fixture (a ruff-style snapshot of what it finds,
//! and whether the whole check keeps it or a manifest rule that owns the fact speaks instead),
//! then what a snapshot cannot say: who owns which fact, the device profile's part, the place in
//! `check` and `migrate`.

mod common;
use common::*;
use fpga2gpu::device::{DeviceProfile, ServiceType, Target};
use fpga2gpu::k8s::{self, preflight::preflight, translate};
use fpga2gpu::manifest::{Location, Manifest};
use fpga2gpu::migrate::{Policy, migrate_checked, remaining};
use fpga2gpu::rules::{Finding, Section, Severity, analyse};
use serde_json::{Value, json};
use test_case::test_case;

/// The profile a fixture is checked with: `<ID>.device.json` when there is one.
fn device_for(id: &str) -> DeviceProfile {
    std::fs::read_to_string(fixture_path(&format!("rules/{id}.device.json")))
        .map(|t| serde_json::from_str(&t).expect("a device profile"))
        .unwrap_or_default()
}

fn raw(m: &Manifest, device: &DeviceProfile) -> Vec<Finding> {
    preflight(m, device, &translate(m, device), &[])
}

#[test_case("K8S001")]
#[test_case("K8S002")]
#[test_case("K8S003")]
#[test_case("K8S004")]
#[test_case("K8S005")]
#[test_case("K8S006")]
#[test_case("K8S007")]
#[test_case("K8S008")]
#[test_case("K8S009")]
#[test_case("K8S010")]
fn rule(id: &str) {
    let m = load(id);
    let device = device_for(id);
    let checked = k8s::check(&m, &device);
    let findings: Vec<Value> = raw(&m, &device)
        .iter()
        .filter(|f| f.rule == id)
        .map(|f| {
            let kept = checked.iter().any(|c| c.key() == f.key());
            json!({"module": f.module, "section": f.section, "severity": f.severity, "at": f.location.to_string(), "message": f.message, "fix": f.fix(), "kept by check": kept})
        })
        .collect();
    assert!(!findings.is_empty(), "{id}: its fixture triggers it");
    let profile: Value = std::fs::read_to_string(fixture_path(&format!("rules/{id}.device.json")))
        .map_or(json!("default"), |t| json!(serde_json::from_str::<Value>(&t).expect("JSON").to_string()));
    insta::assert_json_snapshot!(id, json!({"device": profile, "findings": findings}));
}

fn manifest(modules: Value) -> Manifest {
    let doc = json!({"modulesContent": {
        "$edgeAgent": {"properties.desired": {"schemaVersion": "1.1", "runtime": {"type": "docker", "settings": {}},
            "systemModules": {
                "edgeAgent": {"type": "docker", "settings": {"image": "mcr.microsoft.com/azureiotedge-agent:1.1", "createOptions": "{}"}},
                "edgeHub": {"type": "docker", "status": "running", "restartPolicy": "always", "settings": {"image": "mcr.microsoft.com/azureiotedge-hub:1.1", "createOptions": "{\"HostConfig\":{\"PortBindings\":{\"443/tcp\":[{\"HostPort\":\"443\"}]}}}"}}
            },
            "modules": modules}},
        "$edgeHub": {"properties.desired": {"schemaVersion": "1.1", "routes": {}}}
    }});
    parse(&serde_json::to_string_pretty(&doc).unwrap())
}

fn module(create_options: Value) -> Value {
    json!({"type": "docker", "status": "running", "restartPolicy": "always", "settings": {"image": "repo/m:1", "createOptions": create_options.to_string()}})
}

fn rules_of(findings: &[Finding], prefix: &str) -> Vec<(&'static str, Option<String>)> {
    findings.iter().filter(|f| f.rule.starts_with(prefix)).map(|f| (f.rule, f.module.clone())).collect()
}

#[test]
fn check_is_analyse_and_the_preflight_sorted_like_analyse_and_vm_is_analyse_alone() {
    let m = load("K8S003");
    let device = DeviceProfile::default();
    let all = k8s::check(&m, &device);
    let rules = analyse(&m, &device);
    assert!(rules.iter().all(|f| all.contains(f)), "every manifest finding is kept");
    assert_eq!(all.len(), rules.len() + raw(&m, &device).len(), "nothing of this fixture is owned by a manifest rule");
    let order: Vec<usize> = all
        .iter()
        .map(|f| f.module.as_deref().and_then(|n| m.modules.iter().position(|x| x.name == n)).unwrap_or(usize::MAX))
        .collect();
    assert!(order.windows(2).all(|w| w[0] <= w[1]), "module order, as analyse sorts");
    let vm = DeviceProfile { target: Target::Vm, ..DeviceProfile::default() };
    assert_eq!(k8s::check(&m, &vm), analyse(&m, &vm), "no pre-flight for IoT Edge in a VM");
    let mut keys: Vec<_> = all.iter().map(Finding::key).collect();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), all.len(), "finding identities stay unique");
}

#[test]
fn owners_speak_instead_of_the_preflight() {
    // Module-name collisions are OTH002's, a system module's (edgeHub) with a custom one's too:
    // OTH002 names both modules, so the pre-flight says nothing more.
    let m =
        manifest(json!({"camera_1": module(json!({})), "Camera1": module(json!({})), "edgehub": module(json!({}))}));
    let all = k8s::check(&m, &DeviceProfile::default());
    assert_eq!(rules_of(&all, "K8S005"), [], "camera_1 and Camera1, edgehub and edgeHub are OTH002's");
    assert!(rules_of(&all, "OTH002").len() >= 2);
    assert_eq!(rules_of(&raw(&m, &DeviceProfile::default()), "K8S005").len(), 4, "without owners all four are found");

    // Proxy ports are PRX003's: only a key the agent reads and PRX003 does not is the pre-flight's.
    let m = manifest(
        json!({"a": module(json!({"ExposedPorts": {"35000/tcp": {}}})), "b": module(json!({"ExposedPorts": {"/35001/tcp": {}}}))}),
    );
    let all = k8s::check(&m, &DeviceProfile::default());
    assert_eq!(rules_of(&all, "K8S006"), [("K8S006", Some("b".to_owned()))]);
    assert!(rules_of(&all, "PRX003").contains(&("PRX003", Some("a".to_owned()))));
}

/// A finding of `rule` as a manifest rule would report it.
fn owner(rule: &'static str, module: Option<&str>, severity: Severity, at: Location) -> Finding {
    Finding {
        rule,
        section: Section::Resources,
        severity,
        module: module.map(str::to_owned),
        location: at,
        message: "reported on the manifest".to_owned(),
        reason: "",
        suggestion: None,
        step: None,
    }
}

#[test]
fn the_gpu_budget_and_the_external_ips_defer_to_res010_and_net007() {
    let m = load("K8S008");
    let device = DeviceProfile::default();
    let objects = translate(&m, &device);
    let agent = Location::Document(m.edge_agent_at());
    assert_eq!(rules_of(&preflight(&m, &device, &objects, &[]), "K8S008").len(), 1);
    let res010 = owner("RES010", None, Severity::Error, agent.clone());
    assert!(rules_of(&preflight(&m, &device, &objects, &[res010]), "K8S008").is_empty());
    let two = DeviceProfile { gpus: 2, ..device.clone() };
    assert!(rules_of(&raw(&m, &two), "K8S008").is_empty(), "the stopped module's Deployment has no replica");

    let m = load("K8S009");
    let device = device_for("K8S009");
    let objects = translate(&m, &device);
    let found = preflight(&m, &device, &objects, &[]);
    let f = found.iter().find(|f| f.rule == "K8S009").expect("3 LoadBalancers, 2 IPs");
    assert!(f.message.contains("`edgeHub`") && f.message.contains("`dashboard`"), "{}", f.message);
    let info = owner("NET007", None, Severity::Info, agent.clone());
    assert_eq!(
        rules_of(&preflight(&m, &device, &objects, &[info]), "K8S009").len(),
        1,
        "a count alone is not the fact"
    );
    let warning = owner("NET007", None, Severity::Warning, agent);
    assert!(rules_of(&preflight(&m, &device, &objects, &[warning]), "K8S009").is_empty());
    let unknown = DeviceProfile { external_ips: None, ..device };
    assert!(rules_of(&raw(&m, &unknown), "K8S009").is_empty(), "no range given: nothing to compare with");
    let cluster = DeviceProfile { service_type: ServiceType::ClusterIP, ..device_for("K8S009") };
    assert!(rules_of(&raw(&m, &cluster), "K8S009").is_empty(), "ClusterIP Services take no external IP");
}

#[test]
fn missing_claims_need_declared_shares_and_no_storage_class() {
    let m = load("K8S010");
    let shares = device_for("K8S010");
    let found = raw(&m, &shares);
    let messages: Vec<&str> = found.iter().filter(|f| f.rule == "K8S010").map(|f| f.message.as_str()).collect();
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(messages[0].contains("`scratch-claim`"), "only the claim nobody creates: {messages:?}");
    let fewer = DeviceProfile { shares: Some(vec!["INPUT".into()]), ..shares.clone() };
    assert_eq!(rules_of(&raw(&m, &fewer), "K8S010").len(), 2, "share names are case-insensitive; `archive` is missing");
    assert!(rules_of(&raw(&m, &DeviceProfile::default()), "K8S010").is_empty(), "shares not declared: not checked");
    let class = DeviceProfile { storage_class: Some(String::new()), pvc_size_mb: Some(100), ..fewer };
    assert_eq!(
        rules_of(&raw(&m, &class), "K8S010").len(),
        1,
        "with a storage class the agent makes the mounts' claims"
    );
}

#[test]
fn quantities_and_claim_sizes() {
    let m = manifest(json!({"a": module(json!({"k8s-experimental": {"resources": {
        "limits": {"nvidia.com/gpu": "500m", "memory": "1Gi", "gpu": 1},
        "requests": {"memory": "2Gi", "example.com/foo": 1}
    }}}))}));
    let found = raw(&m, &DeviceProfile::default());
    let f = found.iter().find(|f| f.rule == "K8S007").expect("K8S007");
    for part in [
        "`nvidia.com/gpu: 500m` is not a whole number",
        "`gpu` is not a resource",
        "request of `memory` is above its limit",
        "`example.com/foo` is requested without a limit",
    ] {
        assert!(f.message.contains(part), "{part}: {}", f.message);
    }
    let ok = manifest(
        json!({"a": module(json!({"k8s-experimental": {"resources": {"limits": {"nvidia.com/gpu": 1, "memory": "1Gi", "cpu": "${CPU}"}, "requests": {"nvidia.com/gpu": 1, "memory": "512Mi"}}}}))}),
    );
    assert!(
        rules_of(&raw(&ok, &DeviceProfile::default()), "K8S007").is_empty(),
        "valid, and placeholders are not judged"
    );
}

#[test]
fn findings_point_at_what_the_engineer_wrote() {
    let m = load("K8S003");
    let found = raw(&m, &DeviceProfile::default());
    let at: Vec<String> = found.iter().filter(|f| f.rule == "K8S003").map(|f| f.location.to_string()).collect();
    assert!(at.iter().any(|a| a.ends_with("/HostConfig/Mounts/0")), "the second mount at /data: {at:?}");
    assert!(
        at.iter().any(|a| a.ends_with("/HostConfig/Binds/0")),
        "the bind whose volume the extension repeats: {at:?}"
    );
}

#[test]
fn migrate_checks_its_output_with_the_preflight() {
    let m = load("K8S002");
    let device = DeviceProfile::default();
    let check = &k8s::check;
    let findings = check(&m, &device);
    let out = migrate_checked(&m, &device, check, &findings, |f| Policy::All.decide(f));
    let left = remaining(&m, &out, &device, check).expect("the output loads");
    assert!(left.iter().any(|f| f.rule == "K8S002"), "the volume name needs manual work and is listed");
}
