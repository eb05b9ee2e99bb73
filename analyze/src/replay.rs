//! Every event of one or more captures in time order, with bounded memory:
//! chunks are loaded in order of their first timestamp, and an event is
//! released only when no chunk not yet loaded can hold an earlier one.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use shrike_format::{Capture, OwnedEvent};

/// An event and the capture (index into the slice given) it came from.
pub struct Replayed {
    /// Index of the capture.
    pub file: usize,
    /// The event.
    pub event: OwnedEvent,
}

struct Pending(Reverse<(u64, usize, u64)>, OwnedEvent);

impl PartialEq for Pending {
    fn eq(&self, o: &Self) -> bool {
        self.0 == o.0
    }
}
impl Eq for Pending {}
impl PartialOrd for Pending {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Pending {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        self.0.cmp(&o.0)
    }
}

/// Calls `f` with every readable event of `caps` in time order (ties keep file
/// order). A chunk that cannot be decoded is reported to `on_error` and skipped.
pub fn replay(
    caps: &[Capture],
    f: &mut dyn FnMut(Replayed) -> std::io::Result<()>,
    on_error: &mut dyn FnMut(usize, shrike_format::Error),
) -> std::io::Result<()> {
    let chunks = crate::chunks::in_time_order(caps);
    let mut heap: BinaryHeap<Pending> = BinaryHeap::new();
    let mut seq = 0u64;
    let mut next = 0;
    loop {
        let horizon = chunks.get(next).map(|c| c.first_ts);
        // Load chunks until the earliest pending event is earlier than any unloaded chunk.
        if let Some(h) = horizon
            && heap.peek().is_none_or(|p| (p.0).0.0 >= h)
        {
            let (fi, ci) = (chunks[next].file, chunks[next].index);
            next += 1;
            match caps[fi]
                .payload(ci)
                .and_then(|p| p.to_owned_events().map_err(|e| caps[fi].chunk_err(ci, e.0)))
            {
                Ok(events) => {
                    for e in events {
                        seq += 1;
                        heap.push(Pending(Reverse((e.ts, fi, seq)), e));
                    }
                }
                Err(e) => on_error(fi, e),
            }
            continue;
        }
        match heap.pop() {
            Some(Pending(Reverse((_, file, _)), event)) => f(Replayed { file, event })?,
            None => return Ok(()),
        }
    }
}
