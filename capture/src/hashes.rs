//! The SHA-256 of every executable a process started (`exe_hash` events,
//! SPEC §5): a name is not evidence, a hash is.
//!
//! The drain loop only opens `/proc/PID/exe` (the file the kernel runs,
//! even if its path was deleted or replaced since) when an exec or snapshot
//! reaches it; reading and hashing happen on a thread of their own, so a
//! large binary never holds up the ring buffers. A file is hashed once per
//! device, inode, size and modification time.

use std::collections::HashMap;
use std::io::Read;
use std::os::unix::fs::MetadataExt;
use std::sync::mpsc::{Receiver, SyncSender, TrySendError};

use sha2::{Digest, Sha256};
use shrike_format::{Body, Event, OwnedEvent};

/// Files larger than this are not read: their `exe_hash` has no `sha256`.
pub const MAX_HASHED: u64 = 1 << 30;

/// Requests waiting for the hashing thread before new ones are dropped (and counted).
const QUEUE: usize = 4096;

/// What identifies a file's content without reading it.
type FileKey = (u64, u64, u64, i64, i64);

/// An executable to hash: the open file and the event that started it.
struct Job {
    file: std::fs::File,
    exec: OwnedEvent,
    path: Vec<u8>,
    /// 1: opened as `/proc/PID/exe`; 2: by its path, the process gone (SPEC §5.1).
    source: u64,
}

/// Bytes of an executable one `exe_file` event carries (SPEC §5.1), well
/// below what a reader accepts of one event's strings.
pub const PART: usize = 512 << 10;

/// What `record --keep-binaries` keeps: the executables no package owns,
/// up to a size.
#[derive(Clone, Debug)]
pub struct Keep {
    /// Every path an installed package owns; `None`: the host has no
    /// package database shrike reads, and every executable is kept.
    pub owned: Option<std::sync::Arc<std::collections::HashSet<Vec<u8>>>>,
    /// The largest file kept, bytes.
    pub max: u64,
}

impl Keep {
    /// The paths dpkg's file lists (`/var/lib/dpkg/info/*.list`) under
    /// `root` name, `/usr`-merged both ways; `None` when there are none.
    pub fn owned_by_dpkg(root: &std::path::Path) -> Option<std::collections::HashSet<Vec<u8>>> {
        let dir = std::fs::read_dir(root.join("var/lib/dpkg/info")).ok()?;
        let mut owned = std::collections::HashSet::new();
        for e in dir.flatten() {
            if e.path().extension().is_some_and(|x| x == "list")
                && let Ok(text) = std::fs::read(e.path())
            {
                for line in text.split(|&b| b == b'\n').filter(|l| l.starts_with(b"/")) {
                    // /bin is /usr/bin on a merged /usr: a package may list either.
                    for alias in [b"/bin/".as_slice(), b"/sbin/", b"/lib/", b"/lib64/"] {
                        if line.starts_with(alias) {
                            owned.insert([b"/usr".as_slice(), line].concat());
                        }
                    }
                    if let Some(rest) = line.strip_prefix(b"/usr") {
                        owned.insert(rest.to_vec());
                    }
                    owned.insert(line.to_vec());
                }
            }
        }
        (!owned.is_empty()).then_some(owned)
    }

    fn wants(&self, path: &[u8], size: u64) -> bool {
        size <= self.max && self.owned.as_ref().is_none_or(|o| !o.contains(path))
    }
}

/// Hashes executables on a thread of its own; hands back `exe_hash` events
/// (and, with [`Keep`], `exe_file` events).
pub struct Hasher {
    send: Option<SyncSender<Box<Job>>>,
    done: Receiver<Vec<OwnedEvent>>,
    worker: Option<std::thread::JoinHandle<()>>,
    /// Jobs sent and not yet handed back.
    pending: usize,
    /// Requests dropped because the queue was full.
    pub dropped: u64,
}

impl Default for Hasher {
    fn default() -> Self {
        Self::new(None)
    }
}

impl Hasher {
    /// Starts the hashing thread; with `keep`, it also reads the content of
    /// the executables `keep` wants, once each.
    pub fn new(keep: Option<Keep>) -> Hasher {
        let (send, jobs) = std::sync::mpsc::sync_channel::<Box<Job>>(QUEUE);
        let (out, done) = std::sync::mpsc::channel();
        let worker = std::thread::Builder::new()
            .name("shrike-hash".into())
            .spawn(move || {
                let mut cache: HashMap<FileKey, String> = HashMap::new();
                let mut kept = std::collections::HashSet::new();
                for job in jobs {
                    let evs = hash_job(*job, &mut cache, keep.as_ref(), &mut kept);
                    if out.send(evs).is_err() {
                        return;
                    }
                }
            })
            .expect("a thread starts");
        Hasher {
            send: Some(send),
            done,
            worker: Some(worker),
            pending: 0,
            dropped: 0,
        }
    }

    /// Queues the executable `e` started, when `e` is a successful exec or
    /// a snapshot; a process already gone is skipped.
    pub fn submit(&mut self, e: &OwnedEvent) {
        let Some(started) = e.body.started() else {
            return;
        };
        let path = started.exe.clone();
        // The file the process runs; when it has ended already (most
        // programs live shorter than a drain), the file at its path.
        // (`/proc/PID/exe` is the kernel's own link to the file: followed.)
        let opened = open_regular(format!("/proc/{}/exe", e.pid).as_ref(), true)
            .map(|f| (f, 1))
            .or_else(|| {
                use std::os::unix::ffi::OsStrExt;
                open_regular(std::ffi::OsStr::from_bytes(&path).as_ref(), false).map(|f| (f, 2))
            });
        let Some((file, source)) = opened else {
            return;
        };
        let job = Box::new(Job {
            file,
            exec: e.clone(),
            path,
            source,
        });
        match self.send.as_ref().map(|s| s.try_send(job)) {
            Some(Ok(())) => self.pending += 1,
            Some(Err(TrySendError::Full(_))) => self.dropped += 1,
            _ => {}
        }
    }

    /// The `exe_hash` (and `exe_file`) events ready now.
    pub fn ready(&mut self) -> Vec<OwnedEvent> {
        let out: Vec<Vec<OwnedEvent>> = self.done.try_iter().collect();
        self.pending -= out.len();
        out.into_iter().flatten().collect()
    }

    /// Every `exe_hash` event still to come, waiting at most `limit`.
    pub fn finish(&mut self, limit: std::time::Duration) -> Vec<OwnedEvent> {
        self.send = None;
        let until = std::time::Instant::now() + limit;
        let mut out = Vec::new();
        while self.pending > 0 {
            let left = until.saturating_duration_since(std::time::Instant::now());
            match self.done.recv_timeout(left) {
                Ok(e) => {
                    out.extend(e);
                    self.pending -= 1;
                }
                Err(_) => break,
            }
        }
        if self.pending == 0
            && let Some(w) = self.worker.take()
        {
            let _ = w.join();
        }
        out
    }

    /// Hashes still owed when [`Hasher::finish`] stopped waiting.
    pub fn unfinished(&self) -> usize {
        self.pending
    }
}

/// `path` opened for reading if it is a regular file. A recorded path was
/// chosen by whoever ran the program, who may since have put a FIFO (an
/// open that would block the drain loop), a device (a read that never
/// ends) or a symbolic link there: none is waited on or read, and a link
/// is followed only when `follow` (the kernel's own `/proc/PID/exe`).
fn open_regular(path: &std::path::Path, follow: bool) -> Option<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    let nofollow = if follow { 0 } else { libc::O_NOFOLLOW };
    let f = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY | nofollow)
        .open(path)
        .ok()?;
    f.metadata().ok()?.is_file().then_some(f)
}

/// The `exe_hash` event of one job, and with `keep` the `exe_file` events
/// of an executable it wants and `kept` does not hold yet.
fn hash_job(
    job: Job,
    cache: &mut HashMap<FileKey, String>,
    keep: Option<&Keep>,
    kept: &mut std::collections::HashSet<String>,
) -> Vec<OwnedEvent> {
    let Job {
        mut file,
        exec,
        path,
        source,
    } = job;
    let meta = file.metadata().ok();
    let (size, dev, ino) = meta
        .as_ref()
        .map_or((0, 0, 0), |m| (m.size(), m.dev(), m.ino()));
    let wanted = keep.is_some_and(|k| k.wants(&path, size));
    let mut content = None;
    let sha256 = match &meta {
        Some(m) if m.size() <= MAX_HASHED => {
            let key = (m.dev(), m.ino(), m.size(), m.mtime(), m.mtime_nsec());
            match cache.get(&key) {
                Some(h) if !wanted || kept.contains(h) => h.clone(),
                _ => {
                    // What the file held when it was opened, not what is appended since.
                    let mut r = (&mut file).take(m.size());
                    let h = if wanted {
                        let mut bytes = Vec::with_capacity(m.size() as usize);
                        match r.read_to_end(&mut bytes) {
                            Ok(_) => {
                                let h = shrike_format::hex(&Sha256::digest(&bytes));
                                content = Some(bytes);
                                h
                            }
                            Err(_) => String::new(),
                        }
                    } else {
                        sha256_of(&mut r).unwrap_or_default()
                    };
                    if !h.is_empty() {
                        cache.insert(key, h.clone());
                    }
                    h
                }
            }
        }
        _ => String::new(),
    };
    let mut out = vec![Event {
        body: Body::ExeHash {
            exec_ts: exec.ts,
            path: path.clone(),
            sha256: sha256.clone().into_bytes(),
            size,
            dev,
            ino,
            source,
        },
        ..exec.clone()
    }];
    if let Some(bytes) = content.filter(|_| !sha256.is_empty() && kept.insert(sha256.clone())) {
        // An empty file is kept too: one part with no bytes.
        let parts = bytes.chunks(PART).map(<[u8]>::to_vec);
        let parts: Vec<Vec<u8>> = if bytes.is_empty() {
            vec![Vec::new()]
        } else {
            parts.collect()
        };
        let mut offset = 0;
        for data in parts {
            let n = data.len() as u64;
            out.push(Event {
                body: Body::ExeFile {
                    sha256: sha256.clone().into_bytes(),
                    path: path.clone(),
                    size: bytes.len() as u64,
                    offset,
                    data,
                },
                ..exec.clone()
            });
            offset += n;
        }
    }
    out
}

/// The SHA-256 of everything `r` holds, as 64 lowercase hex digits.
fn sha256_of(r: &mut impl Read) -> std::io::Result<String> {
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = r.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(shrike_format::hex(&h.finalize()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fifo_a_device_or_a_link_at_a_recorded_path_is_not_read() {
        let dir = std::env::temp_dir().join(format!("shrike-hash-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let fifo = dir.join("fifo");
        let c = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: a valid C string; mkfifo only creates a file.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        // Opening it for reading would wait for a writer forever: it returns at once.
        assert!(open_regular(&fifo, false).is_none());
        assert!(open_regular("/dev/zero".as_ref(), false).is_none());
        let link = dir.join("link");
        std::os::unix::fs::symlink("/bin/true", &link).unwrap();
        assert!(open_regular(&link, false).is_none());
        assert!(
            open_regular("/bin/true".as_ref(), false).is_some()
                || !std::path::Path::new("/bin/true").is_file()
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_hash_is_sha256_in_lowercase_hex() {
        // FIPS 180-2's "abc".
        assert_eq!(
            sha256_of(&mut &b"abc"[..]).unwrap(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
