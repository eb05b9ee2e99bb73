//! Replays the cargo-fuzz corpus (fuzz/corpus/reader) as an ordinary test,
//! so every input the fuzzer ever kept is checked on every run.

use std::path::Path;

#[test]
fn fuzz_corpus_never_panics() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus/reader");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        let data = std::fs::read(&path).unwrap();
        shrike_format::fuzzing::read_everything(&data);
        n += 1;
    }
    assert!(
        n >= 10,
        "the corpus in {} holds only {n} inputs",
        dir.display()
    );
}
