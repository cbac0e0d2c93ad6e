//! The "other" traps users reported (TRAPS.md NEW-7, 13, 15–21 and the OTH010 amendment): a
//! snapshot of each rule on its fixture, then what a snapshot cannot say: the checklist steps, the
//! device's software release, decisions checked by the rule they fix, what the agents do with the
//! fixed manifest, and the rules' quiet on the real corpus.

mod common;
use common::*;
use fpga2gpu::device::DeviceProfile;
use fpga2gpu::manifest::Manifest;
use fpga2gpu::migrate::{Decision, Policy, check_decision, migrate};
use fpga2gpu::rules::{Finding, Fix, Severity, analyse};
use serde_json::json;
use std::collections::BTreeMap;
use test_case::test_case;

#[test_case("OTH012")]
#[test_case("OTH013")]
#[test_case("OTH014")]
#[test_case("OTH015")]
#[test_case("OTH016")]
#[test_case("OTH017")]
#[test_case("OTH018")]
#[test_case("OTH019")]
#[test_case("OTH020")]
fn rule(id: &str) {
    insta::assert_snapshot!(id, rule_snapshot_text(id, None));
}

fn of(m: &Manifest, device: &DeviceProfile, rule: &str) -> Vec<Finding> {
    analyse(m, device).into_iter().filter(|f| f.rule == rule).collect()
}

fn on<'a>(found: &'a [Finding], module: &str) -> Vec<&'a Finding> {
    found.iter().filter(|f| f.module.as_deref() == Some(module)).collect()
}

#[test]
fn oth012_every_trigger_topic_becomes_one_checklist_step() {
    let m = load("OTH012");
    let found = findings(&m, "OTH012");
    assert_eq!(found.len(), 3, "fileEvents, nightly, templated; not `$body.topic`, not the plain route: {found:#?}");
    let mut actions: Vec<&str> = found.iter().filter_map(|f| f.step.as_ref()).map(|s| s.action.as_str()).collect();
    actions.sort();
    assert_eq!(
        actions,
        [
            "Re-create trigger `$TRIGGER_TOPIC` (and its input share) on the GPU resource under IoT Edge > Triggers",
            "Re-create trigger `nightly` (and its input share) on the GPU resource under IoT Edge > Triggers",
            "Re-create trigger `uploads` (and its input share) on the GPU resource under IoT Edge > Triggers",
        ]
    );
    assert!(
        found.iter().filter_map(|f| f.step.as_ref()).all(|s| s.inferred),
        "the migration guide does not list triggers"
    );
    let nightly = found.iter().find(|f| f.location.to_string().contains("/nightly/")).unwrap();
    assert!(nightly.message.contains("`nightly` and `uploads`"), "the route's message names both");
    let templated = found.iter().find(|f| f.message.contains("$TRIGGER_TOPIC")).unwrap();
    assert!(templated.message.contains("filled in at deploy time"));
    assert!(found.iter().all(|f| f.suggestion.is_none() && f.severity == Severity::Warning));
}

/// A manifest whose images come from the device's Edge container registry, with or without
/// credentials, and from a registry with a port.
fn old_device_manifest(with_credentials: bool) -> Manifest {
    let creds = if with_credentials {
        json!({
            "ecr": {"username": "ecruser", "password": "$ECR_PASSWORD", "address": "ecr.dbe-1.microsoftdatabox.com:31001"},
            "lab": {"username": "lab", "password": "$LAB_PASSWORD", "address": "registry.lab:5000"},
            "spare": {"username": "spare", "password": "$SPARE_PASSWORD", "address": "spare.lab:5000"}
        })
    } else {
        json!({})
    };
    let text = json!({"modulesContent": {
        "$edgeAgent": {"properties.desired": {
            "runtime": {"type": "docker", "settings": {"registryCredentials": creds}},
            "modules": {
                "local": {"settings": {"image": "ecr.dbe-1.microsoftdatabox.com:31001/local:1.0", "createOptions": ""}},
                "lab": {"settings": {"image": "registry.lab:5000/lab:1.0", "createOptions": ""}}
            }
        }},
        "$edgeHub": {"properties.desired": {"routes": {}}}
    }});
    parse(&text.to_string())
}

#[test]
fn oth013_registry_ports_matter_only_before_release_2103() {
    let at =
        |release: Option<&str>| DeviceProfile { ase_version: release.map(str::to_owned), ..DeviceProfile::default() };
    for m in [old_device_manifest(true), old_device_manifest(false)] {
        assert!(of(&m, &at(None), "OTH013").is_empty(), "a current release takes ports");
        assert!(of(&m, &at(Some("2103")), "OTH013").is_empty(), "fixed in 2103");
    }
    let old = at(Some("2101"));
    let with = of(&old_device_manifest(true), &old, "OTH013");
    let by_name = |name: &str| with.iter().find(|f| f.location.to_string().contains(&format!("/{name}/"))).unwrap();
    let ecr = by_name("ecr");
    assert_eq!((ecr.severity, ecr.fix()), (Severity::Error, Fix::Manual), "release notes 2101, issue 4");
    assert!(ecr.message.contains("`local`") && ecr.message.contains("2101"), "{}", ecr.message);
    let lab = by_name("lab");
    assert_eq!(lab.severity, Severity::Warning, "inferred: the agent version of 2103");
    assert!(lab.message.contains("`5000`") && lab.message.contains("`lab`"), "{}", lab.message);
    assert_eq!(with.len(), 2, "`spare` pulls no image, so no pull secret is made: {with:#?}");
    let without = of(&old_device_manifest(false), &old, "OTH013");
    assert_eq!(without.len(), 1, "{without:#?}");
    assert_eq!(without[0].module.as_deref(), Some("local"), "the Edge container registry, reported at the image");
    assert_eq!(without[0].severity, Severity::Error);
}

#[test]
fn oth013_a_stripped_address_is_what_the_agents_match() {
    let m = load("OTH013");
    let out = accept(&m, "OTH013");
    let again = reload(&m, &out);
    let addresses: BTreeMap<String, String> =
        again.registry_credentials().into_iter().map(|c| (c.name, c.address.unwrap().shown())).collect();
    assert_eq!(addresses["myacr"], "myacr.azurecr.io", "scheme and path stripped");
    assert_eq!(addresses["cache"], "cache.example.com", "the images' registry (a reviewed change)");
    assert_eq!(addresses["hub"], "https://index.docker.io/v1/", "Docker Hub's own address is kept");
    assert_eq!(addresses["templated"], "$CONTAINER_REGISTRY_ADDRESS", "placeholders are never touched");
    let left = findings(&again, "OTH013");
    assert_eq!(left.len(), 1, "only the localhost image, which no manifest change fixes: {left:#?}");
    assert_eq!(left[0].module.as_deref(), Some("devbuild"));
    // Only the stripped scheme is safe.
    let safe: Vec<String> =
        findings(&m, "OTH013").into_iter().filter(|f| f.fix() == Fix::Safe).map(|f| f.location.to_string()).collect();
    assert_eq!(safe.len(), 1);
    assert!(safe[0].ends_with("/registryCredentials/myacr/address"), "{safe:?}");
}

#[test]
fn oth014_only_labels_the_node_cannot_have_are_removed() {
    let m = load("OTH014");
    let found = findings(&m, "OTH014");
    let at = |module: &str| on(&found, module).iter().map(|f| (f.location.to_string(), f.fix())).collect::<Vec<_>>();
    let fpga = at("fpgajob");
    assert_eq!(fpga.len(), 1);
    assert!(fpga[0].0.ends_with("/nodeSelector/accelerator") && fpga[0].1 == Fix::Safe, "{fpga:?}");
    assert_eq!(at("jetson").iter().map(|x| x.1).collect::<Vec<_>>(), [Fix::NeedsReview], "another platform");
    assert!(at("pinned").is_empty(), "hostname and amd64 are the node's");
    let templated = on(&found, "templated");
    assert_eq!(templated.len(), 2);
    assert!(templated.iter().any(|f| f.severity == Severity::Info && f.message.contains("`${OS}`")));
    assert!(templated.iter().any(|f| f.fix() == Fix::NeedsReview && f.message.contains("`pool")));
    let out = accept(&m, "OTH014");
    assert_eq!(
        create_options(&m, &out, "fpgajob"),
        json!({"k8s-experimental": {"nodeSelector": {"kubernetes.io/os": "linux"}}})
    );
    assert_eq!(create_options(&m, &out, "jetson"), json!({}), "emptied sections go");
}

#[test]
fn oth015_reports_modules_that_waited_for_others() {
    let m = load("OTH015");
    let found = findings(&m, "OTH015");
    let reported: Vec<&str> = found.iter().filter_map(|f| f.module.as_deref()).collect();
    assert_eq!(
        reported,
        ["broker", "db", "pipeline", "also3", "templated"],
        "edgeHub (0) started first; `loose` has none"
    );
    let pipeline = found.iter().find(|f| f.module.as_deref() == Some("pipeline")).unwrap();
    assert!(
        pipeline.message.contains("`edgeHub` (0), `broker` (1) and `db` (2)") && !pipeline.message.contains("also3"),
        "{}",
        pipeline.message
    );
    assert!(found.iter().all(|f| f.severity == Severity::Info && f.fix() == Fix::None));
}

#[test]
fn hostname_user_and_capabilities_are_reported_once() {
    // OTH006 used to report these keys as "ignored"; OTH016 and OTH018 say what replaces them.
    let mut manifests: Vec<(String, Manifest)> =
        ["OTH006", "OTH016", "OTH018"].iter().map(|id| (id.to_string(), load(id))).collect();
    manifests.extend(corpus());
    let mut seen = 0;
    for (name, m) in &manifests {
        let all = all(m);
        seen += all.iter().filter(|f| matches!(f.rule, "OTH016" | "OTH018")).count();
        for f in all.iter().filter(|f| f.rule == "OTH006") {
            let key = f.location.to_string().rsplit('/').next().unwrap_or_default().to_ascii_lowercase();
            assert!(!["hostname", "user", "capadd", "capdrop", "sysctls"].contains(&key.as_str()), "{name}: {f:#?}");
        }
    }
    assert!(seen > 10, "the fixtures and the corpus have such keys: {seen}");
}

#[test]
fn oth017_the_fixed_module_gets_the_value_it_had_on_docker() {
    let m = load("OTH017");
    let found = findings(&m, "OTH017");
    assert_eq!(
        found.len(),
        3,
        "LOG_LEVEL, CONN and Logging:LogLevel:Default; PORT is the same, MODE another name: {found:#?}"
    );
    let conn = on(&found, "templated");
    assert_eq!(conn[0].fix(), Fix::NeedsReview, "the entry holds `$DB_CONN`");
    let out = migrate_rule(&m, "OTH017", Decision::Accept);
    let again = reload(&m, &out);
    // What each agent sets: Docker drops createOptions entries that `env` sets; Kubernetes keeps
    // the last of the two lists (`env`, then createOptions `Env`).
    for module in ["logger", "templated"] {
        let x = again.module(module).unwrap();
        for v in &x.env {
            let k8s_last = x
                .env_entries()
                .iter()
                .filter_map(|e| e.split())
                .rfind(|(n, _)| *n == v.name)
                .map(|(_, val)| val.unwrap_or_default().to_owned());
            let docker = v.value.clone().unwrap_or_default();
            assert_eq!(k8s_last.unwrap_or_else(|| docker.clone()), docker, "{module} {}", v.name);
        }
    }
    assert!(findings(&again, "OTH017").is_empty());
}

#[test]
fn oth017_and_oth004_agree_on_a_name_with_colons() {
    // OTH004 writes `:` as `__` in both places; OTH017 must find the pair before and after that.
    let m = load("OTH017");
    let out = migrate(&m, &DeviceProfile::default(), &all(&m), |f| {
        (matches!(f.rule, "OTH004" | "OTH017") && f.module.as_deref() == Some("dotnet"))
            .then(|| Policy::All.decide(f))
            .flatten()
    });
    assert!(out.warnings.is_empty() && out.failed().next().is_none(), "{:?}", out.warnings);
    let again = reload(&m, &out);
    let dotnet = again.module("dotnet").unwrap();
    assert_eq!(dotnet.env_value("Logging__LogLevel__Default"), Some("Warning"), "the value Docker used");
    assert!(dotnet.env_entries().is_empty(), "the createOptions duplicate is gone");
    let left: Vec<Finding> = all(&again).into_iter().filter(|f| f.module.as_deref() == Some("dotnet")).collect();
    assert!(left.iter().all(|f| !matches!(f.rule, "OTH004" | "OTH017")), "{left:#?}");
}

#[test]
fn oth018_suggestions_by_key() {
    let m = load("OTH018");
    let found = findings(&m, "OTH018");
    let fix_of = |module: &str, key: &str| {
        let f = found
            .iter()
            .find(|f| f.module.as_deref() == Some(module) && f.location.to_string().to_lowercase().ends_with(key))
            .unwrap_or_else(|| panic!("{module} {key}: {found:#?}"));
        (f.severity, f.fix())
    };
    assert_eq!(fix_of("writer", "/user"), (Severity::Warning, Fix::NeedsReview), "pod-level: the side-car too");
    assert_eq!(fix_of("rooted", "/user"), (Severity::Warning, Fix::NeedsReview), "root is uid 0");
    assert_eq!(fix_of("named", "/user"), (Severity::Warning, Fix::Manual), "a name cannot be mapped");
    assert_eq!(fix_of("tuned", "/net.ipv4.tcp_syncookies"), (Severity::Warning, Fix::Safe));
    assert_eq!(fix_of("tuned", "/net.core.somaxconn"), (Severity::Warning, Fix::Manual), "not a safe sysctl");
    assert_eq!(fix_of("netadmin", "/capadd"), (Severity::Warning, Fix::DisplayOnly), "only Privileged, by hand");
    assert_eq!(fix_of("netadmin", "/capdrop"), (Severity::Warning, Fix::NeedsReview));
    assert_eq!(fix_of("privileged", "/capadd"), (Severity::Info, Fix::Safe), "Privileged has every capability");
    assert!(on(&found, "placed").is_empty(), "runAsUser is set already");
    let writer = found.iter().find(|f| f.module.as_deref() == Some("writer")).unwrap();
    assert!(writer.message.contains("side-car"), "{}", writer.message);
    // `--accept all` takes the reviewed ones, never Privileged.
    let capadd = found.iter().find(|f| f.location.to_string().ends_with("/CapAdd")).unwrap();
    assert_eq!(Policy::All.decide(capadd), None);
    let out = migrate(&m, &DeviceProfile::default(), &all(&m), |f| {
        (f.rule == "OTH018").then(|| Policy::All.decide(f)).flatten()
    });
    assert_eq!(
        create_options(&m, &out, "writer"),
        json!({"HostConfig": {"Binds": ["/data:/data"]}, "k8s-experimental": {"securityContext": {"runAsUser": 1000, "runAsGroup": 1000}}})
    );
    assert_eq!(
        create_options(&m, &out, "tuned"),
        json!({"HostConfig": {"Sysctls": {"net.core.somaxconn": "1024"}}, "k8s-experimental": {"securityContext": {"sysctls": [{"name": "net.ipv4.tcp_syncookies", "value": "1"}]}}})
    );
    assert_eq!(create_options(&m, &out, "netadmin"), json!({"HostConfig": {"CapAdd": ["NET_ADMIN"]}}));
    // Accepted explicitly, CapAdd becomes Privileged, spelled as the module spells its keys.
    let out = migrate(&m, &DeviceProfile::default(), &all(&m), |f| {
        (f.rule == "OTH018" && f.module.as_deref() == Some("netadmin")).then_some(Decision::Accept)
    });
    assert_eq!(create_options(&m, &out, "netadmin"), json!({"HostConfig": {"Privileged": true}}));
}

#[test]
fn oth018_keeps_the_agents_non_root_default() {
    // With the agent's RunAsNonRoot, a pod without a security context runs as uid 1000; any
    // security context replaces that default, so a moved sysctl brings it along.
    let device = DeviceProfile { run_as_non_root: true, ..DeviceProfile::default() };
    let m = load("OTH018");
    let all = analyse(&m, &device);
    let out = migrate(&m, &device, &all, |f| {
        (f.rule == "OTH018" && matches!(f.module.as_deref(), Some("tuned" | "rooted"))).then_some(Decision::Accept)
    });
    let again = reload(&m, &out);
    let context = |module: &str| {
        let settings = again.get(&again.module(module).unwrap().at.child("settings"));
        let co = fpga2gpu::manifest::decode_create_options(settings).value.unwrap();
        co["k8s-experimental"]["securityContext"].clone()
    };
    assert_eq!(
        context("tuned"),
        json!({"sysctls": [{"name": "net.ipv4.tcp_syncookies", "value": "1"}], "runAsNonRoot": true, "runAsUser": 1000})
    );
    assert_eq!(context("rooted"), json!({"runAsUser": 0}), "root asked for root: no non-root default");

    // A module with both: the user its `User` asks for, never the default's 1000 or runAsNonRoot.
    for (user, expected) in
        [("root", json!({"runAsUser": 0})), ("2000", json!({"runAsUser": 2000, "runAsNonRoot": true}))]
    {
        let co = json!({"User": user, "HostConfig": {"Sysctls": {"kernel.shm_rmid_forced": "1"}}});
        let text = json!({"modulesContent": {
            "$edgeAgent": {"properties.desired": {"modules": {"both": {"settings": {"image": "a.io/b:1", "createOptions": co.to_string()}}}}},
            "$edgeHub": {"properties.desired": {"routes": {}}}
        }});
        let m = parse(&text.to_string());
        let all = analyse(&m, &device);
        assert_eq!(all.iter().filter(|f| f.rule == "OTH018").count(), 2);
        let out = migrate(&m, &device, &all, |f| (f.rule == "OTH018").then_some(Decision::Accept));
        assert!(out.warnings.is_empty() && out.failed().next().is_none(), "{:?}", out.warnings);
        let co = create_options(&m, &out, "both");
        let mut context = co["k8s-experimental"]["securityContext"].clone();
        context.as_object_mut().unwrap().remove("sysctls");
        assert_eq!(context, expected, "{user}");
        assert!(co.get("User").is_none() && co.get("HostConfig").is_none(), "{co}");
    }
}

#[test]
fn oth019_a_typed_version_is_checked_by_the_rule() {
    let m = load("OTH019");
    let found = findings(&m, "OTH019");
    assert_eq!(found.len(), 3, "image, schema, mqttBroker: {found:#?}");
    let device = DeviceProfile::default();
    let check = |f: &Finding, v: &str| {
        check_decision(&m, &device, &|m, d| analyse(m, d), f, &Decision::Value { value: json!(v) })
    };
    let image = found.iter().find(|f| f.module.as_deref() == Some("edgeHub")).unwrap();
    assert_eq!(image.suggestion.as_ref().unwrap().fragment(), Some(json!("mcr.microsoft.com/azureiotedge-hub:1.1")));
    assert!(check(image, "mcr.microsoft.com/azureiotedge-hub:1.2").is_err());
    check(image, "mcr.microsoft.com/azureiotedge-hub:1.0").expect("1.0 is what the device lists");
    let schema = found.iter().find(|f| f.location.to_string().ends_with("/schemaVersion")).unwrap();
    assert!(check(schema, "1.2").is_err());
    check(schema, "1.0").expect("an older schema");
    let broker = found.iter().find(|f| f.location.to_string().ends_with("/mqttBroker")).unwrap();
    assert_eq!(broker.fix(), Fix::NeedsReview);
    // The placeholders of a template are reported as filled in at deploy time, never replaced.
    let text = serde_json::to_string(&m.doc)
        .unwrap()
        .replace("azureiotedge-hub:1.4", "azureiotedge-hub:${EDGE_RUNTIME_VERSION}")
        .replace("\"1.2\"", "\"${EDGEHUB_SCHEMA_VERSION}\"");
    let templated = findings(&parse(&text), "OTH019");
    let infos: Vec<&Finding> = templated.iter().filter(|f| f.severity == Severity::Info).collect();
    assert_eq!(infos.len(), 2, "{templated:#?}");
    assert!(infos.iter().all(|f| f.suggestion.is_none() && f.message.contains("filled in at deploy time")));
}

#[test]
fn oth020_an_edge_hub_metrics_binding_leaves_only_edge_agent() {
    let m = load("OTH020");
    let found = findings(&m, "OTH020");
    assert_eq!(
        found.iter().filter_map(|f| f.module.as_deref()).collect::<Vec<_>>(),
        ["metricsCollector", "defaults"],
        "`lvaEdge:9600` and a placeholder are not edgeAgent's or edgeHub's"
    );
    assert!(found.iter().all(|f| f.message.contains("edgeAgent:9600") && f.message.contains("edgeHub:9600")));
    // With edgeHub serving 9600, only edgeAgent is left to say.
    let text = serde_json::to_string(&m.doc).unwrap().replace(
        r#"\"443/tcp\":[{\"HostPort\":\"443\"}]"#,
        r#"\"443/tcp\":[{\"HostPort\":\"443\"}],\"9600/tcp\":[{\"HostPort\":\"9600\"}]"#,
    );
    assert_ne!(text, serde_json::to_string(&m.doc).unwrap());
    let bound = findings(&parse(&text), "OTH020");
    assert_eq!(bound.len(), 2);
    assert!(bound.iter().all(|f| f.message.contains("edgeAgent:9600") && !f.message.contains("edgeHub:9600")));
}

#[test]
fn oth010_a_module_meant_to_exit_is_a_warning() {
    let m = load("OTH010");
    let restart = |module: &str| {
        findings(&m, "OTH010")
            .into_iter()
            .find(|f| f.module.as_deref() == Some(module) && f.location.to_string().ends_with("/restartPolicy"))
            .map(|f| (f.severity, f.message))
    };
    for module in ["job", "daily"] {
        let (severity, message) = restart(module).unwrap();
        assert_eq!(severity, Severity::Warning, "{module}");
        assert!(message.contains("forever"), "{message}");
    }
    assert_eq!(restart("templated").map(|r| r.0), Some(Severity::Info), "a placeholder is not judged");
    assert_eq!(restart("svc"), None);
}

/// The loadable manifests of the real corpus.
fn corpus() -> Vec<(String, Manifest)> {
    corpus_manifests("the corpus part of the traps tests")
}

#[test]
fn the_corpus_has_no_trigger_routes_node_selectors_or_conflicting_env() {
    // Checked by reading every corpus manifest: no route tests `topic`, no module has a
    // nodeSelector, and no variable is set in both places with two values.
    let corpus = corpus();
    if corpus.is_empty() {
        return;
    }
    for (name, m) in &corpus {
        for id in ["OTH012", "OTH014", "OTH017"] {
            assert!(findings(m, id).is_empty(), "{name}: {id}");
        }
    }
}
