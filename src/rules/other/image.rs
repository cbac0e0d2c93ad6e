//! A module's image reference (`registry[:port]/path/name[:tag][@digest]`), read the two ways that
//! matter on the device: as Docker and the kubelet resolve it (which registry is pulled from) and
//! as the edge agents look up its credentials (`DockerUtil.TryParseDomainFromImage`).

/// An image reference split into its parts, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef<'a> {
    /// The registry as Docker reads it: the first path component when it has a `.` or a `:` or is
    /// `localhost`; `None` for Docker Hub (`redis`, `bitnami/redis`).
    pub registry: Option<&'a str>,
    /// The repository's last path component (`azureiotedge-hub`).
    pub name: &'a str,
    /// The tag, when one is written.
    pub tag: Option<&'a str>,
}

impl<'a> ImageRef<'a> {
    pub fn parse(image: &'a str) -> ImageRef<'a> {
        let image = image.trim();
        let without_digest = image.split('@').next().unwrap_or(image);
        let (first, rest) = match without_digest.split_once('/') {
            Some((first, rest)) if first.contains(['.', ':']) || first == "localhost" => (Some(first), rest),
            _ => (None, without_digest),
        };
        let last = rest.rsplit('/').next().unwrap_or(rest);
        let (name, tag) = match last.split_once(':') {
            Some((name, tag)) => (name, Some(tag)),
            None => (last, None),
        };
        ImageRef { registry: first, name, tag }
    }

    /// The address the edge agents compare a credential's `address` with (exactly, ignoring
    /// case): the first path component when it has a `.` or a `:`. Docker Hub images (and
    /// `localhost/…`, which the agents read as Docker Hub) match only Docker Hub's own address.
    pub fn credential_address(&self) -> Option<&'a str> {
        self.registry.filter(|r| r.contains(['.', ':']))
    }

    /// The registry's host without its port.
    pub fn host(&self) -> Option<&'a str> {
        self.registry.map(|r| split_port(r).0)
    }
}

/// `host[:port]` split at the port (an IPv6 address in brackets keeps its colons).
pub fn split_port(address: &str) -> (&str, Option<&str>) {
    let after_bracket = address.rfind(']').map_or(0, |i| i + 1);
    match address[after_bracket..].rfind(':') {
        Some(i) => (&address[..after_bracket + i], Some(&address[after_bracket + i + 1..])),
        None => (address, None),
    }
}

/// `major.minor` of a version tag (`1.2`, `1.2.0`, `1.2.0-linux-amd64`, `1.5-rc2`); `None` for
/// other tags (`latest`, `main`).
pub fn version(tag: &str) -> Option<(u64, u64)> {
    let numeric = tag.split(['-', '+']).next()?;
    let mut parts = numeric.split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next().map_or(Some(0), |m| m.parse().ok())?;
    Some((major, minor))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references() {
        let r = ImageRef::parse("myacr.azurecr.io:443/team/app:1.2@sha256:abc");
        assert_eq!((r.registry, r.name, r.tag), (Some("myacr.azurecr.io:443"), "app", Some("1.2")));
        assert_eq!((r.host(), r.credential_address()), (Some("myacr.azurecr.io"), r.registry));
        let hub = ImageRef::parse("bitnami/redis:latest");
        assert_eq!((hub.registry, hub.name, hub.tag), (None, "redis", Some("latest")));
        let local = ImageRef::parse("localhost/app");
        assert_eq!((local.registry, local.credential_address()), (Some("localhost"), None));
        assert_eq!(ImageRef::parse("localhost:5000/app:0.1").host(), Some("localhost"));
        assert_eq!(ImageRef::parse("mcr.microsoft.com/azureiotedge-hub").tag, None);
        assert_eq!(split_port("[::1]:5000"), ("[::1]", Some("5000")));
    }

    #[test]
    fn versions() {
        assert_eq!(version("1.2.0-linux-amd64"), Some((1, 2)));
        assert_eq!(version("1.5"), Some((1, 5)));
        assert_eq!(version("2"), Some((2, 0)));
        assert_eq!(version("latest"), None);
    }
}
