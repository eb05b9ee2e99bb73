//! `shrike verify`.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use shrike_format::{Capture, Escaped, VerifyReport, verify_watched};

/// Verifies each file, then, when they are segments of one rotated
/// recording, their chain; exit 0 when everything holds, 1 when not.
pub fn run(paths: &[PathBuf], key: Option<&str>, json: bool) -> Result<u8> {
    let key = key.map(crate::keys::read_public).transpose()?;
    let mut code = crate::EXIT_OK;
    let mut passed: Vec<(&Path, VerifyReport, bool)> = Vec::new();
    for path in paths {
        let cap = match Capture::open(path) {
            Ok(c) => c,
            // A file whose header is unreadable fails verification; it is not a usage error.
            Err(shrike_format::Error::Io(e)) => {
                return Err(e).with_context(|| format!("{}", path.display()));
            }
            Err(e) => {
                report_failure(path, json, 0, None, &e.to_string());
                code = crate::EXIT_FAILED;
                continue;
            }
        };
        let bar = crate::cmd::progress(cap.bytes().len() as u64, "bytes", false);
        let r = verify_watched(cap.bytes(), key.as_ref(), &mut |n| bar.inc(n));
        bar.finish_and_clear();
        if json {
            let mut v = serde_json::to_value(&r)?;
            v["file"] = path.display().to_string().into();
            v["ok"] = r.ok().into();
            println!("{v}");
        }
        match &r.problem {
            None => {
                if !json {
                    println!("{}: OK: {}", shown(path), proven(&r, key.is_some()));
                }
                let ring = serde_json::from_str::<serde_json::Value>(&cap.header().config)
                    .is_ok_and(|c| c["max_files"].is_u64());
                passed.push((path, r, ring));
            }
            Some(p) => {
                if !json {
                    report_failure(path, false, p.offset, p.seq, &p.what);
                    println!(
                        "  verified before it: {} frames, {} chunks, {} events",
                        r.frames, r.chunks, r.events
                    );
                }
                code = crate::EXIT_FAILED;
            }
        }
    }
    if let [(_, r, _)] = passed.as_slice()
        && paths.len() == 1
        && let Some(s) = &r.segment
        && !json
    {
        println!(
            "note: this is segment {} of a rotated recording{}; give every segment to check the set",
            s.index,
            if r.continues {
                format!(", which went on in segment {}", s.index + 1)
            } else {
                String::new()
            }
        );
    }
    if code == crate::EXIT_OK && passed.len() > 1 {
        let problems = segment_problems(&passed);
        for p in &problems {
            if json {
                println!("{}", serde_json::json!({ "ok": false, "segments": p }));
            } else {
                println!("segments: FAILED: {p}");
            }
        }
        if problems.is_empty() {
            if !json {
                println!("{}", segments_proven(&passed, key.is_some()));
            }
        } else {
            code = crate::EXIT_FAILED;
        }
    }
    Ok(code)
}

fn shown(path: &Path) -> Escaped<'_> {
    Escaped(path.as_os_str().as_encoded_bytes())
}

/// What a passing verification proves, and what it does not.
fn proven(r: &VerifyReport, keyed: bool) -> String {
    let base = format!(
        "{} chunks, {} events; checksums and hash chain intact, footer valid",
        r.chunks, r.events
    );
    let seals = match (r.seals, r.final_seal, keyed) {
        (0, _, _) => {
            "; not sealed: an edit by someone who recomputes the chain would not show".to_string()
        }
        (n, true, true) => format!(
            "; {n} forward-secure seals from the trusted key (epoch {}), the last over the footer: \
             nothing was cut from the end, added, removed or changed since each seal was made. \
             Not proven: what came after the last seal made before a compromise of the \
             recording host (at most one seal interval) is as it happened",
            r.epoch.unwrap_or(0)
        ),
        (n, true, false) => format!(
            "; {n} seals, consistent among themselves, first signed by {} \
             (give --key to check it is yours)",
            r.seal_keys.join(", ")
        ),
        (n, false, _) => format!(
            "; {n} format-1.2 seals by {} (they do not cover the end of the file: \
             truncation at a seal cannot be ruled out)",
            r.seal_keys.join(", ")
        ),
    };
    base + &seals
}

/// What breaks the chain of segments of the files that passed (each a
/// sentence naming the file and the missing segment).
fn segment_problems(passed: &[(&Path, VerifyReport, bool)]) -> Vec<String> {
    let mut out = Vec::new();
    let mut segs: Vec<(&Path, &VerifyReport, bool)> = Vec::new();
    for (p, r, ring) in passed {
        match r.segment {
            Some(_) => segs.push((p, r, *ring)),
            None => out.push(format!(
                "{} is not a segment of a rotated recording",
                shown(p)
            )),
        }
    }
    segs.sort_by_key(|(_, r, _)| r.segment.as_ref().map_or(0, |s| s.index));
    let Some(&(first, fr, ring)) = segs.first() else {
        return out;
    };
    let first_index = fr.segment.as_ref().map_or(0, |s| s.index);
    if first_index > 0 && !ring {
        let missing = if first_index == 1 {
            "segment 0 is".to_string()
        } else {
            format!("segments 0 to {} are", first_index - 1)
        };
        out.push(format!(
            "{missing} missing (the first given, {}, is segment {first_index})",
            shown(first)
        ));
    }
    for w in segs.windows(2) {
        let ((pa, ra, _), (pb, rb, _)) = (w[0], w[1]);
        let (sa, sb) = (
            ra.segment.as_ref().expect("segments only"),
            rb.segment.as_ref().expect("segments only"),
        );
        if sb.index == sa.index {
            out.push(format!(
                "{} and {} are both segment {}",
                shown(pa),
                shown(pb),
                sa.index
            ));
        } else if sb.index > sa.index + 1 {
            out.push(format!(
                "segment{} {} missing between {} (segment {}) and {} (segment {})",
                if sb.index - sa.index > 2 { "s" } else { "" },
                if sb.index - sa.index > 2 {
                    format!("{} to {} are", sa.index + 1, sb.index - 1)
                } else {
                    format!("{} is", sa.index + 1)
                },
                shown(pa),
                sa.index,
                shown(pb),
                sb.index
            ));
        } else if shrike_format::hex(&sb.previous) != ra.file_id {
            out.push(format!(
                "{} (segment {}) does not follow {}: it names another file as the one before it",
                shown(pb),
                sb.index,
                shown(pa)
            ));
        } else if ra.final_seal && !ra.continues {
            out.push(format!(
                "{} (segment {}) is sealed as the end of its recording, yet {} follows it",
                shown(pa),
                sa.index,
                shown(pb)
            ));
        }
    }
    let &(last, lr, _) = segs.last().expect("not empty");
    if lr.continues {
        out.push(format!(
            "the recording went on after {} (segment {}): segment {} is missing",
            shown(last),
            lr.segment.as_ref().map_or(0, |s| s.index),
            lr.segment.as_ref().map_or(0, |s| s.index) + 1
        ));
    }
    out
}

fn segments_proven(passed: &[(&Path, VerifyReport, bool)], keyed: bool) -> String {
    let sealed = passed.iter().all(|(_, r, _)| r.final_seal);
    let n = passed.len();
    if sealed && keyed {
        format!(
            "segments: OK: {n} segments in order, each naming the one before; the last is sealed \
             as the end of the recording"
        )
    } else {
        format!(
            "segments: OK: {n} segments in order, each naming the one before. Not proven: that \
             no segment followed the last (only sealed files say so; verify them with --key)"
        )
    }
}

fn report_failure(path: &Path, json: bool, offset: u64, seq: Option<u64>, what: &str) {
    if json {
        let v = serde_json::json!({ "file": path.display().to_string(), "ok": false, "problem": { "offset": offset, "seq": seq, "what": what } });
        println!("{v}");
        return;
    }
    let chunk = seq.map_or(String::new(), |s| format!(" (chunk sequence {s})"));
    println!(
        "{}: FAILED at byte offset {offset}{chunk}: {what}",
        shown(path)
    );
}
