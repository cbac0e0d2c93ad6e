//! MAN003: createOptions given as an object (deployment.template.json) stays an object.

use crate::manifest::{CreateOptionsForm, Location, Module};
use crate::rules::{BOTH, Check, Context, Finding, FixAvailability, Rule, RuleDoc, Section, Severity};

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "MAN003",
        section: Section::Other,
        severity: Severity::Info,
        fix: FixAvailability::Never,
        targets: BOTH,
        title: "createOptions given as an object stays an object",
        detects: "createOptions written as a JSON object, as in deployment.template.json: reported once for the deployment, naming the modules.",
        why: "Templates are turned into strings by the IoT Edge tooling at build time; keeping the object keeps the template readable and reviewable. Run fpga2gpu on the template and commit it, then build the deployment from it as before.",
        before: r#"{"createOptions": {"HostConfig": {"Binds": ["/home/hcsshares/s:/d"]}}}"#,
        after: r#"{"createOptions": {"HostConfig": {"Mounts": [{"Type": "volume", "Source": "s", "Target": "/d"}]}}}"#,
        fix_safety: "Nothing to decide: export keeps each module's form (object or string).",
    },
    check: Check::Manifest(check),
};

fn check(ctx: &Context) -> Vec<Finding> {
    let objects: Vec<&Module> =
        ctx.manifest.modules.iter().filter(|m| m.create_options.form == CreateOptionsForm::Object).collect();
    let Some(first) = objects.first() else { return Vec::new() };
    let names: Vec<String> = objects.iter().map(|m| format!("`{}`", m.name)).collect();
    let (modules, verb) = if objects.len() == 1 { ("module", "gives") } else { ("modules", "give") };
    vec![Finding::new(
        &RULE,
        None,
        Location::Document(Location::create_options_of(&first.at)),
        format!(
            "{} {modules} ({}) {verb} createOptions as a JSON object, as a deployment template does: export keeps {}",
            objects.len(),
            names.join(", "),
            if objects.len() == 1 { "it an object" } else { "them objects" }
        ),
    )]
}
