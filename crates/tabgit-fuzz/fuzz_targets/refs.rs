//! libFuzzer entry point for the `refs` target; built only by `scripts/fuzz`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tabgit_fuzz::refs(data));
