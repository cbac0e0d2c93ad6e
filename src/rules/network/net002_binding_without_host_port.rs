//! NET002: a port binding that gives the Service no port: no usable `HostPort`, or a key the
//! agent cannot read. On the VM: a container port Docker publishes on an ephemeral host port.

use super::ports::{self, Group, Plan, Purpose, groups, mapping};
use super::vm;
use crate::device::Target;
use crate::manifest::Module;
use crate::manifest::model::{HostPort, PortBinding, PortMapping};
use crate::manifest::placeholder::contains_placeholder;
use crate::rules::{
    BOTH, Check, Context, Edit, Finding, FixAvailability, PortPlace, Rule, RuleDoc, Section, Severity, Suggestion,
};
use serde_json::Value;

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "NET002",
        section: Section::Network,
        severity: Severity::Error,
        fix: FixAvailability::Sometimes,
        targets: BOTH,
        title: "Port binding without a usable host port",
        detects: "Kubernetes target: a `HostConfig.PortBindings` entry that gives the module's Service no port: a mapping with no `HostPort`, an empty one, a range (`8000-8010`) or something that is not a number; an entry that is `null` or `[]`; a host port outside 1–65535. A key the agent cannot read (a container port range, a protocol other than tcp, udp or sctp) is reported for a manual fix. A key without a protocol (`\"8080\"`) is fine: Docker and the agent both read it as tcp. Where another mapping or key binds the same container port, the broken ones lose nothing and are a warning. VM target (info): a mapping with no `HostPort`, `null`, `\"\"` or `\"0\"`, in a module that is not on the host network.",
        why: "Docker picks a random host port when `HostPort` is missing or empty and accepts ranges. The Kubernetes agent needs a `HostPort` that parses as one number: anything else is skipped with a log line, so the port is silently missing from the module's Service; a number outside 1–65535 makes the API server reject the whole Service. Setting `HostPort` to the container port keeps the number clients already use. In a VM, moby behaves as the FPGA device's Docker did: an empty `HostPort` (or `0`) publishes the container port on an ephemeral host port, chosen again each time the container is created (VM-TARGET.md §7, NET002 changed to info). Modules reach each other at `<module>:<container port>` and do not care; clients outside the VM, which must be repointed at the VM anyway (NET101), need a fixed one.",
        before: r#"{"HostConfig": {"PortBindings": {"8080/tcp": [{"HostPort": ""}]}}}"#,
        after: r#"{"HostConfig": {"PortBindings": {"8080/tcp": [{"HostPort": "8080"}]}}}"#,
        fix_safety: "Kubernetes: safe: the host port becomes the container port, which clients on the Docker network used (or the next free number when the module already binds that one, which you confirm). Mappings without a usable host port are dropped when another mapping of the same container port binds it: they added nothing on Kubernetes. VM: needs review: a fixed host port (the container port, or the next number no module of the VM publishes) is only worth it if clients outside the VM use the port; leaving it ephemeral keeps the FPGA behaviour. Where another mapping already publishes the container port on a fixed port there is nothing to propose.",
    },
    check: Check::Module(check),
};

fn check(ctx: &Context, module: &Module) -> Vec<Finding> {
    if ctx.device.target == Target::Vm {
        return ephemeral(ctx, module);
    }
    let mut out: Vec<Finding> = module.port_bindings().iter().filter_map(|b| unreadable(module, b)).collect();
    if ports::mixes_protocols(module, ctx.device) {
        return out;
    }
    let mut plan = None;
    for g in groups(module) {
        if g.is_bound() {
            // Another mapping binds the container port: the broken ones only add nothing.
            out.extend(g.bindings.iter().filter_map(|b| drop_broken(module, &g, b)));
        } else {
            let plan = plan.get_or_insert_with(|| Plan::of(module, ctx.device));
            out.extend(bind(module, &g, plan));
        }
    }
    out
}

/// What is wrong with a mapping's host port, when it gives the Service nothing.
fn problem(m: &PortMapping) -> Option<String> {
    let shown = || m.host_port.as_ref().map_or_else(String::new, |f| f.shown());
    Some(match m.host_port() {
        HostPort::Port(_) | HostPort::Placeholder(_) => return None,
        HostPort::Missing if !m.is_object => "is not an object with a `HostPort`: the agent skips it".to_owned(),
        HostPort::Missing => match &m.host_port {
            None => "has no `HostPort`: the agent skips it".to_owned(),
            Some(f) if f.value.is_null() => format!("has `{}: null`: the agent skips it", f.key),
            Some(f) => format!("has an empty `{}`: the agent skips it", f.key),
        },
        HostPort::Range(r) => format!("has the host port range `{r}`: the agent skips it"),
        HostPort::Invalid(v) if v.trim().parse::<i64>().is_ok() => {
            format!("has host port {}, not a port number (1–65535): Kubernetes rejects the module's Service", shown())
        }
        HostPort::Invalid(_) => format!("has host port `{}`, which is not a number: the agent skips it", shown()),
    })
}

/// A host port the agent passes on and the API server refuses (`0`, `70000`, `-1`).
fn rejects(m: &PortMapping) -> bool {
    matches!(m.host_port(), HostPort::Invalid(v) if v.trim().parse::<i64>().is_ok())
}

/// Drops the mappings of `b` that give nothing, where the group is bound elsewhere.
fn drop_broken(module: &Module, g: &Group<'_>, b: &PortBinding) -> Option<Finding> {
    let maps = b.mappings.as_deref().unwrap_or(&[]);
    let broken: Vec<(&PortMapping, String)> = maps.iter().filter_map(|m| Some((m, problem(m)?))).collect();
    let whole = broken.len() == maps.len();
    let (at, what) = match broken.first() {
        // `null`, `[]` or not a list beside a key that binds the port.
        None if maps.is_empty() => (b.port.at.clone(), entry_shape(b)),
        None => return None,
        Some((m, why)) if !whole => (m.at.clone(), format!("mapping {} {why}", m.index)),
        Some((_, why)) => (b.port.at.clone(), why.clone()),
    };
    // A skipped mapping loses nothing the other binds; a rejected number loses the whole Service.
    let rejected = broken.iter().any(|(m, _)| rejects(m));
    let edits = if whole || maps.is_empty() {
        vec![Edit::Remove { at: module.create_options_at(b.port.at.clone()) }]
    } else {
        broken.iter().map(|(m, _)| Edit::Remove { at: module.create_options_at(m.at.clone()) }).collect()
    };
    let other = g.bindings.iter().find(|o| o.port.at != b.port.at && o.host_ports().next().is_some());
    let by = match other {
        Some(o) => format!("`{}` binds container port {}", o.port.key, g.port),
        None => format!("another mapping binds container port {}", g.port),
    };
    let finding = Finding::new(
        &RULE,
        Some(module),
        module.create_options_at(at),
        format!("port binding `{}` {what}", b.port.key),
    );
    let finding = if rejected { finding } else { finding.severity(Severity::Warning) };
    Some(finding.suggest(Suggestion::new(
        if whole || maps.is_empty() {
            format!("drop `{}` ({by})", b.port.key)
        } else {
            format!("drop the mapping(s) without a usable host port from `{}` ({by})", b.port.key)
        },
        edits,
    )))
}

/// `null`, `[]` or something else where the mappings should be.
fn entry_shape(b: &PortBinding) -> String {
    match &b.value {
        Value::Array(_) => "has no mappings: the agent makes no Service port of it".to_owned(),
        other => format!("is `{other}` instead of a list of mappings: the agent makes no Service port of it"),
    }
}

/// Binds the group's container port: its first key gets one mapping to the planned host port.
fn bind(module: &Module, g: &Group<'_>, plan: &Plan) -> Option<Finding> {
    let b = g.bindings[0];
    let maps = b.mappings.as_deref().unwrap_or(&[]);
    let first = maps.iter().find_map(|m| Some((m, problem(m)?)));
    let (at, what) = match &first {
        Some((m, why)) => {
            (m.at.clone(), if maps.len() > 1 { format!("mapping {} {why}", m.index) } else { why.clone() })
        }
        None => (b.port.at.clone(), entry_shape(b)),
    };
    let mut finding = Finding::new(
        &RULE,
        Some(module),
        module.create_options_at(at),
        format!("port binding `{}` {what}", b.port.key),
    );
    let Some(host) = plan.get(Purpose::Bind, &b.port.at) else {
        finding.message.push_str(" (no free host port is left: bind it by hand)");
        return Some(finding);
    };
    // One mapping, the first one (its other keys, such as `HostIp`, kept) with the host port; the
    // others and the group's other keys go.
    let (edits, input_at) = match first {
        Some((m, _)) if m.is_object => {
            let hp = m.host_port.as_ref().map_or_else(|| m.at.child("HostPort"), |f| f.at.clone());
            (vec![Edit::Set { at: module.create_options_at(hp), value: host.to_string().into() }], "")
        }
        Some((m, _)) => {
            (vec![Edit::Set { at: module.create_options_at(m.at.clone()), value: mapping(host) }], "/HostPort")
        }
        None => (
            vec![Edit::Set {
                at: module.create_options_at(b.port.at.clone()),
                value: Value::Array(vec![mapping(host)]),
            }],
            "/0/HostPort",
        ),
    };
    let mut edits = edits;
    let kept = first.map(|(m, _)| m.index);
    edits.extend(
        maps.iter()
            .filter(|m| Some(m.index) != kept)
            .map(|m| Edit::Remove { at: module.create_options_at(m.at.clone()) }),
    );
    edits.extend(g.bindings[1..].iter().map(|o| Edit::Remove { at: module.create_options_at(o.port.at.clone()) }));
    let port = g.port;
    Some(finding.suggest(if host == port {
        Suggestion::new(format!("bind `{}` to host port {host}", b.port.key), edits)
    } else {
        Suggestion::new(
            format!("bind `{}` to host port {host} (port {port} is taken, reserved, or the proxy's)", b.port.key),
            edits,
        )
        .with_input("host port", 0, input_at, Some(host.to_string().into()))
    }))
}

/// A key the agent cannot read: a container port range or other text, an unknown protocol.
fn unreadable(module: &Module, b: &PortBinding) -> Option<Finding> {
    let key = &b.port;
    if key.read_by_agent() || contains_placeholder(&key.key) {
        return None;
    }
    let number = key.key.split('/').next().unwrap_or("").trim();
    let at = module.create_options_at(key.at.clone());
    let message = if key.port.is_none() && number.contains('-') {
        format!(
            "port binding `{}` is a range of container ports: the agent skips it; bind each port on its own",
            key.key
        )
    } else if key.port.is_none() && number.parse::<i64>().is_ok() {
        format!(
            "port binding `{}` is not a container port number (1–65535): Kubernetes rejects the module's Service",
            key.key
        )
    } else if key.port.is_none() {
        format!("port binding `{}` does not name a container port: the agent skips it", key.key)
    } else {
        format!(
            "port binding `{}` has the unknown protocol `{}`: the agent skips it; use tcp, udp or sctp",
            key.key, key.protocol
        )
    };
    Some(Finding::new(&RULE, Some(module), at, message))
}

/// VM: each container port of the module that Docker publishes on an ephemeral host port.
fn ephemeral(ctx: &Context, module: &Module) -> Vec<Finding> {
    let all = vm::ephemeral(ctx);
    let mine: Vec<_> = all.iter().filter(|e| e.module.name == module.name).collect();
    if mine.is_empty() {
        return Vec::new();
    }
    let plan = vm::Plan::of(ctx);
    let mut out = Vec::new();
    for e in mine {
        for (i, (at, _)) in e.mappings.iter().enumerate() {
            let what = if e.mappings.len() > 1 { format!("mapping {i} of ") } else { String::new() };
            let mut finding = Finding::new(
                &RULE,
                Some(module),
                module.create_options_at(at.clone()),
                format!(
                    "{what}port binding `{}` {}: Docker publishes container port {}/{} on an ephemeral host port, a new one each time the container is created",
                    e.key,
                    if e.zero.contains(&i) { "has host port 0" } else { "has no `HostPort`" },
                    e.container_port,
                    e.protocol
                ),
            )
            .severity(Severity::Info);
            if let Some(fixed) = e.also_on {
                finding.message.push_str(&format!(" (another mapping publishes it on {fixed})"));
                out.push(finding);
                continue;
            }
            // One suggestion per container port, on its first mapping: every mapping of it gets
            // the same number.
            let host = plan.get(vm::Purpose::Ephemeral, module, at).filter(|_| i == 0);
            let Some(host) = host else {
                out.push(finding);
                continue;
            };
            finding.message.push_str("; if clients outside the VM use it, give it a fixed one");
            let edits: Vec<Edit> = e
                .mappings
                .iter()
                .map(|(_, hp)| Edit::Set { at: module.create_options_at(hp.clone()), value: host.to_string().into() })
                .collect();
            let places = (0..edits.len()).map(|edit| PortPlace { edit, suffix: String::new() }).collect();
            let why = if host == e.container_port {
                String::new()
            } else {
                format!(" (host port {} is taken)", e.container_port)
            };
            out.push(finding.suggest(
                Suggestion::new(format!("publish `{}` on host port {host}{why}", e.key), edits).with_port_input(
                    "host port",
                    places,
                    Vec::new(),
                    host,
                ),
            ));
        }
    }
    out
}
