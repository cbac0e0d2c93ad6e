//! OTH013 (TRAPS NEW-13): registry addresses the agents cannot match with an image, registries
//! with a port on older device software, and images pulled from the device's own `localhost`.

use super::deployed_by_device;
use super::image::{ImageRef, split_port};
use super::listed;
use crate::manifest::placeholder::{contains_placeholder, is_placeholder};
use crate::manifest::{Location, Module, RegistryCredential};
use crate::rules::{Check, Context, Edit, Finding, FixAvailability, K8S, Rule, RuleDoc, Section, Severity, Suggestion};

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "OTH013",
        section: Section::Other,
        severity: Severity::Warning,
        fix: FixAvailability::Sometimes,
        targets: K8S,
        title: "Registry address the agent cannot match, a registry port the device software refuses, or a localhost registry",
        detects: "In `$edgeAgent` `runtime.settings.registryCredentials`: an `address` with a scheme or a path (`https://myacr.azurecr.io/`), except Docker Hub's own `https://index.docker.io/v1/`; an address that matches no image while an image names the same host with another port (`myacr.azurecr.io:443` for `myacr.azurecr.io/app`); and, when the device's software release is set below 2103 (`--ase-version`), an address with a port (or Docker Hub's) that images are pulled with. A module image from the device's Edge container registry (`ecr.<device>…:31001`) on a release below 2103. A module image pulled from `localhost` or `127.0.0.1`. Placeholder addresses and images are left alone; edgeAgent's image is the device's. (TRAPS.md NEW-13.)",
        why: "Both edge agents pick a module's credentials by comparing the image's registry (`myacr.azurecr.io`, with its port if the image has one) with each `address`, exactly (ignoring case): an address with a scheme, a path or another port matches nothing, and the image is pulled without credentials. On the FPGA device such images may have been pulled long ago; the GPU device has none cached, so the pull fails. Before release 2103 the Kubernetes agent named the pull secret after the address without removing `:` and `/`, a name Kubernetes refuses; release 2101's notes list \"Edge container registry does not work with IoT Edge modules\" (issue 4, fixed in 2103), and Azure/iotedge#4208 made addresses with ports and schemes valid (that this is the 2103 fix is inferred). A `localhost` registry is looked up by the Kubernetes worker VM, where nothing listens.",
        before: r#"{"registryCredentials": {"myacr": {"address": "https://myacr.azurecr.io/", "username": "myacr", "password": "$ACR_PASSWORD"}}}"#,
        after: r#"{"registryCredentials": {"myacr": {"address": "myacr.azurecr.io", "username": "myacr", "password": "$ACR_PASSWORD"}}}"#,
        fix_safety: "Stripping the scheme and path is safe: it is what the address was meant to be, and only makes the agents use the credentials for that registry. Changing the port of an address to the images' needs review: check the registry really answers there. A port on old device software and a localhost registry have no manifest fix: update the device, or push the images to a registry the device reaches (an Azure container registry, or the device's own Edge container registry on 2103 or later).",
    },
    check: Check::Manifest(check),
};

/// Docker Hub's address, as the agents spell it for images without a registry.
const DOCKER_HUB: &str = "https://index.docker.io/v1/";
/// The first release whose agent accepts a registry address with a port (release notes 2101/2103).
const PORTS_FROM: u32 = 2103;
/// The port of the device's own Edge container registry (`ecr.<device>.<domain>:31001`).
const ECR_PORT: &str = "31001";

/// A module and its image, read.
struct Pulled<'a> {
    module: &'a Module,
    image: &'a str,
    reference: ImageRef<'a>,
}

impl Pulled<'_> {
    /// The agents would give this image the credentials at `address`.
    fn uses(&self, address: &str) -> bool {
        if address.eq_ignore_ascii_case(DOCKER_HUB) {
            return self.reference.credential_address().is_none() && self.image.contains('/');
        }
        self.reference.credential_address().is_some_and(|a| a.eq_ignore_ascii_case(address))
    }

    fn pulled_from_ecr(&self) -> bool {
        is_ecr(self.reference.registry.unwrap_or_default())
    }
}

/// `module `a``, `modules `a` and `b``: the modules whose images a message is about.
fn of_modules(modules: &[String]) -> String {
    let word = if modules.len() == 1 { "module" } else { "modules" };
    format!("{word} {}", listed(modules))
}

/// `ecr.<device>.<domain>:31001`: the device's Edge container registry.
fn is_ecr(registry: &str) -> bool {
    let (host, port) = split_port(registry);
    host.to_ascii_lowercase().starts_with("ecr.") && port == Some(ECR_PORT)
}

fn check(ctx: &Context) -> Vec<Finding> {
    let pulled: Vec<Pulled<'_>> = ctx
        .manifest
        .modules
        .iter()
        .filter(|m| !deployed_by_device(m))
        .filter_map(|m| {
            let image = m.settings.image.as_ref()?.text()?.trim();
            (!image.is_empty() && !is_placeholder(image)).then(|| Pulled {
                module: m,
                image,
                reference: ImageRef::parse(image),
            })
        })
        .collect();
    let release = ctx.device.ase_release().filter(|r| *r < PORTS_FROM);
    let credentials = ctx.manifest.registry_credentials();
    let mut out: Vec<Finding> = credentials.iter().filter_map(|c| credential(c, &pulled, release)).collect();
    for p in &pulled {
        out.extend(image(p, &credentials, release));
    }
    out
}

/// An address split the way the agents' secret names read it: scheme, `host[:port]`, path.
struct Address<'a> {
    scheme: Option<&'a str>,
    registry: &'a str,
    path: &'a str,
}

impl<'a> Address<'a> {
    fn parse(text: &'a str) -> Address<'a> {
        let lower = text.to_ascii_lowercase();
        let scheme_len = ["https://", "http://"].iter().find(|s| lower.starts_with(*s)).map_or(0, |s| s.len());
        let rest = &text[scheme_len..];
        let (registry, path) = rest.split_once('/').unwrap_or((rest, ""));
        Address { scheme: (scheme_len > 0).then(|| &text[..scheme_len]), registry, path }
    }
}

fn credential(c: &RegistryCredential, pulled: &[Pulled<'_>], release: Option<u32>) -> Option<Finding> {
    let field = c.address.as_ref()?;
    let text = field.text()?.trim();
    if text.is_empty() || contains_placeholder(text) {
        return None;
    }
    let at = Location::Document(field.at.clone());
    let finding = |message: String| Finding::new(&RULE, None, at.clone(), message);
    let users = |address: &str| -> Vec<String> {
        pulled.iter().filter(|p| p.uses(address)).map(|p| format!("`{}`", p.module.name)).collect()
    };
    let address = Address::parse(text);
    let hub = text.eq_ignore_ascii_case(DOCKER_HUB);
    if !hub && (address.scheme.is_some() || !address.path.is_empty()) && !address.registry.is_empty() {
        let extra = [
            address.scheme.map(|s| format!("the scheme `{s}`")),
            (!address.path.is_empty()).then(|| format!("the path `/{}`", address.path)),
        ];
        let extra: Vec<String> = extra.into_iter().flatten().collect();
        let modules = users(address.registry);
        let pulls = if modules.is_empty() {
            String::new()
        } else {
            format!(
                "; the images of {} come from `{}`, and the GPU device, which has none of them cached, pulls them without credentials",
                of_modules(&modules),
                address.registry
            )
        };
        let message = format!(
            "registry credentials `{}` have the address `{text}`: with {} it matches no image, because the agents compare the image's registry with the address exactly{pulls}",
            c.name,
            listed(&extra)
        );
        return Some(finding(message).suggest(Suggestion::new(
            format!("set the address to `{}`", address.registry),
            vec![Edit::Set { at: at.clone(), value: address.registry.into() }],
        )));
    }
    let modules = users(text);
    if modules.is_empty() && !hub {
        return other_port(text, pulled).map(|(registry, modules)| {
            finding(format!(
                "registry credentials `{}` have the address `{text}`, which matches no image, while the images of {} name `{registry}`: the agents compare the two exactly, so these images are pulled without credentials, and the GPU device has none of them cached",
                c.name,
                of_modules(&modules)
            ))
            .suggest_review(Suggestion::new(
                format!("set the address to `{registry}`"),
                vec![Edit::Set { at: at.clone(), value: registry.into() }],
            ))
        });
    }
    let release = release?;
    let (_, port) = split_port(text);
    if modules.is_empty() || (port.is_none() && !hub) {
        return None;
    }
    if is_ecr(text) {
        return Some(
            finding(format!(
                "the images of {} come from the device's Edge container registry `{text}`, which IoT Edge modules cannot use before release {PORTS_FROM} (release 2101's notes, issue 4), and the device runs {release}: update the device first",
                of_modules(&modules)
            ))
            .severity(Severity::Error),
        );
    }
    let what = if hub { "Docker Hub's address".to_owned() } else { format!("the port `{}`", port.unwrap_or_default()) };
    Some(finding(format!(
        "registry credentials `{}` (`{text}`) are used for the images of {}, and the device runs release {release}: before {PORTS_FROM} the agent named the pull secret after the address with {what} in it, which Kubernetes refuses, so these modules do not start; update the device or use a registry address without one",
        c.name,
        of_modules(&modules)
    )))
}

/// The registry (`host[:port]`) images of the deployment name for the host of `address`, with
/// another port, and those images' modules.
fn other_port<'a>(address: &str, pulled: &'a [Pulled<'a>]) -> Option<(&'a str, Vec<String>)> {
    let (host, _) = split_port(address);
    let registry = pulled
        .iter()
        .filter_map(|p| p.reference.credential_address())
        .find(|r| split_port(r).0.eq_ignore_ascii_case(host) && !contains_placeholder(r))?;
    let modules: Vec<String> =
        pulled.iter().filter(|p| p.uses(registry)).map(|p| format!("`{}`", p.module.name)).collect();
    Some((registry, modules))
}

/// A module image pulled from the node's own `localhost`, or from the Edge container registry on
/// a release that cannot use it (when no credential entry reports it already).
fn image(p: &Pulled<'_>, credentials: &[RegistryCredential], release: Option<u32>) -> Option<Finding> {
    let at = p.module.document_at(["settings", "image"]);
    let host = p.reference.host()?;
    if contains_placeholder(host) {
        return None;
    }
    if matches!(host.to_ascii_lowercase().as_str(), "localhost" | "127.0.0.1" | "[::1]") {
        return Some(Finding::new(
            &RULE,
            Some(p.module),
            at,
            format!(
                "image `{}` is pulled from `{}`: on the GPU device the Kubernetes worker VM pulls it, and no registry listens on its localhost; push the image to a registry the device reaches and name that one",
                p.image,
                p.reference.registry.unwrap_or(host)
            ),
        ));
    }
    let release = release?;
    let reported = credentials.iter().filter_map(|c| c.address.as_ref()?.text()).any(|a| p.uses(a.trim()));
    if !p.pulled_from_ecr() || reported {
        return None;
    }
    Some(
        Finding::new(
            &RULE,
            Some(p.module),
            at,
            format!(
                "image `{}` comes from the device's Edge container registry, which IoT Edge modules cannot use before release {PORTS_FROM} (release 2101's notes, issue 4), and the device runs {release}: update the device first",
                p.image
            ),
        )
        .severity(Severity::Error),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses() {
        let a = Address::parse("HTTPS://myacr.azurecr.io/v2/");
        assert_eq!((a.scheme, a.registry, a.path), (Some("HTTPS://"), "myacr.azurecr.io", "v2/"));
        let a = Address::parse("host:5000");
        assert_eq!((a.scheme, a.registry, a.path), (None, "host:5000", ""));
        assert!(is_ecr("ecr.dbe-1.microsoftdatabox.com:31001") && !is_ecr("ecr.example.com:5000"));
    }
}
