//! libFuzzer entry point for the `report_status` target; built only by `scripts/fuzz`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tabgit_fuzz::report_status(data));
