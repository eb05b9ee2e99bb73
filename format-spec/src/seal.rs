//! Forward-secure seals (SPEC.md §7.2): the keys, their one-way ratchet, the
//! key file that evolves with every capture, and the seal frames.
//!
//! Two ratchets, both one-way (BLAKE3 `derive_key`), so whoever takes the
//! host later holds only keys that cannot sign anything earlier:
//! - the key file's secret advances once per capture file (its epoch), and
//!   each new epoch's public key is certified by the previous one, so a
//!   verifier needs only the public key `keygen` printed;
//! - inside a file, every seal names the public key of the next, and the
//!   writer keeps only that next secret.

use std::fs::OpenOptions;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};

use crate::error::{Error, Result};
use crate::frame::Frame;
use crate::header::{hex, unhex};

/// What a seal signs first (16 bytes).
const SEAL_CONTEXT: &[u8; 16] = b"shrike seal v2\0\0";
/// What an epoch certificate signs first.
const CERT_CONTEXT: &[u8] = b"shrike seal epoch v1\0";
/// Length of a seal frame's header (type 5).
pub const SEAL_HEADER_LEN: usize = 176;
/// Seal flag: the last seal of the file; it covers the footer.
pub const SEAL_FINAL: u32 = 1;
/// Seal flag (with [`SEAL_FINAL`]): the recording goes on in the next segment.
pub const SEAL_CONTINUES: u32 = 2;
/// Length of one epoch certificate in the header's `seal_chain` field.
pub const CERT_LEN: usize = 120;
/// Most certificates a chain may hold (a key used for a million files).
pub const MAX_CERTS: usize = 1 << 20;

/// The public key of epoch `epoch`, signed by the key of the epoch before
/// it, with the id of the one file that epoch sealed: a copy of that file
/// re-sealed later, from a key taken off the host, shows as such.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cert {
    /// The epoch this key is for (1 for the first certificate).
    pub epoch: u64,
    /// Its Ed25519 public key.
    pub key: [u8; 32],
    /// The file id of the capture sealed from the epoch before.
    pub sealed: [u8; 16],
    /// The previous epoch's signature over [`CERT_CONTEXT`], `epoch`, `key`, `sealed`.
    pub sig: [u8; 64],
}

fn cert_message(epoch: u64, key: &[u8; 32], sealed: &[u8; 16]) -> Vec<u8> {
    [CERT_CONTEXT, &epoch.to_le_bytes(), key, sealed].concat()
}

/// A `seal_chain` header value: the certificates, in epoch order.
pub fn encode_chain(chain: &[Cert]) -> Vec<u8> {
    let mut v = Vec::with_capacity(chain.len() * CERT_LEN);
    for c in chain {
        v.extend_from_slice(&c.epoch.to_le_bytes());
        v.extend_from_slice(&c.key);
        v.extend_from_slice(&c.sealed);
        v.extend_from_slice(&c.sig);
    }
    v
}

/// Parses a `seal_chain` header value.
pub fn decode_chain(v: &[u8]) -> std::result::Result<Vec<Cert>, String> {
    if !v.len().is_multiple_of(CERT_LEN) || v.len() / CERT_LEN > MAX_CERTS {
        return Err(format!(
            "seal chain of {} bytes is not a whole number of {CERT_LEN}-byte certificates (at most {MAX_CERTS})",
            v.len()
        ));
    }
    Ok(v.chunks_exact(CERT_LEN)
        .map(|c| Cert {
            epoch: u64::from_le_bytes(c[..8].try_into().expect("8 bytes")),
            key: c[8..40].try_into().expect("32 bytes"),
            sealed: c[40..56].try_into().expect("16 bytes"),
            sig: c[56..120].try_into().expect("64 bytes"),
        })
        .collect())
}

/// Follows `chain` from the `trusted` key for the file `file_id`: the epoch
/// it ends at and that epoch's public key, or what breaks it (a file an
/// earlier epoch sealed, sealed again from this one, included).
pub fn chain_key(
    trusted: &VerifyingKey,
    chain: &[Cert],
    file_id: &[u8; 16],
) -> std::result::Result<(u64, VerifyingKey), String> {
    let mut key = *trusted;
    for (i, c) in chain.iter().enumerate() {
        let want = i as u64 + 1;
        if c.epoch != want {
            return Err(format!(
                "seal chain certificate {i} is for epoch {}, {want} expected",
                c.epoch
            ));
        }
        if &c.sealed == file_id {
            return Err(format!(
                "this file was sealed from epoch {}, yet it is sealed from epoch {}: \
                 someone holding a later key re-sealed it",
                c.epoch - 1,
                chain.len()
            ));
        }
        key.verify_strict(
            &cert_message(c.epoch, &c.key, &c.sealed),
            &Signature::from_bytes(&c.sig),
        )
        .map_err(|_| {
            format!(
                "seal chain: the key of epoch {} is not certified by the key before it{}",
                c.epoch,
                if i == 0 { " (the trusted key)" } else { "" }
            )
        })?;
        key = VerifyingKey::from_bytes(&c.key).map_err(|e| {
            format!(
                "seal chain: epoch {} key is not an Ed25519 key: {e}",
                c.epoch
            )
        })?;
    }
    Ok((chain.len() as u64, key))
}

fn derive(context: &str, material: &[&[u8]]) -> SigningKey {
    SigningKey::from_bytes(&blake3::derive_key(context, &material.concat()))
}

/// The secret one capture file is sealed from: the key file's current epoch.
#[derive(Clone)]
pub struct EpochKey {
    /// How many times the key file advanced since `keygen` (0: the key `keygen` made).
    pub epoch: u64,
    secret: SigningKey,
    /// Certificates from the `keygen` key to this epoch's key.
    pub chain: Vec<Cert>,
}

impl std::fmt::Debug for EpochKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the secret.
        write!(
            f,
            "EpochKey {{ epoch: {}, public: {} }}",
            self.epoch,
            hex(self.public().as_bytes())
        )
    }
}

impl EpochKey {
    /// Epoch 0: the key `keygen` made, which its public key verifies directly.
    pub fn first(secret: SigningKey) -> EpochKey {
        EpochKey {
            epoch: 0,
            secret,
            chain: Vec::new(),
        }
    }

    /// The public key the first seal of a file sealed from this epoch is signed by.
    pub fn public(&self) -> VerifyingKey {
        self.secret.verifying_key()
    }

    /// The next epoch, once this one sealed the file `sealed`: its secret
    /// derived one way from this one, its public key certified by this one.
    pub fn next(&self, sealed: &[u8; 16]) -> EpochKey {
        let secret = derive("shrike seal v2: next epoch", &[&self.secret.to_bytes()]);
        let epoch = self.epoch + 1;
        let key = secret.verifying_key().to_bytes();
        let sig = self
            .secret
            .sign(&cert_message(epoch, &key, sealed))
            .to_bytes();
        let mut chain = self.chain.clone();
        chain.push(Cert {
            epoch,
            key,
            sealed: *sealed,
            sig,
        });
        EpochKey {
            epoch,
            secret,
            chain,
        }
    }

    /// The key file's text.
    fn to_text(&self) -> String {
        let mut t = format!(
            "shrike seal key v2\nepoch {}\nsecret {}\n",
            self.epoch,
            hex(&self.secret.to_bytes())
        );
        for c in &self.chain {
            t.push_str(&format!(
                "cert {} {} {} {}\n",
                c.epoch,
                hex(&c.key),
                hex(&c.sealed),
                hex(&c.sig)
            ));
        }
        t
    }

    /// Parses a key file: `keygen`'s (64 hex digits, or the v2 text) or one
    /// a recorder advanced.
    pub fn from_text(text: &str, what: &str) -> Result<EpochKey> {
        let bad = |why: String| Error::Key(format!("{what}: {why}"));
        let t = text.trim();
        if !t.starts_with("shrike seal key v2") {
            return Ok(EpochKey::first(SigningKey::from_bytes(
                &unhex::<32>(t).map_err(bad)?,
            )));
        }
        let mut epoch = None;
        let mut secret = None;
        let mut chain = Vec::new();
        for (n, line) in t.lines().enumerate().skip(1) {
            let w: Vec<&str> = line.split_whitespace().collect();
            let at = |why: &str| bad(format!("line {}: {why}", n + 1));
            match w.as_slice() {
                ["epoch", e] => epoch = Some(e.parse::<u64>().map_err(|_| at("bad epoch"))?),
                ["secret", s] => secret = Some(unhex::<32>(s).map_err(|e| at(&e))?),
                ["cert", e, k, f, s] => chain.push(Cert {
                    epoch: e.parse().map_err(|_| at("bad certificate epoch"))?,
                    key: unhex::<32>(k).map_err(|e| at(&e))?,
                    sealed: unhex::<16>(f).map_err(|e| at(&e))?,
                    sig: unhex::<64>(s).map_err(|e| at(&e))?,
                }),
                _ => {
                    return Err(at(
                        "expected `epoch N`, `secret HEX` or `cert N KEY FILEID SIG`",
                    ));
                }
            }
        }
        let (Some(epoch), Some(secret)) = (epoch, secret) else {
            return Err(bad("no `epoch` or no `secret` line".into()));
        };
        if chain.len() as u64 != epoch {
            return Err(bad(format!(
                "epoch {epoch} with {} certificates",
                chain.len()
            )));
        }
        Ok(EpochKey {
            epoch,
            secret: SigningKey::from_bytes(&secret),
            chain,
        })
    }

    /// Writes a new key file (mode 0600, never over an existing path).
    pub fn create(&self, path: &Path) -> Result<()> {
        let mut f = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
            .open(path)?;
        f.write_all(self.to_text().as_bytes())?;
        f.sync_all()?;
        Ok(())
    }

    /// Takes the key for the capture file `file_id` out of the key file at
    /// `path`: the file is first replaced by the next epoch (written beside
    /// it, synced, renamed over it), so the key returned exists only in
    /// memory, and whoever reads the file later cannot sign as it.
    pub fn take_from(path: &Path, file_id: &[u8; 16]) -> Result<EpochKey> {
        let text = std::fs::read_to_string(path)?;
        let now = EpochKey::from_text(&text, &path.display().to_string())?;
        let next = now.next(file_id);
        let mut tmp_name = path.as_os_str().to_owned();
        let mut r = [0u8; 8];
        crate::header::fill_random(&mut r);
        tmp_name.push(format!(".{}.new", hex(&r)));
        let tmp = Path::new(&tmp_name);
        next.create(tmp)?;
        if let Err(e) = std::fs::rename(tmp, path) {
            let _ = std::fs::remove_file(tmp);
            return Err(e.into());
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::File::open(dir)?.sync_all()?;
        }
        Ok(now)
    }
}

/// One seal, as read from its frame.
#[derive(Clone, Debug)]
pub struct Seal {
    /// [`SEAL_FINAL`], [`SEAL_CONTINUES`].
    pub flags: u32,
    /// Its place among the file's seals, from 0.
    pub index: u32,
    /// The key-file epoch the file is sealed from.
    pub epoch: u64,
    /// Who signed it.
    pub signer: VerifyingKey,
    /// The public key the next seal must be signed by (zeros in a final seal).
    pub next: [u8; 32],
    /// A final seal: BLAKE3 of the footer frame's header and body.
    pub footer_digest: [u8; 32],
}

/// The fields a seal signs besides the chain head.
pub(crate) struct SealFields<'a> {
    pub flags: u32,
    pub index: u32,
    pub epoch: u64,
    pub next: &'a [u8; 32],
    pub footer_digest: &'a [u8; 32],
}

fn seal_message(file_id: &[u8; 16], seq: u64, prev: &[u8; 32], unsigned_header: &[u8]) -> Vec<u8> {
    [
        SEAL_CONTEXT.as_slice(),
        file_id,
        &seq.to_le_bytes(),
        prev,
        unsigned_header,
    ]
    .concat()
}

/// A seal frame's header: every field, then the signature over them, the
/// file id and the chain head (SPEC.md §7.2).
pub(crate) fn seal_header(
    key: &SigningKey,
    file_id: &[u8; 16],
    seq: u64,
    prev: &[u8; 32],
    f: &SealFields<'_>,
) -> Vec<u8> {
    let mut h = Vec::with_capacity(SEAL_HEADER_LEN);
    h.extend_from_slice(&f.flags.to_le_bytes());
    h.extend_from_slice(&f.index.to_le_bytes());
    h.extend_from_slice(&f.epoch.to_le_bytes());
    h.extend_from_slice(key.verifying_key().as_bytes());
    h.extend_from_slice(f.next);
    h.extend_from_slice(f.footer_digest);
    let sig = key.sign(&seal_message(file_id, seq, prev, &h));
    h.extend_from_slice(&sig.to_bytes());
    debug_assert_eq!(h.len(), SEAL_HEADER_LEN);
    h
}

/// Checks a seal frame's layout and signature (by the key it names).
pub fn check_seal(frame: &Frame<'_>, file_id: &[u8; 16]) -> std::result::Result<Seal, String> {
    let h = frame.header;
    if h.len() != SEAL_HEADER_LEN || !frame.body.is_empty() {
        return Err(format!(
            "seal header is {} bytes and body {}, expected {SEAL_HEADER_LEN} and 0",
            h.len(),
            frame.body.len()
        ));
    }
    let b32 = |at: usize| -> [u8; 32] { h[at..at + 32].try_into().expect("32 bytes") };
    let signer = VerifyingKey::from_bytes(&b32(16))
        .map_err(|e| format!("seal public key is not a valid Ed25519 key: {e}"))?;
    let sig = Signature::from_bytes(h[112..176].try_into().expect("64 bytes"));
    signer
        .verify_strict(
            &seal_message(file_id, frame.seq, &frame.prev_hash, &h[..112]),
            &sig,
        )
        .map_err(|_| "seal signature does not match the hash chain".to_string())?;
    let flags = u32::from_le_bytes(h[..4].try_into().expect("4 bytes"));
    if flags & !(SEAL_FINAL | SEAL_CONTINUES) != 0 || flags == SEAL_CONTINUES {
        return Err(format!("seal flags {flags:#x} are not defined"));
    }
    Ok(Seal {
        flags,
        index: u32::from_le_bytes(h[4..8].try_into().expect("4 bytes")),
        epoch: u64::from_le_bytes(h[8..16].try_into().expect("8 bytes")),
        signer,
        next: b32(48),
        footer_digest: b32(80),
    })
}

/// The secret of the first in-file key of a file sealed from `epoch`.
pub(crate) fn first_file_key(epoch: &EpochKey, file_id: &[u8; 16]) -> SigningKey {
    derive(
        "shrike seal v2: first key of a file",
        &[&epoch.secret.to_bytes(), file_id],
    )
}

/// The secret of the in-file key after `key`.
pub(crate) fn next_file_key(key: &SigningKey) -> SigningKey {
    derive("shrike seal v2: next key in a file", &[&key.to_bytes()])
}

/// The epoch key's secret, for the writer's first seal only.
pub(crate) fn epoch_secret(epoch: &EpochKey) -> &SigningKey {
    &epoch.secret
}

/// BLAKE3 of a footer frame's header and body: what a final seal covers.
pub(crate) fn footer_digest(header: &[u8], body: &[u8]) -> [u8; 32] {
    let mut h = blake3::Hasher::new();
    h.update(header);
    h.update(body);
    *h.finalize().as_bytes()
}

/// [`footer_digest`] of a footer frame read from a file.
pub fn digest_of_footer(frame: &Frame<'_>) -> [u8; 32] {
    footer_digest(frame.header, frame.body)
}
