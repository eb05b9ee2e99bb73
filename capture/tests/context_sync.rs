//! The tracepoint contexts the eBPF programs read directly
//! (capture-ebpf/include/shrike_kernel.h) against the running kernel's own
//! description of them (tracefs `format` files): every field's offset and
//! size. A field this kernel does not have (group_dead before 6.16) is
//! skipped: the loader probes for it. Needs root to read tracefs; with
//! CI=true, it fails rather than skip.

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

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
    let include = Path::new(env!("CARGO_MANIFEST_DIR")).join("../capture-ebpf/include");
    let dir = tempfile::tempdir().unwrap();
    let mut c = String::from(
        "#include <stddef.h>\n#include <stdio.h>\n#include \"shrike_kernel.h\"\nint main(void) {\n",
    );
    for (_, _, st, member) in FIELDS {
        c.push_str(&format!(
            "\tprintf(\"%zu %zu\\n\", offsetof(struct {st}, {member}), sizeof(((struct {st} *)0)->{member}));\n"
        ));
    }
    c.push_str("\treturn 0;\n}\n");
    let src = dir.path().join("ctx.c");
    let exe = dir.path().join("ctx");
    std::fs::write(&src, c).unwrap();
    // shrike_kernel.h is written for clang (its CO-RE pragma).
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
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = String::from_utf8_lossy(&Command::new(&exe).output().unwrap().stdout).into_owned();
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
