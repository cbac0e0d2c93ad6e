//! RES004: Docker's memory and CPU limits, which the Kubernetes agent ignores, move to
//! `k8s-experimental.resources`.

use super::deployed_by_device;
use crate::manifest::Module;
use crate::manifest::model::{Amount, Field, HostConfig};
use crate::rules::shared::k8s;
use crate::rules::shared::keys::shown;
use crate::rules::shared::quantity::{cpu_quota, cpu_shares, memory, millicores, nano_cpus, parse_cpu, parse_memory};
use crate::rules::{Check, Context, Edit, Finding, FixAvailability, K8S, Rule, RuleDoc, Section, Severity, Suggestion};
use serde_json::Value;

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "RES004",
        section: Section::Resources,
        severity: Severity::Warning,
        fix: FixAvailability::Sometimes,
        targets: K8S,
        title: "Docker memory/CPU limits move to `k8s-experimental.resources`",
        detects: "`HostConfig.Memory`, `MemoryReservation`, `NanoCpus` (also spelled `NanoCPUs`), `CpuQuota` with `CpuPeriod` (one finding), `CpuShares` (keys matched ignoring case), one finding per setting. Not on `edgeAgent`: the device deploys it itself.",
        why: "The Kubernetes agent reads these Docker settings but ignores them, so the module runs unlimited. Kubernetes limits go in `k8s-experimental.resources`: `Memory` bytes → `limits.memory` (`268435456` → `\"256Mi\"`, a binary suffix only when exact, never `m`, which means milli-bytes), `MemoryReservation` → `requests.memory`, `NanoCpus` → `limits.cpu` (`1500000000` → `\"1500m\"`, whole cores when exact: `\"2\"`), `CpuQuota`·1000/`CpuPeriod` (period 100000 µs when unset) → `limits.cpu`, `CpuShares`·1000/1024 → `requests.cpu` (the inverse of the kubelet's shares). CPU is rounded up to Kubernetes' 1m precision. Docker's 0 (or −1) means no limit: such settings are only removed.",
        before: r#"{"HostConfig": {"Memory": 268435456, "NanoCpus": 1500000000, "CpuShares": 512}}"#,
        after: r#"{"k8s-experimental": {"resources": {"limits": {"memory": "256Mi", "cpu": "1500m"}, "requests": {"cpu": "500m"}}}}"#,
        fix_safety: "Safe: the same limits, in the form Kubernetes applies. A request is capped at the module's limit (Kubernetes rejects a request above its limit). A value `k8s-experimental` already sets is kept and the Docker setting only removed; `NanoCpus` wins over `CpuQuota` (Docker accepts only one). A placeholder memory size (`$MEMORY`) is moved as it is, to confirm: a byte count is a Kubernetes quantity too, but Docker's 0 or −1 (no limit) is not. A placeholder CPU setting, or a value Docker would not accept, is left for you to convert.",
    },
    check: Check::Module(check),
};

/// The smallest `NanoCpus` Docker accepts (0.001 CPU): less never ran on the FPGA device.
const MIN_NANO_CPUS: u128 = 1_000_000;

/// What becomes of one Docker setting.
enum Outcome {
    /// Set `k8s-experimental.resources.<part>.<resource>` to `quantity`.
    Move { part: &'static str, resource: &'static str, quantity: String, note: String },
    /// Move a placeholder as it is, to confirm.
    Carry { part: &'static str, resource: &'static str, placeholder: String },
    /// Remove it: nothing to move, and why.
    Drop(String),
    /// Left to the engineer, and why.
    Manual(String),
}

/// The module's settings and the limits it will have once this rule's fixes are in.
struct Limits<'a> {
    module: &'a Module,
    hc: &'a HostConfig,
    /// Memory limit in bytes: `k8s-experimental`'s, else Docker's `Memory`.
    memory: Option<u128>,
    /// CPU limit in millicores: `k8s-experimental`'s, else Docker's `NanoCpus` or `CpuQuota`.
    cpu: Option<u128>,
}

fn check(_ctx: &Context, module: &Module) -> Vec<Finding> {
    let Some(hc) = module.host_config() else { return Vec::new() };
    if deployed_by_device(module) {
        return Vec::new();
    }
    let set = |f: &'_ Option<Field>| f.clone().filter(|s| s.amount() != Amount::Unset);
    let (mem, reservation, nano, quota, period, shares) = (
        set(&hc.memory),
        set(&hc.memory_reservation),
        set(&hc.nano_cpus),
        set(&hc.cpu_quota),
        set(&hc.cpu_period),
        set(&hc.cpu_shares),
    );
    if [&mem, &reservation, &nano, &quota, &period, &shares].iter().all(|f| f.is_none()) {
        return Vec::new();
    }
    let period_us = period.as_ref().map(Field::amount);
    let nano_milli = nano.as_ref().and_then(positive).filter(|n| *n >= MIN_NANO_CPUS).map(nano_cpus);
    let quota_milli = quota.as_ref().and_then(positive).zip(period_of(&period_us)).map(|(q, p)| cpu_quota(q, p));
    let limits = Limits {
        module,
        hc,
        memory: existing(module, "limits", "memory", parse_memory).or_else(|| mem.as_ref().and_then(positive)),
        cpu: existing(module, "limits", "cpu", parse_cpu).or(nano_milli).or(quota_milli),
    };

    let mut out = Vec::new();
    if let Some(s) = &mem {
        out.push(limits.finding(s, &[], memory_outcome(&limits, s, "limits")));
    }
    if let Some(s) = &reservation {
        out.push(limits.finding(s, &[], memory_outcome(&limits, s, "requests")));
    }
    if let Some(s) = &nano {
        let outcome = match s.amount() {
            Amount::Int(n) if n > 0 && (n as u128) < MIN_NANO_CPUS => Outcome::Manual(format!(
                "{n}, below Docker's minimum of {MIN_NANO_CPUS} (0.001 CPU), so the module never ran with it: set `k8s-experimental.resources.limits.cpu` yourself"
            )),
            Amount::Int(n) if n > 0 => limits.set("limits", "cpu", millicores(nano_cpus(n as u128)), String::new()),
            other => unusable(
                other,
                "no CPU limit",
                "limits.cpu",
                "nano-CPUs, 1000000 to a millicore: `1500000000` → `\"1500m\"`",
            ),
        };
        out.push(limits.finding(s, &[], outcome));
    }
    if let Some(s) = &quota {
        let also: Vec<Field> = period.iter().cloned().collect();
        let outcome = match (s.amount(), period_of(&period_us)) {
            (Amount::Int(q), _) if q <= 0 => Outcome::Drop("a quota of 0 or −1 means no CPU limit in Docker".into()),
            (Amount::Int(q), _) if nano_milli.is_some() => Outcome::Drop(format!(
                "`NanoCpus` already gives the CPU limit (Docker accepts only one of them); `CpuQuota` {q} goes"
            )),
            (Amount::Int(_), None) => Outcome::Manual(format!(
                "used with `CpuPeriod` {}, which cannot be converted: set `k8s-experimental.resources.limits.cpu` yourself (quota × 1000 / period millicores)",
                period.as_ref().map_or_else(String::new, |p| format!("`{}`", p.shown()))
            )),
            (Amount::Int(q), Some(p)) => {
                let note = format!(" ({q} µs per {p} µs period)");
                limits.set("limits", "cpu", millicores(quota_milli.unwrap_or(1)), note)
            }
            (other, _) => unusable(
                other,
                "no CPU limit",
                "limits.cpu",
                "microseconds per period, quota × 1000 / period millicores",
            ),
        };
        out.push(limits.finding(s, &also, outcome));
    } else if let Some(s) = &period {
        let outcome = match s.amount() {
            Amount::Placeholder(p) => Outcome::Manual(format!(
                "the placeholder `{p}`, filled in at deploy time; without a `CpuQuota` it limits nothing whatever it becomes: remove it yourself if the template does not need it"
            )),
            _ => Outcome::Drop("without a `CpuQuota` it limits nothing".into()),
        };
        out.push(limits.finding(s, &[], outcome));
    }
    if let Some(s) = &shares {
        let outcome = match s.amount() {
            Amount::Int(n) if n > 0 => {
                let (milli, note) = capped(cpu_shares(n as u128), limits.cpu, "CPU");
                limits.set("requests", "cpu", millicores(milli), note)
            }
            other => unusable(
                other,
                "the default weight",
                "requests.cpu",
                "a relative weight, 1024 to a CPU: shares × 1000 / 1024 millicores",
            ),
        };
        out.push(limits.finding(s, &[], outcome));
    }
    out
}

impl Limits<'_> {
    /// Sets a resource unless `k8s-experimental` already does.
    fn set(&self, part: &'static str, resource: &'static str, quantity: String, note: String) -> Outcome {
        match k8s::resource(self.module, part, resource) {
            Some(v) => Outcome::Drop(format!(
                "`k8s-experimental` already sets `{part}.{resource}: {}`, which is kept",
                shown(v)
            )),
            None => Outcome::Move { part, resource, quantity, note },
        }
    }

    /// `HostConfig.Memory` as written, for messages.
    fn named(&self, f: &Field) -> String {
        format!("`{}.{}`", self.hc.key, f.key)
    }

    fn finding(&self, s: &Field, also: &[Field], outcome: Outcome) -> Finding {
        let module = self.module;
        let at = module.create_options_at(s.at.clone());
        let value = s.shown();
        let name = self.named(s);
        let with = also.iter().map(|a| format!(" with {} {}", self.named(a), a.shown())).collect::<String>();
        let mut edits: Vec<Edit> = std::iter::once(s)
            .chain(also)
            .map(|x| Edit::Remove { at: module.create_options_at(x.at.clone()) })
            .collect();
        let names = std::iter::once(s).chain(also).map(|f| self.named(f)).collect::<Vec<_>>().join(" and ");
        let not_an_object = |part: &str| {
            format!(
                "{name} {value}{with} is ignored on Kubernetes, and `k8s-experimental.resources.{part}` is not an object to move it into"
            )
        };
        let (message, suggestion) = match outcome {
            Outcome::Move { part, resource, quantity, note } => {
                let Some(rel) = k8s::resource_rel(module, part, resource) else {
                    return Finding::new(&RULE, Some(module), at, not_an_object(part));
                };
                let message = format!(
                    "{name} {value}{with} is ignored on Kubernetes: it becomes `resources.{part}.{resource}: \"{quantity}\"`{note}"
                );
                let summary = format!("move {names} to k8s-experimental as `{part}.{resource}: \"{quantity}\"`");
                edits.insert(0, Edit::Set { at: module.create_options_at(rel), value: Value::String(quantity) });
                (message, Suggestion::new(summary, edits))
            }
            Outcome::Carry { part, resource, placeholder } => {
                let Some(rel) = k8s::resource_rel(module, part, resource) else {
                    return Finding::new(&RULE, Some(module), at, not_an_object(part));
                };
                let message = format!(
                    "{name} is the placeholder `{placeholder}`, filled in at deploy time, and ignored on Kubernetes whatever it becomes: a byte count is a Kubernetes memory quantity as it is, so it can move to `resources.{part}.{resource}` unchanged; Docker's 0 or −1 (no limit) is not a limit there: then drop it instead"
                );
                let summary =
                    format!("move {names} to k8s-experimental as `{part}.{resource}: \"{placeholder}\"`, unchanged");
                edits.insert(
                    0,
                    Edit::Set { at: module.create_options_at(rel), value: Value::String(placeholder.clone()) },
                );
                let suggestion = Suggestion::new(summary, edits).with_input(
                    format!("{part}.{resource} (a Kubernetes quantity)"),
                    0,
                    "",
                    Some(Value::String(placeholder)),
                );
                (message, suggestion)
            }
            Outcome::Drop(reason) => {
                let message = format!("{name} {value}{with} is ignored on Kubernetes, and {reason}");
                (message, Suggestion::new(format!("remove {names}"), edits))
            }
            Outcome::Manual(reason) => {
                let message = format!("{name} is ignored on Kubernetes and is {reason}");
                return Finding::new(&RULE, Some(module), at, message);
            }
        };
        Finding::new(&RULE, Some(module), at, message).suggest(suggestion)
    }
}

fn memory_outcome(limits: &Limits<'_>, s: &Field, part: &'static str) -> Outcome {
    match s.amount() {
        Amount::Int(n) if n > 0 => {
            let (bytes, note) = if part == "requests" {
                capped(n as u128, limits.memory, "memory")
            } else {
                (n as u128, String::new())
            };
            limits.set(part, "memory", memory(bytes), note)
        }
        Amount::Placeholder(p) => match k8s::resource(limits.module, part, "memory") {
            Some(v) => Outcome::Drop(format!(
                "`k8s-experimental` already sets `{part}.memory: {}`, which is kept (the placeholder `{p}` goes)",
                shown(v)
            )),
            None => Outcome::Carry { part, resource: "memory", placeholder: p },
        },
        other => unusable(other, "no memory limit", &format!("{part}.memory"), "bytes"),
    }
}

/// The outcome for a value that is not a positive whole number.
fn unusable(value: Amount, zero_means: &str, target: &str, unit: &str) -> Outcome {
    match value {
        Amount::Int(0) | Amount::Unset => Outcome::Drop(format!("0 means {zero_means} in Docker")),
        Amount::Int(_) => Outcome::Drop(format!("Docker reads a value of 0 or less as {zero_means}")),
        Amount::Placeholder(p) => Outcome::Manual(format!(
            "the placeholder `{p}`, filled in at deploy time: whatever it becomes, set `k8s-experimental.resources.{target}` yourself, converted from Docker's unit ({unit}); Docker's 0 or −1 means {zero_means}"
        )),
        Amount::Invalid(t) => Outcome::Manual(format!(
            "`{t}`, not a whole number Docker accepts: set `k8s-experimental.resources.{target}` yourself"
        )),
    }
}

/// A request no larger than the limit, with a note when it had to be capped.
fn capped(request: u128, limit: Option<u128>, what: &str) -> (u128, String) {
    match limit {
        Some(l) if request > l => (l, format!(" (capped at the {what} limit: Kubernetes rejects a request above it)")),
        _ => (request, String::new()),
    }
}

/// A positive whole number.
fn positive(f: &Field) -> Option<u128> {
    match f.amount() {
        Amount::Int(n) if n > 0 => Some(n as u128),
        _ => None,
    }
}

/// A quantity `k8s-experimental` already sets, parsed.
fn existing(module: &Module, part: &str, resource: &str, parse: fn(&str) -> Option<u128>) -> Option<u128> {
    parse(&shown(k8s::resource(module, part, resource)?))
}

/// The CPU period in microseconds: Docker's 100000 when unset (or 0); `None` when it cannot be read.
fn period_of(period: &Option<Amount>) -> Option<u128> {
    match period {
        Some(Amount::Int(p)) if *p > 0 => Some(*p as u128),
        None | Some(Amount::Int(_) | Amount::Unset) => Some(100_000),
        Some(Amount::Placeholder(_) | Amount::Invalid(_)) => None,
    }
}
