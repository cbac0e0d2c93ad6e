//! Network: ports, Services, host networking and module-to-module addresses (NET…).

mod net001_exposed_without_binding;
mod net002_binding_without_host_port;
mod net003_mixed_protocols;
mod net004_duplicate_host_ports;
mod net005_host_network;
mod net006_several_host_network_modules;
mod net007_external_ips;
mod net008_module_addresses;
mod net009_service_options;
mod net010_reserved_host_ports;
mod net011_ignored_network_settings;
pub mod ports;

use crate::rules::Rule;

pub static RULES: &[&Rule] = &[
    &net001_exposed_without_binding::RULE,
    &net002_binding_without_host_port::RULE,
    &net003_mixed_protocols::RULE,
    &net004_duplicate_host_ports::RULE,
    &net005_host_network::RULE,
    &net006_several_host_network_modules::RULE,
    &net007_external_ips::RULE,
    &net008_module_addresses::RULE,
    &net009_service_options::RULE,
    &net010_reserved_host_ports::RULE,
    &net011_ignored_network_settings::RULE,
];
