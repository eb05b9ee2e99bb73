//! Offline analysis of shrike captures. Never depends on the recorder: an
//! analyst's machine needs no eBPF.

pub mod compile;
pub mod fields;
pub mod history;
pub mod output;
pub mod replay;
pub mod scan;
pub mod summary;
pub mod time;
pub mod timeline;
