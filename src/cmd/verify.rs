//! `shrike verify`.

use std::path::Path;

use anyhow::{Context, Result};
use shrike_format::{Capture, verify};

/// Verifies one file; exit 0 when it holds, 1 when it does not.
pub fn run(path: &Path, key: Option<&str>, json: bool) -> Result<u8> {
    let key = key.map(crate::keys::read_public).transpose()?;
    let cap = match Capture::open(path) {
        Ok(c) => c,
        // A file whose header is unreadable fails verification; it is not a usage error.
        Err(shrike_format::Error::Io(e)) => {
            return Err(e).with_context(|| format!("{}", path.display()));
        }
        Err(e) => {
            report_failure(path, json, 0, None, &e.to_string());
            return Ok(crate::EXIT_FAILED);
        }
    };
    let r = verify(cap.bytes(), key.as_ref());
    if json {
        let mut v = serde_json::to_value(&r)?;
        v["file"] = path.display().to_string().into();
        v["ok"] = r.ok().into();
        println!("{v}");
    }
    match &r.problem {
        None => {
            if !json {
                let seals = match (r.seals, key.is_some()) {
                    (0, _) => "not sealed".to_string(),
                    (n, true) => format!("{n} seals by the trusted key, covering every chunk"),
                    (n, false) => format!(
                        "{n} seals, valid for their own key {} (give --key to check who signed)",
                        r.seal_keys.join(", ")
                    ),
                };
                println!(
                    "{}: OK: {} chunks, {} events, hash chain intact, footer valid, {seals}",
                    path.display(),
                    r.chunks,
                    r.events
                );
            }
            Ok(crate::EXIT_OK)
        }
        Some(p) => {
            if !json {
                report_failure(path, false, p.offset, p.seq, &p.what);
                println!(
                    "  verified before it: {} frames, {} chunks, {} events",
                    r.frames, r.chunks, r.events
                );
            }
            Ok(crate::EXIT_FAILED)
        }
    }
}

fn report_failure(path: &Path, json: bool, offset: u64, seq: Option<u64>, what: &str) {
    if json {
        let v = serde_json::json!({ "file": path.display().to_string(), "ok": false, "problem": { "offset": offset, "seq": seq, "what": what } });
        println!("{v}");
        return;
    }
    let chunk = seq.map_or(String::new(), |s| format!(" (chunk sequence {s})"));
    println!(
        "{}: FAILED at byte offset {offset}{chunk}: {what}",
        path.display()
    );
}
