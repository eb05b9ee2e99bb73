//! Appends events to a capture file: chunks cut by count, size and time,
//! periodic index chunks, seals, and a footer on close (SPEC.md §8).

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::time::{Duration, Instant};

use ed25519_dalek::SigningKey;

use crate::seal::{self, EpochKey};

use crate::columns::ChunkBuilder;
use crate::error::{Error, Result};
use crate::event::Event;
use crate::frame::{
    Compression, EventsHeader, FrameType, IndexEntry, IndexFrame, build_frame, trailer,
};
use crate::header::Header;
use crate::limits::{
    CHUNK_STRING_BYTES_CUT, MAX_DICT_ENTRIES, MAX_EVENTS_PER_CHUNK, MAX_LIST_LEN, MAX_PAYLOAD_LEN,
};

/// Where a writer's bytes go: a file, or memory in tests.
pub trait Sink: Write {
    /// Cuts the output back to `len` bytes (drops a partly written frame).
    fn truncate_to(&mut self, len: u64) -> io::Result<()>;
    /// Makes written bytes durable.
    fn sync(&mut self) -> io::Result<()>;
}

impl Sink for File {
    fn truncate_to(&mut self, len: u64) -> io::Result<()> {
        self.set_len(len)
    }
    fn sync(&mut self) -> io::Result<()> {
        self.sync_data()
    }
}

impl<S: Sink + ?Sized> Sink for &mut S {
    fn truncate_to(&mut self, len: u64) -> io::Result<()> {
        (**self).truncate_to(len)
    }
    fn sync(&mut self) -> io::Result<()> {
        (**self).sync()
    }
}

impl Sink for Vec<u8> {
    fn truncate_to(&mut self, len: u64) -> io::Result<()> {
        self.truncate(len as usize);
        Ok(())
    }
    fn sync(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// How the writer cuts, compresses, indexes and seals.
#[derive(Clone, Debug)]
pub struct WriterOptions {
    /// Cut a chunk at this many events.
    pub chunk_events: u32,
    /// Cut a chunk when the uncompressed payload reaches this many bytes.
    pub chunk_bytes: usize,
    /// Cut a chunk when its oldest event has waited this long (checked on append and [`Writer::tick`]).
    pub flush_interval: Duration,
    /// Write an index chunk after every this many events chunks (0: never).
    pub index_every: u32,
    /// zstd level; `None` stores payloads uncompressed.
    pub zstd_level: Option<i32>,
    /// Seal the file from this key-file epoch (`seal::EpochKey::take_from`).
    pub seal_key: Option<EpochKey>,
    /// Seal after every this many events chunks (and always on close).
    pub seal_every: u32,
    /// Seal at least this often while chunks are being written: what a
    /// compromise of the host can still rewrite is at most this much.
    pub seal_interval: Duration,
    /// fsync after every index chunk and on close.
    pub sync: bool,
}

impl Default for WriterOptions {
    fn default() -> Self {
        WriterOptions {
            chunk_events: 65_536,
            chunk_bytes: 4 << 20,
            flush_interval: Duration::from_secs(1),
            index_every: 64,
            zstd_level: Some(3),
            seal_key: None,
            seal_every: 64,
            seal_interval: Duration::from_secs(10),
            sync: true,
        }
    }
}

/// What a finished (or failed) writer wrote.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WriteSummary {
    /// Events written.
    pub events: u64,
    /// Lost events recorded.
    pub lost: u64,
    /// Events chunks written.
    pub chunks: u64,
    /// Bytes in the file.
    pub bytes: u64,
}

/// The stream of events of every kind but the process kinds.
const OTHER: usize = 0;
/// The stream of the process kinds ([`crate::PROCESS_KINDS`]).
const PROCESS: usize = 1;

/// Writes one capture file. Dropping it without [`Writer::finish`] leaves a
/// file without a footer, readable up to its last chunk, as a killed recorder would.
pub struct Writer<W: Sink> {
    out: W,
    opts: WriterOptions,
    file_id: [u8; 16],
    /// Events being gathered into chunks: [`OTHER`] and [`PROCESS`] (the
    /// process kinds, kept apart), each with when its oldest event came.
    streams: [(ChunkBuilder, Option<Instant>); 2],
    seq: u64,
    prev_hash: [u8; 32],
    offset: u64,
    since_index: Vec<IndexEntry>,
    all: Vec<IndexEntry>,
    chunks_since_seal: u32,
    /// Sealing: the in-file key the next seal is signed with (the epoch
    /// key itself is dropped once the first seal is made), the next seal's
    /// index, the epoch, and when the last seal was made.
    sealer: Option<(SigningKey, u32, u64, Instant)>,
    lost_pending: u64,
    summary: WriteSummary,
    failed: bool,
    appends_since_clock: u32,
}

impl Writer<File> {
    /// Creates `path` (mode 0600, never following a symlink) and writes the header.
    /// Refuses an existing file unless `overwrite`, which removes it and
    /// creates a new one: a planted file keeps neither its owner nor its mode.
    pub fn create(
        path: &Path,
        header: &Header,
        opts: WriterOptions,
        overwrite: bool,
    ) -> Result<Self> {
        // Replacing means creating anew: a file someone planted at the path
        // (theirs, world-writable, or a link) is removed, never written into.
        if overwrite {
            match std::fs::remove_file(path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
                _ => {}
            }
        }
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
            .open(path)?;
        Writer::new(file, header, opts)
    }
}

impl<W: Sink> Writer<W> {
    /// Starts a capture on `out` by writing the header.
    pub fn new(mut out: W, header: &Header, opts: WriterOptions) -> Result<Self> {
        if opts.chunk_events == 0 || opts.chunk_events > MAX_EVENTS_PER_CHUNK {
            return Err(Error::Unwritable(format!(
                "chunk_events must be 1..={MAX_EVENTS_PER_CHUNK}"
            )));
        }
        let mut opts = opts;
        let epoch = opts.seal_key.take();
        let mut header = header.clone();
        if let Some(k) = &epoch {
            header.seal_chain = k.chain.clone();
        }
        let hb = header.encode();
        out.write_all(&hb)?;
        let mut w = Writer {
            out,
            file_id: header.file_id,
            streams: [(ChunkBuilder::new(), None), (ChunkBuilder::new(), None)],
            seq: 0,
            prev_hash: *blake3::hash(&hb).as_bytes(),
            offset: hb.len() as u64,
            since_index: Vec::new(),
            all: Vec::new(),
            chunks_since_seal: 0,
            sealer: None,
            lost_pending: 0,
            summary: WriteSummary {
                bytes: hb.len() as u64,
                ..Default::default()
            },
            failed: false,
            appends_since_clock: 0,
            opts,
        };
        if let Some(k) = epoch {
            // The first seal covers the header and hands over to the file's
            // own keys; the epoch key is dropped (and zeroed) here.
            let first = seal::first_file_key(&k, &w.file_id);
            w.write_seal(
                seal::epoch_secret(&k),
                0,
                0,
                k.epoch,
                &first.verifying_key().to_bytes(),
                &[0; 32],
            )?;
            w.sealer = Some((first, 1, k.epoch, Instant::now()));
        }
        Ok(w)
    }

    /// Adds one event; may write a chunk.
    pub fn append<S: AsRef<[u8]>>(&mut self, ev: &Event<S>) -> Result<()> {
        self.check_usable()?;
        check_lists(ev)?;
        let s = match ev.kind() {
            Some(k) if k.is_process_kind() => PROCESS,
            _ => OTHER,
        };
        let (builder, oldest) = &mut self.streams[s];
        if builder.len() == 0 {
            *oldest = Some(Instant::now());
        }
        builder.push(ev).map_err(Error::Unwritable)?;
        self.summary.events += 1;
        let full = builder.len() >= self.opts.chunk_events
            || builder.approx_bytes() >= self.opts.chunk_bytes
            || builder.dict_len() as u64 >= MAX_DICT_ENTRIES / 2
            || builder.referenced_bytes() >= CHUNK_STRING_BYTES_CUT;
        if full {
            return self.cut(s);
        }
        // Reading the clock on every event would cost more than encoding it.
        self.appends_since_clock += 1;
        if self.appends_since_clock >= 1024 {
            self.appends_since_clock = 0;
            self.tick()?;
        }
        Ok(())
    }

    /// Records `n` events lost before reaching the writer; stored in the next chunk header.
    pub fn add_lost(&mut self, n: u64) {
        self.lost_pending += n;
        self.summary.lost += n;
    }

    /// Writes the pending events of each stream whose oldest event has waited the flush interval.
    pub fn tick(&mut self) -> Result<bool> {
        let mut wrote = false;
        for s in [OTHER, PROCESS] {
            if let Some(t) = self.streams[s].1
                && t.elapsed() >= self.opts.flush_interval
            {
                self.cut(s)?;
                wrote = true;
            }
        }
        if self.chunks_since_seal > 0
            && let Some((_, _, _, at)) = &self.sealer
            && at.elapsed() >= self.opts.seal_interval
        {
            self.seal()?;
            wrote = true;
        }
        Ok(wrote)
    }

    /// Writes the pending events now (a chunk for each stream that has some).
    pub fn flush(&mut self) -> Result<()> {
        self.check_usable()?;
        if self.streams[PROCESS].0.len() > 0 {
            self.cut(PROCESS)?;
        }
        if self.streams[OTHER].0.len() > 0 || self.lost_pending > 0 {
            self.cut(OTHER)?;
        }
        Ok(())
    }

    /// What has been written so far.
    pub fn summary(&self) -> &WriteSummary {
        &self.summary
    }

    /// Flushes, makes the final seal (when sealing), writes the footer and
    /// trailer, and returns the sink.
    pub fn finish(self) -> Result<(W, WriteSummary)> {
        self.finish_with(0)
    }

    /// Like [`Writer::finish`], for a file a rotation follows: its final
    /// seal says the recording goes on in the next segment.
    pub fn finish_rotated(self) -> Result<(W, WriteSummary)> {
        self.finish_with(seal::SEAL_CONTINUES)
    }

    fn finish_with(mut self, continues: u32) -> Result<(W, WriteSummary)> {
        self.flush()?;
        let footer = IndexFrame {
            entries: std::mem::take(&mut self.all),
            total_events: self.summary.events,
            total_lost: self.summary.lost,
        };
        let (h, b) = footer.encode(true);
        if let Some((key, index, epoch, _)) = self.sealer.take() {
            let digest = seal::footer_digest(&h, &b);
            self.write_seal(
                &key,
                seal::SEAL_FINAL | continues,
                index,
                epoch,
                &[0; 32],
                &digest,
            )?;
        }
        let at = self.offset;
        let mut frame = build_frame(FrameType::Footer, self.seq, &self.prev_hash, &h, &b);
        frame.extend_from_slice(&trailer(at));
        self.write_frame(&frame)?;
        self.out.flush()?;
        if self.opts.sync {
            self.out.sync()?;
        }
        Ok((self.out, self.summary))
    }

    fn check_usable(&self) -> Result<()> {
        if self.failed {
            return Err(Error::Unwritable(
                "an earlier write failed; the file ends at its last complete chunk".into(),
            ));
        }
        Ok(())
    }

    fn cut(&mut self, stream: usize) -> Result<()> {
        let (payload, stats) = self.streams[stream].0.take();
        self.streams[stream].1 = None;
        if payload.len() > MAX_PAYLOAD_LEN as usize {
            return Err(Error::Unwritable(format!(
                "chunk payload of {} bytes exceeds {MAX_PAYLOAD_LEN}",
                payload.len()
            )));
        }
        let compressed = match self.opts.zstd_level {
            Some(level) => {
                Some(zstd::bulk::compress(&payload, level)?).filter(|c| c.len() < payload.len())
            }
            None => None,
        };
        let (compression, body) = match &compressed {
            Some(c) => (Compression::Zstd, c.as_slice()),
            None => (Compression::None, payload.as_slice()),
        };
        let header = EventsHeader {
            stats,
            uncompressed_len: payload.len() as u32,
            lost: std::mem::take(&mut self.lost_pending),
            compression: compression as u8,
        };
        let frame = build_frame(
            FrameType::Events,
            self.seq,
            &self.prev_hash,
            &header.encode(),
            body,
        );
        let entry = IndexEntry::new(self.offset, frame.len() as u32, self.seq, &header.stats);
        self.write_frame(&frame)?;
        self.summary.chunks += 1;
        self.since_index.push(entry.clone());
        self.all.push(entry);
        self.chunks_since_seal += 1;
        if self.opts.index_every > 0 && self.since_index.len() >= self.opts.index_every as usize {
            let idx = IndexFrame {
                entries: std::mem::take(&mut self.since_index),
                total_events: 0,
                total_lost: 0,
            };
            let (h, b) = idx.encode(false);
            let frame = build_frame(FrameType::Index, self.seq, &self.prev_hash, &h, &b);
            self.write_frame(&frame)?;
            if self.opts.sync {
                self.out.sync()?;
            }
        }
        if self.chunks_since_seal >= self.opts.seal_every.max(1) {
            self.seal()?;
        }
        Ok(())
    }

    /// Seals what was written so far and moves to the next in-file key.
    fn seal(&mut self) -> Result<()> {
        let Some((key, index, epoch, _)) = self.sealer.take() else {
            return Ok(());
        };
        let next = seal::next_file_key(&key);
        self.write_seal(
            &key,
            0,
            index,
            epoch,
            &next.verifying_key().to_bytes(),
            &[0; 32],
        )?;
        drop(key);
        self.sealer = Some((next, index + 1, epoch, Instant::now()));
        Ok(())
    }

    fn write_seal(
        &mut self,
        key: &SigningKey,
        flags: u32,
        index: u32,
        epoch: u64,
        next: &[u8; 32],
        footer_digest: &[u8; 32],
    ) -> Result<()> {
        let fields = seal::SealFields {
            flags,
            index,
            epoch,
            next,
            footer_digest,
        };
        let h = seal::seal_header(key, &self.file_id, self.seq, &self.prev_hash, &fields);
        let frame = build_frame(FrameType::Seal, self.seq, &self.prev_hash, &h, &[]);
        self.chunks_since_seal = 0;
        self.write_frame(&frame)
    }

    /// Writes a whole frame or, on failure, cuts the file back to the last complete frame.
    fn write_frame(&mut self, frame: &[u8]) -> Result<()> {
        if let Err(e) = self.out.write_all(frame) {
            self.failed = true;
            let _ = self.out.truncate_to(self.offset);
            return Err(e.into());
        }
        self.prev_hash = *blake3::hash(frame_without_trailer(frame)).as_bytes();
        self.seq += 1;
        self.offset += frame.len() as u64;
        self.summary.bytes = self.offset;
        Ok(())
    }
}

/// The footer is written together with the trailer; the chain covers the frame only.
fn frame_without_trailer(frame: &[u8]) -> &[u8] {
    let len = u32::from_le_bytes(frame[4..8].try_into().expect("4 bytes")) as usize;
    &frame[..len]
}

fn check_lists<S: AsRef<[u8]>>(ev: &Event<S>) -> Result<()> {
    let mut bad = None;
    ev.body.visit(&mut |name, v| {
        if let crate::event::Value::Strs(l) = v
            && l.len() as u64 > MAX_LIST_LEN
        {
            bad = Some(name);
        }
    });
    match bad {
        Some(name) => Err(Error::Unwritable(format!(
            "field {name} holds more than {MAX_LIST_LEN} strings"
        ))),
        None => Ok(()),
    }
}
