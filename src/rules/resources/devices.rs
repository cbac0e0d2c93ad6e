//! How a Docker module asks for accelerators and devices: `HostConfig.Devices` (`/dev/catapult0`,
//! `/dev/nvidia0`, `/dev/video0`…), `HostConfig.DeviceRequests` and `HostConfig.Runtime: nvidia`.
//! The Kubernetes agent ignores all three; read once here for RES003 and RES005.

use crate::manifest::Module;
use crate::manifest::placeholder::contains_placeholder;
use crate::manifest::pointer;
use crate::rules::shared::docker::{Amount, amount, host_config};
use crate::rules::shared::k8s::MAX_GPUS;
use crate::rules::shared::keys::get_ci;
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
    /// `Runtime: nvidia`: all GPUs the runtime exposes.
    Runtime,
    /// A `DeviceRequests` entry for GPUs; `count` is what it asks for (`None` = all, `-1`).
    GpuRequest { count: Option<u64> },
    /// Any other device (`/dev/video0`, `/dev/dri`), a non-GPU device request, or an entry that
    /// cannot be read.
    Other,
}

/// One device-like setting of a module.
#[derive(Debug, Clone)]
pub struct Item {
    pub kind: Kind,
    /// Pointer relative to createOptions (`/HostConfig/Devices/0`, `/HostConfig/Runtime`).
    pub rel: String,
    /// What it is, for messages (`/dev/catapult0`, `Runtime: nvidia`).
    pub what: String,
}

impl Item {
    /// Stands for (part of) an accelerator that becomes an `nvidia.com/gpu` limit.
    pub fn is_gpu(&self) -> bool {
        !matches!(self.kind, Kind::Other)
    }

    /// How many GPUs it asks for, when it asks for a number of them.
    pub fn gpus(&self) -> Option<u64> {
        match self.kind {
            Kind::NvidiaGpu | Kind::Runtime => Some(1),
            Kind::GpuRequest { count } => Some(count.unwrap_or(1)),
            Kind::Catapult | Kind::NvidiaSupport | Kind::Other => None,
        }
    }
}

/// Every `Devices`, `DeviceRequests` and `Runtime` setting of the module, in that order.
pub fn items(module: &Module) -> Vec<Item> {
    let Some((hc_key, hc)) = host_config(module) else { return Vec::new() };
    let mut out = Vec::new();
    if let Some((key, Value::Array(devices))) = get_ci(hc, "Devices") {
        for (i, d) in devices.iter().enumerate() {
            let rel = pointer::from_tokens("", [hc_key, key, &i.to_string()]);
            let host = device_path(d);
            let kind = match host {
                Some(p) if p.starts_with("/dev/catapult") => Kind::Catapult,
                Some(p)
                    if p.strip_prefix("/dev/nvidia")
                        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())) =>
                {
                    Kind::NvidiaGpu
                }
                Some(p) if p.starts_with("/dev/nvidia") => Kind::NvidiaSupport,
                _ => Kind::Other,
            };
            out.push(Item { kind, rel, what: host.map_or_else(|| compact(d), str::to_owned) });
        }
    }
    if let Some((key, Value::Array(requests))) = get_ci(hc, "DeviceRequests") {
        for (i, r) in requests.iter().enumerate() {
            let rel = pointer::from_tokens("", [hc_key, key, &i.to_string()]);
            let kind = if is_gpu_request(r) { Kind::GpuRequest { count: requested(r) } } else { Kind::Other };
            out.push(Item { kind, rel, what: format!("device request {}", compact(r)) });
        }
    }
    if let Some((key, Value::String(runtime))) = get_ci(hc, "Runtime")
        && runtime.trim().eq_ignore_ascii_case("nvidia")
    {
        out.push(Item {
            kind: Kind::Runtime,
            rel: pointer::from_tokens("", [hc_key, key]),
            what: format!("{key}: {runtime}"),
        });
    }
    out
}

/// The module asks Docker for a GPU or an FPGA in one of the ways above.
pub fn wants_gpu(module: &Module) -> bool {
    items(module).iter().any(Item::is_gpu)
}

/// The GPU count the settings add up to: the most any one of them asks for (they all describe the
/// same accelerators), FPGAs counted one for one, between 1 and the device's 2.
pub fn gpu_count(items: &[Item]) -> u64 {
    let catapults = items.iter().filter(|i| i.kind == Kind::Catapult).count() as u64;
    let most = items.iter().filter_map(Item::gpus).max().unwrap_or(0);
    catapults.max(most).clamp(1, MAX_GPUS)
}

/// The host path of a `Devices` entry: `{"PathOnHost": …}` or the CLI's `host[:container[:perms]]`.
fn device_path(entry: &Value) -> Option<&str> {
    let text = match entry {
        Value::String(s) => s.split(':').next(),
        Value::Object(o) => get_ci(o, "PathOnHost").and_then(|(_, v)| v.as_str()),
        _ => None,
    }?;
    let text = text.trim();
    (!text.is_empty() && !contains_placeholder(text)).then_some(text)
}

/// A `DeviceRequests` entry for NVIDIA GPUs: driver `nvidia` or a `gpu` capability.
fn is_gpu_request(r: &Value) -> bool {
    let Some(o) = r.as_object() else { return false };
    let driver =
        get_ci(o, "Driver").and_then(|(_, v)| v.as_str()).is_some_and(|d| d.trim().eq_ignore_ascii_case("nvidia"));
    // `[["gpu"]]` as the API wants it, or flattened (`["gpu"]`, `"gpu"`) as people write it.
    fn names_gpu(v: &Value) -> bool {
        match v {
            Value::String(c) => c.trim().eq_ignore_ascii_case("gpu"),
            Value::Array(a) => a.iter().any(names_gpu),
            _ => false,
        }
    }
    let gpu_cap = get_ci(o, "Capabilities").is_some_and(|(_, caps)| names_gpu(caps));
    driver || gpu_cap
}

/// How many GPUs a request asks for: `Count` (−1 = all → `None`), else its `DeviceIDs`.
fn requested(r: &Value) -> Option<u64> {
    let o = r.as_object()?;
    if let Some((_, c)) = get_ci(o, "Count")
        && let Amount::Int(n) = amount(c)
    {
        return u64::try_from(n).ok().filter(|n| *n > 0);
    }
    get_ci(o, "DeviceIDs").and_then(|(_, ids)| ids.as_array()).map(|a| a.len() as u64).filter(|n| *n > 0)
}

fn compact(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 80 { format!("{}…", s.chars().take(80).collect::<String>()) } else { s }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn gpu_requests_and_counts() {
        let all = json!({"Driver": "nvidia", "Count": -1, "Capabilities": [["gpu"]]});
        assert!(is_gpu_request(&all));
        assert_eq!(requested(&all), None);
        let two = json!({"Capabilities": [["gpu", "utility"]], "DeviceIDs": ["0", "1"]});
        assert!(is_gpu_request(&two));
        assert_eq!(requested(&two), Some(2));
        assert!(!is_gpu_request(&json!({"Driver": "cdi"})));
        assert!(is_gpu_request(&json!({"Capabilities": "GPU"})));
        assert!(!is_gpu_request(&json!("nvidia")));
        assert_eq!(device_path(&json!("/dev/video0:/dev/video0:rwm")), Some("/dev/video0"));
        assert_eq!(device_path(&json!({"pathonhost": "/dev/catapult1"})), Some("/dev/catapult1"));
        assert_eq!(device_path(&json!({"PathOnHost": "$DEVICE"})), None);
        assert_eq!(device_path(&json!(7)), None);
    }
}
