//! OTH001: the update strategy of a module that holds a GPU, the host network, a host port or a
//! volume; and a `strategy` of a shape the agent cannot use.

use super::{deployed_by_device, listed};
use crate::manifest::model::{self, Field, HostConfig, STRATEGY_KEYS};
use crate::manifest::{Module, Pointer, json_kind};
use crate::rules::shared::k8s::{self, FPGA, GPU};
use crate::rules::{Check, Context, Edit, Finding, FixAvailability, K8S, Rule, RuleDoc, Section, Severity, Suggestion};
use serde_json::{Value, json};

/// The strategy types Kubernetes accepts, spelled as it requires (it compares them exactly).
const TYPES: [&str; 2] = ["Recreate", "RollingUpdate"];
const RECREATE: &str = "Recreate";

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "OTH001",
        section: Section::Other,
        severity: Severity::Warning,
        fix: FixAvailability::Sometimes,
        targets: K8S,
        title: "Module holding a GPU, the host network, a host port or a volume without the Recreate update strategy",
        detects: "A module without `k8s-experimental.strategy` (or with one that has no `type`) that holds a GPU (`nvidia.com/gpu` or `microsoft.com/fpga_catapult` in `k8s-experimental.resources`, a `/dev/nvidia*` or `/dev/catapult*` device, `Runtime: nvidia`, a GPU `DeviceRequests`) or the host network (`NetworkMode: host`): warning; one that only binds a host port (`PortBindings`, `ExposedPorts`) or mounts a volume (`Binds`, `Mounts`): info, the guide's advice. A `Runtime` or `NetworkMode` that is a placeholder is reported as filled in at deploy time (info). And a `strategy` the agent cannot use: not an object, a `type` that is not `Recreate` or `RollingUpdate` exactly (Kubernetes compares it exactly), `rollingUpdate` next to `Recreate`, keys Kubernetes' strategy does not have. edgeAgent is never checked (the device deploys it itself); edgeHub not for its standard ports; a strategy in a misspelled section is OTH007's.",
        why: "The agent deploys each module as a Kubernetes Deployment, whose default RollingUpdate strategy starts the new pod before it stops the old one. A new pod that needs the GPU or the host network (each pod's proxy side-car binds ports 35000/35001 on the node) the old pod still holds cannot start, and the update stalls. Ports and volumes do not block it (the Service and the volume serve both pods for a moment), but the guide advises Recreate for them too, which stops the old pod first, as Docker did. A strategy of the wrong shape is refused by Kubernetes or silently read as the default.",
        before: r#"{"k8s-experimental": {"resources": {"limits": {"nvidia.com/gpu": 1}}}}"#,
        after: r#"{"k8s-experimental": {"resources": {"limits": {"nvidia.com/gpu": 1}}, "strategy": {"type": "Recreate"}}}"#,
        fix_safety: "Adding Recreate is safe: it is what Docker did (the module is briefly down during each update), only `strategy` is written (other settings of the section are kept) and the Docker agent on the FPGA device ignores the section. A type whose case is wrong is corrected, and `rollingUpdate` next to Recreate removed, safely; a strategy of another shape is replaced by `{\"type\": \"Recreate\"}` for review.",
    },
    check: Check::Module(check),
};

/// How much something the module holds matters for a rolling update.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Weight {
    /// A GPU or the host network: the new pod cannot start while the old one runs.
    Blocks,
    /// A host port or a volume: the guide's advice.
    Advice,
    /// A placeholder that may turn into a GPU or the host network at deploy time.
    Maybe,
}

/// Something the module holds, described for the message.
struct Held {
    weight: Weight,
    what: String,
}

impl Held {
    fn new(weight: Weight, what: impl Into<String>) -> Held {
        Held { weight, what: what.into() }
    }
}

fn check(_ctx: &Context, module: &Module) -> Vec<Finding> {
    if deployed_by_device(module) || module.container().is_none() {
        return Vec::new();
    }
    let strategy = k8s::agent(module).and_then(|s| s.strategy.as_ref()).filter(|f| !f.value.is_null());
    if let Some(f) = strategy {
        return shape(module, f).into_iter().collect();
    }
    // A strategy in a misspelled or misplaced section: OTH007 moves it into the agent's section.
    let elsewhere = k8s::sections_any_spelling(module)
        .iter()
        .any(|s| !s.read_by_agent && model::lookup(s.value, &Pointer::root(), &["strategy"]).is_some());
    // `None` when the agent's section is not an object (OTH007's): nothing can be written into it.
    let Some(at) = k8s::rel(module, &["strategy"]) else { return Vec::new() };
    if elsewhere {
        return Vec::new();
    }
    let held = held(module);
    let Some(finding) = missing(module, &held, "no `k8s-experimental.strategy`") else { return Vec::new() };
    vec![finding.suggest(recreate(module, at))]
}

/// `{"type": "Recreate"}` written at `at` (the strategy, through the section's spellings).
fn recreate(module: &Module, at: Pointer) -> Suggestion {
    Suggestion::new(
        "set the update strategy to Recreate",
        vec![Edit::Set { at: module.create_options_at(at), value: json!({"type": RECREATE}) }],
    )
}

/// The finding for a module whose update is a rolling one (no strategy, or one without a type),
/// by what it holds; `None` when it holds nothing a rolling update waits for.
fn missing(module: &Module, held: &[Held], lacks: &str) -> Option<Finding> {
    let at = k8s::rel(module, &["strategy"])?;
    let of = |weight| held.iter().filter(|h| h.weight == weight).map(|h| h.what.clone()).collect::<Vec<_>>();
    let (blocks, advice, maybe) = (of(Weight::Blocks), of(Weight::Advice), of(Weight::Maybe));
    let location = module.create_options_at(at);
    let them = |list: &[String]| if list.len() == 1 { "it" } else { "them" };
    let (severity, message) = if !blocks.is_empty() {
        (
            Severity::Warning,
            format!(
                "{lacks}, and the module holds {}: with the default rolling update the new pod waits for {it} while the old pod keeps {it}, and the update stalls",
                listed(&blocks),
                it = them(&blocks)
            ),
        )
    } else if !advice.is_empty() {
        (
            Severity::Info,
            format!(
                "{lacks}; the module {}: a rolling update works (the old and the new pod share {} for a moment), but the guide advises Recreate, which stops the old pod first as Docker did",
                listed(&advice),
                them(&advice)
            ),
        )
    } else if !maybe.is_empty() {
        (Severity::Info, format!("{lacks}; {}: then a rolling update stalls, and Recreate avoids it", listed(&maybe)))
    } else {
        return None;
    };
    Some(Finding::new(&RULE, Some(module), location, message).severity(severity))
}

/// A `strategy` the agent reads: its shape, or (without a `type`) the rolling update it means.
fn shape(module: &Module, f: &Field) -> Option<Finding> {
    let here = module.create_options_at(f.at.clone());
    let finding = |message: String| Finding::new(&RULE, Some(module), here.clone(), message);
    let whole = || {
        Suggestion::new(
            "replace the strategy with {\"type\": \"Recreate\"}",
            vec![Edit::Set { at: here.clone(), value: json!({"type": RECREATE}) }],
        )
        .review()
    };
    if let Some(p) = f.placeholder() {
        return Some(
            finding(format!(
                "`strategy` is the placeholder `{p}`, filled in at deploy time: the agent reads it only as an object `{{\"type\": \"Recreate\"}}` or `{{\"type\": \"RollingUpdate\"}}`"
            ))
            .severity(Severity::Info),
        );
    }
    let Some(keys) = f.keys(STRATEGY_KEYS) else {
        return Some(
            finding(format!(
                "`strategy` is {}, not an object such as {{\"type\": \"Recreate\"}}: the agent cannot read it",
                json_kind(&f.value)
            ))
            .severity(Severity::Error)
            .suggest(whole()),
        );
    };
    let type_key = keys.iter().find(|k| k.docker == Some("type")).map(|k| &k.field);
    let kind = type_key.filter(|k| !k.value.is_null());
    let rolling = keys.iter().find(|k| k.docker == Some("rollingUpdate")).map(|k| &k.field);
    let unknown: Vec<&Field> = keys.iter().filter(|k| k.docker.is_none()).map(|k| &k.field).collect();
    let unknown_list = listed(&unknown.iter().map(|k| format!("`{}`", k.key)).collect::<Vec<_>>());
    let Some(kind) = kind else {
        if !unknown.is_empty() {
            return Some(
                finding(format!(
                    "`strategy` has no `type`, and {unknown_list} is not a key of a Kubernetes strategy (it has `type` and `rollingUpdate`): the default rolling update applies"
                ))
                .severity(Severity::Error)
                .suggest(whole()),
            );
        }
        if rolling.is_some() {
            // A rolling update configured on purpose.
            return None;
        }
        let rolls = missing(module, &held(module), "`strategy` has no `type`")?;
        let at = module.create_options_at(type_key.map_or_else(|| f.at.child("type"), |k| k.at.clone()));
        return Some(rolls.suggest(Suggestion::new(
            "set the strategy's type to Recreate",
            vec![Edit::Set { at, value: RECREATE.into() }],
        )));
    };
    if let Some(p) = kind.placeholder() {
        return Some(
            finding(format!(
                "`strategy.{}` is the placeholder `{p}`, filled in at deploy time: it must become `Recreate` or `RollingUpdate`, spelled so",
                kind.key
            ))
            .severity(Severity::Info),
        );
    }
    let Some(text) = kind.text() else {
        return Some(
            finding(format!(
                "`strategy.{}` is {}, not the text `Recreate` or `RollingUpdate`: the agent cannot read the strategy",
                kind.key,
                json_kind(&kind.value)
            ))
            .severity(Severity::Error)
            .suggest(whole()),
        );
    };
    let canonical = TYPES.iter().copied().find(|t| t.eq_ignore_ascii_case(text.trim()));
    let Some(canonical) = canonical else {
        return Some(
            finding(format!(
                "`strategy.{}` is `{text}`, which Kubernetes does not know (it accepts `Recreate` and `RollingUpdate`): the Deployment is refused",
                kind.key
            ))
            .severity(Severity::Error)
            .suggest(whole()),
        );
    };
    let mut problems = Vec::new();
    let mut edits = Vec::new();
    let mut error = false;
    if text != canonical {
        problems
            .push(format!("`strategy.{}` is `{text}`, and Kubernetes accepts only `{canonical}` spelled so", kind.key));
        edits.push(Edit::Set { at: module.create_options_at(kind.at.clone()), value: canonical.into() });
        error = true;
    }
    if let Some(r) = rolling.filter(|r| canonical == RECREATE && !r.value.is_null()) {
        problems.push(format!("`strategy.{}` is set next to `Recreate`, which Kubernetes refuses", r.key));
        edits.push(Edit::Remove { at: module.create_options_at(r.at.clone()) });
        error = true;
    }
    if !unknown.is_empty() {
        problems.push(format!(
            "{unknown_list} is not a key of a Kubernetes strategy (it has `type` and `rollingUpdate`), and the agent ignores it"
        ));
        edits.extend(unknown.iter().map(|k| Edit::Remove { at: module.create_options_at(k.at.clone()) }));
    }
    if problems.is_empty() {
        return None;
    }
    let summary = if edits.len() == 1 && text != canonical {
        format!("write `{canonical}`")
    } else {
        "correct the strategy".to_owned()
    };
    Some(
        finding(problems.join("; "))
            .severity(if error { Severity::Error } else { Severity::Warning })
            .suggest(Suggestion::new(summary, edits)),
    )
}

/// Everything the module holds that a rolling update may wait for, most important first.
fn held(module: &Module) -> Vec<Held> {
    let mut out = Vec::new();
    if let Some(gpu) = accelerator(module) {
        out.push(Held::new(Weight::Blocks, gpu));
    }
    let hc = module.host_config();
    if let Some(mode) = hc.and_then(|h| h.network_mode.as_ref()) {
        if let Some(p) = mode.placeholder() {
            out.push(Held::new(
                Weight::Maybe,
                format!(
                    "`HostConfig.{}` is `{p}`, filled in at deploy time: if it becomes `host`, the module holds the host network",
                    mode.key
                ),
            ));
        } else if mode.text().is_some_and(|t| t.trim().eq_ignore_ascii_case("host")) {
            out.push(Held::new(
                Weight::Blocks,
                "the host network (each pod's proxy side-car binds ports 35000/35001 on the node)",
            ));
        }
    }
    if let Some(runtime) = hc.and_then(|h| h.runtime.as_ref()).and_then(Field::placeholder)
        && !out.iter().any(|h| h.weight == Weight::Blocks)
    {
        out.push(Held::new(
            Weight::Maybe,
            format!("`HostConfig.Runtime` is `{runtime}`, filled in at deploy time: if it becomes `nvidia`, the module holds a GPU"),
        ));
    }
    // edgeHub's standard ports are not the engineer's to plan for.
    let hub = module.system && module.name.eq_ignore_ascii_case("edgeHub");
    if !hub {
        if let Some(b) = module.port_bindings().first() {
            out.push(Held::new(Weight::Advice, format!("binds host port `{}`", b.port.key)));
        } else if let Some(p) = module.exposed_ports().first() {
            out.push(Held::new(Weight::Advice, format!("exposes port `{}`", p.key)));
        }
    }
    if let Some(v) = hc.and_then(volume) {
        out.push(Held::new(Weight::Advice, v));
    }
    out
}

/// The first sign of a GPU (or the FPGA), described.
fn accelerator(module: &Module) -> Option<String> {
    let accelerators = [GPU, FPGA];
    for s in k8s::sections_any_spelling(module) {
        for part in ["limits", "requests"] {
            let Some((Value::Object(m), _)) = model::lookup(s.value, &Pointer::root(), &["resources", part]) else {
                continue;
            };
            if let Some(name) = m.keys().find(|k| accelerators.iter().any(|a| a.eq_ignore_ascii_case(k))) {
                return Some(format!("a GPU (`{name}` in the `{}` resources)", s.key));
            }
        }
    }
    let hc = module.host_config()?;
    let device = hc.devices.as_ref().and_then(|d| d.entries.as_ref()).into_iter().flatten().find_map(|d| {
        let p = d.host_path()?;
        (p.starts_with("/dev/nvidia") || p.starts_with("/dev/catapult")).then_some(p)
    });
    if let Some(p) = device {
        return Some(format!("a GPU (device `{p}`)"));
    }
    if let Some(r) = &hc.device_requests
        && r.entries.iter().flatten().any(model::DeviceRequest::is_gpu)
    {
        return Some(format!("a GPU (`HostConfig.{}`)", r.key));
    }
    let runtime = hc.runtime.as_ref()?;
    runtime
        .text()
        .filter(|r| r.trim().eq_ignore_ascii_case("nvidia"))
        .map(|r| format!("a GPU (`HostConfig.{}: {r}`)", runtime.key))
}

/// The first bind or mount, described.
fn volume(hc: &HostConfig) -> Option<String> {
    if let Some(b) = hc.binds.as_ref().and_then(|b| b.entries.as_ref()).and_then(|e| e.first()) {
        return Some(match &b.bind {
            Some(bind) => format!("binds `{}`", bind.source),
            None => format!("binds `{}`", b.raw.as_deref().unwrap_or("?")),
        });
    }
    let m = hc.mounts.as_ref()?.entries.as_ref()?.first()?;
    Some(match m.source() {
        Some(s) => format!("mounts `{s}`"),
        None => "has a mount".to_owned(),
    })
}
