//! The desktop app: a view over the engine (it holds no migration logic).

use std::path::PathBuf;

/// Opens the app on `file`, or on the bundled sample.
pub fn run(file: Option<PathBuf>) -> Result<(), String> {
    let _ = file;
    Err("the desktop app is not built yet".to_owned())
}
