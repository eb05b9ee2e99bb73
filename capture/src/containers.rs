//! What the container runtimes on the recorded host say of a container,
//! read from their own state files when the recorder first sees the
//! container's cgroup, so an offline scan needs no runtime (SPEC.md §5.1,
//! `container`). No runtime is asked over a socket: a compromised host's
//! daemon may be gone, hung or lying more readily than its files.
//!
//! Every file here was written by a runtime on a host an attacker may
//! control, with values whoever started the container chose: reads are
//! bounded, parsing failures leave a field empty, and nothing is trusted
//! beyond being recorded as what the file said.

use std::path::{Path, PathBuf};

use serde_json::Value;
use shrike_format::containers::{PRIVILEGED_NO, PRIVILEGED_UNKNOWN, PRIVILEGED_YES};

/// Largest state file read: Docker's and the OCI bundles' are a few KiB.
const STATE_MAX: u64 = 4 << 20;
/// containers/storage's `containers.json` lists every container of the host.
const LIST_MAX: u64 = 64 << 20;

/// A container's metadata, as the `container` event holds it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Container {
    /// Whose state it came from (`docker`, `containerd`, `cri-o`, `podman`), empty if none.
    pub runtime: &'static str,
    /// The container's name.
    pub name: String,
    /// The image as it was asked for.
    pub image: String,
    /// `PRIVILEGED_*`.
    pub privileged: u64,
    /// Kubernetes pod.
    pub pod: String,
    /// Kubernetes namespace.
    pub namespace: String,
}

/// Where the runtimes keep their state: `/` on a real host; tests build a
/// runtime's files under a directory of their own and point
/// `SHRIKE_RUNTIME_ROOT` at it.
pub fn state_root() -> PathBuf {
    std::env::var_os("SHRIKE_RUNTIME_ROOT").map_or_else(|| PathBuf::from("/"), PathBuf::from)
}

/// What the runtimes' state under `root` says of container `id` (64 hex
/// digits); a container no runtime's state names has only unknowns.
pub fn describe(root: &Path, id: &str) -> Container {
    if id.len() != 64 || !id.bytes().all(|c| c.is_ascii_hexdigit()) {
        return unknown();
    }
    docker(root, id)
        .or_else(|| containerd(root, id))
        .or_else(|| containers_storage(root, id))
        .unwrap_or_else(unknown)
}

fn unknown() -> Container {
    Container {
        privileged: PRIVILEGED_UNKNOWN,
        ..Container::default()
    }
}

fn read_json(path: &Path, max: u64) -> Option<Value> {
    use std::io::Read;
    let mut b = Vec::new();
    std::fs::File::open(path)
        .ok()?
        .take(max + 1)
        .read_to_end(&mut b)
        .ok()?;
    if b.len() as u64 > max {
        return None;
    }
    serde_json::from_slice(&b).ok()
}

fn text(v: &Value, pointer: &str) -> String {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// Docker: `/var/lib/docker/containers/ID/config.v2.json` (name, image) and
/// `hostconfig.json` (the privileged flag).
fn docker(root: &Path, id: &str) -> Option<Container> {
    let dir = root.join("var/lib/docker/containers").join(id);
    let config = read_json(&dir.join("config.v2.json"), STATE_MAX)?;
    let host = read_json(&dir.join("hostconfig.json"), STATE_MAX);
    let privileged = match host.as_ref().and_then(|h| h.get("Privileged")?.as_bool()) {
        Some(true) => PRIVILEGED_YES,
        Some(false) => PRIVILEGED_NO,
        None => PRIVILEGED_UNKNOWN,
    };
    let name = text(&config, "/Name");
    // Kubernetes on dockershim (cri-dockerd) labels what a pod's container is.
    let label = |k: &str| text(&config, &format!("/Config/Labels/{}", k.replace('/', "~1")));
    Some(Container {
        runtime: "docker",
        name: match label("io.kubernetes.container.name") {
            n if n.is_empty() => name.strip_prefix('/').unwrap_or(&name).to_string(),
            n => n,
        },
        image: text(&config, "/Config/Image"),
        privileged,
        pod: label("io.kubernetes.pod.name"),
        namespace: label("io.kubernetes.pod.namespace"),
    })
}

/// containerd: the OCI bundle of the running task,
/// `/run/containerd/io.containerd.runtime.v2.task/NAMESPACE/ID/config.json`,
/// whose annotations the CRI plugin fills for Kubernetes.
fn containerd(root: &Path, id: &str) -> Option<Container> {
    let tasks = root.join("run/containerd/io.containerd.runtime.v2.task");
    let spec = std::fs::read_dir(&tasks)
        .ok()?
        .flatten()
        .find_map(|ns| read_json(&ns.path().join(id).join("config.json"), STATE_MAX))?;
    let a = |k: &str| annotation(&spec, k);
    Some(Container {
        runtime: "containerd",
        name: first([a("io.kubernetes.cri.container-name"), a("nerdctl/name")]),
        image: first([
            a("io.kubernetes.cri.image-name"),
            a("io.containerd.image.name"),
        ]),
        privileged: privileged_by_caps(&spec),
        pod: a("io.kubernetes.cri.sandbox-name"),
        namespace: a("io.kubernetes.cri.sandbox-namespace"),
    })
}

/// CRI-O and podman share containers/storage: the OCI spec in
/// `overlay-containers/ID/userdata/config.json` (under the run root or the
/// graph root) and the list of containers with their names and images in
/// `overlay-containers/containers.json`.
fn containers_storage(root: &Path, id: &str) -> Option<Container> {
    let stores = ["run/containers/storage", "var/lib/containers/storage"].map(|s| root.join(s));
    let spec = stores.iter().find_map(|s| {
        read_json(
            &s.join("overlay-containers")
                .join(id)
                .join("userdata/config.json"),
            STATE_MAX,
        )
    });
    let listed = stores.iter().find_map(|s| {
        let list = read_json(&s.join("overlay-containers/containers.json"), LIST_MAX)?;
        list.as_array()?
            .iter()
            .find(|c| c.get("id").and_then(Value::as_str) == Some(id))
            .cloned()
    });
    if spec.is_none() && listed.is_none() {
        return None;
    }
    let spec = spec.unwrap_or(Value::Null);
    let a = |k: &str| annotation(&spec, k);
    // containers.json keeps the creator's metadata as a JSON string.
    let meta = listed
        .as_ref()
        .and_then(|c| serde_json::from_str::<Value>(c.get("metadata")?.as_str()?).ok())
        .unwrap_or(Value::Null);
    let listed_name = listed
        .as_ref()
        .map(|c| text(c, "/names/0"))
        .unwrap_or_default();
    // CRI-O keeps the kubelet's labels as a JSON string too.
    let labels: Value =
        serde_json::from_str(&a("io.kubernetes.cri-o.Labels")).unwrap_or(Value::Null);
    let label = |k: &str| {
        labels
            .get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let crio = spec
        .get("annotations")
        .and_then(Value::as_object)
        .is_some_and(|m| m.keys().any(|k| k.starts_with("io.kubernetes.cri-o.")));
    Some(Container {
        runtime: if crio { "cri-o" } else { "podman" },
        name: first([
            label("io.kubernetes.container.name"),
            listed_name,
            text(&meta, "/name"),
        ]),
        image: first([
            a("io.kubernetes.cri-o.ImageName"),
            text(&meta, "/image-name"),
        ]),
        privileged: if spec.is_null() {
            PRIVILEGED_UNKNOWN
        } else {
            privileged_by_caps(&spec)
        },
        pod: first([label("io.kubernetes.pod.name"), a("io.kubernetes.pod.name")]),
        namespace: first([
            label("io.kubernetes.pod.namespace"),
            a("io.kubernetes.pod.namespace"),
        ]),
    })
}

fn annotation(spec: &Value, key: &str) -> String {
    spec.get("annotations")
        .and_then(|a| a.get(key))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

fn first<const N: usize>(candidates: [String; N]) -> String {
    candidates
        .into_iter()
        .find(|c| !c.is_empty())
        .unwrap_or_default()
}

/// Capabilities 0 (`CAP_CHOWN`) to 37 (`CAP_AUDIT_READ`): every one Linux
/// had by 4.x. A privileged container's bounding set holds them all; no
/// default set of any runtime comes close (Docker's keeps 14).
const ALL_CAPS: [&str; 38] = [
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_DAC_READ_SEARCH",
    "CAP_FOWNER",
    "CAP_FSETID",
    "CAP_KILL",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETPCAP",
    "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE",
    "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",
    "CAP_NET_RAW",
    "CAP_IPC_LOCK",
    "CAP_IPC_OWNER",
    "CAP_SYS_MODULE",
    "CAP_SYS_RAWIO",
    "CAP_SYS_CHROOT",
    "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",
    "CAP_SYS_ADMIN",
    "CAP_SYS_BOOT",
    "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME",
    "CAP_SYS_TTY_CONFIG",
    "CAP_MKNOD",
    "CAP_LEASE",
    "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL",
    "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE",
    "CAP_MAC_ADMIN",
    "CAP_SYSLOG",
    "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",
    "CAP_AUDIT_READ",
];

/// Privileged by the OCI spec's bounding capabilities; unknown without them.
fn privileged_by_caps(spec: &Value) -> u64 {
    let Some(bounding) = spec
        .pointer("/process/capabilities/bounding")
        .and_then(Value::as_array)
    else {
        return PRIVILEGED_UNKNOWN;
    };
    let has = |cap: &str| bounding.iter().any(|c| c.as_str() == Some(cap));
    if ALL_CAPS.iter().all(|c| has(c)) {
        PRIVILEGED_YES
    } else {
        PRIVILEGED_NO
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(root: &Path, rel: &str, json: &str) {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, json).unwrap();
    }

    fn id(c: char) -> String {
        std::iter::repeat_n(c, 64).collect()
    }

    #[test]
    fn docker_state_names_image_and_privilege() {
        let root = tempfile::tempdir().unwrap();
        let id = id('a');
        write(
            root.path(),
            &format!("var/lib/docker/containers/{id}/config.v2.json"),
            r#"{"ID":"x","Name":"/web","Config":{"Image":"nginx:1.25","Labels":{}}}"#,
        );
        write(
            root.path(),
            &format!("var/lib/docker/containers/{id}/hostconfig.json"),
            r#"{"Privileged":true}"#,
        );
        let c = describe(root.path(), &id);
        assert_eq!(
            c,
            Container {
                runtime: "docker",
                name: "web".into(),
                image: "nginx:1.25".into(),
                privileged: PRIVILEGED_YES,
                pod: String::new(),
                namespace: String::new(),
            }
        );
    }

    #[test]
    fn containerd_bundles_give_kubernetes_names_and_privilege_by_capabilities() {
        let root = tempfile::tempdir().unwrap();
        let id = id('b');
        let all: Vec<String> = ALL_CAPS.iter().map(|c| format!("\"{c}\"")).collect();
        write(
            root.path(),
            &format!("run/containerd/io.containerd.runtime.v2.task/k8s.io/{id}/config.json"),
            &format!(
                r#"{{"process":{{"capabilities":{{"bounding":[{}]}}}},
                "annotations":{{"io.kubernetes.cri.container-name":"app",
                "io.kubernetes.cri.image-name":"registry.example/app:v2",
                "io.kubernetes.cri.sandbox-name":"app-7d9f","io.kubernetes.cri.sandbox-namespace":"prod"}}}}"#,
                all.join(",")
            ),
        );
        let c = describe(root.path(), &id);
        assert_eq!(c.runtime, "containerd");
        assert_eq!(
            (c.name.as_str(), c.image.as_str()),
            ("app", "registry.example/app:v2")
        );
        assert_eq!((c.pod.as_str(), c.namespace.as_str()), ("app-7d9f", "prod"));
        assert_eq!(c.privileged, PRIVILEGED_YES);
    }

    #[test]
    fn containers_storage_serves_cri_o_and_podman() {
        let root = tempfile::tempdir().unwrap();
        let (crio, podman) = (id('c'), id('d'));
        write(
            root.path(),
            &format!("run/containers/storage/overlay-containers/{crio}/userdata/config.json"),
            r#"{"process":{"capabilities":{"bounding":["CAP_CHOWN","CAP_KILL"]}},
            "annotations":{"io.kubernetes.cri-o.ImageName":"quay.io/x/y:1",
            "io.kubernetes.cri-o.Labels":"{\"io.kubernetes.container.name\":\"y\",\"io.kubernetes.pod.name\":\"y-1\",\"io.kubernetes.pod.namespace\":\"ns\"}"}}"#,
        );
        write(
            root.path(),
            "var/lib/containers/storage/overlay-containers/containers.json",
            &format!(
                r#"[{{"id":"{podman}","names":["tools"],"metadata":"{{\"image-name\":\"docker.io/library/alpine:3.20\",\"name\":\"tools\"}}"}}]"#
            ),
        );
        let c = describe(root.path(), &crio);
        assert_eq!(c.runtime, "cri-o");
        assert_eq!((c.name.as_str(), c.image.as_str()), ("y", "quay.io/x/y:1"));
        assert_eq!((c.pod.as_str(), c.namespace.as_str()), ("y-1", "ns"));
        assert_eq!(c.privileged, PRIVILEGED_NO);
        let p = describe(root.path(), &podman);
        assert_eq!(p.runtime, "podman");
        assert_eq!(
            (p.name.as_str(), p.image.as_str()),
            ("tools", "docker.io/library/alpine:3.20")
        );
        assert_eq!(p.privileged, PRIVILEGED_UNKNOWN);
    }

    #[test]
    fn a_container_no_runtime_knows_and_crafted_ids_have_only_unknowns() {
        let root = tempfile::tempdir().unwrap();
        assert_eq!(describe(root.path(), &id('e')), unknown());
        // An id is only ever 64 hex digits: nothing else becomes a path.
        write(
            root.path(),
            "var/lib/docker/containers/../x/config.v2.json",
            "{}",
        );
        assert_eq!(describe(root.path(), "../x"), unknown());
    }
}
