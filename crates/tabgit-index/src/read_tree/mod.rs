//! Building an index from a tree's flattened entries, as `git read-tree <tree>` does (git's
//! `builtin/read-tree.c` and `unpack-trees.c`): every blob, symlink and gitlink of the tree becomes
//! a merged entry with zeroed stat data.
//!
//! Walking the trees is the caller's job (it needs an object database); this module takes the
//! `(path, mode, id)` triples such a walk produces, in any order.

mod function;

pub use function::read_tree;

/// The reasons flattened tree entries could not become an index.
#[derive(Debug, thiserror::Error, PartialEq, Eq, Clone)]
pub enum Error {
    /// A triple names a subdirectory; only the files inside it belong in the index.
    #[error("tree entry {path:?} is a directory; pass the entries inside it instead")]
    Directory {
        /// The path, lossily decoded.
        path: String,
    },
    /// A path is not one git would check out (`verify_path`).
    #[error("tree entry {path:?} is not a valid index path")]
    InvalidPath {
        /// The path, lossily decoded.
        path: String,
        /// Why the path is invalid.
        #[source]
        source: tabgit_object::tree::check::Error,
    },
    /// The same path appears twice.
    #[error("tree entry {path:?} appears more than once")]
    Duplicate {
        /// The path, lossily decoded.
        path: String,
    },
    /// A path is a file and also a parent directory of another path.
    #[error("tree entry {path:?} is inside {file:?}, which is a file")]
    DirectoryFileConflict {
        /// The nested path, lossily decoded.
        path: String,
        /// The file that would have to be a directory, lossily decoded.
        file: String,
    },
}
