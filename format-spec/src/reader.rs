//! Opens capture files: through the footer when the file was closed cleanly,
//! otherwise by the recovery scan of SPEC.md §8.3. Chunks decode independently,
//! from many threads at once.

use std::borrow::Cow;
use std::fs::File;
use std::path::Path;

use memmap2::Mmap;

use crate::columns::Payload;
use crate::error::{Error, Result};
use crate::event::OwnedEvent;
use crate::frame::{
    Compression, EventsHeader, Frame, FrameError, FrameType, IndexFrame, TRAILER_LEN,
    frame_len_before, parse_frame, read_trailer,
};
use crate::header::Header;
use crate::limits::MAX_PAYLOAD_LEN;

/// One events chunk, as the directory knows it (zone map included).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChunkInfo {
    /// Byte offset of the frame.
    pub offset: u64,
    /// Frame length in bytes.
    pub frame_len: u32,
    /// Frame sequence number.
    pub seq: u64,
    /// The chunk header.
    pub header: EventsHeader,
}

impl ChunkInfo {
    /// Bitmap of the kind ids present (bit `k` for kind `k`).
    pub fn kinds(&self) -> u128 {
        self.header
            .stats
            .kind_counts
            .iter()
            .fold(0, |b, &(k, _)| b | 1u128 << k)
    }

    /// Number of events of kind id `kind`.
    pub fn count_of(&self, kind: u16) -> u32 {
        self.header
            .stats
            .kind_counts
            .iter()
            .find(|c| c.0 == kind)
            .map_or(0, |c| c.1)
    }
}

/// A part of the file that could not be read, or is missing.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Damage {
    /// Bytes that do not form valid frames, between `offset` and `offset + len`.
    Region {
        /// First damaged byte.
        offset: u64,
        /// Damaged bytes.
        len: u64,
        /// What the first invalid frame looked like.
        what: String,
    },
    /// Frames whose sequence numbers are missing between two readable frames.
    SeqGap {
        /// Last sequence number before the gap.
        after: u64,
        /// First sequence number after the gap.
        next: u64,
    },
    /// The file has no valid footer: the recorder was killed, or the end was lost.
    NoFooter {
        /// Why the footer was not used.
        what: String,
    },
    /// An events chunk that cannot be read whole: its frame, its header or
    /// its payload is bad (the events before the fault are still read).
    BadChunk {
        /// Byte offset of the frame.
        offset: u64,
        /// What is wrong.
        what: String,
    },
}

impl std::fmt::Display for Damage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Damage::Region { offset, len, what } => {
                write!(f, "{len} unreadable bytes at offset {offset}: {what}")
            }
            Damage::SeqGap { after, next } => {
                write!(f, "chunks missing between sequence {after} and {next}")
            }
            Damage::NoFooter { what } => {
                write!(f, "footer not used ({what}); read by walking the frames")
            }
            Damage::BadChunk { offset, what } => write!(f, "chunk at offset {offset}: {what}"),
        }
    }
}

enum Bytes {
    Map(Mmap),
    Owned(Vec<u8>),
}

/// An open capture file.
pub struct Capture {
    bytes: Bytes,
    file: Option<File>,
    header: Header,
    header_len: usize,
    chunks: Vec<ChunkInfo>,
    damage: Vec<Damage>,
    /// Chunks found bad while reading (by any thread), each once.
    read_damage: std::sync::Mutex<Vec<Damage>>,
    footer: Option<IndexFrame>,
}

impl Capture {
    /// Memory-maps `path` and reads its directory.
    pub fn open(path: &Path) -> Result<Capture> {
        let file = File::open(path)?;
        // SAFETY: the map is read-only; every access first checks that the file
        // still has the bytes (see `still_there`), so a file that shrinks later
        // yields an error instead of a fault in the common case.
        let map = unsafe { Mmap::map(&file)? };
        Capture::build(Bytes::Map(map), Some(file))
    }

    /// Reads a capture held in memory.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Capture> {
        Capture::build(Bytes::Owned(bytes), None)
    }

    fn build(bytes: Bytes, file: Option<File>) -> Result<Capture> {
        let data: &[u8] = match &bytes {
            Bytes::Map(m) => m,
            Bytes::Owned(v) => v,
        };
        let (header, header_len) = Header::decode(data)?;
        let (chunks, damage, footer) = match open_by_footer(data, header_len) {
            Ok((chunks, footer)) => (chunks, Vec::new(), Some(footer)),
            Err(why) => {
                let (chunks, mut damage) = recovery_scan(data, header_len);
                damage.insert(0, Damage::NoFooter { what: why });
                (chunks, damage, None)
            }
        };
        Ok(Capture {
            bytes,
            file,
            header,
            header_len,
            chunks,
            damage,
            read_damage: std::sync::Mutex::default(),
            footer,
        })
    }

    /// All bytes of the file.
    pub fn bytes(&self) -> &[u8] {
        match &self.bytes {
            Bytes::Map(m) => m,
            Bytes::Owned(v) => v,
        }
    }

    /// The file header.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// Length of the file header in bytes.
    pub fn header_len(&self) -> usize {
        self.header_len
    }

    /// The events chunks, in file order.
    pub fn chunks(&self) -> &[ChunkInfo] {
        &self.chunks
    }

    /// What is damaged or missing: what opening the file found, then each
    /// chunk found bad while reading it (`note_bad_chunk`); empty for an
    /// intact file read so far without fault.
    pub fn damage(&self) -> Vec<Damage> {
        let read = self.read_damage.lock().unwrap_or_else(|e| e.into_inner());
        self.damage.iter().chain(read.iter()).cloned().collect()
    }

    /// Records that chunk `i` could not be read whole, once per chunk
    /// however many passes meet it, so every command reports it alike.
    pub fn note_bad_chunk(&self, i: usize, what: String) {
        let offset = self.chunks[i].offset;
        let mut read = self.read_damage.lock().unwrap_or_else(|e| e.into_inner());
        let known = |d: &Damage| matches!(d, Damage::BadChunk { offset: o, .. } if *o == offset);
        if !self.damage.iter().any(known) && !read.iter().any(known) {
            read.push(Damage::BadChunk { offset, what });
        }
    }

    /// The footer, when the file was closed cleanly.
    pub fn footer(&self) -> Option<&IndexFrame> {
        self.footer.as_ref()
    }

    /// Events in all readable chunks.
    pub fn event_count(&self) -> u64 {
        self.chunks
            .iter()
            .map(|c| u64::from(c.header.stats.events))
            .sum()
    }

    /// Events the recorder reported lost.
    pub fn lost_count(&self) -> u64 {
        self.chunks.iter().map(|c| c.header.lost).sum()
    }

    /// Checks chunk `i`'s frame and CRC and returns its payload, decompressed.
    /// Safe to call from many threads at once.
    pub fn payload(&self, i: usize) -> Result<Payload<'_>> {
        let f = self.frame(i)?;
        let bad = |what: String| Error::Chunk {
            offset: f.offset,
            what,
        };
        let h = EventsHeader::decode(f.header).map_err(bad)?;
        decode_payload(&f, h).map_err(bad)
    }

    /// Like [`Capture::payload`], decompressing into `buf`, which a caller
    /// decoding many chunks reuses (no fresh allocation per chunk).
    pub fn payload_in<'a>(&'a self, i: usize, buf: &'a mut Vec<u8>) -> Result<Payload<'a>> {
        let f = self.frame(i)?;
        let bad = |what: String| Error::Chunk {
            offset: f.offset,
            what,
        };
        let h = EventsHeader::decode(f.header).map_err(bad)?;
        decode_payload_in(&f, h, Some(buf)).map_err(bad)
    }

    /// Checks chunk `i`'s frame and CRC without decompressing it.
    pub fn check_chunk(&self, i: usize) -> Result<()> {
        self.frame(i).map(drop)
    }

    fn frame(&self, i: usize) -> Result<Frame<'_>> {
        let c = &self.chunks[i];
        self.still_there(c.offset + u64::from(c.frame_len))?;
        let bad = |what: String| Error::Chunk {
            offset: c.offset,
            what,
        };
        let f = parse_frame(self.bytes(), c.offset, true).map_err(|e| bad(e.what().to_string()))?;
        if f.seq != c.seq || f.ftype != FrameType::Events as u32 {
            return Err(bad(
                "frame is not the events chunk the directory names".into()
            ));
        }
        Ok(f)
    }

    /// Decodes every readable event in file order, copying strings (tests, small files).
    pub fn read_all(&self) -> Result<Vec<OwnedEvent>> {
        let mut out = Vec::new();
        for i in 0..self.chunks.len() {
            let p = self.payload(i)?;
            for e in p.events().map_err(|e| self.chunk_err(i, e.0))? {
                out.push(e.map_err(|e| self.chunk_err(i, e.0))?.to_owned_event());
            }
        }
        Ok(out)
    }

    /// An error about chunk `i`.
    pub fn chunk_err(&self, i: usize, what: String) -> Error {
        Error::Chunk {
            offset: self.chunks[i].offset,
            what,
        }
    }

    fn still_there(&self, end: u64) -> Result<()> {
        if let Some(f) = &self.file {
            let len = f.metadata()?.len();
            if len < end {
                return Err(Error::Io(std::io::Error::other(format!(
                    "the file shrank to {len} bytes while being read (needed {end})"
                ))));
            }
        }
        Ok(())
    }
}

/// Decompresses (within the declared size) and wraps an events frame's payload.
pub(crate) fn decode_payload<'a>(f: &Frame<'a>, h: EventsHeader) -> Result<Payload<'a>, String> {
    decode_payload_in(f, h, None)
}

/// Like [`decode_payload`], decompressing into `buf` when given (reused across chunks).
pub(crate) fn decode_payload_in<'a>(
    f: &Frame<'a>,
    h: EventsHeader,
    buf: Option<&'a mut Vec<u8>>,
) -> Result<Payload<'a>, String> {
    if h.uncompressed_len > MAX_PAYLOAD_LEN {
        return Err(format!(
            "payload of {} bytes exceeds the {MAX_PAYLOAD_LEN}-byte limit",
            h.uncompressed_len
        ));
    }
    let data: Cow<'a, [u8]> = match h.compression {
        c if c == Compression::None as u8 => {
            if f.body.len() != h.uncompressed_len as usize {
                return Err(format!(
                    "stored payload is {} bytes, header says {}",
                    f.body.len(),
                    h.uncompressed_len
                ));
            }
            Cow::Borrowed(f.body)
        }
        c if c == Compression::Zstd as u8 => {
            if let Some(buf) = buf {
                // The declared size bounds the output: a bomb fails instead of allocating.
                buf.clear();
                buf.reserve_exact(h.uncompressed_len as usize);
                // The Vec form writes into spare capacity (the slice form would see length 0).
                let n = zstd::bulk::Decompressor::new()
                    .and_then(|mut d| d.decompress_to_buffer(f.body, buf))
                    .map_err(|e| {
                        format!(
                            "zstd payload does not decompress within {} bytes: {e}",
                            h.uncompressed_len
                        )
                    })?;
                if n != h.uncompressed_len as usize {
                    return Err(format!(
                        "payload decompresses to {n} bytes, header says {}",
                        h.uncompressed_len
                    ));
                }
                return Ok(Payload::new(Cow::Borrowed(&buf[..]), h.stats));
            }
            // The capacity bound makes a decompression bomb fail instead of allocate.
            let v = zstd::bulk::decompress(f.body, h.uncompressed_len as usize).map_err(|e| {
                format!(
                    "zstd payload does not decompress within {} bytes: {e}",
                    h.uncompressed_len
                )
            })?;
            if v.len() != h.uncompressed_len as usize {
                return Err(format!(
                    "payload decompresses to {} bytes, header says {}",
                    v.len(),
                    h.uncompressed_len
                ));
            }
            Cow::Owned(v)
        }
        c => return Err(format!("unknown compression code {c}")),
    };
    Ok(Payload::new(data, h.stats))
}

fn open_by_footer(data: &[u8], header_len: usize) -> Result<(Vec<ChunkInfo>, IndexFrame), String> {
    let at = read_trailer(data).ok_or("the file does not end with the trailer")?;
    let footer_end = (data.len() - TRAILER_LEN) as u64;
    if at < header_len as u64 || at >= footer_end {
        return Err(format!("trailer points to offset {at}, outside the file"));
    }
    let f = parse_frame(&data[..footer_end as usize], at, true)
        .map_err(|e| format!("footer frame: {}", e.what()))?;
    if f.ftype != FrameType::Footer as u32 || f.end() != footer_end {
        return Err("the trailer does not point to a footer frame that ends at the trailer".into());
    }
    let footer = IndexFrame::decode(f.header, f.body, true).map_err(|e| format!("footer: {e}"))?;
    // The footer is not signed: before it decides what analysis sees, the
    // frames themselves are walked (their fixed headers only, no CRC or
    // decompression) and must be exactly the ones it lists, in sequence.
    let mut chunks = Vec::with_capacity(footer.entries.len());
    let mut entries = footer.entries.iter();
    let (mut off, mut seq) = (header_len as u64, 0u64);
    let before_footer = &data[..at as usize];
    while off < at {
        let cf = parse_frame(before_footer, off, false)
            .map_err(|x| format!("the frame at offset {off}: {}", x.what()))?;
        if cf.seq != seq {
            return Err(format!(
                "the frame at offset {off} has sequence {}, {seq} expected",
                cf.seq
            ));
        }
        if cf.ftype == FrameType::Events as u32 {
            let listed = entries
                .next()
                .ok_or_else(|| format!("the footer leaves out the events chunk at offset {off}"))?;
            if listed.offset > off {
                return Err(format!(
                    "the footer leaves out the events chunk at offset {off}"
                ));
            }
            if listed.offset != off
                || listed.seq != seq
                || listed.frame_len as usize != cf.bytes.len()
            {
                return Err(format!(
                    "the footer's entry for offset {} does not describe the events chunk at offset {off}",
                    listed.offset
                ));
            }
            let header =
                EventsHeader::decode(cf.header).map_err(|x| format!("chunk at {off}: {x}"))?;
            chunks.push(ChunkInfo {
                offset: off,
                frame_len: listed.frame_len,
                seq,
                header,
            });
        }
        off = cf.end();
        seq += 1;
    }
    if let Some(extra) = entries.next() {
        return Err(format!(
            "the footer lists an events chunk at offset {} that is not among the frames",
            extra.offset
        ));
    }
    if off != at || f.seq != seq {
        return Err(format!(
            "the footer (sequence {}) does not follow the last frame (sequence {})",
            f.seq,
            seq.wrapping_sub(1)
        ));
    }
    Ok((chunks, footer))
}

/// Length of the frame at `off` when its leading and trailing lengths agree and fit the file.
fn intact_framing(data: &[u8], off: u64) -> Option<u64> {
    let at = usize::try_from(off).ok()?;
    let len = u64::from(u32::from_le_bytes(
        data.get(at + 4..at + 8)?.try_into().ok()?,
    ));
    let end = off.checked_add(len)?;
    (len >= 64
        && len <= u64::from(crate::limits::MAX_FRAME_LEN)
        && frame_len_before(data, end) == Some(len))
    .then_some(len)
}

/// Reads valid frames forward from the header, then backward from the end,
/// and reports what lies between and any sequence gaps (SPEC.md §8.3).
fn recovery_scan(data: &[u8], header_len: usize) -> (Vec<ChunkInfo>, Vec<Damage>) {
    let mut frames: Vec<Frame<'_>> = Vec::new();
    let mut damage = Vec::new();
    let mut off = header_len as u64;
    let mut stop: Option<FrameError> = None;
    // A trailer ends the frames (its footer was not trusted, or not found).
    let frames_end = data.len()
        - if read_trailer(data).is_some() {
            TRAILER_LEN
        } else {
            0
        };
    let data = &data[..frames_end];
    while off < data.len() as u64 {
        match parse_frame(data, off, true) {
            Ok(f) => {
                off = f.end();
                frames.push(f);
            }
            Err(FrameError::Invalid(what)) if let Some(len) = intact_framing(data, off) => {
                // Content damaged but both length copies agree: step over this one frame.
                damage.push(Damage::Region {
                    offset: off,
                    len,
                    what,
                });
                off += len;
            }
            Err(e) => {
                stop = Some(e);
                break;
            }
        }
    }
    if let Some(err) = stop {
        // Walk back from the end (before a trailer, if one is there) over frames
        // that end where the next begins, stopping at the forward scan's end.
        let mut end = data.len() as u64;
        let forward_end = off;
        let mut tail: Vec<Frame<'_>> = Vec::new();
        while end > forward_end {
            let Some(len) = frame_len_before(data, end) else {
                break;
            };
            let Some(start) = end.checked_sub(len).filter(|&s| s >= forward_end) else {
                break;
            };
            match parse_frame(&data[..end as usize], start, true) {
                Ok(f) if f.end() == end => {
                    tail.push(f);
                    end = start;
                }
                _ => break,
            }
        }
        damage.push(Damage::Region {
            offset: forward_end,
            // The forward scan may have stopped inside what looks like a trailer.
            len: end.saturating_sub(forward_end),
            what: err.what().to_string(),
        });
        tail.reverse();
        frames.extend(tail);
    }
    let mut chunks = Vec::new();
    let mut prev_seq: Option<u64> = None;
    for f in &frames {
        if let Some(p) = prev_seq
            && p.checked_add(1) != Some(f.seq)
        {
            damage.push(Damage::SeqGap {
                after: p,
                next: f.seq,
            });
        }
        prev_seq = Some(f.seq);
        if f.ftype == FrameType::Events as u32 {
            match EventsHeader::decode(f.header) {
                Ok(header) => chunks.push(ChunkInfo {
                    offset: f.offset,
                    frame_len: f.bytes.len() as u32,
                    seq: f.seq,
                    header,
                }),
                Err(what) => damage.push(Damage::BadChunk {
                    offset: f.offset,
                    what,
                }),
            }
        }
    }
    (chunks, damage)
}
