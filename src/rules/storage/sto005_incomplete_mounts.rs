//! STO005: a `Mounts` entry without `Type`, `Source` or `Target`.

use super::layout::{mounts, mounts_field};
use super::paths::starts_with_placeholder;
use crate::device::Target;
use crate::manifest::model::{Field, Mount};
use crate::manifest::{Module, json_kind};
use crate::rules::{BOTH, Check, Context, Finding, FixAvailability, Rule, RuleDoc, Section, Severity};
use serde_json::Value;

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "STO005",
        section: Section::Storage,
        severity: Severity::Error,
        fix: FixAvailability::Never,
        targets: BOTH,
        title: "`Mounts` entry missing `Type`, `Source` or `Target`",
        detects: "A `Mounts` that is not a list, an element of it that is not an object, and an entry the target refuses (keys are read case-insensitively, as Docker does). Managed Kubernetes: an entry without a non-empty `Type`, `Source` or `Target` (a `tmpfs` entry needs no `Source`: STO006 replaces it). VM: an entry without `Type` (or of a type Docker does not know, but `npipe`: STO104) or `Target`, a `bind` without `Source` or with a relative one, a `tmpfs` with a `Source`, a read-only `volume` without `Source`.",
        why: "Managed Kubernetes: the agent validates every mount before it deploys anything: one incomplete entry makes it reject the whole deployment (InvalidMountException), so no module of the device is updated; an empty `Source` fails it too, when the agent makes a volume name of it. Docker was more lenient (a tmpfs or an anonymous volume needs no source), which is why such entries run on the FPGA device. VM: Docker validates each mount when it creates the container and refuses the ones above (moby/moby `volume/mounts/linux_parser.go`, `validateMountConfigImpl`: `Target` always, `Source` for a bind and as an absolute path, none for a tmpfs, no read-only anonymous volume, \"mount type unknown\" otherwise), so that module is not created.",
        before: r#"{"HostConfig": {"Mounts": [{"Type": "volume", "Target": "/data"}]}}"#,
        after: r#"{"HostConfig": {"Mounts": [{"Type": "volume", "Source": "data", "Target": "/data"}]}}"#,
        fix_safety: "Manual: only the module's author knows which share or folder was meant.",
    },
    check: Check::Module(check),
};

fn check(ctx: &Context, module: &Module) -> Vec<Finding> {
    let Some(field) = mounts_field(module) else { return Vec::new() };
    if !matches!(field.value, Value::Array(_) | Value::Null) {
        return vec![Finding::new(
            &RULE,
            Some(module),
            module.create_options_at(field.at.clone()),
            format!("`{}` is {}, not a list of mounts", field.key, kind(&field.value)),
        )];
    }
    let target = ctx.device.target;
    mounts(module).iter().filter_map(|m| incomplete(module, m, target)).collect()
}

fn incomplete(module: &Module, m: &Mount, target: Target) -> Option<Finding> {
    let location = module.create_options_at(m.at.clone());
    if !m.is_object {
        return Some(Finding::new(
            &RULE,
            Some(module),
            location,
            format!(
                "`Mounts` entry {} is {}, not an object with `Type`, `Source` and `Target`",
                m.index,
                kind(&m.value)
            ),
        ));
    }
    if target == Target::Vm {
        return refused_by_docker(m).map(|why| Finding::new(&RULE, Some(module), location, why));
    }
    let filled = |f: &Option<Field>| f.as_ref().and_then(Field::text).is_some_and(|t| !t.trim().is_empty());
    // A tmpfs has no source (Docker needs none); STO006 replaces the whole entry.
    let tmpfs = m.kind().as_deref() == Some("tmpfs");
    let missing: Vec<&str> = [("Type", &m.kind), ("Source", &m.source), ("Target", &m.target)]
        .into_iter()
        .filter(|(k, f)| !(filled(f) || (tmpfs && *k == "Source")))
        .map(|(k, _)| k)
        .collect();
    if missing.is_empty() {
        return None;
    }
    let mut message = format!(
        "`Mounts` entry {}{} has no {}",
        m.index,
        m.target().map(|t| format!(" (target `{t}`)")).unwrap_or_default(),
        missing.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
    );
    let k8s_like = m.other.iter().any(|o| ["mountPath", "name"].iter().any(|k| o.field.key.eq_ignore_ascii_case(k)));
    if k8s_like {
        message.push_str(
            ": it looks like a Kubernetes volumeMount, which belongs in `k8s-experimental.volumes` with its volume",
        );
    }
    Some(Finding::new(&RULE, Some(module), location, message))
}

/// Why Docker's Linux mount parser refuses an entry, if it does (moby `validateMountConfigImpl`).
fn refused_by_docker(m: &Mount) -> Option<String> {
    fn filled(f: &Option<Field>) -> Option<&str> {
        f.as_ref().and_then(Field::text).map(str::trim).filter(|t| !t.is_empty())
    }
    let entry = format!(
        "`Mounts` entry {}{}",
        m.index,
        filled(&m.target).map(|t| format!(" (target `{t}`)")).unwrap_or_default()
    );
    let Some(kind) = m.kind().filter(|k| !k.is_empty()) else {
        return Some(format!("{entry} has no `Type`: Docker refuses it (\"mount type unknown\")"));
    };
    if filled(&m.target).is_none() {
        return Some(format!("{entry} has no `Target`: Docker refuses it"));
    }
    let source = filled(&m.source);
    match kind.as_str() {
        "bind" => match source {
            None => Some(format!("{entry} is a bind without `Source`: Docker refuses it")),
            Some(s) if !s.starts_with('/') && !starts_with_placeholder(s) => {
                Some(format!("{entry} binds `{s}`, which is not an absolute path: Docker refuses it"))
            }
            Some(_) => None,
        },
        "tmpfs" => source
            .map(|s| format!("{entry} is a tmpfs with `Source` `{s}`: Docker refuses a source on a tmpfs; remove it")),
        "volume" if source.is_none() && m.is_read_only() => {
            Some(format!("{entry} is a read-only anonymous volume (no `Source`): Docker refuses it"))
        }
        "volume" | "npipe" => None,
        other => Some(format!("{entry} has the type `{other}`, which Docker does not know (\"mount type unknown\")")),
    }
}

/// [`json_kind`], but an array is "a list": Docker's documentation calls `Mounts` a list, and the
/// messages say so.
fn kind(v: &Value) -> &'static str {
    if v.is_array() { "a list" } else { json_kind(v) }
}
