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
