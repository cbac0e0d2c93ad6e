//! File dialogs behind a trait: the app asks for a path, rfd answers on a desktop, tests answer
//! with a path they chose (rfd returns nothing without a desktop portal).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// What a save dialog is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaveRequest {
    pub title: String,
    /// The proposed file name (`deployment.gpu.json`).
    pub file_name: String,
    /// The folder to start in (the input's).
    pub directory: Option<PathBuf>,
    /// Filter name and extensions (`("JSON", ["json"])`).
    pub filter: (String, Vec<String>),
}

/// Asks the engineer for files.
pub trait FileDialogs {
    /// A manifest to open.
    fn open(&mut self, directory: Option<&Path>) -> Option<PathBuf>;
    /// Where to save.
    fn save(&mut self, request: &SaveRequest) -> Option<PathBuf>;
    /// The last dialog could not be shown at all (no desktop portal): the app says how else to open.
    fn unavailable(&self) -> bool {
        false
    }
}

/// Native dialogs through rfd (the XDG desktop portal on Linux).
#[derive(Debug, Default)]
pub struct RfdDialogs {
    unavailable: bool,
}

/// A dialog that answers faster than this was never shown: there is no portal to show it.
const NOT_SHOWN: Duration = Duration::from_millis(150);

impl FileDialogs for RfdDialogs {
    fn open(&mut self, directory: Option<&Path>) -> Option<PathBuf> {
        let mut d = rfd::FileDialog::new()
            .set_title("Open an FPGA deployment manifest")
            .add_filter("Deployment manifest", &["json"])
            .add_filter("All files", &["*"]);
        if let Some(dir) = directory {
            d = d.set_directory(dir);
        }
        let start = Instant::now();
        let picked = d.pick_file();
        self.unavailable = picked.is_none() && start.elapsed() < NOT_SHOWN;
        picked
    }

    fn save(&mut self, request: &SaveRequest) -> Option<PathBuf> {
        let mut d = rfd::FileDialog::new()
            .set_title(&request.title)
            .set_file_name(&request.file_name)
            .add_filter(&request.filter.0, &request.filter.1);
        if let Some(dir) = &request.directory {
            d = d.set_directory(dir);
        }
        let start = Instant::now();
        let picked = d.save_file();
        self.unavailable = picked.is_none() && start.elapsed() < NOT_SHOWN;
        picked
    }

    fn unavailable(&self) -> bool {
        self.unavailable
    }
}

/// Dialogs that answer from queues: for tests and scripted runs.
#[derive(Debug, Default, Clone)]
pub struct ScriptedDialogs {
    pub open: Vec<PathBuf>,
    pub save: Vec<PathBuf>,
    /// Every save request seen, to check the proposed names.
    pub requests: std::sync::Arc<std::sync::Mutex<Vec<SaveRequest>>>,
}

impl FileDialogs for ScriptedDialogs {
    fn open(&mut self, _directory: Option<&Path>) -> Option<PathBuf> {
        (!self.open.is_empty()).then(|| self.open.remove(0))
    }

    fn save(&mut self, request: &SaveRequest) -> Option<PathBuf> {
        if let Ok(mut seen) = self.requests.lock() {
            seen.push(request.clone());
        }
        (!self.save.is_empty()).then(|| self.save.remove(0))
    }
}
