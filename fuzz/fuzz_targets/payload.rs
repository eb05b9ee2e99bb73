//! An events-chunk header and uncompressed payload, straight to the column decoder.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    shrike_format::fuzzing::decode_chunk_parts(data);
});
