//! Storage: binds, mounts and volumes (STO…). `sto0nn` are the managed Kubernetes target's (or
//! both targets'), `sto1nn` the VM target's (VM-TARGET.md §7).

pub mod layout;
pub mod paths;
pub mod plan;
pub mod steps;
pub(super) mod sto001_share_binds;
pub(super) mod sto002_host_path_binds;
pub(super) mod sto003_named_volume_binds;
pub(super) mod sto004_file_binds;
pub(super) mod sto005_incomplete_mounts;
pub(super) mod sto006_tmpfs_npipe_mounts;
pub(super) mod sto007_anonymous_volumes;
pub(super) mod sto008_windows_binds;
pub(super) mod sto009_undeclared_shares;
pub(super) mod sto010_edgehub_storage;
pub(super) mod sto101_vm_shares;
pub(super) mod sto102_vm_host_paths;
pub(super) mod sto103_vm_volumes;
pub(super) mod sto104_vm_windows_mounts;
pub(super) mod sto105_vm_k8s_volumes;
pub mod vm;
