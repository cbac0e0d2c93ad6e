//! Kubernetes resource quantities: parsed as the API server parses them (`resource.ParseQuantity`:
//! a signed decimal number and an optional binary, decimal or exponent suffix), and written from
//! Docker's numbers (bytes, nano-CPUs, quotas, shares) the way Kubernetes reads them back. One copy
//! for the rules that convert and check limits and for the pre-flight on the predicted pods.

/// `bytes` as a memory quantity.
pub fn memory(bytes: u128) -> String {
    const UNITS: [(&str, u32); 4] = [("Ti", 40), ("Gi", 30), ("Mi", 20), ("Ki", 10)];
    for (suffix, shift) in UNITS {
        let unit = 1u128 << shift;
        if bytes >= unit && bytes.is_multiple_of(unit) {
            return format!("{}{suffix}", bytes / unit);
        }
    }
    bytes.to_string()
}

/// Millicores as a cpu quantity: whole cores when exact, else `<n>m`; at least `1m`.
pub fn millicores(milli: u128) -> String {
    let milli = milli.max(1);
    if milli.is_multiple_of(1000) { (milli / 1000).to_string() } else { format!("{milli}m") }
}

/// Docker `NanoCpus` (10⁻⁹ CPUs) → millicores, rounded up.
pub fn nano_cpus(nano: u128) -> u128 {
    nano.div_ceil(1_000_000)
}

/// Docker `CpuQuota` per `CpuPeriod` (microseconds) → millicores, rounded up.
pub fn cpu_quota(quota: u128, period: u128) -> u128 {
    quota.saturating_mul(1000).div_ceil(period.max(1))
}

/// Docker `CpuShares` (a relative weight, 1024 = one CPU's worth) → millicores, rounded up: the
/// inverse of the kubelet, which gives a container `requests.cpu × 1024 / 1000` shares.
pub fn cpu_shares(shares: u128) -> u128 {
    shares.saturating_mul(1000).div_ceil(1024)
}

/// The value of a quantity in base units (bytes, cores, devices); `None` when the API server
/// would refuse the text.
pub fn value(text: &str) -> Option<f64> {
    let b = text.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'+' | b'-')) {
        i += 1;
    }
    let digits_start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let whole = i - digits_start;
    let mut fraction = 0;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        let f = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        fraction = i - f;
    }
    if whole + fraction == 0 {
        return None;
    }
    let number: f64 = text[..i].parse().ok()?;
    let suffix = &text[i..];
    let factor = match suffix {
        "" => 1.0,
        "Ki" => 1024f64,
        "Mi" => 1024f64.powi(2),
        "Gi" => 1024f64.powi(3),
        "Ti" => 1024f64.powi(4),
        "Pi" => 1024f64.powi(5),
        "Ei" => 1024f64.powi(6),
        "n" => 1e-9,
        "u" => 1e-6,
        "m" => 1e-3,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        "E" => 1e18,
        s if s.starts_with(['e', 'E']) => {
            let exp = &s[1..];
            let digits = exp.strip_prefix(['+', '-']).unwrap_or(exp);
            if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
                return None;
            }
            10f64.powi(exp.parse::<i32>().ok()?)
        }
        _ => return None,
    };
    Some(number * factor)
}

/// A quantity as the API server reads it, with whether its suffix is below one unit (`m`, `u`,
/// `n`, a negative exponent: valid, but never what anyone means for memory); `None` when the API
/// server would refuse the text, or it is negative (no limit or request is). Surrounding spaces are
/// allowed (Newtonsoft and the client library trim them).
pub fn parse(text: &str) -> Option<(f64, bool)> {
    let t = text.trim();
    let v = value(t).filter(|v| v.is_finite() && *v >= 0.0)?;
    let suffix = t.trim_start_matches(|c: char| c.is_ascii_digit() || matches!(c, '.' | '+' | '-'));
    let below =
        matches!(suffix, "n" | "u" | "m") || suffix.strip_prefix(['e', 'E']).is_some_and(|e| e.starts_with('-'));
    Some((v, below))
}

/// A cpu quantity in millicores (`"500m"`, `"2"`, `"0.5"`, `1`), rounded up as Kubernetes does;
/// `None` when it is not one.
pub fn parse_cpu(text: &str) -> Option<u128> {
    parse(text).map(|(cores, _)| (cores * 1000.0).ceil() as u128)
}

/// A memory quantity in bytes (`"256Mi"`, `"1G"`, `"268435456"`); `None` when it is not one, or
/// uses a suffix below one byte (`m` is milli-bytes: valid for Kubernetes, never what anyone means
/// for memory, and the container cannot start with it).
pub fn parse_memory(text: &str) -> Option<u128> {
    match parse(text)? {
        (_, true) => None,
        (bytes, false) => Some(bytes.ceil() as u128),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_uses_a_binary_suffix_only_when_exact() {
        assert_eq!(memory(268_435_456), "256Mi");
        assert_eq!(memory(33_554_432), "32Mi");
        assert_eq!(memory(1 << 30), "1Gi");
        assert_eq!(memory(3 << 40), "3Ti");
        assert_eq!(memory(3072), "3Ki");
        assert_eq!(memory(1536), "1536");
        assert_eq!(memory(1_536_870_912), "1536870912");
        assert_eq!(memory(536_870_911), "536870911");
        assert_eq!(memory(512), "512");
        assert_eq!(memory(1_500_000_000 * 1024), "1500000000Ki");
    }

    #[test]
    fn cpu_is_whole_cores_when_exact_else_millicores_rounded_up() {
        assert_eq!(millicores(nano_cpus(1_500_000_000)), "1500m");
        assert_eq!(millicores(nano_cpus(2_000_000_000)), "2");
        assert_eq!(millicores(nano_cpus(500_000)), "1m", "0.5m rounds up to Kubernetes' 1m precision");
        assert_eq!(millicores(cpu_quota(50_000, 100_000)), "500m");
        assert_eq!(millicores(cpu_quota(150_000, 100_000)), "1500m");
        assert_eq!(millicores(cpu_quota(1, 3)), "334m");
        assert_eq!(millicores(cpu_shares(512)), "500m");
        assert_eq!(millicores(cpu_shares(1024)), "1");
        assert_eq!(millicores(cpu_shares(100)), "98m");
        assert_eq!(millicores(cpu_shares(2)), "2m");
        assert_eq!(millicores(0), "1m");
    }

    #[test]
    fn parses_quantities_back() {
        assert_eq!(parse_cpu("500m"), Some(500));
        assert_eq!(parse_cpu("2"), Some(2000));
        assert_eq!(parse_cpu("0.25"), Some(250));
        assert_eq!(parse_cpu("lots"), None);
        assert_eq!(parse_memory("256Mi"), Some(268_435_456));
        assert_eq!(parse_memory("1G"), Some(1_000_000_000));
        assert_eq!(parse_memory("1536870912"), Some(1_536_870_912));
        assert_eq!(parse_memory("128m"), None);
        assert_eq!(parse_memory("x"), None);
        assert_eq!(parse_memory("lots"), None);
        assert_eq!(parse_memory("1.5Gi"), Some(1_610_612_736));
        assert_eq!(parse_memory("1e3"), Some(1000));
        assert_eq!(parse_memory("-1"), None, "no limit is negative");
        assert_eq!(parse_memory("256 Mi"), None);
        assert_eq!(parse_memory("Mi"), None);
        assert_eq!(parse_cpu("1.5.2"), None);
        assert_eq!(parse_cpu("+1"), Some(1000));
        assert_eq!(parse_cpu("100u"), Some(1), "rounded up to 1m");
    }

    #[test]
    fn values_as_the_api_server_reads_them() {
        assert_eq!(value("128Mi"), Some(128.0 * 1024.0 * 1024.0));
        assert_eq!(value("500m"), Some(0.5));
        assert_eq!(value("1"), Some(1.0));
        assert_eq!(value(".5"), Some(0.5));
        assert_eq!(value("1e3"), Some(1000.0));
        assert_eq!(value("-1"), Some(-1.0));
        for bad in ["lots", "", "1 Gi", "1gi", "Mi", "1.2.3", "1e", "0x10"] {
            assert_eq!(value(bad), None, "{bad}");
        }
    }
}
