//! `HostConfig.Binds` entries (`source:target[:options]`), read once for every storage rule.

use crate::manifest::Module;
use serde_json::Value;

/// One `Binds` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bind<'a> {
    /// Index in the `Binds` array.
    pub index: usize,
    pub raw: &'a str,
    pub source: &'a str,
    pub target: &'a str,
    /// `ro`, `rw`, `z`… as written, when present.
    pub options: Option<&'a str>,
    /// The source is a Windows path (`C:\data`): the GPU device is Linux.
    pub windows: bool,
}

impl Bind<'_> {
    pub fn read_only(&self) -> bool {
        self.options.is_some_and(|o| o.split(',').any(|x| x == "ro"))
    }

    /// A Docker named volume (`myvol:/data`) rather than a host path.
    pub fn is_named_volume(&self) -> bool {
        !self.windows && !self.source.starts_with('/') && !self.source.starts_with('.') && !self.source.starts_with('~')
    }

    /// Pointer (relative to createOptions) to this entry.
    pub fn rel_pointer(&self) -> String {
        format!("/HostConfig/Binds/{}", self.index)
    }
}

/// Every string entry of `HostConfig.Binds`.
pub fn binds(module: &Module) -> Vec<Bind<'_>> {
    let Some(list) = module.create_options.host_config().and_then(|h| h.get("Binds")).and_then(Value::as_array) else {
        return Vec::new();
    };
    list.iter().enumerate().filter_map(|(index, v)| v.as_str().and_then(|raw| parse(index, raw))).collect()
}

fn parse(index: usize, raw: &str) -> Option<Bind<'_>> {
    let windows = raw.len() > 2
        && raw.as_bytes()[0].is_ascii_alphabetic()
        && raw.as_bytes()[1] == b':'
        && matches!(raw.as_bytes()[2], b'\\' | b'/');
    let skip = if windows { 2 } else { 0 };
    let first = raw[skip..].find(':')? + skip;
    let source = &raw[..first];
    let rest = &raw[first + 1..];
    // A Windows target (`C:\x`) has its own drive colon.
    let target_skip =
        if rest.len() > 2 && rest.as_bytes()[1] == b':' && matches!(rest.as_bytes()[2], b'\\' | b'/') { 2 } else { 0 };
    let (target, options) = match rest[target_skip..].find(':') {
        Some(i) => (&rest[..i + target_skip], Some(&rest[i + target_skip + 1..])),
        None => (rest, None),
    };
    (!source.is_empty() && !target.is_empty()).then_some(Bind { index, raw, source, target, options, windows })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_linux_windows_and_options() {
        let b = parse(0, "/home/hcsshares/share1:/data:ro").unwrap();
        assert_eq!((b.source, b.target, b.options), ("/home/hcsshares/share1", "/data", Some("ro")));
        assert!(b.read_only() && !b.windows && !b.is_named_volume());
        let w = parse(1, "C:\\data:/data").unwrap();
        assert!(w.windows);
        assert_eq!((w.source, w.target), ("C:\\data", "/data"));
        assert!(parse(2, "myvol:/var/lib").unwrap().is_named_volume());
        assert!(parse(3, "nocolon").is_none());
    }
}
