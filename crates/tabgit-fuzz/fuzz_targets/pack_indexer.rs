//! libFuzzer entry point for the `pack_indexer` target; built only by `scripts/fuzz`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tabgit_fuzz::pack_indexer(data));
