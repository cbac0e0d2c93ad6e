//! Network: ports, Services, host networking and module-to-module addresses (NET0nn for the
//! managed Kubernetes runtime, NET1nn for IoT Edge in a VM).

pub mod addresses;
pub(super) mod net001_exposed_without_binding;
pub(super) mod net002_binding_without_host_port;
pub(super) mod net003_mixed_protocols;
pub(super) mod net004_duplicate_host_ports;
pub(super) mod net005_host_network;
pub(super) mod net006_several_host_network_modules;
pub(super) mod net007_external_ips;
pub(super) mod net008_module_addresses;
pub(super) mod net009_service_options;
pub(super) mod net010_reserved_host_ports;
pub(super) mod net011_ignored_network_settings;
pub(super) mod net012_docker_addresses;
pub(super) mod net013_remapped_host_ports;
pub(super) mod net014_edge_hub_ports;
pub(super) mod net015_unserved_module_addresses;
pub(super) mod net016_load_balancer_ip;
pub(super) mod net017_device_network_routes;
pub(super) mod net101_vm_published_ports;
pub(super) mod net102_vm_host_network_endpoint;
pub(super) mod net103_vm_user_networks;
pub(super) mod net104_vm_host_port_collisions;
pub mod ports;
pub mod vm;
