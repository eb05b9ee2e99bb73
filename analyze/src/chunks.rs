//! The chunks of several captures as one work list, for the passes that
//! decode them in parallel or merge them in time order.

use shrike_format::Capture;

/// One chunk of one capture.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ChunkRef {
    /// Its first (smallest) event time, ns since boot.
    pub first_ts: u64,
    /// Index of the capture.
    pub file: usize,
    /// Index of the chunk in the capture.
    pub index: usize,
    /// Events in the chunks before it in its file (the first event's number, from 0).
    pub events_before: u64,
}

/// Every chunk of `caps`, file by file, in file order.
pub fn in_file_order(caps: &[Capture]) -> Vec<ChunkRef> {
    caps.iter()
        .enumerate()
        .flat_map(|(file, c)| {
            c.chunks()
                .iter()
                .enumerate()
                .scan(0u64, move |before, (index, ch)| {
                    let r = ChunkRef {
                        first_ts: ch.header.stats.min_ts,
                        file,
                        index,
                        events_before: *before,
                    };
                    *before += u64::from(ch.header.stats.events);
                    Some(r)
                })
        })
        .collect()
}

/// Every chunk of `caps` in order of its first event (ties: file, then chunk),
/// so that a merge can tell when no unread chunk can hold an earlier event.
pub fn in_time_order(caps: &[Capture]) -> Vec<ChunkRef> {
    let mut v = in_file_order(caps);
    v.sort_unstable();
    v
}
