//! Reading JSON the way the agent's Newtonsoft.Json reads it into typed objects.
//!
//! Two things the agent relies on, modelled here:
//! - [`from_value`]: `JToken.ToObject<V1…>()` of a `k8s-experimental` section into a Kubernetes
//!   type. Newtonsoft matches property names ignoring case (the later spelling wins), converts
//!   primitives (`"true"` → `true`, `"420"` → `420`, `1` → `"1"`) and ignores unknown properties;
//!   anything else (an object where a list is expected, text where a number is) throws, and the
//!   agent refuses the module. k8s-openapi's own deserialisation is exact, so its types are read
//!   through a lenient [`serde::Deserializer`] that does what Newtonsoft does.
//! - [`Shape`]: the types of the agent's Docker model (`CreateContainerParameters`, `HostConfig`,
//!   `Mount`, `PortBinding`…); a known property written with the wrong JSON type makes the whole
//!   createOptions unreadable to the agent.

use serde::de::{self, DeserializeOwned, Deserializer, IntoDeserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use std::fmt;

/// Why a value could not be read (the message of Newtonsoft's exception, in our words).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadError(pub String);

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ReadError {}

impl de::Error for ReadError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        ReadError(msg.to_string())
    }
}

/// Reads `value` into `T` as Newtonsoft's `ToObject<T>()` would.
pub fn from_value<T: DeserializeOwned>(value: &Value) -> Result<T, ReadError> {
    T::deserialize(Lenient(value))
}

/// A JSON value seen through Newtonsoft's eyes.
struct Lenient<'a>(&'a Value);

/// A JSON type for messages.
fn kind(v: &Value) -> &'static str {
    crate::manifest::json_kind(v)
}

fn wrong(v: &Value, wanted: &str) -> ReadError {
    ReadError(format!("{} where {wanted} is expected", kind(v)))
}

/// A number as .NET converts it to an integer: whole numbers as they are, others rounded half to
/// even (`Convert.ToInt64(double)`).
fn integer(n: &Number) -> Option<i128> {
    if let Some(i) = n.as_i64() {
        return Some(i128::from(i));
    }
    if let Some(u) = n.as_u64() {
        return Some(i128::from(u));
    }
    let f = n.as_f64().filter(|f| f.is_finite())?;
    Some(f.round_ties_even() as i128)
}

/// A number written as text, as Newtonsoft converts it (`" 42 "`: .NET trims).
fn text_integer(s: &str) -> Option<i128> {
    let t = s.trim();
    let digits = t.strip_prefix(['+', '-']).unwrap_or(t);
    (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())).then(|| t.parse().ok()).flatten()
}

/// A primitive as Newtonsoft turns it into a string: numbers as written, booleans as .NET prints them.
pub fn primitive_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(true) => Some("True".to_owned()),
        Value::Bool(false) => Some("False".to_owned()),
        _ => None,
    }
}

impl<'a> Lenient<'a> {
    fn int(&self) -> Result<i128, ReadError> {
        match self.0 {
            Value::Number(n) => integer(n).ok_or_else(|| ReadError(format!("{n} is not a number .NET can read"))),
            Value::String(s) => {
                text_integer(s).ok_or_else(|| ReadError(format!("\"{s}\" where a whole number is expected")))
            }
            other => Err(wrong(other, "a whole number")),
        }
    }
}

macro_rules! ints {
    ($($method:ident => $visit:ident: $t:ty),* $(,)?) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
            let n = self.int()?;
            let v = <$t>::try_from(n).map_err(|_| ReadError(format!("{n} is out of range for a {}", stringify!($t))))?;
            visitor.$visit(v)
        }
    )*};
}

impl<'de, 'a> Deserializer<'de> for Lenient<'a> {
    type Error = ReadError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        match self.0 {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Number(n) => {
                if let Some(u) = n.as_u64() {
                    visitor.visit_u64(u)
                } else if let Some(i) = n.as_i64() {
                    visitor.visit_i64(i)
                } else {
                    visitor.visit_f64(n.as_f64().unwrap_or(f64::NAN))
                }
            }
            Value::String(s) => visitor.visit_str(s),
            Value::Array(a) => visitor.visit_seq(Seq(a.iter())),
            Value::Object(o) => {
                visitor.visit_map(Fields { entries: o.iter().map(|(k, v)| (k.clone(), v)).collect(), next: 0 })
            }
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        match self.0 {
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::String(s) if s.trim().eq_ignore_ascii_case("true") => visitor.visit_bool(true),
            Value::String(s) if s.trim().eq_ignore_ascii_case("false") => visitor.visit_bool(false),
            Value::Number(n) => visitor.visit_bool(integer(n).is_some_and(|i| i != 0)),
            other => Err(wrong(other, "true or false")),
        }
    }

    ints! {
        deserialize_i8 => visit_i8: i8, deserialize_i16 => visit_i16: i16, deserialize_i32 => visit_i32: i32,
        deserialize_i64 => visit_i64: i64, deserialize_u8 => visit_u8: u8, deserialize_u16 => visit_u16: u16,
        deserialize_u32 => visit_u32: u32, deserialize_u64 => visit_u64: u64,
    }

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        self.deserialize_f64(visitor)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        let f = match self.0 {
            Value::Number(n) => n.as_f64(),
            Value::String(s) => s.trim().parse::<f64>().ok(),
            _ => None,
        };
        f.map_or_else(|| Err(wrong(self.0, "a number")), |f| visitor.visit_f64(f))
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        self.deserialize_str(visitor)
    }

    /// Text; `null` where text is required reads as empty (Newtonsoft keeps the null, and the API
    /// server reads a JSON null string as empty).
    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        match self.0 {
            Value::String(s) => visitor.visit_str(s),
            Value::Null => visitor.visit_str(""),
            other => match primitive_text(other) {
                Some(t) => visitor.visit_string(t),
                None => Err(wrong(other, "text")),
            },
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        match self.0 {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        visitor.visit_unit()
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(self, _: &'static str, visitor: V) -> Result<V::Value, ReadError> {
        visitor.visit_unit()
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _: &'static str, visitor: V) -> Result<V::Value, ReadError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        match self.0 {
            Value::Array(a) => visitor.visit_seq(Seq(a.iter())),
            other => Err(wrong(other, "a list")),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _: usize, visitor: V) -> Result<V::Value, ReadError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: usize,
        visitor: V,
    ) -> Result<V::Value, ReadError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        match self.0 {
            Value::Object(o) => {
                visitor.visit_map(Fields { entries: o.iter().map(|(k, v)| (k.clone(), v)).collect(), next: 0 })
            }
            other => Err(wrong(other, "an object")),
        }
    }

    /// Properties match the type's fields ignoring case; the visitor takes them in order, so the
    /// later spelling wins, as in Newtonsoft.
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, ReadError> {
        match self.0 {
            Value::Object(o) => {
                let entries = o
                    .iter()
                    .map(|(k, v)| {
                        let key = fields
                            .iter()
                            .find(|f| f.eq_ignore_ascii_case(k))
                            .map_or_else(|| k.clone(), |f| (*f).to_owned());
                        (key, v)
                    })
                    .collect();
                visitor.visit_map(Fields { entries, next: 0 })
            }
            other => Err(wrong(other, "an object")),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, ReadError> {
        match self.0 {
            Value::String(s) => visitor.visit_enum(s.as_str().into_deserializer()),
            other => Err(wrong(other, "a name")),
        }
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        visitor.visit_unit()
    }
}

struct Seq<'a>(std::slice::Iter<'a, Value>);

impl<'de, 'a> SeqAccess<'de> for Seq<'a> {
    type Error = ReadError;

    fn next_element_seed<T: de::DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, ReadError> {
        self.0.next().map(|v| seed.deserialize(Lenient(v))).transpose()
    }
}

struct Fields<'a> {
    entries: Vec<(String, &'a Value)>,
    next: usize,
}

impl<'de, 'a> MapAccess<'de> for Fields<'a> {
    type Error = ReadError;

    fn next_key_seed<K: de::DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, ReadError> {
        let Some((k, _)) = self.entries.get(self.next) else { return Ok(None) };
        seed.deserialize(de::value::StrDeserializer::<ReadError>::new(k)).map(Some)
    }

    fn next_value_seed<V: de::DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, ReadError> {
        let (k, v) = &self.entries[self.next];
        self.next += 1;
        seed.deserialize(Lenient(v)).map_err(|e| ReadError(format!("`{k}`: {e}")))
    }
}

/// The JSON type a property of the agent's Docker model has, and what Newtonsoft accepts for it.
#[derive(Clone, Copy, Debug)]
pub enum Shape {
    /// `string`: text, a number or a boolean (converted), or null.
    Text,
    /// `bool`: true/false, `"true"`/`"false"`, a number; not null.
    Bool,
    /// `bool?`: the same, or null.
    OptBool,
    /// `long` (`ushort`, `ulong` with their range): a number or numeric text; not null.
    Int { min: i128, max: i128 },
    /// `long?`: the same, or null.
    OptInt,
    /// `IList<string>` (and `ulong[]` as numbers): a list of primitives, or null.
    TextList,
    /// `IDictionary<string, string>`: an object of primitives, or null.
    TextMap,
    /// A typed object (the keys it knows), or null.
    Object(&'static [(&'static str, Shape)]),
    /// A list of typed objects, or null.
    List(&'static [(&'static str, Shape)]),
    /// `IDictionary<string, T>` of typed objects, or null.
    Map(&'static [(&'static str, Shape)]),
    /// `IDictionary<string, IList<T>>` (port bindings), or null.
    MapOfLists(&'static [(&'static str, Shape)]),
    /// `IDictionary<string, EmptyStruct>` (exposed ports): every value an object.
    StructMap,
}

const LONG: Shape = Shape::Int { min: i64::MIN as i128, max: i64::MAX as i128 };
const ULONG: Shape = Shape::Int { min: 0, max: u64::MAX as i128 };
const USHORT: Shape = Shape::Int { min: 0, max: u16::MAX as i128 };

const THROTTLE: &[(&str, Shape)] = &[("Path", Shape::Text), ("Rate", ULONG)];
const WEIGHT: &[(&str, Shape)] = &[("Path", Shape::Text), ("Weight", USHORT)];
const ULIMIT: &[(&str, Shape)] = &[("Name", Shape::Text), ("Hard", LONG), ("Soft", LONG)];
const DEVICE: &[(&str, Shape)] =
    &[("PathOnHost", Shape::Text), ("PathInContainer", Shape::Text), ("CgroupPermissions", Shape::Text)];
const LOG_CONFIG: &[(&str, Shape)] = &[("Type", Shape::Text), ("Config", Shape::TextMap)];
const RESTART_POLICY: &[(&str, Shape)] = &[("MaximumRetryCount", LONG)];
/// `Mount`: the agent's own model of one `Mounts` entry.
pub const MOUNT: &[(&str, Shape)] =
    &[("ReadOnly", Shape::Bool), ("Source", Shape::Text), ("Target", Shape::Text), ("Type", Shape::Text)];
const PORT_BINDING: &[(&str, Shape)] = &[("HostIP", Shape::Text), ("HostPort", Shape::Text)];
const ENDPOINT: &[(&str, Shape)] = &[("Aliases", Shape::TextList)];
const NETWORKING: &[(&str, Shape)] = &[("EndpointsConfig", Shape::Map(ENDPOINT))];

/// The agent's `HostConfig` model.
pub const HOST_CONFIG: &[(&str, Shape)] = &[
    ("Binds", Shape::TextList),
    ("LogConfig", Shape::Object(LOG_CONFIG)),
    ("Mounts", Shape::List(MOUNT)),
    ("NetworkMode", Shape::Text),
    ("IpcMode", Shape::Text),
    ("PortBindings", Shape::MapOfLists(PORT_BINDING)),
    ("Privileged", Shape::Bool),
    ("CpuRealtimePeriod", LONG),
    ("CpuQuota", LONG),
    ("CpuPeriod", LONG),
    ("BlkioDeviceWriteIOps", Shape::List(THROTTLE)),
    ("BlkioDeviceReadIOps", Shape::List(THROTTLE)),
    ("BlkioDeviceWriteBps", Shape::List(THROTTLE)),
    ("BlkioDeviceReadBps", Shape::List(THROTTLE)),
    ("BlkioWeightDevice", Shape::List(WEIGHT)),
    ("BlkioWeight", USHORT),
    ("CgroupParent", Shape::Text),
    ("NanoCpus", LONG),
    ("Memory", LONG),
    ("CpuShares", LONG),
    ("CpuRealtimeRuntime", LONG),
    ("CpusetCpus", Shape::Text),
    ("CpusetMems", Shape::Text),
    ("Devices", Shape::List(DEVICE)),
    ("DiskQuota", LONG),
    ("KernelMemory", LONG),
    ("MemoryReservation", LONG),
    ("MemorySwap", LONG),
    ("MemorySwappiness", Shape::OptInt),
    ("OomKillDisable", Shape::OptBool),
    ("PidsLimit", Shape::OptInt),
    ("Ulimits", Shape::List(ULIMIT)),
    ("CpuCount", LONG),
    ("CpuPercent", LONG),
    ("IOMaximumIOps", ULONG),
    ("IOMaximumBandwidth", ULONG),
    ("Isolation", Shape::Text),
    ("ConsoleSize", Shape::TextList),
    ("Runtime", Shape::Text),
    ("Sysctls", Shape::TextMap),
    ("ContainerIDFile", Shape::Text),
    ("RestartPolicy", Shape::Object(RESTART_POLICY)),
    ("AutoRemove", Shape::Bool),
    ("VolumeDriver", Shape::Text),
    ("VolumesFrom", Shape::TextList),
    ("CapAdd", Shape::TextList),
    ("CapDrop", Shape::TextList),
    ("Dns", Shape::TextList),
    ("DnsOptions", Shape::TextList),
    ("DnsSearch", Shape::TextList),
    ("Init", Shape::OptBool),
    ("ExtraHosts", Shape::TextList),
    ("Cgroup", Shape::Text),
    ("Links", Shape::TextList),
    ("OomScoreAdj", LONG),
    ("PidMode", Shape::Text),
    ("PublishAllPorts", Shape::Bool),
    ("ReadonlyRootfs", Shape::Bool),
    ("SecurityOpt", Shape::TextList),
    ("StorageOpt", Shape::TextMap),
    ("Tmpfs", Shape::TextMap),
    ("UTSMode", Shape::Text),
    ("UsernsMode", Shape::Text),
    ("ShmSize", LONG),
    ("GroupAdd", Shape::TextList),
    ("InitPath", Shape::Text),
];

/// The agent's `CreateContainerParameters`: the top-level keys it types (every other key is kept
/// as raw JSON and read later, if at all).
pub const CONTAINER: &[(&str, Shape)] = &[
    ("Env", Shape::TextList),
    ("ExposedPorts", Shape::StructMap),
    ("HostConfig", Shape::Object(HOST_CONFIG)),
    ("Image", Shape::Text),
    ("Labels", Shape::TextMap),
    ("NetworkingConfig", Shape::Object(NETWORKING)),
];

/// The shape of property `key` of a model, matched ignoring case.
pub fn shape_of(model: &[(&'static str, Shape)], key: &str) -> Option<Shape> {
    model.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, s)| *s)
}

/// Why Newtonsoft cannot read `value` as `shape`: the path below it (JSON pointer tokens) and the
/// reason; `None` when it can.
pub fn misfit(shape: Shape, value: &Value) -> Option<(Vec<String>, String)> {
    let null_ok = !matches!(shape, Shape::Bool | Shape::Int { .. });
    if value.is_null() {
        return (!null_ok).then(|| (Vec::new(), "null where a value is required".to_owned()));
    }
    let at = |i: String, (mut path, why): (Vec<String>, String)| {
        path.insert(0, i);
        (path, why)
    };
    match shape {
        Shape::Text => {
            primitive_text(value).is_none().then(|| (Vec::new(), format!("{} where text is expected", kind(value))))
        }
        Shape::Bool | Shape::OptBool => {
            let ok = match value {
                Value::Bool(_) | Value::Number(_) => true,
                Value::String(s) => matches!(s.trim().to_ascii_lowercase().as_str(), "true" | "false"),
                _ => false,
            };
            (!ok).then(|| (Vec::new(), format!("{} where true or false is expected", describe(value))))
        }
        Shape::Int { min, max } => {
            let n = Lenient(value).int().ok();
            match n {
                Some(n) if n < min || n > max => Some((Vec::new(), format!("{n} is out of range"))),
                Some(_) => None,
                None => Some((Vec::new(), format!("{} where a whole number is expected", describe(value)))),
            }
        }
        Shape::OptInt => misfit(LONG, value),
        Shape::TextList => match value {
            Value::Array(a) => a.iter().enumerate().find_map(|(i, e)| {
                (!e.is_null() && primitive_text(e).is_none())
                    .then(|| (vec![i.to_string()], format!("{} where text is expected", kind(e))))
            }),
            other => Some((Vec::new(), format!("{} where a list is expected", describe(other)))),
        },
        Shape::TextMap => match value {
            Value::Object(o) => o.iter().find_map(|(k, e)| {
                (!e.is_null() && primitive_text(e).is_none())
                    .then(|| (vec![k.clone()], format!("{} where text is expected", kind(e))))
            }),
            other => Some((Vec::new(), format!("{} where an object is expected", describe(other)))),
        },
        Shape::Object(model) => match value {
            Value::Object(o) => object_misfit(model, o),
            other => Some((Vec::new(), format!("{} where an object is expected", describe(other)))),
        },
        Shape::List(model) => match value {
            Value::Array(a) => {
                a.iter().enumerate().find_map(|(i, e)| misfit(Shape::Object(model), e).map(|m| at(i.to_string(), m)))
            }
            other => Some((Vec::new(), format!("{} where a list is expected", describe(other)))),
        },
        Shape::Map(model) => match value {
            Value::Object(o) => o.iter().find_map(|(k, e)| misfit(Shape::Object(model), e).map(|m| at(k.clone(), m))),
            other => Some((Vec::new(), format!("{} where an object is expected", describe(other)))),
        },
        Shape::MapOfLists(model) => match value {
            Value::Object(o) => o.iter().find_map(|(k, e)| misfit(Shape::List(model), e).map(|m| at(k.clone(), m))),
            other => Some((Vec::new(), format!("{} where an object is expected", describe(other)))),
        },
        Shape::StructMap => match value {
            Value::Object(o) => o.iter().find_map(|(k, e)| {
                (!e.is_object())
                    .then(|| (vec![k.clone()], format!("{} where an object (`{{}}`) is expected", describe(e))))
            }),
            other => Some((Vec::new(), format!("{} where an object is expected", describe(other)))),
        },
    }
}

/// The first property of `map` the model types that Newtonsoft cannot read.
pub fn object_misfit(model: &[(&'static str, Shape)], map: &Map<String, Value>) -> Option<(Vec<String>, String)> {
    map.iter().find_map(|(k, v)| {
        let shape = shape_of(model, k)?;
        misfit(shape, v).map(|(mut path, why)| {
            path.insert(0, k.clone());
            (path, why)
        })
    })
}

/// A value for messages: its type, and text as written.
fn describe(v: &Value) -> String {
    match v {
        Value::String(s) => format!("\"{s}\""),
        other => kind(other).to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::{PodSecurityContext, Volume, VolumeMount};
    use serde_json::json;

    #[test]
    fn property_names_match_ignoring_case_and_primitives_convert() {
        let m: VolumeMount =
            from_value(&json!({"NAME": "cfg", "mountpath": "/etc/x", "readOnly": "true", "unknown": 1})).unwrap();
        assert_eq!((m.name.as_str(), m.mount_path.as_str(), m.read_only), ("cfg", "/etc/x", Some(true)));
        let v: Volume =
            from_value(&json!({"name": "a", "configMap": {"defaultMode": "420", "name": "c", "optional": "True"}}))
                .unwrap();
        let cm = v.config_map.unwrap();
        assert_eq!((cm.default_mode, cm.optional), (Some(420), Some(true)));
        let s: PodSecurityContext = from_value(&json!({"runAsUser": 1000, "RunAsUser": 0})).unwrap();
        assert_eq!(s.run_as_user, Some(0), "the later spelling wins");
    }

    #[test]
    fn wrong_types_are_refused() {
        assert!(from_value::<VolumeMount>(&json!(["x"])).is_err());
        let e = from_value::<PodSecurityContext>(&json!({"runAsUser": "root"})).unwrap_err();
        assert!(e.0.contains("runAsUser"), "{e}");
    }

    #[test]
    fn docker_model_shapes() {
        assert!(misfit(Shape::TextList, &json!("a:b")).is_some());
        assert!(misfit(Shape::TextList, &json!(["a", 1, null])).is_none());
        assert!(misfit(LONG, &json!("256m")).is_some());
        assert!(misfit(LONG, &json!("256")).is_none());
        assert!(misfit(LONG, &json!(null)).is_some());
        assert!(misfit(Shape::Bool, &json!("yes")).is_some());
        let (path, _) =
            misfit(Shape::Object(HOST_CONFIG), &json!({"mounts": [{"Type": "volume", "readonly": "no"}]})).unwrap();
        assert_eq!(path, ["mounts", "0", "readonly"]);
        assert!(misfit(Shape::StructMap, &json!({"80/tcp": {}})).is_none());
        assert!(misfit(Shape::StructMap, &json!({"80/tcp": "x"})).is_some());
    }
}
