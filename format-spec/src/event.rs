//! The event model: fields every event carries, socket addresses, and a typed
//! view of any field for printers, exporters and rule engines.

use crate::kinds::{Body, Kind};

/// One recorded event. `S` is the string type: `&[u8]` when borrowed from a
/// decoded chunk (zero-copy), `Vec<u8>` when owned.
///
/// Strings are bytes, not UTF-8: Linux paths and argv are arbitrary bytes and
/// a forensic record must keep them exactly.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event<S> {
    /// Nanoseconds since boot (CLOCK_BOOTTIME); the header's boot time makes it wall-clock time.
    pub ts: u64,
    /// CPU the event was recorded on.
    pub cpu: u32,
    /// Thread-group id (the process id), host pid namespace.
    pub pid: u32,
    /// Thread id, host pid namespace.
    pub tid: u32,
    /// Kernel `comm` of the thread (at most 15 bytes).
    pub comm: S,
    /// Real user id.
    pub uid: u32,
    /// Real group id.
    pub gid: u32,
    /// Effective user id.
    pub euid: u32,
    /// Effective group id.
    pub egid: u32,
    /// cgroup v2 id of the task (0 when unknown).
    pub cgroup: u64,
    /// Kind and kind-specific fields.
    pub body: Body<S>,
}

/// An event whose strings borrow from a decoded chunk.
pub type EventRef<'a> = Event<&'a [u8]>;
/// An event that owns its strings.
pub type OwnedEvent = Event<Vec<u8>>;

impl<S: AsRef<[u8]>> Event<S> {
    /// The kind id (also for kinds this reader does not know).
    pub fn kind_id(&self) -> u16 {
        self.body.kind_id()
    }

    /// The kind, when this reader knows it.
    pub fn kind(&self) -> Option<Kind> {
        Kind::from_id(self.kind_id())
    }

    /// Copies every string so the event outlives the chunk it came from.
    pub fn to_owned_event(&self) -> OwnedEvent {
        Event {
            ts: self.ts,
            cpu: self.cpu,
            pid: self.pid,
            tid: self.tid,
            comm: self.comm.as_ref().to_vec(),
            uid: self.uid,
            gid: self.gid,
            euid: self.euid,
            egid: self.egid,
            cgroup: self.cgroup,
            body: self.body.map_strings(&mut |s: &S| s.as_ref().to_vec()),
        }
    }

    /// A view of the event whose strings borrow from this one.
    pub fn as_event_ref(&self) -> EventRef<'_> {
        Event {
            ts: self.ts,
            cpu: self.cpu,
            pid: self.pid,
            tid: self.tid,
            comm: self.comm.as_ref(),
            uid: self.uid,
            gid: self.gid,
            euid: self.euid,
            egid: self.egid,
            cgroup: self.cgroup,
            body: self.body.map_strings(&mut |s: &S| s.as_ref()),
        }
    }

    /// Visits the common fields, then the kind's fields, in schema order.
    pub fn visit<'s>(&'s self, f: &mut dyn FnMut(&'static str, Value<'s>)) {
        f("ts", Value::Uint(self.ts));
        f("cpu", Value::Uint(self.cpu.into()));
        f("pid", Value::Uint(self.pid.into()));
        f("tid", Value::Uint(self.tid.into()));
        f("comm", Value::Str(self.comm.as_ref()));
        f("uid", Value::Uint(self.uid.into()));
        f("gid", Value::Uint(self.gid.into()));
        f("euid", Value::Uint(self.euid.into()));
        f("egid", Value::Uint(self.egid.into()));
        f("cgroup", Value::Uint(self.cgroup));
        self.body.visit(f);
    }

    /// The event as a JSON object: `kind` by name, then every field.
    pub fn to_json(&self) -> serde_json::Value {
        let mut m = serde_json::Map::new();
        let kind = match self.kind() {
            Some(k) => serde_json::Value::from(k.name()),
            None => serde_json::Value::from(self.kind_id()),
        };
        m.insert("kind".into(), kind);
        self.visit(&mut |name, v| {
            m.insert(name.into(), v.to_json());
        });
        serde_json::Value::Object(m)
    }
}

/// A socket address as recorded (SPEC.md §4.3 `addr`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum SockAddr<S> {
    /// No address (unbound, unknown, or not a socket).
    #[default]
    None,
    /// AF_INET address and port.
    V4 {
        /// Address bytes in network order.
        ip: [u8; 4],
        /// Port in host order.
        port: u16,
    },
    /// AF_INET6 address and port.
    V6 {
        /// Address bytes in network order.
        ip: [u8; 16],
        /// Port in host order.
        port: u16,
    },
    /// AF_UNIX path (abstract names start with a NUL byte).
    Unix(S),
    /// Another family, recorded by number only.
    Other(u16),
}

impl<S: AsRef<[u8]>> SockAddr<S> {
    /// Borrows the unix path, if any.
    pub fn as_ref(&self) -> SockAddr<&[u8]> {
        self.map_ref(|p| p.as_ref())
    }

    /// Applies `f` to the unix path, if any.
    pub fn map<'a, T>(&'a self, f: &mut dyn FnMut(&'a S) -> T) -> SockAddr<T> {
        self.map_ref(f)
    }

    fn map_ref<'a, T>(&'a self, f: impl FnOnce(&'a S) -> T) -> SockAddr<T> {
        match self {
            SockAddr::None => SockAddr::None,
            SockAddr::V4 { ip, port } => SockAddr::V4 {
                ip: *ip,
                port: *port,
            },
            SockAddr::V6 { ip, port } => SockAddr::V6 {
                ip: *ip,
                port: *port,
            },
            SockAddr::Unix(p) => SockAddr::Unix(f(p)),
            SockAddr::Other(fam) => SockAddr::Other(*fam),
        }
    }

    /// The IP address, for inet families.
    pub fn ip(&self) -> Option<std::net::IpAddr> {
        match self {
            SockAddr::V4 { ip, .. } => Some(std::net::Ipv4Addr::from(*ip).into()),
            SockAddr::V6 { ip, .. } => Some(std::net::Ipv6Addr::from(*ip).into()),
            _ => None,
        }
    }

    /// The port, for inet families.
    pub fn port(&self) -> Option<u16> {
        match self {
            SockAddr::V4 { port, .. } | SockAddr::V6 { port, .. } => Some(*port),
            _ => None,
        }
    }
}

impl<S: AsRef<[u8]>> std::fmt::Display for SockAddr<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SockAddr::None => f.write_str("-"),
            SockAddr::V4 { ip, port } => write!(f, "{}:{port}", std::net::Ipv4Addr::from(*ip)),
            SockAddr::V6 { ip, port } => write!(f, "[{}]:{port}", std::net::Ipv6Addr::from(*ip)),
            SockAddr::Unix(p) => write!(f, "unix:{}", Escaped(p.as_ref())),
            SockAddr::Other(fam) => write!(f, "family:{fam}"),
        }
    }
}

/// A list of strings, whatever their owner.
pub trait StrList {
    /// Number of strings.
    fn len(&self) -> usize;
    /// The `i`th string.
    fn get(&self, i: usize) -> &[u8];
    /// Whether the list is empty.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<S: AsRef<[u8]>> StrList for Vec<S> {
    fn len(&self) -> usize {
        Vec::len(self)
    }
    fn get(&self, i: usize) -> &[u8] {
        self[i].as_ref()
    }
}

/// A typed view of one field's value.
#[derive(Clone, Copy)]
pub enum Value<'a> {
    /// Signed integer (`int`).
    Int(i64),
    /// Unsigned integer (`uint`).
    Uint(u64),
    /// Byte string (`str`).
    Str(&'a [u8]),
    /// List of byte strings (`strs`).
    Strs(&'a dyn StrList),
    /// Socket address (`addr`).
    Addr(SockAddr<&'a [u8]>),
}

impl Value<'_> {
    /// The number an `int` or `uint` field holds.
    pub fn number(&self) -> Option<i128> {
        match self {
            Value::Int(v) => Some(i128::from(*v)),
            Value::Uint(v) => Some(i128::from(*v)),
            _ => None,
        }
    }

    /// JSON form: numbers, strings (non-UTF-8 bytes as `{"hex": ...}`), arrays, address objects.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Int(v) => (*v).into(),
            Value::Uint(v) => (*v).into(),
            Value::Str(s) => bytes_to_json(s),
            Value::Strs(l) => (0..l.len()).map(|i| bytes_to_json(l.get(i))).collect(),
            Value::Addr(a) => addr_to_json(a),
        }
    }
}

impl std::fmt::Display for Value<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Value::Int(v) => write!(f, "{v}"),
            Value::Uint(v) => write!(f, "{v}"),
            Value::Str(s) => write!(f, "{}", Escaped(s)),
            Value::Strs(l) => {
                f.write_str("[")?;
                for i in 0..l.len() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{:?}", Escaped(l.get(i)).to_string())?;
                }
                f.write_str("]")
            }
            Value::Addr(a) => write!(f, "{a}"),
        }
    }
}

fn bytes_to_json(b: &[u8]) -> serde_json::Value {
    match std::str::from_utf8(b) {
        Ok(s) => s.into(),
        Err(_) => {
            let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
            serde_json::json!({ "hex": hex })
        }
    }
}

fn addr_to_json(a: &SockAddr<&[u8]>) -> serde_json::Value {
    match a {
        SockAddr::None => serde_json::Value::Null,
        SockAddr::V4 { port, .. } | SockAddr::V6 { port, .. } => {
            let family = if matches!(a, SockAddr::V4 { .. }) {
                "inet"
            } else {
                "inet6"
            };
            let ip = a.ip().map(|ip| ip.to_string());
            serde_json::json!({ "family": family, "ip": ip, "port": port })
        }
        SockAddr::Unix(p) => serde_json::json!({ "family": "unix", "path": bytes_to_json(p) }),
        SockAddr::Other(fam) => serde_json::json!({ "family": fam }),
    }
}

/// Displays bytes as UTF-8 a terminal cannot be tricked by: invalid bytes
/// and control characters as `\xNN`, and the characters that reorder or hide
/// text (bidi overrides and isolates, zero-width characters, line and
/// paragraph separators) as `\u{NNNN}`. The one escaping of recorded text.
pub struct Escaped<'a>(pub &'a [u8]);

/// Characters that change how the text around them is shown without being
/// control characters: bidi marks, embeddings, overrides and isolates,
/// zero-width ones, line and paragraph separators, the byte-order mark.
fn deceptive(c: char) -> bool {
    matches!(c,
        '\u{061C}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{2028}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

impl std::fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for chunk in self.0.utf8_chunks() {
            for c in chunk.valid().chars() {
                if c.is_control() && (c as u32) < 0x100 {
                    write!(f, "\\x{:02x}", c as u32)?;
                } else if c.is_control() || deceptive(c) {
                    write!(f, "\\u{{{:x}}}", c as u32)?;
                } else if c == '\\' {
                    f.write_str("\\\\")?;
                } else {
                    write!(f, "{c}")?;
                }
            }
            for b in chunk.invalid() {
                write!(f, "\\x{b:02x}")?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_shows_what_would_rewrite_or_reorder_a_line() {
        let e = |b: &[u8]| Escaped(b).to_string();
        assert_eq!(e(b"a\x1b[2K\rb\nc"), "a\\x1b[2K\\x0db\\x0ac");
        assert_eq!(e("x\u{202e}txt.exe".as_bytes()), "x\\u{202e}txt.exe");
        assert_eq!(
            e("\u{2066}\u{200b}\u{2028}\u{feff}".as_bytes()),
            "\\u{2066}\\u{200b}\\u{2028}\\u{feff}"
        );
        assert_eq!(e(b"\xff\\ok \xc3\xa9"), "\\xff\\\\ok \u{e9}");
    }
}
