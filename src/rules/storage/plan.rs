//! The storage fixes of one module, worked out together. What replaces each bind is decided in
//! the order the module lists them, against everything else the module mounts, so that accepting
//! any of them never mounts two things at one container path (the API server rejects a pod whose
//! container has two volume mounts at one `mountPath`; Docker rejected it too) and never adds a
//! mount the module already has. STO001–STO004 read their findings' fixes from here.

use super::layout::{MountType, MountsWriter, NewMount, binds, extra_mounts, mounts, path_key};
use super::paths::{
    BindOwner, ShareRoots, SystemFile, is_data_folder, is_device, is_docker, is_file, is_system_dir, is_volume_name,
    is_windows, name, owner, parent, share_name, starts_with_placeholder, zone_of,
};
use crate::manifest::placeholder::contains_placeholder;
use crate::manifest::{Module, Pointer};
use crate::rules::{Edit, Suggestion};
use std::collections::HashMap;

/// A bind as the engineer wrote it: a `Binds` entry, or a `Mounts` entry of type `bind`.
#[derive(Debug, Clone)]
pub struct Part<'m> {
    /// The `Binds` or `Mounts` element.
    pub at: Pointer,
    /// How the messages quote it (`bind `a:b:ro``, or `` `Mounts` bind `a` → `b` ``).
    pub shown: String,
    pub source: &'m str,
    pub target: &'m str,
    /// Bind options as written (`ro`, `z`…), for `Binds` entries.
    pub options: Option<&'m str>,
    pub read_only: bool,
    /// A `Binds` entry (not a `Mounts` entry).
    pub in_binds: bool,
}

/// Why nothing can replace a bind by itself: the engineer changes the module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Manual {
    /// STO008: a Windows host path.
    Windows,
    /// STO002: a relative host path (`./cache`).
    Relative,
    /// STO004: Docker's socket or CLI (`/var/run/docker.sock`).
    Docker(String),
    /// STO004: a device node (`/dev/video0`).
    Device(String),
    /// STO004: the file comes from a host path filled in at deploy time.
    DeployTime,
    /// STO004: the file's folder is a system folder that a mount would shadow.
    SystemFolder { file: String, dir: String },
}

/// What the time zone fix of a bind of `/etc/localtime` or `/etc/timezone` does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TimeZone {
    /// Set `TZ` in the module's `env`, proposing this zone.
    Set { zone: String, known: bool },
    /// The module sets `TZ` already (to this value).
    Already(String),
    /// The `TZ` fix of another bind (quoted) covers this one too.
    WithOther(String),
}

/// Something that already mounts a container path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occupant {
    /// For messages: `` `Mounts` entry 0 (volume `images`) ``.
    pub what: String,
    pub kind: Option<MountType>,
    pub source: Option<String>,
}

impl Occupant {
    /// It mounts the same thing the new entry would: removing the bind loses nothing.
    pub fn same_as(&self, m: &NewMount) -> bool {
        self.kind == Some(m.kind) && self.source.as_deref() == Some(m.source.as_str())
    }
}

/// What replaces one bind (or the file binds of one folder).
#[derive(Debug, Clone)]
pub enum Fate {
    /// This new `Mounts` entry. `also_at`: the same volume is mounted at another path already
    /// (one pod volume, mounted twice: valid).
    Mount { mount: NewMount, also_at: Option<String> },
    /// Nothing: the container path is mounted already, by `by`; `instead` is the entry it would
    /// have had.
    Covered { by: Occupant, instead: NewMount },
    /// Nothing: a system file the GPU device's Kubernetes provides (STO004), with the time zone
    /// fix for the time zone files.
    System(SystemFile, Option<TimeZone>),
    /// Nothing the tool can write.
    Manual(Manual),
}

/// One finding's worth: the bind(s) and what replaces them.
#[derive(Debug, Clone)]
pub struct Item<'m> {
    pub owner: BindOwner,
    /// The elements the fix removes; the finding is about the first.
    pub parts: Vec<Part<'m>>,
    pub fate: Fate,
}

impl Item<'_> {
    pub fn first(&self) -> &Part<'_> {
        &self.parts[0]
    }
}

/// The module's storage fixes.
pub struct Plan<'m> {
    pub items: Vec<Item<'m>>,
    pub writer: MountsWriter,
}

impl<'m> Plan<'m> {
    /// The items one rule reports.
    pub fn of_owner(&self, owner: BindOwner) -> impl Iterator<Item = &Item<'m>> {
        self.items.iter().filter(move |i| i.owner == owner)
    }

    /// The fixes of `module`'s binds; `shares` says which host paths are the FPGA device's shares.
    pub fn of(module: &'m Module, shares: ShareRoots<'_>) -> Plan<'m> {
        let writer = MountsWriter::of(module);
        let mut items: Vec<Item<'m>> = Vec::new();
        if binds(module).next().is_none() && mounts(module).is_empty() {
            return Plan { items, writer };
        }
        // Share names STO002 proposes, by host folder, so that two folders never become one share.
        let mut shares_by_source: HashMap<&str, String> = HashMap::new();
        let mut used_shares: Vec<String> = mounts(module)
            .iter()
            .filter(|m| MountType::of(m) == Some(MountType::Volume))
            .filter_map(|m| m.source().map(str::to_owned))
            .collect();
        for (_, b) in binds(module) {
            match owner(b, &shares) {
                BindOwner::Share => used_shares.extend(shares.share_of(&b.source).map(|(s, _)| s.to_owned())),
                BindOwner::NamedVolume => used_shares.push(volume_share(&b.source)),
                _ => {}
            }
        }
        let mut zone_fix: Option<String> = None;

        for (entry, b) in binds(module) {
            let part = Part {
                at: entry.at.clone(),
                shown: format!("bind `{}`", entry.raw.as_deref().unwrap_or_default()),
                source: &b.source,
                target: &b.target,
                options: b.options.as_deref(),
                read_only: b.read_only(),
                in_binds: true,
            };
            let owner = owner(b, &shares);
            let volume = |source: String| Fate::Mount {
                mount: NewMount { kind: MountType::Volume, source, target: b.target.clone(), read_only: b.read_only() },
                also_at: None,
            };
            let host = |source: &str| Fate::Mount {
                mount: NewMount {
                    kind: MountType::Bind,
                    source: source.to_owned(),
                    target: b.target.clone(),
                    read_only: b.read_only(),
                },
                also_at: None,
            };
            let fate = match owner {
                BindOwner::Windows => Fate::Manual(Manual::Windows),
                BindOwner::Share => volume(shares.share_of(&b.source).map(|(s, _)| s.to_owned()).unwrap_or_default()),
                BindOwner::NamedVolume => volume(volume_share(&b.source)),
                BindOwner::HostPath if !b.source.starts_with('/') && !starts_with_placeholder(&b.source) => {
                    Fate::Manual(Manual::Relative)
                }
                // A folder filled in at deploy time stays as written: its name is not known here.
                BindOwner::HostPath if is_data_folder(&b.source) && !contains_placeholder(&b.source) => {
                    let share = match shares_by_source.get(b.source.trim_end_matches('/')) {
                        Some(s) => s.clone(),
                        None => {
                            let s = unique(share_name(name(&b.source)), &used_shares);
                            used_shares.push(s.clone());
                            shares_by_source.insert(b.source.trim_end_matches('/'), s.clone());
                            s
                        }
                    };
                    volume(share)
                }
                BindOwner::HostPath => host(&b.source),
                BindOwner::File => file_fate(module, &part, &mut zone_fix),
            };
            push(&mut items, owner, part, fate);
        }
        // Files bound through `Mounts` entries of type bind (STO004).
        for m in mounts(module) {
            let (Some(MountType::Bind), Some(source), Some(target)) = (MountType::of(m), m.source(), m.target()) else {
                continue;
            };
            if is_windows(source) || !(is_file(source) || is_file(target)) {
                continue;
            }
            let part = Part {
                at: m.at.clone(),
                shown: format!("`Mounts` bind `{source}` → `{target}`"),
                source,
                target,
                options: None,
                read_only: m.is_read_only(),
                in_binds: false,
            };
            let fate = file_fate(module, &part, &mut zone_fix);
            push(&mut items, BindOwner::File, part, fate);
        }
        settle(module, &mut items);
        Plan { items, writer }
    }
}

/// The share a Docker named volume becomes: its name made a share name, placeholders kept as
/// written (they are data, filled in at deploy time).
pub fn volume_share(volume: &str) -> String {
    if contains_placeholder(volume) { volume.to_owned() } else { share_name(volume) }
}

/// `name`, or `name-2`, `name-3`… when another folder's share already has it.
fn unique(name: String, used: &[String]) -> String {
    if !used.contains(&name) {
        return name;
    }
    (2..).map(|n| format!("{name}-{n}")).find(|n| !used.contains(n)).unwrap_or(name)
}

/// What replaces a bind of a file: nothing for a system file Kubernetes provides, nothing the
/// tool can write for sockets, devices and files of system folders, else its folder.
fn file_fate(module: &Module, part: &Part<'_>, zone_fix: &mut Option<String>) -> Fate {
    if let Some(file) = SystemFile::of(part.source, part.target) {
        let tz = file.is_time_zone().then(|| {
            if let Some(v) = module.env_value("TZ") {
                return TimeZone::Already(v.to_owned());
            }
            match zone_fix {
                Some(other) => TimeZone::WithOther(other.clone()),
                None => {
                    *zone_fix = Some(part.shown.clone());
                    match zone_of(part.source) {
                        Some(z) => TimeZone::Set { zone: z.to_owned(), known: true },
                        None => TimeZone::Set { zone: "UTC".to_owned(), known: false },
                    }
                }
            }
        });
        return Fate::System(file, tz);
    }
    if let Some(reason) = manual_file(part) {
        return Fate::Manual(reason);
    }
    Fate::Mount {
        mount: NewMount {
            kind: MountType::Bind,
            source: parent(part.source).to_owned(),
            target: parent(part.target).to_owned(),
            read_only: part.read_only,
        },
        also_at: None,
    }
}

/// Why a bind of a file needs a change to the module rather than a folder mount, if it does.
fn manual_file(part: &Part<'_>) -> Option<Manual> {
    let (source, target) = (part.source, part.target);
    if is_docker(source) || is_docker(target) {
        return Some(Manual::Docker(if is_docker(source) { source } else { target }.to_owned()));
    }
    if is_device(source) {
        return Some(Manual::Device(source.to_owned()));
    }
    if starts_with_placeholder(source) || is_volume_name(source) {
        return Some(Manual::DeployTime);
    }
    let dir = [parent(source), parent(target)].into_iter().find(|p| is_system_dir(p))?;
    Some(Manual::SystemFolder { file: if is_file(source) { source } else { target }.to_owned(), dir: dir.to_owned() })
}

/// Adds an item; file binds of one folder mounted at one place join the first one's item.
fn push<'m>(items: &mut Vec<Item<'m>>, owner: BindOwner, part: Part<'m>, fate: Fate) {
    if let Fate::Mount { mount, .. } = &fate
        && owner == BindOwner::File && let Some(item) = items.iter_mut().find(|i| {
        i.owner == BindOwner::File
            && matches!(&i.fate, Fate::Mount { mount: m, .. } if m.source == mount.source && m.target == mount.target)
    }) {
        if let Fate::Mount { mount: m, .. } = &mut item.fate {
            m.read_only &= mount.read_only;
        }
        item.parts.push(part);
        return;
    }
    items.push(Item { owner, parts: vec![part], fate });
}

/// Decides, in order, which new mounts would land on a path something already mounts: those only
/// remove their bind. What stays in place (other `Mounts` entries, `k8s-experimental` volumes,
/// binds no fix removes) is there first.
fn settle(module: &Module, items: &mut [Item<'_>]) {
    let mut taken: Vec<(String, Occupant)> = Vec::new();
    let replaced: Vec<&Pointer> = items
        .iter()
        .filter(|i| !matches!(i.fate, Fate::Manual(_)))
        .flat_map(|i| i.parts.iter().map(|p| &p.at))
        .collect();
    for m in mounts(module).iter().filter(|m| !replaced.contains(&&m.at)) {
        if let Some(target) = m.target() {
            let kind = MountType::of(m);
            let source = m.source().map(str::to_owned);
            let what = format!(
                "`Mounts` entry {}{}",
                m.index,
                match (m.kind(), &source) {
                    (Some(k), Some(s)) => format!(" ({k} `{s}`)"),
                    (Some(k), None) => format!(" ({k})"),
                    _ => String::new(),
                }
            );
            taken.push((path_key(target).to_owned(), Occupant { what, kind, source }));
        }
    }
    for e in extra_mounts(module) {
        let what = match &e.volume {
            Some(v) => format!("volume `{v}` of `k8s-experimental.volumes`"),
            None => "`k8s-experimental.volumes`".to_owned(),
        };
        taken.push((path_key(&e.path).to_owned(), Occupant { what, kind: None, source: None }));
    }
    for i in items.iter().filter(|i| matches!(i.fate, Fate::Manual(_))) {
        for p in i.parts.iter().filter(|p| p.in_binds) {
            let occupant =
                Occupant { what: p.shown.clone(), kind: Some(MountType::Bind), source: Some(p.source.into()) };
            taken.push((path_key(p.target).to_owned(), occupant));
        }
    }
    for item in items.iter_mut() {
        let Fate::Mount { mount, also_at } = &mut item.fate else { continue };
        let key = path_key(&mount.target).to_owned();
        if let Some((_, occupant)) = taken.iter().find(|(t, _)| *t == key) {
            item.fate = Fate::Covered { by: occupant.clone(), instead: mount.clone() };
            continue;
        }
        if mount.kind == MountType::Volume {
            *also_at = mounts(module)
                .iter()
                .filter(|m| MountType::of(m) == Some(MountType::Volume) && m.source() == Some(mount.source.as_str()))
                .find_map(|m| m.target().map(str::to_owned));
        }
        let what = format!("the `Mounts` entry suggested for {}", item.parts[0].shown);
        taken.push((key, Occupant { what, kind: Some(mount.kind), source: Some(mount.source.clone()) }));
    }
}

impl Item<'_> {
    /// Removing every bind the item covers.
    pub fn removals(&self, module: &Module) -> Vec<Edit> {
        self.parts.iter().map(|p| Edit::Remove { at: module.create_options_at(p.at.clone()) }).collect()
    }

    /// Removing the binds and appending `mount`; the index of the appended entry's edit.
    pub fn replace_with(&self, module: &Module, writer: &MountsWriter, mount: &NewMount) -> (Vec<Edit>, usize) {
        let mut edits = self.removals(module);
        edits.push(Edit::Append { at: module.create_options_at(writer.at.clone()), value: mount.value(writer.case) });
        let at = edits.len() - 1;
        (edits, at)
    }

    /// The fix of a bind whose container path is mounted already: remove the bind only. Safe when
    /// the mount there is the one the fix would have added.
    pub fn covered(&self, module: &Module, by: &Occupant, instead: &NewMount) -> Suggestion {
        let target = &instead.target;
        if by.same_as(instead) {
            let summary = format!(
                "remove it: {} already mounts {} `{}` at {target}",
                by.what,
                instead.kind.name(),
                instead.source
            );
            return Suggestion::new(summary, self.removals(module));
        }
        let summary = format!(
            "remove it: {} already mounts {target}; Kubernetes rejects two mounts at one path, so the module finds there what that mount holds",
            by.what
        );
        Suggestion::new(summary, self.removals(module)).review()
    }
}
