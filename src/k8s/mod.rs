//! The Kubernetes preview: the objects the device's IoT Edge agent (the archived Kubernetes edge
//! agent, `archive/release/1.1-k8s-preview`) would create for each module, and the pre-flight that
//! checks them the way the API server and the scheduler would.
//!
//! The translation ports the agent's mappers faithfully: a Deployment (with the proxy side-car in
//! every pod), a Service when the module has ports, a PersistentVolumeClaim per `volume` mount when
//! the agent has a storage class, and a ServiceAccount. Where the agent would throw (an incomplete
//! mount, a name it cannot sanitise, a `Cmd` that is not a list, a known Docker setting of the
//! wrong JSON type), the module gets an error instead of objects, and the others still translate.
//!
//! Layers: above [`crate::migrate`] (it translates migrated manifests too), below the report, the
//! CLI and the app.

pub mod agent;
pub mod dotnet;
pub mod newtonsoft;
pub mod preflight;
mod translate;

pub use preflight::check;
pub use translate::{translate, translate_only};

use crate::manifest::Location;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{PersistentVolumeClaim, Service, ServiceAccount};
use serde::Serialize;
use serde_json::Value;

/// One object the agent creates, in the Kubernetes API's own types.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Object {
    ServiceAccount(ServiceAccount),
    Service(Service),
    /// Boxed: a pod spec is large.
    Deployment(Box<Deployment>),
    PersistentVolumeClaim(PersistentVolumeClaim),
}

impl Object {
    /// `Deployment`, `Service`…
    pub fn kind(&self) -> &'static str {
        match self {
            Object::ServiceAccount(_) => "ServiceAccount",
            Object::Service(_) => "Service",
            Object::Deployment(_) => "Deployment",
            Object::PersistentVolumeClaim(_) => "PersistentVolumeClaim",
        }
    }

    /// `metadata.name`.
    pub fn name(&self) -> &str {
        let meta = match self {
            Object::ServiceAccount(o) => &o.metadata,
            Object::Service(o) => &o.metadata,
            Object::Deployment(o) => &o.metadata,
            Object::PersistentVolumeClaim(o) => &o.metadata,
        };
        meta.name.as_deref().unwrap_or("")
    }

    /// The object as the API server receives it: `apiVersion`, `kind`, `metadata`, `spec`.
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).expect("Kubernetes objects serialise")
    }

    /// The object as one YAML document (without the `---` separator).
    pub fn to_yaml(&self) -> String {
        serde_yaml_ng::to_string(self).expect("Kubernetes objects serialise")
    }
}

/// What the agent does with one module.
#[derive(Clone, Debug, PartialEq)]
pub struct ModuleObjects {
    /// The module's key under `systemModules` or `modules` (`edgeAgent`, `camera`).
    pub module: String,
    /// Its IoT Hub module id, as the agent names it: `$edgeAgent`, `$edgeHub`, or the key.
    pub id: String,
    /// Its objects, in the order the agent creates them: ServiceAccount, Service, Deployment, PVCs.
    /// A PVC two modules share is listed with the first (the agent creates it once).
    pub objects: Vec<Object>,
    /// Why the agent would refuse the module (then there are no objects).
    pub error: Option<String>,
    /// Where each part of the objects comes from in the manifest, for the pre-flight's findings.
    pub(crate) sources: Sources,
}

impl ModuleObjects {
    /// The module as the CLI's JSON output writes it.
    pub fn to_json(&self) -> Value {
        serde_json::json!({
            "module": self.id,
            "objects": self.objects.iter().map(Object::to_json).collect::<Vec<_>>(),
            "error": self.error,
        })
    }

    /// The module's objects as a multi-document YAML stream, each document preceded by a comment
    /// naming the module (a refused module is one comment saying why).
    pub fn to_yaml(&self) -> String {
        let mut out = String::new();
        if let Some(e) = &self.error {
            out.push_str(&format!("# module {}: the agent would refuse it: {}\n", self.id, e.replace('\n', " ")));
        }
        for o in &self.objects {
            out.push_str(&format!("---\n# module {}: {} {}\n", self.id, o.kind(), o.name()));
            out.push_str(&o.to_yaml());
        }
        out
    }

    pub fn deployment(&self) -> Option<&Deployment> {
        self.objects.iter().find_map(|o| match o {
            Object::Deployment(d) => Some(d.as_ref()),
            _ => None,
        })
    }

    pub fn service(&self) -> Option<&Service> {
        self.objects.iter().find_map(|o| match o {
            Object::Service(s) => Some(s),
            _ => None,
        })
    }

    /// Its Service's type as the API server reads it (no `type` is ClusterIP); `None` without one.
    pub fn service_type(&self) -> Option<&str> {
        self.service().map(|s| s.spec.as_ref().and_then(|s| s.type_.as_deref()).unwrap_or("ClusterIP"))
    }

    /// Its Service takes an address from the device's external service IP range.
    pub fn takes_external_ip(&self) -> bool {
        self.service_type() == Some("LoadBalancer")
    }

    pub fn claims(&self) -> impl Iterator<Item = &PersistentVolumeClaim> {
        self.objects.iter().filter_map(|o| match o {
            Object::PersistentVolumeClaim(p) => Some(p),
            _ => None,
        })
    }

    /// The GPUs its running pod asks for (`nvidia.com/gpu` limits, else requests, of every
    /// container); none for a stopped module (0 replicas) or a quantity that is no whole number.
    pub fn gpus(&self) -> f64 {
        let Some(spec) = self.deployment().and_then(|d| d.spec.as_ref()) else { return 0.0 };
        if spec.replicas == Some(0) {
            return 0.0;
        }
        let gpu = |m: Option<
            &std::collections::BTreeMap<String, k8s_openapi::apimachinery::pkg::api::resource::Quantity>,
        >| {
            m.and_then(|m| m.get("nvidia.com/gpu"))
                .and_then(|q| crate::rules::shared::quantity::value(&q.0))
                .filter(|v| *v >= 0.0 && v.fract() == 0.0)
        };
        spec.template
            .spec
            .iter()
            .flat_map(|s| &s.containers)
            .filter_map(|c| c.resources.as_ref())
            .map(|r| gpu(r.limits.as_ref()).or(gpu(r.requests.as_ref())).unwrap_or(0.0))
            .sum()
    }

    pub fn service_account(&self) -> Option<&ServiceAccount> {
        self.objects.iter().find_map(|o| match o {
            Object::ServiceAccount(s) => Some(s),
            _ => None,
        })
    }
}

/// Where the parts of a module's objects come from in the manifest (parallel to the objects'
/// lists), so that a pre-flight finding points at what the engineer wrote.
#[derive(Clone, Debug, PartialEq, Default)]
pub(crate) struct Sources {
    /// The module itself (its key).
    pub module: Option<Location>,
    /// Where the refusal comes from, and whether it is the deployment's name collision.
    pub error: Option<Location>,
    pub collision: bool,
    /// Each pod volume.
    pub volumes: Vec<Location>,
    /// Each volume mount of the module's container.
    pub mounts: Vec<Location>,
    /// Each port of the module's container.
    pub container_ports: Vec<Location>,
    /// Each Service port.
    pub service_ports: Vec<Location>,
    /// The Service's type and load balancer IP.
    pub service_type: Option<Location>,
    pub load_balancer_ip: Option<Location>,
    /// The container's resources.
    pub resources: Option<Location>,
    /// Each PVC the module lists.
    pub claims: Vec<Location>,
}

/// Every module's objects as the CLI's JSON document: `{"modules": [...]}`.
pub fn to_json(modules: &[ModuleObjects]) -> Value {
    serde_json::json!({ "modules": modules.iter().map(ModuleObjects::to_json).collect::<Vec<_>>() })
}

/// Every module's objects as one YAML stream.
pub fn to_yaml(modules: &[ModuleObjects]) -> String {
    modules.iter().map(ModuleObjects::to_yaml).collect()
}

/// The modules of `manifest` the agent would refuse.
pub fn refused(modules: &[ModuleObjects]) -> impl Iterator<Item = &ModuleObjects> {
    modules.iter().filter(|m| m.error.is_some())
}
