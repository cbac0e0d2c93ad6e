//! RES004: Docker's memory and CPU limits, which the Kubernetes agent ignores, move to
//! `k8s-experimental.resources`.

use super::quantity::{cpu_quota, cpu_shares, memory, millicores, nano_cpus, parse_cpu, parse_memory};
use crate::manifest::Module;
use crate::rules::shared::docker::{Amount, Setting, amount, setting};
use crate::rules::shared::k8s;
use crate::rules::shared::keys::shown;
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
        detects: "`HostConfig.Memory`, `MemoryReservation`, `NanoCpus` (also spelled `NanoCPUs`), `CpuQuota` with `CpuPeriod` (one finding), `CpuShares` (keys matched ignoring case), one finding per setting.",
        why: "The Kubernetes agent reads these Docker settings but ignores them, so the module runs unlimited. Kubernetes limits go in `k8s-experimental.resources`: `Memory` bytes → `limits.memory` (`268435456` → `\"256Mi\"`, a binary suffix only when exact, never `m`, which means milli-bytes), `MemoryReservation` → `requests.memory`, `NanoCpus` → `limits.cpu` (`1500000000` → `\"1500m\"`, whole cores when exact: `\"2\"`), `CpuQuota`·1000/`CpuPeriod` (period 100000 µs when unset) → `limits.cpu`, `CpuShares`·1000/1024 → `requests.cpu` (the inverse of the kubelet's shares). CPU is rounded up to Kubernetes' 1m precision. Docker's 0 (or −1) means no limit: such settings are only removed.",
        before: r#"{"HostConfig": {"Memory": 268435456, "NanoCpus": 1500000000, "CpuShares": 512}}"#,
        after: r#"{"k8s-experimental": {"resources": {"limits": {"memory": "256Mi", "cpu": "1500m"}, "requests": {"cpu": "500m"}}}}"#,
        fix_safety: "Safe: the same limits, in the form Kubernetes applies. A request is capped at the module's limit (Kubernetes rejects a request above its limit). A value `k8s-experimental` already sets is kept and the Docker setting only removed; `NanoCpus` wins over `CpuQuota` (Docker accepts only one). A placeholder (`$MEMORY`) or a value Docker would not accept is left for you to move.",
    },
    check: Check::Module(check),
};

/// The smallest `NanoCpus` Docker accepts (0.001 CPU): less never ran on the FPGA device.
const MIN_NANO_CPUS: u128 = 1_000_000;

/// What becomes of one Docker setting.
enum Outcome {
    /// Set `k8s-experimental.resources.<part>.<resource>` to `quantity`.
    Move { part: &'static str, resource: &'static str, quantity: String, note: String },
    /// Remove it: nothing to move, and why.
    Drop(String),
    /// Left to the engineer, and why.
    Manual(String),
}

/// The module's settings and the limits it will have once this rule's fixes are in.
struct Limits<'a> {
    module: &'a Module,
    /// Memory limit in bytes: `k8s-experimental`'s, else Docker's `Memory`.
    memory: Option<u128>,
    /// CPU limit in millicores: `k8s-experimental`'s, else Docker's `NanoCpus` or `CpuQuota`.
    cpu: Option<u128>,
}

fn check(_ctx: &Context, module: &Module) -> Vec<Finding> {
    let get = |key| setting(module, key).filter(|s| amount(s.value) != Amount::Unset);
    let (mem, reservation, nano, quota, period, shares) =
        (get("Memory"), get("MemoryReservation"), get("NanoCpus"), get("CpuQuota"), get("CpuPeriod"), get("CpuShares"));
    if [mem, reservation, nano, quota, period, shares].iter().all(Option::is_none) {
        return Vec::new();
    }
    let period_us = period.map(|p| amount(p.value));
    let nano_milli = nano.and_then(|s| positive(s.value)).filter(|n| *n >= MIN_NANO_CPUS).map(nano_cpus);
    let quota_milli = quota.and_then(|s| positive(s.value)).zip(period_of(&period_us)).map(|(q, p)| cpu_quota(q, p));
    let limits = Limits {
        module,
        memory: existing(module, "limits", "memory", parse_memory).or_else(|| mem.and_then(|s| positive(s.value))),
        cpu: existing(module, "limits", "cpu", parse_cpu).or(nano_milli).or(quota_milli),
    };

    let mut out = Vec::new();
    if let Some(s) = mem {
        out.push(limits.finding(s, &[], memory_outcome(&limits, s, "limits")));
    }
    if let Some(s) = reservation {
        out.push(limits.finding(s, &[], memory_outcome(&limits, s, "requests")));
    }
    if let Some(s) = nano {
        let outcome = match amount(s.value) {
            Amount::Int(n) if n > 0 && (n as u128) < MIN_NANO_CPUS => Outcome::Manual(format!(
                "{n}, below Docker's minimum of {MIN_NANO_CPUS} (0.001 CPU), so the module never ran with it: set `k8s-experimental.resources.limits.cpu` yourself"
            )),
            Amount::Int(n) if n > 0 => limits.set("limits", "cpu", millicores(nano_cpus(n as u128)), String::new()),
            other => unusable(other, "no CPU limit", "limits.cpu", "in nano-CPUs (10⁻⁹ CPU)"),
        };
        out.push(limits.finding(s, &[], outcome));
    }
    if let Some(s) = quota {
        let also: Vec<Setting> = period.into_iter().collect();
        let outcome = match (amount(s.value), period_of(&period_us)) {
            (Amount::Int(q), _) if q <= 0 => Outcome::Drop("a quota of 0 or −1 means no CPU limit in Docker".into()),
            (Amount::Int(q), _) if nano_milli.is_some() => Outcome::Drop(format!(
                "`NanoCpus` already gives the CPU limit (Docker accepts only one of them); `CpuQuota` {q} goes"
            )),
            (Amount::Int(_), None) => Outcome::Manual(format!(
                "used with `CpuPeriod` {}, which cannot be converted: set `k8s-experimental.resources.limits.cpu` yourself",
                period.map_or_else(String::new, |p| format!("`{}`", shown(p.value)))
            )),
            (Amount::Int(q), Some(p)) => {
                let note = format!(" ({q} µs per {p} µs period)");
                limits.set("limits", "cpu", millicores(quota_milli.unwrap_or(1)), note)
            }
            (other, _) => unusable(other, "no CPU limit", "limits.cpu", "in microseconds per period"),
        };
        out.push(limits.finding(s, &also, outcome));
    } else if let Some(s) = period {
        let outcome = match amount(s.value) {
            Amount::Placeholder(p) => {
                Outcome::Manual(format!("the placeholder `{p}`, without a `CpuQuota`: remove it yourself if unused"))
            }
            _ => Outcome::Drop("without a `CpuQuota` it limits nothing".into()),
        };
        out.push(limits.finding(s, &[], outcome));
    }
    if let Some(s) = shares {
        let outcome = match amount(s.value) {
            Amount::Int(n) if n > 0 => {
                let (milli, note) = capped(cpu_shares(n as u128), limits.cpu, "CPU");
                limits.set("requests", "cpu", millicores(milli), note)
            }
            other => unusable(other, "the default weight", "requests.cpu", "as a relative weight (1024 = one CPU)"),
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

    fn finding(&self, s: Setting<'_>, also: &[Setting<'_>], outcome: Outcome) -> Finding {
        let module = self.module;
        let path = module.co_path(s.rel());
        let value = shown(s.value);
        let with = also.iter().map(|a| format!(" with {} {}", a.shown(), shown(a.value))).collect::<String>();
        let mut edits: Vec<Edit> =
            std::iter::once(&s).chain(also).map(|x| Edit::Remove { at: module.co_path(x.rel()) }).collect();
        let names = std::iter::once(&s).chain(also).map(Setting::shown).collect::<Vec<_>>().join(" and ");
        let (message, suggestion) = match outcome {
            Outcome::Move { part, resource, quantity, note } => {
                let Some(rel) = k8s::resource_rel(module, part, resource) else {
                    let message = format!(
                        "{} {value}{with} is ignored on Kubernetes, and `k8s-experimental.resources.{part}` is not an object to move it into",
                        s.shown()
                    );
                    return Finding::new(&RULE, Some(module), path, message);
                };
                let message = format!(
                    "{} {value}{with} is ignored on Kubernetes: it becomes `resources.{part}.{resource}: \"{quantity}\"`{note}",
                    s.shown()
                );
                let summary = format!("move {names} to k8s-experimental as `{part}.{resource}: \"{quantity}\"`");
                edits.insert(0, Edit::Set { at: module.co_path(&rel), value: Value::String(quantity) });
                (message, Suggestion::new(summary, edits))
            }
            Outcome::Drop(reason) => {
                let message = format!("{} {value}{with} is ignored on Kubernetes, and {reason}", s.shown());
                (message, Suggestion::new(format!("remove {names}"), edits))
            }
            Outcome::Manual(reason) => {
                let message = format!("{} is ignored on Kubernetes and is {reason}", s.shown());
                return Finding::new(&RULE, Some(module), path, message);
            }
        };
        Finding::new(&RULE, Some(module), path, message).suggest(suggestion)
    }
}

fn memory_outcome(limits: &Limits<'_>, s: Setting<'_>, part: &'static str) -> Outcome {
    match amount(s.value) {
        Amount::Int(n) if n > 0 => {
            let (bytes, note) = if part == "requests" {
                capped(n as u128, limits.memory, "memory")
            } else {
                (n as u128, String::new())
            };
            limits.set(part, "memory", memory(bytes), note)
        }
        other => unusable(other, "no memory limit", &format!("{part}.memory"), "in bytes"),
    }
}

/// The outcome for a value that is not a positive whole number.
fn unusable(value: Amount, zero_means: &str, target: &str, unit: &str) -> Outcome {
    match value {
        Amount::Int(0) | Amount::Unset => Outcome::Drop(format!("0 means {zero_means} in Docker")),
        Amount::Int(_) => Outcome::Drop(format!("Docker reads a value of 0 or less as {zero_means}")),
        Amount::Placeholder(p) => Outcome::Manual(format!(
            "the placeholder `{p}`, filled in at deployment: move it to `k8s-experimental.resources.{target}` yourself, converted to a Kubernetes quantity (Docker's value is {unit})"
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
fn positive(v: &Value) -> Option<u128> {
    match amount(v) {
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
