//! The desktop app, driven through its widgets (found by their AccessKit labels) with egui_kittest,
//! headless. These tests do not render pixels; `app_snapshots.rs` does.

#[path = "support/synth.rs"]
#[allow(dead_code)]
mod synth;

use eframe::egui;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use fpga2gpu::app::App;
use fpga2gpu::app::dialogs::{SaveRequest, ScriptedDialogs};
use fpga2gpu::app::session::Entry;
use fpga2gpu::manifest::Manifest;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/sample.deployment.json");
/// The models bind of the sample's ImageProcessor: an STO001 auto fix (share `models`).
const MODELS_CARD: &str = "STO001 finding: bind `/home/hcsshares/models:/models:ro`";

/// A tall window, so the side-by-side view shows whole modules.
fn harness(file: Option<PathBuf>, dialogs: ScriptedDialogs) -> Harness<'static, App> {
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

/// Is a line containing `text` shown on that side ("FPGA" or "GPU")?
fn side_shows(h: &Harness<'static, App>, side: &str, text: &str) -> bool {
    h.get_by_label(&format!("{side} side")).query_by_label_contains(text).is_some()
}

fn click_in_card(h: &mut Harness<'static, App>, card: &str, button: &str) {
    h.get_by_label_contains(card).get_by_label(button).click();
    h.run();
}

/// The clipboard text the last frame handed to the platform.
fn copied(h: &Harness<'static, App>) -> Option<String> {
    h.output().platform_output.commands.iter().find_map(|c| match c {
        egui::OutputCommand::CopyText(t) => Some(t.clone()),
        _ => None,
    })
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
    h.get_by_label_contains("STO001 finding: bind `/home/hcsshares/images:/images`");
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
    let editor = h.get_by_label("Fragment (JSON)");
    editor.focus();
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
    h.get_by_label_contains("Valid JSON");
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
    let input = dir.path().join("deployment.json");
    std::fs::copy(SAMPLE, &input).unwrap();
    let (out, decisions, report) =
        (dir.path().join("app.gpu.json"), dir.path().join("d.json"), dir.path().join("r.md"));
    let (dialogs, requests) = export_dialogs(&[&out, &decisions, &report]);
    let mut h = harness(Some(input.clone()), dialogs);
    assert!(h.query_by_label_contains("Sample manifest").is_none(), "a file given on the command line is opened");

    select(&mut h, "ImageProcessor");
    click_in_card(&mut h, MODELS_CARD, "Accept");
    click_in_card(&mut h, "STO001 finding: bind `/home/hcsshares/images:/images`", "Reject");
    select(&mut h, "CameraCapture");
    h.get_by_label_contains("Accept auto fixes here").click();
    h.run();

    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::S);
    h.run();
    assert!(out.exists(), "Ctrl+S exported through the dialog's path");
    h.get_by_label_contains("Exported the GPU manifest");
    h.get_by_label("File").click();
    h.run();
    h.get_by_label("Export decisions file...").click();
    h.run();
    h.get_by_label("File").click();
    h.run();
    h.get_by_label("Export migration report...").click();
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
    let input = dir.path().join("deployment.json");
    std::fs::copy(SAMPLE, &input).unwrap();
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

#[test]
fn a_broken_file_shows_its_error_and_keeps_the_previous_document() {
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.json");
    std::fs::write(&broken, "{\n  \"modulesContent\": {\n    \"$edgeAgent\": {,\n  }\n}\n").unwrap();
    let dialogs = ScriptedDialogs { open: vec![broken], ..Default::default() };
    let mut h = harness(None, dialogs);
    select(&mut h, "ImageProcessor");
    click_in_card(&mut h, MODELS_CARD, "Accept");

    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::O);
    h.run();
    // Decisions not exported: the app asks before dropping them.
    h.get_by_label("Drop your decisions?");
    h.get_by_label("Drop them and open").click();
    h.run();
    let error = h.state().error().expect("an error banner").to_owned();
    assert!(error.contains("broken.json") && error.contains("line 3, column"), "{error}");
    h.get_by_label_contains("Could not open");
    h.get_by_label_contains("Sample manifest");
    assert!(side_shows(&h, "GPU", "\"Source\": \"models\""), "the previous document and its decisions stay");
    h.get_by_label("Dismiss").click();
    h.run();
    assert!(h.state().error().is_none());
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

#[test]
fn closing_with_unexported_decisions_asks_first() {
    let mut h = harness(None, ScriptedDialogs::default());
    select(&mut h, "ImageProcessor");
    click_in_card(&mut h, MODELS_CARD, "Accept");
    h.input_mut().viewports.entry(egui::ViewportId::ROOT).or_default().events.push(egui::ViewportEvent::Close);
    h.step();
    let commands = &h.output().viewport_output[&egui::ViewportId::ROOT].commands;
    assert!(commands.contains(&egui::ViewportCommand::CancelClose), "{commands:?}");
    h.run();
    h.get_by_label("Quit without exporting?");
    h.get_by_label("Cancel").click();
    h.run();
    assert!(h.query_by_label("Quit without exporting?").is_none());
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

#[test]
fn arrow_keys_walk_the_module_list() {
    let mut h = harness(None, ScriptedDialogs::default());
    select(&mut h, "ImageProcessor");
    h.key_press(egui::Key::ArrowDown);
    h.run();
    assert_eq!(h.state().selected(), &Entry::Module("telemetry".into()));
    h.key_press(egui::Key::ArrowUp);
    h.key_press(egui::Key::ArrowUp);
    h.run();
    assert_eq!(h.state().selected(), &Entry::Module("CameraCapture".into()));
}

#[test]
fn accept_all_auto_fixes_per_section_and_everywhere() {
    let mut h = harness(None, ScriptedDialogs::default());
    select(&mut h, "ImageProcessor");
    h.get_by_label("Storage section").get_by_label_contains("Accept auto fixes").click();
    h.run();
    assert!(side_shows(&h, "GPU", "\"Source\": \"models\"") && side_shows(&h, "GPU", "\"Source\": \"images\""));
    assert_eq!(h.state().session().decisions().len(), 2);

    let total = h.state().session().total().auto;
    h.get_by_label(&format!("Accept all auto fixes ({total})")).click();
    h.run();
    let s = h.state().session();
    assert_eq!(s.total().auto, 0, "every auto fix is decided");
    assert_eq!(s.decisions().len(), 2 + total);
    // A module whose suggestions were all auto fixes is marked done.
    assert!(s.entries().iter().any(|e| s.summary(e).done()));
    h.get_by_label("Accept all auto fixes (0)");
    h.get_by_label("Undo").click();
    h.run();
    assert_eq!(h.state().session().decisions().len(), 2, "one undo step for the whole batch");
}

#[test]
fn both_sides_scroll_together() {
    let mut h = Harness::builder()
        .with_size(egui::vec2(1440.0, 700.0))
        .build_eframe(|cc| App::new(cc, None, Box::new(ScriptedDialogs::default())));
    h.run();
    select(&mut h, "ImageProcessor");
    h.get_by_label_contains("Accept auto fixes here").click();
    h.run();
    assert!(side_shows(&h, "FPGA", "FPGA 1: {") && side_shows(&h, "GPU", "GPU 1: {"));
    h.get_by_label("FPGA side").get_by_label_contains("FPGA 2: ").scroll_down();
    h.run();
    assert!(!side_shows(&h, "FPGA", "FPGA 1: {"), "the FPGA side scrolled");
    assert!(!side_shows(&h, "GPU", "GPU 1: {"), "the GPU side followed");
}

#[test]
fn idle_frames_on_a_200_module_manifest_do_no_work() {
    use fpga2gpu::app::session::{Session, Source};
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
