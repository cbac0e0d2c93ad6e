//! The manifest itself (MAN…): how createOptions is written, placeholders, shapes and size.
//! Several of these are behaviours of the loader and the exporter; their checks report what the
//! engineer must know about this particular file.

use crate::manifest::{CreateOptionsForm, CreateOptionsProblem, MAX_CHUNKS, Manifest, Module, Shape, chunk};
use crate::rules::{Check, Context, Edit, Finding, FixAvailability, K8S, Rule, RuleDoc, Section, Severity, Suggestion};
use serde_json::Value;

/// IoT Hub's limit for one desired-properties section.
pub const DESIRED_PROPERTIES_LIMIT: usize = 32 * 1024;

pub static MAN001: Rule = Rule {
    doc: RuleDoc {
        id: "MAN001",
        section: Section::Other,
        severity: Severity::Error,
        fix: FixAvailability::Never,
        targets: K8S,
        title: "createOptions split over numbered chunks: joined in order, a gap is an error",
        detects: "`createOptions` continued in `createOptions01`…`createOptionsNN`: a missing number, a chunk that is not a string, or a module whose createOptions needs more than 8 chunks (4 KB).",
        why: "The edge agent joins the chunks in numeric order; a missing chunk silently truncates the JSON. IoT Edge tooling accepts at most 8 chunks of 512 characters by default.",
        before: r#"{"createOptions": "{\"Env\":[\"A=1\",", "createOptions02": "\"B=2\"]}"}"#,
        after: r#"{"createOptions": "{\"Env\":[\"A=1\",", "createOptions01": "\"B=2\"]}"}"#,
        fix_safety: "Manual: only the author knows what the missing chunk held. On export fpga2gpu re-chunks changed createOptions itself (512 characters each).",
    },
    check: Check::Module(check_chunks),
};

fn check_chunks(_ctx: &Context, module: &Module) -> Vec<Finding> {
    let mut out = Vec::new();
    let ptr = module.create_options_pointer();
    for p in &module.create_options.problems {
        match p {
            CreateOptionsProblem::ChunkGap { missing } => {
                let names: Vec<String> = missing.iter().map(|n| format!("createOptions{n:02}")).collect();
                out.push(Finding::new(
                    &MAN001,
                    Some(module),
                    ptr.clone(),
                    format!("createOptions chunks are not numbered without gaps: {} missing", names.join(", ")),
                ));
            }
            CreateOptionsProblem::ChunkNotString { key } => {
                out.push(Finding::new(
                    &MAN001,
                    Some(module),
                    ptr.clone(),
                    format!("createOptions chunk `{key}` is not a string; the module is left untouched"),
                ));
            }
            _ => {}
        }
    }
    if let (CreateOptionsForm::String { .. }, Some(v)) = (&module.create_options.form, &module.create_options.value) {
        let n = chunk(&serde_json::to_string(v).unwrap_or_default()).len();
        if n > MAX_CHUNKS {
            out.push(
                Finding::new(&MAN001, Some(module), ptr, format!("createOptions needs {n} chunks of 512 characters; IoT Edge tooling accepts {MAX_CHUNKS} by default"))
                    .severity(Severity::Warning),
            );
        }
    }
    out
}

pub static MAN002: Rule = Rule {
    doc: RuleDoc {
        id: "MAN002",
        section: Section::Other,
        severity: Severity::Error,
        fix: FixAvailability::Never,
        targets: K8S,
        title: "createOptions that is not valid JSON",
        detects: "A createOptions string (joined from its chunks) that is not a JSON object. One the edge agent still reads (trailing commas, unquoted keys) is a warning and can be rewritten as strict JSON; one that cannot be read at all is an error.",
        why: "A createOptions the agent cannot parse fails the deployment of that module. fpga2gpu reports it, leaves that module untouched and migrates the rest.",
        before: r#"{"createOptions": "{\"HostConfig\":{\"Privileged\":true,},}"}"#,
        after: r#"{"createOptions": "{\"HostConfig\":{\"Privileged\":true}}"}"#,
        fix_safety: "Rewriting lenient JSON as strict JSON keeps every value; it is safe. Unreadable createOptions must be fixed by hand.",
    },
    check: Check::Module(check_json),
};

fn check_json(_ctx: &Context, module: &Module) -> Vec<Finding> {
    let ptr = module.create_options_pointer();
    module
        .create_options
        .problems
        .iter()
        .filter_map(|p| match p {
            CreateOptionsProblem::Invalid { message } => Some(Finding::new(
                &MAN002,
                Some(module),
                ptr.clone(),
                format!("createOptions is not valid JSON ({message}); this module is left untouched"),
            )),
            CreateOptionsProblem::Lenient { message } => {
                let value = module.create_options.value.clone()?;
                Some(
                    Finding::new(
                        &MAN002,
                        Some(module),
                        ptr.clone(),
                        format!("createOptions is not strict JSON ({message}); it was read leniently"),
                    )
                    .severity(Severity::Warning)
                    .suggest(Suggestion::new(
                        "rewrite createOptions as strict JSON",
                        vec![Edit::Set { at: ptr.clone(), value }],
                    )),
                )
            }
            _ => None,
        })
        .collect()
}

pub static MAN003: Rule = Rule {
    doc: RuleDoc {
        id: "MAN003",
        section: Section::Other,
        severity: Severity::Info,
        fix: FixAvailability::Never,
        targets: K8S,
        title: "createOptions given as an object stays an object",
        detects: "createOptions written as a JSON object, as in deployment.template.json.",
        why: "Templates are turned into strings by the IoT Edge tooling at build time; keeping the object keeps the template readable and reviewable.",
        before: r#"{"createOptions": {"HostConfig": {"Binds": ["/home/hcsshares/s:/d"]}}}"#,
        after: r#"{"createOptions": {"HostConfig": {"Mounts": [{"Type": "volume", "Source": "s", "Target": "/d"}]}}}"#,
        fix_safety: "Nothing to decide: export keeps each module's form (object or string).",
    },
    check: Check::Manifest(|_| Vec::new()),
};

pub static MAN004: Rule = Rule {
    doc: RuleDoc {
        id: "MAN004",
        section: Section::Other,
        severity: Severity::Info,
        fix: FixAvailability::Never,
        targets: K8S,
        title: "Placeholders are never touched",
        detects: "Template placeholders (`${X}`, `$X`, `<X>`, `#X#`, `__X`) anywhere in the manifest; reported when a whole createOptions is a placeholder and so cannot be checked.",
        why: "Placeholders are filled in by the build or release pipeline. fpga2gpu keeps them verbatim and never expands or 'fixes' them; rules that would rewrite one say so instead.",
        before: r#"{"createOptions": "${CAMERA_CREATE_OPTIONS}"}"#,
        after: r#"{"createOptions": "${CAMERA_CREATE_OPTIONS}"}"#,
        fix_safety: "Nothing is changed. Run fpga2gpu again on the manifest the pipeline produces to check the filled-in values.",
    },
    check: Check::Module(check_placeholder),
};

fn check_placeholder(_ctx: &Context, module: &Module) -> Vec<Finding> {
    module
        .create_options
        .problems
        .iter()
        .filter_map(|p| match p {
            CreateOptionsProblem::Placeholder { text } => Some(Finding::new(
                &MAN004,
                Some(module),
                module.create_options_pointer(),
                format!("createOptions is the placeholder `{text}`; it is filled in at deploy time and cannot be checked here"),
            )),
            _ => None,
        })
        .collect()
}

pub static MAN005: Rule = Rule {
    doc: RuleDoc {
        id: "MAN005",
        section: Section::Other,
        severity: Severity::Warning,
        fix: FixAvailability::Never,
        targets: K8S,
        title: "$edgeAgent desired properties over 32 KB",
        detects: "The `$edgeAgent` desired properties of the manifest (as written, or after migration) larger than 32 KB.",
        why: "IoT Hub refuses a desired-properties section over 32 KB, so the deployment cannot be applied. The Kubernetes settings the migration adds make createOptions larger.",
        before: "a $edgeAgent section of 31 KB before migration",
        after: "move modules to a layered deployment, or shorten createOptions (drop ignored keys, defaults)",
        fix_safety: "Manual: split the deployment or trim createOptions.",
    },
    check: Check::Manifest(check_size),
};

/// Size of `$edgeAgent` desired properties as IoT Hub counts them (minified JSON).
pub fn agent_desired_size(manifest: &Manifest) -> usize {
    let agent = manifest.get(&manifest.edge_agent_at());
    agent.map_or(0, |a| serde_json::to_string(a).map_or(0, |s| s.len()))
}

fn check_size(ctx: &Context) -> Vec<Finding> {
    let size = agent_desired_size(ctx.manifest);
    if size <= DESIRED_PROPERTIES_LIMIT {
        return Vec::new();
    }
    vec![Finding::new(
        &MAN005,
        None,
        crate::manifest::Location::Document(ctx.manifest.edge_agent_at()),
        format!("$edgeAgent desired properties are {:.1} KB, over IoT Hub's 32 KB limit", size as f64 / 1024.0),
    )]
}

pub static MAN006: Rule = Rule {
    doc: RuleDoc {
        id: "MAN006",
        section: Section::Other,
        severity: Severity::Info,
        fix: FixAvailability::Never,
        targets: K8S,
        title: "Every manifest shape is read and written back in the same shape",
        detects: "The shape of the file: `{\"modulesContent\": …}`, the 2018 `moduleContent` key, `{\"content\": {\"modulesContent\": …}}`, a bare modulesContent object, layered deployments (`properties.desired.modules.<name>` keys), and a UTF-8 byte order mark.",
        why: "Deployment files come from VS Code templates, the az CLI, the portal and scripts; each consumer expects its own shape back.",
        before: r#"{"content": {"modulesContent": {"$edgeAgent": {"properties.desired.modules.m": {}}}}}"#,
        after: r#"{"content": {"modulesContent": {"$edgeAgent": {"properties.desired.modules.m": {}}}}}"#,
        fix_safety: "Nothing to decide: the export keeps the shape. A byte order mark is not written back (most JSON readers, IoT Hub's included, refuse it).",
    },
    check: Check::Manifest(check_shape),
};

fn check_shape(ctx: &Context) -> Vec<Finding> {
    let m = ctx.manifest;
    let mut out: Vec<Finding> = m
        .notices
        .iter()
        .map(|n| {
            Finding::new(
                &MAN006,
                None,
                crate::manifest::Location::Document(crate::manifest::Pointer::root()),
                n.clone(),
            )
        })
        .collect();
    let shape = match m.shape {
        Shape::ModuleContent => {
            Some("uses the 2018 key `moduleContent`; kept as is (current tooling writes `modulesContent`)")
        }
        Shape::Content => Some("is wrapped in `content` (az CLI deployment format); kept as is"),
        Shape::Bare => Some("is a bare modulesContent object ($edgeAgent, $edgeHub at the top); kept as is"),
        Shape::ModulesContent => None,
    };
    if let Some(s) = shape {
        out.push(Finding::new(
            &MAN006,
            None,
            crate::manifest::Location::Document(m.root.clone()),
            format!("the manifest {s}"),
        ));
    }
    if m.layered {
        out.push(Finding::new(
            &MAN006,
            None,
            crate::manifest::Location::Document(m.edge_agent_at()),
            "layered deployment: modules are `properties.desired.modules.<name>` keys; kept as is",
        ));
    }
    if m.modules.is_empty() {
        out.push(
            Finding::new(
                &MAN006,
                None,
                crate::manifest::Location::Document(m.edge_agent_at()),
                "the manifest declares no modules",
            )
            .severity(Severity::Warning),
        );
    }
    let _ = Value::Null;
    out
}
