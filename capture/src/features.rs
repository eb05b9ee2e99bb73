//! What the running kernel can do, found by asking it (never by its version):
//! which BPF helpers the verifier knows and which fields a tracepoint has.
//! The loader picks the eBPF object and its constants from this, and what a
//! kernel cannot give becomes a plain sentence in the capture.

use std::io;
use std::path::Path;

/// BPF helper ids (UAPI `enum bpf_func_id`).
const BPF_FUNC_GET_CURRENT_TASK_BTF: i32 = 158;
const BPF_FUNC_TASK_PT_REGS: i32 = 175;
const BPF_FUNC_LOOP: i32 = 181;

/// The capabilities of the running kernel that shrike's programs depend on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KernelFeatures {
    /// `bpf_loop` (5.17): path walks as deep as [`DEPTH_LOOP`] directories.
    pub bpf_loop: bool,
    /// `bpf_task_pt_regs` and `bpf_get_current_task_btf` (5.15): syscall
    /// arguments from the helper rather than from the top of the kernel stack.
    pub task_pt_regs: bool,
    /// `sched_process_exit` carries `group_dead` (6.16).
    pub exit_group_dead: bool,
    /// The syscall-exit raw tracepoint (`sys_exit`, seen in tracefs as
    /// `raw_syscalls/sys_exit`): syscalls without a tracepoint
    /// of their own are still recorded, as `syscall` events.
    pub raw_syscalls: bool,
}

/// Deepest path walked with `bpf_loop` (`MAX_DEPTH` in capture-ebpf/src/shrike.bpf.c).
pub const DEPTH_LOOP: u32 = 40;
/// Deepest path walked without it.
pub const DEPTH_UNROLLED: u32 = 16;

impl KernelFeatures {
    /// Asks the running kernel; `tracefs` is its mount point (`/sys/kernel/tracing`).
    pub fn probe(tracefs: &Path) -> io::Result<KernelFeatures> {
        let format = tracefs.join("events/sched/sched_process_exit/format");
        let exit_group_dead = std::fs::read_to_string(&format)
            .map(|f| has_field(&f, "group_dead"))
            .unwrap_or(false);
        Ok(KernelFeatures {
            bpf_loop: helper_known(BPF_FUNC_LOOP)?,
            task_pt_regs: helper_known(BPF_FUNC_TASK_PT_REGS)?
                && helper_known(BPF_FUNC_GET_CURRENT_TASK_BTF)?,
            exit_group_dead,
            raw_syscalls: tracefs.join("events/raw_syscalls/sys_exit").is_dir(),
        })
    }

    /// These features with `spec`'s settings (`bpf_loop=0,task_pt_regs=1`)
    /// in place of the probed ones. `SHRIKE_KERNEL_OVERRIDE` runs, for tests,
    /// the programs an older kernel gets on a newer one (`=0`), or makes a
    /// kernel refuse programs it cannot run (`=1`). An unknown name is an
    /// error, so a test cannot pass by a typo.
    pub fn with_overrides(mut self, spec: &str) -> Result<KernelFeatures, String> {
        for item in spec.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            let (name, value) = match item.split_once('=') {
                Some((n, "0")) => (n, false),
                Some((n, "1")) => (n, true),
                _ => return Err(format!("{item:?} is not NAME=0 or NAME=1")),
            };
            match name {
                "bpf_loop" => self.bpf_loop = value,
                "task_pt_regs" => self.task_pt_regs = value,
                "exit_group_dead" => self.exit_group_dead = value,
                "raw_syscalls" => self.raw_syscalls = value,
                other => {
                    return Err(format!(
                        "unknown kernel feature {other:?} (known: bpf_loop, task_pt_regs, exit_group_dead, raw_syscalls)"
                    ));
                }
            }
        }
        Ok(self)
    }

    /// What this kernel costs a recording, one sentence each (empty when nothing).
    pub fn limits(&self) -> Vec<String> {
        let mut out = Vec::new();
        if !self.bpf_loop {
            out.push(format!(
                "no bpf_loop helper (Linux 5.17): paths deeper than {DEPTH_UNROLLED} directories are cut and marked as cut (with it: {DEPTH_LOOP})"
            ));
        }
        if !self.exit_group_dead {
            out.push(
                "sched_process_exit has no group_dead field (Linux 6.16): a process's end is read from its live-thread count, so two threads ending at the same instant may both be taken as its last"
                    .to_string(),
            );
        }
        out
    }
}

/// Whether a tracepoint format (tracefs `format` file) declares `field`.
fn has_field(format: &str, field: &str) -> bool {
    format.lines().any(|l| {
        l.trim_start().starts_with("field:")
            && l.split(';').next().is_some_and(|decl| {
                decl.rsplit([' ', '\t', '*'])
                    .next()
                    .is_some_and(|name| name == field)
            })
    })
}

/// Whether the verifier knows helper `id` for tracepoint programs: it loads
/// `call id; r0 = 0; exit` and reads why it was refused, as bpftool's
/// feature probe does. A known helper is refused for its missing arguments,
/// an unknown one as "unknown func" (or "invalid func" before 5.13).
fn helper_known(id: i32) -> io::Result<bool> {
    const BPF_PROG_LOAD: libc::c_long = 5;
    const BPF_PROG_TYPE_TRACEPOINT: u32 = 5;
    let insn = |code: u8, imm: i32| u64::from(code) | (u64::from(imm as u32) << 32);
    let insns = [insn(0x85, id), insn(0xb7, 0), insn(0x95, 0)];
    let license = c"GPL";
    let mut log = vec![0u8; 4096];
    // union bpf_attr for BPF_PROG_LOAD, up to log_buf; the rest stays zero.
    let mut attr = [0u64; 16];
    attr[0] = u64::from(BPF_PROG_TYPE_TRACEPOINT) | ((insns.len() as u64) << 32);
    attr[1] = insns.as_ptr() as u64;
    attr[2] = license.as_ptr() as u64;
    attr[3] = 1 | ((log.len() as u64) << 32); // log_level, log_size
    attr[4] = log.as_mut_ptr() as u64;
    // SAFETY: attr, insns, license and log outlive the call; the kernel
    // writes at most log.len() bytes into log.
    let fd = unsafe {
        libc::syscall(
            libc::SYS_bpf,
            BPF_PROG_LOAD,
            attr.as_mut_ptr(),
            std::mem::size_of_val(&attr),
        )
    };
    if fd >= 0 {
        // SAFETY: the kernel just returned this fd to us.
        unsafe { libc::close(fd as i32) };
        return Ok(true);
    }
    let err = io::Error::last_os_error();
    let text = String::from_utf8_lossy(&log[..log.iter().position(|&b| b == 0).unwrap_or(0)]);
    if text.contains("unknown func") || text.contains("invalid func") {
        return Ok(false);
    }
    if text.is_empty() {
        // Refused before the verifier ran (no permission, no BPF at all).
        return Err(err);
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tracepoint_fields_are_found_by_name() {
        let new = "\tfield:pid_t pid;\toffset:24;\tsize:4;\tsigned:1;\n\tfield:bool group_dead;\toffset:32;\tsize:1;\tsigned:0;\n";
        let old = "\tfield:pid_t pid;\toffset:24;\tsize:4;\tsigned:1;\n\tfield:int prio;\toffset:28;\tsize:4;\tsigned:1;\nprint fmt: \"group_dead=%d\"\n";
        assert!(has_field(new, "group_dead"));
        assert!(!has_field(old, "group_dead"));
        assert!(has_field(old, "prio"));
        assert!(!has_field(new, "dead"));
    }

    #[test]
    fn each_missing_capability_is_one_sentence() {
        let all = KernelFeatures {
            bpf_loop: true,
            task_pt_regs: true,
            exit_group_dead: true,
            raw_syscalls: true,
        };
        assert!(all.limits().is_empty());
        let old = KernelFeatures {
            bpf_loop: false,
            task_pt_regs: false,
            exit_group_dead: false,
            raw_syscalls: false,
        };
        let l = old.limits();
        assert_eq!(l.len(), 2);
        assert!(l[0].contains("16 directories"), "{l:?}");
    }

    #[test]
    fn overrides_set_features_and_refuse_unknown_names() {
        let all = KernelFeatures {
            bpf_loop: true,
            task_pt_regs: true,
            exit_group_dead: false,
            raw_syscalls: true,
        };
        let o = all
            .clone()
            .with_overrides("bpf_loop=0, exit_group_dead=1,raw_syscalls=0")
            .unwrap();
        assert!(!o.bpf_loop && o.task_pt_regs && o.exit_group_dead && !o.raw_syscalls);
        assert!(all.clone().with_overrides("bpf_lop=0").is_err());
        assert!(all.with_overrides("bpf_loop").is_err());
    }
}
