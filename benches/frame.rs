//! CPU time of the desktop app's frames, headless (issue 5, item 3).
//!
//! A generated FPGA manifest of 200 modules ([`synth`](../tests/support/synth.rs)) is loaded and a module with
//! findings in several sections is selected; then, on a 1440×900 screen:
//! - `idle`: a frame where nothing changed (target: far below 16 ms; it draws the visible rows of the
//!   side-by-side view and the module's findings, and derives nothing);
//! - `after accept`: one decision (Accept, then the next one clears it) and the frame that shows it —
//!   the migration of the whole manifest, the module's preview texts, the structural diff with its
//!   changed words, highlighting and the layout (target: median ≤ 4 ms).
//! - the same two with the Kubernetes view of that module open (Ctrl+K; issue 9): an idle frame,
//!   and a decision with its frame — the migration, the translation of the migrated manifest, the
//!   module's objects as YAML, highlighted and laid out (target: median ≤ 4 ms).
//!
//! Frames run through `egui::Context::run_ui` on the app's real `show`, without a GPU: painting is
//! tessellated by egui but not rasterised, as in the CPU part of a real frame.
//!
//! `cargo bench --bench frame` (prints median and p95 of the thread's CPU time, which other
//! processes on the machine do not inflate, and of wall time).

#[path = "../tests/support/synth.rs"]
#[allow(dead_code)]
mod synth;

use eframe::egui;
use fpga2gpu::app::dialogs::ScriptedDialogs;
use fpga2gpu::app::session::{Command, Entry, Session, Source};
use fpga2gpu::app::{App, install_fonts};
use fpga2gpu::device::DeviceProfile;
use fpga2gpu::manifest::Manifest;
use fpga2gpu::migrate::Decision;
use fpga2gpu::rules::FindingKey;
use std::time::{Duration, Instant};

// The shipped binary's allocator (src/main.rs), so that the figures are the binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const MODULES: usize = 200;
const SEED: u64 = 42;
const IDLE_FRAMES: usize = 300;
const DECISIONS: usize = 60;

fn input(time: f64, events: Vec<egui::Event>) -> egui::RawInput {
    egui::RawInput {
        screen_rect: Some(egui::Rect::from_min_size(egui::Pos2::ZERO, egui::vec2(1440.0, 900.0))),
        time: Some(time),
        events,
        ..Default::default()
    }
}

/// The CPU time this thread has used: unlike wall time, it does not grow when other processes
/// take the machine's cores.
fn thread_cpu() -> Duration {
    let mut t = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `t` is a valid timespec for the call to fill in.
    let ok = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) } == 0;
    assert!(ok, "CLOCK_THREAD_CPUTIME_ID is available on Linux");
    Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
}

/// Wall and CPU time of one measured piece of work.
struct Sample {
    wall: Duration,
    cpu: Duration,
}

fn measure(work: impl FnOnce()) -> Sample {
    let (wall, cpu) = (Instant::now(), thread_cpu());
    work();
    Sample { wall: wall.elapsed(), cpu: thread_cpu() - cpu }
}

fn stats(name: &str, samples: &[Sample]) {
    let quantiles = |mut v: Vec<Duration>| {
        v.sort();
        let at = |q: f64| v[((v.len() as f64 - 1.0) * q).round() as usize].as_secs_f64() * 1e3;
        (at(0.5), at(0.95))
    };
    let (cpu50, cpu95) = quantiles(samples.iter().map(|s| s.cpu).collect());
    let (wall50, wall95) = quantiles(samples.iter().map(|s| s.wall).collect());
    println!(
        "{name:<40} CPU median {cpu50:>7.3} ms  p95 {cpu95:>7.3} ms   wall median {wall50:>7.3} ms  p95 {wall95:>7.3} ms   ({} samples)",
        samples.len()
    );
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing: run once, quickly.
    let quick = !std::env::args().any(|a| a == "--bench");
    let text = synth::manifest(MODULES, SEED);
    let manifest = Manifest::load(text.as_bytes()).expect("the generator writes valid manifests");
    let session =
        Session::new(Source::Bytes { name: format!("synth-{MODULES}.json") }, manifest, DeviceProfile::default());
    let findings = session.findings().len();
    // The module with findings in the most sections (then the most findings): the busiest screen.
    let module = session
        .entries()
        .into_iter()
        .filter(|e| matches!(e, Entry::Module(_)))
        .max_by_key(|e| {
            let s = session.summary(e);
            (s.sections.iter().filter(|n| **n > 0).count(), s.total)
        })
        .expect("modules");
    let key = session
        .entry_findings(&module)
        .find(|(_, f)| fpga2gpu::app::session::is_auto(f))
        .map(|(k, _)| k.clone())
        .expect("the busiest module has an auto fix");

    let mut app = App::with_session(session, Box::new(ScriptedDialogs::default()));
    app.select(module.clone());
    let ctx = egui::Context::default();
    install_fonts(&ctx);
    let mut time = 0.0;
    let mut frame_with = |app: &mut App, events: Vec<egui::Event>| {
        time += 1.0 / 60.0;
        ctx.run_ui(input(time, events), |ui| app.show(ui)).textures_delta.clear();
    };
    let mut frame = |app: &mut App| frame_with(app, Vec::new());
    for _ in 0..10 {
        frame(&mut app);
    }
    let name = match &module {
        Entry::Module(n) => n.clone(),
        Entry::Deployment => "deployment".to_owned(),
    };
    println!(
        "fpga2gpu app frame time: {MODULES} modules, {findings} findings, module `{name}` selected ({} build)",
        if cfg!(debug_assertions) { "debug" } else { "release" }
    );

    run(&mut app, &mut frame, &key, quick, "");

    // The Kubernetes view of the same module.
    let ctrl_k = egui::Event::Key {
        key: egui::Key::K,
        physical_key: None,
        pressed: true,
        repeat: false,
        modifiers: egui::Modifiers::COMMAND,
    };
    frame_with(&mut app, vec![ctrl_k]);
    assert!(app.kubernetes_open(), "Ctrl+K opened the Kubernetes view");
    let mut frame = |app: &mut App| frame_with(app, Vec::new());
    for _ in 0..10 {
        frame(&mut app);
    }
    assert!(app.kubernetes_preview().rows().next().is_some(), "the module's objects are shown");
    run(&mut app, &mut frame, &key, quick, "Kubernetes view: ");
}

/// Idle frames, then decisions each with the frame that shows it.
fn run(app: &mut App, frame: &mut impl FnMut(&mut App), key: &FindingKey, quick: bool, view: &str) {
    let before = app.session().stats;
    let idle_frames = if quick { 5 } else { IDLE_FRAMES };
    let idle: Vec<Sample> = (0..idle_frames).map(|_| measure(|| frame(app))).collect();
    assert_eq!(app.session().stats, before, "idle frames re-derive nothing");
    stats(&format!("{view}idle frame"), &idle);

    let decisions = if quick { 2 } else { DECISIONS };
    let (mut after, mut engine) = (Vec::with_capacity(decisions), Vec::with_capacity(decisions));
    for i in 0..decisions {
        let command = if i % 2 == 0 {
            Command::Decide { key: key.clone(), decision: Decision::Accept }
        } else {
            Command::Clear { key: key.clone() }
        };
        let mut apply = None;
        after.push(measure(|| {
            apply = Some(measure(|| app.apply(command)));
            frame(app);
        }));
        engine.extend(apply);
        // Settle (the second pass of layout) outside the measurement.
        frame(app);
    }
    stats(&format!("{view}decision + its frame"), &after);
    stats("  of which the session", &engine);
}
