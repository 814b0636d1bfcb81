//! Kubernetes pods as the container runtimes record them: containerd's CRI
//! plugin and CRI-O write annotations into each bundle's config.json,
//! dockershim and cri-dockerd write labels on Docker containers. Each names
//! the pod's namespace and name, the container's name, and whether it is the
//! pod's sandbox ("pause") container, which is never entered.

use super::PodRef;
use serde_json::Value;
use std::collections::BTreeMap;

/// containerd's CRI plugin.
const CONTAINERD_TYPE: &str = "io.kubernetes.cri.container-type";
const CONTAINERD_NAMESPACE: &str = "io.kubernetes.cri.sandbox-namespace";
const CONTAINERD_POD: &str = "io.kubernetes.cri.sandbox-name";
const CONTAINERD_CONTAINER: &str = "io.kubernetes.cri.container-name";
pub const CONTAINERD_IMAGE: &str = "io.kubernetes.cri.image-name";

/// CRI-O, and the labels of dockershim and cri-dockerd.
const KUBE_NAMESPACE: &str = "io.kubernetes.pod.namespace";
const KUBE_POD: &str = "io.kubernetes.pod.name";
const KUBE_CONTAINER: &str = "io.kubernetes.container.name";
const CRIO_TYPE: &str = "io.kubernetes.cri-o.ContainerType";
pub const CRIO_IMAGE: &str = "io.kubernetes.cri-o.ImageName";
const DOCKERSHIM_TYPE: &str = "io.kubernetes.docker.type";

/// The pod of a bundle written by containerd's CRI plugin, and whether it
/// is the sandbox.
pub fn pod_of_containerd(annotations: &BTreeMap<String, String>) -> Option<(PodRef, bool)> {
    let get = |k: &str| annotations.get(k).map(String::as_str);
    let sandbox = get(CONTAINERD_TYPE) == Some("sandbox");
    let pod = PodRef {
        namespace: get(CONTAINERD_NAMESPACE)?.to_string(),
        pod: get(CONTAINERD_POD)?.to_string(),
        container: get(CONTAINERD_CONTAINER).unwrap_or("").to_string(),
    };
    // A container with no name and no sandbox type is not one we can address.
    (sandbox || !pod.container.is_empty()).then_some((pod, sandbox))
}

/// The pod of a bundle written by CRI-O.
pub fn pod_of_crio(annotations: &BTreeMap<String, String>) -> Option<(PodRef, bool)> {
    let get = |k: &str| annotations.get(k).map(String::as_str);
    let sandbox = get(CRIO_TYPE)? == "sandbox";
    kube_pod(get, sandbox)
}

/// Whether CRI-O wrote this bundle (older releases do not say so in
/// `io.container.manager`).
pub fn is_crio(annotations: &BTreeMap<String, String>) -> bool {
    annotations.contains_key(CRIO_TYPE)
}

/// A sandbox by CRI-O's container type, which Podman writes too.
pub fn is_sandbox(annotations: &BTreeMap<String, String>) -> bool {
    annotations.get(CRIO_TYPE).map(String::as_str) == Some("sandbox")
}

/// The pod of a Docker container started by dockershim or cri-dockerd,
/// from its `Config.Labels`.
pub fn pod_of_docker_labels(labels: &Value) -> Option<(PodRef, bool)> {
    let get = |k: &str| labels[k].as_str();
    let sandbox = get(DOCKERSHIM_TYPE) == Some("podsandbox");
    kube_pod(get, sandbox)
}

fn kube_pod<'a>(get: impl Fn(&str) -> Option<&'a str>, sandbox: bool) -> Option<(PodRef, bool)> {
    let container = match get(KUBE_CONTAINER) {
        // The sandbox is named "POD" by both.
        _ if sandbox => "",
        Some(name) => name,
        None => return None,
    };
    Some((
        PodRef {
            namespace: get(KUBE_NAMESPACE)?.to_string(),
            pod: get(KUBE_POD)?.to_string(),
            container: container.to_string(),
        },
        sandbox,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn pod(ns: &str, pod: &str, ctr: &str) -> PodRef {
        PodRef {
            namespace: ns.into(),
            pod: pod.into(),
            container: ctr.into(),
        }
    }

    #[test]
    fn containerd_app_and_sandbox() {
        let app = map(&[
            (CONTAINERD_TYPE, "container"),
            (CONTAINERD_NAMESPACE, "default"),
            (CONTAINERD_POD, "web"),
            (CONTAINERD_CONTAINER, "app"),
        ]);
        assert_eq!(
            pod_of_containerd(&app),
            Some((pod("default", "web", "app"), false))
        );
        let sandbox = map(&[
            (CONTAINERD_TYPE, "sandbox"),
            (CONTAINERD_NAMESPACE, "default"),
            (CONTAINERD_POD, "web"),
        ]);
        assert_eq!(
            pod_of_containerd(&sandbox),
            Some((pod("default", "web", ""), true))
        );
        assert_eq!(pod_of_containerd(&map(&[(CONTAINERD_POD, "web")])), None);
        let nameless = map(&[(CONTAINERD_NAMESPACE, "default"), (CONTAINERD_POD, "web")]);
        assert_eq!(pod_of_containerd(&nameless), None);
    }

    #[test]
    fn crio_and_dockershim() {
        let app = map(&[
            (CRIO_TYPE, "container"),
            (KUBE_NAMESPACE, "kube-system"),
            (KUBE_POD, "dns"),
            (KUBE_CONTAINER, "coredns"),
        ]);
        assert!(is_crio(&app));
        assert_eq!(
            pod_of_crio(&app),
            Some((pod("kube-system", "dns", "coredns"), false))
        );
        let infra = map(&[
            (CRIO_TYPE, "sandbox"),
            (KUBE_NAMESPACE, "kube-system"),
            (KUBE_POD, "dns"),
            (KUBE_CONTAINER, "POD"),
        ]);
        assert_eq!(
            pod_of_crio(&infra),
            Some((pod("kube-system", "dns", ""), true))
        );
        let labels = serde_json::json!({
            DOCKERSHIM_TYPE: "container", KUBE_NAMESPACE: "default",
            KUBE_POD: "web", KUBE_CONTAINER: "app"
        });
        assert_eq!(
            pod_of_docker_labels(&labels),
            Some((pod("default", "web", "app"), false))
        );
        assert_eq!(
            pod_of_docker_labels(&serde_json::json!({"app": "web"})),
            None
        );
    }
}
