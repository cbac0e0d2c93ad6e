//! "Before you deploy" in the Deployment view: the device-side steps the findings ask for (shares
//! to create, the VM to prepare, triggers to re-create…), each once, with the rules that raised
//! it, and what a module rename means for its IoT Hub identity.

use super::session::{Session, plural};
use crate::report::{RENAME_NOTE, checklist};
use crate::rules::Finding;
use eframe::egui;
use egui::{RichText, Ui};

/// One step of the checklist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub action: String,
    pub detail: String,
    /// Inferred from how things work rather than documented by Microsoft.
    pub inferred: bool,
    /// The rules whose findings ask for it, in finding order.
    pub rules: Vec<&'static str>,
}

/// The steps of `findings`, as the report's checklist lists them, each with its rules.
pub fn items(findings: &[Finding]) -> Vec<Item> {
    checklist(findings)
        .into_iter()
        .map(|step| {
            let mut rules: Vec<&'static str> = Vec::new();
            for f in findings.iter().filter(|f| f.step.as_ref().is_some_and(|s| s.action == step.action)) {
                if !rules.contains(&f.rule) {
                    rules.push(f.rule);
                }
            }
            Item { action: step.action.clone(), detail: step.detail.clone(), inferred: step.inferred, rules }
        })
        .collect()
}

/// The checklist of the session's revision, derived once per revision.
#[derive(Default)]
pub(crate) struct ChecklistCache {
    revision: Option<u64>,
    items: Vec<Item>,
}

impl ChecklistCache {
    fn ensure(&mut self, session: &Session) -> &[Item] {
        if self.revision != Some(session.revision()) {
            self.items = items(session.findings());
            self.revision = Some(session.revision());
        }
        &self.items
    }
}

/// The "Before you deploy" block of the Deployment view, and the renames accepted so far.
pub(super) fn show(ui: &mut Ui, session: &Session, cache: &mut ChecklistCache) {
    let items = cache.ensure(session);
    let title = format!("Before you deploy ({})", plural(items.len(), "step"));
    let builder = egui::UiBuilder::new().accessibility_label("Before you deploy");
    ui.scope_builder(builder, |ui| {
        egui::CollapsingHeader::new(RichText::new(title).strong())
            .id_salt("before you deploy")
            .default_open(true)
            .show(ui, |ui| {
                egui::ScrollArea::vertical().id_salt("checklist").max_height(220.0).auto_shrink([false, true]).show(
                    ui,
                    |ui| {
                        if items.is_empty() {
                            ui.weak("Nothing to do on the device first, as far as the findings show.");
                        }
                        for (n, item) in items.iter().enumerate() {
                            step(ui, n + 1, item);
                        }
                        renames(ui, session);
                    },
                );
            });
    });
}

fn step(ui: &mut Ui, n: usize, item: &Item) {
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new(format!("{n}. {}", item.action)).strong());
        if item.inferred {
            ui.label(RichText::new("(inferred)").italics().weak())
                .on_hover_text("Inferred from how the device works rather than documented by Microsoft");
        }
    });
    ui.indent(("step", n), |ui| {
        if !item.detail.is_empty() {
            ui.label(&item.detail);
        }
        let by = if item.rules.len() == 1 { "raised by" } else { "raised by the rules" };
        ui.label(RichText::new(format!("{by} {}", item.rules.join(", "))).small().monospace().weak());
    });
    ui.add_space(4.0);
}

/// Accepted renames and what they mean for the module's identity in IoT Hub.
fn renames(ui: &mut Ui, session: &Session) {
    let renamed = &session.outcome().renamed;
    if renamed.is_empty() {
        return;
    }
    ui.add_space(4.0);
    for (from, to) in renamed {
        ui.label(RichText::new(format!("Renamed {from} → {to}")).strong());
    }
    ui.label(format!("Note: {RENAME_NOTE}."));
}
