//! `shrike extract`: the executables `record --keep-binaries` kept
//! (`exe_file` events), put together and checked against their SHA-256
//! before a byte is written.

use std::collections::BTreeMap;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use sha2::Digest;
use shrike_format::{Body, Escaped, Kind};

/// One kept executable being put together: its size, a path it ran from,
/// and its parts by offset.
struct Kept {
    size: u64,
    path: Vec<u8>,
    parts: BTreeMap<u64, Vec<u8>>,
}

/// Writes each kept executable (or only those whose SHA-256 starts with
/// `only`) to `dir/SHA256`; exit 1 when one does not check out.
pub fn run(files: &[PathBuf], dir: &Path, only: Option<&str>) -> Result<u8> {
    let only = only.map(str::to_ascii_lowercase);
    if let Some(o) = &only
        && (o.is_empty() || !o.bytes().all(|b| b.is_ascii_hexdigit()))
    {
        bail!("--sha256 {o:?}: expected hex digits (a SHA-256 or its start)");
    }
    let caps = crate::cmd::scan::open_all(files)?;
    let mut kept: BTreeMap<Vec<u8>, Kept> = BTreeMap::new();
    let mut clash = Vec::new();
    for c in shrike_analyze::chunks::in_file_order(&caps) {
        shrike_analyze::chunks::read_chunk(
            &caps,
            &c,
            1 << Kind::ExeFile.id(),
            shrike_format::CommonColumns::NONE,
            |_, e| {
                if let Body::ExeFile {
                    sha256,
                    path,
                    size,
                    offset,
                    data,
                } = &e.body
                {
                    let k = kept.entry(sha256.to_vec()).or_insert_with(|| Kept {
                        size: *size,
                        path: path.to_vec(),
                        parts: BTreeMap::new(),
                    });
                    // The same part in two files (rotated segments) is one
                    // part; two different ones at one offset are a forgery
                    // the hash check below would also catch.
                    let old = k.parts.insert(*offset, data.to_vec());
                    if k.size != *size || old.is_some_and(|o| o != *data) {
                        clash.push(sha256.to_vec());
                    }
                }
                true
            },
        );
    }
    std::fs::create_dir_all(dir).with_context(|| format!("{}", dir.display()))?;
    let mut code = crate::EXIT_OK;
    let mut written = 0;
    let mut out = std::io::stdout().lock();
    for (sha, k) in &kept {
        let name = String::from_utf8_lossy(sha).into_owned();
        if only.as_ref().is_some_and(|o| !name.starts_with(o.as_str())) {
            continue;
        }
        let bad = |why: String| {
            eprintln!("shrike: {}: {why}: not written", Escaped(sha),);
        };
        // A name that is not 64 hex digits is no file name shrike writes.
        if sha.len() != 64 || !sha.iter().all(|b| b.is_ascii_hexdigit()) {
            bad("not a SHA-256".into());
            code = crate::EXIT_FAILED;
            continue;
        }
        // Room for the bytes the parts hold, never for the size they claim:
        // a crafted capture may claim any size.
        let mut bytes = Vec::with_capacity(k.parts.values().map(Vec::len).sum());
        for (offset, data) in &k.parts {
            if *offset != bytes.len() as u64 {
                break;
            }
            bytes.extend_from_slice(data);
        }
        if bytes.len() as u64 != k.size || clash.contains(sha) {
            bad(format!(
                "parts hold {} of its {} bytes",
                bytes.len(),
                k.size
            ));
            code = crate::EXIT_FAILED;
            continue;
        }
        let got = shrike_format::hex(&sha2::Sha256::digest(&bytes));
        if got.as_bytes() != sha.to_ascii_lowercase() {
            bad(format!("its bytes hash to {got}"));
            code = crate::EXIT_FAILED;
            continue;
        }
        let file = dir.join(&name);
        // Created anew, owner-only and not executable: evidence to study,
        // not to run by accident.
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&file)
            .with_context(|| format!("{}", file.display()))?;
        f.write_all(&bytes)
            .and_then(|()| f.sync_all())
            .with_context(|| format!("{}", file.display()))?;
        writeln!(
            out,
            "{name}  {} bytes  ran as {}  -> {}",
            k.size,
            Escaped(&k.path),
            file.display()
        )?;
        written += 1;
    }
    if written == 0 && code == crate::EXIT_OK {
        match &only {
            Some(o) => eprintln!("shrike: no kept executable's SHA-256 starts with {o}"),
            None => {
                eprintln!("shrike: the capture keeps no executables (record with --keep-binaries)")
            }
        }
        code = crate::EXIT_FAILED;
    }
    let damaged = crate::cmd::report_damage(files, &caps, None)?;
    Ok(code.max(damaged))
}
