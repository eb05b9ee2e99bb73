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
/// order). What a damaged chunk holds before its fault is replayed; the
/// fault is noted in its capture's damage (`chunks::read_chunk`).
pub fn replay(
    caps: &[Capture],
    f: &mut dyn FnMut(Replayed) -> std::io::Result<()>,
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
            let c = &chunks[next];
            next += 1;
            crate::chunks::read_chunk(
                caps,
                c,
                crate::chunks::ALL_KINDS,
                shrike_format::CommonColumns::ALL,
                |_, e| {
                    seq += 1;
                    heap.push(Pending(Reverse((e.ts, c.file, seq)), e.to_owned_event()));
                    true
                },
            );
            continue;
        }
        match heap.pop() {
            Some(Pending(Reverse((_, file, _)), event)) => f(Replayed { file, event })?,
            None => return Ok(()),
        }
    }
}

/// Calls `f` with every readable event of `caps` that `keep` accepts, in
/// time order (ties in file order). Chunks are decoded and tested on all
/// cores a window at a time, and only the events kept are copied, so a
/// selective filter costs little more than decoding. `keep` gets the
/// event's file and its number in that file, from 1 (Falco's `evt.num`, as
/// a scan numbers events). Damaged chunks are read as `replay` reads them.
pub fn replay_kept(
    caps: &[Capture],
    keep: &(dyn Fn(usize, u64, &shrike_format::EventRef<'_>) -> bool + Sync),
    f: &mut dyn FnMut(Replayed) -> std::io::Result<()>,
) -> std::io::Result<()> {
    use rayon::prelude::*;
    type Kept = (u64, usize, u64, OwnedEvent);
    let work = crate::chunks::in_time_order(caps);
    let window = crate::chunks::window();
    let mut pending: Vec<Kept> = Vec::new();
    for (w, batch) in work.chunks(window).enumerate() {
        let read: Vec<Vec<Kept>> = batch
            .par_iter()
            .map(|c| {
                let mut out = Vec::new();
                crate::chunks::read_chunk(
                    caps,
                    c,
                    crate::chunks::ALL_KINDS,
                    shrike_format::CommonColumns::ALL,
                    |n, ev| {
                        let num = c.events_before + u64::from(n) + 1;
                        if keep(c.file, num, ev) {
                            out.push((ev.ts, c.file, num, ev.to_owned_event()));
                        }
                        true
                    },
                );
                out
            })
            .collect();
        pending.extend(read.into_iter().flatten());
        // Every unread chunk starts at or after the horizon: what is earlier is final.
        let horizon = crate::chunks::horizon(&work, (w + 1) * window);
        let ready = crate::chunks::take_settled(&mut pending, horizon, |(ts, file, num, _)| {
            (*ts, (*file, *num))
        });
        for (_, file, _, event) in ready {
            f(Replayed { file, event })?;
        }
    }
    Ok(())
}
