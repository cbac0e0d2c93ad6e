//! OTH104 (VM): edgeAgent and edgeHub images at the release of the `aziot-edge` package in the VM.

use crate::manifest::Module;
use crate::manifest::model::Field;
use crate::manifest::placeholder::contains_placeholder;
use crate::rules::{Check, Context, Edit, Finding, FixAvailability, Rule, RuleDoc, Section, Severity, Suggestion, VM};

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "OTH104",
        section: Section::Other,
        severity: Severity::Error,
        fix: FixAvailability::Sometimes,
        targets: VM,
        title: "edgeAgent/edgeHub image not at the IoT Edge release in the VM",
        detects: "The image of the system modules edgeAgent and edgeHub when it is Microsoft's `azureiotedge-agent`/`azureiotedge-hub` (from any registry) at another release than the one chosen for the VM (`--iotedge-version`, 1.6 by default): `:1.0`, `:1.1`, `:1.0.10.4`, `:1.2`, `:1.5` under 1.6, no tag, `:latest`. `:1.6`, `:1.6.1` and `:1.6-linux-amd64` are the 1.6 release. An image of another name, or pinned by digest, is a warning (its release cannot be read); one whose tag or name is a placeholder is reported as filled in at deploy time (info).",
        why: "edgeAgent and edgeHub must be the release of the `aziot-edge` package installed in the VM: \"their major.minor should match\" (how-to-update-iot-edge). An FPGA manifest names IoT Edge 1.0/1.1 images, which speak the old workload API and lack what 1.5/1.6 changed (TLS 1.2 only, the identity service, the new secrets format); 1.1 is out of support. IoT Edge 1.5 LTS is serviced until 2026-11-10, 1.6 LTS until 2028-11-14.",
        before: r#"{"systemModules": {"edgeAgent": {"settings": {"image": "mcr.microsoft.com/azureiotedge-agent:1.1"}}, "edgeHub": {"settings": {"image": "mcr.microsoft.com/azureiotedge-hub:1.1"}}}}"#,
        after: r#"{"systemModules": {"edgeAgent": {"settings": {"image": "mcr.microsoft.com/azureiotedge-agent:1.6"}}, "edgeHub": {"settings": {"image": "mcr.microsoft.com/azureiotedge-hub:1.6"}}}}"#,
        fix_safety: "Safe: the runtime in the VM is that release whatever the manifest says, and the system images must follow it. Only the tag changes: a registry or path written before the image name (a mirror `myacr.azurecr.io/…`, a placeholder `${REGISTRY}/…`, a nested parent `$upstream:443/…`) is kept, and that registry must then hold the new images. Pin a patch release (`:1.6.1`) by editing the value if you need reproducible deployments.",
    },
    check: Check::Module(check),
};

/// A system module and the name of its image.
const IMAGES: [(&str, &str); 2] = [("edgeAgent", "azureiotedge-agent"), ("edgeHub", "azureiotedge-hub")];

fn check(ctx: &Context, module: &Module) -> Vec<Finding> {
    let Some((_, expected)) = IMAGES.iter().find(|(name, _)| module.system && module.name == *name) else {
        return Vec::new();
    };
    let Some(image) = &module.settings.image else { return Vec::new() };
    let release = ctx.device.iotedge_version.name();
    finding(module, image, expected, release).into_iter().collect()
}

fn finding(module: &Module, image: &Field, expected: &str, release: &str) -> Option<Finding> {
    let at = crate::manifest::Location::Document(image.at.clone());
    let finding = |message: String| Finding::new(&RULE, Some(module), at.clone(), message);
    let Some(text) = image.text().map(str::trim) else {
        return Some(finding(format!("{} image is {}, not an image name", module.name, image.shown())));
    };
    let want = format!("`{expected}:{release}`");
    let r = Reference::parse(text);
    if contains_placeholder(r.name) || r.tag.is_some_and(contains_placeholder) {
        return Some(
            finding(format!("{} image `{text}` is filled in at deploy time: it must become {want}", module.name))
                .severity(Severity::Info),
        );
    }
    if !r.name.eq_ignore_ascii_case(expected) {
        return Some(finding(format!(
            "{} image `{text}` is not Microsoft's `{expected}`: make sure it is the IoT Edge {release} release the VM runs",
            module.name
        )).severity(Severity::Warning));
    }
    if r.digest {
        return Some(
            finding(format!(
                "{} image `{text}` is pinned by digest: make sure it is an IoT Edge {release} image",
                module.name
            ))
            .severity(Severity::Warning),
        );
    }
    let tag = r.tag.unwrap_or("latest");
    let at_release =
        tag == release || tag.starts_with(&format!("{release}.")) || tag.starts_with(&format!("{release}-"));
    if at_release {
        return None;
    }
    let new = format!("{}{}:{release}", r.prefix, r.name);
    let mirror = if r.prefix.is_empty() || r.prefix.eq_ignore_ascii_case("mcr.microsoft.com/") {
        String::new()
    } else {
        format!("; `{}` must hold it", r.prefix.trim_end_matches('/'))
    };
    Some(
        finding(format!(
            "{} image `{text}` is not IoT Edge {release}, the aziot-edge release in the VM: the system images must be that release{mirror}",
            module.name
        ))
        .suggest(Suggestion::new(format!("use `{new}`"), vec![Edit::Set { at, value: new.clone().into() }])),
    )
}

/// An image reference split the way Docker reads it: `<prefix><name>[:<tag>][@<digest>]`, the
/// prefix being the registry and path up to the last `/`.
#[derive(Debug, PartialEq, Eq)]
struct Reference<'a> {
    /// Everything before the image's own name, with its trailing `/` (`mcr.microsoft.com/`).
    prefix: &'a str,
    name: &'a str,
    tag: Option<&'a str>,
    digest: bool,
}

impl<'a> Reference<'a> {
    fn parse(text: &'a str) -> Reference<'a> {
        let (text, digest) = match text.split_once('@') {
            Some((t, _)) => (t, true),
            None => (text, false),
        };
        let slash = text.rfind('/').map_or(0, |i| i + 1);
        let (prefix, last) = text.split_at(slash);
        let (name, tag) = match last.split_once(':') {
            Some((n, t)) => (n, Some(t)),
            None => (last, None),
        };
        Reference { prefix, name, tag, digest }
    }
}

#[cfg(test)]
mod tests {
    use super::Reference;

    #[test]
    fn references() {
        let r = Reference::parse("mcr.microsoft.com/azureiotedge-agent:1.1");
        assert_eq!(
            (r.prefix, r.name, r.tag, r.digest),
            ("mcr.microsoft.com/", "azureiotedge-agent", Some("1.1"), false)
        );
        let r = Reference::parse("$upstream:443/azureiotedge-hub:1.2");
        assert_eq!((r.prefix, r.name, r.tag), ("$upstream:443/", "azureiotedge-hub", Some("1.2")));
        let r = Reference::parse("azureiotedge-hub");
        assert_eq!((r.prefix, r.tag), ("", None));
        let r = Reference::parse("myacr.azurecr.io:5000/mirror/azureiotedge-agent@sha256:abc");
        assert_eq!(
            (r.prefix, r.name, r.tag, r.digest),
            ("myacr.azurecr.io:5000/mirror/", "azureiotedge-agent", None, true)
        );
    }
}
