//! OTH103 (VM): module restart policies IoT Edge 1.5/1.6 does not implement.

use crate::manifest::model::{Field, is_unset};
use crate::manifest::{Module, Pointer};
use crate::rules::{Check, Context, Edit, Finding, FixAvailability, Rule, RuleDoc, Section, Severity, Suggestion, VM};
use serde_json::{Value, json};

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "OTH103",
        section: Section::Other,
        severity: Severity::Warning,
        fix: FixAvailability::Sometimes,
        targets: VM,
        title: "restartPolicy on-failure or on-unhealthy is not implemented: always, with a Healthcheck",
        detects: "A module's `restartPolicy` `on-failure` or `on-unhealthy` (compared trimmed, ignoring case), or a value that is not a restart policy at all; a placeholder is reported as filled in at deploy time (info), never replaced.",
        why: "IoT Edge implements only `never` and `always`: `on-failure` and `on-unhealthy` \"are unimplemented and won't initiate a restart\" (iot-edge-limits-and-restrictions), so a module that fails stays down. `always` restarts it. For `on-unhealthy`, the maintainers' workaround is a Docker `Healthcheck` in createOptions whose test ends the module when the check fails, so that `always` restarts it (Azure/iotedge#6358).",
        before: r#"{"restartPolicy": "on-unhealthy", "settings": {"createOptions": "{}"}}"#,
        after: r#"{"restartPolicy": "always", "settings": {"createOptions": "{\"Healthcheck\":{\"Test\":[\"CMD-SHELL\",\"curl -f http://localhost:8080/health || kill 1\"]}}"}}"#,
        fix_safety: "Review: `always` also restarts a module that exits cleanly, which `on-failure` did not; type `never` if a clean exit must stay final. For `on-unhealthy` without a `Healthcheck` in createOptions, only you know the module's health check: type its command (it runs in the container's shell; end it with `|| kill 1` so that a failed check stops the module), and `--accept all` leaves the finding open until you do. Docker's defaults apply to the check's interval (30 s), timeout (30 s) and retries (3). A module whose image has its own HEALTHCHECK needs only `always` and a test that stops it.",
    },
    check: Check::Module(check),
};

/// The policies IoT Edge 1.5/1.6 knows, and whether it implements them.
const POLICIES: [(&str, bool); 4] = [("always", true), ("never", true), ("on-failure", false), ("on-unhealthy", false)];

fn check(_ctx: &Context, module: &Module) -> Vec<Finding> {
    let mut out: Vec<Finding> = healthcheck(module).into_iter().filter_map(|h| empty_test(module, h)).collect();
    out.extend(policy(module));
    out
}

fn policy(module: &Module) -> Vec<Finding> {
    let Some(policy) = &module.settings.restart_policy else { return Vec::new() };
    let at = module.document_at(["restartPolicy"]);
    let shown = policy.shown();
    if let Some(p) = policy.placeholder() {
        return vec![
            Finding::new(
                &RULE,
                Some(module),
                at,
                format!("restartPolicy is the placeholder `{p}`, filled in at deploy time: IoT Edge 1.5/1.6 implements only `always` and `never`"),
            )
            .severity(Severity::Info),
        ];
    }
    let text = policy.text().map(|t| t.trim().to_ascii_lowercase());
    let known = POLICIES.iter().find(|(name, _)| Some(*name) == text.as_deref());
    let always = || Edit::Set { at: at.clone(), value: json!("always") };
    let finding = |message: String| Finding::new(&RULE, Some(module), at.clone(), message);
    match known {
        Some((_, true)) => Vec::new(),
        // A Healthcheck is written only where createOptions can be read and has none.
        Some(("on-unhealthy", _)) if module.container().is_some() && healthcheck(module).is_none() => {
            let check = json!({"Test": ["CMD-SHELL", ""]});
            let edits = vec![always(), Edit::Set { at: module.create_options_at(Pointer::root().child("Healthcheck")), value: check }];
            vec![
                finding(format!(
                    "restartPolicy `{shown}` is not implemented by IoT Edge 1.5/1.6: an unhealthy module is never restarted; use `always` and a `Healthcheck` that stops the module when it fails"
                ))
                .suggest(
                    Suggestion::new("set restartPolicy to `always` and add a Healthcheck", edits).with_input(
                        "health check command (end it with `|| kill 1`)",
                        1,
                        "/Test/1",
                        None,
                    ),
                ),
            ]
        }
        Some((name, _)) => {
            let effect = if *name == "on-failure" {
                "a module that fails is not restarted"
            } else {
                "an unhealthy module is not restarted (its Healthcheck must stop it for `always` to restart it)"
            };
            vec![finding(format!("restartPolicy `{shown}` is not implemented by IoT Edge 1.5/1.6: {effect}")).suggest(
                Suggestion::new("set restartPolicy to `always`", vec![always()])
                    .with_input("restart policy", 0, "", Some(json!("always"))),
            )]
        }
        None => vec![
            finding(format!(
                "restartPolicy `{shown}` is not a restart policy IoT Edge knows (`always`, `never`, `on-failure`, `on-unhealthy`)"
            ))
            .suggest(
                Suggestion::new("set restartPolicy to `always`", vec![always()]).with_input(
                    "restart policy",
                    0,
                    "",
                    Some(json!("always")),
                ),
            ),
        ],
    }
}

/// createOptions' `Healthcheck` (in any spelling), when it is set.
fn healthcheck(module: &Module) -> Option<&Field> {
    let h = module.container()?.other.iter().find(|o| o.docker == Some("Healthcheck"))?;
    (!is_unset(&h.field.value)).then_some(&h.field)
}

/// A `Healthcheck` whose `CMD`/`CMD-SHELL` test runs nothing: it reports the module healthy
/// whatever happens (this is also what refuses an empty typed health check command).
fn empty_test(module: &Module, h: &Field) -> Option<Finding> {
    let (test, at) = crate::manifest::model::lookup(&h.value, &h.at, &["Test"])?;
    let items = test.as_array()?;
    let kind = items.first()?.as_str()?.trim().to_ascii_uppercase();
    if !matches!(kind.as_str(), "CMD" | "CMD-SHELL") {
        return None;
    }
    let command = items[1..].iter().filter_map(Value::as_str).map(str::trim).collect::<Vec<_>>().join(" ");
    if !command.is_empty() {
        return None;
    }
    Some(Finding::new(
        &RULE,
        Some(module),
        module.create_options_at(at),
        format!("`{}.Test` is `{kind}` with no command: the check passes whatever the module does", h.key),
    ))
}
