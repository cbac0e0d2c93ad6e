//! RES011 (NEW-4 of TRAPS.md): the module's image is an FPGA build, which no GPU setting makes run.

use super::devices::repository_name;
use super::res002_wireserver::NAME as WIRESERVER;
use super::vm;
use crate::device::Target;
use crate::manifest::Module;
use crate::manifest::model::Field;
use crate::manifest::placeholder::{contains_placeholder, is_placeholder};
use crate::rules::shared::env;
use crate::rules::{BOTH, Check, Context, Finding, FixAvailability, Rule, RuleDoc, Section, Severity};

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "RES011",
        section: Section::Resources,
        severity: Severity::Error,
        fix: FixAvailability::Never,
        targets: BOTH,
        title: "The image is an FPGA build: rebuild it for the GPU",
        detects: "NEW-4 of TRAPS.md. A module that drives the FPGA (`microsoft.com/fpga_catapult`, `/dev/catapult*` or `WIRESERVER_ADDRESS`), or whose image's own name says it is an FPGA build (the whole word `brainwave` or `fpga` in the repository name, `intelligentedge/void-detection-brainwave`). One finding per module, on its image; it stays until the image changes, since the image, not the settings, is what must be replaced.",
        why: "\"The Machine Learning models deployed on the source device that used the FPGA will need to be changed for the target device with GPU\" (migration guide, `azure-stack-edge-fpga-migrate-gpu.md`). Azure ML hardware-accelerated (Brainwave) images run the model on the FPGA through the wire server; on the GPU device they find neither, so swapping the resource (RES001, RES003, RES101) starts a container that cannot compute. The model must be rebuilt for the NVIDIA GPU (ONNX Runtime GPU, TensorRT…) on a CUDA base image the driver supports: on the device's Kubernetes, `Get-HcsGpuNvidiaSmi` shows the driver and CUDA version (ASE 2102: driver 460.32.03, CUDA 11.2, `azure-stack-edge-gpu-deploy-iot-edge-gpu-sharing.md`); in a VM it is the driver you install there.",
        before: r#"{"image": "intelligentedge/void-detection-brainwave:1.0.0", "createOptions": {"HostConfig": {"Devices": [{"PathOnHost": "/dev/catapult0"}]}}}"#,
        after: r#"{"image": "<your registry>/void-detection-gpu:1.0.0"}"#,
        fix_safety: "Nothing to accept: rebuild the image for the GPU and replace it in the manifest. The \"Before you deploy\" checklist lists each image to rebuild.",
    },
    check: Check::Module(check),
};

/// Words of an image's own name that mark an FPGA build.
const FPGA_WORDS: &[&str] = &["brainwave", "fpga"];

fn check(ctx: &Context, module: &Module) -> Vec<Finding> {
    let image = module.settings.image.as_ref();
    let image_text = image.and_then(Field::text).map(str::trim).filter(|i| !i.is_empty());
    let mut evidence: Vec<String> = vm::fpga_settings(module).into_iter().filter(|s| s.asks).map(|s| s.label).collect();
    let vars = ctx.env(module);
    evidence.extend(env::named(vars, WIRESERVER).map(|v| format!("`{}` in {}", v.name, v.location())));
    let by_name = image_text.filter(|i| fpga_name(i));
    if evidence.is_empty() && by_name.is_none() {
        return Vec::new();
    }
    let shown = image_text.map_or_else(|| "its image".to_owned(), |i| format!("its image `{i}`"));
    let mut reasons = Vec::new();
    if by_name.is_some() {
        reasons.push(format!("{shown} is named as an FPGA (Brainwave) build"));
    }
    if !evidence.is_empty() {
        reasons.push(format!("the module drives the FPGA ({})", evidence.join(", ")));
    }
    let driver = match ctx.device.target {
        Target::K8s => {
            "that the device's driver supports (`Get-HcsGpuNvidiaSmi` in its PowerShell interface shows the driver and CUDA version)"
        }
        Target::Vm => "that the driver you install in the VM supports (`nvidia-smi` there shows the CUDA version)",
    };
    let message = format!(
        "{}: an FPGA image does not run on the GPU, whatever its resources say; rebuild the model for the NVIDIA {} (ONNX Runtime GPU, TensorRT…) on a CUDA base image {driver}, and put the new image here",
        reasons.join("; "),
        ctx.device.gpu_model.name()
    );
    let at =
        image.map_or_else(|| module.document_at(["settings"]), |f| module.document_at(["settings", f.key.as_str()]));
    let what =
        image_text.map_or_else(|| format!("module `{}`", module.name), |i| format!("`{i}` (module `{}`)", module.name));
    let finding = Finding::new(&RULE, Some(module), at, message).step(
        format!("Rebuild the image {what} for the NVIDIA GPU"),
        format!(
            "The image runs its model on the FPGA. Rebuild it for the NVIDIA {} (ONNX Runtime GPU, TensorRT…) on a CUDA base image {driver}, push it, and replace the module's image in the manifest.",
            ctx.device.gpu_model.name()
        ),
        false,
    );
    vec![finding]
}

/// The whole word `brainwave` or `fpga` in the image's own name (not its registry or path):
/// `intelligentedge/void-detection-brainwave:1.0.0`. A placeholder name says nothing.
fn fpga_name(image: &str) -> bool {
    let name = repository_name(image);
    if contains_placeholder(name) || is_placeholder(name) {
        return false;
    }
    name.split(|c: char| !c.is_ascii_alphanumeric()).any(|w| FPGA_WORDS.iter().any(|f| w.eq_ignore_ascii_case(f)))
}

#[cfg(test)]
mod tests {
    use super::fpga_name;

    #[test]
    fn fpga_builds_are_told_by_a_whole_word_of_the_image_name() {
        assert!(fpga_name("intelligentedge/void-detection-brainwave:1.0.0"));
        assert!(fpga_name("myacr.azurecr.io/resnet50_fpga:2@sha256:abc"));
        assert!(!fpga_name("myacr.azurecr.io/fpga/detector:1"), "a path is not the image's name");
        assert!(!fpga_name("myacr.azurecr.io/brainwavesurfer:1"), "a whole word only");
        assert!(!fpga_name("${MODULES.brainwave}"), "a placeholder says nothing");
    }
}
