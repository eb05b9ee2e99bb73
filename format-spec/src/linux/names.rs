//! The names of the values syscall arguments take, x86_64 Linux, and how a
//! field's number reads as them. Names and their order follow libsinsp's
//! tables (a flag set is named entry by entry in table order, each entry
//! taking its bits), so `evt.arg.flags contains O_TRUNC` means what it means
//! in Falco; bits Falco has no name for are named after them, as strace
//! would, so nothing recorded is left out. `tests/linux_names.rs` checks
//! every value against the kernel's UAPI headers.

use crate::Kind;

/// `(value, name)` pairs.
pub type Table = &'static [(u64, &'static str)];

/// How a field's number reads as names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Names {
    /// One value, one meaning: every name with that value (aliases included,
    /// as libsinsp lists them, `AF_LOCAL|AF_UNIX`).
    Enum(Table),
    /// A set of bits: each entry whose bits are all still set, in table
    /// order, takes them; an entry of value 0 names an empty set.
    Flags(Table),
    /// A syscall result: negative values are `-errno`, named.
    Errno,
    /// A signal number.
    Signal,
    /// `open(2)` flags: the access mode (O_RDONLY is 0) and the flag bits.
    OpenFlags,
    /// `clone(2)` flags: the flag bits and, in the low byte, the exit signal.
    CloneFlags,
    /// A file mode's permission and set-id bits (chmod), `S_IRUSR|...`.
    Mode,
    /// `socket(2)` type: the type and the `SOCK_NONBLOCK`/`SOCK_CLOEXEC` bits.
    SocketType,
    /// A capability set, `CAP_CHOWN CAP_KILL ...` (Falco's `proc.cap_*`).
    Caps,
    /// An address or a machine word, in hex as debuggers show them.
    Hex,
}

impl Names {
    /// `v` as names; a value without a name as its number.
    pub fn render(self, v: u64) -> String {
        match self {
            Names::Enum(t) => {
                let names: Vec<&str> = t.iter().filter(|e| e.0 == v).map(|e| e.1).collect();
                if names.is_empty() {
                    v.to_string()
                } else {
                    names.join("|")
                }
            }
            Names::Flags(t) => flags(t, v),
            Names::Errno => {
                let e = v as i64;
                match errno_name(e.unsigned_abs()) {
                    Some(n) if e < 0 => n.to_string(),
                    _ => e.to_string(),
                }
            }
            Names::Signal => signal_name(v),
            Names::OpenFlags => open_flags(v),
            Names::CloneFlags => {
                let mut out = flags(CLONE_FLAGS, v & !0xff);
                let sig = v & 0xff;
                if sig != 0 {
                    if out == "0" {
                        out.clear();
                    } else {
                        out.push('|');
                    }
                    out.push_str(&signal_name(sig));
                }
                out
            }
            Names::Mode => flags(MODE_BITS, v & 0o7777),
            Names::SocketType => {
                let mut out = Names::Enum(SOCKET_TYPES).render(v & 0xf);
                for (bit, n) in [(0o4000, "SOCK_NONBLOCK"), (0o2000000, "SOCK_CLOEXEC")] {
                    if v & bit != 0 {
                        out.push('|');
                        out.push_str(n);
                    }
                }
                out
            }
            Names::Caps => {
                let names: Vec<&str> = (0..64)
                    .filter(|b| v & (1 << b) != 0)
                    .map(|b| cap_name(b).unwrap_or("?"))
                    .collect();
                names.join(" ")
            }
            Names::Hex => format!("{v:#x}"),
        }
    }
}

/// Names `v` entry by entry in table order; what no entry names is appended
/// in hex. 0 reads as the table's zero entry, or "0".
fn flags(t: Table, v: u64) -> String {
    if v == 0 {
        return t
            .iter()
            .find(|e| e.0 == 0)
            .map_or_else(|| "0".to_string(), |e| e.1.to_string());
    }
    let mut out = String::new();
    let left = name_bits(t, v, &mut out);
    unnamed(left, &mut out);
    out
}

/// Appends to `out` the name of each entry of `t` whose bits are all in
/// `v`, in table order, each taking its bits; returns the bits left.
fn name_bits(t: Table, v: u64, out: &mut String) -> u64 {
    let mut left = v;
    for &(bits, name) in t {
        if bits != 0 && left & bits == bits {
            if !out.is_empty() {
                out.push('|');
            }
            out.push_str(name);
            left &= !bits;
        }
    }
    left
}

/// Appends bits no table names, in hex, so nothing recorded goes unshown.
fn unnamed(left: u64, out: &mut String) {
    if left != 0 {
        if !out.is_empty() {
            out.push('|');
        }
        out.push_str(&format!("{left:#x}"));
    }
}

/// Linux `open` flags: O_RDONLY is the access mode 0, not a bit; the mode
/// is named where libsinsp's table has O_RDWR, O_WRONLY and O_RDONLY.
fn open_flags(v: u64) -> String {
    let mode = match v & 3 {
        0 => "O_RDONLY",
        1 => "O_WRONLY",
        2 => "O_RDWR",
        _ => "O_ACCMODE",
    };
    let (before, after) = OPEN_FLAGS.split_at(OPEN_MODE_AT);
    let mut out = String::new();
    let left = name_bits(before, v & !3, &mut out);
    if !out.is_empty() {
        out.push('|');
    }
    out.push_str(mode);
    let left = name_bits(after, left, &mut out);
    unnamed(left, &mut out);
    out
}

/// io_uring's request opcodes (UAPI `enum io_uring_op`, `linux/io_uring.h`),
/// by value, named as the kernel's `io_uring_get_opcode` names them.
pub const URING_OPS: Table = &[
    (0, "NOP"),
    (1, "READV"),
    (2, "WRITEV"),
    (3, "FSYNC"),
    (4, "READ_FIXED"),
    (5, "WRITE_FIXED"),
    (6, "POLL_ADD"),
    (7, "POLL_REMOVE"),
    (8, "SYNC_FILE_RANGE"),
    (9, "SENDMSG"),
    (10, "RECVMSG"),
    (11, "TIMEOUT"),
    (12, "TIMEOUT_REMOVE"),
    (13, "ACCEPT"),
    (14, "ASYNC_CANCEL"),
    (15, "LINK_TIMEOUT"),
    (16, "CONNECT"),
    (17, "FALLOCATE"),
    (18, "OPENAT"),
    (19, "CLOSE"),
    (20, "FILES_UPDATE"),
    (21, "STATX"),
    (22, "READ"),
    (23, "WRITE"),
    (24, "FADVISE"),
    (25, "MADVISE"),
    (26, "SEND"),
    (27, "RECV"),
    (28, "OPENAT2"),
    (29, "EPOLL_CTL"),
    (30, "SPLICE"),
    (31, "PROVIDE_BUFFERS"),
    (32, "REMOVE_BUFFERS"),
    (33, "TEE"),
    (34, "SHUTDOWN"),
    (35, "RENAMEAT"),
    (36, "UNLINKAT"),
    (37, "MKDIRAT"),
    (38, "SYMLINKAT"),
    (39, "LINKAT"),
    (40, "MSG_RING"),
    (41, "FSETXATTR"),
    (42, "SETXATTR"),
    (43, "FGETXATTR"),
    (44, "GETXATTR"),
    (45, "SOCKET"),
    (46, "URING_CMD"),
    (47, "SEND_ZC"),
    (48, "SENDMSG_ZC"),
    (49, "READ_MULTISHOT"),
    (50, "WAITID"),
    (51, "FUTEX_WAIT"),
    (52, "FUTEX_WAKE"),
    (53, "FUTEX_WAITV"),
    (54, "FIXED_FD_INSTALL"),
    (55, "FTRUNCATE"),
    (56, "BIND"),
    (57, "LISTEN"),
    (58, "RECV_ZC"),
    (59, "EPOLL_WAIT"),
    (60, "READV_FIXED"),
    (61, "WRITEV_FIXED"),
    (62, "PIPE"),
];

/// The io_uring opcodes shrike's views and rules treat by name.
pub mod uring_op {
    /// `IORING_OP_ACCEPT`.
    pub const ACCEPT: u64 = 13;
    /// `IORING_OP_CONNECT`.
    pub const CONNECT: u64 = 16;
    /// `IORING_OP_OPENAT`.
    pub const OPENAT: u64 = 18;
    /// `IORING_OP_OPENAT2`.
    pub const OPENAT2: u64 = 28;
}

/// The syscall each io_uring opcode does the work of, by its name in
/// `syscalls.rs` (`READ` is `pread64` with an offset, `read` without: `read`);
/// an opcode not here does what no syscall does alone.
pub const URING_OP_SYSCALLS: Table = &[
    (1, "readv"),
    (2, "writev"),
    (3, "fsync"),
    (8, "sync_file_range"),
    (9, "sendmsg"),
    (10, "recvmsg"),
    (13, "accept4"),
    (16, "connect"),
    (17, "fallocate"),
    (18, "openat"),
    (19, "close"),
    (21, "statx"),
    (22, "read"),
    (23, "write"),
    (24, "fadvise64"),
    (25, "madvise"),
    (26, "sendto"),
    (27, "recvfrom"),
    (28, "openat2"),
    (29, "epoll_ctl"),
    (30, "splice"),
    (33, "tee"),
    (34, "shutdown"),
    (35, "renameat2"),
    (36, "unlinkat"),
    (37, "mkdirat"),
    (38, "symlinkat"),
    (39, "linkat"),
    (41, "fsetxattr"),
    (42, "setxattr"),
    (43, "fgetxattr"),
    (44, "getxattr"),
    (45, "socket"),
    (50, "waitid"),
    (55, "ftruncate"),
    (56, "bind"),
    (57, "listen"),
    (62, "pipe2"),
];

/// The syscall io_uring opcode `op` does the work of (`openat`), if one.
pub fn uring_op_syscall(op: u64) -> Option<&'static str> {
    URING_OP_SYSCALLS.iter().find(|o| o.0 == op).map(|o| o.1)
}

/// The io_uring opcodes that move bytes through their fd: (opcode, true
/// for out: written or sent; false for in: read or received). The kernel
/// side's `ur_direction` (shrike.bpf.c) counts the same ones
/// (`capture/tests/kinds_sync.rs` checks it).
pub const URING_OP_MOVES: &[(u64, bool)] = &[
    (1, false),  // READV
    (2, true),   // WRITEV
    (4, false),  // READ_FIXED
    (5, true),   // WRITE_FIXED
    (9, true),   // SENDMSG
    (10, false), // RECVMSG
    (22, false), // READ
    (23, true),  // WRITE
    (26, true),  // SEND
    (27, false), // RECV
    (47, true),  // SEND_ZC
    (48, true),  // SENDMSG_ZC
    (49, false), // READ_MULTISHOT
    (60, false), // READV_FIXED
    (61, true),  // WRITEV_FIXED
];

/// Whether io_uring opcode `op` writes (`Some(true)`) or reads
/// (`Some(false)`) bytes through its fd; `None` when it moves none.
pub fn uring_op_writes(op: u64) -> Option<bool> {
    URING_OP_MOVES.iter().find(|o| o.0 == op).map(|o| o.1)
}

/// The name of io_uring opcode `op` (`OPENAT`), if Linux has one.
pub fn uring_op_name(op: u64) -> Option<&'static str> {
    URING_OPS.get(usize::try_from(op).ok()?).map(|o| o.1)
}

/// The errno name of `e` (positive), if Linux has one.
pub fn errno_name(e: u64) -> Option<&'static str> {
    // Asked for every failed event a rule tests: the table is in value order.
    ERRNO
        .binary_search_by_key(&e, |x| x.0)
        .ok()
        .map(|i| ERRNO[i].1)
}

/// The errno value called `name`.
pub fn errno_value(name: &str) -> Option<u64> {
    ERRNO
        .iter()
        .chain(ERRNO_ALIASES)
        .find(|x| x.1 == name)
        .map(|x| x.0)
}

/// A signal's name: `SIGKILL`, `SIGRTMIN+3`; a number without one as the number.
pub fn signal_name(n: u64) -> String {
    match SIGNALS.iter().find(|s| s.0 == n) {
        Some(s) => s.1.to_string(),
        None if (32..=64).contains(&n) => format!("SIGRTMIN+{}", n - 32),
        None => n.to_string(),
    }
}

/// The name of capability bit `bit`.
pub fn cap_name(bit: u64) -> Option<&'static str> {
    CAPS.iter().find(|c| c.0 == bit).map(|c| c.1)
}

/// How field `field` of `kind` reads as names, if its number has them.
pub fn field_names(kind: Kind, field: &str) -> Option<Names> {
    use Kind::*;
    Some(match (kind, field) {
        (_, "res") => Names::Errno,
        (Open | Openat | Openat2 | Creat, "flags") => Names::OpenFlags,
        (Chmod | Fchmod | Fchmodat, "mode") => Names::Mode,
        (Clone | Clone3 | Fork | Vfork, "flags") => Names::CloneFlags,
        (Unshare, "flags") | (Setns, "nstype") => Names::Flags(CLONE_FLAGS),
        (Ptrace, "request") => Names::Enum(PTRACE_REQUESTS),
        (Kill | Tkill | Tgkill | ProcExit, "signal") => Names::Signal,
        (Prctl, "option") => Names::Enum(PRCTL_OPTIONS),
        (Socket, "domain") => Names::Enum(SOCKET_FAMILIES),
        (Socket, "socktype") => Names::SocketType,
        (Accept4, "flags") => Names::Flags(SOCKET_FLAGS),
        (Dup3, "flags") => Names::Flags(CLOEXEC),
        (Mmap | Mprotect, "prot") => Names::Flags(PROT_FLAGS),
        (Mmap, "flags") => Names::Flags(MMAP_FLAGS),
        (Mount, "flags") => Names::Flags(MOUNT_FLAGS),
        (Umount2, "flags") => Names::Flags(UMOUNT_FLAGS),
        (Unlinkat, "flags") => Names::Flags(UNLINKAT_FLAGS),
        (Linkat, "flags") => Names::Flags(LINKAT_FLAGS),
        (Renameat2, "flags") => Names::Flags(RENAME_FLAGS),
        (Fchmodat | Fchownat | Utimensat, "flags") => Names::Flags(AT_FLAGS),
        (Setxattr | Lsetxattr | Fsetxattr, "flags") => Names::Flags(XATTR_FLAGS),
        (MemfdCreate, "flags") => Names::Flags(MEMFD_FLAGS),
        (FinitModule, "flags") => Names::Flags(MODULE_INIT_FLAGS),
        (DeleteModule, "flags") => Names::Flags(DELETE_MODULE_FLAGS),
        (Bpf, "cmd") => Names::Enum(BPF_COMMANDS),
        (Bpf, "prog_type") => Names::Enum(BPF_PROG_TYPES),
        (Ioctl, "request") => Names::Enum(IOCTL_REQUESTS),
        (IoUring, "flags") => Names::OpenFlags,
        (IoUring, "op") => Names::Enum(URING_OPS),
        (Execve | Execveat | ProcSnapshot, "cap_effective" | "cap_permitted") => Names::Caps,
        (Ptrace, "addr" | "data") => Names::Hex,
        (Setxattr | Lsetxattr | Fsetxattr, "cap_permitted" | "cap_inheritable") => Names::Caps,
        _ => return None,
    })
}

/// Every table, by the UAPI header prefix its names share, for the test
/// that checks them against the kernel's headers.
pub fn tables() -> Vec<(&'static str, Table)> {
    vec![
        ("errno", ERRNO),
        ("errno", ERRNO_ALIASES),
        ("signal", SIGNALS),
        ("open", OPEN_FLAGS),
        ("clone", CLONE_FLAGS),
        ("ptrace", PTRACE_REQUESTS),
        ("prctl", PRCTL_OPTIONS),
        ("socket", SOCKET_FAMILIES),
        ("socket", SOCKET_TYPES),
        ("socket", SOCKET_FLAGS),
        ("mman", PROT_FLAGS),
        ("mman", MMAP_FLAGS),
        ("mount", MOUNT_FLAGS),
        ("mount", UMOUNT_FLAGS),
        ("at", UNLINKAT_FLAGS),
        ("at", LINKAT_FLAGS),
        ("at", AT_FLAGS),
        ("rename", RENAME_FLAGS),
        ("xattr", XATTR_FLAGS),
        ("memfd", MEMFD_FLAGS),
        ("module", MODULE_INIT_FLAGS),
        ("bpf", BPF_COMMANDS),
        ("bpf", BPF_PROG_TYPES),
        ("capability", CAPS),
        ("mode", MODE_BITS),
        ("io_uring", URING_OPS),
    ]
}

/// errno values, `asm-generic/errno-base.h` and `errno.h`, then the
/// kernel-internal ones a syscall can still return (`include/linux/errno.h`,
/// not UAPI), as libsinsp names them.
pub const ERRNO: Table = &[
    (1, "EPERM"),
    (2, "ENOENT"),
    (3, "ESRCH"),
    (4, "EINTR"),
    (5, "EIO"),
    (6, "ENXIO"),
    (7, "E2BIG"),
    (8, "ENOEXEC"),
    (9, "EBADF"),
    (10, "ECHILD"),
    (11, "EAGAIN"),
    (12, "ENOMEM"),
    (13, "EACCES"),
    (14, "EFAULT"),
    (15, "ENOTBLK"),
    (16, "EBUSY"),
    (17, "EEXIST"),
    (18, "EXDEV"),
    (19, "ENODEV"),
    (20, "ENOTDIR"),
    (21, "EISDIR"),
    (22, "EINVAL"),
    (23, "ENFILE"),
    (24, "EMFILE"),
    (25, "ENOTTY"),
    (26, "ETXTBSY"),
    (27, "EFBIG"),
    (28, "ENOSPC"),
    (29, "ESPIPE"),
    (30, "EROFS"),
    (31, "EMLINK"),
    (32, "EPIPE"),
    (33, "EDOM"),
    (34, "ERANGE"),
    (35, "EDEADLK"),
    (36, "ENAMETOOLONG"),
    (37, "ENOLCK"),
    (38, "ENOSYS"),
    (39, "ENOTEMPTY"),
    (40, "ELOOP"),
    (42, "ENOMSG"),
    (43, "EIDRM"),
    (44, "ECHRNG"),
    (45, "EL2NSYNC"),
    (46, "EL3HLT"),
    (47, "EL3RST"),
    (48, "ELNRNG"),
    (49, "EUNATCH"),
    (50, "ENOCSI"),
    (51, "EL2HLT"),
    (52, "EBADE"),
    (53, "EBADR"),
    (54, "EXFULL"),
    (55, "ENOANO"),
    (56, "EBADRQC"),
    (57, "EBADSLT"),
    (59, "EBFONT"),
    (60, "ENOSTR"),
    (61, "ENODATA"),
    (62, "ETIME"),
    (63, "ENOSR"),
    (64, "ENONET"),
    (65, "ENOPKG"),
    (66, "EREMOTE"),
    (67, "ENOLINK"),
    (68, "EADV"),
    (69, "ESRMNT"),
    (70, "ECOMM"),
    (71, "EPROTO"),
    (72, "EMULTIHOP"),
    (73, "EDOTDOT"),
    (74, "EBADMSG"),
    (75, "EOVERFLOW"),
    (76, "ENOTUNIQ"),
    (77, "EBADFD"),
    (78, "EREMCHG"),
    (79, "ELIBACC"),
    (80, "ELIBBAD"),
    (81, "ELIBSCN"),
    (82, "ELIBMAX"),
    (83, "ELIBEXEC"),
    (84, "EILSEQ"),
    (85, "ERESTART"),
    (86, "ESTRPIPE"),
    (87, "EUSERS"),
    (88, "ENOTSOCK"),
    (89, "EDESTADDRREQ"),
    (90, "EMSGSIZE"),
    (91, "EPROTOTYPE"),
    (92, "ENOPROTOOPT"),
    (93, "EPROTONOSUPPORT"),
    (94, "ESOCKTNOSUPPORT"),
    (95, "EOPNOTSUPP"),
    (96, "EPFNOSUPPORT"),
    (97, "EAFNOSUPPORT"),
    (98, "EADDRINUSE"),
    (99, "EADDRNOTAVAIL"),
    (100, "ENETDOWN"),
    (101, "ENETUNREACH"),
    (102, "ENETRESET"),
    (103, "ECONNABORTED"),
    (104, "ECONNRESET"),
    (105, "ENOBUFS"),
    (106, "EISCONN"),
    (107, "ENOTCONN"),
    (108, "ESHUTDOWN"),
    (109, "ETOOMANYREFS"),
    (110, "ETIMEDOUT"),
    (111, "ECONNREFUSED"),
    (112, "EHOSTDOWN"),
    (113, "EHOSTUNREACH"),
    (114, "EALREADY"),
    (115, "EINPROGRESS"),
    (116, "ESTALE"),
    (117, "EUCLEAN"),
    (118, "ENOTNAM"),
    (119, "ENAVAIL"),
    (120, "EISNAM"),
    (121, "EREMOTEIO"),
    (122, "EDQUOT"),
    (123, "ENOMEDIUM"),
    (124, "EMEDIUMTYPE"),
    (125, "ECANCELED"),
    (126, "ENOKEY"),
    (127, "EKEYEXPIRED"),
    (128, "EKEYREVOKED"),
    (129, "EKEYREJECTED"),
    (130, "EOWNERDEAD"),
    (131, "ENOTRECOVERABLE"),
    (132, "ERFKILL"),
    (133, "EHWPOISON"),
    (512, "ERESTARTSYS"),
    (513, "ERESTARTNOINTR"),
    (514, "ERESTARTNOHAND"),
    (515, "ENOIOCTLCMD"),
    (516, "ERESTART_RESTARTBLOCK"),
    (517, "EPROBE_DEFER"),
    (518, "EOPENSTALE"),
    (519, "ENOPARAM"),
    (521, "EBADHANDLE"),
    (522, "ENOTSYNC"),
    (523, "EBADCOOKIE"),
    (524, "ENOTSUPP"),
    (525, "ETOOSMALL"),
    (526, "ESERVERFAULT"),
    (527, "EBADTYPE"),
    (528, "EJUKEBOX"),
    (529, "EIOCBQUEUED"),
    (530, "ERECALLCONFLICT"),
];

/// Other names of errno values (a condition may use them; output uses the first name).
pub const ERRNO_ALIASES: Table = &[(11, "EWOULDBLOCK"), (35, "EDEADLOCK"), (95, "ENOTSUP")];

/// Signals, `asm/signal.h` (x86_64).
pub const SIGNALS: Table = &[
    (1, "SIGHUP"),
    (2, "SIGINT"),
    (3, "SIGQUIT"),
    (4, "SIGILL"),
    (5, "SIGTRAP"),
    (6, "SIGABRT"),
    (7, "SIGBUS"),
    (8, "SIGFPE"),
    (9, "SIGKILL"),
    (10, "SIGUSR1"),
    (11, "SIGSEGV"),
    (12, "SIGUSR2"),
    (13, "SIGPIPE"),
    (14, "SIGALRM"),
    (15, "SIGTERM"),
    (16, "SIGSTKFLT"),
    (17, "SIGCHLD"),
    (18, "SIGCONT"),
    (19, "SIGSTOP"),
    (20, "SIGTSTP"),
    (21, "SIGTTIN"),
    (22, "SIGTTOU"),
    (23, "SIGURG"),
    (24, "SIGXCPU"),
    (25, "SIGXFSZ"),
    (26, "SIGVTALRM"),
    (27, "SIGPROF"),
    (28, "SIGWINCH"),
    (29, "SIGIO"),
    (30, "SIGPWR"),
    (31, "SIGSYS"),
];

/// Where the access mode is named among [`OPEN_FLAGS`] (libsinsp's place
/// for O_RDWR, O_WRONLY and O_RDONLY).
const OPEN_MODE_AT: usize = 10;

/// `open` flag bits, `asm-generic/fcntl.h`, in libsinsp's order, then the
/// ones libsinsp does not name. `O_SYNC` is `__O_SYNC|O_DSYNC` and comes
/// before `O_DSYNC`; `O_TMPFILE` is named by its own bit, after
/// `O_DIRECTORY`, which it always carries.
pub const OPEN_FLAGS: Table = &[
    (0o100000, "O_LARGEFILE"),
    (0o200000, "O_DIRECTORY"),
    (0o40000, "O_DIRECT"),
    (0o1000, "O_TRUNC"),
    (0o4010000, "O_SYNC"),
    (0o4000, "O_NONBLOCK"),
    (0o200, "O_EXCL"),
    (0o10000, "O_DSYNC"),
    (0o2000, "O_APPEND"),
    (0o100, "O_CREAT"),
    (0o2000000, "O_CLOEXEC"),
    (0o20000000, "O_TMPFILE"),
    (0o400, "O_NOCTTY"),
    (0o400000, "O_NOFOLLOW"),
    (0o1000000, "O_NOATIME"),
    (0o10000000, "O_PATH"),
    (0o20000, "O_ASYNC"),
];

/// `O_CLOEXEC` alone (`dup3`).
pub const CLOEXEC: Table = &[(0o2000000, "O_CLOEXEC")];

/// `clone` flags, `linux/sched.h`, in libsinsp's order, then the others.
pub const CLONE_FLAGS: Table = &[
    (0x400, "CLONE_FILES"),
    (0x200, "CLONE_FS"),
    (0x8000_0000, "CLONE_IO"),
    (0x0800_0000, "CLONE_NEWIPC"),
    (0x4000_0000, "CLONE_NEWNET"),
    (0x0002_0000, "CLONE_NEWNS"),
    (0x2000_0000, "CLONE_NEWPID"),
    (0x0400_0000, "CLONE_NEWUTS"),
    (0x8000, "CLONE_PARENT"),
    (0x0010_0000, "CLONE_PARENT_SETTID"),
    (0x2000, "CLONE_PTRACE"),
    (0x800, "CLONE_SIGHAND"),
    (0x0004_0000, "CLONE_SYSVSEM"),
    (0x0001_0000, "CLONE_THREAD"),
    (0x0080_0000, "CLONE_UNTRACED"),
    (0x100, "CLONE_VM"),
    (0x1000_0000, "CLONE_NEWUSER"),
    (0x0020_0000, "CLONE_CHILD_CLEARTID"),
    (0x0100_0000, "CLONE_CHILD_SETTID"),
    (0x0008_0000, "CLONE_SETTLS"),
    (0x4000, "CLONE_VFORK"),
    (0x0200_0000, "CLONE_NEWCGROUP"),
    (0x1000, "CLONE_PIDFD"),
    (0x0040_0000, "CLONE_DETACHED"),
    (0x1_0000_0000, "CLONE_CLEAR_SIGHAND"),
    (0x2_0000_0000, "CLONE_INTO_CGROUP"),
];

/// `ptrace` requests, `linux/ptrace.h` and `asm/ptrace-abi.h` (x86_64).
pub const PTRACE_REQUESTS: Table = &[
    (0, "PTRACE_TRACEME"),
    (1, "PTRACE_PEEKTEXT"),
    (2, "PTRACE_PEEKDATA"),
    (3, "PTRACE_PEEKUSR"),
    (4, "PTRACE_POKETEXT"),
    (5, "PTRACE_POKEDATA"),
    (6, "PTRACE_POKEUSR"),
    (7, "PTRACE_CONT"),
    (8, "PTRACE_KILL"),
    (9, "PTRACE_SINGLESTEP"),
    (12, "PTRACE_GETREGS"),
    (13, "PTRACE_SETREGS"),
    (14, "PTRACE_GETFPREGS"),
    (15, "PTRACE_SETFPREGS"),
    (16, "PTRACE_ATTACH"),
    (17, "PTRACE_DETACH"),
    (18, "PTRACE_GETFPXREGS"),
    (19, "PTRACE_SETFPXREGS"),
    (21, "PTRACE_OLDSETOPTIONS"),
    (24, "PTRACE_SYSCALL"),
    (25, "PTRACE_GET_THREAD_AREA"),
    (26, "PTRACE_SET_THREAD_AREA"),
    (30, "PTRACE_ARCH_PRCTL"),
    (31, "PTRACE_SYSEMU"),
    (32, "PTRACE_SYSEMU_SINGLESTEP"),
    (33, "PTRACE_SINGLEBLOCK"),
    (0x4200, "PTRACE_SETOPTIONS"),
    (0x4201, "PTRACE_GETEVENTMSG"),
    (0x4202, "PTRACE_GETSIGINFO"),
    (0x4203, "PTRACE_SETSIGINFO"),
    (0x4204, "PTRACE_GETREGSET"),
    (0x4205, "PTRACE_SETREGSET"),
    (0x4206, "PTRACE_SEIZE"),
    (0x4207, "PTRACE_INTERRUPT"),
    (0x4208, "PTRACE_LISTEN"),
    (0x4209, "PTRACE_PEEKSIGINFO"),
    (0x420a, "PTRACE_GETSIGMASK"),
    (0x420b, "PTRACE_SETSIGMASK"),
    (0x420c, "PTRACE_SECCOMP_GET_FILTER"),
    (0x420d, "PTRACE_SECCOMP_GET_METADATA"),
    (0x420e, "PTRACE_GET_SYSCALL_INFO"),
    (0x420f, "PTRACE_GET_RSEQ_CONFIGURATION"),
    (0x4210, "PTRACE_SET_SYSCALL_USER_DISPATCH_CONFIG"),
    (0x4211, "PTRACE_GET_SYSCALL_USER_DISPATCH_CONFIG"),
];

/// `prctl` options, `linux/prctl.h`.
pub const PRCTL_OPTIONS: Table = &[
    (1, "PR_SET_PDEATHSIG"),
    (2, "PR_GET_PDEATHSIG"),
    (3, "PR_GET_DUMPABLE"),
    (4, "PR_SET_DUMPABLE"),
    (5, "PR_GET_UNALIGN"),
    (6, "PR_SET_UNALIGN"),
    (7, "PR_GET_KEEPCAPS"),
    (8, "PR_SET_KEEPCAPS"),
    (9, "PR_GET_FPEMU"),
    (10, "PR_SET_FPEMU"),
    (11, "PR_GET_FPEXC"),
    (12, "PR_SET_FPEXC"),
    (13, "PR_GET_TIMING"),
    (14, "PR_SET_TIMING"),
    (15, "PR_SET_NAME"),
    (16, "PR_GET_NAME"),
    (19, "PR_GET_ENDIAN"),
    (20, "PR_SET_ENDIAN"),
    (21, "PR_GET_SECCOMP"),
    (22, "PR_SET_SECCOMP"),
    (23, "PR_CAPBSET_READ"),
    (24, "PR_CAPBSET_DROP"),
    (25, "PR_GET_TSC"),
    (26, "PR_SET_TSC"),
    (27, "PR_GET_SECUREBITS"),
    (28, "PR_SET_SECUREBITS"),
    (29, "PR_SET_TIMERSLACK"),
    (30, "PR_GET_TIMERSLACK"),
    (31, "PR_TASK_PERF_EVENTS_DISABLE"),
    (32, "PR_TASK_PERF_EVENTS_ENABLE"),
    (33, "PR_MCE_KILL"),
    (34, "PR_MCE_KILL_GET"),
    (35, "PR_SET_MM"),
    (36, "PR_SET_CHILD_SUBREAPER"),
    (37, "PR_GET_CHILD_SUBREAPER"),
    (38, "PR_SET_NO_NEW_PRIVS"),
    (39, "PR_GET_NO_NEW_PRIVS"),
    (40, "PR_GET_TID_ADDRESS"),
    (41, "PR_SET_THP_DISABLE"),
    (42, "PR_GET_THP_DISABLE"),
    (43, "PR_MPX_ENABLE_MANAGEMENT"),
    (44, "PR_MPX_DISABLE_MANAGEMENT"),
    (45, "PR_SET_FP_MODE"),
    (46, "PR_GET_FP_MODE"),
    (47, "PR_CAP_AMBIENT"),
    (50, "PR_SVE_SET_VL"),
    (51, "PR_SVE_GET_VL"),
    (52, "PR_GET_SPECULATION_CTRL"),
    (53, "PR_SET_SPECULATION_CTRL"),
    (54, "PR_PAC_RESET_KEYS"),
    (55, "PR_SET_TAGGED_ADDR_CTRL"),
    (56, "PR_GET_TAGGED_ADDR_CTRL"),
    (57, "PR_SET_IO_FLUSHER"),
    (58, "PR_GET_IO_FLUSHER"),
    (59, "PR_SET_SYSCALL_USER_DISPATCH"),
    (60, "PR_PAC_SET_ENABLED_KEYS"),
    (61, "PR_PAC_GET_ENABLED_KEYS"),
    (62, "PR_SCHED_CORE"),
    (63, "PR_SME_SET_VL"),
    (64, "PR_SME_GET_VL"),
    (65, "PR_SET_MDWE"),
    (66, "PR_GET_MDWE"),
    (67, "PR_SET_MEMORY_MERGE"),
    (68, "PR_GET_MEMORY_MERGE"),
    (0x4155_5856, "PR_GET_AUXV"),
    (0x5356_4d41, "PR_SET_VMA"),
];

/// Address families, `bits/socket.h`, in libsinsp's order (its aliases kept: `AF_LOCAL|AF_UNIX`).
pub const SOCKET_FAMILIES: Table = &[
    (39, "AF_NFC"),
    (38, "AF_ALG"),
    (37, "AF_CAIF"),
    (36, "AF_IEEE802154"),
    (35, "AF_PHONET"),
    (34, "AF_ISDN"),
    (33, "AF_RXRPC"),
    (32, "AF_IUCV"),
    (31, "AF_BLUETOOTH"),
    (30, "AF_TIPC"),
    (29, "AF_CAN"),
    (26, "AF_LLC"),
    (25, "AF_WANPIPE"),
    (24, "AF_PPPOX"),
    (23, "AF_IRDA"),
    (22, "AF_SNA"),
    (21, "AF_RDS"),
    (20, "AF_ATMSVC"),
    (19, "AF_ECONET"),
    (18, "AF_ASH"),
    (17, "AF_PACKET"),
    (16, "AF_ROUTE"),
    (16, "AF_NETLINK"),
    (15, "AF_KEY"),
    (14, "AF_SECURITY"),
    (13, "AF_NETBEUI"),
    (12, "AF_DECnet"),
    (11, "AF_ROSE"),
    (10, "AF_INET6"),
    (9, "AF_X25"),
    (8, "AF_ATMPVC"),
    (7, "AF_BRIDGE"),
    (6, "AF_NETROM"),
    (5, "AF_APPLETALK"),
    (4, "AF_IPX"),
    (3, "AF_AX25"),
    (2, "AF_INET"),
    (1, "AF_LOCAL"),
    (1, "AF_UNIX"),
    (0, "AF_UNSPEC"),
    (27, "AF_IB"),
    (28, "AF_MPLS"),
    (40, "AF_VSOCK"),
    (41, "AF_KCM"),
    (42, "AF_QIPCRTR"),
    (43, "AF_SMC"),
    (44, "AF_XDP"),
    (45, "AF_MCTP"),
];

/// Socket types, `bits/socket_type.h`.
pub const SOCKET_TYPES: Table = &[
    (1, "SOCK_STREAM"),
    (2, "SOCK_DGRAM"),
    (3, "SOCK_RAW"),
    (4, "SOCK_RDM"),
    (5, "SOCK_SEQPACKET"),
    (6, "SOCK_DCCP"),
    (10, "SOCK_PACKET"),
];

/// `SOCK_NONBLOCK` and `SOCK_CLOEXEC` (`accept4`, and a socket type's flag bits).
pub const SOCKET_FLAGS: Table = &[(0o4000, "SOCK_NONBLOCK"), (0o2000000, "SOCK_CLOEXEC")];

/// `mmap`/`mprotect` protection, `asm-generic/mman-common.h`, in libsinsp's order.
pub const PROT_FLAGS: Table = &[
    (1, "PROT_READ"),
    (2, "PROT_WRITE"),
    (4, "PROT_EXEC"),
    (8, "PROT_SEM"),
    (0x0100_0000, "PROT_GROWSDOWN"),
    (0x0200_0000, "PROT_GROWSUP"),
    (0, "PROT_NONE"),
];

/// `mmap` flags, `asm-generic/mman-common.h` and x86's `mman.h`, in libsinsp's
/// order, then the others. `MAP_SHARED_VALIDATE` is both share bits.
pub const MMAP_FLAGS: Table = &[
    (3, "MAP_SHARED_VALIDATE"),
    (1, "MAP_SHARED"),
    (2, "MAP_PRIVATE"),
    (0x10, "MAP_FIXED"),
    (0x20, "MAP_ANONYMOUS"),
    (0x40, "MAP_32BIT"),
    (0x4000, "MAP_NORESERVE"),
    (0x8000, "MAP_POPULATE"),
    (0x10000, "MAP_NONBLOCK"),
    (0x100, "MAP_GROWSDOWN"),
    (0x800, "MAP_DENYWRITE"),
    (0x1000, "MAP_EXECUTABLE"),
    (0x2000, "MAP_LOCKED"),
    (0x20000, "MAP_STACK"),
    (0x40000, "MAP_HUGETLB"),
    (0x80000, "MAP_SYNC"),
    (0x0010_0000, "MAP_FIXED_NOREPLACE"),
    (0x0400_0000, "MAP_UNINITIALIZED"),
];

/// `mount` flags, `linux/mount.h`, named as libsinsp names them (without `MS_`).
/// The magic `0xC0ED` some callers put in the upper half is named too.
pub const MOUNT_FLAGS: Table = &[
    (0xC0ED_0000, "MGC_VAL"),
    (1, "RDONLY"),
    (2, "NOSUID"),
    (4, "NODEV"),
    (8, "NOEXEC"),
    (16, "SYNCHRONOUS"),
    (32, "REMOUNT"),
    (64, "MANDLOCK"),
    (128, "DIRSYNC"),
    (256, "NOSYMFOLLOW"),
    (1024, "NOATIME"),
    (2048, "NODIRATIME"),
    (4096, "BIND"),
    (8192, "MOVE"),
    (16384, "REC"),
    (32768, "SILENT"),
    (1 << 16, "POSIXACL"),
    (1 << 17, "UNBINDABLE"),
    (1 << 18, "PRIVATE"),
    (1 << 19, "SLAVE"),
    (1 << 20, "SHARED"),
    (1 << 21, "RELATIME"),
    (1 << 22, "KERNMOUNT"),
    (1 << 23, "I_VERSION"),
    (1 << 24, "STRICTATIME"),
    (1 << 25, "LAZYTIME"),
    (1 << 28, "NOSEC"),
    (1 << 29, "BORN"),
    (1 << 30, "ACTIVE"),
    (1 << 31, "NOUSER"),
];

/// `umount2` flags (`MNT_*`, `UMOUNT_NOFOLLOW`), named as libsinsp names them.
pub const UMOUNT_FLAGS: Table = &[(1, "FORCE"), (2, "DETACH"), (4, "EXPIRE"), (8, "NOFOLLOW")];

/// `unlinkat` flags, `linux/fcntl.h`.
pub const UNLINKAT_FLAGS: Table = &[(0x200, "AT_REMOVEDIR")];

/// `linkat` flags, `linux/fcntl.h`.
pub const LINKAT_FLAGS: Table = &[(0x400, "AT_SYMLINK_FOLLOW"), (0x1000, "AT_EMPTY_PATH")];

/// The `*at` calls' flags, `linux/fcntl.h`.
pub const AT_FLAGS: Table = &[
    (0x100, "AT_SYMLINK_NOFOLLOW"),
    (0x200, "AT_REMOVEDIR"),
    (0x400, "AT_SYMLINK_FOLLOW"),
    (0x800, "AT_NO_AUTOMOUNT"),
    (0x1000, "AT_EMPTY_PATH"),
];

/// `renameat2` flags, `linux/fs.h`.
pub const RENAME_FLAGS: Table = &[
    (1, "RENAME_NOREPLACE"),
    (2, "RENAME_EXCHANGE"),
    (4, "RENAME_WHITEOUT"),
];

/// `setxattr` flags, `linux/xattr.h`.
pub const XATTR_FLAGS: Table = &[(1, "XATTR_CREATE"), (2, "XATTR_REPLACE")];

/// `memfd_create` flags, `linux/memfd.h`.
pub const MEMFD_FLAGS: Table = &[
    (1, "MFD_CLOEXEC"),
    (2, "MFD_ALLOW_SEALING"),
    (4, "MFD_HUGETLB"),
    (8, "MFD_NOEXEC_SEAL"),
    (0x10, "MFD_EXEC"),
];

/// `finit_module` flags, `linux/module.h`.
pub const MODULE_INIT_FLAGS: Table = &[
    (1, "MODULE_INIT_IGNORE_MODVERSIONS"),
    (2, "MODULE_INIT_IGNORE_VERMAGIC"),
    (4, "MODULE_INIT_COMPRESSED_FILE"),
];

/// `delete_module` flags: open flag bits, as libsinsp names them.
pub const DELETE_MODULE_FLAGS: Table = &[(0o4000, "O_NONBLOCK"), (0o1000, "O_TRUNC")];

/// `bpf` commands, `linux/bpf.h` (`enum bpf_cmd`).
pub const BPF_COMMANDS: Table = &[
    (0, "BPF_MAP_CREATE"),
    (1, "BPF_MAP_LOOKUP_ELEM"),
    (2, "BPF_MAP_UPDATE_ELEM"),
    (3, "BPF_MAP_DELETE_ELEM"),
    (4, "BPF_MAP_GET_NEXT_KEY"),
    (5, "BPF_PROG_LOAD"),
    (6, "BPF_OBJ_PIN"),
    (7, "BPF_OBJ_GET"),
    (8, "BPF_PROG_ATTACH"),
    (9, "BPF_PROG_DETACH"),
    (10, "BPF_PROG_TEST_RUN"),
    (11, "BPF_PROG_GET_NEXT_ID"),
    (12, "BPF_MAP_GET_NEXT_ID"),
    (13, "BPF_PROG_GET_FD_BY_ID"),
    (14, "BPF_MAP_GET_FD_BY_ID"),
    (15, "BPF_OBJ_GET_INFO_BY_FD"),
    (16, "BPF_PROG_QUERY"),
    (17, "BPF_RAW_TRACEPOINT_OPEN"),
    (18, "BPF_BTF_LOAD"),
    (19, "BPF_BTF_GET_FD_BY_ID"),
    (20, "BPF_TASK_FD_QUERY"),
    (21, "BPF_MAP_LOOKUP_AND_DELETE_ELEM"),
    (22, "BPF_MAP_FREEZE"),
    (23, "BPF_BTF_GET_NEXT_ID"),
    (24, "BPF_MAP_LOOKUP_BATCH"),
    (25, "BPF_MAP_LOOKUP_AND_DELETE_BATCH"),
    (26, "BPF_MAP_UPDATE_BATCH"),
    (27, "BPF_MAP_DELETE_BATCH"),
    (28, "BPF_LINK_CREATE"),
    (29, "BPF_LINK_UPDATE"),
    (30, "BPF_LINK_GET_FD_BY_ID"),
    (31, "BPF_LINK_GET_NEXT_ID"),
    (32, "BPF_ENABLE_STATS"),
    (33, "BPF_ITER_CREATE"),
    (34, "BPF_LINK_DETACH"),
    (35, "BPF_PROG_BIND_MAP"),
    (36, "BPF_TOKEN_CREATE"),
];

/// BPF program types, `linux/bpf.h` (`enum bpf_prog_type`).
pub const BPF_PROG_TYPES: Table = &[
    (0, "BPF_PROG_TYPE_UNSPEC"),
    (1, "BPF_PROG_TYPE_SOCKET_FILTER"),
    (2, "BPF_PROG_TYPE_KPROBE"),
    (3, "BPF_PROG_TYPE_SCHED_CLS"),
    (4, "BPF_PROG_TYPE_SCHED_ACT"),
    (5, "BPF_PROG_TYPE_TRACEPOINT"),
    (6, "BPF_PROG_TYPE_XDP"),
    (7, "BPF_PROG_TYPE_PERF_EVENT"),
    (8, "BPF_PROG_TYPE_CGROUP_SKB"),
    (9, "BPF_PROG_TYPE_CGROUP_SOCK"),
    (10, "BPF_PROG_TYPE_LWT_IN"),
    (11, "BPF_PROG_TYPE_LWT_OUT"),
    (12, "BPF_PROG_TYPE_LWT_XMIT"),
    (13, "BPF_PROG_TYPE_SOCK_OPS"),
    (14, "BPF_PROG_TYPE_SK_SKB"),
    (15, "BPF_PROG_TYPE_CGROUP_DEVICE"),
    (16, "BPF_PROG_TYPE_SK_MSG"),
    (17, "BPF_PROG_TYPE_RAW_TRACEPOINT"),
    (18, "BPF_PROG_TYPE_CGROUP_SOCK_ADDR"),
    (19, "BPF_PROG_TYPE_LWT_SEG6LOCAL"),
    (20, "BPF_PROG_TYPE_LIRC_MODE2"),
    (21, "BPF_PROG_TYPE_SK_REUSEPORT"),
    (22, "BPF_PROG_TYPE_FLOW_DISSECTOR"),
    (23, "BPF_PROG_TYPE_CGROUP_SYSCTL"),
    (24, "BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE"),
    (25, "BPF_PROG_TYPE_CGROUP_SOCKOPT"),
    (26, "BPF_PROG_TYPE_TRACING"),
    (27, "BPF_PROG_TYPE_STRUCT_OPS"),
    (28, "BPF_PROG_TYPE_EXT"),
    (29, "BPF_PROG_TYPE_LSM"),
    (30, "BPF_PROG_TYPE_SK_LOOKUP"),
    (31, "BPF_PROG_TYPE_SYSCALL"),
    (32, "BPF_PROG_TYPE_NETFILTER"),
];

/// The `ioctl` requests the recorder keeps (inode flags), `linux/fs.h`.
pub const IOCTL_REQUESTS: Table = &[
    (0x4008_6602, "FS_IOC_SETFLAGS"),
    (0x4004_6602, "FS_IOC32_SETFLAGS"),
    (0x401c_5820, "FS_IOC_FSSETXATTR"),
];

/// Capabilities by bit, `linux/capability.h`.
pub const CAPS: Table = &[
    (0, "CAP_CHOWN"),
    (1, "CAP_DAC_OVERRIDE"),
    (2, "CAP_DAC_READ_SEARCH"),
    (3, "CAP_FOWNER"),
    (4, "CAP_FSETID"),
    (5, "CAP_KILL"),
    (6, "CAP_SETGID"),
    (7, "CAP_SETUID"),
    (8, "CAP_SETPCAP"),
    (9, "CAP_LINUX_IMMUTABLE"),
    (10, "CAP_NET_BIND_SERVICE"),
    (11, "CAP_NET_BROADCAST"),
    (12, "CAP_NET_ADMIN"),
    (13, "CAP_NET_RAW"),
    (14, "CAP_IPC_LOCK"),
    (15, "CAP_IPC_OWNER"),
    (16, "CAP_SYS_MODULE"),
    (17, "CAP_SYS_RAWIO"),
    (18, "CAP_SYS_CHROOT"),
    (19, "CAP_SYS_PTRACE"),
    (20, "CAP_SYS_PACCT"),
    (21, "CAP_SYS_ADMIN"),
    (22, "CAP_SYS_BOOT"),
    (23, "CAP_SYS_NICE"),
    (24, "CAP_SYS_RESOURCE"),
    (25, "CAP_SYS_TIME"),
    (26, "CAP_SYS_TTY_CONFIG"),
    (27, "CAP_MKNOD"),
    (28, "CAP_LEASE"),
    (29, "CAP_AUDIT_WRITE"),
    (30, "CAP_AUDIT_CONTROL"),
    (31, "CAP_SETFCAP"),
    (32, "CAP_MAC_OVERRIDE"),
    (33, "CAP_MAC_ADMIN"),
    (34, "CAP_SYSLOG"),
    (35, "CAP_WAKE_ALARM"),
    (36, "CAP_BLOCK_SUSPEND"),
    (37, "CAP_AUDIT_READ"),
    (38, "CAP_PERFMON"),
    (39, "CAP_BPF"),
    (40, "CAP_CHECKPOINT_RESTORE"),
];

/// A chmod mode's bits, `linux/stat.h`, in libsinsp's order.
pub const MODE_BITS: Table = &[
    (0o1, "S_IXOTH"),
    (0o2, "S_IWOTH"),
    (0o4, "S_IROTH"),
    (0o10, "S_IXGRP"),
    (0o20, "S_IWGRP"),
    (0o40, "S_IRGRP"),
    (0o100, "S_IXUSR"),
    (0o200, "S_IWUSR"),
    (0o400, "S_IRUSR"),
    (0o1000, "S_ISVTX"),
    (0o2000, "S_ISGID"),
    (0o4000, "S_ISUID"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_uring_op_names_a_syscall_linux_has() {
        for (i, &(v, _)) in URING_OPS.iter().enumerate() {
            assert_eq!(v, i as u64, "URING_OPS is dense, in value order");
        }
        for &(op, name) in URING_OP_SYSCALLS {
            assert!(uring_op_name(op).is_some(), "{op}");
            assert!(crate::linux::syscall_nr(name).is_some(), "{name}");
        }
        assert_eq!(uring_op_syscall(18), Some("openat"));
        assert_eq!(uring_op_syscall(0), None);
    }

    #[test]
    fn values_read_as_libsinsp_renders_them() {
        assert_eq!(Names::OpenFlags.render(0), "O_RDONLY");
        assert_eq!(Names::OpenFlags.render(0o1101), "O_TRUNC|O_CREAT|O_WRONLY");
        assert_eq!(Names::OpenFlags.render(0o2000002), "O_RDWR|O_CLOEXEC");
        assert_eq!(
            Names::OpenFlags.render(0o20200002),
            "O_DIRECTORY|O_RDWR|O_TMPFILE"
        );
        assert_eq!(Names::Errno.render((-2i64) as u64), "ENOENT");
        assert_eq!(Names::Errno.render((-115i64) as u64), "EINPROGRESS");
        assert_eq!(Names::Errno.render(3), "3");
        assert_eq!(Names::Signal.render(9), "SIGKILL");
        assert_eq!(Names::Signal.render(34), "SIGRTMIN+2");
        assert_eq!(Names::Enum(PTRACE_REQUESTS).render(5), "PTRACE_POKEDATA");
        assert_eq!(Names::Enum(SOCKET_FAMILIES).render(1), "AF_LOCAL|AF_UNIX");
        assert_eq!(
            Names::SocketType.render(0o2004001),
            "SOCK_STREAM|SOCK_NONBLOCK|SOCK_CLOEXEC"
        );
        assert_eq!(
            Names::CloneFlags.render(0x01200011),
            "CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD"
        );
        assert_eq!(Names::Flags(PROT_FLAGS).render(0), "PROT_NONE");
        assert_eq!(Names::Flags(PROT_FLAGS).render(5), "PROT_READ|PROT_EXEC");
        assert_eq!(
            Names::Flags(MMAP_FLAGS).render(0x22),
            "MAP_PRIVATE|MAP_ANONYMOUS"
        );
        assert_eq!(
            Names::Mode.render(0o104755),
            "S_IXOTH|S_IROTH|S_IXGRP|S_IRGRP|S_IXUSR|S_IWUSR|S_IRUSR|S_ISUID"
        );
        assert_eq!(
            Names::Flags(MOUNT_FLAGS).render(0x1000 | 0x4000),
            "BIND|REC"
        );
        // A bit no table names stays visible.
        assert_eq!(Names::Flags(XATTR_FLAGS).render(0x11), "XATTR_CREATE|0x10");
        assert_eq!(errno_value("EWOULDBLOCK"), Some(11));
        assert!(
            ERRNO.windows(2).all(|w| w[0].0 < w[1].0),
            "ERRNO in value order"
        );
        assert_eq!(errno_name(530), Some("ERECALLCONFLICT"));
        assert_eq!(errno_name(41), None);
        assert!(
            ERRNO.len() + ERRNO_ALIASES.len() >= 138,
            "Falco knows 138 errno names"
        );
    }

    #[test]
    fn every_named_field_is_a_field_of_its_kind() {
        // A table for a field the kind does not have would never be used.
        let names = [
            "flags",
            "mode",
            "nstype",
            "request",
            "signal",
            "option",
            "domain",
            "socktype",
            "prot",
            "cmd",
            "prog_type",
            "cap_effective",
            "cap_permitted",
            "cap_inheritable",
        ];
        let mut found = 0;
        for k in Kind::ALL {
            for n in names {
                if field_names(*k, n).is_some() {
                    assert!(k.field_index(n).is_some(), "{} has no field {n}", k.name());
                    found += 1;
                }
            }
        }
        assert!(found > 40, "{found} named fields");
    }
}
