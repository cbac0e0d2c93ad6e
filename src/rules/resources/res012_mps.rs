//! RES012 (NEW-6 of TRAPS.md): a module that relies on NVIDIA MPS, a device setting the manifest
//! cannot carry.

use super::devices::repository_name;
use crate::device::Target;
use crate::manifest::Module;
use crate::manifest::model::Field;
use crate::rules::{BOTH, Check, Context, Finding, FixAvailability, Rule, RuleDoc, Section, Severity};

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "RES012",
        section: Section::Resources,
        severity: Severity::Info,
        fix: FixAvailability::Never,
        targets: BOTH,
        title: "The module relies on NVIDIA MPS: enable it on the device (and again after updates)",
        detects: "NEW-6 of TRAPS.md. A module with a `CUDA_MPS_*` variable (in `env` or `createOptions.Env`), which only an MPS client sets, or running Microsoft's Spatial Analysis image (`…/vision/spatial-analysis`), whose setup enables MPS on the host. Not for modules that merely share a GPU by time-slicing: MPS is optional there.",
        why: "NVIDIA's Multi-Process Service lets several CUDA processes run on one GPU at once. It is a setting of the host, not of the manifest. On the device's Kubernetes it is `Start-HcsGpuMPS` in the device's PowerShell interface (`azure-stack-edge-gpu-deploy-iot-edge-gpu-sharing.md`, \"Deploy with context-sharing\"; the Spatial Analysis container's setup does the same, `spatial-analysis-container.md`), and it is lost when the device is updated: \"When the device software and the Kubernetes cluster are updated, the MPS setting is not retained\" (ASE GPU release notes, known issue 25). In a VM the host is the VM: the Spatial Analysis setup's host recipe (`nvidia-smi --compute-mode=EXCLUSIVE_PROCESS`, a service running `nvidia-cuda-mps-control`).",
        before: r#"{"env": {"CUDA_MPS_PIPE_DIRECTORY": {"value": "/tmp/nvidia-mps"}}}"#,
        after: r#"unchanged; on the device: Start-HcsGpuMPS (again after every update)"#,
        fix_safety: "Nothing to change in the manifest: the \"Before you deploy\" checklist carries the device step.",
    },
    check: Check::Module(check),
};

/// The Spatial Analysis container's own image name.
const SPATIAL_ANALYSIS: &str = "spatial-analysis";

fn check(ctx: &Context, module: &Module) -> Vec<Finding> {
    let vars = ctx.env(module);
    let mps: Vec<_> = vars.iter().filter(|v| v.name.trim().to_ascii_uppercase().starts_with("CUDA_MPS_")).collect();
    let image = module.settings.image.as_ref().and_then(Field::text).map(str::trim);
    let spatial = image.filter(|i| repository_name(i).eq_ignore_ascii_case(SPATIAL_ANALYSIS));
    let (at, why) = match (mps.first(), spatial) {
        (Some(v), _) => (v.at.clone(), format!("`{}` in {} is an MPS client setting", v.name, v.location())),
        (None, Some(i)) => (
            module.document_at(["settings", module.settings.image.as_ref().map_or("image", |f| f.key.as_str())]),
            format!("its image `{i}` is Microsoft's Spatial Analysis container, whose setup enables MPS on the host"),
        ),
        (None, None) => return Vec::new(),
    };
    let (message, action, detail) = match ctx.device.target {
        Target::K8s => (
            format!(
                "{why}: MPS is a device setting, `Start-HcsGpuMPS` in the device's PowerShell interface, and a device update turns it off again (release notes, known issue 25)"
            ),
            "Enable NVIDIA MPS on the device (`Start-HcsGpuMPS`), and again after every device update",
            "Connect to the device's PowerShell interface and run `Start-HcsGpuMPS`; `Get-HcsGpuNvidiaSmi` then lists the `nvidia-cuda-mps-server` process. A device software update does not keep the setting (ASE GPU release notes, known issue 25): run it again after each update.",
        ),
        Target::Vm => (
            format!("{why}: MPS is a setting of the host, here the VM: enable it there"),
            "Enable NVIDIA MPS in the VM",
            "In the VM: `sudo nvidia-smi --compute-mode=EXCLUSIVE_PROCESS` (again at every boot, e.g. from a cron `@reboot` entry) and a systemd service running `/usr/bin/nvidia-cuda-mps-control -f`, as the Spatial Analysis container's host setup does (`spatial-analysis-container.md`, \"Enable NVIDIA MPS on the host computer\").",
        ),
    };
    vec![Finding::new(&RULE, Some(module), at, message).step(action, detail, false)]
}
