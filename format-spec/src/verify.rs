//! Deep verification of a capture (SPEC.md §7.3): every frame's CRC, the
//! BLAKE3 chain from the header to the footer, sequence numbers, payload
//! decoding, index and footer contents, the trailer, and seals.

use ed25519_dalek::VerifyingKey;

use crate::frame::{
    EventsHeader, FrameType, IndexEntry, IndexFrame, TRAILER_LEN, check_seal, parse_frame,
    read_trailer,
};
use crate::header::{Header, hex};
use crate::reader::decode_payload;

/// The first thing found wrong.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    /// Byte offset where it was found.
    pub offset: u64,
    /// Sequence number of the frame, when one was read.
    pub seq: Option<u64>,
    /// What is wrong.
    pub what: String,
}

/// Outcome of [`verify`].
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct VerifyReport {
    /// Frames that passed.
    pub frames: u64,
    /// Events chunks that passed.
    pub chunks: u64,
    /// Events in chunks that passed.
    pub events: u64,
    /// Seals that passed.
    pub seals: u64,
    /// Public keys (hex) that signed the seals.
    pub seal_keys: Vec<String>,
    /// Sequence number of the last frame covered by a valid seal.
    pub sealed_through: Option<u64>,
    /// Whether a valid footer and trailer close the file.
    pub footer: bool,
    /// The first problem, if any: verification stops there.
    pub problem: Option<Problem>,
}

impl VerifyReport {
    /// True when nothing is wrong.
    pub fn ok(&self) -> bool {
        self.problem.is_none()
    }
}

/// Verifies every byte of a capture. With `key`, every events chunk must be
/// covered by a seal that `key` signed.
pub fn verify(data: &[u8], key: Option<&VerifyingKey>) -> VerifyReport {
    let mut r = VerifyReport::default();
    if let Err(p) = walk(data, key, &mut r) {
        r.problem = Some(p);
    }
    r
}

fn walk(data: &[u8], key: Option<&VerifyingKey>, r: &mut VerifyReport) -> Result<(), Problem> {
    let at = |offset: u64, seq: Option<u64>, what: String| Problem { offset, seq, what };
    let (header, hlen) = Header::decode(data).map_err(|e| at(0, None, e.to_string()))?;
    let mut prev = *blake3::hash(&data[..hlen]).as_bytes();
    let mut off = hlen as u64;
    let mut expect_seq = 0u64;
    let mut since_index: Vec<IndexEntry> = Vec::new();
    let mut all: Vec<IndexEntry> = Vec::new();
    let mut lost = 0u64;
    let mut unsealed_from: Option<u64> = None;
    loop {
        if off == data.len() as u64 {
            return Err(at(
                off,
                None,
                format!(
                    "the file ends after frame {} without a footer (recorder killed, or the end was cut off)",
                    expect_seq.wrapping_sub(1)
                ),
            ));
        }
        let f = parse_frame(data, off, true).map_err(|e| at(off, None, e.what().to_string()))?;
        let seq = Some(f.seq);
        if f.seq != expect_seq {
            return Err(at(
                off,
                seq,
                format!(
                    "sequence number {} where {expect_seq} was expected (chunk missing, repeated or moved)",
                    f.seq
                ),
            ));
        }
        if f.prev_hash != prev {
            return Err(at(off, seq, "hash chain broken: the previous-frame hash does not match (chunk edited, removed, reordered or from another file)".into()));
        }
        match FrameType::from_code(f.ftype) {
            Some(FrameType::Events) => {
                let h = EventsHeader::decode(f.header).map_err(|e| at(off, seq, e))?;
                let entry = IndexEntry::new(off, f.bytes.len() as u32, f.seq, &h.stats);
                lost += h.lost;
                let p = decode_payload(&f, h).map_err(|e| at(off, seq, e))?;
                let mut n = 0u64;
                for e in p.events().map_err(|e| at(off, seq, e.0))? {
                    e.map_err(|e| at(off, seq, e.0))?;
                    n += 1;
                }
                r.chunks += 1;
                r.events += n;
                since_index.push(entry.clone());
                all.push(entry);
                unsealed_from.get_or_insert(f.seq);
            }
            Some(FrameType::Index) => {
                let idx =
                    IndexFrame::decode(f.header, f.body, false).map_err(|e| at(off, seq, e))?;
                if idx.entries != since_index {
                    return Err(at(
                        off,
                        seq,
                        "index chunk does not describe the chunks before it".into(),
                    ));
                }
                since_index.clear();
            }
            Some(FrameType::Seal) => {
                let signer = check_seal(&f, &header.file_id).map_err(|e| at(off, seq, e))?;
                if let Some(k) = key
                    && k != &signer
                {
                    return Err(at(
                        off,
                        seq,
                        format!(
                            "seal signed by {}, not by the trusted key",
                            hex(signer.as_bytes())
                        ),
                    ));
                }
                let signer = hex(signer.as_bytes());
                if !r.seal_keys.contains(&signer) {
                    r.seal_keys.push(signer);
                }
                r.seals += 1;
                r.sealed_through = f.seq.checked_sub(1);
                unsealed_from = None;
            }
            Some(FrameType::Footer) => {
                let foot =
                    IndexFrame::decode(f.header, f.body, true).map_err(|e| at(off, seq, e))?;
                if foot.entries != all {
                    return Err(at(
                        off,
                        seq,
                        "footer index does not describe the chunks of the file".into(),
                    ));
                }
                if foot.total_events != r.events || foot.total_lost != lost {
                    return Err(at(
                        off,
                        seq,
                        format!(
                            "footer totals ({} events, {} lost) differ from the chunks ({} events, {lost} lost)",
                            foot.total_events, foot.total_lost, r.events
                        ),
                    ));
                }
                let end = f.end();
                if end + TRAILER_LEN as u64 != data.len() as u64 || read_trailer(data) != Some(off)
                {
                    return Err(at(end, seq, "the footer is not followed by a trailer that points to it and ends the file".into()));
                }
                r.frames += 1;
                r.footer = true;
                if let (Some(_), Some(first)) = (key, unsealed_from) {
                    return Err(at(
                        off,
                        seq,
                        format!("chunks from sequence {first} on are not covered by any seal"),
                    ));
                }
                return Ok(());
            }
            None => {} // Unknown frame types are skipped (SPEC.md §10), but still chained.
        }
        r.frames += 1;
        prev = f.hash();
        off = f.end();
        expect_seq += 1;
    }
}
