//! Readers every section uses, written once so that all rules read createOptions the same way the
//! agents do: keys matched ignoring case, Docker numbers in any spelling, the `k8s-experimental`
//! section and the module's environment. Section folders keep only what is theirs alone.

pub mod env;
pub mod k8s;
pub mod keys;
pub mod names;
pub mod quantity;
