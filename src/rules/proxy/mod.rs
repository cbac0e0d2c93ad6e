//! Web proxy: modules behind a proxy, and the ports of the IoT Edge proxy side-car (PRX…).

pub(super) mod prx001_no_proxy;
pub(super) mod prx002_upstream_protocol;
pub(super) mod prx003_proxy_ports;
