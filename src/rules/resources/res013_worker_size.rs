//! RES013 (NEW-14 of TRAPS.md): the modules together request more CPU or memory than the
//! Kubernetes worker VM has.

use super::deployed_by_device;
use crate::manifest::model::{Amount, Field};
use crate::manifest::{Location, Module};
use crate::rules::shared::k8s;
use crate::rules::shared::keys::shown;
use crate::rules::shared::quantity::{cpu_quota, cpu_shares, nano_cpus, parse_cpu, parse_memory};
use crate::rules::{Check, Context, Finding, FixAvailability, K8S, Rule, RuleDoc, Section, Severity};

const GIB: f64 = 1024.0 * 1024.0 * 1024.0;

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "RES013",
        section: Section::Resources,
        severity: Severity::Warning,
        fix: FixAvailability::Never,
        targets: K8S,
        title: "The modules request more CPU or memory than the Kubernetes worker VM has",
        detects: "NEW-14 of TRAPS.md. Once per deployment: the CPU or memory the modules reserve — each module's `k8s-experimental.resources.requests`, or its `limits` where it has no request (Kubernetes then uses the limit as the request), Docker's limits counted as RES004 moves them — adds up to more than the Kubernetes worker VM (`--worker-cpus`, `--worker-memory-gib`; by default 30 % of an Azure Stack Edge Pro GPU's 40 usable vCPUs, 12, and 25 % of its 128 GiB, 32 GiB). edgeAgent, which the device deploys, is not counted; placeholders are not counted.",
        why: "The managed IoT Edge runs its pods in one Kubernetes worker VM that gets a slice of the device, not the whole device: \"Default memory is 25% of device specification. Default processor count is 30% of device specification\" (`azure-stack-edge-gpu-connect-powershell-interface.md`). The scheduler places a pod only where its requests fit, so modules beyond the worker's CPU or memory stay Pending, however big the device is; the IoT Edge system pods and side-cars need room there too. RES004 can turn Docker limits that never reserved anything on the FPGA device into requests that do.",
        before: r#"three modules with "HostConfig": {"Memory": 17179869184} (16 GiB each) on a device with the default 32 GiB worker"#,
        after: r#"smaller limits, or a larger worker: Set-AzureDataBoxEdgeRoleCompute -Name <role> -MemoryInBytes 64GB -ProcessorCount 16"#,
        fix_safety: "Nothing to accept: lower the modules' requests (or limits) or give the worker VM more of the device with `Set-AzureDataBoxEdgeRoleCompute` (Microsoft recommends 15–60 % of the device), then say its size with `--worker-cpus` and `--worker-memory-gib`. The defaults assume an Azure Stack Edge Pro GPU; Pro 2 and Pro R differ: give their worker's size.",
    },
    check: Check::Manifest(check),
};

/// What one module reserves: millicores and bytes.
#[derive(Default)]
struct Demand {
    cpu: u128,
    memory: u128,
}

fn check(ctx: &Context) -> Vec<Finding> {
    let (cpus, gib) = ctx.device.worker_size();
    let mut demands: Vec<(&Module, Demand)> = ctx
        .manifest
        .modules
        .iter()
        .filter(|m| !deployed_by_device(m))
        .map(|m| (m, demand(m)))
        .filter(|(_, d)| d.cpu > 0 || d.memory > 0)
        .collect();
    let cpu: u128 = demands.iter().map(|(_, d)| d.cpu).sum();
    let memory: u128 = demands.iter().map(|(_, d)| d.memory).sum();
    let over_cpu = cpu as f64 > cpus * 1000.0;
    let over_memory = memory as f64 > gib * GIB;
    if !over_cpu && !over_memory {
        return Vec::new();
    }
    demands.sort_by_key(|(_, d)| std::cmp::Reverse((d.memory, d.cpu)));
    let each: Vec<String> =
        demands.iter().map(|(m, d)| format!("`{}` {} CPU, {} GiB", m.name, cores(d.cpu), gibs(d.memory))).collect();
    let over: Vec<&str> =
        [(over_cpu, "CPU"), (over_memory, "memory")].iter().filter(|(o, _)| *o).map(|(_, w)| *w).collect();
    let worker = match (ctx.device.worker_cpus, ctx.device.worker_memory_gib) {
        (None, None) => " (the default: 30 % of an Azure Stack Edge Pro GPU's 40 vCPUs, 25 % of its 128 GiB)",
        _ => "",
    };
    let message = format!(
        "the modules reserve {} CPU and {} GiB (their requests, or limits where there is none): {}; the Kubernetes worker VM has {} CPU and {} GiB{worker}: not enough {}, so pods that do not fit stay Pending",
        cores(cpu),
        gibs(memory),
        each.join(", "),
        trim(cpus),
        trim(gib),
        over.join(" or ")
    );
    let detail = format!(
        "In the device's PowerShell interface `Get-AzureDataBoxEdgeRole` shows the worker's `MemoryInBytes` and `ProcessorCount`; `Set-AzureDataBoxEdgeRoleCompute -Name <role name> -MemoryInBytes <bytes> -ProcessorCount <cores>` changes them. Microsoft recommends 15 % to 60 % of the device's memory and cores, leaving the rest to system components. The modules reserve at least {} CPU and {} GiB, and the IoT Edge system pods need room too. Then run fpga2gpu again with `--worker-cpus` and `--worker-memory-gib`.",
        cores(cpu),
        gibs(memory)
    );
    vec![Finding::new(&RULE, None, Location::Document(ctx.manifest.edge_agent_at()), message).step(
        "Give the Kubernetes worker VM more CPU or memory (`Set-AzureDataBoxEdgeRoleCompute`)",
        detail,
        false,
    )]
}

/// What the module reserves: its request, else its limit, each from `k8s-experimental` or, where
/// that has none, from the Docker setting RES004 moves there (a request capped at the limit).
fn demand(module: &Module) -> Demand {
    let hc = module.host_config();
    let k8s_value = |part: &str, resource: &str, parse: fn(&str) -> Option<u128>| {
        k8s::resource(module, part, resource).filter(|v| !is_placeholder(v)).and_then(|v| parse(&shown(v)))
    };
    let positive = |f: &Option<Field>| match f.as_ref().map(Field::amount) {
        Some(Amount::Int(n)) if n > 0 => Some(n as u128),
        _ => None,
    };
    let memory_limit = k8s_value("limits", "memory", parse_memory).or_else(|| hc.and_then(|h| positive(&h.memory)));
    let memory_request = k8s_value("requests", "memory", parse_memory)
        .or_else(|| hc.and_then(|h| positive(&h.memory_reservation)).map(|r| memory_limit.map_or(r, |l| r.min(l))));
    let docker_cpu_limit = hc.and_then(|h| {
        positive(&h.nano_cpus).map(nano_cpus).or_else(|| {
            let period = match h.cpu_period.as_ref().map(Field::amount) {
                None | Some(Amount::Unset) => Some(100_000),
                Some(Amount::Int(p)) if p > 0 => Some(p as u128),
                _ => None,
            };
            positive(&h.cpu_quota).zip(period).map(|(q, p)| cpu_quota(q, p))
        })
    });
    let cpu_limit = k8s_value("limits", "cpu", parse_cpu).or(docker_cpu_limit);
    let cpu_request = k8s_value("requests", "cpu", parse_cpu).or_else(|| {
        hc.and_then(|h| positive(&h.cpu_shares)).map(cpu_shares).map(|r| cpu_limit.map_or(r, |l| r.min(l)))
    });
    Demand { cpu: cpu_request.or(cpu_limit).unwrap_or(0), memory: memory_request.or(memory_limit).unwrap_or(0) }
}

fn is_placeholder(v: &serde_json::Value) -> bool {
    v.as_str().is_some_and(crate::manifest::placeholder::contains_placeholder)
}

/// Millicores as cores, for messages: `2`, `1.5`.
fn cores(milli: u128) -> String {
    trim(milli as f64 / 1000.0)
}

/// Bytes as GiB, for messages: `32`, `0.5`.
fn gibs(bytes: u128) -> String {
    trim(bytes as f64 / GIB)
}

/// A number with at most two decimals and no trailing zeros.
fn trim(n: f64) -> String {
    let s = format!("{n:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}
