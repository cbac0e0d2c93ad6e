//! The real manifests in ../shared/corpus/real (or $FPGA2GPU_CORPUS): every file is analysed and
//! migrated without a panic, or refused with a line and column; nothing is lost on a round trip;
//! migration is idempotent; findings of a handful of files are pinned as golden files.

mod common;

use fpga2gpu::device::{DeviceProfile, Target};
use fpga2gpu::manifest::Manifest;
use fpga2gpu::migrate::{Policy, migrate};
use fpga2gpu::rules::{Fix, analyse};
use serde_json::{Value, json};
use std::path::PathBuf;

/// The corpus files, or `None` (said plainly) when this checkout has none beside it.
fn corpus() -> Option<Vec<PathBuf>> {
    common::corpus_paths("the corpus tests")
}

fn name(p: &std::path::Path) -> String {
    p.file_name().unwrap().to_string_lossy().into_owned()
}

/// The files SOURCES.md says are not valid JSON.
fn invalid_per_sources(files: &[PathBuf]) -> Vec<String> {
    let sources = std::fs::read_to_string(files[0].with_file_name("SOURCES.md")).unwrap_or_default();
    let mut out: Vec<String> = sources
        .lines()
        .filter(|l| l.contains("| NO"))
        .filter_map(|l| l.split('`').nth(1).map(str::to_owned))
        .filter(|n| n.ends_with(".json"))
        .collect();
    out.sort();
    out
}

#[test]
fn every_corpus_file_is_analysed_and_migrated_or_refused_with_line_and_column() {
    let Some(files) = corpus() else { return };
    let mut refused = Vec::new();
    for file in &files {
        match Manifest::load_file(file) {
            Ok(m) => {
                for device in devices() {
                    let findings = analyse(&m, &device);
                    let out = migrate(&m, &device, &findings, |f| Policy::All.decide(f));
                    Manifest::load(out.text(&m).as_bytes()).unwrap_or_else(|e| {
                        panic!("{} ({:?}): migrated output does not load: {e}", name(file), device.target)
                    });
                }
            }
            Err(e) => {
                let (line, column) =
                    e.position().unwrap_or_else(|| panic!("{}: refused without a position: {e}", name(file)));
                assert!(line > 0 && column > 0);
                assert!(e.to_string().contains(&format!("line {line}, column {column}")), "{e}");
                refused.push(name(file));
            }
        }
    }
    refused.sort();
    let expected = invalid_per_sources(&files);
    if !expected.is_empty() {
        assert_eq!(refused, expected, "exactly the files SOURCES.md lists as not JSON are refused");
    }
}

/// What `--accept none` writes for `device`: the input, re-encoded.
fn devices_text(m: &Manifest, device: &DeviceProfile) -> String {
    migrate(m, device, &[], |_| None).text(m)
}

#[test]
fn accept_none_round_trips_every_valid_corpus_manifest() {
    let Some(files) = corpus() else { return };
    for file in &files {
        let Ok(m) = Manifest::load_file(file) else { continue };
        for device in devices() {
            let out = migrate(&m, &device, &analyse(&m, &device), |f| Policy::None.decide(f));
            assert!(out.applied().next().is_none());
            assert_eq!(out.text(&m), devices_text(&m, &device), "{}: the same text for every target", name(file));
        }
        let device = DeviceProfile::default();
        let out = migrate(&m, &device, &analyse(&m, &device), |f| Policy::None.decide(f));
        let again = Manifest::load(out.text(&m).as_bytes()).unwrap();
        assert_eq!(again.doc, m.doc, "{}: equal JSON", name(file));
        assert_eq!(
            serde_json::to_string(&again.doc).unwrap(),
            serde_json::to_string(&m.doc).unwrap(),
            "{}: same key order and number text",
            name(file)
        );
    }
}

#[test]
fn migrating_the_accept_all_output_again_proposes_no_auto_change() {
    let Some(files) = corpus() else { return };
    for file in &files {
        let Ok(m) = Manifest::load_file(file) else { continue };
        for device in devices() {
            let out = migrate(&m, &device, &analyse(&m, &device), |f| Policy::All.decide(f));
            let again = Manifest::load(out.text(&m).as_bytes()).unwrap();
            let left: Vec<String> = analyse(&again, &device)
                .into_iter()
                .filter(|f| f.fix() == Fix::Safe)
                .map(|f| format!("{} {:?} {}: {}", f.rule, f.module, f.location, f.message))
                .collect();
            assert!(
                left.is_empty(),
                "{} ({:?}): auto fixes proposed again:\n{}",
                name(file),
                device.target,
                left.join("\n")
            );
        }
    }
}

/// The device profiles every corpus test runs for: each target with its defaults.
fn devices() -> [DeviceProfile; 2] {
    [Target::K8s, Target::Vm].map(|target| DeviceProfile { target, ..DeviceProfile::default() })
}

/// Findings of a few representative files, pinned (review changes with `cargo insta review`).
#[test]
fn golden_findings_of_representative_manifests() {
    let Some(files) = corpus() else { return };
    for wanted in [
        "Azure-Samples__azure-intelligent-edge-patterns__edge-ai-void-detection_deployment.template.json",
        "Azure-Samples__live-video-analytics-iot-edge-csharp__src_edge_deployment.openvino.grpc.gpu.template.json",
        "Azure__iotedgehubdev__tests_test_compose_resources_deployment_with_chunked_create_options.json",
        "Azure__iotedge__e2e_deployment_files_nestededge_topLayerBaseDeployment_amqp.json",
        "Railwayrobotics__applesprayer__deployment.template.dev.json",
        "Azure-Samples__iot-edge-for-iiot__monitor_metricsCollector-top.layered.deployment.json",
    ] {
        let Some(file) = files.iter().find(|f| name(f) == wanted) else {
            panic!("{wanted} is not in the corpus");
        };
        let m = Manifest::load_file(file).unwrap();
        let summary: Vec<Value> = analyse(&m, &fpga2gpu::device::DeviceProfile::default())
            .iter()
            .map(|f| {
                json!({
                    "rule": f.rule, "severity": f.severity, "module": f.module, "path": f.location.to_string(),
                    "message": f.message, "fix": f.fix(),
                    "suggestion": f.suggestion.as_ref().map(|s| &s.summary),
                })
            })
            .collect();
        let snap = wanted.split("__").last().unwrap().trim_end_matches(".json").replace('.', "_");
        insta::assert_json_snapshot!(format!("corpus_{snap}"), summary);
    }
}
