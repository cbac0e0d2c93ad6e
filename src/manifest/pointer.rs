//! JSON Pointer (RFC 6901) paths, the one way findings and edits name a place in a manifest.
//!
//! [`Pointer`] is built token by token (escaping done once, here), so no caller ever splits or
//! concatenates pointer text. The functions below read and edit a `Value` at a pointer; serde_json
//! reads pointers, these add creating along the way and editing in place.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::fmt;

/// A JSON pointer, kept in its escaped RFC 6901 form so look-ups need no allocation. Only built
/// through its methods: tokens are escaped on the way in and unescaped on the way out.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Pointer(String);

/// Text that is not a JSON pointer (it must be empty or start with `/`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a JSON pointer (it must be empty or start with `/`)")]
pub struct NotAPointer(pub String);

impl Pointer {
    /// The whole document (the empty pointer).
    pub fn root() -> Pointer {
        Pointer(String::new())
    }

    /// Reads escaped pointer text (`/a/nvidia.com~1gpu`).
    pub fn parse(text: &str) -> Result<Pointer, NotAPointer> {
        if text.is_empty() || text.starts_with('/') {
            Ok(Pointer(text.to_owned()))
        } else {
            Err(NotAPointer(text.to_owned()))
        }
    }

    /// A pointer from unescaped tokens.
    pub fn from_tokens<'a>(tokens: impl IntoIterator<Item = &'a str>) -> Pointer {
        tokens.into_iter().fold(Pointer::root(), |p, t| p.child(t))
    }

    /// This pointer and one more (unescaped) token.
    pub fn child(&self, token: &str) -> Pointer {
        Pointer(join(&self.0, token))
    }

    /// This pointer and an array index.
    pub fn index(&self, i: usize) -> Pointer {
        Pointer(format!("{}/{i}", self.0))
    }

    /// This pointer followed by a relative one (`/a` + `/b/c` = `/a/b/c`).
    pub fn join(&self, rest: &Pointer) -> Pointer {
        Pointer(format!("{}{}", self.0, rest.0))
    }

    /// The escaped text, for look-ups and messages.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    /// The parent pointer and the last (unescaped) token; `None` for the root.
    pub fn split_last(&self) -> Option<(Pointer, String)> {
        split_last(&self.0).map(|(p, t)| (Pointer(p.to_owned()), t))
    }

    /// The last (unescaped) token.
    pub fn last(&self) -> Option<Cow<'_, str>> {
        let i = self.0.rfind('/')?;
        Some(unescape(&self.0[i + 1..]))
    }

    /// The unescaped tokens.
    pub fn tokens(&self) -> impl Iterator<Item = Cow<'_, str>> {
        self.0.split('/').skip(1).map(unescape)
    }

    /// How many tokens deep it is.
    pub fn depth(&self) -> usize {
        self.0.matches('/').count()
    }

    /// The rest of this pointer below `prefix`, when `prefix` is one of its ancestors (or itself).
    pub fn strip_prefix(&self, prefix: &Pointer) -> Option<Pointer> {
        let rest = self.0.strip_prefix(&prefix.0)?;
        (rest.is_empty() || rest.starts_with('/')).then(|| Pointer(rest.to_owned()))
    }

    /// `prefix` is this pointer or one of its ancestors (token-wise, not text-wise).
    pub fn starts_with(&self, prefix: &Pointer) -> bool {
        self.0.strip_prefix(&prefix.0).is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    }
}

impl fmt::Display for Pointer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Pointer {
    type Error = NotAPointer;
    fn try_from(s: String) -> Result<Pointer, NotAPointer> {
        if s.is_empty() || s.starts_with('/') { Ok(Pointer(s)) } else { Err(NotAPointer(s)) }
    }
}

impl From<Pointer> for String {
    fn from(p: Pointer) -> String {
        p.0
    }
}

impl AsRef<str> for Pointer {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// Appends one reference token, escaped, to a pointer.
pub fn join(base: &str, token: &str) -> String {
    let mut s = String::with_capacity(base.len() + token.len() + 1);
    s.push_str(base);
    s.push('/');
    for c in token.chars() {
        match c {
            '~' => s.push_str("~0"),
            '/' => s.push_str("~1"),
            c => s.push(c),
        }
    }
    s
}

/// Builds a pointer from tokens.
pub fn from_tokens<'a>(base: &str, tokens: impl IntoIterator<Item = &'a str>) -> String {
    tokens.into_iter().fold(base.to_owned(), |p, t| join(&p, t))
}

/// The unescaped reference tokens of a pointer.
pub fn tokens(pointer: &str) -> Vec<String> {
    if pointer.is_empty() {
        return Vec::new();
    }
    pointer.strip_prefix('/').unwrap_or(pointer).split('/').map(|t| unescape(t).into_owned()).collect()
}

/// A reference token without its escapes; borrowed when it has none (nearly always).
pub fn unescape(token: &str) -> Cow<'_, str> {
    if token.contains('~') { Cow::Owned(token.replace("~1", "/").replace("~0", "~")) } else { Cow::Borrowed(token) }
}

/// Splits a pointer into its parent and last (unescaped) token.
pub fn split_last(pointer: &str) -> Option<(&str, String)> {
    let i = pointer.rfind('/')?;
    Some((&pointer[..i], unescape(&pointer[i + 1..]).into_owned()))
}

/// The value at `pointer` (RFC 6901), like `Value::pointer` but without allocating for tokens
/// that have no escapes (serde_json allocates two strings per token).
pub fn get<'v>(root: &'v Value, pointer: &str) -> Option<&'v Value> {
    if pointer.is_empty() {
        return Some(root);
    }
    pointer.strip_prefix('/')?.split('/').try_fold(root, |cur, t| match cur {
        Value::Object(m) => m.get(unescape(t).as_ref()),
        Value::Array(a) => parse_index(t).and_then(|i| a.get(i)),
        _ => None,
    })
}

/// The value at `pointer`, mutably; see [`get`].
pub fn get_mut<'v>(root: &'v mut Value, pointer: &str) -> Option<&'v mut Value> {
    if pointer.is_empty() {
        return Some(root);
    }
    pointer.strip_prefix('/')?.split('/').try_fold(root, |cur, t| match cur {
        Value::Object(m) => m.get_mut(unescape(t).as_ref()),
        Value::Array(a) => parse_index(t).and_then(move |i| a.get_mut(i)),
        _ => None,
    })
}

/// An array index as RFC 6901 writes it: digits, no leading zero.
fn parse_index(t: &str) -> Option<usize> {
    if t.starts_with('+') || (t.starts_with('0') && t.len() > 1) {
        return None;
    }
    t.parse().ok()
}

/// Why an edit could not be applied at a path.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PathError {
    #[error("{0}: no such value")]
    Missing(String),
    #[error("{0}: not an object or array")]
    NotContainer(String),
    #[error("{0}: array index out of range")]
    Index(String),
    #[error("{0}: already exists with a different kind of value")]
    Clash(String),
}

/// Sets the value at `pointer`, creating missing objects on the way (arrays are never created
/// implicitly: an index into a missing array is an error).
pub fn set(root: &mut Value, pointer: &str, value: Value) -> Result<(), PathError> {
    let toks = tokens(pointer);
    let Some((last, parents)) = toks.split_last() else {
        *root = value;
        return Ok(());
    };
    let mut cur = root;
    for t in parents {
        cur = match cur {
            Value::Object(m) => m.entry(t.clone()).or_insert_with(|| Value::Object(Map::new())),
            Value::Array(a) => {
                let i = index(t, a.len(), pointer)?;
                &mut a[i]
            }
            Value::Null => {
                *cur = Value::Object(Map::new());
                cur.as_object_mut().expect("just set").entry(t.clone()).or_insert_with(|| Value::Object(Map::new()))
            }
            _ => return Err(PathError::NotContainer(pointer.to_owned())),
        };
    }
    match cur {
        Value::Object(m) => {
            m.insert(last.clone(), value);
            Ok(())
        }
        Value::Array(a) => {
            if last == "-" {
                a.push(value);
            } else {
                let i = index(last, a.len(), pointer)?;
                a[i] = value;
            }
            Ok(())
        }
        Value::Null => {
            let mut m = Map::new();
            m.insert(last.clone(), value);
            *cur = Value::Object(m);
            Ok(())
        }
        _ => Err(PathError::NotContainer(pointer.to_owned())),
    }
}

/// Appends to the array at `pointer`, creating it (and missing parents) when absent.
pub fn append(root: &mut Value, pointer: &str, value: Value) -> Result<(), PathError> {
    match get_mut(root, pointer) {
        Some(Value::Array(a)) => {
            a.push(value);
            Ok(())
        }
        Some(Value::Null) | None => set(root, pointer, Value::Array(vec![value])),
        Some(_) => Err(PathError::NotContainer(pointer.to_owned())),
    }
}

/// Removes the value at `pointer` and returns it. Object keys keep the order of their siblings.
pub fn remove(root: &mut Value, pointer: &str) -> Result<Value, PathError> {
    let (parent, last) = split_last(pointer).ok_or_else(|| PathError::Missing(pointer.to_owned()))?;
    match get_mut(root, parent) {
        Some(Value::Object(m)) => m.shift_remove(&last).ok_or_else(|| PathError::Missing(pointer.to_owned())),
        Some(Value::Array(a)) => {
            let i = index(&last, a.len(), pointer)?;
            Ok(a.remove(i))
        }
        Some(_) => Err(PathError::NotContainer(pointer.to_owned())),
        None => Err(PathError::Missing(pointer.to_owned())),
    }
}

/// Renames the object key at `pointer` to `to`, keeping its position among its siblings. When
/// `to` already exists (another fix created it in the same migration) and both are objects, the
/// renamed object is merged into it, the existing values winning; any other clash is an error.
pub fn rename_key(root: &mut Value, pointer: &str, to: &str) -> Result<(), PathError> {
    let (parent, last) = split_last(pointer).ok_or_else(|| PathError::Missing(pointer.to_owned()))?;
    let Some(Value::Object(m)) = get_mut(root, parent) else {
        return Err(PathError::NotContainer(pointer.to_owned()));
    };
    if !m.contains_key(&last) {
        return Err(PathError::Missing(pointer.to_owned()));
    }
    if last == to {
        return Ok(());
    }
    if let Some(existing) = m.get(to) {
        if !(existing.is_object() && m[&last].is_object()) {
            return Err(PathError::Clash(join(parent, to)));
        }
        let moved = m.shift_remove(&last).expect("checked above");
        merge_missing(m.get_mut(to).expect("checked above"), moved);
        return Ok(());
    }
    let old = std::mem::take(m);
    for (k, v) in old {
        if k == last {
            m.insert(to.to_owned(), v);
        } else {
            m.insert(k, v);
        }
    }
    Ok(())
}

/// Adds what `from` has and `into` lacks, recursively through objects.
fn merge_missing(into: &mut Value, from: Value) {
    if let (Value::Object(a), Value::Object(b)) = (into, from) {
        for (k, v) in b {
            match a.get_mut(&k) {
                Some(existing) => merge_missing(existing, v),
                None => {
                    a.insert(k, v);
                }
            }
        }
    }
}

/// Renames several keys of the object at `parent` in one pass (`keys`: old → new), keeping their
/// positions. Nothing is renamed when a key is missing or a new name is already taken.
pub fn rename_keys(
    root: &mut Value,
    parent: &str,
    keys: &std::collections::HashMap<String, String>,
) -> Result<(), PathError> {
    let Some(Value::Object(m)) = get_mut(root, parent) else {
        return Err(PathError::NotContainer(parent.to_owned()));
    };
    if let Some(missing) = keys.keys().find(|k| !m.contains_key(k.as_str())) {
        return Err(PathError::Missing(join(parent, missing)));
    }
    if let Some((_, taken)) =
        keys.iter().find(|(from, to)| from != to && m.contains_key(to.as_str()) && !keys.contains_key(to.as_str()))
    {
        return Err(PathError::Clash(join(parent, taken)));
    }
    let old = std::mem::take(m);
    for (k, v) in old {
        let key = keys.get(&k).cloned().unwrap_or(k);
        m.insert(key, v);
    }
    Ok(())
}

fn index(token: &str, len: usize, pointer: &str) -> Result<usize, PathError> {
    match token.parse::<usize>() {
        Ok(i) if i < len => Ok(i),
        _ => Err(PathError::Index(pointer.to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn pointers_build_token_by_token() {
        let p = Pointer::root().child("HostConfig").child("Binds").index(3);
        assert_eq!(p.as_str(), "/HostConfig/Binds/3");
        let gpu = Pointer::from_tokens(["limits", "nvidia.com/gpu"]);
        assert_eq!(gpu.as_str(), "/limits/nvidia.com~1gpu");
        assert_eq!(gpu.last().as_deref(), Some("nvidia.com/gpu"));
        assert_eq!(gpu.tokens().collect::<Vec<_>>(), ["limits", "nvidia.com/gpu"]);
        let module = Pointer::parse("/modulesContent/$edgeAgent").unwrap();
        let full = module.join(&p);
        assert!(full.starts_with(&module));
        assert!(!Pointer::parse("/modulesContent/$edge").unwrap().starts_with(&module));
        assert!(!module.starts_with(&Pointer::parse("/modulesContent/$edge").unwrap()), "token-wise, not text-wise");
        assert_eq!(full.strip_prefix(&module), Some(p.clone()));
        assert_eq!(p.split_last(), Some((Pointer::parse("/HostConfig/Binds").unwrap(), "3".to_owned())));
        assert!(Pointer::parse("HostConfig").is_err());
        let json: Pointer = serde_json::from_str("\"/a/b\"").unwrap();
        assert_eq!(serde_json::to_string(&json).unwrap(), "\"/a/b\"");
        assert!(serde_json::from_str::<Pointer>("\"a\"").is_err());
    }

    #[test]
    fn escaping_round_trips() {
        let p = join("/a", "nvidia.com/gpu");
        assert_eq!(p, "/a/nvidia.com~1gpu");
        assert_eq!(tokens(&p), ["a", "nvidia.com/gpu"]);
        assert_eq!(split_last("/x/~0y"), Some(("/x", "~y".to_owned())));
    }

    #[test]
    fn set_creates_objects_and_keeps_order() {
        let mut v = json!({"b": 1, "a": {"x": 1}});
        set(&mut v, "/a/k8s-experimental/resources/limits/nvidia.com~1gpu", json!(1)).unwrap();
        assert_eq!(v["a"]["k8s-experimental"]["resources"]["limits"]["nvidia.com/gpu"], json!(1));
        assert_eq!(v.as_object().unwrap().keys().collect::<Vec<_>>(), ["b", "a"]);
        assert!(set(&mut v, "/b/c", json!(1)).is_err());
    }

    #[test]
    fn remove_and_rename() {
        let mut v = json!({"a": 1, "EntryPoint": ["x"], "c": [1, 2, 3]});
        rename_key(&mut v, "/EntryPoint", "Entrypoint").unwrap();
        assert_eq!(v.as_object().unwrap().keys().collect::<Vec<_>>(), ["a", "Entrypoint", "c"]);
        assert_eq!(remove(&mut v, "/c/1").unwrap(), json!(2));
        assert_eq!(v["c"], json!([1, 3]));
        assert!(remove(&mut v, "/nope").is_err());
        append(&mut v, "/d/e", json!(1)).unwrap();
        let mut k = json!({"k8s_experimental": {"strategy": {"type": "Recreate"}, "resources": {"limits": {"cpu": "1"}}},
                           "k8s-experimental": {"resources": {"limits": {"memory": "1Gi"}}}});
        rename_key(&mut k, "/k8s_experimental", "k8s-experimental").unwrap();
        assert_eq!(
            k,
            json!({"k8s-experimental": {"resources": {"limits": {"memory": "1Gi", "cpu": "1"}}, "strategy": {"type": "Recreate"}}})
        );
        assert!(rename_key(&mut json!({"a": 1, "b": 2}), "/a", "b").is_err(), "no silent overwrite");
        let mut many = json!({"m": {"A": 1, "x": 2, "B": 3}});
        let keys = [("A".to_owned(), "a".to_owned()), ("B".to_owned(), "b".to_owned())].into_iter().collect();
        rename_keys(&mut many, "/m", &keys).unwrap();
        assert_eq!(many["m"].as_object().unwrap().keys().collect::<Vec<_>>(), ["a", "x", "b"]);
        let clash = [("a".to_owned(), "x".to_owned())].into_iter().collect();
        assert!(rename_keys(&mut many, "/m", &clash).is_err(), "no silent overwrite");
        assert_eq!(v["d"]["e"], json!([1]));
    }
}
