//! A typed, read-only model of a module's createOptions, built once when the manifest is loaded,
//! read the way Docker (Go's `encoding/json`) and the Kubernetes edge agent (Newtonsoft.Json) read
//! it: keys match ignoring ASCII case, and when two spellings of one key are both present the later
//! one wins (both decoders assign each key in document order). Every item keeps the key as the
//! engineer wrote it and its [`Pointer`] inside the decoded createOptions, so findings quote the
//! original and edits change it in place.
//!
//! Two exceptions come from the agent, not from Docker: the `k8s-experimental` section is read
//! only under that exact key (it is not a Docker key, so the agent finds it among the "other
//! properties" with an ordinal look-up), while its inner keys match ignoring case.
//!
//! Rules read this model, never the raw JSON: so that all of them agree on what a module asks for.

use super::placeholder::{contains_placeholder, is_placeholder, placeholders};
use super::pointer::Pointer;
use serde_json::{Map, Value};

/// The spelling of the Kubernetes agent's own section; no other spelling is read.
pub const K8S_SECTION: &str = "k8s-experimental";

/// Top-level keys of Docker's container-create body (Engine API), in their documented spelling.
pub const CONTAINER_KEYS: &[&str] = &[
    "Hostname",
    "Domainname",
    "User",
    "AttachStdin",
    "AttachStdout",
    "AttachStderr",
    "ExposedPorts",
    "Tty",
    "OpenStdin",
    "StdinOnce",
    "Env",
    "Cmd",
    "Healthcheck",
    "ArgsEscaped",
    "Image",
    "Volumes",
    "WorkingDir",
    "Entrypoint",
    "NetworkDisabled",
    "MacAddress",
    "OnBuild",
    "Labels",
    "StopSignal",
    "StopTimeout",
    "Shell",
    "HostConfig",
    "NetworkingConfig",
];

/// `HostConfig` keys of Docker's Engine API, in their documented spelling.
pub const HOST_CONFIG_KEYS: &[&str] = &[
    "CpuShares",
    "Memory",
    "CgroupParent",
    "BlkioWeight",
    "BlkioWeightDevice",
    "BlkioDeviceReadBps",
    "BlkioDeviceWriteBps",
    "BlkioDeviceReadIOps",
    "BlkioDeviceWriteIOps",
    "CpuPeriod",
    "CpuQuota",
    "CpuRealtimePeriod",
    "CpuRealtimeRuntime",
    "CpusetCpus",
    "CpusetMems",
    "Devices",
    "DeviceCgroupRules",
    "DeviceRequests",
    "KernelMemory",
    "KernelMemoryTCP",
    "MemoryReservation",
    "MemorySwap",
    "MemorySwappiness",
    "NanoCpus",
    "OomKillDisable",
    "Init",
    "PidsLimit",
    "Ulimits",
    "CpuCount",
    "CpuPercent",
    "IOMaximumIOps",
    "IOMaximumBandwidth",
    "Binds",
    "ContainerIDFile",
    "LogConfig",
    "NetworkMode",
    "PortBindings",
    "RestartPolicy",
    "AutoRemove",
    "VolumeDriver",
    "VolumesFrom",
    "Mounts",
    "ConsoleSize",
    "Annotations",
    "CapAdd",
    "CapDrop",
    "CgroupnsMode",
    "Dns",
    "DnsOptions",
    "DnsSearch",
    "ExtraHosts",
    "GroupAdd",
    "IpcMode",
    "Cgroup",
    "Links",
    "OomScoreAdj",
    "PidMode",
    "Privileged",
    "PublishAllPorts",
    "ReadonlyRootfs",
    "SecurityOpt",
    "StorageOpt",
    "Tmpfs",
    "UTSMode",
    "UsernsMode",
    "ShmSize",
    "Sysctls",
    "Runtime",
    "Isolation",
    "MaskedPaths",
    "ReadonlyPaths",
    "DiskQuota",
];

/// Keys of one `HostConfig.Mounts` entry.
pub const MOUNT_KEYS: &[&str] =
    &["Type", "Source", "Target", "ReadOnly", "Consistency", "BindOptions", "VolumeOptions", "TmpfsOptions"];
/// Keys of one `PortBindings` mapping.
pub const PORT_MAPPING_KEYS: &[&str] = &["HostIp", "HostPort"];
/// Keys of one `Devices` entry.
pub const DEVICE_KEYS: &[&str] = &["PathOnHost", "PathInContainer", "CgroupPermissions"];
/// Keys of one `DeviceRequests` entry.
pub const DEVICE_REQUEST_KEYS: &[&str] = &["Driver", "Count", "DeviceIDs", "Capabilities", "Options"];
/// Inner keys of `k8s-experimental` the agent reads (it matches them ignoring case).
pub const K8S_KEYS: &[&str] =
    &["volumes", "resources", "nodeSelector", "securityContext", "serviceOptions", "strategy"];
/// Keys of `k8s-experimental.strategy`, Kubernetes' `DeploymentStrategy` (the agent reads them
/// ignoring case).
pub const STRATEGY_KEYS: &[&str] = &["type", "rollingUpdate"];
/// Keys of `HostConfig.RestartPolicy`.
pub const RESTART_POLICY_KEYS: &[&str] = &["Name", "MaximumRetryCount"];
/// Keys of `HostConfig.LogConfig`.
pub const LOG_CONFIG_KEYS: &[&str] = &["Type", "Config"];
/// Keys of `Healthcheck`.
pub const HEALTHCHECK_KEYS: &[&str] = &["Test", "Interval", "Timeout", "Retries", "StartPeriod", "StartInterval"];
/// Keys of one `HostConfig.Ulimits` entry.
pub const ULIMIT_KEYS: &[&str] = &["Name", "Soft", "Hard"];

/// The case a module writes Docker's keys in: as documented (`HostConfig`, `Binds`) or with a
/// lower-case first letter (`hostConfig`, `binds`), which both decoders read as well. A key a fix
/// adds next to keys the engineer wrote is spelled the way they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyCase {
    Documented,
    LowerFirst,
}

impl KeyCase {
    /// The case of a key as written.
    pub fn of(written: &str) -> KeyCase {
        if written.starts_with(|c: char| c.is_ascii_lowercase()) { KeyCase::LowerFirst } else { KeyCase::Documented }
    }

    /// A documented key (`ReadOnly`) in this case (`readOnly`).
    pub fn spell(self, documented: &str) -> String {
        match self {
            KeyCase::Documented => documented.to_owned(),
            KeyCase::LowerFirst => {
                let mut chars = documented.chars();
                chars.next().map(|c| c.to_ascii_lowercase().to_string() + chars.as_str()).unwrap_or_default()
            }
        }
    }
}

/// One key of an object as written, where it is, and its value.
#[derive(Debug, Clone, PartialEq)]
pub struct Field<T = Value> {
    /// The key as the engineer spelled it.
    pub key: String,
    /// Where the value is, inside the decoded createOptions.
    pub at: Pointer,
    pub value: T,
}

impl Field<Value> {
    /// The value as text, when it is a string.
    pub fn text(&self) -> Option<&str> {
        self.value.as_str()
    }

    /// The value read as Docker reads a number.
    pub fn amount(&self) -> Amount {
        amount(&self.value)
    }

    /// `true` or `"true"` (which both decoders accept for a boolean); `None` for anything else.
    pub fn flag(&self) -> Option<bool> {
        flag(&self.value)
    }

    /// The value as the engineer wrote it, for messages.
    pub fn shown(&self) -> String {
        shown(&self.value)
    }

    /// A string holding a template placeholder (`$IPC_MODE`, `${GPUS}`), or that is one as a whole
    /// (`<Docker Runtime>`, which has a space): filled in at deploy time.
    pub fn placeholder(&self) -> Option<&str> {
        self.value.as_str().filter(|s| holds_placeholder(s))
    }

    /// Every placeholder in the value's strings, however deep (`{"Config": {"max-size": "$SIZE"}}`):
    /// what a removal of the setting would take out of the template.
    pub fn placeholders(&self) -> Vec<&str> {
        fn walk<'v>(v: &'v Value, out: &mut Vec<&'v str>) {
            match v {
                Value::String(s) => out.extend(placeholders(s)),
                Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
                Value::Object(o) => o.values().for_each(|x| walk(x, out)),
                _ => {}
            }
        }
        let mut out = Vec::new();
        walk(&self.value, &mut out);
        out
    }

    /// The keys of an object value read the decoders' way ([`object_keys`]); `None` when it is
    /// not an object.
    pub fn keys(&self, known: &[&'static str]) -> Option<Vec<OtherKey>> {
        object_keys(&self.value, &self.at, known)
    }
}

/// Every key of an object value below `at`, in the file's order, each with its documented spelling
/// when it matches one of `known` ignoring case (the later of two spellings only); `None` when the
/// value is not an object. For the small Docker objects the model keeps as a [`Field`]
/// (`RestartPolicy`, `LogConfig`, `Healthcheck`, `Ulimits` entries, a Kubernetes `strategy`).
pub fn object_keys(value: &Value, at: &Pointer, known: &[&'static str]) -> Option<Vec<OtherKey>> {
    let map = value.as_object()?;
    Some(others(&read_keys(map, known), map, at, &[]))
}

/// A Docker number (bytes, nano-CPUs, microseconds, shares) as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Amount {
    /// `null`: not set.
    Unset,
    /// A whole number, written as a number or a string.
    Int(i128),
    /// A template placeholder (`$MEMORY`, `${CPU}`): data the tooling fills in, never converted.
    Placeholder(String),
    /// Anything else (`"256m"`, `1.5`, `true`), as written.
    Invalid(String),
}

/// Reads a Docker number.
pub fn amount(value: &Value) -> Amount {
    match value {
        Value::Null => Amount::Unset,
        Value::Number(n) => whole(&n.to_string()).map_or_else(|| Amount::Invalid(n.to_string()), Amount::Int),
        Value::String(s) if holds_placeholder(s) => Amount::Placeholder(s.clone()),
        Value::String(s) => whole(s).map_or_else(|| Amount::Invalid(s.clone()), Amount::Int),
        other => Amount::Invalid(other.to_string()),
    }
}

/// A setting's value that the deployment tooling fills in: it holds a placeholder, or is one as a
/// whole (`<Docker Runtime>`: a `<…>` placeholder may hold spaces when it is the whole value).
fn holds_placeholder(s: &str) -> bool {
    contains_placeholder(s) || is_placeholder(s)
}

/// A whole number in any JSON spelling (`268435456`, `" 42 "`, `2.68435456e8`, `1.0`).
fn whole(text: &str) -> Option<i128> {
    let t = text.trim();
    if let Ok(n) = t.parse::<i128>() {
        return Some(n);
    }
    let f = t.parse::<f64>().ok().filter(|f| f.is_finite() && f.fract() == 0.0 && f.abs() < 1e30)?;
    Some(f as i128)
}

/// A boolean as both decoders read it: `true`/`false`, or the strings `"true"`/`"false"`.
pub fn flag(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(b) => Some(*b),
        Value::String(t) if t.trim().eq_ignore_ascii_case("true") => Some(true),
        Value::String(t) if t.trim().eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

/// A value as the engineer wrote it, for messages: strings bare, anything else as compact JSON.
pub fn shown(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Docker's "not set": null, `""`, `false`, `0`, and containers holding only such values.
pub fn is_unset(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::Number(n) => n.as_f64() == Some(0.0),
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.iter().all(is_unset),
        Value::Object(o) => o.values().all(is_unset),
    }
}

/// A key the decoders also read, shadowed by a later spelling of the same key.
#[derive(Debug, Clone, PartialEq)]
pub struct Shadowed {
    /// The earlier spelling and where it is.
    pub key: String,
    pub at: Pointer,
    /// The spelling whose value wins.
    pub by: String,
}

/// The keys of one object, read the decoders' way: each known key (by its documented spelling)
/// to the last entry that matches it ignoring case; every other key in order.
struct Keys<'a> {
    known: Vec<(&'static str, &'a str, &'a Value)>,
    other: Vec<(&'a str, &'a Value)>,
    shadowed: Vec<(String, String)>,
}

fn read_keys<'a>(map: &'a Map<String, Value>, known: &[&'static str]) -> Keys<'a> {
    let mut keys = Keys { known: Vec::new(), other: Vec::new(), shadowed: Vec::new() };
    for (k, v) in map {
        match known.iter().find(|c| c.eq_ignore_ascii_case(k)) {
            Some(&canonical) => {
                if let Some(slot) = keys.known.iter_mut().find(|(c, _, _)| *c == canonical) {
                    keys.shadowed.push((slot.1.to_owned(), k.clone()));
                    *slot = (canonical, k.as_str(), v);
                } else {
                    keys.known.push((canonical, k.as_str(), v));
                }
            }
            None => keys.other.push((k.as_str(), v)),
        }
    }
    keys
}

impl<'a> Keys<'a> {
    fn take(&self, canonical: &str, base: &Pointer) -> Option<Field> {
        self.known.iter().find(|(c, _, _)| *c == canonical).map(|(_, k, v)| field(base, k, v))
    }

    fn raw(&self, canonical: &str) -> Option<(&'a str, &'a Value)> {
        self.known.iter().find(|(c, _, _)| *c == canonical).map(|(_, k, v)| (*k, *v))
    }
}

fn field(base: &Pointer, key: &str, value: &Value) -> Field {
    Field { key: key.to_owned(), at: base.child(key), value: value.clone() }
}

/// A setting kept as written: an unknown key, or a Docker key no rule needs typed.
#[derive(Debug, Clone, PartialEq)]
pub struct OtherKey {
    pub field: Field,
    /// The documented spelling when it is a Docker key (read by Docker; a different case is fine);
    /// `None` when neither Docker nor the agent knows it.
    pub docker: Option<&'static str>,
}

/// A module's createOptions as Docker and the Kubernetes agent read it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Container {
    pub env: Option<EnvList>,
    pub cmd: Option<Field>,
    pub entrypoint: Option<Field>,
    pub working_dir: Option<Field>,
    pub labels: Option<Field>,
    pub exposed_ports: Option<ExposedPorts>,
    pub host_config: Option<HostConfig>,
    /// The agent's `k8s-experimental` section (exact key).
    pub k8s: Option<Experimental>,
    /// Keys that look like the agent's section but are not read by it (`k8s_experimental`,
    /// `K8s-Experimental`, or the section inside `HostConfig`).
    pub k8s_lookalikes: Vec<Field>,
    /// Every other top-level key, in order: Docker keys (`Hostname`, `Volumes`…) and unknown ones.
    pub other: Vec<OtherKey>,
    /// Keys given twice in different spellings; the later one wins.
    pub shadowed: Vec<Shadowed>,
}

impl Container {
    /// The key (by its documented spelling) is set, in any spelling.
    pub fn has(&self, canonical: &str) -> bool {
        match canonical {
            "Env" => self.env.is_some(),
            "Cmd" => self.cmd.is_some(),
            "Entrypoint" => self.entrypoint.is_some(),
            "WorkingDir" => self.working_dir.is_some(),
            "Labels" => self.labels.is_some(),
            "ExposedPorts" => self.exposed_ports.is_some(),
            "HostConfig" => self.host_config.is_some(),
            _ => self.other.iter().any(|o| o.docker == Some(canonical)),
        }
    }
}

/// `Env`: `NAME=value` strings.
#[derive(Debug, Clone, PartialEq)]
pub struct EnvList {
    pub key: String,
    pub at: Pointer,
    /// `None` when `Env` is not an array (an object, a string…): Docker refuses it, the agent fails.
    pub entries: Option<Vec<EnvEntry>>,
    pub value: Value,
}

/// One `Env` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct EnvEntry {
    pub index: usize,
    pub at: Pointer,
    /// The entry as written when it is a string.
    pub text: Option<String>,
}

impl EnvEntry {
    /// Name and value, split at the first `=` (as Docker and the agent split it); the value is
    /// `None` for an entry without `=`.
    pub fn split(&self) -> Option<(&str, Option<&str>)> {
        let t = self.text.as_deref()?;
        Some(t.split_once('=').map_or((t, None), |(n, v)| (n, Some(v))))
    }
}

/// `ExposedPorts`: `{"8080/tcp": {}}`.
#[derive(Debug, Clone, PartialEq)]
pub struct ExposedPorts {
    pub key: String,
    pub at: Pointer,
    /// `None` when it is not an object.
    pub ports: Option<Vec<PortKey>>,
    /// The value as written when it is not an object (`["80/tcp"]`), for the rule that reports it.
    pub written: Option<Value>,
}

/// A `<port>/<protocol>` key of `ExposedPorts` or `PortBindings`, as written and as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortKey {
    pub key: String,
    pub at: Pointer,
    /// The port number, when the part before `/` is one (1–65535, spaces allowed).
    pub port: Option<u16>,
    /// The protocol, lower-cased: `tcp` when the key has none (Docker's default).
    pub protocol: String,
    /// The key has an explicit protocol (`8080/tcp`), not just a port.
    pub explicit_protocol: bool,
}

impl PortKey {
    fn read(key: &str, at: Pointer) -> PortKey {
        let (port, proto) = match key.split_once('/') {
            Some((p, proto)) => (p, Some(proto)),
            None => (key, None),
        };
        PortKey {
            key: key.to_owned(),
            at,
            port: parse_port(port),
            // `8080/` is `8080/tcp` for both Docker (`nat.SplitProtoPort`) and the agent (it splits
            // dropping empty parts).
            protocol: proto
                .map(|p| p.trim().to_ascii_lowercase())
                .filter(|p| !p.is_empty())
                .unwrap_or_else(|| "tcp".to_owned()),
            explicit_protocol: proto.is_some_and(|p| !p.trim().is_empty()),
        }
    }

    /// A protocol Docker and Kubernetes know.
    pub fn known_protocol(&self) -> bool {
        matches!(self.protocol.as_str(), "tcp" | "udp" | "sctp")
    }

    /// The agent reads this key: a port number and, if given, a known protocol.
    pub fn read_by_agent(&self) -> bool {
        self.port.is_some() && self.known_protocol()
    }

    /// `8080/tcp`: the canonical key.
    pub fn canonical(&self) -> Option<String> {
        Some(format!("{}/{}", self.port?, self.protocol))
    }
}

/// A port number 1–65535 (surrounding spaces allowed, as .NET's `int.TryParse` allows them).
pub fn parse_port(s: &str) -> Option<u16> {
    s.trim().parse::<u16>().ok().filter(|p| *p > 0)
}

/// `HostConfig`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct HostConfig {
    pub key: String,
    pub at: Pointer,
    /// `false` when `HostConfig` is not an object: nothing below is read.
    pub is_object: bool,
    /// The value as written when it is not an object (`null`, a string…).
    pub written: Option<Value>,
    /// Keys written twice in different cases: Docker and the agents read the later one.
    pub shadowed: Vec<Shadowed>,
    pub binds: Option<Binds>,
    pub mounts: Option<Mounts>,
    pub port_bindings: Option<PortBindings>,
    pub network_mode: Option<Field>,
    pub ipc_mode: Option<Field>,
    pub pid_mode: Option<Field>,
    pub privileged: Option<Field>,
    pub runtime: Option<Field>,
    pub devices: Option<Devices>,
    pub device_requests: Option<DeviceRequests>,
    pub memory: Option<Field>,
    pub memory_reservation: Option<Field>,
    pub nano_cpus: Option<Field>,
    pub cpu_quota: Option<Field>,
    pub cpu_period: Option<Field>,
    pub cpu_shares: Option<Field>,
    pub shm_size: Option<Field>,
    /// Every other key, in order.
    pub other: Vec<OtherKey>,
}

impl HostConfig {
    /// The key (by its documented spelling) is set, in any spelling.
    pub fn has(&self, canonical: &str) -> bool {
        let typed = match canonical {
            "Binds" => self.binds.is_some(),
            "Mounts" => self.mounts.is_some(),
            "PortBindings" => self.port_bindings.is_some(),
            "NetworkMode" => self.network_mode.is_some(),
            "IpcMode" => self.ipc_mode.is_some(),
            "PidMode" => self.pid_mode.is_some(),
            "Privileged" => self.privileged.is_some(),
            "Runtime" => self.runtime.is_some(),
            "Devices" => self.devices.is_some(),
            "DeviceRequests" => self.device_requests.is_some(),
            "Memory" => self.memory.is_some(),
            "MemoryReservation" => self.memory_reservation.is_some(),
            "NanoCpus" => self.nano_cpus.is_some(),
            "CpuQuota" => self.cpu_quota.is_some(),
            "CpuPeriod" => self.cpu_period.is_some(),
            "CpuShares" => self.cpu_shares.is_some(),
            "ShmSize" => self.shm_size.is_some(),
            _ => false,
        };
        typed || self.other.iter().any(|o| o.docker == Some(canonical))
    }
}

impl HostConfig {
    /// `Privileged` is on (`true` or `"true"`, which the agent also reads).
    pub fn is_privileged(&self) -> bool {
        self.privileged.as_ref().and_then(Field::flag).unwrap_or(false)
    }
}

/// `Binds`: `source:target[:options]` strings.
#[derive(Debug, Clone, PartialEq)]
pub struct Binds {
    pub key: String,
    pub at: Pointer,
    /// `None` when `Binds` is not an array.
    pub entries: Option<Vec<BindEntry>>,
    pub value: Value,
}

/// One `Binds` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct BindEntry {
    pub index: usize,
    pub at: Pointer,
    /// The entry as written, when a string.
    pub raw: Option<String>,
    /// Read the way Docker reads it; `None` when it has no `source:target`.
    pub bind: Option<Bind>,
}

/// A bind read the way Docker reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bind {
    pub source: String,
    pub target: String,
    /// `ro`, `rw`, `z`… as written, when present.
    pub options: Option<String>,
    /// The source is a Windows path (`C:\data`): the GPU device is Linux.
    pub windows: bool,
}

impl Bind {
    /// Reads `source:target[:options]`, allowing a Windows drive letter on either side.
    pub fn parse(raw: &str) -> Option<Bind> {
        let drive = |s: &str| s.len() > 2 && s.as_bytes()[1] == b':' && matches!(s.as_bytes()[2], b'\\' | b'/');
        let windows = drive(raw) && raw.as_bytes()[0].is_ascii_alphabetic();
        let skip = if windows { 2 } else { 0 };
        let first = raw[skip..].find(':')? + skip;
        let (source, rest) = (&raw[..first], &raw[first + 1..]);
        let target_skip = if drive(rest) { 2 } else { 0 };
        let (target, options) = match rest[target_skip..].find(':') {
            Some(i) => (&rest[..i + target_skip], Some(&rest[i + target_skip + 1..])),
            None => (rest, None),
        };
        (!source.is_empty() && !target.is_empty()).then(|| Bind {
            source: source.to_owned(),
            target: target.to_owned(),
            options: options.map(str::to_owned),
            windows,
        })
    }

    pub fn read_only(&self) -> bool {
        self.options.as_deref().is_some_and(|o| o.split(',').any(|x| x == "ro"))
    }

    /// A Docker named volume (`myvol:/data`) rather than a host path.
    pub fn is_named_volume(&self) -> bool {
        !self.windows && is_volume_name(&self.source)
    }
}

/// A Docker volume name (`[a-zA-Z0-9][a-zA-Z0-9_.-]*`), possibly holding a placeholder after its
/// first character (`data-${ENV}`). A source that starts with a placeholder (`$VIDEO_FOLDER`,
/// `<TokenFile>`) is a host path filled in at deploy time, not a volume.
pub fn is_volume_name(source: &str) -> bool {
    let found = placeholders(source);
    if found.first().is_some_and(|p| source.starts_with(p)) {
        return false;
    }
    let mut rest = source.to_owned();
    for p in found {
        rest = rest.replace(p, "x");
    }
    rest.bytes().next().is_some_and(|c| c.is_ascii_alphanumeric())
        && rest.bytes().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-'))
}

/// `Mounts`.
#[derive(Debug, Clone, PartialEq)]
pub struct Mounts {
    pub key: String,
    pub at: Pointer,
    /// `None` when `Mounts` is not an array.
    pub entries: Option<Vec<Mount>>,
    /// As written: `null` takes new entries, a string or an object does not.
    pub value: Value,
}

/// One `Mounts` entry; each part keeps the spelling of its key.
#[derive(Debug, Clone, PartialEq)]
pub struct Mount {
    pub index: usize,
    pub at: Pointer,
    /// `false` when the entry is not an object.
    pub is_object: bool,
    pub kind: Option<Field>,
    pub source: Option<Field>,
    pub target: Option<Field>,
    pub read_only: Option<Field>,
    pub other: Vec<OtherKey>,
    pub value: Value,
}

impl Mount {
    /// `Type` lower-cased (`bind`, `volume`, `tmpfs`, `npipe`).
    pub fn kind(&self) -> Option<String> {
        self.kind.as_ref()?.text().map(|t| t.trim().to_ascii_lowercase())
    }

    pub fn source(&self) -> Option<&str> {
        self.source.as_ref()?.text()
    }

    pub fn target(&self) -> Option<&str> {
        self.target.as_ref()?.text()
    }

    pub fn is_read_only(&self) -> bool {
        self.read_only.as_ref().and_then(Field::flag).unwrap_or(false)
    }
}

/// `PortBindings`: `{"8080/tcp": [{"HostPort": "80"}]}`.
#[derive(Debug, Clone, PartialEq)]
pub struct PortBindings {
    pub key: String,
    pub at: Pointer,
    /// `None` when it is not an object.
    pub entries: Option<Vec<PortBinding>>,
}

/// One `PortBindings` entry: a container port and its host mappings.
#[derive(Debug, Clone, PartialEq)]
pub struct PortBinding {
    pub port: PortKey,
    /// `None` when the value is not an array of mappings.
    pub mappings: Option<Vec<PortMapping>>,
    pub value: Value,
}

impl PortBinding {
    /// The usable host ports of its mappings, in order.
    pub fn host_ports(&self) -> impl Iterator<Item = u16> + '_ {
        self.mappings.iter().flatten().filter_map(|m| match m.host_port() {
            HostPort::Port(p) => Some(p),
            _ => None,
        })
    }
}

/// One host mapping of a port binding.
#[derive(Debug, Clone, PartialEq)]
pub struct PortMapping {
    pub index: usize,
    pub at: Pointer,
    pub host_port: Option<Field>,
    pub host_ip: Option<Field>,
    pub other: Vec<OtherKey>,
    pub is_object: bool,
}

/// A `HostPort` as written and read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostPort {
    /// No `HostPort`, `null` or `""`.
    Missing,
    Port(u16),
    /// A template placeholder, filled in at deploy time.
    Placeholder(String),
    /// A range (`"8000-8010"`): Docker picks one, the agent skips it.
    Range(String),
    /// Anything else, as written.
    Invalid(String),
}

impl PortMapping {
    pub fn host_port(&self) -> HostPort {
        let Some(f) = &self.host_port else { return HostPort::Missing };
        match &f.value {
            Value::Null => HostPort::Missing,
            Value::String(s) if s.trim().is_empty() => HostPort::Missing,
            Value::String(s) if contains_placeholder(s) => HostPort::Placeholder(s.clone()),
            Value::String(s) if is_range(s) => HostPort::Range(s.clone()),
            Value::String(s) => parse_port(s).map_or_else(|| HostPort::Invalid(s.clone()), HostPort::Port),
            Value::Number(n) => n
                .as_u64()
                .and_then(|p| u16::try_from(p).ok())
                .filter(|p| *p > 0)
                .map_or_else(|| HostPort::Invalid(n.to_string()), HostPort::Port),
            other => HostPort::Invalid(other.to_string()),
        }
    }
}

/// `8000-8010`: a port range as Docker reads one (`-1` is a negative number, not a range).
fn is_range(s: &str) -> bool {
    s.trim()
        .split_once('-')
        .is_some_and(|(a, b)| [a, b].iter().all(|p| !p.is_empty() && p.bytes().all(|c| c.is_ascii_digit())))
}

/// `Devices`.
#[derive(Debug, Clone, PartialEq)]
pub struct Devices {
    pub key: String,
    pub at: Pointer,
    pub entries: Option<Vec<Device>>,
}

/// One `Devices` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Device {
    pub index: usize,
    pub at: Pointer,
    pub path_on_host: Option<Field>,
    pub path_in_container: Option<Field>,
    pub cgroup_permissions: Option<Field>,
    pub other: Vec<OtherKey>,
    /// The entry as written (an object, or a `host:container:perms` string some tools write).
    pub value: Value,
}

impl Device {
    /// The host path: `PathOnHost`, or the first part of a string entry.
    pub fn host_path(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => s.split(':').next(),
            _ => self.path_on_host.as_ref()?.text(),
        }
    }
}

/// `DeviceRequests`.
#[derive(Debug, Clone, PartialEq)]
pub struct DeviceRequests {
    pub key: String,
    pub at: Pointer,
    pub entries: Option<Vec<DeviceRequest>>,
}

/// One `DeviceRequests` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct DeviceRequest {
    pub index: usize,
    pub at: Pointer,
    pub driver: Option<Field>,
    pub count: Option<Field>,
    pub device_ids: Option<Field>,
    pub capabilities: Option<Field>,
    pub options: Option<Field>,
    pub other: Vec<OtherKey>,
    /// The entry as written, for messages.
    pub value: Value,
}

impl DeviceRequest {
    /// Asks for GPUs: driver `nvidia`, or a `gpu` capability.
    pub fn is_gpu(&self) -> bool {
        let driver = self.driver.as_ref().and_then(Field::text).is_some_and(|d| d.eq_ignore_ascii_case("nvidia"));
        let caps = self.capabilities.as_ref().is_some_and(|c| mentions_gpu(&c.value));
        driver || caps
    }
}

fn mentions_gpu(v: &Value) -> bool {
    match v {
        Value::String(s) => s.eq_ignore_ascii_case("gpu"),
        Value::Array(a) => a.iter().any(mentions_gpu),
        _ => false,
    }
}

/// The agent's `k8s-experimental` section.
#[derive(Debug, Clone, PartialEq)]
pub struct Experimental {
    pub at: Pointer,
    /// `false` when the section is not an object: the agent logs it and ignores it.
    pub is_object: bool,
    pub volumes: Option<Field>,
    pub resources: Option<Field>,
    pub node_selector: Option<Field>,
    pub security_context: Option<Field>,
    pub service_options: Option<Field>,
    pub strategy: Option<Field>,
    /// Inner keys the agent does not know; it ignores them.
    pub unknown: Vec<Field>,
    pub shadowed: Vec<Shadowed>,
    pub value: Value,
}

impl Experimental {
    /// A known inner key by its documented spelling (`resources`).
    pub fn get(&self, name: &str) -> Option<&Field> {
        match name {
            "volumes" => self.volumes.as_ref(),
            "resources" => self.resources.as_ref(),
            "nodeSelector" => self.node_selector.as_ref(),
            "securityContext" => self.security_context.as_ref(),
            "serviceOptions" => self.service_options.as_ref(),
            "strategy" => self.strategy.as_ref(),
            _ => None,
        }
    }
}

/// Looks up `levels` below an object ignoring ASCII case, the last spelling winning (the way the
/// decoders read nested Kubernetes objects such as `resources.limits`). Returns the value and its
/// pointer (through the spellings found) below `base`.
pub fn lookup<'v>(value: &'v Value, base: &Pointer, levels: &[&str]) -> Option<(&'v Value, Pointer)> {
    let mut cur = value;
    let mut at = base.clone();
    for level in levels {
        let (k, v) = cur.as_object()?.iter().rev().find(|(k, _)| k.eq_ignore_ascii_case(level))?;
        at = at.child(k);
        cur = v;
    }
    Some((cur, at))
}

/// Reads a decoded createOptions object.
pub fn read(root: &Map<String, Value>) -> Container {
    let base = Pointer::root();
    let mut keys = read_keys(root, CONTAINER_KEYS);
    let mut c = Container {
        cmd: keys.take("Cmd", &base),
        entrypoint: keys.take("Entrypoint", &base),
        working_dir: keys.take("WorkingDir", &base),
        labels: keys.take("Labels", &base),
        ..Container::default()
    };
    c.shadowed = shadowed(&base, &keys.shadowed);
    if let Some((k, v)) = keys.raw("Env") {
        let at = base.child(k);
        let entries = v.as_array().map(|a| {
            a.iter()
                .enumerate()
                .map(|(index, e)| EnvEntry { index, at: at.index(index), text: e.as_str().map(str::to_owned) })
                .collect()
        });
        c.env = Some(EnvList { key: k.to_owned(), at, entries, value: v.clone() });
    }
    if let Some((k, v)) = keys.raw("ExposedPorts") {
        let at = base.child(k);
        let ports = v.as_object().map(|o| o.keys().map(|p| PortKey::read(p, at.child(p))).collect());
        let written = (!v.is_object()).then(|| v.clone());
        c.exposed_ports = Some(ExposedPorts { key: k.to_owned(), at, ports, written });
    }
    if let Some((k, v)) = keys.raw("HostConfig") {
        let hc = read_host_config(k, v, &base);
        c.k8s_lookalikes.extend(hc.other.iter().filter(|o| is_k8s_section_name(&o.field.key)).map(|o| o.field.clone()));
        c.host_config = Some(hc);
    }
    for (k, v) in std::mem::take(&mut keys.other) {
        if k == K8S_SECTION {
            c.k8s = Some(read_experimental(v, &base.child(k)));
        } else if is_k8s_section_name(k) {
            c.k8s_lookalikes.push(field(&base, k, v));
        } else {
            c.other.push(OtherKey { field: field(&base, k, v), docker: None });
        }
    }
    for (canonical, k, v) in &keys.known {
        if !matches!(*canonical, "Env" | "Cmd" | "Entrypoint" | "WorkingDir" | "Labels" | "ExposedPorts" | "HostConfig")
        {
            c.other.push(OtherKey { field: field(&base, k, v), docker: Some(canonical) });
        }
    }
    // Keep the file's order among the other keys.
    c.other.sort_by_key(|o| root.keys().position(|k| *k == o.field.key));
    c
}

/// Any spelling of the agent's section name: `k8s_experimental`, `K8S-Experimental`, `k8sExperimental`.
pub fn is_k8s_section_name(key: &str) -> bool {
    squash(key) == "k8sexperimental"
}

/// Lower-case letters and digits only: what tells spellings of one name apart from other names.
pub fn squash(key: &str) -> String {
    key.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect()
}

fn shadowed(base: &Pointer, pairs: &[(String, String)]) -> Vec<Shadowed> {
    pairs.iter().map(|(k, by)| Shadowed { key: k.clone(), at: base.child(k), by: by.clone() }).collect()
}

/// The keys of `map` without a typed field, in the file's order.
fn others(keys: &Keys<'_>, map: &Map<String, Value>, base: &Pointer, typed: &[&str]) -> Vec<OtherKey> {
    let mut out: Vec<OtherKey> = keys
        .known
        .iter()
        .filter(|(c, _, _)| !typed.contains(c))
        .map(|(c, k, v)| OtherKey { field: field(base, k, v), docker: Some(c) })
        .chain(keys.other.iter().map(|(k, v)| OtherKey { field: field(base, k, v), docker: None }))
        .collect();
    out.sort_by_key(|o| map.keys().position(|k| *k == o.field.key));
    out
}

fn read_host_config(key: &str, value: &Value, base: &Pointer) -> HostConfig {
    let at = base.child(key);
    let Some(map) = value.as_object() else {
        return HostConfig { key: key.to_owned(), at, written: Some(value.clone()), ..HostConfig::default() };
    };
    let keys = read_keys(map, HOST_CONFIG_KEYS);
    const TYPED: &[&str] = &[
        "Binds",
        "Mounts",
        "PortBindings",
        "NetworkMode",
        "IpcMode",
        "PidMode",
        "Privileged",
        "Runtime",
        "Devices",
        "DeviceRequests",
        "Memory",
        "MemoryReservation",
        "NanoCpus",
        "CpuQuota",
        "CpuPeriod",
        "CpuShares",
        "ShmSize",
    ];
    let mut hc = HostConfig {
        key: key.to_owned(),
        is_object: true,
        network_mode: keys.take("NetworkMode", &at),
        ipc_mode: keys.take("IpcMode", &at),
        pid_mode: keys.take("PidMode", &at),
        privileged: keys.take("Privileged", &at),
        runtime: keys.take("Runtime", &at),
        memory: keys.take("Memory", &at),
        memory_reservation: keys.take("MemoryReservation", &at),
        nano_cpus: keys.take("NanoCpus", &at),
        cpu_quota: keys.take("CpuQuota", &at),
        cpu_period: keys.take("CpuPeriod", &at),
        cpu_shares: keys.take("CpuShares", &at),
        shm_size: keys.take("ShmSize", &at),
        other: others(&keys, map, &at, TYPED),
        shadowed: shadowed(&at, &keys.shadowed),
        at: at.clone(),
        ..HostConfig::default()
    };
    if let Some((key, at, entries, value)) = read_array(&keys, "Binds", &at, |index, e, at| {
        let raw = e.as_str().map(str::to_owned);
        let bind = raw.as_deref().and_then(Bind::parse);
        BindEntry { index, at: at.clone(), raw, bind }
    }) {
        hc.binds = Some(Binds { key, at, entries, value });
    }
    if let Some((key, at, entries, value)) = read_array(&keys, "Mounts", &at, read_mount) {
        hc.mounts = Some(Mounts { key, at, entries, value });
    }
    if let Some((k, v)) = keys.raw("PortBindings") {
        let pat = at.child(k);
        let entries = v.as_object().map(|o| {
            o.iter()
                .map(|(port, mappings)| {
                    let port = PortKey::read(port, pat.child(port));
                    let list = mappings
                        .as_array()
                        .map(|a| a.iter().enumerate().map(|(i, m)| read_mapping(i, m, &port.at.index(i))).collect());
                    PortBinding { port, mappings: list, value: mappings.clone() }
                })
                .collect()
        });
        hc.port_bindings = Some(PortBindings { key: k.to_owned(), at: pat, entries });
    }
    if let Some((key, at, entries, _)) = read_array(&keys, "Devices", &at, read_device) {
        hc.devices = Some(Devices { key, at, entries });
    }
    if let Some((key, at, entries, _)) = read_array(&keys, "DeviceRequests", &at, read_device_request) {
        hc.device_requests = Some(DeviceRequests { key, at, entries });
    }
    hc
}

/// A list field as written: its spelling, where it is, each entry read by `read` (`None` when it
/// is not an array) and the value itself.
fn read_array<T>(
    keys: &Keys<'_>,
    canonical: &str,
    base: &Pointer,
    read: impl Fn(usize, &Value, &Pointer) -> T,
) -> Option<(String, Pointer, Option<Vec<T>>, Value)> {
    let (k, v) = keys.raw(canonical)?;
    let at = base.child(k);
    let entries = v.as_array().map(|a| a.iter().enumerate().map(|(i, e)| read(i, e, &at.index(i))).collect());
    Some((k.to_owned(), at, entries, v.clone()))
}

/// An object's keys; a value that is not an object reads as one with no keys.
fn keys_of<'a>(value: &'a Value, known: &[&'static str]) -> (&'a Map<String, Value>, Keys<'a>) {
    static EMPTY: std::sync::LazyLock<Map<String, Value>> = std::sync::LazyLock::new(Map::new);
    let map = value.as_object().unwrap_or(&EMPTY);
    (map, read_keys(map, known))
}

fn read_device(index: usize, value: &Value, at: &Pointer) -> Device {
    let (map, keys) = keys_of(value, DEVICE_KEYS);
    Device {
        index,
        path_on_host: keys.take("PathOnHost", at),
        path_in_container: keys.take("PathInContainer", at),
        cgroup_permissions: keys.take("CgroupPermissions", at),
        other: others(&keys, map, at, DEVICE_KEYS),
        at: at.clone(),
        value: value.clone(),
    }
}

fn read_device_request(index: usize, value: &Value, at: &Pointer) -> DeviceRequest {
    let (map, keys) = keys_of(value, DEVICE_REQUEST_KEYS);
    DeviceRequest {
        index,
        driver: keys.take("Driver", at),
        count: keys.take("Count", at),
        device_ids: keys.take("DeviceIDs", at),
        capabilities: keys.take("Capabilities", at),
        options: keys.take("Options", at),
        other: others(&keys, map, at, DEVICE_REQUEST_KEYS),
        at: at.clone(),
        value: value.clone(),
    }
}

fn read_mount(index: usize, value: &Value, at: &Pointer) -> Mount {
    let (map, keys) = keys_of(value, MOUNT_KEYS);
    Mount {
        index,
        at: at.clone(),
        is_object: value.is_object(),
        kind: keys.take("Type", at),
        source: keys.take("Source", at),
        target: keys.take("Target", at),
        read_only: keys.take("ReadOnly", at),
        other: others(&keys, map, at, &["Type", "Source", "Target", "ReadOnly"]),
        value: value.clone(),
    }
}

fn read_mapping(index: usize, value: &Value, at: &Pointer) -> PortMapping {
    let (map, keys) = keys_of(value, PORT_MAPPING_KEYS);
    PortMapping {
        index,
        at: at.clone(),
        host_port: keys.take("HostPort", at),
        host_ip: keys.take("HostIp", at),
        other: others(&keys, map, at, PORT_MAPPING_KEYS),
        is_object: value.is_object(),
    }
}

fn read_experimental(value: &Value, at: &Pointer) -> Experimental {
    let (_, keys) = keys_of(value, K8S_KEYS);
    Experimental {
        at: at.clone(),
        is_object: value.is_object(),
        volumes: keys.take("volumes", at),
        resources: keys.take("resources", at),
        node_selector: keys.take("nodeSelector", at),
        security_context: keys.take("securityContext", at),
        service_options: keys.take("serviceOptions", at),
        strategy: keys.take("strategy", at),
        unknown: keys.other.iter().map(|(k, v)| field(at, k, v)).collect(),
        shadowed: shadowed(at, &keys.shadowed),
        value: value.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn model(v: Value) -> Container {
        read(v.as_object().unwrap())
    }

    #[test]
    fn keys_match_ignoring_case_and_keep_their_spelling() {
        let c = model(
            json!({"hostConfig": {"binds": ["/home/hcsshares/images:/data:ro"], "portBindings": {"80/TCP": [{"hostPort": "8080"}]}, "networkMode": "host"}}),
        );
        let hc = c.host_config.unwrap();
        assert_eq!(hc.key, "hostConfig");
        let binds = hc.binds.unwrap();
        assert_eq!(binds.at.as_str(), "/hostConfig/binds");
        let b = binds.entries.unwrap()[0].bind.clone().unwrap();
        assert_eq!((b.source.as_str(), b.target.as_str(), b.read_only()), ("/home/hcsshares/images", "/data", true));
        let pb = &hc.port_bindings.unwrap().entries.unwrap()[0];
        assert_eq!((pb.port.port, pb.port.protocol.as_str()), (Some(80), "tcp"));
        let mapping = &pb.mappings.as_ref().unwrap()[0];
        assert_eq!(mapping.host_port(), HostPort::Port(8080));
        assert_eq!(mapping.host_port.as_ref().unwrap().at.as_str(), "/hostConfig/portBindings/80~1TCP/0/hostPort");
        assert_eq!(hc.network_mode.unwrap().text(), Some("host"));
    }

    #[test]
    fn the_later_spelling_wins_and_the_earlier_is_recorded() {
        let c = model(json!({"HostConfig": {"Privileged": true, "privileged": false}}));
        let hc = c.host_config.unwrap();
        assert_eq!(hc.privileged.unwrap().flag(), Some(false));
        let c = model(json!({"env": ["A=1"], "Env": ["B=2"]}));
        assert_eq!(c.env.unwrap().entries.unwrap()[0].text.as_deref(), Some("B=2"));
        assert_eq!(c.shadowed[0].key, "env");
    }

    #[test]
    fn the_agent_section_needs_its_exact_key() {
        let c = model(
            json!({"k8s-experimental": {"Resources": {"limits": {"nvidia.com/gpu": 1}}, "nodeselector": {}, "foo": 1}, "K8s-Experimental": {}, "HostConfig": {"k8s_experimental": {}}}),
        );
        let k = c.k8s.unwrap();
        assert_eq!(k.resources.as_ref().unwrap().key, "Resources");
        assert_eq!(k.node_selector.as_ref().unwrap().at.as_str(), "/k8s-experimental/nodeselector");
        assert_eq!(k.unknown.len(), 1);
        let resources = k.resources.unwrap();
        let (gpu, at) = lookup(&resources.value, &Pointer::root(), &["LIMITS", "nvidia.com/gpu"]).unwrap();
        assert_eq!((gpu, at.as_str()), (&json!(1), "/limits/nvidia.com~1gpu"));
        let lookalikes: Vec<&str> = c.k8s_lookalikes.iter().map(|f| f.at.as_str()).collect();
        assert_eq!(lookalikes, ["/HostConfig/k8s_experimental", "/K8s-Experimental"]);
    }

    #[test]
    fn other_keys_keep_their_order_and_say_whether_docker_knows_them() {
        let c = model(json!({"HostConfir": {}, "hostname": "x", "Volumes": {"/data": {}}, "Env": []}));
        let other: Vec<(&str, Option<&str>)> = c.other.iter().map(|o| (o.field.key.as_str(), o.docker)).collect();
        assert_eq!(other, [("HostConfir", None), ("hostname", Some("Hostname")), ("Volumes", Some("Volumes"))]);
        assert!(c.host_config.is_none(), "a misspelt HostConfig is not read");
    }

    #[test]
    fn binds_mounts_and_devices() {
        assert!(Bind::parse("C:\\data:/data").unwrap().windows);
        assert!(Bind::parse("myvol:/var/lib").unwrap().is_named_volume());
        assert!(Bind::parse("data-${ENV}:/d").unwrap().is_named_volume());
        assert!(!Bind::parse("$VIDEO_FOLDER:/media").unwrap().is_named_volume());
        assert!(!Bind::parse("data/x:/d").unwrap().is_named_volume());
        assert!(Bind::parse("nocolon").is_none());
        let c = model(json!({"HostConfig": {
            "Mounts": [{"type": "Volume", "source": "share", "target": "/d", "readonly": "true"}, "oops"],
            "Devices": [{"PathOnHost": "/dev/catapult0"}, "/dev/video0:/dev/video0:rwm"],
            "DeviceRequests": [{"Count": -1, "Capabilities": [["gpu"]]}]
        }}));
        let hc = c.host_config.unwrap();
        let mounts = hc.mounts.unwrap().entries.unwrap();
        assert_eq!(
            (mounts[0].kind().as_deref(), mounts[0].source(), mounts[0].is_read_only()),
            (Some("volume"), Some("share"), true)
        );
        assert!(!mounts[1].is_object);
        let devices = hc.devices.unwrap().entries.unwrap();
        assert_eq!(
            devices.iter().map(|d| d.host_path()).collect::<Vec<_>>(),
            [Some("/dev/catapult0"), Some("/dev/video0")]
        );
        assert!(hc.device_requests.unwrap().entries.unwrap()[0].is_gpu());
    }

    #[test]
    fn new_keys_follow_the_case_the_module_writes() {
        assert_eq!(KeyCase::of("binds").spell("ReadOnly"), "readOnly");
        assert_eq!(KeyCase::of("Binds").spell("Mounts"), "Mounts");
        assert_eq!(KeyCase::of("HOSTCONFIG").spell("Mounts"), "Mounts");
        let c = model(json!({"hostConfig": {"mounts": null}}));
        assert_eq!(c.host_config.unwrap().mounts.unwrap().value, Value::Null);
    }

    #[test]
    fn host_ports_of_every_shape() {
        let c = model(
            json!({"HostConfig": {"PortBindings": {"1/tcp": [{}, {"HostPort": ""}, {"HostPort": 80}, {"HostPort": "$P"}, {"HostPort": "8000-8010"}, {"HostPort": "x"}, {"HostPort": "0"}]}}}),
        );
        let pb = &c.host_config.unwrap().port_bindings.unwrap().entries.unwrap()[0];
        let ports: Vec<HostPort> = pb.mappings.as_ref().unwrap().iter().map(PortMapping::host_port).collect();
        assert_eq!(
            ports,
            [
                HostPort::Missing,
                HostPort::Missing,
                HostPort::Port(80),
                HostPort::Placeholder("$P".into()),
                HostPort::Range("8000-8010".into()),
                HostPort::Invalid("x".into()),
                HostPort::Invalid("0".into())
            ]
        );
        let c = model(json!({"HostConfig": {"PortBindings": {"1/": [{"HostPort": "-1"}]}}}));
        let pb = &c.host_config.unwrap().port_bindings.unwrap().entries.unwrap()[0];
        assert_eq!((pb.port.protocol.as_str(), pb.port.explicit_protocol), ("tcp", false), "`1/` is tcp");
        assert_eq!(pb.mappings.as_ref().unwrap()[0].host_port(), HostPort::Invalid("-1".into()));
    }

    #[test]
    fn small_objects_read_their_keys_and_placeholders() {
        let c = model(
            json!({"HostConfig": {"RestartPolicy": {"name": "always", "MaxRetry": 3}, "LogConfig": {"Config": {"max-size": "$LOG_SIZE", "n": ["${FILES}"]}}}}),
        );
        let hc = c.host_config.unwrap();
        let restart = hc.other.iter().find(|o| o.docker == Some("RestartPolicy")).unwrap();
        let keys = restart.field.keys(RESTART_POLICY_KEYS).unwrap();
        let read: Vec<(&str, Option<&str>, &str)> =
            keys.iter().map(|o| (o.field.key.as_str(), o.docker, o.field.at.as_str())).collect();
        assert_eq!(
            read,
            [
                ("name", Some("Name"), "/HostConfig/RestartPolicy/name"),
                ("MaxRetry", None, "/HostConfig/RestartPolicy/MaxRetry")
            ]
        );
        let log = hc.other.iter().find(|o| o.docker == Some("LogConfig")).unwrap();
        assert_eq!(log.field.placeholders(), ["$LOG_SIZE", "${FILES}"]);
        assert!(object_keys(&json!([1]), &Pointer::root(), LOG_CONFIG_KEYS).is_none());
    }

    #[test]
    fn which_keys_are_set_and_what_is_not_an_object() {
        let c = model(
            json!({"env": [], "hostname": "x", "HostConfig": {"privileged": true, "capadd": []}, "ExposedPorts": ["80/tcp"]}),
        );
        assert!(c.has("Env") && c.has("Hostname") && c.has("HostConfig") && !c.has("Cmd") && !c.has("User"));
        let hc = c.host_config.as_ref().unwrap();
        assert!(hc.has("Privileged") && hc.has("CapAdd") && !hc.has("Binds"));
        assert_eq!(hc.written, None);
        assert_eq!(c.exposed_ports.unwrap().written, Some(json!(["80/tcp"])));
        assert_eq!(model(json!({"HostConfig": "x"})).host_config.unwrap().written, Some(json!("x")));
    }

    #[test]
    fn unset_values() {
        for v in
            [json!(null), json!(""), json!(0), json!(false), json!([{}]), json!({"Name": "", "MaximumRetryCount": 0})]
        {
            assert!(is_unset(&v), "{v}");
        }
        for v in [json!("root"), json!(-1), json!(["NET_ADMIN"]), json!({"Type": "json-file"})] {
            assert!(!is_unset(&v), "{v}");
        }
    }

    #[test]
    fn amounts_of_every_shape() {
        assert_eq!(amount(&json!(268435456)), Amount::Int(268435456));
        assert_eq!(amount(&json!("268435456")), Amount::Int(268435456));
        assert_eq!(amount(&json!(1.0)), Amount::Int(1));
        assert_eq!(amount(&json!(1.5)), Amount::Invalid("1.5".into()));
        assert_eq!(amount(&json!("$MEMORY")), Amount::Placeholder("$MEMORY".into()));
        assert_eq!(amount(&json!("<Memory Limit>")), Amount::Placeholder("<Memory Limit>".into()));
        let runtime = Field { key: "runtime".into(), at: Pointer::root(), value: json!("<Docker Runtime>") };
        assert_eq!(runtime.placeholder(), Some("<Docker Runtime>"), "a whole-value placeholder with a space");
        let plain = Field { key: "Runtime".into(), at: Pointer::root(), value: json!("nvidia") };
        assert_eq!(plain.placeholder(), None);
        assert_eq!(amount(&json!(null)), Amount::Unset);
    }
}
