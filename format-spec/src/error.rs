//! Error types of the format crate.

use std::io;

/// A chunk payload that does not decode (SPEC.md §4).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct DecodeError(pub String);

impl DecodeError {
    pub(crate) fn new(what: impl Into<String>) -> Self {
        DecodeError(what.into())
    }
}

/// Everything that can go wrong reading or writing a capture file.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The operating system refused a read or write.
    #[error(transparent)]
    Io(#[from] io::Error),
    /// The first bytes are not the capture magic.
    #[error("not a shrike capture file (the first 8 bytes are not the shrike magic)")]
    NotACapture,
    /// A major version this reader does not read.
    #[error("format version {major}.{minor} is not supported (this reader reads 1.x)")]
    Version {
        /// Major version in the file.
        major: u16,
        /// Minor version in the file.
        minor: u16,
    },
    /// Incompatible feature bits this reader does not know.
    #[error("the file uses incompatible features this reader does not know (flags {0:#018x})")]
    IncompatFlags(u64),
    /// The file header is malformed.
    #[error("file header: {0}")]
    Header(String),
    /// A chunk is damaged or malformed.
    #[error("chunk at byte offset {offset}: {what}")]
    Chunk {
        /// Byte offset of the chunk frame.
        offset: u64,
        /// What is wrong.
        what: String,
    },
    /// A seal key file is malformed.
    #[error("seal key {0}")]
    Key(String),
    /// The caller passed something the format cannot store.
    #[error("cannot write: {0}")]
    Unwritable(String),
}

/// Result with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
