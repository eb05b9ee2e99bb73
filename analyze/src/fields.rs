//! Falco's fields (FALCO-FIELDS.md §1) over shrike events: names resolved once
//! at compile time to a [`Field`], values extracted per event. A field with
//! no value is *missing* (`None`), which makes every comparison false.

use std::borrow::Cow;
use std::net::IpAddr;

use shrike_format::linux::uring_op;
use shrike_format::{Body, CommonColumns, EventRef, Header, Kind, SockAddr, Value, fdtype};

use crate::history::{History, ProcInfo};

/// A value extracted from an event.
#[derive(Clone, Debug, PartialEq)]
pub enum Val<'a> {
    /// Bytes (strings are bytes).
    Str(Cow<'a, [u8]>),
    /// A number (signed and unsigned fields both fit).
    Num(i128),
    /// A boolean.
    Bool(bool),
    /// An IP address.
    Ip(IpAddr),
}

/// The type of a field, for checking literals and operators at compile time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Type {
    /// Byte string.
    Str,
    /// Number.
    Num,
    /// Boolean.
    Bool,
    /// IP address.
    Ip,
}

/// Which value a field extracts.
#[derive(Clone, Debug, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum Field {
    EvtType,
    EvtTime,
    EvtRawTime,
    EvtRes,
    EvtRawRes,
    EvtFailed,
    EvtDir,
    EvtIsOpenRead,
    EvtIsOpenWrite,
    EvtIsOpenExec,
    EvtIsOpenCreate,
    /// `evt.arg.NAME` (rendered, e.g. modes as flag names) or `evt.rawarg.NAME`.
    EvtArg(ArgField),
    EvtHostname,
    EvtNum,
    /// `proc.*` of ancestor N (0 = self).
    Proc(ProcField, usize),
    /// `proc.a*` without index: true if any ancestor (self excluded) matches.
    AnyAncestor(ProcField),
    ThreadTid,
    CapEffective,
    CapPermitted,
    UserUid,
    UserName,
    UserLoginUid,
    UserLoginName,
    GroupGid,
    GroupName,
    Fd(FdField),
    /// `container.id`: from the event's cgroup path; `host` outside containers.
    ContainerId,
    /// A container's metadata (`container.name`, `container.image*`,
    /// `container.privileged`, `container.mount.dest[KEY]`, `k8s.*`): Falco's
    /// values on the host; inside a container, what the recorder read from
    /// the runtime's state (the `container` event), missing where it said
    /// nothing (as in Falco before the runtime answers), and the mounts
    /// always (not recorded).
    ContainerMeta(ContainerMeta),
    /// `proc.vpid`: the pid in its own pid namespace: the pid on the host,
    /// missing inside a container (not recorded).
    ProcVpid,
    /// `proc.vpgid`: the process group in the process's own pid namespace:
    /// as `proc.vpid`, the host's value on the host, missing in a container.
    ProcVpgid,
    /// `proc.duration`: ns since the process was created (its fork, or the
    /// start a snapshot read); missing when that is unknown.
    ProcDuration,
    /// `proc.env`: the environment the program started with, `NAME=value`
    /// joined by spaces; `proc.env[NAME]`: that variable's value, empty
    /// when it is not set.
    ProcEnv(Option<Box<[u8]>>),
    /// `shrike.cgroup`: the event's cgroup path.
    Cgroup,
    /// `shrike.stdin.type` / `shrike.stdout.type` (fd 0 or 1) of the process's program at its start.
    StdioType(u8),
    /// `shrike.stdin.writer`: the program writing into the pipe that is the process's stdin.
    StdinWriter,
    /// `shrike.target.name`, `.exepath`, `.cmdline`: the process a ptrace
    /// or a signal was aimed at, as it was then (missing for a process
    /// group, or a pid the capture does not know).
    Target(ProcField),
    /// `shrike.exe.built_by` (`.cmdline`): the compiler or linker the capture
    /// saw asked to produce this program (`gcc -o /tmp/x`), if any.
    BuiltBy(bool),
    /// `shrike.exe.sha256`: the SHA-256 (hex) of the executable the process
    /// runs, as the recorder hashed it (`exe_hash`); missing when it did not.
    ExeSha256,
    /// `shrike.exe.hashes`: the same as Sysmon's `Hashes` writes it
    /// (`SHA256=…`), for Sigma's `Hashes`.
    ExeHashes,
    /// `shrike.previous.name`: the program the process ran before its last
    /// exec (`cargo run` execs the program it built); missing for a
    /// process that has not exec'd since it was forked.
    PreviousName,
    /// `shrike.stdin.writer.cmdline`: that program's command line (what a
    /// download piped into a shell fetched: the URL).
    StdinWriterCmdline,
    /// `fd.rip.name`, `fd.lip.name`, `fd.sip.name`, `fd.cip.name`: the name
    /// a DNS response recorded before the event gave for that end's address
    /// (the `FdField` says which end). Falco resolves the names a rule
    /// compares with when it runs; offline, the capture's answers stand in.
    FdIpName(FdField),
    /// `dns.*`: the DNS message of a `dns` event.
    Dns(DnsField),
    /// `shrike.bytes.read` / `shrike.bytes.written` (true): the bytes an
    /// `fd_io` event says were moved through its fd.
    Bytes(bool),
    /// `shrike.io_uring`: whether the event is a request submitted through
    /// io_uring (`io_uring` events), which no syscall tracepoint sees.
    IoUring,
    /// `shrike.io_uring.op`: that request's opcode (`OPENAT`).
    IoUringOp,
}

/// `dns.*`: shrike's fields for the DNS messages it records (Falco has none).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DnsField {
    /// `dns.name`: the name asked (the first question), in presentation form.
    Name,
    /// `dns.type`: the question's type (`A`, `AAAA`, `TYPE65534`).
    Type,
    /// `dns.rcode`: a response's code (`NOERROR`, `NXDOMAIN`); missing for a query.
    Rcode,
    /// `dns.answers`: a response's addresses and names, comma-separated.
    Answers,
    /// `dns.is_response`: the message is a response (its QR bit).
    IsResponse,
    /// `dns.id`: the message id.
    Id,
}

/// `evt.arg.NAME`: which of each kind's fields answers it, found once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArgField {
    /// The name after `evt.arg.`.
    pub name: String,
    /// `evt.rawarg`: numbers as they are, not rendered as flag names.
    pub raw: bool,
    /// For each kind id, the indices of the fields to try in turn (Falco's
    /// name first, then shrike's; [`NO_FIELD`] ends the list): the first
    /// with a value answers.
    at: Box<[[u8; 3]; 128]>,
}

const NO_FIELD: u8 = u8::MAX;

impl ArgField {
    fn new(name: &str, raw: bool) -> ArgField {
        let alias: &[&str] = match name {
            "name" | "pathname" | "path" => &["abspath", "path", "name"],
            "target" => &["oldpath", "target"],
            "linkpath" => &["newpath"],
            "oldpath" => &["oldabspath", "oldpath"],
            "newpath" => &["newabspath", "newpath"],
            "sig" => &["signal"],
            "pid" => &["target_pid"],
            "fd" => &["fd", "oldfd"],
            _ => &[],
        };
        let same = [name];
        let want: &[&str] = if alias.is_empty() { &same } else { alias };
        let mut at = Box::new([[NO_FIELD; 3]; 128]);
        for k in Kind::ALL {
            let found = want.iter().filter_map(|w| k.field_index(w));
            for (slot, i) in at[usize::from(k.id())].iter_mut().zip(found) {
                *slot = i as u8;
            }
        }
        ArgField {
            name: name.to_string(),
            raw,
            at,
        }
    }
}

/// Container metadata fields (see [`Field::ContainerMeta`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum ContainerMeta {
    Name,
    Image,
    ImageRepository,
    ImageTag,
    Privileged,
    MountDest,
    K8sNs,
    K8sPod,
}

/// Per-process fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum ProcField {
    Pid,
    Ppid,
    Name,
    Exe,
    ExePath,
    Args,
    Cmdline,
    Cwd,
    Tty,
    Sid,
    IsExeFromMemfd,
    IsExeDeleted,
    IsExeUpperLayer,
    /// `proc.is_vpgid_leader`: the process leads its process group (a
    /// command a shell started, not one a script ran); missing when the
    /// group is unknown. The same in every pid namespace.
    IsVpgidLeader,
    /// `proc.exeline`: argv[0] and the arguments, as the process was started
    /// (Sigma's CommandLine).
    ExeLine,
    /// `shrike.cwd`: the working directory as recorded, without the `/`
    /// Falco's `proc.cwd` ends with (Sigma's CurrentDirectory).
    CwdRecorded,
}

/// fd fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum FdField {
    Name,
    NameRaw,
    Directory,
    Filename,
    TypeChar,
    Type,
    Num,
    L4Proto,
    Sip,
    Cip,
    Sport,
    Cport,
    Lip,
    Rip,
    Lport,
    Rport,
    Ip,
    Port,
    Connected,
    SockFamily,
}

impl Field {
    /// The common columns this field reads besides pid and comm, which every
    /// scan decodes (the process history is found by pid).
    pub fn columns(&self) -> CommonColumns {
        match self {
            Field::ThreadTid => CommonColumns::TID,
            Field::UserUid | Field::UserName => CommonColumns::EUID,
            Field::GroupGid | Field::GroupName => CommonColumns::EGID,
            Field::ContainerId
            | Field::Cgroup
            | Field::ContainerMeta(_)
            | Field::ProcVpid
            | Field::ProcVpgid => CommonColumns::CGROUP,
            _ => CommonColumns::NONE,
        }
    }

    /// Resolves a field name and argument; `None` when shrike cannot provide it.
    pub fn resolve(name: &str, arg: Option<&str>) -> Option<Field> {
        let index = || arg.and_then(|a| a.parse::<usize>().ok());
        let proc = |f: ProcField, n: usize| Some(Field::Proc(f, n));
        Some(match name {
            "evt.type" => Field::EvtType,
            "evt.time" => Field::EvtTime,
            "evt.rawtime" => Field::EvtRawTime,
            "evt.res" => Field::EvtRes,
            "evt.rawres" => Field::EvtRawRes,
            "evt.failed" => Field::EvtFailed,
            "evt.dir" => Field::EvtDir,
            "evt.is_open_read" => Field::EvtIsOpenRead,
            "evt.is_open_write" => Field::EvtIsOpenWrite,
            "evt.is_open_exec" => Field::EvtIsOpenExec,
            "evt.is_open_create" => Field::EvtIsOpenCreate,
            "evt.hostname" => Field::EvtHostname,
            "evt.num" => Field::EvtNum,
            "evt.arg" => Field::EvtArg(ArgField::new(arg?, false)),
            "evt.rawarg" => Field::EvtArg(ArgField::new(arg?, true)),
            n if n.starts_with("evt.arg.") => {
                Field::EvtArg(ArgField::new(&n["evt.arg.".len()..], false))
            }
            n if n.starts_with("evt.rawarg.") => {
                Field::EvtArg(ArgField::new(&n["evt.rawarg.".len()..], true))
            }
            "proc.pid" => return proc(ProcField::Pid, 0),
            "proc.ppid" => return proc(ProcField::Ppid, 0),
            "proc.name" => return proc(ProcField::Name, 0),
            "proc.exe" => return proc(ProcField::Exe, 0),
            "proc.exepath" => return proc(ProcField::ExePath, 0),
            "proc.args" => return proc(ProcField::Args, 0),
            "proc.cmdline" => return proc(ProcField::Cmdline, 0),
            "proc.cwd" => return proc(ProcField::Cwd, 0),
            "proc.tty" => return proc(ProcField::Tty, 0),
            "proc.sid" => return proc(ProcField::Sid, 0),
            "proc.is_exe_from_memfd" => return proc(ProcField::IsExeFromMemfd, 0),
            "proc.exe_deleted" | "proc.is_exe_deleted" => return proc(ProcField::IsExeDeleted, 0),
            "proc.is_exe_upper_layer" => return proc(ProcField::IsExeUpperLayer, 0),
            "proc.is_vpgid_leader" => return proc(ProcField::IsVpgidLeader, 0),
            "proc.exeline" => return proc(ProcField::ExeLine, 0),
            "shrike.parent.exeline" => return proc(ProcField::ExeLine, 1),
            "shrike.cwd" => return proc(ProcField::CwdRecorded, 0),
            "proc.env" => Field::ProcEnv(arg.map(|a| a.as_bytes().into())),
            "proc.pname" => return proc(ProcField::Name, 1),
            "proc.pexe" => return proc(ProcField::Exe, 1),
            "proc.pexepath" => return proc(ProcField::ExePath, 1),
            "proc.pcmdline" => return proc(ProcField::Cmdline, 1),
            "proc.aname" | "proc.apid" | "proc.aexe" | "proc.aexepath" | "proc.acmdline" => {
                let f = match name {
                    "proc.aname" => ProcField::Name,
                    "proc.apid" => ProcField::Pid,
                    "proc.aexe" => ProcField::Exe,
                    "proc.aexepath" => ProcField::ExePath,
                    _ => ProcField::Cmdline,
                };
                match arg {
                    None => Field::AnyAncestor(f),
                    Some(_) => Field::Proc(f, index()?),
                }
            }
            "thread.tid" => Field::ThreadTid,
            "thread.cap_effective" => Field::CapEffective,
            "thread.cap_permitted" => Field::CapPermitted,
            "user.uid" => Field::UserUid,
            "user.name" => Field::UserName,
            "user.loginuid" => Field::UserLoginUid,
            "user.loginname" => Field::UserLoginName,
            "group.gid" => Field::GroupGid,
            "group.name" => Field::GroupName,
            "fd.name" => Field::Fd(FdField::Name),
            "fd.nameraw" => Field::Fd(FdField::NameRaw),
            "fd.directory" => Field::Fd(FdField::Directory),
            "fd.filename" => Field::Fd(FdField::Filename),
            "fd.typechar" => Field::Fd(FdField::TypeChar),
            "fd.type" => Field::Fd(FdField::Type),
            "fd.num" => Field::Fd(FdField::Num),
            "fd.l4proto" => Field::Fd(FdField::L4Proto),
            "fd.sip" => Field::Fd(FdField::Sip),
            "fd.cip" => Field::Fd(FdField::Cip),
            "fd.sport" => Field::Fd(FdField::Sport),
            "fd.cport" => Field::Fd(FdField::Cport),
            "fd.lip" => Field::Fd(FdField::Lip),
            "fd.rip" => Field::Fd(FdField::Rip),
            "fd.rip.name" => Field::FdIpName(FdField::Rip),
            "fd.lip.name" => Field::FdIpName(FdField::Lip),
            "fd.sip.name" => Field::FdIpName(FdField::Sip),
            "fd.cip.name" => Field::FdIpName(FdField::Cip),
            "shrike.bytes.read" => Field::Bytes(false),
            "shrike.bytes.written" => Field::Bytes(true),
            "shrike.io_uring" => Field::IoUring,
            "shrike.io_uring.op" => Field::IoUringOp,
            "dns.name" => Field::Dns(DnsField::Name),
            "dns.type" => Field::Dns(DnsField::Type),
            "dns.rcode" => Field::Dns(DnsField::Rcode),
            "dns.answers" => Field::Dns(DnsField::Answers),
            "dns.is_response" => Field::Dns(DnsField::IsResponse),
            "dns.id" => Field::Dns(DnsField::Id),
            "fd.lport" => Field::Fd(FdField::Lport),
            "fd.rport" => Field::Fd(FdField::Rport),
            "fd.ip" | "fd.net" => Field::Fd(FdField::Ip),
            "fd.snet" => Field::Fd(FdField::Sip),
            "fd.cnet" => Field::Fd(FdField::Cip),
            "fd.lnet" => Field::Fd(FdField::Lip),
            "fd.rnet" => Field::Fd(FdField::Rip),
            "fd.connected" => Field::Fd(FdField::Connected),
            "fd.sockfamily" => Field::Fd(FdField::SockFamily),
            "fd.port" => Field::Fd(FdField::Port),
            "container.id" => Field::ContainerId,
            "container.name" => Field::ContainerMeta(ContainerMeta::Name),
            "container.image" => Field::ContainerMeta(ContainerMeta::Image),
            "container.image.repository" => Field::ContainerMeta(ContainerMeta::ImageRepository),
            "container.image.tag" => Field::ContainerMeta(ContainerMeta::ImageTag),
            "container.privileged" => Field::ContainerMeta(ContainerMeta::Privileged),
            "container.mount.dest" if arg.is_some() => {
                Field::ContainerMeta(ContainerMeta::MountDest)
            }
            "k8s.ns.name" => Field::ContainerMeta(ContainerMeta::K8sNs),
            "k8s.pod.name" => Field::ContainerMeta(ContainerMeta::K8sPod),
            "proc.vpid" => Field::ProcVpid,
            "proc.vpgid" => Field::ProcVpgid,
            "proc.duration" => Field::ProcDuration,
            "shrike.cgroup" => Field::Cgroup,
            "shrike.stdin.type" => Field::StdioType(0),
            "shrike.stdout.type" => Field::StdioType(1),
            "shrike.stdin.writer" => Field::StdinWriter,
            "shrike.previous.name" => Field::PreviousName,
            "shrike.exe.sha256" => Field::ExeSha256,
            "shrike.exe.hashes" => Field::ExeHashes,
            "shrike.exe.built_by" => Field::BuiltBy(false),
            "shrike.exe.built_by.cmdline" => Field::BuiltBy(true),
            "shrike.target.name" => Field::Target(ProcField::Name),
            "shrike.target.exepath" => Field::Target(ProcField::ExePath),
            "shrike.target.cmdline" => Field::Target(ProcField::Cmdline),
            "shrike.stdin.writer.cmdline" => Field::StdinWriterCmdline,
            _ => return None,
        })
    }

    /// The field's value type.
    pub fn ty(&self) -> Type {
        match self {
            Field::EvtRawTime
            | Field::EvtRawRes
            | Field::EvtNum
            | Field::ThreadTid
            | Field::UserUid
            | Field::UserLoginUid
            | Field::GroupGid
            | Field::ProcVpid
            | Field::ProcVpgid
            | Field::ProcDuration => Type::Num,
            Field::ContainerMeta(ContainerMeta::Privileged) => Type::Bool,
            Field::Dns(DnsField::IsResponse) | Field::IoUring => Type::Bool,
            Field::Dns(DnsField::Id) | Field::Bytes(_) => Type::Num,
            Field::EvtFailed
            | Field::EvtIsOpenRead
            | Field::EvtIsOpenWrite
            | Field::EvtIsOpenExec
            | Field::EvtIsOpenCreate => Type::Bool,
            Field::Proc(f, _) | Field::AnyAncestor(f) => match f {
                ProcField::Pid | ProcField::Ppid | ProcField::Tty | ProcField::Sid => Type::Num,
                ProcField::IsExeFromMemfd
                | ProcField::IsExeDeleted
                | ProcField::IsExeUpperLayer
                | ProcField::IsVpgidLeader => Type::Bool,
                _ => Type::Str,
            },
            Field::Fd(f) => match f {
                FdField::Connected => Type::Bool,
                FdField::Num
                | FdField::Sport
                | FdField::Cport
                | FdField::Lport
                | FdField::Rport
                | FdField::Port => Type::Num,
                FdField::Sip | FdField::Cip | FdField::Lip | FdField::Rip | FdField::Ip => Type::Ip,
                _ => Type::Str,
            },
            _ => Type::Str,
        }
    }
}

/// Everything a field may need to answer for one event.
pub struct Ctx<'e, 'a> {
    /// The event.
    pub ev: &'e EventRef<'a>,
    /// The capture's header (host, users, groups).
    pub header: &'e Header,
    /// The process table.
    pub history: &'e History,
    /// The event's number in its file, from 1 (Falco's `evt.num`).
    pub num: u64,
    /// Results of conditions shared by several rules, worked out once per event.
    pub(crate) memo: Memo,
    /// The process and its first ancestors at the event's time, looked up once.
    near: [std::cell::OnceCell<Option<&'e ProcInfo>>; NEAR],
    /// Values of operands several comparisons share, extracted once per event.
    pub(crate) values: [std::cell::OnceCell<Option<Val<'e>>>; VALUE_SLOTS],
}

/// Operands whose values are cached per event.
pub(crate) const VALUE_SLOTS: usize = 8;

/// Ancestor levels (0 = the process itself) remembered per event.
const NEAR: usize = 3;

/// Per-event results of shared conditions: bit i of `known` says slot i is set.
#[derive(Default)]
pub(crate) struct Memo {
    known: std::cell::Cell<u64>,
    value: std::cell::Cell<u64>,
}

impl Memo {
    /// The result remembered in `slot`, if it was worked out for this event.
    #[inline]
    pub(crate) fn get(&self, slot: u8) -> Option<bool> {
        let bit = 1u64 << slot;
        (self.known.get() & bit != 0).then(|| self.value.get() & bit != 0)
    }

    /// Remembers `v` in `slot` for the rest of this event.
    #[inline]
    pub(crate) fn set(&self, slot: u8, v: bool) {
        let bit = 1u64 << slot;
        self.known.set(self.known.get() | bit);
        if v {
            self.value.set(self.value.get() | bit);
        }
    }
}

impl<'e, 'a> Ctx<'e, 'a> {
    /// The context for one event.
    pub fn new(ev: &'e EventRef<'a>, header: &'e Header, history: &'e History, num: u64) -> Self {
        Ctx {
            ev,
            header,
            history,
            num,
            memo: Memo::default(),
            near: Default::default(),
            values: Default::default(),
        }
    }

    /// Ancestor `n` of the event's process (0 = itself), as the history knows it at the event's time.
    pub fn ancestor(&self, n: usize) -> Option<&'e ProcInfo> {
        match self.near.get(n) {
            Some(cell) => *cell.get_or_init(|| self.history.ancestor(self.ev.pid, self.ev.ts, n)),
            None => self.history.ancestor(self.ev.pid, self.ev.ts, n),
        }
    }
}

fn s(b: &[u8]) -> Option<Val<'_>> {
    Some(Val::Str(Cow::Borrowed(b)))
}

fn owned<'a>(b: Vec<u8>) -> Option<Val<'a>> {
    Some(Val::Str(Cow::Owned(b)))
}

fn num<T: Into<i128>>(n: T) -> Option<Val<'static>> {
    Some(Val::Num(n.into()))
}

/// The errno name Falco prints for a failed syscall's `-errno`, `E<n>` for one Linux has no name for.
fn errno_name(e: i64) -> Cow<'static, [u8]> {
    match shrike_format::linux::errno_name(e.unsigned_abs()) {
        Some(n) => Cow::Borrowed(n.as_bytes()),
        None => Cow::Owned(format!("E{e}").into_bytes()),
    }
}

/// A file mode as Falco's flag names, e.g. `S_IXUSR|S_IWUSR|S_IRUSR|S_ISUID`
/// ("" for none, as libsinsp renders it).
fn mode_flags(m: u64) -> &'static [u8] {
    // Every chmod event of a scan asks for its mode's names: the 4096
    // combinations of the twelve bits are named once, then looked up.
    static ALL: std::sync::OnceLock<Vec<Vec<u8>>> = std::sync::OnceLock::new();
    let all = ALL.get_or_init(|| {
        (0..0o10000u64)
            .map(|m| match m {
                0 => Vec::new(),
                m => shrike_format::linux::Names::Mode.render(m).into_bytes(),
            })
            .collect()
    });
    &all[(m & 0o7777) as usize]
}

/// A capability set as Falco prints it: names joined by spaces.
fn caps(mask: u64) -> Vec<u8> {
    shrike_format::linux::Names::Caps.render(mask).into_bytes()
}

/// A `security.capability` value as `getcap` reads: "CAP_SETUID=ep".
pub fn file_caps_text(magic: u64, permitted: u64, inheritable: u64) -> String {
    let sets = |mask: u64| {
        shrike_format::linux::Names::Caps
            .render(mask)
            .replace(' ', ",")
    };
    let e = if magic & 1 != 0 { "e" } else { "" };
    let mut parts = Vec::new();
    if permitted != 0 {
        parts.push(format!("{}={e}p", sets(permitted)));
    }
    if inheritable != 0 {
        parts.push(format!("{}={e}i", sets(inheritable)));
    }
    if parts.is_empty() {
        "none".into()
    } else {
        parts.join(" ")
    }
}

/// The flags an inode-flag `ioctl` sets (SPEC.md §5.1), by name.
pub fn inode_flags_text(request: u64, flags: u64) -> String {
    // FS_IOC_FSSETXATTR takes FS_XFLAG_*; FS_IOC_SETFLAGS (either width) FS_*_FL.
    let (immutable, append) = if request == 0x401c_5820 {
        (0x8, 0x10)
    } else {
        (0x10, 0x20)
    };
    let mut names = Vec::new();
    if flags & immutable != 0 {
        names.push("immutable");
    }
    if flags & append != 0 {
        names.push("append-only");
    }
    let rest = flags & !(immutable | append);
    let mut out = if names.is_empty() {
        "no immutable or append-only".to_string()
    } else {
        names.join(", ")
    };
    if rest != 0 {
        out.push_str(&format!(" (flags {flags:#x})"));
    }
    out
}

/// What an `open`, `openat`, `openat2` or `creat` did.
#[derive(Clone, Copy, Debug)]
pub struct Opened<'a> {
    /// The new fd, or -errno.
    pub res: i64,
    /// The path as the process passed it.
    pub path: &'a [u8],
    /// The path opened.
    pub abspath: &'a [u8],
    /// `O_*` flags (`creat`'s are `O_CREAT|O_WRONLY|O_TRUNC`).
    pub flags: u64,
    /// The mode asked for a new file.
    pub mode: u64,
    /// 1 the open created the file, 2 it existed, 0 unknown (SPEC §5.1).
    pub created: u64,
}

/// The open-family event's facts; `None` for every other event.
pub fn opened<'a>(b: &Body<&'a [u8]>) -> Option<Opened<'a>> {
    match b {
        Body::Open {
            res,
            path,
            abspath,
            flags,
            mode,
            created,
            ..
        }
        | Body::Openat {
            res,
            path,
            abspath,
            flags,
            mode,
            created,
            ..
        }
        | Body::Openat2 {
            res,
            path,
            abspath,
            flags,
            mode,
            created,
            ..
        }
        | Body::Creat {
            res,
            path,
            abspath,
            flags,
            mode,
            created,
            ..
        } => Some(Opened {
            res: *res,
            path,
            abspath,
            flags: *flags,
            mode: *mode,
            created: *created,
        }),
        // An open through io_uring: the opened file's path; for one that
        // failed, the path it named when that is absolute (a relative one
        // is relative to a dirfd the event does not describe).
        Body::IoUring {
            res,
            op: uring_op::OPENAT | uring_op::OPENAT2,
            path,
            open_path,
            flags,
            mode,
            created,
            ..
        } => Some(Opened {
            res: *res,
            path: open_path,
            abspath: if !path.is_empty() {
                path
            } else if open_path.starts_with(b"/") {
                open_path
            } else {
                &[]
            },
            flags: *flags,
            mode: *mode,
            created: *created,
        }),
        _ => None,
    }
}

/// What the event's fd refers to: (fd number, path, socket client, socket server, local, remote, proto, fdtype).
struct FdView<'a> {
    num: Option<i64>,
    path: Option<&'a [u8]>,
    /// The path as the process passed it (`fd.nameraw`), where the call took one.
    raw: Option<&'a [u8]>,
    local: SockAddr<&'a [u8]>,
    remote: SockAddr<&'a [u8]>,
    /// Whether local is the client side (connect) or the server side (accept, bind, listen).
    local_is_client: bool,
    proto: u64,
    fdtype: u64,
}

fn fd_view<'a>(ev: &EventRef<'a>) -> Option<FdView<'a>> {
    let file = |num: i64, path: &'a [u8]| FdView {
        num: Some(num),
        path: Some(path),
        raw: None,
        local: SockAddr::None,
        remote: SockAddr::None,
        local_is_client: false,
        proto: 0,
        fdtype: fdtype::FILE,
    };
    Some(match &ev.body {
        // libsinsp: a failed open's fd is -1 (its error is evt.res), and a
        // directory opened with O_DIRECTORY is of type `d`.
        b if opened(b).is_some() => {
            let Opened {
                res,
                path,
                abspath,
                flags,
                ..
            } = opened(b).expect("an open");
            FdView {
                raw: Some(path),
                fdtype: if flags & 0o200000 != 0 {
                    fdtype::DIRECTORY
                } else {
                    fdtype::FILE
                },
                ..file(res.max(-1), abspath)
            }
        }
        Body::Fchmod { fd, abspath, .. }
        | Body::Fchown { fd, abspath, .. }
        | Body::Ftruncate { fd, abspath, .. }
        | Body::Fchdir { fd, abspath, .. }
        | Body::Fsetxattr { fd, abspath, .. }
        | Body::Fremovexattr { fd, abspath, .. }
        | Body::Ioctl { fd, abspath, .. } => file(*fd, abspath),
        // futimens(fd): utimensat with no path changes the file behind dirfd.
        Body::Utimensat {
            dirfd,
            path: [],
            abspath,
            ..
        } => file(*dirfd, abspath),
        Body::Mmap { fd, path, .. } | Body::FinitModule { fd, path, .. } if *fd >= 0 => {
            file(*fd, path)
        }
        Body::MemfdCreate { res, .. } => FdView {
            raw: None,
            fdtype: fdtype::MEMFD,
            ..file(*res, b"")
        },
        Body::Connect {
            fd,
            proto,
            laddr,
            raddr,
            ..
        }
        | Body::Dns {
            fd,
            proto,
            laddr,
            raddr,
            ..
        } => FdView {
            raw: None,
            num: Some(*fd),
            path: None,
            local: *laddr,
            remote: *raddr,
            local_is_client: true,
            proto: *proto,
            fdtype: fdtype::SOCKET,
        },
        Body::Accept {
            res,
            proto,
            laddr,
            raddr,
            ..
        }
        | Body::Accept4 {
            res,
            proto,
            laddr,
            raddr,
            ..
        } => FdView {
            raw: None,
            num: Some(*res),
            path: None,
            local: *laddr,
            remote: *raddr,
            local_is_client: false,
            proto: *proto,
            fdtype: fdtype::SOCKET,
        },
        Body::IoUring {
            res,
            op,
            fd,
            fdtype: t,
            path,
            proto,
            laddr,
            raddr,
            ..
        } => {
            let accepted = *op == uring_op::ACCEPT;
            FdView {
                raw: None,
                num: if accepted {
                    Some(*res)
                } else {
                    (*fd >= 0).then_some(*fd)
                },
                path: (*t != fdtype::SOCKET).then_some(*path),
                local: *laddr,
                remote: *raddr,
                local_is_client: !accepted,
                proto: *proto,
                fdtype: *t,
            }
        }
        Body::Bind {
            fd, proto, laddr, ..
        }
        | Body::Listen {
            fd, proto, laddr, ..
        } => FdView {
            raw: None,
            num: Some(*fd),
            path: None,
            local: *laddr,
            remote: SockAddr::None,
            local_is_client: false,
            proto: *proto,
            fdtype: fdtype::SOCKET,
        },
        Body::FdIo {
            fd: newfd,
            fdtype: t,
            path,
            proto,
            laddr,
            raddr,
            ..
        }
        | Body::Dup {
            newfd,
            fdtype: t,
            path,
            proto,
            laddr,
            raddr,
            ..
        }
        | Body::Dup2 {
            newfd,
            fdtype: t,
            path,
            proto,
            laddr,
            raddr,
            ..
        }
        | Body::Dup3 {
            newfd,
            fdtype: t,
            path,
            proto,
            laddr,
            raddr,
            ..
        } => FdView {
            raw: None,
            num: Some(*newfd),
            path: (*t != fdtype::SOCKET).then_some(*path),
            local: *laddr,
            remote: *raddr,
            local_is_client: true,
            proto: *proto,
            fdtype: *t,
        },
        _ => return None,
    })
}

fn addr_text(a: &SockAddr<&[u8]>) -> String {
    match a {
        SockAddr::V4 { port, .. } | SockAddr::V6 { port, .. } => {
            format!("{}:{port}", a.ip().expect("inet"))
        }
        SockAddr::Unix(p) => String::from_utf8_lossy(p).into_owned(),
        _ => String::new(),
    }
}

/// Falco's `evt.type`: the syscall's name, for a `syscall` event too (as
/// libsinsp names its generic events).
pub fn evt_type(ev: &EventRef<'_>) -> &'static str {
    match (&ev.body, ev.kind()) {
        (Body::Syscall { nr, .. }, _) => {
            shrike_format::linux::syscall_name(*nr).unwrap_or("syscall")
        }
        // A request through io_uring is of the syscall whose work it does
        // (`shrike.io_uring` tells them apart), else `io_uring`.
        (Body::IoUring { op, .. }, _) => {
            shrike_format::linux::uring_op_syscall(*op).unwrap_or("io_uring")
        }
        (_, Some(k)) => k.name(),
        (_, None) => "unknown",
    }
}

/// Extracts `f` for the event in `c`; `None` when the value is missing.
pub fn extract<'e, 'a>(f: &Field, c: &Ctx<'e, 'a>) -> Option<Val<'e>> {
    let ev = c.ev;
    match f {
        Field::EvtType => s(evt_type(ev).as_bytes()),
        Field::EvtTime => {
            owned(crate::time::time_of_day(crate::time::wall_ns(c.header, ev.ts)).into_bytes())
        }
        Field::EvtRawTime => num(crate::time::wall_ns(c.header, ev.ts)),
        Field::EvtRes => ev.body.res().map(|r| {
            Val::Str(if r >= 0 {
                Cow::Borrowed(b"SUCCESS")
            } else {
                errno_name(-r)
            })
        }),
        Field::EvtRawRes => ev.body.res().and_then(num),
        Field::EvtFailed => ev.body.res().map(|r| Val::Bool(r < 0)),
        Field::EvtDir => s(b"<"),
        Field::EvtIsOpenRead => Some(Val::Bool(
            opened(&ev.body).is_some_and(|o| o.flags & 3 != 1),
        )),
        Field::EvtIsOpenWrite => Some(Val::Bool(
            opened(&ev.body).is_some_and(|o| o.flags & 3 != 0),
        )),
        Field::EvtIsOpenExec => {
            Some(Val::Bool(opened(&ev.body).is_some_and(|o| {
                o.flags & 0o20100000 != 0 && o.mode & 0o111 != 0
            })))
        }
        // libsinsp: the kernel's FMODE_CREATED; where the recorder could not
        // tell (older files, an uncalibrated kernel), that O_CREAT was asked.
        Field::EvtIsOpenCreate => Some(Val::Bool(opened(&ev.body).is_some_and(
            |o| match o.created {
                1 => true,
                2 => false,
                _ => o.flags & 0o100 != 0 && o.res >= 0,
            },
        ))),
        Field::EvtHostname => s(c.header.hostname.as_bytes()),
        Field::EvtNum => num(c.num),
        Field::EvtArg(a) => arg(ev, a, c.header),
        Field::Proc(pf, n) => {
            // The event's own thread knows its comm and pid without the
            // history (and is not looked up there for them).
            if *n == 0 && *pf == ProcField::Name {
                return s(ev.comm);
            }
            if *n == 0 && *pf == ProcField::Pid {
                return num(ev.pid);
            }
            proc_field(*pf, c.ancestor(*n)?)
        }
        // In a condition the compiler tests ancestor by ancestor; in an output,
        // libsinsp prints every ancestor's value (self excluded), space-separated,
        // and `proc.apid` the process's own pid.
        Field::AnyAncestor(ProcField::Pid) => num(ev.pid),
        Field::AnyAncestor(f) => {
            let mut parts = Vec::new();
            for n in 1..64 {
                let Some(p) = c.ancestor(n) else { break };
                if let Some(v) = proc_field(*f, p) {
                    parts.push(crate::output::render(Some(&v)));
                }
            }
            (!parts.is_empty()).then(|| Val::Str(Cow::Owned(parts.join(" ").into_bytes())))
        }
        Field::ThreadTid => num(ev.tid),
        Field::CapEffective => owned(caps(c.ancestor(0)?.image.cap_effective)),
        Field::CapPermitted => owned(caps(c.ancestor(0)?.image.cap_permitted)),
        Field::UserUid => num(ev.euid),
        Field::UserName => s(c.header.user_name(ev.euid).unwrap_or("<NA>").as_bytes()),
        Field::UserLoginUid => {
            let l = c
                .ancestor(0)
                .map_or(u64::from(u32::MAX), |p| p.image.loginuid);
            num(if l == u64::from(u32::MAX) {
                -1
            } else {
                l as i64
            })
        }
        Field::UserLoginName => {
            let l = c.ancestor(0)?.image.loginuid;
            s(c.header.user_name(l as u32).unwrap_or("<NA>").as_bytes())
        }
        Field::GroupGid => num(ev.egid),
        Field::GroupName => s(c.header.group_name(ev.egid).unwrap_or("<NA>").as_bytes()),
        Field::Fd(ff) => fd_field(*ff, &fd_view(ev)?),
        Field::FdIpName(ff) => match fd_field(*ff, &fd_view(ev)?)? {
            Val::Ip(ip) => s(c.history.name_of(ip, ev.ts)?),
            _ => None,
        },
        Field::Bytes(written) => match &ev.body {
            Body::FdIo {
                read, written: w, ..
            } => num(if *written { *w } else { *read }),
            _ => None,
        },
        Field::IoUring => Some(Val::Bool(matches!(ev.body, Body::IoUring { .. }))),
        Field::IoUringOp => match &ev.body {
            Body::IoUring { op, .. } => s(shrike_format::linux::uring_op_name(*op)
                .unwrap_or("UNKNOWN")
                .as_bytes()),
            _ => None,
        },
        Field::Dns(f) => {
            let m = crate::dns::message(&ev.body)?;
            match f {
                DnsField::Name => owned(m.question?.0),
                DnsField::Type => owned(
                    crate::dns::type_name(m.question?.1)
                        .into_owned()
                        .into_bytes(),
                ),
                DnsField::Rcode if m.response => {
                    owned(crate::dns::rcode_name(m.rcode).into_owned().into_bytes())
                }
                DnsField::Rcode => None,
                DnsField::Answers => owned(m.answer_list()),
                DnsField::IsResponse => Some(Val::Bool(m.response)),
                DnsField::Id => num(m.id),
            }
        }
        Field::ContainerId => {
            let path = c.history.cgroup_path(ev.cgroup)?;
            owned(container_id(path).map_or(b"host".to_vec(), <[u8]>::to_vec))
        }
        Field::ContainerMeta(m) => {
            let path = c.history.cgroup_path(ev.cgroup)?;
            if container_id(path).is_some() {
                // Inside a container: what the recorder read of it, if it could.
                return container_meta(*m, c.history.container(ev.cgroup)?);
            }
            match m {
                ContainerMeta::Name => s(b"host"),
                ContainerMeta::Image | ContainerMeta::ImageRepository | ContainerMeta::ImageTag => {
                    s(b"")
                }
                ContainerMeta::Privileged => Some(Val::Bool(false)),
                ContainerMeta::MountDest | ContainerMeta::K8sNs | ContainerMeta::K8sPod => None,
            }
        }
        Field::ProcVpid | Field::ProcVpgid => {
            let path = c.history.cgroup_path(ev.cgroup)?;
            if container_id(path).is_some() {
                return None;
            }
            if *f == Field::ProcVpid {
                return num(ev.pid);
            }
            let pgid = c.ancestor(0)?.image.pgid;
            (pgid != 0).then(|| Val::Num(pgid.into()))
        }
        Field::ProcEnv(name) => {
            let img = &c.ancestor(0)?.image;
            match name {
                Some(name) => s(img.env_var(name).unwrap_or_default()),
                None => owned(img.env_vars().collect::<Vec<_>>().join(&b' ')),
            }
        }
        Field::ProcDuration => {
            let born = c.ancestor(0)?.born;
            (born != 0 && born <= ev.ts).then(|| Val::Num(i128::from(ev.ts - born)))
        }
        Field::Cgroup => s(c.history.cgroup_path(ev.cgroup)?),
        Field::StdioType(fd) => {
            let p = c.ancestor(0)?;
            let (t, ino) = if *fd == 0 {
                p.image.stdin
            } else {
                p.image.stdout
            };
            (t != 0 || ino != 0).then(|| Val::Str(Cow::Borrowed(fdtype_name(t))))
        }
        Field::PreviousName => s(c.history.previous(ev.pid, ev.ts)?.image.comm()),
        Field::ExeSha256 => s(c.history.exe_sha256(ev.pid, ev.ts)?),
        Field::ExeHashes => owned([b"SHA256=", c.history.exe_sha256(ev.pid, ev.ts)?].concat()),
        Field::BuiltBy(cmdline) => {
            let img = c.history.built_by(c.ancestor(0)?.image.exepath(), ev.ts)?;
            if *cmdline {
                owned(img.cmdline())
            } else {
                s(img.comm())
            }
        }
        Field::Target(f) => {
            let pid = match &ev.body {
                Body::Ptrace { target_pid, .. }
                | Body::Kill { target_pid, .. }
                | Body::Tgkill { target_pid, .. } => *target_pid,
                _ => return None,
            };
            proc_field(*f, c.history.at(u32::try_from(pid).ok()?, ev.ts)?)
        }
        Field::StdinWriter => {
            let (t, ino) = c.ancestor(0)?.image.stdin;
            if t != fdtype::PIPE {
                return None;
            }
            s(c.history.pipe_writer(ino)?.comm())
        }
        Field::StdinWriterCmdline => {
            let (t, ino) = c.ancestor(0)?.image.stdin;
            if t != fdtype::PIPE {
                return None;
            }
            let w = c.history.pipe_writer(ino)?;
            owned(w.cmdline())
        }
    }
}

/// The name of an fd type, as `shrike.stdin.type` gives it.
fn fdtype_name(t: u64) -> &'static [u8] {
    match t {
        fdtype::FILE => b"file",
        fdtype::DIRECTORY => b"directory",
        fdtype::DEVICE => b"device",
        fdtype::PIPE => b"pipe",
        fdtype::SOCKET => b"socket",
        fdtype::ANON => b"anon",
        fdtype::MEMFD => b"memfd",
        _ => b"unknown",
    }
}

/// A container's metadata field, missing where its runtime's state said nothing.
fn container_meta<'e>(m: ContainerMeta, k: &'e crate::history::Container) -> Option<Val<'e>> {
    let text = |v: &'e [u8]| (!v.is_empty()).then_some(Val::Str(Cow::Borrowed(v)));
    let (repository, tag) = split_image(&k.image);
    match m {
        ContainerMeta::Name => text(&k.name),
        ContainerMeta::Image => text(&k.image),
        ContainerMeta::ImageRepository => text(repository),
        ContainerMeta::ImageTag => text(tag),
        ContainerMeta::Privileged => match k.privileged {
            shrike_format::containers::PRIVILEGED_YES => Some(Val::Bool(true)),
            shrike_format::containers::PRIVILEGED_NO => Some(Val::Bool(false)),
            _ => None,
        },
        ContainerMeta::K8sNs => text(&k.namespace),
        ContainerMeta::K8sPod => text(&k.pod),
        ContainerMeta::MountDest => None,
    }
}

/// An image reference's repository and tag: `registry:5000/app:v2@sha256:…`
/// is `registry:5000/app` and `v2` (a colon before the last `/` is a port).
pub fn split_image(image: &[u8]) -> (&[u8], &[u8]) {
    let name = image.split(|&c| c == b'@').next().unwrap_or_default();
    let slash = name.iter().rposition(|&c| c == b'/').map_or(0, |i| i + 1);
    match name[slash..].iter().position(|&c| c == b':') {
        Some(i) => (&name[..slash + i], &name[slash + i + 1..]),
        None => (name, b""),
    }
}

/// The short (12 hex digit) container id in a cgroup path, as Falco's
/// `container.id` shows it.
pub fn container_id(path: &[u8]) -> Option<&[u8]> {
    shrike_format::containers::container_id(path).map(|id| &id[..12])
}

fn proc_field<'e>(f: ProcField, p: &'e ProcInfo) -> Option<Val<'e>> {
    let img = &*p.image;
    match f {
        ProcField::Pid => num(p.pid),
        ProcField::Ppid => (p.ppid != 0).then(|| Val::Num(p.ppid.into())),
        ProcField::Name => s(img.comm()),
        ProcField::Exe => s(img.argv0()),
        ProcField::ExePath => s(img.exepath()),
        ProcField::Args => s(img.args()),
        ProcField::Cmdline => owned(img.cmdline()),
        ProcField::Cwd => {
            if img.cwd().ends_with(b"/") {
                return s(img.cwd());
            }
            owned([img.cwd(), b"/"].concat())
        }
        ProcField::Tty => num(img.tty),
        ProcField::Sid => num(img.sid),
        ProcField::IsExeFromMemfd => {
            Some(Val::Bool(img.flags & shrike_format::EXEC_FROM_MEMFD != 0))
        }
        ProcField::IsExeDeleted => Some(Val::Bool(img.flags & shrike_format::EXEC_DELETED != 0)),
        ProcField::IsExeUpperLayer => {
            Some(Val::Bool(img.flags & shrike_format::EXEC_UPPER_LAYER != 0))
        }
        ProcField::IsVpgidLeader => {
            (img.pgid != 0).then(|| Val::Bool(img.pgid == u64::from(p.pid)))
        }
        ProcField::ExeLine => owned(img.exeline()),
        ProcField::CwdRecorded => s(img.cwd()),
    }
}

/// `proc.*` of every ancestor (parent first), for the any-ancestor fields.
pub fn ancestors<'e>(c: &Ctx<'e, '_>, f: ProcField, mut each: impl FnMut(Val<'e>) -> bool) -> bool {
    for n in 1..64 {
        let Some(p) = c.ancestor(n) else {
            return false;
        };
        if let Some(v) = proc_field(f, p)
            && each(v)
        {
            return true;
        }
    }
    false
}

fn fd_field<'e>(f: FdField, v: &FdView<'e>) -> Option<Val<'e>> {
    let sock = v.fdtype == fdtype::SOCKET;
    let (client, server) = if v.local_is_client {
        (&v.local, &v.remote)
    } else {
        (&v.remote, &v.local)
    };
    let ip = |a: &SockAddr<&[u8]>| a.ip().map(Val::Ip);
    let port = |a: &SockAddr<&[u8]>| a.port().map(|p| Val::Num(p.into()));
    match f {
        // libsinsp: the path as passed, only runs of `/` made one.
        FdField::NameRaw if !sock && v.raw.is_some() => {
            let raw = v.raw.filter(|p| !p.is_empty())?;
            let mut out = Vec::with_capacity(raw.len());
            for &c in raw {
                if !(c == b'/' && out.last() == Some(&b'/')) {
                    out.push(c);
                }
            }
            owned(out)
        }
        FdField::Name | FdField::NameRaw => {
            if !sock {
                return v.path.filter(|p| !p.is_empty()).and_then(s);
            }
            if let SockAddr::Unix(_) = v.local {
                return owned(addr_text(&v.local).into_bytes());
            }
            if matches!(v.remote, SockAddr::None) {
                return owned(addr_text(&v.local).into_bytes());
            }
            owned(format!("{}->{}", addr_text(client), addr_text(server)).into_bytes())
        }
        FdField::Directory | FdField::Filename => {
            let p = v.path.filter(|p| !p.is_empty() && !sock)?;
            let cut = p.iter().rposition(|&c| c == b'/')?;
            if f == FdField::Directory {
                s(if cut == 0 { b"/" } else { &p[..cut] })
            } else {
                s(&p[cut + 1..])
            }
        }
        FdField::TypeChar | FdField::Type => {
            // A connect knows only the remote end's family.
            let end = if matches!(v.local, SockAddr::None) {
                &v.remote
            } else {
                &v.local
            };
            let (ch, name): (&[u8], &[u8]) = match (v.fdtype, end) {
                (fdtype::SOCKET, SockAddr::V4 { .. }) => (b"4", b"ipv4"),
                (fdtype::SOCKET, SockAddr::V6 { .. }) => (b"6", b"ipv6"),
                (fdtype::SOCKET, SockAddr::Unix(_)) => (b"u", b"unix"),
                (fdtype::SOCKET, _) => (b"o", b"<NA>"),
                (fdtype::DIRECTORY, _) => (b"d", b"directory"),
                (fdtype::PIPE, _) => (b"p", b"pipe"),
                (fdtype::FILE | fdtype::MEMFD | fdtype::DEVICE, _) => (b"f", b"file"),
                _ => (b"o", b"<NA>"),
            };
            s(if f == FdField::TypeChar { ch } else { name })
        }
        FdField::Num => v.num.and_then(num),
        FdField::L4Proto => s(match (sock, v.proto) {
            (true, 6) => b"tcp",
            (true, 17) => b"udp",
            (true, 1 | 58) => b"icmp",
            (true, 255) => b"raw",
            _ => b"<NA>",
        }),
        FdField::Sip => ip(server),
        FdField::Cip => ip(client),
        FdField::Sport => port(server),
        FdField::Cport => port(client),
        FdField::Lip => ip(&v.local),
        FdField::Rip => ip(&v.remote),
        FdField::Lport => port(&v.local),
        FdField::Rport => port(&v.remote),
        // Filter-only fields: either end of the connection (handled by the compiler); here the server side.
        FdField::Ip => ip(server),
        FdField::Port => port(server),
        FdField::Connected => Some(Val::Bool(sock && !matches!(v.remote, SockAddr::None))),
        FdField::SockFamily => match (sock, &v.local) {
            (true, SockAddr::V4 { .. } | SockAddr::V6 { .. }) => s(b"ip"),
            (true, SockAddr::Unix(_)) => s(b"unix"),
            _ => None,
        },
    }
}

/// `evt.arg.NAME`: the event's own field of that name, with Falco's names
/// as aliases, rendered as libsinsp renders it: flags, modes, signals,
/// requests and errnos by name (`shrike_format::linux`), user and group ids
/// by name from the capture's tables. `evt.rawarg.NAME` is the number.
fn arg<'e>(ev: &'e EventRef<'_>, a: &ArgField, header: &'e Header) -> Option<Val<'e>> {
    let tries = a.at.get(usize::from(ev.kind_id()))?;
    tries.iter().take_while(|&&i| i != NO_FIELD).find_map(|&i| {
        let field = ev.body.field(usize::from(i))?;
        let v = match field {
            Value::Str(b) if !b.is_empty() => return Some(Val::Str(Cow::Borrowed(b))),
            Value::Addr(a) if !matches!(a, SockAddr::None) => {
                return Some(Val::Str(Cow::Owned(addr_text(&a).into_bytes())));
            }
            f => f.number()?,
        };
        if a.raw {
            return Some(Val::Num(v));
        }
        let kind = ev.kind()?;
        let name = kind.fields()[usize::from(i)].name;
        if let Some(n) = shrike_format::linux::field_names(kind, name) {
            return Some(match n {
                shrike_format::linux::Names::Mode => Val::Str(Cow::Borrowed(mode_flags(v as u64))),
                // A result that is not an error reads as its number.
                shrike_format::linux::Names::Errno if v >= 0 => Val::Num(v),
                n => Val::Str(Cow::Owned(n.render(v as u64).into_bytes())),
            });
        }
        Some(match id_owner(kind, name) {
            Some(users) => Val::Str(Cow::Owned(id_name(header, users, v).into_bytes())),
            None => Val::Num(v),
        })
    })
}

/// Field `name` of `kind` with the number `v` as a person reading strace
/// expects it: flags, modes, signals, requests and errors by name, a created
/// file's mode in octal; `None` for a plain number (a pid, a size, a result
/// that is not an error).
pub fn named_value(kind: Kind, name: &str, v: i128) -> Option<String> {
    use shrike_format::linux::Names;
    match shrike_format::linux::field_names(kind, name) {
        // An address mmap returned, as addresses are read.
        Some(Names::Errno) if v >= 0 && kind == Kind::Mmap => Some(format!("{v:#x}")),
        Some(Names::Errno) if v >= 0 => None,
        // An io_uring request's flags are an open's: other requests have
        // none (an open's always has O_LARGEFILE), and 0 is no O_RDONLY.
        Some(Names::OpenFlags) if kind == Kind::IoUring && v == 0 => Some("0".into()),
        Some(n) => Some(n.render(v as u64)),
        None if name == "mode" && v == 0 => Some("0".into()),
        None if name == "mode" => Some(format!("0{v:o}")),
        None if name == "addr" => Some(format!("{v:#x}")),
        None if name.ends_with("dirfd") && v == -100 => Some("AT_FDCWD".into()),
        None => None,
    }
}

/// Whether field `name` of `kind` is a user id (`Some(true)`) or a group id
/// (`Some(false)`) that libsinsp renders by name.
fn id_owner(kind: Kind, name: &str) -> Option<bool> {
    use Kind::*;
    match (kind, name) {
        (Setuid | Setfsuid | Setreuid | Setresuid, "uid" | "ruid" | "euid" | "suid") => Some(true),
        (Chown | Lchown | Fchown | Fchownat, "uid") => Some(true),
        (Setgid | Setfsgid | Setregid | Setresgid, "gid" | "rgid" | "egid" | "sgid") => Some(false),
        (Chown | Lchown | Fchown | Fchownat, "gid") => Some(false),
        _ => None,
    }
}

/// A user (or group) id by name: `<NONE>` for -1 (unchanged), `<NA>` when
/// the capture's table does not know it.
fn id_name(header: &Header, users: bool, id: i128) -> String {
    if id == i128::from(u32::MAX) || id == -1 {
        return "<NONE>".into();
    }
    let Ok(id) = u32::try_from(id) else {
        return "<NA>".into();
    };
    let name = if users {
        header.user_name(id)
    } else {
        header.group_name(id)
    };
    name.unwrap_or("<NA>").to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_chmod_mode_is_named_bit_by_bit_as_falco_does() {
        assert_eq!(
            super::mode_flags(0o4755),
            b"S_IXOTH|S_IROTH|S_IXGRP|S_IRGRP|S_IXUSR|S_IWUSR|S_IRUSR|S_ISUID"
        );
        // The file type bits above the permissions are not named.
        assert_eq!(super::mode_flags(0o102644), super::mode_flags(0o2644));
        assert_eq!(super::mode_flags(0o2000), b"S_ISGID");
        assert_eq!(super::mode_flags(0), b"");
    }
}
