//! One run of the engine bench's steps, for counting instructions with callgrind (which counts
//! the same on a busy machine as on a quiet one, where criterion's times do not):
//!
//! ```sh
//! cargo build --release --no-default-features --example instructions
//! for step in synth floor engine; do
//!   valgrind --tool=callgrind --callgrind-out-file=/dev/null target/release/examples/instructions 1000 $step
//! done
//! ```
//! `synth` only generates the manifest; subtract its count from the other two.

#[path = "../tests/support/synth.rs"]
#[allow(dead_code)]
mod synth;

use fpga2gpu::device::DeviceProfile;
use fpga2gpu::manifest::Manifest;
use fpga2gpu::migrate::{Policy, migrate};
use fpga2gpu::rules::analyse;
use std::process::ExitCode;

// The shipped binary's allocator (src/main.rs), so that the counts are the binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(n) = args.next().and_then(|a| a.parse::<usize>().ok()) else {
        eprintln!("usage: instructions <modules> synth|floor|engine");
        return ExitCode::from(2);
    };
    let text = synth::manifest(n, 42);
    let bytes = text.as_bytes();
    match args.next().as_deref() {
        Some("synth") => {
            std::hint::black_box(bytes);
        }
        // What benches/engine.rs calls the floor: a lossless serde_json round trip.
        Some("floor") => {
            let doc: serde_json::Value = serde_json::from_slice(bytes).expect("valid JSON");
            std::hint::black_box(serde_json::to_string_pretty(&doc).expect("a Value serialises"));
        }
        // What benches/engine.rs calls the engine: load, analyse, migrate --accept all, encode.
        Some("engine") => {
            let manifest = Manifest::load(bytes).expect("generated manifests load");
            let device = DeviceProfile::default();
            let findings = analyse(&manifest, &device);
            let outcome = migrate(&manifest, &device, &findings, |f| Policy::All.decide(f));
            std::hint::black_box(outcome.text(&manifest));
        }
        _ => {
            eprintln!("usage: instructions <modules> synth|floor|engine");
            return ExitCode::from(2);
        }
    }
    ExitCode::SUCCESS
}
