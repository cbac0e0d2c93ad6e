//! Storage: binds, mounts and volumes (STO…).

pub mod binds;
mod sto001_share_binds;

use crate::rules::Rule;

pub static RULES: &[&Rule] = &[&sto001_share_binds::RULE];
