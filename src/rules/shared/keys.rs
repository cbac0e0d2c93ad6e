//! Values the way the edge agents read createOptions, for messages and "is it set" checks; one
//! copy, in the model.

pub use crate::manifest::model::{is_unset, shown};
