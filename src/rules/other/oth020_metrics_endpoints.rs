//! OTH020 (TRAPS NEW-21): metrics scraped from edgeAgent or edgeHub on port 9600.

use super::image::ImageRef;
use super::{deployed_by_device, listed};
use crate::manifest::Module;
use crate::manifest::placeholder::placeholder_ranges;
use crate::rules::network::addresses::{Source, is_host_byte};
use crate::rules::{Check, Context, Finding, FixAvailability, K8S, Rule, RuleDoc, Section, Severity};

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "OTH020",
        section: Section::Other,
        severity: Severity::Warning,
        fix: FixAvailability::Never,
        targets: K8S,
        title: "Metrics scraped from edgeAgent, or from an edgeHub without a 9600 port binding",
        detects: "An environment variable of any module naming `edgeAgent:9600`, or `edgeHub:9600` while edgeHub has no port binding with host port 9600 (any case; `MetricsEndpointsCSV` of the metrics collector, for instance), and a metrics collector (`azureiotedge-metrics-collector`) without `MetricsEndpointsCSV`, which scrapes both by default. Placeholders are not read. (TRAPS.md NEW-21.)",
        why: "On the GPU device \"built-in metrics from edgeAgent are not available\" (iotedge-k8s-doc, known issues): the device deploys its own edgeAgent, with no Service on port 9600. edgeHub's metrics are served on its port 9600, which other pods reach only through edgeHub's Service, and the agent gives that Service only the ports edgeHub binds. The metrics collector then logs failed scrapes and uploads nothing for them. The log direct methods of edgeAgent (`GetModuleLogs`, `UploadModuleLogs`) are not supported either (PowerShell interface doc), which a manifest cannot show.",
        before: r#"{"MetricsEndpointsCSV": {"value": "http://edgeHub:9600/metrics,http://edgeAgent:9600/metrics"}}"#,
        after: r#"{"MetricsEndpointsCSV": {"value": "http://edgeHub:9600/metrics"}} and, on edgeHub, {"HostConfig": {"PortBindings": {"9600/tcp": [{"HostPort": "9600"}]}}}"#,
        fix_safety: "No automatic fix. Drop `edgeAgent` from the endpoints (read the module's logs with `kubectl logs` or Azure Monitor instead of the log direct methods). For edgeHub's metrics add `\"9600/tcp\": [{\"HostPort\": \"9600\"}]` to edgeHub's port bindings; mind that edgeHub's Service is a LoadBalancer by default, so the port is then reachable from outside the device too.",
    },
    check: Check::Manifest(check),
};

/// The metrics port of edgeAgent and edgeHub.
const METRICS_PORT: u16 = 9600;
/// The metrics collector's image, and the variable that names what it scrapes.
const COLLECTOR: &str = "azureiotedge-metrics-collector";
const ENDPOINTS: &str = "MetricsEndpointsCSV";

/// What the deployment says about edgeHub's metrics port.
#[derive(Clone, Copy, PartialEq, Eq)]
enum HubPort {
    /// edgeHub binds host port 9600: its Service serves the metrics.
    Bound,
    /// edgeHub is in the deployment without that binding.
    Missing,
    /// edgeHub is not in this deployment (a layered one): its base layer decides.
    Elsewhere,
}

fn check(ctx: &Context) -> Vec<Finding> {
    let hub = match ctx.manifest.modules.iter().find(|m| m.system && m.name.eq_ignore_ascii_case("edgeHub")) {
        None => HubPort::Elsewhere,
        Some(h) if h.port_bindings().iter().any(|b| b.host_ports().any(|p| p == METRICS_PORT)) => HubPort::Bound,
        Some(_) => HubPort::Missing,
    };
    let mut out = Vec::new();
    for t in ctx.addresses().module_texts() {
        let name = match &t.source {
            Source::Env { name } | Source::CreateEnv { name } => name.as_str(),
            _ => continue,
        };
        let Some(owner) = t.owner.filter(|m| !deployed_by_device(m)) else { continue };
        let hosts = scraped(&t.text);
        if hosts.is_empty() {
            continue;
        }
        if let Some(message) = problem(&hosts, hub, &format!("`{name}` names")) {
            out.push(Finding::new(&RULE, Some(owner), t.at.clone(), message));
        }
    }
    for m in ctx.manifest.modules.iter().filter(|m| is_collector(m)) {
        if ctx.env(m).iter().any(|v| v.name.eq_ignore_ascii_case(ENDPOINTS)) {
            continue;
        }
        let what = format!("the metrics collector has no `{ENDPOINTS}`, so it scrapes its defaults,");
        if let Some(message) = problem(&[Host::EdgeHub, Host::EdgeAgent], hub, &what) {
            out.push(Finding::new(&RULE, Some(m), m.document_at(["settings", "image"]), message));
        }
    }
    out
}

/// The metrics collector, by its image.
fn is_collector(m: &Module) -> bool {
    let Some(image) = m.settings.image.as_ref().and_then(|f| f.text()) else { return false };
    ImageRef::parse(image).name.eq_ignore_ascii_case(COLLECTOR)
}

/// The two system modules that serve metrics on port 9600.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Host {
    EdgeHub,
    EdgeAgent,
}

/// What is wrong with scraping `hosts`, as a message that starts with `what` (`` `X` names``)
/// followed by the endpoints that fail; `None` when none does.
fn problem(hosts: &[Host], hub: HubPort, what: &str) -> Option<String> {
    let mut names = Vec::new();
    let mut reasons = Vec::new();
    if hosts.contains(&Host::EdgeHub) {
        let reason = match hub {
            HubPort::Bound => None,
            HubPort::Missing => Some(format!(
                "edgeHub's Service has no port {METRICS_PORT}, since edgeHub binds no host port {METRICS_PORT}"
            )),
            HubPort::Elsewhere => Some(format!(
                "edgeHub's Service has port {METRICS_PORT} only if edgeHub, in another layer of the deployment, binds host port {METRICS_PORT}"
            )),
        };
        if let Some(r) = reason {
            names.push(format!("`edgeHub:{METRICS_PORT}`"));
            reasons.push(r);
        }
    }
    if hosts.contains(&Host::EdgeAgent) {
        names.push(format!("`edgeAgent:{METRICS_PORT}`"));
        reasons.push("edgeAgent is the device's own, whose built-in metrics are not available".to_owned());
    }
    (!names.is_empty()).then(|| {
        format!(
            "{what} {}: on the GPU device {}, so nothing is scraped from {}",
            listed(&names),
            reasons.join("; "),
            if names.len() == 1 { "it" } else { "them" }
        )
    })
}

/// What [`scraped`] looks for, lower-cased (the port is [`METRICS_PORT`]).
const NEEDLES: [(Host, &str); 2] = [(Host::EdgeHub, "edgehub:9600"), (Host::EdgeAgent, "edgeagent:9600")];

/// The hosts of `edgeAgent:9600` and `edgeHub:9600` in a text, as whole words (any case), outside
/// placeholders; each once, edgeHub first.
fn scraped(text: &str) -> Vec<Host> {
    let lower = text.to_ascii_lowercase();
    let bytes = lower.as_bytes();
    let mut out = Vec::new();
    if !NEEDLES.iter().any(|(_, needle)| lower.contains(needle)) {
        return out;
    }
    let held = placeholder_ranges(text);
    for (host, needle) in NEEDLES {
        let found = lower.match_indices(needle).any(|(i, _)| {
            let end = i + needle.len();
            let before = i.checked_sub(1).map(|j| bytes[j]);
            !before.is_some_and(|b| is_host_byte(b) || matches!(b, b'$' | b'{' | b'<' | b'#' | b'%'))
                && !bytes.get(end).is_some_and(|b| b.is_ascii_digit())
                && !held.iter().any(|&(s, e)| s < end && i < e)
        });
        if found {
            out.push(host);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scraped_hosts() {
        assert_eq!(
            scraped("http://edgeHub:9600/metrics,http://edgeAgent:9600/metrics"),
            [Host::EdgeHub, Host::EdgeAgent]
        );
        assert_eq!(scraped("http://EDGEAGENT:9600/metrics"), [Host::EdgeAgent]);
        assert!(scraped("http://myedgehub:9600/metrics").is_empty());
        assert!(scraped("http://edgeHub:96001").is_empty());
        assert!(scraped("http://lvaEdge:9600/metrics").is_empty());
        assert!(NEEDLES.iter().all(|(_, n)| n.ends_with(&format!(":{METRICS_PORT}"))));
    }
}
