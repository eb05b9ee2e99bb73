//! Seal keys on disk: hex text, secret keys readable by their owner only.

use std::fs::OpenOptions;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use anyhow::{Context, Result, bail};
use shrike_format::seal::EpochKey;
use shrike_format::{SigningKey, VerifyingKey, hex, unhex};

/// A public key given as 64 hex digits or as a file holding them.
pub fn read_public(arg: &str) -> Result<VerifyingKey> {
    let (text, what) = if Path::new(arg).exists() {
        (
            std::fs::read_to_string(arg).with_context(|| format!("{arg}: cannot read"))?,
            arg.to_string(),
        )
    } else {
        (arg.to_string(), "--key".to_string())
    };
    let bytes = unhex::<32>(text.trim()).map_err(|e| anyhow::anyhow!("{what}: {e}"))?;
    VerifyingKey::from_bytes(&bytes)
        .map_err(|e| anyhow::anyhow!("{what}: not an Ed25519 public key: {e}"))
}

/// Checks that `path` is a seal key file a recording can take epochs from:
/// readable, well formed, and replaceable (its directory writable), so a
/// recording does not find out after it started.
pub fn check_secret(path: &Path) -> Result<()> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("{}: cannot read", path.display()))?;
    EpochKey::from_text(&text, &path.display().to_string())?;
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let c = std::ffi::CString::new(dir.as_os_str().as_encoded_bytes())?;
    // SAFETY: a valid C string; access(2) only reads it.
    if unsafe { libc::access(c.as_ptr(), libc::W_OK) } != 0 {
        bail!(
            "{}: the key file evolves with every capture (forward-secure sealing), \
             but its directory {} is not writable",
            path.display(),
            dir.display()
        );
    }
    Ok(())
}

/// Takes the key for the capture `file_id` out of the key file (which advances).
pub fn take_epoch(path: &Path, file_id: &[u8; 16]) -> Result<EpochKey> {
    EpochKey::take_from(path, file_id).with_context(|| format!("{}", path.display()))
}

/// Writes NAME.key (mode 0600, the secret, which evolves as it is used) and
/// NAME.pub (what verifies every capture sealed from it), refusing to
/// replace either unless `force`, which removes them and creates anew.
pub fn keygen(name: &Path, force: bool) -> Result<()> {
    let mut secret = [0u8; 32];
    getrandom::fill(&mut secret).map_err(|e| anyhow::anyhow!("no random source: {e}"))?;
    let key = EpochKey::first(SigningKey::from_bytes(&secret));
    let (kpath, ppath) = (name.with_extension("key"), name.with_extension("pub"));
    if force {
        for p in [&kpath, &ppath] {
            match std::fs::remove_file(p) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(e).with_context(|| format!("{}: cannot replace", p.display()));
                }
                _ => {}
            }
        }
    }
    key.create(&kpath)
        .with_context(|| format!("{}: cannot create", kpath.display()))?;
    println!("{}", kpath.display());
    let mut f = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o644)
        .custom_flags(libc::O_NOFOLLOW)
        .open(&ppath)
        .with_context(|| format!("{}: cannot create", ppath.display()))?;
    f.write_all((hex(key.public().as_bytes()) + "\n").as_bytes())
        .with_context(|| format!("{}: write failed", ppath.display()))?;
    println!("{}", ppath.display());
    Ok(())
}
