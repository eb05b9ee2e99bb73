//! Kernel records (capture-ebpf/include/record.h) turned into format events.

use shrike_format::linux::{normalize_path, uring_op};
use shrike_format::{Body, Event, Kind, OwnedEvent, SockAddr, fdtype};

use layout::*;

/// capture-ebpf/include/record.h in numbers: byte offsets, sizes, tags and
/// flags. `capture/tests/layout_sync.rs` compiles the header and checks
/// every entry of [`layout::ALL`] against it.
pub mod layout {
    /// Size of `struct shrike_rec`.
    pub const REC_HEADER_LEN: usize = 136;
    /// Offsets in `struct shrike_rec`.
    pub const REC_TS: usize = 0;
    /// See [`REC_TS`].
    pub const REC_CGROUP: usize = 8;
    /// See [`REC_TS`].
    pub const REC_RES: usize = 16;
    /// See [`REC_TS`].
    pub const REC_ARGS: usize = 24;
    /// See [`REC_TS`].
    pub const REC_KIND: usize = 72;
    /// See [`REC_TS`].
    pub const REC_CPU: usize = 76;
    /// See [`REC_TS`].
    pub const REC_PID: usize = 80;
    /// See [`REC_TS`].
    pub const REC_TID: usize = 84;
    /// uid, gid, euid, egid: four u32 in a row.
    pub const REC_UID: usize = 88;
    /// See [`REC_TS`].
    pub const REC_SIZE: usize = 104;
    /// See [`REC_TS`].
    pub const REC_NSTR: usize = 108;
    /// See [`REC_TS`].
    pub const REC_FLAGS: usize = 110;
    /// See [`REC_TS`].
    pub const REC_COMM: usize = 112;
    /// See [`REC_TS`].
    pub const REC_NR: usize = 128;
    /// See [`REC_TS`].
    pub const REC_AUX: usize = 132;

    /// Size of `struct shrike_fdinfo` and its offsets.
    pub const FDINFO_LEN: usize = 44;
    /// See [`FDINFO_LEN`].
    pub const FDINFO_FDTYPE: usize = 0;
    /// See [`FDINFO_LEN`].
    pub const FDINFO_FAMILY: usize = 2;
    /// See [`FDINFO_LEN`].
    pub const FDINFO_PROTO: usize = 4;
    /// See [`FDINFO_LEN`].
    pub const FDINFO_LPORT: usize = 6;
    /// See [`FDINFO_LEN`].
    pub const FDINFO_RPORT: usize = 8;
    /// See [`FDINFO_LEN`].
    pub const FDINFO_LADDR: usize = 12;
    /// See [`FDINFO_LEN`].
    pub const FDINFO_RADDR: usize = 28;

    /// Size of `struct shrike_stdio` and its offsets.
    pub const STDIO_LEN: usize = 24;
    /// See [`STDIO_LEN`].
    pub const STDIO_IN_INO: usize = 0;
    /// See [`STDIO_LEN`].
    pub const STDIO_OUT_INO: usize = 8;
    /// See [`STDIO_LEN`].
    pub const STDIO_IN_MODE: usize = 16;
    /// See [`STDIO_LEN`].
    pub const STDIO_OUT_MODE: usize = 18;

    /// String tags.
    pub const TAG_PATH: u8 = 1;
    /// See [`TAG_PATH`].
    pub const TAG_BASE: u8 = 2;
    /// See [`TAG_PATH`].
    pub const TAG_PATH2: u8 = 3;
    /// See [`TAG_PATH`].
    pub const TAG_BASE2: u8 = 4;
    /// See [`TAG_PATH`].
    pub const TAG_EXE: u8 = 5;
    /// See [`TAG_PATH`].
    pub const TAG_CWD: u8 = 6;
    /// See [`TAG_PATH`].
    pub const TAG_ARGV: u8 = 7;
    /// See [`TAG_PATH`].
    pub const TAG_FDPATH: u8 = 8;
    /// See [`TAG_PATH`].
    pub const TAG_FDINFO: u8 = 9;
    /// See [`TAG_PATH`].
    pub const TAG_UADDR: u8 = 10;
    /// See [`TAG_PATH`].
    pub const TAG_NAME: u8 = 11;
    /// See [`TAG_PATH`].
    pub const TAG_NAME2: u8 = 12;
    /// See [`TAG_PATH`].
    pub const TAG_STDIO: u8 = 13;
    /// See [`TAG_PATH`].
    pub const TAG_ENV: u8 = 14;
    /// See [`TAG_PATH`].
    pub const TAG_DATA: u8 = 15;

    /// String flags: the start of the value is missing (a walk stopped below the root).
    pub const STR_F_CUT_START: u8 = 1;
    /// String flags: the end of the value is missing (longer than the recorder reads).
    pub const STR_F_CUT_END: u8 = 2;

    /// Record flags.
    pub const REC_F_ARGV_TRUNC: u16 = 1;
    /// See [`REC_F_ARGV_TRUNC`].
    pub const REC_F_PATH_TRUNC: u16 = 2;
    /// See [`REC_F_ARGV_TRUNC`].
    pub const REC_F_ENV_TRUNC: u16 = 4;
    /// See [`REC_F_ARGV_TRUNC`].
    pub const REC_F_EXE_UPPER: u16 = 8;

    /// Size of `struct shrike_uring_req` and its offsets.
    pub const UREQ_LEN: usize = 72;
    /// See [`UREQ_LEN`].
    pub const UREQ_TS: usize = 0;
    /// See [`UREQ_LEN`].
    pub const UREQ_USER_DATA: usize = 8;
    /// See [`UREQ_LEN`].
    pub const UREQ_FILE: usize = 16;
    /// See [`UREQ_LEN`].
    pub const UREQ_FLAGS: usize = 24;
    /// See [`UREQ_LEN`].
    pub const UREQ_MODE: usize = 28;
    /// See [`UREQ_LEN`].
    pub const UREQ_TGID: usize = 32;
    /// See [`UREQ_LEN`].
    pub const UREQ_TID: usize = 36;
    /// See [`UREQ_LEN`].
    pub const UREQ_RING: usize = 40;
    /// See [`UREQ_LEN`].
    pub const UREQ_FD: usize = 44;
    /// See [`UREQ_LEN`].
    pub const UREQ_OP: usize = 48;
    /// See [`UREQ_LEN`].
    pub const UREQ_KNOWN: usize = 49;
    /// See [`UREQ_LEN`].
    pub const UREQ_COMM: usize = 56;

    /// What of an io_uring request is known (`known`, an io_uring record's `args[1] >> 8`).
    pub const UR_FLAGS_KNOWN: u64 = 1;
    /// See [`UR_FLAGS_KNOWN`].
    pub const UR_SLOT: u64 = 2;
    /// See [`UR_FLAGS_KNOWN`].
    pub const UR_FD_KNOWN: u64 = 4;

    /// Every entry above as (C expression over record.h, value).
    pub const ALL: &[(&str, usize)] = &[
        ("sizeof(struct shrike_rec)", REC_HEADER_LEN),
        ("offsetof(struct shrike_rec, ts)", REC_TS),
        ("offsetof(struct shrike_rec, cgroup)", REC_CGROUP),
        ("offsetof(struct shrike_rec, res)", REC_RES),
        ("offsetof(struct shrike_rec, args)", REC_ARGS),
        ("offsetof(struct shrike_rec, kind)", REC_KIND),
        ("offsetof(struct shrike_rec, cpu)", REC_CPU),
        ("offsetof(struct shrike_rec, pid)", REC_PID),
        ("offsetof(struct shrike_rec, tid)", REC_TID),
        ("offsetof(struct shrike_rec, uid)", REC_UID),
        ("offsetof(struct shrike_rec, egid) - 12", REC_UID),
        ("offsetof(struct shrike_rec, size)", REC_SIZE),
        ("offsetof(struct shrike_rec, nstr)", REC_NSTR),
        ("offsetof(struct shrike_rec, flags)", REC_FLAGS),
        ("offsetof(struct shrike_rec, comm)", REC_COMM),
        ("offsetof(struct shrike_rec, nr)", REC_NR),
        ("offsetof(struct shrike_rec, aux)", REC_AUX),
        ("sizeof(struct shrike_fdinfo)", FDINFO_LEN),
        ("offsetof(struct shrike_fdinfo, fdtype)", FDINFO_FDTYPE),
        ("offsetof(struct shrike_fdinfo, family)", FDINFO_FAMILY),
        ("offsetof(struct shrike_fdinfo, proto)", FDINFO_PROTO),
        ("offsetof(struct shrike_fdinfo, lport)", FDINFO_LPORT),
        ("offsetof(struct shrike_fdinfo, rport)", FDINFO_RPORT),
        ("offsetof(struct shrike_fdinfo, laddr)", FDINFO_LADDR),
        ("offsetof(struct shrike_fdinfo, raddr)", FDINFO_RADDR),
        ("sizeof(struct shrike_stdio)", STDIO_LEN),
        ("offsetof(struct shrike_stdio, in_ino)", STDIO_IN_INO),
        ("offsetof(struct shrike_stdio, out_ino)", STDIO_OUT_INO),
        ("offsetof(struct shrike_stdio, in_mode)", STDIO_IN_MODE),
        ("offsetof(struct shrike_stdio, out_mode)", STDIO_OUT_MODE),
        ("TAG_PATH", TAG_PATH as usize),
        ("TAG_BASE", TAG_BASE as usize),
        ("TAG_PATH2", TAG_PATH2 as usize),
        ("TAG_BASE2", TAG_BASE2 as usize),
        ("TAG_EXE", TAG_EXE as usize),
        ("TAG_CWD", TAG_CWD as usize),
        ("TAG_ARGV", TAG_ARGV as usize),
        ("TAG_FDPATH", TAG_FDPATH as usize),
        ("TAG_FDINFO", TAG_FDINFO as usize),
        ("TAG_UADDR", TAG_UADDR as usize),
        ("TAG_NAME", TAG_NAME as usize),
        ("TAG_NAME2", TAG_NAME2 as usize),
        ("TAG_STDIO", TAG_STDIO as usize),
        ("TAG_ENV", TAG_ENV as usize),
        ("TAG_DATA", TAG_DATA as usize),
        ("STR_F_CUT_START", STR_F_CUT_START as usize),
        ("STR_F_CUT_END", STR_F_CUT_END as usize),
        ("REC_F_ARGV_TRUNC", REC_F_ARGV_TRUNC as usize),
        ("REC_F_PATH_TRUNC", REC_F_PATH_TRUNC as usize),
        ("REC_F_ENV_TRUNC", REC_F_ENV_TRUNC as usize),
        ("REC_F_EXE_UPPER", REC_F_EXE_UPPER as usize),
        ("sizeof(struct shrike_uring_req)", UREQ_LEN),
        ("offsetof(struct shrike_uring_req, ts)", UREQ_TS),
        (
            "offsetof(struct shrike_uring_req, user_data)",
            UREQ_USER_DATA,
        ),
        ("offsetof(struct shrike_uring_req, file)", UREQ_FILE),
        ("offsetof(struct shrike_uring_req, flags)", UREQ_FLAGS),
        ("offsetof(struct shrike_uring_req, mode)", UREQ_MODE),
        ("offsetof(struct shrike_uring_req, tgid)", UREQ_TGID),
        ("offsetof(struct shrike_uring_req, tid)", UREQ_TID),
        ("offsetof(struct shrike_uring_req, ring)", UREQ_RING),
        ("offsetof(struct shrike_uring_req, fd)", UREQ_FD),
        ("offsetof(struct shrike_uring_req, op)", UREQ_OP),
        ("offsetof(struct shrike_uring_req, known)", UREQ_KNOWN),
        ("offsetof(struct shrike_uring_req, comm)", UREQ_COMM),
        ("UR_FLAGS_KNOWN", UR_FLAGS_KNOWN as usize),
        ("UR_SLOT", UR_SLOT as usize),
        ("UR_FD_KNOWN", UR_FD_KNOWN as usize),
    ];
}
const AT_FDCWD: i64 = -100;
const PR_SET_NAME: u64 = 15;

/// What the loader found out about the running kernel that decoding needs.
#[derive(Clone, Copy, Debug, Default)]
pub struct Calibration {
    /// The `f_mode` bit the kernel sets on a file an open created
    /// (`FMODE_CREATED`, which moved between kernels); 0 when not found.
    pub fmode_created: u32,
}

/// Why a record could not be turned into an event.
#[derive(Debug, thiserror::Error)]
#[error("malformed kernel record: {0}")]
pub struct RecordError(String);

/// A parsed record: the fixed header and its tagged strings.
pub struct Record<'a> {
    /// Timestamp, ns since boot.
    pub ts: u64,
    cgroup: u64,
    res: i64,
    a: [u64; 6],
    kind: u32,
    /// The syscall number the kernel ran (0 for the scheduler's records).
    nr: u32,
    /// An exec's process group; an open's f_mode.
    aux: u32,
    cpu: u32,
    pid: u32,
    tid: u32,
    ids: [u32; 4],
    flags: u16,
    comm: &'a [u8],
    /// (tag, STR_F_* flags, bytes)
    strs: Vec<(u8, u8, &'a [u8])>,
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().expect("8 bytes"))
}
fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().expect("4 bytes"))
}
fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes(b[at..at + 2].try_into().expect("2 bytes"))
}

impl<'a> Record<'a> {
    /// Parses one ring-buffer record.
    pub fn parse(b: &'a [u8]) -> Result<Self, RecordError> {
        if b.len() < REC_HEADER_LEN {
            return Err(RecordError(format!(
                "{} bytes, shorter than the header",
                b.len()
            )));
        }
        let size = (u32_at(b, REC_SIZE) as usize).min(b.len());
        let nstr = u16_at(b, REC_NSTR);
        let comm = &b[REC_COMM..REC_COMM + 16];
        let comm = &comm[..comm.iter().position(|&c| c == 0).unwrap_or(16)];
        let mut strs = Vec::with_capacity(nstr as usize);
        let mut at = REC_HEADER_LEN;
        for _ in 0..nstr {
            if at + 4 > size {
                return Err(RecordError("string header past the end".into()));
            }
            let len = u16_at(b, at) as usize;
            let (tag, flags) = (b[at + 2], b[at + 3]);
            let s = b
                .get(at + 4..at + 4 + len)
                .ok_or_else(|| RecordError("string past the end".into()))?;
            strs.push((tag, flags, s));
            at += 4 + len;
        }
        Ok(Record {
            ts: u64_at(b, REC_TS),
            cgroup: u64_at(b, REC_CGROUP),
            res: u64_at(b, REC_RES) as i64,
            a: std::array::from_fn(|i| u64_at(b, REC_ARGS + 8 * i)),
            kind: u32_at(b, REC_KIND),
            nr: u32_at(b, REC_NR),
            aux: u32_at(b, REC_AUX),
            cpu: u32_at(b, REC_CPU),
            pid: u32_at(b, REC_PID),
            tid: u32_at(b, REC_TID),
            ids: std::array::from_fn(|i| u32_at(b, REC_UID + 4 * i)),
            flags: u16_at(b, REC_FLAGS),
            comm,
            strs,
        })
    }

    /// The bytes of the string tagged `tag`, as the kernel sent them.
    fn s(&self, tag: u8) -> Option<&'a [u8]> {
        self.strs.iter().find(|(t, ..)| *t == tag).map(|(.., s)| *s)
    }

    /// What of the string tagged `tag` is missing (STR_F_*).
    fn cut(&self, tag: u8) -> u8 {
        self.strs
            .iter()
            .find(|(t, ..)| *t == tag)
            .map_or(0, |(_, f, _)| *f)
    }

    /// The string tagged `tag` as a value, marked where it is cut ([`mark_cut`]).
    fn owned(&self, tag: u8) -> Vec<u8> {
        mark_cut(self.s(tag).unwrap_or_default(), self.cut(tag))
    }

    /// The NUL-separated strings tagged `tag` (argv, the environment), the
    /// last marked where the kernel side cut them; a block it could not read
    /// at all (its `trunc` record flag set, no string) is one cut mark.
    fn strings(&self, tag: u8, trunc: u16) -> Vec<Vec<u8>> {
        let mut v = self.s(tag).map(split_argv).unwrap_or_default();
        match v.last_mut() {
            Some(last) => *last = mark_cut(last, self.cut(tag) & STR_F_CUT_END),
            None if self.flags & trunc != 0 => v.push(mark_cut(b"", STR_F_CUT_END)),
            None => {}
        }
        v
    }

    /// Absolute form of the path tagged `path`, made from its base directory if relative.
    fn abs(&self, path: u8, base: u8) -> Vec<u8> {
        let Some(p) = self.s(path) else {
            return Vec::new();
        };
        let end = self.cut(path) & STR_F_CUT_END;
        if p.starts_with(b"/") {
            return mark_cut(&normalize_path(p), end);
        }
        match self.s(base) {
            Some(b) => mark_cut(
                &normalize_path(&[b, b"/", p].concat()),
                end | self.cut(base) & STR_F_CUT_START,
            ),
            None => Vec::new(),
        }
    }

    /// `abspath` and `resolved` of a call whose object the kernel named
    /// (`TAG_FDPATH`) when `ok`: that path, else the lexical join of `path`.
    fn resolved_or(&self, ok: bool, path: u8, base: u8) -> (Vec<u8>, u64) {
        match self.s(TAG_FDPATH) {
            Some(_) if ok => (self.owned(TAG_FDPATH), 1),
            _ => (self.abs(path, base), 0),
        }
    }

    /// `resolved` of an fd-based call: 1 when the fd's path was read.
    fn fd_resolved(&self) -> u64 {
        u64::from(self.s(TAG_FDPATH).is_some())
    }

    fn i(&self, n: usize) -> i64 {
        // Syscall int arguments arrive in 64-bit registers; keep the 32-bit value's sign.
        i64::from(self.a[n] as i32)
    }

    fn u32(&self, n: usize) -> u64 {
        self.a[n] & 0xffff_ffff
    }

    /// Whether an open created its file, from the `f_mode` in `aux`: 1 it
    /// did, 2 it did not, 0 unknown (no file `opened`, or the kernel's flag
    /// not found by the calibration).
    fn created(&self, cal: &Calibration, opened: bool) -> u64 {
        match cal.fmode_created {
            _ if !opened => 0,
            0 => 0,
            bit if self.aux & bit != 0 => 1,
            _ => 2,
        }
    }

    fn fdinfo(&self) -> FdInfo {
        let path = self.s(TAG_FDPATH).map(|_| self.owned(TAG_FDPATH));
        FdInfo::parse(self.s(TAG_FDINFO), path.as_deref())
    }

    /// Converts to a format event; `None` for kinds the recorder does not emit.
    pub fn to_event(&self, cal: &Calibration) -> Option<OwnedEvent> {
        let kind = Kind::from_id(u16::try_from(self.kind).ok()?)?;
        let res = self.res;
        let a = &self.a;
        let body = match kind {
            Kind::Execve | Kind::Execveat => {
                let mut flags = 0;
                if self.flags & REC_F_ARGV_TRUNC != 0 {
                    flags |= shrike_format::EXEC_ARGV_TRUNCATED;
                }
                if self.flags & REC_F_PATH_TRUNC != 0 {
                    flags |= shrike_format::EXEC_PATH_TRUNCATED;
                }
                let exe = self.owned(TAG_EXE);
                if exe.starts_with(b"/memfd:") {
                    flags |= shrike_format::EXEC_FROM_MEMFD;
                }
                if self.flags & REC_F_ENV_TRUNC != 0 {
                    flags |= shrike_format::EXEC_ENV_TRUNCATED;
                }
                if self.flags & REC_F_EXE_UPPER != 0 {
                    flags |= shrike_format::EXEC_UPPER_LAYER;
                }
                let filename = self.owned(TAG_PATH);
                let argv = self.strings(TAG_ARGV, REC_F_ARGV_TRUNC);
                let env = self.strings(TAG_ENV, REC_F_ENV_TRUNC);
                let pgid = u64::from(self.aux);
                // A failed exec comes from the syscall exit: its numbers are the arguments, not facts.
                let ok = res == 0;
                let cwd = if ok {
                    self.owned(TAG_CWD)
                } else {
                    self.owned(TAG_BASE)
                };
                let [ppid, loginuid, sid, tty, cap_effective, cap_permitted] =
                    if ok { *a } else { [0; 6] };
                let loginuid = loginuid & 0xffff_ffff;
                let [(stdin_type, stdin_ino), (stdout_type, stdout_ino)] = stdio(self.s(TAG_STDIO));
                if kind == Kind::Execve {
                    Body::Execve {
                        res,
                        filename,
                        exe,
                        argv,
                        cwd,
                        ppid,
                        loginuid,
                        sid,
                        tty,
                        cap_effective,
                        cap_permitted,
                        flags,
                        stdin_type,
                        stdin_ino,
                        stdout_type,
                        stdout_ino,
                        env,
                        pgid,
                    }
                } else {
                    Body::Execveat {
                        res,
                        filename,
                        exe,
                        argv,
                        cwd,
                        ppid,
                        loginuid,
                        sid,
                        tty,
                        cap_effective,
                        cap_permitted,
                        flags,
                        stdin_type,
                        stdin_ino,
                        stdout_type,
                        stdout_ino,
                        env,
                        pgid,
                    }
                }
            }
            Kind::Clone | Kind::Clone3 | Kind::Fork | Kind::Vfork => {
                let (child_pid, child_tid, flags) = (a[0], a[1], a[2]);
                match kind {
                    Kind::Clone => Body::Clone {
                        res,
                        child_pid,
                        child_tid,
                        flags,
                    },
                    Kind::Clone3 => Body::Clone3 {
                        res,
                        child_pid,
                        child_tid,
                        flags,
                    },
                    Kind::Fork => Body::Fork {
                        res,
                        child_pid,
                        child_tid,
                        flags,
                    },
                    _ => Body::Vfork {
                        res,
                        child_pid,
                        child_tid,
                        flags,
                    },
                }
            }
            Kind::ProcExit => Body::ProcExit {
                code: a[0] as i64,
                signal: a[1],
                group_dead: a[2],
            },
            Kind::Setuid => Body::Setuid {
                res,
                uid: self.u32(0),
            },
            Kind::Setgid => Body::Setgid {
                res,
                gid: self.u32(0),
            },
            Kind::Setreuid => Body::Setreuid {
                res,
                ruid: self.u32(0),
                euid: self.u32(1),
            },
            Kind::Setregid => Body::Setregid {
                res,
                rgid: self.u32(0),
                egid: self.u32(1),
            },
            Kind::Setresuid => Body::Setresuid {
                res,
                ruid: self.u32(0),
                euid: self.u32(1),
                suid: self.u32(2),
            },
            Kind::Setresgid => Body::Setresgid {
                res,
                rgid: self.u32(0),
                egid: self.u32(1),
                sgid: self.u32(2),
            },
            Kind::Setfsuid => Body::Setfsuid {
                res,
                uid: self.u32(0),
            },
            Kind::Setfsgid => Body::Setfsgid {
                res,
                gid: self.u32(0),
            },
            Kind::Capset => Body::Capset {
                res,
                cap_effective: a[0],
                cap_permitted: a[1],
                cap_inheritable: a[2],
            },
            Kind::Ptrace => Body::Ptrace {
                res,
                request: a[0],
                target_pid: self.i(1),
                addr: a[2],
                data: a[3],
            },
            Kind::Kill => Body::Kill {
                res,
                target_pid: self.i(0),
                signal: a[1],
            },
            Kind::Tkill => Body::Tkill {
                res,
                target_tid: self.i(0),
                signal: a[1],
            },
            Kind::Tgkill => Body::Tgkill {
                res,
                target_pid: self.i(0),
                target_tid: self.i(1),
                signal: a[2],
            },
            Kind::Chdir => {
                // A successful chdir carries the new cwd as the kernel resolved it.
                let (abspath, resolved) = self.resolved_or(res == 0, TAG_PATH, TAG_BASE);
                Body::Chdir {
                    res,
                    path: self.owned(TAG_PATH),
                    abspath,
                    resolved,
                }
            }
            Kind::Fchdir => Body::Fchdir {
                res,
                fd: self.i(0),
                abspath: self.owned(TAG_FDPATH),
                resolved: self.fd_resolved(),
            },
            Kind::Setns => Body::Setns {
                res,
                fd: self.i(0),
                nstype: a[1],
            },
            Kind::Unshare => Body::Unshare { res, flags: a[0] },
            Kind::Prctl => {
                let name = self.owned(TAG_NAME);
                Body::Prctl {
                    res,
                    option: a[0],
                    arg2: if a[0] == PR_SET_NAME { 0 } else { a[1] },
                    name,
                }
            }
            Kind::Setsid => Body::Setsid { res },
            Kind::Open | Kind::Openat | Kind::Openat2 | Kind::Creat => {
                // A successful open carries the opened file's path as the kernel resolved it.
                let path = self.owned(TAG_PATH);
                let (abspath, resolved) = self.resolved_or(res >= 0, TAG_PATH, TAG_BASE);
                let created = self.created(cal, res >= 0);
                match kind {
                    Kind::Open => Body::Open {
                        res,
                        dirfd: AT_FDCWD,
                        path,
                        abspath,
                        resolved,
                        flags: self.u32(1),
                        mode: self.u32(2),
                        created,
                    },
                    Kind::Openat => Body::Openat {
                        res,
                        dirfd: self.i(0),
                        path,
                        abspath,
                        resolved,
                        flags: self.u32(2),
                        mode: self.u32(3),
                        created,
                    },
                    Kind::Openat2 => Body::Openat2 {
                        res,
                        dirfd: self.i(0),
                        path,
                        abspath,
                        resolved,
                        flags: a[2],
                        mode: a[3],
                        created,
                    },
                    _ => Body::Creat {
                        res,
                        dirfd: AT_FDCWD,
                        path,
                        abspath,
                        resolved,
                        flags: 0o1101,
                        mode: self.u32(1),
                        created,
                    },
                }
            }
            Kind::Unlink | Kind::Unlinkat | Kind::Rmdir => {
                let (path, abspath) = (self.owned(TAG_PATH), self.abs(TAG_PATH, TAG_BASE));
                match kind {
                    Kind::Unlink => Body::Unlink {
                        res,
                        dirfd: AT_FDCWD,
                        path,
                        abspath,
                        resolved: 0,
                        flags: 0,
                    },
                    Kind::Unlinkat => Body::Unlinkat {
                        res,
                        dirfd: self.i(0),
                        path,
                        abspath,
                        resolved: 0,
                        flags: self.u32(2),
                    },
                    _ => Body::Rmdir {
                        res,
                        dirfd: AT_FDCWD,
                        path,
                        abspath,
                        resolved: 0,
                        flags: 0,
                    },
                }
            }
            Kind::Rename
            | Kind::Renameat
            | Kind::Renameat2
            | Kind::Link
            | Kind::Linkat
            | Kind::Symlink
            | Kind::Symlinkat => self.two_paths(kind),
            Kind::Mkdir => Body::Mkdir {
                res,
                dirfd: AT_FDCWD,
                path: self.owned(TAG_PATH),
                abspath: self.abs(TAG_PATH, TAG_BASE),
                resolved: 0,
                mode: self.u32(1),
            },
            Kind::Mkdirat => Body::Mkdirat {
                res,
                dirfd: self.i(0),
                path: self.owned(TAG_PATH),
                abspath: self.abs(TAG_PATH, TAG_BASE),
                resolved: 0,
                mode: self.u32(2),
            },
            Kind::Chmod => Body::Chmod {
                res,
                fd: AT_FDCWD,
                path: self.owned(TAG_PATH),
                abspath: self.abs(TAG_PATH, TAG_BASE),
                resolved: 0,
                mode: self.u32(1),
                flags: 0,
            },
            Kind::Fchmod => Body::Fchmod {
                res,
                fd: self.i(0),
                path: Vec::new(),
                abspath: self.owned(TAG_FDPATH),
                resolved: self.fd_resolved(),
                mode: self.u32(1),
                flags: 0,
            },
            Kind::Fchmodat => Body::Fchmodat {
                res,
                fd: self.i(0),
                path: self.owned(TAG_PATH),
                abspath: self.abs(TAG_PATH, TAG_BASE),
                resolved: 0,
                mode: self.u32(2),
                flags: 0,
            },
            Kind::Chown => Body::Chown {
                res,
                fd: AT_FDCWD,
                path: self.owned(TAG_PATH),
                abspath: self.abs(TAG_PATH, TAG_BASE),
                resolved: 0,
                uid: self.u32(1),
                gid: self.u32(2),
                flags: 0,
            },
            Kind::Lchown => Body::Lchown {
                res,
                fd: AT_FDCWD,
                path: self.owned(TAG_PATH),
                abspath: self.abs(TAG_PATH, TAG_BASE),
                resolved: 0,
                uid: self.u32(1),
                gid: self.u32(2),
                flags: 0,
            },
            Kind::Fchown => Body::Fchown {
                res,
                fd: self.i(0),
                path: Vec::new(),
                abspath: self.owned(TAG_FDPATH),
                resolved: self.fd_resolved(),
                uid: self.u32(1),
                gid: self.u32(2),
                flags: 0,
            },
            Kind::Fchownat => Body::Fchownat {
                res,
                fd: self.i(0),
                path: self.owned(TAG_PATH),
                abspath: self.abs(TAG_PATH, TAG_BASE),
                resolved: 0,
                uid: self.u32(2),
                gid: self.u32(3),
                flags: self.u32(4),
            },
            Kind::Truncate => Body::Truncate {
                res,
                fd: AT_FDCWD,
                path: self.owned(TAG_PATH),
                abspath: self.abs(TAG_PATH, TAG_BASE),
                resolved: 0,
                length: a[1],
            },
            Kind::Ftruncate => Body::Ftruncate {
                res,
                fd: self.i(0),
                path: Vec::new(),
                abspath: self.owned(TAG_FDPATH),
                resolved: self.fd_resolved(),
                length: a[1],
            },
            Kind::Mount => Body::Mount {
                res,
                source: self.owned(TAG_NAME),
                target: self.owned(TAG_PATH2),
                fstype: self.owned(TAG_NAME2),
                flags: a[3],
            },
            Kind::Umount2 => Body::Umount2 {
                res,
                target: self.owned(TAG_PATH2),
                flags: self.u32(1),
            },
            Kind::MemfdCreate => Body::MemfdCreate {
                res,
                name: self.owned(TAG_NAME),
                flags: self.u32(1),
            },
            Kind::Dup | Kind::Dup2 | Kind::Dup3 => {
                let f = self.fdinfo();
                let (oldfd, newfd, flags) = match kind {
                    Kind::Dup => (self.i(0), res, 0),
                    Kind::Dup2 => (self.i(0), self.i(1), 0),
                    _ => (self.i(0), self.i(1), self.u32(2)),
                };
                let (fdtype, path, proto, laddr, raddr) =
                    (f.fdtype, f.path, f.proto, f.laddr, f.raddr);
                match kind {
                    Kind::Dup => Body::Dup {
                        res,
                        oldfd,
                        newfd,
                        flags,
                        fdtype,
                        path,
                        proto,
                        laddr,
                        raddr,
                    },
                    Kind::Dup2 => Body::Dup2 {
                        res,
                        oldfd,
                        newfd,
                        flags,
                        fdtype,
                        path,
                        proto,
                        laddr,
                        raddr,
                    },
                    _ => Body::Dup3 {
                        res,
                        oldfd,
                        newfd,
                        flags,
                        fdtype,
                        path,
                        proto,
                        laddr,
                        raddr,
                    },
                }
            }
            Kind::Socket => Body::Socket {
                res,
                domain: self.u32(0),
                socktype: self.u32(1),
                protocol: self.u32(2),
            },
            Kind::Connect => {
                let f = self.fdinfo();
                let user = self.s(TAG_UADDR).map(parse_sockaddr).unwrap_or_default();
                // A connect still in progress (or refused) may not have a peer on the socket yet.
                let raddr = if f.raddr.port().is_some_and(|p| p != 0) {
                    f.raddr
                } else {
                    user
                };
                Body::Connect {
                    res,
                    fd: self.i(0),
                    proto: f.proto,
                    laddr: f.laddr,
                    raddr,
                }
            }
            Kind::Accept | Kind::Accept4 => {
                let f = self.fdinfo();
                let flags = if kind == Kind::Accept4 {
                    self.u32(3)
                } else {
                    0
                };
                let (fd, proto, laddr, raddr) = (self.i(0), f.proto, f.laddr, f.raddr);
                if kind == Kind::Accept {
                    Body::Accept {
                        res,
                        fd,
                        proto,
                        laddr,
                        raddr,
                        flags,
                    }
                } else {
                    Body::Accept4 {
                        res,
                        fd,
                        proto,
                        laddr,
                        raddr,
                        flags,
                    }
                }
            }
            Kind::FdIo => {
                let f = self.fdinfo();
                Body::FdIo {
                    fd: self.i(0),
                    // An fd an exec closed is described by nothing but its type.
                    fdtype: if self.s(TAG_FDINFO).is_some() {
                        f.fdtype
                    } else {
                        fdtype_of(self.aux as u16, b"")
                    },
                    path: f.path,
                    proto: f.proto,
                    laddr: f.laddr,
                    raddr: f.raddr,
                    read: a[1],
                    written: a[2],
                    reads: a[3],
                    writes: a[4],
                    until: a[5],
                }
            }
            Kind::IoUringSetup => Body::IoUringSetup {
                res,
                sq_entries: a[0],
                cq_entries: a[1],
                flags: a[2],
            },
            Kind::IoUring => {
                let f = self.fdinfo();
                let (op, known) = (a[1] & 0xff, a[1] >> 8);
                let opened = matches!(op, uring_op::OPENAT | uring_op::OPENAT2) && res >= 0;
                // Where the kernel gave no request to read the open's flags
                // from, the access mode is the opened file's.
                let flags = if known & UR_FLAGS_KNOWN != 0 {
                    a[4] & 0xffff_ffff
                } else if opened {
                    match self.aux & 3 {
                        2 => 1, // FMODE_WRITE only: O_WRONLY
                        3 => 2, // O_RDWR
                        _ => 0,
                    }
                } else {
                    0
                };
                Body::IoUring {
                    res,
                    ring: self.i(0),
                    op,
                    user_data: a[2],
                    fd: if known & UR_FD_KNOWN != 0 {
                        self.i(3)
                    } else {
                        -1
                    },
                    flags,
                    mode: a[4] >> 32,
                    created: self.created(cal, opened),
                    cflags: u64::from(self.nr),
                    submit_ts: a[5],
                    pending: 0,
                    fdtype: f.fdtype,
                    path: f.path,
                    proto: f.proto,
                    laddr: f.laddr,
                    // A connect that failed: the socket has no peer, the
                    // request named one.
                    raddr: if f.raddr.port().is_some_and(|p| p != 0) {
                        f.raddr
                    } else {
                        self.s(TAG_UADDR).map(parse_sockaddr).unwrap_or(f.raddr)
                    },
                    open_path: self.owned(TAG_PATH),
                }
            }
            Kind::Dns => {
                let f = self.fdinfo();
                // An unconnected socket: the peer is the address the call named.
                let raddr = self
                    .s(TAG_UADDR)
                    .map(parse_sockaddr)
                    .filter(|a| a.port().is_some())
                    .unwrap_or(f.raddr);
                Body::Dns {
                    res,
                    fd: self.i(0),
                    syscall: u64::from(self.nr),
                    dir: a[1],
                    proto: f.proto,
                    laddr: f.laddr,
                    raddr,
                    len: a[2],
                    // Bytes as they were: a cut message is told by `len`.
                    data: self.s(TAG_DATA).unwrap_or_default().to_vec(),
                }
            }
            Kind::Bind => {
                let f = self.fdinfo();
                let laddr = self.s(TAG_UADDR).map(parse_sockaddr).unwrap_or(f.laddr);
                Body::Bind {
                    res,
                    fd: self.i(0),
                    proto: f.proto,
                    laddr,
                }
            }
            Kind::Listen => {
                let f = self.fdinfo();
                Body::Listen {
                    res,
                    fd: self.i(0),
                    backlog: self.u32(1),
                    proto: f.proto,
                    laddr: f.laddr,
                }
            }
            Kind::InitModule => Body::InitModule {
                res,
                len: a[1],
                args: self.owned(TAG_NAME),
                name: Vec::new(),
            },
            Kind::FinitModule => Body::FinitModule {
                res,
                fd: self.i(0),
                path: self.owned(TAG_FDPATH),
                args: self.owned(TAG_NAME),
                flags: self.u32(2),
            },
            Kind::DeleteModule => Body::DeleteModule {
                res,
                name: self.owned(TAG_NAME),
                flags: self.u32(1),
            },
            Kind::Bpf => {
                let name = self.owned(TAG_NAME);
                let name = name[..name.iter().position(|&c| c == 0).unwrap_or(name.len())].to_vec();
                Body::Bpf {
                    res,
                    cmd: a[0],
                    prog_type: if a[0] == 5 { a[3] } else { 0 },
                    name,
                }
            }
            Kind::Mmap => Body::Mmap {
                res,
                addr: a[0],
                len: a[1],
                prot: a[2],
                flags: a[3],
                fd: self.i(4),
                path: self.owned(TAG_FDPATH),
            },
            Kind::Mprotect => Body::Mprotect {
                res,
                addr: a[0],
                len: a[1],
                prot: a[2],
            },
            Kind::Setxattr | Kind::Lsetxattr | Kind::Fsetxattr => self.setxattr(kind),
            Kind::Removexattr | Kind::Lremovexattr | Kind::Fremovexattr => {
                let (fd, path, abspath, resolved, name) =
                    self.xattr_target(kind == Kind::Fremovexattr);
                macro_rules! remove {
                    ($v:ident) => {
                        Body::$v {
                            res,
                            fd,
                            path,
                            abspath,
                            name,
                            resolved,
                        }
                    };
                }
                match kind {
                    Kind::Removexattr => remove!(Removexattr),
                    Kind::Lremovexattr => remove!(Lremovexattr),
                    _ => remove!(Fremovexattr),
                }
            }
            Kind::Utime | Kind::Utimes | Kind::Futimesat | Kind::Utimensat => {
                // The program put dirfd, the four time words and flags in the arguments.
                let dirfd = self.i(0);
                let (path, abspath, resolved) = self.path_or_fd();
                let [atime_sec, atime_nsec, mtime_sec, mtime_nsec] =
                    std::array::from_fn(|i| a[i + 1] as i64);
                let flags = self.u32(5);
                macro_rules! times {
                    ($v:ident) => {
                        Body::$v {
                            res,
                            dirfd,
                            path,
                            abspath,
                            atime_sec,
                            atime_nsec,
                            mtime_sec,
                            mtime_nsec,
                            flags,
                            resolved,
                        }
                    };
                }
                match kind {
                    Kind::Utime => times!(Utime),
                    Kind::Utimes => times!(Utimes),
                    Kind::Futimesat => times!(Futimesat),
                    _ => times!(Utimensat),
                }
            }
            Kind::Ioctl => Body::Ioctl {
                res,
                fd: self.i(0),
                abspath: self.owned(TAG_FDPATH),
                request: self.u32(1),
                flags: self.u32(2),
                resolved: self.fd_resolved(),
            },
            Kind::Syscall => Body::Syscall {
                res,
                nr: u64::from(self.nr),
                arg0: a[0],
                arg1: a[1],
                arg2: a[2],
                arg3: a[3],
                arg4: a[4],
                arg5: a[5],
            },
            Kind::ProcSnapshot
            | Kind::Cgroup
            | Kind::Container
            | Kind::ExeHash
            | Kind::ExeFile
            | Kind::RecorderStart
            | Kind::RecorderStop
            | Kind::Lost => {
                return None;
            }
        };
        Some(Event {
            ts: self.ts,
            cpu: self.cpu,
            pid: self.pid,
            tid: self.tid,
            comm: self.comm.to_vec(),
            uid: self.ids[0],
            gid: self.ids[1],
            euid: self.ids[2],
            egid: self.ids[3],
            cgroup: self.cgroup,
            body,
        })
    }

    /// `path`, `abspath`, `resolved` of a call that names a file by path, or
    /// by the fd alone (no path string: the fd's own path, `TAG_FDPATH`).
    fn path_or_fd(&self) -> (Vec<u8>, Vec<u8>, u64) {
        if self.s(TAG_PATH).is_some() {
            (self.owned(TAG_PATH), self.abs(TAG_PATH, TAG_BASE), 0)
        } else {
            (Vec::new(), self.owned(TAG_FDPATH), self.fd_resolved())
        }
    }

    /// fd, path, abspath, resolved and attribute name of an xattr call
    /// (`by_fd`: the `f…` form, whose file is its first argument).
    fn xattr_target(&self, by_fd: bool) -> (i64, Vec<u8>, Vec<u8>, u64, Vec<u8>) {
        let fd = if by_fd { self.i(0) } else { AT_FDCWD };
        let (path, abspath, resolved) = self.path_or_fd();
        (fd, path, abspath, resolved, self.owned(TAG_NAME))
    }

    /// The `setxattr` family: the attribute, its value, and file capabilities decoded.
    fn setxattr(&self, kind: Kind) -> Body<Vec<u8>> {
        let res = self.res;
        let (fd, path, abspath, resolved, name) = self.xattr_target(kind == Kind::Fsetxattr);
        let caps = if self.s(TAG_NAME) == Some(b"security.capability") {
            FileCaps::decode(self.s(TAG_NAME2).unwrap_or_default())
        } else {
            FileCaps::default()
        };
        let value = self.owned(TAG_NAME2);
        let (size, flags) = (self.a[3], self.u32(4));
        macro_rules! set {
            ($v:ident) => {
                Body::$v {
                    res,
                    fd,
                    path,
                    abspath,
                    name,
                    value,
                    size,
                    flags,
                    cap_magic: caps.magic,
                    cap_permitted: caps.permitted,
                    cap_inheritable: caps.inheritable,
                    cap_rootid: caps.rootid,
                    resolved,
                }
            };
        }
        match kind {
            Kind::Setxattr => set!(Setxattr),
            Kind::Lsetxattr => set!(Lsetxattr),
            _ => set!(Fsetxattr),
        }
    }

    fn two_paths(&self, kind: Kind) -> Body<Vec<u8>> {
        let res = self.res;
        let symlink = matches!(kind, Kind::Symlink | Kind::Symlinkat);
        let oldpath = self.owned(TAG_PATH);
        // A symlink's target is text stored in the link, not a path to resolve.
        let oldabspath = if symlink {
            Vec::new()
        } else {
            self.abs(TAG_PATH, TAG_BASE)
        };
        let (newpath, newabspath) = (self.owned(TAG_PATH2), self.abs(TAG_PATH2, TAG_BASE2));
        // Both paths are lexical joins: a rename or link leaves no open file to ask.
        let (olddirfd, newdirfd, flags) = match kind {
            Kind::Rename | Kind::Link | Kind::Symlink => (AT_FDCWD, AT_FDCWD, 0),
            Kind::Renameat => (self.i(0), self.i(2), 0),
            Kind::Renameat2 | Kind::Linkat => (self.i(0), self.i(2), self.u32(4)),
            _ => (AT_FDCWD, self.i(1), 0), // symlinkat
        };
        match kind {
            Kind::Rename => Body::Rename {
                res,
                olddirfd,
                oldpath,
                oldabspath,
                newdirfd,
                newpath,
                newabspath,
                flags,
                resolved: 0,
            },
            Kind::Renameat => Body::Renameat {
                res,
                olddirfd,
                oldpath,
                oldabspath,
                newdirfd,
                newpath,
                newabspath,
                flags,
                resolved: 0,
            },
            Kind::Renameat2 => Body::Renameat2 {
                res,
                olddirfd,
                oldpath,
                oldabspath,
                newdirfd,
                newpath,
                newabspath,
                flags,
                resolved: 0,
            },
            Kind::Link => Body::Link {
                res,
                olddirfd,
                oldpath,
                oldabspath,
                newdirfd,
                newpath,
                newabspath,
                flags,
                resolved: 0,
            },
            Kind::Linkat => Body::Linkat {
                res,
                olddirfd,
                oldpath,
                oldabspath,
                newdirfd,
                newpath,
                newabspath,
                flags,
                resolved: 0,
            },
            Kind::Symlink => Body::Symlink {
                res,
                olddirfd,
                oldpath,
                oldabspath,
                newdirfd,
                newpath,
                newabspath,
                flags,
                resolved: 0,
            },
            _ => Body::Symlinkat {
                res,
                olddirfd,
                oldpath,
                oldabspath,
                newdirfd,
                newpath,
                newabspath,
                flags,
                resolved: 0,
            },
        }
    }
}

/// The format's fd type (SPEC.md §5.3) of an inode type (`S_IFMT >> 12`).
/// A `security.capability` value (`struct vfs_cap_data`, little-endian):
/// the magic word, then (permitted, inheritable) per 32 capabilities, then
/// the root uid in revision 3.
#[derive(Default, Debug, PartialEq, Eq)]
struct FileCaps {
    magic: u64,
    permitted: u64,
    inheritable: u64,
    rootid: u64,
}

impl FileCaps {
    /// Decodes what the value holds; a short value leaves the rest 0.
    fn decode(v: &[u8]) -> FileCaps {
        let word = |i: usize| {
            v.get(4 * i..4 * i + 4).map_or(0, |b| {
                u64::from(u32::from_le_bytes(b.try_into().expect("4 bytes")))
            })
        };
        if v.len() < 12 {
            return FileCaps::default();
        }
        let magic = word(0);
        let high = v.len() >= 20;
        FileCaps {
            magic,
            permitted: word(1) | if high { word(3) << 32 } else { 0 },
            inheritable: word(2) | if high { word(4) << 32 } else { 0 },
            rootid: if magic >> 24 == 3 { word(5) } else { 0 },
        }
    }
}

pub(crate) fn fdtype_of(ifmt: u16, path: &[u8]) -> u64 {
    match ifmt {
        0o10 if path.starts_with(b"/memfd:") => fdtype::MEMFD,
        0o10 => fdtype::FILE,
        0o04 => fdtype::DIRECTORY,
        0o02 | 0o06 => fdtype::DEVICE,
        0o01 => fdtype::PIPE,
        0o14 => fdtype::SOCKET,
        0 => fdtype::ANON,
        _ => fdtype::UNKNOWN,
    }
}

/// fd 0 and fd 1 at exec as (type, inode) pairs, from `struct shrike_stdio`.
fn stdio(b: Option<&[u8]>) -> [(u64, u64); 2] {
    let Some(b) = b.filter(|b| b.len() >= STDIO_OUT_MODE + 2) else {
        return [(0, 0); 2];
    };
    let one = |ino: u64, mode: u16| {
        if ino == 0 && mode == 0 {
            (0, 0) // closed
        } else {
            (fdtype_of(mode >> 12, b""), ino)
        }
    };
    [
        one(u64_at(b, STDIO_IN_INO), u16_at(b, STDIO_IN_MODE)),
        one(u64_at(b, STDIO_OUT_INO), u16_at(b, STDIO_OUT_MODE)),
    ]
}

/// What an fd refers to, from `struct shrike_fdinfo` and the file's path.
#[derive(Default)]
struct FdInfo {
    fdtype: u64,
    path: Vec<u8>,
    proto: u64,
    laddr: SockAddr<Vec<u8>>,
    raddr: SockAddr<Vec<u8>>,
}

impl FdInfo {
    fn parse(info: Option<&[u8]>, path: Option<&[u8]>) -> FdInfo {
        let Some(b) = info.filter(|b| b.len() >= FDINFO_LEN) else {
            return FdInfo::default();
        };
        let path = path.unwrap_or_default().to_vec();
        let fdtype = fdtype_of(u16_at(b, FDINFO_FDTYPE), &path);
        let family = u16_at(b, FDINFO_FAMILY);
        let addr = |ip: &[u8], port: u16| match family {
            2 => SockAddr::V4 {
                ip: ip[..4].try_into().expect("4 bytes"),
                port,
            },
            10 => SockAddr::V6 {
                ip: ip[..16].try_into().expect("16 bytes"),
                port,
            },
            0 => SockAddr::None,
            f => SockAddr::Other(f),
        };
        let sock = fdtype == fdtype::SOCKET;
        FdInfo {
            fdtype,
            proto: if sock {
                u16_at(b, FDINFO_PROTO).into()
            } else {
                0
            },
            laddr: if sock {
                addr(&b[FDINFO_LADDR..FDINFO_LADDR + 16], u16_at(b, FDINFO_LPORT))
            } else {
                SockAddr::None
            },
            raddr: if sock {
                addr(&b[FDINFO_RADDR..FDINFO_RADDR + 16], u16_at(b, FDINFO_RPORT))
            } else {
                SockAddr::None
            },
            path: if sock { Vec::new() } else { path },
        }
    }
}

/// A `struct sockaddr` copied from user memory.
fn parse_sockaddr(b: &[u8]) -> SockAddr<Vec<u8>> {
    if b.len() < 2 {
        return SockAddr::None;
    }
    let port = |b: &[u8]| u16::from_be_bytes([b[2], b[3]]);
    match u16::from_le_bytes([b[0], b[1]]) {
        1 => {
            let p = &b[2..];
            // Abstract names start with NUL and run to the end; paths stop at the first NUL.
            let p = if p.first() == Some(&0) {
                p
            } else {
                &p[..p.iter().position(|&c| c == 0).unwrap_or(p.len())]
            };
            SockAddr::Unix(p.to_vec())
        }
        2 if b.len() >= 8 => SockAddr::V4 {
            ip: b[4..8].try_into().expect("4 bytes"),
            port: port(b),
        },
        10 if b.len() >= 24 => SockAddr::V6 {
            ip: b[8..24].try_into().expect("16 bytes"),
            port: port(b),
        },
        f => SockAddr::Other(f),
    }
}

/// Most argv bytes an exec event holds: what the kernel side reads
/// (`STR_MAX - 1` in `shrike.bpf.c`); a `/proc` snapshot keeps to it too.
pub(crate) const ARGV_MAX: usize = 4095;

/// argv as the kernel lays it out: strings each ended by a zero byte.
pub(crate) fn split_argv(b: &[u8]) -> Vec<Vec<u8>> {
    let b = b.strip_suffix(b"\0").unwrap_or(b);
    if b.is_empty() {
        return Vec::new();
    }
    b.split(|&c| c == 0).map(<[u8]>::to_vec).collect()
}

/// Marks a value the recorder could not read whole (SPEC.md §5.1, "cut
/// values"): "…" where its start is missing (`/c/d/f` of a path walked up
/// from the file becomes `…/c/d/f`, no longer absolute), "…" after it where
/// its end is missing. Every output then shows it as cut.
pub(crate) fn mark_cut(v: &[u8], flags: u8) -> Vec<u8> {
    const ELLIPSIS: &[u8] = "…".as_bytes();
    let mut out = Vec::with_capacity(v.len() + 6);
    if flags & STR_F_CUT_START != 0 {
        out.extend_from_slice(ELLIPSIS);
    }
    out.extend_from_slice(v);
    if flags & STR_F_CUT_END != 0 {
        out.extend_from_slice(ELLIPSIS);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cut_values_are_marked_where_they_are_cut() {
        assert_eq!(mark_cut(b"/c/d/f", STR_F_CUT_START), "…/c/d/f".as_bytes());
        assert_eq!(
            mark_cut(b"/very/long", STR_F_CUT_END),
            "/very/long…".as_bytes()
        );
        assert_eq!(mark_cut(b"/whole", 0), b"/whole");
    }

    #[test]
    fn file_capabilities_decode_every_revision_and_nothing_from_short_values() {
        let words = |w: &[u32]| w.iter().flat_map(|x| x.to_le_bytes()).collect::<Vec<u8>>();
        // setcap cap_setuid+ep, as libcap writes it (revision 2)
        let v2 = FileCaps::decode(&words(&[0x0200_0001, 0x80, 0, 0, 0]));
        assert_eq!(
            (v2.magic, v2.permitted, v2.inheritable, v2.rootid),
            (0x0200_0001, 0x80, 0, 0)
        );
        // revision 3: the namespace's root uid; capabilities above 31 in the high words
        let v3 = FileCaps::decode(&words(&[0x0300_0000, 1, 2, 1 << 6, 0, 100_000]));
        assert_eq!(
            (v3.permitted, v3.inheritable, v3.rootid),
            (1 | 1 << 38, 2, 100_000)
        );
        // revision 1: 32 capabilities only
        let v1 = FileCaps::decode(&words(&[0x0100_0001, 0x20, 0x40]));
        assert_eq!((v1.permitted, v1.inheritable), (0x20, 0x40));
        assert_eq!(
            FileCaps::decode(&words(&[0x0200_0001, 0x80])),
            FileCaps::default()
        );
        assert_eq!(FileCaps::decode(b""), FileCaps::default());
    }

    #[test]
    fn normalizes_paths() {
        assert_eq!(normalize_path(b"/etc/../etc/./shadow"), b"/etc/shadow");
        assert_eq!(normalize_path(b"/tmp//x/"), b"/tmp/x");
        assert_eq!(normalize_path(b"/.."), b"/");
        assert_eq!(normalize_path(b"/"), b"/");
    }

    #[test]
    fn parses_sockaddrs() {
        let mut v4 = vec![2, 0, 0x1f, 0x90, 127, 0, 0, 1];
        v4.extend_from_slice(&[0; 8]);
        assert_eq!(
            parse_sockaddr(&v4),
            SockAddr::V4 {
                ip: [127, 0, 0, 1],
                port: 8080
            }
        );
        assert_eq!(
            parse_sockaddr(b"\x01\x00/run/x.sock\0\0\0"),
            SockAddr::Unix(b"/run/x.sock".to_vec())
        );
        assert_eq!(
            parse_sockaddr(b"\x01\x00\0abs"),
            SockAddr::Unix(b"\0abs".to_vec())
        );
    }

    #[test]
    fn splits_argv() {
        assert_eq!(
            split_argv(b"ls\0-l\0/tmp\0"),
            vec![b"ls".to_vec(), b"-l".to_vec(), b"/tmp".to_vec()]
        );
        assert_eq!(split_argv(b""), Vec::<Vec<u8>>::new());
        assert_eq!(
            split_argv(b"a\0\0b\0"),
            vec![b"a".to_vec(), b"".to_vec(), b"b".to_vec()]
        );
    }
}
