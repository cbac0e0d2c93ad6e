//! The Kubernetes view (target `k8s`): in the centre, instead of the createOptions diff, the
//! objects the device's Kubernetes agent would create for the selected module after the
//! engineer's decisions, as highlighted YAML, with a one-line summary; or beside the objects the
//! original manifest makes ("Diff vs original"); or, when the agent would refuse the module, why.
//! For the deployment: every module's objects in one line each, and the deployment's totals.
//!
//! Translated by [`K8sCache`] and highlighted by a [`PreviewCache`] of its own (the createOptions
//! view's code, on YAML): once per revision, entry and mode, never per frame.

use super::commands::UiCommand;
use super::k8s_cache::{self, K8sCache, Totals};
use super::preview::{Labels, PreviewCache};
use super::session::{Entry, Session, size};
use super::{Action, panels};
use crate::device::Target;
use eframe::egui;
use egui::{Color32, RichText, Ui};

/// The Kubernetes view's sides: accessible names start with `Kubernetes` (after the decisions) or
/// `Original` (the original manifest's objects).
pub const K8S_LABELS: Labels =
    Labels { names: ["Original", "Kubernetes"], notes: ["from the original manifest", "after your decisions"] };

/// What the VM target shows instead of the view (the release is the profile's).
pub fn vm_note(session: &Session) -> String {
    format!(
        "VM target: IoT Edge {} in the VM runs the createOptions as Docker does, so there are no Kubernetes \
         objects to preview",
        session.device().iotedge_version.name()
    )
}

/// The view's state: which tab is open, the diff toggle, the caches.
pub struct K8sView {
    /// The Kubernetes objects are shown (instead of the createOptions diff).
    pub open: bool,
    /// Beside the original manifest's objects.
    pub diff: bool,
    cache: K8sCache,
    preview: PreviewCache,
    /// The objects the diff leaves out because the decisions did not change them.
    unchanged: Vec<String>,
    /// One object's YAML to put on the clipboard, and the message saying so.
    copied: Option<(String, String)>,
}

impl Default for K8sView {
    fn default() -> Self {
        K8sView {
            open: false,
            diff: false,
            cache: K8sCache::default(),
            preview: PreviewCache::new(K8S_LABELS, "yaml", "kubernetes rows").highlighted_by_line(),
            unchanged: Vec::new(),
            copied: None,
        }
    }
}

/// The target has Kubernetes objects to show.
pub fn available(session: &Session) -> bool {
    session.device().target == Target::K8s
}

impl K8sView {
    /// The tab row (on the Kubernetes target; a note on the VM target). True when the Kubernetes
    /// objects are to be shown.
    pub fn tabs(&mut self, ui: &mut Ui, session: &Session) -> bool {
        if !available(session) {
            ui.add(egui::Label::new(RichText::new(vm_note(session)).weak()).wrap());
            return false;
        }
        ui.horizontal(|ui| {
            let tip = UiCommand::KubernetesView.tooltip_with_shortcut(ui.ctx());
            for (open, text) in [(false, "createOptions diff"), (true, "Kubernetes objects")] {
                let r = ui.selectable_label(self.open == open, text).on_hover_text(&tip);
                panels::focus_ring(ui, &r);
                if r.clicked() {
                    self.open = open;
                }
            }
        });
        self.open
    }

    /// The objects of `entry` (the view of the centre when [`K8sView::tabs`] says so).
    pub(crate) fn show(
        &mut self,
        ui: &mut Ui,
        session: &mut Session,
        entry: &Entry,
        wrap: bool,
        actions: &mut Vec<Action>,
    ) {
        match entry {
            Entry::Deployment => self.cache.ensure_all(session),
            Entry::Module(name) => self.cache.ensure_module(session, name),
        }
        ui.horizontal(|ui| {
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                let r =
                    ui.button("Copy YAML").on_hover_text(UiCommand::CopyKubernetesYaml.tooltip_with_shortcut(ui.ctx()));
                panels::focus_ring(ui, &r);
                if r.clicked() {
                    actions.push(Action::Ui(UiCommand::CopyKubernetesYaml));
                }
                let objects = match entry {
                    Entry::Module(_) => self.cache.module().1.map_or(&[][..], |m| &m.objects[..]),
                    Entry::Deployment => &[],
                };
                if !objects.is_empty() {
                    ui.menu_button("Copy one object", |ui| {
                        for o in objects {
                            let title = format!("{} {}", o.kind(), o.name());
                            if ui.button(&title).clicked() {
                                let text = o.to_yaml();
                                let message = format!("Copied {title} as YAML ({})", size(text.len()));
                                self.copied = Some((text, message));
                            }
                        }
                    });
                }
                if matches!(entry, Entry::Module(_)) {
                    ui.checkbox(&mut self.diff, "Diff vs original").on_hover_text(
                        "Show the objects the original manifest makes beside those after your decisions",
                    );
                }
                ui.with_layout(egui::Layout::left_to_right(egui::Align::Center), |ui| {
                    let line = match entry {
                        _ if self.cache.error().is_some() => String::new(),
                        Entry::Deployment => Totals::of(self.cache.all()).text(session.device()),
                        Entry::Module(_) => match self.cache.module().1 {
                            Some(m) if m.error.is_none() => k8s_cache::summary(m),
                            _ => String::new(),
                        },
                    };
                    // Wrapped, not cut: it is the view's summary.
                    ui.add(egui::Label::new(RichText::new(line).strong()).wrap());
                });
            });
        });
        if let Some(e) = self.cache.error() {
            ui.colored_label(error_color(ui), format!("No Kubernetes objects: {e}"));
            return;
        }
        match entry {
            Entry::Deployment => self.deployment(ui, session, actions),
            Entry::Module(name) => self.module(ui, session, name, wrap),
        }
    }

    fn module(&mut self, ui: &mut Ui, session: &mut Session, name: &str, wrap: bool) {
        let (before, after) = self.cache.module();
        let Some(after) = after else {
            ui.colored_label(error_color(ui), format!("{name} is not in the migrated manifest"));
            return;
        };
        if let Some(e) = &after.error {
            let text = format!("The agent would refuse {}: {e}", after.id);
            ui.add(egui::Label::new(RichText::new(text).color(error_color(ui))).wrap());
            return;
        }
        if self.diff
            && let Some(e) = before.and_then(|b| b.error.as_ref())
        {
            ui.weak(format!("The original manifest's {name} is refused by the agent: {e}"));
        }
        let revision = session.revision();
        let diff = self.diff;
        let unchanged = &mut self.unchanged;
        let highlights = self.preview.ensure_with(ui, revision, &Entry::Module(name.to_owned()), !diff, || {
            let (blocks, same) = k8s_cache::blocks(before, Some(after), diff);
            *unchanged = same;
            blocks
        });
        session.stats.highlights += highlights;
        if diff {
            ui.columns(2, |cols| {
                cols[0].add(egui::Label::new(RichText::new("From the original manifest").strong()).truncate());
                let changed = match self.preview.preview().changed {
                    0 => "After your decisions: no change yet".to_owned(),
                    n => format!("After your decisions: {} changed", super::session::plural(n, "line")),
                };
                cols[1].add(egui::Label::new(RichText::new(changed).strong()).truncate());
            });
            if !self.unchanged.is_empty() {
                ui.weak(format!("Unchanged, not shown: {}", self.unchanged.join(", ")));
            }
        }
        self.preview.wrap = wrap;
        self.preview.show(ui);
    }

    /// Every module in one line: its objects, or why the agent refuses it.
    fn deployment(&mut self, ui: &mut Ui, session: &Session, actions: &mut Vec<Action>) {
        let modules = self.cache.all();
        ui.separator();
        let row_h = ui.text_style_height(&egui::TextStyle::Body) + ui.spacing().item_spacing.y;
        let red = error_color(ui);
        egui::ScrollArea::vertical().id_salt("kubernetes modules").auto_shrink(false).show_rows(
            ui,
            row_h,
            modules.len(),
            |ui, range| {
                for m in &modules[range] {
                    ui.horizontal(|ui| {
                        let input =
                            session.manifest().modules.iter().find(|x| session.display_name(&x.name) == m.module);
                        let r = ui.add_sized([180.0, row_h], egui::Button::new(m.id.as_str()).frame(false).truncate());
                        if let Some(x) = input.filter(|_| r.clicked()) {
                            actions.push(Action::Select(Entry::Module(x.name.clone())));
                        }
                        let text = k8s_cache::summary(m);
                        let text = match m.error {
                            Some(_) => RichText::new(text).color(red),
                            None => {
                                RichText::new(format!("{}: {text}", super::session::plural(m.objects.len(), "object")))
                            }
                        };
                        ui.add(egui::Label::new(text).truncate());
                    });
                }
            },
        );
    }

    /// An object's YAML picked for the clipboard this frame, with the message saying so.
    pub fn take_copied(&mut self) -> Option<(String, String)> {
        self.copied.take()
    }

    /// The highlighted objects last shown (tests read their lines).
    pub fn preview(&self) -> &super::preview::Preview {
        self.preview.preview()
    }

    /// The YAML of `entry` as `fpga2gpu k8s` prints it (the module's, or every module's), and the
    /// message saying what was copied.
    pub fn yaml(&mut self, session: &mut Session, entry: &Entry) -> Result<(String, String), String> {
        if !available(session) {
            return Err(vm_note(session));
        }
        let (text, what) = match entry {
            Entry::Deployment => {
                self.cache.ensure_all(session);
                (crate::k8s::to_yaml(self.cache.all()), "every module".to_owned())
            }
            Entry::Module(name) => {
                self.cache.ensure_module(session, name);
                let m = self.cache.module().1.ok_or_else(|| format!("no module {name}"))?;
                (m.to_yaml(), m.id.clone())
            }
        };
        if let Some(e) = self.cache.error() {
            return Err(format!("No Kubernetes objects: {e}"));
        }
        let message = format!("Copied the Kubernetes objects of {what} as YAML ({})", size(text.len()));
        Ok((text, message))
    }
}

fn error_color(ui: &Ui) -> Color32 {
    if ui.visuals().dark_mode { Color32::from_rgb(255, 110, 110) } else { Color32::from_rgb(190, 30, 30) }
}
