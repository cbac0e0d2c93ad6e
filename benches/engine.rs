//! The engine against the plain-JSON floor.
//!
//! For generated FPGA manifests of 10, 100 and 1000 modules ([`synth`](../tests/support/synth.rs)), criterion
//! measures, in one run:
//! - `engine`: load (parse, index, decode createOptions, duplicate keys) + analyse (every rule) +
//!   migrate with `--accept all` + encode the output text;
//! - `floor`: serde_json parsing the same bytes into a `Value` and pretty-printing it again, with the
//!   same serde_json features (`preserve_order`, `arbitrary_precision`): what any lossless JSON tool
//!   pays at least.
//!
//! - `k8s`: the Kubernetes preview per N: translating every module (and printing the YAML, as
//!   `fpga2gpu k8s` does), and the whole check with the pre-flight (as `fpga2gpu check` does);
//! - `source_map`: indexing every value's position (for `file:line:col` findings) at 1000
//!   modules, on its own: it is not part of the engine's run.
//!
//! Afterwards it prints engine/floor per N (target: ≤ 3 at 1000 modules), the 1000/100 cost ratio
//! (target: about 10, i.e. linear), and where the engine's time goes, stage by stage.
//!
//! `cargo bench --bench engine`

#[path = "../tests/support/synth.rs"]
#[allow(dead_code)]
mod synth;

use criterion::{BenchmarkId, Criterion, Throughput};
use fpga2gpu::device::DeviceProfile;
use fpga2gpu::k8s;
use fpga2gpu::manifest::source::SourceMap;
use fpga2gpu::manifest::{Manifest, duplicates};
use fpga2gpu::migrate::{Policy, migrate};
use fpga2gpu::rules::{Check, Context, Finding, analyse, catalogue};
use serde_json::Value;
use std::collections::BTreeMap;
use std::hint::black_box;
use std::sync::Mutex;
use std::time::{Duration, Instant};

// The shipped binary's allocator (src/main.rs), so that the figures are the binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const SIZES: [usize; 3] = [10, 100, 1000];
const SEED: u64 = 42;

/// Per-iteration nanoseconds of every sample criterion took, by (bench, N), for the summary.
static SAMPLES: Mutex<BTreeMap<(&'static str, usize), Vec<f64>>> = Mutex::new(BTreeMap::new());

/// What the CLI's `migrate --accept all` does, minus the file system.
fn engine(bytes: &[u8]) -> String {
    let manifest = Manifest::load(bytes).expect("generated manifests load");
    let findings = analyse(&manifest, &DeviceProfile::default());
    let outcome = migrate(&manifest, &fpga2gpu::device::DeviceProfile::default(), &findings, |f| Policy::All.decide(f));
    outcome.text(&manifest)
}

/// The least a lossless JSON round trip costs.
fn floor(bytes: &[u8]) -> String {
    let doc: Value = serde_json::from_slice(bytes).expect("valid JSON");
    serde_json::to_string_pretty(&doc).expect("a Value serialises")
}

fn record(name: &'static str, n: usize, iters: u64, elapsed: Duration) {
    let per_iter = elapsed.as_nanos() as f64 / iters.max(1) as f64;
    SAMPLES.lock().expect("no panics while locked").entry((name, n)).or_default().push(per_iter);
}

fn benches(c: &mut Criterion) {
    let mut group = c.benchmark_group("manifest");
    for n in SIZES {
        let text = synth::manifest(n, SEED);
        let bytes = text.as_bytes();
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.sample_size(if n >= 1000 { 20 } else { 50 });
        for (name, run) in [("engine", engine as fn(&[u8]) -> String), ("floor", floor)] {
            group.bench_with_input(BenchmarkId::new(name, n), bytes, |b, bytes| {
                b.iter_custom(|iters| {
                    let start = Instant::now();
                    for _ in 0..iters {
                        black_box(run(black_box(bytes)));
                    }
                    let elapsed = start.elapsed();
                    record(name, n, iters, elapsed);
                    elapsed
                })
            });
        }
    }
    group.finish();
}

/// The Kubernetes preview: every module translated and printed as YAML (what `fpga2gpu k8s` does
/// after loading), and the whole check with the pre-flight (what `fpga2gpu check` does).
fn k8s_preview(c: &mut Criterion) {
    let mut group = c.benchmark_group("k8s");
    let device = DeviceProfile::default();
    for n in SIZES {
        let manifest = Manifest::load(synth::manifest(n, SEED).as_bytes()).expect("generated manifests load");
        group.throughput(Throughput::Elements(n as u64));
        group.sample_size(if n >= 1000 { 10 } else { 30 });
        group.bench_with_input(BenchmarkId::new("translate+yaml", n), &manifest, |b, m| {
            b.iter(|| k8s::to_yaml(&k8s::translate(black_box(m), &device)))
        });
        group.bench_with_input(BenchmarkId::new("translate", n), &manifest, |b, m| {
            b.iter(|| k8s::translate(black_box(m), &device))
        });
        group.bench_with_input(BenchmarkId::new("check", n), &manifest, |b, m| {
            b.iter(|| k8s::check(black_box(m), &device))
        });
    }
    group.finish();
}

/// Building the source map of the largest manifest, apart from the engine.
fn source_map(c: &mut Criterion) {
    let mut group = c.benchmark_group("source_map");
    let text = synth::manifest(1000, SEED);
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.sample_size(20);
    group.bench_function(BenchmarkId::from_parameter(1000), |b| {
        b.iter(|| SourceMap::new(black_box(&text)).expect("generated manifests index"))
    });
    group.finish();
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    if v.is_empty() { f64::NAN } else { v[v.len() / 2] }
}

/// Median wall time of `f` over a few runs, in milliseconds.
fn time_ms<T>(runs: usize, mut f: impl FnMut() -> T) -> f64 {
    let mut v: Vec<f64> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            black_box(f());
            start.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    median(&mut v)
}

fn summary() {
    let mut samples = SAMPLES.lock().expect("no panics while locked").clone();
    let mut ms = |name, n| samples.get_mut(&(name, n)).map(|v| median(v) / 1e6);
    println!(
        "\n== engine (load + analyse + migrate --accept all + encode) vs floor (serde_json parse + pretty-print) =="
    );
    println!("{:>8} {:>10} {:>12} {:>12} {:>8}", "modules", "bytes", "engine ms", "floor ms", "ratio");
    let mut engine_ms = BTreeMap::new();
    let mut floor_ms = BTreeMap::new();
    for n in SIZES {
        let (Some(e), Some(f)) = (ms("engine", n), ms("floor", n)) else { continue };
        engine_ms.insert(n, e);
        floor_ms.insert(n, f);
        let size = synth::manifest(n, SEED).len();
        println!("{n:>8} {size:>10} {e:>12.3} {f:>12.3} {:>8.2}", e / f);
    }
    if let (Some(e1000), Some(e100), Some(f1000), Some(f100)) =
        (engine_ms.get(&1000), engine_ms.get(&100), floor_ms.get(&1000), floor_ms.get(&100))
    {
        println!(
            "linearity, cost(1000) / cost(100): engine {:.1}x, floor {:.1}x (linear = 10x)",
            e1000 / e100,
            f1000 / f100
        );
        if let Some(ratio) = engine_ms.get(&1000).zip(floor_ms.get(&1000)).map(|(e, f)| e / f) {
            println!("target engine/floor <= 3 at 1000 modules: {}", if ratio <= 3.0 { "met" } else { "NOT met" });
        }
    }

    // Where the engine's time goes at 1000 modules (median of a few runs of each stage alone).
    let n = 1000;
    let text = synth::manifest(n, SEED);
    let bytes = text.as_bytes();
    let runs = 7;
    let manifest = Manifest::load(bytes).expect("loads");
    let findings = analyse(&manifest, &DeviceProfile::default());
    let outcome = migrate(&manifest, &fpga2gpu::device::DeviceProfile::default(), &findings, |f| Policy::All.decide(f));
    let parse = time_ms(runs, || serde_json::from_slice::<Value>(bytes).expect("valid"));
    let dups = time_ms(runs, || duplicates::find(&text));
    let load = time_ms(runs, || Manifest::load(bytes).expect("loads"));
    let analyse_ms = time_ms(runs, || analyse(&manifest, &DeviceProfile::default()));
    let migrate_ms = time_ms(runs, || {
        migrate(&manifest, &fpga2gpu::device::DeviceProfile::default(), &findings, |f| Policy::All.decide(f))
    });
    let encode = time_ms(runs, || outcome.text(&manifest));
    let print = time_ms(runs, || serde_json::to_string_pretty(&manifest.doc).expect("serialises"));
    let source = time_ms(runs, || SourceMap::new(&text).expect("indexes"));
    let values = SourceMap::new(&text).expect("indexes").value_count();
    println!(
        "\n== stages at {n} modules ({} findings, {} applied, {} bytes) ==",
        findings.len(),
        outcome.applied().count(),
        bytes.len()
    );
    println!("  serde_json parse alone       {parse:>9.3} ms");
    println!("  duplicate-key scan alone     {dups:>9.3} ms");
    println!("  load                         {load:>9.3} ms");
    println!("  analyse                      {analyse_ms:>9.3} ms");
    println!("  migrate (--accept all)       {migrate_ms:>9.3} ms");
    println!("  encode                       {encode:>9.3} ms");
    println!("  serde_json pretty-print alone {print:>8.3} ms");
    println!("  source map ({values} values)   {source:>9.3} ms (not in the engine's run)");

    // Which rules cost most, and what module renames cost in the migration.
    let device = DeviceProfile::default();
    let ctx = Context::new(&manifest, &device);
    let mut per_rule: Vec<(f64, &str)> = catalogue()
        .iter()
        .map(|r| {
            let t = time_ms(3, || match r.check {
                Check::Module(check) => manifest.modules.iter().map(|m| check(&ctx, m).len()).sum::<usize>(),
                Check::Manifest(check) => check(&ctx).len(),
                Check::Preflight => 0,
            });
            (t, r.doc.id)
        })
        .collect();
    per_rule.sort_by(|a, b| b.0.total_cmp(&a.0));
    let top: Vec<String> = per_rule.iter().take(6).map(|(t, id)| format!("{id} {t:.2} ms")).collect();
    println!("  slowest rules: {}", top.join(", "));
    let renames = |f: &Finding| f.suggestion.as_ref().is_some_and(|s| s.rename.is_some());
    let without = time_ms(runs, || {
        migrate(&manifest, &fpga2gpu::device::DeviceProfile::default(), &findings, |f| {
            (!renames(f)).then(|| Policy::All.decide(f)).flatten()
        })
    });
    println!(
        "  migrate without the {} module renames {without:>6.3} ms",
        findings.iter().filter(|f| renames(f) && Policy::All.decide(f).is_some()).count()
    );
}

fn main() {
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    benches(&mut c);
    k8s_preview(&mut c);
    source_map(&mut c);
    c.final_summary();
    // `cargo bench` passes --bench; `cargo test --benches` runs each benchmark once without it.
    if std::env::args().any(|a| a == "--bench") {
        summary();
    }
}
