//! OTH108 (VM): the pre-flight checklist for the VM, once per manifest: the VM to create, what to
//! install in it by hand, and the IoT Edge release. Each item is a step of the "Before you deploy"
//! checklist, marked inferred where Microsoft documents no such setup.

use crate::device::{DeviceProfile, IotEdgeVersion};
use crate::manifest::{Location, Pointer};
use crate::rules::{Check, Context, Finding, FixAvailability, Rule, RuleDoc, Section, Severity, VM};

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "OTH108",
        section: Section::Other,
        severity: Severity::Info,
        fix: FixAvailability::Never,
        targets: VM,
        title: "Pre-flight for the VM: GPU VM size, driver and toolkit, IoT Edge release",
        detects: "Every manifest, once: three checklist steps for the device profile (`--gpus`, `--gpu-model`, `--iotedge-version`), reported at the deployment, its `runtime` and its `systemModules`.",
        why: "GPU VMs and Kubernetes compete for the GPUs: Kubernetes (which includes the managed IoT Edge role) claims every GPU when configured first, so on a one-GPU device the role must be removed before the VM is created, and on a two-GPU device the VM is created first (azure-stack-edge-gpu-overview-gpu-virtual-machines, 2024-08-16). The size must match the device's GPU (T4 on Pro GPU and Pro R, A2 on Pro 2) and GPU VMs must be Gen1 (supported-vm-sizes include; deploy-gpu-virtual-machine). The GPU extension now supports only RHEL 7.4, and IoT Edge 1.5.21+ dropped Ubuntu 20.04, so on Ubuntu 22.04/24.04 the NVIDIA driver and Container Toolkit are installed by hand; that this works on the device is inferred, not documented (VM-TARGET §8). The VM needs moby and the `aziot-edge` release of its system images; 1.5 LTS is serviced until 2026-11-10, 1.6 LTS until 2028-11-14.",
        before: "any manifest",
        after: "no change to the manifest",
        fix_safety: "Nothing to change in the manifest: prepare the VM as the checklist says before deploying to it.",
    },
    check: Check::Manifest(check),
};

/// Each step's own reason.
const WHY_VM: &str = "GPU VMs and Kubernetes compete for the GPUs: Kubernetes (which includes the managed IoT Edge role) claims every GPU when configured first, so on a one-GPU device the role must be removed before the VM is created, and on a two-GPU device the VM is created first (azure-stack-edge-gpu-overview-gpu-virtual-machines, 2024-08-16; 2607 release notes, issue 24). The size must match the device's GPU (T4 on Pro GPU and Pro R, A2 on Pro 2; supported-vm-sizes include), and Gen2 VMs are not supported for GPU (deploy-gpu-virtual-machine). IoT Edge 1.5.21 and later run on Ubuntu 22.04 and 24.04, no longer 20.04 (Azure/iotedge CHANGELOG).";
const WHY_DRIVER: &str = "The GPU extension (NvidiaGpuDriverLinux) supported Ubuntu 18.04 and RHEL 7.4 in 2022; its Ubuntu version is deprecated and only RHEL 7.4 is listed now (overview-gpu-virtual-machines), so no Microsoft-supported combination of the extension, Ubuntu and IoT Edge 1.5/1.6 exists: the driver goes in by hand. Docker's `DeviceRequests` reach the GPU once the NVIDIA Container Toolkit is installed (moby registers its `nvidia` driver when `nvidia-container-runtime-hook` is on the PATH); `Runtime: nvidia` also needs the runtime registered (NVIDIA's install guide). That this setup works in an Azure Stack Edge GPU VM is inferred, not documented.";
const WHY_RUNTIME: &str = "edgeAgent and edgeHub images must be the release of the `aziot-edge` package in the VM (how-to-update-iot-edge), and the VM is a new device identity (move-to-self-service article). IoT Edge 1.5 LTS is serviced until 2026-11-10 and 1.6 LTS until 2028-11-14 (Azure/iotedge CHANGELOG; version history).";

fn check(ctx: &Context) -> Vec<Finding> {
    let m = ctx.manifest;
    let device = ctx.device;
    let desired = m.edge_agent_at().child("properties.desired");
    let release = device.iotedge_version;
    let (size, size_detail) = vm_size(device);
    vec![
        item(
            m.root.clone(),
            format!("create the GPU VM: {size}, a Gen1 image, Ubuntu 22.04 or 24.04, after removing the managed IoT Edge role on a one-GPU device"),
            WHY_VM,
        )
        .step(
            format!("Create the GPU VM ({size}, Gen1 image, Ubuntu 22.04 or 24.04)"),
            format!(
                "{size_detail}\nImage: Gen1 (Gen2 VMs are not supported for GPU); Ubuntu 22.04 or 24.04 (IoT Edge 1.5.21 and later no longer support 20.04).\nNetwork: the VM's NIC on a compute-enabled port with internet access (packages, driver, images, IoT Hub); a static IP keeps the address clients and leaf devices use. If the network needs a web proxy, configure it in the VM itself (see PRX101)."
            ),
            false,
        ),
        item(
            desired.child("runtime"),
            "install the NVIDIA driver, moby and the NVIDIA Container Toolkit in the VM by hand: the GPU extension no longer supports Ubuntu (only RHEL 7.4)".to_owned(),
            WHY_DRIVER,
        )
        .step(
            "Install the NVIDIA driver, moby and the NVIDIA Container Toolkit in the VM",
            "The GPU extension (Microsoft.HpcCompute NvidiaGpuDriverLinux) supports only RHEL 7.4 now, so install by hand:\n  sudo apt install ubuntu-drivers-common && sudo ubuntu-drivers autoinstall   (reboot; `nvidia-smi` lists the GPU)\n  sudo apt install moby-engine moby-cli   (from packages.microsoft.com)\n  sudo apt install nvidia-container-toolkit   (from NVIDIA's apt repository)\nModules with `DeviceRequests` need nothing more; for `Runtime: nvidia` also run `sudo nvidia-ctk runtime configure --runtime=docker` and restart docker.\nInferred, not documented: no Microsoft article covers an Ubuntu 22.04/24.04 GPU VM on Azure Stack Edge, and whether `ubuntu-drivers autoinstall` picks a working driver for the passed-through GPU is untested.",
            true,
        ),
        item(
            desired.child("systemModules"),
            format!(
                "install IoT Edge {r} (aziot-edge) in the VM and provision it with the VM's new device identity; {r} LTS is serviced until {}",
                release.serviced_until(),
                r = release.name()
            ),
            WHY_RUNTIME,
        )
        .step(
            format!("Install IoT Edge {} (aziot-edge) in the VM and provision it", release.name()),
            format!(
                "Install the {r} release of the `aziot-edge` package from packages.microsoft.com (edgeAgent and edgeHub images must be the same release, OTH104), then provision it with the VM's new device identity (OTH107): `sudo iotedge config mp --connection-string '<the new device's connection string>'` and `sudo iotedge config apply`.\nSupport: {}",
                lifecycle(release),
                r = release.name()
            ),
            false,
        ),
    ]
}

/// One item of the checklist, at `at`, with its own reason (the rule's `why` holds all three).
fn item(at: Pointer, message: String, why: &'static str) -> Finding {
    Finding { reason: why, ..Finding::new(&RULE, None, Location::Document(at), message) }
}

/// The VM size that fits the GPUs the modules use, for the action, and the detail: the sizes and
/// the order in which the VM and Kubernetes take the GPUs.
fn vm_size(device: &DeviceProfile) -> (String, String) {
    let model = device.gpu_model.name();
    match (device.gpus, device.gpu_model.vm_sizes(device.gpus)) {
        (0, _) => (
            "no GPU size needed".to_owned(),
            "Size: no module uses a GPU (`--gpus 0`), so any VM size with the CPUs and memory the modules need will do.".to_owned(),
        ),
        (1, [first, rest @ ..]) => (
            (*first).to_owned(),
            format!(
                "Size: {first} or a larger one-GPU {model} size ({}), chosen by the modules' CPU and memory needs.\nOrder: on a one-GPU device remove the managed IoT Edge role before creating the VM (Kubernetes claims every GPU and GPU VM creation fails); on a two-GPU device create the VM first: Kubernetes then takes the other GPU, and both can run side by side during the cut-over.",
                rest.join(", ")
            ),
        ),
        (2, [only]) => (
            (*only).to_owned(),
            format!(
                "Size: {only}, the size with two {model} GPUs.\nOrder: the VM takes both GPUs, so create it before Kubernetes is configured, or remove the managed IoT Edge role (and Kubernetes) first: Kubernetes claims every GPU and GPU VM creation fails."
            ),
        ),
        (n, _) => {
            let two = device.gpu_model.vm_sizes(2).first().copied().unwrap_or("the two-GPU size");
            (
                two.to_owned(),
                format!(
                    "Size: no Azure Stack Edge VM size has {n} GPUs; {two} has two. Spread the modules over VMs or lower `--gpus`.\nOrder: create the GPU VMs before Kubernetes is configured, or remove the managed IoT Edge role first: Kubernetes claims every GPU."
                ),
            )
        }
    }
}

/// How long the chosen release, and the other one, are serviced.
fn lifecycle(release: IotEdgeVersion) -> String {
    let (v15, v16) = (IotEdgeVersion::V1_5, IotEdgeVersion::V1_6);
    let both = format!(
        "{} LTS is serviced until {}, {} LTS until {}",
        v15.name(),
        v15.serviced_until(),
        v16.name(),
        v16.serviced_until()
    );
    match release {
        IotEdgeVersion::V1_5 => format!("{both}: plan the move to 1.6 before 1.5's end."),
        IotEdgeVersion::V1_6 => format!("{both}."),
    }
}
