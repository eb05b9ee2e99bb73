//! The dataset's layout on disk: partitions by host and day that a crafted
//! hostname cannot leave, and exports that replace instead of duplicating.

use std::path::{Path, PathBuf};

use shrike_format::{Capture, Writer, WriterOptions};

fn capture(seed: u64, events: u64, hostname: &str) -> Vec<u8> {
    let mut h = shrike_synth::header(seed);
    h.hostname = hostname.into();
    let mut w = Writer::new(
        Vec::new(),
        &h,
        WriterOptions {
            chunk_events: 2000,
            ..WriterOptions::default()
        },
    )
    .unwrap();
    for e in shrike_synth::Generator::new(seed, events) {
        w.append(&e).unwrap();
    }
    w.finish().unwrap().0
}

/// Every file under `dir`, relative to it.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            if e.file_type().unwrap().is_dir() {
                stack.push(e.path());
            } else {
                out.push(e.path().strip_prefix(dir).unwrap().to_path_buf());
            }
        }
    }
    out.sort();
    out
}

/// Rows of `table` in the dataset, from the files' own footers.
fn rows(dir: &Path, table: &str) -> i64 {
    use parquet::file::reader::{FileReader, SerializedFileReader};
    files(dir)
        .iter()
        .filter(|f| f.starts_with(table))
        .map(|f| {
            let r = SerializedFileReader::new(std::fs::File::open(dir.join(f)).unwrap()).unwrap();
            r.metadata().file_metadata().num_rows()
        })
        .sum()
}

fn export(dir: &Path, names: &[&str], caps: &[Capture]) -> shrike_export_parquet::ParquetSummary {
    let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    shrike_export_parquet::export(dir, &names, caps, &[], &|_| {}).unwrap()
}

#[test]
fn hosts_get_partitions_a_crafted_hostname_cannot_leave() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("ds");
    let caps = [
        Capture::from_bytes(capture(1, 5_000, "web-01")).unwrap(),
        Capture::from_bytes(capture(2, 5_000, "../../escaped/host=x")).unwrap(),
    ];
    let s = export(&dir, &["a.shrk", "b.shrk"], &caps);
    assert!(s.files >= 10, "{s:?}");
    // Nothing outside the dataset, and every file in a table's host= and day= partition.
    assert_eq!(
        std::fs::read_dir(root.path()).unwrap().count(),
        1,
        "a file was written beside the dataset"
    );
    for f in files(&dir) {
        let parts: Vec<String> = f.iter().map(|p| p.to_string_lossy().into_owned()).collect();
        assert_eq!(parts.len(), 4, "{f:?}");
        assert!(
            shrike_export_parquet::table_names().any(|t| t == parts[0]),
            "{f:?}"
        );
        assert!(
            parts[1] == "host=web-01" || parts[1] == "host=%2E.%2F..%2Fescaped%2Fhost%3Dx",
            "{f:?}"
        );
        assert!(parts[2].starts_with("day=2026-"), "{f:?}");
        assert!(parts[3].ends_with(".parquet"), "{f:?}");
    }
    let events = rows(&dir, "process_activity")
        + rows(&dir, "file_activity")
        + rows(&dir, "network_activity")
        + rows(&dir, "kernel_activity");
    // Snapshots, forks, and the recorder's notes are not activity rows.
    assert!(events > 8_000 && events <= 10_000, "{events}");
    assert_eq!(rows(&dir, "captures"), 2);
}

#[test]
fn exporting_again_replaces_and_a_grown_capture_is_written_whole() {
    let root = tempfile::tempdir().unwrap();
    let full = capture(3, 20_000, "db-01");
    let whole = Capture::from_bytes(full.clone()).unwrap();
    // What a reader saw while the recording ran: the first chunks, no footer.
    let cut = whole.chunks()[3].offset as usize;
    let partial = Capture::from_bytes(full[..cut].to_vec()).unwrap();
    let grown = root.path().join("grown");
    export(&grown, &["live.shrk"], &[partial]);
    let before = rows(&grown, "file_activity");
    let s = export(&grown, &["live.shrk"], &[whole]);
    assert_eq!(s.replaced, ["live.shrk"]);
    let fresh = root.path().join("fresh");
    export(
        &fresh,
        &["live.shrk"],
        &[Capture::from_bytes(full.clone()).unwrap()],
    );
    for t in shrike_export_parquet::table_names() {
        assert_eq!(rows(&grown, t), rows(&fresh, t), "{t}");
    }
    assert!(rows(&grown, "file_activity") > before);
    // The same capture once more: the same files, no row twice.
    export(
        &grown,
        &["live.shrk"],
        &[Capture::from_bytes(full).unwrap()],
    );
    assert_eq!(files(&grown), files(&fresh));
    for t in shrike_export_parquet::table_names() {
        assert_eq!(rows(&grown, t), rows(&fresh, t), "{t}");
    }
}
