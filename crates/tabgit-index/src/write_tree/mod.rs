//! Computing and storing the tree objects of an index, as `git write-tree` does (git's
//! `cache-tree.c` `update_one`).
//!
//! Every directory of the index becomes a tree whose entries are sorted in git's tree order
//! ([`tabgit_object::tree::compare_entries`]), with subdirectories as mode `40000`. The result also
//! carries the [`CacheTree`] git would record for the index, which the caller may install with
//! [`crate::State::set_cache_tree`].
//!
//! ### Relation to git
//!
//! * Conflicted paths make the operation fail, listing them (git prints `<path>: unmerged`).
//! * Intent-to-add entries are left out of the trees, and every directory that holds one is
//!   invalid in the cache tree; a directory holding only such entries is left out of its parent.
//! * An entry with the all-zero object id is refused, as git refuses it. Unlike git, the objects
//!   the entries name are not checked for existence: [`tabgit_object::Write`] cannot look them up.
//! * The cache tree the index already has is not consulted: every tree is computed again.

mod function;

pub use function::write_tree;

use tabgit_hash::ObjectId;
use tabgit_object::{Kind, Write};

use crate::extension::CacheTree;

/// The reasons trees could not be written for an index.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Some paths have conflict stages.
    #[error("cannot write a tree while {} path(s) are unmerged: {}", .paths.len(), list_paths(.paths))]
    Conflicts {
        /// The unmerged paths, sorted.
        paths: Vec<Vec<u8>>,
    },
    /// An entry stages the all-zero object id.
    #[error("index entry {path:?} has the null object id; stage the file again")]
    NullObjectId {
        /// The entry's path, lossily decoded.
        path: String,
    },
    /// A path has an empty component (a leading, trailing or doubled `/`).
    #[error("index entry {path:?} has an empty path component")]
    InvalidPath {
        /// The entry's path, lossily decoded.
        path: String,
    },
    /// A path is both a file and a directory.
    #[error("index has both a file and a directory named {path:?}; remove one of them")]
    DirectoryFileConflict {
        /// The path, lossily decoded.
        path: String,
    },
    /// The object store failed.
    #[error("could not store the tree for directory {path:?}")]
    Write {
        /// The directory, lossily decoded (empty for the root).
        path: String,
        /// What the store reported.
        #[source]
        source: tabgit_object::find::Error,
    },
}

/// The result of [`write_tree()`].
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Outcome {
    /// The id of the root tree.
    pub tree_id: ObjectId,
    /// The cache tree git would record for the index.
    pub cache_tree: CacheTree,
}

/// A [`Write`] that stores nothing and only computes ids, to learn the trees an index would give
/// (or prime a cache tree) without an object database.
#[derive(Clone, Copy, Debug, Default)]
pub struct DryRun;

impl Write for DryRun {
    fn write(&mut self, kind: Kind, data: &[u8]) -> Result<ObjectId, tabgit_object::find::Error> {
        Ok(tabgit_object::compute_id(kind, data))
    }
}

fn list_paths(paths: &[Vec<u8>]) -> String {
    const SHOWN: usize = 10;
    let mut list = paths
        .iter()
        .take(SHOWN)
        .map(|path| String::from_utf8_lossy(path).into_owned())
        .collect::<Vec<_>>()
        .join(", ");
    if paths.len() > SHOWN {
        use std::fmt::Write as _;
        write!(list, " and {} more", paths.len() - SHOWN).expect("writing to a String cannot fail");
    }
    list
}
