//! Falco's three rule files in `../shared/compat/falco`, shared by the
//! rule-lang and analyze tests (included with `#[path]`).

use std::path::PathBuf;

/// The files, in the order Falco loads them.
pub const FALCO_FILES: [&str; 3] = [
    "falco_rules.yaml",
    "falco-incubating_rules.yaml",
    "falco-sandbox_rules.yaml",
];

/// The directory holding them; `None` (with a SKIPPED message) when it is
/// missing outside CI. With CI=true a missing directory fails the test.
pub fn falco_dir() -> Option<PathBuf> {
    // Both crates sit one level below the workspace, so this is the same place for each.
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/compat/falco");
    if dir.exists() {
        return Some(dir);
    }
    assert_ne!(
        std::env::var("CI").as_deref(),
        Ok("true"),
        "CI=true but {} is missing",
        dir.display()
    );
    eprintln!("SKIPPED: {} not found", dir.display());
    None
}
