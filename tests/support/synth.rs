//! Deterministic generator of realistic FPGA manifests (for benchmarks and property tests).
//!
//! The same `(modules, seed)` always gives the same bytes: a tiny xorshift generator and no other
//! source of randomness, so a benchmark is comparable across runs and a failing property test can
//! be replayed exactly. The modules look like the Azure Stack Edge Pro FPGA deployments the tool
//! migrates: binds of Edge shares (`/home/hcsshares/…`) and of files, TCP and UDP ports, env names
//! with `:`, env values that reach other modules as `host:port`, `/dev/catapult*` devices with
//! `Privileged`, `microsoft.com/fpga_catapult` resources, Docker memory/CPU limits, routes between
//! modules, module twins, chunked (`createOptions01`…) and object (template) createOptions, and
//! template placeholders (`${ACR}`, `$SHARE_NAME`) that must come out unchanged.

use fpga2gpu::manifest::chunk;
use serde::Serialize;
use serde_json::{Map, Value, json};

/// xorshift64*: small, fast and good enough to pick shapes; not for anything secret.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator for this seed (any seed, zero included).
    pub fn new(seed: u64) -> Rng {
        // One splitmix64 step spreads nearby seeds apart; xorshift needs a non-zero state.
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        Rng((z ^ (z >> 31)).max(1))
    }

    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { (self.next_u64() % n as u64) as usize }
    }

    /// True `percent` times in a hundred.
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// What the modules do; the name of a module is its role and its index.
const ROLES: &[&str] = &[
    "camera",
    "inference",
    "uploader",
    "preprocess",
    "telemetry",
    "blobstore",
    "analytics",
    "opcpublisher",
    "scoring",
    "gateway",
];
/// Edge shares the FPGA device mounts under `/home/hcsshares/`; `$SHARE_NAME` is a template placeholder.
const SHARES: &[&str] = &["images", "models", "output", "telemetry", "$SHARE_NAME"];
const HOST_DIRS: &[&str] = &["/tmp:/tmp", "/var/log/app:/logs", "/data/storage:/storage", "/opt/vision/cache:/cache"];
const FILE_BINDS: &[&str] = &[
    "/etc/hosts:/etc/hosts:ro",
    "/var/run/docker.sock:/var/run/docker.sock",
    "/etc/app/config.json:/app/config.json:ro",
];

/// A manifest with `modules` custom modules (plus `edgeAgent` and `edgeHub`), pretty-printed in a
/// style (indent, line endings) chosen by the seed.
pub fn manifest(modules: usize, seed: u64) -> String {
    let mut rng = Rng::new(seed.rotate_left(17));
    let doc = manifest_value(modules, seed);
    let indent: &[u8] = match rng.below(10) {
        0 => b"\t",
        1 | 2 => b"    ",
        _ => b"  ",
    };
    let mut buf = Vec::with_capacity(modules * 2048 + 4096);
    let mut ser =
        serde_json::Serializer::with_formatter(&mut buf, serde_json::ser::PrettyFormatter::with_indent(indent));
    doc.serialize(&mut ser).expect("serialising a Value to memory cannot fail");
    let mut text = String::from_utf8(buf).expect("serde_json writes UTF-8");
    text.push('\n');
    if rng.chance(10) {
        text = text.replace('\n', "\r\n");
    }
    text
}

/// The document of [`manifest`], before printing.
pub fn manifest_value(modules: usize, seed: u64) -> Value {
    let mut rng = Rng::new(seed);
    let names: Vec<String> = (0..modules).map(|i| module_name(i, &mut rng)).collect();
    // Container and host port of each module, so other modules can name them.
    let ports: Vec<(u32, u32)> = (0..modules)
        .map(|i| {
            let container = 5000 + (i as u32 % 20_000);
            let host = if rng.chance(60) { container } else { 40_000 + (i as u32 % 20_000) };
            (container, host)
        })
        .collect();

    let mut custom = Map::new();
    let mut twins = Vec::new();
    for (i, name) in names.iter().enumerate() {
        custom.insert(name.clone(), module(i, &names, &ports, &mut rng));
        if rng.chance(50) {
            twins.push((
                name.clone(),
                json!({"properties.desired": {
                    "reportingIntervalSeconds": 30 + rng.below(300),
                    "threshold": 0.75,
                    "endpoint": "${ENDPOINT}",
                    "outputShare": format!("/home/hcsshares/{}", rng.pick(SHARES)),
                }}),
            ));
        }
    }

    let mut routes = Map::new();
    for (i, name) in names.iter().enumerate() {
        let route = if modules > 1 && rng.chance(70) {
            let next = &names[(i + 1 + rng.below(modules - 1)) % modules];
            format!(
                "FROM /messages/modules/{name}/outputs/output1 INTO BrokeredEndpoint(\"/modules/{next}/inputs/input1\")"
            )
        } else {
            format!("FROM /messages/modules/{name}/outputs/* INTO $upstream")
        };
        routes.insert(format!("route{i}"), Value::String(route));
    }
    routes
        .insert("upstream".into(), json!("FROM /messages/* WHERE NOT IS_DEFINED($connectionModuleId) INTO $upstream"));

    let proxy = rng.chance(30);
    let mut hub_env = Map::new();
    hub_env.insert("OptimizeForPerformance".into(), json!({"value": "false"}));
    if proxy {
        hub_env.insert("https_proxy".into(), json!({"value": "http://proxy.contoso.local:3128"}));
    }
    let hub_create = json!({"HostConfig": {"PortBindings": {
        "5671/tcp": [{"HostPort": "5671"}],
        "8883/tcp": [{"HostPort": "8883"}],
        "443/tcp": [{"HostPort": "443"}],
    }}});
    let mut hub_settings = Map::new();
    hub_settings.insert("image".into(), json!("mcr.microsoft.com/azureiotedge-hub:1.1"));
    write_create_options(&mut hub_settings, &hub_create, Form::Minified);

    let schema = if rng.chance(50) { "1.1" } else { "1.0" };
    let mut content = Map::new();
    content.insert(
        "$edgeAgent".into(),
        json!({"properties.desired": {
            "schemaVersion": schema,
            "runtime": {"type": "docker", "settings": {
                "minDockerVersion": "v1.25",
                "loggingOptions": "",
                "registryCredentials": {"${ACR_NAME}": {
                    "username": "${ACR_USER}",
                    "password": "${ACR_PASSWORD}",
                    "address": "${ACR}",
                }},
            }},
            "systemModules": {
                "edgeAgent": {"type": "docker", "settings": {
                    "image": "mcr.microsoft.com/azureiotedge-agent:1.1",
                    "createOptions": "{}",
                }},
                "edgeHub": {
                    "type": "docker",
                    "status": "running",
                    "restartPolicy": "always",
                    "settings": Value::Object(hub_settings),
                    "env": Value::Object(hub_env),
                },
            },
            "modules": Value::Object(custom),
        }}),
    );
    content.insert(
        "$edgeHub".into(),
        json!({"properties.desired": {
            "schemaVersion": "1.1",
            "routes": Value::Object(routes),
            "storeAndForwardConfiguration": {"timeToLiveSecs": 7200},
        }}),
    );
    for (name, twin) in twins {
        content.insert(name, twin);
    }

    let mut top = Map::new();
    match rng.below(10) {
        0 => {
            top.insert("content".into(), json!({"modulesContent": Value::Object(content)}));
        }
        1 => {
            top.insert("moduleContent".into(), Value::Object(content));
        }
        _ => {
            top.insert("$schema-template".into(), json!("2.0.0"));
            top.insert("modulesContent".into(), Value::Object(content));
        }
    }
    Value::Object(top)
}

/// Mostly valid Kubernetes names; one in ten is not (`Camera_12`, `cameraModule12`), and module 2
/// is a template placeholder (`${MODULE_NAME}`), as in real templates.
fn module_name(i: usize, rng: &mut Rng) -> String {
    let role = ROLES[i % ROLES.len()];
    if i == 2 {
        return "${MODULE_NAME}".to_owned();
    }
    match rng.below(20) {
        0 => {
            let mut chars = role.chars();
            let first = chars.next().map(|c| c.to_ascii_uppercase()).into_iter();
            format!("{}_{i}", first.chain(chars).collect::<String>())
        }
        1 => format!("{role}Module{i}"),
        _ => format!("{role}{i}"),
    }
}

fn module(i: usize, names: &[String], ports: &[(u32, u32)], rng: &mut Rng) -> Value {
    let n = names.len();
    let other = (i + 1 + rng.below(n.max(2) - 1)) % n.max(1);
    let mut host = Map::new();
    let mut create = Map::new();

    let mut binds = Vec::new();
    if rng.chance(45) {
        let share = rng.pick(SHARES);
        let ro = if rng.chance(30) { ":ro" } else { "" };
        binds.push(format!("/home/hcsshares/{share}:/data/{share}{ro}"));
        if rng.chance(15) {
            binds.push(format!("/home/hcsshares/{share}/incoming:/input"));
        }
    }
    if rng.chance(25) {
        binds.push((*rng.pick(HOST_DIRS)).to_owned());
    }
    if rng.chance(10) {
        binds.push((*rng.pick(FILE_BINDS)).to_owned());
    }
    if rng.chance(8) {
        binds.push(format!("modeldata{i}:/models"));
    }
    if !binds.is_empty() {
        host.insert("Binds".into(), json!(binds));
    }

    let (container, host_port) = ports[i];
    if rng.chance(60) {
        let mut exposed = Map::new();
        let mut bindings = Map::new();
        exposed.insert(format!("{container}/tcp"), json!({}));
        bindings.insert(format!("{container}/tcp"), json!([{"HostPort": host_port.to_string()}]));
        if rng.chance(10) {
            exposed.insert(format!("{}/tcp", container + 1), json!({}));
        }
        if rng.chance(8) {
            bindings.insert(format!("{}/udp", container + 2), json!([{"HostPort": (container + 2).to_string()}]));
        }
        if rng.chance(2) {
            bindings.insert("35000/tcp".into(), json!([{"HostPort": "35000"}]));
        }
        create.insert("ExposedPorts".into(), Value::Object(exposed));
        host.insert("PortBindings".into(), Value::Object(bindings));
    }

    let fpga = rng.chance(20);
    if fpga {
        let count = 1 + rng.below(2);
        let devices: Vec<Value> = (0..count)
            .map(|d| {
                json!({"PathOnHost": format!("/dev/catapult{d}"), "PathInContainer": format!("/dev/catapult{d}"), "CgroupPermissions": "rwm"})
            })
            .collect();
        host.insert("Devices".into(), Value::Array(devices));
        host.insert("Privileged".into(), json!(true));
        let resources = if rng.chance(50) {
            json!({"limits": {"microsoft.com/fpga_catapult": count}})
        } else {
            json!({"limits": {"microsoft.com/fpga_catapult": count}, "requests": {"microsoft.com/fpga_catapult": count}})
        };
        create.insert("k8s-experimental".into(), json!({"resources": resources}));
    }

    if rng.chance(50) {
        let gib = 1 + rng.below(4) as u64;
        host.insert("Memory".into(), json!(gib * 268_435_456));
        host.insert("NanoCpus".into(), json!(500_000_000 * gib));
        if rng.chance(20) {
            host.insert("MemoryReservation".into(), json!(134_217_728u64));
        }
    }
    if rng.chance(5) {
        host.insert("ShmSize".into(), json!(536_870_912u64));
    }
    if rng.chance(3) {
        host.insert("IpcMode".into(), json!("shareable"));
    }
    if rng.chance(2) {
        host.insert("NetworkMode".into(), json!("host"));
    }

    let mut env = Vec::new();
    if rng.chance(50) {
        env.push("Logging:LogLevel:Default=Information".to_owned());
        env.push(format!("UPSTREAM_HOST={}:{}", names[other], ports[other].0));
    }
    if fpga {
        env.push("WIRESERVER_ADDRESS=10.139.218.1".to_owned());
    }
    if rng.chance(15) {
        // Long values: these createOptions no longer fit one 512-character chunk.
        for k in 0..6 {
            env.push(format!(
                "FEATURE_FLAG_{k}=enabled;region=westeurope;tier=standard;model=/models/{}/v{k}",
                names[i]
            ));
        }
    }
    if !env.is_empty() {
        create.insert("Env".into(), json!(env));
    }
    if rng.chance(15) {
        let mut labels = Map::new();
        for (k, v) in [
            ("vendor", "Contoso"),
            ("team", "vision-platform"),
            ("build", "${BUILD_ID}"),
            ("purpose", "FPGA accelerated inference pipeline stage"),
        ] {
            labels.insert(format!("com.contoso.{k}"), json!(v));
        }
        create.insert("Labels".into(), Value::Object(labels));
    }
    if rng.chance(10) {
        create.insert("EntryPoint".into(), json!(["python3", "-u", "main.py"]));
    }
    if !host.is_empty() {
        create.insert("HostConfig".into(), Value::Object(host));
    }

    let mut settings = Map::new();
    let role = ROLES[i % ROLES.len()];
    settings.insert("image".into(), json!(format!("${{ACR}}/{role}:1.0.{i}-amd64")));
    let form = match rng.below(10) {
        0..=2 => Form::Object,
        3 | 4 => Form::Pretty,
        _ => Form::Minified,
    };
    write_create_options(&mut settings, &Value::Object(create), form);

    let mut m = Map::new();
    m.insert("version".into(), json!("1.0"));
    m.insert("type".into(), json!("docker"));
    m.insert("status".into(), json!("running"));
    m.insert("restartPolicy".into(), json!(if rng.chance(90) { "always" } else { "on-failure" }));
    m.insert("settings".into(), Value::Object(settings));
    if rng.chance(70) {
        let mut section = Map::new();
        section.insert("Logging:LogLevel:Default".into(), json!({"value": "Warning"}));
        section.insert("TARGET_ENDPOINT".into(), json!({"value": format!("{}:{}", names[other], ports[other].0)}));
        if rng.chance(40) {
            section.insert("SHARE_NAME".into(), json!({"value": "${SHARE_NAME}"}));
        }
        section.insert("REGISTRY".into(), json!({"value": "$CONTAINER_REGISTRY_ADDRESS"}));
        m.insert("env".into(), Value::Object(section));
    }
    Value::Object(m)
}

/// How a module's createOptions is written.
#[derive(Clone, Copy)]
enum Form {
    /// An object, as in deployment.template.json.
    Object,
    /// A minified string, as IoT Edge tooling writes it.
    Minified,
    /// A string with line breaks and indentation, as people write it.
    Pretty,
}

/// Writes createOptions in the given form; a string longer than 512 characters is split the way
/// IoT Edge tooling splits it (`createOptions`, `createOptions01`, …).
fn write_create_options(settings: &mut Map<String, Value>, create: &Value, form: Form) {
    let text = match form {
        Form::Object => {
            settings.insert("createOptions".into(), create.clone());
            return;
        }
        Form::Minified => serde_json::to_string(create),
        Form::Pretty => serde_json::to_string_pretty(create),
    }
    .expect("a Value serialises");
    for (n, piece) in chunk(&text).into_iter().enumerate() {
        settings.insert(fpga2gpu::manifest::chunk_key(n), Value::String(piece.to_owned()));
    }
}
