//! SPEC.md is normative: its kind table must list exactly the kinds, ids,
//! classes, fields and types the code writes, and its limits the code's.

use shrike_format::{Kind, limits};

fn spec() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/SPEC.md")).unwrap()
}

#[test]
fn kind_table_matches_the_code() {
    let spec = spec();
    let rows: Vec<Vec<String>> = spec
        .lines()
        .filter(|l| {
            l.starts_with("| ")
                && l.contains("` |")
                && l[2..].starts_with(|c: char| c.is_ascii_digit())
        })
        .filter(|l| {
            l.split('|').nth(3).is_some_and(|c| {
                [
                    "process", "file", "fd", "network", "kernel", "snapshot", "meta",
                ]
                .contains(&c.trim())
            })
        })
        .map(|l| l.split('|').map(|c| c.trim().to_string()).collect())
        .collect();
    assert_eq!(
        rows.len(),
        Kind::ALL.len(),
        "SPEC.md lists {} kinds, the code {}",
        rows.len(),
        Kind::ALL.len()
    );
    for (row, kind) in rows.iter().zip(Kind::ALL) {
        let id: u16 = row[1].parse().unwrap();
        assert_eq!(id, kind.id(), "{row:?}");
        assert_eq!(row[2], format!("`{}`", kind.name()), "{row:?}");
        assert_eq!(row[3], kind.class().name(), "{row:?}");
        let fields: Vec<String> = kind
            .fields()
            .iter()
            .map(|f| format!("`{}:{}`", f.name, f.ty.name()))
            .collect();
        assert_eq!(row[4], fields.join(" "), "fields of {}", kind.name());
    }
}

#[test]
fn limits_match_the_code() {
    let spec = spec();
    let has = |row: &str| assert!(spec.contains(row), "SPEC.md lacks the row {row:?}");
    let mib = |n: u32| format!("{} MiB", n >> 20);
    has(&format!("| header_len | {} |", mib(limits::MAX_HEADER_LEN)));
    has(&format!("| frame_len | {} |", mib(limits::MAX_FRAME_LEN)));
    has(&format!(
        "| uncompressed payload | {} |",
        mib(limits::MAX_PAYLOAD_LEN)
    ));
    let grouped = |n: u64| {
        let s = n.to_string();
        let mut out = String::new();
        for (i, c) in s.chars().enumerate() {
            if i > 0 && (s.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(c);
        }
        out
    };
    has(&format!(
        "| events per chunk | {} |",
        grouped(limits::MAX_EVENTS_PER_CHUNK.into())
    ));
    has(&format!(
        "| dictionary strings per chunk | {} |",
        grouped(limits::MAX_DICT_ENTRIES)
    ));
    has(&format!(
        "| strings in one `strs` value | {} |",
        grouped(limits::MAX_LIST_LEN)
    ));
}

#[test]
fn the_process_kinds_are_the_ones_the_spec_lists() {
    let spec = spec();
    let start = spec
        .find("**process kinds** (")
        .expect("§8.1 names the process kinds")
        + 19;
    let list = &spec[start..start + spec[start..].find(':').unwrap()];
    let named: Vec<&str> = list.split('`').skip(1).step_by(2).collect();
    let code: Vec<&str> = shrike_format::PROCESS_KINDS
        .iter()
        .map(|k| k.name())
        .collect();
    assert_eq!(named, code);
}
