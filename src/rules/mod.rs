//! The rule catalogue of `guide/RULES.md`: one folder per section, one file per rule.
//!
//! A rule is a [`RuleDoc`] (its documentation, the one source for `fpga2gpu explain`, the UI and
//! the README table) and a small pure function from a module (or the whole manifest) to
//! [`Finding`]s, each with the [`Suggestion`] the engineer can accept, edit or reject.

mod context;
pub mod manifest_rules;
pub mod network;
pub mod other;
pub mod proxy;
pub mod resources;
pub mod shared;
pub mod storage;

pub use context::{Context, PortBinding};

use crate::manifest::{Manifest, Module};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The five panels of the guide: where a finding is shown and what part of the module it is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
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

    pub fn name(self) -> &'static str {
        match self {
            Section::Storage => "storage",
            Section::Network => "network",
            Section::Resources => "resources",
            Section::Proxy => "proxy",
            Section::Other => "other",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Section::Storage => "Storage",
            Section::Network => "Network",
            Section::Resources => "Resources",
            Section::Proxy => "Proxy",
            Section::Other => "Other",
        }
    }
}

/// error = will fail or misbehave on the GPU device; warning = likely wrong or silently ignored;
/// info = advice. Ordered most severe first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn name(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// auto = the app can write the change; input = it proposes a change with a value the engineer
/// confirms or types; manual = it explains, the engineer changes the module; none = nothing to change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FixKind {
    Auto,
    Input,
    Manual,
    None,
}

impl FixKind {
    pub fn name(self) -> &'static str {
        match self {
            FixKind::Auto => "auto",
            FixKind::Input => "input",
            FixKind::Manual => "manual",
            FixKind::None => "none",
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
    pub fix: FixKind,
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

/// How a rule looks at a manifest.
pub enum Check {
    /// Once per module.
    Module(fn(&Context, &Module) -> Vec<Finding>),
    /// Once per manifest (cross-module rules, deployment-level advice).
    Manifest(fn(&Context) -> Vec<Finding>),
}

/// A rule: its documentation and its check.
pub struct Rule {
    pub doc: RuleDoc,
    pub check: Check,
}

/// One change to the document. Paths are JSON pointers into the document, where a path below a
/// module's `settings/createOptions` addresses the *decoded* createOptions object.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "kebab-case")]
pub enum Edit {
    /// Set (or replace) the value; missing parent objects are created.
    Set { path: String, value: Value },
    /// Remove a key or array element.
    Remove { path: String },
    /// Append to an array, creating it when absent.
    Append { path: String, value: Value },
    /// Rename an object key in place (its position is kept).
    RenameKey { path: String, to: String },
    /// Rename a module everywhere: its key, its twin, routes and other modules' references.
    RenameModule { from: String, to: String },
}

impl Edit {
    /// The value the engineer can edit: what is written (or the new name).
    pub fn fragment(&self) -> Option<Value> {
        match self {
            Edit::Set { value, .. } | Edit::Append { value, .. } => Some(value.clone()),
            Edit::RenameKey { to, .. } | Edit::RenameModule { to, .. } => Some(Value::String(to.clone())),
            Edit::Remove { .. } => None,
        }
    }

    /// The same edit writing `fragment` instead; `None` when the fragment does not fit the edit.
    pub fn with_fragment(&self, fragment: Value) -> Option<Edit> {
        Some(match self {
            Edit::Set { path, .. } => Edit::Set { path: path.clone(), value: fragment },
            Edit::Append { path, .. } => Edit::Append { path: path.clone(), value: fragment },
            Edit::RenameKey { path, .. } => Edit::RenameKey { path: path.clone(), to: fragment.as_str()?.to_owned() },
            Edit::RenameModule { from, .. } => {
                Edit::RenameModule { from: from.clone(), to: fragment.as_str()?.to_owned() }
            }
            Edit::Remove { .. } => return None,
        })
    }

    /// The path it touches (for a rename, the module's name).
    pub fn path(&self) -> &str {
        match self {
            Edit::Set { path, .. }
            | Edit::Remove { path }
            | Edit::Append { path, .. }
            | Edit::RenameKey { path, .. } => path,
            Edit::RenameModule { from, .. } => from,
        }
    }
}

/// The value an input fix needs from the engineer, and where it goes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Input {
    /// What to type ("share name", "GPU count", "host port").
    pub label: String,
    /// Index of the edit in [`Suggestion::edits`] whose fragment takes the value.
    pub edit: usize,
    /// Pointer inside that fragment ("" = the whole fragment).
    pub at: String,
    /// The proposed value; `None` when only the engineer can know it (then `--accept all` skips it).
    pub default: Option<Value>,
}

/// The change a finding proposes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Suggestion {
    /// One line: what accepting does.
    pub summary: String,
    pub edits: Vec<Edit>,
    pub input: Option<Input>,
    /// Which edit's fragment the UI's editor opens (for input fixes, the input's edit).
    pub primary: usize,
}

impl Suggestion {
    /// An auto suggestion whose first non-remove edit is the editable fragment.
    pub fn new(summary: impl Into<String>, edits: Vec<Edit>) -> Suggestion {
        let primary = edits.iter().position(|e| e.fragment().is_some()).unwrap_or(0);
        Suggestion { summary: summary.into(), edits, input: None, primary }
    }

    /// Adds the value the engineer confirms: it goes at `at` inside edit `edit`'s fragment.
    pub fn with_input(mut self, label: impl Into<String>, edit: usize, at: &str, default: Option<Value>) -> Suggestion {
        self.primary = edit;
        self.input = Some(Input { label: label.into(), edit, at: at.to_owned(), default });
        self
    }

    /// The editable JSON fragment.
    pub fn fragment(&self) -> Option<Value> {
        self.edits.get(self.primary)?.fragment()
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
    /// JSON pointer to what it is about (see [`Edit`] for createOptions paths).
    pub path: String,
    /// One line: what is wrong here.
    pub message: String,
    /// Why, from the guide.
    pub reason: &'static str,
    pub fix: FixKind,
    pub suggestion: Option<Suggestion>,
}

impl Finding {
    /// A finding of `rule` with its documented severity and fix kind, about `module` at `path`.
    pub fn new(rule: &Rule, module: Option<&Module>, path: impl Into<String>, message: impl Into<String>) -> Finding {
        Finding {
            rule: rule.doc.id,
            section: rule.doc.section,
            severity: rule.doc.severity,
            module: module.map(|m| m.name.clone()),
            path: path.into(),
            message: message.into(),
            reason: rule.doc.why,
            fix: rule.doc.fix,
            suggestion: None,
        }
    }

    pub fn suggest(mut self, suggestion: Suggestion) -> Finding {
        self.suggestion = Some(suggestion);
        self
    }

    pub fn severity(mut self, severity: Severity) -> Finding {
        self.severity = severity;
        self
    }

    pub fn fix_kind(mut self, fix: FixKind) -> Finding {
        self.fix = fix;
        self
    }

    /// What identifies this finding across runs and in a decisions file.
    pub fn key(&self) -> FindingKey {
        FindingKey { rule: self.rule.to_owned(), module: self.module.clone(), path: self.path.clone() }
    }
}

/// Identifies a finding: rule, module and path are stable for the same input.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct FindingKey {
    pub rule: String,
    pub module: Option<String>,
    pub path: String,
}

/// Every rule, in catalogue order.
pub fn catalogue() -> &'static [&'static Rule] {
    static ALL: std::sync::OnceLock<Vec<&'static Rule>> = std::sync::OnceLock::new();
    ALL.get_or_init(|| {
        let mut all = Vec::new();
        all.extend_from_slice(storage::RULES);
        all.extend_from_slice(network::RULES);
        all.extend_from_slice(resources::RULES);
        all.extend_from_slice(proxy::RULES);
        all.extend_from_slice(other::RULES);
        all.extend_from_slice(manifest_rules::RULES);
        all
    })
}

/// The rule with this id (case-insensitive).
pub fn rule(id: &str) -> Option<&'static Rule> {
    catalogue().iter().copied().find(|r| r.doc.id.eq_ignore_ascii_case(id))
}

/// Runs every rule over the manifest. Findings come in module order (deployment-level last), then
/// by section and rule.
pub fn analyse(manifest: &Manifest) -> Vec<Finding> {
    let ctx = Context::new(manifest);
    let mut findings = Vec::new();
    for rule in catalogue() {
        match rule.check {
            Check::Module(check) => {
                for module in &manifest.modules {
                    findings.extend(check(&ctx, module));
                }
            }
            Check::Manifest(check) => findings.extend(check(&ctx)),
        }
    }
    let order = |f: &Finding| f.module.as_deref().and_then(|n| ctx.index_of(n)).unwrap_or(usize::MAX);
    findings.sort_by_cached_key(|f| (order(f), f.section, f.rule, f.path.clone()));
    findings
}
