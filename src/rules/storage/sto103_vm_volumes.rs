//! STO103 (VM target): Docker volumes (named or anonymous), which work in the VM but start there
//! without the data they hold on the FPGA device.

use super::layout::{binds, mounted_paths, path_key};
use super::paths::{BindOwner, ShareRoots, owner};
use super::vm::docker_volumes;
use crate::manifest::Module;
use crate::manifest::placeholder::contains_placeholder;
use crate::rules::{Check, Context, Finding, FixAvailability, Rule, RuleDoc, Section, Severity, VM};

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "STO103",
        section: Section::Storage,
        severity: Severity::Info,
        fix: FixAvailability::Never,
        targets: VM,
        title: "Docker volume works in the VM but starts without the FPGA device's data",
        detects: "A Docker named volume (`Binds` entry `myvol:/data`, or a `Mounts` entry of type `volume` that is not an Edge share: see STO101) and an anonymous volume (a `volume` mount without `Source`, or a `Volumes` path that no bind or mount covers).",
        why: "Docker in the VM creates and mounts named and anonymous volumes as it did on the FPGA device, but the volume is new: what it holds on the FPGA device stays there (VM-TARGET.md §2, §7). A new named volume is filled with the image's files at the mount path, then keeps what the module writes. An anonymous volume was already new whenever the container was re-created, so only data written since the last re-creation is at stake.",
        before: r#"{"HostConfig": {"Binds": ["otel:/blobroot"]}}"#,
        after: "The same bind; the volume's data copied into the VM's volume (or moved to a share or a data disk of the VM) if the module needs it, as the report's \"Before you deploy\" checklist lists.",
        fix_safety: "Nothing to change in the manifest. To keep the data, copy it out of the FPGA device through a share (for example with a module that mounts both the volume and an Edge share) and into the volume in the VM before the module starts (`/var/lib/docker/volumes/<name>/_data`), or keep it on a share (STO101) or a data disk of the VM. A volume mount that is in fact an Edge share (a manifest written for the managed Kubernetes runtime) is STO101's once the share is declared (`--shares`).",
    },
    check: Check::Module(check),
};

fn check(ctx: &Context, module: &Module) -> Vec<Finding> {
    let shares = ShareRoots::of(ctx.device);
    let mut out = Vec::new();
    for (entry, bind) in binds(module).filter(|(_, b)| owner(b, &shares) == BindOwner::NamedVolume) {
        let message = format!(
            "bind `{}` uses Docker volume `{}`: it works in the VM, where Docker creates it anew, without the data it holds on the FPGA device",
            entry.raw.as_deref().unwrap_or_default(),
            bind.source
        );
        let finding = Finding::new(&RULE, Some(module), module.create_options_at(entry.at.clone()), message);
        out.push(copy_step(finding, &bind.source, &bind.target));
    }
    for (m, name) in docker_volumes(ctx, module) {
        let target = m.target().unwrap_or_default();
        let location = module.create_options_at(m.at.clone());
        let finding = match name {
            Some(name) => {
                let message = format!(
                    "volume mount of Docker volume `{name}` at `{target}`: it works in the VM, where Docker creates it anew, without the data it holds on the FPGA device; if `{name}` is an Edge share (a manifest written for the managed Kubernetes runtime), declare it with `--shares` so that STO101 mounts the VM's mount of the share"
                );
                copy_step(Finding::new(&RULE, Some(module), location, message), name, target)
            }
            None => Finding::new(&RULE, Some(module), location, anonymous(target)),
        };
        out.push(finding);
    }
    out.extend(anonymous_volumes(module));
    out
}

fn anonymous(path: &str) -> String {
    format!(
        "anonymous volume at `{path}`: it works in the VM as on the FPGA device, a new empty volume for each new container; what the module wrote there on the FPGA device stays there"
    )
}

/// The `Volumes` paths no bind or mount covers (each is an anonymous volume).
fn anonymous_volumes(module: &Module) -> Vec<Finding> {
    let Some(volumes) = module.container().and_then(|c| c.other.iter().find(|o| o.docker == Some("Volumes"))) else {
        return Vec::new();
    };
    let Some(paths) = volumes.field.value.as_object() else { return Vec::new() };
    let mounted: Vec<&str> = mounted_paths(module);
    paths
        .keys()
        .filter(|p| !mounted.contains(&path_key(p)))
        .map(|p| Finding::new(&RULE, Some(module), module.create_options_at(volumes.field.at.child(p)), anonymous(p)))
        .collect()
}

/// The step "copy the volume's data", for a named volume.
fn copy_step(finding: Finding, name: &str, target: &str) -> Finding {
    let named = if contains_placeholder(name) {
        format!("the Docker volume filled in for `{name}`")
    } else {
        format!("Docker volume `{name}`")
    };
    finding.step(
        format!("Copy the data of {named} from the FPGA device to the VM, if the module needs it"),
        format!(
            "In the VM Docker creates the volume empty, filled with the image's files at `{target}`. Copy its data out of the FPGA device through a share (for example with a module that mounts both the volume and an Edge share), then into `/var/lib/docker/volumes/<volume>/_data` in the VM before the module starts; or keep the data on a share or a data disk of the VM instead."
        ),
        false,
    )
}
