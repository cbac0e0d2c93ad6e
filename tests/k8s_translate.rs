//! The translation, test by test from what the archived agent's own unit tests establish
//! (`KubernetesDeploymentMapperTest`, `KubernetesServiceMapperTest`, `KubernetesPvcMapperTest`,
//! `KubernetesServiceAccountMapperTest`, `KubeUtilsTest`, `PortAndProtocolTest`,
//! `KubernetesExperimentalPodParametersTest`, `CombinedKubernetesConfigProviderTest`), on
//! manifests of our own.

use fpga2gpu::device::{DeviceProfile, ServiceType};
use fpga2gpu::k8s::{ModuleObjects, Object, translate};
use fpga2gpu::manifest::Manifest;
use fpga2gpu::rules::shared::names;
use k8s_openapi::api::core::v1::{Container, PodSpec, Service};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use serde_json::{Value, json};
use test_case::test_case;

/// A deployment with the two system modules and `modules` (name → module object).
fn manifest(modules: Value) -> Manifest {
    let doc = json!({"modulesContent": {
        "$edgeAgent": {"properties.desired": {
            "schemaVersion": "1.1",
            "runtime": {"type": "docker", "settings": {"registryCredentials": {
                "acr": {"address": "myacr.azurecr.io", "username": "MyUser", "password": "secret"}
            }}},
            "systemModules": {
                "edgeAgent": {"type": "docker", "settings": {"image": "mcr.microsoft.com/azureiotedge-agent:1.1", "createOptions": "{}"}},
                "edgeHub": {"type": "docker", "status": "running", "restartPolicy": "always", "settings": {
                    "image": "mcr.microsoft.com/azureiotedge-hub:1.1",
                    "createOptions": "{\"HostConfig\":{\"PortBindings\":{\"5671/tcp\":[{\"HostPort\":\"5671\"}],\"8883/tcp\":[{\"HostPort\":\"8883\"}],\"443/tcp\":[{\"HostPort\":\"443\"}]}}}"
                }}
            },
            "modules": modules
        }},
        "$edgeHub": {"properties.desired": {"schemaVersion": "1.1", "routes": {}}}
    }});
    Manifest::load(serde_json::to_string_pretty(&doc).unwrap().as_bytes()).expect("test manifest loads")
}

/// A custom module with these createOptions (written as a string, as IoT Hub stores them).
fn module(create_options: Value) -> Value {
    json!({"type": "docker", "status": "running", "restartPolicy": "always", "settings": {
        "image": "myacr.azurecr.io/module1:1.0", "createOptions": create_options.to_string()
    }})
}

fn translate_with(create_options: Value, device: &DeviceProfile) -> ModuleObjects {
    let m = manifest(json!({"module1": module(create_options)}));
    translate(&m, device).into_iter().find(|o| o.module == "module1").expect("module1 translated")
}

fn one(create_options: Value) -> ModuleObjects {
    translate_with(create_options, &DeviceProfile::default())
}

fn pod(mo: &ModuleObjects) -> &PodSpec {
    mo.deployment().expect("a Deployment").spec.as_ref().unwrap().template.spec.as_ref().unwrap()
}

fn container(mo: &ModuleObjects) -> &Container {
    pod(mo).containers.iter().find(|c| c.name != "proxy").expect("the module's container")
}

fn env(c: &Container, name: &str) -> Option<String> {
    c.env.iter().flatten().find(|e| e.name == name).and_then(|e| e.value.clone())
}

fn refused(create_options: Value) -> String {
    let mo = one(create_options);
    assert!(mo.objects.is_empty(), "a refused module has no objects: {:?}", mo.objects);
    mo.error.expect("the agent refuses the module")
}

// --- Deployments -----------------------------------------------------------------------------

#[test]
fn a_simple_module_is_one_running_pod_owned_by_iotedged() {
    let mo = one(json!({}));
    assert_eq!(mo.error, None);
    let kinds: Vec<&str> = mo.objects.iter().map(Object::kind).collect();
    assert_eq!(kinds, ["ServiceAccount", "Deployment"], "no ports: no Service; no volume: no claim");
    let d = mo.deployment().unwrap();
    assert_eq!(d.metadata.name.as_deref(), Some("module1"));
    let owners = d.metadata.owner_references.as_ref().unwrap();
    assert_eq!((owners.len(), owners[0].kind.as_str(), owners[0].name.as_str()), (1, "Deployment", "iotedged"));
    assert_eq!(d.spec.as_ref().unwrap().replicas, Some(1));
    let p = pod(&mo);
    let names: Vec<&str> = p.containers.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["proxy", "module1"], "the proxy side-car comes first in every pod");
    let volumes: Vec<&str> = p.volumes.iter().flatten().map(|v| v.name.as_str()).collect();
    assert_eq!(volumes, ["config-volume", "trust-bundle-volume"], "two volumes for the proxy by default");
    let proxy = &p.containers[0];
    let mounts: Vec<(&str, Option<bool>)> =
        proxy.volume_mounts.iter().flatten().map(|m| (m.mount_path.as_str(), m.read_only)).collect();
    assert_eq!(mounts, [("/etc/iotedge-proxy", Some(true)), ("/etc/trust-bundle", None)]);
    assert_eq!(container(&mo).volume_mounts.as_deref().map(<[_]>::len), Some(0));
    assert_eq!(p.service_account_name.as_deref(), Some("module1"));
    assert!(p.security_context.is_none(), "no pod security context by default");
    assert_eq!(p.image_pull_secrets.as_ref().map(Vec::len), Some(1), "the registry credential of the image's host");
    assert!(p.node_selector.is_none());
    assert!(d.spec.as_ref().unwrap().strategy.is_none());
    let c = container(&mo);
    assert!(c.resources.is_none() && c.args.is_none() && c.command.is_none() && c.working_dir.is_none());
}

#[test]
fn a_stopped_module_has_zero_replicas() {
    let mut m = module(json!({}));
    m["status"] = json!("stopped");
    let mo = translate(&manifest(json!({"module1": m})), &DeviceProfile::default()).pop().unwrap();
    assert_eq!(mo.deployment().unwrap().spec.as_ref().unwrap().replicas, Some(0));
}

#[test]
fn labels_privileged_and_a_read_only_bind_reach_the_pod() {
    let mo = one(
        json!({"Labels": {"demo": "test"}, "HostConfig": {"Privileged": true, "Binds": ["/home/blah:/home/blah2:ro"]}}),
    );
    let d = mo.deployment().unwrap();
    let meta = d.spec.as_ref().unwrap().template.metadata.as_ref().unwrap();
    let annotations = meta.annotations.as_ref().unwrap();
    assert_eq!(annotations.get("demo").map(String::as_str), Some("test"), "Docker labels become annotations");
    assert_eq!(annotations.get("net.azure-devices.edge.original-moduleid").map(String::as_str), Some("module1"));
    let c = container(&mo);
    assert_eq!(c.security_context.as_ref().and_then(|s| s.privileged), Some(true));
    let mounts = c.volume_mounts.as_ref().unwrap();
    assert_eq!(mounts.len(), 1);
    assert_eq!(
        (mounts[0].name.as_str(), mounts[0].mount_path.as_str(), mounts[0].read_only),
        ("homeblah", "/home/blah2", Some(true))
    );
    let v = pod(&mo).volumes.as_ref().unwrap().iter().find(|v| v.name == "homeblah").expect("the bind's volume");
    let hp = v.host_path.as_ref().unwrap();
    assert_eq!((hp.path.as_str(), hp.type_.as_deref()), ("/home/blah", Some("DirectoryOrCreate")));
    assert_eq!(pod(&mo).volumes.as_ref().unwrap().len(), 3);
}

#[test]
fn the_bind_options_are_read_ro_by_substring_of_the_third_part() {
    let mo = one(json!({"HostConfig": {"Binds": ["/a:/a:rw", "/b:/b:ro,z", "/c:/c", "nocolon", "/d:/d:rw:ro"]}}));
    let ro: Vec<(&str, Option<bool>)> =
        container(&mo).volume_mounts.iter().flatten().map(|m| (m.mount_path.as_str(), m.read_only)).collect();
    assert_eq!(ro, [("/a", Some(false)), ("/b", Some(true)), ("/c", Some(false)), ("/d", Some(false))]);
}

#[test]
fn env_comes_in_order_split_at_the_first_equals() {
    let mut m = module(
        json!({"Env": ["a=b", "ALL_EQUALS=====", "HAS_SPACES=this variable has spaces", "B=b=c", "BASE64_TEXT=YmFzZTY0Cg==", "==not a valid env var", "NOEQUALS"]}),
    );
    m["env"] = json!({"FROM_SECTION": {"value": "1"}});
    let mo = translate(&manifest(json!({"module1": m})), &DeviceProfile::default()).pop().unwrap();
    let c = container(&mo);
    let names: Vec<&str> = c.env.iter().flatten().map(|e| e.name.as_str()).collect();
    assert_eq!(
        names[..7],
        ["FROM_SECTION", "a", "ALL_EQUALS", "HAS_SPACES", "B", "BASE64_TEXT", "IOTEDGE_IOTHUBHOSTNAME"],
        "the env section, then createOptions Env, then the agent's"
    );
    assert_eq!(env(c, "ALL_EQUALS").as_deref(), Some("===="));
    assert_eq!(env(c, "B").as_deref(), Some("b=c"));
    assert_eq!(env(c, "BASE64_TEXT").as_deref(), Some("YmFzZTY0Cg=="));
    assert!(!names.contains(&"NOEQUALS") && !names.iter().any(|n| n.is_empty()), "{names:?}");
    assert_eq!(env(c, "IOTEDGE_MODULEID").as_deref(), Some("module1"));
    assert_eq!(env(c, "IOTEDGE_DEVICEID").as_deref(), Some(DeviceProfile::default().device_id.as_str()));
    assert_eq!(env(c, "IOTEDGE_GATEWAYHOSTNAME").as_deref(), Some("edgehub"));
    assert_eq!(env(c, "RuntimeLogLevel").as_deref(), Some("Information"));
}

#[test]
fn a_runtime_log_level_given_is_not_added_again() {
    let c = one(json!({"Env": ["RuntimeLogLevel=debug"]}));
    let levels: Vec<_> = container(&c).env.iter().flatten().filter(|e| e.name == "RuntimeLogLevel").collect();
    assert_eq!(levels.len(), 1);
    assert_eq!(levels[0].value.as_deref(), Some("debug"));
}

#[test]
fn cmd_becomes_args_entrypoint_command_and_working_dir_stays() {
    let mo = one(
        json!({"cmd": ["argument1", "argument2"], "Entrypoint": ["command", "argument-a"], "workingdir": "/tmp/working"}),
    );
    let c = container(&mo);
    assert_eq!(c.args.as_deref(), Some(&["argument1".to_owned(), "argument2".to_owned()][..]));
    assert_eq!(c.command.as_deref(), Some(&["command".to_owned(), "argument-a".to_owned()][..]));
    assert_eq!(c.working_dir.as_deref(), Some("/tmp/working"));
}

#[test]
fn edge_agent_gets_its_settings_config_volume_and_default_resources() {
    let device = DeviceProfile {
        run_as_non_root: true,
        volume_name_from_source: true,
        storage_class: Some("scname".into()),
        pvc_size_mb: Some(100),
        ..DeviceProfile::default()
    };
    let all = translate(&manifest(json!({})), &device);
    let agent = all.iter().find(|m| m.module == "edgeAgent").unwrap();
    assert_eq!(agent.id, "$edgeAgent");
    let c = container(agent);
    assert_eq!(c.name, "edgeagent");
    for (k, v) in [
        ("Mode", "kubernetes"),
        ("IOTEDGE_MANAGEMENTURI", "http://localhost:35000/"),
        ("NetworkId", "azure-iot-edge"),
        ("K8sNamespace", "iotedge"),
        ("RunAsNonRoot", "True"),
        ("EdgeK8sObjectOwnerName", "iotedged"),
        ("PortMappingServiceType", "LoadBalancer"),
        ("EnableK8sServiceCallTracing", "False"),
        ("UseMountSourceForVolumeName", "True"),
        ("StorageClassName", "scname"),
        ("PersistentVolumeClaimDefaultSizeInMb", "100"),
        ("IOTEDGE_MODULEID", "$edgeAgent"),
        ("EdgeDeviceHostName", "localhost"),
    ] {
        assert_eq!(env(c, k).as_deref(), Some(v), "{k}");
    }
    assert_eq!(env(c, "IOTEDGE_GATEWAYHOSTNAME"), None, "system modules get no gateway host name");
    let mounts: Vec<&str> = c.volume_mounts.iter().flatten().map(|m| m.name.as_str()).collect();
    assert_eq!(mounts, ["agent-config-volume"]);
    let limits = c.resources.as_ref().unwrap().limits.as_ref().unwrap();
    assert_eq!(limits.get("memory"), Some(&Quantity("200Mi".into())));
    assert_eq!(pod(agent).security_context.as_ref().and_then(|s| s.run_as_user), Some(1000));
    let hub = all.iter().find(|m| m.module == "edgeHub").unwrap();
    assert_eq!(hub.id, "$edgeHub");
    assert_eq!(env(container(hub), "Mode"), None, "only edgeAgent gets the agent's settings");
    assert_eq!(env(container(hub), "IOTEDGE_GATEWAYHOSTNAME"), None);
    assert!(container(hub).resources.is_none(), "only edgeAgent gets default resources");
}

#[test_case(json!({}), None, None, None, None; "nothing set")]
#[test_case(json!({"IpcMode": "host", "NetworkMode": "HOST", "PidMode": "host"}), Some(true), Some(true), Some(true), Some("ClusterFirstWithHostNet"); "host everywhere")]
#[test_case(json!({"IpcMode": "private", "NetworkMode": "bridge", "PidMode": "container:module-a"}), Some(false), Some(false), Some(false), None; "anything else is false, not absent")]
fn host_ipc_network_and_pid(hc: Value, ipc: Option<bool>, network: Option<bool>, pid: Option<bool>, dns: Option<&str>) {
    let mo = one(json!({"HostConfig": hc}));
    let p = pod(&mo);
    assert_eq!((p.host_ipc, p.host_network, p.host_pid, p.dns_policy.as_deref()), (ipc, network, pid, dns));
}

#[test]
fn images_get_latest_and_a_pull_secret_from_the_registry_credentials() {
    let mut m = module(json!({}));
    m["settings"]["image"] = json!(" myacr.azurecr.io/module1 ");
    let mo = translate(&manifest(json!({"module1": m})), &DeviceProfile::default()).pop().unwrap();
    assert_eq!(container(&mo).image.as_deref(), Some("myacr.azurecr.io/module1:latest"));
    let secrets: Vec<&str> = pod(&mo).image_pull_secrets.iter().flatten().map(|s| s.name.as_str()).collect();
    assert_eq!(secrets, ["myuser-myacr.azurecr.io"]);
    let mut other = module(json!({}));
    other["settings"]["image"] = json!("docker.io/library/nginx:1.25");
    let mo = translate(&manifest(json!({"module1": other})), &DeviceProfile::default()).pop().unwrap();
    assert!(pod(&mo).image_pull_secrets.is_none(), "no credential for this registry");
}

#[test]
fn node_selector_resources_security_context_and_strategy_come_from_k8s_experimental() {
    let mo = one(json!({"k8s-experimental": {
        "NodeSelector": {"disktype": "ssd", "gpu": true},
        "resources": {"limits": {"memory": "128Mi", "cpu": "500M", "hardware-vendor.example/foo": 2}, "requests": {"memory": "64Mi"}},
        "securityContext": {"runAsGroup": 1001, "runAsUser": "1000", "runAsNonRoot": "true"},
        "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1}},
        "unknownKey": {"a": "b"}
    }}));
    let p = pod(&mo);
    let ns = p.node_selector.as_ref().unwrap();
    assert_eq!((ns["disktype"].as_str(), ns["gpu"].as_str()), ("ssd", "True"), "Newtonsoft writes a boolean as True");
    let limits = container(&mo).resources.as_ref().unwrap().limits.as_ref().unwrap();
    assert_eq!(limits["hardware-vendor.example/foo"], Quantity("2".into()));
    let sc = p.security_context.as_ref().unwrap();
    assert_eq!((sc.run_as_group, sc.run_as_user, sc.run_as_non_root), (Some(1001), Some(1000), Some(true)));
    let strategy = mo.deployment().unwrap().spec.as_ref().unwrap().strategy.as_ref().unwrap();
    assert_eq!(strategy.type_.as_deref(), Some("RollingUpdate"));
    assert_eq!(strategy.rolling_update.as_ref().unwrap().max_unavailable, Some(IntOrString::Int(1)));
}

#[test]
fn the_pod_security_context_overrides_run_as_non_root() {
    let device = DeviceProfile { run_as_non_root: true, ..DeviceProfile::default() };
    let mo = translate_with(
        json!({"k8s-experimental": {"securityContext": {"runAsNonRoot": true, "runAsUser": 0}}}),
        &device,
    );
    assert_eq!(pod(&mo).security_context.as_ref().unwrap().run_as_user, Some(0));
    let mo = translate_with(json!({}), &device);
    let sc = pod(&mo).security_context.as_ref().unwrap();
    assert_eq!((sc.run_as_non_root, sc.run_as_user), (Some(true), Some(1000)));
}

#[test]
fn the_section_needs_its_exact_key_and_extensions_can_be_off() {
    let mo = one(json!({"K8s-Experimental": {"nodeSelector": {"a": "b"}}}));
    assert!(pod(&mo).node_selector.is_none(), "another spelling of the section is not read");
    let mo = one(json!({"k8s-experimental": "not an object"}));
    assert_eq!(mo.error, None, "a section that is not an object is ignored with a log line");
    let device = DeviceProfile { k8s_extensions: false, ..DeviceProfile::default() };
    let mo = translate_with(json!({"k8s-experimental": {"nodeSelector": {"a": "b"}}}), &device);
    assert!(pod(&mo).node_selector.is_none(), "--no-k8s-extensions: the section is ignored");
    let mo = one(json!({"k8s-experimental": {"nodeSelector": null, "resources": null}}));
    assert!(pod(&mo).node_selector.is_none() && container(&mo).resources.is_none());
}

#[test]
fn extension_volumes_come_first_read_as_newtonsoft_reads_them_and_override_nothing() {
    let mo = one(json!({
        "HostConfig": {"Binds": ["/home/blah:/home/blah2:ro"]},
        "k8s-experimental": {"volumes": [{
            "Volume": {"name": "homeblah", "configMap": {"name": "cfg", "optional": "true", "defaultMode": 420, "items": [{"key": "k", "path": "p", "mode": "420"}]}},
            "volumeMounts": [{"name": "homeblah", "mountPath": "/home/blah", "readOnly": "true", "subPath": ""}]
        }]}
    }));
    let volumes = pod(&mo).volumes.as_ref().unwrap();
    let names: Vec<&str> = volumes.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(
        names,
        ["config-volume", "trust-bundle-volume", "homeblah", "homeblah"],
        "both are kept: the pod is rejected"
    );
    let cm = volumes[2].config_map.as_ref().expect("the extension volume first");
    assert_eq!((cm.optional, cm.default_mode, cm.items.as_ref().unwrap()[0].mode), (Some(true), Some(420), Some(420)));
    let mounts: Vec<(&str, Option<bool>)> =
        container(&mo).volume_mounts.iter().flatten().map(|m| (m.mount_path.as_str(), m.read_only)).collect();
    assert_eq!(mounts, [("/home/blah2", Some(true)), ("/home/blah", Some(true))], "extension mounts come last");
}

#[test]
fn mounts_of_one_source_share_one_volume_read_write_winning() {
    let mo = one(json!({"HostConfig": {
        "Binds": ["/home/bind:/home/bind1", "/home/bind:/home/bind2:ro"],
        "Mounts": [
            {"Type": "volume", "ReadOnly": true, "Source": "a-volume", "Target": "/tmp/volume1"},
            {"Type": "volume", "ReadOnly": false, "Source": "a-volume", "Target": "/tmp/volume2"},
            {"Type": "volume", "ReadOnly": true, "Source": "b-volume", "Target": "/tmp/volume3"},
            {"Type": "volume", "ReadOnly": true, "Source": "b-volume", "Target": "/tmp/volume4"},
            {"Type": "Bind", "ReadOnly": true, "Source": "/home/data/test", "Target": "/home/test1"},
            {"type": "bind", "readOnly": false, "source": "/home/data/test", "target": "/home/test2"}
        ]
    }}));
    let volumes = pod(&mo).volumes.as_ref().unwrap();
    let names: Vec<&str> = volumes.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(names, ["config-volume", "trust-bundle-volume", "homebind", "homedatatest", "a-volume", "b-volume"]);
    let claim = |n: &str| volumes.iter().find(|v| v.name == n).unwrap().persistent_volume_claim.clone().unwrap();
    assert_eq!((claim("a-volume").claim_name.as_str(), claim("a-volume").read_only), ("a-volume", Some(false)));
    assert_eq!(claim("b-volume").read_only, Some(true));
    assert_eq!(volumes[3].host_path.as_ref().unwrap().path, "/home/data/test");
    let mounts: Vec<(&str, &str, Option<bool>)> = container(&mo)
        .volume_mounts
        .iter()
        .flatten()
        .map(|m| (m.name.as_str(), m.mount_path.as_str(), m.read_only))
        .collect();
    assert_eq!(
        mounts,
        [
            ("homebind", "/home/bind1", Some(false)),
            ("homebind", "/home/bind2", Some(true)),
            ("homedatatest", "/home/test1", Some(true)),
            ("homedatatest", "/home/test2", Some(false)),
            ("a-volume", "/tmp/volume1", Some(true)),
            ("a-volume", "/tmp/volume2", Some(false)),
            ("b-volume", "/tmp/volume3", Some(true)),
            ("b-volume", "/tmp/volume4", Some(true)),
        ]
    );
    assert_eq!(mo.claims().count(), 0, "no storage class: the pod names claims the agent does not make");
}

// --- Services --------------------------------------------------------------------------------

fn spec(s: &Service) -> &k8s_openapi::api::core::v1::ServiceSpec {
    s.spec.as_ref().unwrap()
}

fn ports(s: &Service) -> Vec<(i32, String, String, Option<IntOrString>)> {
    spec(s)
        .ports
        .iter()
        .flatten()
        .map(|p| {
            (p.port, p.name.clone().unwrap_or_default(), p.protocol.clone().unwrap_or_default(), p.target_port.clone())
        })
        .collect()
}

#[test]
fn no_ports_no_service_and_invalid_port_keys_are_skipped() {
    assert!(one(json!({})).service().is_none());
    let mo = one(json!({"ExposedPorts": {"aa/TCP": {}, "123/XXX": {}, "10/tcp/udp": {}, "80/ tcp": {}}}));
    assert!(mo.service().is_none(), "every key is skipped: no Service");
    assert_eq!(container(&mo).ports.as_deref().map(<[_]>::len), Some(0));
}

#[test]
fn exposed_ports_only_make_a_cluster_ip_service() {
    let mo = one(json!({"ExposedPorts": {"80/tcp": {}, "5000/udp": {}, "3434": {}}}));
    let s = mo.service().unwrap();
    assert_eq!(spec(s).type_.as_deref(), Some("ClusterIP"), "whatever the default type");
    assert_eq!(
        ports(s),
        [
            (80, "exposedport-80-tcp".into(), "TCP".into(), None),
            (5000, "exposedport-5000-udp".into(), "UDP".into(), None),
            (3434, "exposedport-3434-tcp".into(), "TCP".into(), None),
        ]
    );
    let cports: Vec<(i32, Option<&str>)> =
        container(&mo).ports.iter().flatten().map(|p| (p.container_port, p.protocol.as_deref())).collect();
    assert_eq!(cports, [(80, Some("TCP")), (5000, Some("UDP")), (3434, Some("TCP"))]);
    assert_eq!(s.metadata.name.as_deref(), Some("module1"));
    assert_eq!(spec(s).selector, s.metadata.labels, "the selector is the module's labels");
}

#[test]
fn host_ports_make_the_default_type_and_replace_exposed_ports_of_their_number() {
    let mo = one(json!({"ExposedPorts": {"10/tcp": {}, "80/tcp": {}}, "HostConfig": {"PortBindings": {
        "10/TCP": [{"HostPort": "10"}], "80/tcp": [{"HostPort": "8080"}], "5000/udp": [{"HostPort": 5050}], "6000/tcp": [{"HostPort": "6000-6010"}, {}]
    }}}));
    let s = mo.service().unwrap();
    assert_eq!(spec(s).type_.as_deref(), Some("LoadBalancer"), "the profile's default (ASE: LoadBalancer)");
    assert_eq!(
        ports(s),
        [
            (10, "hostport-10-tcp".into(), "TCP".into(), Some(IntOrString::Int(10))),
            (80, "exposedport-80-tcp".into(), "TCP".into(), None),
            (8080, "hostport-80-tcp".into(), "TCP".into(), Some(IntOrString::Int(80))),
            (5050, "hostport-5000-udp".into(), "UDP".into(), Some(IntOrString::Int(5000))),
        ],
        "merged by port number in first-seen order; ranges and missing host ports skipped"
    );
    let device = DeviceProfile { service_type: ServiceType::NodePort, ..DeviceProfile::default() };
    let mo = translate_with(json!({"HostConfig": {"PortBindings": {}}}), &device);
    assert!(mo.service().is_none(), "empty bindings: no port, no Service");
    let mo = translate_with(json!({"ExposedPorts": {"80/tcp": {}}, "HostConfig": {"PortBindings": {}}}), &device);
    assert_eq!(
        spec(mo.service().unwrap()).type_.as_deref(),
        Some("NodePort"),
        "PortBindings present: not only exposed ports"
    );
}

#[test_case(json!({"type": "nodeport", "loadBalancerIP": "10.0.0.5"}), "NodePort", Some("10.0.0.5"); "type ignoring case")]
#[test_case(json!({"Type": "clusterIP"}), "ClusterIP", None; "overrides the default")]
#[test_case(json!({"loadbalancerip": "any old string"}), "LoadBalancer", Some("any old string"); "no type: the default")]
#[test_case(json!({"type": "External"}), "LoadBalancer", None; "unknown type: the default")]
#[test_case(json!({"type": 2}), "NodePort", None; "a number is a value")]
#[test_case(json!({"type": "LoadBalancer, NodePort"}), "3", None; "names are or-ed")]
fn service_options(options: Value, service_type: &str, ip: Option<&str>) {
    let mo = one(
        json!({"HostConfig": {"PortBindings": {"80/tcp": [{"HostPort": "80"}]}}, "k8s-experimental": {"serviceOptions": options}}),
    );
    let s = spec(mo.service().unwrap());
    assert_eq!((s.type_.as_deref(), s.load_balancer_ip.as_deref()), (Some(service_type), ip));
}

#[test]
fn service_annotations_are_the_sanitised_labels() {
    let mo = one(json!({"ExposedPorts": {"80/tcp": {}}, "Labels": {
        "Complicated Value that doesn't fit in k8s label name": "Complicated Value that doesn't fit in k8s label value",
        "Label2": "Value2", "K8S.IO/---a-0--": "x"
    }}));
    let a = mo.service().unwrap().metadata.annotations.as_ref().unwrap();
    assert_eq!(
        a["ComplicatedValuethatdoesntfitink8slabelname"],
        "Complicated Value that doesn't fit in k8s label value"
    );
    assert_eq!(a["Label2"], "Value2");
    assert_eq!(a["k8s.io/a-0"], "x");
    assert!(!a.contains_key("net.azure-devices.edge.original-moduleid"), "only the pod carries the module id");
}

// --- PersistentVolumeClaims ------------------------------------------------------------------

fn volume_mounts() -> Value {
    json!({"HostConfig": {"Mounts": [
        {"Type": "volume", "ReadOnly": true, "Source": "a-volume", "Target": "/tmp/volumea"},
        {"Type": "volume", "ReadOnly": false, "Source": "B-Volume", "Target": "/tmp/volumeb"},
        {"Type": "bind", "Source": "/srv", "Target": "/srv"}
    ]}})
}

#[test]
fn claims_only_with_a_storage_class_and_an_empty_one_is_one() {
    assert_eq!(one(volume_mounts()).claims().count(), 0);
    let device =
        DeviceProfile { storage_class: Some(String::new()), pvc_size_mb: Some(10), ..DeviceProfile::default() };
    let mo = translate_with(volume_mounts(), &device);
    let claims: Vec<_> = mo.claims().collect();
    assert_eq!(claims.len(), 2, "volume mounts only");
    let a = claims[0].spec.as_ref().unwrap();
    assert_eq!(claims[0].metadata.name.as_deref(), Some("a-volume"));
    assert_eq!(a.access_modes.as_deref(), Some(&["ReadOnlyMany".to_owned()][..]));
    assert_eq!(a.storage_class_name.as_deref(), Some(""));
    assert_eq!(a.volume_name, None);
    assert_eq!(a.resources.as_ref().unwrap().requests.as_ref().unwrap()["storage"], Quantity("10Mi".into()));
    assert_eq!(claims[1].metadata.name.as_deref(), Some("b-volume"), "named after the sanitised source");
    assert_eq!(claims[1].spec.as_ref().unwrap().access_modes.as_deref(), Some(&["ReadWriteMany".to_owned()][..]));
    let labels = claims[0].metadata.labels.as_ref().unwrap();
    assert_eq!(
        labels.keys().collect::<Vec<_>>(),
        ["net.azure-devices.edge.deviceid"],
        "claims carry the device label only"
    );
}

#[test]
fn the_volume_name_from_source_and_a_claim_shared_by_two_modules_made_once() {
    let device = DeviceProfile {
        storage_class: Some("storage-class".into()),
        pvc_size_mb: Some(37),
        volume_name_from_source: true,
        ..DeviceProfile::default()
    };
    let m = manifest(json!({"module1": module(volume_mounts()), "module2": module(volume_mounts())}));
    let all = translate(&m, &device);
    let first = all.iter().find(|m| m.module == "module1").unwrap();
    let second = all.iter().find(|m| m.module == "module2").unwrap();
    let spec = first.claims().next().unwrap().spec.clone().unwrap();
    assert_eq!(
        (spec.volume_name.as_deref(), spec.storage_class_name.as_deref()),
        (Some("a-volume"), Some("storage-class"))
    );
    assert_eq!(second.claims().count(), 0, "the controller creates one claim per name");
    assert!(
        pod(second).volumes.iter().flatten().any(|v| v.persistent_volume_claim.is_some()),
        "the second pod still mounts it"
    );
}

// --- ServiceAccounts -------------------------------------------------------------------------

#[test]
fn every_module_has_a_service_account_named_like_its_deployment() {
    let m = manifest(json!({"Module_A": module(json!({}))}));
    for mo in translate(&m, &DeviceProfile::default()) {
        let sa = mo.service_account().unwrap();
        let name = sa.metadata.name.as_deref().unwrap();
        assert_eq!(Some(name), mo.deployment().unwrap().metadata.name.as_deref());
        assert_eq!(sa.metadata.annotations.as_ref().unwrap()["net.azure-devices.edge.original-moduleid"], mo.module);
        assert_eq!(sa.metadata.labels.as_ref().unwrap()["net.azure-devices.edge.module"], name);
    }
    let names: Vec<String> = translate(&m, &DeviceProfile::default())
        .iter()
        .map(|mo| mo.service_account().unwrap().metadata.name.clone().unwrap())
        .collect();
    assert_eq!(names, ["edgeagent", "edgehub", "modulea"], "lower-cased, `$` and `_` dropped");
}

// --- Names -----------------------------------------------------------------------------------

#[test_case("$edgeAgent", Some("edgeagent"))]
#[test_case("---a-0---", Some("---a-0---"))]
#[test_case("000", Some("000"))]
#[test_case("My.Module_1", Some("my.module1"))]
fn k8s_values(raw: &str, expected: Option<&str>) {
    assert_eq!(names::k8s_value(raw).ok().as_deref(), expected);
}

#[test_case("$edgeAgent", Some("edgeagent"))]
#[test_case("---A-0---", Some("a-0"))]
#[test_case("---a-z-/--1", Some("a-z---1"))]
#[test_case("111111111", Some("111111111"))]
#[test_case("/home/hcsshares/input", Some("homehcssharesinput"))]
#[test_case("ABCDEFGHIJABCDEFGHIJABCDEFGHIJABCDEFGHIJABCDEFGHIJABCDEFGHIJABCDEFGHIJ", None; "over 63")]
#[test_case("$$$$$$", None; "nothing valid")]
#[test_case("", None; "empty")]
fn dns_labels(raw: &str, expected: Option<&str>) {
    assert_eq!(names::dns_label(raw).ok().as_deref(), expected);
}

#[test_case("$edgeAgent", Some("edgeagent"))]
#[test_case("---a-0---.org", Some("a-0.org"))]
#[test_case("$$$$.com", None)]
#[test_case("a.&&&&.org", None)]
#[test_case("     ", None)]
fn dns_domains(raw: &str, expected: Option<&str>) {
    assert_eq!(names::dns_domain(raw).ok().as_deref(), expected);
}

#[test_case("$edgeAgent", Some("edgeAgent"))]
#[test_case("iothub.azure-device.net/$edgeHub", Some("iothub.azure-device.net/edgeHub"))]
#[test_case("K8S.IO/---a-0--", Some("k8s.io/a-0"))]
#[test_case("!!!", None)]
#[test_case("!!!!/abc", None)]
#[test_case("123.com/!!!!", None)]
#[test_case("", None)]
fn annotation_keys(raw: &str, expected: Option<&str>) {
    assert_eq!(names::annotation_key(raw).ok().as_deref(), expected);
}

#[test_case("12device", Some("12device"))]
#[test_case("a$?/-b#@_c=+.d", Some("a-b_c.d"))]
#[test_case("$-._/zz$-._/", Some("zz"))]
#[test_case("$%^&", None)]
#[test_case("    ", None)]
fn label_values(raw: &str, expected: Option<&str>) {
    assert_eq!(names::label_value(raw).ok().as_deref(), expected);
}

// --- Refusals --------------------------------------------------------------------------------

#[test_case(json!({"Cmd": "python app.py"}), "`Cmd` is a string, not a list"; "cmd as a string")]
#[test_case(json!({"Entrypoint": {"argument1": "argument2"}}), "`Entrypoint` is an object, not a list"; "entrypoint as an object")]
#[test_case(json!({"HostConfig": {"Binds": "/a:/b"}}), "`HostConfig.Binds` is \"/a:/b\" where a list is expected"; "binds as a string")]
#[test_case(json!({"HostConfig": {"Privileged": "yes"}}), "`HostConfig.Privileged` is \"yes\" where true or false"; "privileged as text")]
#[test_case(json!({"HostConfig": {"Memory": "256m"}}), "`HostConfig.Memory` is \"256m\" where a whole number"; "memory with a unit")]
#[test_case(json!({"HostConfig": {"Mounts": [{"Source": "a-volume", "Target": "/tmp"}]}}), "Type, Source, and Target required for all mounts [module1:, a-volume, /tmp]"; "mount without type")]
#[test_case(json!({"HostConfig": {"Mounts": [{"Type": "volume", "Target": "/tmp"}]}}), "Type, Source, and Target required"; "mount without source")]
#[test_case(json!({"HostConfig": {"Mounts": [{"Type": "volume", "Source": "a"}]}}), "Type, Source, and Target required"; "mount without target")]
#[test_case(json!({"HostConfig": {"Binds": ["/:/host"]}}), "does not start with a valid character"; "unsanitisable volume name")]
#[test_case(json!({"HostConfig": {"Mounts": [{"Type": "volume", "Source": "a-very-long-share-name-that-goes-on-and-on-and-on-past-sixty-three-chars", "Target": "/x"}]}}), "exceeded maximum length of 63"; "volume name too long")]
#[test_case(json!({"Labels": {"": "test"}}), "is null or empty"; "empty label key")]
#[test_case(json!({"cmd": ["a"], "Cmd": ["b"]}), "`cmd` and `Cmd` are one key"; "two spellings of an untyped key")]
#[test_case(json!({"ExposedPorts": {"//": {}}}), "has only slashes"; "a port key of slashes")]
#[test_case(json!({"HostConfig": {"PortBindings": {"80/tcp": null}}}), "is null"; "a null port binding")]
#[test_case(json!({"k8s-experimental": {"volumes": {"name": "x"}}}), "k8s-experimental `volumes` cannot be read"; "extension volumes not a list")]
#[test_case(json!({"k8s-experimental": {"securityContext": {"runAsUser": "root"}}}), "runAsUser"; "security context of the wrong type")]
fn the_agent_refuses(create_options: Value, why: &str) {
    let error = refused(create_options);
    assert!(error.contains(why), "{error}");
}

#[test]
fn a_refused_module_leaves_the_others_translated() {
    let m = manifest(json!({"bad": module(json!({"Cmd": "x"})), "good": module(json!({}))}));
    let all = translate(&m, &DeviceProfile::default());
    let by = |n: &str| all.iter().find(|m| m.module == n).unwrap();
    assert!(by("bad").error.is_some() && by("bad").objects.is_empty());
    assert!(by("good").error.is_none() && by("good").deployment().is_some());
    assert!(by("edgeHub").service().is_some());
}

#[test]
fn colliding_names_refuse_the_deployment_and_bad_images_the_module() {
    let m = manifest(json!({"camera_1": module(json!({})), "Camera1": module(json!({})), "other": module(json!({}))}));
    let all = translate(&m, &DeviceProfile::default());
    for name in ["camera_1", "Camera1"] {
        let e = all.iter().find(|m| m.module == name).unwrap().error.clone().unwrap();
        assert!(e.contains("name collision") && e.contains("camera_1,Camera1"), "{e}");
    }
    let mut bad = module(json!({}));
    bad["settings"]["image"] = json!("repo/image:1:2");
    let mo = translate(&manifest(json!({"module1": bad})), &DeviceProfile::default()).pop().unwrap();
    assert!(mo.error.unwrap().contains("is not in the right format"));
    let device = DeviceProfile { device_id: "$$$".into(), ..DeviceProfile::default() };
    let all = translate(&manifest(json!({})), &device);
    assert!(all.iter().all(|m| m.error.as_deref().is_some_and(|e| e.contains("device id"))));
}

#[test]
fn yaml_and_json_carry_the_same_objects() {
    let m = manifest(
        json!({"module1": module(json!({"ExposedPorts": {"80/tcp": {}}})), "bad": module(json!({"Cmd": "x"}))}),
    );
    let all = translate(&m, &DeviceProfile::default());
    let json = fpga2gpu::k8s::to_json(&all);
    let modules = json["modules"].as_array().unwrap();
    assert_eq!(
        modules.iter().map(|m| m["module"].as_str().unwrap()).collect::<Vec<_>>(),
        ["$edgeAgent", "$edgeHub", "module1", "bad"]
    );
    assert!(modules[3]["error"].is_string() && modules[3]["objects"].as_array().unwrap().is_empty());
    assert!(modules[2]["error"].is_null());
    let yaml = fpga2gpu::k8s::to_yaml(&all);
    let docs: Vec<Value> = serde_yaml_ng::Deserializer::from_str(&yaml)
        .map(|d| <Value as serde::Deserialize>::deserialize(d).expect("each document is YAML"))
        .collect();
    let from_json: Vec<Value> = modules.iter().flat_map(|m| m["objects"].as_array().unwrap().clone()).collect();
    assert_eq!(docs, from_json, "one document per object, in the same order");
    assert!(yaml.contains("# module bad: the agent would refuse it:"), "{yaml}");
    assert!(yaml.contains("# module $edgeHub: Service edgehub"));
}

#[test]
fn every_fixture_and_odd_shapes_translate_or_are_refused_without_panicking() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut n = 0;
    for sub in ["rules", "shapes"] {
        for e in std::fs::read_dir(dir.join(sub)).unwrap() {
            let p = e.unwrap().path();
            if let Ok(m) = Manifest::load_file(&p) {
                for mo in translate(&m, &DeviceProfile::default()) {
                    assert!(
                        mo.error.is_some() == mo.objects.is_empty(),
                        "{}: {} has objects or an error",
                        p.display(),
                        mo.module
                    );
                }
                fpga2gpu::k8s::check(
                    &m,
                    &DeviceProfile { storage_class: Some(String::new()), ..DeviceProfile::default() },
                );
                n += 1;
            }
        }
    }
    assert!(n > 40, "{n} manifests");
    for odd in [
        json!({"Env": [null, 1, true, {"a": 1}]}),
        json!({"HostConfig": null, "ExposedPorts": null, "Labels": null}),
        json!({"HostConfig": {"Mounts": [null]}}),
        json!({"HostConfig": {"PortBindings": {"80/tcp": [null]}}}),
        json!({"HostConfig": {"PortBindings": {"80/tcp": [{"HostPort": {"x": 1}}]}}}),
        json!({"ExposedPorts": {"99999999999999999999/tcp": {}, "-1/udp": {}}}),
        json!({"k8s-experimental": {"resources": {"limits": [1]}, "volumes": [null]}}),
        json!({"k8s-experimental": {"volumes": [{"volume": {"name": null}, "volumeMounts": [{}]}]}}),
        json!({"k8s-experimental": {"resources": {"limits": {"memory": "1e99999999999", "cpu": true}}}}),
        json!({"Labels": {"a/": "x", "/b": "y", "é": "z"}}),
        json!({"WorkingDir": ["x"], "Cmd": [["nested"]]}),
    ] {
        let mo = one(odd.clone());
        assert!(mo.error.is_some() || mo.deployment().is_some(), "{odd}");
        let m = manifest(json!({"module1": module(odd)}));
        fpga2gpu::k8s::check(&m, &DeviceProfile::default());
    }
}
