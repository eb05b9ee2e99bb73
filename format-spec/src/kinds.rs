//! Every event kind and its fields, declared once. The macro below generates
//! the `Kind` enum, the `Body` enum, the column encoder and decoder, the field
//! visitor and the schema table that SPEC.md §5 documents (a test checks that
//! SPEC.md and this table agree).

use crate::columns::{Cursor, DictBuilder, DictRef};
use crate::error::DecodeError;
use crate::event::{SockAddr, Value};
use crate::varint::{put_int, put_uint};

/// On-disk type of a field (SPEC.md §4.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum FieldType {
    /// zigzag LEB128 signed integer
    Int = 1,
    /// LEB128 unsigned integer
    Uint = 2,
    /// string-dictionary index
    Str = 3,
    /// count, then that many dictionary indexes
    Strs = 4,
    /// socket address
    Addr = 5,
}

impl FieldType {
    /// Decodes a type code.
    pub fn from_code(code: u8) -> Option<FieldType> {
        Some(match code {
            1 => FieldType::Int,
            2 => FieldType::Uint,
            3 => FieldType::Str,
            4 => FieldType::Strs,
            5 => FieldType::Addr,
            _ => return None,
        })
    }

    /// The name SPEC.md uses.
    pub fn name(self) -> &'static str {
        match self {
            FieldType::Int => "int",
            FieldType::Uint => "uint",
            FieldType::Str => "str",
            FieldType::Strs => "strs",
            FieldType::Addr => "addr",
        }
    }
}

/// One field of a kind's schema.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldDef {
    /// Field name (as in SPEC.md and JSON output).
    pub name: &'static str,
    /// On-disk type.
    pub ty: FieldType,
}

/// Event classes, used to switch capture of whole groups on and off.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Class {
    /// exec, fork, exit, credentials, signals, namespaces
    Process,
    /// opens and path operations
    File,
    /// fd duplication, bytes moved through fds, io_uring requests
    Fd,
    /// sockets
    Network,
    /// kernel modules, bpf, executable memory
    Kernel,
    /// processes alive when recording started
    Snapshot,
    /// the recorder's own start, stop and lost-event markers
    Meta,
}

impl Class {
    /// Every class.
    pub const ALL: [Class; 7] = [
        Class::Process,
        Class::File,
        Class::Fd,
        Class::Network,
        Class::Kernel,
        Class::Snapshot,
        Class::Meta,
    ];

    /// Lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            Class::Process => "process",
            Class::File => "file",
            Class::Fd => "fd",
            Class::Network => "network",
            Class::Kernel => "kernel",
            Class::Snapshot => "snapshot",
            Class::Meta => "meta",
        }
    }
}

/// Kind ids are below this bound in format 1.x, so a 128-bit bitmap holds any set of kinds.
pub const KIND_ID_LIMIT: u16 = 128;

/// Marker types that name the on-disk field types in the kind table; each maps
/// to its Rust type for a given string type `S`.
#[allow(non_camel_case_types)]
mod ft {
    use crate::event::SockAddr;

    /// Maps a field-type marker to its Rust type.
    pub trait FieldTy<S> {
        type T;
    }
    pub struct int;
    pub struct uint;
    pub struct str;
    pub struct strs;
    pub struct addr;
    impl<S> FieldTy<S> for int {
        type T = i64;
    }
    impl<S> FieldTy<S> for uint {
        type T = u64;
    }
    impl<S> FieldTy<S> for str {
        type T = S;
    }
    impl<S> FieldTy<S> for strs {
        type T = Vec<S>;
    }
    impl<S> FieldTy<S> for addr {
        type T = SockAddr<S>;
    }
}

macro_rules! field_code {
    (int) => {
        FieldType::Int
    };
    (uint) => {
        FieldType::Uint
    };
    (str) => {
        FieldType::Str
    };
    (strs) => {
        FieldType::Strs
    };
    (addr) => {
        FieldType::Addr
    };
}

macro_rules! field_put {
    (int, $v:expr, $col:expr, $d:expr) => {
        put_int($col, *$v)
    };
    (uint, $v:expr, $col:expr, $d:expr) => {
        put_uint($col, *$v)
    };
    (str, $v:expr, $col:expr, $d:expr) => {
        $d.put_str($col, $v.as_ref())
    };
    (strs, $v:expr, $col:expr, $d:expr) => {
        $d.put_strs($col, $v)
    };
    (addr, $v:expr, $col:expr, $d:expr) => {
        $d.put_addr($col, $v)
    };
}

macro_rules! field_get {
    (int, $c:expr, $d:expr) => {
        match $c {
            Some(c) => c.int()?,
            None => 0,
        }
    };
    (uint, $c:expr, $d:expr) => {
        match $c {
            Some(c) => c.uint()?,
            None => 0,
        }
    };
    (str, $c:expr, $d:expr) => {
        match $c {
            Some(c) => c.str($d)?,
            None => &[][..],
        }
    };
    (strs, $c:expr, $d:expr) => {
        match $c {
            Some(c) => c.strs($d)?,
            None => Vec::new(),
        }
    };
    (addr, $c:expr, $d:expr) => {
        match $c {
            Some(c) => c.addr($d)?,
            None => SockAddr::None,
        }
    };
}

macro_rules! field_val {
    (int, $v:expr) => {
        Value::Int(*$v)
    };
    (uint, $v:expr) => {
        Value::Uint(*$v)
    };
    (str, $v:expr) => {
        Value::Str($v.as_ref())
    };
    (strs, $v:expr) => {
        Value::Strs($v)
    };
    (addr, $v:expr) => {
        Value::Addr($v.as_ref())
    };
}

macro_rules! field_map {
    (int, $v:expr, $f:expr) => {
        *$v
    };
    (uint, $v:expr, $f:expr) => {
        *$v
    };
    (str, $v:expr, $f:expr) => {
        $f($v)
    };
    (strs, $v:expr, $f:expr) => {
        $v.iter().map(|s| $f(s)).collect()
    };
    (addr, $v:expr, $f:expr) => {
        $v.map($f)
    };
}

macro_rules! field_fill {
    (int, $src:expr) => {
        $src.int()
    };
    (uint, $src:expr) => {
        $src.uint()
    };
    (str, $src:expr) => {
        $src.str()
    };
    (strs, $src:expr) => {
        $src.strs()
    };
    (addr, $src:expr) => {
        $src.addr()
    };
}

/// Supplies field values to [`Body::fill`] (generators and property tests).
pub trait FieldSource {
    /// A signed value.
    fn int(&mut self) -> i64;
    /// An unsigned value.
    fn uint(&mut self) -> u64;
    /// A string.
    fn str(&mut self) -> Vec<u8>;
    /// A list of strings.
    fn strs(&mut self) -> Vec<Vec<u8>>;
    /// A socket address.
    fn addr(&mut self) -> SockAddr<Vec<u8>>;
}

macro_rules! kinds {
    ($( $id:literal $variant:ident $name:literal $class:ident { $($field:ident : $ty:ident),* $(,)? } )*) => {
        /// Event kinds of format 1.x (SPEC.md §5). Ids are stable forever.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr(u16)]
        pub enum Kind { $( #[doc = $name] $variant = $id, )* }

        impl Kind {
            /// Every kind, in id order.
            pub const ALL: &'static [Kind] = &[$(Kind::$variant),*];

            /// The kind with this id.
            pub fn from_id(id: u16) -> Option<Kind> {
                match id { $($id => Some(Kind::$variant),)* _ => None }
            }

            /// The kind with this name.
            pub fn from_name(name: &str) -> Option<Kind> {
                match name { $($name => Some(Kind::$variant),)* _ => None }
            }

            /// Stable numeric id.
            pub fn id(self) -> u16 { self as u16 }

            /// Name (the syscall's name where the kind is one syscall).
            pub fn name(self) -> &'static str {
                match self { $(Kind::$variant => $name),* }
            }

            /// The class the kind belongs to.
            pub fn class(self) -> Class {
                match self { $(Kind::$variant => Class::$class),* }
            }

            /// The kind's fields after the common ones, in column order.
            pub fn fields(self) -> &'static [FieldDef] {
                match self {
                    $(Kind::$variant => &[$(FieldDef { name: stringify!($field), ty: field_code!($ty) }),*],)*
                }
            }

            /// The position of the field called `name` among [`Kind::fields`].
            pub fn field_index(self, name: &str) -> Option<usize> {
                self.fields().iter().position(|f| f.name == name)
            }
        }

        /// The kind-specific part of an event.
        #[derive(Clone, Debug, PartialEq, Eq)]
        #[allow(missing_docs)]
        pub enum Body<S> {
            $( #[doc = $name] $variant { $($field: <ft::$ty as ft::FieldTy<S>>::T),* }, )*
            /// A kind this reader does not know (written by a newer minor version).
            Unknown { kind: u16 },
        }

        impl<S: AsRef<[u8]>> Body<S> {
            /// The kind id.
            pub fn kind_id(&self) -> u16 {
                match self {
                    $(Body::$variant { .. } => $id,)*
                    Body::Unknown { kind } => *kind,
                }
            }

            /// Visits each kind-specific field in schema order.
            pub fn visit<'s>(&'s self, f: &mut dyn FnMut(&'static str, Value<'s>)) {
                match self {
                    $(Body::$variant { $($field),* } => { $( f(stringify!($field), field_val!($ty, $field)); )* })*
                    Body::Unknown { .. } => {}
                }
            }

            /// Kind-specific field `i` (in schema order), if the kind has that many.
            #[allow(unused_assignments, unused_variables, unused_mut)]
            pub fn field<'s>(&'s self, i: usize) -> Option<Value<'s>> {
                match self {
                    $(Body::$variant { $($field),* } => {
                        let mut k = 0usize;
                        $( if k == i { return Some(field_val!($ty, $field)); } k += 1; )*
                        None
                    })*
                    Body::Unknown { .. } => None,
                }
            }

            /// Converts every string with `f`.
            pub fn map_strings<'a, T>(&'a self, f: &mut dyn FnMut(&'a S) -> T) -> Body<T> {
                match self {
                    $(Body::$variant { $($field),* } => Body::$variant { $($field: field_map!($ty, $field, f)),* },)*
                    Body::Unknown { kind } => Body::Unknown { kind: *kind },
                }
            }

            /// Appends each field to its column; `Unknown` bodies have no columns.
            pub(crate) fn encode(&self, cols: &mut [Vec<u8>], dict: &mut DictBuilder) {
                let mut c = cols.iter_mut();
                match self {
                    $(Body::$variant { $($field),* } => {
                        $( field_put!($ty, $field, c.next().expect("column per field"), dict); )*
                    })*
                    Body::Unknown { .. } => {}
                }
            }
        }

        impl Body<Vec<u8>> {
            /// A body of `kind` with every field taken from `src`.
            pub fn fill(kind: Kind, src: &mut dyn FieldSource) -> Self {
                match kind {
                    $(Kind::$variant => Body::$variant { $($field: field_fill!($ty, src)),* },)*
                }
            }
        }

        /// Reads one body of `kind` into `out`; fields the file does not have
        /// get zero values. Written in place: a body is a large value, and
        /// handing it back through a `Result` copied it for every event.
        #[allow(unused_mut, unused_variables)]
        pub(crate) fn decode_body_into<'a>(
            kind: Kind,
            cols: &mut [Cursor<'a>],
            dict: &DictRef<'a>,
            out: &mut Body<&'a [u8]>,
        ) -> Result<(), DecodeError> {
            let mut c = cols.iter_mut();
            match kind {
                $(Kind::$variant => *out = Body::$variant { $($field: field_get!($ty, c.next(), dict)),* },)*
            }
            Ok(())
        }
    };
}

kinds! {
    // ---- process ----
    1 Execve "execve" Process { res: int, filename: str, exe: str, argv: strs, cwd: str, ppid: uint, loginuid: uint, sid: uint, tty: uint, cap_effective: uint, cap_permitted: uint, flags: uint, stdin_type: uint, stdin_ino: uint, stdout_type: uint, stdout_ino: uint, env: strs, pgid: uint }
    2 Execveat "execveat" Process { res: int, filename: str, exe: str, argv: strs, cwd: str, ppid: uint, loginuid: uint, sid: uint, tty: uint, cap_effective: uint, cap_permitted: uint, flags: uint, stdin_type: uint, stdin_ino: uint, stdout_type: uint, stdout_ino: uint, env: strs, pgid: uint }
    3 Clone "clone" Process { res: int, child_pid: uint, child_tid: uint, flags: uint }
    4 Clone3 "clone3" Process { res: int, child_pid: uint, child_tid: uint, flags: uint }
    5 Fork "fork" Process { res: int, child_pid: uint, child_tid: uint, flags: uint }
    6 Vfork "vfork" Process { res: int, child_pid: uint, child_tid: uint, flags: uint }
    7 ProcExit "procexit" Process { code: int, signal: uint, group_dead: uint }
    8 Setuid "setuid" Process { res: int, uid: uint }
    9 Setgid "setgid" Process { res: int, gid: uint }
    10 Setreuid "setreuid" Process { res: int, ruid: uint, euid: uint }
    11 Setregid "setregid" Process { res: int, rgid: uint, egid: uint }
    12 Setresuid "setresuid" Process { res: int, ruid: uint, euid: uint, suid: uint }
    13 Setresgid "setresgid" Process { res: int, rgid: uint, egid: uint, sgid: uint }
    14 Setfsuid "setfsuid" Process { res: int, uid: uint }
    15 Setfsgid "setfsgid" Process { res: int, gid: uint }
    16 Capset "capset" Process { res: int, cap_effective: uint, cap_permitted: uint, cap_inheritable: uint }
    17 Ptrace "ptrace" Process { res: int, request: uint, target_pid: int, addr: uint, data: uint }
    18 Kill "kill" Process { res: int, target_pid: int, signal: uint }
    19 Tkill "tkill" Process { res: int, target_tid: int, signal: uint }
    20 Tgkill "tgkill" Process { res: int, target_pid: int, target_tid: int, signal: uint }
    21 Chdir "chdir" Process { res: int, path: str, abspath: str, resolved: uint }
    22 Fchdir "fchdir" Process { res: int, fd: int, abspath: str, resolved: uint }
    23 Setns "setns" Process { res: int, fd: int, nstype: uint }
    24 Unshare "unshare" Process { res: int, flags: uint }
    25 Prctl "prctl" Process { res: int, option: uint, arg2: uint, name: str }
    26 Setsid "setsid" Process { res: int }
    // ---- file ----
    32 Open "open" File { res: int, dirfd: int, path: str, abspath: str, flags: uint, mode: uint, resolved: uint, created: uint }
    33 Openat "openat" File { res: int, dirfd: int, path: str, abspath: str, flags: uint, mode: uint, resolved: uint, created: uint }
    34 Openat2 "openat2" File { res: int, dirfd: int, path: str, abspath: str, flags: uint, mode: uint, resolved: uint, created: uint }
    35 Creat "creat" File { res: int, dirfd: int, path: str, abspath: str, flags: uint, mode: uint, resolved: uint, created: uint }
    36 Unlink "unlink" File { res: int, dirfd: int, path: str, abspath: str, flags: uint, resolved: uint }
    37 Unlinkat "unlinkat" File { res: int, dirfd: int, path: str, abspath: str, flags: uint, resolved: uint }
    38 Rmdir "rmdir" File { res: int, dirfd: int, path: str, abspath: str, flags: uint, resolved: uint }
    39 Rename "rename" File { res: int, olddirfd: int, oldpath: str, oldabspath: str, newdirfd: int, newpath: str, newabspath: str, flags: uint, resolved: uint }
    40 Renameat "renameat" File { res: int, olddirfd: int, oldpath: str, oldabspath: str, newdirfd: int, newpath: str, newabspath: str, flags: uint, resolved: uint }
    41 Renameat2 "renameat2" File { res: int, olddirfd: int, oldpath: str, oldabspath: str, newdirfd: int, newpath: str, newabspath: str, flags: uint, resolved: uint }
    42 Link "link" File { res: int, olddirfd: int, oldpath: str, oldabspath: str, newdirfd: int, newpath: str, newabspath: str, flags: uint, resolved: uint }
    43 Linkat "linkat" File { res: int, olddirfd: int, oldpath: str, oldabspath: str, newdirfd: int, newpath: str, newabspath: str, flags: uint, resolved: uint }
    44 Symlink "symlink" File { res: int, olddirfd: int, oldpath: str, oldabspath: str, newdirfd: int, newpath: str, newabspath: str, flags: uint, resolved: uint }
    45 Symlinkat "symlinkat" File { res: int, olddirfd: int, oldpath: str, oldabspath: str, newdirfd: int, newpath: str, newabspath: str, flags: uint, resolved: uint }
    46 Mkdir "mkdir" File { res: int, dirfd: int, path: str, abspath: str, mode: uint, resolved: uint }
    47 Mkdirat "mkdirat" File { res: int, dirfd: int, path: str, abspath: str, mode: uint, resolved: uint }
    48 Chmod "chmod" File { res: int, fd: int, path: str, abspath: str, mode: uint, flags: uint, resolved: uint }
    49 Fchmod "fchmod" File { res: int, fd: int, path: str, abspath: str, mode: uint, flags: uint, resolved: uint }
    50 Fchmodat "fchmodat" File { res: int, fd: int, path: str, abspath: str, mode: uint, flags: uint, resolved: uint }
    51 Chown "chown" File { res: int, fd: int, path: str, abspath: str, uid: uint, gid: uint, flags: uint, resolved: uint }
    52 Lchown "lchown" File { res: int, fd: int, path: str, abspath: str, uid: uint, gid: uint, flags: uint, resolved: uint }
    53 Fchown "fchown" File { res: int, fd: int, path: str, abspath: str, uid: uint, gid: uint, flags: uint, resolved: uint }
    54 Fchownat "fchownat" File { res: int, fd: int, path: str, abspath: str, uid: uint, gid: uint, flags: uint, resolved: uint }
    55 Truncate "truncate" File { res: int, fd: int, path: str, abspath: str, length: uint, resolved: uint }
    56 Ftruncate "ftruncate" File { res: int, fd: int, path: str, abspath: str, length: uint, resolved: uint }
    57 Mount "mount" File { res: int, source: str, target: str, fstype: str, flags: uint }
    58 Umount2 "umount2" File { res: int, target: str, flags: uint }
    59 MemfdCreate "memfd_create" File { res: int, name: str, flags: uint }
    60 Ioctl "ioctl" File { res: int, fd: int, abspath: str, request: uint, flags: uint, resolved: uint }
    // ---- fd ----
    64 Dup "dup" Fd { res: int, oldfd: int, newfd: int, flags: uint, fdtype: uint, path: str, proto: uint, laddr: addr, raddr: addr }
    65 Dup2 "dup2" Fd { res: int, oldfd: int, newfd: int, flags: uint, fdtype: uint, path: str, proto: uint, laddr: addr, raddr: addr }
    66 Dup3 "dup3" Fd { res: int, oldfd: int, newfd: int, flags: uint, fdtype: uint, path: str, proto: uint, laddr: addr, raddr: addr }
    // ---- network ----
    72 Socket "socket" Network { res: int, domain: uint, socktype: uint, protocol: uint }
    73 Connect "connect" Network { res: int, fd: int, proto: uint, laddr: addr, raddr: addr }
    74 Accept "accept" Network { res: int, fd: int, proto: uint, laddr: addr, raddr: addr, flags: uint }
    75 Accept4 "accept4" Network { res: int, fd: int, proto: uint, laddr: addr, raddr: addr, flags: uint }
    76 Bind "bind" Network { res: int, fd: int, proto: uint, laddr: addr }
    77 Listen "listen" Network { res: int, fd: int, backlog: uint, proto: uint, laddr: addr }
    // ---- kernel and memory ----
    88 InitModule "init_module" Kernel { res: int, len: uint, args: str, name: str }
    89 FinitModule "finit_module" Kernel { res: int, fd: int, path: str, args: str, flags: uint }
    90 DeleteModule "delete_module" Kernel { res: int, name: str, flags: uint }
    91 Bpf "bpf" Kernel { res: int, cmd: uint, prog_type: uint, name: str }
    92 Mmap "mmap" Kernel { res: int, addr: uint, len: uint, prot: uint, flags: uint, fd: int, path: str }
    93 Mprotect "mprotect" Kernel { res: int, addr: uint, len: uint, prot: uint }
    94 Syscall "syscall" Kernel { res: int, nr: uint, arg0: uint, arg1: uint, arg2: uint, arg3: uint, arg4: uint, arg5: uint }
    // ---- snapshot ----
    100 ProcSnapshot "proc_snapshot" Snapshot { ppid: uint, exe: str, argv: strs, cwd: str, start_ts: uint, loginuid: uint, sid: uint, tty: uint, cap_effective: uint, cap_permitted: uint, flags: uint, stdin_type: uint, stdin_ino: uint, stdout_type: uint, stdout_ino: uint, env: strs, pgid: uint }
    101 Cgroup "cgroup" Snapshot { id: uint, path: str }
    // ---- file, since 1.2 ----
    102 Setxattr "setxattr" File { res: int, fd: int, path: str, abspath: str, name: str, value: str, size: uint, flags: uint, cap_magic: uint, cap_permitted: uint, cap_inheritable: uint, cap_rootid: uint, resolved: uint }
    103 Lsetxattr "lsetxattr" File { res: int, fd: int, path: str, abspath: str, name: str, value: str, size: uint, flags: uint, cap_magic: uint, cap_permitted: uint, cap_inheritable: uint, cap_rootid: uint, resolved: uint }
    104 Fsetxattr "fsetxattr" File { res: int, fd: int, path: str, abspath: str, name: str, value: str, size: uint, flags: uint, cap_magic: uint, cap_permitted: uint, cap_inheritable: uint, cap_rootid: uint, resolved: uint }
    105 Removexattr "removexattr" File { res: int, fd: int, path: str, abspath: str, name: str, resolved: uint }
    106 Lremovexattr "lremovexattr" File { res: int, fd: int, path: str, abspath: str, name: str, resolved: uint }
    107 Fremovexattr "fremovexattr" File { res: int, fd: int, path: str, abspath: str, name: str, resolved: uint }
    108 Utime "utime" File { res: int, dirfd: int, path: str, abspath: str, atime_sec: int, atime_nsec: int, mtime_sec: int, mtime_nsec: int, flags: uint, resolved: uint }
    109 Utimes "utimes" File { res: int, dirfd: int, path: str, abspath: str, atime_sec: int, atime_nsec: int, mtime_sec: int, mtime_nsec: int, flags: uint, resolved: uint }
    110 Futimesat "futimesat" File { res: int, dirfd: int, path: str, abspath: str, atime_sec: int, atime_nsec: int, mtime_sec: int, mtime_nsec: int, flags: uint, resolved: uint }
    111 Utimensat "utimensat" File { res: int, dirfd: int, path: str, abspath: str, atime_sec: int, atime_nsec: int, mtime_sec: int, mtime_nsec: int, flags: uint, resolved: uint }
    // ---- meta ----
    112 RecorderStart "recorder_start" Meta { version: str, config: str }
    113 RecorderStop "recorder_stop" Meta { reason: str, events: uint, lost: uint }
    114 Lost "lost" Meta { count: uint }
    // ---- snapshot, since 1.4 ----
    115 Container "container" Snapshot { cgroup: uint, id: str, runtime: str, name: str, image: str, privileged: uint, pod: str, namespace: str }
    116 ExeHash "exe_hash" Process { exec_ts: uint, path: str, sha256: str, size: uint, dev: uint, ino: uint, source: uint }
    // ---- network, since 1.6 ----
    117 Dns "dns" Network { res: int, fd: int, syscall: uint, dir: uint, proto: uint, laddr: addr, raddr: addr, len: uint, data: str }
    // ---- fd, since 1.6 ----
    118 FdIo "fd_io" Fd { fd: int, fdtype: uint, path: str, proto: uint, laddr: addr, raddr: addr, read: uint, written: uint, reads: uint, writes: uint, until: uint }
    // ---- meta, since 1.6 ----
    119 ExeFile "exe_file" Meta { sha256: str, path: str, size: uint, offset: uint, data: str }
    // ---- fd, since 1.6: io_uring ----
    120 IoUringSetup "io_uring_setup" Fd { res: int, sq_entries: uint, cq_entries: uint, flags: uint }
    121 IoUring "io_uring" Fd { res: int, ring: int, op: uint, user_data: uint, fd: int, flags: uint, mode: uint, created: uint, cflags: uint, submit_ts: uint, pending: uint, fdtype: uint, path: str, proto: uint, laddr: addr, raddr: addr, open_path: str }
}

/// Dense position of each kind id in [`Kind::ALL`], for per-kind arrays.
const DENSE: [u8; KIND_ID_LIMIT as usize] = {
    let mut t = [u8::MAX; KIND_ID_LIMIT as usize];
    let mut i = 0;
    while i < Kind::ALL.len() {
        t[Kind::ALL[i] as usize] = i as u8;
        i += 1;
    }
    t
};

impl<S: AsRef<[u8]>> Body<S> {
    /// The syscall result (`res` field), for kinds that have one.
    pub fn res(&self) -> Option<i64> {
        // Where each kind keeps `res`, found once: rules ask for it on most events.
        static AT: std::sync::LazyLock<[u8; 128]> = std::sync::LazyLock::new(|| {
            let mut at = [u8::MAX; 128];
            for k in Kind::ALL {
                if let Some(i) = k.field_index("res") {
                    at[usize::from(k.id())] = i as u8;
                }
            }
            at
        });
        let i = *AT.get(usize::from(self.kind_id()))?;
        match self.field(usize::from(i))? {
            Value::Int(x) => Some(x),
            _ => None,
        }
    }
}

/// What a `proc_snapshot` or a successful `execve`/`execveat` says about the
/// program a process runs: the fields the three kinds share.
#[derive(Clone, Copy, Debug)]
pub struct Started<'b, S> {
    /// Parent process id.
    pub ppid: u64,
    /// The executable as the kernel resolved it.
    pub exe: &'b S,
    /// The argument vector.
    pub argv: &'b [S],
    /// Working directory.
    pub cwd: &'b S,
    /// Audit login uid.
    pub loginuid: u64,
    /// Session id.
    pub sid: u64,
    /// Controlling terminal.
    pub tty: u64,
    /// Effective capabilities.
    pub cap_effective: u64,
    /// Permitted capabilities.
    pub cap_permitted: u64,
    /// Exec flags (`EXEC_*`).
    pub flags: u64,
    /// fd 0 when the program started: (fd type, inode).
    pub stdin: (u64, u64),
    /// fd 1 when the program started: (fd type, inode).
    pub stdout: (u64, u64),
    /// A snapshot: when the process was started, ns since boot (0 for an exec).
    pub start_ts: u64,
    /// The environment, `NAME=value` each (format 1.4; empty before).
    pub env: &'b [S],
    /// Process group id (format 1.4; 0 when unknown).
    pub pgid: u64,
}

impl<S> Body<S> {
    /// The program a snapshot or a successful exec shows running; `None` for
    /// every other event (a failed exec changed nothing).
    pub fn started(&self) -> Option<Started<'_, S>> {
        match self {
            Body::ProcSnapshot {
                ppid,
                exe,
                argv,
                cwd,
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
                ..
            }
            | Body::Execve {
                res: 0,
                ppid,
                exe,
                argv,
                cwd,
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
                ..
            }
            | Body::Execveat {
                res: 0,
                ppid,
                exe,
                argv,
                cwd,
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
                ..
            } => Some(Started {
                ppid: *ppid,
                exe,
                argv,
                cwd,
                loginuid: *loginuid,
                sid: *sid,
                tty: *tty,
                cap_effective: *cap_effective,
                cap_permitted: *cap_permitted,
                flags: *flags,
                stdin: (*stdin_type, *stdin_ino),
                stdout: (*stdout_type, *stdout_ino),
                start_ts: match self {
                    Body::ProcSnapshot { start_ts, .. } => *start_ts,
                    _ => 0,
                },
                env,
                pgid: *pgid,
            }),
            _ => None,
        }
    }

    /// Whether the recorder wrote this about itself or the host (start, stop,
    /// lost events, cgroup names), not about what a process did.
    pub fn is_recorder_note(&self) -> bool {
        matches!(
            self,
            Body::RecorderStart { .. }
                | Body::RecorderStop { .. }
                | Body::Lost { .. }
                | Body::Cgroup { .. }
                | Body::Container { .. }
        )
    }

    /// For a successful `clone`, `clone3`, `fork` or `vfork`: the child's pid
    /// and the clone flags, and whether the child is a new process (not a
    /// thread of this one). A failed call made no child.
    pub fn forked(&self, pid: u32) -> Option<(u32, u64, bool)> {
        match self {
            Body::Clone {
                res,
                child_pid,
                flags,
                ..
            }
            | Body::Clone3 {
                res,
                child_pid,
                flags,
                ..
            }
            | Body::Fork {
                res,
                child_pid,
                flags,
                ..
            }
            | Body::Vfork {
                res,
                child_pid,
                flags,
                ..
            } if *res >= 0 => {
                let child = *child_pid as u32;
                // CLONE_THREAD (0x10000), or a child id equal to ours: a thread.
                Some((child, *flags, child != pid && flags & 0x10000 == 0))
            }
            _ => None,
        }
    }
}

impl Kind {
    /// Position in [`Kind::ALL`].
    #[inline]
    pub fn dense(self) -> usize {
        DENSE[self as usize] as usize
    }
}

/// The kinds that change which processes exist, what they run, or whether
/// the file they run still exists: snapshots, execs, forks and exits,
/// cgroup names and containers, unlinks and renames. A writer keeps them in chunks of their
/// own (SPEC.md §4.4), so a reader that builds the process history reads
/// those chunks only.
pub const PROCESS_KINDS: [Kind; 16] = [
    Kind::ProcSnapshot,
    Kind::Execve,
    Kind::Execveat,
    Kind::Clone,
    Kind::Clone3,
    Kind::Fork,
    Kind::Vfork,
    Kind::ProcExit,
    Kind::Cgroup,
    Kind::Container,
    Kind::Unlink,
    Kind::Unlinkat,
    Kind::Rename,
    Kind::Renameat,
    Kind::Renameat2,
    Kind::ExeHash,
];

impl Kind {
    /// Whether the kind is one of [`PROCESS_KINDS`].
    pub fn is_process_kind(self) -> bool {
        PROCESS_KINDS.contains(&self)
    }
}

/// `execve`/`proc_snapshot` `flags`: argv was cut at the recorder's limit.
pub const EXEC_ARGV_TRUNCATED: u64 = 1;
/// `execve`/`proc_snapshot` `flags`: a path was cut at the recorder's limit.
pub const EXEC_PATH_TRUNCATED: u64 = 2;
/// `execve`/`proc_snapshot` `flags`: the executable is a memfd (fileless).
pub const EXEC_FROM_MEMFD: u64 = 4;
/// `execve`/`proc_snapshot` `flags`: the executable file has been deleted.
pub const EXEC_DELETED: u64 = 8;
/// `execve`/`proc_snapshot` `flags`: the executable lives in an overlayfs upper layer.
pub const EXEC_UPPER_LAYER: u64 = 16;
/// `execve`/`proc_snapshot` `flags`: the environment was cut at the recorder's limit.
pub const EXEC_ENV_TRUNCATED: u64 = 32;

/// Values of the `fdtype` field (SPEC.md §5.3).
pub mod fdtype {
    /// Not known.
    pub const UNKNOWN: u64 = 0;
    /// Regular file.
    pub const FILE: u64 = 1;
    /// Directory.
    pub const DIRECTORY: u64 = 2;
    /// Character or block device.
    pub const DEVICE: u64 = 3;
    /// Pipe or FIFO.
    pub const PIPE: u64 = 4;
    /// Socket.
    pub const SOCKET: u64 = 5;
    /// Anonymous inode (eventfd, epoll, signalfd, timerfd, bpf, ...).
    pub const ANON: u64 = 6;
    /// memfd.
    pub const MEMFD: u64 = 7;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_bounded() {
        let mut seen = std::collections::HashSet::new();
        for k in Kind::ALL {
            assert!(k.id() < KIND_ID_LIMIT);
            assert!(seen.insert(k.id()));
            assert_eq!(Kind::from_id(k.id()), Some(*k));
            assert_eq!(Kind::from_name(k.name()), Some(*k));
            assert_eq!(Kind::ALL[k.dense()], *k);
        }
    }
}
