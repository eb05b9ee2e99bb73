//! Damaged and tampered files: truncation at every byte, every single-bit
//! flip, and chunks deleted, duplicated, reordered or spliced in.

mod common;

use common::*;
use shrike_format::{Capture, Damage, SigningKey, verify};

/// Events chunks whose frames end at or before `cut`, in order, with their events.
fn complete_before(file: &[u8], cut: usize) -> (Vec<u64>, u64) {
    let full = Capture::from_bytes(file.to_vec()).unwrap();
    let mut offsets = Vec::new();
    let mut events = 0;
    for c in full.chunks() {
        if (c.offset + u64::from(c.frame_len)) as usize <= cut {
            offsets.push(c.offset);
            events += u64::from(c.header.stats.events);
        }
    }
    (offsets, events)
}

#[test]
fn truncation_at_every_byte_keeps_exactly_the_complete_chunks() {
    let file = small_capture(11, 120, 16, None);
    let hlen = header_len(&file);
    let full_events = Capture::from_bytes(file.clone())
        .unwrap()
        .read_all()
        .unwrap();
    for cut in 0..file.len() {
        let part = file[..cut].to_vec();
        let cap = match Capture::from_bytes(part) {
            Ok(c) => c,
            Err(e) => {
                assert!(
                    cut < hlen,
                    "cut at {cut} (header is {hlen} bytes) failed to open: {e}"
                );
                continue;
            }
        };
        let (want_offsets, want_events) = complete_before(&file, cut);
        let got: Vec<u64> = cap.chunks().iter().map(|c| c.offset).collect();
        assert_eq!(got, want_offsets, "cut at {cut}");
        let events = cap.read_all().unwrap();
        assert_eq!(events.len() as u64, want_events, "cut at {cut}");
        assert_eq!(events[..], full_events[..events.len()], "cut at {cut}");
        assert!(
            matches!(cap.damage().first(), Some(Damage::NoFooter { .. })),
            "cut at {cut}: the missing end is reported: {:?}",
            cap.damage()
        );
        let frame_boundary = frames(&file).iter().any(|&(o, l, _)| o + l == cut) || cut == hlen;
        if !frame_boundary {
            assert!(
                cap.damage()
                    .iter()
                    .any(|d| matches!(d, Damage::Region { .. })),
                "cut at {cut}: the partial frame is reported: {:?}",
                cap.damage()
            );
        }
        assert!(
            !verify(&file[..cut], None).ok(),
            "verify accepts a file cut at {cut}"
        );
    }
    assert!(
        Capture::from_bytes(file.clone())
            .unwrap()
            .damage()
            .is_empty()
    );
}

#[test]
fn every_single_bit_flip_is_detected_by_verify() {
    let key = SigningKey::from_bytes(&[7; 32]);
    let file = small_capture(12, 40, 16, Some(&key));
    let report = verify(&file, Some(&key.verifying_key()));
    assert!(report.ok(), "{report:?}");
    assert!(report.seals >= 2, "{report:?}");
    for byte in 0..file.len() {
        for bit in 0..8 {
            let mut f = file.clone();
            f[byte] ^= 1 << bit;
            let r = verify(&f, None);
            assert!(!r.ok(), "flip of bit {bit} of byte {byte} passed verify");
            // Reading never panics either.
            if let Ok(cap) = Capture::from_bytes(f) {
                for i in 0..cap.chunks().len() {
                    if let Ok(p) = cap.payload(i)
                        && let Ok(evs) = p.events()
                    {
                        evs.for_each(drop);
                    }
                }
            }
        }
    }
}

#[test]
fn damage_in_the_middle_keeps_chunks_on_both_sides() {
    let file = small_capture(13, 200, 16, None);
    let fr = frames(&file);
    let events_frames: Vec<_> = fr.iter().filter(|f| f.2 == 1).collect();
    let victim = events_frames[3];
    let mut f = file.clone();
    f[victim.0 + 70] ^= 0x10;
    let cap = Capture::from_bytes(f).unwrap();
    // The footer still names every chunk; the damaged one fails its CRC when read.
    assert_eq!(cap.chunks().len(), events_frames.len());
    let bad: Vec<usize> = (0..cap.chunks().len())
        .filter(|&i| cap.payload(i).is_err())
        .collect();
    assert_eq!(bad, vec![3]);

    // Without the footer (and with a partial frame at the end), the recovery
    // scan steps over the damaged frame, whose two length copies still agree.
    let mut f = file[..file.len() - 40].to_vec();
    f[victim.0 + 70] ^= 0x10;
    let cap = Capture::from_bytes(f).unwrap();
    let got: Vec<u64> = cap.chunks().iter().map(|c| c.offset).collect();
    let want: Vec<u64> = events_frames
        .iter()
        .filter(|e| e.0 != victim.0)
        .map(|e| e.0 as u64)
        .collect();
    assert_eq!(got, want);
    assert!(
        cap.damage()
            .iter()
            .any(|d| matches!(d, Damage::Region { offset, .. } if *offset == victim.0 as u64)),
        "{:?}",
        cap.damage()
    );
    assert!(
        cap.damage()
            .iter()
            .any(|d| matches!(d, Damage::SeqGap { .. })),
        "{:?}",
        cap.damage()
    );

    // With the framing itself destroyed, the backward scan from the end
    // (the file ends on a frame boundary, as after a kill) finds the chunks after it.
    let footer = fr.last().unwrap();
    let mut f = file[..footer.0].to_vec();
    f[victim.0 + 4] ^= 0x40; // leading length
    let cap = Capture::from_bytes(f).unwrap();
    let got: Vec<u64> = cap.chunks().iter().map(|c| c.offset).collect();
    assert_eq!(got, want);
    assert!(cap.damage().iter().any(|d| matches!(d, Damage::Region { offset, len, .. } if *offset == victim.0 as u64 && *len == victim.1 as u64)), "{:?}", cap.damage());
}

fn edited(file: &[u8], edit: impl Fn(&mut Vec<Vec<u8>>)) -> Vec<u8> {
    let hlen = header_len(file);
    let mut frames = frame_bytes(file);
    let trailer = file[file.len() - 16..].to_vec();
    edit(&mut frames);
    let mut out = file[..hlen].to_vec();
    frames.iter().for_each(|f| out.extend_from_slice(f));
    out.extend_from_slice(&trailer);
    out
}

fn events_positions(file: &[u8]) -> Vec<usize> {
    frames(file)
        .iter()
        .enumerate()
        .filter(|(_, f)| f.2 == 1)
        .map(|(i, _)| i)
        .collect()
}

#[test]
fn deleted_duplicated_reordered_and_spliced_chunks_are_detected() {
    let file = small_capture(14, 100, 16, None);
    assert!(verify(&file, None).ok());
    let ev = events_positions(&file);
    let cases: Vec<(&str, Vec<u8>)> = vec![
        (
            "delete",
            edited(&file, |f| {
                f.remove(ev[1]);
            }),
        ),
        (
            "duplicate",
            edited(&file, |f| {
                let c = f[ev[1]].clone();
                f.insert(ev[1] + 1, c);
            }),
        ),
        ("reorder", edited(&file, |f| f.swap(ev[0], ev[1]))),
        ("splice", {
            let other = small_capture(15, 100, 16, None);
            let theirs = frame_bytes(&other)[ev[2]].clone();
            let at = ev[2];
            edited(&file, move |f| f[at] = theirs.clone())
        }),
        ("delete last chunk and footer", {
            let fr = frames(&file);
            let last = fr[ev[ev.len() - 1]];
            file[..last.0].to_vec()
        }),
    ];
    for (name, f) in cases {
        let r = verify(&f, None);
        assert!(!r.ok(), "{name}: verify passed");
        let p = r.problem.unwrap();
        assert!(!p.what.is_empty(), "{name}");
    }
}

#[test]
fn only_seals_catch_an_attacker_who_rebuilds_the_chain() {
    let key = SigningKey::from_bytes(&[9; 32]);
    let file = small_capture(16, 100, 16, Some(&key));
    let trusted = key.verifying_key();
    assert!(verify(&file, Some(&trusted)).ok());
    let hlen = header_len(&file);
    let mut frames = frame_bytes(&file);
    let ev = events_positions(&file);
    // Drop one chunk, strip every seal, and rebuild the footer so it matches.
    frames.remove(ev[1]);
    frames.retain(|f| le32(f) != 5);
    let forged = rechain(&file[..hlen], &frames);
    let forged = refooter(&forged);
    // Index chunks still name the deleted chunk, so even unsealed verification
    // notices unless the attacker also rewrites them; drop them too.
    let hlen2 = header_len(&forged);
    let mut fr = frame_bytes(&forged);
    fr.retain(|f| le32(f) != 2);
    let forged = refooter(&rechain(&forged[..hlen2], &fr));
    let r = verify(&forged, None);
    assert!(
        r.ok(),
        "a consistent rebuilt chain passes without a key: {r:?}"
    );
    let r = verify(&forged, Some(&trusted));
    assert!(
        !r.ok(),
        "with the trusted key, the unsealed chunks are caught"
    );
    let what = r.problem.unwrap().what;
    assert!(what.contains("the first frame is not a seal"), "{what}");

    // A forger who rewrites the whole file and seals it with their own key
    // is caught too.
    let cap = Capture::from_bytes(forged).unwrap();
    let theirs = SigningKey::from_bytes(&[10; 32]);
    let opts = shrike_format::WriterOptions {
        seal_key: Some(shrike_format::seal::EpochKey::first(theirs)),
        ..Default::default()
    };
    let mut w = shrike_format::Writer::new(Vec::new(), cap.header(), opts).unwrap();
    for e in cap.read_all().unwrap() {
        w.append(&e).unwrap();
    }
    let resealed = w.finish().unwrap().0;
    assert!(verify(&resealed, None).ok());
    let what = verify(&resealed, Some(&trusted)).problem.unwrap().what;
    assert!(
        what.contains("not by the key the trusted key certifies"),
        "{what}"
    );
}

/// Rebuilds the footer to index the events chunks of `file` (SPEC §6.2).
fn refooter(file: &[u8]) -> Vec<u8> {
    let hlen = header_len(file);
    let cap = Capture::from_bytes(file.to_vec()).unwrap();
    let mut fr = frame_bytes(file);
    fr.pop(); // old footer
    let mut entries = Vec::new();
    let mut off = hlen;
    let mut events = 0u64;
    let mut lost = 0u64;
    for f in &fr {
        if le32(f) == 1 {
            let c = cap
                .chunks()
                .iter()
                .find(|c| c.seq == le64(&f[8..]))
                .unwrap();
            let s = &c.header.stats;
            entries.extend_from_slice(&(off as u64).to_le_bytes());
            entries.extend_from_slice(&(f.len() as u32).to_le_bytes());
            entries.extend_from_slice(&s.events.to_le_bytes());
            entries.extend_from_slice(&c.seq.to_le_bytes());
            entries.extend_from_slice(&s.min_ts.to_le_bytes());
            entries.extend_from_slice(&s.max_ts.to_le_bytes());
            entries.extend_from_slice(&s.min_pid.to_le_bytes());
            entries.extend_from_slice(&s.max_pid.to_le_bytes());
            entries.extend_from_slice(&c.kinds().to_le_bytes());
            events += u64::from(s.events);
            lost += c.header.lost;
        }
        off += f.len();
    }
    let mut h = ((entries.len() / 64) as u32).to_le_bytes().to_vec();
    h.extend_from_slice(&[0; 4]);
    h.extend_from_slice(&events.to_le_bytes());
    h.extend_from_slice(&lost.to_le_bytes());
    fr.push(frame(4, 0, &[0; 32], &h, &entries));
    rechain(&file[..hlen], &fr)
}
