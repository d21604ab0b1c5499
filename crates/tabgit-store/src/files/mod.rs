//! The git directory as named files.
//!
//! Paths are relative to the git directory and use `/` (`refs/heads/main`,
//! `objects/pack/pack-1234.idx`). They are checked by [`check_path`] before any backend sees them,
//! so no caller can name a file outside the repository.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use tabgit_pack::bundle::PackData;
use tabgit_pack::PackBytes;

/// The reasons a file operation failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The path is empty, absolute, or has an empty, `.` or `..` component.
    #[error("invalid repository path {path:?}")]
    InvalidPath {
        /// The offending path.
        path: String,
    },
    /// The storage failed.
    #[error("could not {action} {path}")]
    Io {
        /// What was being done.
        action: &'static str,
        /// The path.
        path: String,
        /// The system error.
        #[source]
        source: std::io::Error,
    },
    /// The storage is full.
    #[error("storage is full while writing {path}")]
    Full {
        /// The path being written.
        path: String,
    },
    /// The file's data lives in slower storage and has not been loaded yet (IndexedDB packs).
    #[error("{path} is not loaded yet: {reason}")]
    NotLoaded {
        /// The path.
        path: String,
        /// Which part.
        reason: String,
    },
    /// Another writer holds the lock on a file (and maybe on others the same change needs).
    #[error(
        "{path} is locked by another process (remove {path}.lock{} if no git command is running)",
        more_locks(.also)
    )]
    Locked {
        /// The locked path.
        path: String,
        /// Other paths of the same change whose locks are held too, so that a user whose git
        /// was killed mid-update clears them all at once.
        also: Vec<String>,
    },
}

fn more_locks(also: &[String]) -> String {
    also.iter().map(|path| format!(", {path}.lock")).collect()
}

/// Check that `path` stays inside the git directory.
pub fn check_path(path: &str) -> Result<(), Error> {
    let bad = path.is_empty()
        || path.starts_with('/')
        || path.contains('\\')
        || path.contains('\0')
        || path
            .split('/')
            .any(|c| c.is_empty() || c == "." || c == "..");
    if bad {
        return Err(Error::InvalidPath {
            path: path.to_owned(),
        });
    }
    Ok(())
}

/// One change in a [`Transaction`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// Create or replace a file.
    Write(Vec<u8>),
    /// Delete a file (no error if it is absent).
    Remove,
}

/// Changes to several files that a backend applies together: all of them or, where the
/// backend is transactional (memory, `IndexedDB`), none.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Transaction {
    /// The changes, applied in order.
    pub changes: Vec<(String, Change)>,
}

impl Transaction {
    /// Add a write.
    pub fn write(&mut self, path: impl Into<String>, data: Vec<u8>) -> &mut Self {
        self.changes.push((path.into(), Change::Write(data)));
        self
    }

    /// Add a removal.
    pub fn remove(&mut self, path: impl Into<String>) -> &mut Self {
        self.changes.push((path.into(), Change::Remove));
        self
    }
}

/// A git directory as named files. Methods take `&self`; backends synchronize internally.
pub trait GitFiles {
    /// Read a whole file, or `None` if it does not exist.
    fn read(&self, path: &str) -> Result<Option<Vec<u8>>, Error>;
    /// The names directly inside directory `dir` (`""` for the top), files and directories alike,
    /// sorted. A missing directory is empty.
    fn list(&self, dir: &str) -> Result<Vec<String>, Error>;
    /// Whether a file exists.
    fn exists(&self, path: &str) -> Result<bool, Error> {
        Ok(self.read(path)?.is_some())
    }
    /// Apply a transaction.
    fn commit(&self, transaction: Transaction) -> Result<(), Error>;
    /// Create or replace one file atomically.
    fn write(&self, path: &str, data: &[u8]) -> Result<(), Error> {
        let mut tx = Transaction::default();
        tx.write(path, data.to_vec());
        self.commit(tx)
    }
    /// Create or replace a pack file from the chunks it was received in. Backends that keep
    /// packs in chunks themselves (`IndexedDB`) take them as they are; the others write the
    /// bytes out.
    fn write_pack(&self, path: &str, pack: PackBytes) -> Result<(), Error> {
        let mut tx = Transaction::default();
        tx.write(path, pack.to_vec());
        drop(pack);
        self.commit(tx)
    }
    /// Delete one file.
    fn remove(&self, path: &str) -> Result<(), Error> {
        let mut tx = Transaction::default();
        tx.remove(path);
        self.commit(tx)
    }
    /// Random access to a large file (a pack) without necessarily reading all of it.
    fn pack_data(&self, path: &str) -> Result<Option<Box<dyn PackData>>, Error> {
        Ok(self
            .read(path)?
            .map(|data| Box::new(data) as Box<dyn PackData>))
    }
}

impl<T: GitFiles + ?Sized> GitFiles for Arc<T> {
    fn read(&self, path: &str) -> Result<Option<Vec<u8>>, Error> {
        (**self).read(path)
    }
    fn list(&self, dir: &str) -> Result<Vec<String>, Error> {
        (**self).list(dir)
    }
    fn exists(&self, path: &str) -> Result<bool, Error> {
        (**self).exists(path)
    }
    fn commit(&self, transaction: Transaction) -> Result<(), Error> {
        (**self).commit(transaction)
    }
    fn write_pack(&self, path: &str, pack: PackBytes) -> Result<(), Error> {
        (**self).write_pack(path, pack)
    }
    fn pack_data(&self, path: &str) -> Result<Option<Box<dyn PackData>>, Error> {
        (**self).pack_data(path)
    }
}

/// A git directory held in memory. Transactions are atomic. Cloning shares the same files.
#[derive(Clone, Default)]
pub struct MemoryFiles {
    files: Arc<Mutex<BTreeMap<String, Arc<[u8]>>>>,
}

impl MemoryFiles {
    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, Arc<[u8]>>> {
        self.files
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Every file, for persisting the whole directory or comparing two.
    pub fn snapshot(&self) -> BTreeMap<String, Arc<[u8]>> {
        self.lock().clone()
    }

    /// Read a file without copying it.
    pub fn read_shared(&self, path: &str) -> Option<Arc<[u8]>> {
        self.lock().get(path).cloned()
    }
}

impl GitFiles for MemoryFiles {
    fn pack_data(&self, path: &str) -> Result<Option<Box<dyn PackData>>, Error> {
        check_path(path)?;
        Ok(self
            .read_shared(path)
            .map(|data| Box::new(data) as Box<dyn PackData>))
    }

    fn read(&self, path: &str) -> Result<Option<Vec<u8>>, Error> {
        check_path(path)?;
        Ok(self.lock().get(path).map(|d| d.to_vec()))
    }

    fn exists(&self, path: &str) -> Result<bool, Error> {
        check_path(path)?;
        Ok(self.lock().contains_key(path))
    }

    fn list(&self, dir: &str) -> Result<Vec<String>, Error> {
        let prefix = if dir.is_empty() {
            String::new()
        } else {
            check_path(dir)?;
            format!("{dir}/")
        };
        let files = self.lock();
        let mut names: Vec<String> = files
            .range(prefix.clone()..)
            .take_while(|(path, _)| path.starts_with(&prefix))
            .map(|(path, _)| {
                path[prefix.len()..]
                    .split('/')
                    .next()
                    .unwrap_or_default()
                    .to_owned()
            })
            .collect();
        names.dedup();
        Ok(names)
    }

    fn commit(&self, transaction: Transaction) -> Result<(), Error> {
        for (path, _) in &transaction.changes {
            check_path(path)?;
        }
        let mut files = self.lock();
        for (path, change) in transaction.changes {
            match change {
                Change::Write(data) => {
                    files.insert(path, data.into());
                }
                Change::Remove => {
                    files.remove(&path);
                }
            }
        }
        Ok(())
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod fs;
#[cfg(not(target_arch = "wasm32"))]
pub use fs::FsFiles;
