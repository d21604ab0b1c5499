//! Checks shared by the page and worker browser tests: real IndexedDB, real `fetch` of a real
//! git server, and the git core compiled to wasm.
#![allow(dead_code)] // Each test binary uses a different subset.
use gloo_net::http::Request;
use idb::{DatabaseEvent, Factory, KeyPath, ObjectStoreParams, TransactionMode};
use js_sys::Uint8Array;
use wasm_bindgen::JsValue;

/// The local git server scripts/test starts with `--cors` (compile-time, since wasm tests have
/// no environment at run time).
pub fn git_server() -> &'static str {
    match option_env!("TABGIT_TEST_GITSERVER") {
        Some(url) => url,
        None => panic!("TABGIT_TEST_GITSERVER is not set: run the browser tests through scripts/test, which starts the local git server"),
    }
}

/// Write a record to a fresh IndexedDB database, read it back in another transaction.
pub async fn indexeddb_round_trip(db_name: &str) {
    let factory = Factory::new().expect("indexedDB is available");
    factory
        .delete(db_name)
        .expect("delete request")
        .await
        .expect("old database deleted");
    let mut open = factory.open(db_name, Some(1)).expect("open request");
    open.on_upgrade_needed(|event| {
        let db = event.database().expect("database in upgrade event");
        let mut params = ObjectStoreParams::new();
        params.key_path(None::<KeyPath>);
        db.create_object_store("objects", params)
            .expect("object store created");
    });
    let db = open.await.expect("database opens");
    let payload: Vec<u8> = (0u8..=255).collect();
    let key = JsValue::from_str("ce013625030ba8dba906f756967f9e9ca394464a");
    let tx = db
        .transaction(&["objects"], TransactionMode::ReadWrite)
        .expect("write transaction");
    let store = tx.object_store("objects").expect("store");
    store
        .put(&Uint8Array::from(payload.as_slice()), Some(&key))
        .expect("put request")
        .await
        .expect("put");
    assert!(
        tx.commit()
            .expect("commit request")
            .await
            .expect("commit")
            .is_committed(),
        "transaction committed"
    );
    let tx = db
        .transaction(&["objects"], TransactionMode::ReadOnly)
        .expect("read transaction");
    let store = tx.object_store("objects").expect("store");
    let got: Option<JsValue> = store.get(key).expect("get request").await.expect("get");
    assert_eq!(
        Uint8Array::new(&got.expect("record present")).to_vec(),
        payload,
        "bytes survive IndexedDB"
    );
    tx.await.expect("read transaction ends");
    db.close();
}

/// Fetch the ref advertisement of the demo repository from the local git server (CORS) and
/// check it is git's smart-HTTP answer.
pub async fn fetch_info_refs() {
    let url = format!(
        "{}/demo.git/info/refs?service=git-upload-pack",
        git_server()
    );
    let response = Request::get(&url)
        .send()
        .await
        .expect("the local git server answers");
    assert_eq!(response.status(), 200, "info/refs status");
    assert_eq!(
        response.headers().get("content-type").as_deref(),
        Some("application/x-git-upload-pack-advertisement"),
        "smart HTTP content type"
    );
    let body = response.binary().await.expect("body");
    assert!(
        body.starts_with(b"001e# service=git-upload-pack\n"),
        "first pkt-line names the service"
    );
    assert!(
        body.windows(15).any(|w| w == b"refs/heads/main"),
        "the demo repository advertises main"
    );
}

/// The git core, compiled to wasm, computes git's ids.
pub fn core_hashes_like_git() {
    let id = tabgit_object::compute_id(tabgit_object::Kind::Blob, b"hello\n");
    assert_eq!(id.to_hex(), "ce013625030ba8dba906f756967f9e9ca394464a");
}

/// A server that stops sending mid-body and keeps the connection open: the `fetch` client
/// gives up after its idle timeout with `TimedOut` instead of waiting for ever (N9).
pub async fn a_stalled_body_times_out() {
    use tabgit_transport::{Body as _, HttpClient as _};
    let client = tabgit_transport::fetch::FetchClient::default()
        .idle_timeout(std::time::Duration::from_secs(1));
    let url = format!(
        "{}/_fault/stall=100/demo.git/info/refs?service=git-upload-pack",
        git_server()
    );
    let mut response = client
        .send(tabgit_transport::Request {
            method: tabgit_transport::Method::Get,
            url: tabgit_transport::Url::parse(&url).expect("url"),
            headers: Vec::new(),
            body: None,
        })
        .await
        .expect("the server answers");
    assert_eq!(response.status, 200);
    let mut received = 0;
    let err = loop {
        match response.body.next_chunk().await {
            Ok(Some(chunk)) => received += chunk.len(),
            Ok(None) => panic!("a stalled body never ends ({received} bytes came)"),
            Err(err) => break err,
        }
    };
    assert_eq!(received, 100, "the bytes before the stall arrive");
    assert!(
        matches!(err, tabgit_transport::Error::TimedOut { .. }),
        "the stall is a timeout: {err}"
    );
    assert!(
        err.to_string().contains("stopped sending data (timed out)"),
        "{err}"
    );
}
