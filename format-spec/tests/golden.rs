//! Golden files: small captures in testdata/golden with their expected JSON
//! decodings. An accidental change to the bytes the writer produces, or to
//! what the reader makes of them, fails here.
//!
//! After an intended format change (with SPEC.md updated in the same commit),
//! regenerate with `SHRIKE_BLESS=1 cargo test -p shrike-format --test golden`.

use std::path::PathBuf;

use shrike_format::{
    Body, Capture, Event, FieldSource, Kind, OwnedEvent, SigningKey, SockAddr, Writer,
    WriterOptions,
};

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../testdata/golden")
}

/// Deterministic values that exercise every encoding: negatives, multi-byte
/// varints, empty and non-UTF-8 strings, every address form.
struct Cycle(u64);

impl FieldSource for Cycle {
    fn int(&mut self) -> i64 {
        self.0 += 1;
        [-100, -2, 0, 3, 300, i64::MIN, i64::MAX][self.0 as usize % 7]
    }
    fn uint(&mut self) -> u64 {
        self.0 += 1;
        [0, 1, 127, 128, 0o2101, u64::from(u32::MAX), u64::MAX][self.0 as usize % 7]
    }
    fn str(&mut self) -> Vec<u8> {
        self.0 += 1;
        let all: [&[u8]; 5] = [
            b"/etc/shadow",
            b"",
            b"relative/path",
            b"\xff\xfebad utf8",
            b"/tmp/x y",
        ];
        all[self.0 as usize % 5].to_vec()
    }
    fn strs(&mut self) -> Vec<Vec<u8>> {
        self.0 += 1;
        (0..self.0 % 4).map(|_| self.str()).collect()
    }
    fn addr(&mut self) -> SockAddr<Vec<u8>> {
        self.0 += 1;
        match self.0 % 5 {
            0 => SockAddr::None,
            1 => SockAddr::V4 {
                ip: [127, 0, 0, 1],
                port: 4444,
            },
            2 => SockAddr::V6 {
                ip: std::net::Ipv6Addr::LOCALHOST.octets(),
                port: 443,
            },
            3 => SockAddr::Unix(b"\0abstract-sock".to_vec()),
            _ => SockAddr::Other(16),
        }
    }
}

fn golden_events() -> Vec<OwnedEvent> {
    let mut src = Cycle(0);
    let mut events: Vec<OwnedEvent> = shrike_synth::Generator::new(3, 40).collect();
    let mut ts = events.last().unwrap().ts;
    for (i, k) in Kind::ALL.iter().enumerate() {
        ts += 1000 + i as u64;
        let body = Body::fill(*k, &mut src);
        events.push(Event {
            ts,
            cpu: i as u32 % 2,
            pid: 4000 + i as u32,
            tid: 4000 + i as u32 + (i as u32 % 3),
            comm: b"golden".to_vec(),
            uid: 1000,
            gid: 1000,
            euid: i as u32 % 2 * 1000,
            egid: 1000,
            cgroup: 77,
            body,
        });
    }
    events
}

fn opts(zstd: bool) -> WriterOptions {
    WriterOptions {
        chunk_events: 16,
        index_every: 2,
        zstd_level: zstd.then_some(3),
        seal_key: Some(shrike_format::seal::EpochKey::first(
            SigningKey::from_bytes(&[5; 32]),
        )),
        seal_every: 3,
        sync: false,
        ..WriterOptions::default()
    }
}

fn encode(header: &shrike_format::Header, events: &[OwnedEvent], zstd: bool) -> Vec<u8> {
    let mut w = Writer::new(Vec::new(), header, opts(zstd)).unwrap();
    for e in events {
        w.append(e).unwrap();
    }
    w.add_lost(3);
    w.finish().unwrap().0
}

fn jsonl(events: &[OwnedEvent]) -> String {
    events
        .iter()
        .map(|e| e.to_json().to_string() + "\n")
        .collect()
}

#[test]
fn golden_files_decode_and_encode_exactly() {
    let bless = std::env::var_os("SHRIKE_BLESS").is_some();
    for (name, zstd) in [("small", false), ("small-zstd", true)] {
        let shrk = dir().join(format!("{name}.shrk"));
        let json = dir().join(format!("{name}.jsonl"));
        if bless {
            let events = golden_events();
            let bytes = encode(&shrike_synth::header(3), &events, zstd);
            // The expected decoding is in file order: the process kinds sit
            // in chunks of their own (SPEC.md §8.1), so that is not the order
            // of appending, but it holds the same events.
            let read = Capture::from_bytes(bytes.clone())
                .unwrap()
                .read_all()
                .unwrap();
            let (mut a, mut b) = (jsonl(&events), jsonl(&read));
            assert_eq!(a.len(), b.len());
            let sorted = |s: &mut String| {
                let mut l: Vec<&str> = s.lines().collect();
                l.sort_unstable();
                l.join("\n")
            };
            assert_eq!(
                sorted(&mut a),
                sorted(&mut b),
                "the writer kept every event"
            );
            std::fs::write(&shrk, bytes).unwrap();
            std::fs::write(&json, b).unwrap();
        }
        let bytes = std::fs::read(&shrk).unwrap_or_else(|e| panic!("{}: {e}", shrk.display()));
        let want_json = std::fs::read_to_string(&json).unwrap();
        let cap = Capture::from_bytes(bytes.clone()).unwrap();
        assert!(cap.damage().is_empty());
        assert!(
            shrike_format::verify(
                &bytes,
                Some(&SigningKey::from_bytes(&[5; 32]).verifying_key())
            )
            .ok()
        );
        let events = cap.read_all().unwrap();
        assert_eq!(jsonl(&events), want_json, "{name}: decoding changed");
        if !zstd {
            // Byte-exact only without zstd, whose output may change between library versions.
            assert!(
                encode(cap.header(), &events, zstd) == bytes,
                "{name}: the writer's bytes changed"
            );
        }
    }
}

/// `events` as JSON lines without the fields in `added` (`field`, or `kind.field`), each checked to be 0
/// (a newer reader's fields read from an older file); returns how many there were.
fn without_added(events: &[OwnedEvent], added: &[&str]) -> (String, usize) {
    let mut n = 0;
    let mut out = String::new();
    for e in events {
        let mut got = e.to_json();
        let m = got.as_object_mut().unwrap();
        for f in added {
            // `kind.field`: a field added to that kind only (another kind may have one of the name).
            let f = match f.split_once('.') {
                Some((kind, field)) if m.get("kind").and_then(|k| k.as_str()) == Some(kind) => {
                    field
                }
                Some(_) => continue,
                None => *f,
            };
            if let Some(v) = m.remove(f) {
                assert!(
                    v == 0 || v == serde_json::json!([]),
                    "{f} of an older event: {v}"
                );
                n += 1;
            }
        }
        out.push_str(&(got.to_string() + "\n"));
    }
    (out, n)
}

/// The fields format 1.2 added, and those 1.4 added (`kind.field` for one kind's).
const SINCE_1_2: &[&str] = &["resolved"];
const SINCE_1_4: &[&str] = &["env", "pgid", "created", "ptrace.addr", "ptrace.data"];

/// An older writer's golden file `NAME.shrk`, opened and checked to be of
/// `minor` and undamaged, its bytes, and its expected decoding `NAME.jsonl`.
fn older(name: &str, minor: u16) -> (Vec<u8>, Capture, String) {
    let bytes = std::fs::read(dir().join(format!("{name}.shrk"))).unwrap();
    let want = std::fs::read_to_string(dir().join(format!("{name}.jsonl"))).unwrap();
    let cap = Capture::from_bytes(bytes.clone()).unwrap();
    assert!(cap.damage().is_empty(), "{name}");
    assert_eq!((cap.header().major, cap.header().minor), (1, minor));
    (bytes, cap, want)
}

#[test]
fn a_file_that_mixes_process_kinds_with_the_rest_reads_as_before() {
    // Written before the process kinds got chunks of their own (SPEC.md §8.1),
    // by a 1.1 writer: the 1.2 field `resolved` reads as 0.
    let (_, cap, want) = older("v1.1-mixed-small", 1);
    let (got, resolved) = without_added(&cap.read_all().unwrap(), &[SINCE_1_2, SINCE_1_4].concat());
    assert_eq!(got, want);
    assert!(resolved > 0, "path events carry the 1.2 field");
}

#[test]
fn a_version_1_0_file_reads_with_the_newer_fields_zero() {
    let (_, cap, want) = older("v1.0-small", 0);
    let events = cap.read_all().unwrap();
    assert_eq!(events.len(), want.lines().count());
    let (got, _) = without_added(&events, &[SINCE_1_2, SINCE_1_4].concat());
    let added = ["stdin_type", "stdin_ino", "stdout_type", "stdout_ino"];
    let mut with_added = 0;
    for (got, line) in got.lines().zip(want.lines()) {
        let mut got: serde_json::Value = serde_json::from_str(got).unwrap();
        let m = got.as_object_mut().unwrap();
        for f in added {
            if let Some(v) = m.remove(f) {
                assert_eq!(v, 0, "{f} of a 1.0 event");
                with_added += 1;
            }
        }
        let want: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(got, want);
    }
    assert!(
        with_added >= 12,
        "exec and snapshot events carry the 1.1 fields"
    );
}

#[test]
fn a_version_1_2_sealed_file_reads_and_verifies_but_its_seals_prove_no_end() {
    // Written by a 1.2 writer, sealed with one key throughout and nothing
    // over the footer: integrity holds, but with a trusted key verification
    // refuses to call it authentic (it could be cut at any seal).
    let (bytes, cap, want) = older("v1.2-small", 2);
    let (got, _) = without_added(&cap.read_all().unwrap(), SINCE_1_4);
    assert_eq!(got, want);
    let r = shrike_format::verify(&bytes, None);
    assert!(r.ok() && r.seals > 0 && !r.final_seal, "{r:?}");
    let trusted = SigningKey::from_bytes(&[5; 32]).verifying_key();
    let what = shrike_format::verify(&bytes, Some(&trusted))
        .problem
        .expect("a 1.2 seal proves no end")
        .what;
    assert!(what.contains("format 1.2 seal"), "{what}");
}

#[test]
fn a_version_1_3_file_reads_with_the_1_4_fields_empty() {
    let (_, cap, want) = older("v1.3-small", 3);
    let (got, added) = without_added(&cap.read_all().unwrap(), SINCE_1_4);
    assert_eq!(got, want);
    assert!(added >= 12, "exec and snapshot events carry the 1.4 fields");
}

#[test]
fn a_version_1_5_file_reads_as_1_6_without_dns_or_fd_io_events() {
    // 1.6 added a kind, not a field: a 1.5 file decodes exactly as it did.
    let (_, cap, want) = older("v1.5-small", 5);
    let events = cap.read_all().unwrap();
    assert_eq!(jsonl(&events), want);
    assert!(!events.iter().any(|e| matches!(
        e.body,
        Body::Dns { .. }
            | Body::FdIo { .. }
            | Body::ExeFile { .. }
            | Body::IoUringSetup { .. }
            | Body::IoUring { .. }
    )));
    assert!(
        events
            .iter()
            .any(|e| matches!(e.body, Body::ExeHash { .. }))
    );
}

#[test]
fn a_version_1_4_file_reads_as_1_5_without_exe_hash_events() {
    // 1.5 added a kind, not a field: a 1.4 file decodes exactly as it did.
    let (_, cap, want) = older("v1.4-small", 4);
    let events = cap.read_all().unwrap();
    assert_eq!(jsonl(&events), want);
    assert!(
        !events
            .iter()
            .any(|e| matches!(e.body, Body::ExeHash { .. }))
    );
}
