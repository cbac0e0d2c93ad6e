//! The session's Kubernetes objects, for the Kubernetes view: what the device's agent
//! ([`crate::k8s::translate`]) makes of the original manifest and of the migrated one. The first
//! is translated once per input (manifest and device), the second once per revision, never per
//! frame; [`Stats::translations`](super::session::Stats) counts both. No egui here.

use super::session::{PreviewBlock, Session, plural};
use crate::device::DeviceProfile;
use crate::k8s::{self, ModuleObjects, Object};
use crate::manifest::Manifest;

/// The translations, each with what it was made from.
#[derive(Default)]
pub struct K8sCache {
    /// Keyed by the session's input revision and the device.
    original: Option<((u64, DeviceProfile), Vec<ModuleObjects>)>,
    /// Keyed by the session's revision; an error when the migrated document cannot be read back.
    migrated: Option<(u64, Result<Vec<ModuleObjects>, String>)>,
}

impl K8sCache {
    /// Brings both translations up to the session (translating only what changed).
    pub fn ensure(&mut self, session: &mut Session) {
        let input = session.input_revision();
        let stale = self.original.as_ref().is_none_or(|((r, d), _)| *r != input || d != session.device());
        if stale {
            session.stats.translations += 1;
            let objects = k8s::translate(session.manifest(), session.device());
            self.original = Some(((input, session.device().clone()), objects));
        }
        let revision = session.revision();
        if self.migrated.as_ref().is_none_or(|(r, _)| *r != revision) {
            session.stats.translations += 1;
            // The migrated document as the next run of the tool reads it (the text round trip of
            // `Outcome::reload` changes nothing a model reads, so it is skipped).
            let manifest = &session.manifest();
            let objects = Manifest::from_value(session.outcome().doc.clone(), manifest.format.clone(), Vec::new())
                .map(|m| k8s::translate(&m, session.device()))
                .map_err(|e| format!("the migrated manifest does not load: {e}"));
            self.migrated = Some((revision, objects));
        }
    }

    /// The original manifest's modules.
    pub fn original(&self) -> &[ModuleObjects] {
        self.original.as_ref().map_or(&[], |(_, o)| o)
    }

    /// The migrated manifest's modules, or why there are none.
    pub fn migrated(&self) -> Result<&[ModuleObjects], &str> {
        match self.migrated.as_ref().map(|(_, m)| m) {
            Some(Ok(m)) => Ok(m),
            Some(Err(e)) => Err(e),
            None => Ok(&[]),
        }
    }

    /// A module (by its name in the input) before and after the decisions (renamed or not).
    pub fn module(&self, session: &Session, name: &str) -> (Option<&ModuleObjects>, Option<&ModuleObjects>) {
        let now = session.display_name(name);
        let after = self.migrated().ok().and_then(|m| m.iter().find(|m| m.module == now));
        (self.original().iter().find(|m| m.module == name), after)
    }
}

/// The objects of a module as the view's blocks, one per object: after the decisions only, or
/// beside the original objects (paired by kind, and claims by name). Beside them, the objects the
/// decisions leave as they were are left out, and named in the second list.
pub fn blocks(
    before: Option<&ModuleObjects>,
    after: Option<&ModuleObjects>,
    diff: bool,
) -> (Vec<PreviewBlock>, Vec<String>) {
    let old = before.map_or(&[][..], |m| &m.objects[..]);
    let new = after.map_or(&[][..], |m| &m.objects[..]);
    let same = |a: &Object, b: &Object| {
        a.kind() == b.kind() && (!matches!(a, Object::PersistentVolumeClaim(_)) || a.name() == b.name())
    };
    let mut unchanged = Vec::new();
    let mut out: Vec<PreviewBlock> = new
        .iter()
        .filter_map(|o| {
            let was = old.iter().find(|x| same(x, o));
            if diff && was == Some(o) {
                unchanged.push(format!("{} {}", o.kind(), o.name()));
                return None;
            }
            let title = match was {
                None if diff => format!("{} {}  (new)", o.kind(), o.name()),
                _ => format!("{} {}", o.kind(), o.name()),
            };
            Some(PreviewBlock { title, fpga: was.map(Object::to_yaml).unwrap_or_default(), gpu: o.to_yaml() })
        })
        .collect();
    if diff {
        for o in old.iter().filter(|o| !new.iter().any(|n| same(o, n))) {
            out.push(PreviewBlock {
                title: format!("{} {}  (no longer created)", o.kind(), o.name()),
                fpga: o.to_yaml(),
                gpu: String::new(),
            });
        }
    }
    (out, unchanged)
}

/// One line about a module's objects: "Deployment camera (2 containers), Service camera
/// LoadBalancer 2 ports, 1 PVC, 1 GPU"; or why the agent refuses it.
pub fn summary(m: &ModuleObjects) -> String {
    if let Some(e) = &m.error {
        return format!("refused by the agent: {e}");
    }
    let mut parts = Vec::new();
    if let Some(d) = m.deployment() {
        let spec = d.spec.as_ref();
        let containers = spec.and_then(|s| s.template.spec.as_ref()).map_or(0, |p| p.containers.len());
        let mut text =
            format!("Deployment {} ({}", d.metadata.name.as_deref().unwrap_or(""), plural(containers, "container"));
        if spec.and_then(|s| s.replicas) == Some(0) {
            text.push_str(", stopped: 0 replicas");
        }
        text.push(')');
        parts.push(text);
    }
    if let Some(s) = m.service() {
        let spec = s.spec.as_ref();
        let ports = spec.and_then(|s| s.ports.as_ref()).map_or(0, Vec::len);
        parts.push(format!(
            "Service {} {} {}",
            s.metadata.name.as_deref().unwrap_or(""),
            spec.and_then(|s| s.type_.as_deref()).unwrap_or("ClusterIP"),
            plural(ports, "port")
        ));
    }
    let claims = m.claims().count();
    if claims > 0 {
        parts.push(plural(claims, "PVC"));
    }
    let gpus = m.gpus();
    if gpus > 0.0 {
        parts.push(plural(gpus as usize, "GPU"));
    }
    if parts.is_empty() {
        return plural(m.objects.len(), "object");
    }
    parts.join(", ")
}

/// The deployment as a whole: Services by type, the external IPs they need, PVCs, GPUs, refusals.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Totals {
    /// Service count by type, in first-seen order.
    pub services: Vec<(String, usize)>,
    pub claims: usize,
    pub gpus: u64,
    pub refused: usize,
}

impl Totals {
    pub fn of(modules: &[ModuleObjects]) -> Totals {
        let mut t = Totals::default();
        for m in modules {
            if m.error.is_some() {
                t.refused += 1;
            }
            if let Some(s) = m.service() {
                let kind = s.spec.as_ref().and_then(|s| s.type_.clone()).unwrap_or_else(|| "ClusterIP".to_owned());
                match t.services.iter_mut().find(|(k, _)| *k == kind) {
                    Some((_, n)) => *n += 1,
                    None => t.services.push((kind, 1)),
                }
            }
            t.claims += m.claims().count();
            t.gpus += m.gpus() as u64;
        }
        t
    }

    /// LoadBalancer Services take one address each from the device's external service IP range.
    pub fn external_ips(&self) -> usize {
        self.services.iter().filter(|(k, _)| k == "LoadBalancer").map(|(_, n)| n).sum()
    }

    /// "3 Services (2 LoadBalancer, 1 ClusterIP), 2 external IPs needed (the device's range has
    /// 4), 1 PVC, GPUs: 1 of 1, 1 module refused".
    pub fn text(&self, device: &DeviceProfile) -> String {
        let n: usize = self.services.iter().map(|(_, n)| n).sum();
        let mut text = plural(n, "Service");
        if n > 0 {
            let kinds: Vec<String> = self.services.iter().map(|(k, n)| format!("{n} {k}")).collect();
            text.push_str(&format!(" ({})", kinds.join(", ")));
        }
        let ips = self.external_ips();
        text.push_str(&format!(", {} needed", plural(ips, "external IP")));
        if let Some(have) = device.external_ips {
            text.push_str(&format!(" (the device's range has {have})"));
        }
        text.push_str(&format!(", {}, GPUs: {} of {}", plural(self.claims, "PVC"), self.gpus, device.gpus));
        if self.refused > 0 {
            text.push_str(&format!(", {} refused", plural(self.refused, "module")));
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::Manifest;
    use serde_json::json;

    fn translate(modules: serde_json::Value) -> Vec<ModuleObjects> {
        let doc = json!({"modulesContent": {
            "$edgeAgent": {"properties.desired": {"schemaVersion": "1.1", "runtime": {"type": "docker", "settings": {}},
                "systemModules": {}, "modules": modules}},
            "$edgeHub": {"properties.desired": {"schemaVersion": "1.1", "routes": {}}}
        }});
        let m = Manifest::load(doc.to_string().as_bytes()).unwrap();
        k8s::translate(&m, &DeviceProfile { storage_class: Some(String::new()), ..DeviceProfile::default() })
    }

    fn module(create_options: serde_json::Value) -> serde_json::Value {
        json!({"type": "docker", "status": "running", "restartPolicy": "always",
            "settings": {"image": "x/camera:1", "createOptions": create_options.to_string()}})
    }

    #[test]
    fn the_summary_names_the_deployment_the_service_and_counts_claims() {
        let co = json!({
            "HostConfig": {"PortBindings": {"80/tcp": [{"HostPort": "8080"}], "81/tcp": [{"HostPort": "8081"}]},
                "Mounts": [{"Type": "volume", "Source": "data", "Target": "/data"}]},
            "k8s-experimental": {"resources": {"limits": {"nvidia.com/gpu": 1}}}
        });
        let out = translate(json!({"Camera_1": module(co)}));
        assert_eq!(out[0].error, None);
        assert_eq!(
            summary(&out[0]),
            "Deployment camera1 (2 containers), Service camera1 LoadBalancer 2 ports, 1 PVC, 1 GPU"
        );
        let totals = Totals::of(&out);
        assert_eq!(totals.external_ips(), 1);
        assert_eq!(
            totals.text(&DeviceProfile::default()),
            "1 Service (1 LoadBalancer), 1 external IP needed, 1 PVC, GPUs: 1 of 1"
        );
    }

    #[test]
    fn a_refused_module_says_why() {
        let out = translate(json!({"camera": module(json!({"Cmd": "not a list"}))}));
        let refused = out.iter().find(|m| m.module == "camera").unwrap();
        assert!(summary(refused).starts_with("refused by the agent: "), "{}", summary(refused));
        assert_eq!(Totals::of(&out).refused, 1);
    }

    #[test]
    fn blocks_pair_objects_by_kind_and_mark_new_and_gone_ones() {
        let before = translate(
            json!({"camera": module(json!({"HostConfig": {"PortBindings": {"80/tcp": [{"HostPort": "80"}]}}}))}),
        );
        let after = translate(json!({"camera": module(json!({
            "HostConfig": {"Mounts": [{"Type": "volume", "Source": "data", "Target": "/data"}]}}))}));
        let titles = |b: &[PreviewBlock]| b.iter().map(|b| b.title.clone()).collect::<Vec<_>>();
        let (diff, unchanged) = blocks(before.last(), after.last(), true);
        assert_eq!(
            titles(&diff),
            ["Deployment camera", "PersistentVolumeClaim data  (new)", "Service camera  (no longer created)"]
        );
        assert_eq!(unchanged, ["ServiceAccount camera"]);
        assert!(diff[0].fpga.contains("kind: Deployment") && diff[0].gpu.contains("claimName: data"));
        assert!(diff[1].fpga.is_empty() && diff[2].gpu.is_empty());
        let (plain, unchanged) = blocks(before.last(), after.last(), false);
        assert_eq!(titles(&plain), ["ServiceAccount camera", "Deployment camera", "PersistentVolumeClaim data"]);
        assert!(unchanged.is_empty());
    }
}
