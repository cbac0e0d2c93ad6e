//! Applying the engineer's decisions: turns accepted suggestions into edits and writes a new
//! document in the same shape as the input. Modules and keys no accepted edit touches are copied
//! as they were; changed createOptions keep their form (string, chunked string, object).

use crate::manifest::{self, CreateOptionsForm, ENCODE_CHUNK_CHARS, MAX_CHUNKS, Manifest, pointer};
use crate::rules::{Edit, Finding, FindingKey, FixKind};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};

/// What the engineer decided about one finding.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "decision", rename_all = "kebab-case")]
pub enum Decision {
    /// Take the suggestion as proposed (an input fix takes its default).
    Accept,
    /// Leave this as it is.
    Reject,
    /// Take an input fix with this value.
    Value { value: Value },
    /// Take the suggestion with its editable fragment replaced.
    Fragment { fragment: Value },
}

/// Which suggestions to take when no explicit decision is given (`--accept`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, clap::ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Policy {
    /// Nothing: the output is the input, re-encoded.
    None,
    /// Auto fixes only.
    #[default]
    Auto,
    /// Auto fixes and the default value of every input fix that has one.
    All,
}

impl Policy {
    /// The decision this policy makes for a finding, if any.
    pub fn decide(self, finding: &Finding) -> Option<Decision> {
        let suggestion = finding.suggestion.as_ref()?;
        match (self, finding.fix) {
            (Policy::None, _) => None,
            (_, FixKind::Auto) => Some(Decision::Accept),
            (Policy::All, FixKind::Input) if suggestion.input.as_ref().is_none_or(|i| i.default.is_some()) => {
                Some(Decision::Accept)
            }
            _ => None,
        }
    }
}

/// One line of a decisions file: matches findings by rule, and optionally module and path.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DecisionEntry {
    pub rule: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub module: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(flatten)]
    pub decision: Decision,
}

/// A decisions file: choices replayed across many manifests (`--decisions`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Decisions {
    pub decisions: Vec<DecisionEntry>,
}

/// A decisions file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum DecisionsError {
    #[error("decisions file is not valid JSON at line {line}, column {column}: {message}")]
    Json { line: usize, column: usize, message: String },
    #[error("decisions file: {0}")]
    Shape(String),
}

impl Decisions {
    /// Reads `{"decisions": [...]}` or a bare list of entries.
    pub fn from_json(text: &str) -> Result<Decisions, DecisionsError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let v: Value = serde_json::from_str(text).map_err(|e| DecisionsError::Json {
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        })?;
        let list = match v {
            Value::Array(_) => v,
            Value::Object(mut o) => {
                o.remove("decisions").ok_or_else(|| DecisionsError::Shape("expected {\"decisions\": [...]}".into()))?
            }
            _ => return Err(DecisionsError::Shape("expected a list of decisions".into())),
        };
        let decisions = serde_json::from_value(list).map_err(|e| DecisionsError::Shape(e.to_string()))?;
        Ok(Decisions { decisions })
    }

    /// The decisions the engineer made in a session, one per finding, exactly keyed.
    pub fn from_map(map: &BTreeMap<FindingKey, Decision>) -> Decisions {
        Decisions {
            decisions: map
                .iter()
                .map(|(k, d)| DecisionEntry {
                    rule: k.rule.clone(),
                    module: k.module.clone(),
                    path: Some(k.path.clone()),
                    decision: d.clone(),
                })
                .collect(),
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("decisions serialise") + "\n"
    }

    /// The most specific entry matching a finding (path beats module beats rule alone).
    pub fn decide(&self, finding: &Finding) -> Option<Decision> {
        self.decisions
            .iter()
            .filter(|e| e.rule.eq_ignore_ascii_case(finding.rule))
            .filter(|e| e.module.is_none() || e.module == finding.module)
            .filter(|e| e.path.as_ref().is_none_or(|p| *p == finding.path))
            .max_by_key(|e| (e.path.is_some(), e.module.is_some()))
            .map(|e| e.decision.clone())
    }
}

/// Why a decision could not be turned into edits.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DecisionError {
    #[error("{0} has no suggested change to accept")]
    NothingToAccept(String),
    #[error("{0} needs a value: it has no default")]
    NeedsValue(String),
    #[error("{0} takes no value")]
    NoInput(String),
    #[error("{0}: the value does not fit the suggested change ({1})")]
    BadValue(String, String),
}

/// The edits a decision makes, or `None` for a rejection.
pub fn resolve(finding: &Finding, decision: &Decision) -> Result<Option<Vec<Edit>>, DecisionError> {
    let name = || format!("{} on {}", finding.rule, finding.module.as_deref().unwrap_or("the deployment"));
    if *decision == Decision::Reject {
        return Ok(None);
    }
    let s = finding.suggestion.as_ref().ok_or_else(|| DecisionError::NothingToAccept(name()))?;
    let mut edits = s.edits.clone();
    let value = match decision {
        Decision::Reject => unreachable!(),
        Decision::Accept => match &s.input {
            Some(i) => Some(i.default.clone().ok_or_else(|| DecisionError::NeedsValue(name()))?),
            None => None,
        },
        Decision::Value { value } => {
            if s.input.is_none() {
                return Err(DecisionError::NoInput(name()));
            }
            Some(value.clone())
        }
        Decision::Fragment { fragment } => {
            let e = edits
                .get(s.primary)
                .and_then(|e| e.with_fragment(fragment.clone()))
                .ok_or_else(|| DecisionError::BadValue(name(), "a new name must be a string".into()))?;
            edits[s.primary] = e;
            None
        }
    };
    if let (Some(value), Some(input)) = (value, &s.input) {
        let edit = edits.get(input.edit).ok_or_else(|| DecisionError::BadValue(name(), "no such edit".into()))?;
        let mut frag =
            edit.fragment().ok_or_else(|| DecisionError::BadValue(name(), "the edit takes no value".into()))?;
        pointer::set(&mut frag, &input.at, value).map_err(|e| DecisionError::BadValue(name(), e.to_string()))?;
        edits[input.edit] = edit
            .with_fragment(frag)
            .ok_or_else(|| DecisionError::BadValue(name(), "a new name must be a string".into()))?;
    }
    Ok(Some(edits))
}

/// The result of a migration.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The migrated document.
    pub doc: Value,
    /// The findings whose edits were applied.
    pub applied: Vec<FindingKey>,
    /// Findings that were decided but could not be applied, with why.
    pub skipped: Vec<(FindingKey, String)>,
    /// Things the engineer should know about the result (e.g. more than 8 chunks).
    pub warnings: Vec<String>,
    /// Modules renamed by accepted suggestions: (old name, new name).
    pub renamed: Vec<(String, String)>,
}

impl Outcome {
    /// The document as text, in the input's style.
    pub fn text(&self, manifest: &Manifest) -> String {
        manifest::encode_document(&self.doc, &manifest.format)
    }
}

/// Migrates with a decision function (explicit decisions, a policy, or both).
pub fn migrate(manifest: &Manifest, findings: &[Finding], decide: impl Fn(&Finding) -> Option<Decision>) -> Outcome {
    let mut accepted = Vec::new();
    let mut skipped = Vec::new();
    for f in findings {
        let Some(d) = decide(f) else { continue };
        match resolve(f, &d) {
            Ok(Some(edits)) => accepted.push((f.key(), edits)),
            Ok(None) => {}
            Err(e) => skipped.push((f.key(), e.to_string())),
        }
    }
    let mut outcome = apply(manifest, accepted);
    outcome.skipped.extend(skipped);
    outcome
}

/// An operation during application: a public [`Edit`] or a host rewrite a rename expands into.
#[derive(Debug, Clone)]
enum Op {
    Edit(Edit),
    /// Rewrite references to renamed modules (as hosts, or in routes) in the string at `path`.
    ReplaceNames {
        path: String,
    },
}

impl Op {
    fn path(&self) -> &str {
        match self {
            Op::Edit(e) => e.path(),
            Op::ReplaceNames { path } => path,
        }
    }
    fn rank(&self) -> u8 {
        match self {
            Op::Edit(Edit::Remove { .. }) => 2,
            Op::ReplaceNames { .. } => 1,
            _ => 0,
        }
    }
}

/// Applies the edits of accepted findings to a copy of the document.
pub fn apply(manifest: &Manifest, accepted: Vec<(FindingKey, Vec<Edit>)>) -> Outcome {
    let mut doc = manifest.doc.clone();
    let mut warnings = Vec::new();
    let mut skipped = Vec::new();
    let mut applied = Vec::new();
    let by_name: HashMap<&str, usize> =
        manifest.modules.iter().enumerate().map(|(i, m)| (m.name.as_str(), i)).collect();
    let co_index: HashMap<String, usize> =
        manifest.modules.iter().enumerate().map(|(i, m)| (m.create_options_pointer(), i)).collect();
    let mut co_ops: BTreeMap<usize, Vec<Op>> = BTreeMap::new();
    let mut doc_ops: Vec<Op> = Vec::new();
    let mut renames: Vec<(String, String)> = Vec::new();

    let route =
        |op: Op, co_ops: &mut BTreeMap<usize, Vec<Op>>, doc_ops: &mut Vec<Op>| match split_co(op.path(), &co_index) {
            Some((i, rel)) => co_ops.entry(i).or_default().push(with_path(op, rel)),
            None => doc_ops.push(op),
        };

    for (key, edits) in accepted {
        if let Some(i) = key.module.as_deref().and_then(|n| by_name.get(n).copied()) {
            let targets_co = edits.iter().any(|e| split_co(e.path(), &co_index).is_some_and(|(j, _)| j == i));
            if targets_co && manifest.modules[i].create_options.value.is_none() {
                skipped.push((key, "its createOptions could not be read, so the module is left untouched".to_owned()));
                continue;
            }
        }
        for e in edits {
            match e {
                Edit::RenameModule { from, to } => renames.push((from, to)),
                e => route(Op::Edit(e), &mut co_ops, &mut doc_ops),
            }
        }
        applied.push(key);
    }

    // Renames rewrite every reference to the modules (one pass over routes and env values for all
    // of them) before their keys move.
    let mut key_renames = Vec::new();
    let mut renamed = Vec::new();
    let mut targets: HashMap<&str, usize> = HashMap::new();
    for (_, to) in &renames {
        *targets.entry(to.as_str()).or_default() += 1;
    }
    for (from, to) in &renames {
        let Some(module) = by_name.get(from.as_str()).map(|&i| &manifest.modules[i]) else {
            warnings.push(format!("cannot rename `{from}`: no such module"));
            continue;
        };
        if by_name.contains_key(to.as_str()) || targets[to.as_str()] > 1 {
            warnings.push(format!("cannot rename `{from}` to `{to}`: that name is taken"));
            continue;
        }
        let (parent, last) = pointer::split_last(&module.pointer).expect("module pointers have a parent");
        let new_key = last.strip_suffix(from.as_str()).map(|p| format!("{p}{to}")).unwrap_or_else(|| to.clone());
        key_renames.push((pointer::join(parent, &last), new_key));
        if let Some(twin) = manifest.twin_pointer(from) {
            key_renames.push((twin, to.clone()));
        }
        renamed.push((from.clone(), to.clone()));
    }
    let moving: std::collections::HashSet<&str> = renamed.iter().map(|(f, _)| f.as_str()).collect();
    let keeping = manifest.modules.iter().map(|m| m.name.as_str()).filter(|n| !moving.contains(n));
    let names = Renames::new(&renamed, keeping);
    if !renamed.is_empty() {
        for r in manifest.routes() {
            doc_ops.push(Op::ReplaceNames { path: r.pointer });
        }
        for m in &manifest.modules {
            if let Some(env) = m.env(manifest) {
                for (k, v) in env {
                    if v.get("value").is_some_and(Value::is_string) {
                        let path = pointer::from_tokens(&m.pointer, ["env", k.as_str(), "value"]);
                        doc_ops.push(Op::ReplaceNames { path });
                    }
                }
            }
            for (idx, _) in m.create_env() {
                route(Op::ReplaceNames { path: m.co_path(&format!("/Env/{idx}")) }, &mut co_ops, &mut doc_ops);
            }
        }
    }

    for (i, ops) in co_ops {
        let module = &manifest.modules[i];
        let Some(mut work) = module.create_options.value.clone() else { continue };
        let edited = ops.iter().any(|op| matches!(op, Op::Edit(_)));
        warnings.extend(apply_ops(&mut work, ops, true, &names));
        // Only renames reached this module and its Env names none of them: it keeps its text
        // exactly as written.
        if edited || module.create_options.value.as_ref() != Some(&work) {
            write_create_options(&mut doc, module, work, &mut warnings);
        }
    }
    warnings.extend(apply_ops(&mut doc, doc_ops, false, &names));
    // One rebuild of each parent map (modules, modulesContent) for all its renamed keys: renaming
    // them one at a time rebuilt the map once per rename.
    let mut by_parent: BTreeMap<String, HashMap<String, String>> = BTreeMap::new();
    for (path, to) in key_renames {
        if let Some((parent, last)) = pointer::split_last(&path) {
            by_parent.entry(parent.to_owned()).or_default().insert(last, to);
        }
    }
    for (parent, keys) in by_parent {
        if let Err(e) = pointer::rename_keys(&mut doc, &parent, &keys) {
            warnings.push(format!("rename: {e}"));
        }
    }
    Outcome { doc, applied, skipped, warnings, renamed }
}

fn split_co(path: &str, co_index: &HashMap<String, usize>) -> Option<(usize, String)> {
    const CO: &str = "/settings/createOptions";
    let at = path.find(CO)? + CO.len();
    let rest = &path[at..];
    if !(rest.is_empty() || rest.starts_with('/')) {
        return None;
    }
    co_index.get(&path[..at]).map(|&i| (i, rest.to_owned()))
}

fn with_path(op: Op, rel: String) -> Op {
    match op {
        Op::Edit(e) => Op::Edit(match e {
            Edit::Set { value, .. } => Edit::Set { path: rel, value },
            Edit::Remove { .. } => Edit::Remove { path: rel },
            Edit::Append { value, .. } => Edit::Append { path: rel, value },
            Edit::RenameKey { to, .. } => Edit::RenameKey { path: rel, to },
            r @ Edit::RenameModule { .. } => r,
        }),
        Op::ReplaceNames { .. } => Op::ReplaceNames { path: rel },
    }
}

/// Applies ops: writes first, then name rewrites, then removals from the highest array index down
/// (so earlier indexes stay valid). With `prune`, containers emptied by a removal go too.
fn apply_ops(root: &mut Value, mut ops: Vec<Op>, prune: bool, names: &Renames) -> Vec<String> {
    ops.sort_by(|a, b| {
        a.rank()
            .cmp(&b.rank())
            .then_with(|| if a.rank() == 2 { cmp_paths(b.path(), a.path()) } else { Ordering::Equal })
    });
    ops.dedup_by(|a, b| a.rank() == 2 && b.rank() == 2 && a.path() == b.path());
    let mut problems = Vec::new();
    for op in ops {
        let result = match op {
            Op::Edit(Edit::Set { path, value }) => pointer::set(root, &path, value),
            Op::Edit(Edit::Append { path, value }) => pointer::append(root, &path, value),
            Op::Edit(Edit::RenameKey { path, to }) => pointer::rename_key(root, &path, &to),
            Op::Edit(Edit::RenameModule { .. }) => Ok(()),
            Op::Edit(Edit::Remove { path }) => pointer::remove(root, &path).map(|_| {
                if prune {
                    prune_empty(root, &path);
                }
            }),
            Op::ReplaceNames { path } => {
                if let Some(Value::String(s)) = pointer::get_mut(root, &path)
                    && let Some(new) = names.rewrite(s)
                {
                    *s = new;
                }
                Ok(())
            }
        };
        if let Err(e) = result {
            problems.push(format!("an edit could not be applied: {e}"));
        }
    }
    problems
}

fn prune_empty(root: &mut Value, removed: &str) {
    let mut path = removed;
    while let Some((parent, _)) = pointer::split_last(path) {
        if parent.is_empty() {
            break;
        }
        let empty = match pointer::get(root, parent) {
            Some(Value::Array(a)) => a.is_empty(),
            Some(Value::Object(o)) => o.is_empty(),
            _ => false,
        };
        if !empty || pointer::remove(root, parent).is_err() {
            break;
        }
        path = parent;
    }
}

/// Orders pointers token by token, numbers numerically.
fn cmp_paths(a: &str, b: &str) -> Ordering {
    // Escaped tokens order consistently among themselves, which is all a removal order needs.
    let (mut ta, mut tb) = (a.split('/'), b.split('/'));
    loop {
        let (x, y) = match (ta.next(), tb.next()) {
            (Some(x), Some(y)) => (x, y),
            (x, y) => return x.is_some().cmp(&y.is_some()),
        };
        let o = match (x.parse::<u64>(), y.parse::<u64>()) {
            (Ok(i), Ok(j)) => i.cmp(&j),
            _ => x.cmp(y),
        };
        if o != Ordering::Equal {
            return o;
        }
    }
}

/// Accepted module renames, indexed for rewriting references to them.
pub struct Renames {
    /// Old name → new name, for routes (`/modules/<name>/`), which are case-sensitive.
    exact: HashMap<String, String>,
    /// Lower-cased old name → new name, for host names, which are not.
    lower: HashMap<String, String>,
}

impl Renames {
    /// `others` are the names of the modules that keep theirs: a host that lower-cases to one of
    /// them is ambiguous, so it is only rewritten when it matches the renamed module exactly.
    pub fn new<'a>(pairs: &[(String, String)], others: impl IntoIterator<Item = &'a str>) -> Renames {
        let mut lower: HashMap<String, String> =
            pairs.iter().map(|(f, t)| (f.to_ascii_lowercase(), t.clone())).collect();
        for name in others {
            lower.remove(&name.to_ascii_lowercase());
        }
        Renames { exact: pairs.iter().cloned().collect(), lower }
    }

    /// Rewrites references to renamed modules in one pass: `/modules/<from>/` in routes, and
    /// `<from>` (any case) used as a host name (`from:8080`, `http://from/…`, `Server=from;`).
    /// `None` when nothing changes.
    pub fn rewrite(&self, s: &str) -> Option<String> {
        if self.exact.is_empty() {
            return None;
        }
        let b = s.as_bytes();
        let mut out = String::new();
        let mut last = 0;
        let mut i = 0;
        while i < b.len() {
            if !is_name_char(b[i]) || (i > 0 && is_host_char(b[i - 1])) {
                i += 1;
                continue;
            }
            let start = i;
            while i < b.len() && is_name_char(b[i]) {
                i += 1;
            }
            let token = &s[start..i];
            let to = if s[..start].ends_with("/modules/") {
                self.exact.get(token)
            } else if i == b.len() || matches!(b[i], b':' | b'/' | b';' | b',' | b'"' | b'\'' | b' ') {
                self.exact.get(token).or_else(|| self.lower.get(&token.to_ascii_lowercase()))
            } else {
                None
            };
            if let Some(to) = to {
                out.push_str(&s[last..start]);
                out.push_str(to);
                last = i;
            }
        }
        if last == 0 {
            return None;
        }
        out.push_str(&s[last..]);
        Some(out)
    }
}

fn is_name_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_')
}

fn is_host_char(b: u8) -> bool {
    is_name_char(b) || matches!(b, b'.' | b'$' | b'{')
}

/// Writes a module's new createOptions back in the form it had.
fn write_create_options(doc: &mut Value, module: &manifest::Module, value: Value, warnings: &mut Vec<String>) {
    let settings_ptr = format!("{}/settings", module.pointer);
    if pointer::get(doc, &settings_ptr).is_none() {
        let _ = pointer::set(doc, &settings_ptr, Value::Object(Map::new()));
    }
    let Some(Value::Object(settings)) = pointer::get_mut(doc, &settings_ptr) else {
        warnings.push(format!("module `{}`: settings is not an object; createOptions not written", module.name));
        return;
    };
    if module.create_options.form == CreateOptionsForm::Object {
        settings.insert("createOptions".to_owned(), value);
        return;
    }
    let text = serde_json::to_string(&value).expect("a Value serialises");
    let chunks = manifest::chunk(&text);
    if chunks.len() > MAX_CHUNKS {
        warnings.push(format!(
            "module `{}`: createOptions needs {} chunks of {ENCODE_CHUNK_CHARS} characters, more than the {MAX_CHUNKS} IoT Edge tooling accepts by default",
            module.name,
            chunks.len()
        ));
    }
    let is_chunk = |k: &str| k.strip_prefix("createOptions").is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit()));
    let old = std::mem::take(settings);
    let mut written = false;
    let write = |settings: &mut Map<String, Value>| {
        for (n, c) in chunks.iter().enumerate() {
            let key = if n == 0 { "createOptions".to_owned() } else { format!("createOptions{n:02}") };
            settings.insert(key, Value::String((*c).to_owned()));
        }
    };
    for (k, v) in old {
        if is_chunk(&k) {
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renames_hosts_and_routes_only() {
        let r = Renames::new(&[("My_Mod".to_owned(), "my-mod".to_owned())], ["other"]);
        assert_eq!(
            r.rewrite("FROM /messages/modules/My_Mod/outputs/* INTO $upstream").as_deref(),
            Some("FROM /messages/modules/my-mod/outputs/* INTO $upstream")
        );
        assert_eq!(r.rewrite("http://my_mod:8080/score").as_deref(), Some("http://my-mod:8080/score"));
        assert_eq!(r.rewrite("URL=my_mod:80").as_deref(), Some("URL=my-mod:80"));
        assert_eq!(r.rewrite("my_modx:80 and amy_mod:1 a.my_mod:2"), None);
        assert_eq!(r.rewrite("/modules/my_mod/inputs/x"), None, "routes are case-sensitive");
        let ambiguous = Renames::new(&[("Camera".to_owned(), "camera-2".to_owned())], ["camera"]);
        assert_eq!(ambiguous.rewrite("http://camera:8080"), None, "`camera` is the module that keeps its name");
        assert_eq!(ambiguous.rewrite("http://Camera:8080").as_deref(), Some("http://camera-2:8080"));
    }

    #[test]
    fn paths_sort_numerically() {
        assert_eq!(cmp_paths("/a/10", "/a/9"), Ordering::Greater);
        assert_eq!(cmp_paths("/a/b", "/a/b/0"), Ordering::Less);
    }
}
