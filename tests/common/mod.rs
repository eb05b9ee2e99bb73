//! What recording tests share: the known-actions workload (built static, so
//! the same binary runs here and in the kernel matrix's initramfs), and the
//! event-by-event check of its recording.

#![allow(dead_code)] // each test crate uses a part

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use shrike_format::{Body, Capture, OwnedEvent, SockAddr, fdtype};

#[path = "../../rule-lang/tests/support/shared.rs"]
pub mod shared;

/// Fails under CI (`CI=true`), where every test must run; elsewhere prints `SKIPPED: why`.
/// Returns false so a test can `return` on it.
pub fn cannot_run(why: &str) -> bool {
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("CI=true but this test cannot run here: {why}");
    }
    eprintln!("SKIPPED: {why}");
    false
}

/// Whether this machine can record (root, a kernel with BTF); under CI it must.
pub fn ebpf_usable() -> bool {
    // SAFETY: a plain getter.
    let root = unsafe { libc::geteuid() } == 0;
    let btf = Path::new("/sys/kernel/btf/vmlinux").exists();
    match (root, btf) {
        (true, true) => true,
        (false, _) => {
            cannot_run("recording needs root; run the tests as root to include recording tests")
        }
        (true, false) => cannot_run("the kernel has no BTF"),
    }
}

/// testdata/workloads/known_actions.c, built static once per test binary.
pub fn known_actions_binary() -> PathBuf {
    static BUILT: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    BUILT
        .get_or_init(|| {
            let src =
                Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/workloads/known_actions.c");
            // One directory per test process: test binaries build it at the same time.
            let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
                .join(format!("workload-{}", std::process::id()));
            std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            let out = dir.join("known_actions");
            let o = Command::new("cc")
                .args(["-static", "-O1", "-Wall", "-Werror", "-o"])
                .arg(&out)
                .arg(&src)
                .output()
                .map_err(|e| format!("running cc: {e}"))?;
            if !o.status.success() {
                return Err(format!(
                    "cc -static {}: {}",
                    src.display(),
                    String::from_utf8_lossy(&o.stderr)
                ));
            }
            Ok(out)
        })
        .clone()
        .unwrap_or_else(|e| panic!("building the known-actions workload: {e}"))
}

/// Every event of a capture that must be undamaged.
pub fn events(file: &Path) -> Vec<OwnedEvent> {
    let cap = Capture::open(file).unwrap();
    assert!(
        cap.damage().is_empty(),
        "{}: {:?}",
        file.display(),
        cap.damage()
    );
    cap.read_all().unwrap()
}

/// Bytes as text for comparisons.
pub fn s(b: &[u8]) -> &str {
    std::str::from_utf8(b).unwrap_or("<non-utf8>")
}

/// Tracepoints the recorder reported missing, from the capture's configuration.
pub fn missing_tracepoints(file: &Path) -> Vec<String> {
    config_list(file, "missing_tracepoints")
}

/// A list of strings in the capture's configuration (`raw_syscalls`, `kernel_limits`, …).
pub fn config_list(file: &Path, key: &str) -> Vec<String> {
    let cap = Capture::open(file).unwrap();
    let config: serde_json::Value = serde_json::from_str(&cap.header().config).unwrap();
    config[key]
        .as_array()
        .map(|a| a.iter().map(|m| m.as_str().unwrap().to_string()).collect())
        .unwrap_or_default()
}

/// Whether `child` was forked (directly or not) from `root`, per the recorded clone events.
pub fn is_descendant(evs: &[OwnedEvent], child: u32, root: u32) -> bool {
    let parent_of = |c: u32| {
        evs.iter().find_map(|e| match e.body {
            Body::Clone { child_pid, .. }
            | Body::Clone3 { child_pid, .. }
            | Body::Fork { child_pid, .. }
            | Body::Vfork { child_pid, .. }
                if child_pid == u64::from(c) && e.pid != c =>
            {
                Some(e.pid)
            }
            _ => None,
        })
    };
    let mut c = child;
    for _ in 0..64 {
        match parent_of(c) {
            Some(p) if p == root => return true,
            Some(p) => c = p,
            None => return false,
        }
    }
    false
}

/// Checks a `--follow` recording of the known-actions workload event by
/// event against the facts it reported; `file` is the capture.
pub fn check_known_actions(file: &Path, f: &serde_json::Value) {
    let evs = events(file);
    let missing = missing_tracepoints(file);
    let pid = f["pid"].as_u64().unwrap() as u32;
    let port = |k: &str| f[k].as_u64().unwrap() as u16;
    let w = f["dir"].as_str().unwrap().to_string();
    let find = |what: &str, p: &dyn Fn(&OwnedEvent) -> bool| -> OwnedEvent {
        evs.iter().find(|e| p(e)).cloned().unwrap_or_else(|| {
            // What was recorded instead: the events of the kinds the description names.
            let named: Vec<&OwnedEvent> = evs
                .iter()
                .filter(|e| {
                    e.kind()
                        .is_some_and(|k| what.split([' ', '_']).any(|w| w == k.name()))
                })
                .collect();
            panic!(
                "no {what} event among {} recorded in {}; of its kind: {named:?}",
                evs.len(),
                file.display()
            )
        })
    };

    // the workload's own exec, with its credentials and capabilities
    let me = find("execve of the workload", &|e| {
        e.pid == pid && matches!(&e.body, Body::Execve { res: 0, .. })
    });
    let Body::Execve {
        cwd,
        cap_effective,
        argv,
        ..
    } = &me.body
    else {
        unreachable!()
    };
    assert_eq!(s(cwd), f["cwd"].as_str().unwrap(), "cwd of the workload");
    assert!(s(&argv[0]).ends_with("known_actions"), "{argv:?}");
    if me.euid == 0 {
        // CAP_SYS_ADMIN (21) at least: the capability sets are read whole on every kernel
        assert_ne!(
            cap_effective & (1 << 21),
            0,
            "cap_effective {cap_effective:#x}"
        );
    }

    // exec of a known argv, under the workload's process
    let echo = f["echo_pid"].as_u64().unwrap() as u32;
    let ex = find("execve of echo", &|e| {
        e.pid == echo && matches!(&e.body, Body::Execve { res: 0, .. })
    });
    let Body::Execve {
        argv,
        exe,
        ppid,
        filename,
        env,
        pgid,
        ..
    } = &ex.body
    else {
        unreachable!()
    };
    assert!(
        env.iter().any(|v| s(v) == "SHRIKE_MARKER_ENV=known value"),
        "environment of echo: {env:?}"
    );
    assert_eq!(*pgid, u64::from(echo), "echo leads its own process group");
    assert_eq!(
        argv.iter().map(|a| s(a)).collect::<Vec<_>>(),
        ["/bin/echo", "shrike-marker-exec", "arg two"]
    );
    assert_eq!(*ppid, u64::from(pid));
    assert_eq!(s(filename), "/bin/echo");
    assert_eq!(s(exe), f["echo_exe"].as_str().unwrap());
    assert_eq!(s(&ex.comm), "echo");
    find("clone of echo", &|e| {
        e.pid == pid
            && matches!(&e.body, Body::Clone { child_pid, .. } | Body::Clone3 { child_pid, .. } | Body::Vfork { child_pid, .. } if *child_pid == u64::from(echo))
    });

    // write-open and read-open of a known path; a failed open
    let known = format!("{w}/known.txt");
    let wopen = find(
        "write-open",
        &|e| matches!(&e.body, Body::Openat { abspath, flags, .. } if s(abspath) == known && flags & 3 == 1),
    );
    let Body::Openat {
        res,
        flags,
        mode,
        created,
        ..
    } = wopen.body
    else {
        unreachable!()
    };
    assert!(res >= 0);
    assert_eq!(flags & 0o1100, 0o1100, "O_CREAT|O_TRUNC");
    assert_eq!(mode, 0o640);
    // Whether an open created its file is the kernel's FMODE_CREATED, which the
    // recorder finds at load time on every kernel: O_CREAT alone says nothing.
    assert_eq!(created, 1, "the first open created known.txt");
    let again = find(
        "O_CREAT open of the existing file",
        &|e| matches!(&e.body, Body::Openat { abspath, flags, .. } if s(abspath) == known && flags & 0o2000 != 0),
    );
    assert!(
        matches!(again.body, Body::Openat { created: 2, .. }),
        "an O_CREAT open of an existing file did not create it: {again:?}"
    );
    find(
        "read-open",
        &|e| matches!(&e.body, Body::Openat { abspath, flags, res, .. } if s(abspath) == known && flags & 3 == 0 && *res >= 0),
    );
    find(
        "failed open",
        &|e| matches!(&e.body, Body::Openat { path, res: -2, .. } if s(path) == "/nonexistent-shrike/enoent"),
    );

    // relative paths of *at calls, with AT_FDCWD as glibc passes it, made absolute against the cwd
    find(
        "relative openat",
        &|e| matches!(&e.body, Body::Openat { path, abspath, dirfd: -100, res, .. } if s(path) == "known.txt" && s(abspath) == known && *res >= 0),
    );
    // a path deeper than the recorder walks: its end, marked as cut, never passed off as whole
    let deep = f["deep"].as_str().unwrap();
    let d = find(
        "open of the deep file",
        &|e| matches!(&e.body, Body::Openat { path, res, .. } if s(path) == deep && *res >= 0),
    );
    let Body::Openat { abspath, .. } = &d.body else {
        unreachable!()
    };
    let tail = s(abspath)
        .strip_prefix("…")
        .unwrap_or_else(|| panic!("a cut path not marked as cut: {}", s(abspath)));
    assert!(
        tail.starts_with('/')
            && deep.ends_with(tail)
            && tail.len() >= 32
            && tail.len() < deep.len(),
        "{} is not the end of {deep}",
        s(abspath)
    );

    // an open through a symlink and `..`: the file the kernel opened, not the lexical join
    find(
        "open of lnk/../target.txt",
        &|e| matches!(&e.body, Body::Openat { path, abspath, res, resolved: 1, .. } if s(path) == "lnk/../target.txt" && s(abspath) == format!("{w}/sub/target.txt") && *res >= 0),
    );
    // the same failing: the lexical join, marked as not resolved
    find(
        "failed open of lnk/../missing.txt",
        &|e| matches!(&e.body, Body::Openat { path, abspath, res: -2, resolved: 0, .. } if s(path) == "lnk/../missing.txt" && s(abspath) == format!("{w}/missing.txt")),
    );
    // a chdir through the symlink: the directory the kernel went to
    find(
        "chdir lnk/..",
        &|e| matches!(&e.body, Body::Chdir { path, abspath, res: 0, resolved: 1 } if s(path) == "lnk/.." && s(abspath) == format!("{w}/sub")),
    );
    find(
        "relative chdir",
        &|e| matches!(&e.body, Body::Chdir { path, abspath, res: 0, resolved: 1 } if s(path) == "sub" && s(abspath) == format!("{w}/sub")),
    );

    // what an attacker does to a file: capabilities, times, the immutable flag
    let capfile = format!("{w}/capfile");
    let at_capfile = |abspath: &[u8]| s(abspath) == capfile;
    find(
        "setxattr of security.capability (setcap cap_setuid+ep)",
        &|e| {
            e.pid == pid
                && matches!(&e.body, Body::Setxattr { fd: -100, path, abspath, name, size: 20, cap_magic: 0x0200_0001, cap_permitted: 0x80, cap_inheritable: 0, resolved: 0, .. } if s(path) == "capfile" && at_capfile(abspath) && s(name) == "security.capability")
        },
    );
    find("removexattr of security.capability", &|e| {
        e.pid == pid
            && matches!(&e.body, Body::Removexattr { abspath, name, .. } if at_capfile(abspath) && s(name) == "security.capability")
    });
    find("fsetxattr of user.shrike", &|e| {
        e.pid == pid
            && matches!(&e.body, Body::Fsetxattr { fd, path, abspath, name, value, size: 6, cap_magic: 0, resolved: 1, .. } if *fd >= 0 && path.is_empty() && at_capfile(abspath) && s(name) == "user.shrike" && s(value) == "hidden")
    });
    const T: i64 = 981_173_106; // 2001-02-03T04:05:06Z
    const UTIME_NOW: i64 = (1 << 30) - 1;
    find("utimensat by path (touch -d)", &|e| {
        e.pid == pid
            && matches!(&e.body, Body::Utimensat { dirfd: -100, path, abspath, atime_sec: T, atime_nsec: 0, mtime_sec: T, mtime_nsec: 0, flags: 0x100, .. } if s(path) == "capfile" && at_capfile(abspath))
    });
    find("futimens (utimensat without a path)", &|e| {
        e.pid == pid
            && matches!(&e.body, Body::Utimensat { dirfd, path, abspath, mtime_sec: T, resolved: 1, .. } if *dirfd >= 0 && path.is_empty() && at_capfile(abspath))
    });
    find("utimes, microseconds as nanoseconds", &|e| {
        e.pid == pid
            && matches!(&e.body, Body::Utimes { abspath, atime_sec: T, atime_nsec: 7000, mtime_sec: T, mtime_nsec: 7000, .. } if at_capfile(abspath))
    });
    find("futimesat", &|e| {
        e.pid == pid
            && matches!(&e.body, Body::Futimesat { dirfd: -100, abspath, mtime_sec: T, mtime_nsec: 7000, .. } if at_capfile(abspath))
    });
    find("utime to now", &|e| {
        e.pid == pid
            && matches!(&e.body, Body::Utime { abspath, atime_nsec: UTIME_NOW, mtime_nsec: UTIME_NOW, .. } if at_capfile(abspath))
    });
    find("ioctl FS_IOC_SETFLAGS immutable (chattr +i)", &|e| {
        e.pid == pid
            && matches!(&e.body, Body::Ioctl { abspath, request: 0x4008_6602, flags: 0x10, resolved: 1, .. } if at_capfile(abspath))
    });
    assert!(
        !evs.iter().any(|e| matches!(&e.body, Body::Ioctl { request, .. } if *request & 0xffff != 0x6602 && *request != 0x401c_5820)),
        "only inode-flag ioctls are recorded"
    );
    find(
        "relative unlinkat",
        &|e| matches!(&e.body, Body::Unlinkat { path, abspath, res: 0, .. } if s(path) == "unlinkat-me" && s(abspath) == format!("{w}/unlinkat-me")),
    );
    find(
        "relative mkdirat",
        &|e| matches!(&e.body, Body::Mkdirat { path, abspath, res: 0, mode: 0o700, .. } if s(path) == "made-dir" && s(abspath) == format!("{w}/made-dir")),
    );
    find(
        "unlink",
        &|e| matches!(&e.body, Body::Unlink { path, abspath, res: 0, .. } | Body::Unlinkat { path, abspath, res: 0, .. } if s(path) == "unlink-me" && s(abspath) == format!("{w}/unlink-me")),
    );
    find("rename", &|e| match &e.body {
        Body::Rename {
            oldabspath,
            newabspath,
            res: 0,
            ..
        }
        | Body::Renameat {
            oldabspath,
            newabspath,
            res: 0,
            ..
        }
        | Body::Renameat2 {
            oldabspath,
            newabspath,
            res: 0,
            ..
        } => {
            s(oldabspath) == format!("{w}/rename-from") && s(newabspath) == format!("{w}/rename-to")
        }
        _ => false,
    });
    find(
        "chmod +s",
        &|e| matches!(&e.body, Body::Chmod { abspath, mode: 0o4755, res: 0, .. } | Body::Fchmodat { abspath, mode: 0o4755, res: 0, .. } if s(abspath) == format!("{w}/rename-to")),
    );

    // connect and accept on loopback with known ports
    let (sp, cp) = (port("server_port"), port("client_port"));
    let lo = |p: u16| SockAddr::V4 {
        ip: [127, 0, 0, 1],
        port: p,
    };
    let c = find(
        "connect",
        &|e| matches!(&e.body, Body::Connect { raddr, .. } if *raddr == lo(sp)),
    );
    let Body::Connect {
        res, proto, laddr, ..
    } = c.body
    else {
        unreachable!()
    };
    assert_eq!((res, proto, laddr), (0, 6, lo(cp)));
    find(
        "accept",
        &|e| matches!(&e.body, Body::Accept { laddr, raddr, res, .. } | Body::Accept4 { laddr, raddr, res, .. } if *laddr == lo(sp) && *raddr == lo(cp) && *res >= 0),
    );
    find(
        "listen",
        &|e| matches!(&e.body, Body::Listen { laddr, .. } if *laddr == lo(sp)),
    );
    find("bind", &|e| {
        matches!(
            &e.body,
            Body::Bind {
                laddr: SockAddr::V4 {
                    ip: [127, 0, 0, 1],
                    ..
                },
                res: 0,
                ..
            }
        )
    });
    find(
        "dup2 of a socket onto stdin",
        &|e| matches!(&e.body, Body::Dup2 { newfd: 0, fdtype: t, laddr, raddr, proto: 6, .. } | Body::Dup3 { newfd: 0, fdtype: t, laddr, raddr, proto: 6, .. } if *t == fdtype::SOCKET && *laddr == lo(cp) && *raddr == lo(sp)),
    );

    // DNS: each call a resolver makes, decoded (SPEC.md §5.1 `dns`)
    let server: std::net::Ipv4Addr = f["dns_server"].as_str().unwrap().parse().unwrap();
    let ns = SockAddr::V4 {
        ip: server.octets(),
        port: 53,
    };
    let dns =
        |what: &str, syscall: u64, dir: u64, proto: u64, name: &str, ty: u16, answers: &str| {
            find(what, &|e| {
                let Body::Dns {
                    syscall: sc,
                    dir: d,
                    proto: p,
                    ..
                } = &e.body
                else {
                    return false;
                };
                let m = shrike_analyze::dns::message(&e.as_event_ref().body);
                (*sc, *d, *p) == (syscall, dir, proto)
                    && m.as_ref().is_some_and(|m| {
                        m.question == Some((name.as_bytes().to_vec(), ty))
                            && m.response == (dir == 2)
                            && m.answer_list() == answers.as_bytes()
                    })
            })
        };
    for (what, syscall, dir, proto, name, ty, answers) in [
        ("dns write", 1, 1, 17, "known.example.org", 1, ""),
        ("dns read", 0, 2, 17, "known.example.org", 1, "198.51.100.9"),
        ("dns sendto", 44, 1, 17, "c2.example.net", 1, ""),
        ("dns recvfrom", 45, 2, 17, "c2.example.net", 1, "127.0.0.9"),
        ("dns sendmmsg A", 307, 1, 17, "mm.example.com", 1, ""),
        ("dns sendmmsg AAAA", 307, 1, 17, "mm.example.com", 28, ""),
        (
            "dns recvmsg A",
            47,
            2,
            17,
            "mm.example.com",
            1,
            "198.51.100.10",
        ),
        (
            "dns recvmsg AAAA",
            47,
            2,
            17,
            "mm.example.com",
            28,
            "2001:db8::10",
        ),
        ("dns write over tcp", 1, 1, 6, "tcp.example.org", 1, ""),
        (
            "dns read over tcp",
            0,
            2,
            6,
            "tcp.example.org",
            1,
            "198.51.100.11",
        ),
    ] {
        let e = dns(what, syscall, dir, proto, name, ty, answers);
        let Body::Dns {
            raddr, len, data, ..
        } = &e.body
        else {
            unreachable!()
        };
        assert_eq!(*len, data.len() as u64, "{what}: the whole message");
        // The one receive that names no address has no peer to tell.
        if syscall != 45 {
            assert_eq!(*raddr, ns, "{what}: the server");
        }
    }

    // bytes moved: the upload, exactly, at each end's close, with both addresses
    let upload = f["upload"].as_u64().unwrap();
    find("fd_io of the upload's sending end", &|e| {
        e.pid == pid
            && matches!(&e.body, Body::FdIo { fdtype: t, written, writes: 13, read: 0, until: 1, laddr, raddr, proto: 6, .. }
                if *t == fdtype::SOCKET && *written == upload && *laddr == lo(cp) && *raddr == lo(sp))
    });
    find("fd_io of the upload's receiving end", &|e| {
        e.pid == pid
            && matches!(&e.body, Body::FdIo { fdtype: t, read, written: 0, until: 1, laddr, raddr, proto: 6, .. }
                if *t == fdtype::SOCKET && *read == upload && *laddr == lo(sp) && *raddr == lo(cp))
    });

    // io_uring: each request the workload submitted through its ring, with
    // its result and what it used or opened (SPEC.md §5.1 `io_uring`)
    let num = |k: &str| f[k].as_i64().unwrap();
    let ring = num("uring_ring");
    find("io_uring_setup of the workload's ring", &|e| {
        e.pid == pid
            && matches!(e.body, Body::IoUringSetup { res, sq_entries: 8, .. } if res == ring)
    });
    let uring = |what: &str, user_data: u64, p: &dyn Fn(&OwnedEvent) -> bool| {
        let e = find(what, &|e| {
            e.pid == pid
                && matches!(&e.body, Body::IoUring { user_data: u, pending: 0, .. } if *u == user_data)
        });
        let Body::IoUring {
            ring: r, submit_ts, ..
        } = &e.body
        else {
            unreachable!()
        };
        assert_eq!(*r, ring, "{what}: the ring's fd");
        assert!(
            *submit_ts > 0 && *submit_ts <= e.ts,
            "{what}: submitted before it completed"
        );
        assert!(p(&e), "{what}: {e:?}");
        e
    };
    let known = format!("{w}/known.txt");
    uring("io_uring open of known.txt", 0x5348, &|e| {
        matches!(&e.body, Body::IoUring { op: 18, res, path, open_path, flags, fdtype: t, .. }
            if *res == num("uring_fd") && s(path) == known && s(open_path) == known
                && flags & 3 == 0 && *t == fdtype::FILE)
    });
    uring("io_uring open of a missing file", 0x534f, &|e| {
        matches!(&e.body, Body::IoUring { op: 18, res: -2, path, open_path, .. }
            if path.is_empty() && s(open_path) == "/nonexistent-shrike/uring-enoent")
    });
    let refused = port("uring_refused");
    uring(
        "io_uring connect refused",
        0x5351,
        &|e| matches!(&e.body, Body::IoUring { op: 16, res: -111, raddr, .. } if *raddr == lo(refused)),
    );
    let read = uring(
        "io_uring read of known.txt",
        0x5349,
        &|e| matches!(&e.body, Body::IoUring { op: 22, res, path, .. } if *res == num("uring_read") && s(path) == known),
    );
    uring(
        "io_uring close",
        0x534a,
        &|e| matches!(&e.body, Body::IoUring { op: 19, res: 0, fd, .. } if *fd == num("uring_fd")),
    );
    uring("io_uring open of /etc/shadow", 0x534b, &|e| {
        matches!(&e.body, Body::IoUring { op: 18, res, path, .. }
            if *res == num("uring_shadow") && (*res < 0 || s(path) == "/etc/shadow"))
    });
    let up = port("uring_port");
    uring(
        "io_uring connect",
        0x534c,
        &|e| matches!(&e.body, Body::IoUring { op: 16, res: 0, proto: 6, laddr, raddr, .. } if *laddr == lo(up) && *raddr == lo(sp)),
    );
    uring(
        "io_uring accept",
        0x534d,
        &|e| matches!(&e.body, Body::IoUring { op: 13, res, laddr, raddr, .. } if *res >= 0 && *laddr == lo(sp) && *raddr == lo(up)),
    );
    let sent = num("uring_sent");
    let write = uring(
        "io_uring write",
        0x534e,
        &|e| matches!(&e.body, Body::IoUring { op: 23, res, laddr, raddr, .. } if *res == sent && *laddr == lo(up) && *raddr == lo(sp)),
    );
    // Where the kernel gives the request's fd (6.0, `cqe.fd`), it is told,
    // and the bytes the request moved count in that fd's `fd_io`.
    let (Body::IoUring { fd: read_fd, .. }, Body::IoUring { fd: write_fd, .. }) =
        (&read.body, &write.body)
    else {
        unreachable!()
    };
    assert!(
        *read_fd == -1 || *read_fd == num("uring_fd"),
        "the io_uring read's fd: {read_fd}"
    );
    if *write_fd >= 0 {
        find("fd_io of the io_uring write's socket", &|e| {
            e.pid == pid
                && matches!(&e.body, Body::FdIo { fd, written, read: 0, laddr, .. }
                    if fd == write_fd && *written as i64 == sent && *laddr == lo(up))
        });
    }
    let waiter = num("uring_waiter") as u32;
    find("io_uring request still pending at the stop", &|e| {
        e.pid == waiter
            && matches!(&e.body, Body::IoUring { op: 22, pending: 1, user_data: 0x5350, res: 0, submit_ts, .. } if *submit_ts > 0)
    });

    // memory
    find(
        "memfd_create",
        &|e| matches!(&e.body, Body::MemfdCreate { name, res, .. } if s(name) == "shrike-memfd" && *res >= 0),
    );
    find("executable anonymous mmap", &|e| {
        e.pid == pid
            && matches!(e.body, Body::Mmap { prot: 7, fd: -1, len: 4096, res, .. } if res > 0)
    });
    find("mprotect to executable", &|e| {
        e.pid == pid
            && matches!(
                e.body,
                Body::Mprotect {
                    prot: 5,
                    len: 4096,
                    res: 0,
                    ..
                }
            )
    });

    // privileges and namespaces
    let setuid_pid = f["setuid_pid"].as_u64().unwrap() as u32;
    find("setuid", &|e| {
        e.pid == setuid_pid && matches!(e.body, Body::Setuid { uid: 65534, res: 0 })
    });
    let ns_pid = f["ns_pid"].as_u64().unwrap() as u32;
    find("unshare", &|e| {
        e.pid == ns_pid
            && matches!(e.body, Body::Unshare { flags, res: 0 } if flags & 0x0402_0000 == 0x0402_0000)
    });
    find("setns", &|e| {
        e.pid == ns_pid
            && matches!(
                e.body,
                Body::Setns {
                    nstype: 0x0400_0000,
                    res: 0,
                    ..
                }
            )
    });
    find(
        "mount",
        &|e| matches!(&e.body, Body::Mount { source, fstype, res: 0, .. } if s(source) == "shrike-tmpfs" && s(fstype) == "tmpfs"),
    );
    find("umount", &|e| {
        e.pid == ns_pid && matches!(&e.body, Body::Umount2 { res: 0, .. })
    });

    // refused loads are evidence too: by their own tracepoint, or, on a
    // kernel without one (no CONFIG_MODULES), as `syscall` events
    let raw = config_list(file, "raw_syscalls");
    for (name, nr) in [("finit_module", 313), ("init_module", 175)] {
        let what = format!("{name} attempt");
        if raw.iter().any(|r| r == name) {
            let ev = find(&format!("{what} as a syscall event"), &|e| {
                e.pid == pid
                    && matches!(e.body, Body::Syscall { nr: n, res, .. } if n == nr && res < 0)
            });
            if let Body::Syscall { arg1, .. } = ev.body
                && name == "init_module"
            {
                assert_eq!(arg1, 12, "init_module's length argument");
            }
        } else if missing
            .iter()
            .any(|m| m.contains(&format!("sys_exit_{name}:")))
        {
            panic!("{what}: the kernel has no tracepoint and the raw hook did not record it");
        } else if name == "finit_module" {
            find(
                &what,
                &|e| matches!(&e.body, Body::FinitModule { path, args, res, .. } if s(path) == known && s(args) == "shrike_param=1" && *res < 0),
            );
        } else {
            find(
                &what,
                &|e| matches!(&e.body, Body::InitModule { args, len: 12, res, .. } if s(args) == "shrike_param=1" && *res < 0),
            );
        }
    }
    find("bpf attempt", &|e| {
        e.pid == pid && matches!(e.body, Body::Bpf { cmd: 5, res, .. } if res < 0)
    });

    // a storm of kills, each target ending while the killer's program may be
    // half-way: no record mixed from two, and whatever the kernel skipped
    // (a program it would not nest in a preempted one) counted as lost
    let lost: u64 = evs
        .iter()
        .map(|e| match e.body {
            Body::Lost { count } => count,
            _ => 0,
        })
        .sum();
    let mut missing = 0;
    for target in f["storm"].as_array().unwrap() {
        let target = target.as_u64().unwrap() as u32;
        let kills = evs
            .iter()
            .filter(|e| e.pid == pid && matches!(e.body, Body::Kill { target_pid, .. } if target_pid == i64::from(target)))
            .collect::<Vec<_>>();
        let exits: Vec<&OwnedEvent> = evs
            .iter()
            .filter(|e| e.pid == target && matches!(e.body, Body::ProcExit { .. }))
            .collect();
        let whole_kill = |e: &&OwnedEvent| {
            matches!(
                e.body,
                Body::Kill {
                    signal: 15,
                    res: 0,
                    ..
                }
            )
        };
        let whole_exit = |e: &&OwnedEvent| {
            matches!(
                e.body,
                Body::ProcExit {
                    code: 0,
                    signal: 15,
                    group_dead: 1
                }
            )
        };
        assert!(
            kills.len() <= 1
                && exits.len() <= 1
                && kills.iter().all(whole_kill)
                && exits.iter().all(whole_exit),
            "kill storm, pid {target}: kill events {kills:?} and exits {exits:?}: at most one each, whole, in {}",
            file.display()
        );
        missing += 2 - kills.len() - exits.len();
    }
    assert!(
        missing as u64 <= lost,
        "kill storm: {missing} events missing, but the capture counts {lost} lost, in {}",
        file.display()
    );

    // ptrace, kill, and how processes ended
    let traced = f["ptrace_pid"].as_u64().unwrap() as i64;
    find("ptrace attach", &|e| {
        e.pid == pid
            && matches!(e.body, Body::Ptrace { request: 16, target_pid, res: 0, .. } if target_pid == traced)
    });
    // The word written, and where (the workload's poke_target), the injection's evidence.
    let poke = find("ptrace pokedata", &|e| {
        e.pid == pid
            && matches!(e.body, Body::Ptrace { request: 5, target_pid, res: 0, .. } if target_pid == traced)
    });
    let Body::Ptrace { addr, data, .. } = poke.body else {
        unreachable!()
    };
    assert_eq!(data, 0x5348_524b, "the word PTRACE_POKEDATA wrote");
    assert_eq!(addr, f["poke_addr"].as_u64().unwrap(), "where it wrote");
    find("kill", &|e| {
        e.pid == pid
            && matches!(e.body, Body::Kill { target_pid, signal: 15, res: 0 } if target_pid == traced)
    });
    find("killed process exit", &|e| {
        e.pid as i64 == traced
            && matches!(
                e.body,
                Body::ProcExit {
                    signal: 15,
                    group_dead: 1,
                    ..
                }
            )
    });
    let exit7 = f["exit7_pid"].as_u64().unwrap() as u32;
    find("non-zero exit", &|e| {
        e.pid == exit7
            && matches!(
                e.body,
                Body::ProcExit {
                    code: 7,
                    signal: 0,
                    group_dead: 1
                }
            )
    });
    find("the workload's own exit", &|e| {
        e.pid == pid
            && matches!(
                e.body,
                Body::ProcExit {
                    code: 0,
                    signal: 0,
                    group_dead: 1
                }
            )
    });

    // --follow: nothing from outside the workload's tree (but the recorder's own markers and snapshot)
    let outside: Vec<&OwnedEvent> = evs
        .iter()
        .filter(|e| {
            !matches!(
                e.body,
                Body::ProcSnapshot { .. }
                    | Body::RecorderStart { .. }
                    | Body::RecorderStop { .. }
                    | Body::Lost { .. }
                    | Body::Cgroup { .. }
                    | Body::Container { .. }
            )
        })
        .filter(|e| e.pid != pid && !is_descendant(&evs, e.pid, pid))
        .collect();
    assert!(
        outside.iter().all(|e| e.ts < me.ts),
        "events from outside the followed tree: {:?}",
        &outside[..outside.len().min(3)]
    );
}
