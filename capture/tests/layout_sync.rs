//! Layouts written twice, in C for the eBPF side and in Rust or by the
//! kernel for the other: the kernel→user record (capture-ebpf/include/record.h
//! against `shrike_capture::record::layout`) and the tracepoint contexts the
//! programs read directly (capture-ebpf/include/shrike_kernel.h against the
//! running kernel's tracefs `format` files). The headers are compiled with
//! the host's clang and asked for every offset, size and constant.

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

use shrike_capture::record::layout::ALL;

/// Compiles a C program that includes `header` (from capture-ebpf/include)
/// and runs `body` in its main; returns what it printed.
fn run_c(header: &str, body: &str) -> String {
    let include = Path::new(env!("CARGO_MANIFEST_DIR")).join("../capture-ebpf/include");
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("layout.c");
    let exe = dir.path().join("layout");
    std::fs::write(
        &src,
        format!(
            "#include <stddef.h>\n#include <stdio.h>\n#include <linux/types.h>\n#include \"{header}\"\nint main(void) {{\n{body}\treturn 0;\n}}\n"
        ),
    )
    .unwrap();
    // The headers are written for clang (shrike_kernel.h's CO-RE pragma).
    let clang = ["clang-19", "clang"]
        .into_iter()
        .find(|c| Command::new(c).arg("--version").output().is_ok())
        .expect("clang (scripts/setup installs clang-19)");
    let o = Command::new(clang)
        .arg("-I")
        .arg(&include)
        .arg("-o")
        .arg(&exe)
        .arg(&src)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "compiling {header}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&Command::new(&exe).output().unwrap().stdout).into_owned()
}

#[test]
fn the_rust_record_layout_is_the_c_one() {
    let body: String = ALL
        .iter()
        .map(|(expr, _)| format!("\tprintf(\"%zu\\n\", (size_t)({expr}));\n"))
        .collect();
    let c_values: Vec<usize> = run_c("record.h", &body)
        .lines()
        .map(|l| l.parse().unwrap())
        .collect();
    assert_eq!(c_values.len(), ALL.len());
    for ((expr, rust), c) in ALL.iter().zip(&c_values) {
        assert_eq!(rust, c, "{expr}: {c} in record.h, {rust} in record.rs");
    }
}

/// (tracepoint, its field, the C struct, the C member).
const FIELDS: &[(&str, &str, &str, &str)] = &[
    (
        "syscalls/sys_exit_openat",
        "__syscall_nr",
        "sys_exit_ctx",
        "id",
    ),
    ("syscalls/sys_exit_openat", "ret", "sys_exit_ctx", "ret"),
    (
        "sched/sched_process_exec",
        "filename",
        "sched_exec_ctx",
        "filename_loc",
    ),
    ("sched/sched_process_exec", "pid", "sched_exec_ctx", "pid"),
    (
        "sched/sched_process_exec",
        "old_pid",
        "sched_exec_ctx",
        "old_pid",
    ),
    ("sched/sched_process_exit", "comm", "sched_exit_ctx", "comm"),
    ("sched/sched_process_exit", "pid", "sched_exit_ctx", "pid"),
    ("sched/sched_process_exit", "prio", "sched_exit_ctx", "prio"),
    (
        "sched/sched_process_exit",
        "group_dead",
        "sched_exit_ctx",
        "group_dead",
    ),
];

/// Field name → (offset, size) from a tracefs format file.
fn format_fields(text: &str) -> HashMap<String, (usize, usize)> {
    let mut out = HashMap::new();
    for line in text
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("field:"))
    {
        let mut decl = "";
        let (mut offset, mut size) = (None, None);
        for part in line.split(';').map(str::trim) {
            if let Some(d) = part.strip_prefix("field:") {
                decl = d;
            } else if let Some(o) = part.strip_prefix("offset:") {
                offset = o.parse().ok();
            } else if let Some(s) = part.strip_prefix("size:") {
                size = s.parse().ok();
            }
        }
        // "char comm[16]", "__data_loc char[] filename", "int prio"
        let name = decl
            .rsplit([' ', '*'])
            .next()
            .unwrap_or("")
            .split('[')
            .next()
            .unwrap_or("");
        if let (Some(o), Some(s)) = (offset, size) {
            out.insert(name.to_string(), (o, s));
        }
    }
    out
}

/// A field this kernel does not have (group_dead before 6.16) is skipped: the
/// loader probes for it. Needs root to read tracefs; with CI=true, it fails
/// rather than skip.
#[test]
fn tracepoint_contexts_match_the_running_kernel() {
    let tracefs = ["/sys/kernel/tracing", "/sys/kernel/debug/tracing"]
        .into_iter()
        .map(Path::new)
        .find(|p| p.join("events/sched").exists());
    let Some(tracefs) = tracefs else {
        let why = "tracefs is not mounted or not readable (run as root)";
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("CI=true but {why}");
        }
        eprintln!("SKIPPED: {why}");
        return;
    };
    let body: String = FIELDS
        .iter()
        .map(|(_, _, st, member)| {
            format!(
                "\tprintf(\"%zu %zu\\n\", offsetof(struct {st}, {member}), sizeof(((struct {st} *)0)->{member}));\n"
            )
        })
        .collect();
    let out = run_c("shrike_kernel.h", &body);
    let mut checked = 0;
    for ((tp, field, st, member), line) in FIELDS.iter().zip(out.lines()) {
        let mut it = line.split(' ').map(|n| n.parse::<usize>().unwrap());
        let c = (it.next().unwrap(), it.next().unwrap());
        let format = std::fs::read_to_string(tracefs.join("events").join(tp).join("format"))
            .unwrap_or_else(|e| panic!("{tp}: {e}"));
        let Some(&kernel) = format_fields(&format).get(*field) else {
            assert_eq!(*field, "group_dead", "{tp} has no field {field}");
            continue;
        };
        assert_eq!(
            c, kernel,
            "struct {st}.{member} is (offset, size) {c:?}; {tp}'s {field} is {kernel:?}"
        );
        checked += 1;
    }
    assert!(checked >= FIELDS.len() - 1);
}
