//! What the VM target's storage rules (STO101–STO104) share: which `volume` mounts are Edge shares
//! rather than Docker named volumes, and which host paths the VM has anyway.
//!
//! In a manifest written for the managed Kubernetes runtime a `Mounts` entry of type `volume` is an
//! Edge share (the agent claims it by name); on Docker, and so in the VM, the same entry is a named
//! volume that Docker creates empty (VM-TARGET.md §2). Nothing in one entry tells the two apart, so
//! the deployment is read as a whole.

use super::layout::{MountType, mounts, path_key};
use super::paths::{ETC_FILES, HOLDING_FOLDERS, SYSTEM_TREES, dns_label, is_under, is_volume_name};
use crate::manifest::Module;
use crate::manifest::model::{Experimental, Mount};
use crate::manifest::placeholder::contains_placeholder;
use crate::rules::Context;
use crate::rules::shared::k8s;

/// Why a `volume` mount is taken for an Edge share.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShareWhy {
    /// The device profile declares it (`--shares`).
    Declared,
    /// Its source is no Docker volume name (`/https/`): Docker refuses it, only the Kubernetes
    /// agent (which makes a claim name of it) accepts it.
    NotAVolumeName,
    /// The deployment was written for the managed Kubernetes runtime: `what` in module `module`.
    Kubernetes { module: String, what: String },
}

impl ShareWhy {
    /// For messages: "(… so it is an Edge share)".
    pub fn said(&self) -> String {
        match self {
            ShareWhy::Declared => "one of the device's shares".to_owned(),
            ShareWhy::NotAVolumeName => "no Docker volume name: written for the managed Kubernetes runtime, where a volume mount is an Edge share".to_owned(),
            ShareWhy::Kubernetes { module, what } => format!(
                "the deployment is written for the managed Kubernetes runtime ({what} in module `{module}`), where a volume mount is an Edge share"
            ),
        }
    }
}

/// The first sign that the deployment was written for the managed Kubernetes runtime: settings
/// of `k8s-experimental` that only mean something there, or a volume mount whose source only the
/// Kubernetes agent accepts. (FPGA manifests for Azure Stack Edge carry a `k8s-experimental`
/// section too, with the FPGA resource, and Docker-targeted ones may add volumes that Docker
/// ignores: neither is a sign.)
pub fn written_for_kubernetes(ctx: &Context) -> Option<(String, String)> {
    let modules = &ctx.manifest.modules;
    let gpu = |m: &&Module| ["limits", "requests"].iter().any(|p| k8s::resource(m, p, k8s::GPU).is_some());
    if let Some(m) = modules.iter().find(gpu) {
        return Some((m.name.clone(), "an `nvidia.com/gpu` resource".to_owned()));
    }
    let section = |m: &&Module, what: fn(&Experimental) -> bool| k8s::agent(m).is_some_and(what);
    if let Some(m) = modules.iter().find(|m| section(m, |s| s.strategy.is_some())) {
        return Some((m.name.clone(), "a `k8s-experimental` strategy".to_owned()));
    }
    if let Some(m) = modules.iter().find(|m| section(m, |s| s.service_options.is_some())) {
        return Some((m.name.clone(), "`k8s-experimental` service options".to_owned()));
    }
    modules.iter().find_map(|m| {
        let source = mounts(m)
            .iter()
            .filter(|x| MountType::of(x) == Some(MountType::Volume))
            .filter_map(|x| x.source().map(str::trim))
            .find(|s| not_a_volume_name(s))?;
        Some((m.name.clone(), format!("a volume mount of `{source}`, which only the Kubernetes agent accepts")))
    })
}

/// A volume source Docker refuses and the Kubernetes agent makes a claim name of (`/https/`).
fn not_a_volume_name(source: &str) -> bool {
    !source.is_empty() && !contains_placeholder(source) && !is_volume_name(source) && !dns_label(source).is_empty()
}

/// The store edgeHub or edgeAgent keeps at its `storageFolder`: on the VM, a new device, it starts
/// empty (the FPGA device's store belongs to the old device identity), in whatever holds it, so a
/// Docker volume there is right and nothing is to be copied.
pub fn system_store(module: &Module, target: &str) -> bool {
    module.system && module.env_value("storageFolder").is_some_and(|f| path_key(f) == path_key(target))
}

/// The share a `volume` mount stands for, and why, when it is one; `None` for a Docker volume,
/// and for a system module's store, which is better a Docker volume in the VM ([`system_store`]).
pub fn share_volume(ctx: &Context, module: &Module, mount: &Mount) -> Option<(String, ShareWhy)> {
    if MountType::of(mount) != Some(MountType::Volume) || mount.target().is_some_and(|t| system_store(module, t)) {
        return None;
    }
    let source = mount.source().map(str::trim).filter(|s| !s.is_empty())?;
    if let Some(declared) = ctx.device.shares.iter().flatten().find(|s| s.eq_ignore_ascii_case(source)) {
        return Some((declared.clone(), ShareWhy::Declared));
    }
    if not_a_volume_name(source) {
        return Some((dns_label(source), ShareWhy::NotAVolumeName));
    }
    let (module, what) = written_for_kubernetes(ctx)?;
    Some((source.to_owned(), ShareWhy::Kubernetes { module, what }))
}

/// The module's `volume` mounts that are Docker volumes, named (`Some(name)`) or anonymous; not
/// the system modules' stores.
pub fn docker_volumes<'m>(ctx: &Context, module: &'m Module) -> Vec<(&'m Mount, Option<&'m str>)> {
    mounts(module)
        .iter()
        .filter(|m| MountType::of(m) == Some(MountType::Volume) && share_volume(ctx, module, m).is_none())
        .filter(|m| !m.target().is_some_and(|t| system_store(module, t)))
        .map(|m| (m, m.source().map(str::trim).filter(|s| !s.is_empty())))
        .collect()
}

/// The VM has this host path whatever the module: a system folder or file of any Ubuntu VM with
/// moby (its logs too), or a folder that only holds others; not `/etc` at large, whose other
/// files are the module's, nor the Kubernetes device's own trees.
pub fn vm_has(path: &str) -> bool {
    let p = path.trim().trim_end_matches('/');
    if p == "/etc" || HOLDING_FOLDERS.contains(&p) {
        return true;
    }
    let system = SYSTEM_TREES.iter().filter(|t| !matches!(**t, "/etc" | "/var/lib/kubelet")).any(|t| is_under(p, t));
    system || ["/var/log", "/etc/ssl/certs"].iter().chain(ETC_FILES).any(|f| is_under(p, f))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_paths_are_in_the_vm_data_paths_are_not() {
        for p in
            ["/tmp", "/tmp/.X11-unix", "/dev/bus/usb", "/var/run/docker.sock", "/etc/localtime", "/usr/bin/docker", "/"]
        {
            assert!(vm_has(p), "{p}");
        }
        for p in [
            "/data",
            "/data/storage",
            "/etc/iotedge/storage",
            "/etc/app/config.json",
            "/mount",
            "/var/media",
            "/home/user/in",
            "/opt/app",
        ] {
            assert!(!vm_has(p), "{p}");
        }
    }
}
