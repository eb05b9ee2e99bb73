//! The columns every export writes from an event (SQLite and Parquet alike):
//! the file and network columns, and every kind-specific field as JSON.

use shrike_format::linux::uring_op;
use shrike_format::{Body, SockAddr};

/// Recorded bytes as text (invalid UTF-8 replaced): exports keep the
/// value; escaping is for what a terminal shows.
pub fn s(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// An address as text: the IP, or a unix socket's path.
pub fn ip(a: &SockAddr<&[u8]>) -> Option<String> {
    match a {
        SockAddr::Unix(p) => Some(s(p)),
        a => a.ip().map(|ip| ip.to_string()),
    }
}

/// A file event's row: path, second path (rename or link target, a
/// symlink's text), flags, mode.
pub struct FileRow(
    pub String,
    pub Option<String>,
    pub Option<i64>,
    pub Option<i64>,
);

/// A network event's row: protocol, local ip and port, remote ip and port.
pub struct NetRow(
    pub i64,
    pub Option<String>,
    pub Option<i64>,
    pub Option<String>,
    pub Option<i64>,
);

/// Every kind-specific field as one JSON object, written straight into a string.
pub fn detail_json(body: &Body<&[u8]>) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(128);
    out.push('{');
    body.visit(&mut |name, v| {
        if out.len() > 1 {
            out.push(',');
        }
        // Field names are identifiers: nothing to escape.
        out.push('"');
        out.push_str(name);
        out.push_str("\":");
        match v {
            shrike_format::Value::Int(n) => write!(out, "{n}").expect("writing to a String"),
            shrike_format::Value::Uint(n) => write!(out, "{n}").expect("writing to a String"),
            // A kept executable's bytes (`exe_file`): their length; `shrike
            // extract` writes them out.
            shrike_format::Value::Str(s) if s.len() > 4096 => {
                write!(out, "\"<{} bytes>\"", s.len()).expect("writing to a String")
            }
            v => out.push_str(&v.to_json().to_string()),
        }
    });
    out.push('}');
    out
}

/// The file columns of a file event; `None` for other events.
pub fn file_row(b: &Body<&[u8]>) -> Option<FileRow> {
    Some(match b {
        Body::Open {
            abspath,
            flags,
            mode,
            ..
        }
        | Body::Openat {
            abspath,
            flags,
            mode,
            ..
        }
        | Body::Openat2 {
            abspath,
            flags,
            mode,
            ..
        }
        | Body::Creat {
            abspath,
            flags,
            mode,
            ..
        } => FileRow(s(abspath), None, Some(*flags as i64), Some(*mode as i64)),
        Body::Unlink { abspath, .. }
        | Body::Unlinkat { abspath, .. }
        | Body::Rmdir { abspath, .. }
        | Body::Mkdir { abspath, .. }
        | Body::Mkdirat { abspath, .. } => FileRow(s(abspath), None, None, None),
        Body::Chmod { abspath, mode, .. }
        | Body::Fchmod { abspath, mode, .. }
        | Body::Fchmodat { abspath, mode, .. } => {
            FileRow(s(abspath), None, None, Some(*mode as i64))
        }
        Body::Chown { abspath, .. }
        | Body::Lchown { abspath, .. }
        | Body::Fchown { abspath, .. }
        | Body::Fchownat { abspath, .. }
        | Body::Truncate { abspath, .. }
        | Body::Ftruncate { abspath, .. } => FileRow(s(abspath), None, None, None),
        Body::Rename {
            oldabspath,
            newabspath,
            ..
        }
        | Body::Renameat {
            oldabspath,
            newabspath,
            ..
        }
        | Body::Renameat2 {
            oldabspath,
            newabspath,
            ..
        }
        | Body::Link {
            oldabspath,
            newabspath,
            ..
        }
        | Body::Linkat {
            oldabspath,
            newabspath,
            ..
        } => FileRow(s(oldabspath), Some(s(newabspath)), None, None),
        Body::Symlink {
            oldpath,
            newabspath,
            ..
        }
        | Body::Symlinkat {
            oldpath,
            newabspath,
            ..
        } => FileRow(s(newabspath), Some(s(oldpath)), None, None),
        Body::Setxattr { abspath, flags, .. }
        | Body::Lsetxattr { abspath, flags, .. }
        | Body::Fsetxattr { abspath, flags, .. }
        | Body::Utime { abspath, flags, .. }
        | Body::Utimes { abspath, flags, .. }
        | Body::Futimesat { abspath, flags, .. }
        | Body::Utimensat { abspath, flags, .. }
        | Body::Ioctl { abspath, flags, .. } => {
            FileRow(s(abspath), None, Some(*flags as i64), None)
        }
        Body::Removexattr { abspath, .. }
        | Body::Lremovexattr { abspath, .. }
        | Body::Fremovexattr { abspath, .. } => FileRow(s(abspath), None, None, None),
        // A request through io_uring on a file: an open's flags and mode.
        Body::IoUring {
            op,
            fdtype,
            path,
            flags,
            mode,
            ..
        } if *fdtype != shrike_format::fdtype::SOCKET && !path.is_empty() => {
            let open = matches!(*op, uring_op::OPENAT | uring_op::OPENAT2);
            FileRow(
                s(path),
                None,
                open.then_some(*flags as i64),
                open.then_some(*mode as i64),
            )
        }
        _ => return None,
    })
}

/// The `resolved` bits of a file event (SPEC.md §5.1): which paths are the kernel's.
pub fn resolved(b: &Body<&[u8]>) -> Option<i64> {
    let kind = shrike_format::Kind::from_id(b.kind_id())?;
    match b.field(kind.field_index("resolved")?)? {
        shrike_format::Value::Uint(n) => Some(n as i64),
        _ => None,
    }
}

/// The network columns of a socket event; `None` for other events.
pub fn net_row(b: &Body<&[u8]>) -> Option<NetRow> {
    Some(match b {
        Body::Connect {
            proto,
            laddr,
            raddr,
            ..
        }
        | Body::Accept {
            proto,
            laddr,
            raddr,
            ..
        }
        | Body::Accept4 {
            proto,
            laddr,
            raddr,
            ..
        } => NetRow(
            *proto as i64,
            ip(laddr),
            laddr.port().map(i64::from),
            ip(raddr),
            raddr.port().map(i64::from),
        ),
        Body::IoUring {
            fdtype,
            proto,
            laddr,
            raddr,
            ..
        } if *fdtype == shrike_format::fdtype::SOCKET => NetRow(
            *proto as i64,
            ip(laddr),
            laddr.port().map(i64::from),
            ip(raddr),
            raddr.port().map(i64::from),
        ),
        Body::Bind { proto, laddr, .. } | Body::Listen { proto, laddr, .. } => NetRow(
            *proto as i64,
            ip(laddr),
            laddr.port().map(i64::from),
            None,
            None,
        ),
        _ => return None,
    })
}
