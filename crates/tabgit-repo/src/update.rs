//! One operation's changes to refs, the index and the working tree, applied together
//! (`RELIABILITY.md` S2, S6).
//!
//! An operation computes everything first, then:
//!
//! 1. writes the working tree, remembering how to undo each change (the blob a clean tracked
//!    file had, or the bytes read before overwriting anything else);
//! 2. commits every git-directory change — refs and their reflogs (through a [`RefStore`] over
//!    a [`Pending`] overlay, so nothing reaches the store early), the index, config, `MERGE_HEAD`
//!    and friends — in **one** [`Transaction`];
//! 3. if step 1 or 2 fails, undoes the working-tree changes made so far.
//!
//! On a transactional store (memory, IndexedDB) that leaves refs, index and working tree all
//! changed or all as they were. On disk the transaction takes git's lock files for every file
//! before renaming any, so a held lock fails the operation before anything changes; the
//! working tree is restored as well as the disk allows, and no edit is ever overwritten (files
//! with local changes are refused before step 1 by the operations themselves).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use tabgit_hash::ObjectId;
use tabgit_index::stat::{Metadata, Time};
use tabgit_index::State;
use tabgit_object::Kind;
use tabgit_store::files::{self, Change, GitFiles, Transaction};
use tabgit_store::refs::RefStore;
use tabgit_store::worktree::{FileKind, Worktree};

use crate::Repository;

/// Git-directory changes not yet committed, readable as if they were.
#[derive(Clone)]
pub(crate) struct Pending<F> {
    base: F,
    changes: Arc<Mutex<Vec<(String, Change)>>>,
}

impl<F: GitFiles> Pending<F> {
    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<(String, Change)>> {
        self.changes
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn latest(&self, path: &str) -> Option<Change> {
        self.lock()
            .iter()
            .rev()
            .find(|(p, _)| p == path)
            .map(|(_, c)| c.clone())
    }

    /// The changes as one transaction: the last change of each path, in the order of those last
    /// changes (a file may be locked only once).
    fn transaction(&self) -> Transaction {
        let changes = self.lock();
        let mut last: BTreeMap<&str, usize> = BTreeMap::new();
        for (idx, (path, _)) in changes.iter().enumerate() {
            last.insert(path, idx);
        }
        let mut order: Vec<usize> = last.into_values().collect();
        order.sort_unstable();
        Transaction {
            changes: order.into_iter().map(|idx| changes[idx].clone()).collect(),
        }
    }
}

impl<F: GitFiles> GitFiles for Pending<F> {
    fn read(&self, path: &str) -> Result<Option<Vec<u8>>, files::Error> {
        files::check_path(path)?;
        match self.latest(path) {
            Some(Change::Write(data)) => Ok(Some(data)),
            Some(Change::Remove) => Ok(None),
            None => self.base.read(path),
        }
    }

    fn list(&self, dir: &str) -> Result<Vec<String>, files::Error> {
        let mut names = self.base.list(dir)?;
        let prefix = if dir.is_empty() {
            String::new()
        } else {
            format!("{dir}/")
        };
        for (path, change) in self.lock().iter() {
            let Some(rest) = path.strip_prefix(&prefix) else {
                continue;
            };
            let name = rest.split('/').next().unwrap_or_default().to_owned();
            match change {
                Change::Write(_) => names.push(name),
                Change::Remove if !rest.contains('/') => names.retain(|n| *n != name),
                Change::Remove => {}
            }
        }
        names.sort();
        names.dedup();
        Ok(names)
    }

    fn commit(&self, transaction: Transaction) -> Result<(), files::Error> {
        for (path, _) in &transaction.changes {
            files::check_path(path)?;
        }
        self.lock().extend(transaction.changes);
        Ok(())
    }

    fn pack_data(
        &self,
        path: &str,
    ) -> Result<Option<Box<dyn tabgit_pack::bundle::PackData>>, files::Error> {
        self.base.pack_data(path)
    }
}

/// What a working-tree path held before an update changed it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Previous {
    /// Nothing.
    Absent,
    /// A clean tracked file: this blob, as this kind of file.
    Blob(FileKind, ObjectId),
    /// Unknown: read it before changing it.
    Unknown,
}

/// One working-tree change.
#[derive(Clone, Debug)]
pub(crate) enum WorktreeOp {
    /// Write a blob's content as a file.
    Write {
        path: Vec<u8>,
        kind: FileKind,
        blob_id: ObjectId,
        previous: Previous,
    },
    /// Write bytes that need not be a stored blob (a moved file with local changes).
    WriteData {
        path: Vec<u8>,
        kind: FileKind,
        data: Vec<u8>,
        previous: Previous,
    },
    /// Create an empty directory (a submodule placeholder).
    CreateDir { path: Vec<u8> },
    /// Remove a file.
    Remove { path: Vec<u8>, previous: Previous },
}

enum Undo {
    Remove(Vec<u8>),
    Write(Vec<u8>, FileKind, Vec<u8>),
    WriteBlob(Vec<u8>, FileKind, ObjectId),
}

/// The reasons an update failed; nothing of it remains (see the module documentation).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Storage failed.
    #[error(transparent)]
    Files(#[from] files::Error),
    /// The working tree could not be changed.
    #[error(transparent)]
    Worktree(#[from] tabgit_store::worktree::Error),
    /// A ref could not be updated.
    #[error(transparent)]
    Refs(#[from] tabgit_store::refs::Error),
    /// The repository could not be read.
    #[error(transparent)]
    Repository(#[from] crate::Error),
    /// The index could not be encoded.
    #[error("cannot write the index")]
    IndexWrite(#[from] tabgit_index::write::Error),
    /// The index refused a change.
    #[error(transparent)]
    Index(#[from] tabgit_index::state::Error),
    /// A blob to write is missing or not a blob.
    #[error("object {id} is not a blob")]
    NotABlob {
        /// The object.
        id: ObjectId,
    },
    /// A working-tree change could not be undone after a failure: the working tree may differ
    /// from the index. The failure that started it is the source.
    #[error("the update failed and the working tree could not be fully restored ({undo})")]
    UndoFailed {
        /// What went wrong while undoing.
        undo: String,
        /// The failure that made the undo necessary.
        #[source]
        source: Box<Error>,
    },
}

/// An update in progress.
pub(crate) struct Update<'r, F: GitFiles + Clone> {
    repo: &'r Repository<F>,
    pending: Pending<F>,
    undo: Vec<Undo>,
}

impl<'r, F: GitFiles + Clone> Update<'r, F> {
    pub(crate) fn new(repo: &'r Repository<F>) -> Self {
        Update {
            repo,
            pending: Pending {
                base: repo.files.clone(),
                changes: Arc::default(),
            },
            undo: Vec::new(),
        }
    }

    /// The refs as this update will leave them; ref edits committed here are pending.
    pub(crate) fn refs(&self) -> RefStore<Pending<F>> {
        RefStore::new(self.pending.clone())
    }

    /// Read a git-directory file as this update will leave it.
    pub(crate) fn read(&self, path: &str) -> Result<Option<Vec<u8>>, Error> {
        Ok(self.pending.read(path)?)
    }

    /// Write a git-directory file with the update.
    pub(crate) fn write(&self, path: &str, data: Vec<u8>) -> Result<(), Error> {
        let mut tx = Transaction::default();
        tx.write(path, data);
        Ok(self.pending.commit(tx)?)
    }

    /// Remove a git-directory file with the update (no error if absent).
    pub(crate) fn remove(&self, path: &str) -> Result<(), Error> {
        let mut tx = Transaction::default();
        tx.remove(path);
        Ok(self.pending.commit(tx)?)
    }

    /// Write the index with the update, first smudging racily clean entries whose files changed
    /// (see [`smudge_racily_clean`]).
    pub(crate) fn write_index(
        &self,
        state: &mut State,
        index_mtime: Option<Time>,
    ) -> Result<(), Error> {
        if let Some(worktree) = self.repo.worktree() {
            smudge_racily_clean(state, worktree, index_mtime)?;
        }
        let bytes = state.to_bytes(tabgit_index::write::Options::default())?;
        self.write("index", bytes)
    }

    /// Apply working-tree changes now, remembering how to undo them; returns the metadata of
    /// written files, by path. On failure, what was done is undone.
    pub(crate) fn apply_worktree(
        &mut self,
        ops: Vec<WorktreeOp>,
    ) -> Result<BTreeMap<Vec<u8>, Metadata>, Error> {
        let mut written = BTreeMap::new();
        if ops.is_empty() {
            return Ok(written);
        }
        let worktree = self.repo.worktree().ok_or(crate::Error::Unsupported {
            reason: "this operation needs a working tree".into(),
        })?;
        for op in ops {
            if let Err(err) = self.apply_one(worktree, op, &mut written) {
                return Err(self.rollback(err));
            }
        }
        Ok(written)
    }

    fn remember(
        &mut self,
        worktree: &dyn Worktree,
        path: &[u8],
        previous: Previous,
    ) -> Result<(), Error> {
        let undo = match previous {
            Previous::Absent => Undo::Remove(path.to_vec()),
            Previous::Blob(kind, id) => Undo::WriteBlob(path.to_vec(), kind, id),
            Previous::Unknown => match worktree.read(path)? {
                Some((kind, data)) => Undo::Write(path.to_vec(), kind, data),
                None => Undo::Remove(path.to_vec()),
            },
        };
        self.undo.push(undo);
        Ok(())
    }

    fn apply_one(
        &mut self,
        worktree: &dyn Worktree,
        op: WorktreeOp,
        written: &mut BTreeMap<Vec<u8>, Metadata>,
    ) -> Result<(), Error> {
        match op {
            WorktreeOp::Write {
                path,
                kind,
                blob_id,
                previous,
            } => {
                let (object_kind, data) = self.repo.object(&blob_id)?;
                if object_kind != Kind::Blob {
                    return Err(Error::NotABlob { id: blob_id });
                }
                self.remember(worktree, &path, previous)?;
                let meta = worktree.write_blob(&path, kind, blob_id, &data)?;
                written.insert(path, meta);
            }
            WorktreeOp::WriteData {
                path,
                kind,
                data,
                previous,
            } => {
                self.remember(worktree, &path, previous)?;
                let meta = worktree.write(&path, kind, &data)?;
                written.insert(path, meta);
            }
            WorktreeOp::CreateDir { path } => worktree.create_dir(&path)?,
            WorktreeOp::Remove { path, previous } => {
                self.remember(worktree, &path, previous)?;
                worktree.remove(&path)?;
            }
        }
        Ok(())
    }

    /// Undo every working-tree change, newest first, and return `cause` (wrapped if the undo
    /// itself failed).
    fn rollback(&mut self, cause: Error) -> Error {
        let Some(worktree) = self.repo.worktree() else {
            return cause;
        };
        let mut problems = Vec::new();
        while let Some(undo) = self.undo.pop() {
            let res = match &undo {
                Undo::Remove(path) => worktree.remove(path).map_err(Error::from),
                Undo::Write(path, kind, data) => worktree
                    .write(path, *kind, data)
                    .map(drop)
                    .map_err(Error::from),
                Undo::WriteBlob(path, kind, id) => self
                    .repo
                    .object(id)
                    .map_err(Error::from)
                    .and_then(|(_, data)| {
                        worktree
                            .write_blob(path, *kind, *id, &data)
                            .map(drop)
                            .map_err(Error::from)
                    }),
            };
            if let Err(err) = res {
                problems.push(err.to_string());
            }
        }
        if problems.is_empty() {
            cause
        } else {
            Error::UndoFailed {
                undo: problems.join("; "),
                source: Box::new(cause),
            }
        }
    }

    /// Commit every git-directory change in one transaction; undo the working tree if that
    /// fails.
    pub(crate) fn commit(mut self) -> Result<(), Error> {
        let transaction = self.pending.transaction();
        if transaction.changes.is_empty() {
            return Ok(());
        }
        match self.repo.files.commit(transaction) {
            Ok(()) => Ok(()),
            Err(err) => Err(self.rollback(err.into())),
        }
    }

    /// Give up: undo the working tree and return `cause`.
    pub(crate) fn abort(mut self, cause: Error) -> Error {
        self.rollback(cause)
    }
}

/// Before writing an index read from a file with modification time `index_mtime`: every entry
/// that is racily clean against it (see `tabgit_index::stat`) and whose file no longer matches
/// gets its recorded size set to 0, so that no later reader trusts its stat data
/// (`ce_smudge_racily_clean_entry` in git's `read-cache.c`). Without an index time (stores
/// whose timestamps are change counters) nothing is racy.
pub(crate) fn smudge_racily_clean(
    state: &mut State,
    worktree: &dyn Worktree,
    index_mtime: Option<Time>,
) -> Result<(), Error> {
    let Some(index_mtime) = index_mtime else {
        return Ok(());
    };
    let options = tabgit_index::stat::Options::default();
    let racy: Vec<usize> = state
        .entries()
        .iter()
        .enumerate()
        .filter(|(_, e)| {
            e.stage == tabgit_index::Stage::Merged
                && e.stat.size != 0
                && tabgit_index::stat::is_racily_clean(e, index_mtime, &options)
        })
        .map(|(idx, _)| idx)
        .collect();
    for idx in racy {
        let entry = &state.entries()[idx];
        let unchanged = match worktree.read(&entry.path)? {
            Some((_, data)) => tabgit_object::compute_id(Kind::Blob, &data) == entry.object_id,
            None => false,
        };
        if !unchanged {
            let mut stat = entry.stat;
            stat.size = 0;
            state
                .set_stat(idx, stat)
                .expect("the index was taken from the entries just enumerated");
        }
    }
    Ok(())
}
