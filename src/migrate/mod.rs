//! Applying the engineer's decisions: turns accepted suggestions into changes and writes a new
//! document in the same shape as the input. Modules and keys no accepted change touches are
//! copied as they were; changed createOptions keep their form (string, chunked string, object).
//!
//! - [`decisions`]: what the engineer decided, the decisions file and the `--accept` policy;
//! - [`resolve`]: one decision → the edits (and rename) it makes;
//! - [`input`]: what the engineer types (a value, a fragment) → a decision;
//! - `apply`: edits and renames → a new document; [`rename`]: rewriting references to renamed modules.

mod apply;
pub mod decisions;
pub mod input;
pub mod rename;
pub mod resolve;

pub use decisions::{Decision, DecisionEntry, Decisions, DecisionsError, Policy, closest_rule};
pub use rename::Renames;
pub use resolve::{DecisionError, Resolved, decided_fragment, resolve};

use crate::device::DeviceProfile;
use crate::manifest::{self, Manifest};
use crate::rules::{Finding, FindingKey, Severity, analyse};
use serde_json::Value;
use std::collections::HashMap;

/// What became of one finding in a migration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fate {
    /// Its suggestion was applied as proposed.
    Accepted,
    /// Its suggestion was applied with a value or fragment the engineer gave.
    Edited,
    Rejected,
    /// Not decided (or nothing to decide: manual work, advice).
    Open,
    /// Decided, but the change could not be made, with why.
    Failed(String),
}

impl Fate {
    /// The change is in the output.
    pub fn applied(&self) -> bool {
        matches!(self, Fate::Accepted | Fate::Edited)
    }
}

/// The result of a migration.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The migrated document.
    pub doc: Value,
    /// The fate of every finding the migration was given.
    pub fates: HashMap<FindingKey, Fate>,
    /// Things the engineer should know about the result (e.g. more than 8 chunks).
    pub warnings: Vec<String>,
    /// Modules renamed by accepted suggestions: (old name, new name).
    pub renamed: Vec<(String, String)>,
}

impl Outcome {
    /// An outcome that changes nothing (before the first migration).
    pub fn unchanged(manifest: &Manifest) -> Outcome {
        Outcome { doc: manifest.doc.clone(), fates: HashMap::new(), warnings: Vec::new(), renamed: Vec::new() }
    }

    /// The document as text, in the input's style.
    pub fn text(&self, manifest: &Manifest) -> String {
        manifest::encode_document(&self.doc, &manifest.format)
    }

    /// What became of a finding (open when the migration was not given it).
    pub fn fate(&self, key: &FindingKey) -> &Fate {
        self.fates.get(key).unwrap_or(&Fate::Open)
    }

    /// The findings whose changes are in the output.
    pub fn applied(&self) -> impl Iterator<Item = &FindingKey> {
        self.fates.iter().filter(|(_, f)| f.applied()).map(|(k, _)| k)
    }

    /// The findings decided but not applied, with why.
    pub fn failed(&self) -> impl Iterator<Item = (&FindingKey, &str)> {
        self.fates.iter().filter_map(|(k, f)| match f {
            Fate::Failed(why) => Some((k, why.as_str())),
            _ => None,
        })
    }

    /// The migrated manifest, read back as the next run of the tool would read it.
    pub fn reload(&self, manifest: &Manifest) -> Result<Manifest, manifest::LoadError> {
        Manifest::load(self.text(manifest).as_bytes())
    }
}

/// Migrates with a decision function (explicit decisions, a policy, or both). A typed value or an
/// edited fragment is first checked the way the rule it fixes checks ([`check_decision`]); one that
/// does not fix the finding, or breaks the module, is not applied and says why.
pub fn migrate(
    manifest: &Manifest,
    device: &DeviceProfile,
    findings: &[Finding],
    decide: impl Fn(&Finding) -> Option<Decision>,
) -> Outcome {
    migrate_checked(manifest, device, &analyse, findings, decide)
}

/// [`migrate`], checking typed values and fragments with `check` (the whole engine's check).
pub fn migrate_checked(
    manifest: &Manifest,
    device: &DeviceProfile,
    check: Check<'_>,
    findings: &[Finding],
    decide: impl Fn(&Finding) -> Option<Decision>,
) -> Outcome {
    let mut fates = HashMap::with_capacity(findings.len());
    let mut accepted = Vec::new();
    // The whole check of the input, once, for every typed value and fragment to be measured against.
    let before = std::cell::OnceCell::new();
    for f in findings {
        let key = f.key();
        let refused = |d: &Decision| {
            let before = before.get_or_init(|| check(manifest, device));
            check_decision_against(manifest, device, check, before, f, d).err()
        };
        let fate = match decide(f) {
            None => Fate::Open,
            Some(d) => match resolve(f, &d) {
                Ok(Some(_)) if let Some(why) = (d != Decision::Accept).then(|| refused(&d)).flatten() => {
                    Fate::Failed(why)
                }
                Ok(Some(r)) => {
                    accepted.push((key.clone(), r));
                    if d == Decision::Accept { Fate::Accepted } else { Fate::Edited }
                }
                Ok(None) => Fate::Rejected,
                Err(e) => Fate::Failed(e.to_string()),
            },
        };
        fates.insert(key, fate);
    }
    let applied = apply::apply(manifest, accepted);
    for (key, why) in applied.failed {
        fates.insert(key, Fate::Failed(why));
    }
    Outcome { doc: applied.doc, fates, warnings: applied.warnings, renamed: applied.renamed }
}

/// Checks one decision the way the rules check the module: the change is applied alone, the
/// result read back and analysed again. It is refused (with the message of what is wrong) when
/// the rule it fixes still finds a problem at the same place, or when the module gets an error it
/// did not have. This is how a typed module name, memory limit or fragment is validated before
/// the app enables Accept, and how a decisions file's values are validated by the CLI.
pub fn check_decision(
    manifest: &Manifest,
    device: &DeviceProfile,
    check: Check<'_>,
    finding: &Finding,
    decision: &Decision,
) -> Result<(), String> {
    check_decision_against(manifest, device, check, &check(manifest, device), finding, decision)
}

/// [`check_decision`] with the check of the unchanged manifest already made (`before`): the app
/// holds it, and a migration with many typed values makes it once.
pub fn check_decision_against(
    manifest: &Manifest,
    device: &DeviceProfile,
    check: Check<'_>,
    before: &[Finding],
    finding: &Finding,
    decision: &Decision,
) -> Result<(), String> {
    let Some(resolved) = resolve(finding, decision).map_err(|e| e.to_string())? else { return Ok(()) };
    let applied = apply::apply(manifest, vec![(finding.key(), resolved.clone())]);
    if let Some((_, why)) = applied.failed.first() {
        return Err(why.clone());
    }
    if let Some(w) = applied.warnings.first() {
        return Err(w.clone());
    }
    let outcome = Outcome { doc: applied.doc, fates: HashMap::new(), warnings: Vec::new(), renamed: applied.renamed };
    let again = outcome.reload(manifest).map_err(|e| format!("the result does not load: {e}"))?;
    let after = check(&again, device);
    let module = finding
        .module
        .as_deref()
        .map(|m| resolved.rename.as_ref().filter(|r| r.module == m).map_or_else(|| m.to_owned(), |r| r.to.clone()));
    let of_rule = |list: &'_ [Finding], m: &Option<String>| {
        list.iter().filter(|f| f.rule == finding.rule && f.module == *m).count()
    };
    let renamed = module != finding.module;
    // The rule still finds a problem: on a renamed module, any; otherwise as many as before (an
    // array element that moved into the fixed one's place is not this one, so places cannot be
    // compared; counts can).
    let still = if renamed {
        after.iter().find(|f| f.rule == finding.rule && f.module == module)
    } else if of_rule(&after, &module) >= of_rule(before, &finding.module) {
        after
            .iter()
            .filter(|f| f.rule == finding.rule && f.module == module)
            .find(|f| f.location == finding.location)
            .or_else(|| after.iter().find(|f| f.rule == finding.rule && f.module == module))
    } else {
        None
    };
    if let Some(still) = still {
        return Err(format!("{} still finds: {}", still.rule, still.message));
    }
    // Errors per rule on the module, before and after: messages may name the module, so a rename
    // changes them; counts do not.
    let errors = |list: &[Finding], m: &Option<String>| {
        let mut out: HashMap<&'static str, usize> = HashMap::new();
        for f in list.iter().filter(|f| f.severity == Severity::Error && f.module == *m) {
            *out.entry(f.rule).or_default() += 1;
        }
        out
    };
    let before = errors(before, &finding.module);
    let grew = errors(&after, &module).into_iter().find(|(rule, n)| before.get(rule).is_none_or(|b| n > b));
    if let Some((rule, _)) = grew {
        let example = after.iter().find(|f| f.rule == rule && f.module == module && f.severity == Severity::Error);
        return Err(format!("{rule}: {}", example.map_or("a new error", |f| f.message.as_str())));
    }
    Ok(())
}

/// How a manifest is checked: [`analyse`] (the manifest rules), or the whole engine's check with
/// the pre-flight on the predicted Kubernetes objects, which lives above this layer and is passed in.
pub type Check<'a> = &'a dyn Fn(&Manifest, &DeviceProfile) -> Vec<Finding>;

/// What is still wrong once the migration's output is read back and checked again: every
/// finding of the migrated manifest. An error if the output could not be read back, which would
/// be a bug: it is reported as such.
pub fn remaining(
    manifest: &Manifest,
    outcome: &Outcome,
    device: &DeviceProfile,
    check: Check<'_>,
) -> Result<Vec<Finding>, String> {
    let again = outcome.reload(manifest).map_err(|e| format!("the migrated manifest does not load: {e}"))?;
    Ok(check(&again, device))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Accepting the first of two binds renumbers the second into its place: that is not the
    /// rule still finding the first.
    #[test]
    fn a_fix_that_renumbers_the_items_after_it_still_passes_its_check() {
        let manifest = Manifest::load(include_bytes!("../../assets/sample.deployment.json")).unwrap();
        let device = DeviceProfile::default();
        let findings = analyse(&manifest, &device);
        let binds: Vec<&Finding> =
            findings.iter().filter(|f| f.rule == "STO001" && f.module.as_deref() == Some("ImageProcessor")).collect();
        assert!(binds.len() >= 2, "the sample's ImageProcessor has two share binds");
        let first = binds.iter().find(|f| f.message.contains("models")).unwrap();
        let fragment = json!({"Type": "volume", "Source": "models2", "Target": "/models"});
        let ok = Decision::Fragment { fragment };
        assert_eq!(check_decision(&manifest, &device, &analyse, first, &ok), Ok(()));
        // A value the rule itself refuses is refused at its place, renamed module or not.
        let manifest = Manifest::load(include_bytes!("../../tests/fixtures/rules/OTH002.json")).unwrap();
        let findings = analyse(&manifest, &device);
        let name = findings.iter().find(|f| f.rule == "OTH002" && f.module.as_deref() == Some("Image_Processor"));
        let bad = Decision::Value { value: json!("bad name!") };
        let err = check_decision(&manifest, &device, &analyse, name.unwrap(), &bad).unwrap_err();
        assert!(err.starts_with("OTH002 still finds"), "{err}");
    }
}
