//! What the running kernel can do, found by asking it (never by its version):
//! which BPF helpers the verifier knows and which fields a tracepoint has.
//! The loader picks the eBPF object and its constants from this, and what a
//! kernel cannot give becomes a plain sentence in the capture.

use std::collections::HashMap;
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
    /// Where io_uring's tracepoints keep the fields the io_uring programs
    /// read; `None` when the kernel has no io_uring tracepoints (or ones
    /// whose fields shrike does not know).
    pub uring: Option<UringFields>,
}

/// The io_uring tracepoints of the running kernel: the submit tracepoint's
/// name (`io_uring_submit_req` since 6.4, `io_uring_submit_sqe` before) and
/// the byte offset of each field in its record (0: it has none). Read from
/// tracefs, because the fields moved between kernels (Debian's 5.10 has the
/// request in its submit tracepoint but not in its complete one).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UringFields {
    /// `io_uring_submit_req` or `io_uring_submit_sqe`.
    pub submit: &'static str,
    /// Submit: the ring, the request (0: absent), user_data, opcode.
    pub sub_ctx: u32,
    pub sub_req: u32,
    pub sub_ud: u32,
    pub sub_op: u32,
    /// Submit: the request's flags (`IOSQE_*` in their low bits; 0: absent).
    pub sub_flags: u32,
    /// Complete: the ring, the request (0: absent), user_data, result, cflags (0: absent).
    pub cmp_ctx: u32,
    pub cmp_req: u32,
    pub cmp_ud: u32,
    pub cmp_res: u32,
    /// The result is a long (8 bytes) rather than an int.
    pub cmp_res8: bool,
    pub cmp_cflags: u32,
}

impl UringFields {
    /// Reads the formats of io_uring's tracepoints under `tracefs`.
    fn probe(tracefs: &Path) -> Option<UringFields> {
        let dir = tracefs.join("events/io_uring");
        let read = |name: &str| std::fs::read_to_string(dir.join(name).join("format")).ok();
        let (submit, sub) = ["io_uring_submit_req", "io_uring_submit_sqe"]
            .into_iter()
            .find_map(|n| Some((n, read(n)?)))?;
        UringFields::from_formats(submit, &sub, &read("io_uring_complete")?)
    }

    /// The offsets in two tracepoint formats; `None` when a field the
    /// programs need is missing or not of the size they read.
    fn from_formats(submit: &'static str, sub: &str, cmp: &str) -> Option<UringFields> {
        let sub = fields(sub);
        let cmp = fields(cmp);
        // Each field with the sizes the programs can read.
        let at = |f: &HashMap<&str, (u32, u32)>, name: &str, sizes: &[u32]| {
            f.get(name)
                .filter(|(_, size)| sizes.contains(size))
                .map(|&(off, _)| off)
        };
        let (res, res_size) = *cmp.get("res")?;
        Some(UringFields {
            submit,
            sub_ctx: at(&sub, "ctx", &[8])?,
            sub_req: at(&sub, "req", &[8]).unwrap_or(0),
            sub_ud: at(&sub, "user_data", &[8])?,
            sub_op: at(&sub, "opcode", &[1])?,
            sub_flags: at(&sub, "flags", &[4, 8]).unwrap_or(0),
            cmp_ctx: at(&cmp, "ctx", &[8])?,
            cmp_req: at(&cmp, "req", &[8]).unwrap_or(0),
            cmp_ud: at(&cmp, "user_data", &[8])?,
            cmp_res: [4, 8].contains(&res_size).then_some(res)?,
            cmp_res8: res_size == 8,
            cmp_cflags: at(&cmp, "cflags", &[4]).unwrap_or(0),
        })
    }
}

/// Each field of a tracepoint format (tracefs `format` file): name → (offset, size).
fn fields(format: &str) -> HashMap<&str, (u32, u32)> {
    let mut out = HashMap::new();
    for l in format.lines() {
        let mut parts = l.trim().split(';').map(str::trim);
        let Some(decl) = parts.next().and_then(|d| d.strip_prefix("field:")) else {
            continue;
        };
        let Some(name) = decl.rsplit([' ', '\t', '*']).next() else {
            continue;
        };
        let mut num = |key: &str| {
            parts
                .next()
                .and_then(|p| p.strip_prefix(key))
                .and_then(|v| v.parse::<u32>().ok())
        };
        if let (Some(off), Some(size)) = (num("offset:"), num("size:")) {
            out.insert(name, (off, size));
        }
    }
    out
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
            uring: UringFields::probe(tracefs),
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
                "uring" if !value => self.uring = None,
                "uring" => return Err("uring can only be taken away (uring=0)".to_string()),
                other => {
                    return Err(format!(
                        "unknown kernel feature {other:?} (known: bpf_loop, task_pt_regs, exit_group_dead, raw_syscalls, uring=0)"
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
        if self.uring.is_none() {
            out.push(
                "no io_uring tracepoints this recorder can read (io_uring_submit_req or io_uring_submit_sqe, and io_uring_complete): requests submitted through io_uring are not recorded"
                    .to_string(),
            );
        }
        out
    }
}

/// Whether a tracepoint format (tracefs `format` file) declares `field`.
fn has_field(format: &str, field: &str) -> bool {
    fields(format).contains_key(field)
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

    /// Formats as tracefs prints them (fields only), on 6.18 and on Debian's
    /// 5.10, whose io_uring has 5.15's submit tracepoint (with the request)
    /// and an older complete one (without).
    const SUBMIT_6_18: &str = "\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n\tfield:void * ctx;\toffset:8;\tsize:8;\tsigned:0;\n\tfield:void * req;\toffset:16;\tsize:8;\tsigned:0;\n\tfield:unsigned long long user_data;\toffset:24;\tsize:8;\tsigned:0;\n\tfield:u8 opcode;\toffset:32;\tsize:1;\tsigned:0;\n\tfield:unsigned long long flags;\toffset:40;\tsize:8;\tsigned:0;\n";
    const COMPLETE_6_18: &str = "\tfield:void * ctx;\toffset:8;\tsize:8;\tsigned:0;\n\tfield:void * req;\toffset:16;\tsize:8;\tsigned:0;\n\tfield:u64 user_data;\toffset:24;\tsize:8;\tsigned:0;\n\tfield:int res;\toffset:32;\tsize:4;\tsigned:1;\n\tfield:unsigned cflags;\toffset:36;\tsize:4;\tsigned:0;\n";
    const SUBMIT_5_10: &str = "\tfield:void * ctx;\toffset:8;\tsize:8;\tsigned:0;\n\tfield:void * req;\toffset:16;\tsize:8;\tsigned:0;\n\tfield:u8 opcode;\toffset:24;\tsize:1;\tsigned:0;\n\tfield:u64 user_data;\toffset:32;\tsize:8;\tsigned:0;\n\tfield:u32 flags;\toffset:40;\tsize:4;\tsigned:0;\n";
    const COMPLETE_5_10: &str = "\tfield:void * ctx;\toffset:8;\tsize:8;\tsigned:0;\n\tfield:u64 user_data;\toffset:16;\tsize:8;\tsigned:0;\n\tfield:int res;\toffset:24;\tsize:4;\tsigned:1;\n\tfield:unsigned cflags;\toffset:28;\tsize:4;\tsigned:0;\n";

    #[test]
    fn io_uring_fields_are_found_where_each_kernel_keeps_them() {
        let new =
            UringFields::from_formats("io_uring_submit_req", SUBMIT_6_18, COMPLETE_6_18).unwrap();
        assert_eq!(
            (new.sub_ctx, new.sub_req, new.sub_ud, new.sub_op),
            (8, 16, 24, 32)
        );
        assert_eq!(
            (
                new.cmp_req,
                new.cmp_ud,
                new.cmp_res,
                new.cmp_res8,
                new.cmp_cflags
            ),
            (16, 24, 32, false, 36)
        );
        let old =
            UringFields::from_formats("io_uring_submit_sqe", SUBMIT_5_10, COMPLETE_5_10).unwrap();
        assert_eq!((old.sub_req, old.sub_op, old.sub_ud), (16, 24, 32));
        assert_eq!((new.sub_flags, old.sub_flags), (40, 40));
        assert_eq!((old.cmp_req, old.cmp_ud, old.cmp_res), (0, 16, 24));
        // A field the programs need, missing or of another size: not used.
        let no_op = SUBMIT_6_18.replace("opcode", "op");
        assert!(UringFields::from_formats("io_uring_submit_req", &no_op, COMPLETE_6_18).is_none());
        let wide_op = SUBMIT_6_18.replace("offset:32;\tsize:1", "offset:32;\tsize:4");
        assert!(
            UringFields::from_formats("io_uring_submit_req", &wide_op, COMPLETE_6_18).is_none()
        );
    }

    #[test]
    fn each_missing_capability_is_one_sentence() {
        let all = KernelFeatures {
            bpf_loop: true,
            task_pt_regs: true,
            exit_group_dead: true,
            raw_syscalls: true,
            uring: UringFields::from_formats("io_uring_submit_req", SUBMIT_6_18, COMPLETE_6_18),
        };
        assert!(all.uring.is_some());
        assert!(all.limits().is_empty());
        let old = KernelFeatures {
            bpf_loop: false,
            task_pt_regs: false,
            exit_group_dead: false,
            raw_syscalls: false,
            uring: None,
        };
        let l = old.limits();
        assert_eq!(l.len(), 3);
        assert!(l[2].contains("io_uring"), "{l:?}");
        assert!(l[0].contains("16 directories"), "{l:?}");
    }

    #[test]
    fn overrides_set_features_and_refuse_unknown_names() {
        let all = KernelFeatures {
            bpf_loop: true,
            task_pt_regs: true,
            exit_group_dead: false,
            raw_syscalls: true,
            uring: None,
        };
        let o = all
            .clone()
            .with_overrides("bpf_loop=0, exit_group_dead=1,raw_syscalls=0")
            .unwrap();
        assert!(!o.bpf_loop && o.task_pt_regs && o.exit_group_dead && !o.raw_syscalls);
        assert!(all.clone().with_overrides("bpf_lop=0").is_err());
        assert!(all.clone().with_overrides("uring=1").is_err());
        assert!(all.with_overrides("bpf_loop").is_err());
    }
}
