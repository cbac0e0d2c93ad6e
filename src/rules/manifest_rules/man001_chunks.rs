//! MAN001: createOptions split over numbered chunks, with a gap, a chunk that is not a string, or
//! more chunks than IoT Edge tooling accepts.

use crate::manifest::{
    CreateOptionsForm, CreateOptionsProblem, Location, MAX_CHUNKS, Module, Pointer, chunk, chunk_key,
};
use crate::rules::{BOTH, Check, Context, Finding, FixAvailability, Rule, RuleDoc, Section, Severity};

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "MAN001",
        section: Section::Other,
        severity: Severity::Error,
        fix: FixAvailability::Never,
        targets: BOTH,
        title: "createOptions split over numbered chunks: joined in order, a gap is an error",
        detects: "`createOptions` continued in `createOptions01`…`createOptionsNN`: a missing number (reported at the first missing chunk of each gap), a chunk that is not a string (at that chunk), or a module whose createOptions needs more than 8 chunks of 512 characters (4 KB).",
        why: "The edge agent joins the chunks in numeric order; a missing chunk silently truncates the JSON, and a chunk that is not a string cannot be joined at all (fpga2gpu then leaves the module untouched). IoT Edge tooling accepts at most 8 chunks of 512 characters by default.",
        before: r#"{"createOptions": "{\"Env\":[\"A=1\",", "createOptions02": "\"B=2\"]}"}"#,
        after: r#"{"createOptions": "{\"Env\":[\"A=1\",", "createOptions01": "\"B=2\"]}"}"#,
        fix_safety: "Manual: only the author knows what the missing chunk held. On export fpga2gpu re-chunks changed createOptions itself (512 characters each, numbered without gaps) and says so when a module needs more than 8.",
    },
    check: Check::Module(check),
};

fn check(_ctx: &Context, module: &Module) -> Vec<Finding> {
    let mut out = Vec::new();
    let chunk_at = |n: u32| Location::Document(module.at.child("settings").child(&chunk_key(n as usize)));
    for p in &module.create_options.problems {
        match p {
            CreateOptionsProblem::ChunkGap { missing } => {
                for gap in runs(missing) {
                    let names: Vec<String> = gap.iter().map(|n| format!("`{}`", chunk_key(*n as usize))).collect();
                    let after = gap[gap.len() - 1] + 1;
                    out.push(Finding::new(
                        &RULE,
                        Some(module),
                        chunk_at(gap[0]),
                        format!(
                            "createOptions chunk{} {} {} missing before `{}`: the chunks are joined in numeric order, so the JSON may be cut short",
                            if gap.len() > 1 { "s" } else { "" },
                            names.join(", "),
                            if gap.len() > 1 { "are" } else { "is" },
                            chunk_key(after as usize)
                        ),
                    ));
                }
            }
            CreateOptionsProblem::ChunkNotString { key } => {
                let n = key["createOptions".len()..].parse::<u32>().unwrap_or(0);
                out.push(Finding::new(
                    &RULE,
                    Some(module),
                    chunk_at(n),
                    format!("createOptions chunk `{key}` is not a string, so the chunks cannot be joined; the module is left untouched"),
                ));
            }
            _ => {}
        }
    }
    if let (CreateOptionsForm::String { .. }, Some(v)) = (&module.create_options.form, &module.create_options.value) {
        let n = chunk(&serde_json::to_string(v).unwrap_or_default()).len();
        if n > MAX_CHUNKS {
            out.push(
                Finding::new(
                    &RULE,
                    Some(module),
                    module.create_options_at(Pointer::root()),
                    format!("createOptions needs {n} chunks of 512 characters; IoT Edge tooling accepts {MAX_CHUNKS} by default"),
                )
                .severity(Severity::Warning),
            );
        }
    }
    out
}

/// Missing chunk numbers grouped into runs of consecutive numbers: one finding per gap.
fn runs(missing: &[u32]) -> Vec<Vec<u32>> {
    let mut out: Vec<Vec<u32>> = Vec::new();
    for &n in missing {
        match out.last_mut() {
            Some(run) if run.last().is_some_and(|l| l + 1 == n) => run.push(n),
            _ => out.push(vec![n]),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::runs;

    #[test]
    fn gaps_are_runs_of_missing_numbers() {
        assert_eq!(runs(&[1, 2, 4, 7, 8]), [vec![1, 2], vec![4], vec![7, 8]]);
        assert!(runs(&[]).is_empty());
    }
}
