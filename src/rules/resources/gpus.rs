//! The deployment's GPUs, decided together. A GPU is whole and exclusive on Kubernetes
//! (`nvidia.com/gpu` cannot be shared or over-committed) and an Azure Stack Edge Pro GPU has one or
//! two: every module that asks for one takes it from the others, and a pod whose GPUs are taken
//! stays Pending. So the GPU limits RES001 (FPGA resource) and RES003 (Docker GPU settings)
//! propose are budgeted over the whole deployment, and RES010 reports a deployment that asks for
//! more than the device has.
//!
//! The budget ([`Plan::new`]):
//! 1. GPU limits already written (or a GPU request, which RES006 makes the limit) count first:
//!    they are the engineer's.
//! 2. Modules that certainly compute on an accelerator (an FPGA resource, `/dev/catapult*`,
//!    `/dev/nvidia*`, a GPU device request, `Runtime: nvidia`) get what they ask for, in module
//!    order, as long as the device has GPUs left; a module beyond the budget gets none by default.
//! 3. Then modules whose only GPU setting is a placeholder runtime (`<Docker Runtime>`), from what
//!    is left.
//! 4. Modules that only watch GPUs ([`devices::monitoring`]) get none by default.
//!
//! A placeholder count (`"$GPUS"`) is carried over as it is and not counted.
//!
//! A module that computes but is left without a GPU shares one instead of getting `0` (NEW-5 of
//! TRAPS.md): ASE's own GPU sharing runs several modules on one GPU with no `nvidia.com/gpu` limit
//! and `NVIDIA_VISIBLE_DEVICES=<index>` in each (`azure-stack-edge-gpu-deploy-iot-edge-gpu-sharing.md`:
//! "Use the same environment variable as both the modules will share the same GPU").

use super::devices::{self, Item, Kind, Wants};
use crate::manifest::Module;
use crate::manifest::placeholder::contains_placeholder;
use crate::rules::shared::env;
use crate::rules::shared::k8s::{self, FPGA, GPU};
use crate::rules::shared::keys::shown;
use crate::rules::{Context, Edit, Suggestion};
use serde_json::Value;

/// What a module asks for, and what the plan gives it.
#[derive(Debug, Clone)]
pub enum Ask {
    /// A GPU limit already in `k8s-experimental` (or a request without a limit): `count` when it
    /// is a whole number, `shown` as written.
    Written { count: Option<u64>, shown: String, request: bool },
    /// A limit RES001 or RES003 proposes.
    Proposed(Proposal),
}

/// Where a proposal comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// RES001: `microsoft.com/fpga_catapult` in `k8s-experimental.resources`.
    FpgaResource,
    /// RES003: `Devices`, `DeviceRequests`, `Runtime`.
    DockerSettings,
}

/// What kind of GPU user a module is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Role {
    /// It computes on the accelerator (FPGA or GPU).
    Compute,
    /// It looks like a monitor that only reads GPU metrics (why, for messages).
    Monitor(String),
    /// Its only GPU setting is a placeholder runtime: it uses a GPU if that becomes `nvidia`.
    Uncertain(String),
}

/// The GPU limit proposed for one module.
#[derive(Debug, Clone)]
pub struct Proposal {
    pub source: Source,
    pub role: Role,
    /// What its settings ask for (a count, or a placeholder carried over).
    pub wants: Wants,
    /// What the budget gives it; `None` for a placeholder.
    pub granted: Option<u64>,
    /// The modules holding the device's GPUs (name, GPUs): written limits, then the modules
    /// served before it; set when it gets fewer than it asks for.
    pub holders: Vec<(String, u64)>,
}

impl Proposal {
    /// The value the suggestion writes at `limits["nvidia.com/gpu"]`.
    pub fn value(&self) -> Value {
        match (&self.wants, self.granted) {
            (Wants::Placeholder(p), _) => Value::String(p.clone()),
            (_, g) => Value::from(g.unwrap_or(0)),
        }
    }

    /// What it asks for, as a number (`None` for a placeholder).
    pub fn wanted(&self) -> Option<u64> {
        match self.wants {
            Wants::Count(n) => Some(n),
            Wants::Placeholder(_) => None,
        }
    }

    /// It gets everything it asks for.
    pub fn complete(&self) -> bool {
        self.granted.is_some() && self.granted == self.wanted()
    }

    /// A module that computes on an accelerator but is left without a GPU on a device that has
    /// some: it time-shares one instead ([`time_share`]; NEW-5 of TRAPS.md).
    pub fn time_shares(&self, device: u64) -> bool {
        device > 0 && self.role == Role::Compute && self.granted == Some(0) && self.wanted().is_some_and(|w| w > 0)
    }

    /// Why it gets fewer GPUs than it asks for, for messages; empty when it gets them all.
    pub fn shortfall(&self, device: u64) -> String {
        let (Some(wanted), Some(granted)) = (self.wanted(), self.granted) else { return String::new() };
        if granted >= wanted || self.role != Role::Compute {
            return String::new();
        }
        let has = format!("the device has {device} GPU{}", plural(device));
        if self.holders.is_empty() {
            return has;
        }
        let held: Vec<String> = self.holders.iter().map(|(m, n)| format!("`{m}` ({n})")).collect();
        let left = if granted == 0 {
            "none is left".to_owned()
        } else {
            format!("{granted} {} left", if granted == 1 { "is" } else { "are" })
        };
        format!("{has}, held by {}: {left}", held.join(", "))
    }
}

/// One module's GPUs.
#[derive(Debug, Clone)]
pub struct Entry<'m> {
    pub module: &'m Module,
    pub ask: Ask,
}

/// The deployment's GPUs: what each module asks for and what the suggestions give it.
#[derive(Debug, Clone)]
pub struct Plan<'m> {
    /// The GPUs of the device (`--gpus`).
    pub device: u64,
    /// Modules with a GPU limit or a proposal, in module order.
    pub entries: Vec<Entry<'m>>,
    /// For each module of the manifest (by position), its entry.
    by_position: Vec<Option<usize>>,
}

impl<'m> Plan<'m> {
    pub fn new(ctx: &Context<'m>) -> Plan<'m> {
        let device = u64::from(ctx.device.gpus);
        let mut entries: Vec<Entry<'m>> = Vec::new();
        let mut by_position = Vec::with_capacity(ctx.manifest.modules.len());
        for m in &ctx.manifest.modules {
            let entry = ask(m, device);
            by_position.push(entry.is_some().then_some(entries.len()));
            entries.extend(entry);
        }
        let mut holders: Vec<(String, u64)> = Vec::new();
        let mut written = 0u64;
        for e in &entries {
            if let Ask::Written { count: Some(n), .. } = e.ask {
                written = written.saturating_add(n);
                if n > 0 {
                    holders.push((e.module.name.clone(), n));
                }
            }
        }
        let mut left = device.saturating_sub(written);
        for tier in [Tier::Certain, Tier::Placeholder] {
            for e in entries.iter_mut() {
                let Ask::Proposed(p) = &mut e.ask else { continue };
                let this_tier = match p.role {
                    Role::Compute => Tier::Certain,
                    Role::Uncertain(_) => Tier::Placeholder,
                    Role::Monitor(_) => {
                        p.granted = Some(0);
                        continue;
                    }
                };
                if this_tier != tier {
                    continue;
                }
                let Some(wanted) = p.wanted() else { continue };
                let granted = wanted.min(left);
                left -= granted;
                if granted < wanted {
                    p.holders = holders.clone();
                }
                p.granted = Some(granted);
                if granted > 0 {
                    holders.push((e.module.name.clone(), granted));
                }
            }
        }
        Plan { device, entries, by_position }
    }

    /// The proposal for the module at `position` in the manifest, if the plan has one.
    pub fn proposal(&self, position: usize) -> Option<&Proposal> {
        let entry = &self.entries[(*self.by_position.get(position)?)?];
        match &entry.ask {
            Ask::Proposed(p) => Some(p),
            Ask::Written { .. } => None,
        }
    }

    /// What the modules ask for together: written limits, and what the modules that compute ask
    /// for (monitors count as 0, placeholders are not counted).
    pub fn demand(&self) -> u64 {
        self.entries
            .iter()
            .filter_map(|e| match &e.ask {
                Ask::Written { count, .. } => *count,
                Ask::Proposed(p) if p.role == Role::Compute => p.wanted(),
                Ask::Proposed(_) => None,
            })
            .fold(0u64, u64::saturating_add)
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Tier {
    Certain,
    Placeholder,
}

/// A GPU count as written in `k8s-experimental`: a whole number ≥ 0.
pub fn whole(value: &Value) -> Option<u64> {
    k8s::count(value).and_then(|n| u64::try_from(n).ok())
}

/// The module's GPU limit (or request) already written.
pub fn written(module: &Module) -> Option<Ask> {
    let (value, request) = match k8s::resource(module, "limits", GPU) {
        Some(v) => (v, false),
        None => (k8s::resource(module, "requests", GPU)?, true),
    };
    Some(Ask::Written { count: whole(value), shown: shown(value), request })
}

/// The module's FPGA resource (`microsoft.com/fpga_catapult` in limits, else in requests, name
/// matched ignoring case): the part, the name as written and the value.
pub fn fpga_resource(module: &Module) -> Option<(&'static str, &str, &Value)> {
    ["limits", "requests"].into_iter().find_map(|part| {
        k8s::part(module, part)?
            .iter()
            .find(|(n, _)| n.trim().eq_ignore_ascii_case(FPGA))
            .map(|(n, v)| (part, n.as_str(), v))
    })
}

fn ask(module: &Module, device: u64) -> Option<Entry<'_>> {
    if let Some(w) = written(module) {
        return Some(Entry { module, ask: w });
    }
    let proposal = |source, role, wants| Entry {
        module,
        ask: Ask::Proposed(Proposal { source, role, wants, granted: None, holders: Vec::new() }),
    };
    if let Some((_, _, value)) = fpga_resource(module) {
        let wants = match (value, whole(value)) {
            (_, Some(0)) => return None,
            (_, Some(n)) => Wants::Count(n),
            (Value::String(s), None) if contains_placeholder(s) => Wants::Placeholder(s.clone()),
            (_, None) if k8s::count(value).is_some_and(|n| n < 0) => return None,
            _ => Wants::Count(1),
        };
        return Some(proposal(Source::FpgaResource, Role::Compute, wants));
    }
    let items = devices::items(module);
    let gpu: Vec<&Item> = items.iter().filter(|i| i.is_gpu()).collect();
    if gpu.is_empty() {
        return None;
    }
    let role = if gpu.iter().any(|i| i.kind == Kind::Catapult) {
        Role::Compute
    } else if let Some(why) = devices::monitoring(module) {
        Role::Monitor(why)
    } else if let Some(Kind::RuntimePlaceholder(p)) =
        gpu.iter().all(|i| matches!(i.kind, Kind::RuntimePlaceholder(_))).then(|| &gpu[0].kind)
    {
        Role::Uncertain(p.clone())
    } else {
        Role::Compute
    };
    Some(proposal(Source::DockerSettings, role, devices::wants(&items, device)))
}

/// `s` for counts other than one.
pub fn plural(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// ASE's GPU sharing for one module, as edits: `NVIDIA_VISIBLE_DEVICES=0` in its `env` (or its
/// existing variable set to 0 when it selects no GPU), nothing when it already selects GPUs.
pub struct TimeShare {
    /// The edit that selects the GPU, if one is needed, and where in its fragment the GPU index
    /// goes (`None`: the fragment is `NAME=0`, no index alone to type).
    pub select: Option<(Edit, Option<&'static str>)>,
    /// The variable as it already is (`NVIDIA_VISIBLE_DEVICES=1`), when it already selects GPUs.
    pub existing: Option<String>,
}

/// How `module` time-shares a GPU.
pub fn time_share(module: &Module) -> TimeShare {
    let vars = env::vars(module);
    let first = env::named(&vars, VISIBLE_DEVICES).next();
    match first {
        Some(v) if v.value.as_deref().and_then(Selection::value).is_some() => {
            TimeShare { select: None, existing: Some(format!("{}={}", v.name, v.value.as_deref().unwrap_or_default())) }
        }
        Some(v) => {
            let input = (v.place == env::Place::Section).then_some("");
            TimeShare {
                select: Some((Edit::Set { at: v.value_at.clone(), value: v.written("0") }, input)),
                existing: None,
            }
        }
        None => TimeShare {
            select: Some((
                Edit::Set { at: env::section_at(module, VISIBLE_DEVICES), value: serde_json::json!({"value": "0"}) },
                Some("/value"),
            )),
            existing: None,
        },
    }
}

impl TimeShare {
    /// The suggestion: the selecting edit (the typed value is the GPU index), then `removals`.
    pub fn suggestion(self, summary: String, removals: Vec<Edit>) -> Suggestion {
        match self.select {
            Some((edit, input)) => {
                let s = Suggestion::new(summary, std::iter::once(edit).chain(removals).collect());
                match input {
                    Some(at) => s.with_input(
                        "GPU to share (NVIDIA_VISIBLE_DEVICES)",
                        0,
                        at,
                        Some(serde_json::Value::String("0".into())),
                    ),
                    None => s.review(),
                }
            }
            None => Suggestion::new(summary, removals).review(),
        }
    }

    /// What the module's `NVIDIA_VISIBLE_DEVICES` becomes, for messages.
    pub fn selects(&self) -> String {
        self.existing.clone().unwrap_or_else(|| format!("{VISIBLE_DEVICES}=0"))
    }
}

/// The NVIDIA container runtime's variable naming the GPUs a container sees.
pub const VISIBLE_DEVICES: &str = "NVIDIA_VISIBLE_DEVICES";

/// The GPUs an `NVIDIA_VISIBLE_DEVICES` value selects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// `all`.
    All,
    /// Indexes or UUIDs (`0,1`, `GPU-…`).
    Ids(Vec<String>),
}

impl Selection {
    /// The value, as `NVIDIA_VISIBLE_DEVICES` or a request's `DeviceIDs` spells it.
    pub fn value(text: &str) -> Option<Selection> {
        let t = text.trim();
        if t.is_empty() || contains_placeholder(t) {
            return None;
        }
        match t.to_ascii_lowercase().as_str() {
            "void" | "none" => None,
            "all" => Some(Selection::All),
            _ => Some(Selection::Ids(t.split(',').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect())),
        }
    }

    /// IDs that name no GPU of a device (or VM) with `gpus` GPUs: an index it does not have (`1`
    /// on a one-GPU device), or anything that is neither an index nor a GPU or MIG UUID.
    pub fn missing(&self, gpus: u64) -> Vec<&str> {
        match self {
            Selection::All => Vec::new(),
            Selection::Ids(ids) => ids.iter().map(String::as_str).filter(|id| !names_gpu(id, gpus)).collect(),
        }
    }
}

/// `id` names a GPU of a device with `gpus` GPUs: an index below `gpus`, or a UUID (`GPU-…`,
/// `MIG-…`, which cannot be checked here).
pub fn names_gpu(id: &str, gpus: u64) -> bool {
    let id = id.trim();
    match id.parse::<u64>() {
        Ok(n) => n < gpus,
        Err(_) => ["GPU-", "MIG-"].iter().any(|p| id.len() > p.len() && id[..p.len()].eq_ignore_ascii_case(p)),
    }
}
