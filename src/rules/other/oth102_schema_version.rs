//! OTH102 (VM): the `schemaVersion` of `$edgeAgent` and `$edgeHub` for IoT Edge 1.5/1.6: "1.1".

use crate::manifest::placeholder::contains_placeholder;
use crate::manifest::{Location, Pointer};
use crate::rules::{Check, Context, Edit, Finding, FixAvailability, Rule, RuleDoc, Section, Severity, Suggestion, VM};
use serde_json::Value;

/// What the migration writes for both: the newest schema edgeAgent accepts.
const WRITTEN: &str = "1.1";

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "OTH102",
        section: Section::Other,
        severity: Severity::Info,
        fix: FixAvailability::Sometimes,
        targets: VM,
        title: "$edgeAgent and $edgeHub schemaVersion for IoT Edge 1.5/1.6: 1.1",
        detects: "`$edgeAgent` `properties.desired.schemaVersion` other than 1.1 (missing, `1.0`, above 1.1, or not a version), and `$edgeHub`'s other than 1.1 except 1.2 and 1.3, which edgeHub 1.5/1.6 reads as they are. A version written as a number is read as its text (`1.1` is fine). Above what the module accepts, or not a version, is an error; older is info. A placeholder is reported as filled in at deploy time and never replaced. Layered deployments, which carry no schema version, are left out.",
        why: "edgeAgent 1.5/1.6 accepts desired properties up to schema 1.1 and rejects a newer one with 412, so the device applies no deployment (`ExpectedSchemaVersion = 1.1.0` in EdgeAgentConnection.cs at 1.5.44 and 1.6.1). 1.1 is the recommended schema since IoT Edge 1.0.10, and `startupOrder` needs it (module-edgeagent-edgehub); for `$edgeHub` it allows route priority and time-to-live, and plain string routes stay valid (RouteSpecConverter). edgeHub parses schemas 1.0 to 1.3 (EdgeHubConfigParser.cs).",
        before: r#"{"$edgeAgent": {"properties.desired": {"schemaVersion": "1.0"}}, "$edgeHub": {"properties.desired": {"schemaVersion": "1.0"}}}"#,
        after: r#"{"$edgeAgent": {"properties.desired": {"schemaVersion": "1.1"}}, "$edgeHub": {"properties.desired": {"schemaVersion": "1.1"}}}"#,
        fix_safety: "Safe: schema 1.1 reads every 1.0 manifest the same way (it only adds `startupOrder` and route priorities, which a 1.0 manifest does not use), and it is the only schema edgeAgent 1.5/1.6 accepts above 1.0. A placeholder is never replaced: make sure the pipeline fills in 1.1.",
    },
    check: Check::Manifest(check),
};

/// A system module whose desired properties carry a schema version.
struct Runtime {
    name: &'static str,
    /// The newest schema it reads.
    newest: (u64, u64),
    /// What schema 1.1 gives it.
    gains: &'static str,
}

const AGENT: Runtime = Runtime { name: "$edgeAgent", newest: (1, 1), gains: "module `startupOrder`" };
const HUB: Runtime = Runtime { name: "$edgeHub", newest: (1, 3), gains: "route priority and time-to-live" };

fn check(ctx: &Context) -> Vec<Finding> {
    let m = ctx.manifest;
    [(AGENT, m.edge_agent_at()), (HUB, m.edge_hub_at())]
        .into_iter()
        .filter_map(|(r, at)| {
            let desired_at = at.child("properties.desired");
            let desired = m.get(&desired_at)?.as_object()?;
            finding(&r, desired_at.child("schemaVersion"), desired.get("schemaVersion"))
        })
        .collect()
}

fn finding(r: &Runtime, at: Pointer, version: Option<&Value>) -> Option<Finding> {
    let name = r.name;
    let location = Location::Document(at);
    let set = || {
        Suggestion::new(
            format!("set {name} schemaVersion to \"{WRITTEN}\""),
            vec![Edit::Set { at: location.clone(), value: WRITTEN.into() }],
        )
    };
    let finding = |message: String| Finding::new(&RULE, None, location.clone(), message);
    let text = match version {
        None | Some(Value::Null) => {
            return Some(
                finding(format!("{name} has no schemaVersion: write \"{WRITTEN}\", the schema IoT Edge 1.5/1.6 reads"))
                    .suggest(set()),
            );
        }
        Some(Value::String(s)) if contains_placeholder(s) => {
            return Some(finding(format!(
                "{name} schemaVersion is the placeholder `{s}`, filled in at deploy time: it must become \"{WRITTEN}\""
            )));
        }
        Some(Value::String(s)) => s.trim().to_owned(),
        Some(Value::Number(n)) => n.to_string(),
        Some(other) => {
            return Some(
                finding(format!("{name} schemaVersion is {}, not a version", crate::manifest::json_kind(other)))
                    .severity(Severity::Error)
                    .suggest(set()),
            );
        }
    };
    let Some(version) = parse(&text) else {
        return Some(
            finding(format!("{name} schemaVersion `{text}` is not a version: {name} cannot read the deployment"))
                .severity(Severity::Error)
                .suggest(set()),
        );
    };
    if version == (1, 1) || (version > (1, 1) && version <= r.newest) {
        return None;
    }
    if version > r.newest {
        let (major, minor) = r.newest;
        return Some(
            finding(format!(
                "{name} schemaVersion `{text}` is above {major}.{minor}, the newest IoT Edge 1.5/1.6 reads: the deployment is rejected"
            ))
            .severity(Severity::Error)
            .suggest(set()),
        );
    }
    Some(
        finding(format!(
            "{name} schemaVersion `{text}`: IoT Edge 1.5/1.6 recommends \"{WRITTEN}\", which {name} needs for {}",
            r.gains
        ))
        .suggest(set()),
    )
}

/// `major.minor` of a version like `1.0`, `1.1.0`; `None` when it is not one.
fn parse(text: &str) -> Option<(u64, u64)> {
    let mut parts = text.split('.');
    let major = parts.next()?.trim().parse().ok()?;
    let minor = parts.next().map_or(Some(0), |m| m.trim().parse().ok())?;
    if parts.any(|p| p.trim().parse::<u64>().is_err()) {
        return None;
    }
    Some((major, minor))
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn versions() {
        assert_eq!(parse("1.1"), Some((1, 1)));
        assert_eq!(parse("1.1.0"), Some((1, 1)));
        assert_eq!(parse("2"), Some((2, 0)));
        assert_eq!(parse("1.x"), None);
        assert_eq!(parse("1.1.x"), None);
        assert_eq!(parse(""), None);
    }
}
