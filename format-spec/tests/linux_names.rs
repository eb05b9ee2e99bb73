//! The names shrike gives syscall argument values against the kernel's own
//! UAPI headers (and glibc's socket headers, where AF_* and SOCK_* live):
//! every name a header defines must have the header's value.

use std::collections::HashMap;
use std::path::Path;

const HEADERS: &[&str] = &[
    "/usr/include/asm-generic/errno-base.h",
    "/usr/include/asm-generic/errno.h",
    "/usr/include/x86_64-linux-gnu/asm/signal.h",
    "/usr/include/asm-generic/fcntl.h",
    "/usr/include/linux/fcntl.h",
    "/usr/include/linux/sched.h",
    "/usr/include/linux/ptrace.h",
    "/usr/include/x86_64-linux-gnu/asm/ptrace-abi.h",
    "/usr/include/linux/prctl.h",
    "/usr/include/x86_64-linux-gnu/bits/socket.h",
    "/usr/include/x86_64-linux-gnu/bits/socket_type.h",
    "/usr/include/asm-generic/mman-common.h",
    "/usr/include/asm-generic/mman.h",
    "/usr/include/x86_64-linux-gnu/asm/mman.h",
    "/usr/include/linux/mman.h",
    "/usr/include/linux/mount.h",
    "/usr/include/linux/fs.h",
    "/usr/include/linux/xattr.h",
    "/usr/include/linux/memfd.h",
    "/usr/include/linux/module.h",
    "/usr/include/linux/bpf.h",
    "/usr/include/linux/capability.h",
    "/usr/include/linux/stat.h",
    "/usr/include/x86_64-linux-gnu/sys/mount.h",
    "/usr/include/linux/io_uring.h",
];

/// `#define NAME EXPR` and enum members, as expressions still to evaluate.
fn definitions(text: &str, out: &mut HashMap<String, String>) {
    let mut in_enum = false;
    let mut next_enum = String::from("0");
    for line in text.lines() {
        let line = line.split("/*").next().unwrap_or("").trim();
        if let Some(rest) = line
            .strip_prefix("#define")
            .filter(|r| r.starts_with(char::is_whitespace))
        {
            let rest = rest.trim_start();
            let mut it = rest.splitn(2, char::is_whitespace);
            let (Some(name), Some(expr)) = (it.next(), it.next()) else {
                continue;
            };
            if !name.contains('(') {
                out.entry(name.to_string())
                    .or_insert(expr.trim().to_string());
            }
            continue;
        }
        if (line == "enum" || line.starts_with("enum ")) && !line.contains(';') {
            in_enum = true;
            next_enum = "0".into();
            continue;
        }
        if in_enum {
            if line.starts_with('}') {
                in_enum = false;
                continue;
            }
            let item = line.trim_end_matches(',').trim();
            if item.is_empty() || item == "{" || item.starts_with('#') || item.starts_with("//") {
                continue;
            }
            let (name, expr) = match item.split_once('=') {
                Some((n, e)) => (n.trim().to_string(), e.trim().to_string()),
                None => (item.to_string(), next_enum.clone()),
            };
            if name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                next_enum = format!("({expr}) + 1");
                out.entry(name).or_insert(expr);
            }
        }
    }
}

/// Evaluates a C constant expression of numbers, names, `|`, `+`, `<<` and parentheses.
fn eval(expr: &str, defs: &HashMap<String, String>, depth: usize) -> Option<u64> {
    if depth > 32 {
        return None;
    }
    let tokens = tokenize(expr)?;
    let mut pos = 0;
    let v = or_expr(&tokens, &mut pos, defs, depth)?;
    (pos == tokens.len()).then_some(v)
}

fn tokenize(expr: &str) -> Option<Vec<String>> {
    let mut out = Vec::new();
    let b: Vec<char> = expr.chars().collect();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_whitespace() {
            i += 1;
        } else if c.is_ascii_alphanumeric() || c == '_' {
            let s = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == '_') {
                i += 1;
            }
            out.push(b[s..i].iter().collect());
        } else if c == '<' && b.get(i + 1) == Some(&'<') {
            out.push("<<".into());
            i += 2;
        } else if "|()+".contains(c) {
            out.push(c.to_string());
            i += 1;
        } else {
            return None;
        }
    }
    Some(out)
}

fn or_expr(t: &[String], p: &mut usize, d: &HashMap<String, String>, depth: usize) -> Option<u64> {
    let mut v = plus(t, p, d, depth)?;
    while t.get(*p).is_some_and(|x| x == "|") {
        *p += 1;
        v |= plus(t, p, d, depth)?;
    }
    Some(v)
}

fn plus(t: &[String], p: &mut usize, d: &HashMap<String, String>, depth: usize) -> Option<u64> {
    let mut v = shift(t, p, d, depth)?;
    while t.get(*p).is_some_and(|x| x == "+") {
        *p += 1;
        v += shift(t, p, d, depth)?;
    }
    Some(v)
}

fn shift(t: &[String], p: &mut usize, d: &HashMap<String, String>, depth: usize) -> Option<u64> {
    let mut v = atom(t, p, d, depth)?;
    while t.get(*p).is_some_and(|x| x == "<<") {
        *p += 1;
        v <<= atom(t, p, d, depth)?;
    }
    Some(v)
}

fn atom(t: &[String], p: &mut usize, d: &HashMap<String, String>, depth: usize) -> Option<u64> {
    let tok = t.get(*p)?.clone();
    *p += 1;
    if tok == "(" {
        let v = or_expr(t, p, d, depth)?;
        (t.get(*p)? == ")").then_some(())?;
        *p += 1;
        return Some(v);
    }
    if tok.starts_with(|c: char| c.is_ascii_digit()) {
        let n = tok.trim_end_matches(['U', 'L', 'u', 'l']);
        return if let Some(h) = n.strip_prefix("0x").or_else(|| n.strip_prefix("0X")) {
            u64::from_str_radix(h, 16).ok()
        } else if n.len() > 1 && n.starts_with('0') {
            u64::from_str_radix(&n[1..], 8).ok()
        } else {
            n.parse().ok()
        };
    }
    eval(d.get(&tok)?, d, depth + 1)
}

#[test]
fn every_name_has_the_value_the_kernel_headers_give_it() {
    if !Path::new(HEADERS[0]).exists() {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("CI=true but the kernel's UAPI headers are missing (linux-libc-dev)");
        }
        eprintln!("SKIPPED: no UAPI headers (apt-get install linux-libc-dev)");
        return;
    }
    let mut defs = HashMap::new();
    for h in HEADERS {
        if let Ok(text) = std::fs::read_to_string(h) {
            definitions(&text, &mut defs);
        }
    }
    let (mut checked, mut absent, mut wrong) = (0, Vec::new(), Vec::new());
    for (group, table) in shrike_format::linux::tables() {
        for &(value, name) in table {
            // libsinsp names mount flags without their prefix.
            let header_name = match group {
                "mount" if name == "MGC_VAL" => "MS_MGC_VAL".to_string(),
                "mount" if ["FORCE", "DETACH", "EXPIRE"].contains(&name) => format!("MNT_{name}"),
                "mount" if name == "NOFOLLOW" => "UMOUNT_NOFOLLOW".to_string(),
                "mount" => format!("MS_{name}"),
                "open" if name == "O_SYNC" => "O_SYNC".to_string(),
                "open" if name == "O_TMPFILE" => "__O_TMPFILE".to_string(),
                "open" if name == "O_ASYNC" => "FASYNC".to_string(),
                "io_uring" => format!("IORING_OP_{name}"),
                _ => name.to_string(),
            };
            let Some(expr) = defs.get(&header_name) else {
                absent.push(format!("{group}: {name}"));
                continue;
            };
            match eval(expr, &defs, 0) {
                Some(v) if v == value => checked += 1,
                got => wrong.push(format!(
                    "{name}: shrike {value:#x}, header {expr} = {got:?}"
                )),
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "values that differ from the headers:\n{}",
        wrong.join("\n")
    );
    // Kernel-internal errnos and names newer than these headers are not in
    // them; everything else is.
    let unexpected: Vec<&String> = absent
        .iter()
        .filter(|a| !(a.starts_with("errno: ER") || a.starts_with("errno: E") && is_internal(a)))
        // io_uring's opcodes are an enum: those from its IORING_OP_LAST on
        // are newer than these headers.
        .filter(|a| !newer_uring_op(a, &defs))
        .collect();
    eprintln!("checked {checked} names; not in these headers: {absent:?}");
    assert!(checked >= 400, "only {checked} names checked");
    assert!(
        unexpected.len() <= 16,
        "{} names missing from the headers: {unexpected:?}",
        unexpected.len()
    );
}

fn newer_uring_op(a: &str, defs: &HashMap<String, String>) -> bool {
    let Some(name) = a.strip_prefix("io_uring: ") else {
        return false;
    };
    let last = defs
        .get("IORING_OP_LAST")
        .and_then(|e| eval(e, defs, 0))
        .unwrap_or(0);
    shrike_format::linux::URING_OPS
        .iter()
        .any(|&(v, n)| n == name && v >= last)
}

fn is_internal(a: &str) -> bool {
    let name = a.trim_start_matches("errno: ");
    shrike_format::linux::errno_value(name).is_some_and(|v| v >= 512)
}
