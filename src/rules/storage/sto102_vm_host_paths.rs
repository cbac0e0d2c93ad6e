//! STO102 (VM target): a bind of a host path, which must exist in the VM before the module starts.

use super::layout::{MountType, binds, mounts};
use super::paths::{BindOwner, ShareRoots, is_file, is_windows, owner, share_in, starts_with_placeholder, under};
use super::steps::{create_in_vm, mount_share_in_vm};
use super::vm::{system_store, vm_has};
use crate::manifest::Module;
use crate::manifest::placeholder::contains_placeholder;
use crate::rules::{Check, Context, Finding, FixAvailability, Rule, RuleDoc, Section, Severity, VM};

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "STO102",
        section: Section::Storage,
        severity: Severity::Info,
        fix: FixAvailability::Never,
        targets: VM,
        title: "Bind of a host path that must exist in the VM",
        detects: "A `Binds` entry or `Mounts` bind entry whose source is a host folder or file of the module's own (`/data/storage`, `/etc/app/config.json`, or a path filled in at deploy time such as `$VIDEO_FOLDER`), and a `Mounts` bind of a path in the VM's share folder (`/mnt/<share>`, the device profile's `--vm-share-root`). Not reported: Edge share paths of the FPGA device (STO101), Docker volumes (STO103), Windows paths (STO008), paths every Ubuntu VM with moby has (`/tmp`, `/dev`, `/run`, `/var/run/docker.sock`, `/etc/localtime`…), and the storage folder that edgeHub or edgeAgent binds (it starts empty on a new device, as it must).",
        why: "Docker in the VM handles binds as it did on the FPGA device, but the VM is a new machine: the FPGA device's host folders and their data are not there (VM-TARGET.md §7). With `Binds`, a missing host path is silently created as an empty folder and the module starts without its data (a missing file becomes a folder too); a `Mounts` bind entry makes Docker refuse to start the container until the path exists. A path in the VM's share folder is where STO101 put a share: it exists once the share is mounted there.",
        before: r#"{"HostConfig": {"Binds": ["/data/storage:/storage"]}}"#,
        after: "The same bind, with `/data/storage` created in the VM (and filled with what the module needs) before the deployment; listed in the report's \"Before you deploy\" checklist.",
        fix_safety: "Nothing to change in the manifest: the checklist step says which host folder or file to create in the VM, or which share to mount there. The FPGA device's host folders are reachable only through a module (for example one that copies them to a share), so copying their data is a step of its own. To keep the data on a share instead, mount the share in the VM and point the bind at it.",
    },
    check: Check::Module(check),
};

fn check(ctx: &Context, module: &Module) -> Vec<Finding> {
    let shares = ShareRoots::of(ctx.device);
    let vm_root = ctx.device.vm_share_root();
    let vm_root = vm_root.as_str();
    let skip = |source: &str, target: &str| {
        (!source.starts_with('/') && !starts_with_placeholder(source)) || vm_has(source) || system_store(module, target)
    };
    let mut out = Vec::new();
    for (entry, bind) in binds(module) {
        if !matches!(owner(bind, &shares), BindOwner::HostPath | BindOwner::File) || skip(&bind.source, &bind.target) {
            continue;
        }
        let file = is_file(&bind.source) || is_file(&bind.target);
        let what = if file { "host file" } else { "host folder" };
        let message = format!(
            "bind `{}` of {what} `{}`{}: it is not in the VM until you create it, and `Binds` would create an empty folder in its place, so the module starts without its data",
            entry.raw.as_deref().unwrap_or_default(),
            bind.source,
            deploy_time(&bind.source)
        );
        let finding = Finding::new(&RULE, Some(module), module.create_options_at(entry.at.clone()), message);
        out.push(create_in_vm(finding, &bind.source, file));
    }
    for m in mounts(module).iter().filter(|m| MountType::of(m) == Some(MountType::Bind)) {
        let (Some(source), Some(target)) = (m.source(), m.target()) else { continue };
        if is_windows(source) || source.trim().is_empty() {
            continue;
        }
        let location = module.create_options_at(m.at.clone());
        if let Some((share, _)) = under(source, vm_root).and_then(share_in) {
            let path = ctx.device.vm_share_path(share);
            let message = format!(
                "`Mounts` bind of `{source}` → `{target}` is in the VM's mount of share `{share}` (`{path}`): mount the share there before deploying, or Docker refuses to start the container"
            );
            out.push(mount_share_in_vm(Finding::new(&RULE, Some(module), location, message), share, &path));
            continue;
        }
        if shares.share_of(source).is_some() || skip(source, target) {
            continue;
        }
        let file = is_file(source) || is_file(target);
        let what = if file { "host file" } else { "host folder" };
        let message = format!(
            "`Mounts` bind of {what} `{source}` → `{target}`{}: it must exist in the VM, or Docker refuses to start the container",
            deploy_time(source)
        );
        out.push(create_in_vm(Finding::new(&RULE, Some(module), location, message), source, file));
    }
    out
}

fn deploy_time(source: &str) -> &'static str {
    if contains_placeholder(source) { " (filled in at deploy time)" } else { "" }
}
