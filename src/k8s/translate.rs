//! The agent's mappers, ported: a module (read from the typed model) → its Kubernetes objects.
//!
//! Sources, all under `edge-agent/src/Microsoft.Azure.Devices.Edge.Agent.Kubernetes/` at
//! `archive/release/1.1-k8s-preview`: `KubernetesDeploymentMapper` (pod, containers, env,
//! volumes), `KubernetesServiceMapper` and `PortExtensions` (Service), `KubernetesPvcMapper`,
//! `KubernetesServiceAccountMapper`, `CombinedKubernetesConfigProvider` (`Cmd`, `Entrypoint`,
//! `WorkingDir`, `k8s-experimental`), `EdgeDeploymentController` (labels, PVCs shared by name),
//! `KubernetesPlanner` (name collisions) and the Docker model the createOptions are read into.

use super::dotnet::{self, PortKey, ServiceTypeValue};
use super::newtonsoft::{self, primitive_text};
use super::{ModuleObjects, Object, Sources, agent};
use crate::device::{DeviceProfile, ServiceType};
use crate::manifest::model::{Container, Field, HostConfig, lookup};
use crate::manifest::placeholder::contains_placeholder;
use crate::manifest::{CreateOptionsProblem, Location, Manifest, Module, Pointer, json_kind};
use crate::rules::shared::names;
use k8s_openapi::api::apps::v1::{Deployment, DeploymentSpec, DeploymentStrategy};
use k8s_openapi::api::core::v1::{
    ConfigMapVolumeSource, Container as K8sContainer, ContainerPort, EnvVar, HostPathVolumeSource,
    LocalObjectReference, PersistentVolumeClaim, PersistentVolumeClaimSpec, PersistentVolumeClaimVolumeSource,
    PodSecurityContext, PodSpec, PodTemplateSpec, ResourceRequirements, SecurityContext, Service, ServiceAccount,
    ServicePort, ServiceSpec, Volume, VolumeMount, VolumeResourceRequirements,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta, OwnerReference};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use serde::Deserialize;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap, HashSet};

type Labels = BTreeMap<String, String>;

/// Why the agent refuses a module, and what in the manifest causes it.
#[derive(Debug, Clone)]
struct Refusal {
    message: String,
    at: Location,
    /// The planner's name collision (reported as such, not as one module's refusal).
    collision: bool,
}

fn refuse<T>(at: Location, message: impl Into<String>) -> Result<T, Refusal> {
    Err(Refusal { message: message.into(), at, collision: false })
}

/// Translates every module, in the manifest's order (system modules first).
pub fn translate(manifest: &Manifest, device: &DeviceProfile) -> Vec<ModuleObjects> {
    translate_only(manifest, device, |_| true)
}

/// Translates the modules `wanted` picks (by name), as [`translate`] would: every module still
/// counts for name collisions, and a claim several modules share stays with the first of them,
/// so with a storage class (without one there are no claims) the modules before a wanted one are
/// translated too, and left out. The app's view translates the selected module alone with it.
pub fn translate_only(
    manifest: &Manifest,
    device: &DeviceProfile,
    wanted: impl Fn(&str) -> bool,
) -> Vec<ModuleObjects> {
    let deployment = DeploymentWide::new(manifest, device);
    let mut claims_made: HashSet<String> = HashSet::new();
    let last = manifest.modules.iter().rposition(|m| wanted(&m.name)).map_or(0, |i| i + 1);
    let claims = device.storage_class.is_some();
    manifest.modules[..last]
        .iter()
        .filter(|m| claims || wanted(&m.name))
        .map(|m| {
            let mut out = ModuleObjects {
                module: m.name.clone(),
                id: module_id(m),
                objects: Vec::new(),
                error: None,
                sources: Sources { module: Some(m.location()), ..Sources::default() },
            };
            match deployment.refusal(m).map_or_else(|| Translator { d: &deployment, m }.run(), Err) {
                Ok(t) => {
                    out.objects.push(Object::ServiceAccount(t.service_account));
                    if let Some(s) = t.service {
                        out.objects.push(Object::Service(s));
                    }
                    out.objects.push(Object::Deployment(Box::new(t.deployment)));
                    for (claim, at) in t.claims {
                        // The controller creates one claim per name, the first module's.
                        if claims_made.insert(claim.metadata.name.clone().unwrap_or_default()) {
                            out.objects.push(Object::PersistentVolumeClaim(claim));
                            out.sources.claims.push(at);
                        }
                    }
                    let s = t.sources;
                    out.sources = Sources { module: out.sources.module, claims: out.sources.claims, ..s };
                }
                Err(r) => {
                    out.error = Some(r.message);
                    out.sources.error = Some(r.at);
                    out.sources.collision = r.collision;
                }
            }
            out
        })
        .filter(|out| wanted(&out.module))
        .collect()
}

/// `$edgeAgent`, `$edgeHub`, or the module's key: its IoT Hub module identity.
fn module_id(m: &Module) -> String {
    if m.system { format!("${}", m.name) } else { m.name.clone() }
}

/// What the agent works out once per deployment.
struct DeploymentWide<'a> {
    manifest: &'a Manifest,
    device: &'a DeviceProfile,
    /// The device id as a label value, or why the agent cannot make it one.
    device_label: Result<String, String>,
    /// Modules whose names collide once sanitised: the planner refuses the whole deployment.
    collisions: HashMap<String, Vec<String>>,
    /// `registryCredentials` of `$edgeAgent`: (address, username).
    credentials: Vec<(String, String)>,
}

impl<'a> DeploymentWide<'a> {
    fn new(manifest: &'a Manifest, device: &'a DeviceProfile) -> DeploymentWide<'a> {
        let mut groups: HashMap<String, Vec<String>> = HashMap::new();
        for m in &manifest.modules {
            if let Ok(n) = names::k8s_value(&m.name) {
                groups.entry(n).or_default().push(m.name.clone());
            }
        }
        let mut collisions = HashMap::new();
        for list in groups.into_values().filter(|l| l.len() > 1) {
            for m in &list {
                collisions.insert(m.clone(), list.clone());
            }
        }
        DeploymentWide {
            manifest,
            device,
            device_label: names::label_value(&device.device_id).map_err(|e| e.0),
            collisions,
            credentials: registry_credentials(manifest),
        }
    }

    /// A refusal that comes from the deployment as a whole.
    fn refusal(&self, m: &Module) -> Option<Refusal> {
        if let Err(e) = &self.device_label {
            return Some(Refusal {
                collision: false,
                message: format!("the device id `{}` cannot be a label value: {e}", self.device.device_id),
                at: m.location(),
            });
        }
        if let Err(e) = names::k8s_value(&m.name) {
            return Some(Refusal {
                collision: false,
                message: format!("the module name cannot be sanitised: {e}"),
                at: m.location(),
            });
        }
        let others = self.collisions.get(&m.name)?;
        Some(Refusal {
            collision: true,
            message: format!(
                "the deployment causes a name collision in the Kubernetes namespace, modules: [{}]: the agent refuses the whole deployment",
                others.join(",")
            ),
            at: m.location(),
        })
    }
}

/// `$edgeAgent`'s `runtime.settings.registryCredentials`: (address, username) of each complete one.
fn registry_credentials(manifest: &Manifest) -> Vec<(String, String)> {
    let Some(desired) = manifest.get(&manifest.edge_agent_at().child("properties.desired")) else { return Vec::new() };
    let Some((creds, _)) = lookup(desired, &Pointer::root(), &["runtime", "settings", "registryCredentials"]) else {
        return Vec::new();
    };
    let Some(creds) = creds.as_object() else { return Vec::new() };
    creds
        .values()
        .filter_map(|c| {
            let text = |k: &str| lookup(c, &Pointer::root(), &[k]).and_then(|(v, _)| primitive_text(v));
            text("password")?;
            Some((text("address")?, text("username")?))
        })
        .collect()
}

/// The objects of one module, and where their parts come from.
struct Translated {
    service_account: ServiceAccount,
    service: Option<Service>,
    deployment: Deployment,
    claims: Vec<(PersistentVolumeClaim, Location)>,
    sources: Sources,
}

/// The parts of `k8s-experimental` the agent read.
#[derive(Default)]
struct Experimental {
    node_selector: Option<BTreeMap<String, String>>,
    resources: Option<(ResourceRequirements, Location)>,
    /// With where the list is (each entry's place is below it).
    volumes: Option<(Vec<VolumeSpec>, Pointer)>,
    security_context: Option<PodSecurityContext>,
    service_options: Option<(ServiceOptions, Location)>,
    strategy: Option<DeploymentStrategy>,
}

/// `KubernetesModuleVolumeSpec`.
#[derive(Deserialize, Default)]
struct VolumeSpec {
    #[serde(rename = "volume")]
    volume: Option<Volume>,
    #[serde(rename = "volumeMounts")]
    volume_mounts: Option<Vec<VolumeMount>>,
}

/// `KubernetesServiceOptions` (both read as text; the type then by `Enum.TryParse`).
#[derive(Deserialize, Default)]
struct ServiceOptions {
    #[serde(rename = "loadBalancerIP")]
    load_balancer_ip: Option<String>,
    #[serde(rename = "type")]
    type_: Option<String>,
}

struct Translator<'a, 'd> {
    d: &'a DeploymentWide<'d>,
    m: &'a Module,
}

/// A pod volume or mount of the module, with where it comes from.
struct Sourced<T> {
    item: T,
    at: Location,
}

impl Translator<'_, '_> {
    fn at(&self, pointer: &Pointer) -> Location {
        self.m.create_options_at(pointer.clone())
    }

    fn is_agent(&self) -> bool {
        self.m.system && self.m.name == "edgeAgent"
    }

    fn is_hub(&self) -> bool {
        self.m.system && self.m.name == "edgeHub"
    }

    fn run(&self) -> Result<Translated, Refusal> {
        let m = self.m;
        let device = self.d.device;
        let container = self.read_create_options()?;
        let image = self.image()?;
        if let Some(kind) = m.settings.kind.as_ref().and_then(Field::text)
            && !kind.trim().eq_ignore_ascii_case("docker")
        {
            return refuse(
                Location::Document(m.settings.kind.as_ref().expect("checked").at.clone()),
                format!("the module type is `{kind}`: the Kubernetes agent handles only `docker` modules"),
            );
        }
        let id = module_id(m);
        let name = names::k8s_value(&id).map_err(|e| Refusal { collision: false, message: e.0, at: m.location() })?;
        let device_label = self.d.device_label.clone().unwrap_or_default();
        let labels: Labels =
            [(agent::MODULE_LABEL.to_owned(), name.clone()), (agent::DEVICE_LABEL.to_owned(), device_label.clone())]
                .into();
        let device_labels: Labels = [(agent::DEVICE_LABEL.to_owned(), device_label)].into();
        let owner = vec![OwnerReference {
            api_version: agent::OWNER_API_VERSION.to_owned(),
            kind: agent::OWNER_KIND.to_owned(),
            name: agent::OWNER_NAME.to_owned(),
            uid: agent::OWNER_UID.to_owned(),
            ..OwnerReference::default()
        }];
        let experimental = if device.k8s_extensions { self.experimental(container)? } else { Experimental::default() };
        let hc = m.host_config();

        let cmd = self.string_list(container.cmd.as_ref())?;
        let entrypoint = self.string_list(container.entrypoint.as_ref())?;
        let working_dir = match &container.working_dir {
            Some(f) if !f.value.is_null() => Some(primitive_text(&f.value).ok_or_else(|| Refusal {
                collision: false,
                message: format!("`{}` is {}: the agent reads it as text", f.key, json_kind(&f.value)),
                at: self.at(&f.at),
            })?),
            _ => None,
        };
        let annotations = self.annotations(container)?;
        let env = self.env(container, &id)?;
        let (volumes, mounts, claims) = self.volumes(hc, &experimental, &device_labels, &owner)?;
        let (container_ports, service_ports, only_exposed) = self.ports(container, hc)?;

        let mut sources = Sources {
            volumes: volumes.iter().map(|v| v.at.clone()).collect(),
            mounts: mounts.iter().map(|v| v.at.clone()).collect(),
            container_ports: container_ports.iter().map(|v| v.at.clone()).collect(),
            service_ports: service_ports.iter().map(|v| v.at.clone()).collect(),
            ..Sources::default()
        };

        // The pod.
        let privileged =
            hc.and_then(|h| h.privileged.as_ref()).and_then(|f| newtonsoft_bool(&f.value)).unwrap_or(false);
        let resources = match experimental.resources {
            Some((r, at)) => {
                sources.resources = Some(at);
                Some(r)
            }
            None if self.is_agent() => Some(requirements(agent::AGENT_RESOURCES)),
            None => None,
        };
        let module_container = K8sContainer {
            name: name.clone(),
            env: Some(env),
            image: Some(image.clone()),
            volume_mounts: Some(mounts.into_iter().map(|m| m.item).collect()),
            security_context: privileged
                .then(|| SecurityContext { privileged: Some(true), ..SecurityContext::default() }),
            ports: container
                .exposed_ports
                .as_ref()
                .and_then(|e| e.ports.as_ref())
                .map(|_| container_ports.into_iter().map(|p| p.item).collect()),
            resources,
            command: entrypoint,
            args: cmd,
            working_dir,
            ..K8sContainer::default()
        };
        let proxy = K8sContainer {
            name: "proxy".to_owned(),
            env: Some(vec![env_var("PROXY_LOG", agent::PROXY_LOG_LEVEL)]),
            image: Some(agent::PROXY_IMAGE.to_owned()),
            resources: Some(requirements(agent::PROXY_RESOURCES)),
            volume_mounts: Some(vec![
                VolumeMount {
                    mount_path: agent::PROXY_CONFIG_PATH.to_owned(),
                    name: agent::PROXY_CONFIG_VOLUME.to_owned(),
                    read_only: Some(true),
                    ..VolumeMount::default()
                },
                VolumeMount {
                    mount_path: agent::PROXY_TRUST_BUNDLE_PATH.to_owned(),
                    name: agent::PROXY_TRUST_BUNDLE_VOLUME.to_owned(),
                    ..VolumeMount::default()
                },
            ]),
            ..K8sContainer::default()
        };
        let mut pod_volumes = vec![
            config_map_volume(agent::PROXY_CONFIG_VOLUME, agent::PROXY_CONFIG_MAP, None),
            config_map_volume(agent::PROXY_TRUST_BUNDLE_VOLUME, agent::PROXY_TRUST_BUNDLE_CONFIG_MAP, None),
        ];
        sources.volumes.splice(0..0, [m.location(), m.location()]);
        pod_volumes.extend(volumes.into_iter().map(|v| v.item));
        let host_mode = |f: Option<&Field>| -> Option<bool> {
            f.and_then(|f| primitive_text(&f.value)).map(|t| t.eq_ignore_ascii_case("host"))
        };
        let host_network = hc.and_then(|h| host_mode(h.network_mode.as_ref()));
        let pull_secret = self.pull_secret(&image)?;
        let security_context = experimental.security_context.or_else(|| {
            device.run_as_non_root.then(|| PodSecurityContext {
                run_as_non_root: Some(true),
                run_as_user: Some(1000),
                ..PodSecurityContext::default()
            })
        });
        let mut pod_annotations = annotations.clone();
        pod_annotations.insert(agent::ORIGINAL_MODULE_ID.to_owned(), m.name.clone());
        let pod = PodTemplateSpec {
            metadata: Some(ObjectMeta {
                name: Some(name.clone()),
                labels: Some(labels.clone()),
                annotations: Some(pod_annotations),
                ..ObjectMeta::default()
            }),
            spec: Some(PodSpec {
                containers: vec![proxy, module_container],
                volumes: Some(pod_volumes),
                image_pull_secrets: pull_secret.map(|name| vec![LocalObjectReference { name }]),
                security_context,
                service_account_name: Some(name.clone()),
                node_selector: experimental.node_selector,
                host_ipc: hc.and_then(|h| host_mode(h.ipc_mode.as_ref())),
                host_network,
                host_pid: hc.and_then(|h| host_mode(h.pid_mode.as_ref())),
                dns_policy: host_network.unwrap_or(false).then(|| "ClusterFirstWithHostNet".to_owned()),
                ..PodSpec::default()
            }),
        };
        let stopped =
            m.settings.status.as_ref().and_then(Field::text).is_some_and(|s| s.trim().eq_ignore_ascii_case("stopped"));
        let deployment = Deployment {
            metadata: ObjectMeta {
                name: Some(name.clone()),
                labels: Some(labels.clone()),
                owner_references: Some(owner.clone()),
                ..ObjectMeta::default()
            },
            spec: Some(DeploymentSpec {
                replicas: Some(if stopped { 0 } else { 1 }),
                selector: LabelSelector { match_labels: Some(labels.clone()), ..LabelSelector::default() },
                strategy: experimental.strategy,
                template: pod,
                ..DeploymentSpec::default()
            }),
            status: None,
        };

        // The Service.
        let service = (!service_ports.is_empty()).then(|| {
            let (type_value, type_at) = match &experimental.service_options {
                Some((o, at)) => match o.type_.as_deref().and_then(dotnet::service_type) {
                    Some(t) => (t, Some(at.clone())),
                    None => (self.default_type(only_exposed), None),
                },
                None => (self.default_type(only_exposed), None),
            };
            sources.service_type = type_at.or_else(|| sources.service_ports.first().cloned());
            let load_balancer_ip = experimental.service_options.as_ref().and_then(|(o, at)| {
                sources.load_balancer_ip = Some(at.clone());
                o.load_balancer_ip.clone()
            });
            Service {
                metadata: ObjectMeta {
                    name: Some(name.clone()),
                    labels: Some(labels.clone()),
                    annotations: (!annotations.is_empty()).then(|| annotations.clone()),
                    owner_references: Some(owner.clone()),
                    ..ObjectMeta::default()
                },
                spec: Some(ServiceSpec {
                    type_: Some(type_value.text()),
                    load_balancer_ip,
                    ports: Some(service_ports.into_iter().map(|p| p.item).collect()),
                    selector: Some(labels.clone()),
                    ..ServiceSpec::default()
                }),
                status: None,
            }
        });

        let service_account = ServiceAccount {
            metadata: ObjectMeta {
                name: Some(name.clone()),
                labels: Some(labels),
                annotations: Some([(agent::ORIGINAL_MODULE_ID.to_owned(), m.name.clone())].into()),
                owner_references: Some(owner),
                ..ObjectMeta::default()
            },
            ..ServiceAccount::default()
        };
        Ok(Translated { service_account, service, deployment, claims, sources })
    }

    fn default_type(&self, only_exposed: bool) -> ServiceTypeValue {
        ServiceTypeValue::Named(if only_exposed { ServiceType::ClusterIP } else { self.d.device.service_type })
    }

    /// The decoded createOptions, once the agent's Docker model has read them: an unreadable
    /// createOptions, a known property of the wrong JSON type, or two other properties that differ
    /// only in case make the agent refuse the module.
    fn read_create_options(&self) -> Result<&Container, Refusal> {
        let m = self.m;
        let co_at = Location::Document(m.at.child("settings").child("createOptions"));
        let Some(value) = m.create_options.value.as_ref() else {
            let why = m.create_options.problems.iter().find_map(|p| match p {
                CreateOptionsProblem::Invalid { message } => Some(format!("createOptions cannot be read: {message}")),
                CreateOptionsProblem::Placeholder { text } => Some(format!(
                    "createOptions is the placeholder `{text}`, filled in when the deployment is built: translate the built manifest"
                )),
                CreateOptionsProblem::ChunkNotString { key } => Some(format!("`settings.{key}` is not a string")),
                _ => None,
            });
            return refuse(co_at, why.unwrap_or_else(|| "createOptions cannot be read".to_owned()));
        };
        let map = value.as_object().expect("decoded createOptions are objects");
        if let Some((path, why)) = newtonsoft::object_misfit(newtonsoft::CONTAINER, map) {
            let shown: Vec<&str> = path.iter().map(String::as_str).collect();
            return refuse(
                self.at(&Pointer::from_tokens(shown.iter().copied())),
                format!(
                    "`{}` is {why}: the agent cannot read the createOptions into its Docker model",
                    shown.join(".")
                ),
            );
        }
        // Properties outside the model are copied into a dictionary that ignores case: two
        // spellings of one (`Cmd` and `cmd`) make that copy throw.
        let others: Vec<&String> =
            map.keys().filter(|k| newtonsoft::shape_of(newtonsoft::CONTAINER, k).is_none()).collect();
        for (i, k) in others.iter().enumerate() {
            if let Some(earlier) = others[..i].iter().find(|e| e.eq_ignore_ascii_case(k)) {
                return refuse(
                    self.at(&Pointer::root().child(k)),
                    format!(
                        "`{earlier}` and `{k}` are one key to the agent, which reads these keys ignoring case and fails on the second"
                    ),
                );
            }
        }
        Ok(m.container().expect("an object has a model"))
    }

    /// `settings.image` as `DockerConfig` validates it: trimmed, `:latest` added without a tag.
    fn image(&self) -> Result<String, Refusal> {
        let m = self.m;
        let at =
            m.settings.image.as_ref().map_or_else(|| m.document_at(["settings"]), |f| Location::Document(f.at.clone()));
        let Some(raw) = m.settings.image.as_ref().and_then(|f| primitive_text(&f.value)) else {
            return refuse(at, "the module has no `settings.image`");
        };
        let image = raw.trim();
        if image.is_empty() {
            return refuse(at, "`settings.image` is empty");
        }
        if contains_placeholder(image) {
            return Ok(image.to_owned());
        }
        let last = image.rsplit('/').next().unwrap_or(image);
        match last.split(':').collect::<Vec<_>>()[..] {
            [name] if !name.is_empty() => Ok(format!("{image}:latest")),
            [name, tag] if !name.is_empty() && !tag.is_empty() => Ok(image.to_owned()),
            _ => refuse(at, format!("Image {image} is not in the right format")),
        }
    }

    /// The image pull secret for the module's image: the first registry credential whose address
    /// is the image's registry host.
    fn pull_secret(&self, image: &str) -> Result<Option<String>, Refusal> {
        let parts: Vec<&str> = image.split('/').collect();
        if parts.len() < 2 {
            return Ok(None);
        }
        let domain = if parts[0].contains(['.', ':']) { parts[0] } else { agent::DOCKER_HUB };
        let Some((address, user)) = self.d.credentials.iter().find(|(a, _)| a.eq_ignore_ascii_case(domain)) else {
            return Ok(None);
        };
        let lower = address.to_lowercase();
        let host = lower.strip_prefix("https://").or_else(|| lower.strip_prefix("http://")).unwrap_or(&lower);
        let host = host.split('/').next().unwrap_or("").replace(':', "-");
        names::dns_domain(&format!("{}-{host}", user.to_lowercase())).map(Some).map_err(|e| Refusal {
            collision: false,
            message: format!("the image pull secret for registry `{address}` cannot be named: {e}"),
            at: Location::Document(self.d.manifest.edge_agent_at()),
        })
    }

    /// `Cmd` or `Entrypoint`: `ToObject<IReadOnlyList<string>>()`.
    fn string_list(&self, field: Option<&Field>) -> Result<Option<Vec<String>>, Refusal> {
        let Some(f) = field else { return Ok(None) };
        match &f.value {
            Value::Null => Ok(None),
            Value::Array(items) => items
                .iter()
                .enumerate()
                .map(|(i, e)| match e {
                    Value::Null => Ok(String::new()),
                    e => primitive_text(e).ok_or_else(|| Refusal {
                        collision: false,
                        message: format!("`{}` item {i} is {}: the agent reads a list of strings", f.key, json_kind(e)),
                        at: self.at(&f.at.index(i)),
                    }),
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            other => refuse(
                self.at(&f.at),
                format!(
                    "`{}` is {}, not a list: the agent reads it as a list of strings and cannot convert it",
                    f.key,
                    json_kind(other)
                ),
            ),
        }
    }

    /// Docker `Labels` as annotations, with sanitised keys.
    fn annotations(&self, container: &Container) -> Result<Labels, Refusal> {
        let mut out = Labels::new();
        let Some(f) = &container.labels else { return Ok(out) };
        let Some(map) = f.value.as_object() else { return Ok(out) };
        for (k, v) in map {
            let key = names::annotation_key(k).map_err(|e| Refusal {
                collision: false,
                message: format!("the label `{k}` cannot be an annotation key: {e}"),
                at: self.at(&f.at.child(k)),
            })?;
            if out.insert(key.clone(), primitive_text(v).unwrap_or_default()).is_some() {
                return refuse(
                    self.at(&f.at.child(k)),
                    format!("two labels become the annotation key `{key}`: the agent fails on the second"),
                );
            }
        }
        Ok(out)
    }

    /// The module's env section, then createOptions `Env` split at the first `=`, then the agent's own.
    fn env(&self, container: &Container, id: &str) -> Result<Vec<EnvVar>, Refusal> {
        let m = self.m;
        let device = self.d.device;
        let mut env: Vec<EnvVar> =
            m.env.iter().map(|v| EnvVar { name: v.name.clone(), value: v.value.clone(), value_from: None }).collect();
        if let Some(list) = &container.env
            && let Some(items) = list.value.as_array()
        {
            for (i, e) in items.iter().enumerate() {
                let Some(text) = primitive_text(e) else {
                    return refuse(
                        self.at(&list.at.index(i)),
                        format!("`{}` item {i} is null: the agent fails on it", list.key),
                    );
                };
                if let Some((name, value)) = text.split_once('=').filter(|(n, _)| !n.is_empty()) {
                    env.push(env_var(name, value));
                }
            }
        }
        env.push(env_var("IOTEDGE_IOTHUBHOSTNAME", &device.hub_hostname));
        env.push(env_var("IOTEDGE_AUTHSCHEME", "sasToken"));
        if !env.iter().any(|e| e.name == "RuntimeLogLevel") {
            env.push(env_var("RuntimeLogLevel", agent::LOG_LEVEL));
        }
        env.push(env_var("IOTEDGE_WORKLOADURI", agent::WORKLOAD_URI));
        env.push(env_var("IOTEDGE_MODULEGENERATIONID", agent::GENERATION_ID));
        env.push(env_var("IOTEDGE_DEVICEID", &device.device_id));
        env.push(env_var("IOTEDGE_MODULEID", id));
        env.push(env_var("IOTEDGE_APIVERSION", agent::WORKLOAD_API_VERSION));
        if self.is_agent() {
            let b = |v: bool| if v { "True" } else { "False" };
            env.push(env_var("Mode", "kubernetes"));
            env.push(env_var("IOTEDGE_MANAGEMENTURI", agent::MANAGEMENT_URI));
            env.push(env_var("NetworkId", "azure-iot-edge"));
            env.push(env_var("ProxyImage", agent::PROXY_IMAGE));
            env.push(env_var("ProxyConfigPath", agent::PROXY_CONFIG_PATH));
            env.push(env_var("ProxyConfigVolume", agent::PROXY_CONFIG_VOLUME));
            env.push(env_var("ProxyConfigMapName", agent::PROXY_CONFIG_MAP));
            env.push(env_var("ProxyTrustBundlePath", agent::PROXY_TRUST_BUNDLE_PATH));
            env.push(env_var("ProxyTrustBundleVolume", agent::PROXY_TRUST_BUNDLE_VOLUME));
            env.push(env_var("ProxyTrustBundleConfigMapName", agent::PROXY_TRUST_BUNDLE_CONFIG_MAP));
            env.push(env_var("K8sNamespace", agent::NAMESPACE));
            env.push(env_var("RunAsNonRoot", b(device.run_as_non_root)));
            env.push(env_var("EdgeK8sObjectOwnerApiVersion", agent::OWNER_API_VERSION));
            env.push(env_var("EdgeK8sObjectOwnerKind", agent::OWNER_KIND));
            env.push(env_var("EdgeK8sObjectOwnerName", agent::OWNER_NAME));
            env.push(env_var("EdgeK8sObjectOwnerUid", agent::OWNER_UID));
            env.push(env_var("PortMappingServiceType", device.service_type.name()));
            env.push(env_var("EnableK8sServiceCallTracing", b(agent::SERVICE_CALL_TRACING)));
            env.push(env_var("UseMountSourceForVolumeName", b(device.volume_name_from_source)));
            if let Some(class) = &device.storage_class {
                env.push(env_var("StorageClassName", class));
            }
            if let Some(size) = device.pvc_size_mb {
                env.push(env_var("PersistentVolumeClaimDefaultSizeInMb", &size.to_string()));
            }
            env.push(env_var("ExperimentalFeatures__enabled", b(agent::EXPERIMENTAL_FEATURES)));
            env.push(env_var(
                "ExperimentalFeatures__enableK8SExtensions",
                b(agent::EXPERIMENTAL_FEATURES && device.k8s_extensions),
            ));
        }
        env.push(env_var("EdgeDeviceHostName", agent::EDGE_HOSTNAME));
        if !self.is_agent() && !self.is_hub() {
            env.push(env_var("IOTEDGE_GATEWAYHOSTNAME", agent::GATEWAY_HOSTNAME));
        }
        Ok(env)
    }

    /// `k8s-experimental`, as `KubernetesExperimentalCreatePodParameters` reads it.
    fn experimental(&self, container: &Container) -> Result<Experimental, Refusal> {
        let mut out = Experimental::default();
        let Some(k) = container.k8s.as_ref().filter(|k| k.is_object) else { return Ok(out) };
        fn read<T: serde::de::DeserializeOwned>(
            t: &Translator<'_, '_>,
            f: Option<&Field>,
        ) -> Result<Option<(T, Location)>, Refusal> {
            let Some(f) = f.filter(|f| !f.value.is_null()) else { return Ok(None) };
            let at = t.at(&f.at);
            newtonsoft::from_value::<T>(&f.value).map(|v| Some((v, at.clone()))).map_err(|e| Refusal {
                collision: false,
                message: format!("k8s-experimental `{}` cannot be read: {e}", f.key),
                at,
            })
        }
        out.node_selector = read::<BTreeMap<String, String>>(self, k.node_selector.as_ref())?.map(|(v, _)| v);
        out.resources = read(self, k.resources.as_ref())?;
        out.volumes = read::<Vec<VolumeSpec>>(self, k.volumes.as_ref())?
            .map(|(v, _)| (v, k.volumes.as_ref().expect("read").at.clone()));
        out.security_context = read::<PodSecurityContext>(self, k.security_context.as_ref())?.map(|(v, _)| v);
        out.service_options = read(self, k.service_options.as_ref())?;
        out.strategy = read::<DeploymentStrategy>(self, k.strategy.as_ref())?.map(|(v, _)| v);
        Ok(out)
    }

    /// Pod volumes, the module container's mounts and the PVCs, from `Binds`, `Mounts` and
    /// `k8s-experimental.volumes`.
    #[allow(clippy::type_complexity)]
    fn volumes(
        &self,
        hc: Option<&HostConfig>,
        experimental: &Experimental,
        device_labels: &Labels,
        owner: &[OwnerReference],
    ) -> Result<(Vec<Sourced<Volume>>, Vec<Sourced<VolumeMount>>, Vec<(PersistentVolumeClaim, Location)>), Refusal>
    {
        let device = self.d.device;
        let mut volumes: Vec<Sourced<Volume>> = Vec::new();
        let mut mounts: Vec<Sourced<VolumeMount>> = Vec::new();
        let mut claims = Vec::new();
        if self.is_agent() {
            volumes.push(Sourced {
                item: config_map_volume(agent::AGENT_CONFIG_VOLUME, agent::AGENT_CONFIG_MAP, Some(true)),
                at: self.m.location(),
            });
            mounts.push(Sourced {
                item: VolumeMount {
                    mount_path: agent::AGENT_CONFIG_PATH.to_owned(),
                    name: agent::AGENT_CONFIG_VOLUME.to_owned(),
                    read_only: Some(true),
                    ..VolumeMount::default()
                },
                at: self.m.location(),
            });
        }
        let dns_label = |source: &str, at: &Location| {
            names::dns_label(source).map_err(|e| Refusal {
                collision: false,
                message: format!("the volume name for `{source}` cannot be made: {e}"),
                at: at.clone(),
            })
        };
        if let Some(binds) = hc.and_then(|h| h.binds.as_ref())
            && let Some(items) = binds.value.as_array()
        {
            for (i, e) in items.iter().enumerate() {
                let at = self.at(&binds.at.index(i));
                let Some(text) = primitive_text(e) else {
                    return refuse(at, format!("`{}` item {i} is null: the agent fails on it", binds.key));
                };
                let parts: Vec<&str> = text.split(':').collect();
                if parts.len() < 2 {
                    continue;
                }
                let name = dns_label(parts[0], &at)?;
                volumes.push(Sourced { item: host_path_volume(&name, parts[0]), at: at.clone() });
                let read_only = parts.len() > 2 && parts[2].contains("ro");
                mounts.push(Sourced { item: volume_mount(parts[1], &name, read_only), at });
            }
        }
        let mut volume_mounts = Vec::new();
        if let Some(list) = hc.and_then(|h| h.mounts.as_ref())
            && let Some(entries) = &list.entries
        {
            let mut read = Vec::new();
            for m in entries {
                let at = self.at(&m.at);
                if !m.is_object {
                    return refuse(at, format!("`{}` item {} is null: the agent fails on it", list.key, m.index));
                }
                let text = |f: &Option<Field>| f.as_ref().and_then(|f| primitive_text(&f.value));
                let (kind, source, target) = (text(&m.kind), text(&m.source), text(&m.target));
                let (Some(kind), Some(source), Some(target)) = (kind, source, target) else {
                    let shown = |v: Option<String>| v.unwrap_or_default();
                    return refuse(
                        at,
                        format!(
                            "Type, Source, and Target required for all mounts [{}:{}, {}, {}]: the agent refuses the deployment",
                            module_id(self.m),
                            shown(text(&m.kind)),
                            shown(text(&m.source)),
                            shown(text(&m.target))
                        ),
                    );
                };
                let read_only = m.read_only.as_ref().and_then(|f| newtonsoft_bool(&f.value)).unwrap_or(false);
                read.push((kind, source, target, read_only, at));
            }
            for (kind, source, target, read_only, at) in read.iter().filter(|r| r.0.eq_ignore_ascii_case("bind")) {
                let name = dns_label(source, at)?;
                volumes.push(Sourced { item: host_path_volume(&name, source), at: at.clone() });
                mounts.push(Sourced { item: volume_mount(target, &name, *read_only), at: at.clone() });
                let _ = kind;
            }
            for (_, source, target, read_only, at) in read.iter().filter(|r| r.0.eq_ignore_ascii_case("volume")) {
                let name = dns_label(source, at)?;
                volumes.push(Sourced {
                    item: Volume {
                        name: name.clone(),
                        persistent_volume_claim: Some(PersistentVolumeClaimVolumeSource {
                            claim_name: name.clone(),
                            read_only: Some(*read_only),
                        }),
                        ..Volume::default()
                    },
                    at: at.clone(),
                });
                mounts.push(Sourced { item: volume_mount(target, &name, *read_only), at: at.clone() });
                volume_mounts.push((name, *read_only, at.clone()));
            }
        }
        if let Some(class) = &device.storage_class {
            for (name, read_only, at) in volume_mounts {
                let claim = PersistentVolumeClaim {
                    metadata: ObjectMeta {
                        name: Some(name.clone()),
                        labels: Some(device_labels.clone()),
                        owner_references: Some(owner.to_vec()),
                        ..ObjectMeta::default()
                    },
                    spec: Some(PersistentVolumeClaimSpec {
                        access_modes: Some(vec![if read_only { "ReadOnlyMany" } else { "ReadWriteMany" }.to_owned()]),
                        resources: Some(VolumeResourceRequirements {
                            requests: Some(
                                [("storage".to_owned(), Quantity(format!("{}Mi", device.pvc_size_mb.unwrap_or(0))))]
                                    .into(),
                            ),
                            ..VolumeResourceRequirements::default()
                        }),
                        volume_name: device.volume_name_from_source.then(|| name.clone()),
                        storage_class_name: Some(class.clone()),
                        ..PersistentVolumeClaimSpec::default()
                    }),
                    status: None,
                };
                claims.push((claim, at));
            }
        }
        // `k8s-experimental.volumes` come first and as written; the others are grouped by name, a
        // read-write claim winning over read-only ones.
        let mut extension_volumes = Vec::new();
        if let Some((specs, list)) = &experimental.volumes {
            for (i, spec) in specs.iter().enumerate() {
                let at = self.at(&list.index(i));
                if let Some(v) = &spec.volume {
                    extension_volumes.push(Sourced { item: v.clone(), at: at.clone() });
                }
                for vm in spec.volume_mounts.iter().flatten() {
                    mounts.push(Sourced { item: vm.clone(), at: at.clone() });
                }
            }
        }
        let mut order: Vec<String> = Vec::new();
        let mut groups: HashMap<String, Vec<Sourced<Volume>>> = HashMap::new();
        for v in volumes {
            if !groups.contains_key(&v.item.name) {
                order.push(v.item.name.clone());
            }
            groups.entry(v.item.name.clone()).or_default().push(v);
        }
        for name in order {
            let mut group = groups.remove(&name).expect("grouped");
            let writable = |v: &Sourced<Volume>| {
                v.item.persistent_volume_claim.as_ref().is_some_and(|c| c.read_only == Some(false))
            };
            let pick = group.iter().position(writable).unwrap_or(0);
            extension_volumes.push(group.swap_remove(pick));
        }
        Ok((extension_volumes, mounts, claims))
    }

    /// Container ports from `ExposedPorts`; Service ports from `ExposedPorts` and `PortBindings`,
    /// merged by port number (a host port replaces an exposed port of the same number, keeping
    /// its place); whether there were only exposed ports (no `PortBindings` at all).
    #[allow(clippy::type_complexity)]
    fn ports(
        &self,
        container: &Container,
        hc: Option<&HostConfig>,
    ) -> Result<(Vec<Sourced<ContainerPort>>, Vec<Sourced<ServicePort>>, bool), Refusal> {
        let mut container_ports = Vec::new();
        let mut service_ports: Vec<(i32, Sourced<ServicePort>)> = Vec::new();
        let mut put = |port: i32, p: Sourced<ServicePort>| match service_ports.iter_mut().find(|(n, _)| *n == port) {
            Some(slot) => slot.1 = p,
            None => service_ports.push((port, p)),
        };
        let throws = |at: Location, key: &str| {
            refuse::<()>(at, format!("the port key `{key}` has only slashes: the agent fails reading it"))
        };
        if let Some(exposed) = container.exposed_ports.as_ref().and_then(|e| e.ports.as_ref()) {
            for pk in exposed {
                let at = self.at(&pk.at);
                match dotnet::port_key(&pk.key) {
                    PortKey::Port { port, protocol } => {
                        container_ports.push(Sourced {
                            item: ContainerPort {
                                container_port: port,
                                protocol: Some(protocol.to_owned()),
                                ..ContainerPort::default()
                            },
                            at: at.clone(),
                        });
                        put(
                            port,
                            Sourced {
                                item: ServicePort {
                                    port,
                                    name: Some(format!("exposedport-{port}-{}", protocol.to_lowercase())),
                                    protocol: Some(protocol.to_owned()),
                                    ..ServicePort::default()
                                },
                                at,
                            },
                        );
                    }
                    PortKey::Skipped => {}
                    PortKey::Throws => throws(at, &pk.key)?,
                }
            }
        }
        let bindings = hc.and_then(|h| h.port_bindings.as_ref()).and_then(|p| p.entries.as_ref());
        for pb in bindings.into_iter().flatten() {
            let at = self.at(&pb.port.at);
            let (port, protocol) = match dotnet::port_key(&pb.port.key) {
                PortKey::Port { port, protocol } => (port, protocol),
                PortKey::Skipped => continue,
                PortKey::Throws => {
                    throws(at, &pb.port.key)?;
                    continue;
                }
            };
            let Some(list) = pb.value.as_array() else {
                return refuse(at, format!("the port binding `{}` is null: the agent fails on it", pb.port.key));
            };
            for (i, mapping) in list.iter().enumerate() {
                let mat = self.at(&pb.port.at.index(i));
                if mapping.is_null() {
                    return refuse(
                        mat,
                        format!("the port binding `{}` item {i} is null: the agent fails on it", pb.port.key),
                    );
                }
                let host = pb
                    .mappings
                    .as_ref()
                    .and_then(|m| m.get(i))
                    .and_then(|m| m.host_port.as_ref())
                    .and_then(|f| primitive_text(&f.value))
                    .and_then(|t| dotnet::int_try_parse(&t));
                let Some(host) = host else { continue };
                put(
                    host,
                    Sourced {
                        item: ServicePort {
                            port: host,
                            name: Some(format!("hostport-{port}-{}", protocol.to_lowercase())),
                            protocol: Some(protocol.to_owned()),
                            target_port: Some(IntOrString::Int(port)),
                            ..ServicePort::default()
                        },
                        at: mat,
                    },
                );
            }
        }
        Ok((container_ports, service_ports.into_iter().map(|(_, p)| p).collect(), bindings.is_none()))
    }
}

/// A boolean as Newtonsoft reads one: true/false, their text, a number (non-zero is true).
fn newtonsoft_bool(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        },
        Value::Number(n) => Some(n.as_f64().is_some_and(|f| f != 0.0)),
        _ => None,
    }
}

fn env_var(name: &str, value: &str) -> EnvVar {
    EnvVar { name: name.to_owned(), value: Some(value.to_owned()), value_from: None }
}

fn requirements((memory, cpu): (&str, &str)) -> ResourceRequirements {
    let q: BTreeMap<String, Quantity> =
        [("memory".to_owned(), Quantity(memory.to_owned())), ("cpu".to_owned(), Quantity(cpu.to_owned()))].into();
    ResourceRequirements { limits: Some(q.clone()), requests: Some(q), claims: None }
}

fn config_map_volume(name: &str, map: &str, optional: Option<bool>) -> Volume {
    Volume {
        name: name.to_owned(),
        config_map: Some(ConfigMapVolumeSource { name: map.to_owned(), optional, ..ConfigMapVolumeSource::default() }),
        ..Volume::default()
    }
}

fn host_path_volume(name: &str, path: &str) -> Volume {
    Volume {
        name: name.to_owned(),
        host_path: Some(HostPathVolumeSource { path: path.to_owned(), type_: Some("DirectoryOrCreate".to_owned()) }),
        ..Volume::default()
    }
}

fn volume_mount(path: &str, name: &str, read_only: bool) -> VolumeMount {
    VolumeMount {
        mount_path: path.to_owned(),
        name: name.to_owned(),
        read_only: Some(read_only),
        ..VolumeMount::default()
    }
}
