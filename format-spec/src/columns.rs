//! The columnar chunk payload (SPEC.md §4): building it from events and
//! decoding it back, zero-copy, one event at a time.

use std::borrow::Cow;

use rustc_hash::FxHashMap;

use crate::error::DecodeError;
use crate::event::{Event, EventRef, SockAddr};
use crate::kinds::{Body, FieldType, Kind, decode_body_into};
use crate::limits::{
    MAX_CHUNK_STRING_BYTES, MAX_DICT_ENTRIES, MAX_EVENT_STRING_BYTES, MAX_EVENTS_PER_CHUNK,
    MAX_LIST_LEN,
};
use crate::varint::{get_uint, put_int, put_uint, unzigzag};

/// Names of the common columns, in payload order (SPEC.md §4.2).
pub const COMMON_COLUMNS: [&str; 11] = [
    "kind", "ts", "cpu", "pid", "tid", "comm", "uid", "gid", "euid", "egid", "cgroup",
];
const C_KIND: usize = 0;
const C_TS: usize = 1;
const C_CPU: usize = 2;
const C_PID: usize = 3;
const C_TID: usize = 4;
const C_COMM: usize = 5;
const C_UID: usize = 6;
const C_GID: usize = 7;
const C_EUID: usize = 8;
const C_EGID: usize = 9;
const C_CGROUP: usize = 10;

/// Which of the common columns past kind and time (SPEC.md §4.2) a walk
/// decodes; the others read as zero and are never stepped through, which is
/// most of the cost of passing over events a walk does not want.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CommonColumns(u16);

impl CommonColumns {
    /// Every column.
    pub const ALL: CommonColumns = CommonColumns(u16::MAX);
    /// No column but kind and time.
    pub const NONE: CommonColumns = CommonColumns(0);
    /// cpu.
    pub const CPU: CommonColumns = CommonColumns(1 << C_CPU);
    /// pid.
    pub const PID: CommonColumns = CommonColumns(1 << C_PID);
    /// tid (stored relative to the pid: decoding it needs [`CommonColumns::PID`] too).
    pub const TID: CommonColumns = CommonColumns(1 << C_TID);
    /// comm.
    pub const COMM: CommonColumns = CommonColumns(1 << C_COMM);
    /// uid.
    pub const UID: CommonColumns = CommonColumns(1 << C_UID);
    /// gid.
    pub const GID: CommonColumns = CommonColumns(1 << C_GID);
    /// euid.
    pub const EUID: CommonColumns = CommonColumns(1 << C_EUID);
    /// egid.
    pub const EGID: CommonColumns = CommonColumns(1 << C_EGID);
    /// cgroup.
    pub const CGROUP: CommonColumns = CommonColumns(1 << C_CGROUP);
    /// pid and comm only: what a process's life needs.
    pub const PID_AND_COMM: CommonColumns = CommonColumns(1 << C_PID | 1 << C_COMM);

    /// The columns of both.
    pub const fn with(self, other: CommonColumns) -> CommonColumns {
        CommonColumns(self.0 | other.0)
    }

    #[inline(always)]
    fn has(self, column: usize) -> bool {
        self.0 & (1 << column) != 0
    }
}

/// Address tags inside an `addr` value (SPEC.md §4.3).
mod addr_tag {
    pub const NONE: u8 = 0;
    pub const V4: u8 = 1;
    pub const V6: u8 = 2;
    pub const UNIX: u8 = 3;
    pub const OTHER: u8 = 4;
}

/// The per-chunk string dictionary being built.
#[derive(Default)]
pub(crate) struct DictBuilder {
    map: FxHashMap<Box<[u8]>, u32>,
    lens: Vec<u8>,
    bytes: Vec<u8>,
    /// String bytes referenced so far, each reference counted (SPEC.md §9).
    referenced: u64,
}

impl DictBuilder {
    fn id(&mut self, s: &[u8]) -> u32 {
        if let Some(&id) = self.map.get(s) {
            return id;
        }
        let id = self.map.len() as u32;
        self.map.insert(s.into(), id);
        put_uint(&mut self.lens, s.len() as u64);
        self.bytes.extend_from_slice(s);
        id
    }

    pub(crate) fn len(&self) -> usize {
        self.map.len()
    }

    pub(crate) fn put_str(&mut self, col: &mut Vec<u8>, s: &[u8]) {
        self.referenced += s.len() as u64;
        let id = self.id(s);
        put_uint(col, id.into());
    }

    pub(crate) fn put_strs<S: AsRef<[u8]>>(&mut self, col: &mut Vec<u8>, v: &[S]) {
        put_uint(col, v.len() as u64);
        for s in v {
            self.put_str(col, s.as_ref());
        }
    }

    pub(crate) fn put_addr<S: AsRef<[u8]>>(&mut self, col: &mut Vec<u8>, a: &SockAddr<S>) {
        match a {
            SockAddr::None => col.push(addr_tag::NONE),
            SockAddr::V4 { ip, port } => {
                col.push(addr_tag::V4);
                col.extend_from_slice(ip);
                put_uint(col, (*port).into());
            }
            SockAddr::V6 { ip, port } => {
                col.push(addr_tag::V6);
                col.extend_from_slice(ip);
                put_uint(col, (*port).into());
            }
            SockAddr::Unix(p) => {
                col.push(addr_tag::UNIX);
                self.put_str(col, p.as_ref());
            }
            SockAddr::Other(fam) => {
                col.push(addr_tag::OTHER);
                put_uint(col, (*fam).into());
            }
        }
    }

    fn encoded(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.lens.len() + self.bytes.len() + 5);
        put_uint(&mut out, self.map.len() as u64);
        out.extend_from_slice(&self.lens);
        out.extend_from_slice(&self.bytes);
        out
    }
}

/// What the chunk header says about a payload (SPEC.md §3.2).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ChunkStats {
    /// Number of events.
    pub events: u32,
    /// Smallest timestamp.
    pub min_ts: u64,
    /// Largest timestamp.
    pub max_ts: u64,
    /// Smallest pid.
    pub min_pid: u32,
    /// Largest pid.
    pub max_pid: u32,
    /// (kind id, count) for each kind present, ascending by id.
    pub kind_counts: Vec<(u16, u32)>,
}

/// Accumulates events into columns until the writer cuts a chunk.
pub(crate) struct ChunkBuilder {
    common: [Vec<u8>; 11],
    kinds: Vec<Vec<Vec<u8>>>,
    counts: Vec<u32>,
    dict: DictBuilder,
    prev_ts: u64,
    stats: ChunkStats,
}

impl ChunkBuilder {
    pub(crate) fn new() -> Self {
        ChunkBuilder {
            common: Default::default(),
            kinds: Kind::ALL
                .iter()
                .map(|k| vec![Vec::new(); k.fields().len()])
                .collect(),
            counts: vec![0; Kind::ALL.len()],
            dict: DictBuilder::default(),
            prev_ts: 0,
            stats: ChunkStats::default(),
        }
    }

    pub(crate) fn len(&self) -> u32 {
        self.stats.events
    }

    pub(crate) fn dict_len(&self) -> usize {
        self.dict.len()
    }

    /// String bytes the chunk's events reference so far, each reference counted.
    pub(crate) fn referenced_bytes(&self) -> u64 {
        self.dict.referenced
    }

    /// Uncompressed bytes so far (within a few bytes of the payload size).
    pub(crate) fn approx_bytes(&self) -> usize {
        let common: usize = self.common.iter().map(Vec::len).sum();
        let kinds: usize = self.kinds.iter().flatten().map(Vec::len).sum();
        common + kinds + self.dict.lens.len() + self.dict.bytes.len()
    }

    pub(crate) fn push<S: AsRef<[u8]>>(&mut self, ev: &Event<S>) -> Result<(), String> {
        let Some(kind) = ev.kind() else {
            return Err(format!(
                "event kind {} is not one this writer knows",
                ev.kind_id()
            ));
        };
        let s = &mut self.stats;
        if s.events == 0 {
            s.min_ts = ev.ts;
            s.max_ts = ev.ts;
            s.min_pid = ev.pid;
            s.max_pid = ev.pid;
        } else {
            s.min_ts = s.min_ts.min(ev.ts);
            s.max_ts = s.max_ts.max(ev.ts);
            s.min_pid = s.min_pid.min(ev.pid);
            s.max_pid = s.max_pid.max(ev.pid);
        }
        s.events += 1;
        let c = &mut self.common;
        put_uint(&mut c[C_KIND], kind.id().into());
        put_int(&mut c[C_TS], ev.ts.wrapping_sub(self.prev_ts) as i64);
        self.prev_ts = ev.ts;
        put_uint(&mut c[C_CPU], ev.cpu.into());
        put_uint(&mut c[C_PID], ev.pid.into());
        put_int(&mut c[C_TID], i64::from(ev.tid) - i64::from(ev.pid));
        self.dict.put_str(&mut c[C_COMM], ev.comm.as_ref());
        put_uint(&mut c[C_UID], ev.uid.into());
        put_uint(&mut c[C_GID], ev.gid.into());
        put_uint(&mut c[C_EUID], ev.euid.into());
        put_uint(&mut c[C_EGID], ev.egid.into());
        put_uint(&mut c[C_CGROUP], ev.cgroup);
        let d = kind.dense();
        self.counts[d] += 1;
        ev.body.encode(&mut self.kinds[d], &mut self.dict);
        Ok(())
    }

    /// Produces the uncompressed payload and its stats, and empties the builder.
    pub(crate) fn take(&mut self) -> (Vec<u8>, ChunkStats) {
        let mut schema = Vec::new();
        let mut columns: Vec<Vec<u8>> = Vec::new();
        columns.extend(self.common.iter_mut().map(std::mem::take));
        columns.push(self.dict.encoded());
        let present: Vec<Kind> = Kind::ALL
            .iter()
            .copied()
            .filter(|k| self.counts[k.dense()] > 0)
            .collect();
        put_uint(&mut schema, present.len() as u64);
        let mut stats = std::mem::take(&mut self.stats);
        for k in &present {
            put_uint(&mut schema, k.id().into());
            put_uint(&mut schema, k.fields().len() as u64);
            schema.extend(k.fields().iter().map(|f| f.ty as u8));
            stats.kind_counts.push((k.id(), self.counts[k.dense()]));
            columns.extend(self.kinds[k.dense()].iter_mut().map(std::mem::take));
        }
        let mut out = schema;
        put_uint(&mut out, columns.len() as u64);
        for c in &columns {
            put_uint(&mut out, c.len() as u64);
        }
        for c in &columns {
            out.extend_from_slice(c);
        }
        // Keep column allocations' capacity for the next chunk where cheap.
        self.counts.iter_mut().for_each(|c| *c = 0);
        self.dict = DictBuilder::default();
        self.prev_ts = 0;
        (out, stats)
    }
}

/// The top bit of each byte of a word: set in every LEB128 byte but a value's last.
const HIGH_BITS: u64 = 0x8080_8080_8080_8080;

/// A read position inside one column.
#[derive(Clone, Copy)]
pub(crate) struct Cursor<'a> {
    buf: &'a [u8],
    pos: usize,
    name: &'static str,
}

impl<'a> Cursor<'a> {
    fn new(buf: &'a [u8], name: &'static str) -> Self {
        Cursor { buf, pos: 0, name }
    }

    fn end(&self) -> DecodeError {
        DecodeError::new(format!(
            "column {} ends or breaks at byte {} of {}",
            self.name,
            self.pos,
            self.buf.len()
        ))
    }

    #[inline(always)]
    pub(crate) fn uint(&mut self) -> Result<u64, DecodeError> {
        // Up to eight bytes at once, without a loop: the value ends at the
        // first byte below 0x80, and its 7-bit groups are gathered pairwise.
        // Inline, since every field read is one of these; longer values and
        // a column's last bytes take the loop, out of line.
        if let Some(w) = self.buf.get(self.pos..self.pos + 8) {
            let w = u64::from_le_bytes(w.try_into().expect("8 bytes"));
            if w & 0x80 == 0 {
                self.pos += 1;
                return Ok(w & 0x7f);
            }
            let stops = !w & HIGH_BITS;
            if stops != 0 {
                let len = (stops.trailing_zeros() / 8 + 1) as usize;
                let mut v = if len == 8 {
                    w
                } else {
                    w & ((1u64 << (8 * len)) - 1)
                } & !HIGH_BITS;
                v = (v & 0x007f_007f_007f_007f) | ((v & 0x7f00_7f00_7f00_7f00) >> 1);
                v = (v & 0x0000_3fff_0000_3fff) | ((v & 0x3fff_0000_3fff_0000) >> 2);
                v = (v & 0x0000_0000_0fff_ffff) | ((v & 0x0fff_ffff_0000_0000) >> 4);
                self.pos += len;
                return Ok(v);
            }
        }
        self.uint_loop()
    }

    #[inline(never)]
    fn uint_loop(&mut self) -> Result<u64, DecodeError> {
        match get_uint(&self.buf[self.pos.min(self.buf.len())..]) {
            Some((v, n)) => {
                self.pos += n;
                Ok(v)
            }
            None => Err(self.end()),
        }
    }

    /// Steps over `n` values without decoding them: a value ends at each
    /// byte below 0x80, so eight bytes are counted at a time.
    fn skip(&mut self, mut n: usize) -> Result<(), DecodeError> {
        // The bytes below 0x80 in a word, counted with one multiply (no
        // popcount instruction is assumed).
        let ends = |w: &[u8]| {
            let stops = (!u64::from_le_bytes(w.try_into().expect("8 bytes")) & HIGH_BITS) >> 7;
            (stops.wrapping_mul(0x0101_0101_0101_0101) >> 56) as usize
        };
        let mut p = self.pos;
        // A word is taken whole only while more values remain than it can end
        // (eight), so the bytes after its last end are never the next value's start.
        while n > 8 {
            let Some(w) = self.buf.get(p..p + 8) else {
                break;
            };
            n -= ends(w);
            p += 8;
        }
        while n > 0 {
            let Some(&b) = self.buf.get(p) else {
                self.pos = p;
                return Err(self.end());
            };
            p += 1;
            if b < 0x80 {
                n -= 1;
            }
        }
        self.pos = p;
        Ok(())
    }

    #[inline(always)]
    pub(crate) fn int(&mut self) -> Result<i64, DecodeError> {
        self.uint().map(unzigzag)
    }

    #[inline(always)]
    fn u32(&mut self, what: &str) -> Result<u32, DecodeError> {
        let v = self.uint()?;
        match u32::try_from(v) {
            Ok(v) => Ok(v),
            Err(_) => Err(self.too_wide(what, v)),
        }
    }

    #[cold]
    fn too_wide(&self, what: &str, v: u64) -> DecodeError {
        DecodeError::new(format!("column {}: {what} {v} exceeds 32 bits", self.name))
    }

    fn bytes(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.buf.len())
            .ok_or_else(|| self.end())?;
        let b = &self.buf[self.pos..end];
        self.pos = end;
        Ok(b)
    }

    #[inline(always)]
    pub(crate) fn str(&mut self, dict: &DictRef<'a>) -> Result<&'a [u8], DecodeError> {
        let id = self.uint()?;
        match dict.get(id) {
            Some(s) => Ok(s),
            None => Err(self.no_string(id, dict)),
        }
    }

    #[cold]
    fn no_string(&self, id: u64, dict: &DictRef<'a>) -> DecodeError {
        DecodeError::new(format!(
            "column {}: string index {id} is outside the dictionary of {} strings",
            self.name,
            dict.len()
        ))
    }

    pub(crate) fn strs(&mut self, dict: &DictRef<'a>) -> Result<Vec<&'a [u8]>, DecodeError> {
        let n = self.uint()?;
        // Every index takes at least one byte, so the column bounds the count.
        if n > MAX_LIST_LEN || n as usize > self.buf.len() - self.pos {
            return Err(DecodeError::new(format!(
                "column {}: list of {n} strings is too long",
                self.name
            )));
        }
        (0..n).map(|_| self.str(dict)).collect()
    }

    pub(crate) fn addr(&mut self, dict: &DictRef<'a>) -> Result<SockAddr<&'a [u8]>, DecodeError> {
        let tag = self.bytes(1)?[0];
        Ok(match tag {
            addr_tag::NONE => SockAddr::None,
            addr_tag::V4 => {
                let ip = self.bytes(4)?.try_into().expect("4 bytes");
                SockAddr::V4 {
                    ip,
                    port: self.port()?,
                }
            }
            addr_tag::V6 => {
                let ip = self.bytes(16)?.try_into().expect("16 bytes");
                SockAddr::V6 {
                    ip,
                    port: self.port()?,
                }
            }
            addr_tag::UNIX => SockAddr::Unix(self.str(dict)?),
            addr_tag::OTHER => {
                let fam = self.uint()?;
                SockAddr::Other(u16::try_from(fam).map_err(|_| {
                    DecodeError::new(format!(
                        "column {}: address family {fam} exceeds 16 bits",
                        self.name
                    ))
                })?)
            }
            t => {
                return Err(DecodeError::new(format!(
                    "column {}: unknown address tag {t}",
                    self.name
                )));
            }
        })
    }

    fn port(&mut self) -> Result<u16, DecodeError> {
        let p = self.uint()?;
        u16::try_from(p).map_err(|_| {
            DecodeError::new(format!("column {}: port {p} exceeds 16 bits", self.name))
        })
    }

    fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }
}

/// The decoded string dictionary of one chunk: where each string ends in
/// the dictionary's bytes.
pub(crate) struct DictRef<'a> {
    bytes: &'a [u8],
    /// `ends[i]..ends[i + 1]` is string `i`; one more entry than strings.
    ends: Vec<u32>,
    /// String bytes handed out so far, each time counted (SPEC.md §9).
    handed: std::cell::Cell<u64>,
}

thread_local! {
    /// A dictionary's offsets outlive no chunk, so one allocation per thread
    /// serves them all: a fresh one per chunk is hundreds of kilobytes of
    /// pages to fault in, which cost more than reading the strings.
    static SPARE_ENDS: std::cell::Cell<Vec<u32>> = const { std::cell::Cell::new(Vec::new()) };
}

impl<'a> DictRef<'a> {
    fn parse(col: &'a [u8]) -> Result<Self, DecodeError> {
        let mut c = Cursor::new(col, "dictionary");
        let n = c.uint()?;
        if n > MAX_DICT_ENTRIES || n as usize > col.len() {
            return Err(DecodeError::new(format!(
                "dictionary claims {n} strings, more than allowed or present"
            )));
        }
        let mut ends = SPARE_ENDS.take();
        ends.clear();
        ends.reserve(n as usize + 1);
        ends.push(0);
        // Lengths are summed as they are read; the bytes start after the last one.
        let mut total: usize = 0;
        for _ in 0..n {
            let l = c.uint()? as usize;
            total = total
                .checked_add(l)
                .filter(|&t| t <= col.len())
                .ok_or_else(|| {
                    DecodeError::new("dictionary string lengths exceed the dictionary column")
                })?;
            ends.push(total as u32);
        }
        if total != c.remaining() {
            return Err(DecodeError::new(format!(
                "dictionary string lengths add up to {total} bytes but {} bytes follow",
                c.remaining()
            )));
        }
        Ok(DictRef {
            bytes: &col[c.pos..],
            ends,
            handed: std::cell::Cell::new(0),
        })
    }

    #[inline]
    fn get(&self, id: u64) -> Option<&'a [u8]> {
        let i = usize::try_from(id).ok()?;
        let (&start, &end) = (self.ends.get(i)?, self.ends.get(i + 1)?);
        self.handed.set(self.handed.get() + u64::from(end - start));
        Some(&self.bytes[start as usize..end as usize])
    }

    fn len(&self) -> usize {
        self.ends.len().saturating_sub(1)
    }
}

impl Drop for DictRef<'_> {
    fn drop(&mut self) {
        SPARE_ENDS.set(std::mem::take(&mut self.ends));
    }
}

/// A chunk payload, uncompressed, ready to be decoded into events.
pub struct Payload<'a> {
    data: Cow<'a, [u8]>,
    stats: ChunkStats,
}

impl<'a> Payload<'a> {
    pub(crate) fn new(data: Cow<'a, [u8]>, stats: ChunkStats) -> Self {
        Payload { data, stats }
    }

    /// Uncompressed payload bytes.
    pub fn len(&self) -> usize {
        self.data.len()
    }

    /// Whether the payload holds no bytes.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// Parses the schema and column directory and returns an iterator over the
    /// events, strings borrowed from the payload.
    pub fn events(&self) -> Result<Events<'_>, DecodeError> {
        Events::new(&self.data, &self.stats)
    }

    /// Only the events whose kind id has its bit set in `kinds`; the others
    /// are stepped over without decoding their fields.
    pub fn events_of(&self, kinds: u128) -> Result<Events<'_>, DecodeError> {
        self.events_with(kinds, CommonColumns::ALL)
    }

    /// Like [`Payload::events_of`], decoding only `columns` of the common
    /// columns (kind and time always): the rest of each event's header is zero.
    pub fn events_with(
        &self,
        kinds: u128,
        columns: CommonColumns,
    ) -> Result<Events<'_>, DecodeError> {
        let mut e = Events::new(&self.data, &self.stats)?;
        e.want = kinds;
        e.columns = columns;
        Ok(e)
    }

    /// Decodes every event, copying strings.
    pub fn to_owned_events(&self) -> Result<Vec<crate::event::OwnedEvent>, DecodeError> {
        self.events()?
            .map(|e| e.map(|e| e.to_owned_event()))
            .collect()
    }
}

/// Columns of one kind present in a chunk.
struct KindSlot {
    id: u16,
    kind: Option<Kind>,
    start: usize,
    len: usize,
}

/// Iterator over the events of one chunk payload.
pub struct Events<'a> {
    common: [Cursor<'a>; 11],
    dict: DictRef<'a>,
    cols: Vec<Cursor<'a>>,
    slots: Vec<KindSlot>,
    slot_of: [u8; 128],
    remaining: u32,
    total: u32,
    prev_ts: u64,
    failed: bool,
    want: u128,
    /// Unwanted events whose common columns (past kind and time) are not yet stepped over.
    behind: usize,
    /// The common columns decoded.
    columns: CommonColumns,
    /// The event last decoded, lent out by [`Events::next_ref`].
    cur: EventRef<'a>,
}

impl<'a> Events<'a> {
    fn new(data: &'a [u8], stats: &ChunkStats) -> Result<Self, DecodeError> {
        if stats.events > MAX_EVENTS_PER_CHUNK {
            return Err(DecodeError::new(format!(
                "{} events exceed the per-chunk limit",
                stats.events
            )));
        }
        let mut c = Cursor::new(data, "schema");
        let nkinds = c.uint()?;
        if nkinds > 128 {
            return Err(DecodeError::new(format!(
                "schema lists {nkinds} kinds; at most 128 exist"
            )));
        }
        let mut slots = Vec::with_capacity(nkinds as usize);
        let mut slot_of = [u8::MAX; 128];
        let mut ncols = COMMON_COLUMNS.len() + 1;
        let mut prev_id: Option<u64> = None;
        for _ in 0..nkinds {
            let id = c.uint()?;
            if id >= 128 || prev_id.is_some_and(|p| p >= id) {
                return Err(DecodeError::new(format!(
                    "schema: kind id {id} out of range or out of order"
                )));
            }
            prev_id = Some(id);
            let nfields = c.uint()?;
            if nfields > 255 {
                return Err(DecodeError::new(format!(
                    "schema: kind {id} has {nfields} fields; at most 255"
                )));
            }
            let codes = c.bytes(nfields as usize)?;
            let kind = Kind::from_id(id as u16);
            if let Some(k) = kind {
                for (i, (&code, def)) in codes.iter().zip(k.fields()).enumerate() {
                    if FieldType::from_code(code) != Some(def.ty) {
                        return Err(DecodeError::new(format!(
                            "schema: field {i} ({}) of kind {} has type code {code}, expected {} ({})",
                            def.name,
                            k.name(),
                            def.ty as u8,
                            def.ty.name()
                        )));
                    }
                }
            }
            slot_of[id as usize] = slots.len() as u8;
            slots.push(KindSlot {
                id: id as u16,
                kind,
                start: ncols - COMMON_COLUMNS.len() - 1,
                len: nfields as usize,
            });
            ncols += nfields as usize;
        }
        // Per-kind counts in the header must match the kinds the payload describes.
        if !stats
            .kind_counts
            .iter()
            .map(|kc| kc.0)
            .eq(slots.iter().map(|s| s.id))
        {
            return Err(DecodeError::new(
                "schema and chunk header disagree on the kinds present",
            ));
        }
        let n = c.uint()?;
        if n != ncols as u64 {
            return Err(DecodeError::new(format!(
                "column directory lists {n} columns; the schema needs {ncols}"
            )));
        }
        let mut lens = Vec::with_capacity(ncols);
        for _ in 0..ncols {
            lens.push(c.uint()?);
        }
        let total = lens.iter().try_fold(0u64, |a, &l| a.checked_add(l));
        if total != Some(c.remaining() as u64) {
            return Err(DecodeError::new(format!(
                "column lengths add up to {total:?} bytes but {} bytes follow the directory",
                c.remaining()
            )));
        }
        let mut bufs = lens
            .iter()
            .map(|&l| c.bytes(l as usize).expect("lengths checked"));
        let common: [Cursor<'a>; 11] = std::array::from_fn(|i| {
            Cursor::new(bufs.next().expect("11 common columns"), COMMON_COLUMNS[i])
        });
        let dict = DictRef::parse(bufs.next().expect("dictionary column"))?;
        let names = slots.iter().flat_map(|s| {
            (0..s.len).map(move |i| {
                s.kind
                    .and_then(|k| k.fields().get(i))
                    .map_or("(unknown field)", |f| f.name)
            })
        });
        let cols: Vec<Cursor<'a>> = bufs
            .zip(names)
            .map(|(b, name)| Cursor::new(b, name))
            .collect();

        // The kind column must agree with the header's per-kind counts before any event is trusted.
        let mut counts = vec![0u32; slots.len()];
        let mut kc = common[C_KIND];
        for _ in 0..stats.events {
            let id = kc.uint()?;
            let slot = slot_of.get(id as usize).copied().unwrap_or(u8::MAX);
            if slot == u8::MAX {
                return Err(DecodeError::new(format!(
                    "event of kind {id} that the schema does not list"
                )));
            }
            counts[slot as usize] += 1;
        }
        if kc.remaining() != 0 {
            return Err(DecodeError::new(
                "kind column holds more events than the chunk header counts",
            ));
        }
        for ((id, want), got) in stats.kind_counts.iter().zip(&counts) {
            if want != got {
                return Err(DecodeError::new(format!(
                    "kind {id}: header counts {want} events, payload has {got}"
                )));
            }
        }
        Ok(Events {
            common,
            dict,
            cols,
            slots,
            slot_of,
            remaining: stats.events,
            total: stats.events,
            prev_ts: 0,
            failed: false,
            want: u128::MAX,
            behind: 0,
            columns: CommonColumns::ALL,
            cur: Event {
                ts: 0,
                cpu: 0,
                pid: 0,
                tid: 0,
                comm: &[],
                uid: 0,
                gid: 0,
                euid: 0,
                egid: 0,
                cgroup: 0,
                body: Body::Unknown { kind: 0 },
            },
        })
    }

    /// Events read so far, wanted or not: the last one returned is at index `consumed() - 1`.
    pub fn consumed(&self) -> u32 {
        self.total - self.remaining
    }

    /// Steps the common columns over the unwanted events passed so far, all at
    /// once (their kind's columns are never read).
    #[inline]
    fn catch_up(&mut self) -> Result<(), DecodeError> {
        if self.behind > 0 {
            self.skip_behind()?;
        }
        Ok(())
    }

    // Out of line, so a walk over every event (nothing skipped) stays as tight as before.
    #[inline(never)]
    fn skip_behind(&mut self) -> Result<(), DecodeError> {
        for (i, c) in self.common.iter_mut().enumerate().skip(C_CPU) {
            if self.columns.has(i) {
                c.skip(self.behind)?;
            }
        }
        self.behind = 0;
        Ok(())
    }

    /// Decodes the next event into `cur`; false when it is of a kind not
    /// wanted. `ALL` says every common column is decoded, so a full walk pays
    /// no test per column.
    #[inline(always)]
    fn next_event<const ALL: bool>(&mut self) -> Result<bool, DecodeError> {
        let c = &mut self.common;
        let id = c[C_KIND].uint()? as u16;
        let ts = self.prev_ts.wrapping_add(c[C_TS].int()? as u64);
        self.prev_ts = ts;
        if self.want & (1u128 << id.min(127)) == 0 {
            self.behind += 1;
            return Ok(false);
        }
        self.catch_up()?;
        let handed_before = self.dict.handed.get();
        let c = &mut self.common;
        let e = &mut self.cur;
        let has = |i| ALL || self.columns.has(i);
        e.ts = ts;
        if has(C_CPU) {
            e.cpu = c[C_CPU].u32("cpu")?;
        }
        if has(C_PID) {
            e.pid = c[C_PID].u32("pid")?;
        }
        if has(C_TID) {
            e.tid = i64::from(e.pid)
                .checked_add(c[C_TID].int()?)
                .and_then(|t| u32::try_from(t).ok())
                .ok_or_else(|| DecodeError::new("column tid: value outside 0..2^32"))?;
        }
        if has(C_COMM) {
            e.comm = c[C_COMM].str(&self.dict)?;
        }
        if has(C_UID) {
            e.uid = c[C_UID].u32("uid")?;
        }
        if has(C_GID) {
            e.gid = c[C_GID].u32("gid")?;
        }
        if has(C_EUID) {
            e.euid = c[C_EUID].u32("euid")?;
        }
        if has(C_EGID) {
            e.egid = c[C_EGID].u32("egid")?;
        }
        if has(C_CGROUP) {
            e.cgroup = c[C_CGROUP].uint()?;
        }
        let slot = &self.slots[self.slot_of[id as usize] as usize];
        match slot.kind {
            Some(k) => decode_body_into(
                k,
                &mut self.cols[slot.start..slot.start + slot.len],
                &self.dict,
                &mut e.body,
            )?,
            None => e.body = Body::Unknown { kind: id },
        }
        let handed = self.dict.handed.get();
        if handed - handed_before > MAX_EVENT_STRING_BYTES || handed > MAX_CHUNK_STRING_BYTES {
            return Err(self.too_much_text(handed - handed_before, handed));
        }
        Ok(true)
    }

    #[cold]
    fn too_much_text(&self, event: u64, chunk: u64) -> DecodeError {
        DecodeError::new(if event > MAX_EVENT_STRING_BYTES {
            format!(
                "event {} references {event} bytes of strings, more than the \
                 {MAX_EVENT_STRING_BYTES} an event may",
                self.consumed()
            )
        } else {
            format!(
                "the events up to {} reference {chunk} bytes of strings, more than the \
                 {MAX_CHUNK_STRING_BYTES} a chunk may",
                self.consumed()
            )
        })
    }

    /// The next wanted event and its index in the chunk, decoded in place and
    /// lent until the next call: a walk that only looks at each event copies
    /// none of them.
    #[inline]
    pub fn next_ref(&mut self) -> Option<Result<(u32, &EventRef<'a>), DecodeError>> {
        if self.failed {
            return None;
        }
        loop {
            if self.remaining == 0 {
                // Report trailing bytes once, so a corrupt payload never passes silently
                // (a filtered walk leaves unwanted kinds' columns unread: nothing to check).
                self.failed = true;
                if let Err(e) = self.catch_up() {
                    return Some(Err(e));
                }
                return if self.want == u128::MAX && self.columns == CommonColumns::ALL {
                    self.check_consumed().err().map(Err)
                } else {
                    None
                };
            }
            self.remaining -= 1;
            let next = if self.columns == CommonColumns::ALL {
                self.next_event::<true>()
            } else {
                self.next_event::<false>()
            };
            match next {
                Ok(true) => return Some(Ok((self.consumed() - 1, &self.cur))),
                Ok(false) => continue,
                Err(e) => {
                    self.failed = true;
                    return Some(Err(e));
                }
            }
        }
    }

    fn check_consumed(&self) -> Result<(), DecodeError> {
        // Columns of unknown kinds, and fields newer than this reader, are skipped unread.
        let read = self.slots.iter().filter_map(|s| {
            s.kind
                .map(|k| &self.cols[s.start..s.start + s.len.min(k.fields().len())])
        });
        let leftover = self
            .common
            .iter()
            .chain(read.flatten())
            .find(|c| c.remaining() != 0);
        match leftover {
            Some(c) => Err(DecodeError::new(format!(
                "column {} has {} bytes left after the last event",
                c.name,
                c.remaining()
            ))),
            None => Ok(()),
        }
    }
}

impl<'a> Iterator for Events<'a> {
    type Item = Result<EventRef<'a>, DecodeError>;

    fn next(&mut self) -> Option<Self::Item> {
        match self.next_ref()? {
            Ok(_) => {
                let e = &mut self.cur;
                let body = std::mem::replace(&mut e.body, Body::Unknown { kind: 0 });
                Some(Ok(Event { body, ..*e }))
            }
            Err(e) => Some(Err(e)),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, Some(self.remaining as usize + 1))
    }
}

#[cfg(test)]
mod tests {
    use super::Cursor;
    use crate::varint::put_uint;

    #[test]
    fn skip_lands_where_decoding_does() {
        // Values of every length, so words hold both whole values and value edges.
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let values: Vec<u64> = (0..5000)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x >> (x % 64)
            })
            .collect();
        let mut col = Vec::new();
        values.iter().for_each(|&v| put_uint(&mut col, v));
        for n in [0, 1, 7, 8, 9, 15, 16, 17, 63, 64, 65, 999, 4990] {
            let mut a = Cursor::new(&col, "t");
            a.skip(n).unwrap();
            assert_eq!(a.uint().unwrap(), values[n], "after skipping {n}");
            let mut b = Cursor::new(&col, "t");
            b.skip(3).unwrap();
            b.skip(n).unwrap();
            assert_eq!(b.uint().unwrap(), values[n + 3], "after skipping 3 + {n}");
        }
        // Every value read back in turn: the word-at-a-time path inside the
        // column, the byte loop in its last seven bytes.
        let mut r = Cursor::new(&col, "t");
        for (i, &v) in values.iter().enumerate() {
            assert_eq!(r.uint().unwrap(), v, "value {i}");
        }
        assert_eq!(r.remaining(), 0);
        for v in [u64::MAX, 1 << 56, (1 << 56) - 1, 1 << 63] {
            let mut one = Vec::new();
            put_uint(&mut one, v);
            one.extend_from_slice(&[0; 8]);
            assert_eq!(Cursor::new(&one, "t").uint().unwrap(), v);
        }
        let mut c = Cursor::new(&col, "t");
        assert!(c.skip(5001).is_err(), "skipping past the end is an error");
        let mut c = Cursor::new(&col, "t");
        c.skip(5000).unwrap();
        assert_eq!(c.remaining(), 0);
    }
}
