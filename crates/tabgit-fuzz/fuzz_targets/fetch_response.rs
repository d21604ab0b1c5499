//! libFuzzer entry point for the `fetch_response` target; built only by `scripts/fuzz`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tabgit_fuzz::fetch_response(data));
