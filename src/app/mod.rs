//! The desktop app: a view over the engine (it holds no migration logic).
//!
//! [`session::Session`] is the document (manifest, findings, decisions, undo, derived caches) and
//! changes only through [`session::Command`]s; [`App`] draws it and turns clicks, shortcuts
//! ([`commands::UiCommand`], the one catalogue of what can be asked) and drops into [`Action`]s,
//! which become commands, dialogs or view changes at the end of the frame.

pub mod checklist;
pub mod commands;
pub mod device;
pub mod dialogs;
pub mod k8s_cache;
pub mod k8s_view;
mod panels;
pub mod preview;
pub mod session;
pub mod settings;

use crate::device::Target;
use crate::migrate::Decision;
use crate::rules::FindingKey;
use commands::{Group, UiCommand};
use dialogs::{Answer, FileDialogs, InWindowDialog, OpenRequest, RfdDialogs, SaveRequest, Shown};
use eframe::egui;
use egui::{Color32, RichText, Ui};
use panels::{FindingsView, ModuleList};
use preview::{Preview, PreviewCache};
use session::{Applied, Command, CopyFormat, Entry, Loaded, Scope, Session, Source, plural};
use settings::Settings;
use std::path::{Path, PathBuf};
use strum::IntoEnumIterator;

/// Opens the app on `file`, or on the bundled sample.
pub fn run(file: Option<PathBuf>) -> Result<(), String> {
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("fpga2gpu")
            .with_app_id("fpga2gpu")
            .with_inner_size([1440.0, 900.0])
            .with_min_inner_size([800.0, 520.0])
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

/// How long a toast stays.
const TOAST_SECONDS: f64 = 4.0;
/// The side-by-side view never gets narrower than this while a side panel can give way.
const MIN_CENTRE: f32 = 440.0;

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

/// What a file dialog was opened for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Purpose {
    Open,
    ImportDecisions,
    Export(ExportKind),
}

/// What a click, a shortcut or a drop asks for; handled after the frame's widgets.
#[derive(Debug, Clone)]
pub(crate) enum Action {
    Run(Command),
    Ui(UiCommand),
    /// Open a file (read first; asks before dropping decisions).
    OpenPath(PathBuf),
    Select(Entry),
    Edit(FindingKey),
    Copy(CopyFormat),
    DismissError,
    DismissDisk,
    /// The engineer chose a target (the chooser, the top bar): remembered, and the session
    /// switches to it.
    SetTarget(Target),
}

/// A question the engineer must answer before something happens.
enum Confirm {
    Overwrite {
        kind: ExportKind,
        path: PathBuf,
        input: bool,
    },
    /// Opening `loaded` drops decisions not exported.
    Discard {
        loaded: Box<Loaded>,
    },
    /// The manifest changed on disk since it was read; the export would be made from the old one.
    Changed {
        kind: ExportKind,
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
    /// The engine's verdict on `validated`: the decision it makes, checked by its rule.
    verdict: Result<Decision, String>,
}

/// The app: a session and the view state around it.
pub struct App {
    session: Session,
    dialogs: Box<dyn FileDialogs>,
    /// The in-window file dialog, where no native one could be shown.
    file_dialog: Option<(Purpose, InWindowDialog)>,
    settings: Settings,
    selected: Entry,
    list: ModuleList,
    findings: FindingsView,
    preview: PreviewCache,
    /// The Kubernetes view (its tab, its caches).
    k8s: k8s_view::K8sView,
    editor: Option<Editor>,
    confirm: Option<Confirm>,
    error: Option<String>,
    /// The manifest changed on disk since it was read: a banner offers to reload.
    disk_changed: bool,
    /// Decisions that matched no finding after a reload or an import, listed until dismissed.
    unmatched: Vec<String>,
    help: bool,
    /// The Device panel (a window over the main screen).
    device_panel: device::DevicePanel,
    checklist: checklist::ChecklistCache,
    toasts: Vec<Toast>,
    allow_close: bool,
    actions: Vec<Action>,
    /// Text to put on the clipboard at the end of the frame.
    pending_copy: Option<String>,
    /// The window title last sent.
    title: String,
    /// The side-by-side view's width last frame (tests check the layout with it).
    centre_width: f32,
    /// Quit was asked for: the window is asked to close (which asks about unexported decisions).
    quit: bool,
}

impl App {
    /// The app on `file` (or the sample), asking `dialogs` for paths.
    pub fn new(cc: &eframe::CreationContext<'_>, file: Option<PathBuf>, dialogs: Box<dyn FileDialogs>) -> App {
        install_fonts(&cc.egui_ctx);
        let settings = Settings::load(cc.storage);
        cc.egui_ctx.set_theme(settings.theme);
        let device = crate::device::DeviceProfile { target: settings.target.unwrap_or_default(), ..Default::default() };
        let mut app = App::with_session(Session::sample_for(device), dialogs);
        app.preview.wrap = settings.wrap;
        app.settings = settings;
        if let Some(path) = file {
            app.open_path(path);
        }
        app
    }

    /// The app on a session, without eframe (benchmarks drive it with [`App::show`]): the
    /// session's target counts as chosen.
    pub fn with_session(session: Session, dialogs: Box<dyn FileDialogs>) -> App {
        let settings = Settings { target: Some(session.device().target), ..Settings::default() };
        let mut app = App {
            session,
            dialogs,
            file_dialog: None,
            settings,
            selected: Entry::Deployment,
            list: ModuleList::default(),
            findings: FindingsView::default(),
            preview: PreviewCache::default(),
            k8s: k8s_view::K8sView::default(),
            editor: None,
            confirm: None,
            error: None,
            disk_changed: false,
            unmatched: Vec::new(),
            help: false,
            device_panel: device::DevicePanel::default(),
            checklist: checklist::ChecklistCache::default(),
            toasts: Vec::new(),
            allow_close: false,
            actions: Vec::new(),
            pending_copy: None,
            title: String::new(),
            centre_width: 0.0,
            quit: false,
        };
        app.select_first();
        app
    }

    pub fn session(&self) -> &Session {
        &self.session
    }

    /// What the app remembers between runs.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Chooses a target as the chooser does (remembered; the session switches to it).
    pub fn choose_target(&mut self, target: Target) {
        self.run_action(Action::SetTarget(target));
    }

    /// The target chooser shows: a manifest of the engineer's is open and no target was chosen yet.
    pub fn asks_target(&self) -> bool {
        self.settings.target.is_none() && !matches!(self.session.source(), Source::Sample)
    }

    pub fn selected(&self) -> &Entry {
        &self.selected
    }

    /// The error banner's text, if one shows.
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    /// The side-by-side view of the selected entry.
    pub fn preview(&self) -> &Preview {
        self.preview.preview()
    }

    /// The centre shows the Kubernetes objects (not the createOptions diff).
    pub fn kubernetes_open(&self) -> bool {
        self.k8s.open && k8s_view::available(&self.session)
    }

    /// The Kubernetes view's lines last shown.
    pub fn kubernetes_preview(&self) -> &Preview {
        self.k8s.preview()
    }

    /// How far both sides of the view are scrolled sideways.
    pub fn preview_hscroll(&self) -> f32 {
        self.preview.hscroll()
    }

    /// The width the side-by-side view had last frame.
    pub fn centre_width(&self) -> f32 {
        self.centre_width
    }

    /// The finding the keyboard acts on.
    pub fn current_finding(&self) -> Option<&FindingKey> {
        self.findings.current.as_ref()
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
        self.settings.theme = ctx.options(|o| o.theme_preference);
        self.input(&ctx);
        egui::Panel::top("top").show(ui, |ui| self.top_bar(ui));
        egui::Panel::bottom("status").show(ui, |ui| self.status_bar(ui));
        let width = ctx.content_rect().width();
        let mut left = 0.0;
        if self.settings.modules_panel {
            let r = egui::Panel::left("modules")
                .resizable(true)
                .default_size((width * 0.19).clamp(170.0, 240.0))
                .min_size(140.0)
                .max_size((width * 0.25).max(160.0))
                .show(ui, |ui| {
                    ui.scope_builder(egui::UiBuilder::new().accessibility_label("Module list"), |ui| {
                        panels::module_list(ui, &self.session, &self.selected, &mut self.list, &mut self.actions)
                    });
                });
            left = r.response.rect.width();
        }
        if self.settings.findings_panel {
            // However wide it was left (another window size, a remembered drag), it never takes
            // the side-by-side view below its minimum.
            let max = (width - left - MIN_CENTRE).min(width * 0.5).max(240.0);
            egui::Panel::right("findings")
                .resizable(true)
                .default_size((width * 0.34).clamp(300.0, 460.0).min(max))
                .min_size(240.0)
                .max_size(max)
                .show(ui, |ui| {
                    panels::findings_panel(ui, &self.session, &self.selected, &mut self.findings, &mut self.actions)
                });
        }
        egui::CentralPanel::default().show(ui, |ui| {
            self.centre_width = ui.available_width();
            self.centre(ui)
        });
        self.modals(&ctx);
        self.device_panel.show(&ctx, &self.session, &mut self.actions);
        if self.asks_target() && self.confirm.is_none() && self.file_dialog.is_none() {
            device::target_chooser(&ctx, &self.session, &mut self.actions);
        }
        drop_hint(&ctx);
        let actions = std::mem::take(&mut self.actions);
        if !actions.is_empty() {
            // What they change is drawn next frame.
            ctx.request_repaint();
        }
        for action in actions {
            self.run_action(action);
        }
        if std::mem::take(&mut self.quit) {
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
        }
        self.toasts(&ctx);
        self.on_close_request(&ctx);
    }

    /// A modal (question, editor, dialog, help) has the keyboard.
    fn modal_open(&self) -> bool {
        self.editor.is_some()
            || self.confirm.is_some()
            || self.file_dialog.is_some()
            || self.help
            || !self.unmatched.is_empty()
            || self.asks_target()
    }

    /// Shortcuts, dropped files, the window title, the file changing on disk.
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
        // Back to the window after working elsewhere: has the manifest changed meanwhile?
        let focused_again = ctx.input(|i| i.events.iter().any(|e| matches!(e, egui::Event::WindowFocused(true))));
        if focused_again && self.session.changed_on_disk() {
            self.disk_changed = true;
        }
        if self.modal_open() {
            return;
        }
        let typing = ctx.text_edit_focused();
        for command in UiCommand::consume(ctx, typing) {
            match command {
                UiCommand::NextModule | UiCommand::PreviousModule => self.step_module(ctx, command),
                UiCommand::CopyPretty => self.actions.push(Action::Ui(self.copy_shown())),
                other => self.actions.push(Action::Ui(other)),
            }
        }
        if !typing && !label_selection(ctx) {
            // Desktops deliver Ctrl+C as a Copy event (tests as a key press, handled above).
            let copy = ctx.input_mut(|i| {
                let event = i.events.iter().any(|e| matches!(e, egui::Event::Copy));
                i.events.retain(|e| !matches!(e, egui::Event::Copy));
                event
            });
            if copy {
                self.actions.push(Action::Ui(self.copy_shown()));
            }
        }
    }

    /// What Ctrl+C copies: what the centre shows (the Kubernetes objects on their tab, the GPU
    /// createOptions otherwise). The menus name each copy on its own.
    fn copy_shown(&self) -> UiCommand {
        if self.kubernetes_open() { UiCommand::CopyKubernetesYaml } else { UiCommand::CopyPretty }
    }

    /// Up or Down: the next module in the list, kept in view; only while the focus is in the list
    /// (or nowhere): elsewhere the arrows move the focus, as egui does.
    fn step_module(&mut self, ctx: &egui::Context, command: UiCommand) {
        let focused = ctx.memory(|m| m.focused());
        let in_list = focused.is_some_and(|id| self.list.entries.iter().any(|e| panels::row_id(e) == id));
        if focused.is_some() && !in_list {
            return;
        }
        ctx.memory_mut(|m| m.move_focus(egui::FocusDirection::None));
        let list = &self.list.entries;
        let at = list.iter().position(|e| *e == self.selected);
        let step = if command == UiCommand::NextModule { 1 } else { -1 };
        let next = match at {
            Some(at) => at.checked_add_signed(step).filter(|n| *n < list.len()),
            None => (!list.is_empty()).then_some(0),
        };
        if let Some(n) = next {
            // Applied at once: a second press in the same frame steps from here.
            self.selected = list[n].clone();
            self.list.reveal = true;
            self.list.focus_row = in_list;
        }
    }

    /// Turns an action into a command, a dialog or a view change.
    pub(crate) fn run_action(&mut self, action: Action) {
        match action {
            Action::Run(command) => self.run_command(command),
            Action::Ui(command) => self.run_ui_command(command),
            Action::OpenPath(path) => self.open_path(path),
            Action::Select(entry) => self.selected = entry,
            Action::Edit(key) => self.edit(key),
            Action::Copy(format) => {
                if let Entry::Module(module) = &self.selected {
                    let module = module.clone();
                    self.run_command(Command::Copy { module, format });
                }
            }
            Action::DismissError => self.error = None,
            Action::DismissDisk => self.disk_changed = false,
            Action::SetTarget(target) => {
                self.settings.target = Some(target);
                if target != self.session.device().target {
                    let device = crate::device::DeviceProfile { target, ..self.session.device().clone() };
                    self.run_command(Command::SetDevice(Box::new(device)));
                }
            }
        }
    }

    fn run_ui_command(&mut self, command: UiCommand) {
        match command {
            UiCommand::Open => self.ask_open(Purpose::Open),
            UiCommand::OpenSample => self.offer(Loaded::sample()),
            UiCommand::ImportDecisions => self.ask_open(Purpose::ImportDecisions),
            UiCommand::Reload => self.reload(),
            UiCommand::ExportManifest => self.export(ExportKind::Manifest),
            UiCommand::ExportDecisions => self.export(ExportKind::Decisions),
            UiCommand::ExportReport => self.export(ExportKind::Report),
            UiCommand::Quit => self.quit = true,
            UiCommand::Undo => self.run_command(Command::Undo),
            UiCommand::Redo => self.run_command(Command::Redo),
            UiCommand::AcceptAllAuto => self.run_command(Command::AcceptAuto(Scope::default())),
            UiCommand::AcceptAutoHere => {
                self.run_command(Command::AcceptAuto(Scope { entry: Some(self.selected.clone()), section: None }))
            }
            UiCommand::ClearAll => self.run_command(Command::ClearAll),
            UiCommand::CopyPretty => self.run_action(Action::Copy(CopyFormat::Pretty)),
            UiCommand::CopyEscaped => self.run_action(Action::Copy(CopyFormat::Escaped)),
            UiCommand::CopyChunked => self.run_action(Action::Copy(CopyFormat::Chunked)),
            UiCommand::NextFinding => self.step_finding(1),
            UiCommand::PreviousFinding => self.step_finding(-1),
            UiCommand::AcceptFinding | UiCommand::RejectFinding | UiCommand::EditFinding => {
                self.decide_current(command)
            }
            UiCommand::NextModule | UiCommand::PreviousModule => {}
            UiCommand::FocusFilter => {
                self.settings.modules_panel = true;
                self.list.focus_filter = true;
            }
            UiCommand::ToggleModules => self.settings.modules_panel ^= true,
            UiCommand::ToggleFindings => self.settings.findings_panel ^= true,
            UiCommand::SoftWrap => {
                self.settings.wrap ^= true;
                self.preview.wrap = self.settings.wrap;
            }
            UiCommand::Help => self.help ^= true,
            UiCommand::DevicePanel => self.device_panel.open ^= true,
            UiCommand::KubernetesView if k8s_view::available(&self.session) => self.k8s.open ^= true,
            UiCommand::KubernetesView => self.toast(k8s_view::vm_note(&self.session)),
            UiCommand::CopyKubernetesYaml => match self.k8s.yaml(&mut self.session, &self.selected) {
                Ok((text, message)) => {
                    self.pending_copy = Some(text);
                    self.toast(message);
                }
                Err(e) => self.toast(e),
            },
        }
    }

    /// Every finding in list order: (entry, key).
    fn finding_order(&self) -> Vec<(Entry, FindingKey)> {
        self.list
            .entries
            .iter()
            .flat_map(|e| self.session.entry_findings(e).map(move |(k, _)| (e.clone(), k.clone())))
            .collect()
    }

    /// The next (or previous) finding gets the focus, in this module or the ones after it.
    fn step_finding(&mut self, step: isize) {
        let order = self.finding_order();
        let current = self
            .findings
            .current
            .as_ref()
            .filter(|k| self.session.finding(k).is_some_and(|f| Entry::of(f) == self.selected))
            .and_then(|k| order.iter().position(|(_, x)| x == k));
        let next = match current {
            Some(at) => at.checked_add_signed(step).filter(|n| *n < order.len()),
            // Nothing current here: the first (or last) finding of the selected entry, or the
            // first one after it.
            None => {
                let here = order.iter().position(|(e, _)| *e == self.selected);
                match (here, step > 0) {
                    (Some(at), true) => Some(at),
                    (Some(_), false) => order.iter().rposition(|(e, _)| *e == self.selected),
                    (None, _) => (!order.is_empty()).then_some(0),
                }
            }
        };
        match next {
            Some(n) => {
                let (entry, key) = order[n].clone();
                self.selected = entry;
                self.list.reveal = true;
                self.findings.current = Some(key.clone());
                self.findings.reveal = Some(key);
            }
            None => self.toast(if step > 0 { "That was the last finding" } else { "That was the first finding" }),
        }
    }

    /// A (accept), R (reject), E (edit) on the current finding.
    fn decide_current(&mut self, command: UiCommand) {
        let Some(key) = self.findings.current.clone().filter(|k| self.session.finding(k).is_some()) else {
            self.toast("No finding is current: go to one first (Findings menu, Next finding)");
            return;
        };
        let f = self.session.finding(&key).expect("checked");
        if f.suggestion.is_none() {
            self.toast(format!("{} has no suggested change to decide", f.rule));
            return;
        }
        match command {
            UiCommand::RejectFinding => self.run_command(Command::Decide { key, decision: Decision::Reject }),
            UiCommand::EditFinding => self.edit(key),
            _ => match self.findings.verdict(&key) {
                Some(Err(e)) => self.toast(format!("Not accepted: {e}")),
                Some(Ok(d)) => self.run_command(Command::Decide { key, decision: d }),
                None => self.run_command(Command::Decide { key, decision: Decision::Accept }),
            },
        }
        self.findings.reveal = self.findings.current.clone();
    }

    fn edit(&mut self, key: FindingKey) {
        let Some(f) = self.session.finding(&key) else { return };
        let Some(suggested) = f.suggestion.as_ref().and_then(|s| s.fragment()) else { return };
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
            verdict: Ok(Decision::Fragment { fragment: current }),
            suggested: session::pretty(&suggested),
            text,
        });
    }

    fn ask_open(&mut self, purpose: Purpose) {
        let request = match purpose {
            Purpose::ImportDecisions => OpenRequest {
                title: "Import a decisions file".to_owned(),
                directory: self.session.source().dir(),
                filter: ("Decisions file".to_owned(), vec!["json".to_owned()]),
            },
            _ => OpenRequest {
                title: "Open an FPGA deployment manifest".to_owned(),
                directory: self.session.source().dir(),
                filter: ("Deployment manifest".to_owned(), vec!["json".to_owned()]),
            },
        };
        match self.dialogs.open(&request) {
            Answer::Picked(path) => self.picked(purpose, path),
            Answer::Cancelled => {}
            Answer::Unavailable => self.file_dialog = Some((purpose, InWindowDialog::open(&request))),
        }
    }

    fn ask_save(&mut self, kind: ExportKind) {
        let request = kind.request(self.session.source());
        match self.dialogs.save(&request) {
            Answer::Picked(path) => self.picked(Purpose::Export(kind), path),
            Answer::Cancelled => {}
            Answer::Unavailable => self.file_dialog = Some((Purpose::Export(kind), InWindowDialog::save(&request))),
        }
    }

    /// A path from a dialog, native or in-window.
    fn picked(&mut self, purpose: Purpose, path: PathBuf) {
        match purpose {
            Purpose::Open => self.open_path(path),
            Purpose::ImportDecisions => match session::read_decisions(&path) {
                Ok(decisions) => {
                    let name = Source::File(path).file_name();
                    self.run_command(Command::ImportDecisions { name, decisions: Box::new(decisions) })
                }
                Err(e) => self.error = Some(format!("{e}. Your decisions are unchanged.")),
            },
            Purpose::Export(kind) => {
                let input = self.session.source().path().is_some_and(|p| crate::manifest::same_file(p, &path));
                if input || path.exists() {
                    self.confirm = Some(Confirm::Overwrite { kind, path, input });
                } else {
                    self.run_command(kind.command(path, false));
                }
            }
        }
    }

    /// Exports, first saying so when the manifest changed on disk since it was read.
    fn export(&mut self, kind: ExportKind) {
        if self.session.changed_on_disk() {
            self.confirm = Some(Confirm::Changed { kind });
        } else {
            self.ask_save(kind);
        }
    }

    /// Reads a file first; asks before dropping decisions only when it is a manifest to open.
    fn open_path(&mut self, path: PathBuf) {
        match Loaded::read(&path) {
            Ok(loaded) => self.offer(loaded),
            Err(e) => {
                if !path.exists() {
                    self.settings.forget(&path);
                }
                self.error = Some(self.session.still_open(e));
            }
        }
    }

    /// Opens what was read, asking first when decisions would be lost.
    fn offer(&mut self, loaded: Loaded) {
        if self.session.unexported() {
            self.confirm = Some(Confirm::Discard { loaded: Box::new(loaded) });
        } else {
            self.run_command(Command::Load(Box::new(loaded)));
        }
    }

    fn reload(&mut self) {
        let Some(path) = self.session.source().path().map(Path::to_owned) else {
            self.toast("Only a file opened from disk can be reloaded");
            return;
        };
        match Loaded::read(&path) {
            Ok(loaded) => self.run_command(Command::Reload(Box::new(loaded))),
            Err(e) => self.error = Some(self.session.still_open(e)),
        }
        self.disk_changed = false;
    }

    fn run_command(&mut self, command: Command) {
        let target = self.session.device().target;
        let result = self.session.apply(command);
        if self.session.device().target != target {
            // Switched (the Device panel, undo, an imported profile): that is the target now.
            self.settings.target = Some(self.session.device().target);
        }
        self.after(result);
    }

    fn after(&mut self, result: Result<Applied, String>) {
        match result {
            Ok(applied) => {
                if applied.loaded || applied.refreshed {
                    self.error = None;
                    self.disk_changed = false;
                    self.findings = FindingsView::default();
                    self.editor = None;
                }
                // A new document starts on its first module; a reloaded one keeps the selection
                // while that module is still there.
                if applied.loaded || (applied.refreshed && !self.session.entries().contains(&self.selected)) {
                    self.select_first();
                }
                if applied.loaded
                    && let Some(path) = self.session.source().path()
                {
                    self.settings.remember(path);
                }
                if !applied.unmatched.is_empty() {
                    self.unmatched = applied.unmatched;
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

    fn toast(&mut self, text: impl Into<String>) {
        self.toasts.push(Toast { text: text.into(), until: f64::NAN });
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

/// Is text selected in a label (then Ctrl+C copies that, not a module)?
fn label_selection(ctx: &egui::Context) -> bool {
    ctx.plugin_opt::<egui::text_selection::LabelSelectionState>().is_some_and(|p| p.lock().has_selection())
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
            let mut run = Vec::new();
            let item = |ui: &mut Ui, c: UiCommand, enabled: bool, run: &mut Vec<Action>| {
                if c.menu_item(ui, enabled) {
                    run.push(Action::Ui(c));
                }
            };
            ui.menu_button("File", |ui| {
                item(ui, UiCommand::Open, true, &mut run);
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
                item(ui, UiCommand::OpenSample, true, &mut run);
                item(ui, UiCommand::Reload, self.session.source().path().is_some(), &mut run);
                ui.separator();
                item(ui, UiCommand::ImportDecisions, true, &mut run);
                ui.separator();
                for c in [UiCommand::ExportManifest, UiCommand::ExportDecisions, UiCommand::ExportReport] {
                    item(ui, c, true, &mut run);
                }
                ui.separator();
                item(ui, UiCommand::Quit, true, &mut run);
            });
            ui.menu_button("Edit", |ui| {
                item(ui, UiCommand::Undo, self.session.can_undo(), &mut run);
                item(ui, UiCommand::Redo, self.session.can_redo(), &mut run);
                ui.separator();
                item(ui, UiCommand::AcceptAllAuto, self.session.total().auto > 0, &mut run);
                item(ui, UiCommand::AcceptAutoHere, self.session.summary(&self.selected).auto > 0, &mut run);
                item(ui, UiCommand::ClearAll, !self.session.decisions().is_empty(), &mut run);
                ui.separator();
                let module = matches!(self.selected, Entry::Module(_));
                for c in [UiCommand::CopyPretty, UiCommand::CopyEscaped, UiCommand::CopyChunked] {
                    item(ui, c, module, &mut run);
                }
                item(ui, UiCommand::CopyKubernetesYaml, k8s_view::available(&self.session), &mut run);
            });
            ui.menu_button("Findings", |ui| {
                for c in UiCommand::iter().filter(|c| c.group() == Group::Findings) {
                    item(ui, c, true, &mut run);
                }
            });
            ui.menu_button("View", |ui| {
                for (c, on) in [
                    (UiCommand::ToggleModules, self.settings.modules_panel),
                    (UiCommand::ToggleFindings, self.settings.findings_panel),
                    (UiCommand::SoftWrap, self.settings.wrap),
                    (UiCommand::DevicePanel, self.device_panel.open),
                    (UiCommand::KubernetesView, self.kubernetes_open()),
                ] {
                    if c.toggle_item(ui, on) {
                        run.push(Action::Ui(c));
                    }
                }
                ui.separator();
                let current = ui.ctx().options(|o| o.theme_preference);
                for (pref, text) in [
                    (egui::ThemePreference::System, "Theme: follow the system"),
                    (egui::ThemePreference::Light, "Theme: light"),
                    (egui::ThemePreference::Dark, "Theme: dark"),
                ] {
                    if ui.radio(current == pref, text).clicked() {
                        ui.ctx().set_theme(pref);
                    }
                }
            });
            ui.menu_button("Help", |ui| item(ui, UiCommand::Help, true, &mut run));
            self.actions.extend(run);
        });
        ui.add_space(2.0);
        let mut device_actions = Vec::new();
        ui.horizontal(|ui| {
            let ctx = ui.ctx().clone();
            let mut button = |ui: &mut Ui, c: UiCommand, text: &str, enabled: bool| {
                let r = ui.add_enabled(enabled, egui::Button::new(text)).on_hover_text(c.tooltip_with_shortcut(&ctx));
                panels::focus_ring(ui, &r);
                if r.clicked() {
                    self.actions.push(Action::Ui(c));
                }
            };
            button(ui, UiCommand::Open, "Open...", true);
            button(ui, UiCommand::ExportManifest, "Export...", true);
            ui.separator();
            button(ui, UiCommand::Undo, "Undo", self.session.can_undo());
            button(ui, UiCommand::Redo, "Redo", self.session.can_redo());
            ui.separator();
            let auto = self.session.total().auto;
            button(ui, UiCommand::AcceptAllAuto, &format!("Accept all safe fixes ({auto})"), auto > 0);
            ui.separator();
            device::target_menu(ui, &self.session, &mut device_actions);
            button(ui, UiCommand::DevicePanel, "Device...", true);
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                button(ui, UiCommand::Help, "?", true);
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
        self.actions.extend(device_actions);
        if matches!(self.session.source(), Source::Sample) {
            banner(ui, Color32::from_rgb(60, 110, 200), |ui| {
                ui.label(
                    RichText::new(
                        "Sample manifest: this is the FPGA deployment bundled with fpga2gpu, to try things out.",
                    )
                    .color(Color32::WHITE),
                );
                if ui.button("Open your manifest...").clicked() {
                    self.actions.push(Action::Ui(UiCommand::Open));
                }
                ui.label(RichText::new("or drop a file onto the window").color(Color32::WHITE));
            });
        }
        if self.disk_changed {
            banner(ui, Color32::from_rgb(170, 100, 0), |ui| {
                ui.label(
                    RichText::new(format!(
                        "{} changed on disk since it was opened. Your decisions are about the old version.",
                        self.session.source().file_name()
                    ))
                    .color(Color32::WHITE),
                );
                if ui.button("Reload, keeping the decisions that still match").clicked() {
                    self.actions.push(Action::Ui(UiCommand::Reload));
                }
                if ui.button("Dismiss").clicked() {
                    self.actions.push(Action::DismissDisk);
                }
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
                "{} · {} · {} of {} decided · {} open · {} manual",
                plural(self.session.manifest().modules.len(), "module"),
                plural(t.total, "finding"),
                t.decided,
                plural(t.decidable, "suggestion"),
                t.open_total(),
                t.manual
            ));
            let outcome = self.session.outcome();
            let mut failed: Vec<_> = outcome.failed().collect();
            failed.sort();
            let problems = failed.len() + outcome.warnings.len();
            if problems > 0 {
                ui.separator();
                ui.colored_label(warn_color(ui), plural(problems, "problem")).on_hover_ui(|ui| {
                    for (k, why) in &failed {
                        let module = k.module.as_deref().map_or("the deployment", |m| self.session.display_name(m));
                        ui.label(format!("{} on {module} not applied: {why}", k.rule));
                    }
                    for w in &outcome.warnings {
                        ui.label(w);
                    }
                });
            }
            // Messages appear here, where they cover nothing.
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if let Some(t) = self.toasts.last() {
                    ui.add(egui::Label::new(RichText::new(&t.text).strong()).truncate());
                }
            });
        });
    }

    fn centre(&mut self, ui: &mut Ui) {
        let summary = self.session.summary(&self.selected);
        // Right-aligned buttons first, so the heading and image are cut short rather than drawn
        // under them on a narrow window.
        ui.horizontal(|ui| {
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if !self.settings.findings_panel
                    && ui
                        .button("Show findings")
                        .on_hover_text(UiCommand::ToggleFindings.tooltip_with_shortcut(ui.ctx()))
                        .clicked()
                {
                    self.actions.push(Action::Ui(UiCommand::ToggleFindings));
                }
                if let Entry::Module(_) = &self.selected {
                    ui.menu_button("Copy GPU createOptions", |ui| {
                        for (format, c) in [
                            (CopyFormat::Pretty, UiCommand::CopyPretty),
                            (CopyFormat::Escaped, UiCommand::CopyEscaped),
                            (CopyFormat::Chunked, UiCommand::CopyChunked),
                        ] {
                            let mut b = egui::Button::new(format.title());
                            if let Some(s) = c.primary_shortcut(ui.ctx().os()) {
                                b = b.shortcut_text(ui.ctx().format_shortcut(&s));
                            }
                            if ui.add(b).on_hover_text(c.tooltip()).clicked() {
                                self.actions.push(Action::Copy(format));
                            }
                        }
                    });
                }
                ui.with_layout(egui::Layout::left_to_right(egui::Align::Center), |ui| {
                    if !self.settings.modules_panel
                        && ui
                            .button("Show modules")
                            .on_hover_text(UiCommand::ToggleModules.tooltip_with_shortcut(ui.ctx()))
                            .clicked()
                    {
                        self.actions.push(Action::Ui(UiCommand::ToggleModules));
                    }
                    match &self.selected {
                        Entry::Deployment => {
                            ui.heading("Deployment");
                            ui.add(
                                egui::Label::new(
                                    RichText::new("$edgeAgent and $edgeHub: the parts that are not modules").weak(),
                                )
                                .truncate(),
                            );
                        }
                        Entry::Module(name) => {
                            let shown = self.session.display_name(name);
                            ui.add(egui::Label::new(RichText::new(format!("Module {shown}")).heading()).truncate());
                            if shown != name {
                                ui.weak(format!("renamed from {name}"));
                            }
                            let image = self.session.manifest().module(name).and_then(|m| m.settings.image.as_ref());
                            if let Some(image) = image.and_then(|f| f.text()) {
                                ui.add(egui::Label::new(RichText::new(image).weak()).truncate());
                            }
                        }
                    }
                });
            })
        });
        ui.horizontal_wrapped(|ui| {
            let mut text = match (summary.total, summary.decidable) {
                (0, _) => "Nothing to change for the GPU device".to_owned(),
                (n, 0) => format!("{}, no change to decide", plural(n, "finding")),
                (n, d) => format!(
                    "{} · {} of {} decided · {} open",
                    plural(n, "finding"),
                    summary.decided,
                    plural(d, "suggestion"),
                    summary.open_total()
                ),
            };
            if summary.manual > 0 {
                text.push_str(&format!(" · {} manual", summary.manual));
            }
            ui.label(text);
            let auto = summary.auto;
            if auto > 0 {
                let r = ui
                    .button(format!("Accept safe fixes here ({auto})"))
                    .on_hover_text(UiCommand::AcceptAutoHere.tooltip());
                panels::focus_ring(ui, &r);
                if r.clicked() {
                    self.actions.push(Action::Ui(UiCommand::AcceptAutoHere));
                }
            }
            ui.separator();
            let mut wrap = self.settings.wrap;
            let r = ui
                .checkbox(&mut wrap, "Wrap long lines")
                .on_hover_text(UiCommand::SoftWrap.tooltip_with_shortcut(ui.ctx()));
            if r.changed() {
                self.actions.push(Action::Ui(UiCommand::SoftWrap));
            }
        });
        let entry = self.selected.clone();
        if self.k8s.tabs(ui, &self.session) {
            self.k8s.show(ui, &mut self.session, &entry, self.settings.wrap, &mut self.actions);
            if let Some((text, message)) = self.k8s.take_copied() {
                self.pending_copy = Some(text);
                self.toast(message);
            }
            return;
        }
        ui.separator();
        if self.selected == Entry::Deployment {
            checklist::show(ui, &self.session, &mut self.checklist);
            ui.separator();
        }
        self.preview.ensure(ui, &mut self.session, &entry);
        let target = crate::report::target_title(self.session.device());
        ui.columns(2, |cols| {
            cols[0].add(egui::Label::new(RichText::new("FPGA (Docker): as in the file").strong()).truncate());
            let gpu = match self.preview.preview().changed {
                0 => format!("GPU ({target}): no change yet"),
                n => format!("GPU ({target}): {} changed by your decisions", plural(n, "line")),
            };
            cols[1].add(egui::Label::new(RichText::new(gpu).strong()).truncate());
        });
        self.preview.show(ui);
    }

    fn modals(&mut self, ctx: &egui::Context) {
        if let Some((purpose, dialog)) = &mut self.file_dialog {
            let purpose = *purpose;
            match dialog.show(ctx) {
                Shown::Open => {}
                Shown::Cancelled => self.file_dialog = None,
                Shown::Picked(path) => {
                    self.file_dialog = None;
                    self.picked(purpose, path);
                }
            }
        }
        if let Some(editor) = &mut self.editor {
            match panels::editor_modal(ctx, &self.session, editor) {
                panels::EditorResult::Open => {}
                panels::EditorResult::Cancel => self.editor = None,
                panels::EditorResult::Apply(decision) => {
                    let key = editor.key.clone();
                    self.editor = None;
                    self.run_command(Command::Decide { key, decision });
                }
            }
        }
        if self.help {
            self.help_overlay(ctx);
        }
        if !self.unmatched.is_empty() {
            let mut close = false;
            egui::Modal::new(egui::Id::unique("unmatched")).show(ctx, |ui| {
                ui.set_max_width(560.0);
                ui.heading("Decisions that no longer match");
                ui.label(format!(
                    "{} matched no finding of {}: the manifest or the device changed since they were made. \
                     They are not applied.",
                    plural(self.unmatched.len(), "decision"),
                    self.session.source().file_name()
                ));
                egui::ScrollArea::vertical().max_height(300.0).show(ui, |ui| {
                    for line in &self.unmatched {
                        ui.monospace(line);
                    }
                });
                close = ui.button("OK").clicked();
            });
            if close || ctx.input(|i| i.key_pressed(egui::Key::Escape)) {
                self.unmatched.clear();
            }
        }
        self.confirm_modal(ctx);
    }

    fn help_overlay(&mut self, ctx: &egui::Context) {
        let mut close = false;
        let modal = egui::Modal::new(egui::Id::unique("help")).show(ctx, |ui| {
            ui.set_width(900.0_f32.min(ctx.content_rect().width() - 60.0));
            ui.heading("fpga2gpu keyboard shortcuts");
            ui.weak("Keys without Ctrl act when no text field has the focus. Tab moves the focus; Enter or Space presses the focused button.");
            ui.add_space(6.0);
            // Two columns of groups: the whole catalogue fits a 1024×700 window.
            let groups: Vec<Group> = Group::iter().collect();
            let (first, second) = groups.split_at(2);
            egui::ScrollArea::vertical().max_height(ctx.content_rect().height() - 160.0).show(ui, |ui| {
                ui.columns(2, |cols| {
                    for (col, groups) in cols.iter_mut().zip([first, second]) {
                        egui::Grid::new(("shortcuts", groups[0])).num_columns(2).striped(true).spacing([16.0, 4.0]).show(
                            col,
                            |ui| {
                                for group in groups {
                                    let commands: Vec<UiCommand> = UiCommand::iter()
                                        .filter(|c| c.group() == *group && !c.shortcuts(ctx.os()).is_empty())
                                        .collect();
                                    if commands.is_empty() {
                                        continue;
                                    }
                                    ui.strong(<&str>::from(*group));
                                    ui.end_row();
                                    for c in commands {
                                        ui.label(c.text());
                                        ui.monospace(c.keys_text(ctx));
                                        ui.end_row();
                                    }
                                }
                            },
                        );
                    }
                });
            });
            ui.add_space(6.0);
            close = ui.button("Close").clicked();
        });
        // The keys that opened it close it again.
        let os = ctx.os();
        let again = ctx.input_mut(|i| UiCommand::Help.shortcuts(os).iter().any(|s| i.consume_shortcut(s)));
        if close || again || modal.should_close() {
            self.help = false;
        }
    }

    fn confirm_modal(&mut self, ctx: &egui::Context) {
        let Some(confirm) = &self.confirm else { return };
        let decisions = plural(self.session.decisions().len(), "decision");
        let (title, text, buttons): (&str, String, Vec<&str>) = match confirm {
            Confirm::Overwrite { path, input: true, .. } => (
                "Overwrite the input file?",
                format!(
                    "{} is the manifest you opened. Writing the export over it replaces the FPGA version.",
                    path.display()
                ),
                vec!["Overwrite the input"],
            ),
            Confirm::Overwrite { path, .. } => {
                ("Replace the file?", format!("{} already exists.", path.display()), vec!["Replace"])
            }
            Confirm::Discard { loaded } => (
                "Drop your decisions?",
                format!(
                    "{decisions} about {} have not been exported. Opening {} drops them.",
                    self.session.source().file_name(),
                    loaded.source.file_name()
                ),
                vec!["Drop them and open"],
            ),
            Confirm::Changed { .. } => (
                "The manifest changed on disk",
                format!(
                    "{} changed since it was opened (another editor, a git pull?). The export would be made \
                     from the version you opened. Reload it first to keep the decisions that still match.",
                    self.session.source().file_name()
                ),
                vec!["Reload first", "Export anyway"],
            ),
            Confirm::Close => (
                "Quit without exporting?",
                format!("{decisions} have not been exported: quitting now drops them."),
                vec!["Export decisions file...", "Quit without exporting"],
            ),
        };
        let mut answer = None;
        let modal = egui::Modal::new(egui::Id::unique("confirm")).show(ctx, |ui| {
            ui.set_max_width(480.0);
            ui.heading(title);
            ui.add_space(4.0);
            ui.label(text);
            ui.add_space(8.0);
            ui.horizontal(|ui| {
                for (i, b) in buttons.iter().enumerate() {
                    if ui.button(*b).clicked() {
                        answer = Some(Some(i));
                    }
                }
                if ui.button("Cancel").clicked() {
                    answer = Some(None);
                }
            });
        });
        if answer.is_none() && modal.should_close() {
            answer = Some(None);
        }
        let Some(answer) = answer else { return };
        let Some(confirm) = self.confirm.take() else { return };
        let Some(choice) = answer else { return };
        match confirm {
            Confirm::Overwrite { kind, path, .. } => self.run_command(kind.command(path, true)),
            Confirm::Discard { loaded } => self.run_command(Command::Load(loaded)),
            Confirm::Changed { .. } if choice == 0 => self.reload(),
            Confirm::Changed { kind } => self.ask_save(kind),
            Confirm::Close if choice == 0 => self.ask_save(ExportKind::Decisions),
            Confirm::Close => {
                self.allow_close = true;
                ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            }
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
        if let Some(next) = self.toasts.iter().map(|t| t.until).reduce(f64::min) {
            ctx.request_repaint_after(std::time::Duration::from_secs_f64((next - now).max(0.05)));
        }
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
        egui::Align2::CENTER_CENTER,
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
