//! OTH019 (TRAPS NEW-20): an edgeHub, or `$edgeHub` settings, newer than the device's 1.1-based
//! IoT Edge on Kubernetes.

use super::image::{ImageRef, version};
use crate::manifest::placeholder::contains_placeholder;
use crate::manifest::{Location, Manifest, Module, Pointer};
use crate::rules::{Check, Context, Edit, Finding, FixAvailability, K8S, Rule, RuleDoc, Section, Severity, Suggestion};
use serde_json::Value;

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "OTH019",
        section: Section::Other,
        severity: Severity::Warning,
        fix: FixAvailability::Sometimes,
        targets: K8S,
        title: "edgeHub image or $edgeHub settings newer than the device's IoT Edge 1.1",
        detects: "The edgeHub module's image `azureiotedge-hub` with a tag above 1.1 (`1.2`, `1.4.10`, `1.2.0-linux-amd64`); `$edgeHub` `properties.desired.schemaVersion` above 1.1; a `$edgeHub` `mqttBroker` section. A tag or schema version given as a placeholder is reported as filled in at deploy time (info). (TRAPS.md NEW-20.)",
        why: "The managed IoT Edge of Azure Stack Edge Pro GPU is the IoT Edge on Kubernetes preview, built on IoT Edge 1.1: the device \"is running on an older, obsolete IoT Edge runtime\" with \"no plans to update it\" (release 2303 notes, issue 26), and IoT Edge on Kubernetes \"is not planned for version above 1.1\" (azure-docs#81910); the device lists its own edgeHub as `azureiotedge-hub:1.0`. An edgeHub 1.2 or later expects the newer IoT Edge daemon, and schema 1.2 exists for the MQTT broker, which edgeHub 1.1 does not have. To keep a newer edgeHub, run IoT Edge in a Linux VM on the device instead (`--target vm`).",
        before: r#"{"edgeHub": {"settings": {"image": "mcr.microsoft.com/azureiotedge-hub:1.4"}}, "$edgeHub": {"properties.desired": {"schemaVersion": "1.2", "mqttBroker": {}}}}"#,
        after: r#"{"edgeHub": {"settings": {"image": "mcr.microsoft.com/azureiotedge-hub:1.1"}}, "$edgeHub": {"properties.desired": {"schemaVersion": "1.1"}}}"#,
        fix_safety: "Needs review: edgeHub 1.1 lacks what came later (the MQTT broker, nested-edge features, newer protocols), so modules that use them stop working; the image tag and schema version can be edited before accepting. Removing `mqttBroker` drops the broker's topics and authorizations: modules that publish or subscribe through it must use edgeHub's routes instead. If the deployment needs them, target IoT Edge in a VM instead.",
    },
    check: Check::Manifest(check),
};

/// The newest edgeHub and `$edgeHub` schema the device's runtime has.
const NEWEST: (u64, u64) = (1, 1);
const NEWEST_TEXT: &str = "1.1";
const HUB_IMAGE: &str = "azureiotedge-hub";

fn check(ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    if let Some(hub) = ctx.manifest.modules.iter().find(|m| m.system && m.name.eq_ignore_ascii_case("edgeHub")) {
        out.extend(image(hub));
    }
    let desired = desired_at(ctx.manifest);
    if let Some((at, v)) = setting(ctx.manifest, &desired, "schemaVersion") {
        out.extend(schema(at, v));
    }
    if let Some((at, _)) = setting(ctx.manifest, &desired, "mqttBroker") {
        out.push(
            Finding::new(
                &RULE,
                None,
                Location::Document(at.clone()),
                "`$edgeHub` has an `mqttBroker` section: edgeHub 1.1, the newest the GPU device runs, has no MQTT broker, so its topics and authorizations do nothing there",
            )
            .suggest_review(Suggestion::new("remove `mqttBroker` from `$edgeHub`", vec![Edit::Remove { at: Location::Document(at) }])),
        );
    }
    out
}

/// `$edgeHub.properties.desired`.
fn desired_at(manifest: &Manifest) -> Pointer {
    manifest.edge_hub_at().child("properties.desired")
}

/// A `$edgeHub` desired property: nested (`properties.desired.<name>`) or, in a layered
/// deployment, a `properties.desired.<name>` key.
fn setting<'m>(manifest: &'m Manifest, desired: &Pointer, name: &str) -> Option<(Pointer, &'m Value)> {
    let nested = desired.child(name);
    let layered = manifest.edge_hub_at().child(&format!("properties.desired.{name}"));
    [nested, layered].into_iter().find_map(|at| manifest.get(&at).map(|v| (at, v)))
}

fn image(hub: &Module) -> Option<Finding> {
    let field = hub.settings.image.as_ref()?;
    let text = field.text()?.trim();
    let reference = ImageRef::parse(text);
    if !reference.name.eq_ignore_ascii_case(HUB_IMAGE) {
        return None;
    }
    let tag = reference.tag?;
    let at = hub.document_at(["settings", "image"]);
    if contains_placeholder(tag) {
        return Some(
            Finding::new(
                &RULE,
                Some(hub),
                at,
                format!(
                    "edgeHub's image `{text}` takes its tag from a placeholder, filled in at deploy time: it must become {NEWEST_TEXT} or older, the newest edgeHub the GPU device's IoT Edge runs"
                ),
            )
            .severity(Severity::Info),
        );
    }
    if version(tag)? <= NEWEST {
        return None;
    }
    let untagged = text.split('@').next().unwrap_or(text);
    let pinned = format!("{}:{NEWEST_TEXT}", &untagged[..untagged.len() - tag.len() - 1]);
    Some(
        Finding::new(
            &RULE,
            Some(hub),
            at.clone(),
            format!(
                "edgeHub's image `{text}` is edgeHub {tag}, newer than the GPU device's IoT Edge, which is 1.1-based and will not be updated: pin edgeHub {NEWEST_TEXT}, or run IoT Edge in a VM on the device"
            ),
        )
        .suggest(
            Suggestion::new(format!("pin edgeHub {NEWEST_TEXT} (`{pinned}`)"), vec![Edit::Set { at, value: pinned.clone().into() }])
                .with_input("edgeHub image", 0, "", Some(pinned.into())),
        ),
    )
}

fn schema(at: Pointer, value: &Value) -> Option<Finding> {
    let location = Location::Document(at);
    let text = match value {
        Value::String(s) => s.trim().to_owned(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    if contains_placeholder(&text) {
        return Some(
            Finding::new(
                &RULE,
                None,
                location,
                format!(
                    "`$edgeHub` schemaVersion is the placeholder `{text}`, filled in at deploy time: it must become 1.0 or {NEWEST_TEXT}, the newest edgeHub 1.1 reads"
                ),
            )
            .severity(Severity::Info),
        );
    }
    if version(&text)? <= NEWEST {
        return None;
    }
    Some(
        Finding::new(
            &RULE,
            None,
            location.clone(),
            format!(
                "`$edgeHub` schemaVersion `{text}` is newer than {NEWEST_TEXT}, the newest edgeHub 1.1 (the GPU device's) reads; what it adds (the MQTT broker) does not exist there"
            ),
        )
        .suggest(
            Suggestion::new(format!("set schemaVersion to \"{NEWEST_TEXT}\""), vec![Edit::Set { at: location, value: NEWEST_TEXT.into() }])
                .with_input("$edgeHub schema version", 0, "", Some(NEWEST_TEXT.into())),
        ),
    )
}
