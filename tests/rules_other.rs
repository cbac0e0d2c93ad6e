//! The "other differences" rules of the guide (OTH…): a snapshot of each rule on its fixture in
//! tests/fixtures/rules, then what a snapshot cannot say: decisions checked by the rule they fix,
//! the same findings whatever the keys' spelling, fixes that compose, odd values.

mod common;
use common::*;
use fpga2gpu::device::DeviceProfile;
use fpga2gpu::manifest::Manifest;
use fpga2gpu::manifest::placeholder::placeholders;
use fpga2gpu::migrate::{Decision, Policy, check_decision, migrate};
use fpga2gpu::rules::{Finding, Fix, Severity, analyse};
use serde_json::{Map, Value, json};
use test_case::test_case;

#[test_case("OTH001")]
#[test_case("OTH002")]
#[test_case("OTH003")]
#[test_case("OTH004")]
#[test_case("OTH005")]
#[test_case("OTH006")]
#[test_case("OTH007")]
#[test_case("OTH008")]
#[test_case("OTH009")]
#[test_case("OTH010")]
#[test_case("OTH011")]
fn rule(id: &str) {
    insta::assert_snapshot!(id, rule_snapshot_text(id, None));
}

fn device() -> DeviceProfile {
    DeviceProfile::default()
}

/// The finding of `rule` on `module` (the only one there).
fn on(m: &Manifest, rule: &str, module: &str) -> Finding {
    let here: Vec<Finding> = findings(m, rule).into_iter().filter(|f| f.module.as_deref() == Some(module)).collect();
    assert_eq!(here.len(), 1, "one {rule} finding on {module}: {here:#?}");
    here.into_iter().next().unwrap()
}

/// What `check_decision` says of a decision on a finding, with the engine's own check.
fn checked(m: &Manifest, f: &Finding, d: Decision) -> Result<(), String> {
    check_decision(m, &device(), &|m, d| analyse(m, d), f, &d)
}

#[test]
fn oth002_a_typed_module_name_is_checked_by_the_rule() {
    let m = load("OTH002");
    let camera = on(&m, "OTH002", "Camera_1");
    assert_eq!(camera.severity, Severity::Error);
    assert_eq!(camera.suggestion.as_ref().and_then(|s| s.rename.as_ref()).map(|r| r.to.as_str()), Some("camera-1"));
    let value = |v: &str| Decision::Value { value: json!(v) };
    let refused = |v: &str| checked(&m, &camera, value(v)).expect_err(v);
    assert!(refused("Bad_Name").contains("OTH002"), "`_` is dropped by the agent");
    assert!(refused("uploader").contains("taken"), "another module's name");
    assert!(refused("Camera1").contains("camera1"), "collides with `camera1` once sanitised");
    assert!(refused("9lives").contains("digit"));
    checked(&m, &camera, value("cam-one")).expect("a valid unused name");
    checked(&m, &camera, Decision::Accept).expect("the proposed name");
}

#[test]
fn oth002_names_by_kind() {
    let m = load("OTH002");
    let kind = |module: &str| {
        let f = on(&m, "OTH002", module);
        (f.severity, f.fix())
    };
    assert_eq!(kind("GPUModule"), (Severity::Info, Fix::DisplayOnly), "upper case alone: the agent lower-cases");
    assert_eq!(kind("Image_Processor"), (Severity::Warning, Fix::DisplayOnly), "`_`: no rename by default");
    for bad in ["Camera_1", "3d.scanner"] {
        assert_eq!(kind(bad), (Severity::Error, Fix::NeedsReview), "{bad}");
    }
    let long = m.modules.iter().find(|x| x.name.len() > 63).expect("the long name");
    assert_eq!(kind(&long.name), (Severity::Error, Fix::NeedsReview));
    // Every rename says that it makes a new module identity in IoT Hub.
    for f in findings(&m, "OTH002") {
        if let Some(s) = f.suggestion.as_ref().filter(|s| s.rename.is_some()) {
            assert!(s.summary.contains("new module identity in IoT Hub"), "{}", s.summary);
        }
    }
    // `--accept all` renames only the names Kubernetes cannot use; the other modules keep theirs,
    // and references to `Image_Processor` point at the Service the agent makes for it.
    let all = analyse(&m, &device());
    let out = migrate(&m, &device(), &all, |f| Policy::All.decide(f));
    let renamed: Vec<&str> = out.renamed.iter().map(|(from, _)| from.as_str()).collect();
    assert_eq!(renamed.len(), 3, "{renamed:?}");
    assert!(!renamed.contains(&"Image_Processor") && !renamed.contains(&"GPUModule"));
    let again = reload(&m, &out);
    let uploader = again.module("uploader").unwrap();
    assert_eq!(uploader.env_value("SCORING_URL"), Some("http://imageprocessor:5001/score"));
    assert_eq!(uploader.env_value("PROCESSOR_HOST"), Some("imageprocessor:5001"));
    assert_eq!(uploader.env_value("TARGET_MODULE"), Some("Image_Processor"), "a bare name is the module's identity");
}

#[test]
fn oth001_a_strategy_fragment_of_the_wrong_shape_is_refused() {
    let m = load("OTH001");
    let detector = on(&m, "OTH001", "detector");
    assert_eq!((detector.severity, detector.fix()), (Severity::Warning, Fix::Safe));
    let fragment = |v: Value| Decision::Fragment { fragment: v };
    for wrong in [
        json!({"type": {"type": "Recreate"}}),
        json!({"type": "Restart"}),
        json!("Recreate"),
        json!({"kind": "Recreate"}),
    ] {
        let why = checked(&m, &detector, fragment(wrong.clone())).expect_err(&wrong.to_string());
        assert!(why.contains("OTH001"), "{wrong}: {why}");
    }
    checked(&m, &detector, fragment(json!({"type": "Recreate"}))).expect("the right shape");
    checked(&m, &detector, Decision::Accept).expect("as proposed");
}

#[test]
fn oth001_only_gpus_and_the_host_network_block_a_rolling_update() {
    let m = load("OTH001");
    let severity = |module: &str| on(&m, "OTH001", module).severity;
    for blocks in ["detector", "hostnet", "notype"] {
        assert_eq!(severity(blocks), Severity::Warning, "{blocks}");
    }
    for advice in ["web", "store", "templated"] {
        assert_eq!(severity(advice), Severity::Info, "{advice}");
    }
    assert!(on(&m, "OTH001", "templated").message.contains("filled in at deploy time"));
    for shape in ["lowercase", "nested", "unknown", "both"] {
        assert_eq!(severity(shape), Severity::Error, "{shape}");
    }
    let quiet: Vec<String> = findings(&m, "OTH001")
        .into_iter()
        .filter_map(|f| f.module)
        .filter(|n| ["pinned", "plain", "misspelt", "edgeHub", "edgeAgent"].contains(&n.as_str()))
        .collect();
    assert!(quiet.is_empty(), "a chosen strategy, nothing held, OTH007's section, edgeHub's ports: {quiet:?}");
    // Fixing only the case is safe; a strategy of another shape is replaced for review.
    assert_eq!(on(&m, "OTH001", "lowercase").fix(), Fix::Safe);
    assert_eq!(on(&m, "OTH001", "nested").fix(), Fix::NeedsReview);
}

#[test]
fn oth011_a_rename_is_offered_only_when_it_is_certain() {
    let m = load("OTH011");
    let by_key = |module: &str, key: &str| {
        findings(&m, "OTH011")
            .into_iter()
            .find(|f| f.module.as_deref() == Some(module) && f.location.to_string().ends_with(key))
            .unwrap_or_else(|| panic!("OTH011 on {module} {key}"))
    };
    let typo = by_key("typo", "/HostConfir");
    assert!(typo.message.contains("did you mean `HostConfig`?"), "{}", typo.message);
    assert_eq!(typo.fix(), Fix::Safe);
    let ambiguous = by_key("host", "/IpdMode");
    assert!(ambiguous.message.contains("`IpcMode` or `PidMode`"), "{}", ambiguous.message);
    assert_eq!(ambiguous.fix(), Fix::Manual);
    let clobber = by_key("clobber", "/Evn");
    assert!(clobber.message.contains("set too"), "{}", clobber.message);
    assert_eq!(clobber.fix(), Fix::Manual);
    assert_eq!(by_key("placed", "/Binds").fix(), Fix::DisplayOnly, "a move makes a setting apply that never did");
    assert_eq!(by_key("types", "/Env").severity, Severity::Error);
    let quiet: Vec<String> = findings(&m, "OTH011")
        .iter()
        .map(|f| f.location.to_string())
        .filter(|l| l.contains("k8s_experimental") || l.contains("MaximumIOps") || l.contains("EXTRA"))
        .collect();
    assert!(quiet.is_empty(), "OTH007's section, a key holding nothing, a placeholder: {quiet:?}");
}

#[test]
fn oth006_removals_say_which_placeholders_they_take_away() {
    let m = load("OTH006");
    let log = findings(&m, "OTH006")
        .into_iter()
        .find(|f| f.module.as_deref() == Some("policies") && f.location.to_string().ends_with("/LogConfig"))
        .expect("LogConfig");
    assert_eq!((log.severity, log.fix()), (Severity::Info, Fix::NeedsReview));
    let s = log.suggestion.as_ref().unwrap();
    assert!(s.summary.contains("`$LOG_SIZE`") && log.message.contains("`$LOG_SIZE`"), "{s:?}");
    assert_eq!(Policy::Auto.decide(&log), None, "never removed by `--accept auto`");
    let restart = |module: &str| {
        findings(&m, "OTH006")
            .into_iter()
            .find(|f| {
                f.module.as_deref() == Some(module) && f.location.to_string().to_lowercase().ends_with("/restartpolicy")
            })
            .map(|f| f.severity)
    };
    assert_eq!(restart("policies"), Some(Severity::Warning), "on-failure: the module now restarts after a clean exit");
    assert_eq!(restart("always"), Some(Severity::Info), "unless-stopped: pods do that anyway");
    assert_eq!(restart("legacy"), None, "Docker's default (`Name: \"\"`)");
}

#[test]
fn placeholders_that_decide_a_finding_are_reported_and_kept() {
    let m = load("OTH010");
    let restart = findings(&m, "OTH010")
        .into_iter()
        .find(|f| f.module.as_deref() == Some("templated") && f.location.to_string().ends_with("/restartPolicy"))
        .expect("a placeholder restartPolicy is reported");
    assert!(restart.message.contains("`$RESTART_POLICY`") && restart.message.contains("filled in at deploy time"));
    let schema =
        serde_json::to_string(&load("OTH008").doc).unwrap().replace("\"1.2\"", "\"${EDGEAGENT_SCHEMA_VERSION}\"");
    let f = findings(&parse(&schema), "OTH008");
    assert_eq!(f.len(), 1);
    assert_eq!((f[0].severity, f[0].fix()), (Severity::Info, Fix::None));
    assert!(f[0].message.contains("filled in at deploy time"));
    // Nothing `--accept auto` takes removes or replaces a placeholder.
    for id in ["OTH001", "OTH002", "OTH003", "OTH006", "OTH007", "OTH008", "OTH010", "OTH011"] {
        let m = load(id);
        let before = serde_json::to_string(&m.doc).unwrap();
        let out = migrate(&m, &device(), &analyse(&m, &device()), |f| Policy::Auto.decide(f));
        let after = out.text(&m);
        for p in placeholders(&before) {
            assert!(after.contains(p), "{id}: `{p}` is gone");
        }
    }
}

/// Every key of `value` that Docker knows, at every level, spelled by `spell`.
fn respell(value: &Value, spell: &dyn Fn(&str) -> String) -> Value {
    use fpga2gpu::manifest::model::*;
    let known: Vec<&str> =
        [CONTAINER_KEYS, HOST_CONFIG_KEYS, MOUNT_KEYS, PORT_MAPPING_KEYS, DEVICE_KEYS, STRATEGY_KEYS].concat();
    match value {
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, v)| (if known.contains(&k.as_str()) { spell(k) } else { k.clone() }, respell(v, spell)))
                .collect::<Map<String, Value>>(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(|v| respell(v, spell)).collect()),
        other => other.clone(),
    }
}

/// The manifest with every module's createOptions respelled.
fn respelled(m: &Manifest, spell: &dyn Fn(&str) -> String) -> Manifest {
    let mut doc = m.doc.clone();
    for module in &m.modules {
        let Some(co) = &module.create_options.value else { continue };
        let text = respell(co, spell).to_string();
        *doc.pointer_mut(&format!("{}/settings/createOptions", module.at)).unwrap() = Value::String(text);
    }
    Manifest::from_value(doc, m.format.clone(), Vec::new()).unwrap()
}

/// The OTH findings as comparable text: the spelling of keys does not count.
fn comparable(m: &Manifest) -> Vec<String> {
    let mut out: Vec<String> = analyse(m, &device())
        .into_iter()
        .filter(|f| f.rule.starts_with("OTH"))
        .map(|f| {
            format!(
                "{} {} {:?} {:?} {} {}",
                f.rule,
                f.module.clone().unwrap_or_default(),
                f.severity,
                f.fix(),
                f.location,
                f.message
            )
            .to_lowercase()
        })
        .collect();
    out.sort();
    out
}

#[test_case(&|k: &str| { let mut c = k.chars(); c.next().map(|f| f.to_lowercase().chain(c).collect()).unwrap_or_default() } ; "camelCase")]
#[test_case(&|k: &str| k.to_ascii_uppercase() ; "UPPER")]
#[test_case(&|k: &str| k.to_ascii_lowercase() ; "lower")]
fn other_spellings_get_the_same_findings_and_keep_their_spelling(spell: &dyn Fn(&str) -> String) {
    let canonical = load("other_spelling.json");
    let variant = respelled(&canonical, spell);
    assert_ne!(canonical.doc, variant.doc);
    let expected = comparable(&canonical);
    assert!(expected.iter().filter(|f| !f.starts_with("oth009")).count() >= 10, "{expected:#?}");
    assert_eq!(comparable(&variant), expected);

    let accept = |m: &Manifest| {
        let all = analyse(m, &device());
        migrate(m, &device(), &all, |f| {
            (f.rule.starts_with("OTH") && f.suggestion.is_some()).then_some(Decision::Accept)
        })
    };
    let (a, b) = (accept(&canonical), accept(&variant));
    assert_eq!(comparable(&reload(&variant, &b)), comparable(&reload(&canonical, &a)), "the same left after fixing");
    for module in ["gpu", "cmd", "env", "typo", "strategy"] {
        let co = |m: &Manifest, out| create_options(m, out, module);
        let (fixed, fixed_variant) = (co(&canonical, &a), co(&variant, &b));
        assert_eq!(fixed.to_string().to_lowercase(), fixed_variant.to_string().to_lowercase(), "{module}");
        let written = variant.module(module).and_then(|x| x.create_options.value.clone()).unwrap();
        same_spelling(&written, &fixed_variant, module);
    }
}

/// Every key of `after` that `before` had at the same place (matched ignoring case) is spelled as
/// it was: fixes edit in place.
fn same_spelling(before: &Value, after: &Value, at: &str) {
    match (before, after) {
        (Value::Object(b), Value::Object(a)) => {
            for (k, v) in a {
                if let Some((was, old)) = b.iter().find(|(x, _)| x.eq_ignore_ascii_case(k)) {
                    assert_eq!(was, k, "{at}: `{was}` respelled");
                    same_spelling(old, v, &format!("{at}/{k}"));
                }
            }
        }
        (Value::Array(b), Value::Array(a)) => b.iter().zip(a).for_each(|(x, y)| same_spelling(x, y, at)),
        _ => {}
    }
}

#[test]
fn oth007_misspelled_section_merges_with_what_other_rules_write() {
    // OTH001 writes the strategy into `k8s-experimental` while OTH007 moves `k8s_experimental` there.
    let m = load("OTH007");
    let all = analyse(&m, &device());
    let out = migrate(&m, &device(), &all, |f| {
        (matches!(f.rule, "OTH001" | "OTH007") && f.module.as_deref() == Some("gpu")).then_some(Decision::Accept)
    });
    assert!(out.warnings.is_empty() && out.failed().next().is_none(), "{:?}", out.warnings);
    assert_eq!(
        create_options(&m, &out, "gpu"),
        json!({"k8s-experimental": {"strategy": {"type": "Recreate"}, "resources": {"limits": {"nvidia.com/gpu": 1}}}}),
        "the GPU moved next to the strategy OTH001 wrote for it"
    );
    let left = [auto_left(&m, &out, "OTH001"), auto_left(&m, &out, "OTH007")].concat();
    assert!(left.iter().all(|f| f.module.as_deref() != Some("gpu")), "{left:#?}");
}

#[test]
fn oth004_and_oth005_rename_and_move_one_entry_consistently() {
    let m = load("OTH005");
    let all = analyse(&m, &device());
    let out = migrate(&m, &device(), &all, |f| {
        (matches!(f.rule, "OTH004" | "OTH005") && f.suggestion.is_some()).then_some(Decision::Accept)
    });
    assert!(out.warnings.is_empty() && out.failed().next().is_none(), "{:?}", out.warnings);
    let again = reload(&m, &out);
    let db = again.module("db").unwrap();
    assert_eq!(db.env_value("Db__Conn"), Some("A=B"));
    assert!(db.env_entries().iter().all(|e| !e.text.as_deref().unwrap_or("").starts_with("Db")));
    assert!(auto_left(&m, &out, "OTH004").is_empty() && auto_left(&m, &out, "OTH005").is_empty());
}

#[test]
fn edge_agent_is_never_advised() {
    // The device deploys edgeAgent itself: nothing in its settings reaches the device.
    let m = load("OTH004");
    let on_agent: Vec<Finding> = analyse(&m, &device())
        .into_iter()
        .filter(|f| f.rule.starts_with("OTH") && f.module.as_deref() == Some("edgeAgent"))
        .collect();
    assert!(on_agent.is_empty(), "{on_agent:#?}");
    assert!(m.module("edgeAgent").unwrap().env.iter().any(|v| v.name.contains(':')), "the fixture has one to skip");
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
        "Healthcheck": "none",
        "HostConfig": {
            "Devices": [null, 3, {"PathOnHost": 5}],
            "Runtime": 5,
            "Binds": "x",
            "Mounts": [null, {"Type": 1, "Sorce": 2}],
            "CapAdd": "NET_ADMIN",
            "RestartPolicy": "always",
            "LogConfig": [1],
            "Ulimits": {"Name": 1},
            "PortBindings": {"80/tcp": {"HostPort": 80}},
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
                    "env": {"X:Y": 5, "X__Y": {"value": 1}, "": null, "Z": "plain", "U": {"value": "http://odd_module:80"}}
                },
                "": {"settings": null},
                "dev": {"settings": {"createOptions": {"HostConfig": {"Devices": [5, {"PathOnHost": "/dev/nvidia0"}]}, "k8s-experimental": {"strategy": {"type": null, "rollingUpdate": 5}}}}},
                "7up": {"settings": {"createOptions": "{\"k8s-experimental\": \"text\"}"}}
            }
        }},
        "$edgeHub": {"properties.desired": {"routes": {"r": 5}}}
    }})
    .to_string();
    let m = parse(&text);
    let all = analyse(&m, &device());
    let ours: Vec<&Finding> = all.iter().filter(|f| f.rule.starts_with("OTH")).collect();
    let rename = ours.iter().find(|f| f.location.to_string().ends_with("/env/X:Y")).expect("env name with `:`");
    assert_eq!(rename.fix(), Fix::Manual, "`X__Y` exists too: {}", rename.message);
    assert!(
        !ours.iter().any(|f| f.rule == "OTH001" && f.module.as_deref() == Some("Odd_Module")),
        "no strategy is written into a `k8s-experimental` that is not an object"
    );
    assert!(ours.iter().any(|f| f.rule == "OTH007" && f.message.contains("not an object")), "{ours:#?}");
    assert!(ours.iter().any(|f| f.rule == "OTH002" && f.module.as_deref() == Some("7up")), "{ours:#?}");
    assert!(ours.iter().any(|f| f.rule == "OTH011" && f.location.to_string().ends_with("/Sorce")), "{ours:#?}");

    let out = migrate(&m, &device(), &all, |f| Policy::All.decide(f));
    assert!(out.failed().next().is_none(), "{:?}", out.failed().collect::<Vec<_>>());
    let again = reload(&m, &out);
    let left: Vec<Finding> =
        analyse(&again, &device()).into_iter().filter(|f| f.rule.starts_with("OTH") && f.fix() == Fix::Safe).collect();
    assert!(left.is_empty(), "{left:#?}");
}

#[test]
fn oth011_a_key_written_twice_loses_its_earlier_spelling() {
    let m = load("OTH011");
    let twice: Vec<Finding> =
        findings(&m, "OTH011").into_iter().filter(|f| f.module.as_deref() == Some("twice")).collect();
    let at: Vec<String> = twice.iter().map(|f| f.location.to_string()).collect();
    assert_eq!(twice.len(), 2, "Env and HostConfig.Binds: {at:?}");
    let binds = twice.iter().find(|f| f.location.to_string().ends_with("/HostConfig/Binds")).expect("Binds");
    assert!(binds.message.contains("`HostConfig.Binds` is set next to `binds`"), "{}", binds.message);
    assert_eq!(binds.fix(), Fix::Safe);
    // Removing the earlier spelling leaves what Docker and the agents read: the later one.
    let out = migrate(&m, &device(), &findings(&m, "OTH011"), |f| {
        (f.module.as_deref() == Some("twice")).then_some(Decision::Accept)
    });
    let after = Manifest::from_value(out.doc, m.format.clone(), Vec::new()).unwrap();
    let co = after.modules.iter().find(|x| x.name == "twice").unwrap().create_options.value.clone().unwrap();
    assert_eq!(co, json!({"ENV": ["LEVEL=debug"], "HostConfig": {"binds": ["/home/hcsshares/share1/data:/data"]}}));
}
