//! The "other differences" rules of the guide (OTH…), one test each, on a small manifest in
//! tests/fixtures/rules.

mod common;
use common::*;
use fpga2gpu::manifest::Manifest;
use fpga2gpu::migrate::{Decision, Outcome, migrate};
use fpga2gpu::rules::{Edit, Finding, FixKind, Section, Severity, analyse};
use serde_json::{Value, json};

const MODULES: &str = "/modulesContent/$edgeAgent/properties.desired/modules";

/// The finding of `rule` on `module`, which must be the only one there.
fn on<'a>(found: &'a [Finding], module: &str) -> &'a Finding {
    let here: Vec<&Finding> = found.iter().filter(|f| f.module.as_deref() == Some(module)).collect();
    assert_eq!(here.len(), 1, "one finding on {module}: {here:#?}");
    here[0]
}

/// A module's object in a migrated document.
fn module_json<'a>(out: &'a Outcome, name: &str) -> &'a Value {
    out.doc.pointer(&format!("{MODULES}/{name}")).unwrap_or_else(|| panic!("module {name} in output"))
}

fn keys(v: &Value) -> Vec<&str> {
    v.as_object().map(|o| o.keys().map(String::as_str).collect()).unwrap_or_default()
}

#[test]
fn oth001_module_holding_gpu_port_or_volume_gets_recreate_strategy() {
    let m = load("OTH001");
    let found = findings(&m, "OTH001");
    assert!(found.iter().all(|f| (f.severity, f.section, f.fix) == (Severity::Warning, Section::Other, FixKind::Auto)));
    let gpu = on(&found, "detector");
    assert!(gpu.path.ends_with("/detector/settings/createOptions/k8s-experimental/strategy"), "{}", gpu.path);
    assert!(gpu.message.contains("`nvidia.com/gpu`"), "{}", gpu.message);
    assert!(on(&found, "web").message.contains("host port `8080/tcp`"), "{found:#?}");
    assert!(on(&found, "store").message.contains("mount of `output`"), "{found:#?}");
    assert_eq!(found.len(), 3, "not edgeHub (its ports), not a module with a strategy in any casing, not a plain one");

    let out = accept(&m, "OTH001");
    let detector = create_options(&m, &out, "detector");
    assert_eq!(
        detector,
        json!({"k8s-experimental": {
            "resources": {"limits": {"nvidia.com/gpu": 1}},
            "nodeSelector": {"gpu": "true"},
            "strategy": {"type": "Recreate"}
        }}),
        "the strategy is added next to the settings already there"
    );
    assert_eq!(keys(&detector["k8s-experimental"]), ["resources", "nodeSelector", "strategy"]);
    assert_eq!(
        create_options(&m, &out, "web"),
        json!({"HostConfig": {"PortBindings": {"8080/tcp": [{"HostPort": "8080"}]}}, "k8s-experimental": {"strategy": {"type": "Recreate"}}})
    );
    assert_eq!(create_options(&m, &out, "pinned"), create_options(&m, &reject_all(&m), "pinned"));
    assert!(auto_left(&m, &out, "OTH001").is_empty());
}

#[test]
fn oth002_invalid_module_name_is_renamed_everywhere() {
    let m = load("OTH002");
    let found = findings(&m, "OTH002");
    let processor = on(&found, "Image_Processor");
    assert_eq!(
        (processor.severity, processor.section, processor.fix),
        (Severity::Error, Section::Other, FixKind::Input)
    );
    assert_eq!(processor.path, format!("{MODULES}/Image_Processor"));
    assert!(
        processor.message.contains("`Image_Processor`") && processor.message.contains("`imageprocessor`"),
        "{}",
        processor.message
    );
    let input = processor.suggestion.as_ref().and_then(|s| s.input.as_ref()).expect("an input fix");
    assert_eq!(input.default, Some(json!("image-processor")));

    let camera = on(&found, "Camera_1");
    assert!(camera.message.contains("the same as module `camera1`"), "collision: {}", camera.message);
    let renamed_to = |f: &Finding| match &f.suggestion.as_ref().unwrap().edits[..] {
        [Edit::RenameModule { to, .. }] => to.clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(renamed_to(camera), "camera-1");

    let templated = on(&found, "${MODULE_NAME}");
    assert_eq!((templated.severity, templated.fix), (Severity::Info, FixKind::None));
    assert!(templated.suggestion.is_none());
    assert!(
        found.iter().all(|f| !matches!(f.module.as_deref(), Some("edgeAgent" | "edgeHub" | "camera1" | "uploader")))
    );

    let out = accept(&m, "OTH002");
    assert_eq!(
        keys(out.doc.pointer(MODULES).unwrap()),
        ["image-processor", "uploader", "camera1", "camera-1", "${MODULE_NAME}"],
        "module keys renamed in place"
    );
    let content = out.doc.pointer("/modulesContent").unwrap();
    assert!(content.get("Image_Processor").is_none());
    assert_eq!(content["image-processor"], json!({"properties.desired": {"threshold": 0.75}}), "the twin follows");
    assert_eq!(
        content.pointer("/$edgeHub/properties.desired/routes").unwrap(),
        &json!({
            "toUploader": "FROM /messages/modules/image-processor/outputs/* INTO BrokeredEndpoint(\"/modules/uploader/inputs/in\")",
            "toProcessor": "FROM /messages/modules/uploader/outputs/frames INTO BrokeredEndpoint(\"/modules/image-processor/inputs/frames\")"
        })
    );
    assert_eq!(
        module_json(&out, "uploader")["env"],
        json!({"SCORING_URL": {"value": "http://image-processor:5001/score"}})
    );
    assert_eq!(create_options(&m, &out, "uploader"), json!({"Env": ["PROCESSOR_HOST=image-processor:5001"]}));

    let again = findings(&reload(&m, &out), "OTH002");
    assert_eq!(again.len(), 1, "only the placeholder is left: {again:#?}");
    assert_eq!(again[0].module.as_deref(), Some("${MODULE_NAME}"));
    assert!(auto_left(&m, &out, "OTH002").is_empty());
}

#[test]
fn oth003_entrypoint_is_spelled_entrypoint_and_given_as_a_list() {
    let m = load("OTH003");
    let found = findings(&m, "OTH003");
    assert!(found.iter().all(|f| (f.severity, f.section) == (Severity::Warning, Section::Other)));
    let co = format!("{MODULES}/runner/settings/createOptions");
    let at =
        |path: String| found.iter().find(|f| f.path == path).unwrap_or_else(|| panic!("finding at {path}: {found:#?}"));
    let entry = at(format!("{co}/EntryPoint"));
    assert_eq!(entry.fix, FixKind::Auto);
    assert!(entry.message.contains("`EntryPoint`") && entry.message.contains("`/app/start.sh`"), "{}", entry.message);
    assert!(entry.message.contains("bake it into the image"), "{}", entry.message);
    assert!(at(format!("{co}/Cmd")).message.contains("empty string"));
    let scorer = on(&found, "scorer");
    assert!(scorer.message.contains("`python score.py`") && scorer.message.contains("/bin/sh"), "{}", scorer.message);
    let twice = on(&found, "twice");
    assert_eq!(twice.fix, FixKind::Manual);
    assert!(twice.suggestion.is_none());
    assert!(found.iter().all(|f| f.module.as_deref() != Some("fine")));

    let out = accept(&m, "OTH003");
    let runner = create_options(&m, &out, "runner");
    assert_eq!(runner, json!({"Entrypoint": ["/app/start.sh"]}), "renamed, made a list; the empty Cmd is dropped");
    assert_eq!(create_options(&m, &out, "scorer"), json!({"Entrypoint": ["python score.py"], "WorkingDir": "/app"}));
    assert_eq!(keys(&create_options(&m, &out, "scorer")), ["Entrypoint", "WorkingDir"]);
    assert!(auto_left(&m, &out, "OTH003").is_empty());
}

#[test]
fn oth004_env_name_with_colon_gets_double_underscore() {
    let m = load("OTH004");
    let found = findings(&m, "OTH004");
    let api = format!("{MODULES}/api");
    let at =
        |path: &str| found.iter().find(|f| f.path == path).unwrap_or_else(|| panic!("finding at {path}: {found:#?}"));

    let env = at(&format!("{api}/env/Logging:LogLevel"));
    assert_eq!((env.severity, env.section, env.fix), (Severity::Error, Section::Other, FixKind::Auto));
    assert!(env.message.contains("`Logging:LogLevel`"), "{}", env.message);
    let co = at(&format!("{api}/settings/createOptions/Env/0"));
    assert!(co.message.contains("`Serilog:MinimumLevel`"), "{}", co.message);
    assert_eq!(
        at(&format!("{api}/settings/createOptions/Env/4")).fix,
        FixKind::Auto,
        "a name without `=` is a name too"
    );

    let digit = at(&format!("{api}/env/1ST_RUN"));
    assert_eq!((digit.fix, digit.suggestion.is_none()), (FixKind::Manual, true));
    assert!(digit.message.contains("starts with a digit"), "{}", digit.message);
    let space = at(&format!("{api}/settings/createOptions/Env/2"));
    assert_eq!(space.fix, FixKind::Manual);
    assert!(space.message.contains("`BAD NAME`") && space.message.contains("space"), "{}", space.message);
    assert_eq!(found.len(), 5, "placeholders (`${{SETTING_NAME}}`, `$PREFIX:Level`) and valid names are left alone");

    let out = accept(&m, "OTH004");
    assert_eq!(keys(&module_json(&out, "api")["env"]), ["Logging__LogLevel", "1ST_RUN", "${SETTING_NAME}", "Port"]);
    assert_eq!(module_json(&out, "api")["env"]["Logging__LogLevel"], json!({"value": "Debug"}));
    assert_eq!(
        create_options(&m, &out, "api"),
        json!({"Env": ["Serilog__MinimumLevel=Information", "OK_NAME=1", "BAD NAME=2", "$PREFIX:Level=3", "Flag__On"]})
    );
    assert!(auto_left(&m, &out, "OTH004").is_empty());
}

#[test]
fn oth005_env_value_with_equals_moves_to_module_env() {
    let m = load("OTH005");
    let found = findings(&m, "OTH005");
    let db = format!("{MODULES}/db/settings/createOptions/Env");
    let conn = found.iter().find(|f| f.path == format!("{db}/0")).expect("CONN");
    assert_eq!((conn.severity, conn.section, conn.fix), (Severity::Info, Section::Other, FixKind::Auto));
    assert!(
        conn.message.contains("`CONN`") && conn.message.contains("`Server=sql;Password=abc==`"),
        "{}",
        conn.message
    );
    let colon = found.iter().find(|f| f.path == format!("{db}/3")).expect("Db:Conn");
    assert!(colon.suggestion.as_ref().unwrap().summary.contains("`Db__Conn`"), "{colon:#?}");
    let dup = found.iter().find(|f| f.path == format!("{db}/4")).expect("DUP");
    assert_eq!((dup.fix, dup.suggestion.is_none()), (FixKind::Manual, true));
    assert!(dup.message.contains("env section sets `DUP`"), "{}", dup.message);
    assert_eq!(found.len(), 4, "not `Plain=1`, not WIRESERVER_ADDRESS (RES002's): {found:#?}");

    let out = accept(&m, "OTH005");
    let moved = json!({
        "DUP": {"value": "z"},
        "CONN": {"value": "Server=sql;Password=abc=="},
        "Db__Conn": {"value": "A=B"}
    });
    assert_eq!(module_json(&out, "db")["env"], moved);
    assert_eq!(create_options(&m, &out, "db"), json!({"Env": ["Plain=1", "WIRESERVER_ADDRESS=a=b", "DUP=x=y"]}));
    assert_eq!(create_options(&m, &out, "single"), json!({}), "the emptied Env list is dropped");
    assert_eq!(module_json(&out, "single")["env"], json!({"QUERY": {"value": "a=1&b=2"}}));
    assert!(auto_left(&m, &out, "OTH005").is_empty());

    // With OTH004 accepted too, the `:` entry is renamed and moved once, consistently.
    let both = migrate(&m, &analyse(&m), |f| {
        (matches!(f.rule, "OTH004" | "OTH005") && f.suggestion.is_some()).then_some(Decision::Accept)
    });
    assert!(both.skipped.is_empty() && both.warnings.is_empty(), "{:?} {:?}", both.skipped, both.warnings);
    assert_eq!(module_json(&both, "db")["env"], moved);
    assert_eq!(create_options(&m, &both, "db"), json!({"Env": ["Plain=1", "WIRESERVER_ADDRESS=a=b", "DUP=x=y"]}));
    assert!(auto_left(&m, &both, "OTH004").is_empty() && auto_left(&m, &both, "OTH005").is_empty());
}

#[test]
fn oth006_ignored_docker_settings_are_removed() {
    let m = load("OTH006");
    let found = findings(&m, "OTH006");
    let co = format!("{MODULES}/legacy/settings/createOptions");
    let at = |rel: &str| {
        found.iter().find(|f| f.path == format!("{co}{rel}")).unwrap_or_else(|| panic!("finding at {rel}: {found:#?}"))
    };
    for rel in ["/User", "/Hostname", "/HostConfig/CapAdd", "/HostConfig/logconfig"] {
        let f = at(rel);
        assert_eq!((f.severity, f.section, f.fix), (Severity::Warning, Section::Other, FixKind::Auto), "{rel}");
        assert!(f.message.contains("ignored on the GPU device"), "{}", f.message);
    }
    assert!(at("/User").message.contains("runAsUser"), "names the replacement");
    assert!(at("/HostConfig/logconfig").message.contains("`HostConfig.logconfig`"), "the key as written");
    for rel in ["/Healthcheck", "/HostConfig/Init"] {
        let f = at(rel);
        assert_eq!((f.severity, f.fix, f.suggestion.is_none()), (Severity::Info, FixKind::None, true), "{rel}");
    }
    assert_eq!(found.len(), 6, "not Memory (RES004), not Docker defaults (RestartPolicy Name \"\", module quiet)");

    let out = accept(&m, "OTH006");
    assert_eq!(
        create_options(&m, &out, "legacy"),
        json!({
            "Healthcheck": {"Test": ["CMD", "curl", "-f", "http://localhost/"], "Interval": 30000000000u64},
            "HostConfig": {
                "RestartPolicy": {"Name": "", "MaximumRetryCount": 0},
                "Init": true,
                "Memory": 268435456,
                "PortBindings": {"80/tcp": [{"HostPort": "80"}]}
            }
        })
    );
    assert!(auto_left(&m, &out, "OTH006").is_empty());
}

#[test]
fn oth007_unknown_or_misspelled_k8s_experimental_keys() {
    let m = load("OTH007");
    let found = findings(&m, "OTH007");
    let co = |module: &str| format!("{MODULES}/{module}/settings/createOptions");
    let at =
        |path: String| found.iter().find(|f| f.path == path).unwrap_or_else(|| panic!("finding at {path}: {found:#?}"));

    let spelled = at(format!("{}/k8s_experimental", co("gpu")));
    assert_eq!((spelled.severity, spelled.section, spelled.fix), (Severity::Error, Section::Other, FixKind::Auto));
    assert!(
        spelled.message.contains("`k8s_experimental`") && spelled.message.contains("`replicas`"),
        "{}",
        spelled.message
    );
    let renamed = at(format!("{}/k8s-experimental/security_context", co("svc")));
    assert!(renamed.message.contains("`securityContext`"), "{}", renamed.message);
    assert!(
        matches!(&renamed.suggestion.as_ref().unwrap().edits[..], [Edit::RenameKey { to, .. }] if to == "securityContext")
    );
    let unknown = at(format!("{}/k8s-experimental/replicas", co("svc")));
    assert!(unknown.message.contains("`k8s-experimental.replicas`"), "{}", unknown.message);
    let placed = at(format!("{}/HostConfig/k8s-experimental", co("svc")));
    assert!(placed.message.contains("`HostConfig.k8s-experimental`"), "{}", placed.message);
    let clash = at(format!("{}/K8s-Experimental", co("clash")));
    assert_eq!((clash.fix, clash.suggestion.is_none()), (FixKind::Manual, true));
    assert!(clash.message.contains("`strategy.type`"), "{}", clash.message);
    assert_eq!(found.len(), 5, "not service-options (NET009's), known keys in any casing, or a placeholder section");

    let out = accept(&m, "OTH007");
    assert_eq!(
        create_options(&m, &out, "gpu"),
        json!({"k8s-experimental": {"resources": {"limits": {"nvidia.com/gpu": 1}}}})
    );
    let svc = create_options(&m, &out, "svc");
    assert_eq!(
        svc,
        json!({"k8s-experimental": {
            "nodeSelector": {"gpu": "true"},
            "securityContext": {"runAsUser": 1000},
            "service-options": {"type": "ClusterIP"},
            "strategy": {"type": "Recreate"}
        }}),
        "renamed in place, unknown key removed, the HostConfig section merged and the emptied HostConfig dropped"
    );
    assert_eq!(keys(&svc["k8s-experimental"]), ["nodeSelector", "securityContext", "service-options", "strategy"]);
    assert!(auto_left(&m, &out, "OTH007").is_empty());
}

#[test]
fn oth007_misspelled_section_merges_with_what_other_rules_write() {
    // OTH001 writes a leaf into `k8s-experimental` while OTH007 moves `k8s_experimental` there.
    let m = load("OTH007");
    let out = migrate(&m, &analyse(&m), |f| {
        (matches!(f.rule, "OTH001" | "OTH007") && f.module.as_deref() == Some("gpu")).then_some(Decision::Accept)
    });
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    assert_eq!(
        create_options(&m, &out, "gpu"),
        json!({"k8s-experimental": {"resources": {"limits": {"nvidia.com/gpu": 1}}, "strategy": {"type": "Recreate"}}})
    );
}

#[test]
fn oth008_agent_schema_above_1_1_becomes_1_0() {
    let m = load("OTH008");
    let found = findings(&m, "OTH008");
    assert_eq!(found.len(), 1);
    let f = &found[0];
    assert_eq!(
        (f.severity, f.section, f.fix, f.module.as_deref()),
        (Severity::Error, Section::Other, FixKind::Auto, None)
    );
    assert_eq!(f.path, "/modulesContent/$edgeAgent/properties.desired/schemaVersion");
    assert!(f.message.contains("`1.2`"), "{}", f.message);

    let out = accept(&m, "OTH008");
    assert_eq!(out.doc.pointer(&f.path), Some(&json!("1.0")));
    assert_eq!(out.doc.pointer("/modulesContent/$edgeHub/properties.desired/schemaVersion"), Some(&json!("1.2")));
    assert!(auto_left(&m, &out, "OTH008").is_empty());

    for version in ["\"${EDGEAGENT_SCHEMA_VERSION}\"", "\"1.1\"", "1.0", "\"latest\"", "null"] {
        let text = serde_json::to_string(&m.doc)
            .unwrap()
            .replace("\"schemaVersion\":\"1.2\"", &format!("\"schemaVersion\":{version}"));
        assert!(findings(&parse(&text), "OTH008").is_empty(), "{version}");
    }
    let number = serde_json::to_string(&m.doc).unwrap().replacen("\"schemaVersion\":\"1.2\"", "\"schemaVersion\":2", 1);
    assert_eq!(findings(&parse(&number), "OTH008").len(), 1);
}

#[test]
fn oth009_backoff_advice_once_per_manifest() {
    let m = load("OTH009");
    let found = findings(&m, "OTH009");
    assert_eq!(found.len(), 1);
    let f = &found[0];
    assert_eq!(
        (f.severity, f.section, f.fix, f.module.as_deref()),
        (Severity::Info, Section::Other, FixKind::None, None)
    );
    assert!(f.suggestion.is_none());
    assert!(f.message.contains("backoff") && f.message.contains("VM"), "{}", f.message);
    let empty = parse(r#"{"modulesContent": {"$edgeAgent": {"properties.desired": {}}}}"#);
    assert_eq!(findings(&empty, "OTH009").len(), 1);
}

#[test]
fn oth010_restart_and_pull_policies_are_not_mapped() {
    let m = load("OTH010");
    let found = findings(&m, "OTH010");
    assert!(found.iter().all(|f| (f.severity, f.section, f.fix) == (Severity::Info, Section::Other, FixKind::None)));
    assert!(found.iter().all(|f| f.suggestion.is_none()));
    let at =
        |path: String| found.iter().find(|f| f.path == path).unwrap_or_else(|| panic!("finding at {path}: {found:#?}"));
    let restart = at(format!("{MODULES}/job/restartPolicy"));
    assert!(restart.message.contains("`never`") && restart.message.contains("started again"), "{}", restart.message);
    let pull = at(format!("{MODULES}/job/imagePullPolicy"));
    assert!(
        pull.message.contains("`myacr.azurecr.io/job:1.0`") && pull.message.contains("IfNotPresent"),
        "{}",
        pull.message
    );
    assert!(at(format!("{MODULES}/daily/restartPolicy")).message.contains("`on-failure`"));
    assert!(at(format!("{MODULES}/daily/imagePullPolicy")).message.contains("`on-create`"));
    assert_eq!(found.len(), 4, "not `always` (svc, edgeHub): {found:#?}");
}

/// The document migrated with nothing accepted.
fn reject_all(m: &Manifest) -> Outcome {
    migrate(m, &analyse(m), |_| None)
}

#[test]
fn oth_rules_survive_odd_values() {
    // Every value where another type is expected; nothing may panic, and whatever is accepted applies.
    let co = json!({
        "Env": [1, null, "=x", "A", "B:C", ["D:E=1"], "F:G=h=i"],
        "entrypoint": 5,
        "CMD": ["run"],
        "User": {"name": 1},
        "k8s-experimental": [1],
        "K8S_Experimental": null,
        "HostConfig": {
            "Devices": [null, 3, {"PathOnHost": 5}],
            "Runtime": 5,
            "Binds": "x",
            "Mounts": [null],
            "CapAdd": "NET_ADMIN",
            "k8sExperimental": {"Strategy": {"type": "Recreate"}, "volumes": null, "x": 1}
        }
    });
    let text = json!({"modulesContent": {
        "$edgeAgent": {"properties.desired": {
            "schemaVersion": {"v": 2},
            "modules": {
                "Odd_Module": {
                    "restartPolicy": 5,
                    "imagePullPolicy": null,
                    "settings": {"image": 7, "createOptions": co.to_string()},
                    "env": {"X:Y": 5, "X__Y": {"value": 1}, "": null, "Z": "plain"}
                },
                "": {"settings": null},
                "dev": {"settings": {"createOptions": {"HostConfig": {"Devices": [5, {"PathOnHost": "/dev/nvidia0"}]}}}},
                "7up": {"settings": {"createOptions": "{\"k8s-experimental\": \"text\"}"}}
            }
        }},
        "$edgeHub": {"properties.desired": {"routes": {"r": 5}}}
    }})
    .to_string();
    let m = parse(&text);
    let all = analyse(&m);
    let ours: Vec<&Finding> = all.iter().filter(|f| f.rule.starts_with("OTH")).collect();
    let rename = ours.iter().find(|f| f.path.ends_with("/env/X:Y")).expect("env name with `:`");
    assert_eq!(rename.fix, FixKind::Manual, "`X__Y` exists too: {}", rename.message);
    assert!(ours.iter().any(|f| f.rule == "OTH001" && f.message.contains("`/dev/nvidia0`")), "{ours:#?}");
    assert!(
        !ours.iter().any(|f| f.rule == "OTH001" && f.module.as_deref() == Some("Odd_Module")),
        "no strategy is written into a `k8s-experimental` that is not an object"
    );
    assert!(ours.iter().any(|f| f.rule == "OTH007" && f.message.contains("not an object")), "{ours:#?}");
    assert!(ours.iter().any(|f| f.rule == "OTH002" && f.module.as_deref() == Some("7up")), "{ours:#?}");

    let out = migrate(&m, &all, |f| fpga2gpu::migrate::Policy::All.decide(f));
    assert!(out.skipped.is_empty(), "{:?}", out.skipped);
    let again = reload(&m, &out);
    let left: Vec<Finding> =
        analyse(&again).into_iter().filter(|f| f.rule.starts_with("OTH") && f.fix == FixKind::Auto).collect();
    assert!(left.is_empty(), "{left:#?}");
}
