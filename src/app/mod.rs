//! The desktop app: a view over the engine (it holds no migration logic).
//!
//! [`session::Session`] is the document (manifest, findings, decisions, undo, derived caches) and
//! changes only through [`session::Command`]s; [`App`] draws it and turns clicks, shortcuts and
//! drops into [`Action`]s, which become commands, dialogs or view changes at the end of the frame.

pub mod dialogs;
mod panels;
pub mod preview;
pub mod session;
pub mod settings;

use crate::rules::FindingKey;
use dialogs::{FileDialogs, RfdDialogs, SaveRequest};
use eframe::egui;
use egui::{Align2, Color32, Key, KeyboardShortcut, Modifiers, RichText, Ui, vec2};
use preview::PreviewCache;
use session::{Applied, Command, CopyFormat, Entry, Scope, Session, Source};
use settings::{Settings, Theme};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Opens the app on `file`, or on the bundled sample.
pub fn run(file: Option<PathBuf>) -> Result<(), String> {
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("fpga2gpu")
            .with_app_id("fpga2gpu")
            .with_inner_size([1440.0, 900.0])
            .with_min_inner_size([900.0, 560.0])
            .with_drag_and_drop(true),
        ..Default::default()
    };
    eframe::run_native(
        "fpga2gpu",
        options,
        Box::new(move |cc| Ok(Box::new(App::new(cc, file, Box::new(RfdDialogs::default()))))),
    )
    .map_err(|e| e.to_string())
}

const OPEN: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::O);
const EXPORT: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::S);
const UNDO: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::Z);
const REDO: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND.plus(Modifiers::SHIFT), Key::Z);
const REDO_Y: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::Y);
const COPY: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::C);

/// How long a toast stays.
const TOAST_SECONDS: f64 = 4.0;

/// The three files the app exports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportKind {
    Manifest,
    Decisions,
    Report,
}

impl ExportKind {
    fn request(self, source: &Source) -> SaveRequest {
        let (title, suffix, filter, ext) = match self {
            ExportKind::Manifest => ("Export the GPU deployment manifest", ".gpu.json", "JSON", "json"),
            ExportKind::Decisions => ("Export the decisions file", ".decisions.json", "JSON", "json"),
            ExportKind::Report => ("Export the migration report", ".migration.md", "Markdown", "md"),
        };
        SaveRequest {
            title: title.to_owned(),
            file_name: source.export_name(suffix),
            directory: source.dir(),
            filter: (filter.to_owned(), vec![ext.to_owned()]),
        }
    }

    fn command(self, path: PathBuf, overwrite: bool) -> Command {
        match self {
            ExportKind::Manifest => Command::Export { path, overwrite },
            ExportKind::Decisions => Command::ExportDecisions { path, overwrite },
            ExportKind::Report => Command::ExportReport { path, overwrite },
        }
    }
}

/// What a click, a shortcut or a drop asks for; handled after the frame's widgets.
#[derive(Debug, Clone)]
pub(crate) enum Action {
    Run(Command),
    OpenDialog,
    /// Open a file (asks first when decisions would be lost).
    OpenPath(PathBuf),
    OpenSample,
    ExportDialog(ExportKind),
    Select(Entry),
    Edit(FindingKey),
    Copy(CopyFormat),
    DismissError,
    SetTheme(Theme),
}

/// A question the engineer must answer before something happens.
#[derive(Debug, Clone)]
enum Confirm {
    Overwrite {
        kind: ExportKind,
        path: PathBuf,
        input: bool,
    },
    /// Decisions not exported would be lost by `then`.
    Discard {
        then: Box<Action>,
    },
    Close,
}

struct Toast {
    text: String,
    until: f64,
}

/// The editor of a suggested JSON fragment.
pub(crate) struct Editor {
    key: FindingKey,
    text: String,
    suggested: String,
    validated: String,
    verdict: Result<serde_json::Value, String>,
}

/// The app: a session and the view state around it.
pub struct App {
    session: Session,
    dialogs: Box<dyn FileDialogs>,
    settings: Settings,
    selected: Entry,
    filter: String,
    list: (Option<(u64, String)>, Vec<Entry>),
    preview: PreviewCache,
    /// Values typed in input fixes' fields, by finding.
    inputs: HashMap<FindingKey, String>,
    editor: Option<Editor>,
    confirm: Option<Confirm>,
    error: Option<String>,
    toasts: Vec<Toast>,
    allow_close: bool,
    actions: Vec<Action>,
    /// Text to put on the clipboard at the end of the frame.
    pending_copy: Option<String>,
    /// The window title last sent.
    title: String,
}

impl App {
    /// The app on `file` (or the sample), asking `dialogs` for paths.
    pub fn new(cc: &eframe::CreationContext<'_>, file: Option<PathBuf>, dialogs: Box<dyn FileDialogs>) -> App {
        install_fonts(&cc.egui_ctx);
        let settings = Settings::load(cc.storage);
        if settings.theme != Theme::System {
            cc.egui_ctx.set_theme(settings.theme.preference());
        }
        let mut app = App::with_session(Session::sample(), dialogs);
        app.settings = settings;
        if let Some(path) = file {
            app.run_action(Action::OpenPath(path));
        }
        app
    }

    /// The app on a session, without eframe (benchmarks drive it with [`App::show`]).
    pub fn with_session(session: Session, dialogs: Box<dyn FileDialogs>) -> App {
        let mut app = App {
            session,
            dialogs,
            settings: Settings::default(),
            selected: Entry::Deployment,
            filter: String::new(),
            list: (None, Vec::new()),
            preview: PreviewCache::default(),
            inputs: HashMap::new(),
            editor: None,
            confirm: None,
            error: None,
            toasts: Vec::new(),
            allow_close: false,
            actions: Vec::new(),
            pending_copy: None,
            title: String::new(),
        };
        app.select_first();
        app
    }

    pub fn session(&self) -> &Session {
        &self.session
    }

    pub fn selected(&self) -> &Entry {
        &self.selected
    }

    /// The error banner's text, if one shows.
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    /// Selects an entry (as a click in the module list does).
    pub fn select(&mut self, entry: Entry) {
        self.selected = entry;
    }

    /// Applies a command as a click would (for benchmarks and scripted use).
    pub fn apply(&mut self, command: Command) {
        self.run_action(Action::Run(command));
    }

    /// The first custom module with findings (system modules after), else the deployment.
    fn select_first(&mut self) {
        let entries = self.session.entries();
        let manifest = self.session.manifest();
        let system = |e: &Entry| matches!(e, Entry::Module(n) if manifest.module(n).is_some_and(|m| m.system));
        let with_findings = |e: &&Entry| matches!(e, Entry::Module(_)) && self.session.summary(e).total > 0;
        self.selected = entries
            .iter()
            .filter(|e| !system(e))
            .find(with_findings)
            .or_else(|| entries.iter().find(with_findings))
            .or_else(|| entries.iter().find(|e| matches!(e, Entry::Module(_))))
            .cloned()
            .unwrap_or(Entry::Deployment);
    }

    /// Draws the whole app into `ui` and handles what the frame asked for.
    pub fn show(&mut self, ui: &mut Ui) {
        let ctx = ui.ctx().clone();
        self.input(&ctx);
        egui::Panel::top("top").show(ui, |ui| self.top_bar(ui));
        egui::Panel::bottom("status").show(ui, |ui| self.status_bar(ui));
        egui::Panel::left("modules").resizable(true).default_size(230.0).min_size(160.0).show(ui, |ui| {
            ui.scope_builder(egui::UiBuilder::new().accessibility_label("Module list"), |ui| {
                panels::module_list(
                    ui,
                    &self.session,
                    &self.selected,
                    &mut self.filter,
                    &mut self.list,
                    &mut self.actions,
                )
            });
        });
        egui::Panel::right("findings").resizable(true).default_size(420.0).min_size(300.0).show(ui, |ui| {
            panels::findings_panel(ui, &self.session, &self.selected, &mut self.inputs, &mut self.actions)
        });
        egui::CentralPanel::default().show(ui, |ui| self.centre(ui));
        self.modals(&ctx);
        drop_hint(&ctx);
        let actions = std::mem::take(&mut self.actions);
        if !actions.is_empty() {
            // What they change is drawn next frame.
            ctx.request_repaint();
        }
        for action in actions {
            self.run_action(action);
        }
        self.toasts(&ctx);
        self.on_close_request(&ctx);
    }

    /// Shortcuts, dropped files, the window title.
    fn input(&mut self, ctx: &egui::Context) {
        let title = format!("{} - fpga2gpu", self.session.source().file_name());
        if self.title != title {
            ctx.send_viewport_cmd(egui::ViewportCommand::Title(title.clone()));
            self.title = title;
        }
        let dropped = ctx.input(|i| i.raw.dropped_files.clone());
        for file in dropped {
            self.actions.push(Action::OpenPath(file.path().to_owned()));
        }
        if self.editor.is_some() || self.confirm.is_some() {
            return;
        }
        let typing = ctx.text_edit_focused();
        let mut actions = Vec::new();
        ctx.input_mut(|i| {
            if i.consume_shortcut(&OPEN) {
                actions.push(Action::OpenDialog);
            }
            if i.consume_shortcut(&EXPORT) {
                actions.push(Action::ExportDialog(ExportKind::Manifest));
            }
            if !typing {
                if i.consume_shortcut(&REDO) || i.consume_shortcut(&REDO_Y) {
                    actions.push(Action::Run(Command::Redo));
                } else if i.consume_shortcut(&UNDO) {
                    actions.push(Action::Run(Command::Undo));
                }
                // Up and down walk the module list.
                let step = if i.consume_key(Modifiers::NONE, Key::ArrowDown) {
                    1
                } else if i.consume_key(Modifiers::NONE, Key::ArrowUp) {
                    -1
                } else {
                    0
                };
                if step != 0 {
                    let list = &self.list.1;
                    let at = list.iter().position(|e| *e == self.selected);
                    let next = match at {
                        Some(at) => at.checked_add_signed(step).filter(|n| *n < list.len()),
                        None => (!list.is_empty()).then_some(0),
                    };
                    if let Some(n) = next {
                        actions.push(Action::Select(list[n].clone()));
                    }
                }
            }
        });
        if !typing && !label_selection(ctx) {
            // egui turns Ctrl+C into a Copy event on desktops; a bare key press arrives from tests.
            let copy = ctx.input_mut(|i| {
                let event = i.events.iter().any(|e| matches!(e, egui::Event::Copy));
                i.events.retain(|e| !matches!(e, egui::Event::Copy));
                i.consume_shortcut(&COPY) || event
            });
            if copy && matches!(self.selected, Entry::Module(_)) {
                actions.push(Action::Copy(CopyFormat::Pretty));
            }
        }
        self.actions.extend(actions);
    }

    /// Turns an action into a command, a dialog or a view change.
    pub(crate) fn run_action(&mut self, action: Action) {
        match action {
            Action::Run(command) => self.run_command(command),
            Action::OpenDialog => {
                let dir = self.session.source().dir();
                match self.dialogs.open(dir.as_deref()) {
                    Some(path) => self.run_action(Action::OpenPath(path)),
                    None if self.dialogs.unavailable() => self.error = Some(NO_DIALOG.to_owned()),
                    None => {}
                }
            }
            Action::OpenPath(_) | Action::OpenSample if self.session.unexported() => {
                self.confirm = Some(Confirm::Discard { then: Box::new(action) });
            }
            Action::OpenPath(path) => self.open_path(path),
            Action::OpenSample => self.run_command(Command::OpenSample),
            Action::ExportDialog(kind) => {
                let request = kind.request(self.session.source());
                let Some(path) = self.dialogs.save(&request) else {
                    if self.dialogs.unavailable() {
                        self.error = Some(NO_DIALOG.to_owned());
                    }
                    return;
                };
                let input = self.session.source().path().is_some_and(|p| same_file(p, &path));
                if input || path.exists() {
                    self.confirm = Some(Confirm::Overwrite { kind, path, input });
                } else {
                    self.run_command(kind.command(path, false));
                }
            }
            Action::Select(entry) => self.selected = entry,
            Action::Edit(key) => {
                if let Some(f) = self.session.finding(&key) {
                    let suggested = f.suggestion.as_ref().and_then(|s| s.fragment()).unwrap_or(serde_json::Value::Null);
                    // The fragment as decided so far (an edited fragment, or a typed value in place).
                    let current = self
                        .session
                        .decision(&key)
                        .and_then(|d| crate::migrate::decided_fragment(f, d))
                        .unwrap_or_else(|| suggested.clone());
                    let text = session::pretty(&current);
                    self.editor = Some(Editor {
                        key,
                        validated: text.clone(),
                        verdict: Ok(current),
                        suggested: session::pretty(&suggested),
                        text,
                    });
                }
            }
            Action::Copy(format) => {
                if let Entry::Module(module) = &self.selected {
                    let module = module.clone();
                    self.run_command(Command::Copy { module, format });
                }
            }
            Action::DismissError => self.error = None,
            Action::SetTheme(theme) => self.settings.theme = theme,
        }
    }

    /// Opens a file (the decisions were dropped or exported) and keeps the recent list current.
    fn open_path(&mut self, path: PathBuf) {
        let result = self.session.apply(Command::Open(path.clone()));
        match &result {
            Ok(_) => self.settings.remember(&path),
            Err(_) if !path.exists() => self.settings.forget(&path),
            Err(_) => {}
        }
        self.after(result);
    }

    fn run_command(&mut self, command: Command) {
        if matches!(command, Command::Undo | Command::Redo | Command::ClearAll) {
            // Typed values follow the decisions they came back with.
            self.inputs.clear();
        }
        let result = self.session.apply(command);
        self.after(result);
    }

    fn after(&mut self, result: Result<Applied, String>) {
        match result {
            Ok(applied) => {
                if applied.loaded {
                    self.error = None;
                    self.inputs.clear();
                    self.editor = None;
                    self.select_first();
                }
                if let Some(text) = applied.clipboard {
                    self.pending_copy = Some(text);
                }
                if let Some(m) = applied.message {
                    self.toast(m);
                }
            }
            Err(e) => self.error = Some(e),
        }
    }

    fn toast(&mut self, text: String) {
        self.toasts.push(Toast { text, until: f64::NAN });
    }
}

/// Adds DejaVu Sans (and Mono) behind egui's fonts: rule texts and manifests use arrows, `µ`, `·`,
/// `≤` and the like, which egui's own fonts lack.
pub fn install_fonts(ctx: &egui::Context) {
    use egui::{FontData, FontFamily, FontInsert, FontPriority, InsertFontFamily};
    let fonts: [(&str, &'static [u8], FontFamily); 2] = [
        ("DejaVuSans", include_bytes!("../../assets/fonts/DejaVuSans.ttf"), FontFamily::Proportional),
        ("DejaVuSansMono", include_bytes!("../../assets/fonts/DejaVuSansMono.ttf"), FontFamily::Monospace),
    ];
    for (name, bytes, family) in fonts {
        ctx.add_font(FontInsert::new(
            name,
            FontData::from_static(bytes),
            vec![InsertFontFamily { family, priority: FontPriority::Lowest }],
        ));
    }
}

const NO_DIALOG: &str = "No file dialog is available on this desktop (the XDG desktop portal is not running). \
Drop a manifest onto the window or pass it on the command line: fpga2gpu FILE.";

/// Is text selected in a label (then Ctrl+C copies that, not a module)?
fn label_selection(ctx: &egui::Context) -> bool {
    ctx.plugin_opt::<egui::text_selection::LabelSelectionState>().is_some_and(|p| p.lock().has_selection())
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

impl eframe::App for App {
    fn ui(&mut self, ui: &mut Ui, _frame: &mut eframe::Frame) {
        self.show(ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        self.settings.save(storage);
    }
}

// The parts of the screen.
impl App {
    fn top_bar(&mut self, ui: &mut Ui) {
        egui::MenuBar::new().ui(ui, |ui| {
            let fmt = |s: &KeyboardShortcut| ui.ctx().format_shortcut(s);
            let (open, export, undo, redo) = (fmt(&OPEN), fmt(&EXPORT), fmt(&UNDO), fmt(&REDO));
            ui.menu_button("File", |ui| {
                if ui.add(egui::Button::new("Open...").shortcut_text(open)).clicked() {
                    self.actions.push(Action::OpenDialog);
                }
                ui.menu_button("Open recent", |ui| {
                    if self.settings.recent.is_empty() {
                        ui.weak("No recent files");
                    }
                    for path in &self.settings.recent {
                        if ui.button(path.display().to_string()).clicked() {
                            self.actions.push(Action::OpenPath(path.clone()));
                        }
                    }
                });
                if ui.button("Open the bundled sample").clicked() {
                    self.actions.push(Action::OpenSample);
                }
                ui.separator();
                if ui.add(egui::Button::new("Export GPU manifest...").shortcut_text(export)).clicked() {
                    self.actions.push(Action::ExportDialog(ExportKind::Manifest));
                }
                if ui.button("Export decisions file...").clicked() {
                    self.actions.push(Action::ExportDialog(ExportKind::Decisions));
                }
                if ui.button("Export migration report...").clicked() {
                    self.actions.push(Action::ExportDialog(ExportKind::Report));
                }
                ui.separator();
                if ui.button("Quit").clicked() {
                    ui.ctx().send_viewport_cmd(egui::ViewportCommand::Close);
                }
            });
            ui.menu_button("Edit", |ui| {
                let undo = egui::Button::new("Undo decision").shortcut_text(undo);
                if ui.add_enabled(self.session.can_undo(), undo).clicked() {
                    self.actions.push(Action::Run(Command::Undo));
                }
                let redo = egui::Button::new("Redo decision").shortcut_text(redo);
                if ui.add_enabled(self.session.can_redo(), redo).clicked() {
                    self.actions.push(Action::Run(Command::Redo));
                }
                ui.separator();
                if ui.button("Accept all auto fixes").clicked() {
                    self.actions.push(Action::Run(Command::AcceptAuto(Scope::default())));
                }
                if ui
                    .add_enabled(!self.session.decisions().is_empty(), egui::Button::new("Clear all decisions"))
                    .clicked()
                {
                    self.actions.push(Action::Run(Command::ClearAll));
                }
            });
            ui.menu_button("View", |ui| {
                for theme in Theme::ALL {
                    if ui.radio(self.settings.theme == theme, theme.title()).clicked() {
                        ui.ctx().set_theme(theme.preference());
                        self.actions.push(Action::SetTheme(theme));
                    }
                }
            });
        });
        ui.add_space(2.0);
        ui.horizontal(|ui| {
            if ui.button("Open...").on_hover_text("Open a deployment manifest (Ctrl+O), or drop one here").clicked() {
                self.actions.push(Action::OpenDialog);
            }
            let export = ui.button("Export...").on_hover_text("Export the GPU deployment manifest (Ctrl+S)");
            if export.clicked() {
                self.actions.push(Action::ExportDialog(ExportKind::Manifest));
            }
            ui.separator();
            if ui.add_enabled(self.session.can_undo(), egui::Button::new("Undo")).on_hover_text("Ctrl+Z").clicked() {
                self.actions.push(Action::Run(Command::Undo));
            }
            let redo = ui.add_enabled(self.session.can_redo(), egui::Button::new("Redo"));
            if redo.on_hover_text("Ctrl+Shift+Z").clicked() {
                self.actions.push(Action::Run(Command::Redo));
            }
            ui.separator();
            let auto = self.session.total().auto;
            let accept_all = egui::Button::new(format!("Accept all auto fixes ({auto})"));
            let r =
                ui.add_enabled(auto > 0, accept_all).on_hover_text("Accept every undecided auto fix in every module");
            if r.clicked() {
                self.actions.push(Action::Run(Command::AcceptAuto(Scope::default())));
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                let mut name = RichText::new(self.session.source().file_name()).strong();
                if matches!(self.session.source(), Source::Sample) {
                    name = name.italics();
                }
                ui.label(name).on_hover_text(match self.session.source() {
                    Source::File(p) => p.display().to_string(),
                    Source::Sample => "the sample bundled with fpga2gpu".to_owned(),
                    Source::Bytes { name } => name.clone(),
                });
                if self.session.unexported() {
                    ui.colored_label(warn_color(ui), "not exported").on_hover_text(
                        "Decisions made since the last export; closing the window asks before dropping them",
                    );
                }
            });
        });
        if matches!(self.session.source(), Source::Sample) {
            banner(ui, Color32::from_rgb(60, 110, 200), |ui| {
                ui.label(
                    RichText::new(
                        "Sample manifest: this is the FPGA deployment bundled with fpga2gpu, to try things out.",
                    )
                    .color(Color32::WHITE),
                );
                if ui.button("Open your manifest...").clicked() {
                    self.actions.push(Action::OpenDialog);
                }
                ui.label(RichText::new("or drop a file onto the window").color(Color32::WHITE));
            });
        }
        if let Some(error) = &self.error {
            banner(ui, Color32::from_rgb(180, 40, 40), |ui| {
                ui.label(RichText::new(error).color(Color32::WHITE));
                if ui.button("Dismiss").clicked() {
                    self.actions.push(Action::DismissError);
                }
            });
        }
        ui.add_space(2.0);
    }

    fn status_bar(&mut self, ui: &mut Ui) {
        ui.horizontal(|ui| {
            let t = self.session.total();
            ui.label(format!(
                "{} modules · {} findings · {} of {} suggestions decided · {} open · {} need manual work",
                self.session.manifest().modules.len(),
                t.total,
                t.decided,
                t.decidable,
                t.open_total(),
                t.manual
            ));
            let outcome = self.session.outcome();
            let mut failed: Vec<_> = outcome.failed().collect();
            failed.sort();
            let problems = failed.len() + outcome.warnings.len();
            if problems > 0 {
                ui.separator();
                let text = if problems == 1 { "1 problem".to_owned() } else { format!("{problems} problems") };
                ui.colored_label(warn_color(ui), text).on_hover_ui(|ui| {
                    for (k, why) in &failed {
                        ui.label(format!(
                            "{} on {} not applied: {why}",
                            k.rule,
                            k.module.as_deref().unwrap_or("the deployment")
                        ));
                    }
                    for w in &outcome.warnings {
                        ui.label(w);
                    }
                });
            }
        });
    }

    fn centre(&mut self, ui: &mut Ui) {
        let summary = self.session.summary(&self.selected);
        ui.horizontal(|ui| {
            match &self.selected {
                Entry::Deployment => {
                    ui.heading("Deployment");
                    ui.weak("$edgeAgent and $edgeHub: the parts that are not modules");
                }
                Entry::Module(name) => {
                    ui.heading(format!("Module {name}"));
                    let image = self
                        .session
                        .manifest()
                        .module(name)
                        .and_then(|m| m.json(self.session.manifest()))
                        .and_then(|o| o.get("settings")?.get("image")?.as_str());
                    if let Some(image) = image {
                        ui.weak(image);
                    }
                }
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if let Entry::Module(_) = &self.selected {
                    ui.menu_button("Copy GPU createOptions", |ui| {
                        for format in CopyFormat::ALL {
                            let mut b = egui::Button::new(format.title());
                            if format == CopyFormat::Pretty {
                                b = b.shortcut_text(ui.ctx().format_shortcut(&COPY));
                            }
                            if ui.add(b).clicked() {
                                self.actions.push(Action::Copy(format));
                            }
                        }
                    });
                }
            });
        });
        let scope = Scope { entry: Some(self.selected.clone()), section: None };
        ui.horizontal(|ui| {
            let mut text = match (summary.total, summary.decidable) {
                (0, _) => "Nothing to change for the GPU device".to_owned(),
                (n, 0) => format!("{n} findings, no change to decide"),
                (n, d) => format!(
                    "{n} findings · {} of {d} suggestions decided · {} open",
                    summary.decided,
                    summary.open_total()
                ),
            };
            if summary.manual > 0 {
                text.push_str(&format!(" · {} need manual work", summary.manual));
            }
            ui.label(text);
            let auto = summary.auto;
            if auto > 0 && ui.button(format!("Accept auto fixes here ({auto})")).clicked() {
                self.actions.push(Action::Run(Command::AcceptAuto(scope.clone())));
            }
        });
        ui.separator();
        let entry = self.selected.clone();
        self.preview.ensure(ui, &mut self.session, &entry);
        ui.columns(2, |cols| {
            cols[0].strong("FPGA (Docker): as in the file");
            let changed = self.preview.preview().changed;
            let gpu = match changed {
                0 => "GPU (Kubernetes): no change yet".to_owned(),
                1 => "GPU (Kubernetes): 1 line changed by your decisions".to_owned(),
                n => format!("GPU (Kubernetes): {n} lines changed by your decisions"),
            };
            cols[1].strong(gpu);
        });
        self.preview.show(ui);
    }

    fn modals(&mut self, ctx: &egui::Context) {
        if let Some(editor) = &mut self.editor {
            match panels::editor_modal(ctx, &self.session, editor) {
                panels::EditorResult::Open => {}
                panels::EditorResult::Cancel => self.editor = None,
                panels::EditorResult::Apply(fragment) => {
                    let key = editor.key.clone();
                    self.editor = None;
                    self.run_command(Command::Decide {
                        key,
                        decision: crate::migrate::Decision::Fragment { fragment },
                    });
                }
            }
        }
        let Some(confirm) = self.confirm.clone() else { return };
        let (title, text, yes) = match &confirm {
            Confirm::Overwrite { path, input: true, .. } => (
                "Overwrite the input file?",
                format!(
                    "{} is the manifest you opened. Writing the export over it replaces the FPGA version.",
                    path.display()
                ),
                "Overwrite the input",
            ),
            Confirm::Overwrite { path, .. } => {
                ("Replace the file?", format!("{} already exists.", path.display()), "Replace")
            }
            Confirm::Discard { .. } => (
                "Drop your decisions?",
                format!(
                    "{} decisions have not been exported. Opening another manifest drops them.",
                    self.session.decisions().len()
                ),
                "Drop them and open",
            ),
            Confirm::Close => (
                "Quit without exporting?",
                format!(
                    "{} decisions have not been exported (Ctrl+S exports the manifest, File menu the decisions).",
                    self.session.decisions().len()
                ),
                "Quit without exporting",
            ),
        };
        let mut answer = None;
        let modal = egui::Modal::new(egui::Id::unique("confirm")).show(ctx, |ui| {
            ui.set_max_width(460.0);
            ui.heading(title);
            ui.add_space(4.0);
            ui.label(text);
            ui.add_space(8.0);
            ui.horizontal(|ui| {
                if ui.button(yes).clicked() {
                    answer = Some(true);
                }
                if ui.button("Cancel").clicked() {
                    answer = Some(false);
                }
            });
        });
        if answer.is_none() && modal.should_close() {
            answer = Some(false);
        }
        match answer {
            Some(true) => {
                self.confirm = None;
                match confirm {
                    Confirm::Overwrite { kind, path, .. } => self.run_command(kind.command(path, true)),
                    Confirm::Discard { then } => match *then {
                        Action::OpenPath(p) => self.open_path(p),
                        _ => self.run_command(Command::OpenSample),
                    },
                    Confirm::Close => {
                        self.allow_close = true;
                        ctx.send_viewport_cmd(egui::ViewportCommand::Close);
                    }
                }
            }
            Some(false) => self.confirm = None,
            None => {}
        }
    }

    fn toasts(&mut self, ctx: &egui::Context) {
        let now = ctx.input(|i| i.time);
        for t in &mut self.toasts {
            if t.until.is_nan() {
                t.until = now + TOAST_SECONDS;
            }
        }
        self.toasts.retain(|t| t.until > now);
        if let Some(text) = self.pending_copy.take() {
            ctx.copy_text(text);
        }
        if self.toasts.is_empty() {
            return;
        }
        egui::Area::new(egui::Id::unique("toasts"))
            .anchor(Align2::RIGHT_BOTTOM, vec2(-16.0, -40.0))
            .order(egui::Order::Foreground)
            .interactable(false)
            .show(ctx, |ui| {
                for t in &self.toasts {
                    egui::Frame::popup(ui.style()).show(ui, |ui| {
                        ui.set_max_width(420.0);
                        ui.label(&t.text);
                    });
                }
            });
        let next = self.toasts.iter().map(|t| t.until).fold(f64::INFINITY, f64::min);
        ctx.request_repaint_after(std::time::Duration::from_secs_f64((next - now).max(0.05)));
    }

    fn on_close_request(&mut self, ctx: &egui::Context) {
        if ctx.input(|i| i.viewport().close_requested()) && self.session.unexported() && !self.allow_close {
            ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
            self.confirm = Some(Confirm::Close);
        }
    }
}

/// While files are dragged over the window, says what dropping does.
fn drop_hint(ctx: &egui::Context) {
    if ctx.input(|i| i.raw.hovered_files.is_empty()) {
        return;
    }
    let rect = ctx.content_rect();
    let painter = ctx.layer_painter(egui::LayerId::new(egui::Order::Foreground, egui::Id::unique("drop hint")));
    painter.rect_filled(rect, 0.0, Color32::from_black_alpha(160));
    painter.text(
        rect.center(),
        Align2::CENTER_CENTER,
        "Drop the deployment manifest to open it",
        egui::FontId::proportional(24.0),
        Color32::WHITE,
    );
}

fn banner(ui: &mut Ui, fill: Color32, add: impl FnOnce(&mut Ui)) {
    egui::Frame::new().fill(fill).inner_margin(egui::Margin::symmetric(8, 5)).corner_radius(4).show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.horizontal_wrapped(add);
    });
}

fn warn_color(ui: &Ui) -> Color32 {
    if ui.visuals().dark_mode { Color32::from_rgb(240, 180, 60) } else { Color32::from_rgb(170, 100, 0) }
}
