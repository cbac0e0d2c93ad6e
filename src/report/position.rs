//! Where a finding is in the file as written: line and column ranges for terminals, editors, SARIF
//! and GitHub annotations, computed from the source map's spans (never by searching the text).
//!
//! - A place in the document: its value (a module's `env` entry, a route…).
//! - A module as a whole: the module's key. The deployment as a whole: the `$edgeAgent` key.
//! - A place in a createOptions *object* (templates): the exact value.
//! - A place in a createOptions *string*: the string literal of the chunk that holds it (the
//!   finding's message can then quote the offending fragment, which [`Position::fragment`] holds).

use crate::manifest::location::Location;
use crate::manifest::source::{CreateOptionsIndex, Mapping, Region, SourceError, SourceMap};
use crate::manifest::{Manifest, Pointer};
use crate::rules::Finding;
use std::collections::HashMap;

/// A finding's place in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position {
    pub region: Region,
    /// Inside a createOptions string: the decoded text of the offending value (shortened).
    pub fragment: Option<String>,
    /// The region is the place itself, not an ancestor or the whole createOptions string.
    pub exact: bool,
}

/// Places findings of one manifest in its text.
pub struct Locator<'a> {
    source: SourceMap,
    manifest: &'a Manifest,
}

impl<'a> Locator<'a> {
    /// `text` is the file exactly as read (a BOM included).
    pub fn new(text: &str, manifest: &'a Manifest) -> Result<Locator<'a>, SourceError> {
        Ok(Locator { source: SourceMap::new(text)?, manifest })
    }

    /// The position of every finding, in order. Each module's createOptions is decoded once.
    pub fn positions(&self, findings: &[Finding]) -> Vec<Position> {
        let mut indexes: HashMap<&Pointer, Option<CreateOptionsIndex<'_>>> = HashMap::new();
        findings
            .iter()
            .map(|f| match &f.location {
                Location::CreateOptions { module, at } => {
                    let index = indexes
                        .entry(module)
                        .or_insert_with(|| self.source.create_options(module.child("settings").as_str()));
                    index
                        .as_ref()
                        .and_then(|i| i.region(at.as_str()))
                        .map(|r| Position {
                            region: r.region,
                            // Quoted only when it is the place itself, not a (missing) place's ancestor.
                            fragment: r.fragment.filter(|_| r.mapping == Mapping::ChunkLiteral { ancestor: false }),
                            exact: r.mapping == Mapping::Exact,
                        })
                        .unwrap_or_else(|| self.document(module))
                }
                Location::Document(p) => self.document(p),
            })
            .collect()
    }

    /// A place in the document: a module or `$edgeAgent` by its key, anything else by its value,
    /// else its nearest existing ancestor, else the `$edgeAgent` key, else the file's start.
    fn document(&self, at: &Pointer) -> Position {
        let m = self.manifest;
        let by_key = at.is_root() || *at == m.root || *at == m.edge_agent_at() || m.modules.iter().any(|x| x.at == *at);
        let at = if at.is_root() || *at == m.root { m.edge_agent_at() } else { at.clone() };
        if by_key && let Some(region) = self.source.key_region(at.as_str()) {
            return Position { region, fragment: None, exact: true };
        }
        if let Some((region, found)) = self.source.value_region_or_ancestor(at.as_str()) {
            return Position { region, fragment: None, exact: found == at.as_str() };
        }
        let region = self.source.key_region(m.edge_agent_at().as_str()).unwrap_or(Region {
            start_line: 1,
            start_column: 1,
            end_line: 1,
            end_column: 1,
        });
        Position { region, fragment: None, exact: false }
    }
}
