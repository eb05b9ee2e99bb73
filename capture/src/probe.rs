//! The kernel side, loaded: the eBPF object, its programs attached by event
//! class, the ring buffer, the lost-event counters and the follow set.

use std::os::fd::AsRawFd;
use std::time::Duration;

use aya::maps::{HashMap, MapData, PerCpuArray, RingBuf};
use aya::programs::{BtfTracePoint, TracePoint};
use aya::{Btf, Ebpf, EbpfLoader};
use shrike_format::{Class, Kind};

use crate::error::CaptureError;

/// The compiled eBPF object (capture-ebpf/, built by build.rs).
pub static OBJECT: &[u8] = aya::include_bytes_aligned!(concat!(env!("OUT_DIR"), "/shrike.bpf.o"));

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
}

/// What the programs of one tracepoint record.
fn class_of(program: &str) -> Option<Class> {
    let name = program
        .strip_prefix("enter_")
        .or_else(|| program.strip_prefix("exit_"))
        .unwrap_or(program);
    let kind = match name {
        "sched_exec" | "sched_fork" | "sched_exit" => return Some(Class::Process),
        "umount" => Kind::Umount2,
        n => Kind::from_name(n)?,
    };
    Some(kind.class())
}

/// The loaded and attached programs and their maps.
pub struct Probe {
    ebpf: Ebpf,
    ring: RingBuf<MapData>,
    lost: PerCpuArray<MapData, u64>,
    /// Tracepoints that this kernel does not have (skipped, reported in the capture's configuration).
    pub missing: Vec<String>,
    /// Programs attached.
    pub attached: usize,
}

impl Probe {
    /// Loads the object, sets its constants and attaches the programs of the chosen classes.
    pub fn load(opts: &ProbeOptions) -> Result<Probe, CaptureError> {
        let load_err = |what: String| CaptureError::Load(what);
        let follow = u32::from(opts.follow);
        let mut ebpf = EbpfLoader::new()
            .override_global("self_tgid", &opts.self_tgid, true)
            .override_global("follow", &follow, true)
            .map_max_entries("events", opts.ring_bytes)
            .load(OBJECT)
            .map_err(|e| load_err(format!("loading the eBPF object: {e}")))?;
        let btf = Btf::from_sys_fs()
            .map_err(|e| load_err(format!("reading kernel BTF (/sys/kernel/btf/vmlinux): {e}")))?;
        let names: Vec<String> = ebpf.programs().map(|(n, _)| n.to_string()).collect();
        let mut missing = Vec::new();
        let mut attached = 0;
        for name in names {
            let Some(class) = class_of(&name) else {
                return Err(load_err(format!("program {name} has no event class")));
            };
            if !opts.classes.contains(&class) {
                continue;
            }
            let prog = ebpf.program_mut(&name).expect("listed program");
            if name == "sched_fork" {
                let p: &mut BtfTracePoint = prog
                    .try_into()
                    .map_err(|e| load_err(format!("{name}: {e}")))?;
                p.load("sched_process_fork", &btf)
                    .map_err(|e| load_err(format!("{name}: {e}")))?;
                p.attach().map_err(|e| load_err(format!("{name}: {e}")))?;
            } else {
                let p: &mut TracePoint = prog
                    .try_into()
                    .map_err(|e| load_err(format!("{name}: {e}")))?;
                let (category, event) = tracepoint_of(&name);
                p.load().map_err(|e| load_err(format!("{name}: {e}")))?;
                if let Err(e) = p.attach(&category, &event) {
                    // Some syscalls do not exist on every architecture or kernel build.
                    missing.push(format!("{category}/{event}: {e}"));
                    continue;
                }
            }
            attached += 1;
        }
        let ring = RingBuf::try_from(ebpf.take_map("events").expect("events map"))
            .map_err(|e| load_err(format!("ring buffer: {e}")))?;
        let lost = PerCpuArray::try_from(ebpf.take_map("lost").expect("lost map"))
            .map_err(|e| load_err(format!("lost counters: {e}")))?;
        Ok(Probe {
            ebpf,
            ring,
            lost,
            missing,
            attached,
        })
    }

    /// Adds a process to the follow set (with `follow`, only it and its descendants are traced).
    pub fn follow(&mut self, pid: u32) -> Result<(), CaptureError> {
        let mut m: HashMap<_, u32, u8> =
            HashMap::try_from(self.ebpf.map_mut("followed").expect("followed map"))
                .map_err(|e| CaptureError::Load(format!("follow set: {e}")))?;
        m.insert(pid, 1, 0)
            .map_err(|e| CaptureError::Load(format!("follow set: {e}")))
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

    /// Records dropped by the kernel so far because the ring buffer was full (all CPUs).
    pub fn lost(&self) -> u64 {
        self.lost.get(&0, 0).map(|v| v.iter().sum()).unwrap_or(0)
    }
}

/// `enter_openat` → (`syscalls`, `sys_enter_openat`); scheduler programs by name.
fn tracepoint_of(program: &str) -> (String, String) {
    match program {
        "sched_exec" => ("sched".into(), "sched_process_exec".into()),
        "sched_exit" => ("sched".into(), "sched_process_exit".into()),
        p => {
            let (dir, name) = p.split_once('_').expect("enter_ or exit_ prefix");
            ("syscalls".into(), format!("sys_{dir}_{name}"))
        }
    }
}
