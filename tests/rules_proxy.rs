//! The web proxy rules of the guide (PRX…): one snapshot per rule on its fixture, then what a
//! snapshot cannot say (typed values, refused ports, keys in other spellings).

mod common;
use common::*;
use fpga2gpu::device::DeviceProfile;
use fpga2gpu::manifest::Manifest;
use fpga2gpu::migrate::{Decision, Outcome, Policy, check_decision, migrate};
use fpga2gpu::rules::{Finding, analyse};
use serde_json::{Value, json};
use test_case::test_case;

#[test_case("PRX001")]
#[test_case("PRX002")]
#[test_case("PRX003")]
fn rule(id: &str) {
    insta::assert_snapshot!(id, rule_snapshot_text(id, None));
}

/// Migrates deciding the findings `pick` selects with `decision`, nothing else.
fn decide(m: &Manifest, pick: impl Fn(&Finding) -> bool, decision: Decision) -> Outcome {
    let device = DeviceProfile::default();
    migrate(m, &device, &analyse(m, &device), |f| pick(f).then(|| decision.clone()))
}

#[test]
fn prx001_credentials_stay_out_of_messages() {
    let found = findings(&load("PRX001"), "PRX001");
    let hub = found.iter().find(|f| f.module.as_deref() == Some("edgeHub")).expect("edgeHub");
    assert!(hub.message.contains("http://***@proxy.contoso.com:3128"), "{}", hub.message);
    assert!(found.iter().all(|f| !f.message.contains("s3cret")), "reports get shared");
}

#[test]
fn prx002_a_typed_protocol_is_written_in_the_env_section() {
    let m = load("PRX002");
    let out = decide(
        &m,
        |f| f.rule == "PRX002" && f.module.as_deref() == Some("edgeHub"),
        Decision::Value { value: json!("MqttWs") },
    );
    let again = reload(&m, &out);
    let hub = again.module("edgeHub").unwrap();
    assert_eq!(again.get(&hub.at.child("env").child("UpstreamProtocol")), Some(&json!({"value": "MqttWs"})));
    assert!(findings(&again, "PRX002").iter().all(|f| f.module.as_deref() != Some("edgeHub")));
}

/// The finding about container port 35000 of `legacy`.
fn legacy_container_port(m: &Manifest) -> Finding {
    findings(m, "PRX003")
        .into_iter()
        .find(|f| f.module.as_deref() == Some("legacy") && f.message.contains("container port 35000"))
        .expect("container port finding")
}

#[test]
fn prx003_a_typed_container_port_lands_in_every_place_the_port_lives() {
    let m = load("PRX003");
    let finding = legacy_container_port(&m);
    let out = decide(&m, |f| f.key() == finding.key(), Decision::Value { value: json!("36000") });
    assert_eq!(
        create_options(&m, &out, "legacy"),
        json!({
            "ExposedPorts": {"36000/tcp": {}, "8080/tcp": {}},
            "HostConfig": {"PortBindings": {"36000/tcp": [{"HostPort": "36000"}], "8080/tcp": [{"HostPort": "35001"}]}}
        }),
        "the ExposedPorts key, the PortBindings key and the HostPort, keys renamed in place"
    );
    // A number typed where the file has text is written as text, as Docker reads a HostPort.
    let out = decide(&m, |f| f.key() == finding.key(), Decision::Value { value: json!(36001) });
    let co = create_options(&m, &out, "legacy");
    assert_eq!(co["HostConfig"]["PortBindings"]["36001/tcp"], json!([{"HostPort": "36001"}]));
    assert!(co["ExposedPorts"].get("36001/tcp").is_some(), "{co}");

    // A key without a protocol stays without one.
    let probe =
        findings(&m, "PRX003").into_iter().find(|f| f.location.to_string().ends_with("/ExposedPorts/35001")).unwrap();
    let out = decide(&m, |f| f.key() == probe.key(), Decision::Value { value: json!("36002") });
    assert_eq!(create_options(&m, &out, "probe"), json!({"ExposedPorts": {"35001/udp": {}, "36002": {}}}));
}

#[test_case("35001", "port 35001 is a port of the IoT Edge proxy"; "the other proxy port")]
#[test_case("35000", "port 35000 is a port of the IoT Edge proxy"; "the same port")]
#[test_case("31000", "reserved on Azure Stack Edge for the Kubernetes dashboard"; "reserved")]
#[test_case("8080", "already a container port of this module (`8080/tcp`)"; "used by the module")]
#[test_case("http", "is not a port number"; "not a number")]
#[test_case("70000", "is not a port number"; "out of range")]
fn prx003_a_typed_container_port_the_rule_would_not_propose_is_refused(typed: &str, why: &str) {
    let m = load("PRX003");
    let finding = legacy_container_port(&m);
    let device = DeviceProfile::default();
    let value = Decision::Value { value: json!(typed) };
    let refused = check_decision(&m, &device, &analyse, &finding, &value).expect_err("refused");
    assert!(refused.contains(why), "{refused}");
    let out = decide(&m, |f| f.key() == finding.key(), value);
    assert_eq!(out.failed().count(), 1, "migrate refuses it too");
    assert_eq!(
        create_options(&m, &out, "legacy"),
        load("PRX003").module("legacy").unwrap().create_options.value.clone().unwrap()
    );
    assert!(check_decision(&m, &device, &analyse, &finding, &Decision::Value { value: json!("36000") }).is_ok());
}

#[test]
fn prx003_a_typed_host_port_is_checked_the_same_way() {
    let m = load("PRX003");
    let host = findings(&m, "PRX003").into_iter().find(|f| f.message.contains("host port 35001")).expect("host port");
    let device = DeviceProfile::default();
    let check = |v: &str| check_decision(&m, &device, &analyse, &host, &Decision::Value { value: json!(v) });
    assert!(check("35000").is_err_and(|e| e.contains("IoT Edge proxy")));
    assert!(check("31001").is_err_and(|e| e.contains("container registry")));
    assert!(check("8080").is_ok(), "the host port may be the container port itself");
    let out = decide(&m, |f| f.key() == host.key(), Decision::Value { value: json!("9090") });
    assert_eq!(
        create_options(&m, &out, "legacy")["HostConfig"]["PortBindings"]["8080/tcp"],
        json!([{"HostPort": "9090"}])
    );
}

/// The createOptions keys the proxy rules read, and how [`respelt`] spells them.
const SPELLINGS: [(&str, &str); 5] = [
    ("Env", "ENV"),
    ("HostConfig", "hostConfig"),
    ("PortBindings", "portBindings"),
    ("ExposedPorts", "exposedports"),
    ("HostPort", "hostPort"),
];

/// A fixture's text with the createOptions keys the proxy rules read spelt otherwise.
fn respelt(id: &str) -> String {
    let text = std::fs::read_to_string(fixture_path(&format!("rules/{id}.json"))).unwrap();
    let mut out = text.clone();
    for (from, to) in SPELLINGS {
        out = out.replace(&format!(r#"\"{from}\""#), &format!(r#"\"{to}\""#));
    }
    assert_ne!(out, text, "{id}: the fixture has keys to respell");
    out
}

/// What identifies a finding and what it says, ignoring how keys are spelt.
fn gist(f: &Finding) -> Value {
    let s = f.suggestion.as_ref();
    json!({
        "module": f.module, "severity": f.severity, "fix": f.fix(),
        "at": f.location.to_string().to_lowercase(), "message": f.message.to_lowercase(),
        "summary": s.map(|s| &s.summary), "default": s.and_then(|s| s.input.as_ref()).map(|i| &i.default),
    })
}

#[test_case("PRX001")]
#[test_case("PRX002")]
#[test_case("PRX003")]
fn keys_in_other_spellings_get_the_same_findings_and_fixes(id: &str) {
    let canonical = load(id);
    let other = parse(&respelt(id));
    let gists = |m: &Manifest| findings(m, id).iter().map(gist).collect::<Vec<_>>();
    assert_eq!(gists(&other), gists(&canonical), "{id}");

    let migrated = |m: &Manifest| {
        let out = decide(m, |f| f.rule == id && Policy::All.decide(f).is_some(), Decision::Accept);
        assert_eq!(out.failed().count(), 0, "{id}");
        reload(m, &out)
    };
    let (a, b) = (migrated(&canonical), migrated(&other));
    for (x, y) in a.modules.iter().zip(&b.modules) {
        let (cx, cy) = (x.create_options.value.as_ref(), y.create_options.value.as_ref());
        assert_eq!(
            cx.map(|v| v.to_string().to_lowercase()),
            cy.map(|v| v.to_string().to_lowercase()),
            "{id} {}: the same fix",
            x.name
        );
        assert_eq!(a.get(&x.at.child("env")), b.get(&y.at.child("env")), "{id} {}", x.name);
        // Where the fix leaves a key, the module keeps its own spelling of it.
        for (canonical_key, own) in SPELLINGS {
            let kept = cx.is_some_and(|v| v.to_string().contains(&format!("\"{canonical_key}\"")));
            let as_own = cy.is_some_and(|v| v.to_string().contains(&format!("\"{own}\"")));
            assert_eq!(kept, as_own, "{id} {}: `{canonical_key}` spelt `{own}`", y.name);
        }
    }
}
