//! RES104 (VM): `k8s-experimental.resources` — memory, CPU, GPUs — which the Docker agent
//! ignores, moves into `HostConfig` (the reverse of RES004).

use super::gpus::whole;
use super::vm::{self, Writer};
use crate::manifest::model::{Amount, Field, HostConfig};
use crate::manifest::placeholder::contains_placeholder;
use crate::manifest::{Module, Pointer};
use crate::rules::shared::k8s::{self, GPU};
use crate::rules::shared::keys::shown;
use crate::rules::shared::quantity::{parse_cpu, parse_memory};
use crate::rules::{Check, Context, Edit, Finding, FixAvailability, Rule, RuleDoc, Section, Severity, Suggestion, VM};
use serde_json::{Value, json};

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "RES104",
        section: Section::Resources,
        severity: Severity::Info,
        fix: FixAvailability::Sometimes,
        targets: VM,
        title: "`k8s-experimental.resources` (memory, CPU, `nvidia.com/gpu`) move into `HostConfig` in the VM",
        detects: "`memory`, `cpu` and `nvidia.com/gpu` in `k8s-experimental.resources.limits` or `.requests` (inner keys matched ignoring case): one finding per value, a GPU limit and request together as one.",
        why: "The Docker agent ignores `k8s-experimental` (on the FPGA device as in the VM), so these limits do nothing there. A manifest written for the managed Kubernetes runtime relied on them: its modules had those limits and their GPUs. In the VM the same settings are Docker's (the reverse of RES004): `limits.memory` → `HostConfig.Memory` (bytes), `requests.memory` → `MemoryReservation`, `limits.cpu` → `NanoCpus` (cores × 10⁹), `requests.cpu` → `CpuShares` (the kubelet's millicores × 1024 / 1000), `nvidia.com/gpu` → a GPU device request with that `Count` (VM-TARGET.md §7). OTH101 then removes the emptied section.",
        before: r#"{"k8s-experimental": {"resources": {"limits": {"memory": "512Mi", "cpu": "500m", "nvidia.com/gpu": 1}}}}"#,
        after: r#"{"HostConfig": {"Memory": 536870912, "NanoCpus": 500000000, "DeviceRequests": [{"Count": 1, "Capabilities": [["gpu"]]}]}}"#,
        fix_safety: "Review. Moving keeps what the module had on Kubernetes; rejecting keeps what it had on the FPGA device, where the section was ignored (OTH101 removes it either way). A GPU count is capped at the VM's GPUs (`--gpus`); when the module already has a GPU request, or RES101 writes one for its FPGA, the GPU limit is only removed. A value `HostConfig` already sets is kept, and the Kubernetes one only removed. A `requests` value only weighs the module against the others on one Docker host (a soft memory reservation, a CPU weight). A placeholder or a value that is not a Kubernetes quantity is left for you.",
    },
    check: Check::Module(check),
};

/// One memory or CPU value and its Docker setting.
struct Move {
    part: &'static str,
    resource: &'static str,
    /// Docker's key in `HostConfig`.
    docker: &'static str,
    /// What Docker's setting means, for messages.
    meaning: &'static str,
}

const MOVES: [Move; 4] = [
    Move { part: "limits", resource: "memory", docker: "Memory", meaning: "the memory limit in bytes" },
    Move {
        part: "requests",
        resource: "memory",
        docker: "MemoryReservation",
        meaning: "a soft memory limit in bytes, kept under memory pressure",
    },
    Move { part: "limits", resource: "cpu", docker: "NanoCpus", meaning: "the CPU limit in 10⁻⁹ CPUs" },
    Move {
        part: "requests",
        resource: "cpu",
        docker: "CpuShares",
        meaning: "a CPU weight against the other containers, 1024 to a CPU",
    },
];

fn check(ctx: &Context, module: &Module) -> Vec<Finding> {
    let mut out = Vec::new();
    for m in &MOVES {
        if let Some(f) = quantity(module, m) {
            out.push(f);
        }
    }
    out.extend(gpu(ctx, module));
    out
}

/// The Docker setting already in `HostConfig` (any case), when it holds a value.
fn docker_setting<'m>(hc: Option<&'m HostConfig>, key: &str) -> Option<&'m Field> {
    let hc = hc?;
    let field = match key {
        "Memory" => hc.memory.as_ref(),
        "MemoryReservation" => hc.memory_reservation.as_ref(),
        "NanoCpus" => hc.nano_cpus.as_ref(),
        "CpuShares" => hc.cpu_shares.as_ref(),
        _ => None,
    }?;
    (field.amount() != Amount::Unset).then_some(field)
}

/// Where a new `HostConfig` key goes; `None` when `HostConfig` is there but not an object.
fn host_config_at(module: &Module, key: &str) -> Option<Pointer> {
    match module.host_config() {
        None => Some(Pointer::from_tokens(["HostConfig", key])),
        Some(hc) if !hc.is_object => None,
        Some(hc) => Some(hc.at.child(key)),
    }
}

fn quantity(module: &Module, m: &Move) -> Option<Finding> {
    let value = k8s::resource(module, m.part, m.resource)?;
    let written_key = m.resource;
    let rel = k8s::rel(module, &["resources", m.part])?.child(written_key);
    let at = module.create_options_at(rel);
    let named = format!("`{}.{written_key}: {}`", m.part, shown(value));
    let finding = |message: String| Finding::new(&RULE, Some(module), at.clone(), message);
    let ignored =
        format!("{named} in k8s-experimental.resources is ignored in the VM (the Docker agent ignores the section)");
    let remove = Edit::Remove { at: at.clone() };
    let hc = module.host_config();
    if let Some(existing) = docker_setting(hc, m.docker) {
        let message = format!(
            "{ignored}, and `{}.{}: {}` already sets it for Docker, which is kept",
            hc.map_or("HostConfig", |h| h.key.as_str()),
            existing.key,
            existing.shown()
        );
        return Some(
            finding(message).suggest(Suggestion::new(format!("remove `{}.{written_key}`", m.part), vec![remove])),
        );
    }
    let text = match value {
        Value::String(s) if contains_placeholder(s) => {
            return Some(finding(format!(
                "{ignored}; the placeholder `{s}` is filled in with a Kubernetes quantity, which Docker does not read: set `HostConfig.{}` ({}) yourself if the module needs it",
                m.docker, m.meaning
            )));
        }
        other => shown(other),
    };
    let docker_value: Option<u128> = match (m.resource, m.part) {
        ("memory", _) => parse_memory(&text),
        ("cpu", "limits") => parse_cpu(&text).map(|milli| milli * 1_000_000),
        // The kubelet's shares: millicores × 1024 / 1000, at least 2.
        (_, _) => parse_cpu(&text).map(|milli| (milli * 1024 / 1000).max(2)),
    };
    let Some(n) = docker_value.filter(|n| *n > 0) else {
        return Some(finding(format!(
            "{ignored}; `{text}` is not a Kubernetes {} quantity to convert: set `HostConfig.{}` ({}) yourself if the module needs it",
            m.resource, m.docker, m.meaning
        )));
    };
    let Some(docker_at) = host_config_at(module, m.docker) else {
        return Some(finding(format!("{ignored}; `HostConfig` is not an object to move it into")));
    };
    let n = i64::try_from(n).unwrap_or(i64::MAX);
    let message = format!("{ignored}: in the VM it is `HostConfig.{}: {n}`, {}", m.docker, m.meaning);
    let edits = vec![Edit::Set { at: module.create_options_at(docker_at), value: json!(n) }, remove];
    let suggestion = Suggestion::new(format!("move it to `HostConfig.{}: {n}`", m.docker), edits).with_input(
        format!("HostConfig.{}", m.docker),
        0,
        "",
        Some(json!(n)),
    );
    Some(finding(message).suggest(suggestion))
}

/// The GPU limit (and request): a device request, unless the module has or gets one otherwise.
fn gpu(ctx: &Context, module: &Module) -> Option<Finding> {
    let limit = k8s::resource(module, "limits", GPU);
    let request = k8s::resource(module, "requests", GPU);
    let (part, value) = match (limit, request) {
        (Some(v), _) => ("limits", v),
        (None, Some(v)) => ("requests", v),
        (None, None) => return None,
    };
    let at_of = |part: &str| k8s::rel(module, &["resources", part]).map(|p| module.create_options_at(p.child(GPU)));
    let at = at_of(part)?;
    let mut removals = vec![Edit::Remove { at: at.clone() }];
    if limit.is_some() && request.is_some() {
        removals.extend(at_of("requests").map(|at| Edit::Remove { at }));
    }
    let named = format!("`{part}.{GPU}: {}`", shown(value));
    let ignored = format!(
        "{named} in k8s-experimental.resources is ignored in the VM (the Docker agent ignores the section), so the module gets no GPU from it"
    );
    let finding = |message: String| Finding::new(&RULE, Some(module), at.clone(), message);
    let count = whole(value);
    match (vm::writer(module), count) {
        (_, None) => {
            let what = match value.as_str().filter(|s| contains_placeholder(s)) {
                Some(p) => format!("the count is the placeholder `{p}`, filled in at deploy time"),
                None => format!("`{}` is not a whole number of GPUs", shown(value)),
            };
            Some(
                finding(format!(
                    "{ignored}; {what}: give the module a GPU device request yourself (`HostConfig.DeviceRequests: [{{\"Count\": N, \"Capabilities\": [[\"gpu\"]]}}]`, -1 for every GPU of the VM)"
                ))
                .severity(Severity::Warning),
            )
        }
        (_, Some(0)) => Some(
            finding(format!("{named} asks for no GPU, and is ignored in the VM"))
                .suggest(Suggestion::new(format!("remove `{part}.{GPU}`"), removals)),
        ),
        (Some(Writer::KubernetesLimit), Some(n)) => {
            let gpus = u64::from(ctx.device.gpus).max(1);
            let granted = n.min(gpus);
            let Some(request) = vm::request(module, i64::try_from(granted).unwrap_or(1)) else {
                return Some(
                    finding(format!("{ignored}; `HostConfig.DeviceRequests` is not a list to add the GPU request to"))
                        .severity(Severity::Warning),
                );
            };
            let mut message = format!("{ignored}: in the VM GPUs come from `HostConfig.DeviceRequests`");
            let summary = match &request.takes_over {
                Some(t) => {
                    message.push_str(&format!(", here with {} (moby sets the variable from the request)", t.shown()));
                    format!("request the GPUs of `{}` as a device request", t.var)
                }
                None => {
                    if granted < n {
                        message.push_str(&format!(
                            "; it asks for {n} GPUs and the VM has {gpus} (`--gpus`): the request takes {granted}"
                        ));
                    }
                    format!(
                        "request {granted} GPU{} as a device request (`Count: {granted}`)",
                        if granted == 1 { "" } else { "s" }
                    )
                }
            };
            let (label, input_at, default) = request.input;
            let edits = request.edits.into_iter().chain(removals).collect();
            let suggestion = Suggestion::new(summary, edits).with_input(label, 0, input_at, Some(default));
            Some(vm::gpu_step(finding(message).severity(Severity::Warning).suggest(suggestion), ctx.device))
        }
        (Some(w), Some(_)) => Some(
            finding(format!("{named} is ignored in the VM; {} gives the module its GPUs", w.describe()))
                .suggest(Suggestion::new(format!("remove `{part}.{GPU}`"), removals)),
        ),
        (None, Some(_)) => None,
    }
}
