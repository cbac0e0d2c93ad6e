//! Mutation fuzzing of load / analyse / migrate, on stable Rust.
//!
//! cargo-fuzz (libFuzzer) needs a nightly compiler; this is a proptest-driven mutator instead: it
//! starts from the real corpus (`FPGA2GPU_CORPUS`, by default `../shared/corpus/real`) and from
//! generated manifests ([`synth`](../tests/support/synth.rs)), and applies truncations, byte flips, inserted garbage,
//! random JSON values spliced into the text, and random JSON values put in place of any value of
//! the document or of a module's createOptions (the structural mutations reach the rules with every
//! JSON type where they expect one). For every mutant:
//! - load, analyse, migrate (`--accept all`), encode, the text report and the Markdown report never
//!   panic, and the migrated output loads again;
//! - a refused input says line and column (`LoadError::position()`), except the errors that have
//!   none by nature: too large, empty, not a manifest.
//!
//! Case counts are bounded (1000 per property, `FPGA2GPU_FUZZ_CASES` for more) to keep CI fast; a failure prints the
//! smallest mutant proptest finds, which replays deterministically.

mod common;

#[path = "support/synth.rs"]
#[allow(dead_code)]
mod synth;

use fpga2gpu::cli::findings_text;
use fpga2gpu::device::{DeviceProfile, Target};
use fpga2gpu::manifest::{CreateOptionsForm, LoadError, Manifest, pointer};
use fpga2gpu::migrate::{Policy, migrate};
use fpga2gpu::report::markdown_report;
use fpga2gpu::rules::analyse;
use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::{Map, Value};
use std::sync::OnceLock;

/// The corpus files, read once; empty (said plainly) when the folder is not there.
fn corpus() -> &'static [(String, Vec<u8>)] {
    static FILES: OnceLock<Vec<(String, Vec<u8>)>> = OnceLock::new();
    FILES.get_or_init(|| common::corpus_bytes("corpus seeds; generated seeds only").unwrap_or_default())
}

/// Where a mutant starts from.
#[derive(Debug, Clone)]
enum Seed {
    Corpus(Index),
    Generated { modules: usize, seed: u64 },
}

impl Seed {
    fn bytes(&self) -> (String, Vec<u8>) {
        match self {
            Seed::Corpus(i) if !corpus().is_empty() => corpus()[i.index(corpus().len())].clone(),
            Seed::Corpus(i) => Seed::Generated { modules: 3, seed: i.index(1 << 20) as u64 }.bytes(),
            Seed::Generated { modules, seed } => {
                (format!("synth::manifest({modules}, {seed})"), synth::manifest(*modules, *seed).into_bytes())
            }
        }
    }
}

fn seed() -> impl Strategy<Value = Seed> {
    prop_oneof![
        3 => any::<Index>().prop_map(Seed::Corpus),
        1 => (0usize..6, any::<u64>()).prop_map(|(modules, seed)| Seed::Generated { modules, seed }),
    ]
}

/// One change to the input.
#[derive(Debug, Clone)]
enum Mutation {
    /// Cut the file at a byte.
    Truncate(Index),
    /// XOR one byte with a non-zero mask.
    Flip(Index, u8),
    /// Insert arbitrary bytes.
    Garbage(Index, Vec<u8>),
    /// Insert the text of a JSON value at a byte (mostly breaks the JSON, sometimes not).
    SpliceText(Index, Value),
    /// Replace one value of the document (any depth) with another JSON value.
    Replace(Index, Value),
    /// Replace one value inside a module's decoded createOptions, written back in its form.
    ReplaceInCreateOptions(Index, Index, Value),
}

/// Strings the rules look at, and odd ones.
fn arb_string() -> impl Strategy<Value = String> {
    prop_oneof![
        "[ -~]{0,24}",
        "\\PC{0,12}",
        prop::sample::select(vec![
            "",
            "/home/hcsshares/images:/data:ro",
            "/home/hcsshares/$SHARE_NAME/in:/input",
            "/etc/hosts:/etc/hosts",
            "C:\\data:/data",
            "myvol:/var/lib",
            "8080/tcp",
            "5001/udp",
            "35000",
            "31000",
            "host",
            "shareable",
            "container:other",
            "nvidia",
            "${ACR}",
            "$SHARE",
            "<IMAGE>",
            "#X#",
            "__NAME",
            "Logging:LogLevel=Debug",
            "WIRESERVER_ADDRESS=10.0.0.1",
            "https_proxy=http://p:3128",
            "A=b=c",
            "Camera_1:8080",
            "volume",
            "tmpfs",
            "bind",
            "1.2",
            "268435456",
            "microsoft.com/fpga_catapult",
            "nvidia.com/gpu",
            "LoadBalancer",
            "Recreate",
            "FROM /messages/modules/Camera_1/outputs/* INTO $upstream",
            "{\"HostConfig\":{}}",
            "{bad",
            "~1/0",
        ])
        .prop_map(str::to_owned),
    ]
}

/// Keys the rules look for, and any other.
fn arb_key() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(vec![
            "HostConfig", "Binds", "Mounts", "PortBindings", "ExposedPorts", "HostPort", "Env", "env", "value",
            "Devices", "DeviceRequests", "Privileged", "Memory", "MemoryReservation", "NanoCpus", "CpuQuota",
            "CpuPeriod", "CpuShares", "ShmSize", "IpcMode", "NetworkMode", "NetworkingConfig", "ExtraHosts", "Dns",
            "Runtime", "Type", "Source", "Target", "ReadOnly", "Entrypoint", "EntryPoint", "Cmd", "Volumes",
            "k8s-experimental", "k8s_experimental", "resources", "limits", "requests", "microsoft.com/fpga_catapult",
            "nvidia.com/gpu", "serviceOptions", "type", "strategy", "volumes", "settings", "createOptions",
            "createOptions01", "createOptions03", "image", "modules", "systemModules", "routes", "route",
            "properties.desired", "schemaVersion", "restartPolicy", "imagePullPolicy", "8080/tcp", "53/udp",
        ])
        .prop_map(str::to_owned),
        1 => "[a-zA-Z0-9_$~/.:-]{0,10}",
    ]
}

/// Any JSON value, a few levels deep, biased towards what manifests hold.
fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (-1e12f64..1e12).prop_map(Value::from),
        // Numbers only arbitrary_precision keeps as written.
        prop::sample::select(vec!["1e400", "-0", "0.1000000000000000000001", "123456789012345678901234567890"])
            .prop_map(|n| serde_json::from_str(n).unwrap_or(Value::Null)),
        arb_string().prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec((arb_key(), inner), 0..5).prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<
                String,
                Value,
            >>(
            ))),
        ]
    })
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        1 => any::<Index>().prop_map(Mutation::Truncate),
        1 => (any::<Index>(), 1u8..=255).prop_map(|(i, m)| Mutation::Flip(i, m)),
        1 => (any::<Index>(), prop::collection::vec(any::<u8>(), 1..16)).prop_map(|(i, g)| Mutation::Garbage(i, g)),
        1 => (any::<Index>(), arb_json()).prop_map(|(i, v)| Mutation::SpliceText(i, v)),
        3 => (any::<Index>(), arb_json()).prop_map(|(i, v)| Mutation::Replace(i, v)),
        3 => (any::<Index>(), any::<Index>(), arb_json()).prop_map(|(m, i, v)| Mutation::ReplaceInCreateOptions(m, i, v)),
    ]
}

/// Pointers to every value of a document, in document order.
fn pointers(v: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![(String::new(), v)];
    while let Some((p, v)) = stack.pop() {
        match v {
            Value::Array(a) => {
                stack.extend(a.iter().enumerate().rev().map(|(i, x)| (pointer::join(&p, &i.to_string()), x)))
            }
            Value::Object(o) => stack.extend(o.iter().rev().map(|(k, x)| (pointer::join(&p, k), x))),
            _ => {}
        }
        out.push(p);
    }
    out
}

fn apply(bytes: Vec<u8>, mutation: &Mutation) -> Vec<u8> {
    let at = |i: &Index, b: &[u8]| i.index(b.len() + 1);
    match mutation {
        Mutation::Truncate(i) => bytes[..at(i, &bytes)].to_vec(),
        Mutation::Flip(i, mask) if !bytes.is_empty() => {
            let mut b = bytes;
            let n = i.index(b.len());
            b[n] ^= mask;
            b
        }
        Mutation::Flip(..) => bytes,
        Mutation::Garbage(i, g) => {
            let mut b = bytes;
            let n = at(i, &b);
            b.splice(n..n, g.iter().copied());
            b
        }
        Mutation::SpliceText(i, v) => {
            let mut b = bytes;
            let n = at(i, &b);
            b.splice(n..n, v.to_string().into_bytes());
            b
        }
        Mutation::Replace(i, v) => {
            let Ok(mut doc) = serde_json::from_slice::<Value>(&bytes) else { return bytes };
            let all = pointers(&doc);
            let p = &all[i.index(all.len())];
            if let Some(slot) = doc.pointer_mut(p) {
                *slot = v.clone();
            }
            serde_json::to_vec_pretty(&doc).unwrap_or(bytes)
        }
        Mutation::ReplaceInCreateOptions(m, i, v) => {
            let Ok(manifest) = Manifest::load(&bytes) else { return bytes };
            let readable: Vec<_> = manifest.modules.iter().filter(|m| m.create_options.value.is_some()).collect();
            if readable.is_empty() {
                return bytes;
            }
            let module = readable[m.index(readable.len())];
            let Some(mut co) = module.create_options.value.clone() else { return bytes };
            let all = pointers(&co);
            if let Some(slot) = co.pointer_mut(&all[i.index(all.len())]) {
                *slot = v.clone();
            }
            let mut doc = manifest.doc.clone();
            let settings = module.at.child("settings");
            let Some(Value::Object(s)) = doc.pointer_mut(settings.as_str()) else { return bytes };
            s.retain(|k, _| !k.starts_with("createOptions"));
            let written = match module.create_options.form {
                CreateOptionsForm::Object => co,
                _ => Value::String(co.to_string()),
            };
            s.insert("createOptions".into(), written);
            serde_json::to_vec_pretty(&doc).unwrap_or(bytes)
        }
    }
}

/// Cases per property: 1000 in CI, `FPGA2GPU_FUZZ_CASES=100000` for a longer local run.
fn cases() -> u32 {
    std::env::var("FPGA2GPU_FUZZ_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(1000)
}

/// The properties every input, mutated or not, must keep.
fn engine_holds(name: &str, bytes: &[u8]) -> Result<(), TestCaseError> {
    match Manifest::load(bytes) {
        Ok(m) => {
            // Whatever the loader accepts, the source map places every finding in it.
            let source = std::str::from_utf8(bytes).expect("the loader accepted UTF-8");
            let locator = match fpga2gpu::report::position::Locator::new(source, &m) {
                Ok(l) => l,
                Err(e) => return Err(TestCaseError::fail(format!("{name}: loads but has no source map: {e}"))),
            };
            for target in [Target::K8s, Target::Vm] {
                let device = DeviceProfile { target, ..DeviceProfile::default() };
                let findings = analyse(&m, &device);
                let _ = findings_text(name, &findings, &locator.positions(&findings));
                let outcome = migrate(&m, &device, &findings, |f| Policy::All.decide(f));
                let text = outcome.text(&m);
                let _ = markdown_report(name, &device, &m, &findings, &outcome, &[]);
                if let Err(e) = Manifest::load(text.as_bytes()) {
                    return Err(TestCaseError::fail(format!(
                        "{name} ({target:?}): the migrated output does not load: {e}"
                    )));
                }
            }
        }
        Err(LoadError::TooLarge { .. } | LoadError::Empty | LoadError::NotManifest(_)) => {}
        Err(e) => {
            let Some((line, column)) = e.position() else {
                return Err(TestCaseError::fail(format!("{name}: refused without line and column: {e}")));
            };
            // Both count from 1: serde_json's "column 0" at a line break is reported as the end of
            // the line before, where an editor can go.
            prop_assert!(line >= 1 && column >= 1, "{}: position {}:{}: {}", name, line, column, e);
            prop_assert!(e.to_string().contains(&format!("line {line}, column {column}")), "{}: {}", name, e);
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), max_shrink_iters: 512, ..ProptestConfig::default() })]

    #[test]
    fn mutated_manifests_never_panic_and_refusals_say_where(
        seed in seed(),
        mutations in prop::collection::vec(mutation(), 1..4),
    ) {
        let (name, mut bytes) = seed.bytes();
        for m in &mutations {
            bytes = apply(bytes, m);
        }
        engine_holds(&name, &bytes)?;
    }

    #[test]
    fn odd_values_anywhere_in_create_options_never_panic(
        seed in seed(),
        edits in prop::collection::vec((any::<Index>(), any::<Index>(), arb_json()), 1..6),
    ) {
        let (name, mut bytes) = seed.bytes();
        for (m, i, v) in edits {
            bytes = apply(bytes, &Mutation::ReplaceInCreateOptions(m, i, v));
        }
        engine_holds(&name, &bytes)?;
    }
}

#[test]
fn every_truncation_of_a_generated_manifest_is_refused_with_a_position() {
    let text = synth::manifest(2, 11);
    for cut in 0..text.len() {
        if let Err(e) = engine_holds(&format!("truncated at {cut}"), &text.as_bytes()[..cut]) {
            panic!("{e}");
        }
    }
}

#[test]
fn every_corpus_file_as_is_holds() {
    for (name, bytes) in corpus() {
        if let Err(e) = engine_holds(name, bytes) {
            panic!("{e}");
        }
    }
}
