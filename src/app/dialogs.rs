//! File dialogs. The app asks a [`FileDialogs`] for a path: rfd's native dialog on a desktop with
//! an XDG portal, a path a test chose in tests. Where no native dialog can be shown (no portal:
//! minimal window managers, VNC, X forwarding, WSLg), the app falls back to [`InWindowDialog`],
//! drawn by egui itself, so opening and saving work on every desktop.

use eframe::egui;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// What a dialog is asked to open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenRequest {
    pub title: String,
    /// The folder to start in.
    pub directory: Option<PathBuf>,
    /// Filter name and extensions (`("JSON", ["json"])`).
    pub filter: (String, Vec<String>),
}

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

/// How a dialog ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    Picked(PathBuf),
    Cancelled,
    /// No dialog could be shown here: the app shows its own.
    Unavailable,
}

/// Asks the engineer for files.
pub trait FileDialogs {
    fn open(&mut self, request: &OpenRequest) -> Answer;
    fn save(&mut self, request: &SaveRequest) -> Answer;
}

/// Native dialogs through rfd (the XDG desktop portal on Linux). Once a dialog could not be
/// shown, the next ones are not tried: the in-window dialog answers at once.
/// `FPGA2GPU_FILE_DIALOG=in-window` skips the native dialog from the start.
#[derive(Debug)]
pub struct RfdDialogs {
    unavailable: bool,
}

impl Default for RfdDialogs {
    fn default() -> Self {
        RfdDialogs { unavailable: std::env::var("FPGA2GPU_FILE_DIALOG").is_ok_and(|v| v == "in-window") }
    }
}

/// A dialog that answers faster than this was never shown: there is no portal to show it.
const NOT_SHOWN: Duration = Duration::from_millis(150);

impl RfdDialogs {
    fn ask(&mut self, show: impl FnOnce() -> Option<PathBuf>) -> Answer {
        if self.unavailable {
            return Answer::Unavailable;
        }
        let start = Instant::now();
        match show() {
            Some(path) => Answer::Picked(path),
            None if start.elapsed() < NOT_SHOWN => {
                self.unavailable = true;
                Answer::Unavailable
            }
            None => Answer::Cancelled,
        }
    }
}

impl FileDialogs for RfdDialogs {
    fn open(&mut self, request: &OpenRequest) -> Answer {
        let mut d = rfd::FileDialog::new()
            .set_title(&request.title)
            .add_filter(&request.filter.0, &request.filter.1)
            .add_filter("All files", &["*"]);
        if let Some(dir) = &request.directory {
            d = d.set_directory(dir);
        }
        self.ask(|| d.pick_file())
    }

    fn save(&mut self, request: &SaveRequest) -> Answer {
        let mut d = rfd::FileDialog::new()
            .set_title(&request.title)
            .set_file_name(&request.file_name)
            .add_filter(&request.filter.0, &request.filter.1);
        if let Some(dir) = &request.directory {
            d = d.set_directory(dir);
        }
        self.ask(|| d.save_file())
    }
}

/// Dialogs that answer from queues: for tests and scripted runs. With `unavailable`, every dialog
/// answers that it cannot be shown (a desktop without a portal).
#[derive(Debug, Default, Clone)]
pub struct ScriptedDialogs {
    pub open: Vec<PathBuf>,
    pub save: Vec<PathBuf>,
    pub unavailable: bool,
    /// Every save request seen, to check the proposed names.
    pub requests: std::sync::Arc<std::sync::Mutex<Vec<SaveRequest>>>,
}

impl FileDialogs for ScriptedDialogs {
    fn open(&mut self, _request: &OpenRequest) -> Answer {
        if self.unavailable {
            return Answer::Unavailable;
        }
        if self.open.is_empty() { Answer::Cancelled } else { Answer::Picked(self.open.remove(0)) }
    }

    fn save(&mut self, request: &SaveRequest) -> Answer {
        if let Ok(mut seen) = self.requests.lock() {
            seen.push(request.clone());
        }
        if self.unavailable {
            return Answer::Unavailable;
        }
        if self.save.is_empty() { Answer::Cancelled } else { Answer::Picked(self.save.remove(0)) }
    }
}

/// The accessible names of the in-window dialog's two text fields.
pub const FILE_NAME_LABEL: &str = "File name";
pub const FOLDER_LABEL: &str = "Folder";

/// egui_file's dialog, drawn in the window, for desktops without a native one. It starts in the
/// request's folder with the proposed name selected in the file-name field, which has the
/// keyboard focus: typing replaces the name, a full path typed there followed by Enter is taken.
pub struct InWindowDialog {
    dialog: egui_file::FileDialog,
    /// Frames shown: the first one lays the fields out, the second focuses the file name.
    frames: u32,
    /// The proposed name (selected when the field gets the focus).
    file_name: String,
}

/// How the in-window dialog stands after a frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shown {
    Open,
    Picked(PathBuf),
    Cancelled,
}

const WINDOW_ID: &str = "fpga2gpu in-window file dialog";

impl InWindowDialog {
    pub fn open(request: &OpenRequest) -> InWindowDialog {
        let ext = request.filter.1.clone();
        let dialog = egui_file::FileDialog::open_file()
            .title(&request.title)
            .show_files_filter(Box::new(move |p: &Path| matches_extension(p, &ext)));
        InWindowDialog::start(dialog, request.directory.as_deref())
    }

    pub fn save(request: &SaveRequest) -> InWindowDialog {
        let dialog = egui_file::FileDialog::save_file().title(&request.title).default_filename(&request.file_name);
        InWindowDialog {
            file_name: request.file_name.clone(),
            ..InWindowDialog::start(dialog, request.directory.as_deref())
        }
    }

    fn start(dialog: egui_file::FileDialog, directory: Option<&Path>) -> InWindowDialog {
        let start = directory.map(Path::to_owned).or_else(|| std::env::current_dir().ok()).unwrap_or_default();
        let mut dialog = dialog
            .id(egui::Id::unique(WINDOW_ID))
            .initial_path(start)
            .anchor(egui::Align2::CENTER_CENTER, [0.0, 0.0])
            .default_size([560.0, 420.0])
            .show_rename(false)
            .show_new_folder(true);
        dialog.open();
        InWindowDialog { dialog, frames: 0, file_name: String::new() }
    }

    /// Draws the dialog; says whether it is still open, and what was picked.
    pub fn show(&mut self, ctx: &egui::Context) -> Shown {
        self.dialog.show(ctx);
        match self.dialog.state() {
            egui_file::State::Selected => {
                return self.dialog.path().map_or(Shown::Cancelled, |p| Shown::Picked(p.to_owned()));
            }
            egui_file::State::Cancelled | egui_file::State::Closed => return Shown::Cancelled,
            egui_file::State::Open => {}
        }
        // egui_file gives its two text fields no names and no focus: find them (the folder at the
        // top, the file name at the bottom) and name them; focus the file name once.
        let layer = egui::LayerId::new(egui::Order::Middle, egui::Id::unique(WINDOW_ID));
        let mut fields: Vec<(egui::Id, egui::Rect)> = ctx.viewport(|v| {
            v.this_pass
                .widgets
                .get_layer(layer)
                .filter(|w| w.sense == egui::Sense::click_and_drag() && w.rect.height() < 40.0 && w.rect.width() > 80.0)
                .map(|w| (w.id, w.rect))
                .collect()
        });
        fields.sort_by(|a, b| a.1.top().total_cmp(&b.1.top()));
        // The window's title bar senses clicks and drags too: the fields are the last two.
        let n = fields.len();
        if n >= 2 {
            let (folder, file) = (fields[n - 2].0, fields[n - 1].0);
            for (id, label) in [(folder, FOLDER_LABEL), (file, FILE_NAME_LABEL)] {
                ctx.accesskit_node_builder(id, |node| node.set_label(label));
            }
            if self.frames == 1 {
                ctx.memory_mut(|m| m.request_focus(file));
                if let Some(mut state) = egui::text_edit::TextEditState::load(ctx, file) {
                    let len = self.file_name.chars().count();
                    let all = egui::text::CCursorRange::two(egui::text::CCursor::new(0), egui::text::CCursor::new(len));
                    state.cursor.set_char_range(Some(all));
                    state.store(ctx, file);
                }
            }
        }
        self.frames += 1;
        if self.frames <= 2 {
            ctx.request_repaint();
        }
        Shown::Open
    }
}

fn matches_extension(path: &Path, extensions: &[String]) -> bool {
    extensions.iter().any(|e| e == "*")
        || path.extension().is_some_and(|x| extensions.iter().any(|e| x.eq_ignore_ascii_case(e.as_str())))
}
