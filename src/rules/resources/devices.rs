//! How a Docker module asks for accelerators and devices: `HostConfig.Devices` (`/dev/catapult0`,
//! `/dev/nvidia0`, `/dev/video0`…), `HostConfig.DeviceRequests` and `HostConfig.Runtime: nvidia`.
//! The Kubernetes agent ignores all three; read once here, from the module model, for RES003,
//! RES005 and the deployment's GPU plan ([`super::gpus`]).

use crate::manifest::model::{Amount, Device, DeviceRequest, Field};
use crate::manifest::placeholder::{contains_placeholder, is_placeholder};
use crate::manifest::{Module, Pointer};
use serde_json::Value;

/// What one Docker setting stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// An FPGA of the FPGA device (`/dev/catapult0`): becomes a GPU.
    Catapult,
    /// An NVIDIA GPU device node (`/dev/nvidia0`): one GPU.
    NvidiaGpu,
    /// NVIDIA's control nodes (`/dev/nvidiactl`, `/dev/nvidia-uvm`): the device plugin mounts them.
    NvidiaSupport,
    /// `Runtime: nvidia`: the GPUs the runtime exposes.
    Runtime,
    /// A runtime that is a placeholder (`<Docker Runtime>`), filled in at deploy time.
    RuntimePlaceholder(String),
    /// A `DeviceRequests` entry for GPUs, and how many it asks for.
    GpuRequest(Ask),
    /// Any other device, a non-GPU device request, or an entry that cannot be read.
    Other(Class),
}

/// How many GPUs a `DeviceRequests` entry asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ask {
    Count(u64),
    /// `Count: -1` (or `"all"`): every GPU of the host.
    All,
    /// A placeholder count (`"$GPUS"`), filled in at deploy time.
    Placeholder(String),
}

/// What kind of device a non-accelerator entry is, for advice that names the right thing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Class {
    /// `/dev/video*`: a V4L2 capture device, usually a camera.
    Camera,
    /// `/dev/ttyUSB*`, `/dev/ttyACM*`, `/dev/ttyS*`, `/dev/serial/…`: a serial port.
    Serial,
    /// `/dev/bus/usb/…`: a raw USB device.
    Usb,
    /// `/dev/dri…`: an Intel (or AMD) GPU's render node, for OpenVINO or VA-API.
    IntelGpu,
    /// Any other host device.
    Device,
    /// A device path that is a placeholder, filled in at deploy time.
    Placeholder(String),
    /// A `DeviceRequests` entry that does not ask for NVIDIA GPUs.
    Request,
    /// An entry without a readable host path.
    Unreadable,
}

impl Class {
    /// What the device is, for messages (`a serial port`).
    pub fn describe(&self) -> &'static str {
        match self {
            Class::Camera => "a video capture device, usually a camera",
            Class::Serial => "a serial port",
            Class::Usb => "a USB device",
            Class::IntelGpu => "an Intel GPU (OpenVINO, VA-API)",
            Class::Device | Class::Placeholder(_) | Class::Unreadable => "a host device",
            Class::Request => "a device request",
        }
    }
}

/// One device-like setting of a module.
#[derive(Debug, Clone)]
pub struct Item {
    pub kind: Kind,
    /// Where it is in the decoded createOptions (`/HostConfig/Devices/0`, `/HostConfig/runtime`).
    pub at: Pointer,
    /// What it is, as written (`/dev/catapult0`, `runtime: nvidia`, a request's JSON).
    pub what: String,
    /// For a `Devices` entry: the path the container sees it at, when it differs from the host's.
    pub renamed_to: Option<String>,
}

impl Item {
    /// What it is, for messages: `` `/dev/catapult0` ``, `` `runtime: nvidia` ``, or
    /// ``device request `{…}` ``.
    pub fn label(&self) -> String {
        match self.kind {
            Kind::GpuRequest(_) | Kind::Other(Class::Request) => format!("device request `{}`", self.what),
            _ => format!("`{}`", self.what),
        }
    }

    /// Stands for (part of) an accelerator that becomes an `nvidia.com/gpu` limit.
    pub fn is_gpu(&self) -> bool {
        !matches!(self.kind, Kind::Other(_))
    }
}

/// Every `Devices`, `DeviceRequests` and `Runtime` setting of the module, in that order.
pub fn items(module: &Module) -> Vec<Item> {
    let Some(hc) = module.host_config() else { return Vec::new() };
    let mut out = Vec::new();
    for d in hc.devices.iter().flat_map(|d| d.entries.iter().flatten()) {
        out.push(device(d));
    }
    for r in hc.device_requests.iter().flat_map(|r| r.entries.iter().flatten()) {
        let kind = if r.is_gpu() { Kind::GpuRequest(ask(r)) } else { Kind::Other(Class::Request) };
        out.push(Item { kind, at: r.at.clone(), what: compact(&r.value), renamed_to: None });
    }
    if let Some(runtime) = &hc.runtime
        && let Some(text) = runtime.text()
    {
        let kind = if let Some(p) = runtime.placeholder() {
            Some(Kind::RuntimePlaceholder(p.to_owned()))
        } else if text.trim().eq_ignore_ascii_case("nvidia") {
            Some(Kind::Runtime)
        } else {
            None
        };
        if let Some(kind) = kind {
            out.push(Item { kind, at: runtime.at.clone(), what: format!("{}: {text}", runtime.key), renamed_to: None });
        }
    }
    out
}

fn device(d: &Device) -> Item {
    let host = d.host_path().map(str::trim).filter(|p| !p.is_empty());
    let in_container = match &d.value {
        Value::String(s) => s.split(':').nth(1).map(str::trim),
        _ => d.path_in_container.as_ref().and_then(Field::text).map(str::trim),
    };
    let renamed_to = in_container.filter(|c| !c.is_empty() && Some(*c) != host).map(str::to_owned);
    let kind = match host {
        None => Kind::Other(Class::Unreadable),
        Some(p) if contains_placeholder(p) || is_placeholder(p) => Kind::Other(Class::Placeholder(p.to_owned())),
        Some(p) if p.starts_with("/dev/catapult") => Kind::Catapult,
        Some(p)
            if p.strip_prefix("/dev/nvidia")
                .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())) =>
        {
            Kind::NvidiaGpu
        }
        Some(p) if p.starts_with("/dev/nvidia") => Kind::NvidiaSupport,
        Some(p) => Kind::Other(class(p)),
    };
    let what = host.map_or_else(|| compact(&d.value), str::to_owned);
    Item { kind, at: d.at.clone(), what, renamed_to }
}

/// The kind of a host device, by its path.
fn class(path: &str) -> Class {
    let name = path.strip_prefix("/dev/").unwrap_or(path);
    if name.starts_with("video") {
        Class::Camera
    } else if ["ttyUSB", "ttyACM", "ttyS", "ttyAMA", "serial"].iter().any(|p| name.starts_with(p)) {
        Class::Serial
    } else if name.starts_with("bus/usb") {
        Class::Usb
    } else if name.starts_with("dri") {
        Class::IntelGpu
    } else {
        Class::Device
    }
}

/// How many GPUs a GPU request asks for: `Count` (−1 or `"all"` = all), else its `DeviceIDs`,
/// else one (a request that names no count still asks for a GPU).
fn ask(r: &DeviceRequest) -> Ask {
    if let Some(c) = &r.count {
        if let Some(p) = c.placeholder() {
            return Ask::Placeholder(p.to_owned());
        }
        if c.text().is_some_and(|t| t.trim().eq_ignore_ascii_case("all")) {
            return Ask::All;
        }
        match c.amount() {
            Amount::Int(n) if n < 0 => return Ask::All,
            Amount::Int(n) if n > 0 => return Ask::Count(u64::try_from(n).unwrap_or(u64::MAX)),
            _ => {}
        }
    }
    match r.device_ids.as_ref().map(|f| &f.value) {
        Some(Value::Array(ids)) if !ids.is_empty() => Ask::Count(ids.len() as u64),
        Some(Value::String(s)) if contains_placeholder(s) => Ask::Placeholder(s.clone()),
        Some(Value::String(s)) if !s.trim().is_empty() => Ask::Count(s.split(',').count() as u64),
        _ => Ask::Count(1),
    }
}

/// What the module's GPU settings ask for together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Wants {
    /// This many GPUs: the most any one setting asks for (they describe the same accelerators),
    /// FPGAs and GPU nodes counted one for one, "all" being the device's GPUs.
    Count(u64),
    /// A request whose count is a placeholder: carried over as it is.
    Placeholder(String),
}

/// What `items` ask for on a device with `device_gpus` GPUs.
pub fn wants(items: &[Item], device_gpus: u64) -> Wants {
    let count = |k: Kind| items.iter().filter(|i| i.kind == k).count() as u64;
    let mut most = count(Kind::Catapult).max(count(Kind::NvidiaGpu)).max(1);
    for i in items {
        match &i.kind {
            Kind::GpuRequest(Ask::Placeholder(p)) => return Wants::Placeholder(p.clone()),
            Kind::GpuRequest(Ask::All) => most = most.max(device_gpus),
            Kind::GpuRequest(Ask::Count(n)) => most = most.max(*n),
            _ => {}
        }
    }
    Wants::Count(most)
}

/// The module asks Docker for a GPU or an FPGA in one of the ways above (a placeholder runtime
/// included: it may become `nvidia`).
pub fn wants_gpu(module: &Module) -> bool {
    items(module).iter().any(Item::is_gpu)
}

/// Words that mark a module that only watches GPUs (metrics exporters and collectors), matched
/// as whole words of its image's repository name (`…/spatial-analysis/telegraf`,
/// `nvidia/dcgm-exporter`), or of the module's name when that name is a placeholder
/// (`${MODULES.telegraf}`) or there is no image.
const MONITOR_WORDS: &[&str] =
    &["telegraf", "dcgm", "exporter", "metrics", "monitor", "monitoring", "prometheus", "collectd"];

/// Why the module looks like a monitor that only reads GPU metrics (`image `…/telegraf:latest``),
/// or `None`. Conservative on purpose: one whole word of the image's own name, not of its
/// registry or path, so that `myacr/monitoring/detector` is not a monitor.
pub fn monitoring(module: &Module) -> Option<String> {
    let image = module.settings.image.as_ref().and_then(Field::text).map(str::trim).filter(|i| !i.is_empty());
    let (text, what) = match image.map(|i| (i, repository_name(i))) {
        Some((i, name)) if !contains_placeholder(name) && !is_placeholder(name) => (name, format!("its image `{i}`")),
        _ => (module.name.as_str(), format!("its name `{}`", module.name)),
    };
    words(text).iter().any(|w| MONITOR_WORDS.contains(&w.as_str())).then_some(what)
}

/// An image's own name: `telegraf` in `mcr.microsoft.com/…/telegraf:latest@sha256:…`.
pub(super) fn repository_name(image: &str) -> &str {
    let image = image.split('@').next().unwrap_or(image);
    let last = image.rsplit('/').next().unwrap_or(image);
    last.split(':').next().unwrap_or(last)
}

/// Lower-cased words: split at anything but letters and digits, and at camelCase humps.
fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in text.chars() {
        if !c.is_ascii_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && prev_lower && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        cur.push(c.to_ascii_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// A JSON value on one line, cut at 80 characters, for messages.
pub(super) fn compact(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 80 { format!("{}…", s.chars().take(80).collect::<String>()) } else { s }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::Manifest;
    use serde_json::json;

    fn module(image: &str, name: &str, create: Value) -> Module {
        let doc = json!({"modulesContent": {"$edgeAgent": {"properties.desired": {"modules": {name: {
            "type": "docker", "settings": {"image": image, "createOptions": create.to_string()}
        }}}}}});
        let m = Manifest::from_value(doc, Default::default(), Vec::new()).unwrap();
        m.modules.into_iter().next().unwrap()
    }

    #[test]
    fn gpu_requests_and_what_they_ask_for() {
        let m = module(
            "x",
            "m",
            json!({"HostConfig": {"DeviceRequests": [
                {"Driver": "nvidia", "Count": -1, "Capabilities": [["gpu"]]},
                {"Capabilities": [["gpu", "utility"]], "DeviceIDs": ["0", "1"]},
                {"Driver": "cdi"},
                {"capabilities": "GPU", "count": "$GPUS"}
            ]}}),
        );
        let kinds: Vec<Kind> = items(&m).into_iter().map(|i| i.kind).collect();
        assert_eq!(
            kinds,
            [
                Kind::GpuRequest(Ask::All),
                Kind::GpuRequest(Ask::Count(2)),
                Kind::Other(Class::Request),
                Kind::GpuRequest(Ask::Placeholder("$GPUS".into()))
            ]
        );
    }

    #[test]
    fn devices_by_kind_and_what_all_asks_for() {
        let m = module(
            "x",
            "m",
            json!({"hostConfig": {"devices": [
                {"PathOnHost": "/dev/nvidia0"}, {"PathOnHost": "/dev/nvidia1"}, {"PathOnHost": "/dev/nvidiactl"},
                "/dev/ttyUSB0:/dev/ttyUSB0:rwm", {"pathonhost": "/dev/video42", "PathInContainer": "/dev/video0"},
                {"PathOnHost": "$DEVICE"}, 7
            ], "runtime": "nvidia"}}),
        );
        let found = items(&m);
        let kinds: Vec<&Kind> = found.iter().map(|i| &i.kind).collect();
        assert_eq!(
            kinds,
            [
                &Kind::NvidiaGpu,
                &Kind::NvidiaGpu,
                &Kind::NvidiaSupport,
                &Kind::Other(Class::Serial),
                &Kind::Other(Class::Camera),
                &Kind::Other(Class::Placeholder("$DEVICE".into())),
                &Kind::Other(Class::Unreadable),
                &Kind::Runtime
            ]
        );
        assert_eq!(found[4].renamed_to.as_deref(), Some("/dev/video0"));
        assert_eq!(found[7].at.as_str(), "/hostConfig/runtime");
        assert_eq!(wants(&found, 1), Wants::Count(2), "two GPU nodes are two GPUs");
        let all = module("x", "m", json!({"HostConfig": {"DeviceRequests": [{"Driver": "nvidia", "Count": -1}]}}));
        assert_eq!(wants(&items(&all), 2), Wants::Count(2), "all = the device's GPUs");
    }

    #[test]
    fn monitors_are_told_by_their_image_name() {
        let yes = [
            ("mcr.microsoft.com/azure-cognitive-services/vision/spatial-analysis/telegraf:latest", "a"),
            ("nvcr.io/nvidia/k8s/dcgm-exporter:2.0.13-2.1.2-ubuntu18.04", "a"),
            ("utkuozdemir/nvidia_gpu_exporter:1.2.0", "a"),
            ("myacr.azurecr.io/gpuMetrics:1", "a"),
            ("${MODULES.telegraf}", "telegraf"),
            ("${ACR}/telegraf:1.0", "x"),
        ];
        for (image, name) in yes {
            assert!(monitoring(&module(image, name, json!({}))).is_some(), "{image}");
        }
        let no = [
            ("myacr.azurecr.io/monitoring/detector:1", "a"),
            ("mcr.microsoft.com/azure-cognitive-services/vision/spatial-analysis:latest", "telegraf"),
            ("${MODULES.InferenceModule.amd64}", "inferencemodule"),
            ("myacr.azurecr.io/videomonitoring2x:1", "a"),
        ];
        for (image, name) in no {
            assert!(monitoring(&module(image, name, json!({}))).is_none(), "{image}");
        }
    }
}
