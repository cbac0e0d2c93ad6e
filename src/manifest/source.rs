//! Where each value of a manifest is written in its file, so a finding can say `file:line:col`
//! (SARIF regions, GitHub annotations) instead of only a JSON pointer.
//!
//! serde_json keeps no positions, so the text is parsed a second time, once, by `jsonc-parser`
//! (dprint's parser: an AST with byte ranges), configured strictly. Every value is indexed by its
//! JSON pointer (RFC 6901, as [`pointer::join`] builds it) with its byte span and, for object
//! members, the span of the quoted key. Nothing is ever found by searching the text for a string.
//!
//! Positions, as SARIF declares them with `columnKind: unicodeCodePoints`:
//! - lines are 1-based and end at LF, CRLF or a lone CR (SARIF's line terminators); a CR before an
//!   LF ends its line and is not part of the next one;
//! - columns are 1-based and count Unicode scalar values (characters), not bytes;
//! - a UTF-8 byte order mark is not a column: line 1, column 1 is the first character after it;
//! - a [`Region`]'s end is exclusive like SARIF's `endColumn`: the column just past the last
//!   character (a value ending a line ends at the line's length in characters + 1).
//!
//! Accepted text is exactly what serde_json accepts (after a leading BOM), so the map never
//! disagrees with the loaded document. The parser alone is a little more lenient even with every
//! JSONC extension off (raw control characters in strings, `\v`, `\f` and Unicode spaces between
//! tokens); [`SourceMap::new`] refuses those itself and, because the parser recurses, refuses
//! nesting deeper than serde_json's own limit before parsing. Of duplicate keys, the last is
//! indexed, as serde_json keeps the last value.
//!
//! A createOptions string is JSON of its own, possibly split over `createOptions`,
//! `createOptions01`… (the split may fall inside a token). Its values are found in the decoded,
//! joined text by the same parser, and reported as the whole string literal of the chunk that holds
//! their start: a column inside an escaped string literal would not help anyone
//! ([`SourceMap::create_options_region`]).

use super::pointer;
use jsonc_parser::ast::{self, ObjectPropName};
use jsonc_parser::common::Ranged;
use jsonc_parser::{CollectOptions, ParseOptions, parse_to_ast};
use std::borrow::Cow;

/// Deepest nesting serde_json reads (it refuses the 128th level); the parser recurses, so deeper
/// text is refused before it is parsed.
pub const MAX_DEPTH: usize = 127;

/// Fragments quoted from a createOptions string are cut after this many characters.
pub const FRAGMENT_CHARS: usize = 80;

/// Bytes per block of the character-count index: a column costs counting at most one block
/// (twice per position). 64 bytes keep a position cheap on long minified lines, for 4 bytes of
/// index per 64 of text.
const CHAR_BLOCK: usize = 64;

/// No key (the root, an array element), or no child.
const NONE: u32 = u32::MAX;

/// A byte range in the text exactly as given to [`SourceMap::new`] (BOM included).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    /// The text of the span, when it lies in `text` on character boundaries.
    pub fn slice<'t>(&self, text: &'t str) -> Option<&'t str> {
        text.get(self.start..self.end)
    }
}

/// A place in the file as SARIF writes it: 1-based lines and character columns, end exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Region {
    pub start_line: usize,
    pub start_column: usize,
    pub end_line: usize,
    /// Just past the last character of the region.
    pub end_column: usize,
}

/// Why a text could not be indexed. The same texts serde_json refuses.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SourceError {
    #[error("the text is {size} bytes, too large to index")]
    TooLarge { size: usize },
    #[error("nested deeper than {MAX_DEPTH} levels")]
    TooDeep,
    #[error("no JSON value in the text")]
    Empty,
    #[error("not valid JSON at line {line}, column {column}: {message}")]
    Json { line: usize, column: usize, message: String },
}

/// How [`SourceMap::create_options_region`] placed a value, so a message can word it honestly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mapping {
    /// Object createOptions: the region is the value itself.
    Exact,
    /// Object createOptions: the value does not exist; the region is its nearest existing ancestor.
    Ancestor,
    /// String createOptions: the region is the whole string literal of the chunk that holds the
    /// start of the value, or of its nearest existing ancestor when `ancestor` is true (an empty
    /// string: the first chunk, which holds the empty root).
    ChunkLiteral { ancestor: bool },
    /// The joined createOptions is not strict JSON (lenient, invalid, a placeholder) or a chunk is
    /// not a string (`null` included): the region is the first chunk's value and nothing finer is
    /// known.
    Fallback,
}

/// Where a place inside a module's decoded createOptions is written in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateOptionsRegion {
    pub region: Region,
    pub span: Span,
    pub mapping: Mapping,
    /// The createOptions key whose value the region is (`createOptions02`).
    pub key: String,
    /// The part of the inner pointer that exists: all of it, or its nearest existing ancestor
    /// (`""` is the whole createOptions). `None` for [`Mapping::Fallback`].
    pub found: Option<String>,
    /// String createOptions: the decoded text of the found value, cut after [`FRAGMENT_CHARS`]
    /// characters (then `…`), so a message can quote what the literal holds. `None` when the
    /// string is empty.
    pub fragment: Option<String>,
}

/// Byte spans of every value of a JSON text, by JSON pointer, and their lines and columns.
///
/// Memory is 36 bytes per value (a fixed-size node and its place in the key order; no pointer
/// strings), a copy of the text, and 4 bytes per line and per 64 bytes of text: about 2.2 MB for the
/// 1.3 MB, 1000-module generated manifest (22 045 values), built in about 13 ms in a release build
/// (serde_json alone parses it in about 8 ms).
#[derive(Debug, Clone)]
pub struct SourceMap {
    text: Box<str>,
    /// Byte offset at which each line starts; line 1 starts after the BOM.
    lines: Vec<u32>,
    /// Characters before each multiple of [`CHAR_BLOCK`] bytes (the BOM counted).
    blocks: Vec<u32>,
    tree: Tree,
}

impl SourceMap {
    /// Parses `text` (exactly as read from the file, BOM included) once and indexes every value.
    pub fn new(text: &str) -> Result<SourceMap, SourceError> {
        if text.len() >= NONE as usize {
            return Err(SourceError::TooLarge { size: text.len() });
        }
        let bom = if text.starts_with('\u{feff}') { '\u{feff}'.len_utf8() } else { 0 };
        let (lines, blocks) = line_index(text.as_bytes(), bom);
        let mut map = SourceMap { text: text.into(), lines, blocks, tree: Tree::default() };
        map.tree = Tree::build(text, bom).map_err(|e| match e {
            BuildError::TooDeep => SourceError::TooDeep,
            BuildError::Empty => SourceError::Empty,
            BuildError::At { offset, message } => {
                let (line, column) = map.position(offset);
                SourceError::Json { line, column, message }
            }
        })?;
        Ok(map)
    }

    /// The text the map was built from.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// How many values the text holds (the root, members and elements, at every depth).
    pub fn value_count(&self) -> usize {
        self.tree.nodes.len()
    }

    /// The span of the value at `pointer`.
    pub fn value_span(&self, pointer: &str) -> Option<Span> {
        self.tree.exact(&self.text, pointer).map(|n| self.tree.nodes[n].span())
    }

    /// The span of the quoted key of the member at `pointer`; `None` for array elements and the root.
    pub fn key_span(&self, pointer: &str) -> Option<Span> {
        self.tree.exact(&self.text, pointer).and_then(|n| self.tree.nodes[n].key_span())
    }

    /// The region of the value at `pointer`.
    pub fn value_region(&self, pointer: &str) -> Option<Region> {
        self.value_span(pointer).map(|s| self.region(s))
    }

    /// The region of the quoted key of the member at `pointer` (a module's name, `"$edgeAgent"`);
    /// `None` for array elements and the root.
    pub fn key_region(&self, pointer: &str) -> Option<Region> {
        self.key_span(pointer).map(|s| self.region(s))
    }

    /// The region of the value at `pointer` or, when it does not exist, of its nearest existing
    /// ancestor, with the part of `pointer` that was found. `None` only for a malformed pointer.
    pub fn value_region_or_ancestor<'p>(&self, pointer: &'p str) -> Option<(Region, &'p str)> {
        let (node, matched) = self.tree.resolve(&self.text, 0, pointer)?;
        Some((self.region(self.tree.nodes[node].span()), &pointer[..matched]))
    }

    /// Line and column (1-based, characters) of a byte offset; see the module doc.
    pub fn position(&self, offset: usize) -> (usize, usize) {
        let bom = self.lines.first().map_or(0, |&s| s as usize);
        let offset = offset.clamp(bom, self.text.len());
        let line = self.lines.partition_point(|&s| s as usize <= offset).max(1);
        let start = self.lines[line - 1] as usize;
        (line, self.chars_before(offset) - self.chars_before(start) + 1)
    }

    /// The region of a span.
    pub fn region(&self, span: Span) -> Region {
        let (start_line, start_column) = self.position(span.start);
        let (end_line, end_column) = self.position(span.end.max(span.start));
        Region { start_line, start_column, end_line, end_column }
    }

    /// Where a place inside a module's decoded createOptions is written in the file.
    ///
    /// `settings_pointer` is the module's `settings` object, `inner_pointer` a pointer into the
    /// decoded createOptions (`/HostConfig/Binds/0`). Object createOptions give the value itself
    /// (or its nearest existing ancestor); string createOptions, in one chunk or many, give the
    /// whole literal of the chunk holding the value's start, with the value's decoded text. `None`
    /// when there is no such settings object, it has no createOptions, or a pointer is malformed.
    /// For several places of one module, [`SourceMap::create_options`] decodes once.
    pub fn create_options_region(&self, settings_pointer: &str, inner_pointer: &str) -> Option<CreateOptionsRegion> {
        self.create_options(settings_pointer)?.region(inner_pointer)
    }

    /// A module's createOptions as written, decoded and indexed once, to place many findings.
    pub fn create_options(&self, settings_pointer: &str) -> Option<CreateOptionsIndex<'_>> {
        let text = &*self.text;
        let tree = &self.tree;
        let settings = tree.exact(text, settings_pointer)?;
        let chunks = tree.create_options_chunks(text, settings);
        let &(number, first) = chunks.first()?;
        let object = chunks.len() == 1 && number == 0 && tree.nodes[first].kind == Kind::Object;
        let mut index = CreateOptionsIndex { map: self, chunks, first, object, decoded: None };
        if !object {
            index.decoded = index.decode();
        }
        Some(index)
    }

    /// Characters before a byte offset, the BOM counted.
    fn chars_before(&self, offset: usize) -> usize {
        let block = offset / CHAR_BLOCK;
        let base = self.blocks.get(block).map_or(0, |&c| c as usize);
        let from = (block * CHAR_BLOCK).min(offset);
        base + count_chars(self.text.as_bytes().get(from..offset).unwrap_or_default())
    }
}

/// A module's createOptions as written, decoded once ([`SourceMap::create_options`]).
#[derive(Debug)]
pub struct CreateOptionsIndex<'m> {
    map: &'m SourceMap,
    /// The chunks' numbers and nodes, in numeric order.
    chunks: Vec<(u32, usize)>,
    first: usize,
    /// One `createOptions` object (templates).
    object: bool,
    /// String createOptions: the joined decoded text, where each chunk starts in it, and its
    /// tree; `None` when it cannot be placed (a chunk not a string, text not strict JSON…).
    decoded: Option<Decoded>,
}

#[derive(Debug)]
enum Decoded {
    /// Empty (or blank): the engine reads `{}`.
    Empty,
    Text {
        joined: String,
        starts: Vec<usize>,
        tree: Tree,
    },
}

impl CreateOptionsIndex<'_> {
    fn decode(&self) -> Option<Decoded> {
        let (text, tree) = (&*self.map.text, &self.map.tree);
        // Each chunk's decoded text and where it starts in the joined text.
        let mut joined = String::new();
        let mut starts = Vec::with_capacity(self.chunks.len());
        for &(_, chunk) in &self.chunks {
            let literal = tree.nodes[chunk].span().slice(text).unwrap_or_default();
            if !literal.starts_with('"') {
                return None;
            }
            // The literal is valid JSON (it was parsed), so serde_json decodes it as the engine did.
            let decoded = serde_json::from_str::<String>(literal).ok()?;
            starts.push(joined.len());
            joined.push_str(&decoded);
        }
        // The engine parses the joined text trimmed (`str::trim`, which serde_json would not do).
        let end = joined.trim_end().len();
        let start = joined.len() - joined.trim_start().len();
        if start >= end {
            return Some(Decoded::Empty);
        }
        let tree = Tree::build(&joined[..end], start).ok()?;
        Some(Decoded::Text { joined, starts, tree })
    }

    /// Where `inner_pointer` (into the decoded createOptions) is written; see
    /// [`SourceMap::create_options_region`].
    pub fn region(&self, inner_pointer: &str) -> Option<CreateOptionsRegion> {
        let (map, text, tree) = (self.map, &*self.map.text, &self.map.tree);
        let first = self.first;
        let first_node = tree.nodes[first];
        if self.object {
            let (node, matched) = tree.resolve(text, first, inner_pointer)?;
            let span = tree.nodes[node].span();
            return Some(CreateOptionsRegion {
                region: map.region(span),
                span,
                mapping: if matched == inner_pointer.len() { Mapping::Exact } else { Mapping::Ancestor },
                key: tree.key(text, first).to_owned(),
                found: Some(inner_pointer[..matched].to_owned()),
                fragment: None,
            });
        }
        if pointer_is_malformed(inner_pointer) {
            return None;
        }
        let at_chunk = |chunk: usize, mapping, found: Option<String>, fragment| {
            let span = tree.nodes[chunk].span();
            CreateOptionsRegion {
                region: map.region(span),
                span,
                mapping,
                key: tree.key(text, chunk).to_owned(),
                found,
                fragment,
            }
        };
        let fallback = || at_chunk(first, Mapping::Fallback, None, None);
        let (joined, starts, inner) = match &self.decoded {
            None => return Some(fallback()),
            // The engine reads an empty createOptions as `{}`: only its root exists, written here.
            Some(Decoded::Empty) => {
                let mapping = Mapping::ChunkLiteral { ancestor: !inner_pointer.is_empty() };
                let _ = first_node;
                return Some(at_chunk(first, mapping, Some(String::new()), None));
            }
            Some(Decoded::Text { joined, starts, tree }) => (joined, starts, tree),
        };
        let Some((node, matched)) = inner.resolve(joined, 0, inner_pointer) else {
            return Some(fallback());
        };
        let found = inner.nodes[node].span();
        let holder = (0..self.chunks.len()).find(|&i| {
            let chunk_end = starts.get(i + 1).copied().unwrap_or(joined.len());
            starts[i] <= found.start && found.start < chunk_end
        });
        let Some(holder) = holder else {
            return Some(fallback());
        };
        Some(at_chunk(
            self.chunks[holder].1,
            Mapping::ChunkLiteral { ancestor: matched < inner_pointer.len() },
            Some(inner_pointer[..matched].to_owned()),
            found.slice(joined).map(fragment),
        ))
    }
}

/// A value's text for a message: at most [`FRAGMENT_CHARS`] characters, then `…`.
fn fragment(s: &str) -> String {
    match s.char_indices().nth(FRAGMENT_CHARS) {
        Some((cut, _)) => format!("{}…", &s[..cut]),
        None => s.to_owned(),
    }
}

/// Characters in UTF-8 bytes: every byte that does not continue a character starts one.
fn count_chars(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| (b & 0xC0) != 0x80).count()
}

/// Line starts (LF, CRLF and a lone CR end a line) and the characters before every block.
fn line_index(bytes: &[u8], bom: usize) -> (Vec<u32>, Vec<u32>) {
    let mut lines = vec![bom as u32];
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')) {
            lines.push((i + 1) as u32);
        }
    }
    let mut blocks = Vec::with_capacity(bytes.len() / CHAR_BLOCK + 1);
    let mut chars = 0u32;
    for block in bytes.chunks(CHAR_BLOCK) {
        blocks.push(chars);
        chars += count_chars(block) as u32;
    }
    blocks.push(chars);
    (lines, blocks)
}

/// A pointer is empty or starts with `/`.
fn pointer_is_malformed(pointer: &str) -> bool {
    !pointer.is_empty() && !pointer.starts_with('/')
}

/// An array index as RFC 6901 writes it: digits, no leading zero.
fn parse_index(token: &str) -> Option<usize> {
    if token.is_empty() || !token.bytes().all(|b| b.is_ascii_digit()) || (token.starts_with('0') && token.len() > 1) {
        return None;
    }
    token.parse().ok()
}

/// The number of a createOptions chunk key, as the engine reads it (`createOptions` is 0).
fn chunk_number(key: &str) -> Option<u32> {
    let n = key.strip_prefix("createOptions")?;
    if n.is_empty() {
        Some(0)
    } else if n.bytes().all(|b| b.is_ascii_digit()) {
        n.parse().ok()
    } else {
        None
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Scalar,
    String,
    Object,
    Array,
}

/// One value: its span, its key's span, its children (contiguous in [`Tree::nodes`]).
#[derive(Debug, Clone, Copy)]
struct Node {
    start: u32,
    end: u32,
    /// The quoted key token, or [`NONE`].
    key_start: u32,
    key_end: u32,
    /// Index into [`Tree::escaped`] of the decoded key when it has escapes, or [`NONE`] when the
    /// text between the quotes is the key.
    escaped: u32,
    first: u32,
    len: u32,
    kind: Kind,
}

impl Node {
    /// A node with no key (the root, an array element) and no children read yet.
    fn unkeyed(start: u32, end: u32, kind: Kind) -> Node {
        Node { start, end, key_start: NONE, key_end: NONE, escaped: NONE, first: NONE, len: 0, kind }
    }

    fn span(&self) -> Span {
        Span { start: self.start as usize, end: self.end as usize }
    }

    fn key_span(&self) -> Option<Span> {
        (self.key_start != NONE).then_some(Span { start: self.key_start as usize, end: self.key_end as usize })
    }
}

/// Why a text could not be indexed, before its offset becomes a line and column.
enum BuildError {
    TooDeep,
    Empty,
    At { offset: usize, message: String },
}

/// Every value of one JSON text; node 0 is the root.
#[derive(Debug, Clone, Default)]
struct Tree {
    nodes: Vec<Node>,
    /// Each object's children sorted by key (stably, so duplicates stay in file order), in the
    /// positions its children have in `nodes`: a key is found by binary search.
    by_key: Vec<u32>,
    /// Keys that have escapes, decoded.
    escaped: Vec<Box<str>>,
}

impl Tree {
    /// Parses `text[base..]` strictly (see the module doc) and indexes it; spans are offsets in `text`.
    fn build(text: &str, base: usize) -> Result<Tree, BuildError> {
        let json = text.get(base..).ok_or(BuildError::Empty)?;
        if super::duplicates::nesting_depth(json) > MAX_DEPTH {
            return Err(BuildError::TooDeep);
        }
        let at = |offset: usize, message: String| BuildError::At { offset: base + offset, message };
        // Control characters: JSON allows only tab, LF and CR between tokens and none in strings.
        let mut non_ascii = 0usize;
        for (i, &b) in json.as_bytes().iter().enumerate() {
            if b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r') {
                return Err(at(i, format!("control character U+{b:04X} is not allowed in JSON")));
            }
            non_ascii += usize::from(b >= 0x80);
        }
        let options = ParseOptions {
            allow_comments: false,
            allow_loose_object_property_names: false,
            allow_trailing_commas: false,
            allow_missing_commas: false,
            allow_single_quoted_strings: false,
            allow_hexadecimal_numbers: false,
            allow_unary_plus_numbers: false,
            allow_bare_decimal_point_numbers: false,
            allow_non_finite_numbers: false,
            allow_extended_string_escapes: false,
        };
        let parsed = parse_to_ast(json, &CollectOptions::default(), &options)
            .map_err(|e| at(e.range().start, e.kind().to_string()))?;
        let root = parsed.value.ok_or(BuildError::Empty)?;

        let mut tree = Tree::default();
        let off = |r: jsonc_parser::common::Range| ((base + r.start) as u32, (base + r.end) as u32);
        // Non-ASCII bytes inside string tokens; any others are Unicode spaces between tokens.
        let mut in_strings = 0usize;
        let mut check_string = |range: jsonc_parser::common::Range| -> Result<(), BuildError> {
            let inside = json.as_bytes().get(range.start + 1..range.end.saturating_sub(1)).unwrap_or_default();
            for (i, &b) in inside.iter().enumerate() {
                if b < 0x20 {
                    return Err(at(
                        range.start + 1 + i,
                        format!("control character U+{b:04X} must be escaped in a string"),
                    ));
                }
                in_strings += usize::from(b >= 0x80);
            }
            Ok(())
        };
        let (start, end) = off(root.range());
        tree.nodes.push(Node::unkeyed(start, end, kind(&root)));
        // An explicit stack: the walk never recurses, whatever the depth.
        let mut stack: Vec<(usize, &ast::Value)> = vec![(0, &root)];
        while let Some((index, value)) = stack.pop() {
            let first = tree.nodes.len();
            match value {
                ast::Value::Object(object) => {
                    for prop in &object.properties {
                        let ObjectPropName::String(name) = &prop.name else {
                            return Err(at(prop.name.range().start, "a key must be a string".to_owned()));
                        };
                        check_string(name.range)?;
                        let escaped = match &name.value {
                            Cow::Borrowed(_) => NONE,
                            Cow::Owned(decoded) => {
                                tree.escaped.push(decoded.as_str().into());
                                (tree.escaped.len() - 1) as u32
                            }
                        };
                        let (key_start, key_end) = off(name.range);
                        let (start, end) = off(prop.value.range());
                        stack.push((tree.nodes.len(), &prop.value));
                        tree.nodes.push(Node {
                            key_start,
                            key_end,
                            escaped,
                            ..Node::unkeyed(start, end, kind(&prop.value))
                        });
                    }
                }
                ast::Value::Array(array) => {
                    for element in &array.elements {
                        let (start, end) = off(element.range());
                        stack.push((tree.nodes.len(), element));
                        tree.nodes.push(Node::unkeyed(start, end, kind(element)));
                    }
                }
                ast::Value::StringLit(s) => check_string(s.range)?,
                _ => continue,
            }
            tree.nodes[index].first = first as u32;
            tree.nodes[index].len = (tree.nodes.len() - first) as u32;
        }
        if in_strings != non_ascii {
            return Err(non_ascii_space(json, &tree, base));
        }
        tree.by_key = (0..tree.nodes.len() as u32).collect();
        let mut by_key = std::mem::take(&mut tree.by_key);
        for node in tree.nodes.iter().filter(|n| n.kind == Kind::Object && n.len > 1) {
            let children = &mut by_key[node.first as usize..(node.first + node.len) as usize];
            children.sort_by(|&a, &b| tree.key(text, a as usize).cmp(tree.key(text, b as usize)));
        }
        tree.by_key = by_key;
        Ok(tree)
    }

    /// The decoded key of a node ("" for the root and array elements).
    fn key<'t>(&'t self, text: &'t str, node: usize) -> &'t str {
        let n = &self.nodes[node];
        if n.escaped != NONE {
            return self.escaped.get(n.escaped as usize).map_or("", |k| k);
        }
        if n.key_start == NONE {
            return "";
        }
        text.get(n.key_start as usize + 1..(n.key_end as usize).saturating_sub(1)).unwrap_or_default()
    }

    /// The child of `node` for one unescaped reference token; the last of duplicate keys, as
    /// serde_json keeps the last value.
    fn child(&self, text: &str, node: usize, token: &str) -> Option<usize> {
        let n = self.nodes[node];
        let (first, len) = (n.first as usize, n.len as usize);
        match n.kind {
            Kind::Object => {
                let sorted = &self.by_key[first..first + len];
                let after = sorted.partition_point(|&c| self.key(text, c as usize) <= token);
                let last = *sorted.get(after.checked_sub(1)?)? as usize;
                (self.key(text, last) == token).then_some(last)
            }
            Kind::Array => parse_index(token).filter(|&i| i < len).map(|i| first + i),
            Kind::Scalar | Kind::String => None,
        }
    }

    /// The node at `pointer` below `from`, or the deepest node on its way, with the length of the
    /// pointer prefix that reached it. `None` for a malformed pointer.
    fn resolve(&self, text: &str, from: usize, pointer: &str) -> Option<(usize, usize)> {
        if pointer_is_malformed(pointer) || self.nodes.is_empty() {
            return None;
        }
        let mut node = from;
        let mut matched = 0;
        for token in pointer.split('/').skip(1) {
            match self.child(text, node, &pointer::unescape(token)) {
                Some(c) => {
                    node = c;
                    matched += 1 + token.len();
                }
                None => break,
            }
        }
        Some((node, matched))
    }

    /// The node at exactly `pointer`.
    fn exact(&self, text: &str, pointer: &str) -> Option<usize> {
        self.resolve(text, 0, pointer).filter(|&(_, matched)| matched == pointer.len()).map(|(n, _)| n)
    }

    /// A settings object's createOptions chunks as the engine joins them: `createOptions` (0),
    /// `createOptionsNN` in numeric order, the last of duplicate keys in the place of the first.
    fn create_options_chunks(&self, text: &str, settings: usize) -> Vec<(u32, usize)> {
        let n = self.nodes[settings];
        if n.kind != Kind::Object {
            return Vec::new();
        }
        let mut chunks: Vec<(u32, usize)> = Vec::new();
        for child in n.first as usize..(n.first + n.len) as usize {
            let key = self.key(text, child);
            let Some(number) = chunk_number(key) else { continue };
            match chunks.iter_mut().find(|(_, c)| self.key(text, *c) == key) {
                Some(slot) => slot.1 = child,
                None => chunks.push((number, child)),
            }
        }
        chunks.sort_by_key(|c| c.0);
        chunks
    }
}

fn kind(value: &ast::Value) -> Kind {
    match value {
        ast::Value::Object(_) => Kind::Object,
        ast::Value::Array(_) => Kind::Array,
        ast::Value::StringLit(_) => Kind::String,
        _ => Kind::Scalar,
    }
}

/// The first non-ASCII character outside every string token: a Unicode space the parser skipped
/// and JSON does not allow. Only called once such a character is known to exist.
fn non_ascii_space(json: &str, tree: &Tree, base: usize) -> BuildError {
    let mut strings: Vec<(usize, usize)> = tree
        .nodes
        .iter()
        .filter(|n| n.kind == Kind::String)
        .map(|n| (n.start as usize, n.end as usize))
        .chain(tree.nodes.iter().filter_map(|n| n.key_span().map(|s| (s.start, s.end))))
        .collect();
    strings.sort_unstable();
    let mut next = strings.iter().peekable();
    for (i, c) in json.char_indices() {
        let offset = base + i;
        while next.peek().is_some_and(|&&(_, end)| end <= offset) {
            next.next();
        }
        let inside = next.peek().is_some_and(|&&(start, _)| start <= offset);
        if !c.is_ascii() && !inside {
            return BuildError::At { offset, message: format!("U+{:04X} is not JSON whitespace", c as u32) };
        }
    }
    BuildError::At { offset: base, message: "a character JSON does not allow between tokens".to_owned() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(text: &str) -> SourceMap {
        SourceMap::new(text).unwrap()
    }

    #[test]
    fn lines_end_at_lf_crlf_and_lone_cr() {
        let m = map("[1,\r\n2,\r3,\n4]");
        assert_eq!(m.position(0), (1, 1));
        assert_eq!(m.position(3), (1, 4), "the CR ends line 1");
        assert_eq!(m.position(5), (2, 1));
        assert_eq!(m.position(8), (3, 1));
        assert_eq!(m.position(11), (4, 1));
        assert_eq!(m.value_region("/3"), Some(Region { start_line: 4, start_column: 1, end_line: 4, end_column: 2 }));
        assert_eq!(m.position(usize::MAX), (4, 3), "offsets past the end are clamped");
    }

    #[test]
    fn columns_on_a_long_non_ascii_line() {
        // A minified line far longer than a block, with multi-byte characters across block edges.
        let long = "é😀x".repeat(3000);
        let text = format!("\u{feff}[\"{long}\", 1]");
        let m = map(&text);
        let one = m.value_span("/1").unwrap();
        assert_eq!(one.slice(&text), Some("1"));
        assert_eq!(m.position(one.start), (1, 1 + 1 + 9000 + 1 + 2 + 1));
        assert_eq!(m.position(3), (1, 1), "the BOM is not a column");
        assert_eq!(m.position(0), (1, 1));
    }

    #[test]
    fn keys_with_escapes_and_duplicates() {
        let text = r#"{"a/b": {"~": 1, "\u0041": 2, "x": 1, "x": [10, 20]}}"#;
        let m = map(text);
        assert_eq!(m.value_span("/a~1b/~0").and_then(|s| s.slice(text)), Some("1"));
        assert_eq!(m.value_span("/a~1b/A").and_then(|s| s.slice(text)), Some("2"));
        assert_eq!(m.key_span("/a~1b/A").and_then(|s| s.slice(text)), Some(r#""\u0041""#));
        // serde_json keeps the last of duplicate keys, so does the map.
        assert_eq!(m.value_span("/a~1b/x/1").and_then(|s| s.slice(text)), Some("20"));
        assert_eq!(m.value_span("/a~1b/x/01"), None, "RFC 6901 indices have no leading zero");
        assert_eq!(m.value_span("/a~1b/x/-"), None);
        assert_eq!(m.value_span("/a~1b/~0/x"), None, "a number has no children");
    }

    #[test]
    fn refuses_what_serde_json_refuses() {
        let deep = "[".repeat(100_000);
        assert_eq!(SourceMap::new(&deep).err(), Some(SourceError::TooDeep));
        let deep_objects = "{\"a\":".repeat(100_000);
        assert_eq!(SourceMap::new(&deep_objects).err(), Some(SourceError::TooDeep));
        // Brackets the depth count skips (after a quote or a comment) are never reached by the parser.
        for hidden in ["'", "//", "/*", "\""] {
            assert!(SourceMap::new(&format!("[{hidden}{deep}")).is_err());
        }
        assert!(std::mem::size_of::<Node>() <= 32, "memory per value stays small");
        for depth in [MAX_DEPTH, MAX_DEPTH + 1] {
            let text = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
            let serde_ok = serde_json::from_str::<serde_json::Value>(&text).is_ok();
            assert_eq!(SourceMap::new(&text).is_ok(), serde_ok, "depth {depth}");
            assert_eq!(serde_ok, depth == MAX_DEPTH);
        }
        assert_eq!(SourceMap::new("").err(), Some(SourceError::Empty));
        assert_eq!(SourceMap::new(" \n").err(), Some(SourceError::Empty));
        assert_eq!(SourceMap::new("\u{feff}").err(), Some(SourceError::Empty));
        for (text, line, column) in [
            ("[1,]", 1, 3),
            ("{\"a\": 1} // c", 1, 10),
            ("{a: 1}", 1, 2),
            ("['a']", 1, 2),
            ("[0x1]", 1, 2),
            ("[\"\\x41\"]", 1, 3),
            ("[\"a\tb\"]", 1, 4),
            ("[\n\"é\u{1}\"]", 2, 3),
            ("[1,\u{b}2]", 1, 4),
            ("[1,\u{a0}2]", 1, 4),
            ("[\"\u{a0}\",\n \u{2028}2]", 2, 2),
            ("[1]\u{3000}", 1, 4),
            ("[\"\\ud800\"]", 1, 3),
            ("[1] [2]", 1, 5),
            ("\u{feff}\u{feff}[]", 1, 1),
        ] {
            assert!(serde_json::from_str::<serde_json::Value>(text.strip_prefix('\u{feff}').unwrap_or(text)).is_err());
            match SourceMap::new(text) {
                Err(SourceError::Json { line: l, column: c, .. }) => assert_eq!((l, c), (line, column), "{text:?}"),
                other => panic!("{text:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn fragments_are_cut_on_characters() {
        assert_eq!(fragment("abc"), "abc");
        let long = "é".repeat(FRAGMENT_CHARS + 5);
        let cut = fragment(&long);
        assert_eq!(cut.chars().count(), FRAGMENT_CHARS + 1);
        assert!(cut.ends_with('…'));
        assert_eq!(fragment(&long[..FRAGMENT_CHARS * 2]), long[..FRAGMENT_CHARS * 2]);
    }

    fn settings(members: &str) -> (String, SourceMap) {
        let text = format!("{{\"m\": {{\"settings\": {{{members}}}}}}}");
        let m = map(&text);
        (text, m)
    }

    #[test]
    fn create_options_chunks_that_cannot_be_placed_fall_back_to_the_first() {
        let deep = format!(r#""createOptions": "{}""#, "[".repeat(100_000));
        for members in [
            // Lenient (a trailing comma), invalid, a placeholder, empty, null, not strings.
            r#""createOptions": "{\"a\": 1,}""#,
            r#""createOptions": "{\"a\": ""#,
            r#""createOptions": "$CREATE_OPTIONS""#,
            r#""createOptions": null"#,
            r#""createOptions": "{\"a\":", "createOptions01": 1"#,
            r#""createOptions": {"a": 1}, "createOptions01": "}""#,
            // An escape that is valid in the file but decodes to an invalid one.
            r#""createOptions": "{\"a\": \"\\q\"}""#,
            // A control character the decoding makes raw.
            r#""createOptions": "{\"a\": \"\n\"}""#,
            // Nested deeper than serde_json reads.
            deep.as_str(),
        ] {
            let (text, m) = settings(members);
            let found = m.create_options_region("/m/settings", "/a").unwrap_or_else(|| panic!("{members}"));
            assert_eq!((found.mapping, found.key.as_str()), (Mapping::Fallback, "createOptions"), "{members}");
            assert_eq!(found.span, m.value_span("/m/settings/createOptions").unwrap());
            assert_eq!((found.found, found.fragment), (None, None));
            assert!(found.span.slice(&text).is_some());
        }
    }

    #[test]
    fn create_options_chunks_join_like_the_engine() {
        // Empty chunks, a split inside an escape, a duplicate chunk key (the last counts), and
        // `createOptions1` numbered like `createOptions01`.
        let (text, m) = settings(
            r#""createOptions02": "", "createOptions": "{\"Env\": [\"Q=\\", "createOptions1": "\"x\\\"\"]}",
               "createOptions03": "ignored", "createOptions03": """#,
        );
        let env = m.create_options_region("/m/settings", "/Env/0").unwrap();
        assert_eq!(env.key, "createOptions");
        assert_eq!(env.fragment.as_deref(), Some(r#""Q=\"x\"""#));
        assert_eq!(env.span.slice(&text), Some(r#""{\"Env\": [\"Q=\\""#));
        // An empty createOptions (the engine reads `{}`): its root is the first chunk.
        let (_, empty) = settings(r#""createOptions01": " ", "createOptions": """#);
        let root = empty.create_options_region("/m/settings", "").unwrap();
        assert_eq!((root.mapping, root.key.as_str()), (Mapping::ChunkLiteral { ancestor: false }, "createOptions"));
        assert_eq!((root.found.as_deref(), root.fragment), (Some(""), None));
        let host = empty.create_options_region("/m/settings", "/HostConfig").unwrap();
        assert_eq!((host.mapping, host.span), (Mapping::ChunkLiteral { ancestor: true }, root.span));
        let whole = m.create_options_region("/m/settings", "").unwrap();
        assert_eq!((whole.key.as_str(), whole.found.as_deref()), ("createOptions", Some("")));
        assert_eq!(m.create_options_region("/m/settings", "Env"), None, "a malformed pointer");
        assert_eq!(m.create_options_region("/m", ""), None, "no createOptions");
        assert_eq!(m.create_options_region("/nope", ""), None);
        // A value past the first chunk; leading spaces are trimmed as the engine trims them.
        let (text, m) = settings(r#""createOptions": " \n", "createOptions01": " {\"a\":", "createOptions02": "[1]}""#);
        let a = m.create_options_region("/m/settings", "/a/0").unwrap();
        assert_eq!((a.key.as_str(), a.fragment.as_deref()), ("createOptions02", Some("1")));
        assert_eq!(a.span.slice(&text), Some(r#""[1]}""#));
        let root = m.create_options_region("/m/settings", "").unwrap();
        assert_eq!(root.key, "createOptions01", "the root starts after the spaces");
    }
}
