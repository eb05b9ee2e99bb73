//! Deep verification of a capture (SPEC.md §7.3): every frame's CRC, the
//! BLAKE3 chain from the header to the footer, sequence numbers, payload
//! decoding, index and footer contents, the trailer, and seals: with a
//! trusted key, a chain of seals from the header to a final seal over the
//! footer, each signed by the key the one before named.

use ed25519_dalek::VerifyingKey;

use crate::frame::{
    EventsHeader, FrameType, IndexEntry, IndexFrame, TRAILER_LEN, check_seal_v1, parse_frame,
    read_trailer,
};
use crate::header::{Header, Segment, hex};
use crate::reader::decode_payload;
use crate::seal::{SEAL_CONTINUES, SEAL_FINAL, chain_key, check_seal, digest_of_footer};

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
    /// Whether a final seal covers the footer (and so the end of the file).
    pub final_seal: bool,
    /// The key-file epoch the file is sealed from (forward-secure seals).
    pub epoch: Option<u64>,
    /// Whether the final seal says the recording goes on in a next segment.
    pub continues: bool,
    /// Where the file sits in a rotation (from its header).
    pub segment: Option<Segment>,
    /// The file id (32 hex digits).
    pub file_id: String,
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
    verify_watched(data, key, &mut |_| {})
}

/// [`verify`], telling `progress` how many more bytes it has checked after
/// each frame (for a progress bar).
pub fn verify_watched(
    data: &[u8],
    key: Option<&VerifyingKey>,
    progress: &mut dyn FnMut(u64),
) -> VerifyReport {
    let mut r = VerifyReport::default();
    if let Err(p) = walk(data, key, &mut r, progress) {
        r.problem = Some(p);
    }
    r
}

fn walk(
    data: &[u8],
    key: Option<&VerifyingKey>,
    r: &mut VerifyReport,
    progress: &mut dyn FnMut(u64),
) -> Result<(), Problem> {
    let at = |offset: u64, seq: Option<u64>, what: String| Problem { offset, seq, what };
    let (header, hlen) = Header::decode(data).map_err(|e| at(0, None, e.to_string()))?;
    r.segment = header.segment.clone();
    r.file_id = header.file_id_hex();
    // With a trusted key, the header's chain of certificates gives the key
    // the file's first seal must be signed by.
    if key.is_some() && header.minor < 3 {
        return Err(at(
            0,
            None,
            format!(
                "the file is format 1.{}: a format 1.2 seal uses one key throughout and nothing \
                 covers the end of the file, so it cannot show the file was not cut short or \
                 re-sealed; verify without --key checks its integrity only",
                header.minor
            ),
        ));
    }
    let mut signer_due = match key {
        Some(k) => {
            let (epoch, k) =
                chain_key(k, &header.seal_chain, &header.file_id).map_err(|e| at(0, None, e))?;
            r.epoch = Some(epoch);
            Some(k)
        }
        None => None,
    };
    let mut seal_index = 0u32;
    // A final seal seen: the footer it covers must come next.
    let mut final_digest: Option<[u8; 32]> = None;
    let mut v1_seals = false;
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
        let ftype = FrameType::from_code(f.ftype);
        if final_digest.is_some() && ftype != Some(FrameType::Footer) {
            return Err(at(
                off,
                seq,
                "a frame follows the final seal: only the footer may".into(),
            ));
        }
        if key.is_some() && f.seq == 0 && ftype != Some(FrameType::Seal) {
            return Err(at(
                off,
                seq,
                "the first frame is not a seal: a sealed file starts with a seal over its header"
                    .into(),
            ));
        }
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
        match ftype {
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
            Some(FrameType::SealV1) => {
                let signer = check_seal_v1(&f, &header.file_id).map_err(|e| at(off, seq, e))?;
                if key.is_some() {
                    return Err(at(
                        off,
                        seq,
                        "a format 1.2 seal (one key throughout, nothing over the end of the file): \
                         it cannot show the file was not cut short or re-sealed; \
                         verify without --key checks its integrity only"
                            .into(),
                    ));
                }
                v1_seals = true;
                let signer = hex(signer.as_bytes());
                if !r.seal_keys.contains(&signer) {
                    r.seal_keys.push(signer);
                }
                r.seals += 1;
                r.sealed_through = f.seq.checked_sub(1);
                unsealed_from = None;
            }
            Some(FrameType::Seal) => {
                let s = check_seal(&f, &header.file_id).map_err(|e| at(off, seq, e))?;
                let hexkey = hex(s.signer.as_bytes());
                if let Some(due) = signer_due
                    && due != s.signer
                {
                    return Err(at(
                        off,
                        seq,
                        if seal_index == 0 {
                            format!(
                                "the first seal is signed by {hexkey}, not by the key the trusted key certifies for this file"
                            )
                        } else {
                            format!(
                                "seal {} is signed by {hexkey}, not by the key seal {} handed over to",
                                seal_index,
                                seal_index - 1
                            )
                        },
                    ));
                }
                if s.index != seal_index {
                    return Err(at(
                        off,
                        seq,
                        format!(
                            "seal number {} where {seal_index} was expected (a seal removed, repeated or moved)",
                            s.index
                        ),
                    ));
                }
                if r.epoch.is_some_and(|e| e != s.epoch) {
                    return Err(at(
                        off,
                        seq,
                        format!(
                            "seal of epoch {}, but the file is sealed from epoch {}",
                            s.epoch,
                            r.epoch.unwrap_or(s.epoch)
                        ),
                    ));
                }
                r.epoch = Some(s.epoch);
                if s.flags & SEAL_FINAL != 0 {
                    final_digest = Some(s.footer_digest);
                    r.continues = s.flags & SEAL_CONTINUES != 0;
                    signer_due = None;
                } else {
                    signer_due = Some(ed25519_dalek::VerifyingKey::from_bytes(&s.next).map_err(
                        |e| {
                            at(
                                off,
                                seq,
                                format!("seal names a next key that is not an Ed25519 key: {e}"),
                            )
                        },
                    )?);
                }
                if !r.seal_keys.contains(&hexkey) && seal_index == 0 {
                    r.seal_keys.push(hexkey);
                }
                seal_index += 1;
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
                match final_digest {
                    Some(d) if d == digest_of_footer(&f) => r.final_seal = true,
                    Some(_) => {
                        return Err(at(
                            off,
                            seq,
                            "the footer is not the one the final seal covers".into(),
                        ));
                    }
                    // Forward-secure seals always end with a final one: without it the end was cut.
                    None if seal_index > 0 => {
                        return Err(at(off, seq, "the file has seals but no final seal before its footer: its end was cut off or replaced".into()));
                    }
                    None if key.is_some() && !v1_seals => {
                        return Err(at(
                            off,
                            seq,
                            "the file is not sealed (no seal frame): nothing in it is signed"
                                .into(),
                        ));
                    }
                    None => {}
                }
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
        progress(f.end() - off);
        off = f.end();
        expect_seq += 1;
    }
}
