//! The chunks of several captures as one work list, for the passes that
//! decode them in parallel or merge them in time order, and the one way a
//! chunk is read (`read_chunk`), with the one damage policy.

use shrike_format::{Capture, CommonColumns, EventRef};

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

/// Every kind: `read_chunk` decodes all events.
pub const ALL_KINDS: u128 = u128::MAX;

/// Reads chunk `c` of `caps`: each event of `kinds` (kind ids as bits), with
/// `columns` of the common columns, goes to `each` with its index in the
/// chunk; `each` returns false to stop. This is how every pass reads a
/// chunk, so damage has one policy: the events before a fault are used, and
/// the fault is noted once in the capture's damage (`Capture::damage`),
/// which every command reports the same way when it ends.
pub fn read_chunk(
    caps: &[Capture],
    c: &ChunkRef,
    kinds: u128,
    columns: CommonColumns,
    mut each: impl FnMut(u32, &EventRef<'_>) -> bool,
) {
    let cap = &caps[c.file];
    let fault = crate::with_chunk_buf(|buf| {
        let p = cap.payload_in(c.index, buf).map_err(fault)?;
        let mut events = p.events_with(kinds, columns).map_err(|e| e.0)?;
        while let Some(ev) = events.next_ref() {
            let (n, ev) =
                ev.map_err(|e| format!("{} (the rest of the chunk is unreadable)", e.0))?;
            if !each(n, ev) {
                break;
            }
        }
        Ok::<(), String>(())
    });
    if let Err(what) = fault {
        cap.note_bad_chunk(c.index, what);
    }
}

/// What is wrong with a chunk, without the offset its damage entry names.
pub fn fault(e: shrike_format::Error) -> String {
    match e {
        shrike_format::Error::Chunk { what, .. } => what,
        e => e.to_string(),
    }
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

/// Chunks read at once per worker thread by a pass that merges in time order:
/// enough to keep every core busy, few enough that what waits for the
/// horizon stays bounded by the window, not the file.
const WINDOW_PER_THREAD: usize = 4;

/// How many chunks such a pass reads at once.
pub fn window() -> usize {
    rayon::current_num_threads().max(1) * WINDOW_PER_THREAD
}

/// The time before which everything of a merge over `work` (in time order)
/// is known once its first `read` chunks are read: every unread chunk starts
/// at or after it (`u64::MAX` when none is left).
pub fn horizon(work: &[ChunkRef], read: usize) -> u64 {
    work.get(read).map_or(u64::MAX, |c| c.first_ts)
}

/// Reads `work` (chunks in time order) `window` chunks at a time with
/// `read`, and hands the items no unread chunk can precede, sorted by `key`
/// (whose first part is the time), to `settled`, which runs while the next
/// window is read; `settled` returns false to stop. `absorb` moves a
/// window's results into the pending items.
pub fn merge_windows<R: Send, T: Send, K: Ord>(
    work: &[ChunkRef],
    window: usize,
    read: impl Fn(&[ChunkRef]) -> R + Sync,
    mut absorb: impl FnMut(R, &mut Vec<T>),
    key: impl Fn(&T) -> (u64, K) + Sync,
    mut settled: impl FnMut(Vec<T>) -> bool + Send,
) {
    let mut pending = Vec::new();
    let mut batches = work.chunks(window).enumerate();
    let mut next = batches.next().map(|(w, b)| (w, read(b)));
    while let Some((w, got)) = next.take() {
        absorb(got, &mut pending);
        let horizon = horizon(work, (w + 1) * window);
        let following = batches.next();
        let (go_on, n) = rayon::join(
            || {
                let ready = take_settled(&mut pending, horizon, &key);
                ready.is_empty() || settled(ready)
            },
            || following.map(|(w, b)| (w, read(b))),
        );
        if !go_on {
            return;
        }
        next = n;
    }
}

/// Sorts `pending` by `key` (whose first part is the time) and takes out
/// the items before `horizon`, which nothing unread can precede: all of
/// them once nothing is left unread.
pub fn take_settled<T, K: Ord>(
    pending: &mut Vec<T>,
    horizon: u64,
    key: impl Fn(&T) -> (u64, K),
) -> Vec<T> {
    // Stable: what is pending is a few runs already in order (a chunk's
    // events come in time order, nearly), which a stable sort merges.
    pending.sort_by_key(&key);
    let ready = if horizon == u64::MAX {
        pending.len()
    } else {
        pending.partition_point(|x| key(x).0 < horizon)
    };
    pending.drain(..ready).collect()
}
