//! Offline analysis of shrike captures. Never depends on the recorder: an
//! analyst's machine needs no eBPF.

pub mod chunks;
pub mod compile;
pub mod fields;
pub mod history;
pub mod output;
pub mod replay;
pub mod scan;
pub mod summary;
pub mod time;
pub mod timeline;

/// Runs `f` with this thread's reusable buffer for decompressed chunks.
///
/// Rayon calls a `map_init` initialiser once per split of the work, not once
/// per thread, so a buffer made there is often fresh: megabytes of new pages
/// for the kernel to zero per chunk, which cost more than decompressing.
pub fn with_chunk_buf<R>(f: impl FnOnce(&mut Vec<u8>) -> R) -> R {
    thread_local! {
        static BUF: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    BUF.with(|b| f(&mut b.borrow_mut()))
}
