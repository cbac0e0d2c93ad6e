//! Storage: binds, mounts and volumes (STO…).

pub mod binds;
pub mod mounts;
pub mod paths;
mod sto001_share_binds;
mod sto002_host_path_binds;
mod sto003_named_volume_binds;
mod sto004_file_binds;
mod sto005_incomplete_mounts;
mod sto006_tmpfs_npipe_mounts;
mod sto007_anonymous_volumes;
mod sto008_windows_binds;

use crate::rules::Rule;

pub static RULES: &[&Rule] = &[
    &sto001_share_binds::RULE,
    &sto002_host_path_binds::RULE,
    &sto003_named_volume_binds::RULE,
    &sto004_file_binds::RULE,
    &sto005_incomplete_mounts::RULE,
    &sto006_tmpfs_npipe_mounts::RULE,
    &sto007_anonymous_volumes::RULE,
    &sto008_windows_binds::RULE,
];
