//! Falco-dialect rule files: the YAML items (lists, macros, rules, versions),
//! appends and overrides, exceptions, and the condition language. Fields are
//! kept as names here; binding them to captured events is the engine's job.

#![warn(missing_docs)]

pub mod ast;
pub mod condition;
pub mod loader;
pub mod yaml;

pub use loader::{LoadError, Loader, Priority, Rule, RuleSet};
