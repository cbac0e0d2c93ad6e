//! The VM target's rules of the proxy and "other" sections (PRX1NN, OTH1NN), and how the existing
//! OTH, PRX and MAN rules apply to the VM (VM-TARGET.md §7): a snapshot of each new rule on its
//! fixture, then what a snapshot cannot say: the targets table, typed values checked by the rule
//! they fix, other device profiles, how OTH101 leaves the resources to RES101/RES104, and the end
//! state of an FPGA manifest and a managed-Kubernetes manifest migrated to the VM.

mod common;
use common::*;
use fpga2gpu::device::{DeviceProfile, GpuModel, IotEdgeVersion, Target};
use fpga2gpu::manifest::{Location, Manifest, Pointer};
use fpga2gpu::migrate::{Decision, Outcome, Policy, check_decision, migrate};
use fpga2gpu::rules::{Edit, Finding, Fix, Severity, Suggestion, analyse, catalogue, rule};
use serde_json::{Value, json};
use test_case::test_case;

#[test_case("PRX101")]
#[test_case("PRX102")]
#[test_case("OTH101")]
#[test_case("OTH102")]
#[test_case("OTH103")]
#[test_case("OTH104")]
#[test_case("OTH105")]
#[test_case("OTH106")]
#[test_case("OTH107")]
#[test_case("OTH108")]
fn rule_on_the_vm(id: &str) {
    insta::assert_snapshot!(id, rule_snapshot_text(id, None));
}

fn vm() -> DeviceProfile {
    DeviceProfile { target: Target::Vm, ..DeviceProfile::default() }
}

/// The findings of `id` for `device`.
fn of(m: &Manifest, device: &DeviceProfile, id: &str) -> Vec<Finding> {
    analyse(m, device).into_iter().filter(|f| f.rule == id).collect()
}

/// The one finding of `id` on `module` for the default VM.
fn on(m: &Manifest, id: &str, module: &str) -> Finding {
    let here: Vec<Finding> = of(m, &vm(), id).into_iter().filter(|f| f.module.as_deref() == Some(module)).collect();
    assert_eq!(here.len(), 1, "one {id} finding on {module}: {here:#?}");
    here.into_iter().next().unwrap()
}

/// Migrates for `device` with a policy, checking that everything decided was applied.
fn migrate_with(m: &Manifest, device: &DeviceProfile, policy: Policy) -> Outcome {
    let out = migrate(m, device, &analyse(m, device), |f| policy.decide(f));
    let failed: Vec<_> = out.failed().collect();
    assert!(failed.is_empty(), "not applied: {failed:?}");
    assert!(out.warnings.is_empty(), "warnings: {:?}", out.warnings);
    out
}

/// What `check_decision` says of a decision for the default VM.
fn checked(m: &Manifest, f: &Finding, d: Decision) -> Result<(), String> {
    check_decision(m, &vm(), &|m, d| analyse(m, d), f, &d)
}

fn text(v: &str) -> Decision {
    Decision::Value { value: json!(v) }
}

/// A module's decoded createOptions in a migrated document.
fn co(m: &Manifest, out: &Outcome, module: &str) -> Value {
    create_options(m, out, module)
}

/// A manifest made from a fixture with some values set (document pointers; keys without `/` or `~`).
fn with(id: &str, changes: &[(&str, Value)]) -> Manifest {
    let mut doc: Value =
        serde_json::from_str(&std::fs::read_to_string(fixture_path(&format!("rules/{id}.json"))).unwrap()).unwrap();
    for (at, v) in changes {
        let (parent, key) = at.rsplit_once('/').unwrap();
        let parent = doc.pointer_mut(parent).and_then(Value::as_object_mut);
        parent.unwrap_or_else(|| panic!("{at} in {id}")).insert(key.to_owned(), v.clone());
    }
    parse(&doc.to_string())
}

const AGENT: &str = "/modulesContent/$edgeAgent/properties.desired";
const HUB: &str = "/modulesContent/$edgeHub/properties.desired";

// --- Which rules run for the VM (VM-TARGET §7) ---------------------------------------------------

#[test]
fn the_existing_rules_apply_to_the_vm_as_the_table_says() {
    let targets = |id: &str| rule(id).unwrap_or_else(|| panic!("{id}")).doc.targets;
    let both = [Target::K8s, Target::Vm];
    for id in ["MAN001", "MAN002", "MAN003", "MAN004", "MAN005", "MAN006", "PRX002", "OTH009", "OTH011"] {
        assert_eq!(targets(id), both, "{id} applies to both targets");
    }
    // No side-car, no reserved proxy ports, no rollout strategy, no renames, Docker's own casing
    // and env rules; OTH007, OTH008 and OTH010 are replaced by OTH101, OTH102 and OTH103.
    for id in
        ["PRX001", "PRX003", "OTH001", "OTH002", "OTH003", "OTH004", "OTH005", "OTH006", "OTH007", "OTH008", "OTH010"]
    {
        assert_eq!(targets(id), [Target::K8s], "{id} does not apply to the VM");
    }
    for r in catalogue().iter().filter(|r| r.doc.id[3..].starts_with('1')) {
        if r.doc.id.starts_with("OTH") || r.doc.id.starts_with("PRX") {
            assert_eq!(r.doc.targets, [Target::Vm], "{}: VM rules are VM only", r.doc.id);
        }
    }
}

#[test]
fn modules_are_never_renamed_for_the_vm() {
    // OTH002's fixture holds names Kubernetes cannot use: the VM keeps every one of them.
    let m = load("OTH002");
    let out = migrate_with(&m, &vm(), Policy::All);
    assert!(out.renamed.is_empty(), "{:?}", out.renamed);
    let again = reload(&m, &out);
    let names = |m: &Manifest| m.modules.iter().map(|x| x.name.clone()).collect::<Vec<_>>();
    assert_eq!(names(&again), names(&m));
}

#[test]
fn oth011_reads_edge_agent_in_the_vm_only() {
    let m = parse(
        &serde_json::to_string(&json!({"modulesContent": {"$edgeAgent": {"properties.desired": {
            "schemaVersion": "1.1",
            "systemModules": {"edgeAgent": {"type": "docker", "settings": {
                "image": "mcr.microsoft.com/azureiotedge-agent:1.6",
                "createOptions": "{\"HostConfir\":{\"LogConfig\":{\"Type\":\"json-file\"}}}"}}},
            "modules": {}}}}}))
        .unwrap(),
    );
    let k8s = DeviceProfile::default();
    assert!(of(&m, &k8s, "OTH011").is_empty(), "the managed device deploys its own agent");
    let found = of(&m, &vm(), "OTH011");
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(found[0].message.contains("HostConfir"), "{}", found[0].message);
}

#[test]
fn oth009_says_what_to_expect_from_the_target() {
    let m = load("OTH009");
    let k8s = of(&m, &DeviceProfile::default(), "OTH009");
    let vm16 = of(&m, &vm(), "OTH009");
    let vm15 = of(&m, &DeviceProfile { iotedge_version: IotEdgeVersion::V1_5, ..vm() }, "OTH009");
    assert!(k8s[0].message.contains("backoff"));
    assert!(vm16[0].message.contains("1.6 LTS") && vm16[0].message.contains("2028-11-14"), "{}", vm16[0].message);
    assert!(vm16[0].message.contains("OTH108") && vm16[0].reason.contains("end of life"));
    assert!(!vm16[0].message.contains("backoff") && vm16[0].reason != k8s[0].reason);
    assert!(vm15[0].message.contains("2026-11-10") && vm15[0].message.contains("prefer"), "{}", vm15[0].message);
}

// --- OTH101 --------------------------------------------------------------------------------------

#[test]
fn oth101_leaves_the_resources_to_res101_and_res104() {
    let m = load("OTH101");
    assert!(of(&m, &vm(), "OTH101").iter().all(|f| f.fix() == Fix::Safe && f.severity == Severity::Info));
    assert!(of(&m, &vm(), "OTH101").iter().all(|f| f.module.as_deref() != Some("held")), "nothing but resources");
    let out = migrate_with(&m, &vm(), Policy::Auto);
    // The GPU limit and the memory request stay for RES104; the rest of the section goes.
    assert_eq!(
        co(&m, &out, "camera")["k8s-experimental"],
        json!({"resources": {"limits": {"nvidia.com/gpu": 1}, "requests": {"memory": "1Gi"}}})
    );
    assert_eq!(co(&m, &out, "held")["k8s-experimental"], json!({"resources": {"limits": {"nvidia.com/gpu": 1}}}));
    // A misspelled or misplaced section was read by no agent: removed whole, catapult too.
    assert_eq!(co(&m, &out, "legacy"), json!({}));
    assert_eq!(co(&m, &out, "placed"), json!({"HostConfig": {"Privileged": true}}));
    for gone in ["empty", "templated"] {
        assert_eq!(co(&m, &out, gone), json!({}), "{gone}");
    }
    assert!(auto_left_vm(&m, &out, "OTH101").is_empty(), "idempotent");
}

#[test]
fn oth101_holds_back_exactly_what_the_resource_rules_read() {
    // RES104 reads `memory`, `cpu` and `nvidia.com/gpu` by their exact names, RES101 the FPGA
    // resource in any case; a resource without a value is nobody's.
    let section = json!({"k8s-experimental": {
        "nodeSelector": {"pool": "${POOL}"},
        "resources": {"limits": {"nvidia.com/gpu": "${GPU}", "Memory": "1Gi", " Microsoft.com/FPGA_Catapult": 1, "cpu": null}}}});
    let m = with("OTH101", &[(&format!("{AGENT}/modules/held/settings/createOptions"), json!(section.to_string()))]);
    let held = on(&m, "OTH101", "held");
    assert!(held.message.contains("`${POOL}` goes too") && !held.message.contains("${GPU}"), "{}", held.message);
    let out = migrate_with(&m, &vm(), Policy::Auto);
    assert_eq!(
        co(&m, &out, "held")["k8s-experimental"],
        json!({"resources": {"limits": {"nvidia.com/gpu": "${GPU}", " Microsoft.com/FPGA_Catapult": 1}}})
    );
}

/// Safe fixes of `id` left on the reloaded output, for the default VM.
fn auto_left_vm(m: &Manifest, out: &Outcome, id: &str) -> Vec<Finding> {
    of(&reload(m, out), &vm(), id).into_iter().filter(|f| f.fix() == Fix::Safe).collect()
}

#[test]
fn oth101_and_the_resource_rules_together_leave_no_section() {
    // What RES104 does with the resources it moves (removes them), taken with OTH101's fix: the
    // removals together empty the section, and the migration drops it.
    let m = load("OTH101");
    let camera = on(&m, "OTH101", "camera");
    let Location::CreateOptions { module, .. } = camera.location.clone() else { panic!("{:?}", camera.location) };
    let leaf =
        |t: &[&str]| Location::CreateOptions { module: module.clone(), at: Pointer::from_tokens(t.iter().copied()) };
    let moved = Finding {
        rule: "RES104",
        location: leaf(&["k8s-experimental", "resources", "limits", "nvidia.com/gpu"]),
        suggestion: Some(Suggestion::new(
            "move the resources",
            vec![
                Edit::Set { at: leaf(&["HostConfig", "Memory"]), value: json!(1073741824) },
                Edit::Remove { at: leaf(&["k8s-experimental", "resources", "limits", "nvidia.com/gpu"]) },
                Edit::Remove { at: leaf(&["k8s-experimental", "resources", "requests", "memory"]) },
            ],
        )),
        ..camera.clone()
    };
    let out = migrate(&m, &vm(), &[camera, moved], |_| Some(Decision::Accept));
    assert!(out.warnings.is_empty() && out.failed().next().is_none(), "{:?}", out.warnings);
    assert_eq!(co(&m, &out, "camera"), json!({"HostConfig": {"Binds": ["/data:/data"], "Memory": 1073741824}}));
}

// --- OTH102 --------------------------------------------------------------------------------------

#[test_case("1.0", "1.0", &[("$edgeAgent", Severity::Info), ("$edgeHub", Severity::Info)] ; "both old")]
#[test_case("1.1", "1.3", &[] ; "hub 1.3 is read as it is")]
#[test_case("1.1.0", "1.2", &[] ; "patch numbers")]
#[test_case("1.2", "1.4", &[("$edgeAgent", Severity::Error), ("$edgeHub", Severity::Error)] ; "too new")]
#[test_case("one", "1.1", &[("$edgeAgent", Severity::Error)] ; "not a version")]
fn oth102_versions(agent: &str, hub: &str, expected: &[(&str, Severity)]) {
    let m = with(
        "OTH102",
        &[(&format!("{AGENT}/schemaVersion"), json!(agent)), (&format!("{HUB}/schemaVersion"), json!(hub))],
    );
    let found = of(&m, &vm(), "OTH102");
    let got: Vec<(String, Severity)> = found
        .iter()
        .map(|f| {
            (if f.location.to_string().contains("$edgeHub") { "$edgeHub" } else { "$edgeAgent" }.to_owned(), f.severity)
        })
        .collect();
    let expected: Vec<(String, Severity)> = expected.iter().map(|(n, s)| ((*n).to_owned(), *s)).collect();
    assert_eq!(got, expected);
    assert!(found.iter().all(|f| f.fix() == Fix::Safe));
    let again = reload(&m, &migrate_with(&m, &vm(), Policy::Auto));
    assert!(of(&again, &vm(), "OTH102").is_empty(), "1.1 is written where it was wrong");
}

#[test]
fn oth102_numbers_missing_versions_and_placeholders() {
    let m = with(
        "OTH102",
        &[(&format!("{AGENT}/schemaVersion"), json!(1.1)), (&format!("{HUB}/schemaVersion"), json!("$HUB_SCHEMA"))],
    );
    let found = of(&m, &vm(), "OTH102");
    assert_eq!(found.len(), 1, "a number 1.1 is 1.1: {found:#?}");
    assert_eq!((found[0].severity, found[0].fix()), (Severity::Info, Fix::None), "a placeholder is never replaced");
    let mut doc = load("OTH102").doc;
    doc.pointer_mut(AGENT).unwrap().as_object_mut().unwrap().remove("schemaVersion");
    let m = parse(&doc.to_string());
    let out = migrate_with(&m, &vm(), Policy::Auto);
    assert_eq!(out.doc.pointer(&format!("{AGENT}/schemaVersion")), Some(&json!("1.1")), "a missing one is written");
    assert_eq!(out.doc.pointer(&format!("{HUB}/schemaVersion")), Some(&json!("1.1")));
    let layered = load("shapes/content-layered.json");
    assert!(of(&layered, &vm(), "OTH102").is_empty(), "layered deployments carry no schema version");
}

// --- OTH103 --------------------------------------------------------------------------------------

#[test]
fn oth103_a_typed_restart_policy_is_checked_by_the_rule() {
    let m = load("OTH103");
    let job = on(&m, "OTH103", "job");
    assert_eq!((job.severity, job.fix()), (Severity::Warning, Fix::NeedsReview));
    checked(&m, &job, text("never")).expect("a policy IoT Edge implements");
    checked(&m, &job, Decision::Accept).expect("always");
    for refused in ["on-failure", "On-Unhealthy", "sometimes"] {
        let why = checked(&m, &job, text(refused)).expect_err(refused);
        assert!(why.contains("OTH103"), "{refused}: {why}");
    }
}

#[test]
fn oth103_on_unhealthy_asks_for_the_health_check_command() {
    let m = load("OTH103");
    let watched = on(&m, "OTH103", "watched");
    let input = watched.suggestion.as_ref().and_then(|s| s.input.as_ref()).expect("an input");
    assert_eq!(input.default, None, "only the engineer knows the module's health check");
    assert_eq!(Policy::All.decide(&watched), None, "`--accept all` leaves it open");
    let why = checked(&m, &watched, text("  ")).expect_err("an empty command");
    assert!(why.contains("OTH103"), "{why}");
    let command = "curl -f http://localhost:8080/health || kill 1";
    checked(&m, &watched, text(command)).expect("a command");
    let out = migrate(&m, &vm(), &[watched], |_| Some(text(command)));
    assert_eq!(out.doc.pointer(&format!("{AGENT}/modules/watched/restartPolicy")), Some(&json!("always")));
    let created = co(&m, &out, "watched");
    assert_eq!(created["Healthcheck"], json!({"Test": ["CMD-SHELL", command]}));
    assert!(created["HostConfig"]["PortBindings"].is_object(), "the rest of createOptions is kept");
    // A module with its own Healthcheck only needs `always`; a placeholder is left alone.
    let checked_module = on(&m, "OTH103", "checked");
    assert_eq!(checked_module.suggestion.as_ref().map(|s| s.edits.len()), Some(1));
    assert_eq!(on(&m, "OTH103", "templated").fix(), Fix::None);
    assert!(of(&m, &vm(), "OTH103").iter().all(|f| f.module.as_deref() != Some("once")), "never is implemented");
}

// --- OTH104 --------------------------------------------------------------------------------------

/// The edgeAgent and edgeHub images after `--accept auto` for `device`.
fn images(m: &Manifest, device: &DeviceProfile) -> (Value, Value) {
    let out = migrate_with(m, device, Policy::Auto);
    let image = |name: &str| out.doc.pointer(&format!("{AGENT}/systemModules/{name}/settings/image")).cloned().unwrap();
    (image("edgeAgent"), image("edgeHub"))
}

#[test]
fn oth104_system_images_follow_the_chosen_release() {
    let m = load("OTH104");
    assert_eq!(
        images(&m, &vm()),
        (json!("mcr.microsoft.com/azureiotedge-agent:1.6"), json!("${REGISTRY}/azureiotedge-hub:1.6"))
    );
    let v15 = DeviceProfile { iotedge_version: IotEdgeVersion::V1_5, ..vm() };
    assert_eq!(
        images(&m, &v15),
        (json!("mcr.microsoft.com/azureiotedge-agent:1.5"), json!("${REGISTRY}/azureiotedge-hub:1.5"))
    );
    let hub = on(&m, "OTH104", "edgeHub");
    assert!(hub.message.contains("`${REGISTRY}` must hold it"), "{}", hub.message);
    assert!(of(&reload(&m, &migrate_with(&m, &vm(), Policy::Auto)), &vm(), "OTH104").is_empty());
}

#[test_case("mcr.microsoft.com/azureiotedge-agent:1.6.1", None ; "a patch release")]
#[test_case("mcr.microsoft.com/azureiotedge-agent:1.6-linux-amd64", None ; "an architecture tag")]
#[test_case("mcr.microsoft.com/azureiotedge-agent", Some((Severity::Error, Fix::Safe)) ; "no tag")]
#[test_case("mcr.microsoft.com/azureiotedge-agent:1.5.44", Some((Severity::Error, Fix::Safe)) ; "the other release")]
#[test_case("$upstream:443/azureiotedge-agent:1.2.0", Some((Severity::Error, Fix::Safe)) ; "a nested parent")]
#[test_case("mcr.microsoft.com/azureiotedge-agent:${EDGE_VERSION}", Some((Severity::Info, Fix::None)) ; "a placeholder tag")]
#[test_case("${EDGE_AGENT_IMAGE}", Some((Severity::Info, Fix::None)) ; "a placeholder image")]
#[test_case("contoso.azurecr.io/custom-agent:2.0", Some((Severity::Warning, Fix::Manual)) ; "another image")]
#[test_case("mcr.microsoft.com/azureiotedge-agent@sha256:0123", Some((Severity::Warning, Fix::Manual)) ; "a digest")]
fn oth104_agent_images(image: &str, expected: Option<(Severity, Fix)>) {
    let m = with("OTH104", &[(&format!("{AGENT}/systemModules/edgeAgent/settings/image"), json!(image))]);
    let found: Vec<(Severity, Fix)> = of(&m, &vm(), "OTH104")
        .iter()
        .filter(|f| f.module.as_deref() == Some("edgeAgent"))
        .map(|f| (f.severity, f.fix()))
        .collect();
    assert_eq!(found, expected.into_iter().collect::<Vec<_>>());
    if expected.is_some_and(|e| e.1 == Fix::Safe) {
        let (agent, _) = images(&m, &vm());
        let prefix = image.rsplit_once('/').map_or("", |(p, _)| p);
        assert_eq!(agent, json!(format!("{prefix}/azureiotedge-agent:1.6")), "the registry is kept");
    }
}

// --- OTH105, OTH106 ------------------------------------------------------------------------------

#[test]
fn oth105_reports_only_different_values_under_the_same_name() {
    let m = load("OTH105");
    let found = of(&m, &vm(), "OTH105");
    let names: Vec<&str> = found.iter().map(|f| f.message.split('`').nth(1).unwrap()).collect();
    assert_eq!(
        names,
        ["LOG_LEVEL", "FLAG", "https_proxy"],
        "SAME agrees, log_level is another name, ONLY_HERE is alone"
    );
    assert!(found.iter().all(|f| f.fix() == Fix::None && f.location.to_string().contains("/Env/")));
    assert!(found.iter().all(|f| !f.message.contains("secret")), "credentials stay out of messages");
    assert!(of(&m, &DeviceProfile::default(), "OTH105").is_empty(), "VM only");
}

#[test]
fn oth106_old_tls_and_leaf_devices() {
    let m = load("OTH106");
    let found = of(&m, &vm(), "OTH106");
    assert_eq!(found.len(), 2, "SslProtocols, and one finding for two leaf routes: {found:#?}");
    assert!(found[0].message.contains("`tls1.0`, `Tls11`") && !found[0].message.contains("`tls1.2`"));
    let leaf = &found[1];
    assert!(leaf.location.to_string().ends_with("/routes/leaf"), "{}", leaf.location);
    let step = leaf.step.as_ref().expect("a checklist step");
    assert!(step.detail.contains("GatewayHostName") && !step.inferred);
    let modern = with(
        "OTH106",
        &[(
            "/modulesContent/$edgeAgent/properties.desired/systemModules/edgeHub/env/SslProtocols/value",
            json!("tls1.2,tls1.3"),
        )],
    );
    assert_eq!(of(&modern, &vm(), "OTH106").len(), 1, "TLS 1.2 and 1.3 are fine");
}

// --- OTH107, OTH108: the checklist ---------------------------------------------------------------

#[test]
fn oth107_and_oth108_give_the_checklist_once_with_what_is_inferred() {
    let m = load("OTH108");
    let steps: Vec<(String, bool)> = analyse(&m, &vm())
        .into_iter()
        .filter(|f| f.rule == "OTH107" || f.rule == "OTH108")
        .map(|f| {
            let s = f.step.expect("every finding is a checklist step");
            (s.action, s.inferred)
        })
        .collect();
    let inferred: Vec<bool> = steps.iter().map(|s| s.1).collect();
    // The identity consequence and the hand-installed driver are inferred; the VM to create and the
    // IoT Edge release are documented.
    assert_eq!(inferred, [true, false, true, false], "{steps:#?}");
    assert!(steps[1].0.contains("Standard_NC4as_T4_v3") && steps[1].0.contains("Gen1"), "{}", steps[1].0);
    assert!(steps[3].0.contains("IoT Edge 1.6"));
    let mut actions: Vec<&String> = steps.iter().map(|s| &s.0).collect();
    actions.dedup();
    assert_eq!(actions.len(), 4, "one action per step");
}

#[test_case(GpuModel::T4, 1, "Standard_NC4as_T4_v3", "remove the managed IoT Edge role before" ; "one T4")]
#[test_case(GpuModel::T4, 2, "Standard_NC32as_2T4_v1", "takes both GPUs" ; "two T4")]
#[test_case(GpuModel::A2, 1, "Standard_NC4as_A2", "on a two-GPU device create the VM first" ; "one A2")]
#[test_case(GpuModel::A2, 2, "Standard_NC32as_2A2_v1", "takes both GPUs" ; "two A2")]
#[test_case(GpuModel::T4, 3, "Standard_NC32as_2T4_v1", "no Azure Stack Edge VM size has 3 GPUs" ; "three")]
#[test_case(GpuModel::T4, 0, "no GPU size needed", "any VM size" ; "none")]
fn oth108_the_vm_size_fits_the_gpus(model: GpuModel, gpus: u32, size: &str, detail: &str) {
    let device = DeviceProfile { gpu_model: model, gpus, ..vm() };
    let found = of(&load("OTH108"), &device, "OTH108");
    let step = found[0].step.as_ref().unwrap();
    assert!(step.action.contains(size), "{}", step.action);
    assert!(step.detail.contains(detail), "{}", step.detail);
}

#[test]
fn oth108_names_the_chosen_release_and_its_end_of_support() {
    let v15 = DeviceProfile { iotedge_version: IotEdgeVersion::V1_5, ..vm() };
    let found = of(&load("OTH108"), &v15, "OTH108");
    let release = found[2].step.as_ref().unwrap();
    assert!(release.action.contains("IoT Edge 1.5"), "{}", release.action);
    assert!(release.detail.contains("2026-11-10") && release.detail.contains("plan the move to 1.6"));
    assert_eq!(of(&load("OTH107"), &vm(), "OTH107").len(), 1, "once per manifest");
}

// --- PRX101, PRX102 -------------------------------------------------------------------------------

#[test]
fn prx101_one_checklist_step_without_credentials() {
    let m = load("PRX101");
    let found = of(&m, &vm(), "PRX101");
    assert_eq!(found.len(), 1, "once for the deployment");
    let f = &found[0];
    assert!(f.module.is_none() && f.message.contains("edgeAgent, edgeHub, uploader"), "{}", f.message);
    let step = f.step.as_ref().unwrap();
    for needed in ["aziot-edged", "aziot-identityd", "[agent.env]", "iotedge config apply", "NTLM", "trust_bundle_cert"]
    {
        assert!(step.detail.contains(needed), "{needed}: {}", step.detail);
    }
    assert!(!f.message.contains("p4ss") && !step.detail.contains("p4ss"), "reports get shared");
    assert!(step.detail.contains("hidden"));
    assert!(of(&load("OTH107"), &vm(), "PRX101").is_empty(), "no proxy, no step");
}

#[test]
fn prx102_copies_the_proxy_to_the_other_runtime_module() {
    let m = load("PRX102");
    let agent = on(&m, "PRX102", "edgeAgent");
    assert_eq!((agent.severity, agent.fix()), (Severity::Warning, Fix::Safe));
    let out = migrate_with(&m, &vm(), Policy::Auto);
    let env = |module: &str| out.doc.pointer(&format!("{AGENT}/systemModules/{module}/env")).cloned().unwrap();
    assert_eq!(
        env("edgeAgent"),
        json!({"https_proxy": {"value": "http://proxy.contoso.com:3128"}, "UpstreamProtocol": {"value": "AmqpWs"}})
    );
    let again = reload(&m, &out);
    for id in ["PRX102", "PRX002"] {
        assert!(of(&again, &vm(), id).is_empty(), "{id} has nothing left to say");
    }
}

#[test]
fn prx102_the_reverse_and_an_empty_proxy() {
    // edgeAgent has the proxy; edgeHub has an empty one in createOptions, which would win.
    let m = with(
        "PRX102",
        &[
            (
                "/modulesContent/$edgeAgent/properties.desired/systemModules/edgeAgent/env",
                json!({"HTTPS_PROXY": {"value": "http://proxy:3128"}}),
            ),
            (
                "/modulesContent/$edgeAgent/properties.desired/systemModules/edgeHub/env",
                json!({"http_proxy": {"value": "http://proxy:3128"}}),
            ),
            (
                "/modulesContent/$edgeAgent/properties.desired/systemModules/edgeHub/settings/createOptions",
                json!("{\"Env\":[\"HTTPS_PROXY=\"]}"),
            ),
        ],
    );
    let hub = on(&m, "PRX102", "edgeHub");
    assert!(hub.message.contains("edgeAgent reaches IoT Hub through `HTTPS_PROXY"), "{}", hub.message);
    let out = migrate(&m, &vm(), &[hub], |_| Some(Decision::Accept));
    let again = reload(&m, &out);
    let hub = again.module("edgeHub").unwrap();
    assert_eq!(hub.env_value("HTTPS_PROXY"), Some("http://proxy:3128"));
    assert!(hub.env_entries().is_empty(), "the empty entry, which would win, is gone");
    assert_eq!(hub.env_value("UpstreamProtocol"), None, "edgeAgent has none to copy");
    assert!(of(&again, &vm(), "PRX102").is_empty());
}

// --- The end state of a migration to the VM ------------------------------------------------------

/// What `--target vm --accept all` makes of a manifest, for the parts these rules own: modules
/// under their own names, system images at the chosen release, schema 1.1, and no
/// `k8s-experimental` but the resources RES101/RES104 move (none once they are in the catalogue);
/// re-migrating the output proposes no safe fix.
fn end_state(file: &str, device: &DeviceProfile) -> Manifest {
    let m = load(file);
    let out = migrate_with(&m, device, Policy::All);
    assert!(out.renamed.is_empty(), "{:?}", out.renamed);
    let again = reload(&m, &out);
    let names = |m: &Manifest| m.modules.iter().map(|x| x.name.clone()).collect::<Vec<_>>();
    assert_eq!(names(&again), names(&m), "modules keep their names");
    let release = device.iotedge_version.name();
    for (name, image) in [("edgeAgent", "azureiotedge-agent"), ("edgeHub", "azureiotedge-hub")] {
        let got = again.module(name).and_then(|x| x.settings.image.as_ref()).and_then(|i| i.text().map(str::to_owned));
        assert_eq!(got, Some(format!("mcr.microsoft.com/{image}:{release}")));
    }
    for at in [AGENT, HUB] {
        assert_eq!(out.doc.pointer(&format!("{at}/schemaVersion")), Some(&json!("1.1")));
    }
    let moved_by_resource_rules = rule("RES101").is_some() && rule("RES104").is_some();
    for module in &again.modules {
        let Some(c) = module.container() else { continue };
        assert!(c.k8s_lookalikes.is_empty(), "{}", module.name);
        let Some(section) = c.k8s.as_ref() else { continue };
        assert!(!moved_by_resource_rules, "{}: {}", module.name, section.value);
        // Until RES101/RES104 are merged, only the resources they will move remain.
        let resources = section.value.as_object().map(|o| o.keys().cloned().collect::<Vec<_>>());
        assert_eq!(resources, Some(vec!["resources".to_owned()]), "{}: {}", module.name, section.value);
        for part in section.value["resources"].as_object().unwrap().values() {
            for name in part.as_object().unwrap().keys() {
                let held = ["memory", "cpu", "nvidia.com/gpu", "microsoft.com/fpga_catapult"];
                assert!(held.contains(&name.as_str()), "{}: {name}", module.name);
            }
        }
    }
    let safe: Vec<String> = analyse(&again, device)
        .into_iter()
        .filter(|f| f.fix() == Fix::Safe)
        .map(|f| format!("{} {:?}: {}", f.rule, f.module, f.message))
        .collect();
    assert!(safe.is_empty(), "re-migrating proposes safe fixes: {safe:#?}");
    again
}

#[test]
fn an_fpga_manifest_migrated_to_the_vm() {
    let again = end_state("vm/oth-seed-fpga.json", &vm());
    assert!(again.module("camera_capture").is_some() && again.module("ImageProcessor").is_some());
    let v15 = DeviceProfile { iotedge_version: IotEdgeVersion::V1_5, ..vm() };
    end_state("vm/oth-seed-fpga.json", &v15);
}

#[test]
fn a_managed_kubernetes_manifest_migrated_to_the_vm() {
    let again = end_state("vm/oth-managed-k8s-gpu.json", &vm());
    // The strategy, node selector and service options went; the uploader had nothing else.
    let uploader = again.module("uploader").unwrap().container().unwrap();
    assert!(uploader.k8s.is_none());
    let inference = again.module("gpu-inference").unwrap().container().unwrap();
    if rule("RES104").is_none() {
        let limits = &inference.k8s.as_ref().unwrap().value["resources"]["limits"];
        assert_eq!(limits["nvidia.com/gpu"], json!(1), "the GPU limit waits for RES104, never lost");
    }
}
