//! Linux facts the format refers to, in one place: syscall numbers, and the
//! names of the values syscall arguments take (flags, modes, signals, errno),
//! rendered as libsinsp renders them so rules keep Falco's meanings.

mod names;
mod syscalls;

pub use names::*;
pub use syscalls::{syscall_name, syscall_nr};

/// A path joined as the kernel would walk it, without asking the file
/// system: `.` and empty components dropped, `..` applied; absolute, `/` at
/// least. A symlink in it is not followed (SPEC.md §5.1, `resolved`).
pub fn normalize_path(p: &[u8]) -> Vec<u8> {
    let mut parts: Vec<&[u8]> = Vec::new();
    for c in p.split(|&c| c == b'/') {
        match c {
            b"" | b"." => {}
            b".." => {
                parts.pop();
            }
            c => parts.push(c),
        }
    }
    let mut out = Vec::with_capacity(p.len() + 1);
    for c in parts {
        out.push(b'/');
        out.extend_from_slice(c);
    }
    if out.is_empty() {
        out.push(b'/');
    }
    out
}
