//! The rule catalogue of `guide/RULES.md`: one folder per section, one file per rule.
//!
//! A rule is a [`RuleDoc`] (its documentation, the one source for `fpga2gpu explain`, the UI and
//! the README table) and a small pure function from a module (or the whole manifest) to
//! [`Finding`]s, each with the [`Suggestion`] the engineer can accept, edit or reject.

mod context;
pub mod manifest_rules;
pub mod network;
pub mod other;
pub mod preflight;
pub mod proxy;
pub mod registry;
pub mod resources;
pub mod shared;
pub mod storage;

pub use context::Context;

use crate::device::{DeviceProfile, Target};
use crate::manifest::{Location, Manifest, Module, Pointer};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// What every rename says wherever it is shown (check, the report, migrate, the app): the agent
/// would run the module under the new name, which IoT Hub knows as another module.
pub const RENAME_NOTE: &str = "a renamed module is a new module identity in IoT Hub: its twin starts empty (reported properties and history stay with the old name), and cloud code that calls its direct methods or addresses it by name must use the new name";

/// The five panels of the guide: where a finding is shown and what part of the module it is about.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    strum::IntoStaticStr,
    strum::EnumIter,
)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum Section {
    Storage,
    Network,
    Resources,
    Proxy,
    Other,
}

impl Section {
    pub const ALL: [Section; 5] =
        [Section::Storage, Section::Network, Section::Resources, Section::Proxy, Section::Other];

    /// `storage`, as the CLI and the JSON output write it.
    pub fn name(self) -> &'static str {
        self.into()
    }

    /// `Storage`, as panel titles write it.
    pub fn title(self) -> &'static str {
        match self {
            Section::Storage => "Storage",
            Section::Network => "Network",
            Section::Resources => "Resources",
            Section::Proxy => "Proxy",
            Section::Other => "Other",
        }
    }

    /// Where in [`Section::ALL`] it is.
    pub fn index(self) -> usize {
        self as usize
    }
}

/// error = will fail or misbehave on the GPU device; warning = likely wrong or silently ignored;
/// info = advice. Ordered most severe first.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    strum::IntoStaticStr,
    strum::EnumIter,
)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn name(self) -> &'static str {
        self.into()
    }
}

/// Whether a rule can propose a change, as ruff's rules declare it: always (every finding comes
/// with a suggestion), sometimes (only where the change can be worked out), never (it explains).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, strum::IntoStaticStr)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum FixAvailability {
    Always,
    Sometimes,
    Never,
}

impl FixAvailability {
    pub fn name(self) -> &'static str {
        self.into()
    }
}

/// How safe one suggestion is to take without looking (ruff's `Applicability`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, strum::IntoStaticStr)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum Applicability {
    /// Keeps what the module did on the FPGA device: `--accept auto` takes it.
    Safe,
    /// Right in most cases but changes behaviour or needs a value confirmed: `--accept all`
    /// takes it (with its proposed value), otherwise the engineer decides.
    NeedsReview,
    /// Shown to explain what the change would look like; never applied by a policy, only when
    /// the engineer accepts it explicitly.
    DisplayOnly,
}

impl Applicability {
    pub fn name(self) -> &'static str {
        self.into()
    }

    /// Words for people: "safe", "needs review", "display only".
    pub fn title(self) -> &'static str {
        match self {
            Applicability::Safe => "safe",
            Applicability::NeedsReview => "needs review",
            Applicability::DisplayOnly => "display only",
        }
    }
}

/// A rule's documentation, written the way clippy and ruff document lints.
#[derive(Debug)]
pub struct RuleDoc {
    /// Stable id from the guide (`STO001`).
    pub id: &'static str,
    pub section: Section,
    /// The usual severity; a finding may say otherwise (and says why).
    pub severity: Severity,
    /// Whether its findings come with a suggested change.
    pub fix: FixAvailability,
    /// The targets it applies to (a rule that differs per target is one rule that reads
    /// `ctx.device.target`).
    pub targets: &'static [Target],
    /// One line, for tables and lists.
    pub title: &'static str,
    /// What the rule detects.
    pub detects: &'static str,
    /// Why it matters on the GPU device: the guide's reason, shown with every finding.
    pub why: &'static str,
    /// A createOptions (or manifest) fragment that triggers the rule…
    pub before: &'static str,
    /// …and the same fragment after the fix.
    pub after: &'static str,
    /// How safe the fix is to accept blindly, and what to check.
    pub fix_safety: &'static str,
}

/// The managed IoT Edge on Kubernetes only.
pub const K8S: &[Target] = &[Target::K8s];
/// IoT Edge in a VM only.
pub const VM: &[Target] = &[Target::Vm];
/// Both targets.
pub const BOTH: &[Target] = &[Target::K8s, Target::Vm];

/// How a rule looks at a manifest.
pub enum Check {
    /// Once per module.
    Module(fn(&Context, &Module) -> Vec<Finding>),
    /// Once per manifest (cross-module rules, deployment-level advice).
    Manifest(fn(&Context) -> Vec<Finding>),
    /// On the Kubernetes objects the agent would create: the pre-flight (`crate::k8s`) runs it,
    /// above the migration, since it translates the migrated manifest too. The rule's id and doc
    /// live here with every other rule's.
    Preflight,
}

/// A rule: its documentation and its check.
pub struct Rule {
    pub doc: RuleDoc,
    pub check: Check,
}

/// One change to the document. A location below a module's createOptions addresses the *decoded*
/// createOptions object; the change is written back in the module's own form.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "kebab-case")]
pub enum Edit {
    /// Set (or replace) the value; missing parent objects are created.
    Set { at: Location, value: Value },
    /// Remove a key or array element.
    Remove { at: Location },
    /// Append to an array, creating it when absent.
    Append { at: Location, value: Value },
    /// Rename an object key in place (its position is kept).
    RenameKey { at: Location, to: String },
}

impl Edit {
    /// The value the engineer can edit: what is written (or the new key).
    pub fn fragment(&self) -> Option<Value> {
        match self {
            Edit::Set { value, .. } | Edit::Append { value, .. } => Some(value.clone()),
            Edit::RenameKey { to, .. } => Some(Value::String(to.clone())),
            Edit::Remove { .. } => None,
        }
    }

    /// The same edit writing `fragment` instead; `None` when the fragment does not fit the edit.
    pub fn with_fragment(&self, fragment: Value) -> Option<Edit> {
        Some(match self {
            Edit::Set { at, .. } => Edit::Set { at: at.clone(), value: fragment },
            Edit::Append { at, .. } => Edit::Append { at: at.clone(), value: fragment },
            Edit::RenameKey { at, .. } => Edit::RenameKey { at: at.clone(), to: fragment.as_str()?.to_owned() },
            Edit::Remove { .. } => return None,
        })
    }

    /// The place it changes.
    pub fn at(&self) -> &Location {
        match self {
            Edit::Set { at, .. } | Edit::Remove { at } | Edit::Append { at, .. } | Edit::RenameKey { at, .. } => at,
        }
    }
}

/// A module's new name: its key, its twin, every route and every host name that reaches it change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rename {
    pub module: String,
    pub to: String,
}

/// Where an input's value goes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum InputTarget {
    /// At `at` inside edit `edit`'s fragment ("" = the whole fragment).
    Edit { edit: usize, at: Pointer },
    /// A port number: one port lives in several places (an `ExposedPorts` key `36000/tcp`, the
    /// `PortBindings` key, a `HostPort` `"36000"`), so the number typed once is written, as text,
    /// as the whole fragment of each edit in `places`. A port in `refused` is not taken: the
    /// proposal already avoids those, and a renamed key cannot show the clash afterwards.
    Port { places: Vec<PortPlace>, refused: Vec<RefusedPort> },
    /// The module's new name.
    Rename,
}

/// One place a typed port is written: edit `edit`'s fragment becomes the number followed by
/// `suffix` (`/tcp` as the key wrote it; nothing for a `HostPort`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortPlace {
    pub edit: usize,
    pub suffix: String,
}

/// A port a typed value must not be, and why (`is a port of the IoT Edge proxy`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefusedPort {
    pub port: u16,
    pub why: String,
}

/// The value an input fix needs from the engineer, and where it goes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Input {
    /// What to type ("share name", "GPU count", "host port").
    pub label: String,
    pub target: InputTarget,
    /// The proposed value; `None` when only the engineer can know it (then `--accept all` skips it).
    pub default: Option<Value>,
    /// When the value is an object of a few settings (memory and CPU limits): each is typed on its
    /// own, never as JSON in one line. Empty for a single value.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<InputPart>,
}

/// One setting of an input whose value is an object: its own labelled field in the app.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputPart {
    /// What to type ("memory limit").
    pub label: String,
    /// Its key in the object (`memory`).
    pub key: String,
}

/// The change a finding proposes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Suggestion {
    /// One line: what accepting does.
    pub summary: String,
    pub applicability: Applicability,
    pub edits: Vec<Edit>,
    /// A module rename, its own operation rather than an edit of one place.
    pub rename: Option<Rename>,
    pub input: Option<Input>,
    /// Which edit's fragment the UI's editor opens (for input fixes, the input's edit).
    pub primary: usize,
}

impl Suggestion {
    /// A safe suggestion whose first non-remove edit is the editable fragment.
    pub fn new(summary: impl Into<String>, edits: Vec<Edit>) -> Suggestion {
        let primary = edits.iter().position(|e| e.fragment().is_some()).unwrap_or(0);
        Suggestion {
            summary: summary.into(),
            applicability: Applicability::Safe,
            edits,
            rename: None,
            input: None,
            primary,
        }
    }

    /// A module rename (needs review: it gives the module a new IoT Hub identity).
    pub fn rename(summary: impl Into<String>, module: &str, to: &str) -> Suggestion {
        Suggestion {
            summary: summary.into(),
            applicability: Applicability::NeedsReview,
            edits: Vec::new(),
            rename: Some(Rename { module: module.to_owned(), to: to.to_owned() }),
            input: Some(Input {
                label: "new module name".to_owned(),
                target: InputTarget::Rename,
                default: Some(Value::String(to.to_owned())),
                parts: Vec::new(),
            }),
            primary: 0,
        }
    }

    /// The same suggestion, marked as needing review.
    pub fn review(mut self) -> Suggestion {
        self.applicability = Applicability::NeedsReview;
        self
    }

    /// The same suggestion, only to be shown.
    pub fn display_only(mut self) -> Suggestion {
        self.applicability = Applicability::DisplayOnly;
        self
    }

    /// Adds the value the engineer confirms: it goes at `at` inside edit `edit`'s fragment. A
    /// suggestion that asks for a value needs review.
    pub fn with_input(mut self, label: impl Into<String>, edit: usize, at: &str, default: Option<Value>) -> Suggestion {
        self.primary = edit;
        let at = Pointer::parse(at).expect("input pointers are written as JSON pointers");
        self.input =
            Some(Input { label: label.into(), target: InputTarget::Edit { edit, at }, default, parts: Vec::new() });
        self.applicability = self.applicability.max(Applicability::NeedsReview);
        self
    }

    /// Adds a port the engineer confirms, written into every one of `places` (see
    /// [`InputTarget::Port`]); the first place's edit is the one the editor opens.
    pub fn with_port_input(
        mut self,
        label: impl Into<String>,
        places: Vec<PortPlace>,
        refused: Vec<RefusedPort>,
        default: u16,
    ) -> Suggestion {
        self.primary = places.first().map_or(self.primary, |p| p.edit);
        self.input = Some(Input {
            label: label.into(),
            target: InputTarget::Port { places, refused },
            default: Some(Value::String(default.to_string())),
            parts: Vec::new(),
        });
        self.applicability = self.applicability.max(Applicability::NeedsReview);
        self
    }

    /// Splits the input's value, an object, into settings typed one by one: `(label, key)` pairs
    /// (`("memory limit", "memory")`). Keys left empty are left out of the object.
    pub fn with_parts(mut self, parts: &[(&str, &str)]) -> Suggestion {
        if let Some(input) = &mut self.input {
            input.parts = parts
                .iter()
                .map(|(label, key)| InputPart { label: (*label).to_owned(), key: (*key).to_owned() })
                .collect();
        }
        self
    }

    /// The editable JSON fragment (for a rename, the new name).
    pub fn fragment(&self) -> Option<Value> {
        match &self.rename {
            Some(r) => Some(Value::String(r.to.clone())),
            None => self.edits.get(self.primary)?.fragment(),
        }
    }
}

/// What the engineer can do about a finding, as the CLI and the app say it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, strum::IntoStaticStr)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum Fix {
    /// A safe suggestion.
    Safe,
    /// A suggestion to review, or one that takes a value.
    NeedsReview,
    /// A suggestion shown as an illustration.
    DisplayOnly,
    /// No suggestion: the engineer changes the module.
    Manual,
    /// Nothing to change: advice.
    None,
}

impl Fix {
    pub fn name(self) -> &'static str {
        self.into()
    }
}

/// One thing the migration guide says about this manifest.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Finding {
    pub rule: &'static str,
    pub section: Section,
    pub severity: Severity,
    /// The module it is about; `None` for the deployment as a whole.
    pub module: Option<String>,
    /// What it is about.
    pub location: Location,
    /// One line: what is wrong here.
    pub message: String,
    /// Why, from the guide.
    pub reason: &'static str,
    pub suggestion: Option<Suggestion>,
    /// A step to take on the device or around it, not in the manifest (a share to create, a
    /// trigger to re-create, a route to add): the report's and the app's "Before you deploy"
    /// checklist gathers these.
    pub step: Option<Step>,
}

/// One item of the "Before you deploy" checklist.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Step {
    /// What to do, one line (`Create the Edge share `images` with "Use the share with Edge
    /// compute" ticked`). Findings that ask for the same step give it once.
    pub action: String,
    /// How, or what to check (commands, portal places).
    pub detail: String,
    /// Inferred from how things work rather than documented by Microsoft: the checklist says so.
    pub inferred: bool,
}

impl Finding {
    /// A finding of `rule` with its documented severity, about `module` at `location`.
    pub fn new(rule: &Rule, module: Option<&Module>, location: Location, message: impl Into<String>) -> Finding {
        Finding {
            rule: rule.doc.id,
            section: rule.doc.section,
            severity: rule.doc.severity,
            module: module.map(|m| m.name.clone()),
            location,
            message: message.into(),
            reason: rule.doc.why,
            suggestion: None,
            step: None,
        }
    }

    /// Adds a step for the "Before you deploy" checklist.
    pub fn step(mut self, action: impl Into<String>, detail: impl Into<String>, inferred: bool) -> Finding {
        self.step = Some(Step { action: action.into(), detail: detail.into(), inferred });
        self
    }

    pub fn suggest(mut self, suggestion: Suggestion) -> Finding {
        self.suggestion = Some(suggestion);
        self
    }

    /// Attaches a suggestion that needs review.
    pub fn suggest_review(self, suggestion: Suggestion) -> Finding {
        self.suggest(suggestion.review())
    }

    pub fn severity(mut self, severity: Severity) -> Finding {
        self.severity = severity;
        self
    }

    /// What the engineer can do: take a suggestion (and how safe it is), change the module by
    /// hand (errors and warnings without one), or nothing (advice).
    pub fn fix(&self) -> Fix {
        match &self.suggestion {
            Some(s) => match s.applicability {
                Applicability::Safe => Fix::Safe,
                Applicability::NeedsReview => Fix::NeedsReview,
                Applicability::DisplayOnly => Fix::DisplayOnly,
            },
            None if self.severity == Severity::Info => Fix::None,
            None => Fix::Manual,
        }
    }

    /// What identifies this finding across runs and in a decisions file.
    pub fn key(&self) -> FindingKey {
        FindingKey { rule: self.rule.to_owned(), module: self.module.clone(), location: self.location.clone() }
    }
}

/// Identifies a finding: rule, module and location are stable for the same input, and no two
/// findings of one analysis share them.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct FindingKey {
    pub rule: String,
    pub module: Option<String>,
    pub location: Location,
}

impl FindingKey {
    /// A stable text form (`STO001 camera /…/HostConfig/Binds/0`): widget ids and logs.
    pub fn id(&self) -> String {
        format!("{} {} {}", self.rule, self.module.as_deref().unwrap_or("-"), self.location)
    }
}

/// Every rule, in catalogue order (the [`registry`]).
pub fn catalogue() -> &'static [&'static Rule] {
    registry::RULES
}

/// The rule with this id (case-insensitive).
pub fn rule(id: &str) -> Option<&'static Rule> {
    catalogue().iter().copied().find(|r| r.doc.id.eq_ignore_ascii_case(id))
}

/// Runs every rule over the manifest. Findings come in module order (deployment-level last), then
/// by section and rule.
pub fn analyse(manifest: &Manifest, device: &DeviceProfile) -> Vec<Finding> {
    let ctx = Context::new(manifest, device);
    let mut findings = Vec::new();
    for rule in catalogue().iter().filter(|r| r.doc.targets.contains(&device.target)) {
        match rule.check {
            Check::Module(check) => {
                for module in &manifest.modules {
                    findings.extend(check(&ctx, module));
                }
            }
            Check::Manifest(check) => findings.extend(check(&ctx)),
            Check::Preflight => {}
        }
    }
    let order = |f: &Finding| f.module.as_deref().and_then(|n| ctx.index_of(n)).unwrap_or(usize::MAX);
    findings.sort_by_cached_key(|f| (order(f), f.section, f.rule, f.location.clone()));
    findings
}
