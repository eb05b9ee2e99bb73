//! Falco's three rule files in `../shared/compat/falco`, shared by the
//! rule-lang and analyze tests (included with `#[path]`).

use std::path::PathBuf;

/// The files, in the order Falco loads them.
pub const FALCO_FILES: [&str; 3] = [
    "falco_rules.yaml",
    "falco-incubating_rules.yaml",
    "falco-sandbox_rules.yaml",
];

#[path = "shared.rs"]
mod shared;

/// The directory holding them (see [`shared::shared`]).
pub fn falco_dir() -> Option<PathBuf> {
    shared::shared("compat/falco")
}
