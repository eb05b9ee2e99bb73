//! Chunk frames (SPEC.md §3), the events-chunk header, index entries, seals
//! and the file trailer.

use ed25519_dalek::{Signature, VerifyingKey};

use crate::columns::ChunkStats;
use crate::header::{le16, le32, le64};
use crate::kinds::KIND_ID_LIMIT;
use crate::limits::{MAX_FRAME_LEN, MAX_INDEX_ENTRIES};

/// Bytes before a frame's type-specific header.
pub const FRAME_PREFIX_LEN: usize = 56;
/// Bytes after a frame's body: CRC32C and the repeated frame length.
pub const FRAME_SUFFIX_LEN: usize = 8;
/// Size of one index entry.
pub const INDEX_ENTRY_LEN: usize = 64;
/// Size of the file trailer.
pub const TRAILER_LEN: usize = 16;
/// The last 8 bytes of a cleanly closed file.
pub const TRAILER_MAGIC: [u8; 8] = *b"SHRKEND\n";
/// Domain separation for format 1.2's seal signatures (type 3, read only).
const SEAL_V1_CONTEXT: &[u8] = b"shrike seal v1\0";

/// Frame types.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum FrameType {
    /// A chunk of events.
    Events = 1,
    /// Index of the events chunks since the previous index chunk.
    Index = 2,
    /// Format 1.2's seal: an Ed25519 signature over the hash chain, with one
    /// key throughout and nothing covering the end. Read, no longer written.
    SealV1 = 3,
    /// Index of every events chunk, written on clean close.
    Footer = 4,
    /// A forward-secure seal (1.3, `seal.rs`): each names the key of the next,
    /// and the final one covers the footer.
    Seal = 5,
}

impl FrameType {
    /// The type with this code, if known.
    pub fn from_code(c: u32) -> Option<FrameType> {
        Some(match c {
            1 => FrameType::Events,
            2 => FrameType::Index,
            3 => FrameType::SealV1,
            4 => FrameType::Footer,
            5 => FrameType::Seal,
            _ => return None,
        })
    }
}

/// A frame located in the file.
#[derive(Clone, Copy, Debug)]
pub struct Frame<'a> {
    /// Byte offset of the frame in the file.
    pub offset: u64,
    /// Type code (unknown codes are skipped by readers).
    pub ftype: u32,
    /// Sequence number.
    pub seq: u64,
    /// BLAKE3 of the previous frame (or of the file header).
    pub prev_hash: [u8; 32],
    /// Type-specific header.
    pub header: &'a [u8],
    /// Body.
    pub body: &'a [u8],
    /// The whole frame.
    pub bytes: &'a [u8],
}

impl Frame<'_> {
    /// BLAKE3 of the whole frame: the next frame's `prev_hash`.
    pub fn hash(&self) -> [u8; 32] {
        *blake3::hash(self.bytes).as_bytes()
    }

    /// Offset just past the frame.
    pub fn end(&self) -> u64 {
        self.offset + self.bytes.len() as u64
    }
}

/// Why a frame could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FrameError {
    /// The frame runs past the end of the file.
    Truncated(String),
    /// The frame is malformed or its checksum fails.
    Invalid(String),
}

impl FrameError {
    /// What is wrong.
    pub fn what(&self) -> &str {
        match self {
            FrameError::Truncated(s) | FrameError::Invalid(s) => s,
        }
    }
}

/// Assembles a frame.
pub(crate) fn build_frame(
    ftype: FrameType,
    seq: u64,
    prev: &[u8; 32],
    header: &[u8],
    body: &[u8],
) -> Vec<u8> {
    let len = FRAME_PREFIX_LEN + header.len() + body.len() + FRAME_SUFFIX_LEN;
    let mut f = Vec::with_capacity(len);
    f.extend_from_slice(&(ftype as u32).to_le_bytes());
    f.extend_from_slice(&(len as u32).to_le_bytes());
    f.extend_from_slice(&seq.to_le_bytes());
    f.extend_from_slice(prev);
    f.extend_from_slice(&(header.len() as u32).to_le_bytes());
    f.extend_from_slice(&(body.len() as u32).to_le_bytes());
    f.extend_from_slice(header);
    f.extend_from_slice(body);
    let crc = crc32c::crc32c(&f);
    f.extend_from_slice(&crc.to_le_bytes());
    f.extend_from_slice(&(len as u32).to_le_bytes());
    f
}

/// Reads the frame at `offset`, checking lengths and (if asked) the CRC.
pub fn parse_frame(file: &[u8], offset: u64, check_crc: bool) -> Result<Frame<'_>, FrameError> {
    let avail = (file.len() as u64).saturating_sub(offset);
    let at = offset as usize;
    if avail < (FRAME_PREFIX_LEN + FRAME_SUFFIX_LEN) as u64 {
        return Err(FrameError::Truncated(format!(
            "{avail} bytes remain, fewer than a frame needs"
        )));
    }
    let ftype = le32(&file[at..]);
    let len = le32(&file[at + 4..]);
    let hlen = le32(&file[at + 48..]) as u64;
    let blen = le32(&file[at + 52..]) as u64;
    if !((FRAME_PREFIX_LEN + FRAME_SUFFIX_LEN) as u32..=MAX_FRAME_LEN).contains(&len) {
        return Err(FrameError::Invalid(format!(
            "frame length {len} is outside 64..={MAX_FRAME_LEN}"
        )));
    }
    if (FRAME_PREFIX_LEN + FRAME_SUFFIX_LEN) as u64 + hlen + blen != len as u64 {
        return Err(FrameError::Invalid(format!(
            "frame length {len} does not equal 64 + header {hlen} + body {blen}"
        )));
    }
    if len as u64 > avail {
        return Err(FrameError::Truncated(format!(
            "frame of {len} bytes runs past the end of the file ({avail} remain)"
        )));
    }
    let bytes = &file[at..at + len as usize];
    let crc_at = len as usize - FRAME_SUFFIX_LEN;
    let trailing = le32(&bytes[crc_at + 4..]);
    if trailing != len {
        return Err(FrameError::Invalid(format!(
            "trailing length {trailing} differs from leading length {len}"
        )));
    }
    if check_crc {
        let stored = le32(&bytes[crc_at..]);
        let crc = crc32c::crc32c(&bytes[..crc_at]);
        if stored != crc {
            return Err(FrameError::Invalid(format!(
                "CRC32C mismatch (stored {stored:#010x}, computed {crc:#010x})"
            )));
        }
    }
    let h_end = FRAME_PREFIX_LEN + hlen as usize;
    Ok(Frame {
        offset,
        ftype,
        seq: le64(&bytes[8..]),
        prev_hash: bytes[16..48].try_into().expect("32 bytes"),
        header: &bytes[FRAME_PREFIX_LEN..h_end],
        body: &bytes[h_end..crc_at],
        bytes,
    })
}

/// Length of the frame that ends at `end`, from its trailing copy, for backward scans.
pub fn frame_len_before(file: &[u8], end: u64) -> Option<u64> {
    let e = usize::try_from(end).ok()?;
    (e >= 4 && e <= file.len()).then(|| le32(&file[e - 4..]) as u64)
}

/// Compression of an events payload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Compression {
    /// Stored as is.
    None = 0,
    /// One zstd frame.
    Zstd = 1,
}

/// Fixed part of the events-chunk header, before the per-kind counts.
pub const EVENTS_HEADER_FIXED: usize = 48;

/// The events-chunk header (SPEC.md §3.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventsHeader {
    /// Counts and ranges.
    pub stats: ChunkStats,
    /// Bytes of the payload once decompressed.
    pub uncompressed_len: u32,
    /// Events the kernel dropped since the previous events chunk.
    pub lost: u64,
    /// Payload compression code (see [`Compression`]).
    pub compression: u8,
}

impl EventsHeader {
    pub(crate) fn encode(&self) -> Vec<u8> {
        let s = &self.stats;
        let mut h = Vec::with_capacity(EVENTS_HEADER_FIXED + 8 * s.kind_counts.len());
        h.extend_from_slice(&s.min_ts.to_le_bytes());
        h.extend_from_slice(&s.max_ts.to_le_bytes());
        h.extend_from_slice(&s.events.to_le_bytes());
        h.extend_from_slice(&s.min_pid.to_le_bytes());
        h.extend_from_slice(&s.max_pid.to_le_bytes());
        h.extend_from_slice(&self.uncompressed_len.to_le_bytes());
        h.extend_from_slice(&self.lost.to_le_bytes());
        h.push(self.compression);
        h.extend_from_slice(&[0; 3]);
        h.extend_from_slice(&(s.kind_counts.len() as u32).to_le_bytes());
        for &(k, n) in &s.kind_counts {
            h.extend_from_slice(&k.to_le_bytes());
            h.extend_from_slice(&[0; 2]);
            h.extend_from_slice(&n.to_le_bytes());
        }
        h
    }

    /// Parses and checks an events-chunk header.
    pub fn decode(h: &[u8]) -> Result<Self, String> {
        if h.len() < EVENTS_HEADER_FIXED {
            return Err(format!(
                "events header is {} bytes, shorter than {EVENTS_HEADER_FIXED}",
                h.len()
            ));
        }
        let k = le32(&h[44..]) as usize;
        if k > KIND_ID_LIMIT as usize || h.len() != EVENTS_HEADER_FIXED + 8 * k {
            return Err(format!(
                "events header of {} bytes does not hold {k} kind counts",
                h.len()
            ));
        }
        let mut kind_counts = Vec::with_capacity(k);
        let mut total: u64 = 0;
        for i in 0..k {
            let e = &h[EVENTS_HEADER_FIXED + 8 * i..];
            let (id, n) = (le16(e), le32(&e[4..]));
            if id >= KIND_ID_LIMIT || kind_counts.last().is_some_and(|&(p, _)| p >= id) || n == 0 {
                return Err(format!(
                    "kind count {i} (kind {id}, {n} events) is out of order, out of range or zero"
                ));
            }
            total += u64::from(n);
            kind_counts.push((id, n));
        }
        let stats = ChunkStats {
            min_ts: le64(h),
            max_ts: le64(&h[8..]),
            events: le32(&h[16..]),
            min_pid: le32(&h[20..]),
            max_pid: le32(&h[24..]),
            kind_counts,
        };
        if total != u64::from(stats.events) {
            return Err(format!(
                "kind counts add up to {total}, the header says {} events",
                stats.events
            ));
        }
        if stats.events > 0 && (stats.min_ts > stats.max_ts || stats.min_pid > stats.max_pid) {
            return Err("time or pid range is inverted".into());
        }
        if h[41..44] != [0, 0, 0] {
            return Err("reserved bytes are not zero".into());
        }
        Ok(EventsHeader {
            stats,
            uncompressed_len: le32(&h[28..]),
            lost: le64(&h[32..]),
            compression: h[40],
        })
    }
}

/// One index entry: where an events chunk is and what it holds (SPEC.md §6.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndexEntry {
    /// Byte offset of the chunk frame.
    pub offset: u64,
    /// Frame length.
    pub frame_len: u32,
    /// Events in the chunk.
    pub events: u32,
    /// Frame sequence number.
    pub seq: u64,
    /// Smallest timestamp.
    pub min_ts: u64,
    /// Largest timestamp.
    pub max_ts: u64,
    /// Smallest pid.
    pub min_pid: u32,
    /// Largest pid.
    pub max_pid: u32,
    /// Bit `k` set when kind id `k` occurs.
    pub kinds: u128,
}

impl IndexEntry {
    pub(crate) fn new(offset: u64, frame_len: u32, seq: u64, s: &ChunkStats) -> Self {
        let kinds = s
            .kind_counts
            .iter()
            .fold(0u128, |b, &(k, _)| b | 1u128 << k);
        IndexEntry {
            offset,
            frame_len,
            events: s.events,
            seq,
            min_ts: s.min_ts,
            max_ts: s.max_ts,
            min_pid: s.min_pid,
            max_pid: s.max_pid,
            kinds,
        }
    }

    pub(crate) fn encode_into(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.offset.to_le_bytes());
        out.extend_from_slice(&self.frame_len.to_le_bytes());
        out.extend_from_slice(&self.events.to_le_bytes());
        out.extend_from_slice(&self.seq.to_le_bytes());
        out.extend_from_slice(&self.min_ts.to_le_bytes());
        out.extend_from_slice(&self.max_ts.to_le_bytes());
        out.extend_from_slice(&self.min_pid.to_le_bytes());
        out.extend_from_slice(&self.max_pid.to_le_bytes());
        out.extend_from_slice(&self.kinds.to_le_bytes());
    }

    fn decode(e: &[u8]) -> Self {
        IndexEntry {
            offset: le64(e),
            frame_len: le32(&e[8..]),
            events: le32(&e[12..]),
            seq: le64(&e[16..]),
            min_ts: le64(&e[24..]),
            max_ts: le64(&e[32..]),
            min_pid: le32(&e[40..]),
            max_pid: le32(&e[44..]),
            kinds: u128::from_le_bytes(e[48..64].try_into().expect("16 bytes")),
        }
    }
}

/// Index and footer frames: header fields and entries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndexFrame {
    /// Entries, in file order.
    pub entries: Vec<IndexEntry>,
    /// Footer only: events in the whole file.
    pub total_events: u64,
    /// Footer only: events lost in the whole recording of this file.
    pub total_lost: u64,
}

impl IndexFrame {
    pub(crate) fn encode(&self, footer: bool) -> (Vec<u8>, Vec<u8>) {
        let mut h = Vec::new();
        h.extend_from_slice(&(self.entries.len() as u32).to_le_bytes());
        h.extend_from_slice(&[0; 4]);
        if footer {
            h.extend_from_slice(&self.total_events.to_le_bytes());
            h.extend_from_slice(&self.total_lost.to_le_bytes());
        }
        let mut body = Vec::with_capacity(self.entries.len() * INDEX_ENTRY_LEN);
        self.entries.iter().for_each(|e| e.encode_into(&mut body));
        (h, body)
    }

    /// Parses an index (`footer == false`) or footer frame's header and body.
    pub fn decode(header: &[u8], body: &[u8], footer: bool) -> Result<Self, String> {
        let want = if footer { 24 } else { 8 };
        if header.len() != want {
            return Err(format!(
                "index header is {} bytes, expected {want}",
                header.len()
            ));
        }
        let n = le32(header);
        if n > MAX_INDEX_ENTRIES || body.len() != n as usize * INDEX_ENTRY_LEN {
            return Err(format!(
                "index body of {} bytes does not hold {n} entries",
                body.len()
            ));
        }
        if header[4..8] != [0; 4] {
            return Err("reserved bytes are not zero".into());
        }
        Ok(IndexFrame {
            entries: body
                .chunks_exact(INDEX_ENTRY_LEN)
                .map(IndexEntry::decode)
                .collect(),
            total_events: if footer { le64(&header[8..]) } else { 0 },
            total_lost: if footer { le64(&header[16..]) } else { 0 },
        })
    }
}

/// The message a format 1.2 seal signs: context, file id, the seal's sequence number and chain head.
fn seal_v1_message(file_id: &[u8; 16], seq: u64, chain_head: &[u8; 32]) -> Vec<u8> {
    [SEAL_V1_CONTEXT, file_id, &seq.to_le_bytes(), chain_head].concat()
}

/// Checks a format 1.2 seal frame (type 3); returns the public key that signed it.
pub fn check_seal_v1(frame: &Frame<'_>, file_id: &[u8; 16]) -> Result<VerifyingKey, String> {
    if frame.header.len() != 96 || !frame.body.is_empty() {
        return Err(format!(
            "seal header is {} bytes and body {}, expected 96 and 0",
            frame.header.len(),
            frame.body.len()
        ));
    }
    let key = VerifyingKey::from_bytes(frame.header[..32].try_into().expect("32 bytes"))
        .map_err(|e| format!("seal public key is not a valid Ed25519 key: {e}"))?;
    let sig = Signature::from_bytes(frame.header[32..96].try_into().expect("64 bytes"));
    key.verify_strict(&seal_v1_message(file_id, frame.seq, &frame.prev_hash), &sig)
        .map_err(|_| "seal signature does not match the hash chain".to_string())?;
    Ok(key)
}

/// Builds the trailer that follows the footer frame.
pub(crate) fn trailer(footer_offset: u64) -> [u8; TRAILER_LEN] {
    let mut t = [0u8; TRAILER_LEN];
    t[..8].copy_from_slice(&footer_offset.to_le_bytes());
    t[8..].copy_from_slice(&TRAILER_MAGIC);
    t
}

/// The footer offset named by a valid trailer at the end of `file`.
pub fn read_trailer(file: &[u8]) -> Option<u64> {
    let t = file.len().checked_sub(TRAILER_LEN).map(|s| &file[s..])?;
    (t[8..] == TRAILER_MAGIC).then(|| le64(t))
}
