//! The changes between two trees, as `git diff-tree -r` lists them (git's `tree-diff.c`).
//!
//! Both trees are walked together in git's tree order; a subtree is entered only when its id
//! differs between the sides, so the cost grows with the size of the change, not of the trees.
//! The walk uses an explicit stack, never recursion, so any depth fits the browser's stack.

use tabgit_object::{find, EntryMode, Kind, ObjectId};

use crate::path::Prefixes;

mod function;

pub use function::{diff, visit};

/// How to diff two trees.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct Options {
    /// Only report paths matching these prefixes, and only enter subtrees that can contain such
    /// paths (`git diff-tree -r A B -- <path>...`).
    pub paths: Prefixes,
}

/// The reasons two trees could not be compared.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A tree is not in the object database (in a partial clone: fetch it and try again).
    #[error("tree {tree_id} is missing")]
    NotFound {
        /// The missing tree.
        tree_id: ObjectId,
    },
    /// An id that should name a tree names another kind of object.
    #[error("object {object_id} is a {kind}, not a tree")]
    NotATree {
        /// The object.
        object_id: ObjectId,
        /// What it is.
        kind: Kind,
    },
    /// A tree could not be parsed.
    #[error("tree {tree_id} is malformed")]
    Decode {
        /// The tree.
        tree_id: ObjectId,
        /// What is wrong with it.
        #[source]
        source: tabgit_object::tree::Error,
    },
    /// The object database failed while reading a tree.
    #[error("could not read tree {tree_id}")]
    Find {
        /// The tree being read.
        tree_id: ObjectId,
        /// The store's error.
        #[source]
        source: find::Error,
    },
}

/// The mode git's tree walker reports for a tree entry's `mode` (`canon_mode` in `cache.h`):
/// regular files become `100644` or `100755` by their owner-execute bit, symlinks `120000`,
/// directories `40000`, and anything else a gitlink (`160000`).
///
/// ### Relation to git
///
/// This is why a legacy `100664` entry and a `100644` entry with the same blob are no change.
pub fn canonical_mode(mode: EntryMode) -> EntryMode {
    let value = mode.value();
    match value & crate::FILE_TYPE_MASK {
        0o100000 if value & 0o100 != 0 => EntryMode::BLOB_EXECUTABLE,
        0o100000 => EntryMode::BLOB,
        0o120000 => EntryMode::LINK,
        0o040000 => EntryMode::TREE,
        _ => EntryMode::COMMIT,
    }
}
