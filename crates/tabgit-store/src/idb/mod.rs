//! IndexedDB: where a repository lives in the browser.
//!
//! One database per repository (`tabgit-repo-<name>`) with three object stores:
//! * `files`: every file of the git directory except packs, keyed by path (refs, config,
//!   the index, `.idx` files, loose objects, reflogs);
//! * `chunks`: pack files in 1 MiB chunks, keyed `<path>#<chunk number>`, with their lengths
//!   under `<path>#len`;
//! * `worktree`: the working tree, one record per file (see [`crate::worktree`]).
//!
//! Operations run synchronously against an in-memory mirror ([`IdbFiles`]); [`Database::persist`]
//! then writes every change in **one** transaction with `durability: "strict"`, so refs, the
//! index, the working tree and the objects they need land together or not at all, and no
//! `await` of anything but IndexedDB requests happens inside it (`RELIABILITY.md` S1–S8).
//! If persisting fails, the mirror no longer matches storage: callers drop it and load again.

mod files;
mod request;
mod worktree;

pub use files::{IdbFiles, CHUNK_SIZE};

thread_local! {
    /// Pack chunks reads found missing since the last [`take_missing`].
    static MISSING: std::cell::RefCell<Vec<crate::NotLoaded>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// Remember that a read needed chunks that are not loaded. The error reporting it may be
/// wrapped, turned into words or even handled by the core (an object treated as absent), so
/// the async layer asks here rather than trusting the error to arrive intact.
pub(crate) fn record_missing(need: crate::NotLoaded) {
    MISSING.with(|missing| {
        let mut missing = missing.borrow_mut();
        if !missing.contains(&need) {
            missing.push(need);
        }
    });
}

/// The pack chunks reads found missing since the last call (and forget them): load these and
/// run the operation again, even if it succeeded.
pub fn take_missing() -> Vec<crate::NotLoaded> {
    MISSING.with(|missing| std::mem::take(&mut *missing.borrow_mut()))
}
pub use worktree::{BlobError, BlobSource, IdbWorktree};

use js_sys::{Array, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{IdbDatabase, IdbTransactionMode};

/// Call `target.method(args…)` dynamically: for the IndexedDB features web-sys only offers
/// behind `web_sys_unstable_apis` (transaction `durability`, `indexedDB.databases()`).
fn call(target: &JsValue, method: &str, args: &[&JsValue]) -> Result<JsValue, JsValue> {
    let function: js_sys::Function =
        js_sys::Reflect::get(target, &JsValue::from_str(method))?.dyn_into()?;
    let list = Array::new();
    for arg in args {
        list.push(arg);
    }
    function.apply(target, &list)
}

/// The reasons an IndexedDB operation failed, in words a user can act on.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum Error {
    /// The browser has no IndexedDB here (private mode, disabled storage).
    #[error("browser storage is unavailable: {reason}")]
    Unavailable {
        /// What the browser said.
        reason: String,
    },
    /// The quota is exhausted; nothing of the failed transaction was written.
    #[error("browser storage is full ({reason}); nothing was written")]
    QuotaExceeded {
        /// What the browser said.
        reason: String,
    },
    /// Another tab holds an older version of the database open.
    #[error(
        "the repository is open in another tab with an older version of tabgit; close it and retry"
    )]
    Blocked,
    /// This connection was closed because another tab upgraded the database to a newer schema
    /// or deleted it (`versionchange`, `RELIABILITY.md` S11).
    #[error(
        "the repository's storage was closed because another tab upgraded or deleted it; reload this tab"
    )]
    Closed,
    /// Any other failure.
    #[error("browser storage failed: {reason}")]
    Failed {
        /// What the browser said.
        reason: String,
    },
}

fn classify(err: &JsValue) -> Error {
    let (name, message) = match err.dyn_ref::<web_sys::DomException>() {
        Some(dom) => (dom.name(), dom.message()),
        None => match err.dyn_ref::<js_sys::Error>() {
            Some(e) => (String::from(e.name()), String::from(e.message())),
            None => (
                String::new(),
                err.as_string().unwrap_or_else(|| "unknown error".into()),
            ),
        },
    };
    match name.as_str() {
        "QuotaExceededError" => Error::QuotaExceeded { reason: message },
        "InvalidStateError" | "SecurityError" if message.contains("access") => {
            Error::Unavailable { reason: message }
        }
        // Chromium, when the user or a policy blocks site data: "UnknownError: The user denied
        // permission to access the database." (`RELIABILITY.md` S3).
        _ if message.contains("denied permission") => Error::Unavailable { reason: message },
        // "The database connection is closing." after a `versionchange` closed it.
        "InvalidStateError" if message.contains("clos") => Error::Closed,
        _ => Error::Failed {
            reason: if name.is_empty() {
                message
            } else {
                format!("{name}: {message}")
            },
        },
    }
}

/// A pack length as a JavaScript number: exact, since lengths are far below 2^53.
#[allow(clippy::cast_precision_loss)]
fn pack_length(len: u64) -> JsValue {
    JsValue::from_f64(len as f64)
}

const STORES: [&str; 3] = ["files", "chunks", "worktree"];

/// The database prefix of repositories.
pub const PREFIX: &str = "tabgit-repo-";

/// An open repository database.
pub struct Database {
    db: IdbDatabase,
    name: String,
}

impl Drop for Database {
    fn drop(&mut self) {
        self.db.close();
    }
}

fn factory() -> Result<web_sys::IdbFactory, Error> {
    let global = js_sys::global();
    let factory = if let Some(worker) = global.dyn_ref::<web_sys::WorkerGlobalScope>() {
        worker.indexed_db()
    } else if let Some(window) = global.dyn_ref::<web_sys::Window>() {
        window.indexed_db()
    } else {
        return Err(Error::Unavailable {
            reason: "no global scope".into(),
        });
    };
    factory
        .map_err(|e| classify(&e))?
        .ok_or_else(|| Error::Unavailable {
            reason: "indexedDB is missing".into(),
        })
}

impl Database {
    /// Open (creating if needed) the database of repository `repo`.
    pub async fn open(repo: &str) -> Result<Database, Error> {
        let name = format!("{PREFIX}{repo}");
        let request = factory()?
            .open_with_u32(&name, 1)
            .map_err(|e| classify(&e))?;
        let db = request::open(&request, |db| {
            let existing = db.object_store_names();
            for store in STORES {
                if !existing.contains(store) {
                    db.create_object_store(store)?;
                }
            }
            Ok(())
        })
        .await?;
        Ok(Database { db, name })
    }

    /// Delete the database of repository `repo` and everything in it.
    pub async fn delete(repo: &str) -> Result<(), Error> {
        let request = factory()?
            .delete_database(&format!("{PREFIX}{repo}"))
            .map_err(|e| classify(&e))?;
        request::wait(&request).await.map(drop)
    }

    /// The names of every repository stored in this browser profile.
    pub async fn list() -> Result<Vec<String>, Error> {
        let promise: js_sys::Promise = call(&factory()?.into(), "databases", &[])
            .and_then(JsCast::dyn_into)
            .map_err(|e| classify(&e))?;
        let value = wasm_bindgen_futures::JsFuture::from(promise)
            .await
            .map_err(|e| classify(&e))?;
        let mut names = Vec::new();
        for info in Array::from(&value).iter() {
            if let Some(name) = js_sys::Reflect::get(&info, &JsValue::from_str("name"))
                .ok()
                .and_then(|v| v.as_string())
            {
                if let Some(repo) = name.strip_prefix(PREFIX) {
                    names.push(repo.to_owned());
                }
            }
        }
        names.sort();
        Ok(names)
    }

    /// The database's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    fn transaction(
        &self,
        mode: IdbTransactionMode,
        strict: bool,
    ) -> Result<web_sys::IdbTransaction, Error> {
        let stores = Array::new();
        for store in STORES {
            stores.push(&JsValue::from_str(store));
        }
        let options = js_sys::Object::new();
        let durability = if strict { "strict" } else { "relaxed" };
        js_sys::Reflect::set(
            &options,
            &JsValue::from_str("durability"),
            &JsValue::from_str(durability),
        )
        .map_err(|e| classify(&e))?;
        let mode = if mode == IdbTransactionMode::Readwrite {
            "readwrite"
        } else {
            "readonly"
        };
        call(
            &self.db,
            "transaction",
            &[&stores, &JsValue::from_str(mode), &options],
        )
        .and_then(JsCast::dyn_into)
        .map_err(|e| classify(&e))
    }

    /// Load the git directory's small files and the lengths of its packs into a new mirror.
    pub async fn load(&self) -> Result<IdbFiles, Error> {
        let tx = self.transaction(IdbTransactionMode::Readonly, false)?;
        let files_store = tx.object_store("files").map_err(|e| classify(&e))?;
        let keys = request::wait(&files_store.get_all_keys().map_err(|e| classify(&e))?).await?;
        let values = request::wait(&files_store.get_all().map_err(|e| classify(&e))?).await?;
        let chunks = tx.object_store("chunks").map_err(|e| classify(&e))?;
        let range = web_sys::IdbKeyRange::bound(
            &JsValue::from_str("objects/pack/"),
            &JsValue::from_str("objects/pack/\u{ffff}"),
        )
        .map_err(|e| classify(&e))?;
        let chunk_keys = request::wait(
            &chunks
                .get_all_keys_with_key(&range)
                .map_err(|e| classify(&e))?,
        )
        .await?;
        let mut pack_lengths = Vec::new();
        for key in Array::from(&chunk_keys).iter() {
            let Some(key) = key.as_string() else { continue };
            if let Some(path) = key.strip_suffix("#len") {
                let value = request::wait(
                    &chunks
                        .get(&JsValue::from_str(&key))
                        .map_err(|e| classify(&e))?,
                )
                .await?;
                if let Some(len) = value.as_f64() {
                    pack_lengths.push((path.to_owned(), len as u64));
                }
            }
        }
        let mut loaded = Vec::new();
        for (key, value) in Array::from(&keys).iter().zip(Array::from(&values).iter()) {
            if let Some(path) = key.as_string() {
                loaded.push((path, Uint8Array::new(&value).to_vec()));
            }
        }
        Ok(IdbFiles::from_loaded(loaded, pack_lengths))
    }

    /// Load chunks `first..=last` of pack `path` into the mirror.
    pub async fn load_chunks(
        &self,
        files: &IdbFiles,
        path: &str,
        first: u64,
        last: u64,
    ) -> Result<(), Error> {
        let tx = self.transaction(IdbTransactionMode::Readonly, false)?;
        let chunks = tx.object_store("chunks").map_err(|e| classify(&e))?;
        for index in first..=last {
            let value = request::wait(
                &chunks
                    .get(&JsValue::from_str(&files::chunk_key(path, index)))
                    .map_err(|e| classify(&e))?,
            )
            .await?;
            if value.is_undefined() {
                return Err(Error::Failed {
                    reason: format!("chunk {index} of {path} is missing from storage"),
                });
            }
            files.insert_chunk(path, index, Uint8Array::new(&value).to_vec().into());
        }
        Ok(())
    }

    /// Load the working tree's records.
    pub async fn load_worktree(&self) -> Result<IdbWorktree, Error> {
        let tx = self.transaction(IdbTransactionMode::Readonly, false)?;
        let store = tx.object_store("worktree").map_err(|e| classify(&e))?;
        let keys = request::wait(&store.get_all_keys().map_err(|e| classify(&e))?).await?;
        let values = request::wait(&store.get_all().map_err(|e| classify(&e))?).await?;
        let mut records = Vec::new();
        let mut dirs = Vec::new();
        for (key, value) in Array::from(&keys).iter().zip(Array::from(&values).iter()) {
            let Some(path) = key.as_string().and_then(|k| decode_path(&k)) else {
                continue;
            };
            let bytes = Uint8Array::new(&value).to_vec();
            match worktree_codec::decode(&bytes) {
                Some(worktree_codec::Decoded::Dir) => dirs.push(path),
                Some(worktree_codec::Decoded::File(record)) => records.push((path, record)),
                None => {
                    return Err(Error::Failed {
                        reason: format!(
                            "working tree record for {} is damaged",
                            String::from_utf8_lossy(&path)
                        ),
                    })
                }
            }
        }
        Ok(IdbWorktree::from_records(records, dirs))
    }

    /// Write every change of the mirrors since the last persist, in one strict transaction:
    /// objects, refs, the index and the working tree land together or not at all.
    pub async fn persist(
        &self,
        files: &IdbFiles,
        worktree: Option<&IdbWorktree>,
    ) -> Result<usize, Error> {
        let journal = files.take_journal();
        let tree_journal = worktree.map(IdbWorktree::take_journal).unwrap_or_default();
        if journal.is_empty() && tree_journal.is_empty() {
            return Ok(0);
        }
        let changes = journal.len() + tree_journal.len();
        let tx = self.transaction(IdbTransactionMode::Readwrite, true)?;
        let result = async {
            let files_store = tx.object_store("files").map_err(|e| classify(&e))?;
            let chunks = tx.object_store("chunks").map_err(|e| classify(&e))?;
            for change in &journal {
                match change {
                    files::Persist::Write(path, data) => {
                        files_store
                            .put_with_key(&Uint8Array::from(&data[..]), &JsValue::from_str(path))
                            .map_err(|e| classify(&e))?;
                    }
                    files::Persist::Remove(path) => {
                        files_store
                            .delete(&JsValue::from_str(path))
                            .map_err(|e| classify(&e))?;
                    }
                    files::Persist::Pack {
                        path,
                        len,
                        chunks: pack_chunks,
                    } => {
                        // `put` clones its value before it returns, so one JavaScript buffer
                        // carries every full chunk in turn instead of a copy of the whole pack.
                        let carrier = Uint8Array::new_with_length(files::CHUNK_SIZE as u32);
                        for (index, chunk) in pack_chunks {
                            let value = if chunk.len() == files::CHUNK_SIZE {
                                carrier.copy_from(chunk);
                                carrier.clone()
                            } else {
                                Uint8Array::from(&chunk[..])
                            };
                            chunks
                                .put_with_key(
                                    &value,
                                    &JsValue::from_str(&files::chunk_key(path, *index)),
                                )
                                .map_err(|e| classify(&e))?;
                        }
                        chunks
                            .put_with_key(
                                &pack_length(*len),
                                &JsValue::from_str(&format!("{path}#len")),
                            )
                            .map_err(|e| classify(&e))?;
                    }
                    files::Persist::RemovePack { path, chunks: n } => {
                        for index in 0..*n {
                            chunks
                                .delete(&JsValue::from_str(&files::chunk_key(path, index)))
                                .map_err(|e| classify(&e))?;
                        }
                        chunks
                            .delete(&JsValue::from_str(&format!("{path}#len")))
                            .map_err(|e| classify(&e))?;
                    }
                }
            }
            let tree_store = tx.object_store("worktree").map_err(|e| classify(&e))?;
            for (path, record, is_dir) in &tree_journal {
                let key = JsValue::from_str(&encode_path(path));
                match (record, is_dir) {
                    (Some(record), _) => {
                        tree_store
                            .put_with_key(
                                &Uint8Array::from(&worktree_codec::encode(record)[..]),
                                &key,
                            )
                            .map_err(|e| classify(&e))?;
                    }
                    (None, true) => {
                        tree_store
                            .put_with_key(&Uint8Array::from(&[b'D'][..]), &key)
                            .map_err(|e| classify(&e))?;
                    }
                    (None, false) => {
                        tree_store.delete(&key).map_err(|e| classify(&e))?;
                    }
                }
            }
            Ok::<(), Error>(())
        }
        .await;
        if let Err(err) = result {
            let _ = tx.abort();
            return Err(err);
        }
        request::complete(&tx).await?;
        Ok(changes)
    }
}

/// A working-tree path as an IndexedDB key: `f:<path>` when UTF-8, else `x:<hex>`.
fn encode_path(path: &[u8]) -> String {
    match std::str::from_utf8(path) {
        Ok(text) => format!("f:{text}"),
        Err(_) => format!(
            "x:{}",
            path.iter().map(|b| format!("{b:02x}")).collect::<String>()
        ),
    }
}

fn decode_path(key: &str) -> Option<Vec<u8>> {
    if let Some(text) = key.strip_prefix("f:") {
        return Some(text.as_bytes().to_vec());
    }
    let hex = key.strip_prefix("x:")?;
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect()
}

/// The byte encoding of working-tree records:
/// `F <kind> <generation: u32 LE> (B <id: 20> <size: u32 LE> | D <data…>)`, or `D` for a directory.
mod worktree_codec {
    use crate::idb::worktree::{Content, Record};
    use crate::worktree::FileKind;

    pub enum Decoded {
        File(Record),
        Dir,
    }

    pub fn encode(record: &Record) -> Vec<u8> {
        let mut out = vec![
            b'F',
            match record.kind {
                FileKind::File => b'f',
                FileKind::Executable => b'x',
                FileKind::Symlink => b'l',
            },
        ];
        out.extend_from_slice(&record.generation.to_le_bytes());
        match &record.content {
            Content::Blob(id, size) => {
                out.push(b'B');
                out.extend_from_slice(id.as_bytes());
                out.extend_from_slice(&size.to_le_bytes());
            }
            Content::Data(data) => {
                out.push(b'D');
                out.extend_from_slice(data);
            }
        }
        out
    }

    pub fn decode(bytes: &[u8]) -> Option<Decoded> {
        if bytes == b"D" {
            return Some(Decoded::Dir);
        }
        let (&tag, rest) = bytes.split_first()?;
        if tag != b'F' || rest.len() < 6 {
            return None;
        }
        let kind = match rest[0] {
            b'f' => FileKind::File,
            b'x' => FileKind::Executable,
            b'l' => FileKind::Symlink,
            _ => return None,
        };
        let generation = u32::from_le_bytes(rest[1..5].try_into().ok()?);
        let content = match rest[5] {
            b'B' => {
                let id = tabgit_hash::ObjectId::from_slice(rest.get(6..26)?)?;
                let size = u32::from_le_bytes(rest.get(26..30)?.try_into().ok()?);
                Content::Blob(id, size)
            }
            b'D' => Content::Data(rest[6..].into()),
            _ => return None,
        };
        Some(Decoded::File(Record {
            kind,
            content,
            generation,
        }))
    }
}
