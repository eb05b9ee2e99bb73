//! The fixtures in `../shared` beside the workspace (Falco's and SigmaHQ's
//! rule files), found the same way by the tests of every crate (included
//! with `#[path]`).

use std::path::PathBuf;

/// `../shared/REL` beside the workspace; `None` (with a SKIPPED message)
/// when it is missing outside CI. With CI=true a missing fixture fails the test.
pub fn shared(rel: &str) -> Option<PathBuf> {
    // The workspace root is the nearest directory above the crate holding the format's spec.
    let mut root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    while !root.join("format-spec/SPEC.md").exists() && root.pop() {}
    let p = root.join("../shared").join(rel);
    if p.exists() {
        return Some(p);
    }
    assert_ne!(
        std::env::var("CI").as_deref(),
        Ok("true"),
        "CI=true but {} is missing",
        p.display()
    );
    eprintln!("SKIPPED: {} not found", p.display());
    None
}
