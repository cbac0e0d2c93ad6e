//! RES102 (VM): a GPU device request moby refuses at container create.

use crate::manifest::Module;
use crate::manifest::model::{Amount, DeviceRequest, Field};
use crate::rules::{Check, Context, Edit, Finding, FixAvailability, Rule, RuleDoc, Section, Severity, Suggestion, VM};
use serde_json::{Value, json};

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "RES102",
        section: Section::Resources,
        severity: Severity::Error,
        fix: FixAvailability::Sometimes,
        targets: VM,
        title: "GPU device request that Docker refuses: flat or missing `Capabilities`, `Count` with `DeviceIDs`, more GPUs than the VM has",
        detects: "Each `HostConfig.DeviceRequests` entry for NVIDIA GPUs (driver `nvidia` or a `gpu` capability) with `Capabilities` flat (`[\"gpu\"]`), a string or missing; a non-zero `Count` together with `DeviceIDs`; a `Count` written as text (`\"all\"`) or `DeviceIDs` as one string (`\"0,1\"`); a `Count` above the VM's GPUs (`--gpus`), or a GPU index the VM does not have. One finding per entry.",
        why: "These fail when the container is created, so the module never starts. `Capabilities` is a list of lists (any of the inner lists, all of its capabilities): `[\"gpu\"]` fails with \"json: cannot unmarshal string into Go struct field DeviceRequest…Capabilities of type []string\" (Azure/iotedge#3959), and a request without capabilities matches no device driver (\"could not select device driver\", moby `daemon/devices.go`). moby refuses \"both Count and DeviceIDs on device request\" (moby `daemon/nvidia_linux.go`). `Count` is a number (-1 is every GPU) and `DeviceIDs` a list of strings in Docker's API. A count turns into GPU indexes 0…N-1 (`NVIDIA_VISIBLE_DEVICES=0,1`), so more GPUs than the VM has (1, or 2 on `Standard_NC32as_2T4_v1`/`Standard_NC32as_2A2_v1`) name a GPU that does not exist and the NVIDIA hook fails.",
        before: r#"{"HostConfig": {"DeviceRequests": [{"Driver": "nvidia", "Count": 2, "DeviceIDs": ["0"], "Capabilities": ["gpu"]}]}}"#,
        after: r#"{"HostConfig": {"DeviceRequests": [{"Driver": "nvidia", "DeviceIDs": ["0"], "Capabilities": [["gpu"]]}]}}"#,
        fix_safety: "Nesting the capabilities, adding the missing `[[\"gpu\"]]`, writing `\"all\"` as -1 and a number or an ID list in Docker's types are safe: the request could not work otherwise. With both `Count` and `DeviceIDs`, the suggestion keeps the `DeviceIDs` (the specific GPUs) and drops the count: review it. A count above the VM's GPUs becomes the VM's GPUs, to confirm. A GPU index the VM lacks is yours to correct. Placeholders are left alone.",
    },
    check: Check::Module(check),
};

fn check(ctx: &Context, module: &Module) -> Vec<Finding> {
    let Some(entries) = module.host_config().and_then(|h| h.device_requests.as_ref()).and_then(|r| r.entries.as_ref())
    else {
        return Vec::new();
    };
    let gpus = u64::from(ctx.device.gpus);
    entries.iter().filter(|r| r.is_gpu()).filter_map(|r| finding(module, r, gpus)).collect()
}

/// What is wrong with one request: the reasons, the edits and the count to confirm (its edit).
#[derive(Default)]
struct Problems {
    reasons: Vec<String>,
    edits: Vec<Edit>,
    review: bool,
    /// The edit writing the count the engineer confirms.
    count_input: Option<(usize, u64)>,
}

fn finding(module: &Module, r: &DeviceRequest, gpus: u64) -> Option<Finding> {
    let mut p = Problems::default();
    let at = |f: &Field| module.create_options_at(f.at.clone());
    // Capabilities.
    match &r.capabilities {
        None => {
            p.reasons.push("it has no `Capabilities`, so no device driver matches it".into());
            p.edits
                .push(Edit::Set { at: module.create_options_at(r.at.child("Capabilities")), value: json!([["gpu"]]) });
        }
        Some(c) if c.placeholder().is_some() => {}
        Some(c) => match nested(&c.value) {
            Nested::Fine => {}
            Nested::Fixed(value) => {
                p.reasons.push(format!("`{}: {}` is not a list of lists: Docker cannot read it", c.key, c.shown()));
                p.edits.push(Edit::Set { at: at(c), value });
            }
            Nested::Empty => {
                p.reasons.push(format!("`{}` is empty, so no device driver matches it", c.key));
                p.edits.push(Edit::Set { at: at(c), value: json!([["gpu"]]) });
            }
            Nested::Unreadable => {
                p.reasons.push(format!("`{}: {}` is not a list of lists of capabilities", c.key, c.shown()));
            }
        },
    }
    // DeviceIDs.
    let mut ids: Option<Vec<String>> = None;
    if let Some(d) = &r.device_ids
        && d.placeholder().is_none()
    {
        match &d.value {
            Value::Array(list) => ids = Some(list.iter().map(crate::manifest::model::shown).collect()),
            Value::String(s) => {
                let list: Vec<String> = s.split(',').map(|x| x.trim().to_owned()).filter(|x| !x.is_empty()).collect();
                p.reasons.push(format!("`{}: \"{s}\"` is one string: Docker reads a list of GPU IDs", d.key));
                p.edits.push(Edit::Set { at: at(d), value: json!(list) });
                ids = Some(list);
            }
            Value::Null => {}
            other => p.reasons.push(format!("`{}: {other}` is not a list of GPU IDs", d.key)),
        }
    }
    let ids = ids.filter(|l| !l.is_empty());
    // Count.
    let count = r.count.as_ref().filter(|c| c.placeholder().is_none());
    let mut number: Option<i128> = None;
    if let Some(c) = count {
        match (c.amount(), &c.value) {
            (_, Value::String(s)) if s.trim().eq_ignore_ascii_case("all") => {
                p.reasons.push(format!("`{}: \"{s}\"` is text: Docker's \"all\" is the number -1", c.key));
                p.edits.push(Edit::Set { at: at(c), value: json!(-1) });
                number = Some(-1);
            }
            (Amount::Int(n), Value::String(s)) => {
                p.reasons.push(format!("`{}: \"{s}\"` is text: Docker reads a number", c.key));
                p.edits.push(Edit::Set { at: at(c), value: json!(n as i64) });
                number = Some(n);
            }
            (Amount::Int(n), _) => number = Some(n),
            (Amount::Invalid(t), _) => p.reasons.push(format!("`{}: {t}` is not a whole number of GPUs", c.key)),
            _ => {}
        }
    }
    match (number, &ids, count) {
        (Some(n), Some(list), Some(c)) if n != 0 => {
            p.reasons.push(format!(
                "`{}: {n}` and `DeviceIDs` {list:?} together: moby refuses \"both Count and DeviceIDs on device request\"",
                c.key
            ));
            p.edits.push(Edit::Remove { at: at(c) });
            p.review = true;
        }
        (Some(n), _, Some(c)) if gpus > 0 && n > 0 && n as u128 > u128::from(gpus) => {
            p.reasons.push(format!(
                "`{}: {n}` asks for more GPUs than the VM has ({gpus}, `--gpus`): the GPU indexes 0…{} do not all exist",
                c.key,
                n - 1
            ));
            p.count_input = Some((p.edits.len(), gpus));
            p.edits.push(Edit::Set { at: at(c), value: json!(gpus) });
        }
        _ => {}
    }
    if let Some(list) = &ids
        && gpus > 0
    {
        let missing: Vec<&String> = list.iter().filter(|id| !super::gpus::names_gpu(id, gpus)).collect();
        if !missing.is_empty() {
            p.reasons.push(format!(
                "{} in `DeviceIDs` names no GPU of the VM, which has {gpus} (index 0{}; or a `GPU-…` UUID)",
                missing.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", "),
                if gpus > 1 { format!("…{}", gpus - 1) } else { String::new() }
            ));
        }
    }
    if p.reasons.is_empty() {
        return None;
    }
    let message = format!("device request `{}`: {}", super::devices::compact(&r.value), p.reasons.join("; "));
    let finding = Finding::new(&RULE, Some(module), module.create_options_at(r.at.clone()), message);
    if p.edits.is_empty() {
        return Some(finding);
    }
    let summary = "write the device request the way Docker reads it";
    let mut suggestion = Suggestion::new(summary, p.edits);
    if let Some((edit, gpus)) = p.count_input {
        suggestion = suggestion.with_input("GPU count (at most the VM's GPUs)", edit, "", Some(json!(gpus)));
    } else if p.review {
        suggestion = suggestion.review();
    }
    Some(finding.suggest(suggestion))
}

/// `Capabilities` read as Docker's list of lists.
enum Nested {
    Fine,
    /// Written as a string or a flat list: the nested value.
    Fixed(Value),
    Empty,
    Unreadable,
}

fn nested(v: &Value) -> Nested {
    let is_text = |x: &Value| x.is_string();
    match v {
        Value::String(s) => Nested::Fixed(json!([[s]])),
        Value::Array(a) if a.is_empty() => Nested::Empty,
        Value::Array(a) if a.iter().all(|x| x.as_array().is_some_and(|inner| inner.iter().all(is_text))) => {
            if a.iter().all(|x| x.as_array().is_some_and(Vec::is_empty)) { Nested::Empty } else { Nested::Fine }
        }
        // A flat list is one set of capabilities, all required: `["gpu", "utility"]`.
        Value::Array(a) if a.iter().all(is_text) => Nested::Fixed(json!([a])),
        // Mixed: each bare string becomes a list of its own.
        Value::Array(a)
            if a.iter().all(|x| is_text(x) || x.as_array().is_some_and(|inner| inner.iter().all(is_text))) =>
        {
            Nested::Fixed(Value::Array(a.iter().map(|x| if x.is_string() { json!([x]) } else { x.clone() }).collect()))
        }
        _ => Nested::Unreadable,
    }
}
