//! What rules need to know about the whole manifest, computed once per analysis so that
//! cross-module look-ups (names, services) cost a hash look-up, not a scan.

use crate::device::DeviceProfile;
use crate::manifest::{Manifest, Module};
use crate::rules::network::addresses::Addresses;
use crate::rules::shared::env::{self, Var};
use std::cell::OnceCell;
use std::collections::HashMap;

/// The manifest being analysed, the device it goes to, and indexes over its modules.
pub struct Context<'a> {
    pub manifest: &'a Manifest,
    pub device: &'a DeviceProfile,
    by_name: HashMap<&'a str, usize>,
    /// Lower-cased module name (the Kubernetes Service name) → module index.
    by_service: HashMap<String, usize>,
    /// Each module's environment, read on first use: a score of rules ask for it.
    env: Vec<OnceCell<Vec<Var<'a>>>>,
    /// Where modules are reached by name, read on first use: three network rules ask.
    addresses: OnceCell<Addresses<'a>>,
}

impl<'a> Context<'a> {
    pub fn new(manifest: &'a Manifest, device: &'a DeviceProfile) -> Context<'a> {
        let mut by_name = HashMap::with_capacity(manifest.modules.len());
        let mut by_service = HashMap::with_capacity(manifest.modules.len());
        for (i, m) in manifest.modules.iter().enumerate() {
            by_name.insert(m.name.as_str(), i);
            by_service.entry(m.name.to_ascii_lowercase()).or_insert(i);
        }
        let env = manifest.modules.iter().map(|_| OnceCell::new()).collect();
        Context { manifest, device, by_name, by_service, env, addresses: OnceCell::new() }
    }

    /// The module's environment as the agent builds it ([`env::vars`]), read once per analysis.
    /// `module` is one of this manifest's modules (the rules get theirs from it); any other has
    /// no environment here.
    pub fn env(&self, module: &Module) -> &[Var<'a>] {
        let modules = &self.manifest.modules;
        let i = self
            .index_of(&module.name)
            .filter(|&i| std::ptr::eq(&modules[i], module))
            .or_else(|| modules.iter().position(|m| std::ptr::eq(m, module)));
        match i {
            Some(i) => self.env[i].get_or_init(|| env::vars(&modules[i])),
            None => &[],
        }
    }

    /// Every text that reaches a module by name, and which module and port it reaches.
    pub fn addresses(&self) -> &Addresses<'a> {
        self.addresses.get_or_init(|| Addresses::of(self))
    }

    /// The module with exactly this name.
    pub fn module(&self, name: &str) -> Option<&'a Module> {
        self.by_name.get(name).map(|&i| &self.manifest.modules[i])
    }

    /// The module whose Service (lower-cased name) is `host`, compared case-insensitively.
    pub fn module_by_service(&self, host: &str) -> Option<&'a Module> {
        self.by_service.get(&host.to_ascii_lowercase()).map(|&i| &self.manifest.modules[i])
    }

    /// Position of a module in the manifest (for stable ordering).
    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.by_name.get(name).copied()
    }
}
