//! The command line: the same engine as the app, for scripts and CI pipelines.
//!
//! Exit codes are a contract. `check`: 0 = nothing at or above `--fail-on`, 1 = findings at or
//! above it, 2 = an input could not be read (or the command was misused). `migrate`: 0 = written
//! and no error left on the output, 1 = written but errors remain, 2 = nothing written. `k8s`:
//! 0 = every module translates, 1 = the agent would refuse some, 2 = the file cannot be read.
//!
//! `check` and `migrate` run the whole engine's check ([`crate::k8s::check`]): the manifest rules
//! and, for the Kubernetes target, the pre-flight on the objects the agent would create.

use crate::device::{DeviceProfile, GpuModel, IotEdgeVersion, ServiceType, Target};
use crate::manifest::source::Region;
use crate::manifest::{LoadError, Manifest, write_atomic};
use crate::migrate::{Decisions, Policy, migrate_checked, remaining};
use crate::report::position::{Locator, Position};
use crate::rules::{Finding, Fix, Rule, Severity, catalogue, rule};
use clap::{Args, Parser, Subcommand, ValueEnum};
use serde_json::{Value, json};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "fpga2gpu",
    version,
    about = "Migrate Azure IoT Edge deployment manifests from Azure Stack Edge Pro FPGA (Docker) to Pro GPU (Kubernetes or an IoT Edge VM)",
    long_about = "Migrate Azure IoT Edge deployment manifests from Azure Stack Edge Pro FPGA devices (IoT Edge on Docker) \
to Azure Stack Edge Pro GPU devices (the managed IoT Edge on Kubernetes, or IoT Edge in a VM).\n\nWith no command, opens the desktop app (on FILE, or on the bundled sample).",
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
    /// Report what must change in each manifest. Exit 0: nothing at or above --fail-on, 1: findings at or above it, 2: unreadable input.
    Check {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// The lowest severity that makes the exit code 1 (`never`: always 0 when every file was read).
        #[arg(long, value_enum, default_value_t = FailOn::Error)]
        fail_on: FailOn,
        #[command(flatten)]
        device: DeviceArgs,
    },
    /// Write the migrated manifest (same shape as the input) to stdout or, atomically, to OUT.
    /// Exit 0: no error left on the output, 1: written but errors remain, 2: nothing written.
    Migrate {
        file: PathBuf,
        /// Output file (written through a temporary file and a rename).
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Which suggestions to take where the decisions file says nothing.
        #[arg(long, value_enum, default_value_t = Accept::Auto)]
        accept: Accept,
        /// JSON file of decisions (rule + module → accept / reject / value) and the device profile.
        #[arg(long)]
        decisions: Option<PathBuf>,
        /// Allow writing over the input file.
        #[arg(long)]
        in_place: bool,
        /// Also write a Markdown migration report (what changed and why, what needs manual work).
        #[arg(long, value_name = "FILE")]
        report: Option<PathBuf>,
        #[command(flatten)]
        device: DeviceArgs,
    },
    /// Print the Kubernetes objects the device's IoT Edge agent would create for each module
    /// (YAML: one document per object; JSON: {"modules": [{"module", "objects", "error"}]}).
    /// Exit 0: every module translates, 1: the agent would refuse some, 2: unreadable input.
    K8s {
        file: PathBuf,
        #[arg(long, value_enum, default_value_t = K8sFormat::Yaml)]
        format: K8sFormat,
        /// Only these modules (the key under modules, or the module id: `$edgeAgent`); repeatable.
        #[arg(long = "module", value_name = "ID")]
        modules: Vec<String>,
        #[command(flatten)]
        device: DeviceArgs,
    },
    /// List the rule catalogue.
    Rules {
        #[arg(long, value_enum, default_value_t = RulesFormat::Text)]
        format: RulesFormat,
        /// Only the rules of this target (default: every rule, with the targets it applies to).
        #[arg(long, value_enum)]
        target: Option<TargetArg>,
    },
    /// Explain one rule: what it detects, why, an example, how safe its fix is.
    Explain {
        id: String,
        /// Say whether the rule applies to this target.
        #[arg(long, value_enum)]
        target: Option<TargetArg>,
    },
}

/// The device profile, flag by flag; each flag overrides the profile of a decisions file, which
/// overrides the defaults (`fpga2gpu::device::DeviceProfile`).
#[derive(Args, Debug, Default, Clone)]
pub struct DeviceArgs {
    /// Where the modules will run: the managed IoT Edge on Kubernetes (default) or IoT Edge in a VM.
    #[arg(long, value_enum)]
    pub target: Option<TargetArg>,
    /// GPUs the modules can use on the device (default 1).
    #[arg(long, value_name = "N", value_parser = crate::device::parse_count)]
    pub gpus: Option<u32>,
    /// The device's Edge shares enabled for compute, comma-separated.
    #[arg(long, value_delimiter = ',', value_name = "NAME,…")]
    pub shares: Option<Vec<String>>,
    /// How many addresses the device's Kubernetes external service IP range holds.
    #[arg(long, value_name = "N", value_parser = crate::device::parse_count)]
    pub external_ips: Option<u32>,
    /// The agent's default Service type for modules with port bindings (default LoadBalancer).
    #[arg(long, value_enum)]
    pub service_type: Option<ServiceTypeArg>,
    /// The storage class the agent writes on PersistentVolumeClaims ("" is one).
    #[arg(long, value_name = "NAME", conflicts_with = "no_storage_class")]
    pub storage_class: Option<String>,
    /// The agent has no storage class: it makes no PersistentVolumeClaims.
    #[arg(long)]
    pub no_storage_class: bool,
    /// Size written on each PersistentVolumeClaim, in MB.
    #[arg(long, value_name = "N", value_parser = crate::device::parse_count)]
    pub pvc_size_mb: Option<u32>,
    /// The agent names a PVC's volume after the mount's source.
    #[arg(long)]
    pub volume_name_from_source: bool,
    /// The agent's runAsNonRoot pod default.
    #[arg(long)]
    pub run_as_non_root: bool,
    /// The agent ignores k8s-experimental.
    #[arg(long)]
    pub no_k8s_extensions: bool,
    /// The IoT Edge device id the agent writes into labels and env.
    #[arg(long, value_name = "ID")]
    pub device_id: Option<String>,
    /// The IoT hub host name the agent writes into env.
    #[arg(long, value_name = "HOST")]
    pub hub_hostname: Option<String>,
    /// IoT Edge release in the VM (VM target; default 1.6).
    #[arg(long, value_enum)]
    pub iotedge_version: Option<IotEdgeArg>,
    /// The device's GPU model (default T4: Pro GPU and Pro R; A2: Pro 2).
    #[arg(long, value_enum)]
    pub gpu_model: Option<GpuModelArg>,
    /// CPUs of the Kubernetes worker VM (default: 30 % of the device's cores).
    #[arg(long, value_name = "N", value_parser = crate::device::parse_size)]
    pub worker_cpus: Option<f64>,
    /// Memory of the Kubernetes worker VM in GiB (default: 25 % of the device's memory).
    #[arg(long, value_name = "GIB", value_parser = crate::device::parse_size)]
    pub worker_memory_gib: Option<f64>,
    /// The device's software release, e.g. 2309 (default: a current one).
    #[arg(long, value_name = "RELEASE")]
    pub ase_version: Option<String>,
    /// Another folder where the FPGA device mounted Edge shares (`<DIR>/<share>`), besides
    /// /home/hcsshares and /home/databox-edge/hostgatewayshares; repeat or comma-separate.
    #[arg(long, value_delimiter = ',', value_name = "DIR")]
    pub share_root: Option<Vec<String>>,
    /// Where the VM mounts the Edge shares (VM target; default /mnt). /home/hcsshares keeps the
    /// FPGA paths in the manifest.
    #[arg(long, value_name = "DIR")]
    pub vm_share_root: Option<String>,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum IotEdgeArg {
    #[value(name = "1.5")]
    V1_5,
    #[value(name = "1.6")]
    V1_6,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum GpuModelArg {
    #[value(name = "T4", alias = "t4")]
    T4,
    #[value(name = "A2", alias = "a2")]
    A2,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum TargetArg {
    K8s,
    Vm,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum ServiceTypeArg {
    #[value(name = "LoadBalancer", alias = "loadbalancer")]
    LoadBalancer,
    #[value(name = "ClusterIP", alias = "clusterip")]
    ClusterIp,
    #[value(name = "NodePort", alias = "nodeport")]
    NodePort,
}

impl From<TargetArg> for Target {
    fn from(t: TargetArg) -> Target {
        match t {
            TargetArg::K8s => Target::K8s,
            TargetArg::Vm => Target::Vm,
        }
    }
}

impl DeviceArgs {
    /// The profile: `base` (from a decisions file, or the defaults) with every given flag applied.
    pub fn apply(&self, mut p: DeviceProfile) -> DeviceProfile {
        if let Some(t) = self.target {
            p.target = t.into();
        }
        if let Some(n) = self.gpus {
            p.gpus = n;
        }
        if let Some(s) = &self.shares {
            p.shares = Some(crate::device::names(s.iter().map(String::as_str)));
        }
        if let Some(n) = self.external_ips {
            p.external_ips = Some(n);
        }
        if let Some(t) = self.service_type {
            p.service_type = match t {
                ServiceTypeArg::LoadBalancer => ServiceType::LoadBalancer,
                ServiceTypeArg::ClusterIp => ServiceType::ClusterIP,
                ServiceTypeArg::NodePort => ServiceType::NodePort,
            };
        }
        if let Some(c) = &self.storage_class {
            p.storage_class = Some(c.clone());
        }
        if self.no_storage_class {
            p.storage_class = None;
        }
        if let Some(n) = self.pvc_size_mb {
            p.pvc_size_mb = Some(n);
        }
        p.volume_name_from_source |= self.volume_name_from_source;
        p.run_as_non_root |= self.run_as_non_root;
        if self.no_k8s_extensions {
            p.k8s_extensions = false;
        }
        if let Some(d) = &self.device_id {
            p.device_id = d.clone();
        }
        if let Some(h) = &self.hub_hostname {
            p.hub_hostname = h.clone();
        }
        if let Some(v) = self.iotedge_version {
            p.iotedge_version = match v {
                IotEdgeArg::V1_5 => IotEdgeVersion::V1_5,
                IotEdgeArg::V1_6 => IotEdgeVersion::V1_6,
            };
        }
        if let Some(g) = self.gpu_model {
            p.gpu_model = match g {
                GpuModelArg::T4 => GpuModel::T4,
                GpuModelArg::A2 => GpuModel::A2,
            };
        }
        if let Some(n) = self.worker_cpus {
            p.worker_cpus = Some(n);
        }
        if let Some(n) = self.worker_memory_gib {
            p.worker_memory_gib = Some(n);
        }
        if let Some(v) = &self.ase_version {
            p.ase_version = Some(v.clone());
        }
        if let Some(r) = &self.share_root {
            p.share_roots = crate::device::names(r.iter().map(String::as_str));
        }
        if let Some(r) = &self.vm_share_root {
            p.vm_share_root = r.trim().to_owned();
        }
        p
    }
}

/// `--accept`: the policy for findings the decisions file says nothing about.
#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum Accept {
    /// Nothing: the output is the input, re-encoded.
    None,
    /// Safe suggestions only.
    Auto,
    /// Safe suggestions and those that need review, with their proposed values.
    All,
}

impl From<Accept> for Policy {
    fn from(a: Accept) -> Policy {
        match a {
            Accept::None => Policy::None,
            Accept::Auto => Policy::Auto,
            Accept::All => Policy::All,
        }
    }
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum Format {
    /// Grouped by module and section, each finding after its `file:line:column`.
    Text,
    /// `{"findings": [...], "errors": [...]}`.
    Json,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
    /// GitHub Actions workflow commands (annotations).
    Github,
}

/// `--fail-on`: the lowest severity that fails the check.
#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum FailOn {
    Error,
    Warning,
    Info,
    Never,
}

impl FailOn {
    fn fails(self, s: Severity) -> bool {
        match self {
            FailOn::Error => s == Severity::Error,
            FailOn::Warning => s <= Severity::Warning,
            FailOn::Info => true,
            FailOn::Never => false,
        }
    }
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum K8sFormat {
    Yaml,
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
        None => run_app(cli.file),
        Some(Command::Check { files, format, fail_on, device }) => check(&files, format, fail_on, &device),
        Some(Command::Migrate { file, output, accept, decisions, in_place, report, device }) => run_migrate(
            &MigrateArgs { file: &file, output: output.as_deref(), decisions: decisions.as_deref(), in_place },
            accept.into(),
            report.as_deref(),
            &device,
        ),
        Some(Command::K8s { file, format, modules, device }) => k8s(&file, format, &modules, &device),
        Some(Command::Rules { format, target }) => emit(&rules_listing(format, target.map(Target::from))),
        Some(Command::Explain { id, target }) => match rule(&id) {
            Some(r) => {
                let mut text = explain(r);
                if let Some(t) = target.map(Target::from)
                    && !r.doc.targets.contains(&t)
                {
                    text.push_str(&format!("\nThis rule does not apply to the `{}` target.\n", t.name()));
                }
                emit(&text)
            }
            None => {
                let hint =
                    crate::migrate::closest_rule(&id).map_or_else(String::new, |c| format!(" (did you mean `{c}`?)"));
                eprintln!("fpga2gpu: no rule `{id}`{hint}; `fpga2gpu rules` lists them");
                ExitCode::from(2)
            }
        },
    }
}

#[cfg(feature = "gui")]
fn run_app(file: Option<PathBuf>) -> ExitCode {
    match crate::app::run(file) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("fpga2gpu: cannot start the desktop app: {e}");
            eprintln!("(the command line works without a display: fpga2gpu --help)");
            ExitCode::from(2)
        }
    }
}

#[cfg(not(feature = "gui"))]
fn run_app(_file: Option<PathBuf>) -> ExitCode {
    use clap::CommandFactory;
    eprintln!("fpga2gpu was built without the desktop app (cargo feature `gui`); use one of its commands:\n");
    eprintln!("{}", Cli::command().render_help());
    ExitCode::from(2)
}

/// Writes `text` to stdout; a failed write (a closed pipe, a full disk) is exit code 2, so a
/// pipeline never takes a truncated output for a good one.
fn emit(text: &str) -> ExitCode {
    match write_stdout(text) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("fpga2gpu: cannot write to standard output: {e}");
            ExitCode::from(2)
        }
    }
}

fn write_stdout(text: &str) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()
}

fn load(path: &Path) -> Result<Manifest, LoadError> {
    Manifest::load_file(path)
}

fn check(files: &[PathBuf], format: Format, fail_on: FailOn, device: &DeviceArgs) -> ExitCode {
    let device = device.apply(DeviceProfile::default());
    let mut code = 0u8;
    let mut text = String::new();
    let mut all = Vec::new();
    let mut failures = Vec::new();
    // For SARIF: what each file gave (findings and positions, or the error).
    let mut checked: Vec<(String, Checked)> = Vec::new();
    for file in files {
        let shown = display_path(file);
        match Manifest::read_file(file) {
            Ok((source, manifest)) => {
                let findings = crate::k8s::check(&manifest, &device);
                let positions = match Locator::new(&source, &manifest) {
                    Ok(l) => l.positions(&findings),
                    // The loader accepted it, so the source map does too; if not, place all at 1:1.
                    Err(_) => vec![Position { region: START, fragment: None, exact: false }; findings.len()],
                };
                if findings.iter().any(|f| fail_on.fails(f.severity)) {
                    code = code.max(1);
                }
                match format {
                    Format::Text => text.push_str(&findings_text(&shown, &findings, &positions)),
                    Format::Json => {
                        all.extend(findings.iter().zip(&positions).map(|(f, p)| finding_json(Some(file), f, Some(p))))
                    }
                    Format::Github => text.push_str(&crate::report::github::annotations(&shown, &findings, &positions)),
                    Format::Sarif => checked.push((shown, Ok((findings, positions)))),
                }
            }
            Err(e) => {
                code = 2;
                eprintln!("{}: {e}", file.display());
                let (line, column) = e.position().unzip();
                failures.push(
                    json!({"file": file.display().to_string(), "error": e.to_string(), "line": line, "column": column}),
                );
                match format {
                    Format::Github => text.push_str(&crate::report::github::unreadable(
                        &shown,
                        line.unwrap_or(1),
                        column.unwrap_or(1),
                        &e.to_string(),
                    )),
                    Format::Sarif => checked.push((shown, Err(e))),
                    Format::Text | Format::Json => {}
                }
            }
        }
    }
    match format {
        Format::Json => {
            let doc = json!({"findings": all, "errors": failures});
            text = serde_json::to_string_pretty(&doc).expect("JSON") + "\n";
        }
        Format::Sarif => {
            use crate::report::sarif::{FileReport, log};
            let reports: Vec<FileReport> = checked
                .iter()
                .map(|(uri, r)| match r {
                    Ok((findings, positions)) => FileReport::Checked { uri: uri_of(uri), findings, positions },
                    Err(error) => FileReport::Unreadable { uri: uri_of(uri), error },
                })
                .collect();
            text = serde_json::to_string_pretty(&log(catalogue(), &reports)).expect("SARIF serialises") + "\n";
        }
        Format::Text | Format::Github => {}
    }
    match write_stdout(&text) {
        Ok(()) => ExitCode::from(code),
        Err(e) => {
            eprintln!("fpga2gpu: cannot write to standard output: {e}");
            ExitCode::from(2)
        }
    }
}

/// What checking one file gave: its findings and their positions, or why it could not be read.
type Checked = Result<(Vec<Finding>, Vec<Position>), LoadError>;

/// Line 1, column 1: where a finding goes when nothing finer is known.
const START: Region = Region { start_line: 1, start_column: 1, end_line: 1, end_column: 1 };

/// A path as the engineer should see it: relative to the working directory when it is below it.
fn display_path(file: &Path) -> String {
    let cwd = std::env::current_dir().ok();
    let rel = cwd.as_deref().and_then(|d| file.strip_prefix(d).ok()).unwrap_or(file);
    rel.display().to_string()
}

/// A relative path as a URI reference (`/` separators, reserved characters percent-encoded).
fn uri_of(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        match c {
            '\\' => out.push('/'),
            c if c.is_ascii_alphanumeric() || "-._~/!$&'()*+,;=:@".contains(c) => out.push(c),
            c => {
                let mut buf = [0; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("%{b:02X}"));
                }
            }
        }
    }
    out
}

/// `fpga2gpu k8s`: the objects of every module (or of the ones named), as YAML or JSON.
fn k8s(file: &Path, format: K8sFormat, only: &[String], device: &DeviceArgs) -> ExitCode {
    let manifest = match load(file) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("{}: {e}", file.display());
            return ExitCode::from(2);
        }
    };
    let device = device.apply(DeviceProfile::default());
    let mut modules = crate::k8s::translate(&manifest, &device);
    if !only.is_empty() {
        let unknown: Vec<&String> =
            only.iter().filter(|o| !modules.iter().any(|m| m.module == **o || m.id == **o)).collect();
        if !unknown.is_empty() {
            let list: Vec<String> = unknown.iter().map(|u| format!("`{u}`")).collect();
            eprintln!("{}: no module {} in the manifest", file.display(), list.join(", "));
            return ExitCode::from(2);
        }
        modules.retain(|m| only.iter().any(|o| *o == m.module || *o == m.id));
    }
    let text = match format {
        K8sFormat::Yaml => crate::k8s::to_yaml(&modules),
        K8sFormat::Json => serde_json::to_string_pretty(&crate::k8s::to_json(&modules)).expect("JSON") + "\n",
    };
    for m in crate::k8s::refused(&modules) {
        eprintln!("{}: the agent would refuse `{}`: {}", file.display(), m.id, m.error.as_deref().unwrap_or(""));
    }
    match write_stdout(&text) {
        Ok(()) => ExitCode::from(if crate::k8s::refused(&modules).next().is_some() { 1 } else { 0 }),
        Err(e) => {
            eprintln!("fpga2gpu: cannot write to standard output: {e}");
            ExitCode::from(2)
        }
    }
}

/// One finding as the JSON the CLI prints (and CI pipelines parse).
pub fn finding_json(file: Option<&Path>, f: &Finding, position: Option<&Position>) -> Value {
    let mut v = json!({
        "rule": f.rule,
        "section": f.section,
        "severity": f.severity,
        "module": f.module,
        "path": f.location.to_string(),
        "message": f.message,
        "reason": f.reason,
        "fix": f.fix().name(),
        "suggestion": f.suggestion,
        "step": f.step,
    });
    if let (Some(p), Value::Object(o)) = (position, &mut v) {
        let r = &p.region;
        o.insert(
            "region".to_owned(),
            json!({"start_line": r.start_line, "start_column": r.start_column, "end_line": r.end_line, "end_column": r.end_column}),
        );
    }
    if let (Some(file), Value::Object(o)) = (file, &mut v) {
        o.shift_insert(0, "file".to_owned(), Value::String(file.display().to_string()));
    }
    v
}

/// How a finding's fix reads in text output.
fn fix_text(f: &Finding) -> String {
    match (&f.suggestion, f.fix()) {
        (Some(s), fix) => format!(" [{}: {}]", fix.name(), s.summary),
        (None, Fix::Manual) => " [manual]".to_owned(),
        (None, _) => String::new(),
    }
}

/// "1 error", "2 warnings".
fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Findings grouped by module and section, for people; each after its `file:line:column`, which
/// terminals and editors follow.
pub fn findings_text(file: &str, findings: &[Finding], positions: &[Position]) -> String {
    let count = |s| findings.iter().filter(|f| f.severity == s).count();
    let mut s = format!(
        "{file}: {}, {}, {}\n",
        plural(count(Severity::Error), "error", "errors"),
        plural(count(Severity::Warning), "warning", "warnings"),
        plural(count(Severity::Info), "info", "info")
    );
    let mut module: Option<Option<&str>> = None;
    let mut section = None;
    for (f, p) in findings.iter().zip(positions) {
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
        s.push_str(&format!(
            "      {file}:{}:{}: {:<7} {} {}{}\n",
            p.region.start_line,
            p.region.start_column,
            f.severity.name(),
            f.rule,
            crate::report::quoted_message(f, p),
            fix_text(f)
        ));
        s.push_str(&format!("          at {}\n", f.location));
    }
    let steps = crate::report::checklist(findings);
    if !steps.is_empty() {
        s.push_str("  before you deploy (on the device)\n");
        for step in steps {
            let inferred = if step.inferred { " (inferred, not documented by Microsoft)" } else { "" };
            s.push_str(&format!("    [ ] {}{inferred}\n", step.action));
            for line in step.detail.lines() {
                s.push_str(&format!("          {line}\n"));
            }
        }
    }
    s
}

struct MigrateArgs<'a> {
    file: &'a Path,
    output: Option<&'a Path>,
    decisions: Option<&'a Path>,
    in_place: bool,
}

fn run_migrate(args: &MigrateArgs, accept: Policy, report: Option<&Path>, device: &DeviceArgs) -> ExitCode {
    let file = args.file;
    let manifest = match load(file) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("{}: {e}", file.display());
            return ExitCode::from(2);
        }
    };
    let decisions = match args.decisions.map(|p| std::fs::read_to_string(p).map(|t| (p, t))) {
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
    let device = device.apply(decisions.device.clone().unwrap_or_default());
    let target = match (args.output, args.in_place) {
        (Some(o), _) => Some(o.to_owned()),
        (None, true) => Some(file.to_owned()),
        (None, false) => None,
    };
    if let Some(t) = &target
        && !args.in_place
        && crate::manifest::same_file(t, file)
    {
        eprintln!("fpga2gpu: refusing to overwrite the input {}; pass --in-place to do that", file.display());
        return ExitCode::from(2);
    }
    let check = &crate::k8s::check;
    let findings = check(&manifest, &device);
    let outcome =
        migrate_checked(&manifest, &device, check, &findings, |f| decisions.decide(f).or_else(|| accept.decide(f)));
    let text = outcome.text(&manifest);
    let left = match remaining(&manifest, &outcome, &device, check) {
        Ok(left) => left,
        Err(e) => {
            eprintln!("fpga2gpu: {e}; nothing was written (this is a bug: please report it with the input)");
            return ExitCode::from(2);
        }
    };
    if let Some(report) = report {
        let name = file.file_name().map_or_else(|| file.display().to_string(), |n| n.to_string_lossy().into_owned());
        let md = crate::report::markdown_report(&name, &device, &manifest, &findings, &outcome, &left);
        if let Err(e) = write_atomic(report, md.as_bytes(), true) {
            eprintln!("fpga2gpu: {e}");
            return ExitCode::from(2);
        }
    }
    let written = match &target {
        Some(t) => write_atomic(t, text.as_bytes(), true).map_err(|e| e.to_string()),
        None => write_stdout(&text).map_err(|e| format!("cannot write to standard output: {e}")),
    };
    if let Err(e) = written {
        eprintln!("fpga2gpu: {e}");
        return ExitCode::from(2);
    }
    let applied = outcome.applied().count();
    eprintln!(
        "{}: applied {applied} of {} suggestions",
        file.display(),
        findings.iter().filter(|f| f.suggestion.is_some()).count()
    );
    let mut failed: Vec<_> = outcome.failed().collect();
    failed.sort();
    for (k, why) in failed {
        eprintln!("  not applied: {} on {}: {why}", k.rule, k.module.as_deref().unwrap_or("the deployment"));
    }
    for w in &outcome.warnings {
        eprintln!("  warning: {w}");
    }
    for (from, to) in &outcome.renamed {
        eprintln!("  renamed `{from}` → `{to}`: {}", crate::report::RENAME_NOTE);
    }
    let mut open: Vec<&Finding> = left.iter().filter(|f| f.fix() != Fix::None).collect();
    open.sort_by_key(|f| f.severity);
    let errors = open.iter().filter(|f| f.severity == Severity::Error).count();
    if !open.is_empty() {
        eprintln!(
            "  still open on the output: {}, {}",
            plural(errors, "error", "errors"),
            plural(open.len() - errors, "other finding", "other findings")
        );
        for f in &open {
            eprintln!(
                "    {:<7} {} {}: {}",
                f.severity.name(),
                f.rule,
                f.module.as_deref().unwrap_or("deployment"),
                f.message
            );
        }
    }
    ExitCode::from(if errors > 0 { 1 } else { 0 })
}

/// The targets a rule applies to, for listings (`k8s`, `vm`, `k8s, vm`).
fn targets_text(r: &Rule) -> String {
    r.doc.targets.iter().map(|t| t.name()).collect::<Vec<_>>().join(", ")
}

/// The catalogue (of one target, or all of it) as text, Markdown (the README's table) or JSON.
pub fn rules_listing(format: RulesFormat, target: Option<Target>) -> String {
    let rules: Vec<&Rule> =
        catalogue().iter().copied().filter(|r| target.is_none_or(|t| r.doc.targets.contains(&t))).collect();
    match format {
        RulesFormat::Text => rules
            .iter()
            .map(|r| {
                let d = &r.doc;
                format!(
                    "{}  {:<9} {:<7} {:<9} {:<7} {}\n",
                    d.id,
                    d.section.name(),
                    d.severity.name(),
                    d.fix.name(),
                    targets_text(r),
                    d.title
                )
            })
            .collect(),
        RulesFormat::Markdown => {
            let mut s = String::from("| id | section | severity | fix | targets | rule |\n|---|---|---|---|---|---|\n");
            for r in rules {
                let d = &r.doc;
                s.push_str(&format!(
                    "| {} | {} | {} | {} | {} | {} |\n",
                    d.id,
                    d.section.name(),
                    d.severity.name(),
                    d.fix.name(),
                    targets_text(r),
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
        "id": d.id, "section": d.section, "severity": d.severity, "fix": d.fix, "targets": d.targets, "title": d.title,
        "detects": d.detects, "why": d.why, "before": d.before, "after": d.after, "fix_safety": d.fix_safety,
    })
}

/// The whole documentation of a rule, for `fpga2gpu explain`.
pub fn explain(r: &Rule) -> String {
    let d = &r.doc;
    format!(
        "{id}: {title}\n\nsection: {section}    severity: {sev}    fix: {fix}    targets: {targets}\n\nWhat it detects\n  {detects}\n\nWhy it matters on the GPU device\n  {why}\n\nExample\n  before: {before}\n  after:  {after}\n\nHow safe the fix is\n  {safety}\n",
        id = d.id,
        title = d.title,
        section = d.section.title(),
        sev = d.severity.name(),
        fix = d.fix.name(),
        targets = targets_text(r),
        detects = d.detects,
        why = d.why,
        before = d.before,
        after = d.after,
        safety = d.fix_safety,
    )
}
