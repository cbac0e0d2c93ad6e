//! The module list, the section panels with their findings, and the fragment editor.

use super::session::{Entry, Session, Status, Summary, plural};
use super::{Action, Editor};
use crate::migrate::{Decision, input};
use crate::rules::{Edit, Finding, FindingKey, Fix, Section, Severity, Suggestion};
use eframe::egui;
use egui::text::LayoutJob;
use egui::{
    Button, Color32, CornerRadius, FontId, Id, Rect, Response, RichText, ScrollArea, Sense, Stroke, TextEdit,
    TextStyle, TextWrapMode, Ui, UiBuilder, WidgetInfo, WidgetText, pos2, vec2,
};
use egui_extras::syntax_highlighting::{CodeTheme, highlight};
use std::collections::HashMap;

/// The module list's view state: the filtered entries (per revision and filter) and where it is
/// scrolled, so keyboard steps keep the selection in sight.
#[derive(Default)]
pub(crate) struct ModuleList {
    pub filter: String,
    key: Option<(u64, String)>,
    pub entries: Vec<Entry>,
    /// The selection moved by keyboard: scroll it into view (and move the focus with it when a
    /// row had the focus).
    pub reveal: bool,
    pub focus_row: bool,
    /// The filter field gets the focus next frame.
    pub focus_filter: bool,
    offset: f32,
    viewport: f32,
}

/// The id of a module list row (focus follows the selection by it).
pub(crate) fn row_id(entry: &Entry) -> Id {
    Id::unique(("module row", entry))
}

/// The module list: the deployment, then every module, with open counts and a done mark.
pub(super) fn module_list(
    ui: &mut Ui,
    session: &Session,
    selected: &Entry,
    list: &mut ModuleList,
    actions: &mut Vec<Action>,
) {
    ui.add_space(4.0);
    ui.heading(format!("Modules ({})", session.manifest().modules.len()));
    ui.horizontal(|ui| {
        let label = ui.label("Filter");
        let r = ui.add(
            TextEdit::singleline(&mut list.filter)
                .id(Id::unique("module filter"))
                .hint_text("module name")
                .desired_width(f32::INFINITY),
        );
        let r = r.labelled_by(label.id);
        if std::mem::take(&mut list.focus_filter) {
            r.request_focus();
        }
    });
    ui.add_space(4.0);
    let key = (session.revision(), list.filter.clone());
    if list.key.as_ref() != Some(&key) {
        let needle = list.filter.trim().to_lowercase();
        list.entries = session
            .entries()
            .into_iter()
            .filter(|e| match e {
                Entry::Deployment => needle.is_empty() || "deployment".contains(&needle),
                Entry::Module(name) => {
                    name.to_lowercase().contains(&needle) || session.display_name(name).to_lowercase().contains(&needle)
                }
            })
            .collect();
        list.key = Some(key);
    }
    egui::Panel::bottom("legend").show_separator_line(true).frame(egui::Frame::new().inner_margin(4)).show(ui, |ui| {
        ui.horizontal_wrapped(|ui| {
            ui.spacing_mut().item_spacing.x = 4.0;
            ui.label(RichText::new("Open:").small().weak());
            for (sev, what) in [(Severity::Error, "errors"), (Severity::Warning, "warnings"), (Severity::Info, "info")]
            {
                ui.label(RichText::new(what).small().color(severity_color(ui, sev)));
            }
        });
        ui.label(RichText::new("Check mark: every suggestion decided").small().weak());
    });
    if list.entries.is_empty() {
        ui.weak("No module matches the filter.");
    }
    let row_h = ui.text_style_height(&TextStyle::Body) + 8.0;
    let gap = 1.0;
    ui.spacing_mut().item_spacing.y = gap;
    let mut area = ScrollArea::vertical().id_salt("module list").auto_shrink(false);
    if std::mem::take(&mut list.reveal)
        && let Some(i) = list.entries.iter().position(|e| e == selected)
    {
        // Scroll just enough for the row to be whole in the view.
        let top = i as f32 * (row_h + gap);
        let bottom = top + row_h;
        if top < list.offset {
            area = area.vertical_scroll_offset(top);
        } else if bottom > list.offset + list.viewport && list.viewport > 0.0 {
            area = area.vertical_scroll_offset(bottom - list.viewport);
        }
    }
    let focus_row = std::mem::take(&mut list.focus_row);
    let out = area.show_rows(ui, row_h, list.entries.len(), |ui, range| {
        for entry in &list.entries[range] {
            let r = entry_row(ui, session, entry, entry == selected, row_h);
            if entry == selected && focus_row {
                r.request_focus();
            }
            if r.clicked() {
                actions.push(Action::Select(entry.clone()));
            }
        }
    });
    list.offset = out.state.clamped_offset().y;
    list.viewport = out.inner_rect.height();
}

fn entry_row(ui: &mut Ui, session: &Session, entry: &Entry, selected: bool, h: f32) -> Response {
    let summary = session.summary(entry);
    let name = session.entry_name(entry).to_owned();
    let renamed = matches!(entry, Entry::Module(n) if session.display_name(n) != n);
    let system = matches!(entry, Entry::Module(n) if session.manifest().module(n).is_some_and(|m| m.system));
    let (rect, _) = ui.allocate_exact_size(vec2(ui.available_width(), h), Sense::hover());
    let response = ui.interact(rect, row_id(entry), Sense::click());
    if response.gained_focus() {
        response.scroll_to_me(None);
    }
    let painter = ui.painter_at(rect.expand(2.0));
    let visuals = ui.visuals().clone();
    if selected {
        painter.rect_filled(rect, 3.0, visuals.selection.bg_fill);
    } else if response.hovered() {
        painter.rect_filled(rect, 3.0, visuals.widgets.hovered.weak_bg_fill);
    }
    focus_ring(ui, &response);
    let text_color = if selected { visuals.selection.stroke.color } else { visuals.text_color() };
    let mut x = rect.right() - 6.0;
    if summary.done() {
        let c = pos2(x - 7.0, rect.center().y);
        let stroke = Stroke::new(2.0, ok_color(ui));
        painter.line_segment([c + vec2(-5.0, 0.0), c + vec2(-1.5, 4.0)], stroke);
        painter.line_segment([c + vec2(-1.5, 4.0), c + vec2(5.0, -4.5)], stroke);
        x -= 18.0;
    }
    let small = FontId::proportional(ui.text_style_height(&TextStyle::Small).max(11.0));
    for (i, sev) in [(2, Severity::Info), (1, Severity::Warning), (0, Severity::Error)] {
        let n = summary.open[i];
        if n == 0 {
            continue;
        }
        let galley = painter.layout_no_wrap(n.to_string(), small.clone(), Color32::WHITE);
        let w = galley.size().x + 10.0;
        let pill = Rect::from_center_size(pos2(x - w / 2.0, rect.center().y), vec2(w, galley.size().y + 2.0));
        painter.rect_filled(pill, CornerRadius::same(8), severity_color(ui, sev));
        painter.galley(pill.center() - galley.size() / 2.0, galley, Color32::WHITE);
        x -= w + 4.0;
    }
    let mut label = RichText::new(&name).color(text_color);
    if *entry == Entry::Deployment {
        label = label.strong();
    }
    if renamed {
        label = label.italics();
    }
    let name_galley =
        WidgetText::from(label).into_galley(ui, Some(TextWrapMode::Truncate), x - rect.left() - 12.0, TextStyle::Body);
    let name_w = name_galley.size().x;
    let y = rect.center().y - name_galley.size().y / 2.0;
    painter.galley(pos2(rect.left() + 6.0, y), name_galley, text_color);
    let tag = if renamed {
        Some("renamed")
    } else if system {
        Some("system")
    } else {
        None
    };
    if let Some(tag) = tag
        && rect.left() + 6.0 + name_w + 60.0 < x
    {
        painter.text(
            pos2(rect.left() + 12.0 + name_w, rect.center().y),
            egui::Align2::LEFT_CENTER,
            tag,
            small,
            visuals.weak_text_color(),
        );
    }
    response.widget_info(|| WidgetInfo::selected(egui::Role::Button, true, selected, &name));
    let mut tip = describe_summary(&summary);
    if let Entry::Module(original) = entry
        && renamed
    {
        tip = format!("Renamed from {original} by your decision\n{tip}");
    }
    response.on_hover_text(tip)
}

fn describe_summary(s: &Summary) -> String {
    if s.total == 0 {
        return "Nothing to change for the GPU device".to_owned();
    }
    let mut parts = vec![format!(
        "{} open ({}, {}, {} info)",
        s.open_total(),
        plural(s.open[0], "error"),
        plural(s.open[1], "warning"),
        s.open[2]
    )];
    parts.push(format!("{} of {} decided", s.decided, plural(s.decidable, "suggestion")));
    if s.manual > 0 {
        parts.push(if s.manual == 1 {
            "1 needs manual work".to_owned()
        } else {
            format!("{} need manual work", s.manual)
        });
    }
    parts.join("\n")
}

/// A visible focus ring around a widget that has the keyboard focus (egui's own focus look is
/// hard to see on buttons).
pub(crate) fn focus_ring(ui: &Ui, response: &Response) {
    if response.has_focus() {
        let color =
            if ui.visuals().dark_mode { Color32::from_rgb(120, 170, 255) } else { Color32::from_rgb(0, 90, 200) };
        ui.painter().rect_stroke(response.rect.expand(2.0), 4.0, Stroke::new(2.0, color), egui::StrokeKind::Outside);
    }
}

/// What the engineer has typed into an input fix's fields, and the engine's verdict on it.
pub(crate) struct InputState {
    texts: Vec<String>,
    /// The decision the texts were filled from: when the session's decision changes (undo, an
    /// import, accept-all), the fields are filled again, so they always show what is decided.
    from: Option<Decision>,
    /// The texts last judged and the verdict: the decision they make, checked by its rule.
    verdict: Option<(Vec<String>, Result<Decision, String>)>,
}

/// The findings panel's view state.
#[derive(Default)]
pub(crate) struct FindingsView {
    pub inputs: HashMap<FindingKey, InputState>,
    /// Bring this finding into view and give its first button the focus (next/previous finding).
    pub reveal: Option<FindingKey>,
    /// The finding the keyboard acts on: the one whose button or field has the focus, or the
    /// one last moved to.
    pub current: Option<FindingKey>,
}

impl FindingsView {
    /// The engine's verdict on what is typed in a finding's fields (`None`: no fields shown yet).
    pub fn verdict(&self, key: &FindingKey) -> Option<Result<Decision, String>> {
        self.inputs.get(key).and_then(|s| s.verdict.as_ref()).map(|(_, v)| v.clone())
    }
}

/// The five section panels of the selected entry.
pub(super) fn findings_panel(
    ui: &mut Ui,
    session: &Session,
    entry: &Entry,
    view: &mut FindingsView,
    actions: &mut Vec<Action>,
) {
    ui.add_space(4.0);
    ui.horizontal(|ui| {
        ui.heading(match entry {
            Entry::Deployment => "Findings: the deployment".to_owned(),
            Entry::Module(_) => format!("Findings: {}", session.entry_name(entry)),
        });
    });
    ui.add_space(2.0);
    let mut focused_card = None;
    ScrollArea::vertical().id_salt("findings").auto_shrink(false).show(ui, |ui| {
        for section in Section::ALL {
            let items: Vec<(&FindingKey, &Finding)> =
                session.entry_findings(entry).filter(|(_, f)| f.section == section).collect();
            let auto =
                items.iter().filter(|(k, f)| super::session::is_auto(f) && session.decision(k).is_none()).count();
            let builder = UiBuilder::new().accessibility_label(format!("{} section", section.title()));
            ui.scope_builder(builder, |ui| {
                let id = ui.make_persistent_id(("section", entry, section));
                let mut state =
                    egui::collapsing_header::CollapsingState::load_with_default_open(ui.ctx(), id, !items.is_empty());
                if view.reveal.as_ref().is_some_and(|k| items.iter().any(|(key, _)| *key == k)) {
                    state.set_open(true);
                }
                state
                    .show_header(ui, |ui| {
                        ui.label(RichText::new(format!("{} ({})", section.title(), items.len())).strong());
                        if auto > 0 {
                            let r = ui.small_button(format!("Accept safe fixes ({auto})"));
                            focus_ring(ui, &r);
                            if r.clicked() {
                                let scope = super::Scope { entry: Some(entry.clone()), section: Some(section) };
                                actions.push(Action::Run(super::Command::AcceptAuto(scope)));
                            }
                        }
                    })
                    .body(|ui| {
                        if items.is_empty() {
                            ui.weak("Nothing to change here.");
                        }
                        for (key, f) in items {
                            if finding_card(ui, session, key, f, view, actions) {
                                focused_card = Some(key.clone());
                            }
                        }
                    });
            });
        }
    });
    if focused_card.is_some() {
        view.current = focused_card;
    }
}

/// One finding; true when one of its widgets has the keyboard focus.
fn finding_card(
    ui: &mut Ui,
    session: &Session,
    key: &FindingKey,
    f: &Finding,
    view: &mut FindingsView,
    actions: &mut Vec<Action>,
) -> bool {
    let status = session.status(f);
    let reveal = view.reveal.as_ref() == Some(key);
    let current = view.current.as_ref() == Some(key);
    let mut focused = false;
    let builder = UiBuilder::new().id_salt(key).accessibility_label(format!("{} finding: {}", f.rule, f.message));
    ui.scope_builder(builder, |ui| {
        let mut frame = egui::Frame::group(ui.style());
        if current {
            frame = frame.stroke(Stroke::new(1.5, ui.visuals().selection.bg_fill));
        }
        let card = frame.show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.horizontal(|ui| {
                let sev = f.severity;
                ui.label(RichText::new(sev.name().to_uppercase()).small().strong().color(severity_color(ui, sev)));
                ui.label(RichText::new(f.rule).monospace().strong());
                ui.weak(match f.fix() {
                    Fix::Safe => "safe fix",
                    Fix::NeedsReview if f.suggestion.as_ref().is_some_and(|s| s.input.is_some()) => "fix with a value",
                    Fix::NeedsReview => "fix to review",
                    Fix::DisplayOnly => "example change",
                    Fix::Manual => "manual",
                    Fix::None => "note",
                });
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    let (text, color) = match status {
                        Status::Open => ("open", severity_color(ui, f.severity)),
                        Status::Accepted => ("accepted", ok_color(ui)),
                        Status::Edited => ("accepted, edited", ok_color(ui)),
                        Status::Rejected => ("rejected", ui.visuals().weak_text_color()),
                        Status::Manual => ("change it yourself", ui.visuals().weak_text_color()),
                        Status::Note => ("note", ui.visuals().weak_text_color()),
                    };
                    ui.label(RichText::new(text).small().color(color));
                });
            });
            ui.label(&f.message);
            if let Some(s) = &f.suggestion {
                ui.label(RichText::new(format!("Fix: {}", s.summary)).italics());
            }
            if let Some(why) = session.skipped(key) {
                ui.colored_label(error_color(ui), format!("Not applied: {why}"));
            }
            if let Some(s) = &f.suggestion {
                focused |= decision_row(ui, session, key, f, s, view, reveal, actions);
            }
            let why = egui::CollapsingHeader::new("Why").id_salt(("why", key)).show(ui, |ui| {
                ui.label(f.reason);
                if let Some(rule) = crate::rules::rule(f.rule) {
                    ui.label(format!("How safe the fix is: {}", rule.doc.fix_safety));
                }
                ui.label(
                    RichText::new(format!("at {}", short_path(session, f, &f.location))).small().monospace().weak(),
                );
            });
            focus_ring(ui, &why.header_response);
            focused |= why.header_response.has_focus();
            if reveal && f.suggestion.is_none() {
                why.header_response.request_focus();
            }
        });
        if reveal {
            ui.scroll_to_rect(card.response.rect, Some(egui::Align::Center));
        }
    });
    if reveal {
        view.reveal = None;
    }
    ui.add_space(2.0);
    focused
}

/// The value fields (when the fix takes a value) and Accept, Edit, Reject; true when one of them
/// has the focus.
#[allow(clippy::too_many_arguments)]
fn decision_row(
    ui: &mut Ui,
    session: &Session,
    key: &FindingKey,
    f: &Finding,
    s: &Suggestion,
    view: &mut FindingsView,
    reveal: bool,
    actions: &mut Vec<Action>,
) -> bool {
    let decided = session.decision(key).cloned();
    let accepted = matches!(decided, Some(Decision::Accept | Decision::Value { .. } | Decision::Fragment { .. }));
    let mut focused = false;
    let mut verdict: Result<Decision, String> = Ok(Decision::Accept);
    if s.input.is_some() {
        let fields =
            |d: Option<&Decision>| -> Vec<String> { input::fields(f, d).into_iter().map(|x| x.text).collect() };
        let state = view.inputs.entry(key.clone()).or_insert_with(|| InputState {
            texts: fields(decided.as_ref()),
            from: decided.clone(),
            verdict: None,
        });
        if state.from != decided {
            state.texts = fields(decided.as_ref());
            state.from = decided.clone();
        }
        let mut changed = false;
        for (i, field) in input::fields(f, decided.as_ref()).into_iter().enumerate() {
            ui.horizontal_wrapped(|ui| {
                let label = ui.label(format!("{}:", field.label));
                let width = ui.available_width().clamp(120.0, 260.0);
                let mut edit = TextEdit::singleline(&mut state.texts[i]).desired_width(width);
                edit = edit.hint_text(match &field.example {
                    Some(e) => format!("for example {e}"),
                    None => "type a value".to_owned(),
                });
                let r = ui.add(edit).labelled_by(label.id);
                focus_ring(ui, &r);
                changed |= r.changed();
                focused |= r.has_focus();
            });
        }
        if changed && accepted && state.texts != fields(decided.as_ref()) {
            // Typing over an accepted value un-accepts it: the field and the status must agree.
            actions.push(Action::Run(super::Command::Clear { key: key.clone() }));
            state.from = None;
        }
        if state.verdict.as_ref().is_none_or(|(texts, _)| *texts != state.texts) {
            let judged = input::decision(f, &state.texts).and_then(|d| session.check(key, &d).map(|()| d));
            state.verdict = Some((state.texts.clone(), judged));
        }
        if let Some((_, v)) = &state.verdict {
            verdict = v.clone();
        }
        match &verdict {
            // Nothing typed yet: say what to do, not that it is wrong.
            Err(_) if state.texts.iter().all(|t| t.trim().is_empty()) => {
                ui.weak("Type a value, then Accept");
            }
            Err(e) => {
                ui.colored_label(error_color(ui), format!("Not yet: {e}"));
            }
            Ok(_) => {}
        }
    }
    ui.horizontal(|ui| {
        let hint = if accepted {
            "Accepted; click again to leave it open"
        } else if verdict.is_err() {
            "Enter a value its rule accepts first"
        } else {
            "Write this change into the GPU version"
        };
        let r = ui.add_enabled(verdict.is_ok(), Button::selectable(accepted, "Accept")).on_hover_text(hint);
        button_focus(ui, &r, &mut focused);
        if reveal {
            r.request_focus();
        }
        if r.clicked()
            && let Ok(d) = &verdict
        {
            actions.push(Action::Run(if accepted && decided.as_ref() == Some(d) {
                super::Command::Clear { key: key.clone() }
            } else {
                super::Command::Decide { key: key.clone(), decision: d.clone() }
            }));
        }
        if s.fragment().is_some() {
            let r = ui.button("Edit...").on_hover_text("Change the suggested JSON before accepting it");
            button_focus(ui, &r, &mut focused);
            if r.clicked() {
                actions.push(Action::Edit(key.clone()));
            }
        }
        let rejected = decided == Some(Decision::Reject);
        let hint = if rejected { "Rejected; click again to leave it open" } else { "Keep the module as it is" };
        let r = ui.add(Button::selectable(rejected, "Reject")).on_hover_text(hint);
        button_focus(ui, &r, &mut focused);
        if r.clicked() {
            actions.push(Action::Run(if rejected {
                super::Command::Clear { key: key.clone() }
            } else {
                super::Command::Decide { key: key.clone(), decision: Decision::Reject }
            }));
        }
    });
    focused
}

fn button_focus(ui: &Ui, r: &Response, focused: &mut bool) {
    focus_ring(ui, r);
    if r.gained_focus() {
        r.scroll_to_me(None);
    }
    *focused |= r.has_focus();
}

/// Where a place is, below the finding's module (`createOptions/HostConfig/Binds/0`).
fn short_path(session: &Session, f: &Finding, at: &crate::manifest::Location) -> String {
    match f.module.as_deref().and_then(|m| session.manifest().module(m)) {
        Some(m) => at.below(&m.at),
        None => at.to_string(),
    }
}

/// What the editor asks for this frame.
pub(super) enum EditorResult {
    Open,
    Cancel,
    Apply(Decision),
}

/// The fragment editor: highlighted; what is typed is judged by the engine (JSON that fits the
/// change, then the rule's own check) and can be applied only once it passes.
pub(super) fn editor_modal(ctx: &egui::Context, session: &Session, editor: &mut Editor) -> EditorResult {
    let Some(f) = session.finding(&editor.key) else { return EditorResult::Cancel };
    let mut result = EditorResult::Open;
    egui::Modal::new(Id::unique("fragment editor")).show(ctx, |ui| {
        ui.set_width(660.0_f32.min(ctx.content_rect().width() - 60.0));
        ui.heading(format!("Edit the change {} proposes", f.rule));
        let module = f.module.as_deref().map_or("deployment", |m| session.display_name(m));
        ui.label(format!("{module}: {}", f.message));
        if let Some(s) = &f.suggestion {
            ui.label(RichText::new(format!("Fix: {}", s.summary)).italics());
            if let Some(r) = &s.rename {
                ui.weak(format!("This JSON is the new name of the module {}.", r.module));
            } else if let Some(edit) = s.edits.get(s.primary) {
                let what = match edit {
                    Edit::Set { .. } => "the value written at",
                    Edit::Append { .. } => "the item appended to",
                    Edit::RenameKey { .. } => "the new name of the key",
                    Edit::Remove { .. } => "removed:",
                };
                ui.weak(format!("This JSON is {what} {}.", short_path(session, f, edit.at())));
            }
        }
        ui.add_space(6.0);
        let label = ui.label("Fragment (JSON)");
        let theme = CodeTheme::from_style(ui.style());
        let mut layouter = |ui: &Ui, buf: &dyn egui::TextBuffer, wrap_width: f32| {
            let mut job: LayoutJob = highlight(ui.ctx(), ui.style(), &theme, buf.as_str(), "json");
            job.wrap.max_width = wrap_width;
            ui.painter().layout_job(job)
        };
        ScrollArea::vertical().max_height(360.0).show(ui, |ui| {
            ui.add(
                TextEdit::multiline(&mut editor.text)
                    .code_editor()
                    .desired_rows(12)
                    .desired_width(f32::INFINITY)
                    .layouter(&mut layouter),
            )
            .labelled_by(label.id);
        });
        if editor.text != editor.validated {
            editor.verdict = input::fragment(f, &editor.text).and_then(|d| {
                session.check(&editor.key, &d).map(|()| d).map_err(|e| format!("Valid JSON, but not yet right: {e}"))
            });
            editor.validated = editor.text.clone();
        }
        match &editor.verdict {
            Ok(_) => ui.colored_label(ok_color(ui), "Valid, and its rule accepts it: Apply accepts the change."),
            Err(e) => ui.colored_label(error_color(ui), e),
        };
        ui.add_space(6.0);
        ui.horizontal(|ui| {
            let apply = ui.add_enabled(editor.verdict.is_ok(), Button::new("Apply"));
            if apply.clicked()
                && let Ok(d) = &editor.verdict
            {
                result = EditorResult::Apply(d.clone());
            }
            if ui.button("Reset to the suggestion").clicked() {
                editor.text = editor.suggested.clone();
            }
            if ui.button("Cancel").clicked() {
                result = EditorResult::Cancel;
            }
        });
    });
    // Escape closes only an untouched editor: typed work is never thrown away by a stray key.
    let untouched = editor.text == editor.suggested;
    if matches!(result, EditorResult::Open) && untouched && ctx.input(|i| i.key_pressed(egui::Key::Escape)) {
        result = EditorResult::Cancel;
    }
    result
}

pub(super) fn severity_color(ui: &Ui, s: Severity) -> Color32 {
    let dark = ui.visuals().dark_mode;
    match (s, dark) {
        (Severity::Error, false) => Color32::from_rgb(196, 40, 40),
        (Severity::Error, true) => Color32::from_rgb(235, 95, 85),
        (Severity::Warning, false) => Color32::from_rgb(176, 104, 0),
        (Severity::Warning, true) => Color32::from_rgb(230, 170, 50),
        (Severity::Info, false) => Color32::from_rgb(40, 100, 190),
        (Severity::Info, true) => Color32::from_rgb(110, 160, 245),
    }
}

pub(super) fn error_color(ui: &Ui) -> Color32 {
    severity_color(ui, Severity::Error)
}

pub(super) fn ok_color(ui: &Ui) -> Color32 {
    if ui.visuals().dark_mode { Color32::from_rgb(100, 200, 120) } else { Color32::from_rgb(30, 130, 50) }
}
