//! `shrike generate`.

use std::path::Path;

use anyhow::{Context, Result};
use shrike_format::{Writer, WriterOptions};

/// Writes a synthetic capture.
pub fn run(out: &Path, events: u64, seed: u64, seal_key: Option<&Path>, force: bool) -> Result<u8> {
    let mut header = shrike_synth::header(seed);
    if seal_key.is_some() {
        // Each epoch of a key seals one file id: a sealed file is its own
        // file, whatever the seed (the events stay the seed's).
        header.file_id = shrike_format::Header::new().file_id;
    }
    let seal_key = seal_key
        .map(|k| crate::keys::take_epoch(k, &header.file_id))
        .transpose()?;
    let opts = WriterOptions {
        seal_key,
        sync: false,
        ..WriterOptions::default()
    };
    let mut w = Writer::create(out, &header, opts, force).with_context(|| {
        format!(
            "{}: cannot create (use --force to replace an existing file)",
            out.display()
        )
    })?;
    for e in shrike_synth::Generator::new(seed, events) {
        w.append(&e)
            .with_context(|| format!("{}: write failed", out.display()))?;
    }
    let (_, s) = w
        .finish()
        .with_context(|| format!("{}: write failed", out.display()))?;
    eprintln!(
        "{}: {} events in {} chunks, {} bytes ({:.2} bytes/event)",
        out.display(),
        s.events,
        s.chunks,
        s.bytes,
        s.bytes as f64 / s.events.max(1) as f64
    );
    Ok(crate::EXIT_OK)
}
