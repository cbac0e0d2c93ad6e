//! CPU time of the desktop app's frames, headless (issue 5, item 3).
//!
//! A generated FPGA manifest of 200 modules ([`synth`](../tests/support/synth.rs)) is loaded and a module with
//! findings in several sections is selected; then, on a 1440×900 screen:
//! - `idle`: a frame where nothing changed (targets: median ≤ 1 ms);
//! - `after accept`: one decision (Accept, then the next one clears it) and the frame that shows it —
//!   the migration of the whole manifest, the module's preview texts, highlighting and the layout
//!   (target: ≤ 16 ms).
//!
//! Frames run through `egui::Context::run_ui` on the app's real `show`, without a GPU: painting is
//! tessellated by egui but not rasterised, as in the CPU part of a real frame.
//!
//! `cargo bench --bench frame` (prints median and p95).

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
use std::time::{Duration, Instant};

const MODULES: usize = 200;
const SEED: u64 = 42;
const IDLE_FRAMES: usize = 300;
const DECISIONS: usize = 60;

fn input(time: f64) -> egui::RawInput {
    egui::RawInput {
        screen_rect: Some(egui::Rect::from_min_size(egui::Pos2::ZERO, egui::vec2(1440.0, 900.0))),
        time: Some(time),
        ..Default::default()
    }
}

fn stats(name: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let at = |q: f64| samples[((samples.len() as f64 - 1.0) * q).round() as usize];
    println!(
        "{name:<14} median {:>8.3} ms   p95 {:>8.3} ms   ({} frames)",
        at(0.5).as_secs_f64() * 1e3,
        at(0.95).as_secs_f64() * 1e3,
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
    let mut frame = |app: &mut App| {
        time += 1.0 / 60.0;
        let _ = ctx.run_ui(input(time), |ui| app.show(ui));
    };
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

    let before = app.session().stats;
    let idle_frames = if quick { 5 } else { IDLE_FRAMES };
    let mut idle = Vec::with_capacity(idle_frames);
    for _ in 0..idle_frames {
        let t = Instant::now();
        frame(&mut app);
        idle.push(t.elapsed());
    }
    assert_eq!(app.session().stats, before, "idle frames re-derive nothing");
    stats("idle", idle);

    let decisions = if quick { 2 } else { DECISIONS };
    let mut after = Vec::with_capacity(decisions);
    for i in 0..decisions {
        let command = if i % 2 == 0 {
            Command::Decide { key: key.clone(), decision: Decision::Accept }
        } else {
            Command::Clear { key: key.clone() }
        };
        let t = Instant::now();
        app.apply(command);
        frame(&mut app);
        after.push(t.elapsed());
        // Settle (toasts, the second pass of layout) outside the measurement.
        frame(&mut app);
    }
    stats("after accept", after);
}
