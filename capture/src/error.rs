//! Errors of the recorder.

/// Everything that can stop a recording from starting or going on.
#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    /// Not root, no BTF, no tracefs: the machine cannot record.
    #[error("cannot record here: {0}")]
    Unsupported(String),
    /// The eBPF object did not load or attach.
    #[error("eBPF: {0}")]
    Load(String),
    /// The capture file could not be written.
    #[error("cannot write {path}")]
    Write {
        /// The capture file.
        path: String,
        /// What went wrong.
        source: shrike_format::Error,
    },
    /// The command to record could not be started.
    #[error("cannot start {command}: {source}")]
    Spawn {
        /// The command.
        command: String,
        /// What went wrong.
        source: std::io::Error,
    },
    /// Another operating-system failure.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// What went wrong.
        source: std::io::Error,
    },
}
