//! Template placeholders (`${X}`, `$X`, `<X>`, `#X#`, `__X`) are data the deployment tooling fills in
//! later. The engine never expands or "fixes" them; rules use these helpers to stay away.

/// True when the whole string is one placeholder, e.g. a module named `${MODULE_NAME}`.
pub fn is_placeholder(s: &str) -> bool {
    let s = s.trim();
    if let Some(inner) = s.strip_prefix("${") {
        return inner.ends_with('}') && inner.len() > 1 && !inner[..inner.len() - 1].contains('}');
    }
    if let Some(inner) = s.strip_prefix('$') {
        return is_var_name(inner);
    }
    if let Some(inner) = s.strip_prefix('<') {
        return inner.len() > 1 && inner.ends_with('>') && !inner[..inner.len() - 1].contains(['<', '>']);
    }
    if let Some(inner) = s.strip_prefix('#') {
        return inner.len() > 1 && inner.ends_with('#') && !inner[..inner.len() - 1].contains('#');
    }
    if let Some(inner) = s.strip_prefix("__") {
        return !inner.is_empty()
            && inner.chars().next().is_some_and(|c| c.is_ascii_uppercase())
            && inner.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
    }
    false
}

/// True when the string holds a placeholder anywhere (`/home/hcsshares/$SHARE`, `<host>:8080`).
pub fn contains_placeholder(s: &str) -> bool {
    !placeholders(s).is_empty()
}

/// Byte ranges of the template placeholders in `text`: data, never read as addresses.
pub fn placeholder_ranges(text: &str) -> Vec<(usize, usize)> {
    let base = text.as_ptr() as usize;
    placeholders(text)
        .into_iter()
        .map(|p| {
            let s = p.as_ptr() as usize - base;
            (s, s + p.len())
        })
        .collect()
}

/// Every placeholder in `s`, in order of appearance, as written.
pub fn placeholders(s: &str) -> Vec<&str> {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let rest = &s[i..];
        let found = match bytes[i] {
            b'$' if rest.starts_with("${") => rest.find('}').map(|end| end + 1),
            b'$' => {
                let n = var_len(&rest[1..]);
                (n > 0).then_some(n + 1)
            }
            b'<' => {
                rest[1..].find(['>', '<', '"', ' ']).filter(|&e| rest.as_bytes()[e + 1] == b'>' && e > 0).map(|e| e + 2)
            }
            b'#' => rest[1..]
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .filter(|&e| e > 0 && rest.as_bytes()[e + 1] == b'#')
                .map(|e| e + 2),
            b'_' if rest.starts_with("__") && (i == 0 || !is_word(bytes[i - 1])) => {
                let n = rest[2..]
                    .find(|c: char| !(c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'))
                    .unwrap_or(rest.len() - 2);
                (n > 0 && rest.as_bytes()[2].is_ascii_uppercase()).then_some(n + 2)
            }
            _ => None,
        };
        match found {
            Some(len) => {
                out.push(&s[i..i + len]);
                i += len;
            }
            None => i += rest.chars().next().map_or(1, char::len_utf8),
        }
    }
    out
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn is_var_name(s: &str) -> bool {
    !s.is_empty() && var_len(s) == s.len()
}

fn var_len(s: &str) -> usize {
    let mut chars = s.char_indices();
    match chars.next() {
        Some((_, c)) if c.is_ascii_alphabetic() || c == '_' => {}
        _ => return 0,
    }
    chars.find(|&(_, c)| !(c.is_ascii_alphanumeric() || c == '_')).map_or(s.len(), |(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_placeholders() {
        for p in ["${ACR}", "$SHARE_NAME", "<IMAGE_URI>", "#ACR_PASSWORD#", "__MODULE_NAME"] {
            assert!(is_placeholder(p), "{p}");
        }
        for n in ["camera", "sample_module", "a$b", "<a", "#", "__lower", "$"] {
            assert!(!is_placeholder(n), "{n}");
        }
    }

    #[test]
    fn embedded_placeholders() {
        assert_eq!(placeholders("/home/hcsshares/$SHARE_NAME/out"), ["$SHARE_NAME"]);
        assert_eq!(placeholders("${MODULES.sample}:x <CR.Address>"), ["${MODULES.sample}", "<CR.Address>"]);
        assert_eq!(placeholders("a < b > c"), Vec::<&str>::new());
        assert!(placeholders("/data/storage").is_empty());
        assert!(placeholders("my__thing").is_empty());
    }
}
