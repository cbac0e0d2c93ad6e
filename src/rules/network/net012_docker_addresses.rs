//! NET012: addresses that exist only on Docker (the bridge, `host.docker.internal`, the Docker
//! socket, and `localhost` where a host-network module reached another module through the Docker
//! host) in env values, command lines and twin desired properties.

use super::addresses::{Text, dotted_numbers, is_host_byte};
use super::ports;
use crate::manifest::Module;
use crate::manifest::placeholder::placeholder_ranges;
use crate::rules::{Check, Context, Edit, Finding, FixAvailability, K8S, Rule, RuleDoc, Section, Severity, Suggestion};

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "NET012",
        section: Section::Network,
        severity: Severity::Error,
        fix: FixAvailability::Sometimes,
        targets: K8S,
        title: "Docker-only address in env, command or twin",
        detects: "In a module's `env` values, its createOptions `Env` values, its `Cmd` and `Entrypoint` arguments and its twin's desired properties: an address on a Docker bridge (`172.17.0.1`, `172.18.0.1`, anything in 172.17.0.0/16 or 172.18.0.0/16), `host.docker.internal`, or the Docker socket (`unix:///var/run/docker.sock`, `/var/run/docker.sock`); and (TRAPS.md NEW-3) `localhost:<port>`, `127.x.x.x:<port>` or `[::1]:<port>` in a module on the host network where `<port>` is a host port another module publishes (or another host-network module's port), or in a module with `NetworkMode: container:<name>` where `<name>` is a module of the deployment. An error where the value is clearly an address the module dials (with a port, a scheme, or the whole value); a warning where it only mentions one (a network range, an address inside other text). `no_proxy` lists are left to the proxy rules.",
        why: "On Docker, `172.17.0.1` (docker0) and `172.18.0.1` (the `azure-iot-edge` network) are the device as containers see it, other 172.17/172.18 addresses are containers, and `host.docker.internal` names the host; the socket drives the Docker engine. A module on the host network reached the other modules' published ports at `localhost`, and one that shares another container's network stack (`container:<name>`) reached that container at `localhost`. None of this exists on the GPU device: modules run as Kubernetes pods on the cluster network (ASE's pod and service subnets are 172.27.0.0/16 and 172.28.0.0/16 by default), each pod with its own network stack (`container:` is ignored, NET011); the node's `localhost` does not reach Services, and there is no Docker engine for a module to drive. A module of the deployment is reached through its Service, `<lower-cased name>:<HostPort>`; a service on the device itself through the Kubernetes node's address. Evidence: TRAPS.md §1 #3 (Azure-Samples `factory-ai-vision`'s GPU templates set `\"DBHOST\": {\"value\": \"172.18.0.1\"}`; Azure/iotedge's connectivity test deployment has its host-network modules report to `http://localhost:5001`, the port `testResultCoordinator` publishes).",
        before: r#"{"env": {"TC_URI": {"value": "ws://172.17.0.1:5000"}}, "LoRaWanNetworkSrvModule": {"PortBindings": {"5000/tcp": [{"HostPort": "5000"}]}}}"#,
        after: r#"{"env": {"TC_URI": {"value": "ws://lorawannetworksrvmodule:5000"}}}"#,
        fix_safety: "Needs review, and proposed only when exactly one module of the deployment listens on the port the address names (the module that published that host port, or a host-network module listening on it): the value becomes that module's Service address. Otherwise, or without a port, only you know what the module reaches: the Service of a module, or the node's address for a service on the device itself. A module that drives the Docker engine must be reworked.",
    },
    check: Check::Manifest(check),
};

/// What kind of Docker-only address it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// The gateway of a Docker bridge (`172.17.0.1`, `172.18.0.1`): the host, seen from a container.
    Gateway,
    /// `host.docker.internal` (or `gateway.docker.internal`): Docker's names for the host.
    HostName,
    /// Another address on a Docker bridge: a container's, given out by Docker at start.
    Container,
    /// A Docker bridge network (`172.17.0.0/16`).
    Range,
    /// The Docker engine's socket.
    Socket,
    /// `localhost` (or `127.x.x.x`, `[::1]`) where it reached another module: from a module on the
    /// host network (the Docker host's published ports), or sharing a module's network stack.
    Loopback,
}

/// One Docker-only address in a text.
#[derive(Debug, Clone)]
struct Found {
    /// Byte range of the address, its port included.
    start: usize,
    end: usize,
    kind: Kind,
    port: Option<u16>,
    /// Clearly an address the module dials, not a mention.
    dialled: bool,
}

fn check(ctx: &Context) -> Vec<Finding> {
    ctx.addresses()
        .module_texts()
        .filter(|t| !t.name().is_some_and(|n| n.trim().eq_ignore_ascii_case("no_proxy")))
        .filter_map(|t| finding(ctx, t))
        .collect()
}

fn finding(ctx: &Context<'_>, t: &Text<'_>) -> Option<Finding> {
    let mut found = scan(&t.text);
    if let Some(owner) = t.owner
        && reaches_others_at_localhost(owner)
    {
        let held = placeholder_ranges(&t.text);
        found.extend(
            loopbacks(&t.text)
                .into_iter()
                .filter(|f| !held.iter().any(|&(s, e)| s < f.end && f.start < e))
                .filter(|f| f.port.is_some_and(|p| !loopback_listeners(ctx, owner, p).is_empty())),
        );
        found.sort_by_key(|f| f.start);
        found.dedup_by(|b, a| b.start < a.end);
    }
    if found.is_empty() {
        return None;
    }
    let mut said = Vec::new();
    let mut new = String::with_capacity(t.text.len());
    let mut last = 0;
    let mut fixable = true;
    for f in &found {
        let written = &t.text[f.start..f.end];
        let (what, instead, target) = describe(ctx, t.owner, f);
        said.push(format!("`{written}`, {what}; {instead}"));
        new.push_str(&t.text[last..f.start]);
        match target {
            Some(address) => new.push_str(&address),
            None => {
                new.push_str(written);
                fixable &= f.kind == Kind::Range;
            }
        }
        last = f.end;
    }
    new.push_str(&t.text[last..]);
    let dialled = found.iter().any(|f| f.dialled);
    let owner = t.owner.map_or_else(String::new, |m| format!(" of `{}`", m.name));
    let finding =
        Finding::new(&RULE, t.owner, t.at.clone(), format!("{}{owner} holds {}", t.what(), said.join("; and ")));
    let finding = if dialled { finding } else { finding.severity(Severity::Warning) };
    if !fixable || new == t.text {
        return Some(finding);
    }
    let value = t.written(&new);
    Some(
        finding.suggest(
            Suggestion::new(format!("write `{new}`"), vec![Edit::Set { at: t.at.clone(), value: value.clone() }])
                .with_input("value", 0, "", Some(value)),
        ),
    )
}

/// What the address is, what to use instead, and the Service address that replaces it when one
/// module of the deployment is unambiguously the one it reaches.
fn describe(ctx: &Context<'_>, owner: Option<&Module>, f: &Found) -> (&'static str, String, Option<String>) {
    if let (Kind::Loopback, Some(owner), Some(port)) = (f.kind, owner, f.port) {
        return describe_loopback(ctx, owner, port);
    }
    let what = match f.kind {
        Kind::Gateway => "the Docker bridge's gateway (the device, seen from a container)",
        Kind::HostName => "Docker's name for the host",
        Kind::Container => "a container's address on a Docker bridge",
        Kind::Range => "a Docker bridge network",
        Kind::Socket => "the Docker engine's socket",
        Kind::Loopback => "the loopback address",
    };
    let (instead, target) = match (f.kind, f.port) {
        (Kind::Socket, _) => ("there is no Docker engine on the GPU device for a module to drive: the module must be reworked".to_owned(), None),
        (Kind::Range, _) => ("there is no Docker bridge on the GPU device, pods are on the cluster network: change or drop it".to_owned(), None),
        (_, None) => (
            "there is no Docker bridge on the GPU device: use the Service of the module that serves it (`<lower-cased name>:<HostPort>`), or the Kubernetes node's address for a service on the device itself".to_owned(),
            None,
        ),
        (kind, Some(port)) => {
            let candidates = listeners(ctx, kind, port);
            match &candidates[..] {
                [(m, service_port)] => {
                    let address = format!("{}:{service_port}", m.name.to_ascii_lowercase());
                    (format!("there is no Docker bridge on the GPU device: `{}` listens on that port, use its Service `{address}`", m.name), Some(address))
                }
                [] => (
                    format!("there is no Docker bridge on the GPU device and no module of this deployment listens on port {port}: use the Kubernetes node's address for a service on the device itself"),
                    None,
                ),
                many => (
                    format!(
                        "there is no Docker bridge on the GPU device: use the Service of the module it reaches, one of {}",
                        many.iter().map(|(m, p)| format!("`{}:{p}`", m.name.to_ascii_lowercase())).collect::<Vec<_>>().join(", ")
                    ),
                    None,
                ),
            }
        }
    };
    (what, instead, target)
}

/// The modules that answered at this Docker address and port, with the port of their Service
/// that answers now: for the host (gateway, `host.docker.internal`), modules that published that
/// host port, and host-network modules listening on it; for a container address, modules whose
/// container port it is.
fn listeners<'a>(ctx: &Context<'a>, kind: Kind, port: u16) -> Vec<(&'a Module, u16)> {
    let mut out = Vec::new();
    for m in ctx.manifest.modules.iter().filter(|m| !(m.system && m.name == "edgeAgent")) {
        let Some(service) = ports::service(m, ctx.device) else { continue };
        let hit = match kind {
            Kind::Gateway | Kind::HostName if ports::is_host_network(m) => {
                service.ports.iter().find(|p| p.target == port).map(|p| p.port)
            }
            Kind::Gateway | Kind::HostName => service.port(port).filter(|p| p.from_binding).map(|p| p.port),
            _ => {
                let to: Vec<u16> = service.ports.iter().filter(|p| p.target == port).map(|p| p.port).collect();
                to.iter().copied().find(|p| *p == port).or(to.first().copied())
            }
        };
        out.extend(hit.map(|p| (m, p)));
    }
    out
}

/// The module reached other modules at `localhost` on Docker: it is on the host network (the
/// agent's reading, any case), or shares another container's network stack.
fn reaches_others_at_localhost(module: &Module) -> bool {
    ports::is_host_network(module) || shared_stack(module).is_some()
}

/// `container:<name>` in `NetworkMode`: the name of the container whose network stack it shares.
fn shared_stack(module: &Module) -> Option<&str> {
    ports::network_mode(module)?.text()?.trim().strip_prefix("container:").map(str::trim).filter(|n| !n.is_empty())
}

/// The modules `owner` reached at `localhost:<port>` on Docker, with the port of their Service that
/// answers now: for a host-network module, other modules that published that host port and other
/// host-network modules listening on it (none when `owner` listens on it itself); for one sharing
/// `container:<name>`, that module.
fn loopback_listeners<'a>(ctx: &Context<'a>, owner: &Module, port: u16) -> Vec<(&'a Module, Option<u16>)> {
    if let Some(name) = shared_stack(owner) {
        let Some(m) = ctx.module(name) else { return Vec::new() };
        let service = ports::service(m, ctx.device);
        let to = service.and_then(|s| {
            let to: Vec<u16> = s.ports.iter().filter(|p| p.target == port).map(|p| p.port).collect();
            to.iter().copied().find(|p| *p == port).or(to.first().copied())
        });
        return vec![(m, to)];
    }
    if ports::service(owner, ctx.device).is_some_and(|s| s.ports.iter().any(|p| p.target == port || p.port == port)) {
        return Vec::new();
    }
    listeners(ctx, Kind::Gateway, port)
        .into_iter()
        .filter(|(m, _)| m.name != owner.name)
        .map(|(m, p)| (m, Some(p)))
        .collect()
}

/// What a loopback address reached and what to use instead.
fn describe_loopback(ctx: &Context<'_>, owner: &Module, port: u16) -> (&'static str, String, Option<String>) {
    let how = match shared_stack(owner) {
        Some(name) => format!("this module shared `{name}`'s network stack (`container:{name}`), which Kubernetes ignores"),
        None => "this module is on the host network, where it reached ports other modules published on the Docker host; the node's `localhost` does not reach Services".to_owned(),
    };
    let candidates = loopback_listeners(ctx, owner, port);
    match &candidates[..] {
        [(m, Some(service_port))] => {
            let address = format!("{}:{service_port}", m.name.to_ascii_lowercase());
            (
                "the loopback address",
                format!("{how}: `{}` listens on that port, use its Service `{address}`", m.name),
                Some(address),
            )
        }
        [(m, None)] => (
            "the loopback address",
            format!(
                "{how}: it reached `{}` on port {port}, which the module does not declare: bind that port (NET015) and use `{}:{port}`",
                m.name,
                m.name.to_ascii_lowercase()
            ),
            None,
        ),
        many => (
            "the loopback address",
            format!(
                "{how}: use the Service of the module it reaches, one of {}",
                many.iter()
                    .filter_map(|(m, p)| Some(format!("`{}:{}`", m.name.to_ascii_lowercase(), (*p)?)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            None,
        ),
    }
}

/// `localhost`, `127.x.x.x` and `[::1]` with a port, any case, as whole host names.
fn loopbacks(text: &str) -> Vec<Found> {
    let lower = text.to_ascii_lowercase();
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut push = |start: usize, end: usize| {
        if (start > 0 && is_host_byte(bytes[start - 1])) || bytes.get(end).is_some_and(|b| *b != b':') {
            return;
        }
        if let Some((port, after)) = port_after(text, end) {
            out.push(Found { start, end: after, kind: Kind::Loopback, port: Some(port), dialled: true });
        }
    };
    for (start, _) in lower.match_indices("localhost") {
        push(start, start + "localhost".len());
    }
    for (start, _) in text.match_indices("[::1]") {
        push(start, start + "[::1]".len());
    }
    for (start, _) in text.match_indices("127.") {
        let len = text[start..].bytes().take_while(|b| b.is_ascii_digit() || *b == b'.').count();
        let token = &text[start..start + len];
        if token.split('.').count() == 4 && token.split('.').all(|o| o.parse::<u8>().is_ok()) {
            push(start, start + len);
        }
    }
    out.sort_by_key(|f| f.start);
    out
}

/// Every Docker-only address in `text`, outside placeholders, in order.
fn scan(text: &str) -> Vec<Found> {
    // Most texts hold none: no `172.1` and no `docker` in any case.
    let docker = text.as_bytes().windows(6).any(|w| w.eq_ignore_ascii_case(b"docker"));
    if !docker && !text.contains("172.1") {
        return Vec::new();
    }
    let held = placeholder_ranges(text);
    let mut found: Vec<Found> = Vec::new();
    found.extend(bridge_addresses(text));
    found.extend(host_names(text));
    found.extend(sockets(text));
    found.retain(|f| !held.iter().any(|&(s, e)| s < f.end && f.start < e));
    found.sort_by_key(|f| f.start);
    found.dedup_by(|b, a| b.start < a.end);
    for f in &mut found {
        f.dialled = f.kind == Kind::Socket || (f.kind != Kind::Range && is_dialled(text, f));
    }
    found
}

/// An address the module dials: with a port, a scheme or credentials, or standing as a value of
/// its own (the whole text, or after `=`, up to the end, a path, `;` or `,`).
fn is_dialled(text: &str, f: &Found) -> bool {
    let before = &text[..f.start];
    let next = text[f.end..].chars().next();
    let alone_before = before.trim_end().is_empty() || before.ends_with('=');
    let alone_after = next.is_none_or(|c| c.is_whitespace() || matches!(c, ';' | ',' | '/' | '"' | '\''));
    f.port.is_some() || before.ends_with("://") || before.ends_with('@') || (alone_before && alone_after)
}

/// `:<port>` right after `end`: the port and where it ends.
fn port_after(text: &str, end: usize) -> Option<(u16, usize)> {
    let rest = text[end..].strip_prefix(':')?;
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    let after = end + 1 + digits;
    if digits == 0 || text.as_bytes().get(after).is_some_and(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    Some((crate::manifest::model::parse_port(&rest[..digits])?, after))
}

/// IPv4 addresses in 172.17.0.0/16 and 172.18.0.0/16, with a port or a prefix length.
fn bridge_addresses(text: &str) -> Vec<Found> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    for (start, end) in dotted_numbers(text) {
        // A trailing dot ends a sentence, not the address.
        let token = text[start..end].trim_end_matches('.');
        let end = start + token.len();
        if bytes.get(end).is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_') {
            continue;
        }
        let octets: Vec<u8> = token.split('.').filter_map(|o| o.parse().ok()).collect();
        if octets.len() != 4 || token.split('.').count() != 4 || octets[0] != 172 || !matches!(octets[1], 17 | 18) {
            continue;
        }
        let prefix = text[end..]
            .strip_prefix('/')
            .map(|r| r.bytes().take_while(u8::is_ascii_digit).count())
            .filter(|&n| (1..=2).contains(&n) && !text[..start].ends_with("://"));
        let found = match (port_after(text, end), prefix) {
            (Some((port, after)), _) => {
                Found { start, end: after, kind: bridge_kind(&octets), port: Some(port), dialled: false }
            }
            (None, Some(n)) => Found { start, end: end + 1 + n, kind: Kind::Range, port: None, dialled: false },
            (None, None) if octets[2] == 0 && octets[3] == 0 => {
                Found { start, end, kind: Kind::Range, port: None, dialled: false }
            }
            (None, None) => Found { start, end, kind: bridge_kind(&octets), port: None, dialled: false },
        };
        out.push(found);
    }
    out
}

fn bridge_kind(octets: &[u8]) -> Kind {
    if octets[2] == 0 && octets[3] == 1 { Kind::Gateway } else { Kind::Container }
}

/// `host.docker.internal` and `gateway.docker.internal`, any case, as whole host names.
fn host_names(text: &str) -> Vec<Found> {
    let lower = text.to_ascii_lowercase();
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    for name in ["host.docker.internal", "gateway.docker.internal"] {
        for (start, _) in lower.match_indices(name) {
            let end = start + name.len();
            if (start > 0 && is_host_byte(bytes[start - 1])) || bytes.get(end).is_some_and(|b| is_host_byte(*b)) {
                continue;
            }
            let (port, end) = port_after(text, end).map_or((None, end), |(p, e)| (Some(p), e));
            out.push(Found { start, end, kind: Kind::HostName, port, dialled: false });
        }
    }
    out
}

/// The Docker socket: `/var/run/docker.sock`, `/run/docker.sock`, with a `unix://` in front.
fn sockets(text: &str) -> Vec<Found> {
    let mut out = Vec::new();
    for (at, _) in text.match_indices("/run/docker.sock") {
        let end = at + "/run/docker.sock".len();
        if text.as_bytes().get(end).is_some_and(|b| is_host_byte(*b)) {
            continue;
        }
        let mut start = if text[..at].ends_with("/var") { at - 4 } else { at };
        if text[..start].ends_with("unix://") {
            start -= "unix://".len();
        }
        out.push(Found { start, end, kind: Kind::Socket, port: None, dialled: true });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(&str, Kind, bool)> {
        scan(text).iter().map(|f| (&text[f.start..f.end], f.kind, f.dialled)).collect()
    }

    #[test]
    fn finds_docker_only_addresses_and_tells_dialling_from_mentioning() {
        assert_eq!(kinds("ws://172.17.0.1:5000"), [("172.17.0.1:5000", Kind::Gateway, true)]);
        assert_eq!(kinds("172.18.0.1"), [("172.18.0.1", Kind::Gateway, true)]);
        assert_eq!(kinds("Server=172.18.0.5;Port=5432"), [("172.18.0.5", Kind::Container, true)]);
        assert_eq!(kinds("reachable at 172.18.0.5 only"), [("172.18.0.5", Kind::Container, false)]);
        assert_eq!(kinds("--db=172.18.0.5"), [("172.18.0.5", Kind::Container, true)]);
        assert_eq!(kinds("trust 172.17.0.0/16 only"), [("172.17.0.0/16", Kind::Range, false)]);
        assert_eq!(kinds("http://HOST.docker.internal:8080/x"), [("HOST.docker.internal:8080", Kind::HostName, true)]);
        assert_eq!(kinds("unix:///var/run/docker.sock"), [("unix:///var/run/docker.sock", Kind::Socket, true)]);
        assert!(kinds("10.172.17.0.1 1172.17.0.1 172.170.0.1 172.17.0.1.5 myhost.docker.internal.com").is_empty());
        assert!(kinds("${BRIDGE:-172.17.0.1}").is_empty(), "placeholders are data");
    }

    #[test]
    fn finds_loopback_addresses_with_a_port_only() {
        let found = |text: &str| -> Vec<(String, Option<u16>)> {
            loopbacks(text).iter().map(|f| (text[f.start..f.end].to_owned(), f.port)).collect()
        };
        assert_eq!(found("http://LocalHost:5001/x"), [("LocalHost:5001".to_owned(), Some(5001))]);
        assert_eq!(
            found("tcp://127.0.0.1:1883,[::1]:80"),
            [("127.0.0.1:1883".to_owned(), Some(1883)), ("[::1]:80".to_owned(), Some(80))]
        );
        assert!(found("localhost mylocalhost:80 localhost.example:80 10.127.0.0.1:80 127.0.0:80").is_empty());
    }
}
