//! Opening a repository from IndexedDB and the requests that read or edit it.

use std::sync::Arc;

use tabgit_object::CommitRef;
use tabgit_repo::Repository;
use tabgit_store::idb::{Database, IdbFiles, IdbWorktree};
use tabgit_store::odb::Odb;
use tabgit_store::refs::Head;
use tabgit_store::worktree::{EntryKind, FileKind, Worktree};
use wasm_bindgen::JsCast;

use crate::ops::{locks, storage_error};
use crate::protocol::{CommitSummary, EngineError, FileEntry, Reply, RepoSummary};

/// A repository loaded from IndexedDB.
pub struct OpenRepo {
    /// Its database.
    pub db: Database,
    /// The git directory's mirror.
    pub files: IdbFiles,
    /// The working tree's mirror.
    pub worktree: IdbWorktree,
    /// The repository over them.
    pub repo: Repository<IdbFiles>,
    /// Its local name.
    pub name: String,
    /// The pack chunks loaded on demand so far.
    loaded: Vec<tabgit_store::NotLoaded>,
}

/// Read a blob for the working tree (files recorded by blob id), loading pack chunks as needed
/// is not possible synchronously, so this reads what is loaded.
fn blob_source(files: IdbFiles) -> Result<tabgit_store::idb::BlobSource, EngineError> {
    let odb = Odb::open(files)
        .map_err(|e| EngineError::new("The repository's objects cannot be read", &e))?;
    let odb = Arc::new(odb);
    Ok(Arc::new(move |id| {
        let mut buf = Vec::new();
        match odb.find(id, &mut buf) {
            Ok(Some(_)) => Ok(Some(buf)),
            Ok(None) => Ok(None),
            Err(err) => Err(match tabgit_store::not_loaded(&err) {
                Some(need) => tabgit_store::idb::BlobError::NotLoaded(need),
                None => tabgit_store::idb::BlobError::Other(err.to_string()),
            }),
        }
    }))
}

impl OpenRepo {
    /// Open repository `name`; fails if it does not exist.
    pub async fn open(name: &str) -> Result<OpenRepo, EngineError> {
        let db = Database::open(name).await.map_err(|e| storage_error(&e))?;
        let files = db.load().await.map_err(|e| storage_error(&e))?;
        let worktree = db.load_worktree().await.map_err(|e| storage_error(&e))?;
        let repo = Repository::open(files.clone(), Some(Box::new(worktree.clone())))
            .map_err(|e| EngineError::new(format!("Repository '{name}' cannot be opened"), &e))?;
        worktree.set_blob_source(blob_source(files.clone())?);
        Ok(OpenRepo {
            db,
            files,
            worktree,
            repo,
            name: name.to_owned(),
            loaded: Vec::new(),
        })
    }

    /// Run `operation` until it no longer needs pack chunks that are not loaded: each time it
    /// needed some, load them and run it again (`ARCHITECTURE.md`, "Where async stops").
    ///
    /// The chunks come from the store's record of missing reads, not only from the error: an
    /// operation may have turned the error into words or treated the object as absent and
    /// succeeded with a wrong answer. When an attempt succeeded that way, whatever it changed
    /// in memory is dropped by opening the repository again before the next attempt.
    pub async fn run<T, E: std::error::Error + 'static>(
        &mut self,
        mut operation: impl FnMut(&mut OpenRepo) -> Result<T, E>,
    ) -> Result<Result<T, E>, EngineError> {
        for _ in 0..4096 {
            let _ = tabgit_store::idb::take_missing();
            let result = operation(self);
            let mut need = tabgit_store::idb::take_missing();
            if let Err(err) = &result {
                need.extend(tabgit_store::not_loaded(err));
            }
            if need.is_empty() {
                return Ok(result);
            }
            if result.is_ok() {
                let loaded = std::mem::take(&mut self.loaded);
                *self = OpenRepo::open(&self.name).await?;
                need.extend(loaded);
            }
            let mut unique: Vec<tabgit_store::NotLoaded> = Vec::new();
            for chunks in need {
                if !unique.contains(&chunks) {
                    unique.push(chunks);
                }
            }
            for chunks in unique {
                self.db
                    .load_chunks(&self.files, &chunks.pack, chunks.first, chunks.last)
                    .await
                    .map_err(|e| storage_error(&e))?;
                self.loaded.push(chunks);
            }
            self.worktree
                .set_blob_source(blob_source(self.files.clone())?);
        }
        Err(EngineError {
            title: "The operation needs more of the repository than can be loaded".into(),
            detail: String::new(),
        })
    }

    /// Load every chunk of every pack (before operations that read much of the history).
    pub async fn load_all_chunks(&self) -> Result<(), EngineError> {
        use tabgit_store::files::GitFiles as _;
        let packs = self
            .files
            .list("objects/pack")
            .map_err(|e| EngineError::new("Cannot list packs", &e))?;
        for name in packs.iter().filter(|n| {
            std::path::Path::new(n)
                .extension()
                .is_some_and(|e| e == "pack")
        }) {
            let path = format!("objects/pack/{name}");
            let len = self
                .files
                .pack_data(&path)
                .ok()
                .flatten()
                .map_or(0, |p| p.len());
            if len > 0 {
                let last = (len - 1) / tabgit_store::idb::CHUNK_SIZE as u64;
                self.db
                    .load_chunks(&self.files, &path, 0, last)
                    .await
                    .map_err(|e| storage_error(&e))?;
            }
        }
        Ok(())
    }

    /// Write every change in one transaction and tell other tabs.
    pub async fn persist(&self) -> Result<(), EngineError> {
        match self.db.persist(&self.files, Some(&self.worktree)).await {
            Ok(_) => {
                locks::announce_change(&self.name);
                Ok(())
            }
            Err(err) => {
                let mut error = storage_error(&err);
                if let Ok((usage, quota)) = estimate().await {
                    error.title = format!(
                        "{} (used {} of {})",
                        error.title,
                        megabytes(usage),
                        megabytes(quota)
                    );
                }
                Err(error)
            }
        }
    }

    /// The summary shown in the repository list.
    pub fn summary(&self) -> RepoSummary {
        let (branch, head) = match self.repo.head() {
            Ok(Head::Branch { name, id }) => (
                Some(
                    String::from_utf8_lossy(name.strip_prefix(b"refs/heads/").unwrap_or(&name))
                        .into_owned(),
                ),
                id.map(|i| i.to_hex()),
            ),
            Ok(Head::Detached(id)) => (None, Some(id.to_hex())),
            Err(_) => (None, None),
        };
        let url = self
            .repo
            .config()
            .get("remote", Some(b"origin"), "url")
            .map(|u| String::from_utf8_lossy(u).into_owned());
        RepoSummary {
            name: self.name.clone(),
            url,
            branch,
            head,
            size: self.files.size() + self.worktree.size(),
        }
    }
}

fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1_000_000.0)
}

/// `navigator.storage.estimate()`: bytes used and quota.
pub async fn estimate() -> Result<(u64, u64), EngineError> {
    let global = js_sys::global();
    let storage = if let Some(worker) = global.dyn_ref::<web_sys::WorkerGlobalScope>() {
        worker.navigator().storage()
    } else if let Some(window) = global.dyn_ref::<web_sys::Window>() {
        window.navigator().storage()
    } else {
        return Err(EngineError {
            title: "No storage manager here".into(),
            detail: String::new(),
        });
    };
    let promise = storage.estimate().map_err(|_| EngineError {
        title: "Storage estimate failed".into(),
        detail: String::new(),
    })?;
    let value = wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .map_err(|_| EngineError {
            title: "Storage estimate failed".into(),
            detail: String::new(),
        })?;
    let field = |name: &str| {
        js_sys::Reflect::get(&value, &wasm_bindgen::JsValue::from_str(name))
            .ok()
            .and_then(|v| v.as_f64())
            .unwrap_or(0.0) as u64
    };
    Ok((field("usage"), field("quota")))
}

/// `Op::StorageEstimate`.
pub async fn storage_estimate() -> Result<Reply, EngineError> {
    let (usage, quota) = estimate().await?;
    Ok(Reply::Storage { usage, quota })
}

/// `Op::ListRepos`. A database without `HEAD` is a clone that never finished (the tab closed
/// or crashed before its one final transaction): unless an operation holds its lock, it is
/// deleted here (`RELIABILITY.md` S5).
pub async fn list() -> Result<Reply, EngineError> {
    let names = Database::list().await.map_err(|e| storage_error(&e))?;
    let mut out = Vec::new();
    for name in names {
        match OpenRepo::open(&name).await {
            Ok(open) => out.push(open.summary()),
            Err(_) => {
                if is_interrupted_clone(&name).await && !locks::is_busy(&name).await {
                    let _ = Database::delete(&name).await;
                }
            }
        }
    }
    Ok(Reply::Repos(out))
}

/// Whether repository `name`'s database has no `HEAD`: nothing was ever committed to it.
async fn is_interrupted_clone(name: &str) -> bool {
    use tabgit_store::files::GitFiles as _;
    let Ok(db) = Database::open(name).await else {
        return false;
    };
    db.load()
        .await
        .is_ok_and(|files| matches!(files.read("HEAD"), Ok(None)))
}

/// `Op::Info`.
pub async fn info(name: &str) -> Result<Reply, EngineError> {
    Ok(Reply::Repo(OpenRepo::open(name).await?.summary()))
}

/// `Op::DeleteRepo`.
pub async fn delete(name: &str) -> Result<Reply, EngineError> {
    locks::with_lock(name, Database::delete(name))
        .await
        .map_err(|e| storage_error(&e))?;
    locks::announce_change(name);
    Ok(Reply::Done)
}

/// `Op::ListFiles`: every file of the working tree, depth first, directories included.
pub async fn list_files(name: &str) -> Result<Reply, EngineError> {
    let open = OpenRepo::open(name).await?;
    let mut out = Vec::new();
    let mut stack: Vec<Vec<u8>> = vec![Vec::new()];
    while let Some(dir) = stack.pop() {
        let entries = open
            .worktree
            .list(&dir)
            .map_err(|e| EngineError::new("Cannot list files", &e))?;
        for (child, kind) in entries.into_iter().rev() {
            let mut path = dir.clone();
            if !path.is_empty() {
                path.push(b'/');
            }
            path.extend_from_slice(&child);
            let kind_name = match kind {
                EntryKind::Directory => {
                    stack.push(path.clone());
                    "directory"
                }
                EntryKind::File(FileKind::File) => "file",
                EntryKind::File(FileKind::Executable) => "executable",
                EntryKind::File(FileKind::Symlink) => "symlink",
            };
            out.push(FileEntry {
                path,
                kind: kind_name.into(),
            });
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(Reply::Files(out))
}

/// `Op::ReadFile`: the exact bytes.
pub async fn read_file(name: &str, path: &[u8]) -> Result<Reply, EngineError> {
    let mut open = OpenRepo::open(name).await?;
    let read = open.run(|open| open.worktree.read(path)).await?;
    match read.map_err(|e| EngineError::new("Cannot read the file", &e))? {
        Some((_, data)) => Ok(Reply::File(data)),
        None => Err(EngineError {
            title: format!("{} does not exist", String::from_utf8_lossy(path)),
            detail: String::new(),
        }),
    }
}

/// `Op::WriteFile`: the exact bytes, persisted.
pub async fn write_file(
    name: &str,
    path: &[u8],
    data: &[u8],
    executable: bool,
) -> Result<Reply, EngineError> {
    locks::with_lock(name, async {
        let open = OpenRepo::open(name).await?;
        let kind = if executable {
            FileKind::Executable
        } else {
            FileKind::File
        };
        open.worktree
            .write(path, kind, data)
            .map_err(|e| EngineError::new("Cannot write the file", &e))?;
        open.persist().await?;
        Ok(Reply::Done)
    })
    .await
}

/// `Op::DeleteFile`.
pub async fn remove_file(name: &str, path: &[u8]) -> Result<Reply, EngineError> {
    locks::with_lock(name, async {
        let open = OpenRepo::open(name).await?;
        open.worktree
            .remove(path)
            .map_err(|e| EngineError::new("Cannot delete the file", &e))?;
        open.persist().await?;
        Ok(Reply::Done)
    })
    .await
}

/// `Op::Log`: a page of history in git's default order.
pub async fn log(
    name: &str,
    start: Option<&str>,
    skip: usize,
    count: usize,
) -> Result<Reply, EngineError> {
    let mut open = OpenRepo::open(name).await?;
    let start = start.unwrap_or("HEAD").to_owned();
    let page = open
        .run(|open| -> Result<Vec<CommitSummary>, LogError> {
            let Ok(tip) = open.repo.rev_parse(start.as_bytes()) else {
                return Ok(Vec::new());
            };
            let mut graph = open.repo.graph()?;
            let walk = tabgit_revision::walk::Walk::new(&mut graph, &[tip], &[], false)?;
            let mut out = Vec::new();
            for id in walk.skip(skip).take(count) {
                let id = id?;
                let (_, data) = open.repo.object(&id)?;
                let commit =
                    CommitRef::from_bytes(&data).map_err(|e| LogError::Malformed(e.to_string()))?;
                out.push(CommitSummary {
                    id: id.to_hex(),
                    parents: commit
                        .parents
                        .iter()
                        .map(tabgit_hash::ObjectId::to_hex)
                        .collect(),
                    author: String::from_utf8_lossy(commit.author.name).into_owned(),
                    email: String::from_utf8_lossy(commit.author.email).into_owned(),
                    time: commit.author.time().map_or(0, |t| t.seconds),
                    summary: String::from_utf8_lossy(commit.summary()).into_owned(),
                });
            }
            Ok(out)
        })
        .await?
        .map_err(|e| EngineError::new("Cannot read the history", &e))?;
    Ok(Reply::Commits(page))
}

/// Why a log page failed.
#[derive(Debug, thiserror::Error)]
pub enum LogError {
    /// The commit graph.
    #[error(transparent)]
    Graph(#[from] tabgit_revision::graph::Error),
    /// The repository.
    #[error(transparent)]
    Repo(#[from] tabgit_repo::Error),
    /// A commit does not parse.
    #[error("malformed commit: {0}")]
    Malformed(String),
}

/// An error from an operation of the core, in words: `what` failed, and why (the core's own
/// message, which names the files and what to do).
pub fn operation_error(what: &str, err: &dyn std::error::Error) -> EngineError {
    let mut error = EngineError::new(format!("{what}: {err}"), err);
    if error.title.len() > 300 {
        let mut cut = 300;
        while !error.title.is_char_boundary(cut) {
            cut -= 1;
        }
        error.title.truncate(cut);
        error.title.push('…');
    }
    error
}

/// Run a mutating operation under the repository's lock: open, run (loading pack chunks as
/// needed), persist everything in one transaction. When the operation fails nothing is
/// persisted, so storage stays as it was.
pub async fn edit<T, E: std::error::Error + 'static>(
    name: &str,
    what: &str,
    operation: impl FnMut(&mut OpenRepo) -> Result<T, E>,
) -> Result<T, EngineError> {
    locks::with_lock(name, async {
        let mut open = OpenRepo::open(name).await?;
        let out = open
            .run(operation)
            .await?
            .map_err(|e| operation_error(what, &e))?;
        open.persist().await?;
        Ok(out)
    })
    .await
}

/// Run a reading operation (no lock, nothing persisted).
pub async fn read<T, E: std::error::Error + 'static>(
    name: &str,
    what: &str,
    operation: impl FnMut(&mut OpenRepo) -> Result<T, E>,
) -> Result<T, EngineError> {
    let mut open = OpenRepo::open(name).await?;
    open.run(operation)
        .await?
        .map_err(|e| operation_error(what, &e))
}

/// Every file at or under `path` in the working tree (`path` itself if it is a file), with its
/// kind.
fn files_under(
    worktree: &IdbWorktree,
    path: &[u8],
) -> Result<Vec<(Vec<u8>, FileKind)>, tabgit_store::worktree::Error> {
    use tabgit_index::stat::FileType;
    let single = match worktree.metadata(path)?.map(|m| m.file_type) {
        Some(FileType::Symlink) => Some(FileKind::Symlink),
        Some(FileType::File { executable: true }) => Some(FileKind::Executable),
        Some(FileType::File { executable: false }) => Some(FileKind::File),
        _ => None,
    };
    if let Some(kind) = single {
        return Ok(vec![(path.to_vec(), kind)]);
    }
    let mut out = Vec::new();
    let mut stack = vec![path.to_vec()];
    while let Some(dir) = stack.pop() {
        for (name, kind) in worktree.list(&dir)? {
            let mut child = dir.clone();
            child.push(b'/');
            child.extend_from_slice(&name);
            match kind {
                EntryKind::Directory => stack.push(child),
                EntryKind::File(kind) => out.push((child, kind)),
            }
        }
    }
    Ok(out)
}

/// `Op::RenamePath`: a file or a folder, read whole first and then moved, so a failure leaves
/// everything where it was; persisted in one transaction.
pub async fn rename_path(name: &str, from: &[u8], to: &[u8]) -> Result<Reply, EngineError> {
    let display = |p: &[u8]| String::from_utf8_lossy(p).into_owned();
    if to.is_empty() || to == from || to.starts_with(&[from, b"/"].concat()) {
        return Err(EngineError {
            title: format!("Cannot move {} to {}", display(from), display(to)),
            detail: String::new(),
        });
    }
    edit(name, &format!("Cannot rename {}", display(from)), |open| {
        let files = files_under(&open.worktree, from)?;
        if files.is_empty() {
            return Err(tabgit_store::worktree::Error::Io {
                action: "find",
                path: display(from),
                source: std::io::Error::from(std::io::ErrorKind::NotFound),
            });
        }
        if open.worktree.metadata(to)?.is_some() || !open.worktree.list(to)?.is_empty() {
            return Err(tabgit_store::worktree::Error::Io {
                action: "replace",
                path: display(to),
                source: std::io::Error::from(std::io::ErrorKind::AlreadyExists),
            });
        }
        let mut contents = Vec::with_capacity(files.len());
        for (path, kind) in &files {
            let data = open
                .worktree
                .read(path)?
                .map(|(_, d)| d)
                .unwrap_or_default();
            let mut target = to.to_vec();
            target.extend_from_slice(&path[from.len()..]);
            contents.push((path.clone(), target, *kind, data));
        }
        for (source, target, kind, data) in &contents {
            open.worktree.write(target, *kind, data)?;
            open.worktree.remove(source)?;
        }
        Ok(())
    })
    .await?;
    Ok(Reply::Done)
}

/// `Op::DeletePath`: a file or a whole folder, in one transaction.
pub async fn delete_path(name: &str, path: &[u8]) -> Result<Reply, EngineError> {
    edit(
        name,
        &format!("Cannot delete {}", String::from_utf8_lossy(path)),
        |open| {
            for (file, _) in files_under(&open.worktree, path)? {
                open.worktree.remove(&file)?;
            }
            Ok::<_, tabgit_store::worktree::Error>(())
        },
    )
    .await?;
    Ok(Reply::Done)
}
