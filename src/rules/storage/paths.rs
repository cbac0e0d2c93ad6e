//! Host paths of binds and mounts: which storage rule owns a `Binds` entry, whether a path names a
//! file (hostPath `DirectoryOrCreate` only works for directories), a system path, an Edge share
//! of the FPGA device, or a folder of the module's own data.

use crate::device::DeviceProfile;
use crate::manifest::model::Bind;
pub use crate::manifest::model::is_volume_name;
use crate::manifest::placeholder::{is_placeholder, placeholders};

/// Where FPGA devices mount Edge shares on the host: `/home/hcsshares/<share>` (the migration
/// guide and the FPGA tutorials), and `/home/databox-edge/hostgatewayshares/<share>`, which the
/// portal showed as the "local mount point for Edge compute modules" on some releases
/// (MicrosoftDocs/azure-docs#74930).
pub const SHARE_ROOTS: &[&str] = &["/home/hcsshares/", "/home/databox-edge/hostgatewayshares/"];

/// The one storage rule that handles a `Binds` entry. Each entry is reported once, in this
/// precedence: a Windows path breaks the `:` split before anything else can be said about it, an
/// FPGA share becomes a share volume, a named volume is not a host path at all, a file cannot be a
/// hostPath directory, and any other host path only changes form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BindOwner {
    /// STO008: `C:\data:/data`.
    Windows,
    /// STO001: `/home/hcsshares/<share>…`.
    Share,
    /// STO004: a host path whose source or target is a file.
    File,
    /// STO003: `myvol:/data`.
    NamedVolume,
    /// STO002: any other host path (absolute, relative, or a placeholder filled in at deploy time).
    HostPath,
}

/// Which storage rule reports this bind.
pub fn owner(bind: &Bind, shares: &ShareRoots<'_>) -> BindOwner {
    if is_windows(&bind.source) || bind.windows {
        BindOwner::Windows
    } else if shares.share_of(&bind.source).is_some() {
        BindOwner::Share
    } else if bind.is_named_volume() {
        // A named volume is a directory by nature, whatever its target looks like.
        BindOwner::NamedVolume
    } else if is_file(&bind.source) || is_file(&bind.target) {
        BindOwner::File
    } else {
        BindOwner::HostPath
    }
}

/// The folders where the FPGA device mounted Edge shares: [`SHARE_ROOTS`] and the ones the device
/// profile names (`share_roots`, for a mount point the portal showed otherwise).
#[derive(Debug, Clone, Copy)]
pub struct ShareRoots<'a> {
    extra: &'a [String],
}

impl<'a> ShareRoots<'a> {
    pub fn of(device: &'a DeviceProfile) -> ShareRoots<'a> {
        ShareRoots { extra: &device.share_roots }
    }

    /// The known roots only.
    pub const KNOWN: ShareRoots<'static> = ShareRoots { extra: &[] };

    /// The share and the folder inside it (`""` for the share itself) of an FPGA share path.
    pub fn share_of<'s>(&self, source: &'s str) -> Option<(&'s str, &'s str)> {
        let rest = SHARE_ROOTS
            .iter()
            .find_map(|root| source.strip_prefix(root))
            .or_else(|| self.extra.iter().find_map(|root| under(source, root)))?;
        share_in(rest)
    }
}

/// What follows `root` in `path` (`root` written with or without its trailing `/`).
pub fn under<'s>(path: &'s str, root: &str) -> Option<&'s str> {
    let root = root.trim().trim_end_matches('/');
    if root.is_empty() {
        return path.strip_prefix('/');
    }
    path.strip_prefix(root)?.strip_prefix('/')
}

/// `<share>[/<folder>]` read as the share and the folder inside it.
pub fn share_in(rest: &str) -> Option<(&str, &str)> {
    let rest = rest.trim_matches('/');
    let (share, sub) = rest.split_once('/').unwrap_or((rest, ""));
    (!share.is_empty()).then_some((share, sub))
}

/// A Windows host path: a drive letter (`C:\`, `c:/`) or a UNC / named-pipe path (`\\.\pipe\x`).
pub fn is_windows(path: &str) -> bool {
    let b = path.as_bytes();
    path.starts_with(r"\\")
        || (b.len() > 2 && b[0].is_ascii_alphabetic() && b[1] == b':' && matches!(b[2], b'\\' | b'/'))
}

/// The path starts with a template placeholder (`$VIDEO_FOLDER`, `${DIR}/x`, `<TokenFile>`): a host
/// path filled in at deploy time, never a Docker volume name.
pub fn starts_with_placeholder(path: &str) -> bool {
    placeholders(path).first().is_some_and(|p| path.starts_with(p))
}

/// Files of the host's system that containers bind to share the host's view, and that the GPU
/// device's Kubernetes manages (or replaces) itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SystemFile {
    /// `/etc/hosts`: the kubelet writes each pod's own.
    Hosts,
    /// `/etc/resolv.conf`: the pod gets the cluster's DNS, which forwards to the node's servers.
    Resolver,
    /// `/etc/localtime`: the time zone, which the `TZ` variable sets as well.
    LocalTime,
    /// `/etc/timezone`: the time zone's name (Debian's), which `TZ` sets as well.
    TimeZone,
    /// `/etc/machine-id`: the host's identity; the GPU device's is another one anyway.
    MachineId,
}

impl SystemFile {
    /// The system file a bind shares, by its container path first (`/usr/share/zoneinfo/X` bound
    /// at `/etc/localtime` is the time zone), then by its host path.
    pub fn of(source: &str, target: &str) -> Option<SystemFile> {
        Self::at(target).or_else(|| Self::at(source))
    }

    fn at(path: &str) -> Option<SystemFile> {
        Some(match path.trim_end_matches('/') {
            "/etc/hosts" => SystemFile::Hosts,
            "/etc/resolv.conf" => SystemFile::Resolver,
            "/etc/localtime" => SystemFile::LocalTime,
            "/etc/timezone" => SystemFile::TimeZone,
            "/etc/machine-id" => SystemFile::MachineId,
            _ => return None,
        })
    }

    /// The time zone files, which the `TZ` variable replaces.
    pub fn is_time_zone(self) -> bool {
        matches!(self, SystemFile::LocalTime | SystemFile::TimeZone)
    }
}

/// The zone a host path names when it is a zone file (`/usr/share/zoneinfo/Europe/Berlin`).
pub fn zone_of(source: &str) -> Option<&str> {
    source.strip_prefix("/usr/share/zoneinfo/").filter(|z| !z.is_empty() && !z.ends_with('/'))
}

/// Files of `/etc` every Linux host has, with no extension to give them away.
pub const ETC_FILES: &[&str] = &[
    "/etc/hosts",
    "/etc/hostname",
    "/etc/resolv.conf",
    "/etc/localtime",
    "/etc/timezone",
    "/etc/machine-id",
    "/etc/passwd",
    "/etc/group",
    "/etc/shadow",
];

/// Other files every Linux host has at these paths.
const KNOWN_FILES: &[&str] = &[
    "/var/run/docker.sock",
    "/run/docker.sock",
    "/usr/bin/docker",
    "/proc/cpuinfo",
    "/proc/meminfo",
    "/sys/class/gpio/export",
    "/sys/class/gpio/unexport",
];

/// Folders under `/dev` (everything else directly under `/dev` is a device node).
const DEV_DIRS: &[&str] = &[
    "block",
    "bsg",
    "bus",
    "char",
    "cpu",
    "disk",
    "dma_heap",
    "dri",
    "fd",
    "hugepages",
    "input",
    "mapper",
    "mqueue",
    "net",
    "nvidia-caps",
    "pts",
    "serial",
    "shm",
    "snd",
    "usb",
    "v4l",
    "vfio",
];

/// Folders of executables: what is mounted from them is a program, a file.
const BIN_DIRS: &[&str] = &["/bin", "/sbin", "/usr/bin", "/usr/sbin", "/usr/local/bin", "/usr/local/sbin"];

/// Host or container folders that mounting over would shadow the container's (or expose the
/// host's) own system files.
const SYSTEM_DIRS: &[&str] = &[
    "/",
    "/bin",
    "/boot",
    "/dev",
    "/etc",
    "/lib",
    "/lib64",
    "/proc",
    "/run",
    "/sbin",
    "/sys",
    "/usr",
    "/usr/bin",
    "/usr/lib",
    "/usr/local/bin",
    "/usr/sbin",
    "/var",
    "/var/run",
];

/// Host folders that hold the system's state, devices, sockets or scratch space rather than a
/// module's data: binding them shares something with the host, not data to keep.
pub const SYSTEM_TREES: &[&str] = &[
    "/bin",
    "/boot",
    "/dev",
    "/etc",
    "/lib",
    "/lib64",
    "/proc",
    "/run",
    "/sbin",
    "/sys",
    "/tmp",
    "/usr",
    "/var/lib/docker",
    "/var/lib/kubelet",
    "/var/run",
    "/var/tmp",
];

/// True when the path names a file rather than a folder: a known file, a device node, a program,
/// or a last segment with a file extension (`config.json`; not `conf.d`, `python3.8` or `.X11-unix`).
pub fn is_file(path: &str) -> bool {
    if path.ends_with('/') || path.ends_with('\\') {
        return false;
    }
    let path = path.trim();
    let (parent, name) = split(path);
    if name.is_empty() || is_placeholder(name) {
        return false;
    }
    if KNOWN_FILES.contains(&path) || ETC_FILES.contains(&path) || BIN_DIRS.contains(&parent) || is_device(path) {
        return true;
    }
    match name.rsplit_once('.') {
        Some((stem, ext)) => {
            !stem.is_empty()
                && (1..=5).contains(&ext.len())
                && ext != "d"
                && ext.bytes().next().is_some_and(|c| c.is_ascii_alphabetic())
                && ext.bytes().all(|c| c.is_ascii_alphanumeric())
        }
        None => false,
    }
}

/// A device node: anything directly under `/dev` but its folders (`/dev/video0`, `/dev/i2c-1`,
/// `/dev/nvhost-gpu`), and the numbered nodes in the folders of device classes
/// (`/dev/dri/renderD128`, `/dev/input/event3`; not `/dev/bus/usb/001`, a folder).
pub fn is_device(path: &str) -> bool {
    let Some(rest) = path.trim_end_matches('/').strip_prefix("/dev/") else { return false };
    match rest.split_once('/') {
        None => !rest.is_empty() && !DEV_DIRS.contains(&rest),
        Some((dir, name)) => {
            DEV_DIRS.contains(&dir)
                && !matches!(dir, "bus" | "disk" | "v4l" | "serial" | "char" | "block" | "pts" | "shm" | "hugepages")
                && !name.contains('/')
                && name.ends_with(|c: char| c.is_ascii_digit())
                && !name.bytes().all(|c| c.is_ascii_digit())
        }
    }
}

/// The folder holding `path` (`/etc/app/a.json` → `/etc/app`, `/a.json` → `/`).
pub fn parent(path: &str) -> &str {
    let (parent, _) = split(path.trim_end_matches('/'));
    if parent.is_empty() { "/" } else { parent }
}

/// Mounting this folder would shadow (or expose) system files.
pub fn is_system_dir(path: &str) -> bool {
    let p = path.trim_end_matches('/');
    SYSTEM_DIRS.contains(&if p.is_empty() { "/" } else { p })
}

/// A host folder of the module's own data (`/data/storage`, `/var/media`, `/home/user/in`): an
/// absolute path that is not the root, not a system folder (`/tmp`, `/dev/…`, `/run/…`, `/etc/…`)
/// and not one of the folders that only hold others (`/var`, `/home`, `/var/lib`, `/var/log`).
pub fn is_data_folder(path: &str) -> bool {
    let p = path.trim_end_matches('/');
    if !p.starts_with('/') || starts_with_placeholder(p) {
        return false;
    }
    !SYSTEM_TREES.iter().any(|t| is_under(p, t)) && !HOLDING_FOLDERS.contains(&p)
}

/// Folders that only hold others: no module's data lives in them directly.
pub const HOLDING_FOLDERS: &[&str] = &["", "/var", "/home", "/var/lib", "/var/log", "/opt", "/srv", "/mnt"];

/// `path` is `tree` or inside it (`/var/run/x` is under `/var/run`; `/var/running` is not).
pub fn is_under(path: &str, tree: &str) -> bool {
    path == tree || under(path, tree).is_some()
}

/// The path belongs to Docker itself (its socket or its CLI): there is no Docker on the GPU device.
pub fn is_docker(path: &str) -> bool {
    let (_, name) = split(path);
    name == "docker.sock" || name == "docker"
}

/// The last part of a path (`/opt/app/config.json` → `config.json`).
pub fn name(path: &str) -> &str {
    split(path.trim_end_matches('/')).1
}

fn split(path: &str) -> (&str, &str) {
    path.rsplit_once('/').unwrap_or(("", path))
}

/// A name as the Kubernetes agent turns it into a DNS label (`KubeUtils.SanitizeDNSLabel`): lower
/// case, leading and trailing characters other than letters and digits dropped, and every
/// character but letters, digits and `-` removed. The agent names a `volume` mount's claim and a
/// hostPath's pod volume so.
pub fn dns_label(name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    let trimmed = lower.trim_matches(|c: char| !c.is_ascii_alphanumeric());
    trimmed.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect()
}

/// A share name made from a folder or volume name that the agent keeps as it is: lower case,
/// letters, digits and `-` (`Custom_Configs` → `custom-configs`), at most 63 characters.
pub fn share_name(from: &str) -> String {
    let mut out = String::new();
    for c in from.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let out: String = out.trim_matches('-').chars().take(63).collect();
    let out = out.trim_end_matches('-');
    if out.is_empty() { "data".to_owned() } else { out.to_owned() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_and_folders() {
        for f in [
            "/etc/app/config.json",
            "/var/run/docker.sock",
            "/etc/localtime",
            "/etc/resolv.conf",
            "/dev/video0",
            "/dev/ttyUSB0",
            "/dev/nvidiactl",
            "/dev/nvhost-gpu",
            "/dev/i2c-1",
            "/dev/dri/renderD128",
            "/usr/bin/docker",
            "/var/run/oidc.json",
            "/data/${NAME}.json",
        ] {
            assert!(is_file(f), "{f}");
        }
        for d in [
            "/tmp/.X11-unix",
            "/etc/conf.d",
            "/usr/lib/python3.8",
            "/dev/bus/usb",
            "/dev/bus/usb/001",
            "/dev/snd",
            "/dev/dri/",
            "/dev",
            "/data/media/",
            "/home/x/$FILE",
            "/x/${MODULES.sample}",
            "/tmp",
        ] {
            assert!(!is_file(d), "{d}");
        }
    }

    #[test]
    fn parents_and_system_dirs() {
        assert_eq!(parent("/etc/app/a.json"), "/etc/app");
        assert_eq!(parent("/a.json"), "/");
        assert!(is_system_dir(parent("/etc/localtime")) && is_system_dir("/var/run/"));
        assert!(!is_system_dir("/etc/app") && !is_system_dir("/tmp"));
        assert!(is_windows(r"C:\data") && is_windows(r"\\.\pipe\docker_engine") && !is_windows("/c:/x"));
        assert!(is_volume_name("otel") && is_volume_name("data-${ENV}") && !is_volume_name("$DIR"));
        assert!(!is_volume_name("data/x") && !is_volume_name("./x") && !is_volume_name("/x"));
        assert!(
            starts_with_placeholder("$VIDEO_FOLDER")
                && starts_with_placeholder("<Token>")
                && !starts_with_placeholder("a$B")
        );
    }

    #[test]
    fn data_folders_shares_and_system_files() {
        for d in ["/data", "/data/storage", "/var/media/", "/var/lib/videoanalyzer", "/home/user/in", "/mount"] {
            assert!(is_data_folder(d), "{d}");
        }
        for s in ["/", "/tmp", "/tmp/.X11-unix", "/dev/bus/usb", "/run/systemd", "/var/log", "/etc/app", "$X", "./x"] {
            assert!(!is_data_folder(s), "{s}");
        }
        let known = ShareRoots::KNOWN;
        assert_eq!(known.share_of("/home/hcsshares/images/in"), Some(("images", "in")));
        assert_eq!(known.share_of("/home/databox-edge/hostgatewayshares/share1/"), Some(("share1", "")));
        assert_eq!(known.share_of("/home/hcsshares/"), None);
        assert_eq!(known.share_of("/mnt/edge/images"), None);
        let device = DeviceProfile { share_roots: vec!["/mnt/edge/".into()], ..DeviceProfile::default() };
        let named = ShareRoots::of(&device);
        assert_eq!(named.share_of("/mnt/edge/images/in"), Some(("images", "in")));
        assert_eq!(named.share_of("/mnt/edgeX/images"), None, "a root is a whole folder");
        assert_eq!(named.share_of("/mnt/edge"), None);
        assert_eq!(SystemFile::of("/usr/share/zoneinfo/Europe/Berlin", "/etc/localtime"), Some(SystemFile::LocalTime));
        assert_eq!(SystemFile::of("/etc/hosts", "/etc/hosts"), Some(SystemFile::Hosts));
        assert_eq!(zone_of("/usr/share/zoneinfo/Europe/Berlin"), Some("Europe/Berlin"));
        assert_eq!(share_name("/var/deepstream/Custom_Configs/".rsplit('/').nth(1).unwrap()), "custom-configs");
        assert_eq!(share_name("__"), "data");
        assert_eq!(dns_label("/https/"), "https");
        assert_eq!(dns_label("My_Share"), "myshare");
    }
}
