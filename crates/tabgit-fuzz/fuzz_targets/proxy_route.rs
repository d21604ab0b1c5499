//! libFuzzer entry point for the `proxy_route` target; built only by `scripts/fuzz`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tabgit_fuzz::proxy_route(data));
