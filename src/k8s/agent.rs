//! How the agent was installed, beyond the device profile: the values of the Helm chart
//! (`kubernetes/charts/edge-kubernetes/values.yaml` and its `_helpers.tpl`, tag
//! `archive/release/1.1-k8s-preview`) that the translation writes into every pod. Azure Stack Edge
//! does not publish its own values for these; the README lists each with its source.

/// The proxy side-car's image (`iotedgedProxy.image`).
pub const PROXY_IMAGE: &str = "azureiotedge/azureiotedge-proxy:0.1.0-beta15";
/// Where the side-car reads its configuration, the volume and the ConfigMap behind it.
pub const PROXY_CONFIG_PATH: &str = "/etc/iotedge-proxy";
pub const PROXY_CONFIG_VOLUME: &str = "config-volume";
pub const PROXY_CONFIG_MAP: &str = "iotedged-proxy-config";
/// The trust bundle the side-car checks iotedged's certificate with.
pub const PROXY_TRUST_BUNDLE_PATH: &str = "/etc/trust-bundle";
pub const PROXY_TRUST_BUNDLE_VOLUME: &str = "trust-bundle-volume";
pub const PROXY_TRUST_BUNDLE_CONFIG_MAP: &str = "iotedged-proxy-trust-bundle";
/// The side-car's requests and limits (`iotedgedProxy.resources`): memory, cpu.
pub const PROXY_RESOURCES: (&str, &str) = ("25Mi", "5m");
/// The ports the side-car listens on in every pod: management and workload API (`iotedged.ports`).
pub use crate::device::PROXY_PORTS;

/// edgeAgent's own configuration, mounted from a ConfigMap.
pub const AGENT_CONFIG_MAP: &str = "iotedged-agent-config";
pub const AGENT_CONFIG_PATH: &str = "/etc/edgeAgent";
pub const AGENT_CONFIG_VOLUME: &str = "agent-config-volume";
/// edgeAgent's requests and limits when its createOptions give none (`edgeAgent.resources`).
pub const AGENT_RESOURCES: (&str, &str) = ("200Mi", "50m");

/// The namespace of the device's IoT Edge objects (`kubectl get pods -n iotedge` in the device's
/// documentation).
pub const NAMESPACE: &str = "iotedge";
/// The edge device's host name given to edgeAgent (`edgeAgent.hostname`).
pub const EDGE_HOSTNAME: &str = "localhost";
/// The host name modules reach edgeHub at (the agent's constant).
pub const GATEWAY_HOSTNAME: &str = "edgehub";
/// The workload and management APIs, through the side-car (`iotedged-proxy-config`), as .NET
/// writes a `Uri`.
pub const WORKLOAD_URI: &str = "http://localhost:35001/";
pub const MANAGEMENT_URI: &str = "http://localhost:35000/";
/// `iotedged.apiVersion`.
pub const WORKLOAD_API_VERSION: &str = "2019-01-30";
/// `edgeAgent.env.runtimeLogLevel: info`, as the agent names the level, and the side-car's name for it.
pub const LOG_LEVEL: &str = "Information";
pub const PROXY_LOG_LEVEL: &str = "Info";
/// `edgeAgent.env.enableK8sServiceCallTracing`.
pub const SERVICE_CALL_TRACING: bool = false;
/// `edgeAgent.env.enableExperimentalFeatures`.
pub const EXPERIMENTAL_FEATURES: bool = true;

/// The owner of every object: the iotedged Deployment. Its uid is only known on the device.
pub const OWNER_API_VERSION: &str = "apps/v1";
pub const OWNER_KIND: &str = "Deployment";
pub const OWNER_NAME: &str = "iotedged";
pub const OWNER_UID: &str = "<uid of the iotedged Deployment>";
/// A module's generation id comes from IoT Hub when its identity is created.
pub const GENERATION_ID: &str = "<generation id of the module identity>";

/// The labels and annotation the agent puts on its objects.
pub const MODULE_LABEL: &str = "net.azure-devices.edge.module";
pub const DEVICE_LABEL: &str = "net.azure-devices.edge.deviceid";
pub const ORIGINAL_MODULE_ID: &str = "net.azure-devices.edge.original-moduleid";

/// Docker Hub, as the agent names it when an image has no registry host.
pub const DOCKER_HUB: &str = "https://index.docker.io/v1/";
