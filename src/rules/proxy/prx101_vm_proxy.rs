//! PRX101 (VM): a web proxy in the manifest must also be configured in the VM itself.

use super::prx001_no_proxy::proxy;
use crate::rules::shared::env::redact;
use crate::rules::{Check, Context, Finding, FixAvailability, Rule, RuleDoc, Section, Severity, VM};

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "PRX101",
        section: Section::Proxy,
        severity: Severity::Info,
        fix: FixAvailability::Never,
        targets: VM,
        title: "Web proxy: configure it in the VM too (moby, aziot-edged, aziot-identityd, config.toml)",
        detects: "A proxy variable (`https_proxy`/`http_proxy`, any case, with a value) on any module, in its `env` or `createOptions.Env`; reported once for the deployment, at the first one, naming every module and proxy.",
        why: "In the manifest the proxy reaches only the modules. In the VM the IoT Edge daemons and the container engine need it too (how-to-configure-proxy-support): the moby daemon to pull images (systemd `HTTPS_PROXY`), `aziot-edged` and `aziot-identityd` (`sudo systemctl edit`, `Environment=\"https_proxy=…\"`) to reach IoT Hub, and edgeAgent's first start through `/etc/aziot/config.toml` `[agent.env]` (`https_proxy`, and `UpstreamProtocol` if set), applied with `iotedge config apply`. NTLM is not supported, only basic authentication (iot-edge-limits-and-restrictions); a proxy that inspects TLS needs its root CA in IoT Edge's trust bundle. Whether the device's own web proxy setting reaches the VM is not documented: assume not.",
        before: r#"{"edgeHub": {"env": {"https_proxy": {"value": "http://proxy:3128"}}}}"#,
        after: r#"{"edgeHub": {"env": {"https_proxy": {"value": "http://proxy:3128"}}}}   (and the proxy configured in the VM: moby, aziot-edged, aziot-identityd, config.toml)"#,
        fix_safety: "Nothing to change in the manifest (PRX102 makes edgeAgent and edgeHub agree); configure the VM as the checklist says before deploying.",
    },
    check: Check::Manifest(check),
};

fn check(ctx: &Context) -> Vec<Finding> {
    let mut first = None;
    let mut modules = Vec::new();
    let mut urls: Vec<String> = Vec::new();
    for m in &ctx.manifest.modules {
        let vars = ctx.env(m);
        let Some(p) = proxy(vars) else { continue };
        let url = redact(p.value.as_deref().unwrap_or_default().trim());
        if first.is_none() {
            first = Some(p.at.clone());
        }
        modules.push(m.name.clone());
        if !urls.contains(&url) {
            urls.push(url);
        }
    }
    let Some(at) = first else { return Vec::new() };
    let hidden = if urls.iter().any(|u| u.contains("***@")) {
        "\nCredentials in the proxy URL are hidden here: write the real URL."
    } else {
        ""
    };
    let shown: Vec<String> = urls.iter().map(|u| format!("`{u}`")).collect();
    let url = if urls.len() == 1 { urls[0].clone() } else { "<proxy URL>".to_owned() };
    let message = format!(
        "{} reach{} the internet through the web proxy {}: in the VM, configure it for moby, aziot-edged, aziot-identityd and config.toml [agent.env] too",
        modules.join(", "),
        if modules.len() == 1 { "es" } else { "" },
        shown.join(" and ")
    );
    let detail = format!(
        "1. moby (image pulls): `sudo systemctl edit docker`, add `[Service]` `Environment=\"HTTPS_PROXY={url}\"`, then `sudo systemctl restart docker`.\n2. `sudo systemctl edit aziot-edged` and `sudo systemctl edit aziot-identityd`, each with `[Service]` `Environment=\"https_proxy={url}\"`, then restart both.\n3. /etc/aziot/config.toml: `[agent.env]` `\"https_proxy\" = \"{url}\"` (and `\"UpstreamProtocol\" = \"AmqpWs\"` unless the proxy lets AMQP through), then `sudo iotedge config apply`; if edgeAgent already ran without it, `sudo docker rm -f edgeAgent`.\n4. apt, for the packages: `Acquire::https::Proxy` in /etc/apt/apt.conf.d.\nNTLM proxy authentication is not supported (basic authentication only). If the proxy inspects TLS, add its root CA to IoT Edge's trust bundle (`trust_bundle_cert` in config.toml) and, for image pulls, to the VM's certificate store (`update-ca-certificates`).{hidden}"
    );
    vec![Finding::new(&RULE, None, at, message).step(
        "Configure the web proxy in the VM (moby, aziot-edged, aziot-identityd, config.toml)",
        detail,
        false,
    )]
}
