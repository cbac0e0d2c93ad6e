//! The device a manifest goes to: one profile that every part of the engine reads (the rules, the
//! Kubernetes translation, the pre-flight), with documented defaults. The CLI sets each field with
//! a flag, the decisions file saves it, and the app edits it in its "Device" panel.
//!
//! The defaults describe an Azure Stack Edge Pro GPU device with one GPU and the managed IoT Edge
//! role (IoT Edge on Kubernetes) as Microsoft installs it; each field's doc says where its default
//! comes from.

use serde::{Deserialize, Serialize};

/// Where the migrated modules run.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, strum::IntoStaticStr, strum::EnumIter,
)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum Target {
    /// The device's managed IoT Edge on Kubernetes (the migration guide's target).
    #[default]
    K8s,
    /// IoT Edge 1.5/1.6 on moby in an Ubuntu VM on the device (Microsoft's recommendation since
    /// the managed runtime reached end of life).
    Vm,
}

impl Target {
    pub fn name(self) -> &'static str {
        self.into()
    }
}

/// The Kubernetes Service type the agent gives a module with port bindings.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, strum::IntoStaticStr, strum::EnumIter,
)]
pub enum ServiceType {
    ClusterIP,
    NodePort,
    #[default]
    LoadBalancer,
}

impl ServiceType {
    pub fn name(self) -> &'static str {
        self.into()
    }

    /// The type named `text`, ignoring case (as the agent parses it).
    pub fn parse(text: &str) -> Option<ServiceType> {
        use strum::IntoEnumIterator;
        ServiceType::iter().find(|t| t.name().eq_ignore_ascii_case(text.trim()))
    }
}

/// The IoT Edge release installed in the VM (VM target only).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, strum::IntoStaticStr, strum::EnumIter,
)]
pub enum IotEdgeVersion {
    /// 1.5 LTS: serviced until 2026-11-10.
    #[serde(rename = "1.5")]
    #[strum(serialize = "1.5")]
    V1_5,
    /// 1.6 LTS (released 2026-07-14, serviced until 2028-11-14): the default.
    #[default]
    #[serde(rename = "1.6")]
    #[strum(serialize = "1.6")]
    V1_6,
}

impl IotEdgeVersion {
    pub fn name(self) -> &'static str {
        self.into()
    }

    /// The last day Microsoft services this LTS release (Azure/iotedge `CHANGELOG.md`@1.6.1,
    /// learn.microsoft.com/azure/iot-edge/version-history).
    pub fn serviced_until(self) -> &'static str {
        match self {
            IotEdgeVersion::V1_5 => "2026-11-10",
            IotEdgeVersion::V1_6 => "2028-11-14",
        }
    }
}

/// The device's GPU model: it decides the GPU VM sizes (VM target) and the CUDA driver.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, strum::IntoStaticStr, strum::EnumIter,
)]
pub enum GpuModel {
    /// NVIDIA T4: Azure Stack Edge Pro GPU and Pro R.
    #[default]
    T4,
    /// NVIDIA A2: Azure Stack Edge Pro 2.
    A2,
}

impl GpuModel {
    pub fn name(self) -> &'static str {
        self.into()
    }

    /// The Azure Stack Edge GPU VM sizes that give a VM `gpus` GPUs of this model, smallest first
    /// (azure-docs `includes/azure-stack-edge-gateway-supported-vm-sizes.md`@4d711bae); empty when
    /// no size has that many (none has more than two).
    pub fn vm_sizes(self, gpus: u32) -> &'static [&'static str] {
        match (self, gpus) {
            (GpuModel::T4, 1) => &[
                "Standard_NC4as_T4_v3",
                "Standard_NC8as_T4_v3",
                "Standard_NC16as_T4_v3",
                "Standard_NC16as_T4_v1",
                "Standard_NC32as_T4_v3",
                "Standard_NC32as_T4_v1",
            ],
            (GpuModel::T4, 2) => &["Standard_NC32as_2T4_v1"],
            (GpuModel::A2, 1) => &[
                "Standard_NC4as_A2",
                "Standard_NC8as_A2",
                "Standard_NC16as_A2",
                "Standard_NC16as_A2_v1",
                "Standard_NC32as_A2",
                "Standard_NC32as_A2_v1",
            ],
            (GpuModel::A2, 2) => &["Standard_NC32as_2A2_v1"],
            _ => &[],
        }
    }
}

/// The device profile. Unknown fields in a saved profile are refused, so a typo does not silently
/// fall back to a default.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct DeviceProfile {
    /// Default `k8s`, so existing use of the tool does not change.
    pub target: Target,
    /// GPUs the modules can use. Default 1: an Azure Stack Edge Pro GPU has one or two NVIDIA T4
    /// (Pro R and Pro 2: one), and GPUs given to VMs are not available to Kubernetes.
    pub gpus: u32,
    /// The device's Edge shares enabled for compute, by name; `None` when not declared (then
    /// volume mounts are listed as shares the device must have, not checked).
    pub shares: Option<Vec<String>>,
    /// How many addresses the device's "Kubernetes external service IPs" range holds; `None` when
    /// not given (then the count needed is reported, not checked).
    pub external_ips: Option<u32>,
    /// The Service type the agent gives modules with port bindings. Default LoadBalancer: on Azure
    /// Stack Edge each such module takes an IP from the external service IP range (migration guide).
    pub service_type: ServiceType,
    /// The storage class the agent writes on the PersistentVolumeClaims it makes for `volume`
    /// mounts; `None` means the agent makes no PVCs ("" is a storage class, the cluster's default).
    pub storage_class: Option<String>,
    /// The size written on each PVC, in MB (the agent's `PersistentVolumeClaimDefaultSizeInMb`).
    pub pvc_size_mb: Option<u32>,
    /// The agent names a PVC's volume after the mount's source (`UseMountSourceForVolumeName`).
    pub volume_name_from_source: bool,
    /// The agent's `RunAsNonRoot` default for pods without a security context.
    pub run_as_non_root: bool,
    /// The agent reads `k8s-experimental` (`EnableK8sExtensions`).
    pub k8s_extensions: bool,
    /// The IoT Edge device id the agent writes into labels and env.
    pub device_id: String,
    /// The IoT hub's host name the agent writes into env.
    pub hub_hostname: String,
    /// The IoT Edge release in the VM (VM target). Default 1.6: 1.5's support ended 2026-11-10.
    pub iotedge_version: IotEdgeVersion,
    /// The device's GPU model. Default T4 (Pro GPU, Pro R).
    pub gpu_model: GpuModel,
    /// CPUs of the Kubernetes worker VM; `None` for the default share of the device (30 % of its
    /// cores, `Set-AzureDataBoxEdgeRoleCompute`, PowerShell doc).
    pub worker_cpus: Option<f64>,
    /// Memory of the Kubernetes worker VM in GiB; `None` for the default share (25 % of the
    /// device's memory, same source).
    pub worker_memory_gib: Option<f64>,
    /// The device's software release (`2309`); `None` for a current one. Older releases lack
    /// features modules rely on (host networking before 2110, registries with a port before 2103).
    pub ase_version: Option<String>,
    /// Folders where the FPGA device mounted Edge shares for modules (`<folder>/<share>`), besides
    /// the two the storage rules always know (`/home/hcsshares`, and
    /// `/home/databox-edge/hostgatewayshares`, which some portal releases showed as the "local
    /// mount point for Edge compute modules", MicrosoftDocs/azure-docs#74930). Default none.
    pub share_roots: Vec<String>,
    /// Where the VM mounts the device's Edge shares (VM target): share `<s>` at `<root>/<s>`.
    /// Default `/mnt`; `/home/hcsshares` keeps the FPGA paths, so share binds keep their source.
    pub vm_share_root: String,
}

impl Default for DeviceProfile {
    fn default() -> Self {
        DeviceProfile {
            target: Target::K8s,
            gpus: 1,
            shares: None,
            external_ips: None,
            service_type: ServiceType::LoadBalancer,
            storage_class: None,
            pvc_size_mb: None,
            volume_name_from_source: false,
            run_as_non_root: false,
            k8s_extensions: true,
            device_id: "ase-gpu-device".to_owned(),
            hub_hostname: "example-hub.azure-devices.net".to_owned(),
            iotedge_version: IotEdgeVersion::V1_6,
            gpu_model: GpuModel::T4,
            worker_cpus: None,
            worker_memory_gib: None,
            ase_version: None,
            share_roots: Vec::new(),
            vm_share_root: DEFAULT_VM_SHARE_ROOT.to_owned(),
        }
    }
}

/// Where the VM mounts Edge shares unless the profile says otherwise.
pub const DEFAULT_VM_SHARE_ROOT: &str = "/mnt";

impl DeviceProfile {
    /// The VM's mount point of share `share` (`/mnt/images`).
    pub fn vm_share_path(&self, share: &str) -> String {
        format!("{}/{share}", self.vm_share_root())
    }

    /// [`DeviceProfile::vm_share_root`] as an absolute path without a trailing `/` (`""` for the
    /// root folder), however it was typed.
    pub fn vm_share_root(&self) -> String {
        let root = self.vm_share_root.trim().trim_matches('/');
        if root.is_empty() { String::new() } else { format!("/{root}") }
    }

    /// `name` is one of the declared shares (share names are case-insensitive on the device).
    pub fn has_share(&self, name: &str) -> Option<bool> {
        Some(self.shares.as_ref()?.iter().any(|s| s.eq_ignore_ascii_case(name)))
    }

    /// The device's software release as a number (`2309` from `2309`, `v2309` or `2.2.2309`);
    /// `None` when not given or not read as one (then a current release is assumed).
    pub fn ase_release(&self) -> Option<u32> {
        let text = self.ase_version.as_deref()?.trim();
        let last = text.rsplit('.').next()?.trim_start_matches(['v', 'V']);
        (last.len() == 4 && last.bytes().all(|b| b.is_ascii_digit())).then(|| last.parse().ok()).flatten()
    }
}

// --- Reading the profile's fields from text: the CLI's flags and the app's Device panel ------

/// A count (`--gpus`, `--external-ips`, `--pvc-size-mb`): a whole number, 0 or more.
pub fn parse_count(text: &str) -> Result<u32, String> {
    let t = text.trim();
    t.parse::<u32>().map_err(|_| match t.parse::<f64>() {
        Ok(_) => format!("`{t}` is not a whole number (0, 1, 2…)"),
        Err(_) => format!("`{t}` is not a number: type a whole number (0, 1, 2…)"),
    })
}

/// A size (`--worker-cpus`, `--worker-memory-gib`): a number above 0 (`12`, `0.5`).
pub fn parse_size(text: &str) -> Result<f64, String> {
    let t = text.trim();
    match t.parse::<f64>() {
        Ok(n) if n.is_finite() && n > 0.0 => Ok(n),
        Ok(_) => Err(format!("`{t}` is not a size: type a number above 0")),
        Err(_) => Err(format!("`{t}` is not a number: type a number above 0 (12, 0.5)")),
    }
}

/// Names or folders given as a list (`--shares a,b`, `--share-root`): each trimmed, empty ones
/// dropped.
pub fn names<'a>(parts: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    parts.into_iter().map(str::trim).filter(|x| !x.is_empty()).map(str::to_owned).collect()
}

/// One field of the profile as people see it: the app's Device panel labels each field with it,
/// shows its help and default, and greys the fields of the other target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldDoc {
    /// The field's key in a saved profile (the decisions file), which is also its CLI flag.
    pub key: &'static str,
    pub label: &'static str,
    /// What it is and where its default comes from (the field's doc, for people).
    pub help: &'static str,
    pub default: &'static str,
    /// The one target it matters for (`None`: both).
    pub only: Option<Target>,
}

/// Every field of [`DeviceProfile`], in the order the app shows them (a test checks none is
/// missing).
pub const FIELDS: [FieldDoc; 19] = [
    FieldDoc {
        key: "target",
        label: "Target",
        help: "Where the migrated modules run: the device's managed IoT Edge on Kubernetes (the migration guide's target), or IoT Edge in an Ubuntu VM on the device (Microsoft's recommendation since the managed runtime reached end of life).",
        default: "Kubernetes",
        only: None,
    },
    FieldDoc {
        key: "gpus",
        label: "GPUs",
        help: "GPUs the modules can use. An Azure Stack Edge Pro GPU has one or two NVIDIA T4 (Pro R and Pro 2: one); GPUs given to VMs are not available to Kubernetes.",
        default: "1",
        only: None,
    },
    FieldDoc {
        key: "shares",
        label: "Edge shares",
        help: "The device's Edge shares enabled for compute, by name, comma-separated. When not declared, volume mounts are listed as shares the device must have, not checked.",
        default: "not declared",
        only: None,
    },
    FieldDoc {
        key: "external-ips",
        label: "External service IPs",
        help: "How many addresses the device's \"Kubernetes external service IPs\" range holds. When not given, the count needed is reported, not checked.",
        default: "not given",
        only: Some(Target::K8s),
    },
    FieldDoc {
        key: "service-type",
        label: "Service type",
        help: "The Service type the agent gives modules with port bindings. On Azure Stack Edge each LoadBalancer Service takes an IP from the external service IP range (migration guide).",
        default: "LoadBalancer",
        only: Some(Target::K8s),
    },
    FieldDoc {
        key: "storage-class",
        label: "Storage class",
        help: "The storage class the agent writes on the PersistentVolumeClaims it makes for volume mounts. Without one the agent makes no PVCs; an empty name is a storage class (the cluster's default).",
        default: "none (no PVCs)",
        only: Some(Target::K8s),
    },
    FieldDoc {
        key: "pvc-size-mb",
        label: "PVC size (MB)",
        help: "The size written on each PVC, in MB (the agent's PersistentVolumeClaimDefaultSizeInMb).",
        default: "the agent's default",
        only: Some(Target::K8s),
    },
    FieldDoc {
        key: "volume-name-from-source",
        label: "PVC volume named after the source",
        help: "The agent names a PVC's volume after the mount's source (UseMountSourceForVolumeName).",
        default: "off",
        only: Some(Target::K8s),
    },
    FieldDoc {
        key: "run-as-non-root",
        label: "Run as non-root",
        help: "The agent's RunAsNonRoot default for pods without a security context.",
        default: "off",
        only: Some(Target::K8s),
    },
    FieldDoc {
        key: "k8s-extensions",
        label: "Agent reads k8s-experimental",
        help: "The agent reads the k8s-experimental section of createOptions (EnableK8sExtensions).",
        default: "on",
        only: Some(Target::K8s),
    },
    FieldDoc {
        key: "device-id",
        label: "Device id",
        help: "The IoT Edge device id the agent writes into labels and env.",
        default: "ase-gpu-device",
        only: Some(Target::K8s),
    },
    FieldDoc {
        key: "hub-hostname",
        label: "IoT hub host name",
        help: "The IoT hub's host name the agent writes into env.",
        default: "example-hub.azure-devices.net",
        only: Some(Target::K8s),
    },
    FieldDoc {
        key: "iotedge-version",
        label: "IoT Edge version",
        help: "The IoT Edge release in the VM. 1.5 LTS is serviced until 2026-11-10, 1.6 LTS until 2028-11-14.",
        default: "1.6",
        only: Some(Target::Vm),
    },
    FieldDoc {
        key: "gpu-model",
        label: "GPU model",
        help: "The device's GPU model: it decides the GPU VM sizes and the CUDA driver. T4: Pro GPU and Pro R; A2: Pro 2.",
        default: "T4",
        only: None,
    },
    FieldDoc {
        key: "worker-cpus",
        label: "Worker VM CPUs",
        help: "CPUs of the Kubernetes worker VM. Default: 30 % of the device's 40 usable vCPUs (Set-AzureDataBoxEdgeRoleCompute, PowerShell doc).",
        default: "12",
        only: Some(Target::K8s),
    },
    FieldDoc {
        key: "worker-memory-gib",
        label: "Worker VM memory (GiB)",
        help: "Memory of the Kubernetes worker VM in GiB. Default: 25 % of the device's 128 GiB (same source).",
        default: "32",
        only: Some(Target::K8s),
    },
    FieldDoc {
        key: "ase-version",
        label: "Device software release",
        help: "The device's software release (2309). Older releases lack features modules rely on (host networking before 2110, registries with a port before 2103). When not given, a current release is assumed.",
        default: "a current release",
        only: Some(Target::K8s),
    },
    FieldDoc {
        key: "share-roots",
        label: "Other FPGA share folders",
        help: "Folders where the FPGA device mounted Edge shares for modules (<folder>/<share>), comma-separated, besides /home/hcsshares and /home/databox-edge/hostgatewayshares, which the storage rules always know.",
        default: "none",
        only: None,
    },
    FieldDoc {
        key: "vm-share-root",
        label: "VM share folder",
        help: "Where the VM mounts the device's Edge shares: share <s> at <folder>/<s>. /home/hcsshares keeps the FPGA paths, so share binds keep their source.",
        default: DEFAULT_VM_SHARE_ROOT,
        only: Some(Target::Vm),
    },
];

/// The documentation of the field saved under `key`.
pub fn field(key: &str) -> Option<&'static FieldDoc> {
    FIELDS.iter().find(|f| f.key == key)
}

// --- What every Azure Stack Edge Pro GPU has, whatever its profile -----------------------------

/// Host ports Azure Stack Edge reserves, and for what (the migration guide, Network).
pub const RESERVED_HOST_PORTS: [(u16, &str); 2] =
    [(31000, "the Kubernetes dashboard"), (31001, "the container registry")];

/// The ports the IoT Edge proxy side-car listens on in every module pod: management and workload
/// API (the agent's chart, `iotedged.ports`; the migration guide, Proxy).
pub const PROXY_PORTS: [u16; 2] = [35000, 35001];

/// The device's Kubernetes pod and Service subnets, 172.27.0.0/16 and 172.28.0.0/16 (the
/// defaults of `azure-stack-edge-gpu-connect-powershell-interface.md`): an address there is the
/// cluster's own.
pub fn in_cluster_subnets(ip: std::net::Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    a == 172 && matches!(b, 27 | 28)
}

/// An Azure Stack Edge Pro GPU's usable vCPUs and its memory in GiB (technical specifications,
/// `azure-stack-edge-gpu-technical-specifications-compliance.md`: "CPU: usable 40 vCPUs",
/// "Memory: raw 128 GiB RAM").
pub const DEVICE_VCPUS: f64 = 40.0;
pub const DEVICE_MEMORY_GIB: f64 = 128.0;
/// The Kubernetes worker VM's default share of them: "Default memory is 25% of device
/// specification. Default processor count is 30% of device specification"
/// (`azure-stack-edge-gpu-connect-powershell-interface.md`, whose sample worker has 12 processors
/// and 34359738368 bytes: 30 % of 40, 25 % of 128 GiB).
pub const DEFAULT_WORKER_CPU_SHARE: f64 = 0.30;
pub const DEFAULT_WORKER_MEMORY_SHARE: f64 = 0.25;

impl DeviceProfile {
    /// The Kubernetes worker VM's CPUs and GiB of memory: as given, else the device's default share.
    pub fn worker_size(&self) -> (f64, f64) {
        (
            self.worker_cpus.unwrap_or(DEVICE_VCPUS * DEFAULT_WORKER_CPU_SHARE),
            self.worker_memory_gib.unwrap_or(DEVICE_MEMORY_GIB * DEFAULT_WORKER_MEMORY_SHARE),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_saved_profile_round_trips_and_refuses_unknown_fields() {
        let p = DeviceProfile { gpus: 2, shares: Some(vec!["images".into()]), ..DeviceProfile::default() };
        let text = serde_json::to_string(&p).unwrap();
        assert_eq!(serde_json::from_str::<DeviceProfile>(&text).unwrap(), p);
        let partial: DeviceProfile = serde_json::from_str(r#"{"gpus": 2}"#).unwrap();
        assert_eq!(partial, DeviceProfile { gpus: 2, ..DeviceProfile::default() });
        assert!(serde_json::from_str::<DeviceProfile>(r#"{"gpu": 2}"#).is_err());
        let vm: DeviceProfile = serde_json::from_str(r#"{"target": "vm", "iotedge-version": "1.5"}"#).unwrap();
        assert_eq!((vm.target, vm.iotedge_version), (Target::Vm, IotEdgeVersion::V1_5));
        assert_eq!(ServiceType::parse("clusterip"), Some(ServiceType::ClusterIP));
        assert_eq!(p.has_share("IMAGES"), Some(true));
        assert_eq!(DeviceProfile::default().has_share("x"), None);
        let release = |v: &str| DeviceProfile { ase_version: Some(v.into()), ..DeviceProfile::default() }.ase_release();
        assert_eq!((release("2309"), release(" v2101 "), release("2.2.2103")), (Some(2309), Some(2101), Some(2103)));
        assert_eq!((release("23"), release("latest"), DeviceProfile::default().ase_release()), (None, None, None));
        let root = DeviceProfile { vm_share_root: "/home/hcsshares/".into(), ..DeviceProfile::default() };
        assert_eq!(root.vm_share_path("images"), "/home/hcsshares/images");
        let typed = DeviceProfile { vm_share_root: " srv/shares".into(), ..DeviceProfile::default() };
        assert_eq!(typed.vm_share_path("images"), "/srv/shares/images", "always an absolute path");
        assert_eq!(DeviceProfile::default().vm_share_path("images"), "/mnt/images");
        let old: DeviceProfile = serde_json::from_str(r#"{"share-roots": ["/mnt/edge"]}"#).unwrap();
        assert_eq!((old.share_roots, old.vm_share_root.as_str()), (vec!["/mnt/edge".to_owned()], "/mnt"));
        assert_eq!(DeviceProfile::default().worker_size(), (12.0, 32.0), "the PowerShell doc's sample worker");
        let given = DeviceProfile { worker_memory_gib: Some(64.0), ..DeviceProfile::default() };
        assert_eq!(given.worker_size(), (12.0, 64.0));
    }

    #[test]
    fn every_field_of_the_profile_is_documented_once_with_its_default() {
        let saved = serde_json::to_value(DeviceProfile::default()).unwrap();
        let keys: Vec<&str> = saved.as_object().unwrap().keys().map(String::as_str).collect();
        let documented: Vec<&str> = FIELDS.iter().map(|f| f.key).collect();
        assert_eq!(documented, keys, "FIELDS follows the profile, field by field");
        let d = DeviceProfile::default();
        assert_eq!(field("gpus").unwrap().default, d.gpus.to_string());
        assert_eq!(field("device-id").unwrap().default, d.device_id);
        assert_eq!(field("hub-hostname").unwrap().default, d.hub_hostname);
        assert_eq!(field("iotedge-version").unwrap().default, d.iotedge_version.name());
        assert_eq!(field("gpu-model").unwrap().default, d.gpu_model.name());
        assert_eq!(field("service-type").unwrap().default, d.service_type.name());
        assert_eq!(field("vm-share-root").unwrap().default, d.vm_share_root);
        let (cpus, memory) = d.worker_size();
        assert_eq!(field("worker-cpus").unwrap().default, cpus.to_string());
        assert_eq!(field("worker-memory-gib").unwrap().default, memory.to_string());
    }

    #[test]
    fn fields_read_from_text_refuse_what_is_not_their_kind() {
        assert_eq!(parse_count(" 2 "), Ok(2));
        assert!(parse_count("two").unwrap_err().contains("not a number"));
        assert!(parse_count("1.5").unwrap_err().contains("not a whole number"));
        assert!(parse_count("-1").is_err());
        assert_eq!(parse_size("0.5"), Ok(0.5));
        assert!(parse_size("0").is_err() && parse_size("NaN").is_err() && parse_size("lots").is_err());
        assert_eq!(names(" a, ,b ".split(',')), ["a", "b"]);
    }

    #[test]
    fn gpu_vm_sizes_follow_the_gpu_model_and_count() {
        assert_eq!(GpuModel::T4.vm_sizes(1)[0], "Standard_NC4as_T4_v3");
        assert_eq!(GpuModel::T4.vm_sizes(2), ["Standard_NC32as_2T4_v1"]);
        assert_eq!(GpuModel::A2.vm_sizes(2), ["Standard_NC32as_2A2_v1"]);
        assert!(GpuModel::A2.vm_sizes(1).iter().all(|s| s.contains("A2") && !s.contains("2A2")));
        assert!(GpuModel::T4.vm_sizes(3).is_empty() && GpuModel::T4.vm_sizes(0).is_empty());
        assert!(IotEdgeVersion::V1_5.serviced_until() < IotEdgeVersion::V1_6.serviced_until());
    }
}
