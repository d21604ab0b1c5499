//! Browser tests inside a dedicated Web Worker, where the engine runs.
#![cfg(target_arch = "wasm32")]
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_dedicated_worker);

mod common;

#[wasm_bindgen_test]
fn runs_in_a_dedicated_worker() {
    assert!(
        js_sys::global()
            .dyn_into::<web_sys::WorkerGlobalScope>()
            .is_ok(),
        "the global scope is a worker's"
    );
}

#[wasm_bindgen_test]
async fn indexeddb_round_trip_in_worker() {
    common::indexeddb_round_trip("tabgit-test-worker").await;
}

#[wasm_bindgen_test]
async fn fetch_info_refs_from_local_git_server_in_worker() {
    common::fetch_info_refs().await;
}

#[wasm_bindgen_test]
async fn a_stalled_body_times_out_in_worker() {
    common::a_stalled_body_times_out().await;
}

#[wasm_bindgen_test]
fn engine_handles_requests_in_worker() {
    common::core_hashes_like_git();
    let reply = tabgit_engine::handle_sync(&tabgit_engine::protocol::Op::Ping);
    assert!(matches!(
        reply,
        Some(Ok(tabgit_engine::protocol::Reply::Pong { .. }))
    ));
}
