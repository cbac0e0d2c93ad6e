//! The texts of a deployment where modules write addresses they dial (env values, command lines,
//! twin desired properties, routes), and `<module>:<port>` found in them. NET008 rewrites the ports
//! of such addresses, NET013 asks whether any reaches a module's host port, NET015 whether the
//! module's Service answers on the port at all, NET012 looks for Docker-only addresses in the same
//! texts.

use crate::manifest::placeholder::placeholder_ranges;
use crate::manifest::{Location, Module, Pointer};
use crate::rules::Context;
use crate::rules::shared::env::Place;
use serde_json::Value;
use std::collections::HashMap;

/// Where a text is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// The module's `env` section, variable `name`.
    Env { name: String },
    /// createOptions `Env`, variable `name` (the text is its value, after `NAME=`).
    CreateEnv { name: String },
    /// An argument of createOptions `Cmd` or `Entrypoint` (by its key as written).
    Command { key: String },
    /// A string in the module twin's desired properties.
    Twin,
    /// A route of `$edgeHub`.
    Route,
}

/// One text that may hold addresses.
#[derive(Debug, Clone)]
pub struct Text<'a> {
    /// The module whose setting it is; `None` for a route.
    pub owner: Option<&'a Module>,
    pub source: Source,
    /// Where a fix writes the new text.
    pub at: Location,
    pub text: String,
}

impl Text<'_> {
    /// What a fix writes at [`Text::at`] to give the text `new`.
    pub fn written(&self, new: &str) -> Value {
        match &self.source {
            Source::CreateEnv { name } => Value::String(format!("{name}={new}")),
            _ => Value::String(new.to_owned()),
        }
    }

    /// The setting, for messages: env `X`, `Env` `X`, `Cmd` argument, twin property, route.
    pub fn what(&self) -> String {
        match &self.source {
            Source::Env { name } => format!("env `{name}`"),
            Source::CreateEnv { name } => format!("`Env` `{name}`"),
            Source::Command { key } => format!("`{key}` argument"),
            Source::Twin => match &self.at {
                Location::Document(p) => format!("twin property `{}`", p.last().unwrap_or_default()),
                Location::CreateOptions { .. } => "twin property".to_owned(),
            },
            Source::Route => "route".to_owned(),
        }
    }

    /// The variable's name, for env texts.
    pub fn name(&self) -> Option<&str> {
        match &self.source {
            Source::Env { name } | Source::CreateEnv { name } => Some(name),
            _ => None,
        }
    }
}

/// Every env value of every module (its `env` section, then createOptions `Env`).
fn env_texts<'a>(ctx: &Context<'a>) -> Vec<Text<'a>> {
    let mut out = Vec::new();
    for m in &ctx.manifest.modules {
        for var in ctx.env(m) {
            // Numbers and booleans come as text too; they hold no address.
            let Some(text) = var.value.clone() else { continue };
            let source = match var.place {
                Place::Section => Source::Env { name: var.name.to_owned() },
                Place::Create { .. } => Source::CreateEnv { name: var.name.to_owned() },
            };
            out.push(Text { owner: Some(m), source, at: var.value_at.clone(), text });
        }
    }
    out
}

/// Every route of `$edgeHub`.
pub fn route_texts<'a>(ctx: &Context<'a>) -> Vec<Text<'a>> {
    ctx.manifest
        .routes()
        .into_iter()
        .map(|r| Text { owner: None, source: Source::Route, at: Location::Document(r.at), text: r.text })
        .collect()
}

/// Every string argument of a module's createOptions `Cmd` and `Entrypoint` (a list, or one
/// string).
pub fn command_texts(module: &Module) -> Vec<Text<'_>> {
    let Some(c) = module.container() else { return Vec::new() };
    let mut out = Vec::new();
    for f in [&c.entrypoint, &c.cmd].into_iter().flatten() {
        let source = Source::Command { key: f.key.clone() };
        let mut push = |at: Pointer, text: &str| {
            out.push(Text {
                owner: Some(module),
                source: source.clone(),
                at: module.create_options_at(at),
                text: text.to_owned(),
            })
        };
        match &f.value {
            Value::String(s) => push(f.at.clone(), s),
            Value::Array(a) => {
                for (i, v) in a.iter().enumerate() {
                    if let Some(s) = v.as_str() {
                        push(f.at.index(i), s);
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// Every string below the module twin's desired properties (`modulesContent.<name>`).
pub fn twin_texts<'a>(ctx: &Context<'a>, module: &'a Module) -> Vec<Text<'a>> {
    let mut out = Vec::new();
    let Some(at) = ctx.manifest.twin_at(&module.name) else { return out };
    let Some(twin) = ctx.manifest.get(&at) else { return out };
    let mut stack = vec![(at, twin)];
    while let Some((p, v)) = stack.pop() {
        match v {
            Value::String(s) => {
                out.push(Text { owner: Some(module), source: Source::Twin, at: Location::Document(p), text: s.clone() })
            }
            Value::Array(a) => stack.extend(a.iter().enumerate().rev().map(|(i, x)| (p.index(i), x))),
            Value::Object(o) => stack.extend(o.iter().rev().map(|(k, x)| (p.child(k), x))),
            _ => {}
        }
    }
    out
}

/// `<module>:<port>` in a text, where `<module>` names a module of the deployment (any case, as
/// a whole word: the Service name is the lower-cased module name and DNS ignores case).
#[derive(Debug, Clone)]
pub struct ModuleAddress<'a> {
    /// Byte range of `<host>:<port>` in the text.
    pub start: usize,
    pub end: usize,
    /// The host as written.
    pub host: String,
    pub target: &'a Module,
    pub port: u16,
}

/// A byte of a host name (letters, digits, `-`, `_`, `.`).
pub fn is_host_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.')
}

/// Runs of digits and dots that start a token (`172.17.0.2` in `http://172.17.0.2:80`, not the
/// `2.1` of `v2.1`): each as its byte range, for the address readers to parse.
pub fn dotted_numbers(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let bytes = text.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < bytes.len() {
            let starts = bytes[i].is_ascii_digit()
                && (i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'.'));
            if !starts {
                i += 1;
                continue;
            }
            let len = bytes[i..].iter().take_while(|b| b.is_ascii_digit() || **b == b'.').count();
            let start = i;
            i += len;
            return Some((start, i));
        }
        None
    })
}

/// Every `<module>:<port>` in `text`, outside placeholders.
pub fn module_addresses<'a>(ctx: &Context<'a>, text: &str) -> Vec<ModuleAddress<'a>> {
    let bytes = text.as_bytes();
    let held = placeholder_ranges(text);
    let mut out: Vec<ModuleAddress<'a>> = Vec::new();
    for (colon, _) in text.match_indices(':') {
        let mut start = colon;
        while start > 0 && is_host_byte(bytes[start - 1]) {
            start -= 1;
        }
        let mut end = colon + 1;
        while end < bytes.len() && bytes[end].is_ascii_digit() {
            end += 1;
        }
        if start == colon || end == colon + 1 || end - colon > 6 {
            continue;
        }
        if end < bytes.len() && (bytes[end].is_ascii_alphanumeric() || bytes[end] == b'_') {
            continue;
        }
        if start > 0 && matches!(bytes[start - 1], b'$' | b'{' | b'<' | b'#' | b'%') {
            continue;
        }
        if held.iter().any(|&(s, e)| s < end && start < e) || out.last().is_some_and(|h| start < h.end) {
            continue;
        }
        let host = &text[start..colon];
        let Some(target) = ctx.module_by_service(host) else { continue };
        let Some(port) = crate::manifest::model::parse_port(&text[colon + 1..end]) else { continue };
        out.push(ModuleAddress { start, end, host: host.to_owned(), target, port });
    }
    out
}

/// The module addresses of a deployment's env values, command lines, twin desired properties and
/// routes, scanned once per analysis.
pub struct Addresses<'a> {
    pub texts: Vec<Text<'a>>,
    /// The `<module>:<port>` of each text, by the text's index.
    pub found: Vec<Vec<ModuleAddress<'a>>>,
    /// (target module index, port) → the texts that reach it.
    by_target: HashMap<(usize, u16), Vec<usize>>,
}

impl<'a> Addresses<'a> {
    pub fn of(ctx: &Context<'a>) -> Addresses<'a> {
        let mut texts: Vec<Text<'a>> = env_texts(ctx);
        for m in &ctx.manifest.modules {
            texts.extend(command_texts(m));
            texts.extend(twin_texts(ctx, m));
        }
        texts.extend(route_texts(ctx));
        let found: Vec<Vec<ModuleAddress<'a>>> = texts.iter().map(|t| module_addresses(ctx, &t.text)).collect();
        let mut by_target: HashMap<(usize, u16), Vec<usize>> = HashMap::new();
        for (i, list) in found.iter().enumerate() {
            for a in list {
                if let Some(m) = ctx.index_of(&a.target.name) {
                    let texts = by_target.entry((m, a.port)).or_default();
                    if texts.last() != Some(&i) {
                        texts.push(i);
                    }
                }
            }
        }
        Addresses { texts, found, by_target }
    }

    /// The texts modules hold (env values, command arguments, twin strings), in that order,
    /// without the routes.
    pub fn module_texts(&self) -> impl Iterator<Item = &Text<'a>> {
        self.texts.iter().filter(|t| t.source != Source::Route)
    }

    /// The texts that reach `target:<port>`.
    pub fn reaching(&self, ctx: &Context<'_>, target: &Module, port: u16) -> impl Iterator<Item = &Text<'a>> {
        let list = ctx.index_of(&target.name).and_then(|m| self.by_target.get(&(m, port)));
        list.into_iter().flatten().map(|&i| &self.texts[i])
    }
}
