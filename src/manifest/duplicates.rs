//! Duplicate object keys. JSON allows them, serde_json keeps the last value without a word, and so
//! does export: the earlier values would vanish from the migrated manifest unnoticed. One pass over
//! the text (already parsed, so known to be valid) finds them and names each by its JSON pointer,
//! for the document and for every createOptions string, which is JSON of its own: each becomes a
//! [`Notice`] at the duplicate's own place.
//!
//! The scan allocates nothing for keys without escapes and uses a hash set only for objects with
//! many keys, so it costs a small fraction of the parse it follows.

use super::{CreateOptionsForm, CreateOptionsProblem, Location, Manifest, Notice, NoticeKind, Pointer};
use serde_json::Value;
use std::borrow::Cow;
use std::collections::HashSet;

/// Objects with more keys than this are checked with a hash set instead of a linear scan.
const LINEAR_KEYS: usize = 16;

/// A key that appears more than once in the same object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Duplicate {
    /// Where the key's (kept) value is, from the root of the text scanned.
    pub pointer: Pointer,
    pub key: String,
    /// How many times the key appears in that object.
    pub count: usize,
}

/// Adds a notice to the manifest for every duplicate key of `text` (the document it was loaded
/// from) and of its modules' createOptions strings, at the duplicate's place: a place in a
/// module's createOptions (string or object) is a createOptions location, as rules name it.
pub fn note(text: &str, manifest: &mut Manifest) {
    // The document is written back from its parsed value: the earlier values are gone from it. A
    // createOptions string is written back as it was unless the migration changes it.
    const DROPPED: &str = "JSON keeps only the last value, so the earlier ones are not in the migrated manifest";
    const IGNORED: &str = "JSON keeps only the last value: the earlier ones have no effect, and are dropped if the migration changes this createOptions";
    let mut found: Vec<(Location, Duplicate, &str)> =
        find(text).into_iter().map(|d| (in_document(manifest, &d), d, DROPPED)).collect();
    for module in &manifest.modules {
        let co = &module.create_options;
        let strict = !co.problems.iter().any(|p| matches!(p, CreateOptionsProblem::Lenient { .. }));
        if !matches!(co.form, CreateOptionsForm::String { .. }) || co.value.is_none() || !strict {
            continue;
        }
        let Some(settings) = manifest.get(&module.at.child("settings")).and_then(Value::as_object) else {
            continue;
        };
        let mut chunks: Vec<(u32, &str)> = settings
            .iter()
            .filter(|(k, _)| super::is_chunk_key(k))
            .filter_map(|(k, v)| Some((k["createOptions".len()..].parse().unwrap_or(0), v.as_str()?)))
            .collect();
        let joined: Cow<str> = if chunks.len() == 1 {
            Cow::Borrowed(chunks[0].1)
        } else {
            chunks.sort_by_key(|c| c.0);
            Cow::Owned(chunks.iter().map(|c| c.1).collect())
        };
        found.extend(find(&joined).into_iter().map(|d| (module.create_options_at(d.pointer.clone()), d, IGNORED)));
    }
    manifest.notices.extend(found.into_iter().map(|(at, d, effect)| Notice {
        kind: NoticeKind::DuplicateKey,
        message: format!("duplicate key `{}` at {at} ({} times in the same object): {effect}", d.key, d.count),
        at,
    }));
}

/// A duplicate found in the document's text: below a module's createOptions object, the place
/// inside its createOptions.
fn in_document(manifest: &Manifest, d: &Duplicate) -> Location {
    let inside = manifest.modules.iter().filter(|m| m.create_options.form == CreateOptionsForm::Object).find_map(|m| {
        let rest = d.pointer.strip_prefix(&Location::create_options_of(&m.at))?;
        (!rest.is_root()).then(|| m.create_options_at(rest))
    });
    inside.unwrap_or_else(|| Location::Document(d.pointer.clone()))
}

enum Kind {
    Object,
    Array,
}

struct Frame<'a> {
    kind: Kind,
    /// Start of this object's keys in the shared key stack.
    start: usize,
    /// The key (object) or index (array) of the value being read.
    current: usize,
    /// Set of keys, once the object has more than [`LINEAR_KEYS`].
    set: Option<HashSet<Cow<'a, str>>>,
    /// The next string is a key.
    expect_key: bool,
}

/// Every duplicate key in a JSON text, with pointers from the text's root. Meant for text
/// serde_json has accepted; on anything else it returns what it found, without failing or panicking.
pub fn find<'a>(text: &'a str) -> Vec<Duplicate> {
    let bytes = text.as_bytes();
    let mut keys: Vec<Cow<'a, str>> = Vec::new();
    let mut stack: Vec<Frame<'a>> = Vec::new();
    let mut out: Vec<Duplicate> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'{' => {
                stack.push(Frame {
                    kind: Kind::Object,
                    start: keys.len(),
                    current: usize::MAX,
                    set: None,
                    expect_key: true,
                });
                i += 1;
            }
            b'[' => {
                stack.push(Frame { kind: Kind::Array, start: keys.len(), current: 0, set: None, expect_key: false });
                i += 1;
            }
            b'}' | b']' => {
                if let Some(f) = stack.pop() {
                    keys.truncate(f.start);
                }
                i += 1;
            }
            b',' => {
                if let Some(f) = stack.last_mut() {
                    match f.kind {
                        Kind::Array => f.current += 1,
                        Kind::Object => f.expect_key = true,
                    }
                }
                i += 1;
            }
            b'"' => {
                let end = string_end(bytes, i + 1);
                let is_key = stack.last().is_some_and(|f| f.expect_key);
                if is_key {
                    let raw = text.get(i + 1..end).unwrap_or("");
                    let key: Cow<'a, str> = if raw.contains('\\') {
                        match text.get(i..(end + 1).min(text.len())).and_then(|q| serde_json::from_str(q).ok()) {
                            Some(s) => Cow::Owned(s),
                            None => Cow::Borrowed(raw),
                        }
                    } else {
                        Cow::Borrowed(raw)
                    };
                    add_key(key, &mut keys, &mut stack, &mut out);
                }
                i = end + 1;
            }
            b' ' => i = skip_spaces(bytes, i + 1),
            _ => i += 1,
        }
    }
    out
}

/// Records a key in the innermost object and reports it when already there.
fn add_key<'a>(key: Cow<'a, str>, keys: &mut Vec<Cow<'a, str>>, stack: &mut [Frame<'a>], out: &mut Vec<Duplicate>) {
    let Some(frame) = stack.last_mut() else { return };
    frame.expect_key = false;
    let own = &keys[frame.start..];
    let seen = match &frame.set {
        Some(set) => set.contains(&key),
        None => own.contains(&key),
    };
    if !seen {
        if let Some(set) = &mut frame.set {
            set.insert(key.clone());
        } else if own.len() >= LINEAR_KEYS {
            let mut set: HashSet<Cow<'a, str>> = own.iter().cloned().collect();
            set.insert(key.clone());
            frame.set = Some(set);
        }
    }
    frame.current = keys.len();
    keys.push(key);
    if seen {
        let ptr = path(keys, stack);
        match out.iter_mut().find(|d| d.pointer == ptr) {
            Some(d) => d.count += 1,
            None => {
                let key = keys.last().map(|k| k.to_string()).unwrap_or_default();
                out.push(Duplicate { pointer: ptr, key, count: 2 });
            }
        }
    }
}

/// The pointer of the value being read in the innermost container.
fn path(keys: &[Cow<str>], stack: &[Frame]) -> Pointer {
    stack.iter().fold(Pointer::root(), |p, f| match f.kind {
        Kind::Object => p.child(keys.get(f.current).map_or("", |k| k.as_ref())),
        Kind::Array => p.index(f.current),
    })
}

/// Index of the closing quote of a string whose content starts at `from` (or the end of the text).
fn string_end(bytes: &[u8], from: usize) -> usize {
    let mut j = from;
    loop {
        // Eight bytes at a time up to the next quote or backslash.
        while let Some(word) = bytes.get(j..j + 8) {
            let word = u64::from_le_bytes(word.try_into().expect("eight bytes"));
            let hits = has_byte(word, b'"') | has_byte(word, b'\\');
            if hits != 0 {
                j += (hits.trailing_zeros() / 8) as usize;
                break;
            }
            j += 8;
        }
        match bytes.get(j) {
            None => return bytes.len(),
            Some(b'"') => return j,
            Some(b'\\') => j += 2,
            Some(_) => j += 1,
        }
    }
}

/// Index of the first byte at or after `from` that is not a space (indentation is most of a
/// pretty-printed file's bytes).
fn skip_spaces(bytes: &[u8], from: usize) -> usize {
    let mut j = from;
    while let Some(word) = bytes.get(j..j + 8) {
        let other = u64::from_le_bytes(word.try_into().expect("eight bytes")) ^ SPACES;
        if other != 0 {
            return j + (other.trailing_zeros() / 8) as usize;
        }
        j += 8;
    }
    j
}

const SPACES: u64 = u64::from_ne_bytes([b' '; 8]);

/// A word with the high bit set in each byte of `word` equal to `b` (and only there, for the
/// lowest such byte: enough to find the first one).
fn has_byte(word: u64, b: u8) -> u64 {
    const LOW: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);
    let x = word ^ (LOW * b as u64);
    x.wrapping_sub(LOW) & !x & HIGH
}

/// The deepest nesting of `[`/`{` in a JSON or JSON5 text (strings and comments skipped), without
/// recursion. Lets a caller refuse text that a recursive reader (json5) would overflow the stack on.
pub fn nesting_depth(text: &str) -> usize {
    let bytes = text.as_bytes();
    let (mut depth, mut max, mut i) = (0usize, 0usize, 0usize);
    while i < bytes.len() {
        match bytes[i] {
            b'[' | b'{' => {
                depth += 1;
                max = max.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            q @ (b'"' | b'\'') => {
                i += 1;
                while i < bytes.len() && bytes[i] != q {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i < bytes.len() && !(bytes[i] == b'*' && bytes.get(i + 1) == Some(&b'/')) {
                    i += 1;
                }
                i += 1;
            }
            _ => {}
        }
        i += 1;
    }
    max
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_duplicates_with_their_pointer() {
        let text = r#"{"a": {"x": 1, "y": [{"k": 1, "k": 2, "k": 3}], "x": 2}, "b/c": {"~": 1, "\u007e": 2}, "s": "{\"a\":1,\"a\":2}"}"#;
        let found = find(text);
        let at = |p: &str| Pointer::parse(p).unwrap();
        assert_eq!(
            found,
            [
                Duplicate { pointer: at("/a/y/0/k"), key: "k".into(), count: 3 },
                Duplicate { pointer: at("/a/x"), key: "x".into(), count: 2 },
                Duplicate { pointer: at("/b~1c/~0"), key: "~".into(), count: 2 },
            ]
        );
    }

    #[test]
    fn large_objects_and_no_duplicates() {
        let many: Vec<String> = (0..100).map(|i| format!("\"k{i}\": [1, {{\"k{i}\": 2}}]")).collect();
        let text = format!("{{{}}}", many.join(", "));
        assert!(find(&text).is_empty());
        let text = format!("{{{}, \"k42\": 0}}", many.join(", "));
        assert_eq!(find(&text)[0].pointer.as_str(), "/k42");
    }

    #[test]
    fn nesting_depth_skips_strings_and_comments() {
        assert_eq!(nesting_depth("{\"a\": [1, {\"b\": \"[[[{\"}]}"), 3);
        assert_eq!(nesting_depth("{a: '[[[', // [[[\n b: /* {{{ */ [1,],}"), 2);
        assert_eq!(nesting_depth(&"[".repeat(100_000)), 100_000);
        assert_eq!(nesting_depth("]]]}"), 0);
    }

    #[test]
    fn word_at_a_time_scans_match_byte_by_byte() {
        let naive_end = |b: &[u8], from: usize| {
            let mut j = from;
            while j < b.len() {
                match b[j] {
                    b'"' => return j,
                    b'\\' => j += 2,
                    _ => j += 1,
                }
            }
            b.len()
        };
        let text = r#"abc\"defghij\\"klmnopqrstuvwxyz0123456789\"\"\\\"x"tail     ,  "é€😀\""#;
        let b = text.as_bytes();
        for from in 0..b.len() {
            assert_eq!(string_end(b, from), naive_end(b, from), "from {from}");
            let spaces = b[from..].iter().position(|&c| c != b' ').map_or(b.len(), |p| from + p);
            assert_eq!(skip_spaces(b, from), spaces, "from {from}");
        }
    }

    #[test]
    fn garbage_does_not_panic() {
        for t in ["", "}", "]]", "{\"a", "{\"a\\", "[,,,]", "{\"a\":1,\"a\"", "\"\\"] {
            let _ = find(t);
        }
    }

    #[test]
    fn manifest_notices_cover_the_document_and_create_options_at_their_place() {
        let text = r#"{"modulesContent": {"$edgeAgent": {"properties.desired": {"modules": {
            "m": {"settings": {"image": "x", "createOptions": "{\"Env\":[],", "createOptions01": "\"Env\":[\"A=1\"]}"}},
            "n": {"settings": {"image": "x"}, "settings": {"image": "y"}},
            "t": {"settings": {"image": "x", "createOptions": {"HostConfig": {"Privileged": true, "Privileged": false}}}}
        }}}}}"#;
        let m = Manifest::load(text.as_bytes()).unwrap();
        assert_eq!(m.notices.len(), 3, "{:?}", m.notices);
        assert!(m.notices.iter().all(|n| n.kind == NoticeKind::DuplicateKey));
        let module = |name: &str| m.module(name).unwrap();
        let co =
            |name: &str, tokens: &[&str]| module(name).create_options_at(Pointer::from_tokens(tokens.iter().copied()));
        assert_eq!(m.notices[0].at, Location::Document(module("n").at.child("settings")));
        assert!(
            m.notices[0]
                .message
                .contains("`settings` at /modulesContent/$edgeAgent/properties.desired/modules/n/settings"),
            "{}",
            m.notices[0].message
        );
        assert_eq!(m.notices[1].at, co("t", &["HostConfig", "Privileged"]), "inside a createOptions object");
        assert_eq!(m.notices[2].at, co("m", &["Env"]), "inside a createOptions string");
        assert!(
            m.notices[2].message.contains(
                "`Env` at /modulesContent/$edgeAgent/properties.desired/modules/m/settings/createOptions/Env"
            ),
            "{}",
            m.notices[2].message
        );
    }
}
