//! Timelines: the process tree (who started whom, with argv, user, start,
//! end and exit status), each process with its actions in time order.

use std::collections::{BTreeMap, HashMap, HashSet};

use shrike_format::linux::uring_op;
use shrike_format::{Body, Capture, Escaped, EventRef, Header, Kind, SockAddr, Value};

use crate::replay::replay;
use crate::time::wall_ns;

/// One thing a process did.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Action {
    /// Wall-clock ns since the Unix epoch.
    pub time_ns: i128,
    /// Event kind name.
    pub kind: &'static str,
    /// One line a person can read.
    pub summary: String,
    /// The syscall failed.
    pub failed: bool,
    /// The main path or address involved, for filtering and columns.
    pub target: String,
    /// The alerts rules raised on this event, when rules were given.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub alerts: Vec<Marked>,
}

/// An alert as the timeline views show it, on the action it fired on.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Marked {
    /// The rule's name (from a rule file: may be crafted).
    pub rule: String,
    /// The rule's priority name.
    pub priority: String,
    /// The rendered output.
    pub output: String,
}

/// An alert to put on the timeline: where it fired, and what it says.
#[derive(Clone, Debug)]
pub struct AlertMark {
    /// Wall-clock ns of the event.
    pub time_ns: i128,
    /// Its process id.
    pub pid: u32,
    /// Its event kind's name.
    pub kind: &'static str,
    /// What to show.
    pub marked: Marked,
}

/// One process life: from fork (or the snapshot) to exit.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Process {
    /// Process id.
    pub pid: u32,
    /// Parent process id (0 if unknown).
    pub ppid: u32,
    /// Latest command line (argv joined).
    pub cmdline: String,
    /// Latest executable.
    pub exe: String,
    /// User name (or uid).
    pub user: String,
    /// Start, wall-clock ns (fork, exec seen first, or snapshot start time).
    pub start_ns: i128,
    /// End, wall-clock ns, if it exited while recorded.
    pub end_ns: Option<i128>,
    /// Exit code, if it exited normally.
    pub exit_code: Option<i64>,
    /// Signal that ended it, if any.
    pub exit_signal: Option<u64>,
    /// Children, as indexes into [`Timeline::processes`].
    pub children: Vec<usize>,
    /// What it did, in time order.
    pub actions: Vec<Action>,
}

impl Process {
    /// A life that has just begun: no end, no children, no actions yet.
    fn started(
        pid: u32,
        ppid: u32,
        cmdline: String,
        exe: String,
        user: String,
        start_ns: i128,
    ) -> Process {
        Process {
            pid,
            ppid,
            cmdline,
            exe,
            user,
            start_ns,
            end_ns: None,
            exit_code: None,
            exit_signal: None,
            children: Vec::new(),
            actions: Vec::new(),
        }
    }
}

/// A process forest and its actions.
#[derive(Debug, Default, serde::Serialize)]
pub struct Timeline {
    /// Every process life seen.
    pub processes: Vec<Process>,
    /// Indexes of processes whose parent is unknown.
    pub roots: Vec<usize>,
    /// What folding left out, when the selection folds (see [`Fold`]).
    #[serde(skip)]
    pub folded: Option<Folded>,
}

/// How to keep a timeline small enough to show whole (the HTML report):
/// each process keeps its first actions, every action an alert is on, and
/// counts of the rest; library loads are counted, not kept.
#[derive(Clone, Debug, Default)]
pub struct Fold {
    /// Actions kept per process, besides those with alerts.
    pub per_process: usize,
    /// (wall-clock ns, pid) of the events alerts fired on: always kept.
    pub keep: HashSet<(i128, u32)>,
    /// Intervals the activity histogram has.
    pub bins: usize,
}

/// What a folded timeline counted instead of keeping.
#[derive(Clone, Debug, Default)]
pub struct Folded {
    /// Per process (same index as [`Timeline::processes`]): actions by kind, all of them.
    pub kinds: Vec<BTreeMap<&'static str, u64>>,
    /// Per process: actions not kept.
    pub hidden: Vec<u64>,
    /// Per process: library loads (read-only opens of shared objects and the loader's cache).
    pub libraries: Vec<u64>,
    /// Connections per (process, kind, address): (calls, failed calls).
    pub network: BTreeMap<(usize, &'static str, String), (u64, u64)>,
    /// Actions per interval of `[t0, t1]`, all of them.
    pub histogram: Vec<u64>,
    /// The histogram's first instant, wall-clock ns.
    pub t0: i128,
    /// The histogram's last instant, wall-clock ns.
    pub t1: i128,
}

impl Folded {
    fn grow(&mut self, n: usize) {
        self.kinds.resize_with(n, BTreeMap::new);
        self.hidden.resize(n, 0);
        self.libraries.resize(n, 0);
    }

    /// The histogram interval `ns` falls in.
    pub fn bin(&self, ns: i128) -> usize {
        let n = self.histogram.len().max(1);
        let span = (self.t1 - self.t0).max(1);
        (((ns - self.t0).clamp(0, span) * (n as i128 - 1)) / span) as usize
    }
}

/// A successful read-only open of a shared object or of the loader's cache:
/// the noise every program start makes, folded in the report.
fn library_load(b: &Body<&[u8]>) -> bool {
    crate::fields::opened(b).is_some_and(|o| {
        let name = o.abspath.rsplit(|&c| c == b'/').next().unwrap_or_default();
        o.flags & 3 == 0
            && o.res >= 0
            && (o.abspath == b"/etc/ld.so.cache"
                || name.ends_with(b".so")
                || name.windows(4).any(|w| w == b".so."))
    })
}

/// Which part of the timeline to keep.
#[derive(Clone, Debug, Default)]
pub struct Selection {
    /// Only this process, its ancestors and its descendants.
    pub pid: Option<u32>,
    /// Only actions at or after this wall-clock ns.
    pub since_ns: Option<i128>,
    /// Only actions at or before this wall-clock ns.
    pub until_ns: Option<i128>,
    /// Build the process tree only, without describing actions (for exports).
    pub tree_only: bool,
    /// Keep only part of the actions, counting the rest (the HTML report).
    pub fold: Option<Fold>,
}

fn text(b: &[u8]) -> String {
    Escaped(b).to_string()
}

/// A command line as every view shows it: each argument escaped, joined by spaces.
pub fn command_line<S: AsRef<[u8]>>(argv: &[S]) -> String {
    argv.iter()
        .map(|a| text(a.as_ref()))
        .collect::<Vec<_>>()
        .join(" ")
}

fn addr(a: &SockAddr<&[u8]>) -> String {
    a.to_string()
}

/// A byte count exactly, and in binary units when it is large: `5000000
/// bytes (4.8 MiB)`.
pub fn byte_count(n: u64) -> String {
    const UNITS: [&str; 5] = ["KiB", "MiB", "GiB", "TiB", "PiB"];
    if n < 1024 {
        return format!("{n} bytes");
    }
    let (mut v, mut u) = (n as f64 / 1024.0, 0);
    while v >= 1024.0 && u < UNITS.len() - 1 {
        v /= 1024.0;
        u += 1;
    }
    format!("{n} bytes ({v:.1} {})", UNITS[u])
}

/// A time a `utime*` call set (SPEC.md §5.1): RFC 3339, "now" or "unchanged".
fn set_time(sec: i64, nsec: i64) -> String {
    const UTIME_NOW: i64 = (1 << 30) - 1;
    const UTIME_OMIT: i64 = (1 << 30) - 2;
    match nsec {
        UTIME_NOW => "now".into(),
        UTIME_OMIT => "unchanged".into(),
        _ => crate::time::rfc3339(i128::from(sec) * 1_000_000_000 + i128::from(nsec)),
    }
}

/// What an fd names in a sentence: a socket's peer, a file's path, else its
/// number (`socket fd 4`, `fd 7`); empty when even the number is unknown.
fn fd_target(fdtype: u64, path: &[u8], raddr: &SockAddr<&[u8]>, fd: i64) -> String {
    if fdtype == shrike_format::fdtype::SOCKET {
        match raddr.port() {
            Some(p) if p != 0 => addr(raddr),
            _ if fd >= 0 => format!("socket fd {fd}"),
            _ => "a socket".to_string(),
        }
    } else if !path.is_empty() {
        text(path)
    } else if fd >= 0 {
        format!("fd {fd}")
    } else {
        String::new()
    }
}

/// A one-line description of an event, and its main target. A path the
/// recorder joined lexically over a `..` says so: after a symlink, `..` leads
/// elsewhere than the join does (every other lexical join names the file the
/// process named, which `resolved` = 0 in the event says).
fn describe(h: &Header, e: &EventRef<'_>) -> Option<(String, String)> {
    let (mut line, target) = describe_body(h, e)?;
    // What no syscall tracepoint sees says how it came.
    if let Body::IoUring {
        pending, submit_ts, ..
    } = &e.body
    {
        line = format!("io_uring {line}");
        if *pending == 1 {
            line.push_str(" (still waiting when the recording stopped)");
        } else if e.ts.saturating_sub(*submit_ts) >= 1_000_000_000 {
            line.push_str(&format!(
                " (submitted {} s before)",
                (e.ts - submit_ts) / 1_000_000_000
            ));
        }
    }
    let dotdot = ["path", "oldpath"]
        .iter()
        .any(|f| string(e, f).split(|&c| c == b'/').any(|c| c == b".."));
    if dotdot && field(e, "resolved").is_some() && uint(e, "resolved") & 1 == 0 {
        line.push_str(" (path not resolved: joined over `..`)");
    }
    Some((line, target))
}

/// The field called `name` of `e`'s kind, if it has one.
fn field<'e>(e: &'e EventRef<'_>, name: &str) -> Option<Value<'e>> {
    e.body.field(e.kind()?.field_index(name)?)
}

fn int(e: &EventRef<'_>, name: &str) -> i64 {
    match field(e, name) {
        Some(Value::Int(v)) => v,
        _ => 0,
    }
}

fn uint(e: &EventRef<'_>, name: &str) -> u64 {
    match field(e, name) {
        Some(Value::Uint(v)) => v,
        _ => 0,
    }
}

fn string<'e>(e: &'e EventRef<'_>, name: &str) -> &'e [u8] {
    match field(e, name) {
        Some(Value::Str(v)) => v,
        _ => b"",
    }
}

fn describe_body(h: &Header, e: &EventRef<'_>) -> Option<(String, String)> {
    use shrike_format::linux::{Names, signal_name};
    let res = e.body.res().unwrap_or(0);
    // As strace reads them: the error by name.
    let res_txt = |r: i64| {
        if r < 0 {
            format!(" failed ({})", Names::Errno.render(r as u64))
        } else {
            String::new()
        }
    };
    Some(match &e.body {
        Body::Execve {
            res,
            filename,
            argv,
            ..
        }
        | Body::Execveat {
            res,
            filename,
            argv,
            ..
        } => (
            format!(
                "exec {} [{}]{}",
                text(filename),
                command_line(argv),
                res_txt(*res)
            ),
            text(filename),
        ),
        b if crate::fields::opened(b).is_some() => {
            let crate::fields::Opened {
                res,
                abspath,
                flags,
                created,
                ..
            } = crate::fields::opened(b).expect("an open");
            let mode = match flags & 3 {
                0 => "read",
                1 => "write",
                _ => "read-write",
            };
            // The flags beyond the access mode that change what the open did.
            let extra = Names::OpenFlags.render(flags & !3);
            let extra: Vec<&str> = extra
                .split('|')
                .filter(|f| !matches!(*f, "O_RDONLY" | "O_LARGEFILE" | "O_CLOEXEC"))
                .collect();
            let mut mode = if extra.is_empty() {
                mode.to_string()
            } else {
                format!("{mode}, {}", extra.join("|"))
            };
            // O_CREAT asks; whether the file was new, only the kernel knew.
            match created {
                1 => mode.push_str(", new file"),
                2 if flags & 0o100 != 0 => mode.push_str(", existed"),
                _ => {}
            }
            (
                format!(
                    "open {} ({mode}){}",
                    text(abspath),
                    if res >= 0 {
                        format!(" -> fd {res}")
                    } else {
                        res_txt(res)
                    }
                ),
                text(abspath),
            )
        }
        Body::Connect { res, raddr, .. } => (
            format!(
                "connect to {}{}",
                addr(raddr),
                // A non-blocking connect returns at once; the connection goes on.
                if *res == -115 {
                    " (in progress: non-blocking)".to_string()
                } else {
                    res_txt(*res)
                }
            ),
            addr(raddr),
        ),
        Body::Accept {
            res, raddr, laddr, ..
        }
        | Body::Accept4 {
            res, raddr, laddr, ..
        } => (
            format!(
                "accept from {} on {}{}",
                addr(raddr),
                addr(laddr),
                res_txt(*res)
            ),
            addr(raddr),
        ),
        Body::Bind { res, laddr, .. } => (
            format!("bind {}{}", addr(laddr), res_txt(*res)),
            addr(laddr),
        ),
        Body::Listen { res, laddr, .. } => (
            format!("listen on {}{}", addr(laddr), res_txt(*res)),
            addr(laddr),
        ),
        Body::Unlink { res, abspath, .. }
        | Body::Unlinkat { res, abspath, .. }
        | Body::Rmdir { res, abspath, .. } => (
            format!("delete {}{}", text(abspath), res_txt(*res)),
            text(abspath),
        ),
        Body::Rename {
            res,
            oldabspath,
            newabspath,
            ..
        }
        | Body::Renameat {
            res,
            oldabspath,
            newabspath,
            ..
        }
        | Body::Renameat2 {
            res,
            oldabspath,
            newabspath,
            ..
        } => (
            format!(
                "rename {} -> {}{}",
                text(oldabspath),
                text(newabspath),
                res_txt(*res)
            ),
            text(newabspath),
        ),
        Body::Chmod {
            res, abspath, mode, ..
        }
        | Body::Fchmod {
            res, abspath, mode, ..
        }
        | Body::Fchmodat {
            res, abspath, mode, ..
        } => (
            format!(
                "chmod {} {:o}{}",
                text(abspath),
                mode & 0o7777,
                res_txt(*res)
            ),
            text(abspath),
        ),
        Body::Dup {
            res,
            newfd,
            path,
            raddr,
            fdtype,
            ..
        }
        | Body::Dup2 {
            res,
            newfd,
            path,
            raddr,
            fdtype,
            ..
        }
        | Body::Dup3 {
            res,
            newfd,
            path,
            raddr,
            fdtype,
            ..
        } => {
            use shrike_format::fdtype as ft;
            // A pipe's or socket's path is no name (the kernel gives "/"):
            // say what it is.
            let what = match *fdtype {
                ft::PIPE => "a pipe".to_string(),
                ft::SOCKET if !matches!(raddr, SockAddr::None) => addr(raddr),
                ft::SOCKET => "a socket".to_string(),
                _ if !path.is_empty() && path != b"/" => text(path),
                ft::ANON => "an anonymous inode".to_string(),
                ft::MEMFD => "a memfd".to_string(),
                ft::DEVICE => "a device".to_string(),
                _ => "an fd".to_string(),
            };
            let onto = if matches!(e.body, Body::Dup { .. }) {
                format!("fd {res}")
            } else {
                format!("fd {newfd}")
            };
            (format!("dup {what} onto {onto}{}", res_txt(*res)), what)
        }
        Body::FdIo {
            fd,
            fdtype,
            path,
            raddr,
            read,
            written,
            reads,
            writes,
            until,
            ..
        } => {
            let socket = *fdtype == shrike_format::fdtype::SOCKET;
            let what = fd_target(*fdtype, path, raddr, *fd);
            let calls = |n: u64| {
                if n == 1 {
                    "1 call".to_string()
                } else {
                    format!("{n} calls")
                }
            };
            let mut moved = Vec::new();
            if *written > 0 {
                moved.push(format!(
                    "{} {} in {} to",
                    if socket { "sent" } else { "wrote" },
                    byte_count(*written),
                    calls(*writes)
                ));
            }
            if *read > 0 {
                moved.push(format!(
                    "{} {} in {} from",
                    if socket { "received" } else { "read" },
                    byte_count(*read),
                    calls(*reads)
                ));
            }
            let when = match until {
                1 => "at close",
                2 => "by its exit",
                3 => "still open when the recording stopped",
                _ => "closed by an exec",
            };
            (format!("{} {what} ({when})", moved.join(", and ")), what)
        }
        Body::IoUringSetup {
            res, sq_entries, ..
        } => (
            format!(
                "made an io_uring instance ({sq_entries} entries){}",
                if *res >= 0 {
                    format!(" -> fd {res}")
                } else {
                    res_txt(*res)
                }
            ),
            String::new(),
        ),
        Body::IoUring {
            op,
            res,
            fd,
            fdtype,
            path,
            laddr,
            raddr,
            pending,
            ..
        } => {
            // Opens went above, with the other opens.
            let what = fd_target(*fdtype, path, raddr, *fd);
            let name = shrike_format::linux::uring_op_name(*op)
                .map_or_else(|| format!("opcode {op}"), str::to_string);
            // The request's name, then what it acted on, when that is known.
            let on = if what.is_empty() {
                name.clone()
            } else {
                format!("{name} {what}")
            };
            let done = |r: i64| {
                if r >= 0 {
                    byte_count(r as u64)
                } else {
                    res_txt(r)
                }
            };
            let line = match (*op, shrike_format::linux::uring_op_writes(*op)) {
                _ if *pending == 1 => on,
                (uring_op::CONNECT, _) => format!("connect to {what}{}", res_txt(*res)),
                (uring_op::ACCEPT, _) => format!(
                    "accept from {what} on {}{}",
                    addr(laddr),
                    if *res >= 0 {
                        format!(" -> fd {res}")
                    } else {
                        res_txt(*res)
                    }
                ),
                (_, Some(false)) => format!("{name}: read {} from {what}", done(*res)),
                (_, Some(true)) => format!("{name}: wrote {} to {what}", done(*res)),
                _ if *res < 0 => format!("{on}{}", res_txt(*res)),
                _ => format!("{on} -> {res}"),
            };
            (line, what)
        }
        Body::Dns {
            raddr, dir, len, ..
        } => {
            // A datagram received without asking whence: no address.
            let server = match raddr.port() {
                Some(p) if p != 0 => addr(raddr),
                _ => "an unnamed sender".to_string(),
            };
            match crate::dns::message(&e.body) {
                Some(m) => {
                    let (name, ty) = m.question.clone().unwrap_or_default();
                    let ty = crate::dns::type_name(ty);
                    let name = text(&name);
                    let line = if m.response {
                        let answers = m.answer_list();
                        let got = if answers.is_empty() {
                            match m.rcode {
                                0 => "no answer".to_string(),
                                r => crate::dns::rcode_name(r).into_owned(),
                            }
                        } else {
                            text(&answers).replace(',', ", ")
                        };
                        format!("resolved {name} ({ty}) \u{2192} {got} (from {server})")
                    } else {
                        format!("asked {server} for {name} ({ty})")
                    };
                    (line, name)
                }
                None => (
                    format!(
                        "{} {len} bytes {} {server} that are no DNS message",
                        if *dir == 1 { "sent" } else { "received" },
                        if *dir == 1 { "to" } else { "from" },
                    ),
                    server,
                ),
            }
        }
        Body::ExeHash {
            path,
            sha256,
            size,
            source,
            ..
        } => (
            match (sha256.is_empty(), *source) {
                (true, _) => format!("executable {} not hashed ({size} bytes)", text(path)),
                (false, 2) => format!(
                    "executable {} sha256 {} (the file at that path once the process had ended)",
                    text(path),
                    text(sha256)
                ),
                (false, _) => format!("executable {} sha256 {}", text(path), text(sha256)),
            },
            text(path),
        ),
        Body::Mkdir {
            res, abspath, mode, ..
        }
        | Body::Mkdirat {
            res, abspath, mode, ..
        } => (
            format!(
                "mkdir {} mode 0{:o}{}",
                text(abspath),
                mode & 0o7777,
                res_txt(*res)
            ),
            text(abspath),
        ),
        Body::Link {
            res,
            oldabspath,
            newabspath,
            ..
        }
        | Body::Linkat {
            res,
            oldabspath,
            newabspath,
            ..
        } => (
            format!(
                "link {} -> {}{}",
                text(newabspath),
                text(oldabspath),
                res_txt(*res)
            ),
            text(newabspath),
        ),
        // A symlink's target is the text as given: the kernel stores it unresolved.
        Body::Symlink {
            res,
            oldpath,
            newabspath,
            ..
        }
        | Body::Symlinkat {
            res,
            oldpath,
            newabspath,
            ..
        } => (
            format!(
                "symlink {} -> {}{}",
                text(newabspath),
                text(oldpath),
                res_txt(*res)
            ),
            text(newabspath),
        ),
        Body::Chown {
            res,
            abspath,
            uid,
            gid,
            ..
        }
        | Body::Lchown {
            res,
            abspath,
            uid,
            gid,
            ..
        }
        | Body::Fchown {
            res,
            abspath,
            uid,
            gid,
            ..
        }
        | Body::Fchownat {
            res,
            abspath,
            uid,
            gid,
            ..
        } => {
            // -1 leaves that id as it was.
            let id = |v: u64, name: Option<&str>| match v {
                0xffff_ffff => None,
                v => Some(name.map_or_else(|| v.to_string(), |n| text(n.as_bytes()))),
            };
            let owner = id(*uid, h.user_name(*uid as u32));
            let group = id(*gid, h.group_name(*gid as u32));
            let to = match (owner, group) {
                (Some(o), Some(g)) => format!("{o}:{g}"),
                (Some(o), None) => o,
                (None, Some(g)) => format!(":{g}"),
                (None, None) => "(unchanged)".into(),
            };
            (
                format!("chown {} to {to}{}", text(abspath), res_txt(*res)),
                text(abspath),
            )
        }
        Body::Truncate {
            res,
            abspath,
            length,
            ..
        }
        | Body::Ftruncate {
            res,
            abspath,
            length,
            ..
        } => (
            format!(
                "truncate {} to {length} bytes{}",
                text(abspath),
                res_txt(*res)
            ),
            text(abspath),
        ),
        Body::Setuid { res, uid } => (format!("setuid {uid}{}", res_txt(*res)), String::new()),
        Body::Setresuid {
            res,
            ruid,
            euid,
            suid,
        } => (
            format!("setresuid {ruid} {euid} {suid}{}", res_txt(*res)),
            String::new(),
        ),
        Body::Ptrace {
            res,
            request,
            target_pid,
            addr,
            data,
        } => (
            format!(
                "ptrace {} on pid {target_pid}{}{}",
                Names::Enum(shrike_format::linux::PTRACE_REQUESTS).render(*request),
                // What a poke wrote, and where: the injection itself.
                if matches!(*request, 4..=6) {
                    format!(" at {addr:#x} writing {data:#x}")
                } else {
                    String::new()
                },
                res_txt(*res)
            ),
            target_pid.to_string(),
        ),
        Body::Kill {
            res,
            target_pid,
            signal,
        } => (
            format!(
                "kill pid {target_pid} with {}{}",
                signal_name(*signal),
                res_txt(*res)
            ),
            target_pid.to_string(),
        ),
        Body::MemfdCreate { res, name, .. } => (
            format!("memfd_create {}{}", text(name), res_txt(*res)),
            text(name),
        ),
        Body::Mount {
            res,
            source,
            target,
            fstype,
            ..
        } => (
            format!(
                "mount {} on {} ({}){}",
                text(source),
                text(target),
                text(fstype),
                res_txt(*res)
            ),
            text(target),
        ),
        Body::Chdir { res, abspath, .. } | Body::Fchdir { res, abspath, .. } => (
            format!("chdir {}{}", text(abspath), res_txt(*res)),
            text(abspath),
        ),
        // The attribute and time families: one line each, their fields by name.
        Body::Setxattr { .. } | Body::Lsetxattr { .. } | Body::Fsetxattr { .. } => {
            let what = if uint(e, "cap_magic") != 0 {
                format!(
                    "file capabilities {}",
                    crate::fields::file_caps_text(
                        uint(e, "cap_magic"),
                        uint(e, "cap_permitted"),
                        uint(e, "cap_inheritable")
                    )
                )
            } else {
                format!("attribute {}", text(string(e, "name")))
            };
            let path = text(string(e, "abspath"));
            (format!("set {what} on {path}{}", res_txt(res)), path)
        }
        Body::Removexattr { .. } | Body::Lremovexattr { .. } | Body::Fremovexattr { .. } => {
            let path = text(string(e, "abspath"));
            (
                format!(
                    "remove attribute {} from {path}{}",
                    text(string(e, "name")),
                    res_txt(res)
                ),
                path,
            )
        }
        Body::Utime { .. }
        | Body::Utimes { .. }
        | Body::Futimesat { .. }
        | Body::Utimensat { .. } => {
            let path = text(string(e, "abspath"));
            (
                format!(
                    "set times of {path}: modified {}, accessed {}{}",
                    set_time(int(e, "mtime_sec"), int(e, "mtime_nsec")),
                    set_time(int(e, "atime_sec"), int(e, "atime_nsec")),
                    res_txt(res)
                ),
                path,
            )
        }
        Body::Ioctl {
            res,
            abspath,
            request,
            flags,
            ..
        } => (
            format!(
                "set inode flags of {}: {}{}",
                text(abspath),
                crate::fields::inode_flags_text(*request, *flags),
                res_txt(*res)
            ),
            text(abspath),
        ),
        Body::Syscall {
            res,
            nr,
            arg0,
            arg1,
            arg2,
            ..
        } => (
            format!(
                "{} ({arg0:#x}, {arg1:#x}, {arg2:#x}, …){}",
                shrike_format::linux::syscall_name(*nr).unwrap_or("syscall"),
                res_txt(*res)
            ),
            String::new(),
        ),
        Body::InitModule { res, .. } | Body::FinitModule { res, .. } => (
            format!("load kernel module{}", res_txt(*res)),
            String::new(),
        ),
        Body::Mmap { res, path, .. } if !path.is_empty() => (
            format!(
                "map {} executable{}",
                text(path),
                if *res < 0 {
                    res_txt(*res)
                } else {
                    String::new()
                }
            ),
            text(path),
        ),
        Body::ProcExit {
            code,
            signal,
            group_dead: 1,
        } => (
            format!(
                "exit code {code}{}",
                if *signal > 0 {
                    format!(" killed by {}", signal_name(*signal))
                } else {
                    String::new()
                }
            ),
            String::new(),
        ),
        b if b.is_recorder_note() => return None,
        Body::ProcSnapshot { .. } => return None,
        Body::Clone { .. } | Body::Clone3 { .. } | Body::Fork { .. } | Body::Vfork { .. } => {
            return None;
        }
        other => {
            // The kind, then its arguments that have names (`unshare
            // CLONE_NEWNS|CLONE_NEWUSER`, `prctl PR_SET_NAME`).
            let mut line = Kind::from_id(other.kind_id())
                .map_or("event", |k| k.name())
                .to_string();
            // The object first: the path it acted on, or the name it gave.
            let mut object = String::new();
            other.visit(&mut |name, v| {
                if let (true, Value::Str(b)) = (object.is_empty(), v)
                    && matches!(name, "abspath" | "path" | "target" | "name")
                    && !b.is_empty()
                {
                    object = text(b);
                }
            });
            if !object.is_empty() {
                line.push(' ');
                line.push_str(&object);
            }
            if let Some(k) = e.kind() {
                other.visit(&mut |name, v| {
                    let Some(n) = v.number() else { return };
                    if name != "res"
                        && let Some(t) = crate::fields::named_value(k, name, n)
                    {
                        line.push(' ');
                        line.push_str(&t);
                    }
                });
            }
            line.push_str(&res_txt(other.res().unwrap_or(0)));
            (line, object)
        }
    })
}

/// Builds the timeline of `caps`.
pub fn build(caps: &[Capture], sel: &Selection) -> std::io::Result<Timeline> {
    build_watched(caps, sel, &|_| {})
}

/// Builds the timeline of `caps`, telling `progress` how many more events
/// it has read from time to time (for a progress bar).
pub fn build_watched(
    caps: &[Capture],
    sel: &Selection,
    progress: &(dyn Fn(u64) + Sync),
) -> std::io::Result<Timeline> {
    let mut b = Builder::default();
    if let Some(fold) = &sel.fold {
        // The histogram spans what the chunks say they hold, within the window.
        let (mut t0, mut t1) = (i128::MAX, i128::MIN);
        for c in caps {
            for ch in c.chunks().iter().filter(|ch| ch.header.stats.events > 0) {
                t0 = t0.min(wall_ns(c.header(), ch.header.stats.min_ts));
                t1 = t1.max(wall_ns(c.header(), ch.header.stats.max_ts));
            }
        }
        let t0 = sel.since_ns.map_or(t0, |s| t0.max(s));
        let t1 = sel.until_ns.map_or(t1, |u| t1.min(u));
        b.t.folded = Some(Folded {
            histogram: vec![0; fold.bins.max(1)],
            t0: t0.min(t1),
            t1,
            ..Folded::default()
        });
    }
    if sel.tree_only {
        // The tree needs few events: read them on every core, then replay those.
        for (f, e) in tree_events(caps, progress) {
            b.step(caps[f].header(), &e.as_event_ref(), sel);
        }
    } else {
        let mut read = 0u64;
        replay(caps, &mut |r| {
            b.step(caps[r.file].header(), &r.event.as_event_ref(), sel);
            read += 1;
            if read == 1 << 14 {
                progress(std::mem::take(&mut read));
            }
            Ok(())
        })?;
        progress(read);
    }
    let mut t = b.t;
    let n = t.processes.len();
    if let Some(f) = &mut t.folded {
        f.grow(n);
    }
    link(&mut t, sel);
    Ok(t)
}

/// When each pid's process exited (a whole thread group), in time order.
/// Exits sit in other chunks than most of a process's events (SPEC.md §8.1),
/// and chunks overlap in time, so a chunk alone cannot tell that a pid it
/// sees again is a new process.
fn exits(caps: &[Capture], work: &[crate::chunks::ChunkRef]) -> HashMap<u32, Vec<u64>> {
    use rayon::prelude::*;
    let exit = 1u128 << Kind::ProcExit.id();
    let found: Vec<Vec<(u32, u64)>> = work
        .par_iter()
        .filter(|c| caps[c.file].chunks()[c.index].kinds() & exit != 0)
        .map(|c| {
            let mut out = Vec::new();
            crate::chunks::read_chunk(
                caps,
                c,
                exit,
                shrike_format::CommonColumns::PID_AND_COMM,
                |_, e| {
                    if let Body::ProcExit { group_dead: 1, .. } = e.body {
                        out.push((e.pid, e.ts));
                    }
                    true
                },
            );
            out
        })
        .collect();
    let mut by_pid: HashMap<u32, Vec<u64>> = HashMap::new();
    for (pid, ts) in found.into_iter().flatten() {
        by_pid.entry(pid).or_default().push(ts);
    }
    by_pid.values_mut().for_each(|v| v.sort_unstable());
    by_pid
}

/// The events a process tree is built from, in time order: forks, execs,
/// exits and snapshots, and each pid's first event while no life of it is
/// known (a process whose fork was not recorded). Chunks are read in parallel.
fn tree_events(
    caps: &[Capture],
    progress: &(dyn Fn(u64) + Sync),
) -> Vec<(usize, shrike_format::OwnedEvent)> {
    use rayon::prelude::*;
    let work = crate::chunks::in_file_order(caps);
    let exits = exits(caps, &work);
    // Whether `pid` exited after `since` and by `now`: its event at `now` may start a new life.
    let exited = |pid: u32, since: u64, now: u64| {
        exits.get(&pid).is_some_and(|v| {
            let i = v.partition_point(|&t| t <= since);
            v.get(i).is_some_and(|&t| t <= now)
        })
    };
    let mut all: Vec<(u64, usize, u64, shrike_format::OwnedEvent)> = work
        .par_iter()
        .map(|c| {
            let (f, base) = (c.file, c.events_before);
            let mut out = Vec::new();
            // Pids with a life in this chunk so far, and when each was last
            // seen: their later events add nothing unless the pid exited since.
            let mut known: HashMap<u32, u64> = HashMap::new();
            crate::chunks::read_chunk(
                caps,
                c,
                crate::chunks::ALL_KINDS,
                shrike_format::CommonColumns::ALL,
                |n, e| {
                    let keep = match &e.body {
                        b if b.started().is_some() => true,
                        b if b.forked(e.pid).is_some() => {
                            known.extend(b.forked(e.pid).map(|(child, _, _)| (child, e.ts)));
                            true
                        }
                        Body::ProcExit { group_dead: 1, .. } => {
                            known.remove(&e.pid);
                            true
                        }
                        b if b.is_recorder_note() => false,
                        _ => match known.insert(e.pid, e.ts) {
                            None => true,
                            Some(seen) => exited(e.pid, seen, e.ts),
                        },
                    };
                    if keep {
                        let seq = base + u64::from(n) + 1;
                        out.push((e.ts, f, seq, e.to_owned_event()));
                    }
                    true
                },
            );
            progress(u64::from(caps[f].chunks()[c.index].header.stats.events));
            out
        })
        .flatten_iter()
        .collect();
    // Time order; ties keep file order, as replay does.
    all.sort_unstable_by_key(|(ts, f, seq, _)| (*ts, *f, *seq));
    all.into_iter().map(|(_, f, _, e)| (f, e)).collect()
}

/// How far a snapshot's start time may trail the start of a life already
/// known for its pid and still be that life: the kernel's start time and the
/// fork event's are read at different moments.
const SAME_START_NS: i128 = 1_000_000_000;

/// The tree and actions as events arrive in time order.
#[derive(Default)]
struct Builder {
    t: Timeline,
    /// Current life of each pid, as an index into t.processes.
    live: HashMap<u32, usize>,
}

impl Builder {
    fn step(&mut self, h: &Header, e: &EventRef<'_>, sel: &Selection) {
        let t = &mut self.t;
        let live = &mut self.live;
        // The user table came with the capture: its names are recorded text.
        let user = |h: &Header, uid: u32| {
            h.user_name(uid)
                .map_or_else(|| uid.to_string(), |n| text(n.as_bytes()))
        };
        let now = wall_ns(h, e.ts);
        match &e.body {
            Body::ProcSnapshot {
                ppid,
                exe,
                argv,
                start_ts,
                ..
            } => {
                let started = wall_ns(h, *start_ts);
                // A later segment of a rotated recording starts with the
                // processes still running: the same lives, not new ones. (A
                // pid whose exit was seen is not live, so a reuse is new.)
                if let Some(&i) = live.get(&e.pid) {
                    let p = &mut t.processes[i];
                    if started <= p.start_ns + SAME_START_NS {
                        p.start_ns = p.start_ns.min(started);
                        return;
                    }
                }
                let i = t.processes.len();
                t.processes.push(Process::started(
                    e.pid,
                    *ppid as u32,
                    // Kernel threads have no argv: show their name as ps does.
                    if argv.is_empty() {
                        format!("[{}]", text(e.comm))
                    } else {
                        command_line(argv)
                    },
                    text(exe),
                    user(h, e.euid),
                    started,
                ));
                live.insert(e.pid, i);
                return;
            }
            b if b.forked(e.pid).is_some_and(|(_, _, process)| process) => {
                let child_pid = b.forked(e.pid).map_or(0, |(c, _, _)| c);
                // The child starts as its parent's image (its actions stay with the parent).
                let (cmdline, exe) = live.get(&e.pid).map_or_else(Default::default, |&p| {
                    (t.processes[p].cmdline.clone(), t.processes[p].exe.clone())
                });
                let i = t.processes.len();
                t.processes.push(Process::started(
                    child_pid,
                    e.pid,
                    cmdline,
                    exe,
                    user(h, e.euid),
                    now,
                ));
                live.insert(child_pid, i);
                return;
            }
            // The recorder's own markers are not process activity.
            b if b.is_recorder_note() => return,
            _ => {}
        }
        let i = *live.entry(e.pid).or_insert_with(|| {
            // A process seen for the first time mid-recording (its fork was not recorded).
            t.processes.push(Process::started(
                e.pid,
                0,
                text(e.comm),
                String::new(),
                user(h, e.euid),
                now,
            ));
            t.processes.len() - 1
        });
        let p = &mut t.processes[i];
        // (Snapshots began their life above: this is a successful exec.)
        if let Some(s) = e.body.started() {
            p.cmdline = command_line(s.argv);
            p.exe = text(s.exe);
            if p.ppid == 0 {
                p.ppid = s.ppid as u32;
            }
            p.user = user(h, e.euid);
        }
        if let Body::ProcExit {
            code,
            signal,
            group_dead: 1,
        } = &e.body
        {
            p.end_ns = Some(now);
            p.exit_code = (*signal == 0).then_some(*code);
            p.exit_signal = (*signal != 0).then_some(*signal);
            live.remove(&e.pid);
        }
        if sel.tree_only {
            return;
        }
        if let Some((summary, target)) = describe(h, e) {
            let in_window =
                sel.since_ns.is_none_or(|s| now >= s) && sel.until_ns.is_none_or(|u| now <= u);
            if in_window {
                let failed = e.body.res().is_some_and(|r| r < 0);
                let a = Action {
                    time_ns: now,
                    kind: e.kind().map_or("unknown", |k| k.name()),
                    summary,
                    failed,
                    target,
                    alerts: Vec::new(),
                };
                match (&sel.fold, &mut t.folded) {
                    (Some(fold), Some(f)) => {
                        f.grow(t.processes.len());
                        *f.kinds[i].entry(a.kind).or_default() += 1;
                        let b = f.bin(now);
                        f.histogram[b] += 1;
                        if matches!(a.kind, "connect" | "accept" | "accept4" | "bind" | "listen") {
                            let n = f.network.entry((i, a.kind, a.target.clone())).or_default();
                            n.0 += 1;
                            n.1 += u64::from(a.failed);
                        }
                        let alerted = fold.keep.contains(&(now, e.pid));
                        let p = &mut t.processes[i];
                        if alerted {
                            p.actions.push(a);
                        } else if library_load(&e.body) {
                            f.libraries[i] += 1;
                        } else if p.actions.len() < fold.per_process {
                            p.actions.push(a);
                        } else {
                            f.hidden[i] += 1;
                        }
                    }
                    _ => t.processes[i].actions.push(a),
                }
            }
        }
    }
}

/// Connects children to parents (the parent life alive when the child started), and applies `--pid`.
fn link(t: &mut Timeline, sel: &Selection) {
    let mut by_pid: BTreeMap<u32, Vec<usize>> = BTreeMap::new();
    for (i, p) in t.processes.iter().enumerate() {
        by_pid.entry(p.pid).or_default().push(i);
    }
    let mut parent_of = vec![None; t.processes.len()];
    for (i, p) in t.processes.iter().enumerate() {
        let parent = by_pid.get(&p.ppid).and_then(|lives| {
            lives
                .iter()
                .rev()
                .copied()
                .find(|&j| j != i && t.processes[j].start_ns <= p.start_ns)
        });
        parent_of[i] = parent;
    }
    let mut kids: Vec<Vec<usize>> = vec![Vec::new(); t.processes.len()];
    for (c, parent) in parent_of.iter().enumerate() {
        if let Some(par) = parent {
            kids[*par].push(c);
        }
    }
    let keep: Option<HashSet<usize>> = sel.pid.map(|pid| {
        let mut keep = HashSet::new();
        for i in (0..t.processes.len()).filter(|&i| t.processes[i].pid == pid) {
            let mut a = parent_of[i];
            while let Some(x) = a {
                if !keep.insert(x) {
                    break;
                }
                a = parent_of[x];
            }
            let mut stack = vec![i];
            while let Some(x) = stack.pop() {
                keep.insert(x);
                stack.extend(&kids[x]);
            }
        }
        keep
    });
    for (i, parent) in parent_of.iter().enumerate() {
        if keep.as_ref().is_some_and(|k| !k.contains(&i)) {
            continue;
        }
        match *parent {
            Some(par) if keep.as_ref().is_none_or(|k| k.contains(&par)) => {
                t.processes[par].children.push(i)
            }
            _ => t.roots.push(i),
        }
    }
}

fn clock(ns: i128) -> String {
    crate::time::rfc3339(ns)
}

impl Timeline {
    /// Puts each alert on the action of the event it fired on. An alert on
    /// an event that is no action here (a snapshot, a kind the timeline
    /// does not describe) becomes an action of its own, so every view that
    /// shows a process and that moment shows its alerts.
    pub fn attach_alerts(&mut self, alerts: &[AlertMark], sel: &Selection) {
        let mut lives: HashMap<u32, Vec<usize>> = HashMap::new();
        for (i, p) in self.processes.iter().enumerate() {
            lives.entry(p.pid).or_default().push(i);
        }
        for a in alerts {
            let in_window = sel.since_ns.is_none_or(|s| a.time_ns >= s)
                && sel.until_ns.is_none_or(|u| a.time_ns <= u);
            let Some(l) = lives.get(&a.pid) else { continue };
            // The life that had begun by then (lives are in start order).
            let Some(&i) = l
                .iter()
                .rev()
                .find(|&&i| self.processes[i].start_ns <= a.time_ns)
                .or(l.first())
            else {
                continue;
            };
            let actions = &mut self.processes[i].actions;
            let at = actions.partition_point(|x| x.time_ns < a.time_ns);
            let same = actions[at..]
                .iter()
                .take_while(|x| x.time_ns == a.time_ns)
                .position(|x| x.kind == a.kind);
            match same {
                Some(k) => actions[at + k].alerts.push(a.marked.clone()),
                None if in_window => actions.insert(
                    at,
                    Action {
                        time_ns: a.time_ns,
                        kind: a.kind,
                        summary: if a.kind == "proc_snapshot" {
                            "running when the recording started".into()
                        } else {
                            a.kind.to_string()
                        },
                        failed: false,
                        target: String::new(),
                        alerts: vec![a.marked.clone()],
                    },
                ),
                None => {}
            }
        }
    }

    /// The tree as indented text: each process, its actions, then its children.
    pub fn render_text(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        for &r in &self.roots {
            self.write_node(out, r, 0)?;
        }
        Ok(())
    }

    fn write_node(
        &self,
        out: &mut dyn std::io::Write,
        i: usize,
        depth: usize,
    ) -> std::io::Result<()> {
        let p = &self.processes[i];
        let pad = "    ".repeat(depth);
        let end = match (p.end_ns, p.exit_code, p.exit_signal) {
            (Some(e), Some(c), _) => format!(" -> {} exit {c}", clock(e)),
            (Some(e), _, Some(s)) => format!(
                " -> {} killed by {}",
                clock(e),
                shrike_format::linux::signal_name(s)
            ),
            _ => String::new(),
        };
        writeln!(
            out,
            "{pad}[pid {}] {}  user={}  {}{end}",
            p.pid,
            p.cmdline,
            p.user,
            clock(p.start_ns)
        )?;
        for a in &p.actions {
            if a.alerts.is_empty() {
                writeln!(out, "{pad}  {}  {}", clock(a.time_ns), a.summary)?;
            } else {
                let rules: Vec<&str> = a.alerts.iter().map(|m| m.rule.as_str()).collect();
                // Rule names come from rule files, which may be crafted.
                writeln!(
                    out,
                    "{pad}  {}  {}  !! {}",
                    clock(a.time_ns),
                    a.summary,
                    shrike_format::Escaped(rules.join("; ").as_bytes())
                )?;
            }
        }
        for &c in &p.children {
            self.write_node(out, c, depth + 1)?;
        }
        Ok(())
    }

    /// Kept processes (those reachable from the roots), in tree order.
    pub fn kept(&self) -> Vec<usize> {
        let mut out = Vec::new();
        let mut stack: Vec<usize> = self.roots.iter().rev().copied().collect();
        while let Some(i) = stack.pop() {
            out.push(i);
            stack.extend(self.processes[i].children.iter().rev());
        }
        out
    }

    /// One Timesketch row per action (tagged `alert` when rules fired on
    /// it), and one per alert, right after its action's: message, datetime,
    /// timestamp_desc, timestamp (µs) and context columns.
    pub fn timesketch_rows(&self) -> Vec<TimesketchRow> {
        let mut rows = Vec::new();
        for i in self.kept() {
            let p = &self.processes[i];
            for a in &p.actions {
                let dt = jiff::Timestamp::from_nanosecond(a.time_ns)
                    .map(|t| t.strftime("%Y-%m-%dT%H:%M:%S%.6f+00:00").to_string())
                    .unwrap_or_default();
                let row = TimesketchRow {
                    message: format!("{} (pid {}): {}", p.cmdline, p.pid, a.summary),
                    datetime: dt,
                    timestamp_desc: format!("shrike {}", a.kind),
                    timestamp: (a.time_ns / 1000) as i64,
                    pid: p.pid,
                    ppid: p.ppid,
                    user: p.user.clone(),
                    kind: a.kind,
                    target: a.target.clone(),
                    failed: a.failed,
                    cmdline: p.cmdline.clone(),
                    tag: if a.alerts.is_empty() {
                        Vec::new()
                    } else {
                        vec!["alert".into()]
                    },
                    rule: a
                        .alerts
                        .iter()
                        .map(|m| m.rule.as_str())
                        .collect::<Vec<_>>()
                        .join("; "),
                    priority: String::new(),
                };
                let alerts = a.alerts.iter().map(|m| TimesketchRow {
                    message: format!("{} alert {}: {}", m.priority, m.rule, m.output),
                    timestamp_desc: "shrike alert".into(),
                    kind: "alert",
                    tag: vec!["alert".into(), m.priority.to_lowercase()],
                    rule: m.rule.clone(),
                    priority: m.priority.clone(),
                    ..row.clone()
                });
                let alerts: Vec<TimesketchRow> = alerts.collect();
                rows.push(row);
                rows.extend(alerts);
            }
        }
        // Stable: an alert stays right after its event.
        rows.sort_by_key(|r| r.timestamp);
        rows
    }
}

/// A row of a Timesketch import (CSV or JSONL): the three required fields first.
#[derive(Clone, Debug, serde::Serialize)]
pub struct TimesketchRow {
    /// What happened, for people.
    pub message: String,
    /// ISO 8601 with an explicit offset.
    pub datetime: String,
    /// What the time means.
    pub timestamp_desc: String,
    /// Microseconds since the Unix epoch.
    pub timestamp: i64,
    /// Process id.
    pub pid: u32,
    /// Parent process id.
    pub ppid: u32,
    /// User.
    pub user: String,
    /// Event kind.
    pub kind: &'static str,
    /// Path or address involved.
    pub target: String,
    /// Whether the syscall failed.
    pub failed: bool,
    /// The process's command line.
    pub cmdline: String,
    /// Timesketch's tags: `alert` on an event rules fired on and on each
    /// alert's own row, with the alert's priority.
    pub tag: Vec<String>,
    /// The rules that fired (names joined by `; `), on both rows.
    pub rule: String,
    /// An alert row's priority.
    pub priority: String,
}

impl TimesketchRow {
    /// The fields that carry recorded text (a CSV writer neutralises them):
    /// a new text field belongs here too.
    pub fn recorded_text_mut(&mut self) -> [&mut String; 5] {
        [
            &mut self.message,
            &mut self.user,
            &mut self.target,
            &mut self.cmdline,
            &mut self.rule,
        ]
    }

    /// The CSV columns, in [`TimesketchRow::csv_record`]'s order.
    pub const CSV_HEADER: [&'static str; 14] = [
        "message",
        "datetime",
        "timestamp_desc",
        "timestamp",
        "pid",
        "ppid",
        "user",
        "kind",
        "target",
        "failed",
        "cmdline",
        "tag",
        "rule",
        "priority",
    ];

    /// The row as CSV cells: the tags as a JSON list, which Timesketch's
    /// CSV import reads as a list (a comma-separated cell would split a
    /// rule name with a comma in it).
    pub fn csv_record(&self) -> [String; 14] {
        [
            self.message.clone(),
            self.datetime.clone(),
            self.timestamp_desc.clone(),
            self.timestamp.to_string(),
            self.pid.to_string(),
            self.ppid.to_string(),
            self.user.clone(),
            self.kind.to_string(),
            self.target.clone(),
            self.failed.to_string(),
            self.cmdline.clone(),
            if self.tag.is_empty() {
                String::new()
            } else {
                serde_json::to_string(&self.tag).unwrap_or_default()
            },
            self.rule.clone(),
            self.priority.clone(),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An io_uring request on `path`, as the recorder writes it.
    fn uring<'a>(op: u64, res: i64, fd: i64, path: &'a [u8], pending: u64) -> EventRef<'a> {
        shrike_format::Event {
            ts: 2_000_000_000,
            cpu: 0,
            pid: 1,
            tid: 1,
            comm: b"x",
            uid: 0,
            gid: 0,
            euid: 0,
            egid: 0,
            cgroup: 0,
            body: Body::IoUring {
                res,
                ring: 3,
                op,
                user_data: 0,
                fd,
                flags: 0,
                mode: 0,
                created: 0,
                cflags: 0,
                submit_ts: 1_500_000_000,
                pending,
                fdtype: if path.is_empty() {
                    0
                } else {
                    shrike_format::fdtype::FILE
                },
                path,
                proto: 0,
                laddr: SockAddr::None,
                raddr: SockAddr::None,
                open_path: b"",
            },
        }
    }

    #[test]
    fn io_uring_requests_read_as_what_they_did_to_what() {
        let h = Header::new();
        let line = |e: EventRef<'_>| describe(&h, &e).unwrap().0;
        // A recorded path is shown as it was (two spaces stay two, escaped bytes escaped).
        assert_eq!(
            line(uring(22, 6, 4, b"/tmp/a  b\x1b", 0)),
            "io_uring READ: read 6 bytes from /tmp/a  b\\x1b"
        );
        assert_eq!(
            line(uring(5, 9, 4, b"/f", 0)),
            "io_uring WRITE_FIXED: wrote 9 bytes to /f"
        );
        assert_eq!(line(uring(0, 0, -1, b"", 0)), "io_uring NOP -> 0");
        assert_eq!(
            line(uring(19, -9, 7, b"", 0)),
            "io_uring CLOSE fd 7 failed (EBADF)"
        );
        assert_eq!(
            line(uring(22, 0, -1, b"", 1)),
            "io_uring READ (still waiting when the recording stopped)"
        );
        assert_eq!(line(uring(200, 0, -1, b"", 0)), "io_uring opcode 200 -> 0");
    }

    #[test]
    fn byte_counts_are_exact_and_readable() {
        assert_eq!(byte_count(0), "0 bytes");
        assert_eq!(byte_count(1023), "1023 bytes");
        assert_eq!(byte_count(123_457), "123457 bytes (120.6 KiB)");
        assert_eq!(byte_count(5 << 30), "5368709120 bytes (5.0 GiB)");
        assert_eq!(
            byte_count(u64::MAX),
            "18446744073709551615 bytes (16384.0 PiB)"
        );
    }
}
