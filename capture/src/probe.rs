//! The kernel side, loaded: the eBPF object, its programs attached by event
//! class, the ring buffer, the lost-event counters and the follow set.

use std::os::fd::{AsFd, AsRawFd};
use std::path::{Path, PathBuf};
use std::time::Duration;

use aya::maps::{Array, HashMap, MapData, PerCpuArray, RingBuf};

use crate::record::Calibration;
use aya::programs::tp_btf::BtfTracePointLinkId;
use aya::programs::trace_point::TracePointLinkId;
use aya::programs::{BtfTracePoint, ProgramError, TracePoint};
use aya::{Btf, Ebpf, EbpfLoader};
use shrike_format::{Class, Kind};

use crate::error::CaptureError;
use crate::features::KernelFeatures;

/// The eBPF object for kernels with `bpf_loop` (capture-ebpf/, built by build.rs).
pub static OBJECT_LOOP: &[u8] =
    aya::include_bytes_aligned!(concat!(env!("OUT_DIR"), "/shrike.bpf.o"));
/// The same programs for kernels without it: an unrolled, shallower path walk.
/// (An object that merely mentions a `bpf_loop` callback is refused whole
/// before 5.13, so the two cannot share one object.)
pub static OBJECT_UNROLLED: &[u8] =
    aya::include_bytes_aligned!(concat!(env!("OUT_DIR"), "/shrike_unrolled.bpf.o"));

/// How to load the programs.
#[derive(Clone, Debug)]
pub struct ProbeOptions {
    /// Process id never traced (the recorder itself).
    pub self_tgid: u32,
    /// Trace only the processes added with [`Probe::follow`] and their descendants.
    pub follow: bool,
    /// Ring buffer size in bytes (a power of two, at least one page).
    pub ring_bytes: u32,
    /// Event classes to attach.
    pub classes: Vec<Class>,
    /// What the running kernel can do ([`KernelFeatures::probe`]).
    pub features: KernelFeatures,
    /// Where the verifier's explanation goes if the kernel refuses a program.
    pub verifier_log: PathBuf,
}

/// What the programs of one tracepoint record: a program is attached when
/// one of its classes is chosen.
fn classes_of(program: &str) -> Option<&'static [Class]> {
    const PROCESS: &[Class] = &[Class::Process];
    const DNS_AND_IO: &[Class] = &[Class::Network, Class::Fd];
    const IO: &[Class] = &[Class::Fd];
    Some(match program {
        "sched_exec" | "sched_fork" | "sched_exit" => PROCESS,
        p if URING_PROGRAMS.contains(&p) => IO,
        p if DNS_PROGRAMS.contains(&p) => DNS_AND_IO,
        p if IO_PROGRAMS.contains(&p) => IO,
        p => {
            let class = syscall_kind(p)?.class();
            std::slice::from_ref(CLASSES.iter().find(|c| **c == class)?)
        }
    })
}

/// Every class, as a slice [`classes_of`] can hand out.
const CLASSES: &[Class] = &Class::ALL;

/// The programs that count bytes moved (`fd_io`) only.
const IO_PROGRAMS: &[&str] = &[
    "enter_close",
    "exit_pread64",
    "exit_pwrite64",
    "exit_readv",
    "exit_writev",
    "exit_sendfile64",
];

/// The programs that record io_uring's rings and requests (`io_uring_setup`, `io_uring`).
const URING_PROGRAMS: &[&str] = &["uring_create", "uring_submit", "uring_complete"];

/// The programs that record `dns` events and count bytes moved, on calls
/// that move data.
const DNS_PROGRAMS: &[&str] = &[
    "exit_read",
    "exit_write",
    "exit_sendto",
    "exit_recvfrom",
    "exit_sendmsg",
    "exit_recvmsg",
    "exit_sendmmsg",
    "exit_recvmmsg",
];

/// The kind a syscall program (`exit_openat`) records; `None` for the others.
fn syscall_kind(program: &str) -> Option<Kind> {
    let name = program
        .strip_prefix("enter_")
        .or_else(|| program.strip_prefix("exit_"))?;
    match name {
        // x86_64's umount2 has the tracepoint of `SYSCALL_DEFINE2(umount, ...)`.
        "umount" => Some(Kind::Umount2),
        n => Kind::from_name(n),
    }
}

/// The loaded and attached programs and their maps.
pub struct Probe {
    ebpf: Ebpf,
    /// Every attachment, so that they can be undone together ([`Probe::drop`]).
    links: Vec<Attached>,
    ring: RingBuf<MapData>,
    lost: PerCpuArray<MapData, u64>,
    /// Tracepoints that this kernel does not have and whose calls are not
    /// recorded at all (reported in the capture's configuration).
    pub missing: Vec<String>,
    /// Syscalls without a tracepoint of their own on this kernel, recorded as
    /// `syscall` events by the raw hook on `sys_exit`.
    pub raw: Vec<String>,
    /// Programs the kernel refused, with the verifier's reason (skipped, reported likewise).
    pub refused: Vec<String>,
    /// Programs attached.
    pub attached: usize,
}

impl Probe {
    /// Loads the object, sets its constants and attaches the programs of the chosen classes.
    pub fn load(opts: &ProbeOptions) -> Result<Probe, CaptureError> {
        let load_err = |what: String| CaptureError::Load(what);
        let f = &opts.features;
        let object = if f.bpf_loop {
            OBJECT_LOOP
        } else {
            OBJECT_UNROLLED
        };
        // Every constant the programs read, set before they are verified.
        let want = |k: Kind| u32::from(opts.classes.contains(&k.class()));
        let mut globals: Vec<(&str, u32)> = vec![
            ("self_tgid", opts.self_tgid),
            ("follow", u32::from(opts.follow)),
            ("have_task_pt_regs", u32::from(f.task_pt_regs)),
            ("exit_tp_group_dead", u32::from(f.exit_group_dead)),
            ("want_dns", want(Kind::Dns)),
            ("want_io", want(Kind::FdIo)),
        ];
        if let Some(u) = &f.uring {
            globals.extend([
                ("ur_sub_ctx", u.sub_ctx),
                ("ur_sub_req", u.sub_req),
                ("ur_sub_ud", u.sub_ud),
                ("ur_sub_op", u.sub_op),
                ("ur_sub_flags", u.sub_flags),
                ("ur_cmp_ctx", u.cmp_ctx),
                ("ur_cmp_req", u.cmp_req),
                ("ur_cmp_ud", u.cmp_ud),
                ("ur_cmp_res", u.cmp_res),
                ("ur_cmp_res8", u32::from(u.cmp_res8)),
                ("ur_cmp_cflags", u.cmp_cflags),
            ]);
        }
        let mut loader = EbpfLoader::new();
        for (name, v) in &globals {
            loader.override_global(name, v, true);
        }
        loader.map_max_entries("events", opts.ring_bytes);
        let mut ebpf = loader
            .load(object)
            .map_err(|e| load_err(format!("loading the eBPF object: {e}")))?;
        let btf = Btf::from_sys_fs()
            .map_err(|e| load_err(format!("reading kernel BTF (/sys/kernel/btf/vmlinux): {e}")))?;
        let mut names: Vec<String> = ebpf.programs().map(|(n, _)| n.to_string()).collect();
        // The programs that count bytes go last: a count begun before the
        // close and exit programs were attached would never be told.
        // A request remembered at its submission is forgotten at its
        // completion: the submit program goes after the complete one.
        names.sort_by_key(|n| {
            DNS_PROGRAMS.contains(&n.as_str())
                || (IO_PROGRAMS.contains(&n.as_str()) && n != "enter_close")
                || n == "uring_submit"
        });
        // Tracepoints the kernel lacks, with the kind their program records.
        let mut missing: Vec<(Option<Kind>, String)> = Vec::new();
        let mut refusals = Refusals::default();
        let mut attached = 0;
        let mut links = Vec::new();
        for name in names {
            if name == RAW_PROGRAM {
                continue; // attached below, if this kernel needs it
            }
            if URING_PROGRAMS.contains(&name.as_str()) && f.uring.is_none() {
                continue; // told in the capture's kernel_limits
            }
            let Some(classes) = classes_of(&name) else {
                return Err(load_err(format!("program {name} has no event class")));
            };
            let Some(&class) = classes.iter().find(|c| opts.classes.contains(c)) else {
                continue;
            };
            let prog = ebpf.program_mut(&name).expect("listed program");
            if name == "sched_fork" {
                let p: &mut BtfTracePoint = prog
                    .try_into()
                    .map_err(|e| load_err(format!("{name}: {e}")))?;
                if let Err(e) = p.load("sched_process_fork", &btf) {
                    refusals.add(&name, class, e);
                    continue;
                }
                let id = p.attach().map_err(|e| load_err(format!("{name}: {e}")))?;
                links.push(Attached::Btf(name.clone(), id));
            } else {
                let p: &mut TracePoint = prog
                    .try_into()
                    .map_err(|e| load_err(format!("{name}: {e}")))?;
                let (category, event) = tracepoint_of(&name, f);
                if let Err(e) = p.load() {
                    refusals.add(&name, class, e);
                    continue;
                }
                match p.attach(&category, &event) {
                    Ok(id) => links.push(Attached::Tp(name.clone(), id)),
                    Err(e) => {
                        // Some syscalls do not exist on every architecture or kernel build.
                        missing.push((syscall_kind(&name), format!("{category}/{event}: {e}")));
                        continue;
                    }
                }
            }
            attached += 1;
        }
        let raw = if f.raw_syscalls {
            attach_raw(&mut ebpf, &btf, &mut missing, &mut refusals, &mut links)?
        } else {
            Vec::new()
        };
        let missing = missing.into_iter().map(|(_, why)| why).collect();
        let refused = refusals.settle(&opts.verifier_log, attached)?;
        let ring = RingBuf::try_from(ebpf.take_map("events").expect("events map"))
            .map_err(|e| load_err(format!("ring buffer: {e}")))?;
        let lost = PerCpuArray::try_from(ebpf.take_map("lost").expect("lost map"))
            .map_err(|e| load_err(format!("lost counters: {e}")))?;
        Ok(Probe {
            ebpf,
            links,
            ring,
            lost,
            missing,
            raw,
            refused,
            attached,
        })
    }

    /// Finds the kernel's `FMODE_CREATED` bit (20 on older kernels, 21 since
    /// a reshuffle of the f_mode flags, and in no BTF): this thread
    /// creates a file in `dir` and opens it again, and the programs report
    /// the f_mode of each (the `calib` map). Unknown (0) without the openat
    /// program or if the two opens do not differ in exactly one candidate bit.
    pub fn calibrate(&mut self, dir: &Path) -> Calibration {
        let attached = self
            .links
            .iter()
            .any(|l| matches!(l, Attached::Tp(n, _) if n == "exit_openat"));
        let Some(map) = self.ebpf.map_mut("calib") else {
            return Calibration::default();
        };
        let Ok(mut calib) = Array::<_, u32>::try_from(map) else {
            return Calibration::default();
        };
        if !attached {
            return Calibration::default();
        }
        // SAFETY: plain getter.
        let tid = unsafe { libc::gettid() } as u32;
        let set = |m: &mut Array<&mut MapData, u32>, i: u32, v: u32| m.set(i, v, 0).is_ok();
        if !(set(&mut calib, 1, 0) && set(&mut calib, 2, 0) && set(&mut calib, 3, tid)) {
            return Calibration::default();
        }
        let path = dir.join(format!(
            ".shrike-fmode-{}-{tid}",
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos())
        ));
        set(&mut calib, 0, 1);
        let created = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path);
        let opened = created.is_ok().then(|| {
            std::fs::OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(false)
                .open(&path)
        });
        set(&mut calib, 0, 0);
        if created.is_ok() {
            let _ = std::fs::remove_file(&path);
        }
        if !matches!(opened, Some(Ok(_))) {
            return Calibration::default();
        }
        let (Ok(first), Ok(second)) = (calib.get(&1, 0), calib.get(&2, 0)) else {
            return Calibration::default();
        };
        let bit = first & !second & (1 << 20 | 1 << 21);
        Calibration {
            fmode_created: if bit.count_ones() == 1 { bit } else { 0 },
        }
    }

    /// Adds a process to the follow set (with `follow`, only it and its descendants are traced).
    pub fn follow(&mut self, pid: u32) -> Result<(), CaptureError> {
        let mut m: HashMap<_, u32, u8> =
            HashMap::try_from(self.ebpf.map_mut("followed").expect("followed map"))
                .map_err(|e| CaptureError::Load(format!("follow set: {e}")))?;
        m.insert(pid, 1, 0)
            .map_err(|e| CaptureError::Load(format!("follow set: {e}")))
    }

    /// The processes in the follow set now (the command and its live descendants).
    pub fn followed(&self) -> Vec<u32> {
        let Some(map) = self.ebpf.map("followed") else {
            return Vec::new();
        };
        HashMap::<_, u32, u8>::try_from(map)
            .map(|m| m.keys().filter_map(Result::ok).collect())
            .unwrap_or_default()
    }

    /// Waits up to `timeout` for records, then hands every available record to `f`.
    pub fn drain(&mut self, timeout: Duration, f: &mut dyn FnMut(&[u8])) -> usize {
        let mut pfd = libc::pollfd {
            fd: self.ring.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one valid pollfd; the result is only used as a hint.
        unsafe {
            libc::poll(
                &mut pfd,
                1,
                timeout.as_millis().min(i32::MAX as u128) as i32,
            )
        };
        let mut n = 0;
        while let Some(item) = self.ring.next() {
            f(&item);
            n += 1;
        }
        n
    }

    /// The bytes moved through fds not closed yet (the kernel's `io_bytes`):
    /// (pid, fd, counts), for the `fd_io` events of a recording's end.
    pub fn open_fd_counts(&self) -> Vec<(u32, i32, IoCount)> {
        let Some(map) = self.ebpf.map("io_bytes") else {
            return Vec::new();
        };
        let Ok(m) = HashMap::<_, u64, IoCount>::try_from(map) else {
            return Vec::new();
        };
        m.iter()
            .flatten()
            .map(|(k, v)| ((k >> 32) as u32, k as u32 as i32, v))
            .collect()
    }

    /// The io_uring requests submitted and not completed yet (the kernel's
    /// `uring_reqs`), for the `io_uring` events of a recording's end.
    pub fn pending_uring(&self) -> Vec<UringReq> {
        let Some(map) = self.ebpf.map("uring_reqs") else {
            return Vec::new();
        };
        let Ok(m) = HashMap::<_, [u64; 2], UringReq>::try_from(map) else {
            return Vec::new();
        };
        m.iter().flatten().map(|(_, v)| v).collect()
    }

    /// Events the kernel dropped so far: records that did not fit in the ring
    /// buffer (or found no free scratch buffer), and runs of the programs the
    /// kernel skipped because another BPF program was running on that CPU
    /// (a preempted syscall program, on newer kernels), which it counts per
    /// program as recursion misses.
    pub fn lost(&self) -> u64 {
        let ring: u64 = self.lost.get(&0, 0).map(|v| v.iter().sum()).unwrap_or(0);
        ring + self.recursion_misses()
    }

    /// The kernel's recursion-miss counts of every loaded program, summed
    /// (`/proc/self/fdinfo`, since 5.12; 0 where the kernel has no counter).
    fn recursion_misses(&self) -> u64 {
        self.ebpf
            .programs()
            .filter_map(|(_, p)| p.fd().ok())
            .filter_map(|fd| {
                let raw = fd.as_fd().as_raw_fd();
                let info = std::fs::read_to_string(format!("/proc/self/fdinfo/{raw}")).ok()?;
                fdinfo_value(&info, "recursion_misses")
            })
            .sum()
    }
}

/// A `name:\tvalue` line of an fdinfo file.
fn fdinfo_value(info: &str, name: &str) -> Option<u64> {
    info.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(':'))
        .and_then(|v| v.trim().parse().ok())
}

/// The program on the BTF raw tracepoint `sys_exit` (capture-ebpf/src/shrike.bpf.c).
const RAW_PROGRAM: &str = "raw_exit";

/// Moves the syscalls of `missing` tracepoints to the raw hook: sets their
/// numbers in the `untraced` map and attaches `raw_exit`, which runs for every
/// syscall and records those; what it covers leaves `missing`. Returns the
/// syscalls it covers (none: not attached).
fn attach_raw(
    ebpf: &mut Ebpf,
    btf: &Btf,
    missing: &mut Vec<(Option<Kind>, String)>,
    refusals: &mut Refusals,
    links: &mut Vec<Attached>,
) -> Result<Vec<String>, CaptureError> {
    let load_err = |what: String| CaptureError::Load(what);
    let covered: Vec<(Kind, u32)> = missing
        .iter()
        .filter_map(|(k, _)| {
            let k = (*k)?;
            Some((k, shrike_format::linux::syscall_nr(k.name())?))
        })
        .collect();
    if covered.is_empty() {
        return Ok(Vec::new());
    }
    let mut map: Array<_, u8> = Array::try_from(ebpf.map_mut("untraced").expect("untraced map"))
        .map_err(|e| load_err(format!("untraced syscalls map: {e}")))?;
    for (kind, nr) in &covered {
        map.set(*nr, 1, 0)
            .map_err(|e| load_err(format!("untraced syscalls map, {}: {e}", kind.name())))?;
    }
    let prog: &mut BtfTracePoint = ebpf
        .program_mut(RAW_PROGRAM)
        .expect("raw_exit program")
        .try_into()
        .map_err(|e| load_err(format!("{RAW_PROGRAM}: {e}")))?;
    if let Err(e) = prog.load("sys_exit", btf) {
        refusals.add(RAW_PROGRAM, Class::Kernel, e);
        return Ok(Vec::new());
    }
    match prog.attach() {
        Ok(id) => links.push(Attached::Btf(RAW_PROGRAM.to_string(), id)),
        Err(e) => {
            missing.push((None, format!("raw tracepoint sys_exit: {e}")));
            return Ok(Vec::new());
        }
    }
    missing.retain(|(k, _)| !covered.iter().any(|(c, _)| Some(*c) == *k));
    Ok(covered.iter().map(|(k, _)| k.name().to_string()).collect())
}

/// One program's attachment.
enum Attached {
    Tp(String, TracePointLinkId),
    Btf(String, BtfTracePointLinkId),
}

impl Drop for Probe {
    /// Detaches every program. Each detach waits for the kernel's tracepoint
    /// grace period (about 80 ms each on the test machine, 4.6 s for the ~60
    /// programs one after the other); on several threads at once the waits overlap.
    fn drop(&mut self) {
        // A link not taken here is detached with its program, afterwards.
        let mut owned: Vec<Box<dyn Send>> = Vec::new();
        for a in self.links.drain(..) {
            let taken: Option<Box<dyn Send>> = match a {
                Attached::Tp(name, id) => self.ebpf.program_mut(&name).and_then(|p| {
                    let p: &mut TracePoint = p.try_into().ok()?;
                    Some(Box::new(p.take_link(id).ok()?) as Box<dyn Send>)
                }),
                Attached::Btf(name, id) => self.ebpf.program_mut(&name).and_then(|p| {
                    let p: &mut BtfTracePoint = p.try_into().ok()?;
                    Some(Box::new(p.take_link(id).ok()?) as Box<dyn Send>)
                }),
            };
            owned.extend(taken);
        }
        const THREADS: usize = 16;
        let per = owned.len().div_ceil(THREADS).max(1);
        std::thread::scope(|s| {
            while !owned.is_empty() {
                let chunk: Vec<Box<dyn Send>> = owned.drain(..per.min(owned.len())).collect();
                s.spawn(move || drop(chunk));
            }
        });
    }
}

/// `enter_openat` → (`syscalls`, `sys_enter_openat`); scheduler programs by name.
fn tracepoint_of(program: &str, f: &KernelFeatures) -> (String, String) {
    match program {
        "uring_create" => ("io_uring".into(), "io_uring_create".into()),
        "uring_complete" => ("io_uring".into(), "io_uring_complete".into()),
        "uring_submit" => (
            "io_uring".into(),
            f.uring
                .as_ref()
                .map_or("io_uring_submit_req", |u| u.submit)
                .into(),
        ),
        "sched_exec" => ("sched".into(), "sched_process_exec".into()),
        "sched_exit" => ("sched".into(), "sched_process_exit".into()),
        p => {
            let (dir, name) = p.split_once('_').expect("enter_ or exit_ prefix");
            ("syscalls".into(), format!("sys_{dir}_{name}"))
        }
    }
}

/// Programs the kernel refused to load, with the verifier's words.
#[derive(Default)]
struct Refusals {
    /// (program, class, last line of the verifier's reason, whole log).
    all: Vec<(String, Class, String, String)>,
}

impl Refusals {
    fn add(&mut self, program: &str, class: Class, e: ProgramError) {
        let (reason, log) = match &e {
            ProgramError::LoadError {
                io_error,
                verifier_log,
            } => {
                let log = verifier_log.to_string();
                (
                    verifier_reason(&log).unwrap_or_else(|| io_error.to_string()),
                    log,
                )
            }
            other => (other.to_string(), String::new()),
        };
        self.all.push((program.to_string(), class, reason, log));
    }

    /// Writes every refusal's verifier log to `log_path`. Without the process
    /// programs a capture cannot tell who did anything, so their refusal (or
    /// every program's) stops the recording; other refusals are returned as
    /// sentences for the capture and the user.
    fn settle(
        self,
        log_path: &std::path::Path,
        attached: usize,
    ) -> Result<Vec<String>, CaptureError> {
        if self.all.is_empty() {
            return Ok(Vec::new());
        }
        let mut text = String::new();
        for (program, _, reason, log) in &self.all {
            text.push_str(&format!("==== {program}: {reason}\n{log}\n"));
        }
        let written = std::fs::write(log_path, text);
        let where_ = match &written {
            Ok(()) => format!("verifier log in {}", log_path.display()),
            Err(e) => format!(
                "the verifier log could not be written to {}: {e}",
                log_path.display()
            ),
        };
        let fatal = self
            .all
            .iter()
            .find(|(_, class, ..)| *class == Class::Process)
            .or((attached == 0).then(|| &self.all[0]));
        if let Some((program, _, reason, _)) = fatal {
            return Err(CaptureError::Load(format!(
                "the kernel refused {program} ({} program(s) refused in all): {reason}; {where_}",
                self.all.len()
            )));
        }
        Ok(self
            .all
            .iter()
            .map(|(program, _, reason, _)| format!("{program} refused by the kernel, its events are not recorded: {reason} ({where_})"))
            .collect())
    }
}

/// The verifier's own reason: the last line of its log that is not a statistic.
fn verifier_reason(log: &str) -> Option<String> {
    log.lines()
        .map(str::trim)
        .rfind(|l| {
            !l.is_empty()
                && !l.starts_with("processed ")
                && !l.starts_with("verification time")
                && !l.starts_with("stack depth")
                && !l.starts_with("max_states")
                && !l.starts_with("-- END PROG LOAD LOG --")
        })
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fdinfo_values_are_read_by_name() {
        let info = "pos:\t0\nflags:\t02000002\nprog_type:\t5\nrun_cnt:\t0\nrecursion_misses:\t17\nverified_insns:\t935\n";
        assert_eq!(fdinfo_value(info, "recursion_misses"), Some(17));
        assert_eq!(fdinfo_value(info, "verified_insns"), Some(935));
        assert_eq!(fdinfo_value("pos:\t0\n", "recursion_misses"), None);
    }
}

/// The kernel's count of bytes moved through one fd (`struct io_count` in
/// shrike.bpf.c).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct IoCount {
    /// Bytes read.
    pub read: u64,
    /// Bytes written.
    pub written: u64,
    /// Calls that read.
    pub reads: u32,
    /// Calls that wrote.
    pub writes: u32,
    /// The fd's `S_IFMT >> 12` when first counted.
    pub fdtype: u32,
    pad: u32,
}

// SAFETY: plain integers, no padding the kernel does not also have.
unsafe impl aya::Pod for IoCount {}

/// An io_uring request not completed yet: `struct shrike_uring_req`
/// (capture-ebpf/include/record.h; `layout::UREQ_*` and its sync test
/// check the offsets).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct UringReq {
    /// Submitted, boot-time ns.
    pub ts: u64,
    /// The submitter's tag.
    pub user_data: u64,
    file: u64,
    /// An open's flags (`known` has `UR_FLAGS_KNOWN`).
    pub flags: u32,
    /// An open's mode.
    pub mode: u32,
    /// The submitter.
    pub tgid: u32,
    /// See [`UringReq::tgid`].
    pub tid: u32,
    /// The ring's fd, -1 unknown.
    pub ring: i32,
    /// The request's fd (`known` has `UR_FD_KNOWN`).
    pub fd: i32,
    /// `IORING_OP_*`.
    pub op: u8,
    /// `UR_*` bits.
    pub known: u8,
    pad: [u8; 6],
    /// The submitter's comm, NUL-padded.
    pub comm: [u8; 16],
}

// SAFETY: plain integers, laid out as the C struct (checked by layout_sync).
unsafe impl aya::Pod for UringReq {}
