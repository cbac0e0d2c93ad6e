//! STO004: a bind of a file, which a hostPath volume of type DirectoryOrCreate cannot mount.

use super::layout::NOT_WRITABLE;
use super::paths::{BindOwner, ShareRoots, SystemFile, is_file, name};
use super::plan::{Fate, Item, Manual, Plan, TimeZone};
use crate::manifest::Module;
use crate::rules::{Check, Context, Edit, Finding, FixAvailability, K8S, Rule, RuleDoc, Section, Severity, Suggestion};
use serde_json::json;

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "STO004",
        section: Section::Storage,
        severity: Severity::Error,
        fix: FixAvailability::Sometimes,
        targets: K8S,
        title: "Bind of a file: mount the folder that holds it, or let Kubernetes provide it",
        detects: "A bind, in `Binds` or as a `Mounts` entry of type `bind`, whose host source or container target is a file: a name with a file extension (`config.json`), a well-known file (`/var/run/docker.sock`, `/etc/hosts`, `/etc/resolv.conf`, `/etc/localtime`, `/etc/timezone`, `/etc/machine-id`, `/sys/class/gpio/export`), a program in a `bin` folder, or a device node (anything under `/dev` but its folders: `/dev/video0`, `/dev/i2c-1`).",
        why: "The Kubernetes agent turns every bind into a hostPath volume of type DirectoryOrCreate, and the kubelet refuses to start the pod when the host path is a file (\"hostPath type check failed: /etc/localtime is not a directory\"; ASE release notes: file-based bind mounts are not supported). Only directories can be mounted: mount the parent folder and let the module read the file inside it. System files need no mount: Kubernetes writes each pod's `/etc/hosts` and `/etc/resolv.conf` (the cluster's DNS, forwarding to the device's servers), and the `TZ` variable sets the time zone that `/etc/localtime` and `/etc/timezone` gave. Where the parent is a system folder (`/`, `/etc`, `/dev`, `/var/run`…) mounting it would shadow the container's own files, device nodes need the device itself, and the Docker socket is useless because there is no Docker engine on the GPU device: those need a change to the module. A ConfigMap mounted through `k8s-experimental.volumes` is no sure way out for small files: the modules run in the `iotedge` namespace, which ASE's RBAC documentation lists as reserved.",
        before: r#"{"HostConfig": {"Binds": ["/opt/app/config/settings.json:/app/config/settings.json:ro", "/etc/localtime:/etc/localtime:ro"]}}"#,
        after: r#"{"HostConfig": {"Mounts": [{"Type": "bind", "Source": "/opt/app/config", "Target": "/app/config", "ReadOnly": true}]}} and the module's env: {"TZ": {"value": "Europe/Berlin"}}"#,
        fix_safety: "A folder mount needs review: the module must read the file from the mounted folder (the whole folder becomes visible, and it hides whatever the image had at the target folder); several files of one folder become one mount. `/etc/resolv.conf` is only removed (safe: the cluster's DNS forwards to the device's). `/etc/hosts` and `/etc/machine-id` are removed after review: the host's entries and identity are not the pod's. The time zone files are replaced by `TZ`: type the FPGA device's zone (an IANA name such as `Europe/Berlin`; `UTC` is proposed); zones other than UTC need the image's tzdata.",
    },
    check: Check::Module(check),
};

fn check(ctx: &Context, module: &Module) -> Vec<Finding> {
    let plan = Plan::of(module, ShareRoots::of(ctx.device));
    plan.of_owner(BindOwner::File).map(|item| finding(module, &plan, item)).collect()
}

fn finding(module: &Module, plan: &Plan<'_>, item: &Item<'_>) -> Finding {
    let first = item.first();
    let location = module.create_options_at(first.at.clone());
    let file = if is_file(first.source) { first.source } else { first.target };
    let new = |message: String| Finding::new(&RULE, Some(module), location.clone(), message);
    match &item.fate {
        Fate::Manual(reason) => new(format!("{} {}", first.shown, manual_message(reason, first.target, first.source))),
        Fate::System(system, tz) => new(format!(
            "{} mounts the system file `{file}`: a hostPath DirectoryOrCreate volume cannot mount a file, and {}",
            first.shown,
            provided(*system)
        ))
        .suggest(system_fix(module, item, *system, tz.as_ref())),
        Fate::Covered { instead, .. } | Fate::Mount { mount: instead, .. } => {
            let mut message = format!(
                "{} mounts the file `{file}`: a hostPath DirectoryOrCreate volume cannot mount a file",
                first.shown
            );
            if item.parts.len() > 1 {
                message.push_str(&format!(" ({} more file(s) of `{}`)", item.parts.len() - 1, instead.source));
            }
            let reads: Vec<String> = item
                .parts
                .iter()
                .map(|p| format!("{}/{}", instead.target.trim_end_matches('/'), name(p.source)))
                .collect();
            let reads = reads.join("`, `");
            if let Fate::Covered { by, .. } = &item.fate {
                let s = item.covered(module, by, instead);
                let summary = format!("{}; the module must read `{reads}`", s.summary);
                return new(message).suggest(Suggestion { summary, ..s });
            }
            if !plan.writer.writable {
                return new(message + NOT_WRITABLE);
            }
            let (edits, at) = item.replace_with(module, &plan.writer, instead);
            new(message).suggest_review(
                Suggestion::new(
                    format!(
                        "mount folder `{}` at {} instead; the module must read `{reads}`",
                        instead.source, instead.target
                    ),
                    edits,
                )
                .with_input(
                    "host folder",
                    at,
                    plan.writer.source_input().as_str(),
                    Some(instead.source.clone().into()),
                ),
            )
        }
    }
}

/// What Kubernetes does for a system file instead of the bind.
fn provided(file: SystemFile) -> &'static str {
    match file {
        SystemFile::Hosts => "Kubernetes writes each pod's `/etc/hosts` itself",
        SystemFile::Resolver => "Kubernetes gives each pod the cluster's DNS in `/etc/resolv.conf`",
        SystemFile::LocalTime | SystemFile::TimeZone => "the `TZ` variable sets the time zone instead",
        SystemFile::MachineId => "the host's identity is not the pod's to share",
    }
}

/// Remove the bind (and set `TZ` for the time zone): Kubernetes provides the rest.
fn system_fix(module: &Module, item: &Item<'_>, file: SystemFile, tz: Option<&TimeZone>) -> Suggestion {
    let mut edits = item.removals(module);
    match (file, tz) {
        (SystemFile::Resolver, _) => Suggestion::new(
            "remove it: the pod's DNS is the cluster's, which forwards to the device's DNS servers",
            edits,
        ),
        (SystemFile::Hosts, _) => Suggestion::new(
            "remove it: Kubernetes writes the pod's /etc/hosts; names the module found in the host's file must come from DNS or its own configuration",
            edits,
        )
        .review(),
        (SystemFile::MachineId, _) => Suggestion::new(
            "remove it: the module no longer sees the host's machine id (the GPU device's is another one anyway); a module that derives its identity from it needs one in its configuration",
            edits,
        )
        .review(),
        (_, Some(TimeZone::Already(value))) => {
            Suggestion::new(format!("remove it: `TZ={value}` in the module's environment sets the time zone"), edits)
        }
        (_, Some(TimeZone::WithOther(other))) => {
            Suggestion::new(format!("remove it: the `TZ` variable suggested for {other} sets the time zone"), edits)
                .review()
        }
        (_, Some(TimeZone::Set { zone, known })) => {
            edits.push(Edit::Set { at: module.document_at(["env", "TZ"]), value: json!({ "value": zone }) });
            let at = edits.len() - 1;
            let proposed = if *known {
                format!("`{zone}` is the zone the bind gave")
            } else {
                format!("`{zone}` is proposed: type the FPGA device's zone if it was another")
            };
            Suggestion::new(
                format!(
                    "remove it and set `TZ` in the module's env to the time zone, an IANA name such as `Europe/Berlin` or `America/New_York` ({proposed}); a zone other than UTC needs tzdata in the image"
                ),
                edits,
            )
            .with_input("time zone (IANA name)", at, "/value", Some(zone.clone().into()))
        }
        (_, None) => Suggestion::new("remove it", edits).review(),
    }
}

/// Why a file bind needs a change to the module rather than a folder mount.
fn manual_message(reason: &Manual, target: &str, source: &str) -> String {
    match reason {
        Manual::Docker(path) => format!(
            "mounts Docker's `{path}`: there is no Docker engine on the GPU device, so the module cannot talk to Docker there"
        ),
        Manual::Device(path) => format!(
            "mounts the device node `{path}`: a hostPath directory cannot mount it; request the device as a Kubernetes resource, or bind all of `/dev` with `Privileged` if the module really needs raw access"
        ),
        Manual::DeployTime => format!(
            "mounts the file `{target}` from the host path `{source}`, filled in at deploy time: make it the folder that holds the file"
        ),
        Manual::SystemFolder { file, dir } => format!(
            "mounts the file `{file}`, and its folder `{dir}` is a system folder: mounting it would shadow the container's own files; the module must get the file another way (a share, an environment variable, or the image; a ConfigMap may not be possible, as ASE reserves the modules' `iotedge` namespace)"
        ),
        Manual::Windows | Manual::Relative => "needs a change to the module".to_owned(),
    }
}
