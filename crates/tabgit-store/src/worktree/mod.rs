//! The working tree: the files a user edits, as a trait with three homes — a directory on disk
//! (native), memory (tests, and sessions without storage), and IndexedDB (browser).
//!
//! Paths are repository paths (`src/lib.rs`), checked with git's checkout-safety rules
//! (`tabgit_object::tree::check::path`) before any backend sees them: no `..`, no `.git` in any
//! spelling, no separators inside names. Writing never follows a symbolic link.

use tabgit_index::stat::{FileType, Metadata};

/// The reasons a worktree operation failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The path is not a safe repository path.
    #[error("refusing unsafe path {path:?}")]
    UnsafePath {
        /// The path, lossily decoded.
        path: String,
        /// Why it is unsafe.
        #[source]
        source: tabgit_object::tree::check::Error,
    },
    /// The storage failed.
    #[error("could not {action} {path}")]
    Io {
        /// What was being done.
        action: &'static str,
        /// The path, lossily decoded.
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
    /// The file's blob is in pack data not loaded yet (browser): load it and retry.
    #[error("pack data not loaded yet ({}, chunks {} to {})", .0.pack, .0.first, .0.last)]
    NotLoaded(crate::NotLoaded),
}

/// What kind of file to write.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FileKind {
    /// A regular file.
    File,
    /// An executable file.
    Executable,
    /// A symbolic link; the data is its target.
    Symlink,
}

/// What a directory listing entry is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EntryKind {
    /// A file of some kind.
    File(FileKind),
    /// A directory.
    Directory,
}

/// Check that `path` is a safe repository path.
pub fn check_path(path: &[u8]) -> Result<(), Error> {
    tabgit_object::tree::check::path(path).map_err(|source| Error::UnsafePath {
        path: String::from_utf8_lossy(path).into_owned(),
        source,
    })
}

/// A working tree.
pub trait Worktree {
    /// Read a file: its kind and bytes (a symlink's target), or `None` if absent or a directory.
    fn read(&self, path: &[u8]) -> Result<Option<(FileKind, Vec<u8>)>, Error>;
    /// The file's metadata for the index's stat cache, or `None` if absent.
    fn metadata(&self, path: &[u8]) -> Result<Option<Metadata>, Error>;
    /// The entries directly inside `dir` (`b""` for the top), sorted by name, without `.git`.
    fn list(&self, dir: &[u8]) -> Result<Vec<(Vec<u8>, EntryKind)>, Error>;
    /// Create or replace a file, creating parent directories and replacing whatever is in the
    /// way (a file where a directory must go, a symlink); return its new metadata.
    fn write(&self, path: &[u8], kind: FileKind, data: &[u8]) -> Result<Metadata, Error>;
    /// Remove a file, then any parent directories left empty.
    fn remove(&self, path: &[u8]) -> Result<(), Error>;
    /// Create an empty directory (what git checks out for a submodule it does not clone).
    fn create_dir(&self, path: &[u8]) -> Result<(), Error>;
    /// Write a file whose content is blob `blob_id` (a checkout). Stores that can remember
    /// "unchanged since checkout" keep only the id (the browser's IndexedDB tree).
    fn write_blob(
        &self,
        path: &[u8],
        kind: FileKind,
        blob_id: tabgit_hash::ObjectId,
        data: &[u8],
    ) -> Result<Metadata, Error> {
        let _ = blob_id;
        self.write(path, kind, data)
    }
    /// The blob a file still is, if the store knows it has not changed since it was written
    /// from that blob: status can then skip reading and hashing it.
    fn known_blob(&self, path: &[u8]) -> Option<tabgit_hash::ObjectId> {
        let _ = path;
        None
    }
}

/// The file type an entry kind corresponds to.
pub fn file_type(kind: FileKind) -> FileType {
    match kind {
        FileKind::File => FileType::File { executable: false },
        FileKind::Executable => FileType::File { executable: true },
        FileKind::Symlink => FileType::Symlink,
    }
}

mod memory;
pub use memory::MemoryWorktree;

#[cfg(not(target_arch = "wasm32"))]
mod fs;
#[cfg(not(target_arch = "wasm32"))]
pub use fs::FsWorktree;
