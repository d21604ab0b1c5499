//! The IndexedDB backend in headless Chromium (in a dedicated worker, where the engine runs):
//! the same file contract as the memory and disk backends, persistence across reopening, packs
//! in chunks loaded on demand, and a failed persist leaving storage as it was.
#![cfg(target_arch = "wasm32")]
use tabgit_object::{Find, Kind};
use tabgit_pack::bundle::ReadError;
use tabgit_store::files::{GitFiles, Transaction};
use tabgit_store::idb::{Database, IdbFiles};
use tabgit_store::odb::Odb;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_dedicated_worker);

const PACK: &[u8] = include_bytes!("../../../tests/fixtures/core/demo.pack");
const IDX: &[u8] = include_bytes!("../../../tests/fixtures/core/demo.idx");

async fn fresh(name: &str) -> (Database, IdbFiles) {
    Database::delete(name).await.expect("old database deleted");
    let db = Database::open(name).await.expect("database opens");
    let files = db.load().await.expect("an empty repository loads");
    (db, files)
}

#[wasm_bindgen_test]
async fn files_survive_reopening() {
    let (db, files) = fresh("store-files").await;
    files
        .write("HEAD", b"ref: refs/heads/main\n")
        .expect("write");
    let mut tx = Transaction::default();
    tx.write(
        "refs/heads/main",
        b"1111111111111111111111111111111111111111\n".to_vec(),
    )
    .write("config", b"[core]\n".to_vec());
    files.commit(tx).expect("commit");
    assert!(files.is_dirty());
    db.persist(&files, None).await.expect("persisted");
    drop(db);
    let db = Database::open("store-files").await.expect("reopens");
    let again = db.load().await.expect("loads");
    assert_eq!(
        again.read("HEAD").expect("read").as_deref(),
        Some(&b"ref: refs/heads/main\n"[..])
    );
    assert_eq!(
        again.list("refs/heads").expect("list"),
        vec!["main".to_owned()]
    );
    again.remove("config").expect("remove");
    db.persist(&again, None).await.expect("persisted");
    let third = db.load().await.expect("loads");
    assert!(
        !third.exists("config").expect("exists"),
        "a removal is persisted"
    );
    assert!(Database::list()
        .await
        .expect("list")
        .contains(&"store-files".to_owned()));
    drop(db);
    Database::delete("store-files").await.expect("deleted");
    assert!(
        !Database::list()
            .await
            .expect("list")
            .contains(&"store-files".to_owned()),
        "a deleted repository is gone"
    );
}

#[wasm_bindgen_test]
async fn packs_are_chunked_and_loaded_on_demand() {
    let (db, files) = fresh("store-packs").await;
    let odb = Odb::open(files.clone()).expect("odb");
    let checksum = tabgit_pack::Index::from_bytes(IDX.to_vec())
        .expect("idx")
        .pack_checksum();
    odb.add_pack(PACK.into(), IDX, &checksum)
        .expect("pack stored");
    db.persist(&files, None).await.expect("persisted");

    // A fresh load has the index but none of the pack's chunks.
    let reloaded = db.load().await.expect("loads");
    let odb = Odb::open(reloaded.clone()).expect("odb");
    let head = tabgit_pack::Index::from_bytes(IDX.to_vec())
        .expect("idx")
        .id_at(0);
    let mut buf = Vec::new();
    let err = odb
        .try_find(&head, &mut buf)
        .expect_err("chunks are not loaded yet");
    let not_loaded = tabgit_store::not_loaded(&*err).expect("the error says which chunks to load");
    assert_eq!(not_loaded.first, 0);
    db.load_chunks(
        &reloaded,
        &not_loaded.pack,
        not_loaded.first,
        not_loaded.last,
    )
    .await
    .expect("chunks load");
    let odb = Odb::open(reloaded.clone()).expect("odb");
    let found = odb
        .try_find(&head, &mut buf)
        .expect("readable now")
        .expect("present");
    assert_eq!(tabgit_object::compute_id(found.kind, found.data), head);
    let written = odb
        .write_loose(Kind::Blob, b"made in the browser\n")
        .expect("loose write");
    db.persist(&reloaded, None).await.expect("persisted");
    let third = db.load().await.expect("loads");
    let odb = Odb::open(third).expect("odb");
    assert!(odb.has(&written).expect("has"), "loose objects persist");
    let _ = ReadError::Storage(String::new());
}

/// A pack of several chunks (the last one short) is stored chunk by chunk and reads back
/// byte for byte after reopening.
#[wasm_bindgen_test]
async fn a_pack_of_many_chunks_reads_back_byte_for_byte() {
    let (db, files) = fresh("store-big-pack").await;
    let chunk = tabgit_store::idb::CHUNK_SIZE;
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let data: Vec<u8> = (0..3 * chunk + 12_345)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect();
    let path = "objects/pack/pack-0123456789012345678901234567890123456789.pack";
    let mut bytes = tabgit_pack::PackBytes::new();
    for piece in data.chunks(65_536) {
        bytes.try_extend(piece).expect("memory");
    }
    files.write_pack(path, bytes).expect("pack written");
    db.persist(&files, None).await.expect("persisted");
    drop(files);

    let reloaded = db.load().await.expect("loads");
    db.load_chunks(&reloaded, path, 0, 3)
        .await
        .expect("chunks load");
    let pack = reloaded
        .pack_data(path)
        .expect("readable")
        .expect("present");
    assert_eq!(pack.len(), data.len() as u64);
    let read = pack.read_at(0, data.len()).expect("loaded");
    assert!(read[..] == data[..], "every chunk holds its own bytes");
    drop(db);
    Database::delete("store-big-pack").await.expect("deleted");
}

/// A newer schema opened elsewhere (another tab, a newer tabgit) is not blocked by this
/// connection, which closes for it; what this connection tries next fails in words that say to
/// reload (`RELIABILITY.md` S11).
#[wasm_bindgen_test]
async fn an_upgrade_elsewhere_closes_this_connection_and_says_reload() {
    use wasm_bindgen::JsCast as _;
    let (db, files) = fresh("store-upgrade").await;
    files
        .write("HEAD", b"ref: refs/heads/main\n")
        .expect("write");
    db.persist(&files, None).await.expect("persisted");

    let factory = js_sys::global()
        .unchecked_into::<web_sys::WorkerGlobalScope>()
        .indexed_db()
        .expect("indexedDB")
        .expect("indexedDB");
    let request = factory
        .open_with_u32("tabgit-repo-store-upgrade", 2)
        .expect("open request");
    let upgraded =
        wasm_bindgen_futures::JsFuture::from(js_sys::Promise::new(&mut |resolve, reject| {
            request.set_onsuccess(Some(&resolve));
            request.set_onerror(Some(&reject));
            // A blocked upgrade would wait here for ever: fail instead.
            request.set_onblocked(Some(&reject));
        }))
        .await;
    assert!(upgraded.is_ok(), "the older connection stepped aside");
    let newer = request
        .result()
        .expect("opened")
        .unchecked_into::<web_sys::IdbDatabase>();
    assert!(
        (newer.version() - 2.0).abs() < f64::EPSILON,
        "the newer schema is open"
    );

    files
        .write("HEAD", b"ref: refs/heads/other\n")
        .expect("write");
    let err = db
        .persist(&files, None)
        .await
        .expect_err("the closed connection cannot write");
    assert_eq!(err, tabgit_store::idb::Error::Closed);
    assert!(err.to_string().contains("reload this tab"), "{err}");
    newer.close();
    drop(db);
    Database::delete("store-upgrade").await.expect("deleted");
}

#[wasm_bindgen_test]
async fn working_tree_records_survive_and_checkouts_store_only_blob_ids() {
    use tabgit_store::worktree::{FileKind, Worktree};
    let (db, files) = fresh("store-worktree").await;
    let tree = db.load_worktree().await.expect("empty tree loads");
    let blob = tabgit_object::compute_id(Kind::Blob, b"from a checkout\n");
    tree.write_blob(b"src/a.txt", FileKind::File, blob, b"from a checkout\n")
        .expect("write blob");
    tree.write(
        b"edited.txt",
        FileKind::Executable,
        b"edited by the user\r\n\xff",
    )
    .expect("write data");
    tree.write(b"link", FileKind::Symlink, b"src/a.txt")
        .expect("symlink");
    tree.write(b"caf\xe9.txt", FileKind::File, b"latin-1 name")
        .expect("non-utf8 name");
    tree.create_dir(b"vendor/lib").expect("submodule dir");
    assert_eq!(tree.known_blob(b"src/a.txt"), Some(blob));
    assert_eq!(tree.known_blob(b"edited.txt"), None);
    db.persist(&files, Some(&tree)).await.expect("persisted");
    let again = db.load_worktree().await.expect("loads");
    assert_eq!(
        again.known_blob(b"src/a.txt"),
        Some(blob),
        "only the blob id is stored"
    );
    assert_eq!(
        again.read(b"edited.txt").expect("read"),
        Some((FileKind::Executable, b"edited by the user\r\n\xff".to_vec())),
        "bytes survive exactly"
    );
    assert_eq!(
        again.read(b"link").expect("read").map(|(k, _)| k),
        Some(FileKind::Symlink)
    );
    assert!(
        again.read(b"caf\xe9.txt").expect("read").is_some(),
        "non-UTF-8 names survive"
    );
    assert_eq!(again.list(b"").expect("list").len(), 5);
    let odb_files = files.clone();
    again.set_blob_source(std::sync::Arc::new(move |_id| {
        Ok(odb_files.read("nothing").ok().flatten())
    }));
    assert!(
        again.read(b"src/a.txt").is_err(),
        "a missing blob is an error, not a panic"
    );
    again.remove(b"edited.txt").expect("remove");
    db.persist(&files, Some(&again)).await.expect("persisted");
    let third = db.load_worktree().await.expect("loads");
    assert!(
        third.read(b"edited.txt").expect("read").is_none(),
        "removal persisted"
    );
}

/// `RELIABILITY.md` S8. The control: a transaction whose task awaits anything but its own
/// requests (here a timer, as network or hashing would be) is over by the time it writes again
/// (`TransactionInactiveError`). So `persist`, which writes thousands of records and a pack of
/// several chunks in one transaction, can only succeed because it awaits nothing else while
/// the transaction is open; and everything it wrote is there after reopening.
#[wasm_bindgen_test]
async fn a_transaction_never_waits_on_anything_but_its_own_requests() {
    use tabgit_store::worktree::Worktree as _;
    use wasm_bindgen::JsCast as _;
    // The control, on a database of its own.
    let factory = js_sys::global()
        .unchecked_into::<web_sys::WorkerGlobalScope>()
        .indexed_db()
        .expect("indexedDB")
        .expect("indexedDB");
    let _ = factory.delete_database("store-s8-control");
    let request = factory
        .open_with_u32("store-s8-control", 1)
        .expect("open request");
    let upgrade_request = request.clone();
    let on_upgrade = wasm_bindgen::closure::Closure::<dyn FnMut()>::new(move || {
        let db = upgrade_request
            .result()
            .expect("db")
            .unchecked_into::<web_sys::IdbDatabase>();
        db.create_object_store("s").expect("store");
    });
    request.set_onupgradeneeded(Some(on_upgrade.as_ref().unchecked_ref()));
    wasm_bindgen_futures::JsFuture::from(js_sys::Promise::new(&mut |resolve, reject| {
        request.set_onsuccess(Some(&resolve));
        request.set_onerror(Some(&reject));
    }))
    .await
    .expect("control database opens");
    let db = request
        .result()
        .expect("db")
        .unchecked_into::<web_sys::IdbDatabase>();
    let tx = db
        .transaction_with_str_and_mode("s", web_sys::IdbTransactionMode::Readwrite)
        .expect("transaction");
    let store = tx.object_store("s").expect("store");
    store
        .put_with_key(&1.into(), &"before".into())
        .expect("a put while the transaction is active");
    wasm_bindgen_futures::JsFuture::from(js_sys::Promise::new(&mut |resolve, _| {
        let global = js_sys::global().unchecked_into::<web_sys::WorkerGlobalScope>();
        let _ = global.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 10);
    }))
    .await
    .expect("timer");
    let late = store.put_with_key(&2.into(), &"after".into());
    let name = late
        .err()
        .and_then(|e| e.dyn_into::<web_sys::DomException>().ok())
        .map(|e| e.name());
    assert_eq!(
        name.as_deref(),
        Some("TransactionInactiveError"),
        "awaiting a timer ends the transaction"
    );
    db.close();
    let _ = factory.delete_database("store-s8-control");

    // persist: many records and a pack of several chunks, in one transaction.
    let (db, files) = fresh("store-s8").await;
    let tree = db.load_worktree().await.expect("empty tree loads");
    let mut tx = Transaction::default();
    for i in 0..2_000 {
        tx.write(format!("refs/tags/t{i}"), format!("{i:040}\n").into_bytes());
    }
    files.commit(tx).expect("commit");
    for i in 0..1_000 {
        tree.write(
            format!("dir{}/file{i}.txt", i % 10).as_bytes(),
            tabgit_store::worktree::FileKind::File,
            format!("{i}\n").as_bytes(),
        )
        .expect("worktree write");
    }
    let chunk = tabgit_store::idb::CHUNK_SIZE;
    let pack: Vec<u8> = (0..5 * chunk).map(|i| (i % 253) as u8).collect();
    let path = "objects/pack/pack-9999999999999999999999999999999999999999.pack";
    files
        .write_pack(path, pack[..].into())
        .expect("pack written");
    db.persist(&files, Some(&tree))
        .await
        .expect("one transaction");
    let again = db.load().await.expect("loads");
    assert_eq!(
        again.list("refs/tags").expect("list").len(),
        2_000,
        "every ref landed"
    );
    let tree = db.load_worktree().await.expect("tree loads");
    assert_eq!(
        tree.read(b"dir7/file997.txt")
            .expect("read")
            .map(|(_, data)| data),
        Some(b"997\n".to_vec())
    );
    db.load_chunks(&again, path, 0, 4)
        .await
        .expect("chunks load");
    let stored = again.pack_data(path).expect("readable").expect("present");
    assert!(stored.read_at(0, pack.len()).expect("loaded")[..] == pack[..]);
    drop(db);
    Database::delete("store-s8").await.expect("deleted");
}
