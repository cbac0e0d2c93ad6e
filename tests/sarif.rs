//! Findings where CI and editors show them: every finding's position in the file as written, the
//! SARIF output (validated against the OASIS SARIF 2.1.0 schema, bundled in `tests/sarif/`), the
//! GitHub annotations and the text format's `file:line:column`.

mod common;
use common::*;
use fpga2gpu::device::DeviceProfile;
use fpga2gpu::manifest::Manifest;
use fpga2gpu::report::position::{Locator, Position};
use fpga2gpu::rules::{Finding, analyse};
use serde_json::Value;
use std::path::Path;
use std::process::Command;

fn positions(text: &str) -> (Vec<Finding>, Vec<Position>) {
    let m = Manifest::load(text.as_bytes()).expect("loads");
    let findings = analyse(&m, &DeviceProfile::default());
    let positions = Locator::new(text, &m).expect("source map").positions(&findings);
    (findings, positions)
}

/// The finding of `rule` on `module`, and its position.
fn of<'a>(r: &'a (Vec<Finding>, Vec<Position>), rule: &str, module: Option<&str>) -> (&'a Finding, &'a Position) {
    let i = r.0.iter().position(|f| f.rule == rule && f.module.as_deref() == module).unwrap_or_else(|| {
        panic!("no {rule} on {module:?}: {:?}", r.0.iter().map(|f| (f.rule, &f.module)).collect::<Vec<_>>())
    });
    (&r.0[i], &r.1[i])
}

/// The text a region covers.
fn slice(text: &str, p: &Position) -> String {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lines: Vec<&str> = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l)).collect();
    let r = &p.region;
    let chars = |l: usize| lines[l - 1].chars().collect::<Vec<_>>();
    if r.start_line == r.end_line {
        chars(r.start_line)[r.start_column - 1..r.end_column - 1].iter().collect()
    } else {
        let mut s: String = chars(r.start_line)[r.start_column - 1..].iter().collect();
        for l in r.start_line + 1..r.end_line {
            s.push('\n');
            s.push_str(lines[l - 1]);
        }
        s.push('\n');
        s.extend(chars(r.end_line)[..r.end_column - 1].iter());
        s
    }
}

const ONE_LINE: &str = r#"{
  "modulesContent": {
    "$edgeAgent": {
      "properties.desired": {
        "schemaVersion": "1.1",
        "modules": {
          "camera": {
            "settings": {
              "image": "cam:1",
              "createOptions": "{\"HostConfig\":{\"Binds\":[\"/home/hcsshares/images:/data\"]}}"
            }
          }
        }
      }
    }
  }
}
"#;

#[test]
fn a_finding_in_a_one_line_create_options_string_is_that_string() {
    let r = positions(ONE_LINE);
    let (f, p) = of(&r, "STO001", Some("camera"));
    assert_eq!((p.region.start_line, p.region.start_column), (10, 32), "{:?}", p.region);
    assert_eq!(p.region.end_line, 10);
    assert!(slice(ONE_LINE, p).starts_with("\"{\\\"HostConfig"), "{}", slice(ONE_LINE, p));
    assert_eq!(p.fragment.as_deref(), Some("\"/home/hcsshares/images:/data\""));
    assert!(!p.exact);
    let message = fpga2gpu::report::quoted_message(f, p);
    assert!(message.contains("/home/hcsshares/images"), "the message quotes the fragment: {message}");
}

#[test]
fn a_finding_in_chunked_create_options_is_the_chunk_that_holds_it() {
    let co = r#"{"Env":["A=1","B=2"],"HostConfig":{"Binds":["/home/hcsshares/images:/data"]}}"#;
    let (a, b) = co.split_at(30);
    let text = format!(
        "{{\n  \"modulesContent\": {{\n    \"$edgeAgent\": {{\n      \"properties.desired\": {{\n        \"modules\": {{\n          \"camera\": {{\n            \"settings\": {{\n              \"createOptions\": {},\n              \"createOptions01\": {}\n            }}\n          }}\n        }}\n      }}\n    }}\n  }}\n}}\n",
        serde_json::to_string(a).unwrap(),
        serde_json::to_string(b).unwrap()
    );
    let r = positions(&text);
    let (_, p) = of(&r, "STO001", Some("camera"));
    assert_eq!(p.region.start_line, 9, "the second chunk's line");
    assert_eq!(p.region.start_column, 34);
    assert_eq!(slice(&text, p), serde_json::to_string(b).unwrap(), "the whole literal of the chunk");
}

#[test]
fn a_finding_in_an_object_create_options_is_the_exact_value_with_bom_and_crlf() {
    let text = "\u{feff}{\r\n  \"modulesContent\": {\r\n    \"$edgeAgent\": {\r\n      \"properties.desired\": {\r\n        \"modules\": {\r\n          \"cäméra\": {\r\n            \"settings\": {\r\n              \"createOptions\": {\"HostConfig\": {\"Binds\": [\"/home/hcsshares/images:/data\"]}}\r\n            }\r\n          }\r\n        }\r\n      }\r\n    }\r\n  }\r\n}\r\n";
    let r = positions(text);
    let (_, p) = of(&r, "STO001", Some("cäméra"));
    // 14 spaces, `"createOptions": ` (17), `{"HostConfig": ` (15), `{"Binds": [` (11): column 58.
    assert_eq!((p.region.start_line, p.region.start_column), (8, 58), "{:?}", p.region);
    assert_eq!(slice(text, p), "\"/home/hcsshares/images:/data\"");
    assert!(p.exact);
}

#[test]
fn module_findings_point_at_the_module_key_and_deployment_findings_at_edge_agent() {
    let text = ONE_LINE.replace("\"camera\"", "\"Camera_Module\"");
    let r = positions(&text);
    let i = r.0.iter().position(|f| f.rule == "OTH002").expect("the module name is reported");
    let p = &r.1[i];
    assert_eq!(slice(&text, p), "\"Camera_Module\"");
    assert_eq!((p.region.start_line, p.region.start_column), (7, 11));
    let (_, p) = of(&r, "OTH009", None);
    assert_eq!(slice(&text, p), "\"$edgeAgent\"", "a deployment-level finding is placed at $edgeAgent");
}

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_fpga2gpu"))
}

#[test]
fn sarif_for_the_whole_corpus_validates_against_the_schema_and_every_region_lies_in_its_file() {
    let Some(files) = corpus_paths("the SARIF corpus test") else { return };
    let dir = corpus_dir();
    let names: Vec<String> = files.iter().map(|f| f.file_name().unwrap().to_string_lossy().into_owned()).collect();
    let out = bin().current_dir(&dir).arg("check").args(["--format", "sarif"]).args(&names).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "some corpus files are not JSON: exit 2 stays");
    let sarif: Value = serde_json::from_slice(&out.stdout).expect("SARIF is JSON");
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sarif/sarif-schema-2.1.0.json"))
            .unwrap(),
    )
    .unwrap();
    // The OASIS schema's `language` patterns are ECMAScript with a lone `]` (a literal there),
    // which the Rust validator refuses as a regex; escaping it keeps their meaning. fpga2gpu writes
    // no `language`, so nothing else changes.
    let mut schema = schema;
    let fixed = escape_lone_brackets(&mut schema);
    assert!(fixed >= 1, "the schema as bundled has the ECMAScript patterns");
    let validator = jsonschema::draft7::options().build(&schema).expect("the schema compiles");
    let errors: Vec<String> =
        validator.iter_errors(&sarif).take(10).map(|e| format!("{e} at {}", e.instance_path())).collect();
    assert!(errors.is_empty(), "SARIF does not validate:\n{}", errors.join("\n"));
    let mut broken = sarif.clone();
    broken["runs"][0]["results"][0]["level"] = Value::String("fatal".into());
    assert!(!validator.is_valid(&broken), "the validator rejects a level SARIF does not know");

    let run = &sarif["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), fpga2gpu::rules::catalogue().len(), "the catalogue is the driver's rules");
    let results = run["results"].as_array().unwrap();
    assert!(results.len() > 500, "the corpus gives hundreds of results: {}", results.len());
    for r in results {
        let id = r["ruleId"].as_str().unwrap();
        assert_eq!(rules[r["ruleIndex"].as_u64().unwrap() as usize]["id"], id);
        let loc = &r["locations"][0]["physicalLocation"];
        let uri = loc["artifactLocation"]["uri"].as_str().unwrap();
        let text = std::fs::read_to_string(dir.join(uri)).unwrap_or_else(|e| panic!("{uri}: {e}"));
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        let lines: Vec<&str> = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l)).collect();
        let region = &loc["region"];
        let (sl, sc, el, ec) = (
            region["startLine"].as_u64().unwrap() as usize,
            region["startColumn"].as_u64().unwrap() as usize,
            region["endLine"].as_u64().unwrap() as usize,
            region["endColumn"].as_u64().unwrap() as usize,
        );
        assert!(sl >= 1 && sl <= el && el <= lines.len(), "{uri} {id}: lines {sl}..{el} of {}", lines.len());
        assert!(sc >= 1 && sc <= lines[sl - 1].chars().count() + 1, "{uri} {id}: start column {sc}");
        assert!(ec >= 1 && ec <= lines[el - 1].chars().count() + 1, "{uri} {id}: end column {ec}");
        assert!(sl < el || sc < ec, "{uri} {id}: an empty region");
        assert!(r["locations"][0]["logicalLocations"][0]["name"].is_string());
    }
    let notes = run["invocations"][0]["toolExecutionNotifications"].as_array().unwrap();
    let invalid = names.iter().filter(|n| Manifest::load_file(&dir.join(n)).is_err()).count();
    assert_eq!(notes.len(), invalid, "one notification per unreadable file");
    for n in notes {
        let region = &n["locations"][0]["physicalLocation"]["region"];
        assert!(region["startLine"].as_u64().unwrap() >= 1 && region["startColumn"].as_u64().unwrap() >= 1);
    }
    assert_eq!(run["invocations"][0]["executionSuccessful"], false);
}

#[test]
fn github_annotations_match_their_golden_file() {
    let out = bin()
        .current_dir(fixture_path("rules"))
        .args(["check", "--format", "github", "STO001.json", "NET002.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.lines().all(|l| l.starts_with("::error ") || l.starts_with("::warning ") || l.starts_with("::notice "))
    );
    insta::assert_snapshot!("github_annotations", text);
}

#[test]
fn the_text_format_puts_file_line_and_column_before_each_finding() {
    let out = bin().current_dir(fixture_path("rules")).args(["check", "STO001.json"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let placed: Vec<&str> = text.lines().filter(|l| l.contains(" STO001 ")).collect();
    assert!(!placed.is_empty());
    for l in placed {
        let head = l.trim_start().split(": ").next().unwrap();
        let parts: Vec<&str> = head.split(':').collect();
        assert_eq!(parts[0], "STO001.json", "{l}");
        assert!(parts[1].parse::<usize>().unwrap() > 1 && parts[2].parse::<usize>().unwrap() >= 1, "{l}");
    }
}

#[test]
fn fail_on_sets_when_the_exit_code_is_one() {
    // A module with nothing to change: the deployment's advice (info) and nothing worse.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("clean.json");
    std::fs::copy(fixture_path("clean.deployment.json"), &file).unwrap();
    let m = Manifest::load_file(&file).unwrap();
    let worst = analyse(&m, &DeviceProfile::default()).iter().map(|f| f.severity).min();
    assert_eq!(worst, Some(fpga2gpu::rules::Severity::Info), "the clean fixture has advice only");
    let code = |fail_on: &str| bin().args(["check", "--fail-on", fail_on]).arg(&file).output().unwrap().status.code();
    assert_eq!(code("error"), Some(0));
    assert_eq!(code("warning"), Some(0));
    assert_eq!(code("info"), Some(1));
    assert_eq!(code("never"), Some(0));
    let broken = dir.path().join("broken.json");
    std::fs::write(&broken, "{").unwrap();
    assert_eq!(
        bin().args(["check", "--fail-on", "never"]).arg(&broken).output().unwrap().status.code(),
        Some(2),
        "an unreadable file is 2 whatever --fail-on says"
    );
}

/// Escapes the lone `]` of the schema's `language` patterns; returns how many it changed.
fn escape_lone_brackets(v: &mut Value) -> usize {
    const ECMA: &str = "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$";
    match v {
        Value::Object(o) => {
            let mut n = 0;
            for (k, x) in o.iter_mut() {
                if k == "pattern" && x == ECMA {
                    *x = Value::String(ECMA.replace("}]?", "}\\]?"));
                    n += 1;
                } else {
                    n += escape_lone_brackets(x);
                }
            }
            n
        }
        Value::Array(a) => a.iter_mut().map(escape_lone_brackets).sum(),
        _ => 0,
    }
}
