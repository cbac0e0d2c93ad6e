//! The desktop app, driven through its widgets (found by their AccessKit labels) with egui_kittest,
//! headless. These tests do not render pixels; `app_snapshots.rs` does.
//!
//! Findings are picked by rule id and status, never by their exact message or their number: the
//! rules' wording and counts change on their own.

#[path = "support/synth.rs"]
#[allow(dead_code)]
mod synth;

use eframe::egui;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use fpga2gpu::app::App;
use fpga2gpu::app::dialogs::{FILE_NAME_LABEL, FOLDER_LABEL, SaveRequest, ScriptedDialogs};
use fpga2gpu::app::preview::Change;
use fpga2gpu::app::session::{Entry, Session, Source, Status};
use fpga2gpu::device::Target;
use fpga2gpu::manifest::Manifest;
use fpga2gpu::migrate::Decision;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/sample.deployment.json");
/// The models bind of the sample's ImageProcessor: an STO001 fix with a share name to confirm.
const MODELS_CARD: &str = "STO001 finding: bind `/home/hcsshares/models:/models:ro`";
const IMAGES_CARD: &str = "STO001 finding: bind `/home/hcsshares/images:/images`";

fn fixture(id: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rules").join(format!("{id}.json"))
}

/// A tall window, so the side-by-side view shows whole modules.
fn harness(file: Option<PathBuf>, dialogs: ScriptedDialogs) -> Harness<'static, App> {
    sized(file, dialogs, egui::vec2(1440.0, 1600.0))
}

/// The app as an engineer who chose the Kubernetes target before finds it.
fn sized(file: Option<PathBuf>, dialogs: ScriptedDialogs, size: egui::Vec2) -> Harness<'static, App> {
    let mut h = Harness::builder().with_size(size).build_eframe(move |cc| {
        let mut app = App::new(cc, file, Box::new(dialogs));
        app.choose_target(Target::K8s);
        app
    });
    h.run();
    h
}

/// The app as on its very first run: no target chosen yet.
fn first_run(file: Option<PathBuf>, dialogs: ScriptedDialogs) -> Harness<'static, App> {
    let mut h = Harness::builder()
        .with_size(egui::vec2(1440.0, 1600.0))
        .build_eframe(move |cc| App::new(cc, file, Box::new(dialogs)));
    h.run();
    h
}

fn select(h: &mut Harness<'static, App>, module: &str) {
    h.get_by_label(module).click();
    h.run();
    assert_eq!(h.state().selected(), &Entry::Module(module.to_owned()));
}

/// A node's accessible name (labels carry it as their value).
fn name(n: &egui_kittest::kittest::AccessKitNode<'_>) -> Option<String> {
    n.label().or_else(|| n.value())
}

/// Is a line containing `text` shown on that side ("FPGA" or "GPU")?
fn side_shows(h: &Harness<'static, App>, side: &str, text: &str) -> bool {
    let (prefix, text) = (format!("{side} "), text.to_owned());
    h.query_all_by(move |n| name(n).is_some_and(|l| l.starts_with(&prefix) && l.contains(&text))).next().is_some()
}

fn click_in_card(h: &mut Harness<'static, App>, card: &str, button: &str) {
    h.get_by_label_contains(card).get_by_label(button).click();
    h.run();
}

/// Replaces the text of the field labelled `label` (inside `card`), as typing over it does.
fn type_over(h: &mut Harness<'static, App>, card: &str, label: &str, text: &str) {
    h.get_by_label_contains(card).get_by_label(label).focus();
    h.run();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.get_by_label_contains(card).get_by_label(label).type_text(text);
    h.run();
}

/// Where the finding of `rule` on `module` whose message mentions `about` stands.
fn status_of(h: &Harness<'static, App>, rule: &str, module: &str, about: &str) -> Status {
    let s = h.state().session();
    let f = s
        .findings()
        .iter()
        .find(|f| f.rule == rule && f.module.as_deref() == Some(module) && f.message.contains(about))
        .expect("finding");
    s.status(f)
}

/// The clipboard text the last frame handed to the platform.
fn copied(h: &Harness<'static, App>) -> Option<String> {
    h.output().platform_output.commands.iter().find_map(|c| match c {
        egui::OutputCommand::CopyText(t) => Some(t.clone()),
        _ => None,
    })
}

fn temp_input(dir: &Path) -> PathBuf {
    let input = dir.join("deployment.json");
    std::fs::copy(SAMPLE, &input).unwrap();
    input
}

#[test]
fn starts_on_the_sample_with_every_module_and_five_section_panels() {
    let h = harness(None, ScriptedDialogs::default());
    h.get_by_label_contains("Sample manifest");
    for s in ["Storage", "Network", "Resources", "Proxy", "Other"] {
        h.get_by_label(&format!("{s} section"));
    }
    for entry in ["Deployment", "edgeAgent", "edgeHub", "CameraCapture", "ImageProcessor", "telemetry"] {
        h.get_by_label(entry);
    }
    h.get_by_label("Filter");
}

#[test]
fn selecting_a_module_shows_its_findings_and_its_create_options() {
    let mut h = harness(None, ScriptedDialogs::default());
    select(&mut h, "ImageProcessor");
    h.get_by_label("Findings: ImageProcessor");
    h.get_by_label_contains(MODELS_CARD);
    h.get_by_label_contains(IMAGES_CARD);
    assert!(side_shows(&h, "FPGA", "\"/home/hcsshares/models:/models:ro\""));
    assert!(h.query_by_label_contains("STO001 finding: bind `/home/hcsshares/images:/app/images`").is_none());
}

#[test]
fn the_filter_narrows_the_module_list() {
    let mut h = harness(None, ScriptedDialogs::default());
    h.get_by_label("Filter").focus();
    h.run();
    h.get_by_label("Filter").type_text("tele");
    h.run();
    assert!(h.query_by_label("telemetry").is_some());
    assert!(h.query_by_label("CameraCapture").is_none());
}

#[test]
fn accept_changes_the_gpu_side_and_undo_restores_it() {
    let mut h = harness(None, ScriptedDialogs::default());
    select(&mut h, "ImageProcessor");
    assert!(!side_shows(&h, "GPU", "\"Source\": \"models\""));
    click_in_card(&mut h, MODELS_CARD, "Accept");
    assert!(side_shows(&h, "GPU", "\"Source\": \"models\""), "the mount of the share appears on the GPU side");
    assert!(!side_shows(&h, "GPU", "/home/hcsshares/models"), "the bind is gone from the GPU side");
    assert!(side_shows(&h, "FPGA", "/home/hcsshares/models"), "the FPGA side stays as in the file");

    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    h.run();
    assert!(!side_shows(&h, "GPU", "\"Source\": \"models\""), "Ctrl+Z undoes the decision");
    h.key_press_modifiers(egui::Modifiers::COMMAND | egui::Modifiers::SHIFT, egui::Key::Z);
    h.run();
    assert!(side_shows(&h, "GPU", "\"Source\": \"models\""), "Ctrl+Shift+Z redoes it");
    h.get_by_label("Undo").click();
    h.run();
    assert!(!side_shows(&h, "GPU", "\"Source\": \"models\""), "the Undo button too");
}

#[test]
fn reject_leaves_the_module_as_it_is() {
    let mut h = harness(None, ScriptedDialogs::default());
    select(&mut h, "ImageProcessor");
    click_in_card(&mut h, MODELS_CARD, "Reject");
    assert!(side_shows(&h, "GPU", "/home/hcsshares/models"));
    h.get_by_label_contains(MODELS_CARD).get_by_label("rejected");
}

#[test]
fn an_invalid_edit_is_refused_and_the_old_value_stays() {
    let mut h = harness(None, ScriptedDialogs::default());
    select(&mut h, "ImageProcessor");
    click_in_card(&mut h, MODELS_CARD, "Accept");
    assert!(side_shows(&h, "GPU", "\"Source\": \"models\""));

    click_in_card(&mut h, MODELS_CARD, "Edit...");
    h.get_by_label("Fragment (JSON)").focus();
    h.run();
    h.get_by_label("Fragment (JSON)").set_text_value_accesskit("{\"Type\": \"volume\", \"Source\": \"models2\",");
    h.run();
    h.get_by_label_contains("Invalid JSON at line 1");
    let apply = h.get_by_label("Apply");
    assert!(apply.accesskit_node().is_disabled(), "invalid JSON cannot be applied");
    apply.click();
    h.run();
    h.get_by_label("Fragment (JSON)"); // still open
    h.get_by_label("Cancel").click();
    h.run();
    assert!(h.query_by_label("Fragment (JSON)").is_none());
    assert!(side_shows(&h, "GPU", "\"Source\": \"models\""), "the accepted value stays");
    assert!(!side_shows(&h, "GPU", "models2"));

    // A valid edit is applied as the engineer wrote it.
    click_in_card(&mut h, MODELS_CARD, "Edit...");
    h.get_by_label("Fragment (JSON)").focus();
    h.run();
    h.get_by_label("Fragment (JSON)")
        .set_text_value_accesskit("{\"Type\": \"volume\", \"Source\": \"models2\", \"Target\": \"/models\"}");
    h.run();
    h.get_by_label_contains("its rule accepts it");
    h.get_by_label("Apply").click();
    h.run();
    assert!(side_shows(&h, "GPU", "\"Source\": \"models2\""));
    h.get_by_label_contains(MODELS_CARD).get_by_label("accepted, edited");
}

#[test]
fn copy_puts_the_fixed_create_options_on_the_clipboard() {
    let mut h = harness(None, ScriptedDialogs::default());
    select(&mut h, "telemetry");
    let manifest = Manifest::load(&std::fs::read(SAMPLE).unwrap()).unwrap();
    let original = manifest.module("telemetry").unwrap().create_options.value.clone().unwrap();
    let pretty = serde_json::to_string_pretty(&original).unwrap();

    // Ctrl+C with nothing selected copies the module's GPU createOptions as pretty JSON (desktops
    // deliver Ctrl+C as a Copy event).
    h.event(egui::Event::Copy);
    h.step();
    assert_eq!(copied(&h).as_deref(), Some(pretty.as_str()));
    h.run();
    h.get_by_label_contains("Copied the createOptions of telemetry as pretty JSON");

    // The menu's escaped one-line string is what a deployment file's createOptions holds.
    h.get_by_label("Copy GPU createOptions").click();
    h.run();
    h.get_by_label("Escaped one-line string").click();
    h.step();
    let escaped = copied(&h).expect("copied");
    let inner: String = serde_json::from_str(&escaped).unwrap();
    assert_eq!(inner, serde_json::to_string(&original).unwrap());

    h.run();
    h.get_by_label("Copy GPU createOptions").click();
    h.run();
    h.get_by_label("Chunked createOptions fields").click();
    h.step();
    let chunked = copied(&h).expect("copied");
    assert!(chunked.starts_with("\"createOptions\": \""), "{chunked}");
}

fn export_dialogs(paths: &[&Path]) -> (ScriptedDialogs, Arc<Mutex<Vec<SaveRequest>>>) {
    let dialogs = ScriptedDialogs { save: paths.iter().map(|p| p.to_path_buf()).collect(), ..Default::default() };
    let requests = dialogs.requests.clone();
    (dialogs, requests)
}

#[test]
fn export_writes_exactly_what_the_cli_writes_for_the_same_decisions() {
    let dir = tempfile::tempdir().unwrap();
    let input = temp_input(dir.path());
    let (out, decisions, report) =
        (dir.path().join("app.gpu.json"), dir.path().join("d.json"), dir.path().join("r.md"));
    let (dialogs, requests) = export_dialogs(&[&out, &decisions, &report]);
    let mut h = harness(Some(input.clone()), dialogs);
    assert!(h.query_by_label_contains("Sample manifest").is_none(), "a file given on the command line is opened");

    select(&mut h, "ImageProcessor");
    click_in_card(&mut h, MODELS_CARD, "Accept");
    click_in_card(&mut h, IMAGES_CARD, "Reject");
    select(&mut h, "CameraCapture");
    h.get_by_label_contains("Accept safe fixes here").click();
    h.run();

    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::S);
    h.run();
    assert!(out.exists(), "Ctrl+S exported through the dialog's path");
    h.get_by_label_contains("Exported the GPU manifest");
    h.get_by_label("File").click();
    h.run();
    h.get_by_label_contains("Export decisions file...").click();
    h.run();
    h.get_by_label("File").click();
    h.run();
    h.get_by_label_contains("Export migration report...").click();
    h.run();
    let names: Vec<String> = requests.lock().unwrap().iter().map(|r| r.file_name.clone()).collect();
    assert_eq!(names, ["deployment.gpu.json", "deployment.decisions.json", "deployment.migration.md"]);
    assert_eq!(requests.lock().unwrap()[0].directory.as_deref(), Some(dir.path()));

    let cli_out = dir.path().join("cli.gpu.json");
    let cli_report = dir.path().join("cli.md");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_fpga2gpu"))
        .arg("migrate")
        .arg(&input)
        .args(["--accept", "none", "--decisions"])
        .arg(&decisions)
        .arg("-o")
        .arg(&cli_out)
        .arg("--report")
        .arg(&cli_report)
        .status()
        .unwrap();
    assert_ne!(status.code(), Some(2), "the CLI wrote its output");
    let app_text = std::fs::read_to_string(&out).unwrap();
    assert_eq!(app_text, std::fs::read_to_string(&cli_out).unwrap());
    assert_ne!(app_text, std::fs::read_to_string(&input).unwrap(), "the decisions changed something");
    assert_eq!(std::fs::read_to_string(&report).unwrap(), std::fs::read_to_string(&cli_report).unwrap());
    assert!(h.query_by_label("not exported").is_none(), "exported decisions are not pending any more");
}

#[test]
fn export_asks_before_overwriting_and_before_writing_over_the_input() {
    let dir = tempfile::tempdir().unwrap();
    let input = temp_input(dir.path());
    let existing = dir.path().join("existing.json");
    std::fs::write(&existing, "keep me").unwrap();
    let (dialogs, _) = export_dialogs(&[&existing, &existing, &input]);
    let mut h = harness(Some(input.clone()), dialogs);
    select(&mut h, "ImageProcessor");
    click_in_card(&mut h, MODELS_CARD, "Accept");

    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::S);
    h.run();
    h.get_by_label("Replace the file?");
    h.get_by_label("Cancel").click();
    h.run();
    assert_eq!(std::fs::read_to_string(&existing).unwrap(), "keep me", "cancel writes nothing");

    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::S);
    h.run();
    h.get_by_label("Replace").click();
    h.run();
    assert!(std::fs::read_to_string(&existing).unwrap().contains("\"Source\\\":\\\"models\\\""));

    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::S);
    h.run();
    h.get_by_label("Overwrite the input file?");
    h.get_by_label("Cancel").click();
    h.run();
    assert_eq!(std::fs::read_to_string(&input).unwrap(), std::fs::read_to_string(SAMPLE).unwrap());
}

/// Item 2: files the app writes can be read by others: a new one gets the umask, a replaced one
/// keeps its mode.
#[cfg(unix)]
#[test]
fn exported_files_get_the_permissions_of_a_copy() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o7777;
    let dir = tempfile::tempdir().unwrap();
    let input = temp_input(dir.path());
    let reference = dir.path().join("reference");
    std::fs::File::create(&reference).unwrap();
    let (new, kept) = (dir.path().join("new.gpu.json"), dir.path().join("kept.gpu.json"));
    std::fs::write(&kept, "old").unwrap();
    std::fs::set_permissions(&kept, std::fs::Permissions::from_mode(0o664)).unwrap();
    let (dialogs, _) = export_dialogs(&[&new, &kept]);
    let mut h = harness(Some(input), dialogs);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::S);
    h.run();
    assert_eq!(mode(&new), mode(&reference), "a new export is readable as any new file is");
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::S);
    h.run();
    h.get_by_label("Replace").click();
    h.run();
    assert_ne!(std::fs::read_to_string(&kept).unwrap(), "old");
    assert_eq!(mode(&kept), 0o664, "a replaced export keeps its mode");
}

/// Item 1: without a desktop portal, every file dialog is drawn in the window. The save dialog
/// starts in the input's folder with the proposed name, which has the keyboard focus; a full path
/// typed there and Enter saves there.
#[test]
fn without_a_portal_the_in_window_dialog_opens_and_saves() {
    let dir = tempfile::tempdir().unwrap();
    let input = temp_input(dir.path());
    let elsewhere = tempfile::tempdir().unwrap();
    let dialogs = ScriptedDialogs { unavailable: true, ..Default::default() };
    let mut h = harness(Some(input.clone()), dialogs);
    select(&mut h, "ImageProcessor");
    click_in_card(&mut h, MODELS_CARD, "Accept");

    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::S);
    h.run();
    let name = h.get_by_label(FILE_NAME_LABEL);
    assert!(name.is_focused(), "the file name has the keyboard focus");
    assert_eq!(name.value().as_deref(), Some("deployment.gpu.json"));
    assert_eq!(h.get_by_label(FOLDER_LABEL).value().as_deref(), Some(dir.path().to_str().unwrap()));
    h.key_press(egui::Key::Enter);
    h.run();
    let out = dir.path().join("deployment.gpu.json");
    assert!(std::fs::read_to_string(&out).unwrap().contains("\"Source\\\":\\\"models\\\""), "Enter saved it");
    assert!(h.query_by_label(FILE_NAME_LABEL).is_none(), "the dialog closed");

    // A full path typed over the (selected) proposed name.
    let typed = elsewhere.path().join("decisions-for-ci.json");
    h.get_by_label("File").click();
    h.run();
    h.get_by_label_contains("Export decisions file...").click();
    h.run();
    h.get_by_label(FILE_NAME_LABEL).type_text(typed.to_str().unwrap());
    h.run();
    h.key_press(egui::Key::Enter);
    h.run();
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&typed).unwrap()).unwrap();
    assert_eq!(saved["decisions"].as_array().map(Vec::len), Some(1));

    // Replacing a file asks first, in-window too.
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::S);
    h.run();
    h.key_press(egui::Key::Enter);
    h.run();
    h.get_by_label("Replace the file?");
    h.get_by_label("Cancel").click();
    h.run();

    // Opening: a path typed in the in-window open dialog.
    let other = elsewhere.path().join("other.json");
    std::fs::write(&other, std::fs::read_to_string(SAMPLE).unwrap().replace("telemetry", "metrics")).unwrap();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::O);
    h.run();
    h.get_by_label(FILE_NAME_LABEL).focus();
    h.run();
    h.get_by_label(FILE_NAME_LABEL).type_text(other.to_str().unwrap());
    h.run();
    h.key_press(egui::Key::Enter);
    h.run();
    h.get_by_label("metrics");
    assert_eq!(h.state().session().source(), &Source::File(other));
}

#[test]
fn the_quit_question_offers_what_works_and_claims_no_shortcut() {
    let mut h = harness(None, ScriptedDialogs { unavailable: true, ..Default::default() });
    select(&mut h, "ImageProcessor");
    click_in_card(&mut h, MODELS_CARD, "Accept");
    h.input_mut().viewports.entry(egui::ViewportId::ROOT).or_default().events.push(egui::ViewportEvent::Close);
    h.step();
    let commands = &h.output().viewport_output[&egui::ViewportId::ROOT].commands;
    assert!(commands.contains(&egui::ViewportCommand::CancelClose), "{commands:?}");
    h.run();
    h.get_by_label("Quit without exporting?");
    assert!(h.query_by_label_contains("Ctrl").is_none(), "no shortcut is claimed while the question is open");
    h.get_by_label_contains("Export decisions file...").click();
    h.run();
    h.get_by_label(FILE_NAME_LABEL);
    assert!(h.query_by_label("Quit without exporting?").is_none());
}

/// Item 6: another file is read first. A bad one changes nothing and says which file failed; a
/// good one asks before dropping decisions.
#[test]
fn opening_another_file_reads_it_before_asking_to_drop_decisions() {
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.json");
    std::fs::write(&broken, "{\n  \"modulesContent\": {\n    \"$edgeAgent\": {,\n  }\n}\n").unwrap();
    let good = dir.path().join("good.json");
    std::fs::write(&good, std::fs::read_to_string(SAMPLE).unwrap().replace("telemetry", "metrics")).unwrap();
    let dialogs = ScriptedDialogs { open: vec![broken, good.clone(), good.clone()], ..Default::default() };
    let mut h = harness(None, dialogs);
    select(&mut h, "ImageProcessor");
    click_in_card(&mut h, MODELS_CARD, "Accept");

    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::O);
    h.run();
    assert!(h.query_by_label("Drop your decisions?").is_none(), "a bad file is no reason to ask");
    let error = h.state().error().expect("an error banner").to_owned();
    assert!(error.contains("broken.json") && error.contains("line 3, column"), "{error}");
    assert!(error.contains("sample.deployment.json is still open, with your decisions"), "{error}");
    assert!(!error.contains("previous document"), "{error}");
    assert!(side_shows(&h, "GPU", "\"Source\": \"models\""), "the document and its decisions stay");
    h.get_by_label("Dismiss").click();
    h.run();
    assert!(h.state().error().is_none());

    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::O);
    h.run();
    h.get_by_label("Drop your decisions?");
    h.get_by_label_contains("Opening good.json drops them");
    h.get_by_label("Cancel").click();
    h.run();
    assert_eq!(h.state().session().decisions().len(), 1, "cancel keeps the decisions");
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::O);
    h.run();
    h.get_by_label("Drop them and open").click();
    h.run();
    h.get_by_label("metrics");
    assert!(h.state().session().decisions().is_empty());
}

/// Item 7: the manifest changed on disk since it was opened: the app says so before exporting,
/// reloads, keeps the decisions that still match and lists those that do not.
#[test]
fn a_manifest_changed_on_disk_is_reloaded_keeping_the_decisions_that_still_match() {
    let dir = tempfile::tempdir().unwrap();
    let input = temp_input(dir.path());
    let out = dir.path().join("out.json");
    let (dialogs, _) = export_dialogs(&[&out]);
    let mut h = harness(Some(input.clone()), dialogs);
    select(&mut h, "ImageProcessor");
    click_in_card(&mut h, MODELS_CARD, "Accept");
    select(&mut h, "telemetry");
    h.get_by_label_contains("Accept safe fixes here").click();
    h.run();
    let before = h.state().session().decisions().len();
    assert!(before >= 2);

    // Another program removes the telemetry module.
    let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(&input).unwrap()).unwrap();
    let modules = doc.pointer_mut("/modulesContent/$edgeAgent/properties.desired/modules").unwrap();
    modules.as_object_mut().unwrap().remove("telemetry");
    std::fs::write(&input, serde_json::to_string_pretty(&doc).unwrap()).unwrap();

    // Coming back to the window: a banner says so.
    h.event(egui::Event::WindowFocused(true));
    h.run();
    h.get_by_label_contains("changed on disk since it was opened");

    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::S);
    h.run();
    h.get_by_label("The manifest changed on disk");
    assert!(!out.exists(), "nothing is exported from the old version without asking");
    h.get_by_label("Reload first").click();
    h.run();
    assert!(h.query_by_label("telemetry").is_none(), "the new version is open");
    h.get_by_label("Decisions that no longer match");
    assert!(h.query_all_by_label_contains("on telemetry").next().is_some(), "the telemetry decisions are listed");
    h.get_by_label("OK").click();
    h.run();
    assert_eq!(status_of(&h, "STO001", "ImageProcessor", "models"), Status::Accepted);
    let s = h.state().session();
    assert!(s.decisions().keys().all(|k| k.module.as_deref() != Some("telemetry")));
    assert!(!s.changed_on_disk());
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::S);
    h.run();
    assert!(out.exists(), "the reloaded manifest exports without a question");
}

/// Item 7 for decisions files: importing applies the file's device profile and its decisions that
/// match, and lists the others.
#[test]
fn importing_a_decisions_file_applies_its_device_and_lists_what_no_longer_matches() {
    let dir = tempfile::tempdir().unwrap();
    let input = temp_input(dir.path());
    let file = dir.path().join("deployment.decisions.json");
    let (mut dialogs, _) = export_dialogs(&[&file]);
    dialogs.open = vec![file.clone()];
    let mut h = harness(Some(input), dialogs);
    select(&mut h, "ImageProcessor");
    click_in_card(&mut h, MODELS_CARD, "Accept");
    h.key_press_modifiers(egui::Modifiers::COMMAND | egui::Modifiers::SHIFT, egui::Key::S);
    h.run();
    assert!(file.exists(), "Ctrl+Shift+S exported the decisions");

    // Edited elsewhere: another device, and a decision about a module this manifest lacks.
    let mut saved: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    saved["device"]["gpus"] = Value::from(2);
    saved["decisions"].as_array_mut().unwrap().push(serde_json::json!({
        "rule": "STO001", "module": "ghost", "decision": "reject"
    }));
    std::fs::write(&file, serde_json::to_string_pretty(&saved).unwrap()).unwrap();
    h.get_by_label("Edit").click();
    h.run();
    h.get_by_label("Clear all decisions").click();
    h.run();
    assert!(h.state().session().decisions().is_empty());

    h.get_by_label("File").click();
    h.run();
    h.get_by_label("Import decisions...").click();
    h.run();
    assert_eq!(h.state().session().device().gpus, 2, "the file's device profile is applied");
    assert_eq!(status_of(&h, "STO001", "ImageProcessor", "models"), Status::Accepted);
    h.get_by_label("Decisions that no longer match");
    h.get_by_label_contains("STO001 on ghost");
}

/// Items 3 and 4: a typed value is checked by its rule before Accept is enabled, and says what is
/// expected; typing over an accepted value un-accepts it, so field and status agree.
#[test]
fn typed_values_are_checked_by_their_rule_and_the_field_always_shows_the_decision() {
    let mut h = harness(Some(fixture("OTH002")), ScriptedDialogs::default());
    select(&mut h, "Image_Processor");
    let card = "OTH002 finding";
    let field = "new module name:";
    type_over(&mut h, card, field, "bad name!");
    let accept = h.get_by_label_contains(card).get_by_label("Accept");
    assert!(accept.accesskit_node().is_disabled(), "an invalid name cannot be accepted");
    h.get_by_label_contains(card).get_by_label_contains("Not yet: OTH002");
    type_over(&mut h, card, field, "image-proc");
    assert!(!h.get_by_label_contains(card).get_by_label("Accept").accesskit_node().is_disabled());
    assert!(h.get_by_label_contains(card).query_by_label_contains("Not yet").is_none());
    click_in_card(&mut h, card, "Accept");
    assert_eq!(status_of(&h, "OTH002", "Image_Processor", ""), Status::Edited);

    // Typing over the accepted value: no longer accepted, and the view says so.
    type_over(&mut h, card, field, "image-proc-2");
    assert_eq!(status_of(&h, "OTH002", "Image_Processor", ""), Status::Open);
    h.get_by_label_contains(card).get_by_label("open");
    assert_eq!(h.get_by_label_contains(card).get_by_label(field).value().as_deref(), Some("image-proc-2"));
    // Undo brings the accepted value back, into the field too (Escape first: in the field,
    // Ctrl+Z is the field's own undo).
    h.key_press(egui::Key::Escape);
    h.run();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    h.run();
    assert_eq!(status_of(&h, "OTH002", "Image_Processor", ""), Status::Edited);
    assert_eq!(h.get_by_label_contains(card).get_by_label(field).value().as_deref(), Some("image-proc"));

    // The fragment editor goes through the same check.
    click_in_card(&mut h, card, "Edit...");
    h.get_by_label("Fragment (JSON)").focus();
    h.run();
    h.get_by_label("Fragment (JSON)").set_text_value_accesskit("\"Bad_Name\"");
    h.run();
    assert!(h.get_by_label("Apply").accesskit_node().is_disabled());
    h.get_by_label_contains("not yet right: OTH002");
}

/// Item 3 with RES005: `lots` is no memory limit. RES005 reports an invalid quantity in
/// `k8s-experimental.resources.limits` (and the pre-flight's K8S007 would too), so it is refused.
#[test]
fn a_memory_limit_that_is_no_quantity_cannot_be_accepted() {
    let mut h = harness(Some(fixture("RES005")), ScriptedDialogs::default());
    select(&mut h, "plain");
    type_over(&mut h, "RES005 finding", "memory limit:", "lots");
    assert!(h.get_by_label_contains("RES005 finding").get_by_label("Accept").accesskit_node().is_disabled());
    h.get_by_label_contains("RES005 finding").get_by_label_contains("is not a Kubernetes memory quantity");
}

/// Item 3 with OTH001: the strategy object pasted where its type belongs (`strategy.type.type`).
/// `notype` has a strategy without a type: its fix's fragment is the type alone (`"Recreate"`),
/// so the object pasted there nests (a module without any strategy gets the whole object, where
/// `{"type": "Recreate"}` is right). OTH001 reports the object as a type the agent cannot read.
#[test]
fn a_strategy_object_pasted_as_its_type_cannot_be_applied() {
    let mut h = harness(Some(fixture("OTH001")), ScriptedDialogs::default());
    select(&mut h, "notype");
    click_in_card(&mut h, "OTH001 finding", "Edit...");
    h.get_by_label("Fragment (JSON)").focus();
    h.run();
    assert_eq!(h.get_by_label("Fragment (JSON)").value().as_deref(), Some("\"Recreate\""), "the type alone");
    h.get_by_label("Fragment (JSON)").set_text_value_accesskit("{\"type\": \"Recreate\"}");
    h.run();
    assert!(h.get_by_label("Apply").accesskit_node().is_disabled());
    h.get_by_label_contains("not yet right: OTH001");
}

/// Item 10: a value that is an object of settings gets one typed field per setting.
#[test]
fn memory_and_cpu_limits_are_typed_in_their_own_fields() {
    let mut h = harness(Some(fixture("RES005")), ScriptedDialogs::default());
    select(&mut h, "plain");
    let card = "RES005 finding";
    assert!(h.get_by_label_contains(card).query_by_label_contains("{\"memory\"").is_none(), "no JSON to type");
    type_over(&mut h, card, "memory limit:", "1Gi");
    type_over(&mut h, card, "CPU limit:", "2");
    click_in_card(&mut h, card, "Accept");
    assert!(side_shows(&h, "GPU", "\"memory\": \"1Gi\"") && side_shows(&h, "GPU", "\"cpu\": \"2\""));
    let s = h.state().session();
    let key = s.findings().iter().find(|f| f.rule == "RES005" && f.module.as_deref() == Some("plain")).unwrap().key();
    assert_eq!(s.decision(&key), Some(&Decision::Value { value: serde_json::json!({"memory": "1Gi", "cpu": "2"}) }));
    // A module with a GPU limit gets the memory field alone: the same label.
    select(&mut h, "gpu");
    h.get_by_label_contains(card).get_by_label("memory limit:");
}

/// Item 5: after an accepted rename the list, the headings and the messages use the new name.
#[test]
fn an_accepted_rename_shows_the_new_name_everywhere() {
    let mut h = harness(Some(fixture("OTH002")), ScriptedDialogs::default());
    select(&mut h, "Image_Processor");
    let new = h.get_by_label_contains("OTH002 finding").get_by_label("new module name:").value().unwrap();
    click_in_card(&mut h, "OTH002 finding", "Accept");
    assert!(h.query_by_label("Image_Processor").is_none(), "the list row shows the new name");
    h.get_by_label(&new);
    h.get_by_label(&format!("Module {new}"));
    h.get_by_label(&format!("Findings: {new}"));
    h.get_by_label("renamed from Image_Processor");
    h.event(egui::Event::Copy);
    h.run();
    h.get_by_label_contains(&format!("Copied the createOptions of {new}"));
    // The filter finds it by either name.
    h.get_by_label("Filter").focus();
    h.run();
    h.get_by_label("Filter").type_text("image_pro");
    h.run();
    h.get_by_label(&new);
}

#[test]
fn a_dropped_file_is_opened() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("dropped.json");
    let text = std::fs::read_to_string(SAMPLE).unwrap().replace("telemetry", "metrics");
    std::fs::write(&file, text).unwrap();
    let mut h = harness(None, ScriptedDialogs::default());
    h.input_mut().dropped_files.push(Arc::new(Dropped(file)));
    h.run();
    h.get_by_label("metrics");
    assert!(h.query_by_label_contains("Sample manifest").is_none());
}

/// A file dropped onto the window, as the desktop integration hands it over.
#[derive(Debug)]
struct Dropped(PathBuf);

impl egui::DroppedFile for Dropped {
    fn path(&self) -> &Path {
        &self.0
    }
    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

#[test]
fn idle_frames_do_no_migration_preview_or_highlighting_work() {
    let mut h = harness(None, ScriptedDialogs::default());
    select(&mut h, "ImageProcessor");
    let before = h.state().session().stats;
    assert!(before.highlights > 0, "the selected module was highlighted once");
    for _ in 0..20 {
        h.step();
    }
    assert_eq!(h.state().session().stats, before, "idle frames re-derive nothing");

    click_in_card(&mut h, MODELS_CARD, "Accept");
    let after = h.state().session().stats;
    assert_eq!(after.migrations, before.migrations + 1, "one migration per decision");
    assert_eq!(after.previews, before.previews + 1, "one preview per decision");
    for _ in 0..20 {
        h.step();
    }
    assert_eq!(h.state().session().stats, after);
}

/// Item 8: changed words are marked inside changed lines; both text columns scroll sideways
/// together while the line numbers stay; soft wrap instead on request.
#[test]
fn the_diff_marks_changed_words_and_both_sides_scroll_sideways_together() {
    let mut h = sized(None, ScriptedDialogs::default(), egui::vec2(1024.0, 700.0));
    select(&mut h, "ImageProcessor");
    h.get_by_label_contains("Accept safe fixes here").click();
    h.run();
    let p = h.state().preview();
    let changed: Vec<_> = p.rows().filter(|r| r.change == Change::Changed).collect();
    assert!(!changed.is_empty(), "some lines changed in place");
    for r in &changed {
        for (text, marks) in [(r.fpga.unwrap(), r.marks[0]), (r.gpu.unwrap(), r.marks[1])] {
            assert!(marks.iter().all(|m| m.end <= text.len() && m.start < m.end), "{marks:?} in {text}");
        }
        assert!(r.marks[0].len() + r.marks[1].len() > 0, "a changed line marks what changed: {r:?}");
    }
    assert!(p.rows().filter(|r| r.change == Change::Same).all(|r| r.marks.iter().all(|m| m.is_empty())));

    // The longest line both sides share, to see both move.
    let line = p
        .rows()
        .filter(|r| r.change == Change::Same)
        .map(|r| r.fpga.unwrap().to_owned())
        .max_by_key(String::len)
        .unwrap();
    let node_left = |h: &Harness<'static, App>, side: &str| {
        let (prefix, text) = (format!("{side} "), line.clone());
        let nodes: Vec<_> =
            h.query_all_by(move |n| name(n).is_some_and(|l| l.starts_with(&prefix) && l.ends_with(&text))).collect();
        nodes[0].rect().left()
    };
    let (fpga0, gpu0) = (node_left(&h, "FPGA"), node_left(&h, "GPU"));
    h.hover_at(egui::pos2(fpga0 + 40.0, h.get_by_label_contains("FPGA 1:").rect().center().y));
    h.event(egui::Event::MouseWheel {
        unit: egui::MouseWheelUnit::Point,
        delta: egui::vec2(-60.0, 0.0),
        phase: egui::TouchPhase::Move,
        source: egui::MouseWheelSource::Wheel,
        modifiers: egui::Modifiers::NONE,
    });
    h.run();
    let shift = h.state().preview_hscroll();
    assert!(shift > 0.0, "the wheel scrolled sideways");
    let (fpga1, gpu1) = (node_left(&h, "FPGA"), node_left(&h, "GPU"));
    assert!((fpga0 - fpga1 - shift).abs() < 1.0, "the FPGA text moved by {shift}: {fpga0} → {fpga1}");
    assert!((gpu0 - gpu1 - shift).abs() < 1.0, "the GPU text moved with it: {gpu0} → {gpu1}");
    h.get_by_label("Scroll both sides sideways");

    // Soft wrap (Alt+Z): nothing to scroll sideways, long lines take several rows.
    h.key_press_modifiers(egui::Modifiers::ALT, egui::Key::Z);
    h.run();
    assert_eq!(h.state().preview_hscroll(), 0.0);
    assert!(h.query_by_label("Scroll both sides sideways").is_none());
    let (prefix, text) = ("FPGA ".to_owned(), line.clone());
    let wrapped = h
        .query_all_by(move |n| name(n).is_some_and(|l| l.starts_with(&prefix) && l.ends_with(&text)))
        .next()
        .expect("the long line")
        .rect();
    let one = h.get_by_label_contains("FPGA 1:").rect();
    assert!(wrapped.height() > one.height() * 1.5, "the long line wraps: {wrapped:?} vs {one:?}");
}

#[test]
fn both_sides_scroll_together_vertically() {
    let mut h = sized(None, ScriptedDialogs::default(), egui::vec2(1440.0, 700.0));
    select(&mut h, "ImageProcessor");
    h.get_by_label_contains("Accept safe fixes here").click();
    h.run();
    assert!(side_shows(&h, "FPGA", "FPGA 1: {") && side_shows(&h, "GPU", "GPU 1: {"));
    h.get_by_label_contains("FPGA 2: ").scroll_down();
    h.run();
    assert!(!side_shows(&h, "FPGA", "FPGA 1: {"), "the FPGA side scrolled");
    assert!(!side_shows(&h, "GPU", "GPU 1: {"), "the GPU side followed");
}

/// Item 11: at 1024×700 the side-by-side view keeps a usable width, even when the findings panel
/// was dragged wide on a bigger window (egui remembers panel widths); panels can be hidden.
#[test]
fn a_small_window_keeps_the_centre_usable() {
    let mut h = sized(None, ScriptedDialogs::default(), egui::vec2(1920.0, 1000.0));
    select(&mut h, "ImageProcessor");
    let before = h.state().centre_width();
    // Drag the findings panel's edge far to the left, as on a big screen.
    let edge = h.get_by_label("Findings: ImageProcessor").rect().left() - 8.0;
    let y = 500.0;
    h.hover_at(egui::pos2(edge, y));
    h.run();
    h.drag_at(egui::pos2(edge, y));
    h.run();
    for step in 1..=7 {
        h.hover_at(egui::pos2(edge - 100.0 * step as f32, y));
        h.run();
    }
    h.drop_at(egui::pos2(edge - 700.0, y));
    h.run();
    let wide = h.state().centre_width();
    assert!(wide < before - 300.0, "the findings panel was dragged wide: {before} → {wide}");
    h.set_size(egui::vec2(1024.0, 700.0));
    h.run();
    let centre = h.state().centre_width();
    assert!(centre >= 380.0, "the centre keeps its width at 1024×700: {centre} (was {wide} on the big screen)");

    h.key_press_modifiers(egui::Modifiers::COMMAND | egui::Modifiers::ALT, egui::Key::B);
    h.run();
    assert!(h.query_by_label("Findings: ImageProcessor").is_none(), "the findings panel can be hidden");
    assert!(h.state().centre_width() > centre + 200.0);
    h.get_by_label("Show findings").click();
    h.run();
    h.get_by_label("Findings: ImageProcessor");
}

/// Item 12: Up and Down walk the list, however fast, and keep the selection in view.
#[test]
fn arrow_keys_walk_the_module_list_without_dropping_presses() {
    let mut h = harness(None, ScriptedDialogs::default());
    select(&mut h, "ImageProcessor");
    h.key_press(egui::Key::ArrowDown);
    h.run();
    assert_eq!(h.state().selected(), &Entry::Module("telemetry".into()));
    // Two presses in one frame are two steps.
    h.key_press(egui::Key::ArrowUp);
    h.key_press(egui::Key::ArrowUp);
    h.run();
    assert_eq!(h.state().selected(), &Entry::Module("CameraCapture".into()));

    let text = synth::manifest(200, 7);
    let session = Session::new(
        Source::Bytes { name: "synth.json".into() },
        Manifest::load(text.as_bytes()).unwrap(),
        Default::default(),
    );
    let mut h = Harness::builder().with_size(egui::vec2(1024.0, 700.0)).build_eframe(move |cc| {
        fpga2gpu::app::install_fonts(&cc.egui_ctx);
        App::with_session(session, Box::new(ScriptedDialogs::default()))
    });
    h.run();
    h.get_by_label("Deployment").click();
    h.run();
    // The rows in view lie between the filter field and the legend below the list.
    let in_view = |h: &Harness<'static, App>, name: &str| {
        let row = h.get_by_label("Module list").get_by_label(name).rect();
        let top = h.get_by_label("Filter").rect().bottom();
        let bottom = h.get_by_label("Check mark: every suggestion decided").rect().top();
        row.top() >= top && row.bottom() <= bottom
    };
    for step in 1..=60 {
        h.key_press(egui::Key::ArrowDown);
        h.run();
        let Entry::Module(name) = h.state().selected().clone() else { panic!("a module after {step} steps") };
        assert!(in_view(&h, &name), "step {step}: {name} is in view");
    }
    h.key_press(egui::Key::ArrowUp);
    h.run();
    let Entry::Module(name) = h.state().selected().clone() else { panic!() };
    assert!(in_view(&h, &name));
}

/// Item 12: Tab reaches every finding's Accept, Edit and Reject, and the focused button is the one
/// the keyboard's Accept and Reject act on; J and K go from finding to finding.
#[test]
fn the_keyboard_reaches_every_finding_and_decides_it() {
    let mut h = harness(None, ScriptedDialogs::default());
    select(&mut h, "ImageProcessor");
    let session = h.state().session();
    // (card, has Edit..., the value field Accept waits for when there is no proposed value)
    let cards: Vec<(String, bool, Option<String>)> = session
        .entry_findings(&Entry::Module("ImageProcessor".into()))
        .filter_map(|(_, f)| {
            let s = f.suggestion.as_ref()?;
            let waits = s.input.as_ref().filter(|i| i.default.is_none()).map(|i| format!("{}:", i.label));
            Some((format!("{} finding: {}", f.rule, f.message), s.fragment().is_some(), waits))
        })
        .collect();
    assert!(cards.len() >= 2);
    let mut reached: Vec<(String, String)> = Vec::new();
    for _ in 0..400 {
        h.key_press(egui::Key::Tab);
        h.run();
        if let Some(node) = h.query_by(|n| n.is_focused()) {
            let label = name(&node.accesskit_node()).unwrap_or_default();
            let card = std::iter::successors(node.accesskit_node().parent(), |p| p.parent())
                .find_map(|p| p.label().filter(|l| l.contains(" finding: ")));
            if let Some(card) = card {
                reached.push((card, label));
            }
        }
    }
    for (card, editable, waits) in &cards {
        // A disabled Accept takes no focus: its value field is where Tab must go instead.
        let accept = waits.as_deref().unwrap_or("Accept");
        for button in [accept, "Reject"].into_iter().chain(editable.then_some("Edit...")) {
            assert!(reached.iter().any(|(c, b)| c == card && b == button), "Tab never reached {button} of {card}");
        }
    }

    // Tab left the last finding current; afresh: J goes to the first finding, its Accept focused;
    // A accepts it, R rejects the next one.
    let mut h = harness(None, ScriptedDialogs::default());
    select(&mut h, "ImageProcessor");
    h.key_press(egui::Key::J);
    h.run();
    let first = h.state().current_finding().cloned().expect("a current finding");
    assert_eq!(first.module.as_deref(), Some("ImageProcessor"));
    let focused = h.query_by(|n| n.is_focused()).expect("a focused widget");
    assert_eq!(name(&focused.accesskit_node()).as_deref(), Some("Accept"), "its Accept has the focus");
    h.key_press(egui::Key::A);
    h.run();
    let s = h.state().session();
    assert!(matches!(s.decision(&first), Some(Decision::Accept)), "A accepted the current finding");
    h.key_press(egui::Key::J);
    h.run();
    let second = h.state().current_finding().cloned().unwrap();
    assert_ne!(first, second);
    h.key_press(egui::Key::R);
    h.run();
    assert_eq!(h.state().session().decision(&second), Some(&Decision::Reject));
    h.key_press(egui::Key::K);
    h.run();
    assert_eq!(h.state().current_finding(), Some(&first), "K goes back");
}

/// Item 12: F1 (or ?) lists every shortcut from the command catalogue.
#[test]
fn the_help_overlay_lists_the_shortcuts_of_the_catalogue() {
    use fpga2gpu::app::commands::UiCommand;
    use strum::IntoEnumIterator;
    let mut h = harness(None, ScriptedDialogs::default());
    h.key_press(egui::Key::F1);
    h.run();
    h.get_by_label("fpga2gpu keyboard shortcuts");
    let ctx = h.ctx.clone();
    for c in UiCommand::iter().filter(|c| !c.shortcuts(ctx.os()).is_empty()) {
        assert!(h.query_all_by_label(c.text()).next().is_some(), "{c:?} is listed");
        h.get_by_label(&c.keys_text(&ctx));
    }
    h.key_press(egui::Key::F1);
    h.run();
    assert!(h.query_by_label("fpga2gpu keyboard shortcuts").is_none());
    h.key_press(egui::Key::Questionmark);
    h.run();
    h.get_by_label("fpga2gpu keyboard shortcuts");
    h.key_press(egui::Key::Escape);
    h.run();
    assert!(h.query_by_label("fpga2gpu keyboard shortcuts").is_none());
}

#[test]
fn accept_all_safe_fixes_per_section_and_everywhere() {
    let mut h = harness(None, ScriptedDialogs::default());
    select(&mut h, "ImageProcessor");
    h.get_by_label("Storage section").get_by_label_contains("Accept safe fixes").click();
    h.run();
    assert!(side_shows(&h, "GPU", "\"Source\": \"models\"") && side_shows(&h, "GPU", "\"Source\": \"images\""));
    let storage = h.state().session().decisions().len();
    assert!(storage >= 2);

    let total = h.state().session().total().auto;
    h.get_by_label(&format!("Accept all safe fixes ({total})")).click();
    h.run();
    let s = h.state().session();
    assert_eq!(s.total().auto, 0, "every safe fix is decided");
    assert_eq!(s.decisions().len(), storage + total);
    // A module whose suggestions were all safe fixes is marked done.
    assert!(s.entries().iter().any(|e| s.summary(e).done()));
    h.get_by_label("Accept all safe fixes (0)");
    h.get_by_label("Undo").click();
    h.run();
    assert_eq!(h.state().session().decisions().len(), storage, "one undo step for the whole batch");
}

/// Toasts appear in the status bar, where they cover no button.
#[test]
fn messages_cover_no_button() {
    let mut h = harness(None, ScriptedDialogs::default());
    select(&mut h, "ImageProcessor");
    h.get_by_label_contains("Accept safe fixes here").click();
    h.run();
    let toast = h.get_by_label_contains("Accepted ").rect();
    let buttons: Vec<egui::Rect> = h.query_all_by_role(egui::accesskit::Role::Button).map(|b| b.rect()).collect();
    assert!(!buttons.is_empty());
    for b in buttons {
        assert!(!b.intersects(toast), "the message {toast:?} covers a button at {b:?}");
    }
}

#[test]
fn idle_frames_on_a_200_module_manifest_do_no_work() {
    let text = synth::manifest(200, 42);
    let session = Session::new(
        Source::Bytes { name: "synth.json".into() },
        Manifest::load(text.as_bytes()).unwrap(),
        fpga2gpu::device::DeviceProfile::default(),
    );
    let mut h = Harness::builder().with_size(egui::vec2(1440.0, 900.0)).build_eframe(move |cc| {
        fpga2gpu::app::install_fonts(&cc.egui_ctx);
        App::with_session(session, Box::new(ScriptedDialogs::default()))
    });
    h.run();
    assert!(matches!(h.state().selected(), Entry::Module(_)), "a module with findings is selected");
    let before = h.state().session().stats;
    for _ in 0..10 {
        h.step();
    }
    assert_eq!(h.state().session().stats, before);
    h.key_press(egui::Key::ArrowDown);
    h.run();
    let after = h.state().session().stats;
    assert_eq!(after.migrations, before.migrations, "selecting another module migrates nothing");
    assert_eq!(after.previews, before.previews + 1, "it builds that module's preview once");
}

/// Replaces the text of the Device panel's field labelled `label`.
fn type_in_field(h: &mut Harness<'static, App>, label: &str, text: &str) {
    h.get_by_label(label).focus();
    h.run();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.get_by_label(label).type_text(text);
    h.run();
}

/// The RES009 finding about an `NVIDIA_VISIBLE_DEVICES` index the device has no GPU for.
fn no_such_gpu(h: &Harness<'static, App>) -> bool {
    h.state().session().findings().iter().any(|f| f.rule == "RES009" && f.module.as_deref() == Some("wrongindex"))
}

/// Issue 10 item 2 in the app: the GPU count is a device setting; the GPU findings follow it, and
/// Apply is undone like a decision.
#[test]
fn the_device_panel_changes_the_gpu_count_and_the_gpu_findings_follow() {
    let mut h = harness(Some(fixture("RES009")), ScriptedDialogs::default());
    assert!(no_such_gpu(&h), "GPU index 1 names no GPU of a one-GPU device");
    h.get_by_label("Device...").click();
    h.run();
    assert_eq!(h.get_by_label("GPUs").value().as_deref(), Some("1"));
    type_in_field(&mut h, "GPUs", "2");
    h.get_by_label("Apply").click();
    h.run();
    assert_eq!(h.state().session().device().gpus, 2);
    assert!(!no_such_gpu(&h), "a second GPU has index 1");
    assert_eq!(h.get_by_label("GPUs").value().as_deref(), Some("2"), "the panel shows the profile in use");
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    h.run();
    assert_eq!(h.state().session().device().gpus, 1, "Ctrl+Z undoes the new profile");
    assert!(no_such_gpu(&h));
    assert_eq!(h.get_by_label("GPUs").value().as_deref(), Some("1"));
    assert!(h.state().session().decisions_json().contains("\"gpus\": 1"), "the decisions file saves the profile");
}

#[test]
fn a_number_field_refuses_text_and_says_why() {
    let mut h = harness(None, ScriptedDialogs::default());
    h.get_by_label("Device...").click();
    h.run();
    type_in_field(&mut h, "GPUs", "two");
    h.get_by_label_contains("GPUs: `two` is not a number");
    assert!(h.get_by_label("Apply").accesskit_node().is_disabled());
    type_in_field(&mut h, "Worker VM CPUs", "0");
    h.get_by_label_contains("Worker VM CPUs: `0` is not a size");
    type_in_field(&mut h, "GPUs", "3");
    assert!(h.query_by_label_contains("is not a number").is_none());
    assert!(h.get_by_label("Apply").accesskit_node().is_disabled(), "the CPU count is still wrong");
    assert_eq!(h.state().session().device().gpus, 1, "nothing was applied");
}

#[test]
fn switching_target_and_back_restores_each_targets_decisions() {
    let mut h = harness(None, ScriptedDialogs::default());
    select(&mut h, "ImageProcessor");
    click_in_card(&mut h, MODELS_CARD, "Accept");
    h.get_by_label_contains("GPU (the managed IoT Edge on Kubernetes)");
    h.get_by_label("Target: Kubernetes ▾").click();
    h.run();
    h.get_by_label("IoT Edge 1.6 in an Ubuntu VM (Microsoft's recommendation)").click();
    h.run();
    let s = h.state().session();
    assert_eq!(s.device().target, Target::Vm);
    assert!(s.decisions().is_empty(), "the VM target starts with its own decisions");
    assert_eq!(s.parked(Target::K8s), 1);
    h.get_by_label_contains("GPU (IoT Edge 1.6 in an Ubuntu VM)");
    assert_eq!(h.state().settings().target, Some(Target::Vm), "the switch is remembered");

    h.get_by_label("Target: IoT Edge 1.6 VM ▾").click();
    h.run();
    h.get_by_label("1 decision kept for this target");
    h.get_by_label("Kubernetes (managed IoT Edge on the device)").click();
    h.run();
    assert_eq!(h.state().session().device().target, Target::K8s);
    assert_eq!(status_of(&h, "STO001", "ImageProcessor", "models"), Status::Accepted, "switching back restores it");
    assert_eq!(h.state().settings().target, Some(Target::K8s));
}

#[test]
fn the_target_chooser_asks_on_the_first_manifest_opened_and_not_after() {
    let dir = tempfile::tempdir().unwrap();
    let input = temp_input(dir.path());
    let h = first_run(None, ScriptedDialogs::default());
    assert!(h.query_by_label("Which target?").is_none(), "not for the bundled sample at start");

    let dialogs = ScriptedDialogs { open: vec![fixture("OTH002")], ..Default::default() };
    let mut h = first_run(Some(input), dialogs);
    h.get_by_label("Which target?");
    h.get_by_label_contains("call this managed runtime obsolete");
    h.get_by_label("IoT Edge 1.6 in an Ubuntu VM (Microsoft's recommendation)").click();
    h.run();
    assert!(h.query_by_label("Which target?").is_none());
    assert_eq!(h.state().session().device().target, Target::Vm);
    assert_eq!(h.state().settings().target, Some(Target::Vm), "remembered in the settings");

    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::O);
    h.run();
    assert_eq!(h.state().session().source().file_name(), "OTH002.json");
    assert!(h.query_by_label("Which target?").is_none(), "asked once");
    assert_eq!(h.state().session().device().target, Target::Vm, "the next manifest keeps the target");
}

#[test]
fn the_deployment_view_lists_the_device_steps_with_their_rules() {
    let mut h = harness(None, ScriptedDialogs::default());
    assert!(h.query_by_label("Before you deploy").is_none(), "only in the Deployment view");
    h.get_by_label("Deployment").click();
    h.run();
    let list = h.get_by_label("Before you deploy");
    list.get_by_label_contains(
        "Create Edge share `images` on the GPU device, with \"Use the share with Edge compute\"",
    );
    let images = h
        .state()
        .session()
        .findings()
        .iter()
        .filter(|f| f.step.as_ref().is_some_and(|s| s.action.contains("`images`")));
    assert!(images.count() >= 2, "two bind findings ask for the share `images`");
    assert_eq!(
        h.get_by_label("Before you deploy").query_all_by_label_contains("Create Edge share `images`").count(),
        1,
        "once in the checklist"
    );
    let by = |rule: &str| {
        h.get_by_label("Before you deploy").query_all_by_label_contains(&format!("raised by {rule}")).count()
    };
    assert_eq!(by("STO001"), 2, "the shares `images` and `models`, each raised by STO001");
    assert_eq!(by("STO010"), 1, "edgeHub's share");
}

#[test]
fn a_rename_says_what_it_does_to_the_module_identity() {
    let mut h = harness(Some(fixture("OTH002")), ScriptedDialogs::default());
    select(&mut h, "Image_Processor");
    h.get_by_label_contains("OTH002 finding")
        .get_by_label_contains(&format!("host names; {}", fpga2gpu::rules::RENAME_NOTE));
    // Said once on the card: in the fix, not again beside it.
    assert_eq!(
        h.get_by_label_contains("OTH002 finding").query_all_by_label_contains("a new module identity").count(),
        1
    );
    let new = h.get_by_label_contains("OTH002 finding").get_by_label("new module name:").value().unwrap();
    click_in_card(&mut h, "OTH002 finding", "Accept");
    h.get_by_label("Deployment").click();
    h.run();
    let list = h.get_by_label("Before you deploy");
    list.get_by_label(&format!("Renamed Image_Processor → {new}"));
    list.get_by_label_contains("Note: a renamed module is a new module identity in IoT Hub");
}

/// The pre-flight on the objects the agent would create is part of the app's check, as in the
/// CLI: its findings show in the panel of their section, with their id.
#[test]
fn pre_flight_findings_show_in_their_section() {
    let mut h = harness(Some(fixture("K8S003")), ScriptedDialogs::default());
    select(&mut h, "recorder");
    h.get_by_label("Storage section").get_by_label_contains("K8S003 finding: two volumes are mounted at `/data`");
    // The VM target has no Kubernetes objects, so no pre-flight.
    h.state_mut().choose_target(Target::Vm);
    h.run();
    assert!(h.state().session().findings().iter().all(|f| !f.rule.starts_with("K8S")));
    assert!(h.query_by_label_contains("K8S003 finding").is_none());
}

// The Kubernetes view (issue 9, its app part).

/// Opens the Kubernetes view with its shortcut (Ctrl+K, from the command catalogue).
fn open_kubernetes(h: &mut Harness<'static, App>) {
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::K);
    h.run();
    assert!(h.state().kubernetes_open());
}

fn select_deployment(h: &mut Harness<'static, App>) {
    h.get_by_label("Deployment").click();
    h.run();
    assert_eq!(h.state().selected(), &Entry::Deployment);
}

/// The YAML lines the Kubernetes view shows after the decisions (all of them, in view or not).
fn kubernetes_text(h: &Harness<'static, App>) -> String {
    h.state().kubernetes_preview().rows().filter_map(|r| r.gpu).collect::<Vec<_>>().join("\n")
}

#[test]
fn the_kubernetes_view_shows_the_objects_the_agent_would_create() {
    let mut h = harness(None, ScriptedDialogs::default());
    select(&mut h, "ImageProcessor");
    h.get_by_label("Kubernetes objects").click();
    h.run();
    assert!(h.state().kubernetes_open());
    // The module's objects under its sanitised name, highlighted YAML in place of the diff.
    assert!(side_shows(&h, "Kubernetes", "kind: Deployment"));
    h.get_by_label("Deployment imageprocessor");
    h.get_by_label("Service imageprocessor");
    h.get_by_label_contains("Deployment imageprocessor (2 containers), Service imageprocessor LoadBalancer 2 ports");
    assert!(!side_shows(&h, "FPGA", "Binds"), "the createOptions diff is not shown");
    let yaml = kubernetes_text(&h);
    assert!(yaml.contains("  name: imageprocessor"), "{yaml}");
    assert!(yaml.contains("path: /home/hcsshares/models"), "the FPGA bind is still a hostPath");

    // The deployment: every module in a line, and the totals.
    select_deployment(&mut h);
    h.get_by_label("4 Services (3 LoadBalancer, 1 ClusterIP), 3 external IPs needed, 0 PVCs, GPUs: 0 of 1");
    h.get_by_label("3 objects: Deployment imageprocessor (2 containers), Service imageprocessor LoadBalancer 2 ports");

    // A module's line selects it (the list names it too: that comes first).
    h.query_all_by_label("ImageProcessor").last().expect("a line of the deployment's list").click();
    h.run();
    assert_eq!(h.state().selected(), &Entry::Module("ImageProcessor".into()));
    assert!(side_shows(&h, "Kubernetes", "kind: Deployment"));

    // Back to the createOptions.
    h.get_by_label("createOptions diff").click();
    h.run();
    assert!(!h.state().kubernetes_open());
    assert!(side_shows(&h, "FPGA", "\"/home/hcsshares/models:/models:ro\""));
    assert!(!side_shows(&h, "Kubernetes", "kind: Deployment"));
}

#[test]
fn decisions_change_the_kubernetes_objects_and_the_diff_marks_them() {
    let mut h = harness(None, ScriptedDialogs::default());
    select(&mut h, "ImageProcessor");
    open_kubernetes(&mut h);
    let before = kubernetes_text(&h);
    assert!(!before.contains("claimName: models") && !before.contains("nvidia.com/gpu"), "{before}");

    // STO001: the share becomes a volume mount, which the agent turns into a claim.
    click_in_card(&mut h, MODELS_CARD, "Accept");
    let yaml = kubernetes_text(&h);
    assert!(yaml.contains("claimName: models"), "{yaml}");
    assert!(!yaml.contains("path: /home/hcsshares/models"), "{yaml}");
    // RES003: the pod asks for the GPU.
    h.get_by_label_contains("RES003 finding").get_by_label("Accept").click();
    h.run();
    assert_eq!(status_of(&h, "RES003", "ImageProcessor", "catapult"), Status::Accepted);
    assert!(kubernetes_text(&h).contains("nvidia.com/gpu"));

    // Diff vs original: the original manifest's objects beside them, the changed lines marked.
    h.get_by_label("Diff vs original").click();
    h.run();
    let p = h.state().kubernetes_preview();
    assert!(p.changed > 0);
    let rows: Vec<_> = p.rows().collect();
    assert!(rows.iter().any(|r| r.change == Change::Added && r.gpu.is_some_and(|l| l.contains("claimName: models"))));
    assert!(
        rows.iter()
            .any(|r| r.change == Change::Removed && r.fpga.is_some_and(|l| l.contains("/home/hcsshares/models")))
    );
    assert!(rows.iter().any(|r| r.change == Change::Same && r.fpga == Some("kind: Deployment")));
    h.get_by_label_contains("After your decisions: ");
    assert!(side_shows(&h, "Original", "kind: Deployment"));
}

#[test]
fn a_module_the_agent_refuses_shows_why_instead_of_objects() {
    let mut h = harness(Some(fixture("K8S001")), ScriptedDialogs::default());
    select(&mut h, "camera");
    open_kubernetes(&mut h);
    let why = {
        let m = Manifest::load(&std::fs::read(fixture("K8S001")).unwrap()).unwrap();
        let objects = fpga2gpu::k8s::translate(&m, &fpga2gpu::device::DeviceProfile::default());
        objects.into_iter().find(|o| o.module == "camera").and_then(|o| o.error).expect("the agent refuses camera")
    };
    h.get_by_label(&format!("The agent would refuse camera: {why}"));
    assert!(!side_shows(&h, "Kubernetes", "kind:"), "no objects for a refused module");
    // The other module of the file still has its objects.
    select(&mut h, "ok");
    assert!(side_shows(&h, "Kubernetes", "kind: Deployment"));
}

#[test]
fn copy_yaml_puts_the_objects_on_the_clipboard_as_the_cli_prints_them() {
    let mut h = harness(None, ScriptedDialogs::default());
    select(&mut h, "ImageProcessor");
    open_kubernetes(&mut h);
    click_in_card(&mut h, MODELS_CARD, "Accept");
    h.get_by_label("Copy YAML").click();
    h.step();
    let yaml = copied(&h).expect("copied");
    // What `fpga2gpu k8s` prints for the migrated manifest's module.
    let migrated = h.state().session().outcome().reload(h.state().session().manifest()).unwrap();
    let objects = fpga2gpu::k8s::translate(&migrated, h.state().session().device());
    let module = objects.iter().find(|m| m.module == "ImageProcessor").unwrap();
    assert_eq!(yaml, module.to_yaml());
    assert!(yaml.starts_with("---\n# module ImageProcessor: ServiceAccount imageprocessor\n"), "{yaml}");
    assert!(yaml.contains("claimName: models"), "after the decision");
    h.run();
    h.get_by_label_contains("Copied the Kubernetes objects of ImageProcessor as YAML");

    // Ctrl+C copies what the centre shows: on this tab the objects, not the createOptions.
    h.event(egui::Event::Copy);
    h.step();
    assert_eq!(copied(&h).as_deref(), Some(yaml.as_str()));
    h.run();

    // One object: as kubectl reads it, without the module's comment.
    h.get_by_label("Copy one object").click();
    h.run();
    h.get_by_role_and_label(egui::accesskit::Role::Button, "Service imageprocessor").click();
    h.step();
    assert_eq!(copied(&h), module.service().map(|s| fpga2gpu::k8s::Object::Service(s.clone()).to_yaml()));
    h.run();
    h.get_by_label_contains("Copied Service imageprocessor as YAML");

    // The deployment: every module's.
    select_deployment(&mut h);
    h.get_by_label("Copy YAML").click();
    h.step();
    assert_eq!(copied(&h), Some(fpga2gpu::k8s::to_yaml(&objects)));
}

#[test]
fn the_vm_target_has_no_kubernetes_view() {
    let manifest = Manifest::load(&std::fs::read(SAMPLE).unwrap()).unwrap();
    let device = fpga2gpu::device::DeviceProfile { target: fpga2gpu::device::Target::Vm, ..Default::default() };
    let session = Session::new(Source::Sample, manifest, device);
    let mut h = Harness::builder().with_size(egui::vec2(1440.0, 1600.0)).build_eframe(move |cc| {
        fpga2gpu::app::install_fonts(&cc.egui_ctx);
        App::with_session(session, Box::new(ScriptedDialogs::default()))
    });
    h.run();
    select(&mut h, "ImageProcessor");
    assert!(h.query_by_label("Kubernetes objects").is_none(), "no tab");
    h.get_by_label_contains("VM target: IoT Edge 1.6 in the VM runs the createOptions as Docker does");
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::K);
    h.run();
    assert!(!h.state().kubernetes_open());
    assert!(side_shows(&h, "GPU", "Binds"), "the createOptions stay");
}

#[test]
fn idle_frames_in_the_kubernetes_view_translate_and_highlight_nothing() {
    let mut h = harness(None, ScriptedDialogs::default());
    select(&mut h, "ImageProcessor");
    let before = h.state().session().stats;
    open_kubernetes(&mut h);
    let open = h.state().session().stats;
    assert_eq!(open.translations, before.translations + 1, "the module before and after the decisions, once");
    assert!(open.highlights > before.highlights);
    for _ in 0..20 {
        h.step();
    }
    assert_eq!(h.state().session().stats, open, "idle frames re-derive nothing");

    click_in_card(&mut h, MODELS_CARD, "Accept");
    let after = h.state().session().stats;
    assert_eq!(after.translations, open.translations + 1, "once per decision");
    for _ in 0..20 {
        h.step();
    }
    assert_eq!(h.state().session().stats, after);
}
