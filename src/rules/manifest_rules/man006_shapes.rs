//! MAN006: every manifest shape is read and written back in the same shape; what the loader
//! noticed about the file (a byte order mark, duplicate keys) is reported at its place.

use crate::manifest::{Location, Shape};
use crate::rules::{BOTH, Check, Context, Finding, FixAvailability, Rule, RuleDoc, Section, Severity};

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "MAN006",
        section: Section::Other,
        severity: Severity::Info,
        fix: FixAvailability::Never,
        targets: BOTH,
        title: "Every manifest shape is read and written back in the same shape",
        detects: "The shape of the file: the 2018 `moduleContent` key, `{\"content\": {\"modulesContent\": …}}`, a bare modulesContent object, layered deployments (`properties.desired.modules.<name>` keys), a manifest without modules; and what the loader noticed: a UTF-8 byte order mark, a key given twice in one object (in the file or in a createOptions string).",
        why: "Deployment files come from VS Code templates, the az CLI, the portal and scripts; each consumer expects its own shape back. JSON keeps only the last value of a duplicate key, so the earlier ones are not in the migrated manifest (nor were they in what IoT Hub deployed).",
        before: r#"{"content": {"modulesContent": {"$edgeAgent": {"properties.desired.modules.m": {}}}}}"#,
        after: r#"{"content": {"modulesContent": {"$edgeAgent": {"properties.desired.modules.m": {}}}}}"#,
        fix_safety: "Nothing to decide: the export keeps the shape. A byte order mark is not written back (most JSON readers, IoT Hub's included, refuse it); of a duplicate key only the last value is written.",
    },
    check: Check::Manifest(check),
};

fn check(ctx: &Context) -> Vec<Finding> {
    let m = ctx.manifest;
    let mut found: Vec<(Location, String, Severity)> =
        m.notices.iter().map(|n| (n.at.clone(), n.message.clone(), Severity::Info)).collect();
    let shape = match m.shape {
        Shape::ModuleContent => {
            Some("uses the 2018 key `moduleContent`; kept as is (current tooling writes `modulesContent`)")
        }
        Shape::Content => Some("is wrapped in `content` (az CLI deployment format); kept as is"),
        Shape::Bare => Some("is a bare modulesContent object ($edgeAgent, $edgeHub at the top); kept as is"),
        Shape::ModulesContent => None,
    };
    // Where each shape shows: the key that wraps modulesContent, or (bare) `$edgeAgent` at the top,
    // so that the byte order mark keeps the document root to itself.
    let shape_at = if m.shape == Shape::Bare { m.edge_agent_at() } else { m.root.clone() };
    if let Some(s) = shape {
        found.push((Location::Document(shape_at), format!("the manifest {s}"), Severity::Info));
    }
    if let Some(first) = m.layered.then(|| m.modules.iter().find(|x| !x.at.starts_with(&desired(m)))).flatten() {
        found.push((
            Location::Document(first.at.clone()),
            "layered deployment: modules are `properties.desired.modules.<name>` keys; kept as is".to_owned(),
            Severity::Info,
        ));
    }
    if m.modules.is_empty() {
        found.push((
            Location::Document(desired(m).child("modules")),
            "the manifest declares no modules".to_owned(),
            Severity::Warning,
        ));
    }
    // Two notices about one place (a duplicated wrapper key, say) make one finding.
    let mut out: Vec<Finding> = Vec::with_capacity(found.len());
    for (at, message, severity) in found {
        match out.iter_mut().find(|f| f.location == at) {
            Some(f) => {
                f.message = format!("{}; {message}", f.message);
                f.severity = f.severity.min(severity);
            }
            None => out.push(Finding::new(&RULE, None, at, message).severity(severity)),
        }
    }
    out
}

/// `$edgeAgent.properties.desired`, where nested (not layered) modules are.
fn desired(m: &crate::manifest::Manifest) -> crate::manifest::Pointer {
    m.edge_agent_at().child("properties.desired")
}
