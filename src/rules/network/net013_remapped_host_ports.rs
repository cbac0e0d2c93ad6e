//! NET013: a binding whose host port differs from its container port: the Service moves away from
//! the port Docker-network callers used.

use super::addresses::Addresses;
use super::ports::{self, Group, Plan, Purpose, canonical_key, groups, remapped};
use crate::manifest::Module;
use crate::manifest::model::HostPort;
use crate::rules::{Check, Context, Edit, Finding, FixAvailability, K8S, Rule, RuleDoc, Section, Severity, Suggestion};
use serde_json::{Value, json};

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "NET013",
        section: Section::Network,
        severity: Severity::Warning,
        fix: FixAvailability::Sometimes,
        targets: K8S,
        title: "Host port differs from the container port",
        detects: "A `PortBindings` entry whose one host port differs from its container port (`\"8000/tcp\": [{\"HostPort\": \"8080\"}]`), in a module that is not on the host network and does not also expose the container port in `ExposedPorts`. Reserved host ports are NET010's, several host ports NET004's.",
        why: "On Docker, other modules reached this one over the IoT Edge network at `<module>:<container port>` (`WebModule:8000`), whatever the host port; only clients outside the device used the host port. On Kubernetes every caller goes through the module's Service, which listens on the host port only (`webmodule:8080`), so callers that kept the container port reach nothing: in an image or a twin the manifest cannot show them (NET008 rewrites the ones it sees). Host ports were often remapped only because another container already published the number on the Docker host (edgeHub's 443 or 8883); on Kubernetes every module's Service has its own address, so that reason is gone. Microsoft's own ASE conversions set the host port to the container port. The agent also turns an `ExposedPorts` entry into a Service port of the same number, so exposing the container port keeps both.",
        before: r#"{"HostConfig": {"PortBindings": {"8000/tcp": [{"HostPort": "8080"}]}}}"#,
        after: r#"{"HostConfig": {"PortBindings": {"8000/tcp": [{"HostPort": "8000"}]}}}"#,
        fix_safety: "Needs review. Host port = container port keeps every in-cluster caller working, but clients outside the device that used the old host port must use the container port. When the deployment itself reaches the module on its host port (an env value or route), the proposal is instead an `ExposedPorts` entry for the container port: the Service then answers on both numbers. When the container port is already another binding's host port, change it by hand.",
    },
    check: Check::Manifest(check),
};

/// What NET013 proposes for a remapped binding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Remedy {
    /// Host port = container port.
    Rebind,
    /// An `ExposedPorts` entry for the container port (the deployment dials the host port).
    Expose,
    /// The container port is taken: by hand.
    Manual,
}

/// NET013's proposal for a group, `None` when the group is not remapped. NET008 reads it so that
/// the two fixes, taken together, agree on the port callers use.
pub(super) fn remedy(
    ctx: &Context<'_>,
    addresses: &Addresses<'_>,
    module: &Module,
    g: &Group<'_>,
) -> Option<(u16, Remedy)> {
    let host = remapped(module, ctx.device, g)?;
    let free = Plan::of(module, ctx.device).get(Purpose::Remap, &g.bindings[0].port.at).is_some();
    Some((
        host,
        if !free {
            Remedy::Manual
        } else if addresses.reaching(ctx, module, host).next().is_some() {
            Remedy::Expose
        } else {
            Remedy::Rebind
        },
    ))
}

fn check(ctx: &Context) -> Vec<Finding> {
    let addresses = ctx.addresses();
    let mut out = Vec::new();
    for m in &ctx.manifest.modules {
        for g in groups(m) {
            let Some((host, remedy)) = remedy(ctx, addresses, m, &g) else { continue };
            out.push(finding(ctx, addresses, m, &g, host, remedy));
        }
    }
    out
}

fn finding(
    ctx: &Context<'_>,
    addresses: &Addresses<'_>,
    m: &Module,
    g: &Group<'_>,
    host: u16,
    remedy: Remedy,
) -> Finding {
    let port = g.port;
    let service = m.name.to_ascii_lowercase();
    let callers: Vec<String> = addresses
        .reaching(ctx, m, port)
        .map(|t| format!("{} of `{}`", t.what(), t.owner.map_or("$edgeHub", |o| o.name.as_str())))
        .collect();
    // The container port's number may be another binding's host port: then callers reach the
    // wrong container port rather than nothing.
    let elsewhere = ports::service(m, ctx.device).and_then(|s| s.port(port).map(|p| p.target));
    let outcome = match elsewhere {
        Some(other) => format!("reach container port {other} instead"),
        None => "reach nothing".to_owned(),
    };
    let mut message = format!(
        "port binding `{}` publishes container port {port} on host port {host}: on Kubernetes the Service `{service}` answers for it on {host} only, so callers that reached `{}:{port}` over the Docker network (inside an image, for instance, where the manifest cannot show them) {outcome}",
        g.key(),
        m.name
    );
    if !callers.is_empty() {
        message.push_str(&format!("; in this deployment: {}", callers.join(", ")));
    }
    let finding = Finding::new(&RULE, Some(m), m.create_options_at(g.bindings[0].port.at.clone()), message);
    match remedy {
        Remedy::Manual => {
            let mut f = finding;
            f.message.push_str(&format!(
                " (host port {port} is another binding's: expose container port {port} on a free number by hand)"
            ));
            f
        }
        Remedy::Rebind => {
            let edits = g
                .bindings
                .iter()
                .flat_map(|b| b.mappings.iter().flatten())
                .filter(|x| x.host_port() == HostPort::Port(host))
                .map(|x| {
                    let at = x.host_port.as_ref().map_or_else(|| x.at.child("HostPort"), |f| f.at.clone());
                    Edit::Set { at: m.create_options_at(at), value: Value::String(port.to_string()) }
                })
                .collect();
            finding.suggest_review(Suggestion::new(
                format!(
                    "bind `{}` to host port {port}, as Microsoft's ASE conversions do (clients outside the device then use {port} instead of {host}; or expose container port {port} in `ExposedPorts` to keep both)",
                    g.key()
                ),
                edits,
            ))
        }
        Remedy::Expose => match ports::exposed_ports_at(m) {
            Some(at) => {
                let key = canonical_key(port, g.protocol);
                finding.suggest_review(Suggestion::new(
                    format!(
                        "expose container port {port} in `ExposedPorts`: the Service answers on {port} too, and host port {host}, which this deployment dials, stays"
                    ),
                    vec![Edit::Set { at: m.create_options_at(at.child(&key)), value: json!({}) }],
                ))
            }
            None => {
                let mut f = finding;
                f.message.push_str(" (`ExposedPorts` is not an object: expose the container port by hand)");
                f
            }
        },
    }
}
