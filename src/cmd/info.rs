//! `shrike info`.

use std::path::PathBuf;

use anyhow::{Context, Result};
use shrike_format::Capture;

/// Prints a summary of each file; exits 2 if any file could not be opened.
pub fn run(files: &[PathBuf], json: bool) -> Result<u8> {
    let mut code = crate::EXIT_OK;
    for (i, path) in files.iter().enumerate() {
        let cap = match Capture::open(path).with_context(|| format!("{}", path.display())) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("shrike: {e:#}");
                code = crate::EXIT_ERROR;
                continue;
            }
        };
        let s = shrike_analyze::summary::summarize(&path.display().to_string(), &cap);
        if json {
            println!("{}", serde_json::to_string(&s)?);
        } else {
            if i > 0 {
                println!();
            }
            print!("{s}");
        }
    }
    Ok(code)
}
