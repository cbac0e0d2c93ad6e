//! Writing a manifest back: the same indentation and line endings as the input, createOptions
//! strings re-chunked the way IoT Edge tooling expects, and an atomic write that never clobbers.

use super::location::CREATE_OPTIONS;
use super::{CreateOptionsForm, Pointer, chunk_key, is_chunk_key, pointer};
use serde::Serialize;
use serde_json::{Map, Value};
use std::io::Write;
use std::path::{Path, PathBuf};

/// IoT Edge tooling splits createOptions strings into pieces of this many characters.
pub const ENCODE_CHUNK_CHARS: usize = 512;
/// More pieces than this (4 KB) are more than the tooling accepts by default.
pub const MAX_CHUNKS: usize = 8;

/// The text style of the input, so an export diffs cleanly against it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextFormat {
    /// The input had a UTF-8 BOM (export never writes one: IoT Hub and most JSON readers refuse it).
    pub bom: bool,
    pub crlf: bool,
    /// One level of indentation, as found in the input.
    pub indent: String,
    pub trailing_newline: bool,
}

impl Default for TextFormat {
    fn default() -> Self {
        TextFormat { bom: false, crlf: false, indent: "  ".to_owned(), trailing_newline: true }
    }
}

impl TextFormat {
    /// Reads the style off the input text: the first indented line after an opening bracket.
    pub fn detect(text: &str) -> TextFormat {
        let crlf = text.contains("\r\n");
        let trailing_newline = text.ends_with('\n');
        let mut indent = "  ".to_owned();
        let mut lines = text.lines();
        while let Some(line) = lines.next() {
            let t = line.trim_end();
            if t.ends_with('{') || t.ends_with('[') {
                let own = line.len() - line.trim_start().len();
                if let Some(next) = lines.next() {
                    let ws: String = next.chars().take_while(|c| *c == ' ' || *c == '\t').collect();
                    if ws.len() > own && !next.trim().is_empty() {
                        indent = ws[own..].to_owned();
                        break;
                    }
                }
            }
        }
        if indent.is_empty() || indent.len() > 8 {
            indent = "  ".to_owned();
        }
        TextFormat { bom: false, crlf, indent, trailing_newline }
    }
}

/// Pretty-prints a document in the given style.
pub fn encode_document(doc: &Value, format: &TextFormat) -> String {
    let mut buf = Vec::with_capacity(4096);
    let formatter = serde_json::ser::PrettyFormatter::with_indent(format.indent.as_bytes());
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, formatter);
    doc.serialize(&mut ser).expect("serialising a Value to memory cannot fail");
    let mut text = String::from_utf8(buf).expect("serde_json writes UTF-8");
    if format.trailing_newline {
        text.push('\n');
    }
    if format.crlf {
        text = text.replace('\n', "\r\n");
    }
    text
}

/// Splits a minified createOptions string into pieces of at most [`ENCODE_CHUNK_CHARS`] characters
/// (never inside a UTF-8 character).
pub fn chunk(s: &str) -> Vec<&str> {
    let mut out = Vec::with_capacity(s.len() / ENCODE_CHUNK_CHARS + 1);
    let mut rest = s;
    while !rest.is_empty() {
        let cut = rest.char_indices().nth(ENCODE_CHUNK_CHARS).map_or(rest.len(), |(i, _)| i);
        out.push(&rest[..cut]);
        rest = &rest[cut..];
    }
    if out.is_empty() {
        out.push("");
    }
    out
}

/// Writes a module's new createOptions back into its `settings` (at `settings_at` in `doc`) in the
/// form it had: an object stays an object; a string is minified and split into
/// [`ENCODE_CHUNK_CHARS`]-character chunks (`createOptions`, `createOptions01`, …) where the old
/// chunks were. Returns a warning when the module needs more chunks than tooling accepts.
pub fn write_create_options(
    doc: &mut Value,
    settings_at: &Pointer,
    form: &CreateOptionsForm,
    value: Value,
) -> Option<String> {
    if pointer::get(doc, settings_at.as_str()).is_none() {
        let _ = pointer::set(doc, settings_at.as_str(), Value::Object(Map::new()));
    }
    let Some(Value::Object(settings)) = pointer::get_mut(doc, settings_at.as_str()) else {
        return Some("settings is not an object; createOptions not written".to_owned());
    };
    if *form == CreateOptionsForm::Object {
        settings.insert(CREATE_OPTIONS.to_owned(), value);
        return None;
    }
    let text = serde_json::to_string(&value).expect("a Value serialises");
    let chunks = chunk(&text);
    let warning = (chunks.len() > MAX_CHUNKS).then(|| {
        format!(
            "createOptions needs {} chunks of {ENCODE_CHUNK_CHARS} characters, more than the {MAX_CHUNKS} IoT Edge tooling accepts by default",
            chunks.len()
        )
    });
    let old = std::mem::take(settings);
    let mut written = false;
    let write = |settings: &mut Map<String, Value>| {
        for (n, c) in chunks.iter().enumerate() {
            settings.insert(chunk_key(n), Value::String((*c).to_owned()));
        }
    };
    for (k, v) in old {
        if is_chunk_key(&k) {
            if !written {
                write(settings);
                written = true;
            }
        } else {
            settings.insert(k, v);
        }
    }
    if !written {
        write(settings);
    }
    warning
}

/// The two paths name the same file (links resolved); compared as written when either does not
/// exist yet. Writing an export over its own input needs the engineer's explicit consent.
pub fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

/// Why an export could not be written. The input and any existing file are untouched in every case.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("{0} already exists; choose another name or allow overwriting")]
    Exists(PathBuf),
    #[error("{0} is a directory, not a file")]
    IsDirectory(PathBuf),
    #[error("cannot write {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
}

/// Writes `bytes` to `path` atomically: a temporary file in the same folder, flushed, then renamed
/// over the target. With `overwrite` false an existing file is an error, not a silent replace.
///
/// The file gets the permissions a plain copy would give it: a new file those of any new file
/// (read and write for all, less the umask), a replaced file its old mode. (A temporary file is
/// private by default, and its mode would otherwise survive the rename: colleagues and CI jobs
/// could not read the export.)
pub fn write_atomic(path: &Path, bytes: &[u8], overwrite: bool) -> Result<(), WriteError> {
    if path.is_dir() {
        return Err(WriteError::IsDirectory(path.to_owned()));
    }
    if !overwrite && path.exists() {
        return Err(WriteError::Exists(path.to_owned()));
    }
    let io = |source| WriteError::Io { path: path.to_owned(), source };
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".fpga2gpu-").suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // The mode a new file is created with; the kernel takes the umask off, as for `cp`.
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut tmp = builder.tempfile_in(dir).map_err(io)?;
    if let Ok(old) = std::fs::metadata(path) {
        // Set explicitly (no umask): the replaced file's mode, whatever it was.
        std::fs::set_permissions(tmp.path(), old.permissions()).map_err(io)?;
    }
    tmp.write_all(bytes).map_err(io)?;
    tmp.as_file().sync_all().map_err(io)?;
    if overwrite {
        tmp.persist(path).map_err(|e| io(e.error))?;
    } else {
        tmp.persist_noclobber(path).map_err(|e| {
            if e.error.kind() == std::io::ErrorKind::AlreadyExists {
                WriteError::Exists(path.to_owned())
            } else {
                io(e.error)
            }
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_indent_and_line_endings() {
        let f = TextFormat::detect("{\r\n    \"a\": {\r\n        \"b\": 1\r\n    }\r\n}\r\n");
        assert_eq!(f.indent, "    ");
        assert!(f.crlf && f.trailing_newline);
        assert_eq!(TextFormat::detect("{\n\t\"a\": 1\n}").indent, "\t");
    }

    #[test]
    fn chunks_respect_char_boundaries() {
        let s = "é".repeat(1030);
        let parts = chunk(&s);
        assert_eq!(parts.len(), 3);
        assert!(parts.iter().all(|p| p.chars().count() <= ENCODE_CHUNK_CHARS));
        assert_eq!(parts.concat(), s);
    }

    #[test]
    fn atomic_write_refuses_to_clobber() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.json");
        write_atomic(&p, b"one", false).unwrap();
        assert!(matches!(write_atomic(&p, b"two", false), Err(WriteError::Exists(_))));
        assert_eq!(std::fs::read(&p).unwrap(), b"one");
        write_atomic(&p, b"two", true).unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        assert!(matches!(write_atomic(dir.path(), b"x", true), Err(WriteError::IsDirectory(_))));
        let leftovers = std::fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(leftovers, 1, "no temporary file is left behind");
    }

    #[cfg(unix)]
    #[test]
    fn a_new_file_gets_the_umask_and_a_replaced_file_keeps_its_mode() {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o7777;
        let dir = tempfile::tempdir().unwrap();
        // What any new file gets here (0666 less this process's umask): what `cp` would give.
        let reference = dir.path().join("reference");
        std::fs::File::create(&reference).unwrap();
        let new = dir.path().join("new.json");
        write_atomic(&new, b"{}", false).unwrap();
        assert_eq!(mode(&new), mode(&reference), "a new file gets the umask, not a temporary file's 0600");

        for kept in [0o640, 0o755, 0o600] {
            std::fs::set_permissions(&new, std::fs::Permissions::from_mode(kept)).unwrap();
            write_atomic(&new, b"[]", true).unwrap();
            assert_eq!(std::fs::read(&new).unwrap(), b"[]");
            assert_eq!(mode(&new), kept, "a replaced file keeps its mode {kept:o}");
        }
    }
}
