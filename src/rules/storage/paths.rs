//! Host paths of binds and mounts: which storage rule owns a `Binds` entry, and whether a path
//! names a file (hostPath `DirectoryOrCreate` only works for directories).

use super::binds::Bind;
use super::sto001_share_binds::SHARE_ROOT;
use crate::manifest::placeholder::{is_placeholder, placeholders};

/// The one storage rule that handles a `Binds` entry. Each entry is reported once, in this
/// precedence: a Windows path breaks the `:` split before anything else can be said about it, an
/// FPGA share becomes a share volume, a file cannot be a hostPath directory, a named volume is not a
/// host path at all, and any other host path only changes form.
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
    /// STO002: any other host path (absolute, or a placeholder filled in at deploy time).
    HostPath,
}

/// Which storage rule reports this bind.
pub fn owner(bind: &Bind<'_>) -> BindOwner {
    if is_windows(bind.source) || bind.windows {
        BindOwner::Windows
    } else if is_share(bind.source) {
        BindOwner::Share
    } else if is_volume_name(bind.source) {
        // A named volume is a directory by nature, whatever its target looks like.
        BindOwner::NamedVolume
    } else if is_file(bind.source) || is_file(bind.target) {
        BindOwner::File
    } else {
        BindOwner::HostPath
    }
}

/// A Docker volume name (`[a-zA-Z0-9][a-zA-Z0-9_.-]*`), possibly holding a placeholder after its
/// first character (`data-${ENV}`); a source starting with a placeholder is a host path.
pub fn is_volume_name(source: &str) -> bool {
    if starts_with_placeholder(source) {
        return false;
    }
    let mut rest = source.to_owned();
    for p in placeholders(source) {
        rest = rest.replace(p, "x");
    }
    rest.bytes().next().is_some_and(|c| c.is_ascii_alphanumeric())
        && rest.bytes().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-'))
}

/// A Windows host path: a drive letter (`C:\`, `c:/`) or a UNC / named-pipe path (`\\.\pipe\x`).
pub fn is_windows(path: &str) -> bool {
    let b = path.as_bytes();
    path.starts_with(r"\\")
        || (b.len() > 2 && b[0].is_ascii_alphabetic() && b[1] == b':' && matches!(b[2], b'\\' | b'/'))
}

/// The FPGA device's path of an Edge share, the way STO001 reads it.
fn is_share(source: &str) -> bool {
    source
        .strip_prefix(SHARE_ROOT)
        .map(|rest| rest.trim_matches('/'))
        .is_some_and(|rest| rest.split('/').next().is_some_and(|s| !s.is_empty()))
}

/// The path starts with a template placeholder (`$VIDEO_FOLDER`, `${DIR}/x`, `<TokenFile>`): a host
/// path filled in at deploy time, never a Docker volume name.
pub fn starts_with_placeholder(path: &str) -> bool {
    placeholders(path).first().is_some_and(|p| path.starts_with(p))
}

/// Files every Linux host has at these paths, with no extension to give them away.
const KNOWN_FILES: &[&str] = &[
    "/var/run/docker.sock",
    "/run/docker.sock",
    "/usr/bin/docker",
    "/etc/hosts",
    "/etc/hostname",
    "/etc/localtime",
    "/etc/timezone",
    "/etc/machine-id",
    "/etc/passwd",
    "/etc/group",
    "/etc/shadow",
    "/proc/cpuinfo",
    "/proc/meminfo",
    "/sys/class/gpio/export",
    "/sys/class/gpio/unexport",
];

/// Folders directly under `/dev` (everything else there is a device node).
const DEV_DIRS: &[&str] = &[
    "block",
    "bus",
    "char",
    "disk",
    "dri",
    "fd",
    "hugepages",
    "input",
    "mapper",
    "mqueue",
    "net",
    "pts",
    "serial",
    "shm",
    "snd",
    "usb",
    "v4l",
    "vfio",
];

/// Device nodes whose names do not end in a number.
const DEV_NODES: &[&str] = &[
    "null",
    "zero",
    "random",
    "urandom",
    "mem",
    "kmsg",
    "fuse",
    "gpiomem",
    "nvidiactl",
    "nvidia-uvm",
    "nvidia-modeset",
    "nvhost-ctrl",
    "ptmx",
    "tty",
    "console",
    "rtc",
    "watchdog",
    "ion",
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
    if KNOWN_FILES.contains(&path) || BIN_DIRS.contains(&parent) || is_device(path) {
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

/// A device node directly under `/dev` (`/dev/video0`, `/dev/ttyUSB0`, `/dev/nvidiactl`).
pub fn is_device(path: &str) -> bool {
    let Some(name) = path.strip_prefix("/dev/") else { return false };
    !name.is_empty()
        && !name.contains('/')
        && !DEV_DIRS.contains(&name)
        && (name.ends_with(|c: char| c.is_ascii_digit()) || DEV_NODES.contains(&name))
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

/// The path belongs to Docker itself (its socket or its CLI): there is no Docker on the GPU device.
pub fn is_docker(path: &str) -> bool {
    let (_, name) = split(path);
    name == "docker.sock" || name == "docker"
}

fn split(path: &str) -> (&str, &str) {
    path.rsplit_once('/').unwrap_or(("", path))
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
            "/dev/video0",
            "/dev/ttyUSB0",
            "/dev/nvidiactl",
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
            "/dev/snd",
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
}
