//! OTH012 (TRAPS NEW-7): routes that receive the events of an Azure Stack Edge trigger.

use super::listed;
use crate::manifest::placeholder::contains_placeholder;
use crate::manifest::{Location, Pointer};
use crate::rules::{Check, Context, Finding, FixAvailability, K8S, Rule, RuleDoc, Section, Severity};

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "OTH012",
        section: Section::Other,
        severity: Severity::Warning,
        fix: FixAvailability::Never,
        targets: K8S,
        title: "Route fed by an Azure Stack Edge trigger that the GPU device does not have yet",
        detects: "A route of `$edgeHub` whose condition tests the message property `topic` against a text (`FROM /* WHERE topic = 'uploads' INTO BrokeredEndpoint(…)`): the routes an Azure Stack Edge file or scheduled trigger feeds. Every topic of the deployment is listed in the report's \"Before you deploy\" checklist. (TRAPS.md NEW-7.)",
        why: "Triggers are settings of the Azure Stack Edge resource, not of the deployment: a file trigger raises an event with its topic whenever a file is written to its input share, a scheduled trigger on its schedule, and the route sends the event to a module (FPGA advanced compute tutorial `azure-stack-edge-deploy-configure-compute-advanced.md`; GPU `azure-stack-edge-gpu-manage-compute.md`, \"Manage triggers\", whose sample route is `FROM /* WHERE topic = 'topicname' INTO BrokeredEndpoint(…)`). The GPU device is a new resource with no triggers (removing its IoT Edge service removes them too), so until each trigger and its input share are created again the route receives nothing and the module waits for files that never come.",
        before: r#"{"routes": {"fileEvents": "FROM /* WHERE topic = 'uploads' INTO BrokeredEndpoint(\"/modules/mover/inputs/input1\")"}}"#,
        after: "the same route; on the GPU device, a trigger publishing topic `uploads` on the same input share",
        fix_safety: "Nothing to change in the manifest: re-create each trigger under IoT Edge > Triggers on the GPU device's resource, with the same topic (for a file trigger, on the same share, mounted for Edge compute; for a scheduled one, the same schedule). That the new device has none is inferred: the migration guide does not list triggers among the settings to record.",
    },
    check: Check::Manifest(check),
};

fn check(ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    // Each topic is one step of the checklist, given with the first route that needs it.
    let mut asked: Vec<String> = Vec::new();
    for route in ctx.manifest.routes() {
        let mut topics: Vec<String> = Vec::new();
        for t in self::topics(&route.text) {
            if !topics.contains(&t) {
                topics.push(t);
            }
        }
        if topics.is_empty() {
            continue;
        }
        let quoted = |list: &[String]| listed(&list.iter().map(|t| format!("`{t}`")).collect::<Vec<_>>());
        let name = route_name(&route.at);
        let filled = if topics.iter().any(|t| contains_placeholder(t)) {
            " (a placeholder, filled in at deploy time: create the trigger with the name it becomes)"
        } else {
            ""
        };
        let (triggers, them, topic) =
            if topics.len() == 1 { ("trigger", "it", "topic") } else { ("triggers", "them", "topics") };
        let message = format!(
            "route `{name}` receives the events of the Azure Stack Edge {triggers} with {topic} {}{filled}: the GPU device has no triggers until you create {them} again, and until then the route receives nothing",
            quoted(&topics)
        );
        let finding = Finding::new(&RULE, None, Location::Document(route.at.clone()), message);
        let new: Vec<String> = topics.iter().filter(|t| !asked.contains(t)).cloned().collect();
        if new.is_empty() {
            out.push(finding);
            continue;
        }
        asked.extend(new.iter().cloned());
        let (triggers, their) = if new.len() == 1 { ("trigger", "its") } else { ("triggers", "their") };
        let action = format!(
            "Re-create {triggers} {} (and {their} input share) on the GPU resource under IoT Edge > Triggers",
            quoted(&new)
        );
        let detail = format!(
            "Route `{name}` selects `{}`. Triggers are settings of the Azure Stack Edge resource (azure-stack-edge-gpu-manage-compute.md, \"Manage triggers\"), and the GPU device is a new resource that starts with none. A file trigger needs its input share (an Edge share or Edge local share mounted for compute) first; a scheduled trigger needs the same start time, interval and topic.",
            route.text.trim()
        );
        out.push(finding.step(action, detail, true));
    }
    out
}

/// A route's name: its key (`routes/<name>`, `routes/<name>/route`, or a layered deployment's
/// `properties.desired.routes.<name>`).
fn route_name(at: &Pointer) -> String {
    let tokens: Vec<String> = at.tokens().map(|t| t.into_owned()).collect();
    let name = match tokens.as_slice() {
        [.., parent, name, last] if last == "route" && parent == "routes" => name.as_str(),
        [.., last] => last.as_str(),
        [] => "",
    };
    name.strip_prefix("properties.desired.routes.").unwrap_or(name).to_owned()
}

/// The texts a route's condition compares the message property `topic` with (`topic = 'x'`, with
/// either quote, any spacing), in order; empty when the route has no `WHERE` or tests no topic.
/// `$body.topic`, `mytopic` and `topic <> 'x'` are other things.
fn topics(route: &str) -> Vec<String> {
    let upper = route.to_ascii_uppercase();
    let Some(start) = find_word(&upper, "WHERE") else { return Vec::new() };
    let cond = &route[start + "WHERE".len()..];
    let end = find_word(&cond.to_ascii_uppercase(), "INTO").unwrap_or(cond.len());
    let cond = &cond[..end];
    let bytes = cond.as_bytes();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = cond[from..].find("topic").map(|i| i + from) {
        from = i + "topic".len();
        let before = i.checked_sub(1).map(|j| bytes[j]);
        if before.is_some_and(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'$')) {
            continue;
        }
        let rest = cond[from..].trim_start();
        let Some(rest) = rest.strip_prefix('=') else { continue };
        let rest = rest.trim_start();
        let Some(quote) = rest.chars().next().filter(|c| matches!(c, '\'' | '"')) else { continue };
        if let Some(close) = rest[1..].find(quote) {
            out.push(rest[1..1 + close].to_owned());
        }
    }
    out
}

/// Where `word` stands as a whole word in `text` (both upper-cased by the caller).
fn find_word(text: &str, word: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    text.match_indices(word).map(|(i, _)| i).find(|&i| {
        let before = i.checked_sub(1).map(|j| bytes[j]);
        let after = bytes.get(i + word.len());
        !before.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_')
            && !after.is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
    })
}

#[cfg(test)]
mod tests {
    use super::topics;

    #[test]
    fn topics_of_a_route() {
        let t = |r: &str| topics(r);
        assert_eq!(
            t("FROM /* WHERE topic = 'mydbesmbedgelocalshare1' INTO BrokeredEndpoint(\"/modules/m/inputs/i\")"),
            ["mydbesmbedgelocalshare1"]
        );
        assert_eq!(t("FROM /* where topic='a' OR topic = \"b\" into $upstream"), ["a", "b"]);
        assert!(t("FROM /messages/* WHERE $body.topic = 'x' INTO $upstream").is_empty());
        assert!(t("FROM /messages/* WHERE mytopic = 'x' INTO $upstream").is_empty());
        assert!(t("FROM /messages/* WHERE topic <> 'x' INTO $upstream").is_empty());
        assert!(t("FROM /messages/modules/topic/* INTO $upstream").is_empty(), "a module named topic");
        assert!(t("FROM /* INTO BrokeredEndpoint(\"/modules/topic/inputs/x\")").is_empty());
    }
}
