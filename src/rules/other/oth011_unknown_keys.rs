//! OTH011: createOptions keys Docker does not know (misspelt or misplaced), and keys it knows given
//! a JSON type it cannot read. Docker and the agents skip an unknown key without a word, so
//! `HostConfir` loses every setting below it on the FPGA device and on the GPU device alike.

use super::{deployed_by_device, listed, shadowed_spelling};
use crate::device::Target;
use crate::manifest::model::{
    self, CONTAINER_KEYS, Container, DEVICE_KEYS, DEVICE_REQUEST_KEYS, HEALTHCHECK_KEYS, HOST_CONFIG_KEYS, HostConfig,
    LOG_CONFIG_KEYS, MOUNT_KEYS, OtherKey, PORT_MAPPING_KEYS, RESTART_POLICY_KEYS, ULIMIT_KEYS,
};
use crate::manifest::placeholder::contains_placeholder;
use crate::manifest::{Module, Pointer, json_kind};
use crate::rules::{
    BOTH, Check, Context, Edit, Finding, FixAvailability, Rule, RuleDoc, Section, Severity, Suggestion,
};
use serde_json::Value;

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "OTH011",
        section: Section::Other,
        severity: Severity::Warning,
        fix: FixAvailability::Sometimes,
        targets: BOTH,
        title: "createOptions key Docker does not know, or of the wrong type",
        detects: "A key Docker does not know at a level of createOptions it reads: the top level, `HostConfig`, a `Mounts` entry, a `PortBindings` mapping, a `Devices` or `DeviceRequests` entry, `RestartPolicy`, `LogConfig`, `Healthcheck`, an `Ulimits` entry. It names the closest Docker key (`HostConfir` → `HostConfig`), or the level where the key belongs (`Binds` at the top → `HostConfig.Binds`). Also keys Docker knows given a JSON type it cannot read, for the settings the agent translates: `Env` (a list of `NAME=value`), `HostConfig.Binds` (a list), `ExposedPorts` and `Labels` (objects), `HostConfig` (an object). `k8s-experimental` and its look-alikes are OTH007's (OTH101's in the VM); keys that are placeholders are left out, and so is edgeAgent on the managed Kubernetes target (the device deploys its own); in the VM edgeAgent runs the manifest's settings and is checked too. Both targets: Docker ignores unknown keys in the VM as it did on the FPGA device. Also a key written twice in different cases at the top level or in `HostConfig` (`Env` and `ENV`): Docker and the agents read the later one only (`Entrypoint` and `Cmd` are OTH003's).",
        why: "Docker (Go's JSON decoder) and the edge agents (Newtonsoft) skip keys they do not know without a word, so a misspelt `HostConfir` or `PortBinding` silently drops its settings (binds, ports, devices) on the FPGA device already, and on the GPU device too. A known key of the wrong type is not read either: the module is refused, or runs without the setting.",
        before: r#"{"HostConfir": {"Binds": ["/data:/data"]}, "Env": {"LEVEL": "debug"}}"#,
        after: r#"{"HostConfig": {"Binds": ["/data:/data"]}, "Env": ["LEVEL=debug"]}"#,
        fix_safety: "Removing the earlier of two spellings is safe: no one reads it. Renaming a misspelt key is offered as safe when exactly one Docker key is close and that key is not set already; the settings it holds then take effect (they did not on the FPGA device either), so read the message. Moving a key to the level where Docker reads it is only shown: the setting never applied on the FPGA device, and moving it makes it apply (and other rules then judge it), so take it explicitly. A value is converted only when the conversion is certain (`Env` of names and values → `[\"NAME=value\"]`, one bind string → a list of one, a list of ports → an object, `NAME=value` labels → an object).",
    },
    check: Check::Module(check),
};

/// A level of createOptions: its name in messages, the keys Docker knows there, where it is and
/// which keys are set (by their documented spelling) for the fix not to clobber one.
struct Level<'a> {
    shown: String,
    known: &'static [&'static str],
    keys: Vec<OtherKey>,
    has: Box<dyn Fn(&str) -> bool + 'a>,
}

fn check(ctx: &Context, module: &Module) -> Vec<Finding> {
    // In the VM, edgeAgent runs the manifest's own settings: only the managed device ignores them.
    let read = ctx.device.target == Target::Vm || !deployed_by_device(module);
    let Some(c) = module.container().filter(|_| read) else { return Vec::new() };
    let mut out = Vec::new();
    let hc = c.host_config.as_ref().filter(|h| h.is_object);
    // The top level and HostConfig: misplaced keys first, then misspelt ones.
    let top: Vec<&OtherKey> =
        c.other.iter().filter(|o| o.docker.is_none() && !model::is_unset(&o.field.value)).collect();
    for o in top {
        out.extend(misplaced_at_top(module, c, o).or_else(|| unknown(module, &top_level(c), o)));
    }
    if let Some(h) = hc {
        let level = Level {
            shown: format!("`{}`", h.key),
            known: HOST_CONFIG_KEYS,
            keys: Vec::new(),
            has: Box::new(|k| h.has(k)),
        };
        let unread = |o: &&OtherKey| {
            o.docker.is_none() && !model::is_k8s_section_name(&o.field.key) && !model::is_unset(&o.field.value)
        };
        for o in h.other.iter().filter(unread) {
            out.extend(misplaced_in_host_config(module, c, h, o).or_else(|| unknown(module, &level, o)));
        }
    }
    for level in inner_levels(c, hc) {
        for o in level.keys.iter().filter(|o| o.docker.is_none()) {
            out.extend(unknown(module, &level, o));
        }
    }
    out.extend(types(module, c, hc));
    // A key written twice: the earlier spelling is read by no one (Entrypoint and Cmd are OTH003's).
    let top = c.shadowed.iter().filter(|s| !["Entrypoint", "Cmd"].iter().any(|k| s.key.eq_ignore_ascii_case(k)));
    for s in top {
        out.push(shadowed_spelling(&RULE, module, s, &s.key, "Docker and the agents read", Severity::Warning));
    }
    for s in hc.iter().flat_map(|h| h.shadowed.iter().map(move |s| (h, s))) {
        let (h, s) = s;
        let shown = format!("{}.{}", h.key, s.key);
        out.push(shadowed_spelling(&RULE, module, s, &shown, "Docker and the agents read", Severity::Warning));
    }
    out
}

fn top_level(c: &Container) -> Level<'_> {
    Level { shown: "createOptions".to_owned(), known: CONTAINER_KEYS, keys: Vec::new(), has: Box::new(|k| c.has(k)) }
}

/// The objects below `HostConfig` and `Healthcheck` whose keys Docker reads, with their keys.
fn inner_levels<'a>(c: &'a Container, hc: Option<&'a HostConfig>) -> Vec<Level<'a>> {
    let mut out = Vec::new();
    let from_keys = |shown: String, known: &'static [&'static str], keys: Vec<OtherKey>| {
        let set: Vec<&'static str> = keys.iter().filter_map(|k| k.docker).collect();
        Level { shown, known, keys, has: Box::new(move |k| set.contains(&k)) }
    };
    if let Some(h) = c.other.iter().find(|o| o.docker == Some("Healthcheck"))
        && let Some(keys) = h.field.keys(HEALTHCHECK_KEYS)
    {
        out.push(from_keys(format!("`{}`", h.field.key), HEALTHCHECK_KEYS, keys));
    }
    let Some(hc) = hc else { return out };
    for m in hc.mounts.iter().flat_map(|m| m.entries.iter().flatten()) {
        let keys: Vec<OtherKey> = m.other.clone();
        let typed = [
            ("Type", m.kind.is_some()),
            ("Source", m.source.is_some()),
            ("Target", m.target.is_some()),
            ("ReadOnly", m.read_only.is_some()),
        ];
        let set: Vec<&'static str> =
            keys.iter().filter_map(|k| k.docker).chain(typed.iter().filter(|t| t.1).map(|t| t.0)).collect();
        out.push(Level {
            shown: format!("`Mounts` entry {}", m.index),
            known: MOUNT_KEYS,
            keys,
            has: Box::new(move |k| set.contains(&k)),
        });
    }
    for b in hc.port_bindings.iter().flat_map(|p| p.entries.iter().flatten()) {
        for m in b.mappings.iter().flatten().filter(|m| m.is_object) {
            let set = [("HostPort", m.host_port.is_some()), ("HostIp", m.host_ip.is_some())];
            let set: Vec<&'static str> = set.iter().filter(|t| t.1).map(|t| t.0).collect();
            out.push(Level {
                shown: format!("the `{}` mapping", b.port.key),
                known: PORT_MAPPING_KEYS,
                keys: m.other.clone(),
                has: Box::new(move |k| set.contains(&k)),
            });
        }
    }
    for d in hc.devices.iter().flat_map(|d| d.entries.iter().flatten()).filter(|d| d.value.is_object()) {
        let set = [
            ("PathOnHost", d.path_on_host.is_some()),
            ("PathInContainer", d.path_in_container.is_some()),
            ("CgroupPermissions", d.cgroup_permissions.is_some()),
        ];
        let set: Vec<&'static str> = set.iter().filter(|t| t.1).map(|t| t.0).collect();
        out.push(Level {
            shown: format!("`Devices` entry {}", d.index),
            known: DEVICE_KEYS,
            keys: d.other.clone(),
            has: Box::new(move |k| set.contains(&k)),
        });
    }
    for r in hc.device_requests.iter().flat_map(|d| d.entries.iter().flatten()) {
        let set = [
            ("Driver", r.driver.is_some()),
            ("Count", r.count.is_some()),
            ("DeviceIDs", r.device_ids.is_some()),
            ("Capabilities", r.capabilities.is_some()),
            ("Options", r.options.is_some()),
        ];
        let set: Vec<&'static str> = set.iter().filter(|t| t.1).map(|t| t.0).collect();
        out.push(Level {
            shown: format!("`DeviceRequests` entry {}", r.index),
            known: DEVICE_REQUEST_KEYS,
            keys: r.other.clone(),
            has: Box::new(move |k| set.contains(&k)),
        });
    }
    for o in &hc.other {
        match o.docker {
            Some("RestartPolicy") | Some("LogConfig") => {
                let known = if o.docker == Some("RestartPolicy") { RESTART_POLICY_KEYS } else { LOG_CONFIG_KEYS };
                if let Some(keys) = o.field.keys(known) {
                    out.push(from_keys(format!("`HostConfig.{}`", o.field.key), known, keys));
                }
            }
            Some("Ulimits") => {
                for (i, u) in o.field.value.as_array().into_iter().flatten().enumerate() {
                    if let Some(keys) = model::object_keys(u, &o.field.at.index(i), ULIMIT_KEYS) {
                        out.push(from_keys(format!("`Ulimits` entry {i}"), ULIMIT_KEYS, keys));
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// Spellings of the Engine API documentation's own example that Docker's decoder does not read
/// (the Windows-only I/O limits), with the key it reads: a closest-key guess gets them wrong.
const DOCUMENTED_ALIASES: &[(&str, &str)] = &[("MaximumIOps", "IOMaximumIOps"), ("MaximumIOBps", "IOMaximumBandwidth")];

/// The Docker key an unknown one was probably meant to be.
#[derive(Debug, PartialEq, Eq)]
enum Closest {
    /// One key is closest, close enough to be a misspelling.
    One(&'static str),
    /// Several are equally close.
    Several(Vec<&'static str>),
    None,
}

/// The key of `known` closest to `key`: compared as lower-case letters and digits (so `host_config`
/// is `HostConfig`), by Damerau-Levenshtein distance, at most a third of the key's length (one
/// edit for a key of up to five characters).
fn closest(key: &str, known: &[&'static str]) -> Closest {
    if let Some((_, to)) = DOCUMENTED_ALIASES.iter().find(|(a, to)| a.eq_ignore_ascii_case(key) && known.contains(to)) {
        return Closest::One(to);
    }
    let k = model::squash(key);
    if k.is_empty() {
        return Closest::None;
    }
    let limit = (k.chars().count() / 3).max(1);
    let scored: Vec<(usize, &'static str)> =
        known.iter().map(|c| (strsim::damerau_levenshtein(&k, &model::squash(c)), *c)).collect();
    let Some(best) = scored.iter().map(|s| s.0).min().filter(|d| *d <= limit) else { return Closest::None };
    let at_best: Vec<&'static str> = scored.iter().filter(|s| s.0 == best).map(|s| s.1).collect();
    match at_best[..] {
        [one] => Closest::One(one),
        _ => Closest::Several(at_best),
    }
}

/// An unknown key at `level`, with the closest Docker key there.
fn unknown(module: &Module, level: &Level<'_>, o: &OtherKey) -> Option<Finding> {
    let key = &o.field.key;
    // A key holding nothing (`0`, `""`, `{}`) loses nothing by being skipped.
    if contains_placeholder(key) || model::is_unset(&o.field.value) {
        return None;
    }
    let at = module.create_options_at(o.field.at.clone());
    let unread = format!("Docker does not know `{key}` in {} and skips it, with what it holds", level.shown);
    let finding = |message: String| Finding::new(&RULE, Some(module), at.clone(), message);
    Some(match closest(key, level.known) {
        Closest::One(meant) if (level.has)(meant) => {
            finding(format!("{unread}; did you mean `{meant}`? It is set too: merge them by hand"))
        }
        Closest::One(meant) => finding(format!("{unread}; did you mean `{meant}`?")).suggest(Suggestion::new(
            format!("rename `{key}` to `{meant}`"),
            vec![Edit::RenameKey { at: at.clone(), to: meant.to_owned() }],
        )),
        Closest::Several(list) => {
            let list: Vec<String> = list.iter().map(|k| format!("`{k}`")).collect();
            finding(format!("{unread}; did you mean {}?", listed(&list).replacen(" and ", " or ", 1)))
        }
        Closest::None => finding(format!("{unread}: if it was meant as a Docker setting, correct it")),
    })
}

/// A `HostConfig` key at the top level of createOptions.
fn misplaced_at_top(module: &Module, c: &Container, o: &OtherKey) -> Option<Finding> {
    let meant = exactly(&o.field.key, HOST_CONFIG_KEYS)?;
    let hc = c.host_config.as_ref();
    let shown = hc.map_or("HostConfig", |h| h.key.as_str());
    let message = format!(
        "`{}` is a `HostConfig` setting: at the top of createOptions Docker skips it, with what it holds",
        o.field.key
    );
    let at = module.create_options_at(o.field.at.clone());
    let finding = Finding::new(&RULE, Some(module), at.clone(), message);
    match hc {
        Some(h) if !h.is_object => Some(finding),
        Some(h) if h.has(meant) => Some(Finding {
            message: format!("{}; `{shown}.{meant}` is set too: merge them by hand", finding.message),
            ..finding
        }),
        _ => {
            let to = hc.map_or_else(|| Pointer::root().child("HostConfig"), |h| h.at.clone()).child(meant);
            Some(
                finding.suggest(
                    Suggestion::new(
                        format!("move `{}` into `{shown}` as `{meant}`", o.field.key),
                        vec![
                            Edit::Set { at: module.create_options_at(to), value: o.field.value.clone() },
                            Edit::Remove { at },
                        ],
                    )
                    .display_only(),
                ),
            )
        }
    }
}

/// A top-level key inside `HostConfig`.
fn misplaced_in_host_config(module: &Module, c: &Container, h: &HostConfig, o: &OtherKey) -> Option<Finding> {
    let meant = exactly(&o.field.key, CONTAINER_KEYS)?;
    let at = module.create_options_at(o.field.at.clone());
    let message = format!(
        "`{}.{}` belongs at the top of createOptions: inside `{}` Docker skips it, with what it holds",
        h.key, o.field.key, h.key
    );
    let finding = Finding::new(&RULE, Some(module), at.clone(), message);
    if c.has(meant) {
        return Some(Finding {
            message: format!("{}; `{meant}` is set there too: merge them by hand", finding.message),
            ..finding
        });
    }
    Some(
        finding.suggest(
            Suggestion::new(
                format!("move `{}` to the top of createOptions as `{meant}`", o.field.key),
                vec![
                    Edit::Set {
                        at: module.create_options_at(Pointer::root().child(meant)),
                        value: o.field.value.clone(),
                    },
                    Edit::Remove { at },
                ],
            )
            .display_only(),
        ),
    )
}

/// The key of `known` that `key` spells in another case or with `_`/`-` (`host_config`).
fn exactly(key: &str, known: &[&'static str]) -> Option<&'static str> {
    let k = model::squash(key);
    known.iter().copied().find(|c| model::squash(c) == k)
}

/// Known keys the agent translates, given a JSON type it cannot read.
fn types(module: &Module, c: &Container, hc: Option<&HostConfig>) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut push = |key_at: &Pointer, shown: String, value: &Value, expected: &str, fixed: Option<Value>| {
        let at = module.create_options_at(key_at.clone());
        let message = format!(
            "{shown} is {}, but Docker reads {expected}: the setting does not reach the container",
            json_kind(value)
        );
        let f = Finding::new(&RULE, Some(module), at.clone(), message).severity(Severity::Error);
        out.push(match fixed {
            Some(v) => f.suggest(Suggestion::new(format!("write {shown} as {}", v), vec![Edit::Set { at, value: v }])),
            None => f,
        });
    };
    if let Some(env) = c.env.as_ref().filter(|e| e.entries.is_none() && !e.value.is_null()) {
        let fixed = match &env.value {
            Value::Object(o) => o
                .iter()
                .map(|(k, v)| crate::manifest::scalar_text(v).map(|t| Value::String(format!("{k}={t}"))))
                .collect::<Option<Vec<Value>>>()
                .map(Value::Array),
            Value::String(s) if s.contains('=') => Some(Value::Array(vec![Value::String(s.clone())])),
            _ => None,
        };
        push(&env.at, format!("`{}`", env.key), &env.value, "a list of `NAME=value` strings", fixed);
    }
    if let Some(ports) = c.exposed_ports.as_ref()
        && let Some(v) = ports.written.as_ref().filter(|v| !v.is_null())
    {
        let fixed = v.as_array().and_then(|a| {
            a.iter()
                .map(|p| p.as_str().map(|s| (s.to_owned(), Value::Object(serde_json::Map::new()))))
                .collect::<Option<serde_json::Map<String, Value>>>()
                .filter(|m| !m.is_empty())
                .map(Value::Object)
        });
        push(&ports.at, format!("`{}`", ports.key), v, "an object of `port/protocol` keys (`{\"80/tcp\": {}}`)", fixed);
    }
    if let Some(labels) = c.labels.as_ref().filter(|l| !l.value.is_null() && !l.value.is_object()) {
        let fixed = labels.value.as_array().and_then(|a| {
            a.iter()
                .map(|l| l.as_str()?.split_once('=').map(|(k, v)| (k.to_owned(), Value::String(v.to_owned()))))
                .collect::<Option<serde_json::Map<String, Value>>>()
                .filter(|m| !m.is_empty())
                .map(Value::Object)
        });
        push(&labels.at, format!("`{}`", labels.key), &labels.value, "an object of label names and values", fixed);
    }
    if let Some(h) = c.host_config.as_ref()
        && let Some(v) = h.written.as_ref().filter(|v| !v.is_null())
    {
        push(&h.at, format!("`{}`", h.key), v, "an object of host settings", None);
    }
    if let Some(binds) = hc.and_then(|h| h.binds.as_ref()).filter(|b| b.entries.is_none() && !b.value.is_null()) {
        let fixed =
            binds.value.as_str().filter(|s| s.contains(':')).map(|s| Value::Array(vec![Value::String(s.to_owned())]));
        push(
            &binds.at,
            format!("`HostConfig.{}`", binds.key),
            &binds.value,
            "a list of `source:target` strings",
            fixed,
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_closest_docker_key() {
        assert_eq!(closest("HostConfir", CONTAINER_KEYS), Closest::One("HostConfig"));
        assert_eq!(closest("host_config", CONTAINER_KEYS), Closest::One("HostConfig"));
        assert_eq!(closest("Evn", CONTAINER_KEYS), Closest::One("Env"));
        assert_eq!(closest("PortBinding", HOST_CONFIG_KEYS), Closest::One("PortBindings"));
        assert_eq!(closest("Privilege", HOST_CONFIG_KEYS), Closest::One("Privileged"));
        assert_eq!(closest("HostPorts", PORT_MAPPING_KEYS), Closest::One("HostPort"));
        assert_eq!(closest("Sauce", MOUNT_KEYS), Closest::None, "two edits on a five-letter key is too far");
        assert_eq!(closest("Capability", DEVICE_REQUEST_KEYS), Closest::One("Capabilities"));
        assert_eq!(closest("replicas", CONTAINER_KEYS), Closest::None);
        assert_eq!(closest("CpuShare", HOST_CONFIG_KEYS), Closest::One("CpuShares"));
        assert_eq!(closest("Devise", HOST_CONFIG_KEYS), Closest::One("Devices"));
        assert_eq!(closest("MaximumIOBps", HOST_CONFIG_KEYS), Closest::One("IOMaximumBandwidth"));
    }
}
