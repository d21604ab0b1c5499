//! libFuzzer entry point for the `pack_entry` target; built only by `scripts/fuzz`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tabgit_fuzz::pack_entry(data));
