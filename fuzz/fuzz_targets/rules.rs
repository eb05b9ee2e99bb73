//! Any bytes as a Falco rule file and as a filter: errors are fine, panics
//! (a stack overflow from nesting, an allocation without bound) are not.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    shrike_analyze::fuzzing::rules_and_filter(data);
});
