//! Module names as the Kubernetes agent turns them into Kubernetes names (its `KubeUtils`):
//! one place for the rules that check names, the renames that rewrite references, and the
//! translation that builds the objects.

/// The name the agent gives a module's Deployment, Service and container (`SanitizeK8sValue`):
/// lower-cased, every character but `a-z`, `0-9`, `.` and `-` dropped.
pub fn k8s_name(name: &str) -> String {
    name.to_lowercase()
        .chars()
        .filter(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '-'))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lower_cases_and_drops_what_kubernetes_names_cannot_have() {
        assert_eq!(k8s_name("Image_Processor"), "imageprocessor");
        assert_eq!(k8s_name("3d.Scanner-1"), "3d.scanner-1");
        assert_eq!(k8s_name("ÄB c"), "bc", "non-ASCII letters and spaces are dropped after lower-casing");
    }
}
