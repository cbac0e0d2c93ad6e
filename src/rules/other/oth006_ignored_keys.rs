//! OTH006: Docker settings the Kubernetes agent ignores, not covered by a more specific rule.

use super::{deployed_by_device, listed};
use crate::manifest::Module;
use crate::manifest::model::{OtherKey, RESTART_POLICY_KEYS, is_unset};
use crate::rules::{Check, Context, Edit, Finding, FixAvailability, K8S, Rule, RuleDoc, Section, Severity, Suggestion};
use Place::{HostConfig as H, Top as T};

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "OTH006",
        section: Section::Other,
        severity: Severity::Warning,
        fix: FixAvailability::Sometimes,
        targets: K8S,
        title: "Docker setting the Kubernetes agent ignores",
        detects: "Keys the agent reads but ignores and that no other rule handles: `HostConfig.CpusetCpus`, `Ulimits` and a `RestartPolicy` other than always or unless-stopped (warning, removed); `LogConfig` and a `RestartPolicy` of always or unless-stopped, whose loss changes nothing on the device (info, removed). Docker settings the agent does not translate at all with a visible effect (`Healthcheck`, `StopSignal`, `StopTimeout`, `HostConfig.SecurityOpt`, `DeviceCgroupRules`, `ReadonlyRootfs`, `Init`, `GroupAdd`, `Tmpfs`, `Links`, `VolumesFrom`, `AutoRemove`, I/O and cgroup tuning…) are reported as info and kept. Keys are matched ignoring case, where Docker places them; keys set to Docker's default (`\"\"`, `0`, `false`, empty) are not reported, nor edgeAgent's (the device deploys it). A removal that would take a placeholder out of the template says so and needs review. `Hostname` is OTH016's, `User`, `CapAdd`, `CapDrop` and `Sysctls` OTH018's.",
        why: "The Kubernetes agent builds the pod from a fixed set of createOptions keys; everything else has no effect on the GPU device, so the module silently runs without it. Removing the ignored keys makes the manifest say what the device does; where Kubernetes has an equivalent the message names it.",
        before: r#"{"HostConfig": {"CpusetCpus": "0-1", "LogConfig": {"Type": "json-file"}, "Init": true}}"#,
        after: r#"{"HostConfig": {"Init": true}}"#,
        fix_safety: "Nothing changes on the GPU device, where the keys are ignored anyway. The migrated manifest no longer carries them to the FPGA device: keep the original for it. If the module depends on the setting (CPU pinning, a ulimit), use the replacement the message names. A setting that holds a placeholder is removed only after review: the deployment tooling no longer fills it in.",
    },
    check: Check::Module(check),
};

/// Where Docker reads a key.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    Top,
    HostConfig,
}

/// What becomes of an ignored key.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Fate {
    /// In the guide's "read but ignored" list, and the module may miss it: a warning, removed.
    Lost,
    /// In that list, but its loss changes nothing on the device: info, removed.
    Harmless,
    /// Not translated, with a visible effect: info, kept (the engineer decides).
    Kept,
}

/// A key the agent ignores and what replaces it.
struct Ignored {
    key: &'static str,
    place: Place,
    fate: Fate,
    instead: &'static str,
}

const fn warn(key: &'static str, place: Place, instead: &'static str) -> Ignored {
    Ignored { key, place, fate: Fate::Lost, instead }
}

const fn harmless(key: &'static str, place: Place, instead: &'static str) -> Ignored {
    Ignored { key, place, fate: Fate::Harmless, instead }
}

const fn info(key: &'static str, place: Place, instead: &'static str) -> Ignored {
    Ignored { key, place, fate: Fate::Kept, instead }
}

const TUNING: &str =
    "Kubernetes manages this tuning itself; only `k8s-experimental.resources` cpu and memory limits apply";
const RUNTIME: &str = "the container runtime's defaults on the device apply";

const IGNORED: &[Ignored] = &[
    // `Hostname` is OTH016's; `User`, `CapAdd`, `CapDrop` and `Sysctls` are OTH018's, which say what
    // replaces them.
    warn(
        "CpusetCpus",
        H,
        "Kubernetes places the container on CPUs itself; give it a CPU amount in `k8s-experimental.resources.limits.cpu`",
    ),
    warn("Ulimits", H, "Kubernetes has no per-container ulimits; the node's limits apply"),
    warn("RestartPolicy", H, "pods always restart (Kubernetes restartPolicy Always)"),
    harmless("LogConfig", H, "Kubernetes keeps and rotates container logs itself, so nothing is lost"),
    info("Healthcheck", T, "no liveness probe is made from it, so a hung module is not restarted"),
    info("StopSignal", T, "Kubernetes stops containers with SIGTERM"),
    info("StopTimeout", T, "Kubernetes waits its own grace period (30 s) before killing the container"),
    info("MacAddress", T, "the pod gets its own address"),
    info("NetworkDisabled", T, "the module has a network on Kubernetes"),
    info("Domainname", T, "the pod's DNS domain is the cluster's"),
    info("SecurityOpt", H, "no AppArmor, seccomp or SELinux options are applied"),
    info(
        "DeviceCgroupRules",
        H,
        "no device access rules are applied: request devices as resources (`nvidia.com/gpu`) or use `Privileged`",
    ),
    info("ReadonlyRootfs", H, "the container's root file system stays writable"),
    info(
        "Init",
        H,
        "no init process is added: the module's own process is PID 1 and must reap children and handle signals",
    ),
    info(
        "GroupAdd",
        H,
        "supplementary groups go in `k8s-experimental.securityContext.supplementalGroups` (numeric ids), for the whole pod",
    ),
    info("Tmpfs", H, "no tmpfs is mounted: use a `k8s-experimental.volumes` emptyDir with `medium: Memory`"),
    info(
        "Links",
        H,
        "there are no container links: reach the other module by its Service name, `<lower-cased name>:<HostPort>`",
    ),
    info("VolumesFrom", H, "containers share no volumes this way: mount the same share volume in both modules"),
    info("AutoRemove", H, "pods are restarted, never removed when the module exits"),
    info("PublishAllPorts", H, "only `PortBindings` and `ExposedPorts` become Service ports"),
    info("OomKillDisable", H, TUNING),
    info("OomScoreAdj", H, TUNING),
    info("PidsLimit", H, TUNING),
    info("MemorySwap", H, TUNING),
    info("MemorySwappiness", H, TUNING),
    info("KernelMemory", H, TUNING),
    info("KernelMemoryTCP", H, TUNING),
    info("CpusetMems", H, TUNING),
    info("CpuCount", H, TUNING),
    info("CpuPercent", H, TUNING),
    info("CpuRealtimePeriod", H, TUNING),
    info("CpuRealtimeRuntime", H, TUNING),
    info("BlkioWeight", H, TUNING),
    info("BlkioWeightDevice", H, TUNING),
    info("BlkioDeviceReadBps", H, TUNING),
    info("BlkioDeviceWriteBps", H, TUNING),
    info("BlkioDeviceReadIOps", H, TUNING),
    info("BlkioDeviceWriteIOps", H, TUNING),
    info("IOMaximumIOps", H, TUNING),
    info("IOMaximumBandwidth", H, TUNING),
    info("CgroupParent", H, RUNTIME),
    info("Cgroup", H, RUNTIME),
    info("CgroupnsMode", H, RUNTIME),
    info("UTSMode", H, RUNTIME),
    info("UsernsMode", H, RUNTIME),
    info("Isolation", H, RUNTIME),
    info("MaskedPaths", H, RUNTIME),
    info("ReadonlyPaths", H, RUNTIME),
    info("StorageOpt", H, RUNTIME),
    info("VolumeDriver", H, RUNTIME),
];

fn check(_ctx: &Context, module: &Module) -> Vec<Finding> {
    let Some(c) = module.container().filter(|_| !deployed_by_device(module)) else { return Vec::new() };
    let top = c.other.iter().map(|o| (Place::Top, o));
    let hc = module.host_config().into_iter().flat_map(|h| h.other.iter().map(|o| (Place::HostConfig, o)));
    top.chain(hc)
        .filter(|(_, o)| !is_unset(&o.field.value))
        .filter_map(|(place, o)| {
            let canonical = o.docker?;
            let ignored = IGNORED.iter().find(|i| i.place == place && i.key == canonical)?;
            Some(finding(module, place, o, ignored))
        })
        .collect()
}

fn finding(module: &Module, place: Place, o: &OtherKey, ignored: &Ignored) -> Finding {
    let key = &o.field.key;
    let shown = match place {
        Place::Top => format!("`{key}`"),
        Place::HostConfig => format!("`HostConfig.{key}`"),
    };
    let at = module.create_options_at(o.field.at.clone());
    let mut fate = ignored.fate;
    let mut instead = ignored.instead.to_owned();
    if ignored.key == "RestartPolicy" {
        match restart_policy(o) {
            Restart::Same => {
                fate = Fate::Harmless;
                instead = "pods always restart, as this policy did, so nothing is lost".to_owned();
            }
            Restart::Placeholder(p) => {
                fate = Fate::Harmless;
                instead = format!(
                    "its `Name` is the placeholder `{p}`, filled in at deploy time, and whatever it becomes, pods always restart"
                );
            }
            Restart::Differs(name) => {
                instead = format!(
                    "pods always restart, so where this policy said `{name}` the module is now started again after every exit"
                );
            }
        }
    }
    let held = o.field.placeholders();
    let mut message = format!("{shown} is ignored on the GPU device: {instead}");
    let (severity, remove) = match fate {
        Fate::Lost => (Severity::Warning, true),
        Fate::Harmless => (Severity::Info, true),
        Fate::Kept => (Severity::Info, false),
    };
    if !remove {
        return Finding::new(&RULE, Some(module), at, message).severity(severity);
    }
    let removal = Edit::Remove { at: at.clone() };
    let suggestion = if held.is_empty() {
        Suggestion::new(format!("remove {shown}"), vec![removal])
    } else {
        let list = listed(&held.iter().map(|p| format!("`{p}`")).collect::<Vec<_>>());
        message.push_str(&format!(
            "; it holds the placeholder {list}, filled in at deploy time, which removing it takes out of the template"
        ));
        Suggestion::new(format!("remove {shown} and the placeholder {list} it holds"), vec![removal]).review()
    };
    Finding::new(&RULE, Some(module), at, message).severity(severity).suggest(suggestion)
}

/// A `RestartPolicy` compared with what pods do (always restart).
enum Restart {
    /// `always` or `unless-stopped`: what pods do.
    Same,
    /// A placeholder name.
    Placeholder(String),
    /// `no`, `on-failure`, or something else (as written): the module restarts where it did not.
    Differs(String),
}

fn restart_policy(o: &OtherKey) -> Restart {
    let name = o.field.keys(RESTART_POLICY_KEYS).and_then(|keys| keys.into_iter().find(|k| k.docker == Some("Name")));
    let Some(name) = name else { return Restart::Differs(o.field.shown()) };
    if let Some(p) = name.field.placeholder() {
        return Restart::Placeholder(p.to_owned());
    }
    match name.field.text().map(|t| t.trim().to_ascii_lowercase()).as_deref() {
        Some("always" | "unless-stopped") => Restart::Same,
        _ => Restart::Differs(name.field.shown()),
    }
}
