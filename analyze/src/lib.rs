//! Offline analysis of shrike captures. Never depends on the recorder: an
//! analyst's machine needs no eBPF.

pub mod replay;
pub mod summary;
pub mod time;
