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

/// Calls `f` with every readable event of `caps` that `keep` accepts, in
/// time order (ties in file order). Chunks are decoded and tested on all
/// cores a window at a time, and only the events kept are copied, so a
/// selective filter costs little more than decoding. `keep` gets the
/// event's file and its number in that file, from 1 (Falco's `evt.num`, as
/// a scan numbers events). A chunk that cannot be decoded is reported to
/// `on_error` and skipped whole.
pub fn replay_kept(
    caps: &[Capture],
    keep: &(dyn Fn(usize, u64, &shrike_format::EventRef<'_>) -> bool + Sync),
    f: &mut dyn FnMut(Replayed) -> std::io::Result<()>,
    on_error: &mut dyn FnMut(usize, shrike_format::Error),
) -> std::io::Result<()> {
    use rayon::prelude::*;
    type Kept = (u64, usize, u64, OwnedEvent);
    let work = crate::chunks::in_time_order(caps);
    let window = crate::chunks::window();
    let mut pending: Vec<Kept> = Vec::new();
    for (w, batch) in work.chunks(window).enumerate() {
        let read: Vec<Result<Vec<Kept>, (usize, shrike_format::Error)>> = batch
            .par_iter()
            .map(|c| {
                let cap = &caps[c.file];
                let bad = |e: shrike_format::DecodeError| (c.file, cap.chunk_err(c.index, e.0));
                crate::with_chunk_buf(|buf| {
                    let p = cap.payload_in(c.index, buf).map_err(|e| (c.file, e))?;
                    let mut events = p.events().map_err(bad)?;
                    let mut out = Vec::new();
                    while let Some(ev) = events.next_ref() {
                        let (n, ev) = ev.map_err(bad)?;
                        let num = c.events_before + u64::from(n) + 1;
                        if keep(c.file, num, ev) {
                            out.push((ev.ts, c.file, num, ev.to_owned_event()));
                        }
                    }
                    Ok(out)
                })
            })
            .collect();
        for r in read {
            match r {
                Ok(kept) => pending.extend(kept),
                Err((file, e)) => on_error(file, e),
            }
        }
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
