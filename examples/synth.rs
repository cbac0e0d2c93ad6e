//! Prints a generated FPGA manifest (the benchmarks' and property tests' generator).
//!
//! `cargo run --release --example synth -- MODULES [SEED] > manifest.json`

#[path = "../tests/support/synth.rs"]
#[allow(dead_code)]
mod synth;

use std::io::Write;

fn main() {
    let mut args = std::env::args().skip(1);
    let modules = args.next().map(|a| a.parse::<usize>());
    let seed = args.next().map(|a| a.parse::<u64>());
    let (Some(Ok(modules)), None | Some(Ok(_))) = (modules, &seed) else {
        eprintln!("usage: synth MODULES [SEED]   (writes the manifest to stdout)");
        std::process::exit(2);
    };
    let seed = seed.and_then(Result::ok).unwrap_or(42);
    let text = synth::manifest(modules, seed);
    if std::io::stdout().lock().write_all(text.as_bytes()).is_err() {
        std::process::exit(1);
    }
}
