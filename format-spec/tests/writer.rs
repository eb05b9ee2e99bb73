//! Writer behaviour: time-based cuts, safe file creation, a full disk, and
//! chunks decoded on many threads at once.

mod common;

use std::io::{self, Write};
use std::os::unix::fs::PermissionsExt;
use std::time::Duration;

use shrike_format::{Capture, Damage, OwnedEvent, Sink, Writer, WriterOptions};

fn events(n: u64) -> Vec<OwnedEvent> {
    shrike_synth::Generator::new(5, n).collect()
}

#[test]
fn chunks_are_cut_by_time() {
    let opts = WriterOptions {
        flush_interval: Duration::from_millis(50),
        ..WriterOptions::default()
    };
    let mut w = Writer::new(Vec::new(), &shrike_synth::header(5), opts).unwrap();
    let ev = events(3);
    w.append(&ev[0]).unwrap();
    assert!(!w.tick().unwrap(), "not due yet");
    std::thread::sleep(Duration::from_millis(80));
    assert!(w.tick().unwrap(), "due after the flush interval");
    assert_eq!(w.summary().chunks, 1);
    assert!(!w.tick().unwrap(), "nothing pending");
    w.append(&ev[1]).unwrap();
    let (bytes, s) = w.finish().unwrap();
    assert_eq!(s.chunks, 2);
    assert_eq!(
        Capture::from_bytes(bytes).unwrap().read_all().unwrap(),
        ev[..2]
    );
}

#[test]
fn a_dropped_writer_leaves_every_flushed_chunk_readable() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("killed.shrk");
    let ev = events(1000);
    let opts = WriterOptions {
        chunk_events: 100,
        ..WriterOptions::default()
    };
    let mut w = Writer::create(&path, &shrike_synth::header(5), opts, false).unwrap();
    for e in &ev[..950] {
        w.append(e).unwrap();
    }
    drop(w); // as if killed: the events of each stream's unfinished chunk are lost with the process
    let cap = Capture::open(&path).unwrap();
    assert!(
        matches!(cap.damage().as_slice(), [Damage::NoFooter { .. }]),
        "{:?}",
        cap.damage()
    );
    // Each stream's whole chunks of 100, in order.
    let want = common::streams(&ev[..950]).map(|mut s| {
        s.truncate(s.len() / 100 * 100);
        s
    });
    assert_eq!(common::streams(&cap.read_all().unwrap()), want);
}

#[test]
fn output_is_created_safely() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.shrk");
    let h = shrike_synth::header(5);
    let w = Writer::create(&path, &h, WriterOptions::default(), false).unwrap();
    w.finish().unwrap();
    assert_eq!(
        std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let err = Writer::create(&path, &h, WriterOptions::default(), false)
        .err()
        .expect("no clobbering");
    assert!(err.to_string().contains("exists"), "{err}");
    // A planted symlink is never written through, even when overwriting is allowed.
    let target = dir.path().join("victim");
    std::fs::write(&target, b"precious").unwrap();
    let link = dir.path().join("link.shrk");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    assert!(Writer::create(&link, &h, WriterOptions::default(), false).is_err());
    // Overwriting replaces the link by a file of its own, never writing through it.
    Writer::create(&link, &h, WriterOptions::default(), true)
        .unwrap()
        .finish()
        .unwrap();
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_file()
    );
    assert_eq!(std::fs::read(&target).unwrap(), b"precious");
    // A file planted world-writable (by another user, when root runs this)
    // is replaced by a new one, not reused with its owner and mode.
    use std::os::unix::fs::MetadataExt;
    let planted = dir.path().join("planted.shrk");
    std::fs::write(&planted, b"").unwrap();
    std::fs::set_permissions(&planted, std::fs::Permissions::from_mode(0o666)).unwrap();
    // SAFETY: plain getters and a chown of a file this test made.
    let root = unsafe { libc::geteuid() } == 0;
    if root {
        let c = std::ffi::CString::new(planted.to_str().unwrap()).unwrap();
        assert_eq!(unsafe { libc::chown(c.as_ptr(), 65534, 65534) }, 0);
    }
    Writer::create(&planted, &h, WriterOptions::default(), true)
        .unwrap()
        .finish()
        .unwrap();
    let m = std::fs::metadata(&planted).unwrap();
    // (A reused file keeps its mode and owner; the inode number cannot tell,
    // the file system hands the freed one straight back.)
    assert_eq!(
        m.permissions().mode() & 0o777,
        0o600,
        "the planted file's mode was kept"
    );
    // SAFETY: a plain getter.
    assert_eq!(m.uid(), unsafe { libc::geteuid() });
}

/// A disk that fills up after `room` bytes, possibly in the middle of a write.
struct SmallDisk {
    data: Vec<u8>,
    room: usize,
}

impl Write for SmallDisk {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = buf.len().min(self.room - self.data.len());
        if n == 0 {
            return Err(io::Error::from_raw_os_error(28)); // ENOSPC
        }
        self.data.extend_from_slice(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Sink for SmallDisk {
    fn truncate_to(&mut self, len: u64) -> io::Result<()> {
        self.data.truncate(len as usize);
        Ok(())
    }
    fn sync(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_full_disk_leaves_a_clean_file_up_to_the_last_chunk() {
    let ev = events(5000);
    let opts = WriterOptions {
        chunk_events: 500,
        zstd_level: None,
        ..WriterOptions::default()
    };
    let mut w = Writer::new(
        SmallDisk {
            data: Vec::new(),
            room: 40_000,
        },
        &shrike_synth::header(5),
        opts,
    )
    .unwrap();
    let mut err = None;
    let mut appended = 0;
    for e in &ev {
        match w.append(e) {
            Ok(()) => appended += 1,
            Err(e) => {
                err = Some(e);
                break;
            }
        }
    }
    let err = err.expect("the disk fills up");
    assert!(err.to_string().contains("No space left"), "{err}");
    assert!(
        w.append(&ev[0]).is_err(),
        "a failed writer refuses more events"
    );
    assert!(appended < ev.len());
    assert!(
        w.finish().is_err(),
        "finish after a failure must not pretend success"
    );
}

#[test]
fn full_disk_truncation_is_visible_to_readers() {
    // The same scenario on a real file: after the failure, the file holds only complete frames.
    let ev = events(3000);
    let opts = WriterOptions {
        chunk_events: 500,
        zstd_level: None,
        ..WriterOptions::default()
    };
    let mut disk = SmallDisk {
        data: Vec::new(),
        room: 30_000,
    };
    {
        let mut w = Writer::new(&mut disk, &shrike_synth::header(5), opts).unwrap();
        for e in &ev {
            if w.append(e).is_err() {
                break;
            }
        }
    }
    let cap = Capture::from_bytes(disk.data.clone()).unwrap();
    assert!(
        matches!(cap.damage().as_slice(), [Damage::NoFooter { .. }]),
        "only complete frames remain: {:?}",
        cap.damage()
    );
    let got = common::streams(&cap.read_all().unwrap());
    assert!(!got[1].is_empty());
    // What remains of each stream is where it began.
    for (got, all) in got.iter().zip(common::streams(&ev)) {
        assert_eq!(got[..], all[..got.len()]);
    }
}

#[test]
fn chunks_decode_on_many_threads_at_once() {
    let ev = events(20_000);
    let opts = WriterOptions {
        chunk_events: 1000,
        ..WriterOptions::default()
    };
    let mut w = Writer::new(Vec::new(), &shrike_synth::header(5), opts).unwrap();
    ev.iter().for_each(|e| w.append(e).unwrap());
    let cap = Capture::from_bytes(w.finish().unwrap().0).unwrap();
    let n = cap.chunks().len();
    let per_thread: Vec<Vec<(usize, Vec<OwnedEvent>)>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|t| {
                let cap = &cap;
                s.spawn(move || {
                    (t..n)
                        .step_by(4)
                        .map(|i| (i, cap.payload(i).unwrap().to_owned_events().unwrap()))
                        .collect()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut chunks: Vec<(usize, Vec<OwnedEvent>)> = per_thread.into_iter().flatten().collect();
    chunks.sort_by_key(|c| c.0);
    let all: Vec<OwnedEvent> = chunks.into_iter().flat_map(|c| c.1).collect();
    assert_eq!(common::streams(&all), common::streams(&ev));
}

#[test]
fn process_kinds_are_kept_in_chunks_of_their_own() {
    let ev = events(5000);
    let opts = WriterOptions {
        chunk_events: 300,
        flush_interval: Duration::from_millis(50),
        ..WriterOptions::default()
    };
    let mut w = Writer::new(Vec::new(), &shrike_synth::header(5), opts).unwrap();
    ev.iter().for_each(|e| w.append(e).unwrap());
    // Both streams have events waiting; both are cut once they have waited.
    std::thread::sleep(Duration::from_millis(80));
    let before = w.summary().chunks;
    assert!(w.tick().unwrap());
    assert_eq!(w.summary().chunks, before + 2);
    let cap = Capture::from_bytes(w.finish().unwrap().0).unwrap();
    let process = shrike_format::PROCESS_KINDS
        .iter()
        .fold(0u128, |b, k| b | 1 << k.id());
    let mut chunks = [0, 0];
    for c in cap.chunks() {
        let kinds = c.kinds();
        assert!(
            kinds & process == 0 || kinds & !process == 0,
            "a chunk mixes process kinds with others: {kinds:#x}"
        );
        chunks[usize::from(kinds & process != 0)] += 1;
    }
    assert!(chunks[0] > 2 && chunks[1] > 2, "{chunks:?}");
    assert_eq!(
        common::streams(&cap.read_all().unwrap()),
        common::streams(&ev)
    );
}
