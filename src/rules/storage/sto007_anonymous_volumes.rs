//! STO007: anonymous volumes (`Volumes`), which the Kubernetes agent does not create.

use super::layout::{mounted_paths, path_key};
use crate::manifest::Module;
use crate::rules::{Check, Context, Finding, FixAvailability, K8S, Rule, RuleDoc, Section, Severity};

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "STO007",
        section: Section::Storage,
        severity: Severity::Warning,
        fix: FixAvailability::Never,
        targets: K8S,
        title: "Anonymous volume (`Volumes`) is not created on Kubernetes",
        detects: "A path in the top-level createOptions `Volumes` object (`\"Volumes\": {\"/data\": {}}`) that no `Binds` or `Mounts` entry mounts.",
        why: "Docker creates an anonymous volume for each `Volumes` path, and it survives container restarts. The Kubernetes agent does not translate `Volumes`: the path is just a folder in the container layer, and its data is lost every time the pod restarts. Keep the data on a share instead: a `Mounts` entry of type `volume`.",
        before: r#"{"Volumes": {"/data": {}}}"#,
        after: r#"{"HostConfig": {"Mounts": [{"Type": "volume", "Source": "<share name>", "Target": "/data"}]}}"#,
        fix_safety: "Manual: choose (and create on the GPU device) the share that keeps the data, or accept that it is lost on restart.",
    },
    check: Check::Module(check),
};

fn check(_ctx: &Context, module: &Module) -> Vec<Finding> {
    let Some(volumes) = module.container().and_then(|c| c.other.iter().find(|o| o.docker == Some("Volumes"))) else {
        return Vec::new();
    };
    let field = &volumes.field;
    let Some(paths) = field.value.as_object() else {
        if field.value.is_null() {
            return Vec::new();
        }
        return vec![Finding::new(
            &RULE,
            Some(module),
            module.create_options_at(field.at.clone()),
            format!("`{}` is not an object of container paths; it is ignored on Kubernetes", field.key),
        )];
    };
    // A path some bind or mount already covers keeps its data there.
    let mounted: Vec<&str> = mounted_paths(module);
    paths
        .keys()
        .filter(|p| !mounted.contains(&path_key(p)))
        .map(|p| {
            Finding::new(
                &RULE,
                Some(module),
                module.create_options_at(field.at.child(p)),
                format!("anonymous volume `{p}` is not created on Kubernetes: its data is lost when the pod restarts; mount a share there (`{{\"Type\": \"volume\", \"Source\": \"<share>\", \"Target\": \"{p}\"}}`)"),
            )
        })
        .collect()
}
