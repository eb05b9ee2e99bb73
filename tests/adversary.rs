//! Attacks on the evidence, each as the attacker would make it: a capture
//! edited with the attacker's own tools (frames rebuilt, checksums redone),
//! then read back by the `shrike` binary. Every test here failed on the code
//! before its defence.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn shrike(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_shrike"))
        .args(args)
        .output()
        .unwrap()
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn le32(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().unwrap())
}

fn le64(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().unwrap())
}

/// One frame as the attacker's tools see it: offset, type, length.
#[derive(Clone, Copy, Debug)]
struct RawFrame {
    offset: usize,
    ftype: u32,
    len: usize,
}

/// The frames of a capture, walked from the header by their lengths.
fn frames(data: &[u8]) -> Vec<RawFrame> {
    let mut off = le32(data, 12) as usize;
    let end = data.len() - 16; // the trailer
    let mut out = Vec::new();
    while off < end {
        let len = le32(data, off + 4) as usize;
        out.push(RawFrame {
            offset: off,
            ftype: le32(data, off),
            len,
        });
        off += len;
    }
    out
}

/// Rebuilds a frame's CRC and both length copies after an edit of its
/// header (`h`) and body.
fn reframe(ftype: u32, seq: u64, prev: &[u8], h: &[u8], body: &[u8]) -> Vec<u8> {
    let len = 64 + h.len() + body.len();
    let mut f = Vec::with_capacity(len);
    f.extend_from_slice(&ftype.to_le_bytes());
    f.extend_from_slice(&(len as u32).to_le_bytes());
    f.extend_from_slice(&seq.to_le_bytes());
    f.extend_from_slice(prev);
    f.extend_from_slice(&(h.len() as u32).to_le_bytes());
    f.extend_from_slice(&(body.len() as u32).to_le_bytes());
    f.extend_from_slice(h);
    f.extend_from_slice(body);
    let crc = crc32c::crc32c(&f);
    f.extend_from_slice(&crc.to_le_bytes());
    f.extend_from_slice(&(len as u32).to_le_bytes());
    f
}

/// A synthetic capture of `events` events, several chunks long.
fn capture(dir: &Path, name: &str, events: u64) -> PathBuf {
    let f = dir.join(name);
    let o = shrike(&[
        "generate",
        "-o",
        p(&f),
        "--events",
        &events.to_string(),
        "--seed",
        "7",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    f
}

fn replay_lines(f: &Path) -> (usize, Output) {
    let o = shrike(&["replay", "--format", "json", p(f)]);
    let n = String::from_utf8_lossy(&o.stdout)
        .lines()
        .filter(|l| !l.contains("\"damage\""))
        .count();
    (n, o)
}

#[test]
fn a_footer_that_leaves_out_a_chunk_is_not_believed() {
    let dir = tempfile::tempdir().unwrap();
    let f = capture(dir.path(), "c.shrk", 200_000);
    let (all, _) = replay_lines(&f);
    assert_eq!(all, 200_000);
    let mut data = std::fs::read(&f).unwrap();
    let fr = frames(&data);
    let footer = *fr.last().unwrap();
    assert_eq!(footer.ftype, 4, "the last frame is the footer");
    // The attacker drops the footer's entry for the second events chunk and
    // fixes the count, the totals and the checksum: only verify used to notice.
    let fb = &data[footer.offset..footer.offset + footer.len];
    let (hlen, blen) = (le32(fb, 48) as usize, le32(fb, 52) as usize);
    let (h, body) = (&fb[56..56 + hlen], &fb[56 + hlen..56 + hlen + blen]);
    let victim = &body[64..128];
    let gone = u64::from(le32(victim, 12));
    let mut h2 = h.to_vec();
    h2[..4].copy_from_slice(&(le32(h, 0) - 1).to_le_bytes());
    h2[8..16].copy_from_slice(&(le64(h, 8) - gone).to_le_bytes());
    let body2 = [&body[..64], &body[128..]].concat();
    let forged = reframe(4, le64(fb, 8), &fb[16..48], &h2, &body2);
    data.truncate(footer.offset);
    data.extend_from_slice(&forged);
    data.extend_from_slice(&(footer.offset as u64).to_le_bytes());
    data.extend_from_slice(b"SHRKEND\n");
    std::fs::write(&f, &data).unwrap();

    let (n, o) = replay_lines(&f);
    assert_eq!(
        n,
        all,
        "replay must read the chunk the footer hides: {}",
        stderr(&o)
    );
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("the footer leaves out the events chunk at offset"),
        "{}",
        stderr(&o)
    );
    let info = shrike(&["info", p(&f)]);
    let text = String::from_utf8_lossy(&info.stdout);
    assert!(!text.contains("damage     none"), "{text}");
    assert!(
        text.contains("200,000") || text.contains("200000"),
        "{text}"
    );
    assert_eq!(info.status.code(), Some(3));
}

#[test]
fn a_chunk_that_does_not_decode_is_reported_by_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let f = capture(dir.path(), "c.shrk", 100_000);
    let mut data = std::fs::read(&f).unwrap();
    let fr = frames(&data);
    let victim = fr.iter().find(|f| f.ftype == 1).copied().unwrap();
    // One flipped byte in the middle of the first events chunk's body.
    data[victim.offset + victim.len / 2] ^= 0x55;
    std::fs::write(&f, &data).unwrap();
    let where_ = format!("chunk at offset {}", victim.offset);
    let db = dir.path().join("c.db");
    for args in [
        vec!["scan", p(&f)],
        vec!["replay", p(&f)],
        vec!["timeline", p(&f)],
        vec!["info", p(&f)],
        vec!["export", p(&f), "--sqlite", p(&db)],
    ] {
        let o = shrike(&args);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(3), "{args:?}: {err}");
        let lines: Vec<&str> = err.lines().filter(|l| l.contains(&where_)).collect();
        assert_eq!(lines.len(), 1, "{args:?} names the chunk once: {err}");
        assert!(lines[0].contains("damage: "), "{args:?}: {err}");
        assert!(lines[0].contains("CRC32C"), "{args:?}: {err}");
    }
    // JSON lines carry it as a record of its own.
    let o = shrike(&["scan", "--format", "json", p(&f)]);
    let last = String::from_utf8_lossy(&o.stdout)
        .lines()
        .filter(|l| l.contains("\"damage\""))
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .next()
        .expect("a damage line in the JSON output");
    assert_eq!(last["damage"]["type"], "bad_chunk");
    assert_eq!(last["damage"]["offset"], victim.offset as u64);
}

/// Runs shrike with its address space capped at `gib` GiB, so a reader that
/// tries to copy what a crafted capture claims fails here instead of
/// swapping the machine.
fn shrike_within(gib: u64, args: &[&str]) -> Output {
    use std::os::unix::process::CommandExt;
    let mut c = Command::new(env!("CARGO_BIN_EXE_shrike"));
    c.args(args);
    // SAFETY: setrlimit is async-signal-safe and touches only the child.
    unsafe {
        c.pre_exec(move || {
            let lim = libc::rlimit {
                rlim_cur: gib << 30,
                rlim_max: gib << 30,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &lim) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    c.output().unwrap()
}

#[test]
fn a_tiny_capture_cannot_make_a_reader_copy_gigabytes() {
    use shrike_format::{Writer, WriterOptions};
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("bomb.shrk");
    // One dictionary string of 1 MiB, named 4,096 times by one argv: 4 GiB
    // for a reader that copies the event, from a file of a few kilobytes.
    let big: &'static [u8] = vec![b'A'; 1 << 20].leak();
    let exec = |pid: u32, argv: Vec<&'static [u8]>| {
        let b: &'static [u8] = b"/bin/true";
        shrike_synth::exec_event(pid, 2_000 + u64::from(pid), &b"sh"[..], b, argv, &b"/"[..])
    };
    let mut w = Writer::new(
        std::fs::File::create(&f).unwrap(),
        &shrike_synth::header(1),
        WriterOptions::default(),
    )
    .unwrap();
    w.append(&exec(7, vec![&b"true"[..]])).unwrap();
    w.append(&exec(8, vec![big; 4096])).unwrap();
    w.finish().unwrap();
    let size = std::fs::metadata(&f).unwrap().len();
    assert!(size < 64 << 10, "the bomb is small: {size} bytes");
    let db = dir.path().join("bomb.db");
    for args in [
        vec!["replay", p(&f)],
        vec!["scan", p(&f)],
        vec!["timeline", p(&f)],
        vec!["export", p(&f), "--sqlite", p(&db)],
    ] {
        let o = shrike_within(3, &args);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(3), "{args:?}: {err}");
        assert!(
            err.contains("damage: ") && err.contains("bytes of strings, more than the 1048576"),
            "{args:?}: {err}"
        );
    }
    // The event before the bomb is still read.
    let o = shrike_within(3, &["replay", p(&f)]);
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("argv=[\"true\"]"),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
}

/// Writes `events` synthetic events to `path`, sealed from the key file
/// `key` every `every` chunks, as segment `seg` of a rotated recording when
/// given (its final seal then says whether the recording goes on).
fn sealed(
    path: &Path,
    key: &Path,
    events: u64,
    every: u32,
    seg: Option<(u32, [u8; 16], bool)>,
) -> [u8; 16] {
    use shrike_format::{Header, Segment, Writer, WriterOptions, seal::EpochKey};
    let mut h = shrike_synth::header(3);
    h.file_id = Header::new().file_id;
    h.segment = seg.map(|(index, previous, _)| Segment { index, previous });
    let opts = WriterOptions {
        chunk_events: 500,
        seal_every: every,
        seal_key: Some(EpochKey::take_from(key, &h.file_id).unwrap()),
        ..WriterOptions::default()
    };
    let mut w = Writer::new(std::fs::File::create(path).unwrap(), &h, opts).unwrap();
    for e in shrike_synth::Generator::new(3, events) {
        w.append(&e).unwrap();
    }
    if seg.is_some_and(|s| s.2) {
        w.finish_rotated().unwrap();
    } else {
        w.finish().unwrap();
    }
    h.file_id
}

/// A footer frame and trailer listing the events frames among `fr`, as the
/// attacker writes it (SPEC §6.2), after the frames of `data[..end]`.
fn append_footer(data: &mut Vec<u8>, end: usize) {
    let fr: Vec<RawFrame> = frames_until(data, end);
    let mut entries = Vec::new();
    let (mut events, mut lost) = (0u64, 0u64);
    for f in fr.iter().filter(|f| f.ftype == 1) {
        let b = &data[f.offset..f.offset + f.len];
        let h = &b[56..];
        let k = le32(h, 44) as usize;
        let kinds = (0..k).fold(0u128, |m, i| {
            m | 1u128 << u16::from_le_bytes(h[48 + 8 * i..50 + 8 * i].try_into().unwrap())
        });
        entries.extend_from_slice(&(f.offset as u64).to_le_bytes());
        entries.extend_from_slice(&(f.len as u32).to_le_bytes());
        entries.extend_from_slice(&h[16..20]); // events
        entries.extend_from_slice(&b[8..16]); // seq
        entries.extend_from_slice(&h[0..16]); // min_ts, max_ts
        entries.extend_from_slice(&h[20..28]); // min_pid, max_pid
        entries.extend_from_slice(&kinds.to_le_bytes());
        events += u64::from(le32(h, 16));
        lost += le64(h, 32);
    }
    let last = fr.last().unwrap();
    let lb = &data[last.offset..last.offset + last.len];
    let prev = *blake3::hash(lb).as_bytes();
    let seq = le64(lb, 8) + 1;
    let mut h = ((entries.len() / 64) as u32).to_le_bytes().to_vec();
    h.extend_from_slice(&[0; 4]);
    h.extend_from_slice(&events.to_le_bytes());
    h.extend_from_slice(&lost.to_le_bytes());
    data.truncate(end);
    let at = data.len() as u64;
    data.extend_from_slice(&reframe(4, seq, &prev, &h, &entries));
    data.extend_from_slice(&at.to_le_bytes());
    data.extend_from_slice(b"SHRKEND\n");
}

/// The frames of `data` from the header up to offset `end`.
fn frames_until(data: &[u8], end: usize) -> Vec<RawFrame> {
    frames(data)
        .into_iter()
        .filter(|f| f.offset + f.len <= end)
        .collect()
}

fn keygen(dir: &Path) -> (PathBuf, PathBuf) {
    let o = shrike(&["keygen", p(&dir.join("responder"))]);
    assert!(o.status.success(), "{}", stderr(&o));
    (dir.join("responder.key"), dir.join("responder.pub"))
}

fn verify_key(files: &[&Path], key: &Path) -> (Option<i32>, String) {
    let mut args = vec!["verify", "--key", p(key)];
    args.extend(files.iter().map(|f| p(f)));
    let o = shrike(&args);
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stdout).into_owned() + &stderr(&o),
    )
}

#[test]
fn a_sealed_capture_cut_at_a_seal_or_extended_does_not_verify() {
    let dir = tempfile::tempdir().unwrap();
    let (key, public) = keygen(dir.path());
    let f = dir.path().join("sealed.shrk");
    sealed(&f, &key, 20_000, 2, None);
    let (code, out) = verify_key(&[&f], &public);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("forward-secure seals"), "{out}");
    let data = std::fs::read(&f).unwrap();
    let fr = frames(&data);
    let seals: Vec<RawFrame> = fr.iter().filter(|f| f.ftype == 5).copied().collect();
    assert!(seals.len() >= 4, "{} seals", seals.len());

    // Cut at the second seal, with a footer the attacker wrote (no key needed).
    let mut cut = data.clone();
    append_footer(&mut cut, seals[1].offset + seals[1].len);
    let g = dir.path().join("cut.shrk");
    std::fs::write(&g, &cut).unwrap();
    assert_eq!(shrike(&["verify", p(&g)]).status.code(), Some(1));
    let (code, out) = verify_key(&[&g], &public);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("no final seal"), "{out}");

    // Frames added after the final seal (a chunk repeated from earlier).
    let mut ext = data.clone();
    let footer = fr.last().unwrap();
    let chunk = fr.iter().find(|f| f.ftype == 1).unwrap();
    let extra = data[chunk.offset..chunk.offset + chunk.len].to_vec();
    ext.truncate(footer.offset);
    ext.extend_from_slice(&extra);
    let end = ext.len();
    append_footer(&mut ext, end);
    let g = dir.path().join("ext.shrk");
    std::fs::write(&g, &ext).unwrap();
    let (code, out) = verify_key(&[&g], &public);
    assert_eq!(code, Some(1), "{out}");

    // A capture without any seal.
    let plain = capture(dir.path(), "plain.shrk", 1000);
    let (code, out) = verify_key(&[&plain], &public);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("not a seal"), "{out}");
}

#[test]
fn the_key_left_on_the_host_cannot_reseal_an_earlier_capture() {
    use shrike_format::{Capture, Writer, WriterOptions, seal::EpochKey};
    let dir = tempfile::tempdir().unwrap();
    let (key, public) = keygen(dir.path());
    let before = std::fs::read_to_string(&key).unwrap();
    let f = dir.path().join("sealed.shrk");
    sealed(&f, &key, 5_000, 2, None);
    // The key file moved on: what root finds there later is the next epoch.
    let after = std::fs::read_to_string(&key).unwrap();
    assert_ne!(before, after);
    assert!(after.contains("epoch 1"), "{after}");

    // Root takes the host, edits the capture (drops every event of one pid)
    // and re-seals it with the key it found, keeping the file's id.
    let cap = Capture::open(&f).unwrap();
    let events = cap.read_all().unwrap();
    let victim = events[events.len() / 2].pid;
    let forged = dir.path().join("forged.shrk");
    let opts = WriterOptions {
        chunk_events: 500,
        seal_key: Some(EpochKey::take_from(&key, &cap.header().file_id).unwrap()),
        ..WriterOptions::default()
    };
    let mut w = Writer::new(std::fs::File::create(&forged).unwrap(), cap.header(), opts).unwrap();
    for e in events.iter().filter(|e| e.pid != victim) {
        w.append(e).unwrap();
    }
    w.finish().unwrap();
    assert_eq!(shrike(&["verify", p(&forged)]).status.code(), Some(0));
    let (code, out) = verify_key(&[&forged], &public);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("re-sealed"), "{out}");
    let (code, out) = verify_key(&[&f], &public);
    assert_eq!(code, Some(0), "the original still verifies: {out}");
}

#[test]
fn a_missing_segment_of_a_rotated_recording_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let (key, public) = keygen(dir.path());
    let paths: Vec<PathBuf> = (0..3)
        .map(|i| {
            dir.path().join(if i == 0 {
                "ring.shrk".to_string()
            } else {
                format!("ring.{i}.shrk")
            })
        })
        .collect();
    let mut prev = [0u8; 16];
    for (i, path) in paths.iter().enumerate() {
        prev = sealed(path, &key, 2_000, 4, Some((i as u32, prev, i < 2)));
    }
    let all: Vec<&Path> = paths.iter().map(PathBuf::as_path).collect();
    let (code, out) = verify_key(&all, &public);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("segments: OK: 3 segments"), "{out}");

    let (code, out) = verify_key(&[all[0], all[2]], &public);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("segment 1 is missing"), "{out}");

    let (code, out) = verify_key(&[all[0], all[1]], &public);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("segment 2 is missing"), "{out}");

    let (code, out) = verify_key(&[all[1], all[2]], &public);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("segment 0 is missing"), "{out}");
}
