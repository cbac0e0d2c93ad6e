//! The document the app edits: a manifest, its findings, the engineer's decisions and their undo
//! history, and what those decisions make of the manifest. No egui here: the view turns clicks and
//! shortcuts into [`Command`]s and [`Session::apply`] is the one place state changes.
//!
//! The findings are the whole engine's check ([`crate::k8s::check`]: the manifest rules and, for the
//! Kubernetes target, the pre-flight on the objects the agent would create), as in the CLI.
//!
//! Everything derived (the migrated document, per-module counts, preview texts) is computed once
//! per [`Session::revision`], never per frame; [`Stats`] counts that work so a test can prove idle
//! frames do none.

use crate::device::{DeviceProfile, Target};
use crate::manifest::{self, Manifest, pointer, write_atomic};
use crate::migrate::{self, Decision, DecisionEntry, Decisions, Fate, Outcome};
use crate::report::markdown_report;
use crate::rules::{Finding, FindingKey, Fix, Section, Severity};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

/// The sample FPGA manifest shown when the app starts without a file.
pub const SAMPLE: &str = include_str!("../../assets/sample.deployment.json");
/// The file name the sample goes by (for export names and the report title).
pub const SAMPLE_NAME: &str = "sample.deployment.json";

/// How many undo steps are kept (decision maps are small: this is a few hundred KB at most).
const UNDO_LIMIT: usize = 500;

/// Where the open document came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// The bundled sample.
    Sample,
    /// A file on disk.
    File(PathBuf),
    /// Bytes without a path (a drop from a sandboxed source).
    Bytes { name: String },
}

impl Source {
    /// The file name to show and to derive export names from.
    pub fn file_name(&self) -> String {
        match self {
            Source::Sample => SAMPLE_NAME.to_owned(),
            Source::File(p) => p.file_name().map_or_else(|| p.display().to_string(), |n| n.to_string_lossy().into()),
            Source::Bytes { name } => name.clone(),
        }
    }

    pub fn path(&self) -> Option<&Path> {
        match self {
            Source::File(p) => Some(p),
            _ => None,
        }
    }

    /// `<stem><suffix>`: `deployment.json` → `deployment.gpu.json`.
    pub fn export_name(&self, suffix: &str) -> String {
        let name = self.file_name();
        let stem = Path::new(&name).file_stem().map_or(name.clone(), |s| s.to_string_lossy().into_owned());
        format!("{stem}{suffix}")
    }

    /// The folder an export dialog starts in: the input's.
    pub fn dir(&self) -> Option<PathBuf> {
        self.path().and_then(Path::parent).filter(|p| !p.as_os_str().is_empty()).map(Path::to_owned)
    }
}

/// What a file held when it was read: tells when another program changed it since.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileStamp(u64);

impl FileStamp {
    fn of(bytes: &[u8]) -> FileStamp {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        bytes.hash(&mut h);
        FileStamp(h.finish())
    }
}

/// A manifest read and parsed, not yet opened: the app reads a file before it asks whether to
/// drop the decisions, and asks only when there is something valid to replace them with.
#[derive(Debug, Clone, PartialEq)]
pub struct Loaded {
    pub source: Source,
    pub manifest: Manifest,
    stamp: Option<FileStamp>,
}

impl Loaded {
    /// Reads and parses a manifest file; the message names the file and what is wrong with it.
    pub fn read(path: &Path) -> Result<Loaded, String> {
        let bytes = read_limited(path).map_err(|e| format!("Could not open {}: {e}", path.display()))?;
        let manifest = Manifest::load(&bytes).map_err(|e| format!("Could not open {}: {e}", path.display()))?;
        Ok(Loaded { source: Source::File(path.to_owned()), manifest, stamp: Some(FileStamp::of(&bytes)) })
    }

    /// The bundled sample.
    pub fn sample() -> Loaded {
        let manifest = Manifest::load(SAMPLE.as_bytes()).expect("the bundled sample is a valid manifest");
        Loaded { source: Source::Sample, manifest, stamp: None }
    }

    /// Parses dropped bytes that have no path.
    pub fn bytes(name: &str, bytes: &[u8]) -> Result<Loaded, String> {
        let manifest = Manifest::load(bytes).map_err(|e| format!("Could not open {name}: {e}"))?;
        Ok(Loaded { source: Source::Bytes { name: name.to_owned() }, manifest, stamp: None })
    }
}

/// Reads a file, refusing one larger than any manifest before reading it.
fn read_limited(path: &Path) -> Result<Vec<u8>, String> {
    let size = std::fs::metadata(path).map_err(|e| e.to_string())?.len();
    if size > manifest::MAX_INPUT_BYTES as u64 {
        return Err(format!("{size} bytes is more than the {} a manifest may have", manifest::MAX_INPUT_BYTES));
    }
    std::fs::read(path).map_err(|e| e.to_string())
}

/// Reads a decisions file (the app's Import decisions): the message names the file.
pub fn read_decisions(path: &Path) -> Result<Decisions, String> {
    let name = path.display();
    let bytes = read_limited(path).map_err(|e| format!("Could not import {name}: {e}"))?;
    let text = String::from_utf8(bytes).map_err(|_| format!("Could not import {name}: not UTF-8 text"))?;
    Decisions::from_json(&text).map_err(|e| format!("Could not import {name}: {e}"))
}

/// What the module list shows: the deployment as a whole, or one module (by its name in the input).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Entry {
    Deployment,
    Module(String),
}

impl Entry {
    /// The entry a finding is shown under.
    pub fn of(f: &Finding) -> Entry {
        f.module.clone().map_or(Entry::Deployment, Entry::Module)
    }
}

/// Where a finding stands for the engineer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Has a suggestion, not decided yet.
    Open,
    Accepted,
    /// Accepted with an edited fragment or a typed value.
    Edited,
    Rejected,
    /// No suggestion the app can write: the engineer changes the module.
    Manual,
    /// Advice only.
    Note,
}

/// Per-entry counts for the module list, recomputed once per revision.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Open findings by severity (error, warning, info).
    pub open: [usize; 3],
    /// Findings with a suggestion (what can be decided).
    pub decidable: usize,
    pub decided: usize,
    /// Findings only the engineer can fix.
    pub manual: usize,
    /// Undecided safe fixes ("accept all safe fixes" takes these).
    pub auto: usize,
    pub total: usize,
    /// Findings per section, in [`Section::ALL`] order.
    pub sections: [usize; 5],
}

impl Summary {
    /// Every suggestion of this entry is decided (and there was at least one).
    pub fn done(&self) -> bool {
        self.decidable > 0 && self.decided == self.decidable
    }

    pub fn open_total(&self) -> usize {
        self.open.iter().sum()
    }
}

/// How a module's fixed createOptions is copied: its title (menus) and how a message says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::IntoStaticStr, strum::EnumMessage)]
pub enum CopyFormat {
    /// Indented JSON.
    #[strum(serialize = "Pretty JSON", message = "as pretty JSON")]
    Pretty,
    /// The minified JSON as one escaped JSON string (what a deployment file's `createOptions` holds).
    #[strum(serialize = "Escaped one-line string", message = "as an escaped one-line string")]
    Escaped,
    /// The `"createOptions": …, "createOptions01": …` fields, 512 characters each.
    #[strum(serialize = "Chunked createOptions fields", message = "as chunked createOptions fields")]
    Chunked,
}

impl CopyFormat {
    pub fn title(self) -> &'static str {
        self.into()
    }

    fn noun(self) -> &'static str {
        strum::EnumMessage::get_message(&self).unwrap_or_default()
    }
}

/// Which findings "accept all safe fixes" takes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Scope {
    pub entry: Option<Entry>,
    pub section: Option<Section>,
}

/// Everything that changes the session.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Open a manifest file; on failure the current document stays.
    Open(PathBuf),
    /// Open dropped bytes that have no path.
    OpenBytes {
        name: String,
        bytes: Vec<u8>,
    },
    /// Open a manifest already read (the decisions are dropped).
    Load(Box<Loaded>),
    /// The same file read again after it changed on disk: the decisions that still match a
    /// finding (same rule, module and place) are kept, the others listed.
    Reload(Box<Loaded>),
    /// A decisions file: its device profile is applied and its decisions that match a finding are
    /// taken (over the current ones); those that match none are listed.
    ImportDecisions {
        name: String,
        decisions: Box<Decisions>,
    },
    /// Another device profile (the Device panel's Apply, the target chooser): the manifest is
    /// checked again and the decisions carried over by rule, module and place; another target
    /// parks this target's decisions and brings back that target's. Undoable.
    SetDevice(Box<DeviceProfile>),
    OpenSample,
    Decide {
        key: FindingKey,
        decision: Decision,
    },
    /// Forget the decision about a finding (it is open again).
    Clear {
        key: FindingKey,
    },
    /// Accept every undecided safe fix in the scope.
    AcceptAuto(Scope),
    /// Forget every decision.
    ClearAll,
    Undo,
    Redo,
    /// Write the migrated manifest.
    Export {
        path: PathBuf,
        overwrite: bool,
    },
    /// Write the decisions file (`fpga2gpu migrate --decisions`).
    ExportDecisions {
        path: PathBuf,
        overwrite: bool,
    },
    /// Write the Markdown migration report.
    ExportReport {
        path: PathBuf,
        overwrite: bool,
    },
    /// Put a module's fixed createOptions on the clipboard.
    Copy {
        module: String,
        format: CopyFormat,
    },
}

/// What a command did, for the view to show.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Applied {
    /// A short message for a toast.
    pub message: Option<String>,
    /// Text for the clipboard.
    pub clipboard: Option<String>,
    /// A new document was loaded (the view resets its selection).
    pub loaded: bool,
    /// The findings were re-derived (reload, another device): the view refills its fields.
    pub refreshed: bool,
    /// Decisions that match no finding any more (after a reload or an import), described.
    pub unmatched: Vec<String>,
}

impl Applied {
    fn message(text: impl Into<String>) -> Applied {
        Applied { message: Some(text.into()), ..Applied::default() }
    }
}

/// Work done to derive state, counted so tests can assert that idle frames do none.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Runs of the migration engine.
    pub migrations: u64,
    /// Preview texts built (createOptions decoded and pretty-printed).
    pub previews: u64,
    /// Syntax highlighting runs (counted by the view's cache).
    pub highlights: u64,
    /// Kubernetes translations of a whole manifest (counted by the Kubernetes view's cache).
    pub translations: u64,
}

/// One block of the side-by-side view: the FPGA text and the GPU text of one part of a module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreviewBlock {
    pub title: String,
    pub fpga: String,
    pub gpu: String,
}

/// A module's GPU definition as the decisions so far make it.
#[derive(Debug, Clone, PartialEq)]
pub struct GpuModule {
    pub name: String,
    /// The decoded createOptions (`None` when unreadable).
    pub create_options: Option<Value>,
    pub env: Option<Value>,
}

/// What undo and redo restore: the device (another one means another analysis) and the decisions.
#[derive(Debug, Clone, PartialEq)]
struct Snapshot {
    device: DeviceProfile,
    decisions: BTreeMap<FindingKey, Decision>,
    parked: HashMap<Target, BTreeMap<FindingKey, Decision>>,
}

/// An open manifest and what the engineer decided about it.
pub struct Session {
    source: Source,
    manifest: Manifest,
    /// The device the manifest goes to: the findings depend on it.
    device: DeviceProfile,
    findings: Vec<Finding>,
    keys: Vec<FindingKey>,
    index: HashMap<FindingKey, usize>,
    /// Finding indexes per entry, in finding order.
    by_entry: BTreeMap<Entry, Vec<usize>>,
    decisions: BTreeMap<FindingKey, Decision>,
    /// The decisions of the other target, kept while the engineer works on this one: switching
    /// back brings them back.
    parked: HashMap<Target, BTreeMap<FindingKey, Decision>>,
    undo: Vec<Snapshot>,
    redo: Vec<Snapshot>,
    /// The decisions as last exported (or as loaded): closing with others asks first.
    exported: BTreeMap<FindingKey, Decision>,
    /// The device profile as last exported (the decisions file holds it).
    exported_device: DeviceProfile,
    revision: u64,
    outcome: Outcome,
    summaries: BTreeMap<Entry, Summary>,
    total: Summary,
    /// What the file held when read (`None` for the sample and dropped bytes).
    stamp: Option<FileStamp>,
    pub stats: Stats,
}

impl Session {
    /// A session on the bundled sample.
    pub fn sample() -> Session {
        Session::sample_for(DeviceProfile::default())
    }

    /// A session on the bundled sample, for a device.
    pub fn sample_for(device: DeviceProfile) -> Session {
        let loaded = Loaded::sample();
        Session::new(loaded.source, loaded.manifest, device)
    }

    /// A session on a file.
    pub fn open(path: &Path) -> Result<Session, String> {
        Ok(Session::loaded(Loaded::read(path)?, DeviceProfile::default()))
    }

    fn loaded(loaded: Loaded, device: DeviceProfile) -> Session {
        let mut s = Session::new(loaded.source, loaded.manifest, device);
        s.stamp = loaded.stamp;
        s
    }

    pub fn new(source: Source, manifest: Manifest, device: DeviceProfile) -> Session {
        let findings = crate::k8s::check(&manifest, &device);
        let keys: Vec<FindingKey> = findings.iter().map(Finding::key).collect();
        let index = keys.iter().enumerate().map(|(i, k)| (k.clone(), i)).collect();
        let mut by_entry: BTreeMap<Entry, Vec<usize>> = BTreeMap::new();
        by_entry.insert(Entry::Deployment, Vec::new());
        for m in &manifest.modules {
            by_entry.insert(Entry::Module(m.name.clone()), Vec::new());
        }
        for (i, f) in findings.iter().enumerate() {
            by_entry.entry(Entry::of(f)).or_default().push(i);
        }
        let outcome = Outcome::unchanged(&manifest);
        let exported_device = device.clone();
        let mut s = Session {
            source,
            manifest,
            device,
            findings,
            keys,
            index,
            by_entry,
            decisions: BTreeMap::new(),
            parked: HashMap::new(),
            undo: Vec::new(),
            redo: Vec::new(),
            exported: BTreeMap::new(),
            exported_device,
            revision: 0,
            outcome,
            summaries: BTreeMap::new(),
            total: Summary::default(),
            stamp: None,
            stats: Stats::default(),
        };
        s.refresh();
        s
    }

    pub fn source(&self) -> &Source {
        &self.source
    }

    /// The file changed on disk (or went away) since it was read.
    pub fn changed_on_disk(&self) -> bool {
        match (&self.source, self.stamp) {
            (Source::File(path), Some(stamp)) => read_limited(path).map_or(true, |b| FileStamp::of(&b) != stamp),
            _ => false,
        }
    }

    /// The name a module goes by once the decisions are applied (a rename accepted or not).
    pub fn display_name<'a>(&'a self, module: &'a str) -> &'a str {
        self.outcome.renamed.iter().find(|(from, _)| from == module).map_or(module, |(_, to)| to.as_str())
    }

    /// How the view names an entry: `Deployment`, or the module's name after renames.
    pub fn entry_name<'a>(&'a self, entry: &'a Entry) -> &'a str {
        match entry {
            Entry::Deployment => "Deployment",
            Entry::Module(name) => self.display_name(name),
        }
    }

    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    pub fn findings(&self) -> &[Finding] {
        &self.findings
    }

    pub fn decisions(&self) -> &BTreeMap<FindingKey, Decision> {
        &self.decisions
    }

    /// Bumped on every change of the document or the decisions: the key of every derived cache.
    pub fn revision(&self) -> u64 {
        self.revision
    }

    /// The migration with the decisions so far.
    pub fn outcome(&self) -> &Outcome {
        &self.outcome
    }

    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }

    /// Decisions made since the last export, or made for a device changed since (closing or
    /// opening another file asks first).
    pub fn unexported(&self) -> bool {
        self.decisions != self.exported || (self.device != self.exported_device && !self.decisions.is_empty())
    }

    /// How many decisions of `target` are parked while the session shows another target.
    pub fn parked(&self, target: Target) -> usize {
        self.parked.get(&target).map_or(0, BTreeMap::len)
    }

    /// The decision about a finding.
    pub fn decision(&self, key: &FindingKey) -> Option<&Decision> {
        self.decisions.get(key)
    }

    /// Why a decided finding could not be applied, if it could not.
    pub fn skipped(&self, key: &FindingKey) -> Option<&str> {
        match self.outcome.fate(key) {
            Fate::Failed(why) => Some(why),
            _ => None,
        }
    }

    /// The device the manifest goes to.
    pub fn device(&self) -> &DeviceProfile {
        &self.device
    }

    /// The finding with this key.
    pub fn finding(&self, key: &FindingKey) -> Option<&Finding> {
        self.index.get(key).map(|&i| &self.findings[i])
    }

    /// The deployment entry first, then every module (system modules too) in file order.
    pub fn entries(&self) -> Vec<Entry> {
        std::iter::once(Entry::Deployment)
            .chain(self.manifest.modules.iter().map(|m| Entry::Module(m.name.clone())))
            .collect()
    }

    /// The findings about an entry, in the engine's order (section, rule, path).
    pub fn entry_findings(&self, entry: &Entry) -> impl Iterator<Item = (&FindingKey, &Finding)> {
        self.by_entry.get(entry).into_iter().flatten().map(|&i| (&self.keys[i], &self.findings[i]))
    }

    pub fn summary(&self, entry: &Entry) -> Summary {
        self.summaries.get(entry).cloned().unwrap_or_default()
    }

    /// Counts over the whole manifest.
    pub fn total(&self) -> &Summary {
        &self.total
    }

    /// Where a finding stands.
    pub fn status(&self, f: &Finding) -> Status {
        status(f, self.decisions.get(&f.key()))
    }

    /// Whether a decision can be taken: it must resolve, and a typed value or edited fragment must
    /// pass the check of the rule it fixes (the engine's [`migrate::check_decision`]). The view
    /// calls this before it enables Accept, and says why not.
    pub fn check(&self, key: &FindingKey, decision: &Decision) -> Result<(), String> {
        let f = self.finding(key).ok_or("no such finding in this document")?;
        migrate::resolve(f, decision).map_err(|e| e.to_string())?;
        if matches!(decision, Decision::Value { .. } | Decision::Fragment { .. }) {
            // The session's findings are that check of this manifest, made once per revision.
            migrate::check_decision_against(
                &self.manifest,
                &self.device,
                &crate::k8s::check,
                &self.findings,
                f,
                decision,
            )?;
        }
        Ok(())
    }

    /// Applies a command: the one place the session changes. On error nothing changed.
    pub fn apply(&mut self, command: Command) -> Result<Applied, String> {
        match command {
            Command::Open(path) => {
                let loaded = Loaded::read(&path).map_err(|e| self.still_open(e))?;
                self.apply(Command::Load(Box::new(loaded)))
            }
            Command::OpenBytes { name, bytes } => {
                let loaded = Loaded::bytes(&name, &bytes).map_err(|e| self.still_open(e))?;
                self.apply(Command::Load(Box::new(loaded)))
            }
            Command::Load(loaded) => {
                self.replace(Session::loaded(*loaded, self.device.clone()));
                Ok(Applied { loaded: true, ..Applied::message(format!("Opened {}", self.source.file_name())) })
            }
            Command::Reload(loaded) => {
                let before = Decisions::from_map(&self.device, &self.decisions);
                let was_exported = !self.unexported();
                let mut next = Session::loaded(*loaded, self.device.clone());
                let (kept, unmatched) = before.matched(&next.findings);
                next.exported = if was_exported { kept.clone() } else { BTreeMap::new() };
                next.decisions = kept;
                next.parked = std::mem::take(&mut self.parked);
                let kept_n = next.decisions.len();
                let unmatched = unmatched.into_iter().map(describe_entry).collect::<Vec<_>>();
                self.replace(next);
                self.refresh();
                let name = self.source.file_name();
                let message = match unmatched.len() {
                    0 => format!("Reloaded {name}: {} kept", plural(kept_n, "decision")),
                    n => format!("Reloaded {name}: {} kept, {n} no longer match", plural(kept_n, "decision")),
                };
                Ok(Applied { refreshed: true, unmatched, ..Applied::message(message) })
            }
            Command::ImportDecisions { name, decisions } => {
                let device = decisions.device.clone().unwrap_or_else(|| self.device.clone());
                let refreshed = device != self.device;
                if refreshed {
                    // Another device: other findings. Carry the decisions over by rule, module and place.
                    let before = self.snapshot();
                    self.switch_device(device);
                    self.push_undo(before);
                }
                let mut next = self.decisions.clone();
                let (imported, unmatched) = decisions.matched(&self.findings);
                let imported_n = imported.len();
                let was_empty = next.is_empty();
                next.extend(imported);
                if refreshed {
                    self.decisions = next;
                    self.refresh();
                } else {
                    self.set_decisions(next);
                }
                if was_empty {
                    // Nothing but what the file holds: nothing to lose on closing.
                    self.exported = self.decisions.clone();
                    self.exported_device = self.device.clone();
                }
                let unmatched = unmatched.into_iter().map(describe_entry).collect::<Vec<_>>();
                let mut message = format!("Imported {} from {name}", plural(imported_n, "decision"));
                if refreshed {
                    message.push_str(" and its device profile");
                }
                if !unmatched.is_empty() {
                    message.push_str(&format!("; {} no longer match", unmatched.len()));
                }
                Ok(Applied { refreshed: true, unmatched, ..Applied::message(message) })
            }
            Command::SetDevice(device) => {
                if *device == self.device {
                    return Ok(Applied::message("The device profile is unchanged"));
                }
                let before = self.snapshot();
                let (from, to) = (before.device.target, device.target);
                let unmatched = self.switch_device(*device);
                self.push_undo(before);
                let message = if from == to {
                    format!(
                        "Checked again for the new device profile: {} kept",
                        plural(self.decisions.len(), "decision")
                    )
                } else {
                    format!(
                        "Target: {}; the {} decisions are kept for when you switch back",
                        crate::report::target_title(&self.device),
                        from.name()
                    )
                };
                Ok(Applied { refreshed: true, unmatched, ..Applied::message(message) })
            }
            Command::OpenSample => {
                self.replace(Session::sample_for(self.device.clone()));
                Ok(Applied { loaded: true, ..Applied::message("Opened the bundled sample") })
            }
            Command::Decide { key, decision } => {
                self.check(&key, &decision)?;
                let mut next = self.decisions.clone();
                next.insert(key, decision);
                self.set_decisions(next);
                Ok(Applied::default())
            }
            Command::Clear { key } => {
                let mut next = self.decisions.clone();
                next.remove(&key);
                self.set_decisions(next);
                Ok(Applied::default())
            }
            Command::AcceptAuto(scope) => {
                let mut next = self.decisions.clone();
                let mut n = 0;
                for (f, k) in self.findings.iter().zip(&self.keys) {
                    let in_scope = scope.entry.as_ref().is_none_or(|e| *e == Entry::of(f))
                        && scope.section.is_none_or(|s| s == f.section);
                    if in_scope && is_auto(f) && !next.contains_key(k) {
                        next.insert(k.clone(), Decision::Accept);
                        n += 1;
                    }
                }
                self.set_decisions(next);
                Ok(Applied::message(match n {
                    0 => "No open safe fixes here".to_owned(),
                    n => format!("Accepted {}", plural(n, "safe fix")),
                }))
            }
            Command::ClearAll => {
                let n = self.decisions.len();
                self.set_decisions(BTreeMap::new());
                Ok(Applied::message(format!("Cleared {} (Undo brings them back)", plural(n, "decision"))))
            }
            Command::Undo => {
                let prev = self.undo.pop().ok_or("Nothing to undo")?;
                self.redo.push(self.snapshot());
                Ok(self.restore(prev))
            }
            Command::Redo => {
                let next = self.redo.pop().ok_or("Nothing to redo")?;
                self.undo.push(self.snapshot());
                Ok(self.restore(next))
            }
            Command::Export { path, overwrite } => {
                let text = self.export_text();
                write(&path, text.as_bytes(), overwrite)?;
                self.exported = self.decisions.clone();
                self.exported_device = self.device.clone();
                Ok(Applied::message(format!("Exported the GPU manifest to {} ({})", path.display(), size(text.len()))))
            }
            Command::ExportDecisions { path, overwrite } => {
                let text = self.decisions_json();
                write(&path, text.as_bytes(), overwrite)?;
                self.exported = self.decisions.clone();
                self.exported_device = self.device.clone();
                Ok(Applied::message(format!(
                    "Exported {} to {} ({})",
                    plural(self.decisions.len(), "decision"),
                    path.display(),
                    size(text.len())
                )))
            }
            Command::ExportReport { path, overwrite } => {
                let text = self.report();
                write(&path, text.as_bytes(), overwrite)?;
                Ok(Applied::message(format!(
                    "Exported the migration report to {} ({})",
                    path.display(),
                    size(text.len())
                )))
            }
            Command::Copy { module, format } => {
                let text = self.copy_text(&module, format)?;
                let message = format!(
                    "Copied the createOptions of {} {} ({})",
                    self.display_name(&module),
                    format.noun(),
                    size(text.len())
                );
                Ok(Applied { message: Some(message), clipboard: Some(text), ..Applied::default() })
            }
        }
    }

    /// Exactly what `fpga2gpu migrate --decisions <the decisions file> --accept none` writes.
    pub fn export_text(&self) -> String {
        self.outcome.text(&self.manifest)
    }

    /// The decisions file (with the device profile).
    pub fn decisions_json(&self) -> String {
        Decisions::from_map(&self.device, &self.decisions).to_json()
    }

    /// The Markdown migration report.
    pub fn report(&self) -> String {
        let remaining =
            migrate::remaining(&self.manifest, &self.outcome, &self.device, &crate::k8s::check).unwrap_or_default();
        markdown_report(
            &self.source.file_name(),
            &self.device,
            &self.manifest,
            &self.findings,
            &self.outcome,
            &remaining,
        )
    }

    /// A module's GPU createOptions, formatted for the clipboard.
    pub fn copy_text(&self, module: &str, format: CopyFormat) -> Result<String, String> {
        let gpu = self.gpu_module(module).ok_or_else(|| format!("no module {module}"))?;
        let value = gpu
            .create_options
            .ok_or_else(|| format!("the createOptions of {module} could not be read, so there is nothing to copy"))?;
        let minified = serde_json::to_string(&value).expect("a Value serialises");
        Ok(match format {
            CopyFormat::Pretty => pretty(&value),
            CopyFormat::Escaped => serde_json::to_string(&minified).expect("a string serialises"),
            CopyFormat::Chunked => {
                let fields: Vec<String> = manifest::chunk(&minified)
                    .into_iter()
                    .enumerate()
                    .map(|(n, c)| {
                        format!(
                            "\"{}\": {}",
                            manifest::chunk_key(n),
                            serde_json::to_string(c).expect("a string serialises")
                        )
                    })
                    .collect();
                fields.join(",\n")
            }
        })
    }

    /// A module as the decisions so far make it (renamed, createOptions and env changed).
    pub fn gpu_module(&self, name: &str) -> Option<GpuModule> {
        let module = self.manifest.module(name)?;
        let new_name = self.outcome.renamed.iter().find(|(from, _)| from == name).map(|(_, to)| to.clone());
        let at = match &new_name {
            Some(to) => {
                let (parent, last) = module.at.split_last()?;
                let key = last.strip_suffix(name).map(|p| format!("{p}{to}")).unwrap_or_else(|| to.clone());
                parent.child(&key)
            }
            None => module.at.clone(),
        };
        let obj = pointer::get(&self.outcome.doc, at.as_str())?;
        let co = manifest::decode_create_options(obj.get("settings"));
        Some(GpuModule {
            name: new_name.unwrap_or_else(|| name.to_owned()),
            create_options: co.value,
            env: obj.get("env").cloned(),
        })
    }

    /// The texts of the side-by-side view of an entry (counted in [`Stats::previews`]).
    pub fn preview(&mut self, entry: &Entry) -> Vec<PreviewBlock> {
        self.stats.previews += 1;
        match entry {
            Entry::Deployment => self.deployment_preview(),
            Entry::Module(name) => self.module_preview(name),
        }
    }

    fn module_preview(&self, name: &str) -> Vec<PreviewBlock> {
        let Some(module) = self.manifest.module(name) else { return Vec::new() };
        let gpu = self.gpu_module(name);
        let fpga_co = match &module.create_options.value {
            Some(v) => pretty(v),
            None => unreadable(module),
        };
        let gpu_co = match gpu.as_ref().and_then(|g| g.create_options.as_ref()) {
            Some(v) => pretty(v),
            None => unreadable(module),
        };
        let mut blocks = vec![PreviewBlock { title: "createOptions".to_owned(), fpga: fpga_co, gpu: gpu_co }];
        let fpga_env = self.manifest.get(&module.at).and_then(|o| o.get("env"));
        let gpu_env = gpu.as_ref().and_then(|g| g.env.as_ref());
        if fpga_env != gpu_env {
            let show = |v: Option<&Value>| v.map_or_else(|| "{}".to_owned(), pretty);
            blocks.push(PreviewBlock { title: "env".to_owned(), fpga: show(fpga_env), gpu: show(gpu_env) });
        }
        if let Some(g) = gpu.filter(|g| g.name != name) {
            blocks.push(PreviewBlock { title: "name".to_owned(), fpga: json_string(name), gpu: json_string(&g.name) });
        }
        blocks
    }

    /// `$edgeAgent` without its modules, and `$edgeHub` (routes after renames).
    fn deployment_preview(&self) -> Vec<PreviewBlock> {
        let agent_ptr = self.manifest.edge_agent_at();
        let hub_ptr = self.manifest.edge_hub_at();
        let without_modules = |doc: &Value| -> Value {
            let Some(agent) = pointer::get(doc, agent_ptr.as_str()).and_then(Value::as_object) else {
                return Value::Null;
            };
            let mut out = Map::new();
            for (k, v) in agent {
                if k.starts_with("properties.desired.modules.") || k.starts_with("properties.desired.systemModules.") {
                    continue;
                }
                let mut v = v.clone();
                if k == "properties.desired"
                    && let Some(o) = v.as_object_mut()
                {
                    for key in ["systemModules", "modules"] {
                        if o.contains_key(key) {
                            o.insert(key.to_owned(), Value::String("…".to_owned()));
                        }
                    }
                }
                out.insert(k.clone(), v);
            }
            Value::Object(out)
        };
        let hub = |doc: &Value| pointer::get(doc, hub_ptr.as_str()).map_or_else(|| "null".to_owned(), pretty);
        vec![
            PreviewBlock {
                title: "$edgeAgent (modules listed on their own)".to_owned(),
                fpga: pretty(&without_modules(&self.manifest.doc)),
                gpu: pretty(&without_modules(&self.outcome.doc)),
            },
            PreviewBlock { title: "$edgeHub".to_owned(), fpga: hub(&self.manifest.doc), gpu: hub(&self.outcome.doc) },
        ]
    }

    /// "Could not open X: why. Y is still open, with your decisions."
    pub fn still_open(&self, error: String) -> String {
        let kept = if self.decisions.is_empty() { "" } else { ", with your decisions" };
        format!("{error}. {} is still open{kept}.", self.source.file_name())
    }

    fn replace(&mut self, mut other: Session) {
        other.stats = self.stats;
        other.revision = self.revision + 1;
        other.stats.migrations += 1;
        *self = other;
    }

    fn set_decisions(&mut self, next: BTreeMap<FindingKey, Decision>) {
        if next == self.decisions {
            return;
        }
        let prev = self.snapshot();
        self.decisions = next;
        self.push_undo(prev);
        self.refresh();
    }

    fn snapshot(&self) -> Snapshot {
        Snapshot { device: self.device.clone(), decisions: self.decisions.clone(), parked: self.parked.clone() }
    }

    /// Records the state before a change as an undo step.
    fn push_undo(&mut self, prev: Snapshot) {
        self.undo.push(prev);
        if self.undo.len() > UNDO_LIMIT {
            self.undo.remove(0);
        }
        self.redo.clear();
    }

    /// Brings back an undo (or redo) step; the view refreshes its fields when the device changed.
    fn restore(&mut self, to: Snapshot) -> Applied {
        let refreshed = to.device != self.device;
        if refreshed {
            self.reanalyse(to.device);
        }
        self.decisions = to.decisions;
        self.parked = to.parked;
        self.refresh();
        Applied { refreshed, ..Applied::default() }
    }

    /// Checks the manifest for another device, carrying the decisions over by rule, module and
    /// place (what an imported decisions file with another device does too). Another target parks
    /// this target's decisions and brings back the ones parked for it. Returns the decisions that
    /// no longer match, described.
    fn switch_device(&mut self, device: DeviceProfile) -> Vec<String> {
        let (from, to) = (self.device.target, device.target);
        let carried = if from == to {
            std::mem::take(&mut self.decisions)
        } else {
            let here = std::mem::take(&mut self.decisions);
            self.parked.insert(from, here);
            self.parked.remove(&to).unwrap_or_default()
        };
        let carried = Decisions::from_map(&self.device, &carried);
        self.reanalyse(device);
        let (kept, unmatched) = carried.matched(&self.findings);
        let unmatched = unmatched.into_iter().map(describe_entry).collect();
        self.decisions = kept;
        self.refresh();
        unmatched
    }

    /// The same document analysed for another device; the history, the exported state and the
    /// decisions stay (the caller decides which decisions still hold).
    fn reanalyse(&mut self, device: DeviceProfile) {
        let mut fresh = Session::new(self.source.clone(), self.manifest.clone(), device);
        fresh.decisions = std::mem::take(&mut self.decisions);
        fresh.parked = std::mem::take(&mut self.parked);
        fresh.undo = std::mem::take(&mut self.undo);
        fresh.redo = std::mem::take(&mut self.redo);
        fresh.exported = std::mem::take(&mut self.exported);
        fresh.exported_device = self.exported_device.clone();
        fresh.stamp = self.stamp;
        self.replace(fresh);
    }

    /// Re-derives everything from the decisions: the one migration per change.
    fn refresh(&mut self) {
        self.revision += 1;
        self.stats.migrations += 1;
        let decisions = &self.decisions;
        self.outcome =
            migrate::migrate_checked(&self.manifest, &self.device, &crate::k8s::check, &self.findings, |f| {
                decisions.get(&f.key()).cloned()
            });
        let mut total = Summary::default();
        let mut summaries = BTreeMap::new();
        for (entry, list) in &self.by_entry {
            let mut s = Summary::default();
            for &i in list {
                let f = &self.findings[i];
                count(&mut s, f, status(f, self.decisions.get(&self.keys[i])));
            }
            add(&mut total, &s);
            summaries.insert(entry.clone(), s);
        }
        self.summaries = summaries;
        self.total = total;
    }
}

/// `1 decision`, `2 decisions`; `1 safe fix`, `3 safe fixes`.
pub fn plural(n: usize, noun: &str) -> String {
    match n {
        1 => format!("1 {noun}"),
        _ if noun.ends_with('x') || noun.ends_with('s') => format!("{n} {noun}es"),
        _ => format!("{n} {noun}s"),
    }
}

/// A decisions-file entry for people: `STO001 on camera at /…/Binds/0`.
fn describe_entry(e: &DecisionEntry) -> String {
    let mut s = format!("{} on {}", e.rule, e.module.as_deref().unwrap_or("the deployment"));
    if let Some(p) = &e.path {
        s.push_str(&format!(" at {p}"));
    }
    s
}

/// A safe fix that "accept all safe fixes" takes.
pub fn is_auto(f: &Finding) -> bool {
    f.fix() == Fix::Safe
}

fn status(f: &Finding, d: Option<&Decision>) -> Status {
    match (d, &f.suggestion) {
        (Some(Decision::Reject), _) => Status::Rejected,
        (Some(Decision::Accept), _) => Status::Accepted,
        (Some(Decision::Value { .. } | Decision::Fragment { .. }), _) => Status::Edited,
        (None, Some(_)) => Status::Open,
        (None, None) if f.fix() == Fix::Manual => Status::Manual,
        (None, None) => Status::Note,
    }
}

fn count(s: &mut Summary, f: &Finding, st: Status) {
    s.total += 1;
    if let Some(i) = Section::ALL.iter().position(|x| *x == f.section) {
        s.sections[i] += 1;
    }
    if f.suggestion.is_some() {
        s.decidable += 1;
    }
    if st == Status::Open && is_auto(f) {
        s.auto += 1;
    }
    match st {
        Status::Open => {
            s.open[match f.severity {
                Severity::Error => 0,
                Severity::Warning => 1,
                Severity::Info => 2,
            }] += 1
        }
        Status::Accepted | Status::Edited | Status::Rejected => s.decided += 1,
        Status::Manual => s.manual += 1,
        Status::Note => {}
    }
}

fn add(total: &mut Summary, s: &Summary) {
    for i in 0..3 {
        total.open[i] += s.open[i];
    }
    for i in 0..5 {
        total.sections[i] += s.sections[i];
    }
    total.decidable += s.decidable;
    total.decided += s.decided;
    total.manual += s.manual;
    total.auto += s.auto;
    total.total += s.total;
}

fn write(path: &Path, bytes: &[u8], overwrite: bool) -> Result<(), String> {
    write_atomic(path, bytes, overwrite).map_err(|e| format!("Export failed: {e}. Your decisions are kept."))
}

/// Indented JSON, two spaces.
pub fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).expect("a Value serialises")
}

fn json_string(s: &str) -> String {
    serde_json::to_string(s).expect("a string serialises")
}

fn unreadable(module: &manifest::Module) -> String {
    let why: Vec<String> = module
        .create_options
        .problems
        .iter()
        .map(|p| match p {
            manifest::CreateOptionsProblem::Invalid { message } => format!("not valid JSON: {message}"),
            manifest::CreateOptionsProblem::ChunkNotString { key } => format!("{key} is not a string"),
            manifest::CreateOptionsProblem::Placeholder { text } => format!("a placeholder: {text}"),
            other => format!("{other:?}"),
        })
        .collect();
    format!("// createOptions could not be read ({}); the module is left untouched", why.join("; "))
}

/// `1.2 KB`, `340 bytes`.
pub fn size(bytes: usize) -> String {
    if bytes < 1024 { format!("{bytes} bytes") } else { format!("{:.1} KB", bytes as f64 / 1024.0) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn export_names_follow_the_input() {
        assert_eq!(Source::File("/x/deployment.json".into()).export_name(".gpu.json"), "deployment.gpu.json");
        assert_eq!(Source::Sample.export_name(".gpu.json"), "sample.deployment.gpu.json");
        assert_eq!(Source::File("/x/deployment.json".into()).dir(), Some(PathBuf::from("/x")));
    }

    #[test]
    fn decisions_undo_and_redo() {
        let mut s = Session::sample();
        let (key, _) =
            s.findings().iter().map(|f| (f.key(), f)).find(|(_, f)| is_auto(f)).expect("the sample has an auto fix");
        let before = s.export_text();
        s.apply(Command::Decide { key: key.clone(), decision: Decision::Accept }).unwrap();
        assert_ne!(s.export_text(), before);
        assert!(s.unexported());
        s.apply(Command::Undo).unwrap();
        assert_eq!(s.export_text(), before);
        s.apply(Command::Redo).unwrap();
        assert_eq!(s.decision(&key), Some(&Decision::Accept));
        assert!(s.apply(Command::Redo).is_err());
    }

    #[test]
    fn another_device_carries_the_decisions_and_another_target_parks_them() {
        let mut s = Session::sample();
        s.apply(Command::AcceptAuto(Scope::default())).unwrap();
        let decided = s.decisions().clone();
        assert!(!decided.is_empty());
        let two = DeviceProfile { gpus: 2, ..DeviceProfile::default() };
        let applied = s.apply(Command::SetDevice(Box::new(two))).unwrap();
        assert!(applied.refreshed);
        assert_eq!(s.device().gpus, 2);
        let kept = s.decisions().len();
        assert!(kept > 0 && s.decisions().keys().all(|k| decided.contains_key(k)), "carried by rule, module, place");
        let vm = DeviceProfile { target: Target::Vm, ..s.device().clone() };
        s.apply(Command::SetDevice(Box::new(vm))).unwrap();
        assert!(s.decisions().is_empty() && s.parked(Target::K8s) == kept);
        assert!(s.findings().iter().all(|f| !f.rule.starts_with("K8S")), "no pre-flight for the VM");
        s.apply(Command::Undo).unwrap();
        assert_eq!((s.device().target, s.decisions().len()), (Target::K8s, kept), "undo brings the target back");
        s.apply(Command::Undo).unwrap();
        assert_eq!((s.device().gpus, s.decisions()), (1, &decided));
        s.apply(Command::Redo).unwrap();
        assert_eq!(s.device().gpus, 2);
        assert!(s.unexported());
    }

    #[test]
    fn a_broken_file_keeps_the_document() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("broken.json");
        std::fs::write(&p, "{\n  \"modulesContent\": {,\n}").unwrap();
        let mut s = Session::sample();
        let err = s.apply(Command::Open(p)).unwrap_err();
        assert!(err.contains("line 2, column"), "{err}");
        assert_eq!(s.source(), &Source::Sample);
    }

    #[test]
    fn counts_read_in_the_singular_and_the_plural() {
        assert_eq!(plural(1, "warning"), "1 warning");
        assert_eq!(plural(0, "warning"), "0 warnings");
        assert_eq!(plural(3, "safe fix"), "3 safe fixes");
        assert_eq!(CopyFormat::Escaped.title(), "Escaped one-line string");
        assert_eq!(CopyFormat::Chunked.noun(), "as chunked createOptions fields");
    }

    #[test]
    fn copy_formats() {
        let mut s = Session::sample();
        s.apply(Command::AcceptAuto(Scope::default())).unwrap();
        let name = "ImageProcessor";
        let pretty_text = s.copy_text(name, CopyFormat::Pretty).unwrap();
        let value: Value = serde_json::from_str(&pretty_text).unwrap();
        let escaped = s.copy_text(name, CopyFormat::Escaped).unwrap();
        let inner: String = serde_json::from_str(&escaped).unwrap();
        assert_eq!(serde_json::from_str::<Value>(&inner).unwrap(), value);
        let chunked = s.copy_text(name, CopyFormat::Chunked).unwrap();
        let fields: Map<String, Value> = serde_json::from_str(&format!("{{{chunked}}}")).unwrap();
        let joined: String = fields.values().filter_map(Value::as_str).collect();
        assert_eq!(joined, inner);
    }
}
