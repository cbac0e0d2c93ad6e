//! OTH008: an `$edgeAgent` schema version the Kubernetes agents do not accept.

use crate::manifest::placeholder::contains_placeholder;
use crate::rules::{Check, Context, Edit, Finding, FixAvailability, K8S, Rule, RuleDoc, Section, Severity, Suggestion};
use serde_json::Value;

/// What the migration writes: the schema every Kubernetes agent reads.
const WRITTEN: &str = "1.0";

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "OTH008",
        section: Section::Other,
        severity: Severity::Error,
        fix: FixAvailability::Sometimes,
        targets: K8S,
        title: "$edgeAgent schemaVersion above 1.1",
        detects: "`$edgeAgent` `properties.desired.schemaVersion` above 1.1 (`1.2`, `1.3`…), written as a string or a number. A placeholder (`${EDGEAGENT_SCHEMA_VERSION}`) is reported as filled in at deploy time (info) and never replaced.",
        why: "The Kubernetes edge agents accept desired-properties schemas up to 1.1 and reject a newer one, so the device applies no deployment at all. The settings a 1.2+ schema adds are not used on Kubernetes; fpga2gpu writes 1.0.",
        before: r#"{"$edgeAgent": {"properties.desired": {"schemaVersion": "1.2"}}}"#,
        after: r#"{"$edgeAgent": {"properties.desired": {"schemaVersion": "1.0"}}}"#,
        fix_safety: "Safe for the Kubernetes agent. If the manifest relies on newer agent features (`startupOrder` needs 1.1), set 1.1 instead when accepting.",
    },
    check: Check::Manifest(check),
};

fn check(ctx: &Context) -> Vec<Finding> {
    let Some(version) = ctx.manifest.agent_desired().and_then(|d| d.get("schemaVersion")) else { return Vec::new() };
    let path = crate::manifest::Location::Document(
        ctx.manifest.edge_agent_at().child("properties.desired").child("schemaVersion"),
    );
    let text = match version {
        Value::String(s) if contains_placeholder(s) => {
            return vec![
                Finding::new(
                    &RULE,
                    None,
                    path,
                    format!("`$edgeAgent` schemaVersion is the placeholder `{s}`, filled in at deploy time: it must become `1.0` or `1.1`, the newest the Kubernetes agents accept"),
                )
                .severity(Severity::Info),
            ];
        }
        Value::String(s) => s.trim().to_owned(),
        Value::Number(n) => n.to_string(),
        _ => return Vec::new(),
    };
    let Some((major, minor)) = parse(&text) else { return Vec::new() };
    if (major, minor) <= (1, 1) {
        return Vec::new();
    }
    vec![
        Finding::new(
            &RULE,
            None,
            path.clone(),
            format!("`$edgeAgent` schemaVersion `{text}` is above 1.1, the newest the Kubernetes agents accept"),
        )
        .suggest(Suggestion::new(
            format!("set schemaVersion to \"{WRITTEN}\""),
            vec![Edit::Set { at: path, value: WRITTEN.into() }],
        )),
    ]
}

/// `major.minor` of a version like `1.2` or `1.2.0`; `None` when it is not one.
fn parse(text: &str) -> Option<(u64, u64)> {
    let mut parts = text.split('.');
    let major = parts.next()?.trim().parse().ok()?;
    let minor = parts.next().map_or(Some(0), |m| m.trim().parse().ok())?;
    Some((major, minor))
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn versions() {
        assert_eq!(parse("1.2"), Some((1, 2)));
        assert_eq!(parse("2"), Some((2, 0)));
        assert_eq!(parse("1.10.0"), Some((1, 10)));
        assert_eq!(parse("one"), None);
        assert_eq!(parse(""), None);
    }
}
