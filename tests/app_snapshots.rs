//! Pictures of the desktop app, rendered headless by egui_kittest through wgpu.
//!
//! - Snapshot tests of the main screen in light and dark themes, of a 1024×700 window, and of the
//!   keyboard's focus, against `tests/snapshots/*.png`. After a deliberate change of the screen
//!   (or of a rule's wording), refresh them with `UPDATE_SNAPSHOTS=1 cargo test --test app_snapshots`
//!   and look at the new PNGs.
//! - `screenshots` (ignored by default) writes the README's pictures to `screenshots/`:
//!   `cargo test --test app_snapshots -- --ignored screenshots`.
//!
//! Rendering needs a Vulkan driver: lavapipe (`mesa-vulkan-drivers libvulkan1`) with
//! `WGPU_BACKEND=vulkan` and `XDG_RUNTIME_DIR` set (scripts/test.sh does both).

use eframe::egui;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use fpga2gpu::app::App;
use fpga2gpu::app::dialogs::ScriptedDialogs;
use fpga2gpu::app::session::Command;
use fpga2gpu::device::Target;
use fpga2gpu::migrate::Policy;
use std::path::{Path, PathBuf};

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/sample.deployment.json");

fn app(theme: egui::Theme, size: egui::Vec2, file: Option<PathBuf>, dialogs: ScriptedDialogs) -> Harness<'static, App> {
    let mut h = Harness::builder().with_size(size).with_theme(theme).build_eframe(move |cc| {
        let mut app = App::new(cc, file, Box::new(dialogs));
        // As an engineer who chose the target on the first manifest opened.
        app.choose_target(Target::K8s);
        app
    });
    h.run();
    h
}

const BIG: egui::Vec2 = egui::vec2(1440.0, 900.0);
const SMALL: egui::Vec2 = egui::vec2(1024.0, 700.0);

/// The sample with ImageProcessor selected and its safe fixes accepted: findings in several
/// sections, changed lines on the GPU side, input fixes still open.
fn busy(
    theme: egui::Theme,
    size: egui::Vec2,
    file: Option<PathBuf>,
    dialogs: ScriptedDialogs,
) -> Harness<'static, App> {
    let mut h = app(theme, size, file, dialogs);
    h.get_by_label("ImageProcessor").click();
    h.run();
    h.get_by_label_contains("Accept safe fixes here").click();
    h.run();
    h
}

#[test]
fn main_screen_light() {
    let mut h = busy(egui::Theme::Light, BIG, None, ScriptedDialogs::default());
    no_pointer(&mut h);
    h.snapshot("main_light");
}

#[test]
fn main_screen_dark() {
    let mut h = busy(egui::Theme::Dark, BIG, None, ScriptedDialogs::default());
    no_pointer(&mut h);
    h.snapshot("main_dark");
}

/// Item 11 of issue 11: at 1024×700 the side-by-side view keeps its room next to both panels.
#[test]
fn small_window() {
    let mut h = busy(egui::Theme::Light, SMALL, None, ScriptedDialogs::default());
    no_pointer(&mut h);
    h.snapshot("small_window");
}

/// The keyboard's place: J made the first finding current, its Accept has a visible focus ring.
#[test]
fn keyboard_focus() {
    let mut h = app(egui::Theme::Light, SMALL, None, ScriptedDialogs::default());
    h.get_by_label("ImageProcessor").click();
    h.run();
    no_pointer(&mut h);
    h.key_press(egui::Key::J);
    h.run();
    h.snapshot("keyboard_focus");
}

/// Takes the mouse pointer off the window (it would show in the picture).
fn no_pointer(h: &mut Harness<'static, App>) {
    h.remove_cursor();
    h.run();
}

fn save(h: &mut Harness<'static, App>, name: &str) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    let image = h.render().expect("rendering needs a Vulkan driver (lavapipe)");
    image.save(dir.join(format!("{name}.png"))).unwrap();
}

/// Writes `screenshots/*.png`: the main screen (light and dark), the in-line diff, a small
/// window, an edit in progress, the copy menu after a copy, the export's overwrite question, the
/// in-window save dialog, the keyboard shortcuts, the Device panel, the VM target, the
/// deployment's checklist and the Kubernetes view.
#[test]
#[ignore = "writes screenshots/: cargo test --test app_snapshots -- --ignored screenshots"]
fn screenshots() {
    let mut h = busy(egui::Theme::Light, BIG, None, ScriptedDialogs::default());
    no_pointer(&mut h);
    save(&mut h, "main");
    let mut h = busy(egui::Theme::Dark, BIG, None, ScriptedDialogs::default());
    no_pointer(&mut h);
    save(&mut h, "main-dark");

    // The in-line diff: every suggestion taken as proposed; CameraCapture's scoring URL follows
    // the renamed module and its port, word by word.
    let mut h = app(egui::Theme::Light, BIG, None, ScriptedDialogs::default());
    let decisions: Vec<_> =
        h.state().session().findings().iter().filter_map(|f| Some((f.key(), Policy::All.decide(f)?))).collect();
    for (key, decision) in decisions {
        h.state_mut().apply(Command::Decide { key, decision });
    }
    h.run();
    // Renamed too, if a rule proposed it: the list shows the new name.
    let shown = h.state().session().display_name("CameraCapture").to_owned();
    h.get_by_label(&shown).click();
    h.run();
    no_pointer(&mut h);
    save(&mut h, "inline-diff");

    let mut h = busy(egui::Theme::Light, SMALL, None, ScriptedDialogs::default());
    no_pointer(&mut h);
    save(&mut h, "small-window");

    // An edit in progress: the fragment of an STO001 fix, mid-typing, not valid JSON yet.
    let mut h = busy(egui::Theme::Light, BIG, None, ScriptedDialogs::default());
    h.get_by_label_contains("STO001 finding: bind `/home/hcsshares/models").get_by_label("Edit...").click();
    h.run();
    h.get_by_label("Fragment (JSON)").focus();
    h.run();
    h.get_by_label("Fragment (JSON)").set_text_value_accesskit(
        "{\n  \"Type\": \"volume\",\n  \"Source\": \"models-v2\"\n  \"Target\": \"/models\",\n  \"ReadOnly\": true\n}",
    );
    h.run();
    save(&mut h, "edit");

    // Copy: Ctrl+C copied the pretty JSON (message in the status bar), the menu offers the others.
    let mut h = busy(egui::Theme::Light, BIG, None, ScriptedDialogs::default());
    h.event(egui::Event::Copy);
    h.run();
    h.get_by_label("Copy GPU createOptions").click();
    h.run();
    h.get_by_label("Escaped one-line string").hover();
    h.run();
    save(&mut h, "copy");

    // Export (Ctrl+S) to a file that exists: the app asks first.
    let dir = std::env::temp_dir().join("fpga2gpu-screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    let input = dir.join("deployment.json");
    std::fs::copy(SAMPLE, &input).unwrap();
    let out = dir.join("deployment.gpu.json");
    std::fs::write(&out, "{}").unwrap();
    let dialogs = ScriptedDialogs { save: vec![out], ..Default::default() };
    let mut h = busy(egui::Theme::Light, BIG, Some(input.clone()), dialogs);
    no_pointer(&mut h);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::S);
    h.run();
    save(&mut h, "export");

    // No desktop portal: the save dialog drawn in the window, in the input's folder, the proposed
    // name selected for typing over.
    let dialogs = ScriptedDialogs { unavailable: true, ..Default::default() };
    let mut h = busy(egui::Theme::Light, SMALL, Some(input), dialogs);
    no_pointer(&mut h);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::S);
    h.run();
    save(&mut h, "save-dialog");

    let mut h = busy(egui::Theme::Light, SMALL, None, ScriptedDialogs::default());
    no_pointer(&mut h);
    h.key_press(egui::Key::F1);
    h.run();
    save(&mut h, "shortcuts");

    // The Device panel: every field of the profile, the other target's greyed.
    let mut h = busy(egui::Theme::Light, BIG, None, ScriptedDialogs::default());
    h.get_by_label("Device...").click();
    h.run();
    no_pointer(&mut h);
    save(&mut h, "device");

    // The VM target: IoT Edge 1.6 in an Ubuntu VM, the same module with its safe fixes.
    let mut h = app(egui::Theme::Light, BIG, None, ScriptedDialogs::default());
    h.state_mut().choose_target(Target::Vm);
    h.run();
    h.get_by_label("ImageProcessor").click();
    h.run();
    h.get_by_label_contains("Accept safe fixes here").click();
    h.run();
    no_pointer(&mut h);
    save(&mut h, "vm-target");

    // The deployment's checklist: what to do on the device before deploying.
    let mut h = app(egui::Theme::Light, BIG, None, ScriptedDialogs::default());
    h.get_by_label("Deployment").click();
    h.run();
    no_pointer(&mut h);
    save(&mut h, "checklist");

    // The Kubernetes view (Ctrl+K): ImageProcessor's objects after its safe fixes, beside those of
    // the original manifest: the share binds became claims.
    let mut h = busy(egui::Theme::Light, BIG, None, ScriptedDialogs::default());
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::K);
    h.run();
    h.get_by_label("Diff vs original").click();
    h.run();
    no_pointer(&mut h);
    save(&mut h, "k8s-view");
}
