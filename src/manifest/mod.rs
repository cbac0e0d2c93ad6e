//! Loading a deployment manifest: every shape found in the wild, kept losslessly.
//!
//! The document is kept as one `serde_json::Value` with key order preserved (`preserve_order`) and
//! numbers kept as written (`arbitrary_precision`); modules are an index into it (JSON pointers),
//! and each module's createOptions is decoded once, here, so that rules read plain JSON.

pub mod duplicates;
pub mod encode;
pub mod location;
pub mod model;
pub mod placeholder;
pub mod pointer;
pub mod source;

use serde_json::{Map, Value};
use std::path::Path;

pub use encode::{
    ENCODE_CHUNK_CHARS, MAX_CHUNKS, TextFormat, WriteError, chunk, encode_document, same_file, write_atomic,
};
pub use location::Location;
pub use model::{Container, Field};
pub use pointer::Pointer;

/// Deepest nesting the lenient createOptions reader is given (serde_json's own limit).
const LENIENT_MAX_DEPTH: usize = 128;

/// Inputs above this size are refused before parsing: real manifests are a few hundred KB at most
/// (IoT Hub caps a deployment at 512 KB), so anything larger is not a manifest.
pub const MAX_INPUT_BYTES: usize = 64 * 1024 * 1024;

/// Why a file could not be read as a manifest. Every variant says where, so the engineer can fix it.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read {path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("the file is {size} bytes, over the {limit} byte (64 MiB) limit; a deployment manifest is far smaller")]
    TooLarge { size: u64, limit: usize },
    #[error("the file is empty")]
    Empty,
    #[error("not UTF-8 text: invalid byte at line {line}, column {column}")]
    NotUtf8 { line: usize, column: usize },
    #[error("not valid JSON at line {line}, column {column}: {message}{hint}")]
    Json { line: usize, column: usize, message: String, hint: String },
    #[error("not a deployment manifest: {0}")]
    NotManifest(String),
}

impl LoadError {
    /// Line and column of the problem, where the error has one.
    pub fn position(&self) -> Option<(usize, usize)> {
        match self {
            LoadError::Json { line, column, .. } | LoadError::NotUtf8 { line, column } => Some((*line, *column)),
            _ => None,
        }
    }
}

/// Where the modules live in the file: every shape the tools and the portal produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Shape {
    /// `{"modulesContent": {...}}`: deployment.json and deployment.template.json.
    ModulesContent,
    /// `{"moduleContent": {...}}`: the key used by 2018 tooling.
    ModuleContent,
    /// `{"content": {"modulesContent": {...}}}`: `az iot edge deployment` format.
    Content,
    /// `{"$edgeAgent": ..., "$edgeHub": ...}`: the modulesContent object itself.
    Bare,
}

/// How a module's createOptions is written in the file, so export writes it back the same way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CreateOptionsForm {
    /// No createOptions key.
    Absent,
    /// A JSON string, split over `createOptions`, `createOptions01`… when `chunks` > 1.
    String { chunks: usize },
    /// An object (deployment.template.json).
    Object,
}

/// Something about a module's createOptions the engineer must hear about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CreateOptionsProblem {
    /// Not strict JSON, but readable the way the edge agent reads it (trailing commas, unquoted keys).
    Lenient { message: String },
    /// Cannot be read at all; the module is left untouched.
    Invalid { message: String },
    /// A numbered chunk is missing (`createOptions01`, `createOptions03`, no `02`).
    ChunkGap { missing: Vec<u32> },
    /// A chunk is not a string.
    ChunkNotString { key: String },
    /// The whole createOptions is a placeholder filled in at deploy time.
    Placeholder { text: String },
}

/// A module's decoded createOptions and how it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct CreateOptions {
    pub form: CreateOptionsForm,
    /// The decoded object; `None` when it could not be read. Absent or empty is an empty object.
    pub value: Option<Value>,
    pub problems: Vec<CreateOptionsProblem>,
    /// The typed model of `value`, read the way Docker and the agent read it.
    pub container: Option<Container>,
}

/// One module of the deployment, system (`edgeAgent`, `edgeHub`) or custom.
#[derive(Debug, Clone, PartialEq)]
pub struct Module {
    /// The key under `modules` / `systemModules`: the name routes and the twin use.
    pub name: String,
    /// `edgeAgent` or `edgeHub` under `systemModules`.
    pub system: bool,
    /// The module's object in the document.
    pub at: Pointer,
    /// Its properties other than createOptions and `env`, as written (pointers into the document).
    pub settings: ModuleSettings,
    /// The `env` section (`{"NAME": {"value": …}}`), in order.
    pub env: Vec<EnvVar>,
    pub create_options: CreateOptions,
}

/// A module's properties the rules read, besides createOptions and `env` (document pointers).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ModuleSettings {
    /// `settings.image`.
    pub image: Option<Field>,
    pub kind: Option<Field>,
    pub status: Option<Field>,
    pub restart_policy: Option<Field>,
    pub image_pull_policy: Option<Field>,
    pub startup_order: Option<Field>,
    pub version: Option<Field>,
    /// `settings` has more than `image` and createOptions (an `env` placed there, for instance).
    pub other_settings: Vec<Field>,
}

/// One entry of a module's `env` section.
#[derive(Debug, Clone, PartialEq)]
pub struct EnvVar {
    pub name: String,
    /// The entry (`…/env/<name>`) in the document.
    pub at: Pointer,
    /// The value as text (numbers and booleans written out); `None` when there is none.
    pub value: Option<String>,
    /// Written `{"value": …}` (the documented shape), not a bare value.
    pub object: bool,
}

impl EnvVar {
    /// Where a fix writes a new value: the entry's `value`, or the bare entry itself.
    pub fn value_at(&self) -> Pointer {
        if self.object { self.at.child("value") } else { self.at.clone() }
    }
}

impl Module {
    /// Where the module's decoded createOptions is: findings and edits below it address the
    /// *decoded* object, whatever its form in the file.
    pub fn create_options_at(&self, at: Pointer) -> Location {
        Location::CreateOptions { module: self.at.clone(), at }
    }

    /// A place in the document below the module's object (`env/NAME`, `settings/image`).
    pub fn document_at<'a>(&self, tokens: impl IntoIterator<Item = &'a str>) -> Location {
        Location::Document(tokens.into_iter().fold(self.at.clone(), |p, t| p.child(t)))
    }

    /// The module as a whole (its key): for findings about the module, not one of its settings.
    pub fn location(&self) -> Location {
        Location::Document(self.at.clone())
    }

    /// The typed createOptions; `None` when they could not be read.
    pub fn container(&self) -> Option<&Container> {
        self.create_options.container.as_ref()
    }

    /// The module's `HostConfig`, when it is an object.
    pub fn host_config(&self) -> Option<&model::HostConfig> {
        self.container()?.host_config.as_ref().filter(|h| h.is_object)
    }

    /// `HostConfig.PortBindings` entries (empty when absent or not an object).
    pub fn port_bindings(&self) -> &[model::PortBinding] {
        self.host_config().and_then(|h| h.port_bindings.as_ref()).and_then(|p| p.entries.as_deref()).unwrap_or(&[])
    }

    /// `ExposedPorts` keys (empty when absent or not an object).
    pub fn exposed_ports(&self) -> &[model::PortKey] {
        self.container().and_then(|c| c.exposed_ports.as_ref()).and_then(|e| e.ports.as_deref()).unwrap_or(&[])
    }

    /// The entries of createOptions `Env` (empty when absent or not a list).
    pub fn env_entries(&self) -> &[model::EnvEntry] {
        self.container().and_then(|c| c.env.as_ref()).and_then(|e| e.entries.as_deref()).unwrap_or(&[])
    }

    /// The value of an environment variable, from the module's `env` section or createOptions `Env`
    /// (exact name).
    pub fn env_value(&self, name: &str) -> Option<&str> {
        if let Some(v) = self.env.iter().find(|v| v.name == name) {
            return v.value.as_deref();
        }
        self.env_entries().iter().filter_map(model::EnvEntry::split).find(|(n, _)| *n == name).and_then(|(_, v)| v)
    }
}

/// Something the loader noticed about the file that no rule reads from the model (a byte order
/// mark dropped, a key given twice): MAN006 reports each, at its own place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub kind: NoticeKind,
    /// The place it is about.
    pub at: Location,
    pub message: String,
}

/// What a [`Notice`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeKind {
    /// The file starts with a UTF-8 byte order mark; export writes none.
    ByteOrderMark,
    /// A key given twice in one object; JSON keeps only the last value.
    DuplicateKey,
}

/// A route of `$edgeHub`, with where its text is (a string, or the `route` of an object).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    pub at: Pointer,
    pub text: String,
}

/// One entry of `registryCredentials`: the registry a module image is pulled from with it.
#[derive(Debug, Clone, PartialEq)]
pub struct RegistryCredential {
    /// Its key (any name; the agents look credentials up by address).
    pub name: String,
    /// The entry in the document.
    pub at: Pointer,
    /// `address` as written (its pointer is a document pointer).
    pub address: Option<Field>,
}

/// A loaded deployment manifest.
#[derive(Debug, Clone, PartialEq)]
pub struct Manifest {
    /// The whole document as read (createOptions still in their original form).
    pub doc: Value,
    pub shape: Shape,
    /// Layered deployment: `"properties.desired.modules.<name>"` keys instead of nested objects.
    pub layered: bool,
    /// The modulesContent object (the root for the bare shape).
    pub root: Pointer,
    pub format: TextFormat,
    /// Every module, system modules first, in file order.
    pub modules: Vec<Module>,
    /// Things noticed while reading the file (a BOM removed, duplicate keys), each at its place.
    pub notices: Vec<Notice>,
}

impl Manifest {
    /// Reads and loads a manifest file, refusing oversize input before reading it whole.
    pub fn load_file(path: &Path) -> Result<Manifest, LoadError> {
        Manifest::read_file(path).map(|(_, m)| m)
    }

    /// [`Manifest::load_file`], also giving the text as read (for source positions). Text that is
    /// not UTF-8 is refused by the loader, so the text is only empty when loading failed anyway.
    pub fn read_file(path: &Path) -> Result<(String, Manifest), LoadError> {
        let io = |source| LoadError::Io { path: path.display().to_string(), source };
        let size = std::fs::metadata(path).map_err(io)?.len();
        if size > MAX_INPUT_BYTES as u64 {
            return Err(LoadError::TooLarge { size, limit: MAX_INPUT_BYTES });
        }
        let bytes = std::fs::read(path).map_err(io)?;
        let manifest = Manifest::load(&bytes)?;
        Ok((String::from_utf8(bytes).unwrap_or_default(), manifest))
    }

    /// Loads a manifest from bytes.
    pub fn load(bytes: &[u8]) -> Result<Manifest, LoadError> {
        if bytes.len() > MAX_INPUT_BYTES {
            return Err(LoadError::TooLarge { size: bytes.len() as u64, limit: MAX_INPUT_BYTES });
        }
        let mut notices = Vec::new();
        let (bytes, bom) = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
            Some(rest) => {
                notices.push(Notice {
                    kind: NoticeKind::ByteOrderMark,
                    at: Location::Document(Pointer::root()),
                    message: "the file starts with a UTF-8 byte order mark; it was ignored and export writes none"
                        .to_owned(),
                });
                (rest, true)
            }
            None => (bytes, false),
        };
        let text = std::str::from_utf8(bytes).map_err(|e| {
            let (line, column) = line_column(bytes, e.valid_up_to());
            LoadError::NotUtf8 { line, column }
        })?;
        if text.trim().is_empty() {
            return Err(LoadError::Empty);
        }
        let doc: Value = serde_json::from_str(text).map_err(|e| json_error(text, &e))?;
        let mut format = TextFormat::detect(text);
        format.bom = bom;
        let mut manifest = Manifest::from_value(doc, format, notices)?;
        duplicates::note(text, &mut manifest);
        Ok(manifest)
    }

    /// Indexes an already parsed document.
    pub fn from_value(doc: Value, format: TextFormat, notices: Vec<Notice>) -> Result<Manifest, LoadError> {
        let top = doc.as_object().ok_or_else(|| {
            LoadError::NotManifest(format!("the top level is {}, not an object with modulesContent", json_kind(&doc)))
        })?;
        let (shape, root) = if top.get("modulesContent").is_some_and(Value::is_object) {
            (Shape::ModulesContent, Pointer::root().child("modulesContent"))
        } else if top.get("moduleContent").is_some_and(Value::is_object) {
            (Shape::ModuleContent, Pointer::root().child("moduleContent"))
        } else if top.get("content").and_then(|c| c.get("modulesContent")).is_some_and(Value::is_object) {
            (Shape::Content, Pointer::from_tokens(["content", "modulesContent"]))
        } else if top.contains_key("$edgeAgent") {
            (Shape::Bare, Pointer::root())
        } else {
            return Err(LoadError::NotManifest(
                "no \"modulesContent\" (or \"moduleContent\", \"content.modulesContent\", \"$edgeAgent\") at the top level"
                    .to_owned(),
            ));
        };
        let content = pointer::get(&doc, root.as_str()).and_then(Value::as_object).expect("checked above");
        let agent = content
            .get("$edgeAgent")
            .and_then(Value::as_object)
            .ok_or_else(|| LoadError::NotManifest(format!("{root}/$edgeAgent is missing or not an object")))?;
        let agent_at = root.child("$edgeAgent");
        let mut modules = Vec::new();
        let mut layered = false;
        if let Some(desired) = agent.get("properties.desired").and_then(Value::as_object) {
            let desired_at = agent_at.child("properties.desired");
            for (group, system) in [("systemModules", true), ("modules", false)] {
                if let Some(list) = desired.get(group).and_then(Value::as_object) {
                    let group_at = desired_at.child(group);
                    for (name, m) in list {
                        modules.push(index_module(name, system, group_at.child(name), m));
                    }
                }
            }
        }
        for (key, m) in agent {
            for (prefix, system) in
                [("properties.desired.systemModules.", true), ("properties.desired.modules.", false)]
            {
                if let Some(name) = key.strip_prefix(prefix) {
                    layered = true;
                    modules.push(index_module(name, system, agent_at.child(key), m));
                }
            }
        }
        modules.sort_by_key(|m| !m.system);
        Ok(Manifest { shape, layered, root, format, modules, notices, doc })
    }

    /// `$edgeAgent`.
    pub fn edge_agent_at(&self) -> Pointer {
        self.root.child("$edgeAgent")
    }

    /// `$edgeHub`.
    pub fn edge_hub_at(&self) -> Pointer {
        self.root.child("$edgeHub")
    }

    /// The value at a document pointer.
    pub fn get(&self, at: &Pointer) -> Option<&Value> {
        pointer::get(&self.doc, at.as_str())
    }

    /// `$edgeAgent.properties.desired`, when the manifest has it (layered ones do not).
    pub fn agent_desired(&self) -> Option<&Map<String, Value>> {
        self.get(&self.edge_agent_at().child("properties.desired"))?.as_object()
    }

    /// The module with this name.
    pub fn module(&self, name: &str) -> Option<&Module> {
        self.modules.iter().find(|m| m.name == name)
    }

    /// Every route of `$edgeHub`, nested (`properties.desired.routes`) or layered (`properties.desired.routes.X`).
    pub fn routes(&self) -> Vec<Route> {
        let hub_at = self.edge_hub_at();
        let Some(hub) = self.get(&hub_at).and_then(Value::as_object) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let mut push = |at: Pointer, v: &Value| match v {
            Value::String(s) => out.push(Route { at, text: s.clone() }),
            Value::Object(o) => {
                if let Some(s) = o.get("route").and_then(Value::as_str) {
                    out.push(Route { at: at.child("route"), text: s.to_owned() });
                }
            }
            _ => {}
        };
        if let Some(routes) = hub.get("properties.desired").and_then(|d| d.get("routes")).and_then(Value::as_object) {
            let base = hub_at.child("properties.desired").child("routes");
            for (k, v) in routes {
                push(base.child(k), v);
            }
        }
        for (k, v) in hub {
            if k.starts_with("properties.desired.routes.") {
                push(hub_at.child(k), v);
            }
        }
        out
    }

    /// The registries `$edgeAgent` gives credentials for (`runtime.settings.registryCredentials`),
    /// in file order; empty for a layered deployment, which cannot set them.
    pub fn registry_credentials(&self) -> Vec<RegistryCredential> {
        let at = self.edge_agent_at().child("properties.desired").child("runtime").child("settings");
        let at = at.child("registryCredentials");
        let Some(list) = self.get(&at).and_then(Value::as_object) else { return Vec::new() };
        list.iter()
            .map(|(name, c)| {
                let entry = at.child(name);
                let address = c.get("address").map(|v| Field {
                    key: "address".to_owned(),
                    at: entry.child("address"),
                    value: v.clone(),
                });
                RegistryCredential { name: name.clone(), at: entry, address }
            })
            .collect()
    }

    /// A module's twin (`modulesContent.<name>`), when it has one.
    pub fn twin_at(&self, name: &str) -> Option<Pointer> {
        let p = self.root.child(name);
        self.get(&p).is_some().then_some(p)
    }
}

/// The settings keys that have a typed place in [`ModuleSettings`] or are read elsewhere.
const KNOWN_SETTINGS: &[&str] = &["image", "createOptions"];

fn index_module(name: &str, system: bool, at: Pointer, m: &Value) -> Module {
    let obj = m.as_object();
    let prop = |key: &str| {
        obj.and_then(|o| o.get(key)).map(|v| Field { key: key.to_owned(), at: at.child(key), value: v.clone() })
    };
    let settings_value = obj.and_then(|o| o.get("settings"));
    let settings_at = at.child("settings");
    let mut settings = ModuleSettings {
        image: settings_value.and_then(|s| s.get("image")).map(|v| Field {
            key: "image".to_owned(),
            at: settings_at.child("image"),
            value: v.clone(),
        }),
        kind: prop("type"),
        status: prop("status"),
        restart_policy: prop("restartPolicy"),
        image_pull_policy: prop("imagePullPolicy"),
        startup_order: prop("startupOrder"),
        version: prop("version"),
        other_settings: Vec::new(),
    };
    if let Some(s) = settings_value.and_then(Value::as_object) {
        settings.other_settings = s
            .iter()
            .filter(|(k, _)| !KNOWN_SETTINGS.contains(&k.as_str()) && !is_chunk_key(k))
            .map(|(k, v)| Field { key: k.clone(), at: settings_at.child(k), value: v.clone() })
            .collect();
    }
    let env = obj
        .and_then(|o| o.get("env"))
        .and_then(Value::as_object)
        .map(|section| {
            section
                .iter()
                .map(|(name, entry)| {
                    let (value, object) = match entry {
                        Value::Object(o) => (o.get("value").and_then(scalar_text), true),
                        other => (scalar_text(other), false),
                    };
                    EnvVar { name: name.clone(), at: at.child("env").child(name), value, object }
                })
                .collect()
        })
        .unwrap_or_default();
    Module { name: name.to_owned(), system, at, settings, env, create_options: decode_create_options(settings_value) }
}

/// A scalar as text: strings as they are, numbers and booleans written out; `None` otherwise.
pub fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// `createOptions`, `createOptions01`, …: a key of createOptions or one of its numbered chunks.
pub fn is_chunk_key(key: &str) -> bool {
    key.strip_prefix("createOptions").is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit()))
}

/// The key of chunk `n` (0 is `createOptions` itself, then `createOptions01`, …).
pub fn chunk_key(n: usize) -> String {
    if n == 0 { "createOptions".to_owned() } else { format!("createOptions{n:02}") }
}

/// Decodes a module's createOptions: joins chunks, reads strict JSON, then leniently, then gives up
/// for this module only. The typed model is read once, here.
pub fn decode_create_options(settings: Option<&Value>) -> CreateOptions {
    let (form, value, problems) = decode(settings);
    let container = value.as_ref().and_then(Value::as_object).map(model::read);
    CreateOptions { form, value, problems, container }
}

fn decode(settings: Option<&Value>) -> (CreateOptionsForm, Option<Value>, Vec<CreateOptionsProblem>) {
    let empty = || Some(Value::Object(Map::new()));
    let Some(settings) = settings.and_then(Value::as_object) else {
        return (CreateOptionsForm::Absent, empty(), Vec::new());
    };
    let mut chunks: Vec<(u32, &str, &Value)> = settings
        .iter()
        .filter_map(|(k, v)| {
            let n = k.strip_prefix("createOptions")?;
            if n.is_empty() {
                Some((0, k.as_str(), v))
            } else if n.bytes().all(|b| b.is_ascii_digit()) {
                n.parse().ok().map(|n| (n, k.as_str(), v))
            } else {
                None
            }
        })
        .collect();
    if chunks.is_empty() {
        return (CreateOptionsForm::Absent, empty(), Vec::new());
    }
    chunks.sort_by_key(|c| c.0);
    let mut problems = Vec::new();
    if chunks.len() == 1 && chunks[0].0 == 0 {
        match chunks[0].2 {
            Value::Object(_) => {
                return (CreateOptionsForm::Object, Some(chunks[0].2.clone()), problems);
            }
            Value::Null => {
                return (CreateOptionsForm::String { chunks: 1 }, empty(), problems);
            }
            _ => {}
        }
    }
    let form = CreateOptionsForm::String { chunks: chunks.len() };
    let missing: Vec<u32> =
        (0..=chunks.last().map_or(0, |c| c.0)).filter(|n| !chunks.iter().any(|c| c.0 == *n)).collect();
    if !missing.is_empty() {
        problems.push(CreateOptionsProblem::ChunkGap { missing });
    }
    let mut joined = String::new();
    for (_, key, v) in &chunks {
        match v {
            Value::String(s) => joined.push_str(s),
            _ => {
                problems.push(CreateOptionsProblem::ChunkNotString { key: (*key).to_owned() });
                return (form, None, problems);
            }
        }
    }
    let text = joined.trim();
    if text.is_empty() {
        return (form, empty(), problems);
    }
    if placeholder::is_placeholder(text) {
        problems.push(CreateOptionsProblem::Placeholder { text: text.to_owned() });
        return (form, None, problems);
    }
    match serde_json::from_str::<Value>(text) {
        Ok(v @ Value::Object(_)) => (form, Some(v), problems),
        Ok(other) => {
            problems.push(CreateOptionsProblem::Invalid {
                message: format!("it is {}, not a JSON object", json_kind(&other)),
            });
            (form, None, problems)
        }
        Err(strict) => {
            let (line, column) = error_position(text, &strict);
            let strict_msg = format!("line {line}, column {column}: {}", describe(&strict));
            // json5 reads recursively: text nested deeper than serde_json's own limit would
            // overflow the stack, so it is refused as the strict reader refused it.
            if duplicates::nesting_depth(text) > LENIENT_MAX_DEPTH {
                problems.push(CreateOptionsProblem::Invalid { message: strict_msg });
                return (form, None, problems);
            }
            match json5::from_str::<Value>(text) {
                Ok(v @ Value::Object(_)) => {
                    problems.push(CreateOptionsProblem::Lenient { message: strict_msg });
                    (form, Some(v), problems)
                }
                _ => {
                    problems.push(CreateOptionsProblem::Invalid { message: strict_msg });
                    (form, None, problems)
                }
            }
        }
    }
}

/// serde_json's message without its trailing " at line X column Y" (we say that ourselves).
fn describe(e: &serde_json::Error) -> String {
    let s = e.to_string();
    match s.rfind(" at line ") {
        Some(i) => s[..i].to_owned(),
        None => s,
    }
}

/// serde_json's position of an error, made 1-based: at a line break it says "column 0 of the next
/// line", which an editor cannot go to, so that becomes the end of the line the break ends.
fn error_position(text: &str, e: &serde_json::Error) -> (usize, usize) {
    let (line, column) = (e.line(), e.column());
    if column > 0 || line <= 1 {
        return (line.max(1), column.max(1));
    }
    let previous = text.split('\n').nth(line - 2).unwrap_or("");
    (line - 1, previous.trim_end_matches('\r').chars().count() + 1)
}

fn json_error(text: &str, e: &serde_json::Error) -> LoadError {
    let (line, column) = error_position(text, e);
    let mut hint = String::new();
    if let Some(l) = text.lines().nth(line.saturating_sub(1)) {
        if l.starts_with("<<<<<<<") || l.starts_with("=======") || l.starts_with(">>>>>>>") {
            hint = " (an unresolved git merge conflict marker)".to_owned();
        } else if let Some(c) =
            l.get(column.saturating_sub(1)..).and_then(|r| r.chars().next()).filter(|c| !c.is_ascii())
        {
            hint = format!(" (found U+{:04X} {:?}, which JSON does not allow here)", c as u32, c);
        } else if l.contains("${") || l.contains(": $") {
            hint = " (an unquoted template placeholder: fill it in, or quote it, before migrating)".to_owned();
        }
    }
    LoadError::Json { line, column, message: describe(e), hint }
}

fn line_column(bytes: &[u8], offset: usize) -> (usize, usize) {
    let before = &bytes[..offset.min(bytes.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let column = offset - before.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1) + 1;
    (line, column)
}

/// A JSON value's type for messages, with its article (`an array`, `null`): says what the engineer
/// wrote where something else was expected.
pub fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_credentials_in_file_order() {
        let doc = serde_json::json!({"modulesContent": {"$edgeAgent": {"properties.desired": {"runtime": {"settings": {
            "registryCredentials": {"b": {"address": "b.io"}, "a": {"username": "u"}}
        }}}}}});
        let m = Manifest::from_value(doc, TextFormat::default(), Vec::new()).unwrap();
        let creds = m.registry_credentials();
        assert_eq!(creds.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["b", "a"]);
        let address = creds[0].address.as_ref().unwrap();
        assert_eq!(
            (address.shown(), address.at.as_str()),
            (
                "b.io".to_owned(),
                "/modulesContent/$edgeAgent/properties.desired/runtime/settings/registryCredentials/b/address"
            )
        );
        assert!(creds[1].address.is_none());
    }

    #[test]
    fn chunks_join_in_numeric_order() {
        let s = serde_json::json!({"createOptions": "{\"a\":", "createOptions02": "}", "createOptions01": "1"});
        let co = decode_create_options(Some(&s));
        assert_eq!(co.value, Some(serde_json::json!({"a": 1})));
        assert_eq!(co.form, CreateOptionsForm::String { chunks: 3 });
        assert!(co.problems.is_empty());
    }

    #[test]
    fn lenient_and_invalid() {
        let lenient = serde_json::json!({"createOptions": "{\"a\": 1,}"});
        let co = decode_create_options(Some(&lenient));
        assert!(matches!(co.problems[..], [CreateOptionsProblem::Lenient { .. }]));
        assert_eq!(co.value, Some(serde_json::json!({"a": 1})));
        let bad = serde_json::json!({"createOptions": "{\"a\": "});
        let co = decode_create_options(Some(&bad));
        assert!(co.value.is_none());
        assert!(matches!(co.problems[..], [CreateOptionsProblem::Invalid { .. }]));
    }

    #[test]
    fn json_errors_name_line_and_column() {
        let err = Manifest::load(b"{\n  \"a\": 1,\n  oops\n}").unwrap_err();
        assert_eq!(err.position(), Some((3, 3)));
        assert!(err.to_string().contains("line 3, column 3"), "{err}");
        let at_break = Manifest::load(b"{\"a\": 1,\n").unwrap_err();
        assert_eq!(at_break.position(), Some((1, 9)), "end of the first line, not column 0: {at_break}");
    }

    #[test]
    fn bom_is_accepted_and_noted() {
        let m = Manifest::load(b"\xEF\xBB\xBF{\"modulesContent\":{\"$edgeAgent\":{}}}").unwrap();
        assert!(m.format.bom);
        assert_eq!(m.notices.len(), 1);
        assert_eq!(
            (m.notices[0].kind, &m.notices[0].at),
            (NoticeKind::ByteOrderMark, &Location::Document(Pointer::root()))
        );
    }
}
