//! RES005: a custom module without memory or CPU limits, or with memory/CPU values the target
//! cannot use: `k8s-experimental.resources` on Kubernetes, `HostConfig` in the VM.

use super::deployed_by_device;
use super::devices;
use super::gpus;
use crate::device::Target;
use crate::manifest::model::{Amount, Field};
use crate::manifest::placeholder::contains_placeholder;
use crate::manifest::{Module, Pointer};
use crate::rules::shared::k8s::{self, GPU};
use crate::rules::shared::keys::shown;
use crate::rules::shared::quantity::{parse, parse_cpu, parse_memory};
use crate::rules::{
    BOTH, Check, Context, Edit, Finding, FixAvailability, Rule, RuleDoc, Section, Severity, Suggestion,
};
use serde_json::{Value, json};

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "RES005",
        section: Section::Resources,
        severity: Severity::Info,
        fix: FixAvailability::Sometimes,
        targets: BOTH,
        title: "Custom module without memory or CPU limits, or with limits the target rejects",
        detects: "Kubernetes: a custom module (not edgeAgent or edgeHub) with neither `memory` nor `cpu` in `k8s-experimental.resources.limits`, and no Docker `Memory`, `NanoCpus` or `CpuQuota` that RES004 moves there (info); on any module but edgeAgent (which the device deploys itself), a `memory` or `cpu` in `limits` or `requests` that is not a Kubernetes quantity (`lots`, `-1`, `128m` for memory), or a request above its limit (error). VM: a custom module with none of `HostConfig.Memory`, `NanoCpus`, `CpuQuota` and no Kubernetes limit that RES104 moves there (info); a `Memory`, `MemoryReservation`, `NanoCpus` or `CpuShares` that is not a whole number, is written as text, or a memory limit below Docker's 6 MB or under its reservation (error).",
        why: "Limits are not required, but good practice: without them one module can take the node's (or the VM's) memory and CPU from the IoT Edge runtime and the other modules. On Kubernetes unlimited pods are evicted first under pressure; if `requests` is absent, the limits are used as requests, so the scheduler reserves them; a value that is not a quantity (`\"256Mi\"`, `\"1.5Gi\"`, `\"500m\"`, `\"2\"`) makes the agent fail to read the section, and Kubernetes rejects a pod whose request is above its limit. In the VM the agent passes `HostConfig` to Docker as written: Docker reads these settings as JSON numbers (bytes, 10⁻⁹ CPUs), refuses \"Minimum memory limit allowed is 6MB\" and a memory limit below the reservation, and the container is not created.",
        before: r#"{"HostConfig": {"PortBindings": {"8080/tcp": [{"HostPort": "8080"}]}}}"#,
        after: r#"{"HostConfig": {"PortBindings": {"8080/tcp": [{"HostPort": "8080"}]}}, "k8s-experimental": {"resources": {"limits": {"memory": "512Mi", "cpu": "500m"}}}}"#,
        fix_safety: "Only you know what the module needs: there is no default, and the values shown are an example of the shape (in the VM `HostConfig.Memory: 536870912` and `NanoCpus: 500000000`, half a CPU; a number written as text is rewritten as the number, which is safe). Too low a memory limit gets the module OOM-killed; too low a CPU limit throttles it. When other settings of the module write into `limits` (a GPU, or limits already there), the suggestion sets `limits.memory` alone so that the fixes compose: add `cpu` next to it the same way if wanted. A memory value with the milli suffix (`128m`) is offered as mebibytes (`128Mi`), to confirm; a request above its limit is lowered to the limit, to confirm; any other value that is not a quantity is yours to correct.",
    },
    check: Check::Module(check),
};

fn check(ctx: &Context, module: &Module) -> Vec<Finding> {
    if module.container().is_none() || deployed_by_device(module) {
        return Vec::new();
    }
    if ctx.device.target == Target::Vm {
        return vm::check(module);
    }
    let mut out = invalid(module);
    if !module.system && out.is_empty() && !has_limits(module) {
        out.extend(missing(module));
    }
    out
}

/// The module has no limits: an example to fill in.
fn missing(module: &Module) -> Option<Finding> {
    let message = "neither `memory` nor `cpu` in `k8s-experimental.resources.limits`: the module can take the node's memory and CPU from the IoT Edge runtime and the other modules";
    let at = k8s::rel(module, &["resources", "limits"]).unwrap_or_else(|| Pointer::root().child(k8s::SECTION));
    let finding = Finding::new(&RULE, Some(module), module.create_options_at(at), message);
    // Other fixes set leaves of `limits` (a GPU) or it exists already: write a leaf too, else the
    // whole (new) object, which the engineer can fill in at once.
    let existing = k8s::at(module, &["resources", "limits"]);
    if existing.is_some_and(|v| !v.is_object() && !v.is_null()) {
        return Some(finding);
    }
    let leaves = existing.is_some_and(Value::is_object) || writes_gpu_limit(module);
    let suggestion = if leaves {
        let Some(rel) = k8s::resource_rel(module, "limits", "memory") else { return Some(finding) };
        Suggestion::new(
            "set a memory limit (add `cpu` next to it the same way if wanted)",
            vec![Edit::Set { at: module.create_options_at(rel), value: json!("512Mi") }],
        )
        .with_input("memory limit", 0, "", None)
    } else {
        let Some(rel) = k8s::rel(module, &["resources", "limits"]) else { return Some(finding) };
        Suggestion::new(
            "set memory and CPU limits",
            vec![Edit::Set { at: module.create_options_at(rel), value: json!({"memory": "512Mi", "cpu": "500m"}) }],
        )
        .with_input("limits", 0, "", None)
        .with_parts(&[("memory limit", "memory"), ("CPU limit", "cpu")])
    };
    Some(finding.suggest_review(suggestion))
}

/// Memory and CPU values in `k8s-experimental.resources` that Kubernetes cannot use: what an
/// engineer may type into this rule's or RES004's suggestions, checked before it is accepted.
fn invalid(module: &Module) -> Vec<Finding> {
    let mut out = Vec::new();
    for resource in ["memory", "cpu"] {
        let mut read = |part| match quantity(module, part, resource) {
            Read::Quantity(q) => Some(q),
            Read::Invalid(f) => {
                out.push(*f);
                None
            }
            Read::Absent => None,
        };
        let (limit, request) = (read("limits"), read("requests"));
        if let (Some(l), Some(r)) = (limit, request)
            && r > l
            && let (Some(at), Some(limit_value), Some(request_value)) = (
                k8s::resource_rel(module, "requests", resource),
                k8s::resource(module, "limits", resource),
                k8s::resource(module, "requests", resource),
            )
        {
            let message = format!(
                "`requests.{resource}: {}` is above `limits.{resource}: {}`: Kubernetes rejects the pod",
                shown(request_value),
                shown(limit_value)
            );
            let at = module.create_options_at(at);
            let suggestion = Suggestion::new(
                format!("lower the request to the limit, {}", shown(limit_value)),
                vec![Edit::Set { at: at.clone(), value: limit_value.clone() }],
            )
            .with_input(format!("requests.{resource}"), 0, "", Some(limit_value.clone()));
            out.push(
                Finding::new(&RULE, Some(module), at, message).severity(Severity::Error).suggest_review(suggestion),
            );
        }
    }
    out
}

/// One memory or CPU value of `k8s-experimental.resources`, read.
enum Read {
    Absent,
    /// Bytes or millicores (placeholders are data: absent).
    Quantity(u128),
    /// Not a quantity Kubernetes can use: the finding that says so.
    Invalid(Box<Finding>),
}

fn quantity(module: &Module, part: &str, resource: &str) -> Read {
    let Some(value) = k8s::resource(module, part, resource) else { return Read::Absent };
    let text = match value {
        Value::String(s) if contains_placeholder(s) => return Read::Absent,
        other => shown(other),
    };
    let parsed = if resource == "memory" { parse_memory(&text) } else { parse_cpu(&text) };
    if let Some(q) = parsed {
        return Read::Quantity(q);
    }
    let Some(at) = k8s::resource_rel(module, part, resource) else { return Read::Absent };
    let at = module.create_options_at(at);
    let written = format!("`{part}.{resource}: {text}` in k8s-experimental.resources");
    // `128m` is a quantity (milli-bytes), meant as mebibytes.
    let milli = (resource == "memory" && parse(&text).is_some_and(|(_, below_one)| below_one))
        .then(|| text.trim().strip_suffix('m').map(|n| format!("{n}Mi")))
        .flatten();
    let finding = match milli {
        Some(mi) => Finding::new(
            &RULE,
            Some(module),
            at.clone(),
            format!("{written} is in milli-bytes (`m`): the container cannot start with so little memory"),
        )
        .suggest_review(
            Suggestion::new(
                format!("write `{mi}` (mebibytes)"),
                vec![Edit::Set { at, value: Value::String(mi.clone()) }],
            )
            .with_input(format!("{part}.{resource}"), 0, "", Some(Value::String(mi))),
        ),
        None => Finding::new(
            &RULE,
            Some(module),
            at,
            format!(
                "{written} is not a Kubernetes {resource} quantity (such as {}): the agent cannot read the module's resources",
                if resource == "memory" { "`\"256Mi\"`, `\"1.5Gi\"`" } else { "`\"500m\"`, `\"2\"`" }
            ),
        ),
    };
    Read::Invalid(Box::new(finding.severity(Severity::Error)))
}

/// A memory or CPU limit now, or one RES004 moves from Docker's settings (a placeholder counts:
/// the engineer has set a limit).
fn has_limits(module: &Module) -> bool {
    let k8s_limit = ["memory", "cpu"].iter().any(|r| k8s::resource(module, "limits", r).is_some());
    let Some(hc) = module.host_config() else { return k8s_limit };
    let docker_limit =
        [&hc.memory, &hc.nano_cpus, &hc.cpu_quota].into_iter().flatten().any(|f: &Field| match f.amount() {
            Amount::Int(n) => n > 0,
            Amount::Placeholder(_) => true,
            Amount::Unset | Amount::Invalid(_) => false,
        });
    k8s_limit || docker_limit
}

/// RES001, RES003 or RES006 writes `limits.nvidia.com/gpu` for this module.
fn writes_gpu_limit(module: &Module) -> bool {
    gpus::fpga_resource(module).is_some()
        || devices::wants_gpu(module)
        || k8s::resource(module, "requests", GPU).is_some()
}

/// The VM: Docker's own limits in `HostConfig`, as moby reads them.
mod vm {
    use crate::manifest::Module;
    use crate::manifest::Pointer;
    use crate::manifest::model::{Amount, Field, HostConfig};
    use crate::rules::shared::k8s;
    use crate::rules::{Edit, Finding, Severity, Suggestion};
    use serde_json::{Value, json};

    /// Docker's smallest memory limit (moby: "Minimum memory limit allowed is 6MB").
    const MIN_MEMORY: i128 = 6 * 1024 * 1024;

    pub(super) fn check(module: &Module) -> Vec<Finding> {
        let mut out = invalid(module);
        if !module.system && out.is_empty() && !has_limits(module) {
            out.extend(missing(module));
        }
        out
    }

    /// A memory or CPU limit in `HostConfig`, or in `k8s-experimental` for RES104 to move.
    fn has_limits(module: &Module) -> bool {
        let k8s_limit = ["memory", "cpu"].iter().any(|r| k8s::resource(module, "limits", r).is_some());
        let Some(hc) = module.host_config() else { return k8s_limit };
        let docker =
            [&hc.memory, &hc.nano_cpus, &hc.cpu_quota].into_iter().flatten().any(|f: &Field| match f.amount() {
                Amount::Int(n) => n > 0,
                Amount::Placeholder(_) => true,
                Amount::Unset | Amount::Invalid(_) => false,
            });
        k8s_limit || docker
    }

    fn missing(module: &Module) -> Option<Finding> {
        let (hc_at, hc_key) = match module.host_config() {
            None => (Pointer::root().child("HostConfig"), "HostConfig"),
            Some(hc) if hc.is_object => (hc.at.clone(), hc.key.as_str()),
            Some(_) => return None,
        };
        let message = format!(
            "no `Memory`, `NanoCpus` or `CpuQuota` in `{hc_key}`: the module can take the VM's memory and CPU from the IoT Edge runtime and the other modules"
        );
        let at = |key: &str| module.create_options_at(hc_at.child(key));
        let edits = vec![
            Edit::Set { at: at("Memory"), value: json!(536_870_912) },
            Edit::Set { at: at("NanoCpus"), value: json!(500_000_000) },
        ];
        let suggestion =
            Suggestion::new("set a memory limit (bytes) and a CPU limit (10⁻⁹ CPUs: half a CPU here)", edits)
                .with_input("memory limit in bytes (HostConfig.Memory)", 0, "", None);
        Some(
            Finding::new(&super::RULE, Some(module), module.create_options_at(hc_at), message)
                .suggest_review(suggestion),
        )
    }

    /// `HostConfig` memory and CPU values Docker refuses: what an engineer may type into this
    /// rule's or RES104's suggestions, checked before it is accepted.
    fn invalid(module: &Module) -> Vec<Finding> {
        let Some(hc) = module.host_config() else { return Vec::new() };
        let mut out = Vec::new();
        let settings: [(&Option<Field>, &str); 4] = [
            (&hc.memory, "bytes"),
            (&hc.memory_reservation, "bytes"),
            (&hc.nano_cpus, "10⁻⁹ CPUs"),
            (&hc.cpu_shares, "a relative weight"),
        ];
        for (field, unit) in settings {
            let Some(f) = field else { continue };
            out.extend(number(module, hc, f, unit));
        }
        let memory = hc.memory.as_ref().map(Field::amount);
        if let Some(Amount::Int(m)) = memory
            && m > 0
            && m < MIN_MEMORY
            && let Some(f) = &hc.memory
        {
            out.push(error(
                module,
                f,
                format!(
                    "`{}.{}: {m}` is below Docker's minimum of 6 MB (6291456 bytes): the container is not created",
                    hc.key, f.key
                ),
            ));
        }
        if let (Some(Amount::Int(m)), Some(r)) = (memory, hc.memory_reservation.as_ref())
            && let Amount::Int(res) = r.amount()
            && m > 0
            && res > m
        {
            out.push(error(
                module,
                r,
                format!(
                    "`{}.{}: {res}` is above the memory limit {m}: Docker refuses a limit below the reservation",
                    hc.key, r.key
                ),
            ));
        }
        out
    }

    /// A value Docker cannot read as a whole number.
    fn number(module: &Module, hc: &HostConfig, f: &Field, unit: &str) -> Option<Finding> {
        let named = format!("`{}.{}`", hc.key, f.key);
        match (f.amount(), &f.value) {
            (Amount::Int(n), Value::String(s)) => {
                let message =
                    format!("{named} `\"{s}\"` is text: Docker reads a number ({unit}) and refuses the container");
                let at = module.create_options_at(f.at.clone());
                let fix =
                    Suggestion::new(format!("write {n} as a number"), vec![Edit::Set { at, value: json!(n as i64) }]);
                Some(error(module, f, message).suggest(fix))
            }
            (Amount::Invalid(t), _) => Some(error(
                module,
                f,
                format!("{named} `{t}` is not a whole number ({unit}): Docker refuses the container"),
            )),
            _ => None,
        }
    }

    fn error(module: &Module, f: &Field, message: String) -> Finding {
        Finding::new(&super::RULE, Some(module), module.create_options_at(f.at.clone()), message)
            .severity(Severity::Error)
    }
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn milli_bytes_are_a_quantity_but_not_memory() {
        assert_eq!(parse("128m"), Some((0.128, true)));
        assert_eq!(super::parse_memory("128m"), None);
    }
}
