//! Deterministic synthetic captures: a plausible host (services, shells,
//! builds, network clients) producing a realistic mix of every event kind,
//! the same bytes for the same seed. For tests and benchmarks that must run
//! without root or eBPF.

use std::collections::VecDeque;

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use shrike_format::{Body, Class, Event, FieldSource, Header, Kind, OwnedEvent, SockAddr, fdtype};

/// Inode of the synthetic login terminal (/dev/pts/0).
const TTY_INO: u64 = 3;
/// Inode of the synthetic /dev/null.
const DEVNULL_INO: u64 = 4;

/// Nanoseconds since boot at which synthetic recordings start.
pub const START_TS: u64 = 1_000_000_000_000;
/// Wall-clock boot time of the synthetic host (2026-11-26T00:00:00Z).
pub const BOOT_TIME_NS: u64 = 1_795_651_200_000_000_000;

/// A header for a synthetic capture, deterministic from `seed`.
pub fn header(seed: u64) -> Header {
    let mut h = Header::new();
    let id = seed.to_le_bytes();
    h.file_id = [id, (!seed).to_le_bytes()]
        .concat()
        .try_into()
        .expect("16 bytes");
    h.created_ns = BOOT_TIME_NS + START_TS;
    h.boot_time_ns = BOOT_TIME_NS;
    h.hostname = "synth-host".into();
    h.kernel = "6.18.0-synthetic".into();
    h.boot_id = "00000000-0000-4000-8000-000000000001".into();
    h.machine = "x86_64".into();
    h.recorder = format!("shrike-synth {}", env!("CARGO_PKG_VERSION"));
    h.config = format!("{{\"synthetic\":true,\"seed\":{seed}}}");
    h.users = vec![
        (0, "root".into()),
        (33, "www-data".into()),
        (107, "postgres".into()),
        (1000, "dev".into()),
    ];
    h.groups = vec![
        (0, "root".into()),
        (33, "www-data".into()),
        (114, "postgres".into()),
        (1000, "dev".into()),
    ];
    h
}

#[derive(Clone)]
struct Proc {
    pid: u32,
    ppid: u32,
    comm: Vec<u8>,
    exe: Vec<u8>,
    argv: Vec<Vec<u8>>,
    cwd: Vec<u8>,
    uid: u32,
    gid: u32,
    cgroup: u64,
    /// Events left before a short-lived process exits (`None`: lives on).
    ttl: Option<u32>,
    files: &'static [&'static str],
    next_fd: i64,
}

const LIBS: &[&str] = &[
    "/etc/ld.so.cache",
    "/usr/lib/x86_64-linux-gnu/libc.so.6",
    "/usr/lib/x86_64-linux-gnu/libm.so.6",
    "/usr/lib/x86_64-linux-gnu/libpthread.so.0",
    "/usr/lib/locale/locale-archive",
    "/etc/nsswitch.conf",
    "/etc/passwd",
    "/proc/self/status",
];
const WEB: &[&str] = &[
    "/var/www/html/index.html",
    "/var/www/html/app.js",
    "/var/log/nginx/access.log",
    "/etc/nginx/nginx.conf",
];
const DB: &[&str] = &[
    "/var/lib/postgresql/16/main/base/16384/2619",
    "/var/lib/postgresql/16/main/pg_wal/000000010000000000000001",
    "/var/lib/postgresql/16/main/global/pg_control",
];
const BUILD: &[&str] = &[
    "/home/dev/proj/src/main.c",
    "/home/dev/proj/src/util.c",
    "/home/dev/proj/include/util.h",
    "/usr/include/stdio.h",
    "/usr/include/stdlib.h",
    "/home/dev/proj/build/main.o",
    "/home/dev/proj/Makefile",
];
const SHELL: &[&str] = &[
    "/home/dev/.bashrc",
    "/home/dev/.bash_history",
    "/etc/profile",
    "/home/dev/notes.txt",
    "/dev/tty",
];

/// (exe, comm, working set, uid) of programs that shells and services start.
const PROGRAMS: &[(&str, &str, &[&str], u32)] = &[
    ("/usr/bin/ls", "ls", LIBS, 1000),
    ("/usr/bin/cat", "cat", SHELL, 1000),
    ("/usr/bin/grep", "grep", BUILD, 1000),
    ("/usr/bin/git", "git", BUILD, 1000),
    ("/usr/bin/make", "make", BUILD, 1000),
    ("/usr/lib/gcc/x86_64-linux-gnu/12/cc1", "cc1", BUILD, 1000),
    ("/usr/bin/ld", "ld", BUILD, 1000),
    ("/usr/bin/python3.11", "python3", LIBS, 1000),
    ("/usr/bin/curl", "curl", LIBS, 1000),
    ("/usr/bin/sed", "sed", SHELL, 1000),
    ("/usr/sbin/logrotate", "logrotate", WEB, 0),
];

/// The kernel's `comm` for an executable: its base name, cut to 15 bytes.
fn comm_of(exe: &str) -> Vec<u8> {
    let base = exe.rsplit('/').next().unwrap_or(exe).as_bytes();
    base[..base.len().min(15)].to_vec()
}

/// Generates events; iterate it, or use [`write_capture`].
pub struct Generator {
    rng: ChaCha8Rng,
    procs: Vec<Proc>,
    next_pid: u32,
    ts: u64,
    left: u64,
    queue: VecDeque<OwnedEvent>,
}

impl Generator {
    /// A generator of `events` events (snapshot records included), deterministic from `seed`.
    pub fn new(seed: u64, events: u64) -> Self {
        let mut g = Generator {
            rng: ChaCha8Rng::seed_from_u64(seed),
            procs: Vec::new(),
            next_pid: 2000,
            ts: START_TS,
            left: events,
            queue: VecDeque::new(),
        };
        g.boot_host();
        g
    }

    fn boot_host(&mut self) {
        let svc = |pid, ppid, exe: &str, argv: &[&str], uid, gid, cgroup, files| Proc {
            pid,
            ppid,
            comm: comm_of(exe),
            exe: exe.into(),
            argv: argv.iter().map(|a| a.as_bytes().to_vec()).collect(),
            cwd: b"/".to_vec(),
            uid,
            gid,
            cgroup,
            ttl: None,
            files,
            next_fd: 3,
        };
        self.procs = vec![
            svc(
                1,
                0,
                "/usr/lib/systemd/systemd",
                &["/sbin/init"],
                0,
                0,
                1,
                LIBS,
            ),
            svc(
                310,
                1,
                "/usr/lib/systemd/systemd-journald",
                &["/usr/lib/systemd/systemd-journald"],
                0,
                0,
                11,
                LIBS,
            ),
            svc(
                540,
                1,
                "/usr/sbin/cron",
                &["/usr/sbin/cron", "-f"],
                0,
                0,
                12,
                SHELL,
            ),
            svc(
                600,
                1,
                "/usr/sbin/sshd",
                &["sshd: /usr/sbin/sshd -D [listener]"],
                0,
                0,
                13,
                LIBS,
            ),
            svc(
                700,
                1,
                "/usr/sbin/nginx",
                &["nginx: master process /usr/sbin/nginx"],
                0,
                0,
                14,
                WEB,
            ),
            svc(
                701,
                700,
                "/usr/sbin/nginx",
                &["nginx: worker process"],
                33,
                33,
                14,
                WEB,
            ),
            svc(
                702,
                700,
                "/usr/sbin/nginx",
                &["nginx: worker process"],
                33,
                33,
                14,
                WEB,
            ),
            svc(
                800,
                1,
                "/usr/lib/postgresql/16/bin/postgres",
                &[
                    "/usr/lib/postgresql/16/bin/postgres",
                    "-D",
                    "/var/lib/postgresql/16/main",
                ],
                107,
                114,
                15,
                DB,
            ),
            svc(
                801,
                800,
                "/usr/lib/postgresql/16/bin/postgres",
                &["postgres: checkpointer"],
                107,
                114,
                15,
                DB,
            ),
            svc(
                1500,
                600,
                "/usr/bin/bash",
                &["-bash"],
                1000,
                1000,
                20,
                SHELL,
            ),
            svc(
                1600,
                600,
                "/usr/bin/bash",
                &["-bash"],
                1000,
                1000,
                21,
                SHELL,
            ),
        ];
        for p in &mut self.procs {
            if p.pid == 1500 || p.pid == 1600 {
                p.cwd = b"/home/dev/proj".to_vec();
            }
        }
        let start = Body::RecorderStart {
            version: b"shrike-synth".to_vec(),
            config: b"{\"synthetic\":true}".to_vec(),
        };
        self.emit(0, start);
        // Every cgroup named before its first event, as the recorder does; the
        // database runs in a container.
        let mut named = std::collections::HashSet::new();
        for i in 0..self.procs.len() {
            let p = &self.procs[i];
            if !named.insert(p.cgroup) {
                continue;
            }
            let base = String::from_utf8_lossy(p.exe.rsplit(|&c| c == b'/').next().unwrap_or(b""))
                .into_owned();
            let path = match (p.cgroup, p.uid) {
                (1, _) => "/".to_string(),
                (cg, 1000) => format!("/user.slice/user-1000.slice/session-{cg}.scope"),
                _ if base.starts_with("postgres") => {
                    format!("/system.slice/docker-{}.scope", "5eed".repeat(16))
                }
                _ => format!("/system.slice/{base}.service"),
            };
            let id = shrike_format::containers::container_id(path.as_bytes()).map(<[u8]>::to_vec);
            let cgroup = p.cgroup;
            let body = Body::Cgroup {
                id: p.cgroup,
                path: path.into_bytes(),
            };
            self.emit(0, body);
            // What the recorder read of the container from Docker's state.
            if let Some(id) = id {
                let body = Body::Container {
                    cgroup,
                    id,
                    runtime: b"docker".to_vec(),
                    name: b"db".to_vec(),
                    image: b"postgres:16".to_vec(),
                    privileged: shrike_format::containers::PRIVILEGED_NO,
                    pod: Vec::new(),
                    namespace: Vec::new(),
                };
                self.emit(0, body);
            }
        }
        for i in 0..self.procs.len() {
            let p = self.procs[i].clone();
            let body = Body::ProcSnapshot {
                ppid: p.ppid.into(),
                exe: p.exe.clone(),
                argv: p.argv.clone(),
                cwd: p.cwd.clone(),
                start_ts: 1_000_000_000 + u64::from(p.pid) * 1_000_000,
                loginuid: if p.uid == 1000 {
                    1000
                } else {
                    u64::from(u32::MAX)
                },
                sid: p.pid.into(),
                tty: if p.uid == 1000 { 34816 } else { 0 },
                cap_effective: if p.uid == 0 { 0x1ff_ffff_ffff } else { 0 },
                cap_permitted: if p.uid == 0 { 0x1ff_ffff_ffff } else { 0 },
                flags: 0,
                // A login shell reads its terminal; services read /dev/null.
                stdin_type: fdtype::DEVICE,
                stdin_ino: if p.uid == 1000 { TTY_INO } else { DEVNULL_INO },
                stdout_type: fdtype::DEVICE,
                stdout_ino: if p.uid == 1000 { TTY_INO } else { DEVNULL_INO },
                env: env(p.uid),
                pgid: p.pid.into(),
            };
            self.emit(i, body);
        }
    }

    fn event(&mut self, i: usize, body: Body<Vec<u8>>) -> OwnedEvent {
        self.ts += self.rng.random_range(300..6_000);
        let p = &self.procs[i];
        Event {
            ts: self.ts,
            cpu: self.rng.random_range(0..2),
            pid: p.pid,
            tid: p.pid,
            comm: p.comm.clone(),
            uid: p.uid,
            gid: p.gid,
            euid: p.uid,
            egid: p.gid,
            cgroup: p.cgroup,
            body,
        }
    }

    fn emit(&mut self, i: usize, body: Body<Vec<u8>>) {
        let e = self.event(i, body);
        self.queue.push_back(e);
    }

    /// Picks a process, favouring a few busy ones as real hosts do.
    fn pick(&mut self) -> usize {
        let n = self.procs.len();
        let u: f64 = self.rng.random();
        ((u * u * u) * n as f64) as usize % n
    }

    fn path(&mut self, i: usize) -> Vec<u8> {
        let files = self.procs[i].files;
        if self.rng.random_bool(0.04) {
            // Temporary files with unique names, as compilers and editors make.
            format!("/tmp/tmp.{:08x}", self.rng.random::<u32>()).into_bytes()
        } else {
            files[self.rng.random_range(0..files.len())]
                .as_bytes()
                .to_vec()
        }
    }

    fn fd(&mut self, i: usize) -> i64 {
        let p = &mut self.procs[i];
        p.next_fd = if p.next_fd > 40 { 3 } else { p.next_fd + 1 };
        p.next_fd
    }

    fn step(&mut self) {
        let i = self.pick();
        let roll: u32 = self.rng.random_range(0..1000);
        match roll {
            0..=499 => self.open(i),
            500..=539 => {
                let path = self.path(i);
                let fd = self.fd(i);
                let len = 0x1000 * self.rng.random_range(1..64u64);
                self.emit(
                    i,
                    Body::Mmap {
                        res: 0x7f00_0000_0000 + (fd << 16),
                        addr: 0,
                        len,
                        prot: 5,
                        flags: 2,
                        fd,
                        path,
                    },
                );
            }
            540..=569 => {
                let addr = 0x7f00_0000_0000 + self.rng.random_range(0..1u64 << 20) * 4096;
                self.emit(
                    i,
                    Body::Mprotect {
                        res: 0,
                        addr,
                        len: 4096,
                        prot: 5,
                    },
                );
            }
            570..=639 => self.network(i),
            640..=689 => self.spawn(i),
            690..=729 => {
                let path = self.path(i);
                let res = if self.rng.random_bool(0.2) { -2 } else { 0 };
                self.emit(
                    i,
                    Body::Unlinkat {
                        res,
                        dirfd: -100,
                        abspath: path.clone(),
                        resolved: 0,
                        path,
                        flags: 0,
                    },
                );
            }
            730..=759 => {
                let old = self.path(i);
                let mut new = old.clone();
                new.extend_from_slice(b".new");
                self.emit(
                    i,
                    Body::Renameat2 {
                        res: 0,
                        olddirfd: -100,
                        oldabspath: old.clone(),
                        resolved: 0,
                        oldpath: old,
                        newdirfd: -100,
                        newabspath: new.clone(),
                        newpath: new,
                        flags: 0,
                    },
                );
            }
            760..=789 => {
                let fd = self.fd(i);
                let newfd = self.rng.random_range(0..3);
                let path = self.path(i);
                self.emit(
                    i,
                    Body::Dup2 {
                        res: newfd,
                        oldfd: fd,
                        newfd,
                        flags: 0,
                        fdtype: 1,
                        path,
                        proto: 0,
                        laddr: SockAddr::None,
                        raddr: SockAddr::None,
                    },
                );
            }
            790..=819 => {
                let path = self.path(i);
                let fd = self.fd(i);
                let length = self.rng.random_range(0..1 << 20);
                self.emit(
                    i,
                    Body::Ftruncate {
                        res: 0,
                        fd,
                        abspath: path.clone(),
                        resolved: 1,
                        path,
                        length,
                    },
                );
            }
            820..=849 => {
                let dir = self.procs[i].cwd.clone();
                self.emit(
                    i,
                    Body::Chdir {
                        res: 0,
                        abspath: dir.clone(),
                        resolved: 1,
                        path: dir,
                    },
                );
            }
            850..=869 => {
                let name = self.procs[i].comm.clone();
                self.emit(
                    i,
                    Body::Prctl {
                        res: 0,
                        option: 15,
                        arg2: 0,
                        name,
                    },
                );
            }
            870..=889 => {
                let target = self.procs[self.rng.random_range(0..self.procs.len())].pid;
                self.emit(
                    i,
                    Body::Kill {
                        res: 0,
                        target_pid: target.into(),
                        signal: 15,
                    },
                );
            }
            890..=969 => {
                let path = self.path(i);
                self.emit(
                    i,
                    Body::Fchmodat {
                        res: 0,
                        fd: -100,
                        abspath: path.clone(),
                        resolved: 0,
                        path,
                        mode: 0o644,
                        flags: 0,
                    },
                );
            }
            _ => self.rare(i),
        }
        self.age(i);
    }

    fn open(&mut self, i: usize) {
        let path = self.path(i);
        let failed = self.rng.random_bool(0.05);
        let write = self.rng.random_bool(0.15);
        let res = if failed { -2 } else { self.fd(i) };
        let flags = if write { 0o1101 | 0o2000000 } else { 0o2000000 };
        self.emit(
            i,
            Body::Openat {
                res,
                dirfd: -100,
                abspath: path.clone(),
                resolved: if res >= 0 { 1 } else { 0 },
                path,
                flags,
                mode: if write { 0o644 } else { 0 },
                // Writers now and then make a new file; readers open what exists.
                created: match (res >= 0, write) {
                    (false, _) => 0,
                    (true, true) if self.ts.is_multiple_of(3) => 1,
                    _ => 2,
                },
            },
        );
    }

    fn network(&mut self, i: usize) {
        let fd = self.fd(i);
        let local = SockAddr::V4 {
            ip: [10, 0, 0, 5],
            port: self.rng.random_range(32768..61000),
        };
        match self.rng.random_range(0..4) {
            0 => self.emit(
                i,
                Body::Socket {
                    res: fd,
                    domain: 2,
                    socktype: 1,
                    protocol: 6,
                },
            ),
            1 | 2 => {
                let peer = SockAddr::V4 {
                    ip: [93, 184, 216, self.rng.random_range(1..50)],
                    port: [443, 80, 5432, 53][self.rng.random_range(0..4)],
                };
                self.emit(
                    i,
                    Body::Connect {
                        res: 0,
                        fd,
                        proto: 6,
                        laddr: local,
                        raddr: peer,
                    },
                );
            }
            _ => {
                let client = SockAddr::V4 {
                    ip: [192, 168, 1, self.rng.random_range(2..200)],
                    port: self.rng.random_range(32768..61000),
                };
                self.emit(
                    i,
                    Body::Accept4 {
                        res: fd,
                        fd: 6,
                        proto: 6,
                        laddr: SockAddr::V4 {
                            ip: [10, 0, 0, 5],
                            port: 443,
                        },
                        raddr: client,
                        flags: 0o4000,
                    },
                );
            }
        }
    }

    fn spawn(&mut self, i: usize) {
        if self.procs.len() > 400 {
            return;
        }
        let (exe, comm, files, uid) = PROGRAMS[self.rng.random_range(0..PROGRAMS.len())];
        let pid = self.next_pid;
        self.next_pid = if self.next_pid >= 4_000_000 {
            2000
        } else {
            self.next_pid + 1
        };
        let parent = self.procs[i].clone();
        self.emit(
            i,
            Body::Clone {
                res: pid.into(),
                child_pid: pid.into(),
                child_tid: pid.into(),
                flags: 0x1200011,
            },
        );
        let mut argv = vec![comm.as_bytes().to_vec()];
        for _ in 0..self.rng.random_range(0..4) {
            argv.push(
                files[self.rng.random_range(0..files.len())]
                    .as_bytes()
                    .to_vec(),
            );
        }
        let child = Proc {
            pid,
            ppid: parent.pid,
            comm: comm.as_bytes().to_vec(),
            exe: exe.as_bytes().to_vec(),
            argv: argv.clone(),
            cwd: parent.cwd.clone(),
            uid,
            gid: uid,
            cgroup: parent.cgroup,
            ttl: Some(self.rng.random_range(3..60)),
            files,
            next_fd: 3,
        };
        self.procs.push(child);
        let c = self.procs.len() - 1;
        let body = Body::Execve {
            res: 0,
            filename: exe.as_bytes().to_vec(),
            exe: exe.as_bytes().to_vec(),
            argv,
            cwd: parent.cwd,
            ppid: parent.pid.into(),
            loginuid: 1000,
            sid: 1500,
            tty: 34816,
            cap_effective: 0,
            cap_permitted: 0,
            flags: 0,
            stdin_type: fdtype::DEVICE,
            stdin_ino: TTY_INO,
            stdout_type: fdtype::DEVICE,
            stdout_ino: TTY_INO,
            env: env(uid),
            pgid: pid.into(),
        };
        self.emit(c, body);
    }

    fn age(&mut self, i: usize) {
        let Some(ttl) = self.procs.get_mut(i).and_then(|p| p.ttl.as_mut()) else {
            return;
        };
        *ttl = ttl.saturating_sub(1);
        if *ttl == 0 {
            let code = if self.rng.random_bool(0.1) { 1 } else { 0 };
            self.emit(
                i,
                Body::ProcExit {
                    code,
                    signal: 0,
                    group_dead: 1,
                },
            );
            self.procs.swap_remove(i);
        }
    }

    /// Every other kind, rarely, with plausible values.
    fn rare(&mut self, i: usize) {
        let kinds: Vec<Kind> = Kind::ALL
            .iter()
            .copied()
            .filter(|k| {
                !matches!(k.class(), Class::Snapshot | Class::Meta)
                    && !matches!(k, Kind::Execve | Kind::ProcExit | Kind::Clone)
            })
            .collect();
        let kind = kinds[self.rng.random_range(0..kinds.len())];
        let files = self.procs[i].files;
        let mut src = Plausible {
            rng: &mut self.rng,
            files,
        };
        let mut body = Body::fill(kind, &mut src);
        // Execs and forks that succeed belong to the process model above; the
        // rare ones fail, as a missing binary or a full process table would.
        match &mut body {
            Body::Execveat { res, .. } => *res = -2,
            Body::Clone3 { res, .. } | Body::Fork { res, .. } | Body::Vfork { res, .. } => {
                *res = -11
            }
            _ => {}
        }
        self.emit(i, body);
    }
}

/// Values that look like what a host produces: small numbers, known paths, local addresses.
struct Plausible<'a> {
    rng: &'a mut ChaCha8Rng,
    files: &'static [&'static str],
}

impl FieldSource for Plausible<'_> {
    fn int(&mut self) -> i64 {
        if self.rng.random_bool(0.1) {
            -self.rng.random_range(1..40)
        } else {
            self.rng.random_range(0..64)
        }
    }
    fn uint(&mut self) -> u64 {
        self.rng.random_range(0..4096)
    }
    fn str(&mut self) -> Vec<u8> {
        self.files[self.rng.random_range(0..self.files.len())]
            .as_bytes()
            .to_vec()
    }
    fn strs(&mut self) -> Vec<Vec<u8>> {
        (0..self.rng.random_range(1..4))
            .map(|_| self.str())
            .collect()
    }
    fn addr(&mut self) -> SockAddr<Vec<u8>> {
        SockAddr::V4 {
            ip: [127, 0, 0, 1],
            port: self.rng.random_range(1024..65535),
        }
    }
}

impl Iterator for Generator {
    type Item = OwnedEvent;

    fn next(&mut self) -> Option<OwnedEvent> {
        if self.left == 0 {
            return None;
        }
        while self.queue.is_empty() {
            self.step();
        }
        self.left -= 1;
        self.queue.pop_front()
    }
}

/// Writes a synthetic capture of `events` events into `sink`.
pub fn write_capture<W: shrike_format::Sink>(
    sink: W,
    seed: u64,
    events: u64,
    opts: shrike_format::WriterOptions,
) -> shrike_format::Result<(W, shrike_format::WriteSummary)> {
    let mut w = shrike_format::Writer::new(sink, &header(seed), opts)?;
    for e in Generator::new(seed, events) {
        w.append(&e)?;
    }
    w.finish()
}

/// One successful `execve` by `pid` at `ts` (ns since boot) of `path` with
/// `argv` in `cwd`, run by root from pid 1: the event tests build most, with
/// whatever bytes (recorded text is the attacker's choice) they need.
pub fn exec_event<S: Clone>(pid: u32, ts: u64, comm: S, path: S, argv: Vec<S>, cwd: S) -> Event<S> {
    Event {
        ts,
        cpu: 0,
        pid,
        tid: pid,
        comm,
        uid: 0,
        gid: 0,
        euid: 0,
        egid: 0,
        cgroup: 1,
        body: Body::Execve {
            res: 0,
            filename: path.clone(),
            exe: path,
            argv,
            cwd,
            ppid: 1,
            loginuid: 0,
            sid: 0,
            tty: 0,
            cap_effective: 0,
            cap_permitted: 0,
            flags: 0,
            stdin_type: 0,
            stdin_ino: 0,
            stdout_type: 0,
            stdout_ino: 0,
            env: Vec::new(),
            pgid: pid.into(),
        },
    }
}

/// The environment a synthetic program starts with: a login user's or a service's.
fn env(uid: u32) -> Vec<Vec<u8>> {
    let vars: &[&str] = if uid == 1000 {
        &[
            "HOME=/home/dev",
            "LANG=C.UTF-8",
            "PATH=/usr/local/bin:/usr/bin:/bin",
            "TERM=xterm-256color",
        ]
    } else {
        &["PATH=/usr/sbin:/usr/bin:/sbin:/bin"]
    };
    vars.iter().map(|v| v.as_bytes().to_vec()).collect()
}
