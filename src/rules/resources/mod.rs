//! Resources: accelerators, memory, CPU and shared memory (RES…).

pub mod devices;
pub mod quantity;
mod res001_fpga_resource;
mod res002_wireserver;
mod res003_devices;
mod res004_docker_limits;
mod res005_no_limits;
mod res006_gpu_request;
mod res007_ipc_mode;
mod res008_shm_size;
mod res009_nvidia_visible_devices;

use crate::rules::Rule;

pub static RULES: &[&Rule] = &[
    &res001_fpga_resource::RULE,
    &res002_wireserver::RULE,
    &res003_devices::RULE,
    &res004_docker_limits::RULE,
    &res005_no_limits::RULE,
    &res006_gpu_request::RULE,
    &res007_ipc_mode::RULE,
    &res008_shm_size::RULE,
    &res009_nvidia_visible_devices::RULE,
];
