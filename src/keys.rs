//! Seal keys on disk: hex text, secret keys readable by their owner only.

use std::fs::OpenOptions;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use anyhow::{Context, Result, bail};
use shrike_format::{SigningKey, VerifyingKey, hex};

fn parse_hex32(text: &str, what: &str) -> Result<[u8; 32]> {
    let t = text.trim();
    if t.len() != 64 || !t.bytes().all(|b| b.is_ascii_hexdigit()) {
        bail!(
            "{what}: expected 64 hex digits, found {} characters",
            t.len()
        );
    }
    let mut out = [0u8; 32];
    for (i, b) in out.iter_mut().enumerate() {
        *b = u8::from_str_radix(&t[2 * i..2 * i + 2], 16).expect("hex checked");
    }
    Ok(out)
}

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
    let bytes = parse_hex32(&text, &what)?;
    VerifyingKey::from_bytes(&bytes)
        .map_err(|e| anyhow::anyhow!("{what}: not an Ed25519 public key: {e}"))
}

/// A secret key file written by `shrike keygen`.
pub fn read_secret(path: &Path) -> Result<SigningKey> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("{}: cannot read", path.display()))?;
    Ok(SigningKey::from_bytes(&parse_hex32(
        &text,
        &path.display().to_string(),
    )?))
}

/// Writes NAME.key (mode 0600) and NAME.pub, refusing to replace either.
pub fn keygen(name: &Path) -> Result<()> {
    let mut secret = [0u8; 32];
    getrandom::fill(&mut secret).map_err(|e| anyhow::anyhow!("no random source: {e}"))?;
    let key = SigningKey::from_bytes(&secret);
    let write = |ext: &str, mode: u32, text: String| -> Result<()> {
        let path = name.with_extension(ext);
        let mut f = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(mode)
            .open(&path)
            .with_context(|| format!("{}: cannot create", path.display()))?;
        f.write_all(text.as_bytes())
            .with_context(|| format!("{}: write failed", path.display()))?;
        println!("{}", path.display());
        Ok(())
    };
    write("key", 0o600, hex(&key.to_bytes()) + "\n")?;
    write("pub", 0o644, hex(key.verifying_key().as_bytes()) + "\n")?;
    Ok(())
}
