//! The device the manifest goes to, in the app: the Device panel that edits every field of the
//! profile, the target chooser asked once when the first manifest is opened, and the top bar's
//! target menu. The fields are read with the CLI's own parsers ([`crate::device`]); Apply hands
//! the whole profile to the session ([`Command::SetDevice`]), which checks the manifest again and
//! carries the decisions over.

use super::session::{Command, Session, plural};
use super::{Action, panels};
use crate::device::{self, DeviceProfile, FIELDS, FieldDoc, GpuModel, IotEdgeVersion, ServiceType, Target};
use eframe::egui;
use egui::{RichText, TextEdit, Ui};
use strum::IntoEnumIterator;

/// How the top bar names a target (`Kubernetes`, `IoT Edge 1.6 VM`).
pub fn target_name(target: Target, device: &DeviceProfile) -> String {
    match target {
        Target::K8s => "Kubernetes".to_owned(),
        Target::Vm => format!("IoT Edge {} VM", device.iotedge_version.name()),
    }
}

/// The choice of a target as the chooser and the target menu offer it: its title and one line
/// on what it means.
pub fn choice(target: Target, device: &DeviceProfile) -> (String, &'static str) {
    match target {
        Target::K8s => (
            "Kubernetes (managed IoT Edge on the device)".to_owned(),
            "The migration guide's target. The device's release notes (2607) call this managed runtime \
             obsolete and at end of life, with no updates planned.",
        ),
        Target::Vm => (
            format!("IoT Edge {} in an Ubuntu VM (Microsoft's recommendation)", device.iotedge_version.name()),
            "Current IoT Edge on Docker in a VM on the device: needs a GPU VM size for the GPUs, and the VM \
             is a new IoT Edge device identity.",
        ),
    }
}

/// The top bar's `Target: Kubernetes ▾` menu; switching keeps each target's decisions.
pub(super) fn target_menu(ui: &mut Ui, session: &Session, actions: &mut Vec<Action>) {
    let device = session.device();
    let current = device.target;
    let r = ui.menu_button(format!("Target: {} ▾", target_name(current, device)), |ui| {
        ui.set_max_width(420.0);
        for target in Target::iter() {
            let (title, line) = choice(target, device);
            if ui.selectable_label(target == current, title).on_hover_text(line).clicked() && target != current {
                actions.push(Action::SetTarget(target));
            }
            ui.label(RichText::new(line).small().weak());
            let parked = session.parked(target);
            if parked > 0 {
                ui.label(RichText::new(format!("{} kept for this target", plural(parked, "decision"))).small());
            }
            ui.add_space(4.0);
        }
    });
    r.response.on_hover_text("Where the migrated modules run; each target keeps its own decisions");
}

/// The question asked once, when the first manifest is opened: which target? The answer is
/// remembered in the settings. Dismissing it keeps the current target (and remembers that).
pub(super) fn target_chooser(ctx: &egui::Context, session: &Session, actions: &mut Vec<Action>) {
    let device = session.device();
    let modal = egui::Modal::new(egui::Id::unique("target chooser")).show(ctx, |ui| {
        ui.set_max_width(560.0);
        ui.heading("Which target?");
        ui.label(format!(
            "Where will the modules of {} run on the Azure Stack Edge Pro GPU device? You can switch later \
             with Target in the top bar; each target keeps its own decisions.",
            session.source().file_name()
        ));
        ui.add_space(8.0);
        for target in Target::iter() {
            let (title, line) = choice(target, device);
            let r = ui
                .add(egui::Button::new(RichText::new(title).strong()).min_size(egui::vec2(ui.available_width(), 28.0)));
            panels::focus_ring(ui, &r);
            if r.clicked() {
                actions.push(Action::SetTarget(target));
            }
            ui.label(RichText::new(line).weak());
            ui.add_space(6.0);
        }
    });
    if modal.should_close() {
        actions.push(Action::SetTarget(device.target));
    }
}

/// The Device panel's view state: open or not, and the fields as typed.
#[derive(Default)]
pub(crate) struct DevicePanel {
    pub open: bool,
    draft: Option<Draft>,
}

/// The fields as the engineer types them, and the profile they were filled from.
struct Draft {
    base: DeviceProfile,
    fields: Fields,
}

/// Every field of the profile as the panel edits it: choices as they are, numbers and names as
/// text (read by the CLI's parsers), optional settings with a switch.
#[derive(Clone, PartialEq)]
struct Fields {
    target: Target,
    gpus: String,
    shares_declared: bool,
    shares: String,
    external_ips: String,
    service_type: ServiceType,
    has_storage_class: bool,
    storage_class: String,
    pvc_size_mb: String,
    volume_name_from_source: bool,
    run_as_non_root: bool,
    k8s_extensions: bool,
    device_id: String,
    hub_hostname: String,
    iotedge_version: IotEdgeVersion,
    gpu_model: GpuModel,
    worker_cpus: String,
    worker_memory_gib: String,
    ase_version: String,
    share_roots: String,
    vm_share_root: String,
}

/// A text field of an optional setting: empty means not given.
fn optional(t: &str) -> Option<&str> {
    (!t.trim().is_empty()).then_some(t)
}

fn text<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

impl Fields {
    fn of(p: &DeviceProfile) -> Fields {
        Fields {
            target: p.target,
            gpus: p.gpus.to_string(),
            shares_declared: p.shares.is_some(),
            shares: p.shares.as_deref().unwrap_or_default().join(", "),
            external_ips: text(p.external_ips),
            service_type: p.service_type,
            has_storage_class: p.storage_class.is_some(),
            storage_class: p.storage_class.clone().unwrap_or_default(),
            pvc_size_mb: text(p.pvc_size_mb),
            volume_name_from_source: p.volume_name_from_source,
            run_as_non_root: p.run_as_non_root,
            k8s_extensions: p.k8s_extensions,
            device_id: p.device_id.clone(),
            hub_hostname: p.hub_hostname.clone(),
            iotedge_version: p.iotedge_version,
            gpu_model: p.gpu_model,
            worker_cpus: text(p.worker_cpus),
            worker_memory_gib: text(p.worker_memory_gib),
            ase_version: p.ase_version.clone().unwrap_or_default(),
            share_roots: p.share_roots.join(", "),
            vm_share_root: p.vm_share_root.clone(),
        }
    }

    /// The profile the fields make, or what is wrong with each field that cannot be read (by its
    /// key).
    fn profile(&self) -> Result<DeviceProfile, Vec<(&'static str, String)>> {
        let mut errors = Vec::new();
        let mut check = |key: &'static str, r: Result<(), String>| {
            if let Err(e) = r {
                errors.push((key, e));
            }
        };
        let mut p = DeviceProfile {
            target: self.target,
            service_type: self.service_type,
            volume_name_from_source: self.volume_name_from_source,
            run_as_non_root: self.run_as_non_root,
            k8s_extensions: self.k8s_extensions,
            device_id: self.device_id.trim().to_owned(),
            hub_hostname: self.hub_hostname.trim().to_owned(),
            iotedge_version: self.iotedge_version,
            gpu_model: self.gpu_model,
            shares: self.shares_declared.then(|| device::names(self.shares.split(','))),
            storage_class: self.has_storage_class.then(|| self.storage_class.trim().to_owned()),
            ase_version: optional(&self.ase_version).map(|t| t.trim().to_owned()),
            share_roots: device::names(self.share_roots.split(',')),
            vm_share_root: self.vm_share_root.trim().to_owned(),
            ..DeviceProfile::default()
        };
        check("gpus", device::parse_count(&self.gpus).map(|n| p.gpus = n));
        let count = |t: &str| optional(t).map(device::parse_count).transpose();
        let size = |t: &str| optional(t).map(device::parse_size).transpose();
        check("external-ips", count(&self.external_ips).map(|n| p.external_ips = n));
        check("pvc-size-mb", count(&self.pvc_size_mb).map(|n| p.pvc_size_mb = n));
        check("worker-cpus", size(&self.worker_cpus).map(|n| p.worker_cpus = n));
        check("worker-memory-gib", size(&self.worker_memory_gib).map(|n| p.worker_memory_gib = n));
        if p.device_id.is_empty() {
            errors.push(("device-id", "the agent needs a device id".to_owned()));
        }
        if errors.is_empty() { Ok(p) } else { Err(errors) }
    }
}

impl DevicePanel {
    /// The panel (a window), when open: every field with its label, default and help; Apply
    /// checks the manifest again for the profile typed.
    pub(super) fn show(&mut self, ctx: &egui::Context, session: &Session, actions: &mut Vec<Action>) {
        if !self.open {
            self.draft = None;
            return;
        }
        let now = session.device();
        let draft = self.draft.get_or_insert_with(|| Draft { base: now.clone(), fields: Fields::of(now) });
        if draft.base != *now && draft.fields == Fields::of(&draft.base) {
            // Undo or an import changed the profile under untouched fields: show the new one.
            *draft = Draft { base: now.clone(), fields: Fields::of(now) };
        }
        let mut open = self.open;
        let mut applied = false;
        let screen = ctx.content_rect();
        // The fields scroll below the buttons.
        let fields_height = (screen.height() - 300.0).clamp(160.0, 560.0);
        egui::Window::new("Device")
            .open(&mut open)
            .resizable(true)
            .default_size([580.0, fields_height + 110.0])
            .default_pos([(screen.center().x - 290.0).max(0.0), 80.0])
            .show(ctx, |ui| applied = form(ui, session, &mut draft.fields, fields_height, actions));
        self.open = open;
        if applied {
            // Filled again from the session's new profile next frame.
            self.draft = None;
        }
    }
}

/// The fields and Apply; true when Apply was clicked.
fn form(ui: &mut Ui, session: &Session, f: &mut Fields, height: f32, actions: &mut Vec<Action>) -> bool {
    ui.label(
        "The device the manifest goes to. The findings depend on it; Apply checks the manifest again and keeps \
         your decisions that still apply. It is saved in the decisions file.",
    );
    ui.add_space(4.0);
    let verdict = f.profile();
    let errors = verdict.as_ref().err().cloned().unwrap_or_default();
    let changed = verdict.as_ref().is_ok_and(|p| p != session.device());
    let mut clicked = false;
    // The buttons above the fields: always in sight, however far the fields are scrolled.
    ui.horizontal(|ui| {
        let hint = match &verdict {
            Err(_) => "Correct the fields marked first",
            Ok(_) if !changed => "Nothing changed",
            Ok(_) => "Check the manifest again for this device, keeping the decisions that still apply (undoable)",
        };
        let r = ui.add_enabled(changed, egui::Button::new("Apply")).on_hover_text(hint);
        panels::focus_ring(ui, &r);
        if r.clicked()
            && let Ok(p) = &verdict
        {
            actions.push(Action::Run(Command::SetDevice(Box::new(p.clone()))));
            clicked = true;
        }
        if ui.button("Revert").on_hover_text("Back to the profile in use").clicked() {
            *f = Fields::of(session.device());
        }
        if ui.button("Defaults").on_hover_text("Every field at its documented default, for this target").clicked() {
            *f = Fields { target: f.target, ..Fields::of(&DeviceProfile::default()) };
        }
        if !errors.is_empty() {
            ui.colored_label(panels::error_color(ui), format!("{} to correct", plural(errors.len(), "field")));
        } else if changed {
            ui.weak("Not applied yet");
        }
    });
    ui.separator();
    let target = f.target;
    egui::ScrollArea::vertical().id_salt("device fields").max_height(height.max(ui.available_height())).show(
        ui,
        |ui| {
            egui::Grid::new("device fields").num_columns(2).spacing([12.0, 6.0]).striped(true).show(ui, |ui| {
                for doc in &FIELDS {
                    let applies = doc.only.is_none_or(|t| t == target);
                    let label = ui.add_enabled(applies, egui::Label::new(doc.label)).on_hover_text(doc.help);
                    ui.vertical(|ui| {
                        ui.add_enabled_ui(applies, |ui| editor(ui, doc, f, label.id));
                        let mut note = format!("default: {}", doc.default);
                        if let Some(t) = doc.only.filter(|_| !applies) {
                            note = format!("{note} · only for the {} target", target_name(t, session.device()));
                        }
                        ui.label(RichText::new(note).small().weak());
                        if let Some((_, e)) = errors.iter().find(|(k, _)| *k == doc.key) {
                            ui.colored_label(panels::error_color(ui), format!("{}: {e}", doc.label));
                        }
                    });
                    ui.end_row();
                }
            });
        },
    );
    clicked
}

/// The widget of one field.
fn editor(ui: &mut Ui, doc: &FieldDoc, f: &mut Fields, label: egui::Id) {
    let line = |ui: &mut Ui, value: &mut String, hint: &str| {
        ui.add(TextEdit::singleline(value).hint_text(hint).desired_width(260.0))
            .labelled_by(label)
            .on_hover_text(doc.help);
    };
    let flag = |ui: &mut Ui, value: &mut bool| {
        ui.checkbox(value, "").labelled_by(label).on_hover_text(doc.help);
    };
    match doc.key {
        "target" => choose(ui, doc, label, &mut f.target, |t| target_name(t, &DeviceProfile::default())),
        "gpus" => line(ui, &mut f.gpus, doc.default),
        "shares" => {
            ui.horizontal(|ui| {
                ui.checkbox(&mut f.shares_declared, "declared")
                    .on_hover_text("Tick when you know the device's shares: mounts of others are then reported");
                ui.add_enabled_ui(f.shares_declared, |ui| line(ui, &mut f.shares, "images, models"));
            });
        }
        "external-ips" => line(ui, &mut f.external_ips, doc.default),
        "service-type" => choose(ui, doc, label, &mut f.service_type, |t| t.name().to_owned()),
        "storage-class" => {
            ui.horizontal(|ui| {
                ui.checkbox(&mut f.has_storage_class, "the agent has one")
                    .on_hover_text("Without a storage class the agent makes no PersistentVolumeClaims");
                ui.add_enabled_ui(f.has_storage_class, |ui| {
                    line(ui, &mut f.storage_class, "empty: the cluster's default")
                });
            });
        }
        "pvc-size-mb" => line(ui, &mut f.pvc_size_mb, doc.default),
        "volume-name-from-source" => flag(ui, &mut f.volume_name_from_source),
        "run-as-non-root" => flag(ui, &mut f.run_as_non_root),
        "k8s-extensions" => flag(ui, &mut f.k8s_extensions),
        "device-id" => line(ui, &mut f.device_id, doc.default),
        "hub-hostname" => line(ui, &mut f.hub_hostname, doc.default),
        "iotedge-version" => choose(ui, doc, label, &mut f.iotedge_version, |v| v.name().to_owned()),
        "gpu-model" => choose(ui, doc, label, &mut f.gpu_model, |m| m.name().to_owned()),
        "worker-cpus" => line(ui, &mut f.worker_cpus, doc.default),
        "worker-memory-gib" => line(ui, &mut f.worker_memory_gib, doc.default),
        "ase-version" => line(ui, &mut f.ase_version, "2309"),
        "share-roots" => line(ui, &mut f.share_roots, "/mnt/edge"),
        "vm-share-root" => line(ui, &mut f.vm_share_root, doc.default),
        other => {
            ui.weak(format!("no editor for {other}"));
        }
    }
}

/// A choice among an enum's values.
fn choose<T: IntoEnumIterator + PartialEq + Copy>(
    ui: &mut Ui,
    doc: &FieldDoc,
    label: egui::Id,
    value: &mut T,
    name: impl Fn(T) -> String,
) {
    let r = egui::ComboBox::from_id_salt(doc.key).selected_text(name(*value)).show_ui(ui, |ui| {
        for v in T::iter() {
            ui.selectable_value(value, v, name(v));
        }
    });
    r.response.labelled_by(label).on_hover_text(doc.help);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fields_give_back_the_profile_they_show_and_refuse_text_for_numbers() {
        let p = DeviceProfile {
            gpus: 2,
            shares: Some(vec!["images".into(), "models".into()]),
            storage_class: Some(String::new()),
            worker_cpus: Some(8.5),
            ase_version: Some("2309".into()),
            share_roots: vec!["/mnt/edge".into()],
            ..DeviceProfile::default()
        };
        assert_eq!(Fields::of(&p).profile(), Ok(p));
        let mut f = Fields::of(&DeviceProfile::default());
        f.gpus = "two".into();
        f.worker_memory_gib = "-3".into();
        let errors = f.profile().unwrap_err();
        let keys: Vec<&str> = errors.iter().map(|(k, _)| *k).collect();
        assert_eq!(keys, ["gpus", "worker-memory-gib"]);
        assert!(errors[0].1.contains("not a number"), "{}", errors[0].1);
    }
}
