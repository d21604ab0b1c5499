//! Browser tests in a page of headless Chromium.
#![cfg(target_arch = "wasm32")]
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

mod common;

#[wasm_bindgen_test]
async fn indexeddb_round_trip_in_page() {
    common::indexeddb_round_trip("tabgit-test-page").await;
}

#[wasm_bindgen_test]
async fn fetch_info_refs_from_local_git_server_in_page() {
    common::fetch_info_refs().await;
}

#[wasm_bindgen_test]
fn core_hashes_in_page() {
    common::core_hashes_like_git();
}

#[wasm_bindgen_test]
async fn a_stalled_body_times_out_in_page() {
    common::a_stalled_body_times_out().await;
}
