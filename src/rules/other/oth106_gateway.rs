//! OTH106 (VM): edgeHub as a gateway for leaf devices, or allowing TLS below 1.2.

use crate::manifest::model::squash;
use crate::manifest::{Location, Module};
use crate::rules::shared::env;
use crate::rules::{Check, Context, Finding, FixAvailability, Rule, RuleDoc, Section, Severity, VM};

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "OTH106",
        section: Section::Other,
        severity: Severity::Warning,
        fix: FixAvailability::Never,
        targets: VM,
        title: "edgeHub allows TLS below 1.2, or serves leaf devices: they must move to the VM",
        detects: "edgeHub's `SslProtocols` variable (any case, `env` or `createOptions.Env`) listing TLS 1.0 or 1.1 (`tls`, `tls1`, `tls1.0`, `tls11`, `Tls1_1`…); and a route that takes messages from leaf devices (`FROM /messages/* WHERE NOT IS_DEFINED($connectionModuleId)`, Microsoft's pattern for downstream devices), reported once at the first such route.",
        why: "From IoT Edge 1.2 on, edgeHub speaks TLS 1.2 or later only; in 1.5 `SslProtocols` accepts only `tls1.2` and `tls1.3` (how-to-update-iot-edge; doc/EnvironmentVariables.md@1.5.44), so leaf devices that speak only TLS 1.0/1.1 cannot connect. And the VM is a new IoT Edge device: leaf devices that used the FPGA device as their gateway must be pointed at the VM, with its host name as their gateway host name and the root of its new edge CA certificate (move-to-self-service article, step 6).",
        before: r#"{"edgeHub": {"env": {"SslProtocols": {"value": "tls1.0,tls1.1,tls1.2"}}}, "routes": {"leaf": "FROM /messages/* WHERE NOT IS_DEFINED($connectionModuleId) INTO $upstream"}}"#,
        after: r#"{"edgeHub": {"env": {"SslProtocols": {"value": "tls1.2,tls1.3"}}}, "routes": {"leaf": "FROM /messages/* WHERE NOT IS_DEFINED($connectionModuleId) INTO $upstream"}}   (and the leaf devices point at the VM)"#,
        fix_safety: "Manual: check that every leaf device speaks TLS 1.2, then set `SslProtocols` to `tls1.2,tls1.3` (or remove it); configure the VM as a transparent gateway and re-point the leaf devices (their connection strings' `GatewayHostName`, the trusted root CA).",
    },
    check: Check::Manifest(check),
};

fn check(ctx: &Context) -> Vec<Finding> {
    let hub = ctx.manifest.modules.iter().find(|m| m.system && m.name == "edgeHub");
    let mut out: Vec<Finding> = hub.map(old_tls).unwrap_or_default();
    let leaf = ctx.manifest.routes().into_iter().find(|r| from_leaf_devices(&r.text));
    if let Some(route) = leaf {
        out.push(
            Finding::new(
                &RULE,
                hub,
                Location::Document(route.at),
                format!("route `{}` takes messages from leaf devices: in the VM edgeHub is a new gateway, which they must be pointed at", route.text),
            )
            .step(
                "Make the VM the gateway of the leaf devices",
                "Configure IoT Edge in the VM as a transparent gateway (its own edge CA certificate in /etc/aziot/config.toml), then give every leaf device the VM's host name as `GatewayHostName` and the root CA that signed the VM's edge CA; leaf devices must speak TLS 1.2 or later (Microsoft's move-to-self-service article, step 6).",
                false,
            ),
        );
    }
    out
}

/// edgeHub's `SslProtocols` entries that allow TLS 1.0 or 1.1.
fn old_tls(hub: &Module) -> Vec<Finding> {
    let vars = env::vars(hub);
    env::named(&vars, "SslProtocols")
        .filter_map(|v| {
            let list = v.value.as_deref()?;
            let old: Vec<&str> = list.split([',', ' ', ';']).map(str::trim).filter(|p| below_1_2(p)).collect();
            (!old.is_empty()).then(|| {
                Finding::new(
                    &RULE,
                    Some(hub),
                    v.at.clone(),
                    format!(
                        "`{}={list}` allows {}: edgeHub 1.5/1.6 accepts only tls1.2 and tls1.3, so leaf devices limited to TLS 1.0/1.1 cannot connect",
                        v.name,
                        old.iter().map(|p| format!("`{p}`")).collect::<Vec<_>>().join(", ")
                    ),
                )
            })
        })
        .collect()
}

/// `tls`, `tls1`, `tls1.0`, `Tls10`, `tls1_1`, `tls11`: TLS 1.0 or 1.1 however spelt.
fn below_1_2(protocol: &str) -> bool {
    matches!(squash(protocol).as_str(), "tls" | "tls1" | "tls10" | "tls11")
}

/// Microsoft's route for messages from downstream (leaf) devices: no module id on the message.
fn from_leaf_devices(route: &str) -> bool {
    let squashed: String = route.chars().filter(|c| !c.is_whitespace()).map(|c| c.to_ascii_lowercase()).collect();
    squashed.contains("notis_defined($connectionmoduleid)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tls_spellings_and_leaf_routes() {
        for old in ["tls", "Tls1", "tls1.0", "TLS10", "tls1_1", "tls11"] {
            assert!(below_1_2(old), "{old}");
        }
        for new in ["tls1.2", "Tls12", "tls1.3", ""] {
            assert!(!below_1_2(new), "{new}");
        }
        assert!(from_leaf_devices("FROM /messages/* WHERE NOT IS_DEFINED( $connectionModuleId ) INTO $upstream"));
        assert!(!from_leaf_devices("FROM /messages/* INTO $upstream"));
    }
}
