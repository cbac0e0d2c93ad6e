//! The session's Kubernetes objects, for the Kubernetes view: what the device's agent
//! ([`crate::k8s::translate`]) makes of the selected module before and after the decisions, and
//! of every module after them (the deployment entry). Each is translated once per revision (and
//! module), never per frame, and a module alone ([`crate::k8s::translate_only`]): a decision
//! costs the translation of one module, not of the deployment. [`Stats::translations`] counts
//! the runs. No egui here.
//!
//! [`Stats::translations`]: super::session::Stats

use super::session::{PreviewBlock, Session, plural};
use crate::device::DeviceProfile;
use crate::k8s::{self, ModuleObjects, Object};
use crate::manifest::{Manifest, pointer};
use serde_json::{Map, Value};

/// One module, by its name in the input: before and after the decisions, at a revision.
struct OneModule {
    revision: u64,
    name: String,
    before: Option<ModuleObjects>,
    after: Option<ModuleObjects>,
}

/// The translations, each with the revision (and module) it was made for.
#[derive(Default)]
pub struct K8sCache {
    /// The migrated manifest, read back once per revision (or why it does not load).
    manifest: Option<(u64, Result<Manifest, String>)>,
    module: Option<OneModule>,
    /// Every module after the decisions.
    all: Option<(u64, Vec<ModuleObjects>)>,
}

impl K8sCache {
    /// The migrated document as the next run of the tool reads it (the text round trip of
    /// `Outcome::reload` changes nothing the model reads, so it is skipped).
    fn ensure_manifest(&mut self, session: &Session) {
        let revision = session.revision();
        if self.manifest.as_ref().is_none_or(|(r, _)| *r != revision) {
            let doc = session.outcome().doc.clone();
            let read = Manifest::from_value(doc, session.manifest().format.clone(), Vec::new())
                .map_err(|e| format!("the migrated manifest does not load: {e}"));
            self.manifest = Some((revision, read));
        }
    }

    /// Why the migrated manifest does not load, if it does not.
    pub fn error(&self) -> Option<&str> {
        self.manifest.as_ref().and_then(|(_, m)| m.as_ref().err()).map(String::as_str)
    }

    /// Brings the module `name` (its name in the input) up to the session's revision.
    pub fn ensure_module(&mut self, session: &mut Session, name: &str) {
        let revision = session.revision();
        if self.module.as_ref().is_some_and(|m| m.revision == revision && m.name == name) {
            return;
        }
        session.stats.translations += 1;
        let device = session.device();
        let before = k8s::translate_only(session.manifest(), device, |m| m == name).pop();
        let now = session.display_name(name);
        let after = if device.storage_class.is_some() {
            // Claims shared with the modules before it stay with them: those are read too.
            self.ensure_manifest(session);
            match &self.manifest {
                Some((_, Ok(m))) => k8s::translate_only(m, device, |m| m == now).pop(),
                _ => None,
            }
        } else {
            match one_module(session.manifest(), &session.outcome().doc, now) {
                Ok(m) => {
                    if self.manifest.as_ref().is_some_and(|(_, m)| m.is_err()) {
                        self.manifest = None;
                    }
                    k8s::translate_only(&m, device, |m| m == now).pop()
                }
                Err(e) => {
                    self.manifest = Some((revision, Err(e)));
                    None
                }
            }
        };
        self.module = Some(OneModule { revision, name: name.to_owned(), before, after });
    }

    /// The module last brought up to date: before and after the decisions.
    pub fn module(&self) -> (Option<&ModuleObjects>, Option<&ModuleObjects>) {
        self.module.as_ref().map_or((None, None), |m| (m.before.as_ref(), m.after.as_ref()))
    }

    /// Brings every module's objects after the decisions up to the session's revision.
    pub fn ensure_all(&mut self, session: &mut Session) {
        let revision = session.revision();
        if self.all.as_ref().is_some_and(|(r, _)| *r == revision) {
            return;
        }
        self.ensure_manifest(session);
        session.stats.translations += 1;
        let all = match &self.manifest {
            Some((_, Ok(m))) => k8s::translate(m, session.device()),
            _ => Vec::new(),
        };
        self.all = Some((revision, all));
    }

    /// Every module's objects after the decisions, as last brought up to date.
    pub fn all(&self) -> &[ModuleObjects] {
        self.all.as_ref().map_or(&[], |(_, a)| a)
    }
}

/// The migrated document with the module `keep` alone in full, every other module's definition
/// left empty: all the agent reads deployment-wide (every module's name, `$edgeAgent`'s runtime
/// settings) at the cost of reading one module. `input` gives the document's shape.
fn one_module(input: &Manifest, doc: &Value, keep: &str) -> Result<Manifest, String> {
    let content = pointer::get(doc, input.root.as_str()).and_then(Value::as_object);
    let Some(agent) = content.and_then(|c| c.get("$edgeAgent")).and_then(Value::as_object) else {
        return Err("the migrated manifest has no $edgeAgent".to_owned());
    };
    let only = |list: &Map<String, Value>| -> Value {
        list.iter().map(|(k, v)| (k.clone(), if k == keep { v.clone() } else { Value::Null })).collect()
    };
    let mut rebuilt = Map::new();
    for (key, value) in agent {
        let value = match (key.as_str(), value.as_object()) {
            ("properties.desired", Some(desired)) => desired
                .iter()
                .map(|(k, v)| match (k.as_str(), v.as_object()) {
                    ("systemModules" | "modules", Some(list)) => (k.clone(), only(list)),
                    _ => (k.clone(), v.clone()),
                })
                .collect(),
            _ => match ["properties.desired.systemModules.", "properties.desired.modules."]
                .iter()
                .find_map(|p| key.strip_prefix(p))
            {
                Some(name) if name != keep => Value::Null,
                _ => value.clone(),
            },
        };
        rebuilt.insert(key.clone(), value);
    }
    let mut out = Value::Object(std::iter::once(("$edgeAgent".to_owned(), Value::Object(rebuilt))).collect());
    for token in input.root.tokens().collect::<Vec<_>>().into_iter().rev() {
        out = Value::Object(std::iter::once((token.into_owned(), out)).collect());
    }
    Manifest::from_value(out, input.format.clone(), Vec::new())
        .map_err(|e| format!("the migrated manifest does not load: {e}"))
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
            m.service_type().unwrap_or_default(),
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
            if let Some(kind) = m.service_type() {
                match t.services.iter_mut().find(|(k, _)| k == kind) {
                    Some((_, n)) => *n += 1,
                    None => t.services.push((kind.to_owned(), 1)),
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

    /// The view translates the selected module alone: what `translate` makes of it, claims
    /// shared with an earlier module included (they stay with that one), with a storage class
    /// or without.
    #[test]
    fn one_module_translates_as_in_the_whole_deployment() {
        let mount =
            |source: &str| json!({"HostConfig": {"Mounts": [{"Type": "volume", "Source": source, "Target": "/d"}]}});
        let doc = json!({"modulesContent": {
            "$edgeAgent": {"properties.desired": {"schemaVersion": "1.1", "runtime": {"type": "docker", "settings": {}},
                "systemModules": {}, "modules": {
                    "a": module(mount("shared")), "b": module(mount("shared")), "c": module(mount("own")),
                    "C": module(json!({}))}}},
            "$edgeHub": {"properties.desired": {"schemaVersion": "1.1", "routes": {}}}
        }});
        let m = Manifest::load(doc.to_string().as_bytes()).unwrap();
        for class in [None, Some(String::new())] {
            let device = DeviceProfile { storage_class: class.clone(), ..DeviceProfile::default() };
            let all = k8s::translate(&m, &device);
            for one in &all {
                let alone = k8s::translate_only(&m, &device, |n| n == one.module);
                assert_eq!(alone.len(), 1);
                assert_eq!(alone[0].to_json(), one.to_json(), "{} with storage class {class:?}", one.module);
            }
            let b = all.iter().find(|x| x.module == "b").unwrap();
            assert_eq!(b.claims().count(), 0, "the shared claim is listed with a");
            assert!(all.iter().find(|x| x.module == "c").unwrap().error.is_some(), "c and C collide");
        }
    }

    /// The selected module read alone from the migrated document translates as in the whole.
    #[test]
    fn one_module_read_alone_translates_as_in_the_whole_document() {
        for text in [
            include_str!("../../assets/sample.deployment.json"),
            include_str!("../../tests/fixtures/rules/K8S001.json"),
            include_str!("../../tests/fixtures/rules/K8S005.json"),
        ] {
            let m = Manifest::load(text.as_bytes()).unwrap();
            let device = DeviceProfile::default();
            let all = k8s::translate(&m, &device);
            assert!(all.len() > 1);
            for whole in all {
                let alone = one_module(&m, &m.doc, &whole.module).unwrap();
                let one = k8s::translate_only(&alone, &device, |n| n == whole.module);
                assert_eq!(one.len(), 1);
                assert_eq!(one[0].to_json(), whole.to_json(), "{}", whole.module);
            }
        }
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
