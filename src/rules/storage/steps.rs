//! The device-side steps storage findings ask for ("Before you deploy"): the Edge shares the GPU
//! device must have (managed Kubernetes target), and how the VM mounts each of them (VM target).
//! Every finding about one share gives the same step, so the checklist lists it once.

use crate::device::DeviceProfile;
use crate::manifest::placeholder::contains_placeholder;
use crate::rules::Finding;

/// How the checklist names a share: its name, or the placeholder that fills it in at deploy time.
fn named(share: &str) -> String {
    if contains_placeholder(share) {
        format!("the Edge share filled in for `{share}`")
    } else {
        format!("Edge share `{share}`")
    }
}

/// Adds the step "create the share on the GPU device" (TRAPS NEW-8, NEW-10 and NEW-23 are part of
/// its detail: what the share must be, that it starts empty, what a cloud share does to writes),
/// unless the device profile says the device has it.
pub fn create_share(finding: Finding, share: &str, device: &DeviceProfile) -> Finding {
    share_step(
        finding,
        share,
        device,
        "Local or cloud as on the FPGA device: an Edge local share keeps its data on the device, a cloud share tiers it to Azure.",
    )
}

/// [`create_share`] for edgeHub's message store, which belongs on an Edge local share.
pub fn create_store_share(finding: Finding, share: &str, device: &DeviceProfile) -> Finding {
    share_step(
        finding,
        share,
        device,
        "An Edge local share: edgeHub writes its store all the time, and it must stay on the device (a cloud share tiers its files to Azure).",
    )
}

fn share_step(finding: Finding, share: &str, device: &DeviceProfile, kind: &str) -> Finding {
    if device.has_share(share) == Some(true) {
        return finding;
    }
    let action = format!("Create {} on the GPU device, with \"Use the share with Edge compute\"", named(share));
    let detail = format!("{kind}\n{SHARE_FACTS}");
    finding.step(action, detail, false)
}

/// What every new share needs, whatever it holds.
const SHARE_FACTS: &str = "Data does not move by itself: copy what the modules need into the new share. A share starts empty, where Docker filled a new named volume with the image's files at the mount path; a module that expects them there finds nothing or fails to start (Azure Video Analyzer on Azure Stack Edge: \"A module will fail to start if the container is trying to mount a volume to an existing and non-empty directory\").\n\
    NFS shares: the GPU device serves NFS v3 only (FPGA migration guide), and the compute network must be on the subnet of the NFS virtual IP (deploy-compute-module-simple).\n\
    Cloud shares: writes can fail with \"Permission denied\" while the share is throttled, NFS clients should write exclusively, and a file renamed after it was written is not supported (ASE release notes): modules must retry their writes.";

/// Adds the step "mount the share in the VM at `at`", with the SMB and NFS mount lines. That a VM
/// on the device can mount its Edge shares is inferred from the share client instructions, not
/// documented (VM-TARGET.md §2), and the step says so.
pub fn mount_share_in_vm(finding: Finding, share: &str, at: &str) -> Finding {
    let action = format!("Mount {} in the VM at `{at}`", named(share));
    let detail = format!(
        "The VM mounts the share over the network from the device's data IP like any share client (azure-stack-edge-gpu-deploy-add-shares documents share clients, not VMs on the device). Use one persistent fstab entry, then `sudo mkdir -p {at} && sudo mount -a`.\n\
        SMB share, reached by the device name only (not its IP: add the name to the VM's /etc/hosts or DNS); `sudo apt-get install cifs-utils`, a credentials file with `username=` and `password=` of the share's user, and in /etc/fstab:\n\
        \x20 //<device name>/{share} {at} cifs credentials=/etc/ase-share.cred,_netdev 0 0\n\
        NFS share, v3 only, with the VM's IP added to the share's allowed NFS clients; `sudo apt-get install nfs-common`, and in /etc/fstab:\n\
        \x20 <device IP>:/{share} {at} nfs vers=3,sec=sys,resvport,_netdev 0 0\n\
        Add `uid=`/`gid=` (SMB) for a module that does not run as root; `nolock` (NFS) when several modules write the same files. The mount point exists even when the mount fails, and the module would then see an empty folder: make Docker wait for the mount (`sudo systemctl edit docker`, `[Unit]` `RequiresMountsFor={at}`)."
    );
    finding.step(action, detail, true)
}

/// Adds the step "create (and fill) this host folder in the VM".
pub fn create_in_vm(finding: Finding, path: &str, file: bool) -> Finding {
    let what = if file { "host file" } else { "host folder" };
    let action = format!("Create {what} `{path}` in the VM");
    let detail = format!(
        "A `Binds` entry whose host path is missing makes Docker create an empty folder there{}, and the module starts without its data. Copy into it what the module needs from the FPGA device (its host folders are reachable only through a module, for example one that copies them to a share).",
        if file { " (a folder, even where the module expects a file)" } else { "" }
    );
    finding.step(action, detail, false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::{Location, Pointer};
    use crate::rules::registry::RULES;

    fn finding() -> Finding {
        Finding::new(RULES[0], None, Location::Document(Pointer::root()), "x")
    }

    #[test]
    fn steps_name_the_share_and_the_mount_lines() {
        let f = mount_share_in_vm(finding(), "images", "/mnt/images");
        let step = f.step.unwrap();
        assert_eq!(step.action, "Mount Edge share `images` in the VM at `/mnt/images`");
        assert!(step.inferred);
        assert!(step.detail.contains("//<device name>/images /mnt/images cifs"), "{}", step.detail);
        assert!(step.detail.contains("<device IP>:/images /mnt/images nfs vers=3"), "{}", step.detail);
        assert!(step.detail.matches("_netdev").count() == 2);
        let f = create_share(finding(), "$SHARE_NAME", &DeviceProfile::default());
        assert!(f.step.unwrap().action.contains("filled in for `$SHARE_NAME`"));
        let declared = DeviceProfile { shares: Some(vec!["Images".into()]), ..DeviceProfile::default() };
        assert!(create_share(finding(), "images", &declared).step.is_none(), "the device has it");
    }
}
