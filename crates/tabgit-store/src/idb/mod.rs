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

pub use files::{IdbFiles, CHUNK_SIZE};

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

    /// Write every change of the mirror since the last persist, in one strict transaction.
    pub async fn persist(&self, files: &IdbFiles) -> Result<usize, Error> {
        let journal = files.take_journal();
        if journal.is_empty() {
            return Ok(0);
        }
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
                        for (index, chunk) in pack_chunks {
                            chunks
                                .put_with_key(
                                    &Uint8Array::from(&chunk[..]),
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
            Ok::<(), Error>(())
        }
        .await;
        if let Err(err) = result {
            let _ = tx.abort();
            return Err(err);
        }
        request::complete(&tx).await?;
        Ok(journal.len())
    }
}
