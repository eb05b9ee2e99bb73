//! shrike's recorder: loads the eBPF programs (capture-ebpf/), drains their
//! ring buffer, snapshots /proc, and writes captures through the format crate.

pub mod cgroups;
pub mod containers;
pub mod error;
pub mod features;
pub mod hashes;
pub mod host;
pub mod probe;
pub mod record;
pub mod recorder;
