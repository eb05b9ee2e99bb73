//! The shrike capture file format, version 1: the event model, a writer, a
//! memory-mapped reader with crash recovery, and a verifier.
//!
//! `SPEC.md` beside this crate is normative; this code follows it.

#![warn(missing_docs)]

mod columns;
pub mod containers;
mod error;
mod event;
mod frame;
mod header;
mod kinds;
pub mod limits;
pub mod linux;
mod reader;
pub mod seal;
mod varint;
mod verify;
mod writer;

pub use columns::{COMMON_COLUMNS, ChunkStats, CommonColumns, Events, Payload};
pub use error::{DecodeError, Error, Result};
pub use event::{Escaped, Event, EventRef, OwnedEvent, SockAddr, StrList, Value};
pub use frame::{
    Compression, EventsHeader, Frame, FrameError, FrameType, IndexEntry, IndexFrame, TRAILER_LEN,
    check_seal_v1, parse_frame, read_trailer,
};
pub use header::{Header, MAGIC, Segment, VERSION_MAJOR, VERSION_MINOR, hex, unhex};
pub use kinds::{
    Body, Class, EXEC_ARGV_TRUNCATED, EXEC_DELETED, EXEC_ENV_TRUNCATED, EXEC_FROM_MEMFD,
    EXEC_PATH_TRUNCATED, EXEC_UPPER_LAYER, FieldDef, FieldSource, FieldType, KIND_ID_LIMIT, Kind,
    PROCESS_KINDS, Started, fdtype,
};
pub use reader::{Capture, ChunkInfo, Damage};
pub use verify::{Problem, VerifyReport, verify, verify_watched};
pub use writer::{Sink, WriteSummary, Writer, WriterOptions};

/// Re-exported so callers can build seal keys without naming the crate.
pub use ed25519_dalek::{SigningKey, VerifyingKey};

/// Entry point shared by the cargo-fuzz target and the corpus-replay test.
#[doc(hidden)]
pub mod fuzzing {
    /// Opens `data` as a capture and exercises every read path; must never panic.
    pub fn read_everything(data: &[u8]) {
        if let Ok(cap) = crate::Capture::from_bytes(data.to_vec()) {
            for i in 0..cap.chunks().len() {
                if let Ok(p) = cap.payload(i)
                    && let Ok(events) = p.events()
                {
                    for e in events.flatten() {
                        let _ = e.to_json();
                    }
                }
            }
        }
        let _ = crate::verify(data, None);
    }

    /// Decodes `data` as an events-chunk header (SPEC.md §3.2) followed by an
    /// uncompressed payload, so fuzzing reaches the column decoder without
    /// having to forge CRCs. Must never panic.
    pub fn decode_chunk_parts(data: &[u8]) {
        let Some(k) = data.get(44..48) else { return };
        let k = u32::from_le_bytes(k.try_into().expect("4 bytes")) as usize;
        let Some(hlen) = k
            .checked_mul(8)
            .and_then(|n| n.checked_add(crate::frame::EVENTS_HEADER_FIXED))
        else {
            return;
        };
        let Some(h) = data.get(..hlen) else { return };
        let Ok(header) = crate::EventsHeader::decode(h) else {
            return;
        };
        let payload =
            crate::columns::Payload::new(std::borrow::Cow::Borrowed(&data[hlen..]), header.stats);
        if let Ok(events) = payload.events() {
            for e in events.flatten() {
                let _ = e.to_json();
            }
        }
    }
}
