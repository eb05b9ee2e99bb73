//! Containers as the host names them: the id in a cgroup's name, and the
//! values of the `container` event (SPEC.md §5.1).

/// `container` `privileged`: not privileged.
pub const PRIVILEGED_NO: u64 = 0;
/// `container` `privileged`: privileged.
pub const PRIVILEGED_YES: u64 = 1;
/// `container` `privileged`: the runtime's state did not say.
pub const PRIVILEGED_UNKNOWN: u64 = 2;

/// The full (64 hex digit) container id in a cgroup path, as container
/// runtimes name their cgroups: `docker-ID.scope`, `/docker/ID`,
/// `cri-containerd-ID.scope`, `crio-ID.scope`, `libpod-ID.scope`, and
/// kubepods' `/kubepods/.../ID`.
pub fn container_id(path: &[u8]) -> Option<&[u8]> {
    path.split(|&c| c == b'/').rev().find_map(|part| {
        let part = part.strip_suffix(b".scope").unwrap_or(part);
        let id = [
            &b"docker-"[..],
            b"cri-containerd-",
            b"crio-",
            b"libpod-",
            b"",
        ]
        .iter()
        .find_map(|p| part.strip_prefix(*p))?;
        (id.len() == 64 && id.iter().all(u8::is_ascii_hexdigit)).then_some(id)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_come_from_every_runtimes_cgroup_names() {
        let id = "ab".repeat(32);
        for path in [
            format!("/system.slice/docker-{id}.scope"),
            format!("/docker/{id}"),
            format!("/kubepods.slice/kubepods-burstable.slice/cri-containerd-{id}.scope"),
            format!("/machine.slice/libpod-{id}.scope"),
            format!("/kubepods/besteffort/pod1234/{id}"),
            format!("/kubepods.slice/crio-{id}.scope/container"),
        ] {
            assert_eq!(container_id(path.as_bytes()), Some(id.as_bytes()), "{path}");
        }
        for path in ["/user.slice", "/system.slice/docker.service", "/docker/abc"] {
            assert_eq!(container_id(path.as_bytes()), None, "{path}");
        }
    }
}
