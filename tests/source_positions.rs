//! Source positions of manifest values ([`fpga2gpu::manifest::source`]): small manifests written
//! here, with every line and column counted by hand, and properties over random JSON and the
//! generated manifests.

mod common;

#[path = "support/synth.rs"]
#[allow(dead_code)]
mod synth;

use fpga2gpu::manifest::source::{CreateOptionsRegion, Mapping, Region, SourceMap, Span};
use fpga2gpu::manifest::{CreateOptionsProblem, Manifest, pointer};
use proptest::prelude::*;
use serde_json::Value;

/// A text from lines and a line ending (the last line ends too).
fn lines(lines: &[&str], eol: &str) -> String {
    lines.iter().map(|l| format!("{l}{eol}")).collect()
}

fn region(start_line: usize, start_column: usize, end_line: usize, end_column: usize) -> Region {
    Region { start_line, start_column, end_line, end_column }
}

fn slice(text: &str, span: Option<Span>) -> &str {
    span.and_then(|s| s.slice(text)).expect("a span on character boundaries")
}

const SETTINGS: &str = "/modulesContent/$edgeAgent/properties.desired/modules/camera/settings";

/// One createOptions string on one line.
fn one_line() -> String {
    lines(
        &[
            r#"{"modulesContent": {"$edgeAgent": {"properties.desired": {"modules": {"camera": {"settings": {"#,
            r#"  "image": "cam:1","#,
            r#"  "createOptions": "{\"HostConfig\":{\"Binds\":[\"/data:/data\"]}}""#,
            r#"}}}}}, "$edgeHub": {}}}"#,
        ],
        "\n",
    )
}

#[test]
fn value_in_a_one_line_create_options_string() {
    let text = one_line();
    let map = SourceMap::new(&text).unwrap();
    let found = map.create_options_region(SETTINGS, "/HostConfig/Binds/0").unwrap();
    // The literal starts after `  "createOptions": ` (2 + 15 + 2 characters) and is 48 long.
    assert_eq!(found.region, region(3, 20, 3, 68));
    assert_eq!(found.span.slice(&text), Some(r#""{\"HostConfig\":{\"Binds\":[\"/data:/data\"]}}""#));
    assert_eq!(found.mapping, Mapping::ChunkLiteral { ancestor: false });
    assert_eq!(found.key, "createOptions");
    assert_eq!(found.found.as_deref(), Some("/HostConfig/Binds/0"));
    assert_eq!(found.fragment.as_deref(), Some(r#""/data:/data""#));
    // The key of the same member.
    let key = format!("{SETTINGS}/createOptions");
    assert_eq!(map.key_region(&key), Some(region(3, 3, 3, 18)));
    assert_eq!(slice(&text, map.key_span(&key)), r#""createOptions""#);
}

/// createOptions over three chunks, split inside the key `"Binds"`; the chunks are written out of
/// order, as the engine joins them by number.
fn chunked() -> String {
    lines(
        &[
            r#"{"modulesContent": {"$edgeAgent": {"properties.desired": {"modules": {"camera": {"settings": {"#,
            r#" "createOptions02": "nds\":[\"/x:/y\"]}}","#,
            r#" "createOptions": "{\"Env\":[\"A=1\"],","#,
            r#" "createOptions01": "\"HostConfig\":{\"Bi""#,
            r#"}}}}}, "$edgeHub": {}}}"#,
        ],
        "\n",
    )
}

#[test]
fn value_in_a_later_chunk_is_that_chunk_literal() {
    let text = chunked();
    let map = SourceMap::new(&text).unwrap();
    // Joined: {"Env":["A=1"],"HostConfig":{"Binds":["/x:/y"]}}; the bind starts in chunk 02.
    let bind = map.create_options_region(SETTINGS, "/HostConfig/Binds/0").unwrap();
    assert_eq!(bind.region, region(2, 21, 2, 42));
    assert_eq!(bind.span.slice(&text), Some(r#""nds\":[\"/x:/y\"]}}""#));
    assert_eq!((bind.key.as_str(), bind.mapping), ("createOptions02", Mapping::ChunkLiteral { ancestor: false }));
    assert_eq!(bind.fragment.as_deref(), Some(r#""/x:/y""#));
    // HostConfig's object starts in chunk 01, though it ends in 02.
    let host = map.create_options_region(SETTINGS, "/HostConfig").unwrap();
    assert_eq!(host.region, region(4, 21, 4, 43));
    assert_eq!(host.key, "createOptions01");
    assert_eq!(host.fragment.as_deref(), Some(r#"{"Binds":["/x:/y"]}"#));
    // The first chunk, written second.
    let env = map.create_options_region(SETTINGS, "/Env/0").unwrap();
    assert_eq!(env.region, region(3, 19, 3, 40));
    assert_eq!(env.key, "createOptions");
    // A bind that is not there: its nearest ancestor, the Binds array, in chunk 02.
    let missing = map.create_options_region(SETTINGS, "/HostConfig/Binds/5").unwrap();
    assert_eq!(missing.mapping, Mapping::ChunkLiteral { ancestor: true });
    assert_eq!(missing.found.as_deref(), Some("/HostConfig/Binds"));
    assert_eq!(missing.key, "createOptions02");
    assert_eq!(missing.fragment.as_deref(), Some(r#"["/x:/y"]"#));
}

/// createOptions as an object, the way deployment.template.json writes it.
fn object_form() -> String {
    lines(
        &[
            "{",
            r#"  "modulesContent": {"#,
            r#"    "$edgeAgent": {"#,
            r#"      "properties.desired": {"#,
            r#"        "modules": {"#,
            r#"          "camera": {"#,
            r#"            "settings": {"#,
            r#"              "createOptions": {"#,
            r#"                "HostConfig": {"#,
            r#"                  "Binds": ["/a:/a", "/srv/data:/data"]"#,
            r#"                }"#,
            r#"              }"#,
            r#"            }"#,
            r#"          }"#,
            r#"        }"#,
            r#"      }"#,
            r#"    },"#,
            r#"    "$edgeHub": {}"#,
            r#"  }"#,
            "}",
        ],
        "\n",
    )
}

#[test]
fn object_create_options_is_exact() {
    let text = object_form();
    let map = SourceMap::new(&text).unwrap();
    let bind = map.create_options_region(SETTINGS, "/HostConfig/Binds/1").unwrap();
    assert_eq!(bind.region, region(10, 38, 10, 55));
    assert_eq!(bind.span.slice(&text), Some(r#""/srv/data:/data""#));
    assert_eq!((bind.mapping, bind.fragment), (Mapping::Exact, None));
    // The same value through the whole pointer.
    let whole = format!("{SETTINGS}/createOptions/HostConfig/Binds/1");
    assert_eq!(map.value_region(&whole), Some(bind.region));
}

#[test]
fn missing_value_falls_back_to_its_nearest_ancestor() {
    let text = object_form();
    let map = SourceMap::new(&text).unwrap();
    let ports = map.create_options_region(SETTINGS, "/HostConfig/PortBindings/80~1tcp").unwrap();
    assert_eq!(ports.mapping, Mapping::Ancestor);
    assert_eq!(ports.found.as_deref(), Some("/HostConfig"));
    // From HostConfig's `{` to just past its `}`.
    assert_eq!(ports.region, region(9, 31, 11, 18));
    // The same for any pointer of the document.
    let whole = format!("{SETTINGS}/createOptions/HostConfig/PortBindings");
    let (r, found) = map.value_region_or_ancestor(&whole).unwrap();
    assert_eq!((r, found), (ports.region, &whole[..whole.len() - "/PortBindings".len()]));
    assert_eq!(map.value_region(&whole), None);
}

#[test]
fn unknown_pointers_have_no_region() {
    let text = object_form();
    let map = SourceMap::new(&text).unwrap();
    for p in [
        "/modulesContent/$edgeAgent/properties.desired/modules/nope",
        "/modulesContent/$edgeAgent/properties.desired/modules/camera/settings/createOptions/HostConfig/Binds/2",
        "/modulesContent/$edgeAgent/properties.desired/modules/camera/settings/createOptions/HostConfig/Binds/01",
        "/modulesContent/$edgeHub/x",
        "modulesContent",
    ] {
        assert_eq!(map.value_region(p), None, "{p}");
        assert_eq!(map.key_region(p), None, "{p}");
    }
    assert!(
        map.create_options_region("/modulesContent/$edgeAgent/properties.desired/modules/nope/settings", "").is_none()
    );
    // $edgeHub has no createOptions.
    assert!(map.create_options_region("/modulesContent/$edgeHub", "/HostConfig").is_none());
}

#[test]
fn module_and_edge_agent_keys() {
    let text = object_form();
    let map = SourceMap::new(&text).unwrap();
    let module = "/modulesContent/$edgeAgent/properties.desired/modules/camera";
    assert_eq!(map.key_region(module), Some(region(6, 11, 6, 19)));
    assert_eq!(slice(&text, map.key_span(module)), r#""camera""#);
    assert_eq!(map.key_region("/modulesContent/$edgeAgent"), Some(region(3, 5, 3, 17)));
    assert_eq!(slice(&text, map.key_span("/modulesContent/$edgeAgent")), r#""$edgeAgent""#);
    // The module's value spans its object.
    assert_eq!(map.value_region(module), Some(region(6, 21, 14, 12)));
    // No key for the root or an array element.
    assert_eq!(map.key_region(""), None);
    assert_eq!(map.key_region(&format!("{SETTINGS}/createOptions/HostConfig/Binds/0")), None);
    assert_eq!(map.value_region(""), Some(region(1, 1, 20, 2)));
}

#[test]
fn byte_order_mark_is_not_a_column() {
    let text = "\u{feff}{\"modulesContent\": {\"$edgeAgent\": {}}}";
    let map = SourceMap::new(text).unwrap();
    assert_eq!(map.key_region("/modulesContent"), Some(region(1, 2, 1, 18)));
    assert_eq!(map.value_region("/modulesContent/$edgeAgent"), Some(region(1, 35, 1, 37)));
    assert_eq!(map.value_span("").map(|s| s.start), Some(3), "spans are in the text as given, BOM included");
    assert_eq!(slice(text, map.key_span("/modulesContent")), "\"modulesContent\"");
}

#[test]
fn crlf_lines_and_columns() {
    let text = lines(
        &[
            "{",
            r#"  "modulesContent": {"#,
            r#"    "$edgeAgent": {"properties.desired.modules.camera": {"settings": {"image": "x"}}},"#,
            r#"    "$edgeHub": {"properties.desired.routes.up": "FROM /* INTO $upstream""#,
            "    }",
            "  }",
            "}",
        ],
        "\r\n",
    );
    let map = SourceMap::new(&text).unwrap();
    let image = "/modulesContent/$edgeAgent/properties.desired.modules.camera/settings/image";
    assert_eq!(map.value_region(image), Some(region(3, 80, 3, 83)));
    assert_eq!(slice(&text, map.value_span(image)), "\"x\"");
    // A value that ends its line ends at the line's length + 1, the CR not counted.
    let route = "/modulesContent/$edgeHub/properties.desired.routes.up";
    assert_eq!(map.value_region(route), Some(region(4, 50, 4, 74)));
    assert_eq!(lines_of(&text)[3].chars().count() + 1, 74);
    // The layered module key: one token with dots.
    let module = "/modulesContent/$edgeAgent/properties.desired.modules.camera";
    assert_eq!(map.key_region(module), Some(region(3, 20, 3, 55)));
    assert_eq!(slice(&text, map.key_span(module)), r#""properties.desired.modules.camera""#);
    // Objects over several lines end on their closing line.
    assert_eq!(map.value_region("/modulesContent"), Some(region(2, 21, 6, 4)));
}

/// The lines of a CRLF text without their line ends.
fn lines_of(text: &str) -> Vec<&str> {
    text.split("\r\n").collect()
}

#[test]
fn layered_manifest_module_key() {
    let text = concat!(
        "{\"content\": {\"modulesContent\": {\"$edgeAgent\": {\n",
        "  \"properties.desired.modules.cam/1~x\": {\"settings\": {\"createOptions\": \"{}\"}}\n",
        "}}}}\n"
    );
    let map = SourceMap::new(text).unwrap();
    let module = pointer::join("/content/modulesContent/$edgeAgent", "properties.desired.modules.cam/1~x");
    assert_eq!(module, "/content/modulesContent/$edgeAgent/properties.desired.modules.cam~11~0x");
    assert_eq!(map.key_region(&module), Some(region(2, 3, 2, 39)));
    // The empty createOptions string: its only value is the root.
    let co = map.create_options_region(&format!("{module}/settings"), "").unwrap();
    assert_eq!(co.region, region(2, 72, 2, 76));
    assert_eq!(co.fragment.as_deref(), Some("{}"));
}

#[test]
fn columns_count_characters_not_bytes() {
    let text = "{\"modulesContent\": {\"$edgeAgent\": {},\n\"Grüße\": {\"名前\": \"カメラ\", \"x\": \"😀\"}}}\n";
    let map = SourceMap::new(text).unwrap();
    // Line 2: `"Grüße": {"名前": "カメラ", "x": "😀"}}}`, every character one column.
    assert_eq!(map.key_region("/modulesContent/Grüße"), Some(region(2, 1, 2, 8)));
    assert_eq!(map.value_region("/modulesContent/Grüße/名前"), Some(region(2, 17, 2, 22)));
    assert_eq!(map.value_region("/modulesContent/Grüße/x"), Some(region(2, 29, 2, 32)));
    assert_eq!(slice(text, map.value_span("/modulesContent/Grüße/x")), "\"😀\"");
}

/// Every key and value of a document: its pointer, its key (members), its value.
fn walk<'v>(v: &'v Value, ptr: String, key: Option<&'v str>, out: &mut Vec<(String, Option<&'v str>, &'v Value)>) {
    out.push((ptr.clone(), key, v));
    match v {
        Value::Object(m) => m.iter().for_each(|(k, c)| walk(c, pointer::join(&ptr, k), Some(k), out)),
        Value::Array(a) => a.iter().enumerate().for_each(|(i, c)| walk(c, format!("{ptr}/{i}"), None, out)),
        _ => {}
    }
}

/// Every value's span parses to the value at its pointer; every key's span to its key.
fn assert_spans_match(text: &str, doc: &Value, map: &SourceMap) {
    let mut all = Vec::new();
    walk(doc, String::new(), None, &mut all);
    for (ptr, key, value) in all {
        let span = map.value_span(&ptr).unwrap_or_else(|| panic!("no span for {ptr:?}"));
        let written: Value = serde_json::from_str(slice(text, Some(span))).expect("a span is one JSON value");
        assert_eq!(&written, value, "{ptr}");
        assert_eq!(doc.pointer(&ptr), Some(value));
        match key {
            Some(k) => {
                let written: String = serde_json::from_str(slice(text, map.key_span(&ptr))).expect("a key token");
                assert_eq!(written, k, "{ptr}");
            }
            None => assert_eq!(map.key_span(&ptr), None),
        }
    }
}

fn json_value() -> impl Strategy<Value = Value> {
    let key = prop_oneof![
        Just(String::new()),
        Just("~".to_owned()),
        Just("a/b".to_owned()),
        Just("~1".to_owned()),
        Just("properties.desired.modules.x".to_owned()),
        "[a-zA-Zé名😀\"\\\\\n\t\u{7f}\u{2028} ]{0,6}",
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        (-1e12f64..1e12).prop_map(Value::from),
        "[a-z é名😀\"\\\\/\n\r\t\u{0}\u{1f}\u{2028}]{0,8}".prop_map(Value::String),
    ];
    leaf.prop_recursive(5, 48, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key.clone(), inner), 0..6).prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn spans_slice_to_their_values(doc in json_value(), pretty in any::<bool>(), bom in any::<bool>()) {
        let text = if pretty { serde_json::to_string_pretty(&doc) } else { serde_json::to_string(&doc) }.unwrap();
        let text = if bom { format!("\u{feff}{text}") } else { text };
        let map = SourceMap::new(&text).unwrap();
        assert_spans_match(&text, &doc, &map);
    }

    /// The map accepts exactly what serde_json accepts, on valid text with one character inserted
    /// or removed (and never panics).
    #[test]
    fn accepts_what_serde_json_accepts(
        doc in json_value(),
        at in any::<prop::sample::Index>(),
        insert in prop::option::of(prop::sample::select(vec![
            ' ', '\t', '\n', '\r', '\u{b}', '\u{c}', '\u{0}', '\u{a0}', '\u{2028}', '\u{3000}', '\u{feff}', ',', ':',
            '[', ']', '{', '}', '"', '\'', '\\', '/', '*', '-', '+', '.', '0', '1', 'e', 'x', 'é',
        ])),
    ) {
        let text = serde_json::to_string_pretty(&doc).unwrap();
        let boundaries: Vec<usize> = text.char_indices().map(|(i, _)| i).chain([text.len()]).collect();
        let i = boundaries[at.index(boundaries.len())];
        let mut mutated = text.clone();
        match insert {
            Some(c) => mutated.insert(i, c),
            None if i < text.len() => { mutated.remove(i); }
            None => {}
        }
        let serde_ok = serde_json::from_str::<Value>(mutated.strip_prefix('\u{feff}').unwrap_or(&mutated)).is_ok();
        let map = SourceMap::new(&mutated);
        prop_assert_eq!(map.is_ok(), serde_ok, "{:?}: {:?}", mutated, map.err());
    }
}

/// Every createOptions value of generated manifests is found in the literal of the chunk that
/// holds it, and the quoted fragment is its JSON (when not cut short).
#[test]
fn generated_manifests_create_options_land_in_their_chunk() {
    for seed in [1, 2, 3] {
        let text = synth::manifest(20, seed);
        let manifest = Manifest::load(text.as_bytes()).unwrap();
        let map = SourceMap::new(&text).unwrap();
        assert_spans_match(&text, &manifest.doc, &map);
        let mut chunked = 0;
        for module in &manifest.modules {
            let Some(decoded) = &module.create_options.value else { continue };
            let settings = format!("{}/settings", module.at);
            let lenient =
                module.create_options.problems.iter().any(|p| matches!(p, CreateOptionsProblem::Lenient { .. }));
            let mut all = Vec::new();
            walk(decoded, String::new(), None, &mut all);
            for (inner, _, value) in all {
                let Some(found) = map.create_options_region(&settings, &inner) else {
                    assert!(pointer::get(&manifest.doc, &format!("{settings}/createOptions")).is_none());
                    continue;
                };
                let CreateOptionsRegion { mapping, span, key, fragment, .. } = &found;
                let written: Value = serde_json::from_str(span.slice(&text).unwrap()).unwrap();
                let literal = pointer::get(&manifest.doc, &format!("{settings}/{key}")).unwrap();
                match mapping {
                    Mapping::Exact => assert_eq!(&written, value),
                    Mapping::Fallback if lenient => assert_eq!(&written, literal),
                    Mapping::ChunkLiteral { ancestor: false } if !lenient => {
                        assert_eq!(&written, literal);
                        chunked += usize::from(key != "createOptions");
                        let fragment = fragment.as_deref().unwrap();
                        if !fragment.ends_with('…') {
                            assert_eq!(&serde_json::from_str::<Value>(fragment).unwrap(), value);
                        }
                    }
                    other => panic!("{settings} {inner}: {other:?}"),
                }
            }
        }
        assert!(chunked > 0, "the generated manifests have chunked createOptions");
    }
}

/// The same over the real corpus (`FPGA2GPU_CORPUS`, by default `../shared/corpus/real`), when it is
/// there: every file the engine loads is indexed, every span parses back to its value, and every
/// createOptions value is placed exactly or on its chunk (never an ancestor), or falls back only
/// when the engine read it leniently or not at all.
#[test]
fn corpus_spans_match() {
    let Some(paths) = common::corpus_paths("corpus_spans_match") else { return };
    let mut checked = 0;
    for path in paths {
        let bytes = std::fs::read(&path).unwrap();
        let Ok(manifest) = Manifest::load(&bytes) else { continue };
        let text = String::from_utf8(bytes).unwrap();
        let map = SourceMap::new(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_spans_match(&text, &manifest.doc, &map);
        for module in &manifest.modules {
            assert!(map.key_region(module.at.as_str()).is_some(), "{}", module.at);
            let Some(decoded) = &module.create_options.value else { continue };
            // A chunk gap is reported apart; the chunks still join to strict JSON.
            let strict =
                !module.create_options.problems.iter().any(|p| matches!(p, CreateOptionsProblem::Lenient { .. }));
            // `null` reads as `{}` but is no string literal to point into.
            let null = pointer::get(&manifest.doc, &format!("{}/settings/createOptions", module.at))
                .is_some_and(Value::is_null);
            let mut all = Vec::new();
            walk(decoded, String::new(), None, &mut all);
            for (inner, _, _) in all {
                let Some(found) = map.create_options_region(&format!("{}/settings", module.at), &inner) else {
                    continue;
                };
                let ok = match found.mapping {
                    Mapping::Exact | Mapping::ChunkLiteral { ancestor: false } => strict,
                    Mapping::Fallback => !strict || null,
                    Mapping::Ancestor | Mapping::ChunkLiteral { ancestor: true } => false,
                };
                assert!(ok, "{} {}{inner}: {:?}", path.display(), module.at, found.mapping);
            }
        }
        checked += 1;
    }
    assert!(checked > 0, "the corpus has manifests the engine loads");
}
