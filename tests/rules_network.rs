//! The network rules of the guide (NET…), one test each, on a small manifest in tests/fixtures/rules.

mod common;
use common::*;
use fpga2gpu::migrate::{Decision, Policy, migrate};
use fpga2gpu::rules::{Finding, FixKind, Section, Severity, analyse};
use serde_json::{Value, json};

/// The pointer (inside the decoded createOptions) a finding is about.
fn co_rel(path: &str) -> &str {
    path.split_once("/settings/createOptions").map_or(path, |(_, rel)| rel)
}

fn of<'a>(found: &'a [Finding], module: &str) -> Vec<&'a Finding> {
    found.iter().filter(|f| f.module.as_deref() == Some(module)).collect()
}

fn input_default(f: &Finding) -> Option<Value> {
    f.suggestion.as_ref().and_then(|s| s.input.as_ref()).and_then(|i| i.default.clone())
}

#[test]
fn net001_exposed_port_without_binding_gets_host_port() {
    let m = load("NET001");
    let found = findings(&m, "NET001");
    assert!(of(&found, "sniffer").is_empty(), "a host-network module needs no bindings");
    let web = of(&found, "web");
    let rels: Vec<&str> = web.iter().map(|f| co_rel(&f.path)).collect();
    assert_eq!(rels, ["/ExposedPorts/5000", "/ExposedPorts/8080~1tcp"], "443/tcp is bound (to 8443)");
    assert!(web.iter().all(|f| (f.severity, f.section, f.fix) == (Severity::Warning, Section::Network, FixKind::Auto)));
    assert!(web[1].message.contains("`8080/tcp`"), "{}", web[1].message);
    let proxy = of(&found, "proxy");
    assert_eq!(proxy.len(), 1);
    assert_eq!(proxy[0].fix, FixKind::Input, "host port 80 is taken by 8080/tcp: the engineer confirms 81");
    assert_eq!(input_default(proxy[0]), Some(json!("81")));

    let out = accept(&m, "NET001");
    assert_eq!(
        create_options(&m, &out, "web"),
        json!({"ExposedPorts": {"8080/tcp": {}, "443/tcp": {}, "5000": {}}, "HostConfig": {"PortBindings": {
            "443/tcp": [{"HostPort": "8443"}], "5000/tcp": [{"HostPort": "5000"}], "8080/tcp": [{"HostPort": "8080"}]
        }}})
    );
    assert_eq!(
        create_options(&m, &out, "proxy"),
        json!({"ExposedPorts": {"80/tcp": {}}, "HostConfig": {"PortBindings": {
            "8080/tcp": [{"HostPort": "80"}], "80/tcp": [{"HostPort": "81"}]
        }}})
    );
    assert!(auto_left(&m, &out, "NET001").is_empty());
    assert!(findings(&reload(&m, &out), "NET001").is_empty(), "every exposed port now has a host port");
    assert!(auto_left(&m, &out, "NET002").is_empty(), "the new bindings are complete");
}

#[test]
fn net002_binding_without_usable_host_port_gets_the_container_port() {
    let m = load("NET002");
    let found = findings(&m, "NET002");
    let summary: Vec<(&str, FixKind)> = found.iter().map(|f| (co_rel(&f.path), f.fix)).collect();
    assert_eq!(
        summary,
        [
            ("/HostConfig/PortBindings/3000-3002~1tcp", FixKind::Manual),
            ("/HostConfig/PortBindings/5000~1tcp/0", FixKind::Auto),
            ("/HostConfig/PortBindings/6000~1tcp/1", FixKind::Auto),
            ("/HostConfig/PortBindings/7000~1tcp", FixKind::Auto),
            ("/HostConfig/PortBindings/8080~1tcp/0", FixKind::Auto),
            ("/HostConfig/PortBindings/9090", FixKind::Auto),
        ],
        "a numeric HostPort (4000) is fine and a placeholder key is data"
    );
    assert!(found.iter().all(|f| f.severity == Severity::Error && f.section == Section::Network));
    assert!(found[1].message.contains("`5000-5010`"), "{}", found[1].message);
    assert!(found[5].message.contains("no protocol"), "{}", found[5].message);

    let out = accept(&m, "NET002");
    let co = create_options(&m, &out, "api");
    assert_eq!(
        co,
        json!({"HostConfig": {"PortBindings": {
            "8080/tcp": [{"HostPort": "8080"}],
            "9090/tcp": [{"HostPort": "9090"}],
            "7000/tcp": [{"HostPort": "7000"}],
            "6000/tcp": [{"HostPort": "6000"}],
            "5000/tcp": [{"HostPort": "5000"}],
            "4000/tcp": [{"HostPort": 4000}],
            "${PORT}/tcp": [{}],
            "3000-3002/tcp": [{"HostPort": "3000"}]
        }}})
    );
    let keys: Vec<&String> = co["HostConfig"]["PortBindings"].as_object().unwrap().keys().collect();
    assert_eq!(keys[1], "9090/tcp", "the renamed key keeps its place");
    assert!(auto_left(&m, &out, "NET002").is_empty());
}

#[test]
fn net003_tcp_and_udp_in_one_module_keeps_tcp_by_default() {
    let m = load("NET003");
    let found = findings(&m, "NET003");
    assert!(of(&found, "dns").is_empty(), "a ClusterIP Service may mix protocols on different numbers");
    let lora = of(&found, "lora");
    assert_eq!(lora.len(), 1);
    let f = lora[0];
    assert_eq!((f.severity, f.section, f.fix), (Severity::Error, Section::Network, FixKind::Input));
    assert_eq!(co_rel(&f.path), "/HostConfig/PortBindings");
    assert!(f.message.contains("TCP 1883") && f.message.contains("UDP 1680, 1700"), "{}", f.message);
    assert!(f.message.contains("most of its ports are UDP"), "{}", f.message);
    assert!(f.suggestion.as_ref().unwrap().summary.contains("separate module"));
    assert_eq!(input_default(f), Some(json!({"1883/tcp": [{"HostPort": "1883"}]})));
    assert!(findings(&m, "NET001").is_empty(), "NET003 owns the ports of a module that mixes protocols");

    let out = accept(&m, "NET003");
    assert_eq!(
        create_options(&m, &out, "lora"),
        json!({"ExposedPorts": {"1883/tcp": {}}, "HostConfig": {"PortBindings": {"1883/tcp": [{"HostPort": "1883"}]}}})
    );
    assert!(auto_left(&m, &out, "NET003").is_empty());
    let again = reload(&m, &out);
    assert!(findings(&again, "NET003").is_empty() && findings(&again, "NET001").is_empty());
}

#[test]
fn net004_second_host_port_of_a_container_port_is_dropped() {
    let m = load("NET004");
    let found = findings(&m, "NET004");
    assert_eq!(found.len(), 1, "443 twice (IPv4 + IPv6) is the same host port");
    let f = &found[0];
    assert_eq!((f.severity, f.section, f.fix), (Severity::Error, Section::Network, FixKind::Auto));
    assert_eq!(co_rel(&f.path), "/HostConfig/PortBindings/80~1tcp/1");
    assert!(f.message.contains("80/tcp") && f.message.contains("8080, 8081"), "{}", f.message);

    let out = accept(&m, "NET004");
    assert_eq!(
        create_options(&m, &out, "web"),
        json!({"HostConfig": {"PortBindings": {
            "80/tcp": [{"HostPort": "80"}],
            "443/tcp": [{"HostIp": "0.0.0.0", "HostPort": "443"}, {"HostIp": "::", "HostPort": "443"}]
        }}})
    );
    assert!(auto_left(&m, &out, "NET004").is_empty());
}

#[test]
fn net005_host_network_is_advice_only() {
    let m = load("NET005");
    let found = findings(&m, "NET005");
    assert_eq!(found.len(), 1, "bridge is not the host network");
    let f = &found[0];
    assert_eq!((f.severity, f.section, f.fix), (Severity::Info, Section::Network, FixKind::None));
    assert_eq!(f.module.as_deref(), Some("sniffer"));
    assert_eq!(co_rel(&f.path), "/HostConfig/NetworkMode");
    assert!(f.message.contains("ClusterFirstWithHostNet") && f.suggestion.is_none());

    let out = accept(&m, "NET005");
    assert!(out.applied.is_empty());
    assert_eq!(create_options(&m, &out, "sniffer"), json!({"HostConfig": {"NetworkMode": "host", "Privileged": true}}));
    assert!(auto_left(&m, &out, "NET005").is_empty());
}

#[test]
fn net006_second_host_network_module_is_an_error() {
    let m = load("NET006");
    let found = findings(&m, "NET006");
    let modules: Vec<&str> = found.iter().filter_map(|f| f.module.as_deref()).collect();
    assert_eq!(modules, ["sniffer", "discovery"], "`Host` is the host network for the agent; `default` is not");
    assert!(
        found.iter().all(|f| (f.severity, f.section, f.fix) == (Severity::Error, Section::Network, FixKind::Manual))
    );
    assert!(
        found[0].message.contains("`sniffer`, `discovery`") && found[0].message.contains("35000"),
        "{}",
        found[0].message
    );

    let out = accept(&m, "NET006");
    assert!(out.applied.is_empty());
    assert_eq!(create_options(&m, &out, "discovery"), json!({"HostConfig": {"NetworkMode": "Host"}}));
    assert!(auto_left(&m, &out, "NET006").is_empty());
}

#[test]
fn net007_modules_with_bindings_may_become_cluster_ip_and_ips_are_counted() {
    let m = load("NET007");
    let found = findings(&m, "NET007");
    let per_module: Vec<&str> = found.iter().filter_map(|f| f.module.as_deref()).collect();
    assert_eq!(
        per_module,
        ["camera", "broker"],
        "not ClusterIP modules, host-network modules, an explicit LoadBalancer, or modules without bindings"
    );
    assert!(found.iter().all(|f| f.severity == Severity::Info && f.section == Section::Network));
    assert_eq!(found[0].fix, FixKind::Input);
    assert_eq!(input_default(&found[0]), None, "only the engineer knows whether outside clients call the camera");
    assert!(found[0].message.contains("8080"), "{}", found[0].message);
    assert_eq!(input_default(&found[1]), Some(json!("ClusterIP")), "127.0.0.1 kept the broker off the network");
    assert!(found[1].message.contains("127.0.0.1"), "{}", found[1].message);
    let total = found.iter().find(|f| f.module.is_none()).expect("one deployment-level finding");
    assert_eq!(total.fix, FixKind::None);
    assert!(
        total.message.contains("4 external IPs") && total.message.contains("`edgeHub`, `camera`, `broker`, `gateway`"),
        "{}",
        total.message
    );

    let out = migrate_rule(&m, "NET007", Decision::Value { value: json!("ClusterIP") });
    assert_eq!(
        create_options(&m, &out, "camera"),
        json!({"HostConfig": {"PortBindings": {"8080/tcp": [{"HostPort": "8080"}]}}, "k8s-experimental": {"serviceOptions": {"type": "ClusterIP"}}})
    );
    assert!(auto_left(&m, &out, "NET007").is_empty());
    let again = findings(&reload(&m, &out), "NET007");
    assert_eq!(again.len(), 1, "{again:?}");
    assert!(
        again[0].message.contains("2 external IPs") && again[0].message.contains("`edgeHub`, `gateway`"),
        "{}",
        again[0].message
    );

    // `--accept all` takes the default only where there is one.
    let all = migrate(&m, &analyse(&m), |f| if f.rule == "NET007" { Policy::All.decide(f) } else { None });
    assert_eq!(all.applied.len(), 1);
    assert_eq!(create_options(&m, &all, "broker")["k8s-experimental"]["serviceOptions"]["type"], "ClusterIP");
}

#[test]
fn net008_module_address_uses_lower_case_service_and_host_port() {
    let m = load("NET008");
    let found = findings(&m, "NET008");
    assert_eq!(found.len(), 2, "not `scoring2:5001`, not a placeholder, not `scoring:8081`, not the route: {found:?}");
    assert!(
        found.iter().all(|f| (f.severity, f.section, f.fix) == (Severity::Warning, Section::Network, FixKind::Auto))
    );
    assert!(found.iter().all(|f| f.module.as_deref() == Some("client")));
    assert!(found[0].path.ends_with("/modules/client/env/SCORING_URL/value"), "{}", found[0].path);
    assert!(found[0].message.contains("`Scoring:5001`"), "{}", found[0].message);
    assert_eq!(co_rel(&found[1].path), "/Env/0");

    let out = accept(&m, "NET008");
    let again = reload(&m, &out);
    let client = again.module("client").unwrap();
    assert_eq!(client.env_value(&again, "SCORING_URL"), Some("http://scoring:8081/score"));
    assert_eq!(client.env_value(&again, "OTHER"), Some("http://scoring2:5001"));
    assert_eq!(client.env_value(&again, "TEMPLATE"), Some("${SCORING_HOST}:5001"));
    assert_eq!(
        create_options(&m, &out, "client"),
        json!({"Env": ["BACKUP=tcp://scoring:8081,scoring:8081", "PLAIN=no address here"]})
    );
    assert!(auto_left(&m, &out, "NET008").is_empty());
}

#[test]
fn net009_misspelled_service_options_and_unknown_type_are_fixed() {
    let m = load("NET009");
    let found = findings(&m, "NET009");
    let at: Vec<(&str, &str)> = found.iter().map(|f| (f.module.as_deref().unwrap(), co_rel(&f.path))).collect();
    assert_eq!(
        at,
        [("a", "/k8s-experimental/service-options"), ("b", "/k8s-experimental/serviceOptions/type")],
        "`nodeport` is read case-insensitively"
    );
    assert!(found.iter().all(|f| (f.severity, f.section, f.fix) == (Severity::Error, Section::Network, FixKind::Auto)));
    assert!(
        found[0].message.contains("`service-options`") && found[0].message.contains("\"Cluster-IP\""),
        "{}",
        found[0].message
    );
    assert!(found[1].message.contains("\"Internal\""), "{}", found[1].message);

    let out = accept(&m, "NET009");
    assert_eq!(create_options(&m, &out, "a"), json!({"k8s-experimental": {"serviceOptions": {"type": "ClusterIP"}}}));
    assert_eq!(
        create_options(&m, &out, "b"),
        json!({"k8s-experimental": {"serviceOptions": {"loadBalancerIP": "10.0.0.5"}}})
    );
    assert_eq!(create_options(&m, &out, "c"), json!({"k8s-experimental": {"serviceOptions": {"type": "nodeport"}}}));
    assert!(auto_left(&m, &out, "NET009").is_empty());
}

#[test]
fn net010_reserved_host_port_moves_to_another_port() {
    let m = load("NET010");
    let found = findings(&m, "NET010");
    let rels: Vec<&str> = found.iter().map(|f| co_rel(&f.path)).collect();
    assert_eq!(
        rels,
        ["/HostConfig/PortBindings/5000~1tcp/0/HostPort", "/HostConfig/PortBindings/8080~1tcp/0/HostPort"]
    );
    assert!(
        found.iter().all(|f| (f.severity, f.section, f.fix) == (Severity::Error, Section::Network, FixKind::Input))
    );
    assert!(
        found[0].message.contains("31001") && found[0].message.contains("container registry"),
        "{}",
        found[0].message
    );
    assert!(found[1].message.contains("31000") && found[1].message.contains("dashboard"), "{}", found[1].message);
    assert_eq!(input_default(&found[0]), Some(json!("5000")));
    assert_eq!(input_default(&found[1]), None, "8080 is already a host port of the module");

    let all = analyse(&m);
    let out = migrate(&m, &all, |f| {
        (f.rule == "NET010")
            .then(|| if f.path.contains("8080") { Decision::Value { value: json!("8088") } } else { Decision::Accept })
    });
    assert!(out.skipped.is_empty() && out.warnings.is_empty());
    assert_eq!(
        create_options(&m, &out, "registry"),
        json!({"HostConfig": {"PortBindings": {
            "5000/tcp": [{"HostPort": "5000"}], "8080/tcp": [{"HostPort": "8088"}], "80/tcp": [{"HostPort": "8080"}]
        }}})
    );
    assert!(findings(&reload(&m, &out), "NET010").is_empty());
    assert!(auto_left(&m, &out, "NET010").is_empty());
}

#[test]
fn net011_ignored_network_settings_are_removed() {
    let m = load("NET011");
    let found = findings(&m, "NET011");
    let gateway = of(&found, "gateway");
    let rels: Vec<&str> = gateway.iter().map(|f| co_rel(&f.path)).collect();
    assert_eq!(
        rels,
        [
            "/HostConfig/Dns",
            "/HostConfig/DnsSearch",
            "/HostConfig/ExtraHosts",
            "/HostConfig/NetworkMode",
            "/NetworkingConfig"
        ]
    );
    assert!(found.iter().all(|f| f.section == Section::Network && f.fix == FixKind::Auto));
    assert_eq!(gateway[1].severity, Severity::Info, "an empty DnsSearch sets nothing");
    assert_eq!(gateway[0].severity, Severity::Warning);
    assert!(gateway[2].message.contains("opcserver:10.0.0.5"), "{}", gateway[2].message);
    assert!(gateway[3].message.contains("azure-iot-edge"), "{}", gateway[3].message);
    assert!(gateway[4].message.contains("NetworkMode: host"), "{}", gateway[4].message);
    let discovery = of(&found, "discovery");
    assert_eq!(discovery.len(), 1);
    assert!(
        discovery[0].message.contains("`Host`") && discovery[0].message.contains("Docker"),
        "{}",
        discovery[0].message
    );
    assert!(of(&found, "web").is_empty(), "bridge is fine");

    let out = accept(&m, "NET011");
    assert_eq!(create_options(&m, &out, "gateway"), json!({"HostConfig": {"Privileged": true}}));
    assert_eq!(create_options(&m, &out, "discovery"), json!({"HostConfig": {"NetworkMode": "host"}}));
    assert_eq!(create_options(&m, &out, "web"), json!({"HostConfig": {"NetworkMode": "bridge"}}));
    assert!(auto_left(&m, &out, "NET011").is_empty());
}
