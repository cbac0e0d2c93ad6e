//! The module list, the section panels with their findings, and the fragment editor.

use super::session::{Entry, Session, Status, Summary};
use super::{Action, Editor};
use crate::migrate::{self, Decision};
use crate::rules::{Edit, Finding, FindingKey, Fix, Input, InputTarget, Section, Severity, Suggestion};
use eframe::egui;
use egui::text::LayoutJob;
use egui::{
    Button, Color32, CornerRadius, FontId, Rect, RichText, ScrollArea, Sense, TextEdit, TextStyle, TextWrapMode, Ui,
    UiBuilder, WidgetInfo, WidgetText, pos2, vec2,
};
use egui_extras::syntax_highlighting::{CodeTheme, highlight};
use serde_json::Value;
use std::collections::HashMap;

/// The module list: the deployment, then every module, with open counts and a done mark.
pub(super) fn module_list(
    ui: &mut Ui,
    session: &Session,
    selected: &Entry,
    filter: &mut String,
    list: &mut (Option<(u64, String)>, Vec<Entry>),
    actions: &mut Vec<Action>,
) {
    ui.add_space(4.0);
    ui.heading(format!("Modules ({})", session.manifest().modules.len()));
    ui.horizontal(|ui| {
        let label = ui.label("Filter");
        ui.add(TextEdit::singleline(filter).hint_text("module name").desired_width(f32::INFINITY))
            .labelled_by(label.id);
    });
    ui.add_space(4.0);
    let key = (session.revision(), filter.clone());
    if list.0.as_ref() != Some(&key) {
        let needle = filter.trim().to_lowercase();
        list.1 = session
            .entries()
            .into_iter()
            .filter(|e| match e {
                Entry::Deployment => needle.is_empty() || "deployment".contains(&needle),
                Entry::Module(name) => name.to_lowercase().contains(&needle),
            })
            .collect();
        list.0 = Some(key);
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
    if list.1.is_empty() {
        ui.weak("No module matches the filter.");
    }
    let row_h = ui.text_style_height(&TextStyle::Body) + 8.0;
    ui.spacing_mut().item_spacing.y = 1.0;
    ScrollArea::vertical().auto_shrink(false).show_rows(ui, row_h, list.1.len(), |ui, range| {
        for entry in &list.1[range] {
            if entry_row(ui, session, entry, entry == selected, row_h).clicked() {
                actions.push(Action::Select(entry.clone()));
            }
        }
    });
}

fn entry_row(ui: &mut Ui, session: &Session, entry: &Entry, selected: bool, h: f32) -> egui::Response {
    let summary = session.summary(entry);
    let (name, system) = match entry {
        Entry::Deployment => ("Deployment".to_owned(), false),
        Entry::Module(n) => (n.clone(), session.manifest().module(n).is_some_and(|m| m.system)),
    };
    let (rect, response) = ui.allocate_exact_size(vec2(ui.available_width(), h), Sense::click());
    let painter = ui.painter_at(rect);
    let visuals = ui.visuals().clone();
    if selected {
        painter.rect_filled(rect, 3.0, visuals.selection.bg_fill);
    } else if response.hovered() {
        painter.rect_filled(rect, 3.0, visuals.widgets.hovered.weak_bg_fill);
    }
    let text_color = if selected { visuals.selection.stroke.color } else { visuals.text_color() };
    let mut x = rect.right() - 6.0;
    if summary.done() {
        let c = pos2(x - 7.0, rect.center().y);
        let stroke = egui::Stroke::new(2.0, ok_color(ui));
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
    let name_galley =
        WidgetText::from(label).into_galley(ui, Some(TextWrapMode::Truncate), x - rect.left() - 12.0, TextStyle::Body);
    let name_w = name_galley.size().x;
    let y = rect.center().y - name_galley.size().y / 2.0;
    painter.galley(pos2(rect.left() + 6.0, y), name_galley, text_color);
    if system && rect.left() + 6.0 + name_w + 50.0 < x {
        painter.text(
            pos2(rect.left() + 12.0 + name_w, rect.center().y),
            egui::Align2::LEFT_CENTER,
            "system",
            small,
            visuals.weak_text_color(),
        );
    }
    response.widget_info(|| WidgetInfo::selected(egui::Role::Button, true, selected, &name));
    response.on_hover_text(describe_summary(&summary))
}

fn describe_summary(s: &Summary) -> String {
    if s.total == 0 {
        return "Nothing to change for the GPU device".to_owned();
    }
    let mut parts =
        vec![format!("{} open ({} errors, {} warnings, {} info)", s.open_total(), s.open[0], s.open[1], s.open[2])];
    parts.push(format!("{} of {} suggestions decided", s.decided, s.decidable));
    if s.manual > 0 {
        parts.push(format!("{} need manual work", s.manual));
    }
    parts.join("\n")
}

/// The five section panels of the selected entry.
pub(super) fn findings_panel(
    ui: &mut Ui,
    session: &Session,
    entry: &Entry,
    inputs: &mut HashMap<FindingKey, String>,
    actions: &mut Vec<Action>,
) {
    ui.add_space(4.0);
    ui.heading(match entry {
        Entry::Deployment => "Findings: the deployment".to_owned(),
        Entry::Module(name) => format!("Findings: {name}"),
    });
    ui.add_space(2.0);
    ScrollArea::vertical().auto_shrink(false).show(ui, |ui| {
        for section in Section::ALL {
            let items: Vec<(&FindingKey, &Finding)> =
                session.entry_findings(entry).filter(|(_, f)| f.section == section).collect();
            let auto =
                items.iter().filter(|(k, f)| super::session::is_auto(f) && session.decision(k).is_none()).count();
            let builder = UiBuilder::new().accessibility_label(format!("{} section", section.title()));
            ui.scope_builder(builder, |ui| {
                let id = ui.make_persistent_id(("section", entry, section));
                egui::collapsing_header::CollapsingState::load_with_default_open(ui.ctx(), id, !items.is_empty())
                    .show_header(ui, |ui| {
                        ui.label(RichText::new(format!("{} ({})", section.title(), items.len())).strong());
                        if auto > 0 && ui.small_button(format!("Accept auto fixes ({auto})")).clicked() {
                            let scope = super::Scope { entry: Some(entry.clone()), section: Some(section) };
                            actions.push(Action::Run(super::Command::AcceptAuto(scope)));
                        }
                    })
                    .body(|ui| {
                        if items.is_empty() {
                            ui.weak("Nothing to change here.");
                        }
                        for (key, f) in items {
                            finding_card(ui, session, key, f, inputs, actions);
                        }
                    });
            });
        }
    });
}

fn finding_card(
    ui: &mut Ui,
    session: &Session,
    key: &FindingKey,
    f: &Finding,
    inputs: &mut HashMap<FindingKey, String>,
    actions: &mut Vec<Action>,
) {
    let status = session.status(f);
    let builder = UiBuilder::new().id_salt(key).accessibility_label(format!("{} finding: {}", f.rule, f.message));
    ui.scope_builder(builder, |ui| {
        egui::Frame::group(ui.style()).show(ui, |ui| {
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
                decision_row(ui, session, key, s, inputs, actions);
            }
            egui::CollapsingHeader::new("Why").id_salt(("why", key)).show(ui, |ui| {
                ui.label(f.reason);
                if let Some(rule) = crate::rules::rule(f.rule) {
                    ui.label(RichText::new(format!("How safe the fix is: {}", rule.doc.fix_safety)).small());
                }
                ui.label(
                    RichText::new(format!("at {}", short_path(session, f, &f.location))).small().monospace().weak(),
                );
            });
        });
    });
    ui.add_space(2.0);
}

fn decision_row(
    ui: &mut Ui,
    session: &Session,
    key: &FindingKey,
    s: &Suggestion,
    inputs: &mut HashMap<FindingKey, String>,
    actions: &mut Vec<Action>,
) {
    let decided = session.decision(key);
    let mut accept: Result<Decision, String> = Ok(Decision::Accept);
    if let Some(input) = &s.input {
        let text = inputs.entry(key.clone()).or_insert_with(|| match decided {
            Some(Decision::Value { value }) => input_text(value),
            _ => input.default.as_ref().map(input_text).unwrap_or_default(),
        });
        ui.horizontal_wrapped(|ui| {
            let label = ui.label(format!("{}:", input.label));
            let width = ui.available_width().clamp(120.0, 260.0);
            ui.add(TextEdit::singleline(text).desired_width(width).hint_text("type a value to accept"))
                .labelled_by(label.id);
        });
        accept = parse_input(text, reference(s, input).as_ref())
            .map(|v| if input.default.as_ref() == Some(&v) { Decision::Accept } else { Decision::Value { value: v } });
        if let Err(e) = &accept
            && !text.trim().is_empty()
        {
            ui.colored_label(error_color(ui), e);
        }
    }
    ui.horizontal(|ui| {
        let accepted = matches!(decided, Some(Decision::Accept | Decision::Value { .. } | Decision::Fragment { .. }));
        let hint =
            if accepted { "Accepted; click again to leave it open" } else { "Write this change into the GPU version" };
        let r = ui.add_enabled(accept.is_ok(), Button::selectable(accepted, "Accept")).on_hover_text(hint);
        if r.clicked()
            && let Ok(d) = accept
        {
            actions.push(Action::Run(if accepted && decided == Some(&d) {
                super::Command::Clear { key: key.clone() }
            } else {
                super::Command::Decide { key: key.clone(), decision: d }
            }));
        }
        if s.fragment().is_some()
            && ui.button("Edit...").on_hover_text("Change the suggested JSON before accepting it").clicked()
        {
            actions.push(Action::Edit(key.clone()));
        }
        let rejected = decided == Some(&Decision::Reject);
        let hint = if rejected { "Rejected; click again to leave it open" } else { "Keep the module as it is" };
        if ui.add(Button::selectable(rejected, "Reject")).on_hover_text(hint).clicked() {
            actions.push(Action::Run(if rejected {
                super::Command::Clear { key: key.clone() }
            } else {
                super::Command::Decide { key: key.clone(), decision: Decision::Reject }
            }));
        }
    });
}

/// Where a place is, below the finding's module (`createOptions/HostConfig/Binds/0`).
fn short_path(session: &Session, f: &Finding, at: &crate::manifest::Location) -> String {
    match f.module.as_deref().and_then(|m| session.manifest().module(m)) {
        Some(m) => at.below(&m.at),
        None => at.to_string(),
    }
}

/// What the value of an input fix looks like: its default, or what its edit holds there now.
fn reference(s: &Suggestion, input: &Input) -> Option<Value> {
    input.default.clone().or_else(|| {
        let InputTarget::Edit { edit, at } = &input.target else { return s.fragment() };
        let frag = s.edits.get(*edit)?.fragment()?;
        frag.pointer(at.as_str()).cloned().filter(|v| !v.is_null())
    })
}

fn input_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The typed text as a value of the same JSON type as the reference (strings as typed).
fn parse_input(text: &str, reference: Option<&Value>) -> Result<Value, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err("a value is needed".to_owned());
    }
    match reference {
        Some(Value::Number(_)) => serde_json::from_str::<Value>(t)
            .ok()
            .filter(Value::is_number)
            .ok_or_else(|| "a number is needed".to_owned()),
        Some(Value::Bool(_)) => match t {
            "true" => Ok(Value::Bool(true)),
            "false" => Ok(Value::Bool(false)),
            _ => Err("true or false".to_owned()),
        },
        Some(Value::Array(_) | Value::Object(_)) => {
            serde_json::from_str(t).map_err(|e| format!("not valid JSON at column {}", e.column()))
        }
        _ => Ok(Value::String(t.to_owned())),
    }
}

/// What the editor asks for this frame.
pub(super) enum EditorResult {
    Open,
    Cancel,
    Apply(Value),
}

/// The fragment editor: highlighted, validated as you type; invalid JSON cannot be applied.
pub(super) fn editor_modal(ctx: &egui::Context, session: &Session, editor: &mut Editor) -> EditorResult {
    let Some(f) = session.finding(&editor.key) else { return EditorResult::Cancel };
    let mut result = EditorResult::Open;
    let modal = egui::Modal::new(egui::Id::unique("fragment editor")).show(ctx, |ui| {
        ui.set_width(660.0);
        ui.heading(format!("Edit the change {} proposes", f.rule));
        ui.label(format!("{}: {}", f.module.as_deref().unwrap_or("deployment"), f.message));
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
            editor.verdict = validate(f, &editor.text);
            editor.validated = editor.text.clone();
        }
        match &editor.verdict {
            Ok(_) => ui.colored_label(ok_color(ui), "Valid JSON: Apply accepts the change with this fragment."),
            Err(e) => ui.colored_label(error_color(ui), e),
        };
        ui.add_space(6.0);
        ui.horizontal(|ui| {
            let apply = ui.add_enabled(editor.verdict.is_ok(), Button::new("Apply"));
            if apply.clicked()
                && let Ok(v) = &editor.verdict
            {
                result = EditorResult::Apply(v.clone());
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
    let _ = modal;
    result
}

/// Parses the editor's text and checks that it fits the suggested edit.
fn validate(f: &Finding, text: &str) -> Result<Value, String> {
    let v: Value = serde_json::from_str(text).map_err(|e| {
        let msg = e.to_string();
        let msg = msg.rfind(" at line ").map_or(msg.as_str(), |i| &msg[..i]).to_owned();
        format!("Invalid JSON at line {}, column {}: {msg}. Fix it to apply.", e.line(), e.column())
    })?;
    migrate::resolve(f, &Decision::Fragment { fragment: v.clone() })
        .map(|_| v)
        .map_err(|e| format!("Valid JSON, but it does not fit this change: {e}"))
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

fn error_color(ui: &Ui) -> Color32 {
    severity_color(ui, Severity::Error)
}

fn ok_color(ui: &Ui) -> Color32 {
    if ui.visuals().dark_mode { Color32::from_rgb(100, 200, 120) } else { Color32::from_rgb(30, 130, 50) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inputs_keep_the_type_of_their_default() {
        assert_eq!(parse_input(" 2 ", Some(&Value::from(1))), Ok(Value::from(2)));
        assert!(parse_input("two", Some(&Value::from(1))).is_err());
        assert_eq!(parse_input("8080", Some(&Value::from("80"))), Ok(Value::from("8080")));
        assert_eq!(parse_input("images", None), Ok(Value::from("images")));
        assert!(parse_input("  ", None).is_err());
    }
}
