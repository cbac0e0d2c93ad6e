//! The web proxy rules of the guide (PRX…), one test each, on a small manifest in tests/fixtures/rules.

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

/// The `env` section of a module in the migrated document.
fn env(m: &Manifest, out: &Outcome, module: &str) -> Value {
    let again = reload(m, out);
    let found = again.module(module).and_then(|x| x.env(&again)).cloned();
    found.map_or(Value::Null, Value::Object)
}

#[test]
fn prx001_proxy_without_no_proxy_localhost_gets_it() {
    let m = load("PRX001");
    let found = findings(&m, "PRX001");
    assert_eq!(found.len(), 3, "not with localhost in no_proxy, not with an empty proxy: {found:#?}");
    assert!(found.iter().all(|f| (f.severity, f.section, f.fix) == (Severity::Error, Section::Proxy, FixKind::Auto)));
    let hub = on(&found, "edgeHub");
    assert!(hub.path.ends_with("/systemModules/edgeHub/env/https_proxy"), "{}", hub.path);
    assert!(hub.message.contains("`https_proxy=http://***@proxy.contoso.com:3128`"), "{}", hub.message);
    assert!(!hub.message.contains("s3cret"), "credentials stay out of messages");
    assert!(hub.message.contains("no `no_proxy`"), "{}", hub.message);
    let filter = on(&found, "filter");
    assert!(filter.path.ends_with("/filter/settings/createOptions/Env/0"), "{}", filter.path);
    assert!(filter.message.contains("`NO_PROXY=10.0.0.0/8` does not list localhost"), "{}", filter.message);

    let out = accept(&m, "PRX001");
    assert_eq!(
        env(&m, &out, "edgeHub"),
        json!({
            "https_proxy": {"value": "http://edge:s3cret@proxy.contoso.com:3128"},
            "no_proxy": {"value": "localhost"}
        }),
        "added next to the proxy variable"
    );
    assert_eq!(
        create_options(&m, &out, "filter"),
        json!({"Env": ["HTTPS_PROXY=http://proxy.contoso.com:3128", "NO_PROXY=10.0.0.0/8,localhost"]}),
        "appended to the existing list"
    );
    assert_eq!(
        create_options(&m, &out, "uploader"),
        json!({"Env": ["http_proxy=http://proxy.contoso.com:3128", "no_proxy=localhost"]})
    );
    assert!(auto_left(&m, &out, "PRX001").is_empty());
    assert!(findings(&reload(&m, &out), "PRX001").is_empty());
}

#[test]
fn prx002_edge_hub_behind_proxy_uses_amqp_over_websockets() {
    let m = load("PRX002");
    let found = findings(&m, "PRX002");
    assert_eq!(found.len(), 2, "edgeHub and edgeAgent, not a custom module: {found:#?}");
    assert!(
        found.iter().all(|f| (f.severity, f.section, f.fix) == (Severity::Warning, Section::Proxy, FixKind::Input))
    );
    let hub = on(&found, "edgeHub");
    assert!(hub.path.ends_with("/systemModules/edgeHub/env/UpstreamProtocol"), "{}", hub.path);
    assert!(hub.message.contains("`UpstreamProtocol` is `MQTT `"), "trailing space and all: {}", hub.message);
    let input = hub.suggestion.as_ref().and_then(|s| s.input.as_ref()).expect("input");
    assert_eq!(input.default, Some(json!("AmqpWs")));
    let agent = on(&found, "edgeAgent");
    assert!(agent.path.ends_with("/systemModules/edgeAgent/settings/createOptions/Env/0"), "{}", agent.path);
    assert!(agent.message.contains("`UpstreamProtocol` is `Amqp`"), "{}", agent.message);

    let out = accept(&m, "PRX002");
    assert_eq!(
        env(&m, &out, "edgeHub"),
        json!({"https_proxy": {"value": "http://proxy.contoso.com:3128"}, "UpstreamProtocol": {"value": "AmqpWs"}})
    );
    assert_eq!(
        env(&m, &out, "edgeAgent"),
        json!({"https_proxy": {"value": "http://proxy.contoso.com:3128"}, "UpstreamProtocol": {"value": "AmqpWs"}}),
        "moved from createOptions.Env to the env section, so that only one remains"
    );
    assert_eq!(create_options(&m, &out, "edgeAgent"), json!({}));
    assert!(auto_left(&m, &out, "PRX002").is_empty());
    assert!(findings(&reload(&m, &out), "PRX002").is_empty());

    let mqtt = migrate(&m, &analyse(&m), |f| {
        (f.rule == "PRX002" && f.module.as_deref() == Some("edgeHub"))
            .then(|| Decision::Value { value: json!("MqttWs") })
    });
    assert_eq!(env(&m, &mqtt, "edgeHub")["UpstreamProtocol"], json!({"value": "MqttWs"}));
}

#[test]
fn prx003_proxy_ports_move_to_a_free_port() {
    let m = load("PRX003");
    let found = findings(&m, "PRX003");
    assert_eq!(found.len(), 2, "not 3500, not a placeholder host port: {found:#?}");
    assert!(
        found
            .iter()
            .all(|f| f.section == Section::Proxy && f.fix == FixKind::Input && f.module.as_deref() == Some("legacy"))
    );
    let container = found.iter().find(|f| f.severity == Severity::Error).expect("container port finding");
    assert!(container.path.ends_with("/legacy/settings/createOptions/ExposedPorts/35000~1tcp"), "{}", container.path);
    assert!(container.message.contains("container port 35000"), "{}", container.message);
    assert!(
        container.suggestion.as_ref().is_some_and(|s| s.input.is_none()),
        "one port in three places: confirm or reject"
    );
    assert!(container.suggestion.as_ref().is_some_and(|s| s.summary.contains("35003")), "35002 is used by `web`");
    let host = found.iter().find(|f| f.severity == Severity::Warning).expect("host port finding");
    assert!(host.path.ends_with("/HostConfig/PortBindings/8080~1tcp/0/HostPort"), "{}", host.path);
    assert!(host.message.contains("host port 35001"), "{}", host.message);
    assert_eq!(
        host.suggestion.as_ref().and_then(|s| s.input.as_ref()).and_then(|i| i.default.clone()),
        Some(json!("35004"))
    );

    let out = accept(&m, "PRX003");
    let co = create_options(&m, &out, "legacy");
    assert_eq!(
        co,
        json!({
            "ExposedPorts": {"35003/tcp": {}, "8080/tcp": {}},
            "HostConfig": {"PortBindings": {"35003/tcp": [{"HostPort": "35003"}], "8080/tcp": [{"HostPort": "35004"}]}}
        })
    );
    let keys: Vec<&String> = co["ExposedPorts"].as_object().expect("object").keys().collect();
    assert_eq!(keys, ["35003/tcp", "8080/tcp"], "renamed in place");
    assert!(findings(&reload(&m, &out), "PRX003").is_empty());
    assert!(auto_left(&m, &out, "PRX003").is_empty());

    let typed = migrate(&m, &analyse(&m), |f| {
        (f.rule == "PRX003" && f.severity == Severity::Warning).then(|| Decision::Value { value: json!("9090") })
    });
    assert_eq!(
        create_options(&m, &typed, "legacy")["HostConfig"]["PortBindings"]["8080/tcp"],
        json!([{"HostPort": "9090"}])
    );
}
