//! `shrike record`: start, drain, rotate, stop, and never lose what was written.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use shrike_format::{Body, Class, Event, Header, OwnedEvent, Segment, Writer, WriterOptions};

use crate::error::CaptureError;
use crate::features::KernelFeatures;
use crate::host::{boottime_ns, describe_host, snapshot_processes};
use crate::probe::{Probe, ProbeOptions};
use crate::record::Record;

/// How the syscalls without a tracepoint are recorded (terminal and `shrike info`).
pub const RAW_SENTENCE: &str = "their calls are recorded as `syscall` events (number, six arguments, result) by a program on every syscall's exit";

/// What to record and where.
#[derive(Clone, Debug)]
pub struct RecordOptions {
    /// Capture file (the first of a rotation).
    pub output: PathBuf,
    /// Stop after this long.
    pub duration: Option<Duration>,
    /// Start a new file when the current one reaches this many bytes.
    pub max_size: Option<u64>,
    /// With `max_size`: keep only the newest this many files (a ring).
    pub max_files: Option<u32>,
    /// Event classes to record.
    pub classes: Vec<Class>,
    /// Record only `command` and its descendants.
    pub follow: bool,
    /// A command to run and record; recording stops when it exits.
    pub command: Vec<String>,
    /// Kernel ring buffer size in bytes.
    pub ring_bytes: u32,
    /// Longest time an event waits in memory before it is written (at most 1 s).
    pub flush_interval: Duration,
    /// Replace existing output files.
    pub overwrite: bool,
    /// Seal every file from the key file at this path, which advances one
    /// epoch per file (`seal::EpochKey::take_from`).
    pub seal_key: Option<PathBuf>,
    /// Keep the executables no package owns, up to this many bytes each
    /// (`exe_file` events).
    pub keep_binaries: Option<u64>,
}

/// What a recording produced.
#[derive(Clone, Debug, Default)]
pub struct RecordSummary {
    /// Events written.
    pub events: u64,
    /// Events the kernel dropped.
    pub lost: u64,
    /// Bytes written across all files.
    pub bytes: u64,
    /// Files written, oldest first (files removed from a ring are not listed).
    pub files: Vec<PathBuf>,
    /// Wall time recorded.
    pub elapsed: Duration,
    /// Exit status of the recorded command (128 + signal if killed; 127 or
    /// 126 if it could not be started, as a shell says).
    pub command_status: Option<i32>,
    /// Why the command could not be started (its `execvp` error), if it could not.
    pub command_error: Option<String>,
    /// Warnings worth showing the user (missing tracepoints, memlock).
    pub warnings: Vec<String>,
    /// Why recording stopped.
    pub reason: String,
}

/// What [`preflight`] found: warnings and where tracefs is.
pub struct Preflight {
    /// Things worth telling the user that do not stop a recording.
    pub warnings: Vec<String>,
    /// The tracefs mount point (`/sys/kernel/tracing` or the debugfs one).
    pub tracefs: PathBuf,
}

/// Checks that this machine can record, mounting tracefs if needed.
pub fn preflight() -> Result<Preflight, CaptureError> {
    let mut warnings = Vec::new();
    // SAFETY: plain getters and setters of process attributes.
    if unsafe { libc::geteuid() } != 0 {
        return Err(CaptureError::Unsupported(
            "recording needs root (CAP_BPF, CAP_PERFMON and CAP_SYS_ADMIN to mount tracefs): run it with sudo".into(),
        ));
    }
    if !Path::new("/sys/kernel/btf/vmlinux").exists() {
        return Err(CaptureError::Unsupported(
            "the kernel has no BTF (/sys/kernel/btf/vmlinux missing; needs CONFIG_DEBUG_INFO_BTF)"
                .into(),
        ));
    }
    let candidates = ["/sys/kernel/tracing", "/sys/kernel/debug/tracing"];
    let found = candidates
        .iter()
        .find(|p| Path::new(p).join("events").exists());
    let tracefs = PathBuf::from(found.unwrap_or(&candidates[0]));
    if found.is_none() {
        let r = unsafe {
            libc::mount(
                c"nodev".as_ptr(),
                c"/sys/kernel/tracing".as_ptr(),
                c"tracefs".as_ptr(),
                0,
                std::ptr::null(),
            )
        };
        if r != 0 {
            let e = std::io::Error::last_os_error();
            return Err(CaptureError::Unsupported(format!(
                "tracefs is not mounted and mounting it on /sys/kernel/tracing failed: {e}"
            )));
        }
    }
    let inf = libc::rlimit {
        rlim_cur: libc::RLIM_INFINITY,
        rlim_max: libc::RLIM_INFINITY,
    };
    if unsafe { libc::setrlimit(libc::RLIMIT_MEMLOCK, &inf) } != 0 {
        // Kernels since 5.11 account BPF memory to cgroups and do not need this.
        warnings.push(format!(
            "could not raise RLIMIT_MEMLOCK ({}); continuing",
            std::io::Error::last_os_error()
        ));
    }
    Ok(Preflight { warnings, tracefs })
}

/// Where the verifier's explanation goes if the kernel refuses a program: beside the capture.
fn verifier_log_path(output: &Path) -> PathBuf {
    let mut name = output.file_name().unwrap_or_default().to_os_string();
    name.push(".verifier.log");
    output.with_file_name(name)
}

/// Path of rotation segment `i`: `out.shrk`, `out.1.shrk`, `out.2.shrk`, ...
pub fn segment_path(first: &Path, i: u32) -> PathBuf {
    if i == 0 {
        return first.to_path_buf();
    }
    let stem = first.file_stem().unwrap_or_default().to_string_lossy();
    let name = match first.extension() {
        Some(ext) => format!("{stem}.{i}.{}", ext.to_string_lossy()),
        None => format!("{stem}.{i}"),
    };
    first.with_file_name(name)
}

/// A command started but held before `exec` until the probes are attached.
/// Kills the recorded command and everything it started when dropped
/// armed (the recording failed part way): a followed command must not run
/// on unrecorded.
struct StopOnFailure(Option<u32>);

impl Drop for StopOnFailure {
    fn drop(&mut self) {
        let Some(pid) = self.0 else { return };
        let tree = crate::host::with_descendants(pid);
        for p in &tree {
            // SAFETY: kill(2) on pids of our own command's tree.
            unsafe { libc::kill(*p as libc::pid_t, libc::SIGKILL) };
        }
        eprintln!(
            "shrike: the recording could not go on: killed the command it follows \
             (pid {pid} and {} process(es) it started) so that it does not run unrecorded",
            tree.len() - 1
        );
    }
}

struct Gated {
    pid: libc::pid_t,
    gate: Option<std::fs::File>,
    /// Closed by a successful exec; carries `errno` if the exec failed.
    exec_error: std::fs::File,
}

impl Gated {
    /// Lets the command exec.
    fn release(&mut self) {
        use std::io::Write;
        if let Some(mut g) = self.gate.take() {
            let _ = g.write_all(b"g");
        }
    }

    /// The exit status once the command has exited (128 + signal if killed).
    fn exited(&self) -> Option<i32> {
        let mut status = 0;
        // SAFETY: waits for our own child without blocking.
        let r = unsafe { libc::waitpid(self.pid, &mut status, libc::WNOHANG) };
        if r != self.pid {
            return None;
        }
        Some(if libc::WIFEXITED(status) {
            libc::WEXITSTATUS(status)
        } else {
            128 + libc::WTERMSIG(status)
        })
    }

    /// Once the command has exited: the error of its exec, if it never ran.
    fn exec_error(&mut self) -> Option<std::io::Error> {
        use std::io::Read;
        let mut errno = [0u8; 4];
        self.exec_error
            .read_exact(&mut errno)
            .ok()
            .map(|()| std::io::Error::from_raw_os_error(i32::from_ne_bytes(errno)))
    }
}

fn spawn_gated(argv: &[String]) -> Result<Gated, CaptureError> {
    use std::ffi::CString;
    let spawn_err = |source| CaptureError::Spawn {
        command: argv[0].clone(),
        source,
    };
    let cargs: Vec<CString> = argv
        .iter()
        .map(|a| {
            CString::new(a.as_bytes())
                .map_err(|_| spawn_err(std::io::Error::other("argument holds a NUL byte")))
        })
        .collect::<Result<_, _>>()?;
    let mut ptrs: Vec<*const libc::c_char> = cargs.iter().map(|c| c.as_ptr()).collect();
    ptrs.push(std::ptr::null());
    let pipe = || {
        let mut fds = [0; 2];
        // SAFETY: pipe2 fills two fds.
        if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
            return Err(CaptureError::Io {
                what: "creating the start gate".into(),
                source: std::io::Error::last_os_error(),
            });
        }
        Ok((fds[0], fds[1]))
    };
    let (r, w) = pipe()?;
    let (er, ew) = pipe()?;
    // std's spawn waits for the exec, which the gate holds back: fork and exec by hand.
    // SAFETY: the child only calls async-signal-safe functions (close, read, execvp, write, _exit)
    // on data prepared before the fork.
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        return Err(spawn_err(std::io::Error::last_os_error()));
    }
    if pid == 0 {
        unsafe {
            libc::close(w);
            libc::close(er);
            let mut b = 0u8;
            if libc::read(r, (&mut b as *mut u8).cast(), 1) != 1 {
                libc::_exit(126); // the recorder went away before starting
            }
            libc::execvp(ptrs[0], ptrs.as_ptr());
            // The recorder reports it (with the command's name): pass errno on.
            let errno = *libc::__errno_location();
            libc::write(ew, (&errno as *const i32).cast(), 4);
            libc::_exit(if errno == libc::ENOENT { 127 } else { 126 });
        }
    }
    unsafe {
        libc::close(r);
        libc::close(ew);
    }
    // SAFETY: w and er are fds this process owns and nothing else closes.
    let (gate, exec_error) = unsafe {
        use std::os::fd::FromRawFd;
        (
            std::fs::File::from_raw_fd(w),
            std::fs::File::from_raw_fd(er),
        )
    };
    Ok(Gated {
        pid,
        gate: Some(gate),
        exec_error,
    })
}

/// Records until `stop` is set, the duration passes, or the command exits.
pub fn record(opts: &RecordOptions, stop: &AtomicBool) -> Result<RecordSummary, CaptureError> {
    let pre = preflight()?;
    let mut features = KernelFeatures::probe(&pre.tracefs).map_err(|e| {
        CaptureError::Unsupported(format!(
            "the kernel refuses to load BPF programs ({e}); is BPF disabled or restricted (kernel.unprivileged_bpf_disabled, lockdown, a seccomp or LSM policy)?"
        ))
    })?;
    if let Ok(spec) = std::env::var("SHRIKE_KERNEL_OVERRIDE") {
        features = features
            .with_overrides(&spec)
            .map_err(|e| CaptureError::Unsupported(format!("SHRIKE_KERNEL_OVERRIDE: {e}")))?;
    }
    let mut summary = RecordSummary {
        warnings: pre.warnings,
        ..Default::default()
    };
    let me = std::process::id();
    let mut gated = if opts.command.is_empty() {
        None
    } else {
        Some(spawn_gated(&opts.command)?)
    };
    let mut probe = Probe::load(&ProbeOptions {
        self_tgid: me,
        follow: opts.follow,
        ring_bytes: opts.ring_bytes,
        classes: opts.classes.clone(),
        features: features.clone(),
        verifier_log: verifier_log_path(&opts.output),
    })?;
    if let Some(g) = &gated
        && opts.follow
    {
        probe.follow(g.pid as u32)?;
    }

    if !probe.missing.is_empty() {
        let names: Vec<&str> = probe
            .missing
            .iter()
            .map(|m| m.split(':').next().unwrap_or(m))
            .collect();
        summary.warnings.push(format!(
            "this kernel lacks {} tracepoints, not recorded: {}",
            names.len(),
            names.join(", ")
        ));
    }
    if !probe.raw.is_empty() {
        summary.warnings.push(format!(
            "this kernel has no tracepoint for {}: {}",
            probe.raw.join(", "),
            RAW_SENTENCE
        ));
    }
    // Which f_mode bit says an open created its file, found by trying, next
    // to the output (the one directory the recorder writes).
    let dir = match opts.output.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let cal = probe.calibrate(&dir);
    // What this kernel cannot give, said once on the terminal and kept in every file.
    let mut limits = features.limits();
    limits.extend(probe.refused.iter().cloned());
    if cal.fmode_created == 0 && opts.classes.contains(&Class::File) {
        limits.push(format!(
            "the kernel's flag for a file an open created was not found (by creating a file in {}): \
             whether an open created its file is unknown, and evt.is_open_create means O_CREAT was asked",
            dir.display()
        ));
    }
    let release = crate::host::uname().map_or_else(|| "?".into(), |u| u.kernel);
    summary
        .warnings
        .extend(limits.iter().map(|l| format!("kernel {release}: {l}")));
    let config = serde_json::json!({
        "classes": opts.classes.iter().map(|c| c.name()).collect::<Vec<_>>(),
        "follow": opts.follow,
        "command": opts.command,
        "ring_bytes": opts.ring_bytes,
        "flush_interval_ms": opts.flush_interval.as_millis() as u64,
        "max_size": opts.max_size,
        "max_files": opts.max_files,
        "missing_tracepoints": probe.missing,
        "raw_syscalls": probe.raw,
        "kernel_limits": limits,
    })
    .to_string();

    let started = Instant::now();
    let mut seg = 0u32;
    // With --follow: the processes being followed (the recorder's own line of ancestors comes with them).
    let followed = |probe: &Probe| -> Option<Vec<u32>> {
        opts.follow.then(|| {
            let mut pids = probe.followed();
            pids.push(me);
            pids
        })
    };
    // The package database, read once: what --keep-binaries leaves out.
    let keep = opts.keep_binaries.map(|max| crate::hashes::Keep {
        owned: crate::hashes::Keep::owned_by_dpkg(Path::new("/")).map(std::sync::Arc::new),
        max,
    });
    if keep.as_ref().is_some_and(|k| k.owned.is_none()) {
        summary.warnings.push(
            "--keep-binaries: no dpkg file lists on this host, so every executed binary up to the limit was kept".into(),
        );
    }
    let mut out = Output::open(
        opts,
        &config,
        seg,
        [0; 16],
        followed(&probe).as_deref(),
        keep.as_ref(),
        &mut summary,
    )?;
    // Release the command only now, so its first exec is recorded. From
    // here, a recording that fails (a full disk, a segment name taken) stops
    // the command rather than let it run on unrecorded.
    if let Some(g) = gated.as_mut() {
        g.release();
    }
    let mut guard = StopOnFailure(gated.as_ref().map(|g| g.pid as u32));
    let mut last_lost = 0u64;
    let mut lost_checked = Instant::now();
    let mut batch: Vec<OwnedEvent> = Vec::with_capacity(4096);
    let mut malformed = 0u64;
    let reason = loop {
        let mut parse = |b: &[u8]| match Record::parse(b) {
            Ok(r) => batch.extend(r.to_event(&cal)),
            Err(_) => malformed += 1,
        };
        probe.drain(Duration::from_millis(50), &mut parse);
        out.append_all(&mut batch)?;
        // Reading the counters reads every program's fdinfo: a few times a second is enough.
        if lost_checked.elapsed() >= Duration::from_millis(250) {
            lost_checked = Instant::now();
            let lost = probe.lost();
            if lost > last_lost {
                out.lost(lost - last_lost)?;
                last_lost = lost;
            }
        }
        out.tick()?;
        if let Some(max) = opts.max_size
            && out.bytes() >= max
        {
            let previous = out.file_id;
            summary.events += out.close("rotated", &mut summary)?;
            seg += 1;
            if let Some(keep) = opts.max_files
                && seg >= keep
            {
                let old = segment_path(&opts.output, seg - keep);
                let _ = std::fs::remove_file(&old);
                summary.files.retain(|f| f != &old);
            }
            out = Output::open(
                opts,
                &config,
                seg,
                previous,
                followed(&probe).as_deref(),
                keep.as_ref(),
                &mut summary,
            )?;
        }
        if stop.load(Ordering::Relaxed) {
            break "signal".to_string();
        }
        if opts.duration.is_some_and(|d| started.elapsed() >= d) {
            break "duration".to_string();
        }
        if let Some(status) = gated.as_ref().and_then(Gated::exited) {
            // Reaped: its pid may name another process from now on.
            guard.0 = None;
            summary.command_status = Some(status);
            summary.command_error = gated
                .as_mut()
                .and_then(Gated::exec_error)
                .map(|e| format!("cannot run {}: {e}", opts.command[0]));
            break "command exited".to_string();
        }
    };
    // Whatever the kernel already produced belongs to this recording.
    loop {
        let mut parse = |b: &[u8]| match Record::parse(b) {
            Ok(r) => batch.extend(r.to_event(&cal)),
            Err(_) => malformed += 1,
        };
        if probe.drain(Duration::ZERO, &mut parse) == 0 {
            break;
        }
        out.append_all(&mut batch)?;
    }
    // The bytes moved through fds still open: told now, or never.
    let (mut open, gone) = still_open(&probe);
    out.append_all(&mut open)?;
    if gone > 0 {
        summary.warnings.push(format!(
            "the bytes moved through {gone} fds of processes that have ended are not told (an exit with more than 1,024 fds, or a full ring buffer at its exit)"
        ));
    }
    // io_uring requests still waiting: told now, or never.
    out.append_all(&mut still_pending(&probe))?;
    let lost = probe.lost();
    if lost > last_lost {
        out.lost(lost - last_lost)?;
    }
    if malformed > 0 {
        summary.warnings.push(format!(
            "{malformed} kernel records could not be parsed and were skipped"
        ));
    }
    summary.events += out.close(&reason, &mut summary)?;
    guard.0 = None;
    summary.reason = reason;
    summary.elapsed = started.elapsed();
    Ok(summary)
}

/// `fd_io` events (`until` 3) for the fds still open when the recording
/// stops, described as `/proc` tells them now: a file's path; a socket's
/// type only (its addresses are not looked up).
/// Also returns how many counts belong to processes that have ended.
fn still_open(probe: &Probe) -> (Vec<OwnedEvent>, usize) {
    let now = boottime_ns();
    let (alive, ended): (Vec<_>, Vec<_>) = probe
        .open_fd_counts()
        .into_iter()
        .filter(|(_, _, c)| c.read + c.written > 0)
        .filter(|(_, _, c)| matches!(c.fdtype, 0o10 | 0o14))
        // As the kernel side: a file only read, below 1 MiB, is not told.
        .filter(|(_, _, c)| c.fdtype != 0o10 || c.written > 0 || c.read >= 1 << 20)
        .partition(|(pid, _, _)| std::path::Path::new(&format!("/proc/{pid}")).exists());
    let mut out: Vec<OwnedEvent> = alive
        .into_iter()
        .map(|(pid, fd, c)| {
            let (fdtype, path) = proc_fd(pid, fd, c.fdtype as u16);
            let proc_ = PathBuf::from(format!("/proc/{pid}"));
            let mut comm = std::fs::read(proc_.join("comm")).unwrap_or_default();
            comm.truncate(comm.iter().position(|&b| b == b'\n').unwrap_or(comm.len()));
            at_stop(
                now,
                pid,
                pid,
                comm,
                Body::FdIo {
                    fd: i64::from(fd),
                    fdtype,
                    path,
                    proto: 0,
                    laddr: shrike_format::SockAddr::None,
                    raddr: shrike_format::SockAddr::None,
                    read: c.read,
                    written: c.written,
                    reads: u64::from(c.reads),
                    writes: u64::from(c.writes),
                    until: 3,
                },
            )
        })
        .collect();
    out.sort_by_key(|e| match &e.body {
        Body::FdIo { fd, .. } => (e.pid, *fd),
        _ => (e.pid, 0),
    });
    (out, ended.len())
}

/// What fd `fd` of process `pid` is now, as `/proc` tells it: its type (from
/// `mode_type`, a `S_IFMT >> 12`, where known, else from the link) and a
/// file's path (a socket's addresses are not looked up).
fn proc_fd(pid: u32, fd: i32, mode_type: u16) -> (u64, Vec<u8>) {
    let link = std::fs::read_link(format!("/proc/{pid}/fd/{fd}"))
        .map(|p| std::os::unix::ffi::OsStrExt::as_bytes(p.as_os_str()).to_vec())
        .unwrap_or_default();
    let fdtype = crate::record::fdtype_of(mode_type, &link);
    if fdtype == shrike_format::fdtype::SOCKET {
        (fdtype, Vec::new())
    } else {
        (fdtype, link)
    }
}

/// An event the recorder writes at its stop for live process `pid` (thread
/// `tid`): its credentials are its `/proc` directory's owner's.
fn at_stop(now: u64, pid: u32, tid: u32, comm: Vec<u8>, body: Body<Vec<u8>>) -> OwnedEvent {
    let ids = std::fs::metadata(format!("/proc/{pid}"))
        .map(|m| {
            use std::os::unix::fs::MetadataExt;
            (m.uid(), m.gid())
        })
        .unwrap_or_default();
    written_here(now, pid, tid, comm, ids, body)
}

/// An event the recorder makes itself, not the kernel: no CPU, no cgroup,
/// one uid and one gid (`ids`).
fn written_here(
    ts: u64,
    pid: u32,
    tid: u32,
    comm: Vec<u8>,
    (uid, gid): (u32, u32),
    body: Body<Vec<u8>>,
) -> OwnedEvent {
    Event {
        ts,
        cpu: u32::MAX,
        pid,
        tid,
        comm,
        uid,
        gid,
        euid: uid,
        egid: gid,
        cgroup: 0,
        body,
    }
}

/// `io_uring` events (`pending` 1) for the requests of live processes that
/// had not completed when the recording stopped; the fd a request names is
/// described as `/proc` tells it now.
fn still_pending(probe: &Probe) -> Vec<OwnedEvent> {
    use crate::record::layout::{UR_FD_KNOWN, UR_FLAGS_KNOWN};
    use shrike_format::linux::uring_op;
    let now = boottime_ns();
    let mut pending = probe.pending_uring();
    pending.sort_by_key(|r| (r.tgid, r.ts));
    pending
        .into_iter()
        .filter(|r| std::path::Path::new(&format!("/proc/{}", r.tgid)).exists())
        .map(|r| {
            let known = u64::from(r.known);
            let op = u64::from(r.op);
            let fd = if known & UR_FD_KNOWN != 0 { r.fd } else { -1 };
            let is_open = matches!(op, uring_op::OPENAT | uring_op::OPENAT2);
            // An open's fd is its directory, not the file it is opening.
            let (fdtype, path) = if fd >= 0 && !is_open {
                proc_fd(r.tgid, fd, 0)
            } else {
                (0, Vec::new())
            };
            let (flags, mode) = if known & UR_FLAGS_KNOWN != 0 {
                (u64::from(r.flags), u64::from(r.mode))
            } else {
                (0, 0)
            };
            let comm = r.comm[..r.comm.iter().position(|&b| b == 0).unwrap_or(16)].to_vec();
            at_stop(
                now,
                r.tgid,
                r.tid,
                comm,
                Body::IoUring {
                    res: 0,
                    ring: i64::from(r.ring),
                    op,
                    user_data: r.user_data,
                    fd: i64::from(fd),
                    flags,
                    mode,
                    created: 0,
                    cflags: 0,
                    submit_ts: r.ts,
                    pending: 1,
                    fdtype,
                    path,
                    proto: 0,
                    laddr: shrike_format::SockAddr::None,
                    raddr: shrike_format::SockAddr::None,
                    open_path: Vec::new(),
                },
            )
        })
        .collect()
}

/// The file being written now.
struct Output {
    writer: Writer<std::fs::File>,
    path: PathBuf,
    file_id: [u8; 16],
    events: u64,
    lost: u64,
    /// cgroup ids already named in this file.
    named: std::collections::HashSet<u64>,
    cgroups: crate::cgroups::CgroupNames,
    /// Hashes each executable a process in this file started.
    hasher: crate::hashes::Hasher,
}

impl Output {
    fn open(
        opts: &RecordOptions,
        config: &str,
        seg: u32,
        previous: [u8; 16],
        followed: Option<&[u32]>,
        keep: Option<&crate::hashes::Keep>,
        summary: &mut RecordSummary,
    ) -> Result<Output, CaptureError> {
        let path = segment_path(&opts.output, seg);
        let mut h = Header::new();
        describe_host(&mut h);
        h.recorder = format!("shrike {}", env!("CARGO_PKG_VERSION"));
        h.config = config.to_string();
        if opts.max_size.is_some() {
            h.segment = Some(Segment {
                index: seg,
                previous,
            });
        }
        // Each file takes its own epoch from the key file, which is replaced
        // by the next one before the file is written.
        let seal_key = opts
            .seal_key
            .as_deref()
            .map(|k| shrike_format::seal::EpochKey::take_from(k, &h.file_id))
            .transpose()
            .map_err(|source| CaptureError::Write {
                path: opts
                    .seal_key
                    .as_deref()
                    .unwrap_or(Path::new(""))
                    .display()
                    .to_string(),
                source,
            })?;
        let wopts = WriterOptions {
            flush_interval: opts.flush_interval.min(Duration::from_secs(1)),
            seal_key,
            ..WriterOptions::default()
        };
        let writer = Writer::create(&path, &h, wopts, opts.overwrite).map_err(|source| {
            CaptureError::Write {
                path: path.display().to_string(),
                source,
            }
        })?;
        summary.files.push(path.clone());
        let mut out = Output {
            writer,
            path,
            file_id: h.file_id,
            events: 0,
            lost: 0,
            named: Default::default(),
            cgroups: Default::default(),
            hasher: crate::hashes::Hasher::new(keep.cloned()),
        };
        let start = Body::RecorderStart {
            version: h.recorder.clone().into_bytes(),
            config: config.as_bytes().to_vec(),
        };
        let mut first = vec![out.meta(start)];
        // The recorder is in the snapshot (it is the parent of a recorded command), though never
        // traced. With --follow, only the followed processes and their ancestors are: the rest of
        // the host is not what was asked for.
        first.extend(snapshot_processes(followed));
        out.append_all(&mut first)?;
        // The snapshot is on disk before the first kernel event.
        out.writer.flush().map_err(out.err())?;
        Ok(out)
    }

    fn err(&self) -> impl Fn(shrike_format::Error) -> CaptureError + '_ {
        move |source| CaptureError::Write {
            path: self.path.display().to_string(),
            source,
        }
    }

    /// An event about the recorder itself.
    fn meta(&self, body: Body<Vec<u8>>) -> OwnedEvent {
        // SAFETY: plain getters.
        let ids = unsafe { (libc::getuid(), libc::getgid()) };
        let me = std::process::id();
        written_here(boottime_ns(), me, me, b"shrike".to_vec(), ids, body)
    }

    fn append_all(&mut self, batch: &mut Vec<OwnedEvent>) -> Result<(), CaptureError> {
        for e in batch.drain(..) {
            // Each file names the cgroups its events run in, before their first event.
            if e.cgroup != 0
                && self.named.insert(e.cgroup)
                && let Some(path) = self.cgroups.path(e.cgroup).map(<[u8]>::to_vec)
            {
                // A container's cgroup: what its runtime's state says of it, after its name.
                let container = shrike_format::containers::container_id(&path)
                    .map(|id| String::from_utf8_lossy(id).into_owned())
                    .map(|id| {
                        let c = crate::containers::describe(&crate::containers::state_root(), &id);
                        Body::Container {
                            cgroup: e.cgroup,
                            id: id.into_bytes(),
                            runtime: c.runtime.as_bytes().to_vec(),
                            name: c.name.into_bytes(),
                            image: c.image.into_bytes(),
                            privileged: c.privileged,
                            pod: c.pod.into_bytes(),
                            namespace: c.namespace.into_bytes(),
                        }
                    });
                let name = Event {
                    ts: e.ts,
                    ..self.meta(Body::Cgroup { id: e.cgroup, path })
                };
                self.writer.append(&name).map_err(self.err())?;
                self.events += 1;
                if let Some(body) = container {
                    let c = Event {
                        ts: e.ts,
                        ..self.meta(body)
                    };
                    self.writer.append(&c).map_err(self.err())?;
                    self.events += 1;
                }
            }
            self.hasher.submit(&e);
            self.writer.append(&e).map_err(self.err())?;
            self.events += 1;
        }
        // The hashes done meanwhile (their events place themselves in time).
        for e in self.hasher.ready() {
            self.writer.append(&e).map_err(self.err())?;
            self.events += 1;
        }
        Ok(())
    }

    fn lost(&mut self, n: u64) -> Result<(), CaptureError> {
        self.writer.add_lost(n);
        self.lost += n;
        let mut e = vec![self.meta(Body::Lost { count: n })];
        self.append_all(&mut e)
    }

    fn tick(&mut self) -> Result<(), CaptureError> {
        self.writer.tick().map(drop).map_err(self.err())
    }

    fn bytes(&self) -> u64 {
        self.writer.summary().bytes
    }

    /// Writes the stop marker and footer; returns the events written to this file.
    fn close(mut self, reason: &str, summary: &mut RecordSummary) -> Result<u64, CaptureError> {
        // The executables still being hashed belong to this file.
        for e in self.hasher.finish(Duration::from_secs(10)) {
            self.writer.append(&e).map_err(self.err())?;
            self.events += 1;
        }
        if self.hasher.unfinished() > 0 || self.hasher.dropped > 0 {
            summary.warnings.push(format!(
                "{}: {} executables were not hashed ({} still being read after 10 s, {} while the queue was full)",
                self.path.display(),
                self.hasher.unfinished() as u64 + self.hasher.dropped,
                self.hasher.unfinished(),
                self.hasher.dropped
            ));
        }
        let stop = Body::RecorderStop {
            reason: reason.as_bytes().to_vec(),
            events: self.events + 1,
            lost: self.lost,
        };
        let mut e = vec![self.meta(stop)];
        self.append_all(&mut e)?;
        let path = self.path.display().to_string();
        let finished = if reason == "rotated" {
            self.writer.finish_rotated()
        } else {
            self.writer.finish()
        };
        let (_, s) = finished.map_err(|source| CaptureError::Write { path, source })?;
        summary.bytes += s.bytes;
        summary.lost += s.lost;
        Ok(s.events)
    }
}
