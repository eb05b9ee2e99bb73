//! Offline analysis of shrike captures. Never depends on the recorder: an
//! analyst's machine needs no eBPF.

pub mod chunks;
pub mod compile;
pub mod dns;
pub mod falco_fields;
pub mod fields;
pub mod history;
pub mod output;
pub mod replay;
pub mod report;
pub mod rows;
pub mod scan;
pub mod services;
pub mod summary;
pub mod time;
pub mod timeline;

/// Runs `f` with this thread's reusable buffer for decompressed chunks.
///
/// Rayon calls a `map_init` initialiser once per split of the work, not once
/// per thread, so a buffer made there is often fresh: megabytes of new pages
/// for the kernel to zero per chunk, which cost more than decompressing.
pub fn with_chunk_buf<R>(f: impl FnOnce(&mut Vec<u8>) -> R) -> R {
    thread_local! {
        static BUF: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    BUF.with(|b| f(&mut b.borrow_mut()))
}

/// Entry point shared by the cargo-fuzz target `rules` and its corpus-replay test.
#[doc(hidden)]
pub mod fuzzing {
    /// Takes `data` as a Falco rule file and as a filter, and takes each as far
    /// as it goes: loaded, expanded, compiled into the engine. Errors are
    /// fine; a panic, a stack overflow or an allocation without bound is not.
    pub fn rules_and_filter(data: &[u8]) {
        let text = String::from_utf8_lossy(data);
        let mut loader = shrike_rule_lang::Loader::new();
        if loader.add_str("fuzz.yaml", &text).is_ok()
            && let Ok(set) = loader.finish()
        {
            let _ = crate::scan::Engine::new(&set, shrike_rule_lang::Priority::Debug);
        }
        if let Ok(e) = shrike_rule_lang::condition::parse(&text, &|_| None) {
            let _ = crate::compile::compile(&e);
        }
    }
}
