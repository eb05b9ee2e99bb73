//! Hostile inputs with valid checksums: malformed headers, chunk headers and
//! payloads give errors, never panics or unbounded allocations.

mod common;

use common::*;
use shrike_format::{Capture, Error, fuzzing::read_everything, verify};

fn base() -> Vec<u8> {
    small_capture(21, 30, 16, None)
}

fn with_header_edit(edit: impl Fn(&mut Vec<u8>)) -> Vec<u8> {
    let mut f = base();
    edit(&mut f);
    fix_header_crc(&mut f);
    f
}

#[test]
fn malformed_headers_are_errors() {
    let open = |f: Vec<u8>| {
        Capture::from_bytes(f)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default()
    };
    assert!(matches!(
        Capture::from_bytes(b"hello world, not a capture".to_vec()),
        Err(Error::NotACapture)
    ));
    let mut crlf = base();
    crlf.remove(5); // a CR lost in transfer
    assert!(matches!(Capture::from_bytes(crlf), Err(Error::NotACapture)));
    let mut f = base();
    f[20] ^= 1;
    assert!(open(f).contains("checksum mismatch"));
    assert!(matches!(
        Capture::from_bytes(with_header_edit(|f| f[8] = 2)),
        Err(Error::Version { major: 2, .. })
    ));
    assert!(matches!(
        Capture::from_bytes(with_header_edit(|f| f[24] = 1)),
        Err(Error::IncompatFlags(1))
    ));
    // Unknown compatible flags are ignored.
    assert!(Capture::from_bytes(with_header_edit(|f| f[16] = 0x80)).is_ok());
    let mut f = base();
    f[12..16].copy_from_slice(&u32::MAX.to_le_bytes());
    assert!(open(f).contains("header length"));
    let mut f = base();
    f[12..16].copy_from_slice(&10u32.to_le_bytes());
    assert!(open(f).contains("header length"));
    // A field whose length runs past the header.
    let f = with_header_edit(|f| f[66..70].copy_from_slice(&1_000_000u32.to_le_bytes()));
    assert!(
        open(f).contains("runs past the header"),
        "{}",
        open(with_header_edit(
            |f| f[66..70].copy_from_slice(&1_000_000u32.to_le_bytes())
        ))
    );
    for n in 0..80 {
        let _ = Capture::from_bytes(base()[..n].to_vec());
    }
}

/// A file with the base header and `frames` (re-chained), no footer.
fn file_with(frames: Vec<Vec<u8>>) -> Vec<u8> {
    let b = base();
    rechain(&b[..header_len(&b)], &frames)
}

fn events_header(events: u32, uncompressed: u32, compression: u8, kinds: &[(u16, u32)]) -> Vec<u8> {
    let mut h = Vec::new();
    h.extend_from_slice(&100u64.to_le_bytes());
    h.extend_from_slice(&200u64.to_le_bytes());
    h.extend_from_slice(&events.to_le_bytes());
    h.extend_from_slice(&1u32.to_le_bytes());
    h.extend_from_slice(&9u32.to_le_bytes());
    h.extend_from_slice(&uncompressed.to_le_bytes());
    h.extend_from_slice(&0u64.to_le_bytes());
    h.push(compression);
    h.extend_from_slice(&[0; 3]);
    h.extend_from_slice(&(kinds.len() as u32).to_le_bytes());
    for &(k, n) in kinds {
        h.extend_from_slice(&k.to_le_bytes());
        h.extend_from_slice(&[0; 2]);
        h.extend_from_slice(&n.to_le_bytes());
    }
    h
}

fn uleb(mut v: u64, out: &mut Vec<u8>) {
    while v >= 0x80 {
        out.push(v as u8 | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// A payload (SPEC §4.1) from a schema and columns.
fn payload(schema: &[(u64, &[u8])], columns: &[Vec<u8>]) -> Vec<u8> {
    let mut p = Vec::new();
    uleb(schema.len() as u64, &mut p);
    for (id, types) in schema {
        uleb(*id, &mut p);
        uleb(types.len() as u64, &mut p);
        p.extend_from_slice(types);
    }
    uleb(columns.len() as u64, &mut p);
    for c in columns {
        uleb(c.len() as u64, &mut p);
    }
    columns.iter().for_each(|c| p.extend_from_slice(c));
    p
}

/// Columns for one `setsid` event (kind 26, one int field) with the given dictionary and field column.
fn setsid_columns(dict: Vec<u8>, res: Vec<u8>) -> Vec<Vec<u8>> {
    let mut cols = vec![
        vec![26],
        vec![100],
        vec![0],
        vec![5],
        vec![0],
        vec![0],
        vec![0],
        vec![0],
        vec![0],
        vec![0],
        vec![0],
    ];
    cols.push(dict);
    cols.push(res);
    cols
}

fn first_chunk_error(file: Vec<u8>) -> String {
    read_everything(&file);
    assert!(!verify(&file, None).ok());
    let cap = Capture::from_bytes(file).unwrap();
    // A chunk header that cannot be used is reported as damage when the file is opened.
    if let Some(shrike_format::Damage::BadChunk { what, .. }) = cap.damage().get(1) {
        assert!(cap.chunks().is_empty());
        return what.clone();
    }
    assert_eq!(cap.chunks().len(), 1, "{:?}", cap.damage());
    match cap.payload(0) {
        Err(e) => e.to_string(),
        Ok(p) => match p.events() {
            Err(e) => e.to_string(),
            Ok(mut it) => match it.find_map(Result::err) {
                Some(e) => e.to_string(),
                None => "no error".into(),
            },
        },
    }
}

#[test]
fn a_well_formed_hand_built_chunk_decodes() {
    let good = payload(
        &[(26, &[1])],
        &setsid_columns(vec![1, 4, b'b', b'a', b's', b'h'], vec![3]),
    );
    let f = file_with(vec![frame(
        1,
        0,
        &[0; 32],
        &events_header(1, good.len() as u32, 0, &[(26, 1)]),
        &good,
    )]);
    let cap = Capture::from_bytes(f).unwrap();
    let evs = cap.read_all().unwrap();
    assert_eq!(evs.len(), 1);
    assert_eq!(evs[0].comm, b"bash");
    assert_eq!(evs[0].ts, 50, "ts is zigzag: 100 encodes +50");
    assert_eq!(evs[0].body, shrike_format::Body::Setsid { res: -2 });
}

#[test]
fn malformed_chunks_are_errors() {
    let good_dict = vec![1, 4, b'b', b'a', b's', b'h'];
    let p = |cols: Vec<Vec<u8>>| payload(&[(26, &[1])], &cols);
    let chunk = |h: Vec<u8>, body: Vec<u8>| file_with(vec![frame(1, 0, &[0; 32], &h, &body)]);
    let ok_body = p(setsid_columns(good_dict.clone(), vec![3]));
    let n = ok_body.len() as u32;

    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "unknown compression",
            chunk(events_header(1, n, 9, &[(26, 1)]), ok_body.clone()),
            "compression",
        ),
        (
            "size mismatch",
            chunk(events_header(1, n + 1, 0, &[(26, 1)]), ok_body.clone()),
            "header says",
        ),
        (
            "too many events",
            chunk(
                events_header(1 << 30, n, 0, &[(26, 1 << 30)]),
                ok_body.clone(),
            ),
            "limit",
        ),
        (
            "dictionary index",
            chunk(
                events_header(1, n, 0, &[(26, 1)]),
                p({
                    let mut c = setsid_columns(good_dict.clone(), vec![3]);
                    c[5] = vec![7];
                    c
                }),
            ),
            "outside the dictionary",
        ),
        (
            "dictionary lengths",
            chunk(
                events_header(1, n, 0, &[(26, 1)]),
                p(setsid_columns(vec![1, 9, b'b', b'a', b's', b'h'], vec![3])),
            ),
            "dictionary",
        ),
        (
            "column ends early",
            chunk(
                events_header(1, n - 1, 0, &[(26, 1)]),
                p(setsid_columns(good_dict.clone(), vec![])),
            ),
            "ends",
        ),
        (
            "trailing bytes",
            chunk(
                events_header(1, n + 1, 0, &[(26, 1)]),
                p(setsid_columns(good_dict.clone(), vec![3, 3])),
            ),
            "left after",
        ),
        (
            "schema type",
            chunk(
                events_header(1, n, 0, &[(26, 1)]),
                payload(&[(26, &[3])], &setsid_columns(good_dict.clone(), vec![3])),
            ),
            "type code",
        ),
        (
            "header kind mismatch",
            chunk(events_header(1, n, 0, &[(25, 1)]), ok_body.clone()),
            "disagree",
        ),
        (
            "kind counts",
            chunk(events_header(2, n, 0, &[(26, 1)]), ok_body.clone()),
            "add up",
        ),
        (
            "huge list",
            {
                // execve's argv (field 4, strs) claiming 2^40 strings.
                let mut cols = setsid_columns(good_dict.clone(), vec![]);
                cols[0] = vec![1];
                cols.pop();
                let mut argv = Vec::new();
                uleb(1 << 40, &mut argv);
                let fields: Vec<Vec<u8>> = vec![vec![0], vec![0], vec![0], argv];
                cols.extend(fields);
                let body = payload(&[(1, &[1, 3, 3, 4])], &cols);
                chunk(events_header(1, body.len() as u32, 0, &[(1, 1)]), body)
            },
            "too long",
        ),
    ];
    for (name, file, want) in cases {
        let err = first_chunk_error(file);
        assert!(
            err.contains(want),
            "{name}: got {err:?}, expected it to mention {want:?}"
        );
    }
}

#[test]
fn decompression_bombs_fail_within_the_declared_size() {
    let bomb = zstd::bulk::compress(&vec![0u8; 32 << 20], 19).unwrap();
    assert!(bomb.len() < 8 << 10);
    let f = file_with(vec![frame(
        1,
        0,
        &[0; 32],
        &events_header(1, 1000, 1, &[(26, 1)]),
        &bomb,
    )]);
    assert!(first_chunk_error(f).contains("does not decompress within 1000 bytes"));
    // Declaring more than the payload limit is refused before decompressing.
    let f = file_with(vec![frame(
        1,
        0,
        &[0; 32],
        &events_header(1, u32::MAX, 1, &[(26, 1)]),
        &bomb,
    )]);
    assert!(first_chunk_error(f).contains("exceeds"));
}

#[test]
fn frames_with_bad_lengths_are_damage_not_panics() {
    let b = base();
    let fr = frames(&b);
    for (off, _, _) in fr.iter().take(3) {
        for field in [4usize, 48, 52] {
            for v in [0u32, 1, 63, 64, u32::MAX, 1 << 26, (1 << 26) + 1] {
                let mut f = b.clone();
                f[off + field..off + field + 4].copy_from_slice(&v.to_le_bytes());
                if f == b {
                    continue; // the field already held this value
                }
                read_everything(&f);
                assert!(
                    !verify(&f, None).ok(),
                    "frame at {off}, field {field} = {v}"
                );
            }
        }
    }
}
