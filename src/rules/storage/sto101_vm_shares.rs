//! STO101 (VM target): an Edge share the module mounts — an FPGA share path, or a share volume of
//! a manifest written for the managed Kubernetes runtime — becomes a `Mounts` bind of the VM's own
//! mount of that share.

use super::layout::{MountType, MountsWriter, NOT_WRITABLE, NewMount, binds, mounts};
use super::paths::{BindOwner, ShareRoots, owner, under};
use super::steps::mount_share_in_vm;
use super::vm::share_volume;
use crate::manifest::model::KeyCase;
use crate::manifest::placeholder::contains_placeholder;
use crate::manifest::{Module, Pointer};
use crate::rules::{Check, Context, Edit, Finding, FixAvailability, Rule, RuleDoc, Section, Severity, Suggestion, VM};

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "STO101",
        section: Section::Storage,
        severity: Severity::Error,
        fix: FixAvailability::Sometimes,
        targets: VM,
        title: "Edge share mounted by the module becomes a bind of the VM's mount of the share",
        detects: "An Edge share the module mounts, in either form a migrated manifest has: a `Binds` entry or `Mounts` bind entry whose source is the FPGA device's share path (`/home/hcsshares/<share>[/<folder>]`, `/home/databox-edge/hostgatewayshares/<share>`, or under a folder the device profile names with `--share-root`), unless it is already under the VM's share folder (`--vm-share-root`); and a `Mounts` entry of type `volume` that is an Edge share (a share the device profile declares, a source that is no Docker volume name such as `/https/`, or any volume mount of a deployment written for the managed Kubernetes runtime: `nvidia.com/gpu` resources, a `k8s-experimental` strategy or service options). Not the store edgeHub or edgeAgent keeps at its `storageFolder`: that is better a Docker volume in the VM (a new device starts with an empty store). It replaces STO001 on the VM target, and owns the share volumes of a managed-Kubernetes manifest moving to the VM (issue 13), since they are the same shares reached the same way.",
        why: "In the VM there is no share volume and no `/home/hcsshares`: those mount points belong to the device's managed compute, and no Azure Stack Edge article says a VM gets them (VM-TARGET.md §2). The VM reaches a share only through its own network mount (SMB by device name, or NFS v3 with the VM's IP among the allowed clients, a persistent fstab entry with `_netdev`), which Microsoft does not document for VMs: it is inferred from the share client instructions. Two traps: with `Binds` a host path that is not mounted is silently created as an empty folder on the VM disk, and the module writes there; and a `volume` mount becomes an empty Docker named volume. A `Mounts` entry of type `bind` fails instead (\"bind source path does not exist\", docs.docker.com bind mounts, moby/moby#42332), so a missing mount is seen at once.",
        before: r#"{"HostConfig": {"Binds": ["/home/hcsshares/images:/data:ro"]}} or {"HostConfig": {"Mounts": [{"Type": "volume", "Source": "images", "Target": "/data", "ReadOnly": true}]}}"#,
        after: r#"{"HostConfig": {"Mounts": [{"Type": "bind", "Source": "/mnt/images", "Target": "/data", "ReadOnly": true}]}} and the share mounted in the VM at /mnt/images"#,
        fix_safety: "Needs review: mount the share in the VM first (the finding's checklist step gives the SMB and NFS fstab lines for the share; marked inferred). The default puts share `<s>` at `/mnt/<s>` (a folder inside the share stays inside it: `/mnt/<s>/<folder>`). To keep the FPGA paths instead, mount each share in the VM at `/home/hcsshares/<s>` and set the device profile's VM share folder to `/home/hcsshares` (`--vm-share-root /home/hcsshares`): the fix then only turns `Binds` into `Mounts` bind entries, and `Mounts` entries at those paths are left as they are. The input is the host path for one mount: a path of the VM's share folder or any other folder you mount the share at (a path that is still an FPGA share path outside the VM's share folder is refused). Bind options other than `ro`/`rw` (`z`, `rslave`…) and a volume's `VolumeOptions` are dropped. A share name filled in at deploy time (`$SHARE_NAME`) is kept as written.",
    },
    check: Check::Module(check),
};

fn check(ctx: &Context, module: &Module) -> Vec<Finding> {
    let shares = ShareRoots::of(ctx.device);
    let writer = MountsWriter::of(module);
    let vm_root = ctx.device.vm_share_root();
    let vm_root = vm_root.as_str();
    let in_vm_root = |path: &str| under(path, vm_root).is_some();
    let mut out = Vec::new();

    for (entry, bind) in binds(module) {
        if owner(bind, &shares) != BindOwner::Share {
            continue;
        }
        let Some((share, sub)) = shares.share_of(&bind.source) else { continue };
        let raw = entry.raw.as_deref().unwrap_or_default();
        let path = vm_path(ctx, share, sub);
        let mut message = if in_vm_root(&bind.source) {
            format!(
                "bind `{raw}` of share `{share}`: with `Binds` Docker creates `{}` as an empty folder when the share is not mounted there, and the module writes into the VM's disk",
                bind.source
            )
        } else {
            format!(
                "bind `{raw}` uses the FPGA device's path of share `{share}`: the VM has no such path, and `Binds` would create it as an empty folder"
            )
        };
        message.push_str(placeholder_note(share));
        let location = module.create_options_at(entry.at.clone());
        let finding = Finding::new(&RULE, Some(module), location, message);
        let finding = mount_share_in_vm(finding, share, &ctx.device.vm_share_path(share));
        if !writer.writable {
            let mut f = finding;
            f.message.push_str(NOT_WRITABLE);
            out.push(f);
            continue;
        }
        let mount = NewMount {
            kind: MountType::Bind,
            source: path.clone(),
            target: bind.target.clone(),
            read_only: bind.read_only(),
        };
        let edits = vec![
            Edit::Remove { at: module.create_options_at(entry.at.clone()) },
            Edit::Append { at: module.create_options_at(writer.at.clone()), value: mount.value(writer.case) },
        ];
        let summary = format!(
            "mount `{path}` (the VM's mount of share `{share}`) at {} with a `Mounts` bind entry, which fails instead of starting on an empty folder{}",
            bind.target,
            dropped(bind.options.as_deref())
        );
        out.push(finding.suggest(Suggestion::new(summary, edits).with_input(
            "host path in the VM",
            1,
            writer.source_input().as_str(),
            Some(path.into()),
        )));
    }

    for m in mounts(module) {
        let Some(target) = m.target().filter(|t| !t.trim().is_empty()) else { continue };
        let location = module.create_options_at(m.at.clone());
        match MountType::of(m) {
            Some(MountType::Bind) => {
                let (Some(source), Some(field)) = (m.source(), m.source.as_ref()) else { continue };
                let Some((share, sub)) = shares.share_of(source) else { continue };
                if in_vm_root(source) {
                    continue;
                }
                let path = vm_path(ctx, share, sub);
                let message = format!(
                    "`Mounts` bind of `{source}` → `{target}` uses the FPGA device's path of share `{share}`, which the VM does not have{}",
                    placeholder_note(share)
                );
                let finding = Finding::new(&RULE, Some(module), location, message);
                let finding = mount_share_in_vm(finding, share, &ctx.device.vm_share_path(share));
                let edits =
                    vec![Edit::Set { at: module.create_options_at(field.at.clone()), value: path.clone().into() }];
                let summary = format!("mount `{path}`, the VM's mount of share `{share}`, instead");
                out.push(finding.suggest(Suggestion::new(summary, edits).with_input(
                    "host path in the VM",
                    0,
                    "",
                    Some(path.into()),
                )));
            }
            Some(MountType::Volume) => {
                let Some((share, why)) = share_volume(ctx, module, m) else { continue };
                let path = ctx.device.vm_share_path(&share);
                let source = m.source().unwrap_or_default();
                let message = format!(
                    "volume mount of `{source}` at `{target}` is an Edge share ({}): in the VM it would be an empty Docker volume{}",
                    why.said(),
                    placeholder_note(&share)
                );
                let finding = Finding::new(&RULE, Some(module), location.clone(), message);
                let finding = mount_share_in_vm(finding, &share, &path);
                let case = KeyCase::of(m.kind.as_ref().or(m.source.as_ref()).map_or("Type", |f| f.key.as_str()));
                let mount = NewMount {
                    kind: MountType::Bind,
                    source: path.clone(),
                    target: target.to_owned(),
                    read_only: m.is_read_only(),
                };
                let dropped: Vec<&str> = m.other.iter().map(|o| o.field.key.as_str()).collect();
                let mut summary = format!(
                    "mount `{path}`, the VM's mount of share `{share}`, with a `Mounts` bind entry at {target}"
                );
                if !dropped.is_empty() {
                    summary.push_str(&format!("; `{}` is dropped (a bind has none)", dropped.join("`, `")));
                }
                let edits = vec![Edit::Set { at: location, value: mount.value(case) }];
                out.push(finding.suggest(Suggestion::new(summary, edits).with_input(
                    "host path in the VM",
                    0,
                    Pointer::root().child(&case.spell("Source")).as_str(),
                    Some(path.into()),
                )));
            }
            None => {}
        }
    }
    out
}

/// Where the VM mounts `share`'s folder `sub`.
fn vm_path(ctx: &Context, share: &str, sub: &str) -> String {
    let base = ctx.device.vm_share_path(share);
    if sub.is_empty() { base } else { format!("{base}/{}", sub.trim_matches('/')) }
}

fn placeholder_note(share: &str) -> &'static str {
    if contains_placeholder(share) { " (the share is filled in at deploy time: it is kept as written)" } else { "" }
}

/// Says which bind options a `Mounts` entry does not keep.
fn dropped(options: Option<&str>) -> String {
    let dropped: Vec<&str> =
        options.into_iter().flat_map(|o| o.split(',')).filter(|o| !matches!(*o, "ro" | "rw" | "")).collect();
    if dropped.is_empty() { String::new() } else { format!("; option `{}` is dropped", dropped.join(",")) }
}
