//! Resources: accelerators, memory, CPU and shared memory (RES…).

pub mod devices;
pub mod gpus;
pub(super) mod res001_fpga_resource;
pub(super) mod res002_wireserver;
pub(super) mod res003_devices;
pub(super) mod res004_docker_limits;
pub(super) mod res005_no_limits;
pub(super) mod res006_gpu_request;
pub(super) mod res007_ipc_mode;
pub(super) mod res008_shm_size;
pub(super) mod res009_nvidia_visible_devices;
pub(super) mod res010_gpu_budget;
pub(super) mod res011_fpga_image;
pub(super) mod res012_mps;
pub(super) mod res013_worker_size;
pub(super) mod res101_fpga_to_device_request;
pub(super) mod res102_device_requests;
pub(super) mod res103_nvidia_runtime;
pub(super) mod res104_kubernetes_resources;
pub(super) mod res105_fpga_privileged;
pub mod vm;

use crate::manifest::Module;

/// `edgeAgent`: the device deploys it itself, so advice about its settings cannot be acted on.
fn deployed_by_device(module: &Module) -> bool {
    module.system && module.name == "edgeAgent"
}
