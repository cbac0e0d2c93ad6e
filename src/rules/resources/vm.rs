//! How a module gets its GPU in the VM (IoT Edge 1.5/1.6 on moby, VM-TARGET.md §1): one
//! `HostConfig.DeviceRequests` entry for NVIDIA GPUs, `{"Count": -1, "Capabilities": [["gpu"]]}`.
//! moby serves it through the NVIDIA Container Toolkit's hook, once the toolkit and the driver are
//! installed in the VM (moby `daemon/nvidia_linux.go`); the Docker agent passes it through unchanged
//! (supported since IoT Edge 1.0.10, Azure/iotedge#1580).
//!
//! Every other way a manifest asks for an accelerator converges on that one request: the FPGA
//! (RES101), a Kubernetes GPU limit (RES104), `Runtime: nvidia` (RES103), `NVIDIA_VISIBLE_DEVICES`
//! alone (RES009). Exactly one rule writes it — [`writer`] decides which — so that accepting them
//! all never gives a module two requests; the others only remove what they found.

use super::devices::{self, Kind};
use super::gpus::{self, Selection, VISIBLE_DEVICES};
use crate::device::{DeviceProfile, GpuModel};
use crate::manifest::placeholder::contains_placeholder;
use crate::manifest::{Module, Pointer};
use crate::rules::shared::env::{self, Var};
use crate::rules::shared::k8s;
use crate::rules::{Edit, Finding};
use serde_json::{Value, json};

/// The rule that writes the module's GPU request, or why none needs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Writer {
    /// The module already has a GPU device request.
    Existing,
    /// RES101: it asked for the FPGA.
    Fpga,
    /// RES104: it has an `nvidia.com/gpu` limit (or request) in `k8s-experimental`.
    KubernetesLimit,
    /// RES103: `Runtime: nvidia`.
    Runtime,
    /// RES009: `NVIDIA_VISIBLE_DEVICES` alone.
    VisibleDevices,
}

impl Writer {
    /// The module's GPU request as the messages of the other rules name it.
    pub fn describe(self) -> &'static str {
        match self {
            Writer::Existing => "the module's GPU device request",
            Writer::Fpga => "the GPU device request RES101 writes in place of the FPGA",
            Writer::KubernetesLimit => "the GPU device request RES104 writes from the `nvidia.com/gpu` limit",
            Writer::Runtime => "the GPU device request RES103 writes in place of `Runtime: nvidia`",
            Writer::VisibleDevices => "the GPU device request RES009 writes from `NVIDIA_VISIBLE_DEVICES`",
        }
    }
}

/// Who writes the module's GPU request, in this order: one already there, then the FPGA, a
/// Kubernetes GPU limit, `Runtime: nvidia`, `NVIDIA_VISIBLE_DEVICES`; `None` when the module asks
/// for no GPU.
pub fn writer(module: &Module) -> Option<Writer> {
    if has_gpu_request(module) {
        Some(Writer::Existing)
    } else if fpga_wanted(module) {
        Some(Writer::Fpga)
    } else if kubernetes_gpus(module).is_some_and(|n| n > 0) {
        Some(Writer::KubernetesLimit)
    } else if devices::items(module).iter().any(|i| i.kind == Kind::Runtime) {
        Some(Writer::Runtime)
    } else if visible_devices(module).is_some() {
        Some(Writer::VisibleDevices)
    } else {
        None
    }
}

/// The module has a `DeviceRequests` entry for NVIDIA GPUs.
pub fn has_gpu_request(module: &Module) -> bool {
    module
        .host_config()
        .and_then(|h| h.device_requests.as_ref())
        .and_then(|r| r.entries.as_ref())
        .is_some_and(|e| e.iter().any(|r| r.is_gpu()))
}

/// The module asks for the FPGA: a `/dev/catapult*` device, or a catapult resource whose count is
/// not 0 or less (a placeholder count asks for some).
pub fn fpga_wanted(module: &Module) -> bool {
    fpga_settings(module).iter().any(|s| s.asks)
}

/// The GPUs the module's `nvidia.com/gpu` limit (or, without one, request) asks for, when it is a
/// whole number.
pub fn kubernetes_gpus(module: &Module) -> Option<u64> {
    match gpus::written(module)? {
        gpus::Ask::Written { count, .. } => count,
        gpus::Ask::Proposed(_) => None,
    }
}

/// The module's first `NVIDIA_VISIBLE_DEVICES` that selects GPUs, and what it selects.
pub fn visible_devices(module: &Module) -> Option<(Var<'_>, Selection)> {
    let vars = env::vars(module);
    let found =
        env::named(&vars, VISIBLE_DEVICES).find_map(|v| Some((v.clone(), Selection::value(v.value.as_deref()?)?)))?;
    Some(found)
}

/// The request a rule appends: its edits (the append first, then the removal of an
/// `NVIDIA_VISIBLE_DEVICES` it takes over) and the value the engineer confirms.
pub struct Request {
    pub edits: Vec<Edit>,
    /// What to type, where in the appended request, and the proposed value.
    pub input: (&'static str, &'static str, Value),
    /// The `NVIDIA_VISIBLE_DEVICES` entry it takes over.
    pub takes_over: Option<TakesOver>,
}

/// An `NVIDIA_VISIBLE_DEVICES` a new request takes over, for messages.
pub struct TakesOver {
    /// `NVIDIA_VISIBLE_DEVICES=0`.
    pub var: String,
    /// What the request says instead: `` `DeviceIDs: ["0"]` ``, `` `Count: -1` ``.
    pub written: String,
}

impl TakesOver {
    /// `` `NVIDIA_VISIBLE_DEVICES=0` as `DeviceIDs: ["0"]` ``.
    pub fn shown(&self) -> String {
        format!("`{}` as {}", self.var, self.written)
    }
}

/// Appends a GPU request to the module's `HostConfig.DeviceRequests` asking for `count` GPUs, or
/// for the GPUs its `NVIDIA_VISIBLE_DEVICES` names (as `DeviceIDs`, moby's own translation of the
/// variable, which the variable then no longer needs to be); `None` when `HostConfig` or its
/// `DeviceRequests` cannot take one.
pub fn request(module: &Module, count: i64) -> Option<Request> {
    let at = requests_at(module)?;
    let selected = visible_devices(module);
    let (value, input) = match selected.as_ref().map(|(_, s)| s) {
        Some(Selection::Ids(ids)) => {
            (json!({"DeviceIDs": ids, "Capabilities": [["gpu"]]}), ("GPU IDs (DeviceIDs)", "/DeviceIDs", json!(ids)))
        }
        Some(Selection::All) => (
            json!({"Count": -1, "Capabilities": [["gpu"]]}),
            ("GPU count (-1: every GPU of the VM)", "/Count", json!(-1)),
        ),
        None => (
            json!({"Count": count, "Capabilities": [["gpu"]]}),
            ("GPU count (-1: every GPU of the VM)", "/Count", json!(count)),
        ),
    };
    let mut edits = vec![Edit::Append { at: module.create_options_at(at), value }];
    let takes_over = selected.map(|(var, selection)| {
        edits.push(Edit::Remove { at: var.at.clone() });
        let written = match selection {
            Selection::All => "`Count: -1`".to_owned(),
            Selection::Ids(ids) => format!("`DeviceIDs: {}`", json!(ids)),
        };
        TakesOver { var: format!("{}={}", var.name, var.value.as_deref().unwrap_or_default()), written }
    });
    Some(Request { edits, input, takes_over })
}

/// Where a new entry of `HostConfig.DeviceRequests` goes (the spellings already there); `None`
/// when `HostConfig` or `DeviceRequests` is there but is not an object or a list.
fn requests_at(module: &Module) -> Option<Pointer> {
    let container = module.container()?;
    let Some(hc) = &container.host_config else {
        return Some(Pointer::from_tokens(["HostConfig", "DeviceRequests"]));
    };
    if !hc.is_object {
        return None;
    }
    match &hc.device_requests {
        None => Some(hc.at.child("DeviceRequests")),
        Some(r) if r.entries.is_some() => Some(r.at.clone()),
        Some(_) => None,
    }
}

/// The GPU VM sizes of the device's GPU model: the 1-GPU sizes, and the 2-GPU size (VM-TARGET.md
/// §1, azure-docs `includes/azure-stack-edge-gateway-supported-vm-sizes.md`).
fn vm_sizes(model: GpuModel) -> (&'static str, &'static str) {
    match model {
        GpuModel::T4 => (
            "Standard_NC4as_T4_v3, Standard_NC8as_T4_v3, Standard_NC16as_T4_v3 or Standard_NC32as_T4_v3",
            "Standard_NC32as_2T4_v1",
        ),
        GpuModel::A2 => {
            ("Standard_NC4as_A2, Standard_NC8as_A2, Standard_NC16as_A2 or Standard_NC32as_A2", "Standard_NC32as_2A2_v1")
        }
    }
}

/// The "Before you deploy" step every finding that gives a module a GPU in the VM carries: the GPU
/// VM size for the device's GPUs, the driver and the NVIDIA Container Toolkit. Inferred in part:
/// no Microsoft article covers a GPU VM with Ubuntu 22.04/24.04 (VM-TARGET.md §8).
pub fn gpu_step(finding: Finding, device: &DeviceProfile) -> Finding {
    let (one, two) = vm_sizes(device.gpu_model);
    let model = device.gpu_model.name();
    let size = if device.gpus >= 2 {
        format!("`{two}` gives the VM both {model} GPUs; {one} give it one")
    } else {
        format!("{one} (one {model} GPU; `{two}` only on a two-GPU device)")
    };
    let detail = format!(
        "Create the VM with a GPU size of the device: {size}, from a Gen1 image (Gen2 VMs get no GPU). \
         Kubernetes claims every GPU it finds: on a one-GPU device remove the managed IoT Edge (Kubernetes) role \
         before creating the VM, on a two-GPU device create the VM first. In the VM (Ubuntu 22.04 or 24.04; the GPU \
         extension supports only RHEL 7.4 now) install the NVIDIA driver (`sudo ubuntu-drivers autoinstall`, then \
         reboot), then NVIDIA's Container Toolkit (`sudo apt-get install -y nvidia-container-toolkit` from NVIDIA's \
         repository), register it with moby (`sudo nvidia-ctk runtime configure --runtime=docker`, \
         `sudo systemctl restart docker`) and check with `docker run --rm --gpus all ubuntu nvidia-smi`. \
         Not documented by Microsoft: that the driver works with the GPU passed through on Ubuntu 22.04/24.04."
    );
    finding.step("Prepare the GPU VM: a GPU size, the NVIDIA driver and the NVIDIA Container Toolkit", detail, true)
}

/// One FPGA setting of a module: where it is (in createOptions) and what it is, for messages.
#[derive(Debug, Clone)]
pub struct FpgaSetting {
    pub at: Pointer,
    /// `` `microsoft.com/fpga_catapult: 2` in k8s-experimental.resources.limits `` or
    /// `` `/dev/catapult0` in HostConfig.Devices ``.
    pub label: String,
    /// A placeholder it holds (`$FPGAS`), which goes with it.
    pub placeholder: Option<String>,
    /// It asks for an FPGA: a device node, or a count that is not 0 or less.
    pub asks: bool,
    /// A `/dev/catapult*` device node (else a `k8s-experimental` resource).
    pub node: bool,
}

/// Every FPGA setting of the module: `microsoft.com/fpga_catapult` in `k8s-experimental.resources`
/// (limits, then requests; name matched ignoring case) and `/dev/catapult*` in `HostConfig.Devices`.
pub fn fpga_settings(module: &Module) -> Vec<FpgaSetting> {
    let mut out = Vec::new();
    for part in ["limits", "requests"] {
        let (Some(map), Some(at)) = (k8s::part(module, part), k8s::rel(module, &["resources", part])) else { continue };
        for (name, value) in map.iter().filter(|(n, _)| n.trim().eq_ignore_ascii_case(k8s::FPGA)) {
            let shown = crate::rules::shared::keys::shown(value);
            out.push(FpgaSetting {
                at: at.child(name),
                label: format!("`{name}: {shown}` in k8s-experimental.resources.{part}"),
                placeholder: value.as_str().filter(|s| contains_placeholder(s)).map(str::to_owned),
                asks: k8s::count(value).is_none_or(|n| n > 0),
                node: false,
            });
        }
    }
    let devices = module.host_config().map_or_else(
        || "HostConfig.Devices".to_owned(),
        |h| format!("{}.{}", h.key, h.devices.as_ref().map_or("Devices", |d| d.key.as_str())),
    );
    for item in devices::items(module).into_iter().filter(|i| i.kind == Kind::Catapult) {
        out.push(FpgaSetting {
            label: format!("`{}` in {devices}", item.what),
            at: item.at,
            placeholder: None,
            asks: true,
            node: true,
        });
    }
    out
}
