//! fpga2gpu: migrate Azure IoT Edge deployment manifests from Azure Stack Edge Pro FPGA devices
//! (IoT Edge on Docker) to Azure Stack Edge Pro GPU devices (IoT Edge on Kubernetes).
//!
//! Layers depend one way: [`manifest`] → [`rules`] → [`migrate`] → `cli` and `app`.

pub mod app;
pub mod cli;
pub mod manifest;
pub mod migrate;
pub mod report;
pub mod rules;
pub mod synth;
