//! Falco's own rule files: how many rules shrike can evaluate, and which are
//! skipped for which missing fields.

use shrike_analyze::scan::Engine;
use shrike_rule_lang::{Loader, Priority};

#[path = "../../rule-lang/tests/support/falco_files.rs"]
mod falco_files;
use falco_files::{FALCO_FILES, falco_dir};

#[test]
fn falco_rule_files_compile_and_report_what_they_miss() {
    let Some(dir) = falco_dir() else {
        return;
    };
    let mut l = Loader::new();
    for f in FALCO_FILES {
        l.add_file(&dir.join(f)).unwrap();
    }
    let set = l.finish().unwrap();
    let enabled = set.rules.iter().filter(|r| r.enabled).count();
    let engine = Engine::new(&set, Priority::Debug);
    println!(
        "{} of {enabled} enabled Falco rules are fully evaluable on shrike captures",
        engine.rules.len()
    );
    let mut missing: std::collections::BTreeMap<String, usize> = Default::default();
    for (rule, why) in &engine.skipped {
        println!("  skipped {rule}: {why}");
        *missing.entry(why.clone()).or_default() += 1;
    }
    for (why, n) in &missing {
        println!("  {n:>3} rules: {why}");
    }
    assert_eq!(engine.rules.len() + engine.skipped.len(), enabled);
    // Every skip names a missing field or a bad literal, never a crash.
    assert!(engine.skipped.iter().all(|(_, why)| !why.is_empty()));
    assert!(
        engine.rules.len() >= 55,
        "only {} Falco rules evaluable",
        engine.rules.len()
    );
}
