//! fpga2gpu: migrate Azure IoT Edge deployment manifests from Azure Stack Edge Pro FPGA devices
//! (IoT Edge on Docker) to Azure Stack Edge Pro GPU devices (IoT Edge on Kubernetes).
//!
//! Layers depend one way: [`manifest`] → [`rules`] → [`migrate`] → [`k8s`] → [`report`] → `cli` and `app`;
//! [`device`] is the profile of the device the manifest goes to, read by all of them. The app
//! (cargo feature `gui`, on by default) could be deleted and the engine would still stand.

#[cfg(feature = "gui")]
pub mod app;
pub mod cli;
pub mod device;
pub mod k8s;
pub mod manifest;
pub mod migrate;
pub mod report;
pub mod rules;
