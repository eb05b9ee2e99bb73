//! `shrike info`.

use std::path::PathBuf;

use std::io::Write;

use anyhow::{Context, Result};
use shrike_format::Capture;

/// Prints a summary of each file; exits 2 if any file could not be opened,
/// 3 if one is damaged (each fault also on stderr, as every command reports it).
pub fn run(files: &[PathBuf], json: bool) -> Result<u8> {
    match print(files, json) {
        // A reader that stops early (`| head`) ends the output, quietly.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(crate::EXIT_OK),
        r => Ok(r?),
    }
}

fn print(files: &[PathBuf], json: bool) -> std::io::Result<u8> {
    let mut out = std::io::stdout().lock();
    let mut code = crate::EXIT_OK;
    for (i, path) in files.iter().enumerate() {
        let cap = match Capture::open(path).with_context(|| {
            format!(
                "{}",
                shrike_format::Escaped(path.as_os_str().as_encoded_bytes())
            )
        }) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("shrike: {e:#}");
                code = crate::EXIT_ERROR;
                continue;
            }
        };
        let s = shrike_analyze::summary::summarize(&path.display().to_string(), &cap);
        // The summary lists the damage itself (and JSON carries it as a field).
        if crate::cmd::report_damage(std::slice::from_ref(path), std::slice::from_ref(&cap), None)?
            != crate::EXIT_OK
            && code == crate::EXIT_OK
        {
            code = crate::EXIT_DAMAGED;
        }
        if json {
            writeln!(out, "{}", serde_json::to_string(&s)?)?;
        } else {
            if i > 0 {
                writeln!(out)?;
            }
            write!(out, "{s}")?;
        }
    }
    Ok(code)
}
