//! Storage: binds, mounts and volumes (STO…).

pub mod layout;
pub mod paths;
pub mod plan;
pub(super) mod sto001_share_binds;
pub(super) mod sto002_host_path_binds;
pub(super) mod sto003_named_volume_binds;
pub(super) mod sto004_file_binds;
pub(super) mod sto005_incomplete_mounts;
pub(super) mod sto006_tmpfs_npipe_mounts;
pub(super) mod sto007_anonymous_volumes;
pub(super) mod sto008_windows_binds;
pub(super) mod sto009_undeclared_shares;
