//! Web proxy: modules behind a proxy, and the ports of the IoT Edge proxy side-car (PRX…).

pub(super) mod prx001_no_proxy;
pub(super) mod prx002_upstream_protocol;
pub(super) mod prx003_proxy_ports;
pub(super) mod prx101_vm_proxy;
pub(super) mod prx102_agent_and_hub;
