//! The manifest itself (MAN…): how createOptions is written, placeholders, shapes and size.
//! Several of these are behaviours of the loader and the exporter; their checks report what the
//! engineer must know about this particular file.

pub(super) mod man001_chunks;
pub(super) mod man002_invalid_json;
pub(super) mod man003_object_form;
pub(super) mod man004_placeholder;
pub(super) mod man005_desired_size;
pub(super) mod man006_shapes;
