//! What the recorder learns from the host before the first event: host facts,
//! the user and group tables, and every process already running.

use std::fs;
use std::os::unix::fs::MetadataExt;

use shrike_format::{Body, Event, Header, OwnedEvent};

/// Nanoseconds on `clock`.
fn clock_ns(clock: libc::clockid_t) -> u64 {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: a valid timespec out-pointer.
    unsafe { libc::clock_gettime(clock, &mut t) };
    t.tv_sec as u64 * 1_000_000_000 + t.tv_nsec as u64
}

/// Now on CLOCK_BOOTTIME, the clock of event timestamps.
pub fn boottime_ns() -> u64 {
    clock_ns(libc::CLOCK_BOOTTIME)
}

/// What uname(2) says of this host.
pub struct Uname {
    /// The host name (nodename).
    pub hostname: String,
    /// The kernel release (`uname -r`).
    pub kernel: String,
    /// The machine architecture.
    pub machine: String,
}

/// This host's uname(2), if the call succeeds.
pub fn uname() -> Option<Uname> {
    // SAFETY: uname fills a plain struct.
    let mut u: libc::utsname = unsafe { std::mem::zeroed() };
    if unsafe { libc::uname(&mut u) } != 0 {
        return None;
    }
    let s = |f: &[libc::c_char]| {
        let b: Vec<u8> = f
            .iter()
            .take_while(|&&c| c != 0)
            .map(|&c| c as u8)
            .collect();
        String::from_utf8_lossy(&b).into_owned()
    };
    Some(Uname {
        hostname: s(&u.nodename),
        kernel: s(&u.release),
        machine: s(&u.machine),
    })
}

/// Fills the header's host facts, clock anchor and user/group tables.
pub fn describe_host(h: &mut Header) {
    // Read both clocks back to back: wall clock at boot = now - time since boot.
    let wall = clock_ns(libc::CLOCK_REALTIME);
    let boot = boottime_ns();
    h.boot_time_ns = wall.saturating_sub(boot);
    h.created_ns = wall;
    if let Some(u) = uname() {
        h.hostname = u.hostname;
        h.kernel = u.kernel;
        h.machine = u.machine;
    }
    h.boot_id = fs::read_to_string("/proc/sys/kernel/random/boot_id")
        .unwrap_or_default()
        .trim()
        .to_string();
    h.users = id_table("/etc/passwd");
    h.groups = id_table("/etc/group");
}

/// `name:x:id:...` lines of /etc/passwd or /etc/group.
fn id_table(path: &str) -> Vec<(u32, String)> {
    let text = fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .filter_map(|l| {
            let mut f = l.split(':');
            let name = f.next()?;
            let id = f.nth(1)?.parse().ok()?;
            Some((id, name.to_string()))
        })
        .collect()
}

/// One `proc_snapshot` event per process alive now (those that vanish while
/// being read are skipped).
///
/// With `only`, just those processes and their ancestors up to pid 1 (a
/// `--follow` recording: the followed tree and where it was started from).
pub fn snapshot_processes(only: Option<&[u32]>) -> Vec<OwnedEvent> {
    let ts = boottime_ns();
    let ticks = u64::try_from(unsafe { libc::sysconf(libc::_SC_CLK_TCK) })
        .unwrap_or(100)
        .max(1);
    let mut out = Vec::new();
    let cgroups = crate::cgroups::cgroup2_root();
    let mut pids: Vec<u32> = match only {
        Some(roots) => with_ancestors(roots),
        None => {
            let Ok(dir) = fs::read_dir("/proc") else {
                return out;
            };
            dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
                .collect()
        }
    };
    pids.sort_unstable();
    pids.dedup();
    for pid in pids {
        if let Some(e) = snapshot_one(pid, ts, ticks, cgroups.as_deref()) {
            out.push(e);
        }
    }
    out
}

/// `roots` and every ancestor of each, from /proc (a pid that is gone is left out).
fn with_ancestors(roots: &[u32]) -> Vec<u32> {
    let mut out = Vec::new();
    for &root in roots {
        let mut pid = root;
        // A pid's parent has a smaller start time, never a loop; the bound is for a hostile /proc.
        for _ in 0..4096 {
            if pid == 0 || out.contains(&pid) {
                break;
            }
            let Some(ppid) = parent_of(pid) else { break };
            out.push(pid);
            pid = ppid;
        }
    }
    out
}

/// `root` and every process below it now, parents before children.
pub fn with_descendants(root: u32) -> Vec<u32> {
    let mut parent: Vec<(u32, u32)> = fs::read_dir("/proc")
        .map(|d| {
            d.filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
                .filter_map(|pid| Some((pid, parent_of(pid)?)))
                .collect()
        })
        .unwrap_or_default();
    let mut out = vec![root];
    let mut i = 0;
    while i < out.len() {
        let p = out[i];
        out.extend(parent.iter().filter(|(_, pp)| *pp == p).map(|(c, _)| *c));
        parent.retain(|(_, pp)| *pp != p);
        i += 1;
    }
    out
}

/// The parent pid of `pid`.
fn parent_of(pid: u32) -> Option<u32> {
    u32::try_from(ProcStat::read(pid)?.num(1)).ok()
}

/// `/proc/PID/stat`: the command name, and the fields after it.
struct ProcStat {
    comm: Vec<u8>,
    fields: Vec<u64>,
}

impl ProcStat {
    fn read(pid: u32) -> Option<ProcStat> {
        let stat = fs::read(format!("/proc/{pid}/stat")).ok()?;
        // comm may hold spaces and parentheses: the fields start after the last ')'.
        let close = stat.iter().rposition(|&c| c == b')')?;
        let comm = stat[stat.iter().position(|&c| c == b'(')? + 1..close].to_vec();
        let fields = stat
            .get(close + 2..)?
            .split(|&c| c == b' ')
            .map(|f| {
                std::str::from_utf8(f)
                    .ok()
                    .and_then(|f| f.trim_end().parse().ok())
                    .unwrap_or(0)
            })
            .collect();
        Some(ProcStat { comm, fields })
    }

    /// Field `i` after the name: state(0) ppid(1) pgrp(2) session(3) tty_nr(4) ... starttime(19);
    /// 0 if absent or not a number.
    fn num(&self, i: usize) -> u64 {
        self.fields.get(i).copied().unwrap_or(0)
    }
}

fn snapshot_one(
    pid: u32,
    ts: u64,
    ticks: u64,
    cgroups: Option<&std::path::Path>,
) -> Option<OwnedEvent> {
    let base = format!("/proc/{pid}");
    let stat = ProcStat::read(pid)?;
    let (ppid, pgid, sid, tty) = (stat.num(1), stat.num(2), stat.num(3), stat.num(4));
    let start = stat.num(19);
    let comm = stat.comm;
    let status = fs::read_to_string(format!("{base}/status")).unwrap_or_default();
    let ids = |key: &str| -> Vec<u32> {
        status
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .map(|v| {
                v.split_whitespace()
                    .filter_map(|x| x.parse().ok())
                    .collect()
            })
            .unwrap_or_default()
    };
    let hex = |key: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|v| u64::from_str_radix(v.trim(), 16).ok())
            .unwrap_or(0)
    };
    let (uid, gid) = (ids("Uid:"), ids("Gid:"));
    let link = |name: &str| {
        fs::read_link(format!("{base}/{name}"))
            .map(|p| p.into_os_string().into_encoded_bytes())
            .unwrap_or_default()
    };
    let mut exe = link("exe");
    let mut flags = 0;
    if let Some(stripped) = exe.strip_suffix(b" (deleted)") {
        exe = stripped.to_vec();
        flags |= shrike_format::EXEC_DELETED;
    }
    if exe.starts_with(b"/memfd:") {
        flags |= shrike_format::EXEC_FROM_MEMFD;
    }
    let (argv, argv_cut) = strings(&format!("{base}/cmdline"));
    let (env, env_cut) = strings(&format!("{base}/environ"));
    if argv_cut {
        flags |= shrike_format::EXEC_ARGV_TRUNCATED;
    }
    if env_cut {
        flags |= shrike_format::EXEC_ENV_TRUNCATED;
    }
    // What fd 0 and 1 refer to: stat follows /proc's magic links to the pipe,
    // socket or file itself.
    let stdio = |fd: u32| {
        fs::metadata(format!("{base}/fd/{fd}")).map_or((0, 0), |m| {
            (
                crate::record::fdtype_of((m.mode() >> 12) as u16 & 0xf, b""),
                m.ino(),
            )
        })
    };
    let ((stdin_type, stdin_ino), (stdout_type, stdout_ino)) = (stdio(0), stdio(1));
    let loginuid = fs::read_to_string(format!("{base}/loginuid"))
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(u64::from(u32::MAX));
    Some(Event {
        ts,
        cpu: u32::MAX,
        pid,
        tid: pid,
        comm,
        uid: uid.first().copied().unwrap_or(0),
        gid: gid.first().copied().unwrap_or(0),
        euid: uid.get(1).copied().unwrap_or(0),
        egid: gid.get(1).copied().unwrap_or(0),
        cgroup: cgroups.map_or(0, |root| cgroup_id(pid, root)),
        body: Body::ProcSnapshot {
            ppid,
            exe,
            argv,
            cwd: link("cwd"),
            start_ts: start * 1_000_000_000 / ticks,
            loginuid,
            sid,
            tty,
            cap_effective: hex("CapEff:"),
            cap_permitted: hex("CapPrm:"),
            flags,
            stdin_type,
            stdin_ino,
            stdout_type,
            stdout_ino,
            env,
            pgid,
        },
    })
}

/// NUL-separated strings of a `/proc` file (cmdline, environ) as an exec
/// event holds them: at most 4095 bytes, a longer list cut and marked (the
/// recorder's own bound, which readers rely on); and whether it was cut.
fn strings(path: &str) -> (Vec<Vec<u8>>, bool) {
    use std::io::Read;
    let mut b = Vec::new();
    if let Ok(f) = fs::File::open(path) {
        let _ = f
            .take(crate::record::ARGV_MAX as u64 + 1)
            .read_to_end(&mut b);
    }
    let cut = b.len() > crate::record::ARGV_MAX;
    b.truncate(crate::record::ARGV_MAX);
    let mut v = crate::record::split_argv(b.strip_suffix(b"\0").unwrap_or(&b));
    if cut && let Some(last) = v.last_mut() {
        *last = crate::record::mark_cut(last, crate::record::layout::STR_F_CUT_END);
    }
    (v, cut)
}

/// The cgroup v2 id of a process: the inode number of its cgroup directory below `root`.
fn cgroup_id(pid: u32, root: &std::path::Path) -> u64 {
    let Ok(text) = fs::read_to_string(format!("/proc/{pid}/cgroup")) else {
        return 0;
    };
    text.lines()
        .find_map(|l| l.strip_prefix("0::"))
        .and_then(|p| fs::metadata(root.join(p.trim_start_matches('/'))).ok())
        .map_or(0, |m| m.ino())
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_snapshot_keeps_argv_within_the_recorders_bound_and_marks_the_cut() {
        let long = "x".repeat(3 * crate::record::ARGV_MAX);
        // sh stays (sleep would refuse the long argument and exit at once).
        let mut child = std::process::Command::new("sh")
            .args(["-c", "sleep 30; :", "sh", &long])
            .spawn()
            .expect("sleep runs");
        // Until the child has exec'd, its argv is not sleep's.
        let start = std::time::Instant::now();
        while !std::fs::read(format!("/proc/{}/cmdline", child.id()))
            .unwrap_or_default()
            .starts_with(b"sh\0-c\0")
            && start.elapsed().as_secs() < 10
        {
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        let snap = super::snapshot_processes(Some(&[child.id()]));
        child.kill().ok();
        child.wait().ok();
        let e = snap
            .iter()
            .find(|e| e.pid == child.id())
            .expect("the child is in the snapshot");
        let shrike_format::Body::ProcSnapshot { argv, .. } = &e.body else {
            panic!("a snapshot event: {e:?}");
        };
        let bytes: usize = argv.iter().map(|a| a.len() + 1).sum();
        assert!(
            bytes <= crate::record::ARGV_MAX + 4,
            "{bytes} bytes of argv"
        );
        assert_eq!(argv[0], b"sh");
        assert!(argv[4].ends_with("…".as_bytes()), "the cut is marked");
    }
}
