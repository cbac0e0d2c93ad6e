//! OTH001: a module holding a GPU, a host port or a volume needs the Recreate update strategy.

use crate::manifest::Module;
use crate::rules::shared::docker::host_config;
use crate::rules::shared::k8s::{self, Experimental, FPGA, GPU};
use crate::rules::shared::keys::{get_ci, shown};
use crate::rules::{Check, Context, Edit, Finding, FixAvailability, K8S, Rule, RuleDoc, Section, Severity, Suggestion};
use serde_json::{Map, Value};

/// Resources that mean "this module owns an accelerator".
const ACCELERATORS: [&str; 2] = [GPU, FPGA];

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "OTH001",
        section: Section::Other,
        severity: Severity::Warning,
        fix: FixAvailability::Sometimes,
        targets: K8S,
        title: "Module holding a GPU, host port or volume without the Recreate update strategy",
        detects: "A module that uses a GPU (`nvidia.com/gpu` or `microsoft.com/fpga_catapult` in `k8s-experimental.resources`, a `/dev/nvidia*` or `/dev/catapult*` device, `Runtime: nvidia`, `DeviceRequests`), a host port (`PortBindings`, `ExposedPorts`, `NetworkMode: host`) or a volume (`Binds`, `Mounts`), and has no `k8s-experimental.strategy`. edgeAgent is never checked (the device deploys it itself); edgeHub only for GPUs and volumes, not for its standard ports.",
        why: "The agent deploys each module as a Kubernetes Deployment, whose default RollingUpdate strategy starts the new pod before stopping the old one. The new pod then waits for the GPU, port or volume the old pod still holds and the rollout stalls; Recreate stops the old pod first.",
        before: r#"{"HostConfig": {"PortBindings": {"8080/tcp": [{"HostPort": "8080"}]}}}"#,
        after: r#"{"HostConfig": {"PortBindings": {"8080/tcp": [{"HostPort": "8080"}]}}, "k8s-experimental": {"strategy": {"type": "Recreate"}}}"#,
        fix_safety: "Safe: only `k8s-experimental.strategy.type` is written (other settings in the section are kept) and the Docker agent on the FPGA device ignores the section. The module is briefly down during each update, which is what Docker did anyway.",
    },
    check: Check::Module(check),
};

fn check(ctx: &Context, module: &Module) -> Vec<Finding> {
    if module.system && module.name.eq_ignore_ascii_case("edgeAgent") {
        return Vec::new();
    }
    let Some(co) = module.create_options.object() else { return Vec::new() };
    let sections = k8s::sections_any_spelling(module);
    let has_strategy = sections.iter().filter_map(|s| s.value.as_object()).any(|o| get_ci(o, "strategy").is_some());
    // The fix writes a leaf into the agent's section: it must be absent or an object.
    let writable = matches!(k8s::agent_section(module), None | Some(Value::Null | Value::Object(_)));
    if has_strategy || !writable {
        return Vec::new();
    }
    let hub = module.system && module.name.eq_ignore_ascii_case("edgeHub");
    let hc = host_config(module).map(|(_, h)| h);
    let held: Vec<String> =
        [gpu(co, hc, &sections), if hub { None } else { host_port(ctx, module, co, hc) }, volume(hc)]
            .into_iter()
            .flatten()
            .collect();
    if held.is_empty() {
        return Vec::new();
    }
    let path = module.co_path("/k8s-experimental/strategy");
    vec![
        Finding::new(
            &RULE,
            Some(module),
            path,
            format!("no `k8s-experimental.strategy`, yet the module holds {}", held.join(", ")),
        )
        .suggest(Suggestion::new(
            "set the update strategy to Recreate",
            vec![Edit::Set { at: module.co_path("/k8s-experimental/strategy/type"), value: "Recreate".into() }],
        )),
    ]
}

/// The first sign of an accelerator, described.
fn gpu(co: &Map<String, Value>, hc: Option<&Map<String, Value>>, sections: &[Experimental<'_>]) -> Option<String> {
    for s in sections {
        let Some((_, res)) = s.value.as_object().and_then(|o| get_ci(o, "resources")) else { continue };
        for part in ["limits", "requests"] {
            if let Some(Value::Object(m)) = res.as_object().and_then(|r| get_ci(r, part)).map(|(_, v)| v)
                && let Some(name) = m.keys().find(|k| ACCELERATORS.iter().any(|a| a.eq_ignore_ascii_case(k)))
            {
                return Some(format!("a GPU (`{name}` in k8s-experimental resources)"));
            }
        }
    }
    let hc = hc?;
    if let Some((_, Value::Array(devices))) = get_ci(hc, "Devices") {
        let path = devices.iter().find_map(|d| {
            let p = d
                .as_str()
                .or_else(|| d.as_object().and_then(|o| get_ci(o, "PathOnHost")).and_then(|(_, v)| v.as_str()))?;
            let host = p.split(':').next().unwrap_or(p);
            (host.starts_with("/dev/nvidia") || host.starts_with("/dev/catapult")).then_some(host)
        });
        if let Some(p) = path {
            return Some(format!("a GPU (device `{p}`)"));
        }
    }
    if let Some((key, Value::Array(r))) = get_ci(hc, "DeviceRequests")
        && !r.is_empty()
    {
        return Some(format!("a GPU (`{key}`)"));
    }
    [Some(hc), Some(co)].into_iter().flatten().find_map(|m| match get_ci(m, "Runtime") {
        Some((key, Value::String(r))) if r.eq_ignore_ascii_case("nvidia") => Some(format!("a GPU (`{key}: {r}`)")),
        _ => None,
    })
}

/// The first host port (or the host network), described.
fn host_port(
    _ctx: &Context,
    module: &Module,
    co: &Map<String, Value>,
    hc: Option<&Map<String, Value>>,
) -> Option<String> {
    if let Some(b) = module.port_bindings().first() {
        return Some(format!("host port `{}`", b.port.key));
    }
    if let Some((_, Value::Object(ports))) = get_ci(co, "ExposedPorts")
        && let Some(p) = ports.keys().next()
    {
        return Some(format!("exposed port `{p}`"));
    }
    match hc.and_then(|h| get_ci(h, "NetworkMode")) {
        Some((_, Value::String(mode))) if mode.eq_ignore_ascii_case("host") => {
            Some("the host network (its proxy side-car binds ports 35000/35001 on the node)".to_owned())
        }
        _ => None,
    }
}

/// The first volume or bind, described.
fn volume(hc: Option<&Map<String, Value>>) -> Option<String> {
    let hc = hc?;
    if let Some((_, Value::Array(binds))) = get_ci(hc, "Binds")
        && let Some(b) = binds.first()
    {
        return Some(format!("bind `{}`", shown(b)));
    }
    let (_, Value::Array(mounts)) = get_ci(hc, "Mounts")? else { return None };
    let source = mounts.first()?.as_object().and_then(|o| get_ci(o, "Source")).map(|(_, v)| shown(v));
    Some(match source {
        Some(s) => format!("mount of `{s}`"),
        None => "a mount".to_owned(),
    })
}
