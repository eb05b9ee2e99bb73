//! Pass one of a scan: an immutable, time-indexed process table built from
//! the snapshot and the fork, exec and exit events, so "what was pid P at
//! time t, and who was its parent?" is a lookup, with pid reuse handled.

use rustc_hash::FxHashMap;
use std::hash::{BuildHasher, RandomState};
use std::sync::Arc;

use rayon::prelude::*;

use crate::chunks::ChunkRef;
use shrike_format::{Body, Capture, CommonColumns, EventRef, Kind};

/// What a program image is and how it was started: shared by a process and
/// the children it forks until they exec, so a fork costs a reference
/// count, not a copy (and a version of a process stays small: a history
/// holds hundreds of thousands). Its texts live in one allocation, since
/// separate buffers for each string cost more memory than the strings.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Image {
    /// comm, exepath, argv[0], argv[1..] joined by spaces, cwd: end to end.
    text: Box<[u8]>,
    /// Where each of the first four texts ends (cwd runs to the end).
    ends: [u32; 4],
    /// `exepath` hashed with the history's key, once, for the deleted-binary bookkeeping.
    exe_hash: u64,
    /// Controlling terminal (kernel encoding), 0 for none.
    pub tty: u64,
    /// Session id.
    pub sid: u64,
    /// Audit login uid (4294967295 unset).
    pub loginuid: u64,
    /// Effective capabilities.
    pub cap_effective: u64,
    /// Permitted capabilities.
    pub cap_permitted: u64,
    /// Exec flags (memfd, deleted, ...).
    pub flags: u64,
    /// fd 0 when the program started: (fd type, inode), (0, 0) closed or unknown.
    pub stdin: (u64, u64),
    /// fd 1 when the program started.
    pub stdout: (u64, u64),
    /// The environment it started with, `NAME=value` strings each ended by a
    /// zero byte; shared by the processes that started with the same one.
    pub env: Arc<[u8]>,
    /// Process group id (0 unknown).
    pub pgid: u64,
    /// For a compiler or linker: the absolute path of the program it was
    /// asked to produce (`gcc -o PATH`, `rustc x.rs`), read from its argv.
    pub builds: Option<Box<[u8]>>,
}

impl Image {
    fn new(comm: &[u8], exepath: &[u8], argv: &[&[u8]], cwd: &[u8], paths: &RandomState) -> Image {
        let argv0 = argv.first().copied().unwrap_or_default();
        let args_len = argv.iter().skip(1).map(|a| a.len() + 1).sum::<usize>();
        let mut text =
            Vec::with_capacity(comm.len() + exepath.len() + argv0.len() + args_len + cwd.len());
        let mut ends = [0u32; 4];
        text.extend_from_slice(comm);
        ends[0] = text.len() as u32;
        text.extend_from_slice(exepath);
        ends[1] = text.len() as u32;
        text.extend_from_slice(argv0);
        ends[2] = text.len() as u32;
        for (i, a) in argv.iter().skip(1).enumerate() {
            if i > 0 {
                text.push(b' ');
            }
            text.extend_from_slice(a);
        }
        ends[3] = text.len() as u32;
        text.extend_from_slice(cwd);
        Image {
            text: text.into_boxed_slice(),
            ends,
            exe_hash: paths.hash_one(exepath),
            ..Image::default()
        }
    }

    fn part(&self, i: usize) -> &[u8] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        let end = self.ends.get(i).map_or(self.text.len(), |&e| e as usize);
        &self.text[start..end]
    }

    /// Kernel comm.
    pub fn comm(&self) -> &[u8] {
        self.part(0)
    }

    /// The executable as the kernel resolved it.
    pub fn exepath(&self) -> &[u8] {
        self.part(1)
    }

    /// argv[0] (Falco's `proc.exe`).
    pub fn argv0(&self) -> &[u8] {
        self.part(2)
    }

    /// argv[1..] joined by spaces (Falco's `proc.args`).
    pub fn args(&self) -> &[u8] {
        self.part(3)
    }

    /// Working directory at exec.
    pub fn cwd(&self) -> &[u8] {
        self.part(4)
    }

    /// Falco's `proc.cmdline`: comm, then the arguments after argv[0].
    pub fn cmdline(&self) -> Vec<u8> {
        joined(self.comm(), self.args())
    }

    /// Falco's `proc.exeline`: argv[0], then the other arguments.
    pub fn exeline(&self) -> Vec<u8> {
        joined(self.argv0(), self.args())
    }

    /// The environment's `NAME=value` strings, in the order the program got them.
    pub fn env_vars(&self) -> impl Iterator<Item = &[u8]> {
        self.env
            .strip_suffix(b"\0")
            .unwrap_or(&self.env)
            .split(|&c| c == 0)
            .filter(|v| !v.is_empty())
    }

    /// The value of the environment variable `name`, if it was set.
    pub fn env_var(&self, name: &[u8]) -> Option<&[u8]> {
        self.env_vars()
            .find_map(|v| v.strip_prefix(name)?.strip_prefix(b"="))
    }
}

/// Tool runs this close after the first for the same output are one build.
const BUILD_SECONDS: u64 = 60;

/// The program a compiler or linker run is asked to write, as an absolute
/// path: `-o PATH` (or `-oPATH`); without one, `a.out` for the C tool
/// chain's links and the source's stem for rustc. `None` for other
/// programs, and for runs that link nothing (`-c`, `-S`, `-E`, libraries).
fn build_output<S: AsRef<[u8]>>(comm: &[u8], argv: &[S], cwd: &[u8]) -> Option<Box<[u8]>> {
    const C: &[&[u8]] = &[
        b"gcc",
        b"cc",
        b"c++",
        b"g++",
        b"clang",
        b"clang++",
        b"tcc",
        b"ld",
        b"ld.bfd",
        b"ld.gold",
        b"ld.lld",
        b"collect2",
    ];
    let rust = comm == b"rustc";
    let c = C.contains(&comm) || (comm.starts_with(b"gcc-") || comm.starts_with(b"clang-"));
    if !rust && !c {
        return None;
    }
    let args: Vec<&[u8]> = argv.iter().skip(1).map(AsRef::as_ref).collect();
    let mut out: Option<&[u8]> = None;
    for (i, a) in args.iter().enumerate() {
        if *a == b"-o" {
            out = args.get(i + 1).copied();
        } else if let Some(p) = a.strip_prefix(b"-o").filter(|p| !p.is_empty() && c) {
            out = Some(p);
        } else if (c && matches!(*a, b"-c" | b"-S" | b"-E" | b"-shared" | b"-r"))
            || (rust && (a.starts_with(b"--crate-type") || a.starts_with(b"--emit")))
        {
            // An object, assembly, a library: no program to run.
            return None;
        }
    }
    let stem;
    let out = match out {
        Some(o) => o,
        None if c => b"a.out",
        None => {
            let src = args.iter().find(|a| a.ends_with(b".rs"))?;
            let name = src.rsplit(|&b| b == b'/').next()?;
            stem = name.strip_suffix(b".rs")?.to_vec();
            &stem
        }
    };
    let joined = if out.starts_with(b"/") {
        out.to_vec()
    } else {
        [cwd, b"/", out].concat()
    };
    Some(shrike_format::linux::normalize_path(&joined).into_boxed_slice())
}

/// `first` and `args` with a space between, `first` alone without arguments.
fn joined(first: &[u8], args: &[u8]) -> Vec<u8> {
    if args.is_empty() {
        first.to_vec()
    } else {
        [first, b" ", args].concat()
    }
}

/// `NAME=value` strings joined the way [`Image::env`] keeps them.
fn env_block<S: AsRef<[u8]>>(vars: &[S]) -> Arc<[u8]> {
    let mut b = Vec::with_capacity(vars.iter().map(|v| v.as_ref().len() + 1).sum());
    for v in vars {
        b.extend_from_slice(v.as_ref());
        b.push(0);
    }
    b.into()
}

/// What a process looked like during one stretch of its life (between execs).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProcInfo {
    /// Process id.
    pub pid: u32,
    /// Parent process id (0 when unknown).
    pub ppid: u32,
    /// The program it runs, and how it was started.
    pub image: Arc<Image>,
    /// When this stretch began (fork, exec or snapshot), ns since boot.
    pub since: u64,
    /// When the process was created (its fork, or the start a snapshot
    /// read), ns since boot; 0 when unknown.
    pub born: u64,
}

#[derive(Clone)]
struct Version {
    from: u64,
    until: u64,
    /// The pid's version before this one ([`NONE`] for its first).
    prev: u32,
    info: ProcInfo,
}

/// No version.
const NONE: u32 = u32::MAX;

/// The process table of one or more captures of the same host.
#[derive(Default)]
pub struct History {
    /// Every version of every process in one array, in the order they
    /// began, each linked to its pid's version before. One array, not one
    /// vector per pid: most processes have two versions (fork, exec), and a
    /// vector each cost four slots; linked, not grouped by pid afterwards,
    /// since sorting the array cost a copy of it and its time.
    versions: Vec<Version>,
    /// Each pid's latest version.
    by_pid: PidIndex,
    /// Live processes by executable path, to notice a running binary being deleted.
    /// Keyed by a hash of the path: pass one sees millions of unlinks and
    /// renames, and hashing them in place spares copying every path. The key
    /// is random per run, so no one can aim a collision at it. A set per
    /// path: a host can run thousands of workers of one binary, and each
    /// exit takes its pid out.
    by_exe: FxHashMap<u64, rustc_hash::FxHashSet<u32>>,
    /// cgroup id to path, from `cgroup` events.
    cgroups: FxHashMap<u64, Vec<u8>>,
    /// cgroup id to the container in it, from `container` events.
    containers: FxHashMap<u64, Container>,
    /// (pid, when its program started) to that executable's SHA-256, from `exe_hash` events.
    exe_hashes: FxHashMap<(u32, u64), Vec<u8>>,
    /// The first program started with its stdout on each pipe (by inode): who
    /// fed a process whose stdin is that pipe.
    pipe_writers: FxHashMap<u64, Arc<Image>>,
    /// Every distinct environment once: most programs start with their
    /// parent's, and kept per process they were the bulk of the table.
    envs: rustc_hash::FxHashSet<Arc<[u8]>>,
    /// Programs a compiler or linker was run to produce: path to (when, which tool).
    built: FxHashMap<Box<[u8]>, (u64, Arc<Image>)>,
    /// Each address a recorded DNS response gave, with when and the name
    /// asked: sorted by address, then time.
    resolved: Vec<(std::net::IpAddr, u64, Box<[u8]>)>,
}

/// The latest version of each pid: an array indexed by pid, because the
/// kernel hands out pids in rising order, so the processes an event is
/// likely to ask about sit side by side in it, where a hash table scatters
/// them and nearly every first lookup of a process missed the CPU cache.
/// Pids beyond the kernel's limit (only a damaged capture has them) go to a
/// hash table, so no pid can make the array huge.
#[derive(Default)]
struct PidIndex {
    dense: Vec<u32>,
    sparse: FxHashMap<u32, u32>,
}

/// The kernel's largest pid_max (PID_MAX_LIMIT on 64-bit).
const PID_LIMIT: u32 = 1 << 22;

impl PidIndex {
    #[inline]
    fn get(&self, pid: u32) -> Option<u32> {
        if pid < PID_LIMIT {
            self.dense.get(pid as usize).copied().filter(|&i| i != NONE)
        } else {
            self.sparse.get(&pid).copied()
        }
    }

    /// Makes `i` the pid's latest version; returns the one before.
    fn insert(&mut self, pid: u32, i: u32) -> Option<u32> {
        if pid >= PID_LIMIT {
            return self.sparse.insert(pid, i);
        }
        let at = pid as usize;
        if at >= self.dense.len() {
            // Grown in steps, so a rising pid does not regrow it each time.
            self.dense
                .resize((at + 1).next_power_of_two().max(1024), NONE);
        }
        Some(std::mem::replace(&mut self.dense[at], i)).filter(|&p| p != NONE)
    }
}

/// Kinds whose events start a version of a process.
const STARTS: [Kind; 7] = [
    Kind::ProcSnapshot,
    Kind::Execve,
    Kind::Execveat,
    Kind::Clone,
    Kind::Clone3,
    Kind::Fork,
    Kind::Vfork,
];

/// A lifecycle change seen in a chunk.
enum Change {
    Fork {
        parent: u32,
        child: u32,
        thread: bool,
    },
    Exec(Box<ProcInfo>),
    /// A path stopped naming its file (unlinked, or renamed away).
    Unlinked(u64),
    Exit {
        pid: u32,
    },
    /// A cgroup id's path (boxed: a change is copied as the window is
    /// merged, and the rare cgroup should not make every change larger).
    Cgroup(Box<(u64, Vec<u8>)>),
    /// What the recorder read of the container in a cgroup (by cgroup id).
    Container(Box<(u64, Container)>),
    /// The SHA-256 of what a process started: (pid, the exec's time, hex).
    ExeHash(Box<(u32, u64, Vec<u8>)>),
}

/// A container's metadata as the recorder read it from its runtime's state
/// (the `container` event); empty texts where the state said nothing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Container {
    /// Full container id.
    pub id: Vec<u8>,
    /// Whose state it came from (`docker`, `containerd`, `cri-o`, `podman`).
    pub runtime: Vec<u8>,
    /// The container's name.
    pub name: Vec<u8>,
    /// The image as it was asked for.
    pub image: Vec<u8>,
    /// `shrike_format::containers::PRIVILEGED_*`.
    pub privileged: u64,
    /// Kubernetes pod.
    pub pod: Vec<u8>,
    /// Kubernetes namespace.
    pub namespace: Vec<u8>,
}

fn changes(e: &EventRef<'_>, paths: &RandomState) -> Option<Change> {
    // A snapshot and a successful exec say the same things about a process.
    if let Some(p) = e.body.started() {
        return Some(Change::Exec(Box::new(ProcInfo {
            pid: e.pid,
            ppid: p.ppid as u32,
            image: Arc::new(Image {
                tty: p.tty,
                sid: p.sid,
                loginuid: p.loginuid,
                cap_effective: p.cap_effective,
                cap_permitted: p.cap_permitted,
                flags: p.flags,
                stdin: p.stdin,
                stdout: p.stdout,
                env: env_block(p.env),
                pgid: p.pgid,
                builds: build_output(e.comm, p.argv, p.cwd),
                ..Image::new(e.comm, p.exe, p.argv, p.cwd, paths)
            }),
            since: e.ts,
            // An exec keeps the process's birth (set from its fork, below).
            born: p.start_ts,
        })));
    }
    Some(match &e.body {
        b if b.forked(e.pid).is_some() => {
            let (child, _, process) = b.forked(e.pid)?;
            Change::Fork {
                parent: e.pid,
                child,
                thread: !process,
            }
        }
        Body::ProcExit { group_dead: 1, .. } => Change::Exit { pid: e.pid },
        Body::ExeHash {
            exec_ts, sha256, ..
        } if !sha256.is_empty() => Change::ExeHash(Box::new((e.pid, *exec_ts, sha256.to_vec()))),
        Body::Cgroup { id, path } => Change::Cgroup(Box::new((*id, path.to_vec()))),
        Body::Container {
            cgroup,
            id,
            runtime,
            name,
            image,
            privileged,
            pod,
            namespace,
        } => Change::Container(Box::new((
            *cgroup,
            Container {
                id: id.to_vec(),
                runtime: runtime.to_vec(),
                name: name.to_vec(),
                image: image.to_vec(),
                privileged: *privileged,
                pod: pod.to_vec(),
                namespace: namespace.to_vec(),
            },
        ))),
        Body::Unlink {
            res: 0, abspath, ..
        }
        | Body::Unlinkat {
            res: 0, abspath, ..
        } => Change::Unlinked(paths.hash_one(abspath)),
        Body::Rename {
            res: 0, oldabspath, ..
        }
        | Body::Renameat {
            res: 0, oldabspath, ..
        }
        | Body::Renameat2 {
            res: 0, oldabspath, ..
        } => Change::Unlinked(paths.hash_one(oldabspath)),
        _ => return None,
    })
}

/// The lifecycle changes in one chunk, each with its time and its place in
/// the files (the tie-break between changes at the same time).
fn chunk_changes(
    caps: &[Capture],
    c: &ChunkRef,
    lifecycle: u128,
    paths: &RandomState,
) -> Vec<(u64, u64, Change)> {
    let (f, i) = (c.file, c.index);
    // Sized from the chunk header's counts: one allocation, no regrowth
    // (fresh pages are slow to fault in on virtual machines).
    let most: u32 = caps[f].chunks()[i]
        .header
        .stats
        .kind_counts
        .iter()
        .filter(|(k, _)| lifecycle & (1u128 << (*k).min(127)) != 0)
        .map(|(_, n)| n)
        .sum();
    let mut out = Vec::with_capacity(most as usize);
    // A life needs each event's pid and comm, not its other columns.
    crate::chunks::read_chunk(caps, c, lifecycle, CommonColumns::PID_AND_COMM, |n, e| {
        if let Some(c) = changes(e, paths) {
            let n = u64::from(n) + 1;
            out.push((e.ts, ((f as u64) << 40) | ((i as u64) << 20) | n, c));
        }
        true
    });
    out
}

impl History {
    /// Builds the table from every readable chunk of `caps`: chunks are read
    /// on all cores a window at a time, in time order, and each window's
    /// changes are applied in time order while the next window is read.
    pub fn build(caps: &[Capture]) -> History {
        // The process kinds, which writers keep in chunks of their own: the
        // starts above, and exits, cgroup names, and the unlinks and renames
        // that leave a running binary deleted.
        let lifecycle = shrike_format::PROCESS_KINDS
            .iter()
            .fold(0u128, |b, k| b | 1u128 << k.id());
        // Chunks without fork, exec, exit or snapshot events say nothing here.
        let work: Vec<ChunkRef> = crate::chunks::in_time_order(caps)
            .into_iter()
            .filter(|c| caps[c.file].chunks()[c.index].kinds() & lifecycle != 0)
            .collect();
        let paths = RandomState::new();
        let mut h = History::default();
        // Each exec and each process fork starts a version: room for all of
        // them at once (from the chunk headers), where growing the array
        // copied it again and again.
        let starts: u32 = work
            .iter()
            .flat_map(|c| &caps[c.file].chunks()[c.index].header.stats.kind_counts)
            .filter(|(k, _)| STARTS.iter().any(|s| s.id() == *k))
            .map(|(_, n)| n)
            .sum();
        h.versions.reserve(starts as usize);
        // One chunk per thread at a time: chunks of process kinds (SPEC.md
        // §8.1) are dense in changes, and a small window starts applying
        // them sooner and holds fewer at once.
        let window = rayon::current_num_threads().max(1);
        let read = |batch: &[ChunkRef]| -> Vec<Vec<(u64, u64, Change)>> {
            batch
                .par_iter()
                .map(|c| chunk_changes(caps, c, lifecycle, &paths))
                .collect()
        };
        // Every chunk not read yet starts at or after the horizon, so the
        // changes before it are applied in their final order, while the next
        // window is read.
        crate::chunks::merge_windows(
            &work,
            window,
            read,
            |got, pending| got.into_iter().for_each(|c| pending.extend(c)),
            |(ts, order, _): &(u64, u64, Change)| (*ts, *order),
            |now| {
                now.into_iter().for_each(|(ts, _, c)| h.apply(ts, c));
                true
            },
        );
        h.resolved = resolutions(caps);
        h
    }

    /// The pid's latest version while building, if it is still running.
    fn current(&self, pid: u32) -> Option<&Version> {
        let i = self.by_pid.get(pid)?;
        Some(&self.versions[i as usize]).filter(|v| v.until == u64::MAX)
    }

    fn current_mut(&mut self, pid: u32) -> Option<&mut Version> {
        let i = self.by_pid.get(pid)?;
        Some(&mut self.versions[i as usize]).filter(|v| v.until == u64::MAX)
    }

    fn start(&mut self, ts: u64, info: ProcInfo) {
        if let Some(last) = self.current_mut(info.pid) {
            last.until = ts;
            let old = last.info.image.exe_hash;
            self.forget_exe(old, info.pid);
        }
        // A binary already deleted cannot be deleted again.
        if !info.image.exepath().is_empty() && info.image.flags & shrike_format::EXEC_DELETED == 0 {
            self.by_exe
                .entry(info.image.exe_hash)
                .or_default()
                .insert(info.pid);
        }
        let prev = self
            .by_pid
            .insert(info.pid, self.versions.len() as u32)
            .unwrap_or(NONE);
        self.versions.push(Version {
            from: ts,
            until: u64::MAX,
            prev,
            info,
        });
    }

    fn apply(&mut self, ts: u64, c: Change) {
        match c {
            Change::Cgroup(c) => {
                let (id, path) = *c;
                self.cgroups.insert(id, path);
            }
            Change::Container(c) => {
                let (cgroup, container) = *c;
                self.containers.insert(cgroup, container);
            }
            Change::ExeHash(h) => {
                let (pid, exec_ts, sha256) = *h;
                self.exe_hashes.insert((pid, exec_ts), sha256);
            }
            Change::Exec(info) => {
                let mut info = *info;
                // A build's first tool names it (gcc, not the ld it runs a moment
                // later for the same output); a later build of the path replaces it.
                if let Some(out) = &info.image.builds {
                    let same_build = self.built.get(out).is_some_and(|(when, _)| {
                        ts.saturating_sub(*when) < BUILD_SECONDS * 1_000_000_000
                    });
                    if !same_build {
                        self.built.insert(out.clone(), (ts, info.image.clone()));
                    }
                }
                if let Some(img) = Arc::get_mut(&mut info.image) {
                    match self.envs.get(&img.env) {
                        Some(seen) => img.env = seen.clone(),
                        None => {
                            self.envs.insert(img.env.clone());
                        }
                    }
                }
                if info.image.stdout.0 == shrike_format::fdtype::PIPE {
                    self.pipe_writers
                        .entry(info.image.stdout.1)
                        .or_insert_with(|| info.image.clone());
                }
                // An exec record without a parent keeps the one known from the
                // fork, and an exec the process's birth.
                if let Some(v) = self.current(info.pid) {
                    if info.ppid == 0 {
                        info.ppid = v.info.ppid;
                    }
                    if info.born == 0 {
                        info.born = v.info.born;
                    }
                }
                self.start(ts, info);
            }
            Change::Fork {
                parent,
                child,
                thread,
            } => {
                if thread {
                    return;
                }
                // The child starts as a copy of its parent, until it execs.
                let mut info = self
                    .current(parent)
                    .map(|v| v.info.clone())
                    .unwrap_or_default();
                info.pid = child;
                info.ppid = parent;
                info.since = ts;
                info.born = ts;
                self.start(ts, info);
            }
            Change::Exit { pid } => {
                if let Some(v) = self.current_mut(pid) {
                    v.until = ts;
                    let old = v.info.image.exe_hash;
                    self.forget_exe(old, pid);
                }
            }
            Change::Unlinked(path) => {
                // Every live process running that file now runs a deleted binary.
                // The path is forgotten with them: a file created there later is
                // another file, and a process is marked deleted once, not once per
                // unlink of the path.
                for pid in self.by_exe.remove(&path).unwrap_or_default() {
                    if let Some(v) = self.current(pid) {
                        let mut info = v.info.clone();
                        let mut image = (*info.image).clone();
                        image.flags |= shrike_format::EXEC_DELETED;
                        info.image = Arc::new(image);
                        info.since = ts;
                        self.start(ts, info);
                    }
                }
            }
        }
    }

    fn forget_exe(&mut self, exe: u64, pid: u32) {
        if let Some(pids) = self.by_exe.get_mut(&exe) {
            pids.remove(&pid);
            if pids.is_empty() {
                self.by_exe.remove(&exe);
            }
        }
    }

    /// The process `pid` as it was at time `ts` (an event's own process is alive at its time).
    pub fn at(&self, pid: u32, ts: u64) -> Option<&ProcInfo> {
        self.find(pid, ts).map(|i| &self.versions[i].info)
    }

    /// What the process `pid` ran at `ts` before its last exec: the version
    /// before, when it is the same process (the same birth) that exec'd,
    /// not an earlier process that had the pid.
    pub fn previous(&self, pid: u32, ts: u64) -> Option<&ProcInfo> {
        let v = &self.versions[self.find(pid, ts)?];
        let p = self.versions.get(v.prev as usize)?;
        (p.until == v.from && p.info.born != 0 && p.info.born == v.info.born).then_some(&p.info)
    }

    /// Index of the version of `pid` at `ts`.
    fn find(&self, pid: u32, ts: u64) -> Option<usize> {
        let mut i = self.by_pid.get(pid)?;
        // The last version that began at or before ts (versions began in
        // time order); exits are inclusive of their own instant.
        while i != NONE {
            let v = &self.versions[i as usize];
            if v.from <= ts {
                return (ts <= v.until).then_some(i as usize);
            }
            i = v.prev;
        }
        None
    }

    /// Ancestor `n` of `pid` at `ts` (0 = the process itself, 1 = parent, ...).
    pub fn ancestor(&self, pid: u32, ts: u64, n: usize) -> Option<&ProcInfo> {
        let mut p = self.at(pid, ts)?;
        for _ in 0..n {
            if p.ppid == 0 || p.ppid == p.pid {
                return None;
            }
            p = self.at(p.ppid, ts)?;
        }
        Some(p)
    }

    /// The path of cgroup `id`, when the capture named it.
    pub fn cgroup_path(&self, id: u64) -> Option<&[u8]> {
        self.cgroups.get(&id).map(Vec::as_slice)
    }

    /// The compiler or linker run that was asked to produce the program at
    /// `path` before `ts`, if the capture saw one.
    pub fn built_by(&self, path: &[u8], ts: u64) -> Option<&Image> {
        self.built
            .get(path)
            .filter(|(when, _)| *when <= ts)
            .map(|(_, img)| &**img)
    }

    /// The container in cgroup `id`, when the recorder read its runtime's state.
    pub fn container(&self, cgroup: u64) -> Option<&Container> {
        self.containers.get(&cgroup)
    }

    /// The SHA-256 (hex) of the executable process `pid` ran at `ts`, when
    /// the recorder hashed it.
    pub fn exe_sha256(&self, pid: u32, ts: u64) -> Option<&[u8]> {
        let p = self.at(pid, ts)?;
        self.exe_hashes.get(&(pid, p.since)).map(Vec::as_slice)
    }

    /// The name a DNS response recorded before `ts` last gave `ip` for
    /// (Falco's `fd.rip.name`, from the capture rather than a live lookup).
    pub fn name_of(&self, ip: std::net::IpAddr, ts: u64) -> Option<&[u8]> {
        let end = self
            .resolved
            .partition_point(|(a, t, _)| (*a, *t) <= (ip, ts));
        let (a, _, name) = self.resolved[..end].last()?;
        (*a == ip).then_some(&**name)
    }

    /// The program that wrote into the pipe with inode `ino` (the first started with its stdout on it).
    pub fn pipe_writer(&self, ino: u64) -> Option<&Image> {
        self.pipe_writers.get(&ino).map(|i| &**i)
    }

    /// Number of processes (all versions) known.
    pub fn len(&self) -> usize {
        self.versions.len()
    }

    /// Whether no process is known.
    pub fn is_empty(&self) -> bool {
        self.versions.is_empty()
    }
}

/// The addresses the DNS responses of `caps` gave, read from the chunks
/// that hold `dns` events only: (address, when, the name asked), sorted.
fn resolutions(caps: &[Capture]) -> Vec<(std::net::IpAddr, u64, Box<[u8]>)> {
    let dns = 1u128 << Kind::Dns.id();
    let work: Vec<ChunkRef> = crate::chunks::in_file_order(caps)
        .into_iter()
        .filter(|c| caps[c.file].chunks()[c.index].kinds() & dns != 0)
        .collect();
    let mut all: Vec<_> = work
        .par_iter()
        .flat_map_iter(|c| {
            let mut got = Vec::new();
            crate::chunks::read_chunk(caps, c, dns, CommonColumns::NONE, |_, e| {
                if let Some(m) = crate::dns::message(&e.body).filter(|m| m.response)
                    && let Some((q, _)) = &m.question
                {
                    got.extend(m.ips().map(|ip| (ip, e.ts, q.clone().into_boxed_slice())));
                }
                true
            });
            got
        })
        .collect();
    all.sort_unstable();
    all
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_build_names_the_program_it_writes() {
        let out = |comm: &str, argv: &[&str]| {
            super::build_output(comm.as_bytes(), argv, b"/tmp/w")
                .map(|p| String::from_utf8(p.into_vec()).unwrap())
        };
        assert_eq!(
            out("gcc", &["gcc", "-O2", "-o", "c", "c.c"]).as_deref(),
            Some("/tmp/w/c")
        );
        assert_eq!(
            out("gcc", &["gcc", "-o../x/./y", "c.c"]).as_deref(),
            Some("/tmp/x/y")
        );
        assert_eq!(out("cc", &["cc", "c.c"]).as_deref(), Some("/tmp/w/a.out"));
        assert_eq!(
            out("gcc", &["gcc", "-c", "c.c"]),
            None,
            "an object, not a program"
        );
        assert_eq!(
            out("rustc", &["rustc", "-O", "src/r.rs"]).as_deref(),
            Some("/tmp/w/r")
        );
        assert_eq!(out("rustc", &["rustc", "--crate-type=lib", "l.rs"]), None);
        assert_eq!(out("cp", &["cp", "-o", "x"]), None, "not a compiler");
    }

    #[test]
    fn the_starts_of_processes_are_process_kinds() {
        for k in super::STARTS {
            assert!(k.is_process_kind(), "{k:?}");
        }
    }
}
