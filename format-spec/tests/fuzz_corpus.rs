//! Replays the cargo-fuzz corpora (fuzz/corpus/*) as ordinary tests,
//! so every input the fuzzer ever kept is checked on every run.

use std::path::Path;

fn replay(target: &str, run: fn(&[u8])) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/corpus")
        .join(target);
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        let data = std::fs::read(&path).unwrap();
        run(&data);
        n += 1;
    }
    assert!(
        n >= 10,
        "the corpus in {} holds only {n} inputs",
        dir.display()
    );
}

#[test]
fn reader_corpus_never_panics() {
    replay("reader", shrike_format::fuzzing::read_everything);
}

#[test]
fn payload_corpus_never_panics() {
    replay("payload", shrike_format::fuzzing::decode_chunk_parts);
}
