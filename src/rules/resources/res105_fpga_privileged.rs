//! RES105 (VM): `Privileged` on a module that had it for the FPGA.

use super::devices::{self, Kind};
use super::res002_wireserver::NAME as WIRESERVER;
use super::vm;
use crate::manifest::Module;
use crate::rules::shared::env;
use crate::rules::{Check, Context, Edit, Finding, FixAvailability, Rule, RuleDoc, Section, Severity, Suggestion, VM};

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "RES105",
        section: Section::Resources,
        severity: Severity::Warning,
        fix: FixAvailability::Always,
        targets: VM,
        title: "`Privileged` that was there for the FPGA is not needed for the GPU in the VM",
        detects: "`HostConfig.Privileged: true` (or `\"true\"`) on a module with an FPGA setting (`microsoft.com/fpga_catapult`, `/dev/catapult*`) or `WIRESERVER_ADDRESS`.",
        why: "On the FPGA device a module reached the FPGA as a privileged container talking to the wire server (Microsoft's FPGA example sets `Privileged: true` with `microsoft.com/fpga_catapult` and `WIRESERVER_ADDRESS`; VM-TARGET.md §6). A GPU device request needs no privilege: moby's NVIDIA hook mounts the GPU and its driver into an ordinary container. A privileged container sees every device of the VM and can change the VM itself. IoT Edge 1.5/1.6 honours `Privileged` only while `allow_elevated_docker_permissions` in `/etc/aziot/config.toml` is true (the default, \"this will change in a future version\"); then it is forced off.",
        before: r#"{"HostConfig": {"Privileged": true, "Devices": [{"PathOnHost": "/dev/catapult0", "PathInContainer": "/dev/catapult0"}]}}"#,
        after: r#"{"HostConfig": {"DeviceRequests": [{"Count": -1, "Capabilities": [["gpu"]]}]}}"#,
        fix_safety: "Review: the module may need the privilege for something else (other host devices, mounts, sysctls). When it also uses other host devices (`Devices`, a bind of `/dev`) the removal is only shown.",
    },
    check: Check::Module(check),
};

fn check(ctx: &Context, module: &Module) -> Vec<Finding> {
    let Some(hc) = module.host_config() else { return Vec::new() };
    let Some(p) = hc.privileged.as_ref().filter(|p| p.flag() == Some(true)) else { return Vec::new() };
    let vars = ctx.env(module);
    let mut why: Vec<String> = vm::fpga_settings(module).into_iter().filter(|s| s.asks).map(|s| s.label).collect();
    why.extend(env::named(vars, WIRESERVER).map(|v| format!("`{}` in {}", v.name, v.location())));
    if why.is_empty() {
        return Vec::new();
    }
    let at = module.create_options_at(p.at.clone());
    let mut message = format!(
        "`{}.{}: {}` on a module that drove the FPGA ({}): a GPU device request needs no privilege, and a privileged container sees every device of the VM",
        hc.key,
        p.key,
        p.shown(),
        why.join(", ")
    );
    let others = other_devices(module);
    let remove = Suggestion::new("remove `Privileged`", vec![Edit::Remove { at: at.clone() }]);
    let suggestion = if others.is_empty() {
        remove.review()
    } else {
        message.push_str(&format!("; it also uses {}, which may need it: check before removing it", others.join(", ")));
        remove.display_only()
    };
    vec![Finding::new(&RULE, Some(module), at, message).suggest(suggestion)]
}

/// Host devices other than the FPGA the module reaches: `Devices` entries and binds below `/dev`.
fn other_devices(module: &Module) -> Vec<String> {
    let mut out: Vec<String> = devices::items(module)
        .into_iter()
        .filter(|i| matches!(i.kind, Kind::Other(_)) && i.at.tokens().any(|t| t.eq_ignore_ascii_case("Devices")))
        .map(|i| format!("`{}`", i.what))
        .collect();
    let binds = module.host_config().and_then(|h| h.binds.as_ref()).and_then(|b| b.entries.as_ref());
    for b in binds.into_iter().flatten().filter_map(|e| e.bind.as_ref()) {
        if b.source == "/dev" || b.source.starts_with("/dev/") {
            out.push(format!("the bind of `{}`", b.source));
        }
    }
    out
}
