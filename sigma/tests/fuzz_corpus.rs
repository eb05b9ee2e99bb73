//! Every input the `sigma` fuzz target kept (fuzz/corpus/sigma), replayed:
//! a crafted rule file may fail to load, never panic.

use shrike_analyze::scan::Engine;
use shrike_rule_lang::{Priority, RuleSet};

#[test]
fn sigma_fuzz_corpus_never_panics() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus/sigma");
    let mut n = 0;
    for e in std::fs::read_dir(&dir).unwrap() {
        let data = std::fs::read(e.unwrap().path()).unwrap();
        n += 1;
        let Ok(text) = std::str::from_utf8(&data) else {
            continue;
        };
        if let Ok(loaded) = shrike_sigma::load("corpus.yml", text) {
            let mut set = RuleSet::default();
            shrike_sigma::add(&mut set, loaded);
            let _ = Engine::new(&set, Priority::Debug);
        }
    }
    assert!(
        n >= 100,
        "the corpus in {} holds only {n} inputs",
        dir.display()
    );
}
