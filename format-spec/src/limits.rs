//! Bounds every reader enforces (SPEC.md §9), so no input can make it allocate
//! or loop without limit.

/// Largest file header, bytes.
pub const MAX_HEADER_LEN: u32 = 16 << 20;
/// Largest chunk frame, bytes.
pub const MAX_FRAME_LEN: u32 = 64 << 20;
/// Largest uncompressed chunk payload, bytes.
pub const MAX_PAYLOAD_LEN: u32 = 64 << 20;
/// Most events in one chunk.
pub const MAX_EVENTS_PER_CHUNK: u32 = 1 << 20;
/// Most strings in one chunk's dictionary.
pub const MAX_DICT_ENTRIES: u64 = 1 << 20;
/// Most strings in one `strs` value.
pub const MAX_LIST_LEN: u64 = 1 << 16;
/// Most entries in one index or footer chunk.
pub const MAX_INDEX_ENTRIES: u32 = MAX_FRAME_LEN / 64;
/// Most bytes of strings one event may reference (its comm and every string
/// field, a string counted each time it is referenced): what a reader hands
/// out for one event, however the dictionary repeats itself.
pub const MAX_EVENT_STRING_BYTES: u64 = 1 << 20;
/// Most bytes of strings the events of one chunk may reference in all, so a
/// small dictionary referenced over and over cannot make a reader copy
/// gigabytes.
pub const MAX_CHUNK_STRING_BYTES: u64 = 256 << 20;
/// Where writers cut a chunk by the string bytes its events reference, well
/// below what readers accept.
pub const CHUNK_STRING_BYTES_CUT: u64 = 64 << 20;
