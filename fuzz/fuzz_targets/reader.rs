//! Any bytes given to the reader and verifier: errors are fine, panics are not.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    shrike_format::fuzzing::read_everything(data);
});
