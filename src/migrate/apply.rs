//! Applying resolved changes to a copy of the document: edits of a module's createOptions are
//! made on its decoded object and written back in the module's own form; edits of the document
//! in place; renames move keys and rewrite references last.

use super::rename::Renames;
use super::resolve::Resolved;
use crate::manifest::{self, Location, Manifest, Pointer, pointer};
use crate::rules::{Edit, FindingKey};
use serde_json::Value;
use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap, HashSet};

/// The changed document and what happened on the way.
pub(super) struct Applied {
    pub doc: Value,
    /// Changes that could not be made, per finding, with why.
    pub failed: Vec<(FindingKey, String)>,
    pub warnings: Vec<String>,
    /// Modules renamed: (old name, new name).
    pub renamed: Vec<(String, String)>,
}

/// One operation: an edit, or a rewrite of references to renamed modules that a rename expands into.
#[derive(Debug, Clone)]
enum Op {
    Edit(Edit),
    /// Rewrite references to renamed modules (as hosts, or in routes) in the string at `at`.
    ReplaceNames(Pointer),
}

impl Op {
    fn at(&self) -> &Pointer {
        match self {
            Op::Edit(e) => pointer_of(e.at()),
            Op::ReplaceNames(p) => p,
        }
    }

    fn rank(&self) -> u8 {
        match self {
            Op::Edit(Edit::Remove { .. }) => 2,
            Op::ReplaceNames(_) => 1,
            _ => 0,
        }
    }
}

/// The pointer an edit works on within its own root (the document, or the decoded createOptions).
fn pointer_of(at: &Location) -> &Pointer {
    match at {
        Location::Document(p) => p,
        Location::CreateOptions { at, .. } => at,
    }
}

/// Applies the changes of accepted findings to a copy of the document.
pub(super) fn apply(manifest: &Manifest, accepted: Vec<(FindingKey, Resolved)>) -> Applied {
    let mut doc = manifest.doc.clone();
    let mut warnings = Vec::new();
    let mut failed = Vec::new();
    let by_name: HashMap<&str, usize> =
        manifest.modules.iter().enumerate().map(|(i, m)| (m.name.as_str(), i)).collect();
    let by_at: HashMap<&Pointer, usize> = manifest.modules.iter().enumerate().map(|(i, m)| (&m.at, i)).collect();
    let mut co_ops: BTreeMap<usize, Vec<Op>> = BTreeMap::new();
    let mut doc_ops: Vec<Op> = Vec::new();
    let mut renames = Vec::new();

    'findings: for (key, resolved) in accepted {
        let mut routed = Vec::with_capacity(resolved.edits.len());
        for e in resolved.edits {
            match e.at() {
                Location::CreateOptions { module, .. } => {
                    let Some(&i) = by_at.get(module) else {
                        failed.push((key, format!("no module at {module}")));
                        continue 'findings;
                    };
                    if manifest.modules[i].create_options.value.is_none() {
                        failed.push((
                            key,
                            "its createOptions could not be read, so the module is left untouched".to_owned(),
                        ));
                        continue 'findings;
                    }
                    routed.push((Some(i), Op::Edit(e)));
                }
                Location::Document(_) => routed.push((None, Op::Edit(e))),
            }
        }
        for (i, op) in routed {
            match i {
                Some(i) => co_ops.entry(i).or_default().push(op),
                None => doc_ops.push(op),
            }
        }
        renames.extend(resolved.rename.map(|r| (r.module, r.to)));
    }

    // Renames rewrite every reference to the modules (one pass over routes and env values for all
    // of them) before their keys move.
    let mut key_renames: Vec<(Pointer, String)> = Vec::new();
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
        let (parent, last) = module.at.split_last().expect("module pointers have a parent");
        // Layered deployments key a module as `properties.desired.modules.<name>`.
        let new_key = last.strip_suffix(from.as_str()).map(|p| format!("{p}{to}")).unwrap_or_else(|| to.clone());
        key_renames.push((parent.child(&last), new_key));
        if let Some(twin) = manifest.twin_at(from) {
            key_renames.push((twin, to.clone()));
        }
        renamed.push((from.clone(), to.clone()));
    }
    let moving: HashSet<&str> = renamed.iter().map(|(f, _)| f.as_str()).collect();
    let keeping = manifest.modules.iter().map(|m| m.name.as_str()).filter(|n| !moving.contains(n));
    let names = Renames::new(&renamed, keeping);
    if !renamed.is_empty() {
        for r in manifest.routes() {
            doc_ops.push(Op::ReplaceNames(r.at));
        }
        for (i, m) in manifest.modules.iter().enumerate() {
            for v in m.env.iter().filter(|v| v.object && v.value.is_some()) {
                doc_ops.push(Op::ReplaceNames(v.at.child("value")));
            }
            if m.create_options.value.is_some() {
                for e in m.env_entries().iter().filter(|e| e.text.is_some()) {
                    co_ops.entry(i).or_default().push(Op::ReplaceNames(e.at.clone()));
                }
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
            let settings = module.at.child("settings");
            if let Some(w) =
                manifest::encode::write_create_options(&mut doc, &settings, &module.create_options.form, work)
            {
                warnings.push(format!("module `{}`: {w}", module.name));
            }
        }
    }
    warnings.extend(apply_ops(&mut doc, doc_ops, false, &names));
    // One rebuild of each parent map (modules, modulesContent) for all its renamed keys.
    let mut by_parent: BTreeMap<Pointer, HashMap<String, String>> = BTreeMap::new();
    for (at, to) in key_renames {
        if let Some((parent, last)) = at.split_last() {
            by_parent.entry(parent).or_default().insert(last, to);
        }
    }
    for (parent, keys) in by_parent {
        if let Err(e) = pointer::rename_keys(&mut doc, parent.as_str(), &keys) {
            warnings.push(format!("rename: {e}"));
        }
    }
    Applied { doc, failed, warnings, renamed }
}

/// Applies ops: writes first, then name rewrites, then removals from the highest array index down
/// (so earlier indexes stay valid). With `prune`, containers emptied by a removal go too.
fn apply_ops(root: &mut Value, mut ops: Vec<Op>, prune: bool, names: &Renames) -> Vec<String> {
    ops.sort_by(|a, b| {
        a.rank().cmp(&b.rank()).then_with(|| if a.rank() == 2 { cmp_paths(b.at(), a.at()) } else { Ordering::Equal })
    });
    ops.dedup_by(|a, b| a.rank() == 2 && b.rank() == 2 && a.at() == b.at());
    // A removal inside another removal is done by it: made first, it would prune the emptied
    // parents away, and the outer removal would then find nothing to remove (one rule removes an
    // entry of `k8s-experimental`, another the whole section).
    let removed: Vec<Pointer> = ops.iter().filter(|op| op.rank() == 2).map(|op| op.at().clone()).collect();
    ops.retain(|op| op.rank() != 2 || !removed.iter().any(|r| r != op.at() && op.at().starts_with(r)));
    let mut problems = Vec::new();
    for op in ops {
        let result = match op {
            Op::Edit(Edit::Set { at, value }) => pointer::set(root, pointer_of(&at).as_str(), value),
            Op::Edit(Edit::Append { at, value }) => pointer::append(root, pointer_of(&at).as_str(), value),
            Op::Edit(Edit::RenameKey { at, to }) => pointer::rename_key(root, pointer_of(&at).as_str(), &to),
            Op::Edit(Edit::Remove { at }) => pointer::remove(root, pointer_of(&at).as_str()).map(|_| {
                if prune {
                    prune_empty(root, pointer_of(&at));
                }
            }),
            Op::ReplaceNames(at) => {
                if let Some(Value::String(s)) = pointer::get_mut(root, at.as_str())
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

/// Removes the containers a removal left empty, up to (not including) the root.
fn prune_empty(root: &mut Value, removed: &Pointer) {
    let mut at = removed.clone();
    while let Some((parent, _)) = at.split_last() {
        if parent.is_root() {
            break;
        }
        let empty = match pointer::get(root, parent.as_str()) {
            Some(Value::Array(a)) => a.is_empty(),
            Some(Value::Object(o)) => o.is_empty(),
            _ => false,
        };
        if !empty || pointer::remove(root, parent.as_str()).is_err() {
            break;
        }
        at = parent;
    }
}

/// Orders pointers token by token, numbers numerically.
fn cmp_paths(a: &Pointer, b: &Pointer) -> Ordering {
    let (mut ta, mut tb) = (a.tokens(), b.tokens());
    loop {
        let (x, y) = match (ta.next(), tb.next()) {
            (Some(x), Some(y)) => (x, y),
            (x, y) => return x.is_some().cmp(&y.is_some()),
        };
        let o = match (x.parse::<u64>(), y.parse::<u64>()) {
            (Ok(i), Ok(j)) => i.cmp(&j),
            _ => x.cmp(&y),
        };
        if o != Ordering::Equal {
            return o;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_removal_inside_another_is_left_to_it() {
        let p = |s| Pointer::parse(s).unwrap();
        let remove = |s| Op::Edit(Edit::Remove { at: Location::Document(p(s)) });
        let mut doc = serde_json::json!({"k8s-experimental": {"resources": {"limits": {"x": 1}}}, "HostConfig": {}});
        let problems = apply_ops(
            &mut doc,
            vec![remove("/k8s-experimental/resources/limits/x"), remove("/k8s-experimental")],
            true,
            &Renames::new(&[], std::iter::empty()),
        );
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(doc, serde_json::json!({"HostConfig": {}}));
    }

    #[test]
    fn paths_sort_numerically() {
        let p = |s| Pointer::parse(s).unwrap();
        assert_eq!(cmp_paths(&p("/a/10"), &p("/a/9")), Ordering::Greater);
        assert_eq!(cmp_paths(&p("/a/b"), &p("/a/b/0")), Ordering::Less);
    }
}
