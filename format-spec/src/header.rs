//! The file header (SPEC.md §2).

use crate::error::{Error, Result};
use crate::limits::MAX_HEADER_LEN;

/// The 8 magic bytes that open every capture: `\x89SHR\r\n\x1a\n`.
pub const MAGIC: [u8; 8] = *b"\x89SHR\r\n\x1a\n";
/// Major version written and read by this crate.
pub const VERSION_MAJOR: u16 = 1;
/// Minor version written by this crate.
pub const VERSION_MINOR: u16 = 6;
/// Incompatible-feature bits this reader understands (none in 1.0).
pub const KNOWN_INCOMPAT: u64 = 0;

const FIXED_LEN: usize = 64;

mod tag {
    pub const HOSTNAME: u16 = 1;
    pub const KERNEL: u16 = 2;
    pub const BOOT_ID: u16 = 3;
    pub const RECORDER: u16 = 4;
    pub const CONFIG: u16 = 5;
    pub const USERS: u16 = 6;
    pub const GROUPS: u16 = 7;
    pub const MACHINE: u16 = 8;
    pub const SEGMENT: u16 = 9;
    pub const SEAL_CHAIN: u16 = 10;
}

/// Where a file sits in a rotation of captures.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Segment {
    /// 0 for the first file of a recording, then 1, 2, ...
    pub index: u32,
    /// File id of the previous file of the recording (zero for the first).
    pub previous: [u8; 16],
}

impl serde::Serialize for Segment {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Segment", 2)?;
        st.serialize_field("index", &self.index)?;
        st.serialize_field("previous", &hex(&self.previous))?;
        st.end()
    }
}

/// Facts about the file and the recorded host.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Header {
    /// Major version (1).
    pub major: u16,
    /// Minor version.
    pub minor: u16,
    /// Compatible feature flags: unknown bits are ignored by readers.
    pub compat_flags: u64,
    /// Incompatible feature flags: a reader refuses unknown bits.
    pub incompat_flags: u64,
    /// Random id of this file; binds every chunk to it through the hash chain.
    pub file_id: [u8; 16],
    /// Wall-clock creation time, ns since the Unix epoch.
    pub created_ns: u64,
    /// Wall-clock time of boot, ns since the Unix epoch: event `ts` + this = wall clock.
    pub boot_time_ns: u64,
    /// Host name.
    pub hostname: String,
    /// Kernel release (`uname -r`).
    pub kernel: String,
    /// `/proc/sys/kernel/random/boot_id`.
    pub boot_id: String,
    /// Machine architecture (`uname -m`).
    pub machine: String,
    /// Name and version of the program that wrote the file.
    pub recorder: String,
    /// The recorder's configuration, JSON text.
    pub config: String,
    /// uid → user name, as on the host when recording started.
    pub users: Vec<(u32, String)>,
    /// gid → group name.
    pub groups: Vec<(u32, String)>,
    /// Position in a rotation, when the recording spans several files.
    pub segment: Option<Segment>,
    /// Sealed files: the certificates from the `keygen` key to the key-file
    /// epoch this file is sealed from (empty for epoch 0 or unsealed).
    pub seal_chain: Vec<crate::seal::Cert>,
}

impl Header {
    /// A header for a new file: current version, random file id, creation time now.
    pub fn new() -> Self {
        let mut file_id = [0u8; 16];
        fill_random(&mut file_id);
        let created_ns = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0);
        Header {
            major: VERSION_MAJOR,
            minor: VERSION_MINOR,
            file_id,
            created_ns,
            ..Default::default()
        }
    }

    /// Serialises the header, checksum included.
    pub fn encode(&self) -> Vec<u8> {
        let mut b = Vec::with_capacity(256);
        b.extend_from_slice(&MAGIC);
        b.extend_from_slice(&self.major.to_le_bytes());
        b.extend_from_slice(&self.minor.to_le_bytes());
        b.extend_from_slice(&[0; 4]); // header_len, patched below
        b.extend_from_slice(&self.compat_flags.to_le_bytes());
        b.extend_from_slice(&self.incompat_flags.to_le_bytes());
        b.extend_from_slice(&self.file_id);
        b.extend_from_slice(&self.created_ns.to_le_bytes());
        b.extend_from_slice(&self.boot_time_ns.to_le_bytes());
        debug_assert_eq!(b.len(), FIXED_LEN);
        let mut tlv = |t: u16, v: &[u8]| {
            b.extend_from_slice(&t.to_le_bytes());
            b.extend_from_slice(&(v.len() as u32).to_le_bytes());
            b.extend_from_slice(v);
        };
        tlv(tag::HOSTNAME, self.hostname.as_bytes());
        tlv(tag::KERNEL, self.kernel.as_bytes());
        tlv(tag::BOOT_ID, self.boot_id.as_bytes());
        tlv(tag::MACHINE, self.machine.as_bytes());
        tlv(tag::RECORDER, self.recorder.as_bytes());
        tlv(tag::CONFIG, self.config.as_bytes());
        tlv(tag::USERS, &encode_names(&self.users));
        tlv(tag::GROUPS, &encode_names(&self.groups));
        if let Some(s) = &self.segment {
            let mut v = s.index.to_le_bytes().to_vec();
            v.extend_from_slice(&s.previous);
            tlv(tag::SEGMENT, &v);
        }
        if !self.seal_chain.is_empty() {
            tlv(
                tag::SEAL_CHAIN,
                &crate::seal::encode_chain(&self.seal_chain),
            );
        }
        let len = (b.len() + 4) as u32;
        b[12..16].copy_from_slice(&len.to_le_bytes());
        let crc = crc32c::crc32c(&b);
        b.extend_from_slice(&crc.to_le_bytes());
        b
    }

    /// Parses the header at the start of `file`; returns it and its length in bytes.
    pub fn decode(file: &[u8]) -> Result<(Header, usize)> {
        if file.len() < MAGIC.len() || file[..8] != MAGIC {
            return Err(Error::NotACapture);
        }
        if file.len() < FIXED_LEN + 4 {
            return Err(Error::Header(format!(
                "file is {} bytes, shorter than a header",
                file.len()
            )));
        }
        let major = le16(&file[8..]);
        let minor = le16(&file[10..]);
        let len = le32(&file[12..]);
        if len as usize > file.len() {
            return Err(Error::Header(format!(
                "header length {len} runs past the end of the file ({} bytes)",
                file.len()
            )));
        }
        if !(FIXED_LEN as u32 + 4..=MAX_HEADER_LEN).contains(&len) {
            return Err(Error::Header(format!(
                "header length {len} is outside {}..={MAX_HEADER_LEN}",
                FIXED_LEN + 4
            )));
        }
        let len = len as usize;
        let stored = le32(&file[len - 4..]);
        let crc = crc32c::crc32c(&file[..len - 4]);
        if stored != crc {
            return Err(Error::Header(format!(
                "checksum mismatch (stored {stored:#010x}, computed {crc:#010x})"
            )));
        }
        if major != VERSION_MAJOR {
            return Err(Error::Version { major, minor });
        }
        let incompat_flags = le64(&file[24..]);
        if incompat_flags & !KNOWN_INCOMPAT != 0 {
            return Err(Error::IncompatFlags(incompat_flags & !KNOWN_INCOMPAT));
        }
        let mut h = Header {
            major,
            minor,
            compat_flags: le64(&file[16..]),
            incompat_flags,
            file_id: file[32..48].try_into().expect("16 bytes"),
            created_ns: le64(&file[48..]),
            boot_time_ns: le64(&file[56..]),
            ..Default::default()
        };
        let mut rest = &file[FIXED_LEN..len - 4];
        while !rest.is_empty() {
            if rest.len() < 6 {
                return Err(Error::Header("a field header is cut short".into()));
            }
            let t = le16(rest);
            let n = le32(&rest[2..]) as usize;
            let v = rest.get(6..6 + n).ok_or_else(|| {
                Error::Header(format!("field {t} of {n} bytes runs past the header"))
            })?;
            let text = || String::from_utf8_lossy(v).into_owned();
            match t {
                tag::HOSTNAME => h.hostname = text(),
                tag::KERNEL => h.kernel = text(),
                tag::BOOT_ID => h.boot_id = text(),
                tag::MACHINE => h.machine = text(),
                tag::RECORDER => h.recorder = text(),
                tag::CONFIG => h.config = text(),
                tag::USERS => h.users = decode_names(v, "users")?,
                tag::GROUPS => h.groups = decode_names(v, "groups")?,
                tag::SEGMENT => {
                    if v.len() != 20 {
                        return Err(Error::Header(format!(
                            "segment field is {} bytes, expected 20",
                            v.len()
                        )));
                    }
                    h.segment = Some(Segment {
                        index: le32(v),
                        previous: v[4..20].try_into().expect("16 bytes"),
                    });
                }
                tag::SEAL_CHAIN => {
                    h.seal_chain = crate::seal::decode_chain(v).map_err(Error::Header)?;
                }
                _ => {} // Unknown fields are skipped: later minor versions append fields.
            }
            rest = &rest[6 + n..];
        }
        Ok((h, len))
    }

    /// Name of `uid`, from the recorded user table.
    pub fn user_name(&self, uid: u32) -> Option<&str> {
        self.users
            .iter()
            .find(|(u, _)| *u == uid)
            .map(|(_, n)| n.as_str())
    }

    /// Name of `gid`, from the recorded group table.
    pub fn group_name(&self, gid: u32) -> Option<&str> {
        self.groups
            .iter()
            .find(|(g, _)| *g == gid)
            .map(|(_, n)| n.as_str())
    }

    /// The file id as 32 hex digits.
    pub fn file_id_hex(&self) -> String {
        hex(&self.file_id)
    }
}

fn encode_names(names: &[(u32, String)]) -> Vec<u8> {
    let mut v = Vec::new();
    for (id, name) in names {
        let n = &name.as_bytes()[..name.len().min(u16::MAX as usize)];
        v.extend_from_slice(&id.to_le_bytes());
        v.extend_from_slice(&(n.len() as u16).to_le_bytes());
        v.extend_from_slice(n);
    }
    v
}

fn decode_names(mut v: &[u8], what: &str) -> Result<Vec<(u32, String)>> {
    let mut out = Vec::new();
    while !v.is_empty() {
        let cut = || Error::Header(format!("{what} table entry is cut short"));
        if v.len() < 6 {
            return Err(cut());
        }
        let n = le16(&v[4..]) as usize;
        let name = v.get(6..6 + n).ok_or_else(cut)?;
        out.push((le32(v), String::from_utf8_lossy(name).into_owned()));
        v = &v[6 + n..];
    }
    Ok(out)
}

pub(crate) fn le16(b: &[u8]) -> u16 {
    u16::from_le_bytes(b[..2].try_into().expect("2 bytes"))
}
pub(crate) fn le32(b: &[u8]) -> u32 {
    u32::from_le_bytes(b[..4].try_into().expect("4 bytes"))
}
pub(crate) fn le64(b: &[u8]) -> u64 {
    u64::from_le_bytes(b[..8].try_into().expect("8 bytes"))
}

/// Lower-case hex of `b`.
pub fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// `N` bytes from exactly `2N` hex digits (what [`hex`] writes).
pub fn unhex<const N: usize>(t: &str) -> std::result::Result<[u8; N], String> {
    if t.len() != 2 * N || !t.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!(
            "expected {} hex digits, found {} characters",
            2 * N,
            t.len()
        ));
    }
    let mut out = [0u8; N];
    for (i, b) in out.iter_mut().enumerate() {
        *b = u8::from_str_radix(&t[2 * i..2 * i + 2], 16).expect("hex checked");
    }
    Ok(out)
}

/// Fills `buf` from the operating system's random source.
pub(crate) fn fill_random(buf: &mut [u8]) {
    getrandom::fill(buf).expect("the operating system's random source is unavailable");
}
