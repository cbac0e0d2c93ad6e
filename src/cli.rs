//! The command line: the same engine as the app, for scripts and CI pipelines.
//!
//! Exit codes are a contract: 0 = no error findings, 1 = error findings, 2 = an input could not
//! be read (or the command was misused).

use crate::manifest::{LoadError, Manifest, WriteError, write_atomic};
use crate::migrate::{Decisions, Policy, migrate};
use crate::rules::{Finding, FixKind, Rule, Section, Severity, analyse, catalogue, rule};
use clap::{Parser, Subcommand, ValueEnum};
use serde_json::{Value, json};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "fpga2gpu",
    version,
    about = "Migrate Azure IoT Edge deployment manifests from Azure Stack Edge Pro FPGA (Docker) to Pro GPU (Kubernetes)",
    long_about = "Migrate Azure IoT Edge deployment manifests from Azure Stack Edge Pro FPGA devices (IoT Edge on Docker) \
to Azure Stack Edge Pro GPU devices (IoT Edge on Kubernetes).\n\nWith no command, opens the desktop app (on FILE, or on the bundled sample).",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Manifest to open in the desktop app.
    pub file: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Report what must change in each manifest. Exit 0: no errors, 1: error findings, 2: unreadable input.
    Check {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Write the migrated manifest (same shape as the input) to stdout or, atomically, to OUT.
    Migrate {
        file: PathBuf,
        /// Output file (written through a temporary file and a rename).
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Which suggestions to take where the decisions file says nothing.
        #[arg(long, value_enum, default_value_t = Policy::Auto)]
        accept: Policy,
        /// JSON file of decisions (rule + module → accept / reject / value) to replay.
        #[arg(long)]
        decisions: Option<PathBuf>,
        /// Allow writing over the input file.
        #[arg(long)]
        in_place: bool,
        /// Also write a Markdown migration report (what changed and why, what needs manual work).
        #[arg(long, value_name = "FILE")]
        report: Option<PathBuf>,
    },
    /// List the rule catalogue.
    Rules {
        #[arg(long, value_enum, default_value_t = RulesFormat::Text)]
        format: RulesFormat,
    },
    /// Explain one rule: what it detects, why, an example, how safe its fix is.
    Explain { id: String },
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum RulesFormat {
    Text,
    Markdown,
    Json,
}

/// Runs the command line; the binary's `main` is only this.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        None => match crate::app::run(cli.file) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("fpga2gpu: cannot start the desktop app: {e}");
                eprintln!("(the command line works without a display: fpga2gpu --help)");
                ExitCode::from(2)
            }
        },
        Some(Command::Check { files, format }) => check(&files, format),
        Some(Command::Migrate { file, output, accept, decisions, in_place, report }) => {
            run_migrate(&file, output.as_deref(), accept, decisions.as_deref(), in_place, report.as_deref())
        }
        Some(Command::Rules { format }) => {
            print!("{}", rules_listing(format));
            ExitCode::SUCCESS
        }
        Some(Command::Explain { id }) => match rule(&id) {
            Some(r) => {
                print!("{}", explain(r));
                ExitCode::SUCCESS
            }
            None => {
                eprintln!("fpga2gpu: no rule `{id}`; `fpga2gpu rules` lists them");
                ExitCode::from(2)
            }
        },
    }
}

fn load(path: &Path) -> Result<Manifest, LoadError> {
    Manifest::load_file(path)
}

fn check(files: &[PathBuf], format: Format) -> ExitCode {
    let mut worst = 0u8;
    let mut all = Vec::new();
    let mut failures = Vec::new();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for file in files {
        match load(file) {
            Ok(manifest) => {
                let findings = analyse(&manifest);
                if findings.iter().any(|f| f.severity == Severity::Error) {
                    worst = worst.max(1);
                }
                match format {
                    Format::Text => {
                        let _ = out.write_all(findings_text(&file.display().to_string(), &findings).as_bytes());
                    }
                    Format::Json => all.extend(findings.iter().map(|f| finding_json(Some(file), f))),
                }
            }
            Err(e) => {
                worst = 2;
                eprintln!("{}: {e}", file.display());
                let (line, column) = e.position().unzip();
                failures.push(
                    json!({"file": file.display().to_string(), "error": e.to_string(), "line": line, "column": column}),
                );
            }
        }
    }
    if format == Format::Json {
        let doc = json!({"findings": all, "errors": failures});
        let _ = writeln!(out, "{}", serde_json::to_string_pretty(&doc).expect("JSON"));
    }
    ExitCode::from(worst)
}

/// One finding as the JSON the CLI prints (and CI pipelines parse).
pub fn finding_json(file: Option<&Path>, f: &Finding) -> Value {
    let mut v = serde_json::to_value(f).expect("findings serialise");
    if let (Some(file), Value::Object(o)) = (file, &mut v) {
        o.shift_insert(0, "file".to_owned(), Value::String(file.display().to_string()));
    }
    v
}

/// Findings grouped by module and section, for people.
pub fn findings_text(file: &str, findings: &[Finding]) -> String {
    let count = |s| findings.iter().filter(|f| f.severity == s).count();
    let mut s = format!(
        "{file}: {} errors, {} warnings, {} info\n",
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Info)
    );
    let mut module: Option<Option<&str>> = None;
    let mut section = None;
    for f in findings {
        if module != Some(f.module.as_deref()) {
            module = Some(f.module.as_deref());
            section = None;
            match &f.module {
                Some(m) => s.push_str(&format!("  module {m}\n")),
                None => s.push_str("  deployment\n"),
            }
        }
        if section != Some(f.section) {
            section = Some(f.section);
            s.push_str(&format!("    {}\n", f.section.name()));
        }
        let fix = match (&f.suggestion, f.fix) {
            (Some(sug), FixKind::Auto | FixKind::Input) => format!(" [{}: {}]", f.fix.name(), sug.summary),
            (_, FixKind::Manual) => " [manual]".to_owned(),
            _ => String::new(),
        };
        s.push_str(&format!("      {:<7} {} {}{}\n", f.severity.name(), f.rule, f.message, fix));
        if !f.path.is_empty() {
            s.push_str(&format!("              at {}\n", f.path));
        }
    }
    s
}

fn run_migrate(
    file: &Path,
    output: Option<&Path>,
    accept: Policy,
    decisions: Option<&Path>,
    in_place: bool,
    report: Option<&Path>,
) -> ExitCode {
    let manifest = match load(file) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("{}: {e}", file.display());
            return ExitCode::from(2);
        }
    };
    let decisions = match decisions.map(|p| std::fs::read_to_string(p).map(|t| (p, t))) {
        None => Decisions::default(),
        Some(Err(e)) => {
            eprintln!("fpga2gpu: cannot read the decisions file: {e}");
            return ExitCode::from(2);
        }
        Some(Ok((p, text))) => match Decisions::from_json(&text) {
            Ok(d) => d,
            Err(e) => {
                eprintln!("{}: {e}", p.display());
                return ExitCode::from(2);
            }
        },
    };
    let target = match (output, in_place) {
        (Some(o), _) => Some(o.to_owned()),
        (None, true) => Some(file.to_owned()),
        (None, false) => None,
    };
    if let Some(t) = &target
        && !in_place
        && same_file(t, file)
    {
        eprintln!("fpga2gpu: refusing to overwrite the input {}; pass --in-place to do that", file.display());
        return ExitCode::from(2);
    }
    let findings = analyse(&manifest);
    let decide = |f: &Finding| decisions.decide(f).or_else(|| accept.decide(f));
    let outcome = migrate(&manifest, &findings, decide);
    let text = outcome.text(&manifest);
    if let Some(report) = report {
        let name = file.file_name().map_or_else(|| file.display().to_string(), |n| n.to_string_lossy().into_owned());
        let md = crate::report::markdown_report(&name, &manifest, &findings, decide, &outcome);
        if let Err(e) = write_atomic(report, md.as_bytes(), true) {
            eprintln!("fpga2gpu: {e}");
            return ExitCode::from(2);
        }
    }
    match &target {
        Some(t) => {
            if let Err(e) = write_atomic(t, text.as_bytes(), true) {
                eprintln!("fpga2gpu: {e}");
                return ExitCode::from(match e {
                    WriteError::Exists(_) | WriteError::IsDirectory(_) | WriteError::Io { .. } => 2,
                });
            }
        }
        None => {
            let _ = std::io::stdout().lock().write_all(text.as_bytes());
        }
    }
    let open = findings.len() - outcome.applied.len();
    eprintln!(
        "{}: applied {} of {} suggestions; {open} findings left open",
        file.display(),
        outcome.applied.len(),
        findings.len()
    );
    for (k, why) in &outcome.skipped {
        eprintln!("  skipped {} on {}: {why}", k.rule, k.module.as_deref().unwrap_or("the deployment"));
    }
    for w in &outcome.warnings {
        eprintln!("  warning: {w}");
    }
    ExitCode::SUCCESS
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

/// The catalogue as text, Markdown (the README's table) or JSON.
pub fn rules_listing(format: RulesFormat) -> String {
    let rules = catalogue();
    match format {
        RulesFormat::Text => rules
            .iter()
            .map(|r| {
                let d = &r.doc;
                format!("{}  {:<9} {:<7} {:<6} {}\n", d.id, d.section.name(), d.severity.name(), d.fix.name(), d.title)
            })
            .collect(),
        RulesFormat::Markdown => {
            let mut s = String::from("| id | section | severity | fix | rule |\n|---|---|---|---|---|\n");
            for r in rules {
                let d = &r.doc;
                s.push_str(&format!(
                    "| {} | {} | {} | {} | {} |\n",
                    d.id,
                    d.section.name(),
                    d.severity.name(),
                    d.fix.name(),
                    d.title.replace('|', "\\|")
                ));
            }
            s
        }
        RulesFormat::Json => {
            let list: Vec<Value> = rules.iter().map(|r| rule_json(r)).collect();
            serde_json::to_string_pretty(&list).expect("JSON") + "\n"
        }
    }
}

fn rule_json(r: &Rule) -> Value {
    let d = &r.doc;
    json!({
        "id": d.id, "section": d.section, "severity": d.severity, "fix": d.fix, "title": d.title,
        "detects": d.detects, "why": d.why, "before": d.before, "after": d.after, "fix_safety": d.fix_safety,
    })
}

/// The whole documentation of a rule, for `fpga2gpu explain`.
pub fn explain(r: &Rule) -> String {
    let d = &r.doc;
    let section = Section::ALL.iter().find(|s| **s == d.section).map_or("", |s| s.title());
    format!(
        "{id}: {title}\n\nsection: {section}    severity: {sev}    fix: {fix}\n\nWhat it detects\n  {detects}\n\nWhy it matters on the GPU device\n  {why}\n\nExample\n  before: {before}\n  after:  {after}\n\nHow safe the fix is\n  {safety}\n",
        id = d.id,
        title = d.title,
        sev = d.severity.name(),
        fix = d.fix.name(),
        detects = d.detects,
        why = d.why,
        before = d.before,
        after = d.after,
        safety = d.fix_safety,
    )
}
