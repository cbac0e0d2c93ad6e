//! The rule registry: every rule, declared once, in catalogue order (section by section, then by
//! id). `fpga2gpu rules`, `explain`, the README table, the app and the decisions file all read it;
//! `tests/registry.rs` checks it (ids unique, prefix matching the section, a fixture, a test and a
//! complete doc for every rule).

use super::{Rule, manifest_rules, network, other, proxy, resources, storage};

/// Every rule, in catalogue order.
pub static RULES: &[&Rule] = &[
    // storage
    &storage::sto001_share_binds::RULE,
    &storage::sto002_host_path_binds::RULE,
    &storage::sto003_named_volume_binds::RULE,
    &storage::sto004_file_binds::RULE,
    &storage::sto005_incomplete_mounts::RULE,
    &storage::sto006_tmpfs_npipe_mounts::RULE,
    &storage::sto007_anonymous_volumes::RULE,
    &storage::sto008_windows_binds::RULE,
    &storage::sto009_undeclared_shares::RULE,
    // network
    &network::net001_exposed_without_binding::RULE,
    &network::net002_binding_without_host_port::RULE,
    &network::net003_mixed_protocols::RULE,
    &network::net004_duplicate_host_ports::RULE,
    &network::net005_host_network::RULE,
    &network::net006_several_host_network_modules::RULE,
    &network::net007_external_ips::RULE,
    &network::net008_module_addresses::RULE,
    &network::net009_service_options::RULE,
    &network::net010_reserved_host_ports::RULE,
    &network::net011_ignored_network_settings::RULE,
    &network::net012_docker_addresses::RULE,
    &network::net013_remapped_host_ports::RULE,
    // resources
    &resources::res001_fpga_resource::RULE,
    &resources::res002_wireserver::RULE,
    &resources::res003_devices::RULE,
    &resources::res004_docker_limits::RULE,
    &resources::res005_no_limits::RULE,
    &resources::res006_gpu_request::RULE,
    &resources::res007_ipc_mode::RULE,
    &resources::res008_shm_size::RULE,
    &resources::res009_nvidia_visible_devices::RULE,
    &resources::res010_gpu_budget::RULE,
    // proxy
    &proxy::prx001_no_proxy::RULE,
    &proxy::prx002_upstream_protocol::RULE,
    &proxy::prx003_proxy_ports::RULE,
    &proxy::prx101_vm_proxy::RULE,
    &proxy::prx102_agent_and_hub::RULE,
    // other
    &other::oth001_update_strategy::RULE,
    &other::oth002_module_names::RULE,
    &other::oth003_entrypoint::RULE,
    &other::oth004_env_names::RULE,
    &other::oth005_env_values::RULE,
    &other::oth006_ignored_keys::RULE,
    &other::oth007_experimental_keys::RULE,
    &other::oth008_schema_version::RULE,
    &other::oth009_backoff_advice::RULE,
    &other::oth010_restart_pull_policy::RULE,
    &other::oth011_unknown_keys::RULE,
    &other::oth101_experimental_section::RULE,
    &other::oth102_schema_version::RULE,
    &other::oth103_restart_policy::RULE,
    &other::oth104_system_images::RULE,
    &other::oth105_env_precedence::RULE,
    &other::oth106_gateway::RULE,
    &other::oth107_new_identity::RULE,
    &other::oth108_vm_preflight::RULE,
    // the manifest itself
    &manifest_rules::man001_chunks::RULE,
    &manifest_rules::man002_invalid_json::RULE,
    &manifest_rules::man003_object_form::RULE,
    &manifest_rules::man004_placeholder::RULE,
    &manifest_rules::man005_desired_size::RULE,
    &manifest_rules::man006_shapes::RULE,
];
