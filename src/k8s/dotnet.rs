//! The few .NET parsing rules the agent's translation depends on, exactly: `int.TryParse`, the
//! agent's `PortAndProtocol.Parse` and `Enum.TryParse` of a Service type.

use crate::device::ServiceType;

/// .NET's white space for number parsing.
fn is_white(c: char) -> bool {
    matches!(c, '\u{9}'..='\u{d}' | ' ')
}

/// `int.TryParse(s)` (NumberStyles.Integer): surrounding white space, one sign, ASCII digits, in
/// the range of a 32-bit integer. `0`, `-5` and `70000` parse; they are not valid ports.
pub fn int_try_parse(s: &str) -> Option<i32> {
    let t = s.trim_matches(is_white);
    let digits = t.strip_prefix(['+', '-']).unwrap_or(t);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    t.parse::<i64>().ok().and_then(|n| i32::try_from(n).ok()).or_else(|| {
        // Many leading zeros overflow i64 parsing but not .NET's.
        let trimmed = digits.trim_start_matches('0');
        let n: i64 = if trimmed.is_empty() { 0 } else { trimmed.parse().ok()? };
        i32::try_from(if t.starts_with('-') { -n } else { n }).ok()
    })
}

/// A port key (`8080/tcp`) as the agent reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PortKey {
    /// Read: the number as `int.TryParse` gives it (any 32-bit value) and the protocol upper-cased.
    Port { port: i32, protocol: &'static str },
    /// Skipped with a warning in the agent's log (not a number, an unknown protocol, three parts).
    Skipped,
    /// Only slashes: the agent indexes an empty list and throws.
    Throws,
}

/// `PortAndProtocol.Parse`: split at `/` dropping empty parts; one or two parts; the number by
/// `int.TryParse`; the protocol TCP, UDP or SCTP ignoring case (not trimmed), TCP when absent.
pub fn port_key(name: &str) -> PortKey {
    if name.chars().all(char::is_whitespace) {
        return PortKey::Skipped;
    }
    let parts: Vec<&str> = name.split('/').filter(|p| !p.is_empty()).collect();
    if parts.is_empty() {
        return PortKey::Throws;
    }
    if parts.len() > 2 {
        return PortKey::Skipped;
    }
    let Some(port) = int_try_parse(parts[0]) else { return PortKey::Skipped };
    let protocol = match parts.get(1) {
        None => "TCP",
        Some(p) => match ["TCP", "UDP", "SCTP"].into_iter().find(|k| k.eq_ignore_ascii_case(p)) {
            Some(k) => k,
            None => return PortKey::Skipped,
        },
    };
    PortKey::Port { port, protocol }
}

/// A Service type as the agent writes it: one of the three names, or the number `Enum.TryParse`
/// accepted for an undefined value (which the API server refuses).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServiceTypeValue {
    Named(ServiceType),
    Undefined(i32),
}

impl ServiceTypeValue {
    /// `PortMapServiceType.ToString()`.
    pub fn text(self) -> String {
        match self {
            ServiceTypeValue::Named(t) => t.name().to_owned(),
            ServiceTypeValue::Undefined(n) => n.to_string(),
        }
    }

    fn from_number(n: i32) -> ServiceTypeValue {
        match n {
            0 => ServiceTypeValue::Named(ServiceType::ClusterIP),
            1 => ServiceTypeValue::Named(ServiceType::LoadBalancer),
            2 => ServiceTypeValue::Named(ServiceType::NodePort),
            n => ServiceTypeValue::Undefined(n),
        }
    }

    fn number(t: ServiceType) -> i32 {
        match t {
            ServiceType::ClusterIP => 0,
            ServiceType::LoadBalancer => 1,
            ServiceType::NodePort => 2,
        }
    }
}

/// `Enum.TryParse<PortMapServiceType>(text, ignoreCase: true)`: a name ignoring case, a number
/// (any, defined or not), or comma-separated names whose values are OR-ed together (`"ClusterIP,
/// NodePort"` is NodePort; `"LoadBalancer, NodePort"` is the undefined 3).
pub fn service_type(text: &str) -> Option<ServiceTypeValue> {
    use strum::IntoEnumIterator;
    let t = text.trim_matches(is_white);
    if t.is_empty() {
        return None;
    }
    if t.starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '+') {
        return int_try_parse(t).map(ServiceTypeValue::from_number);
    }
    let mut value = 0;
    for part in t.split(',') {
        let part = part.trim_matches(is_white);
        let named = ServiceType::iter().find(|s| s.name().eq_ignore_ascii_case(part))?;
        value |= ServiceTypeValue::number(named);
    }
    Some(ServiceTypeValue::from_number(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ints_as_dotnet_reads_them() {
        assert_eq!(int_try_parse(" 80 "), Some(80));
        assert_eq!(int_try_parse("+80"), Some(80));
        assert_eq!(int_try_parse("-1"), Some(-1));
        assert_eq!(int_try_parse("70000"), Some(70000));
        assert_eq!(int_try_parse("8000-8010"), None);
        assert_eq!(int_try_parse("1a23"), None);
        assert_eq!(int_try_parse("3000000000"), None);
        assert_eq!(int_try_parse(""), None);
    }

    #[test]
    fn port_keys() {
        assert_eq!(port_key("3434"), PortKey::Port { port: 3434, protocol: "TCP" });
        assert_eq!(port_key("456/udp"), PortKey::Port { port: 456, protocol: "UDP" });
        assert_eq!(port_key("10/SCTP"), PortKey::Port { port: 10, protocol: "SCTP" });
        assert_eq!(port_key("/80//tcp/"), PortKey::Port { port: 80, protocol: "TCP" });
        assert_eq!(port_key("123/HTTP"), PortKey::Skipped);
        assert_eq!(port_key("1a23/TCP"), PortKey::Skipped);
        assert_eq!(port_key("10/tcp/udp"), PortKey::Skipped);
        assert_eq!(port_key("80/ tcp"), PortKey::Skipped, "the protocol is not trimmed");
        assert_eq!(port_key(" "), PortKey::Skipped);
        assert_eq!(port_key("//"), PortKey::Throws);
    }

    #[test]
    fn service_types_as_enum_try_parse_reads_them() {
        let named = |t| Some(ServiceTypeValue::Named(t));
        assert_eq!(service_type("nodeport"), named(ServiceType::NodePort));
        assert_eq!(service_type(" LoadBalancer "), named(ServiceType::LoadBalancer));
        assert_eq!(service_type("1"), named(ServiceType::LoadBalancer));
        assert_eq!(service_type("ClusterIP, NodePort"), named(ServiceType::NodePort));
        assert_eq!(service_type("LoadBalancer,NodePort"), Some(ServiceTypeValue::Undefined(3)));
        assert_eq!(service_type("7").map(ServiceTypeValue::text).as_deref(), Some("7"));
        assert_eq!(service_type("External"), None);
        assert_eq!(service_type(""), None);
    }
}
