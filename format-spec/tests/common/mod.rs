//! Byte-level helpers written from SPEC.md alone (not from the crate's
//! internals), so tests also check that the spec describes the bytes.
#![allow(dead_code)]

use shrike_format::{Writer, WriterOptions};

/// A small capture: `events` synthetic events in chunks of `chunk` events.
pub fn small_capture(
    seed: u64,
    events: u64,
    chunk: u32,
    seal: Option<&shrike_format::SigningKey>,
) -> Vec<u8> {
    let opts = WriterOptions {
        chunk_events: chunk,
        index_every: 2,
        seal_key: seal.map(|k| shrike_format::seal::EpochKey::first(k.clone())),
        seal_every: 2,
        ..WriterOptions::default()
    };
    let mut w = Writer::new(Vec::new(), &shrike_synth::header(seed), opts).unwrap();
    for e in shrike_synth::Generator::new(seed, events) {
        w.append(&e).unwrap();
    }
    w.finish().unwrap().0
}

pub fn le32(b: &[u8]) -> u32 {
    u32::from_le_bytes(b[..4].try_into().unwrap())
}

pub fn le64(b: &[u8]) -> u64 {
    u64::from_le_bytes(b[..8].try_into().unwrap())
}

/// Header length (SPEC §2: u32 at offset 12).
pub fn header_len(file: &[u8]) -> usize {
    le32(&file[12..]) as usize
}

/// (offset, length, type) of every frame, walking frame lengths (SPEC §3.1); stops before the trailer.
pub fn frames(file: &[u8]) -> Vec<(usize, usize, u32)> {
    let mut out = Vec::new();
    let mut off = header_len(file);
    while off + 64 <= file.len() {
        let len = le32(&file[off + 4..]) as usize;
        if len < 64 || off + len > file.len() {
            break;
        }
        out.push((off, len, le32(&file[off..])));
        off += len;
    }
    out
}

/// Builds a frame with a correct CRC (SPEC §3.1).
pub fn frame(ftype: u32, seq: u64, prev: &[u8; 32], header: &[u8], body: &[u8]) -> Vec<u8> {
    let len = (64 + header.len() + body.len()) as u32;
    let mut f = Vec::new();
    f.extend_from_slice(&ftype.to_le_bytes());
    f.extend_from_slice(&len.to_le_bytes());
    f.extend_from_slice(&seq.to_le_bytes());
    f.extend_from_slice(prev);
    f.extend_from_slice(&(header.len() as u32).to_le_bytes());
    f.extend_from_slice(&(body.len() as u32).to_le_bytes());
    f.extend_from_slice(header);
    f.extend_from_slice(body);
    let crc = crc32c(&f);
    f.extend_from_slice(&crc.to_le_bytes());
    f.extend_from_slice(&len.to_le_bytes());
    f
}

/// CRC-32C (Castagnoli), bitwise, straight from its definition.
pub fn crc32c(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0x82F6_3B78
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// Re-seals the header's CRC after an edit (SPEC §2).
pub fn fix_header_crc(file: &mut [u8]) {
    let n = header_len(file);
    let crc = crc32c(&file[..n - 4]);
    file[n - 4..n].copy_from_slice(&crc.to_le_bytes());
}

/// Rewrites sequence numbers, chain hashes and CRCs of `frames` after a header,
/// as an attacker without the seal key would, and appends a valid trailer if
/// the last frame is a footer. Footer contents are left as they are.
pub fn rechain(header: &[u8], frames: &[Vec<u8>]) -> Vec<u8> {
    let mut out = header.to_vec();
    let mut prev = *blake3::hash(header).as_bytes();
    let mut last_off = 0;
    for (seq, f) in frames.iter().enumerate() {
        let hl = le32(&f[48..]) as usize;
        let bl = le32(&f[52..]) as usize;
        let nf = frame(
            le32(f),
            seq as u64,
            &prev,
            &f[56..56 + hl],
            &f[56 + hl..56 + hl + bl],
        );
        prev = *blake3::hash(&nf).as_bytes();
        last_off = out.len();
        out.extend_from_slice(&nf);
    }
    if frames.last().is_some_and(|f| le32(f) == 4) {
        out.extend_from_slice(&(last_off as u64).to_le_bytes());
        out.extend_from_slice(b"SHRKEND\n");
    }
    out
}

/// The frames of `file` as owned byte vectors.
pub fn frame_bytes(file: &[u8]) -> Vec<Vec<u8>> {
    frames(file)
        .into_iter()
        .map(|(o, l, _)| file[o..o + l].to_vec())
        .collect()
}

/// The events of the process kinds and the others, each in order. A writer
/// keeps the two in chunks of their own (SPEC §8.1): a file holds each
/// stream in the order it was appended, not how the two interleaved.
pub fn streams<S: Clone + AsRef<[u8]>>(
    events: &[shrike_format::Event<S>],
) -> [Vec<shrike_format::Event<S>>; 2] {
    let process = |e: &shrike_format::Event<S>| e.kind().is_some_and(|k| k.is_process_kind());
    [
        events.iter().filter(|e| process(e)).cloned().collect(),
        events.iter().filter(|e| !process(e)).cloned().collect(),
    ]
}
