//! Diffs as git computes them: tree against tree, rename and copy detection, line diffs of blobs,
//! unified patches `git apply` accepts, word-level changes and diff statistics. Sans-IO: objects
//! come in through [`tabgit_object::Find`], output goes into a `Vec<u8>`.
//!
//! * [`tree`]: the changes between two trees ([`tree::diff()`]), like `git diff-tree -r`,
//!   optionally limited to [`path::Prefixes`].
//! * [`tree_index`]: the changes between a tree and the index, like `git diff-index --cached`.
//! * [`rename`]: turn additions and deletions into [`Change::Rename`] and [`Change::Copy`]
//!   (git's `diffcore-rename.c`, `-M`/`-C`).
//! * [`blob`]: binary detection, size limits, and the line diff of two blobs.
//! * [`lines`]: the line diff itself (Myers or histogram), grouped into hunks with context.
//! * [`words`]: the changed words of a changed line pair, for a side-by-side view.
//! * [`patch`]: unified output (`git diff -p`), [`raw`]: `--raw` lines, [`stat`]: `--numstat`,
//!   `--stat` and `--shortstat`.
//!
//! A [`Change`] is plain data, so the porcelain can build them for index↔worktree comparisons
//! and reuse rename detection, patches and statistics.
//!
//! ## Examples
//!
//! Diff two blobs and write the hunks as git would:
//!
//! ```
//! use tabgit_diff::{blob, lines};
//! let old = b"one\ntwo\nthree\n";
//! let new = b"one\n2\nthree\n";
//! let diff = lines::Diff::compute(old, new, lines::Algorithm::Myers);
//! assert_eq!((diff.insertions(), diff.deletions()), (1, 1));
//! let mut out = Vec::new();
//! diff.write_hunks(&mut out, &lines::HunkOptions::default());
//! assert_eq!(out, b"@@ -1,3 +1,3 @@\n one\n-two\n+2\n three\n");
//! assert!(!blob::is_binary(old));
//! ```
//!
//! Diff two trees and detect renames:
//!
//! ```
//! use tabgit_diff::{rename, tree, Change};
//! use tabgit_object::{compute_id, tree::Entry, Data, EntryMode, Find, Kind, ObjectId, Tree};
//! use std::collections::HashMap;
//!
//! struct Objects(HashMap<ObjectId, (Kind, Vec<u8>)>);
//! impl Find for Objects {
//!     fn try_find<'a>(&self, id: &ObjectId, buf: &'a mut Vec<u8>)
//!         -> Result<Option<Data<'a>>, tabgit_object::find::Error> {
//!         Ok(self.0.get(id).map(|(kind, data)| {
//!             buf.clear();
//!             buf.extend_from_slice(data);
//!             Data { kind: *kind, data: buf.as_slice() }
//!         }))
//!     }
//! }
//! let mut objects = Objects(HashMap::new());
//! let mut add = |kind, data: Vec<u8>| {
//!     let id = compute_id(kind, &data);
//!     objects.0.insert(id, (kind, data));
//!     id
//! };
//! let blob_id = add(Kind::Blob, b"fn main() {}\n".to_vec());
//! let tree = |name: &[u8]| Tree {
//!     entries: vec![Entry { mode: EntryMode::BLOB, filename: name.to_vec(), oid: blob_id }],
//! };
//! let old_tree_id = add(Kind::Tree, tree(b"old.rs").to_bytes());
//! let new_tree_id = add(Kind::Tree, tree(b"new.rs").to_bytes());
//!
//! let changes = tree::diff(&objects, Some(&old_tree_id), Some(&new_tree_id), &tree::Options::default())?;
//! assert_eq!(changes.len(), 2, "a deletion and an addition");
//! let outcome = rename::detect(&objects, changes, &rename::Options::default())?;
//! assert!(matches!(&outcome.changes[..], [Change::Rename { similarity, .. }] if similarity.percent() == 100));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod blob;
pub mod lines;
pub mod patch;
pub mod path;
pub mod raw;
pub mod rename;
pub mod stat;
pub mod tree;
pub mod tree_index;
pub mod words;

pub use tabgit_hash::ObjectId;
pub use tabgit_object::EntryMode;

/// One side of a change: the mode and object a path has in a tree, the index or the worktree.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub struct Side {
    /// The mode, canonicalized as git's tree walker does (`100644`, `100755`, `120000`,
    /// `160000`; see [`tree::canonical_mode`]).
    pub mode: EntryMode,
    /// The blob (or, for a gitlink, the commit).
    pub object_id: ObjectId,
}

/// Access
impl Side {
    /// Whether this side is a regular file, executable or not (git's `S_ISREG`).
    pub fn is_regular_file(&self) -> bool {
        self.mode.value() & FILE_TYPE_MASK == 0o100000
    }

    /// Whether this side is a gitlink (a submodule's commit).
    pub fn is_gitlink(&self) -> bool {
        self.mode.value() & FILE_TYPE_MASK == 0o160000
    }

    /// Whether `self` and `other` are different kinds of entry (file, symlink, gitlink), which
    /// git reports as a type change (`T`) rather than a modification.
    pub fn is_type_change_to(&self, other: &Side) -> bool {
        (self.mode.value() ^ other.mode.value()) & FILE_TYPE_MASK != 0
    }
}

/// The file-type bits of a mode (`S_IFMT`).
pub(crate) const FILE_TYPE_MASK: u32 = 0o170000;

/// How similar the two sides of a rename or copy are, on git's scale of 0 to 60000
/// (`MAX_SCORE` in `diffcore.h`); `R085` in `--name-status` is [`Similarity::percent`].
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash, PartialOrd, Ord)]
pub struct Similarity(u32);

impl Similarity {
    /// Identical content: an exact rename.
    pub const MAX: Similarity = Similarity(60000);
    /// git's default threshold for `-M` and `-C`: 50%.
    pub const DEFAULT_THRESHOLD: Similarity = Similarity(30000);

    /// A similarity of `score` on git's scale, capped at [`Similarity::MAX`].
    pub fn from_score(score: u32) -> Self {
        Similarity(score.min(Self::MAX.0))
    }

    /// A similarity of `percent` percent, capped at 100.
    pub fn from_percent(percent: u32) -> Self {
        Similarity(percent.min(100) * Self::MAX.0 / 100)
    }

    /// Parse a threshold as `-M<n>` takes it: `50%`, `50` (meaning 0.50), `.5`, `05` (5%) — git's
    /// `parse_rename_score` in `diff.c`. Returns the score and the unparsed rest of `input`.
    ///
    /// ### Relation to git
    ///
    /// Digits without `%` are a decimal fraction: `-M5` is 50% and `-M05` is 5%.
    pub fn parse(input: &[u8]) -> (Self, &[u8]) {
        let mut num: u64 = 0;
        let mut scale: u64 = 1;
        let mut dot = false;
        let mut idx = 0;
        while let Some(&byte) = input.get(idx) {
            if !dot && byte == b'.' {
                scale = 1;
                dot = true;
            } else if byte == b'%' {
                scale = if dot { scale * 100 } else { 100 };
                idx += 1;
                break;
            } else if byte.is_ascii_digit() {
                if scale < 100_000 {
                    scale *= 10;
                    num = num * 10 + u64::from(byte - b'0');
                }
            } else {
                break;
            }
            idx += 1;
        }
        let max = u64::from(Self::MAX.0);
        let score = if num >= scale { max } else { max * num / scale };
        (Similarity(score as u32), &input[idx..])
    }

    /// The score on git's scale of 0 to 60000.
    pub fn score(self) -> u32 {
        self.0
    }

    /// The score as git prints it: whole percent, rounded down (`similarity_index` in `diff.c`).
    pub fn percent(self) -> u32 {
        self.0 * 100 / Self::MAX.0
    }
}

/// What happened to a path, by the letter git prints in `--name-status` and `--raw`.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub enum Status {
    /// `A`: the path is new.
    Added,
    /// `D`: the path is gone.
    Deleted,
    /// `M`: content or executable bit changed.
    Modified,
    /// `T`: the kind of entry changed (file, symlink, gitlink).
    TypeChanged,
    /// `R`: moved, possibly with edits.
    Renamed,
    /// `C`: copied from another path that still exists, possibly with edits.
    Copied,
}

impl Status {
    /// The letter git prints.
    pub fn letter(self) -> u8 {
        match self {
            Status::Added => b'A',
            Status::Deleted => b'D',
            Status::Modified => b'M',
            Status::TypeChanged => b'T',
            Status::Renamed => b'R',
            Status::Copied => b'C',
        }
    }
}

/// One change between two trees (or a tree and the index, or the index and the worktree).
///
/// Paths are full, `/`-separated and relative to the top of the tree. Directories never appear:
/// a tree's files are listed one by one, as `git diff-tree -r` lists them.
#[derive(Clone, PartialEq, Eq, Debug, Hash)]
pub enum Change {
    /// A path that exists only on the new side.
    Addition {
        /// The path.
        path: Vec<u8>,
        /// What it is.
        new: Side,
    },
    /// A path that exists only on the old side.
    Deletion {
        /// The path.
        path: Vec<u8>,
        /// What it was.
        old: Side,
    },
    /// A path on both sides whose object or mode differs.
    Modification {
        /// The path.
        path: Vec<u8>,
        /// What it was.
        old: Side,
        /// What it is.
        new: Side,
    },
    /// A deletion and an addition found to be the same file (see [`rename::detect`]).
    Rename {
        /// Where the file was.
        old_path: Vec<u8>,
        /// What it was.
        old: Side,
        /// Where the file is.
        new_path: Vec<u8>,
        /// What it is.
        new: Side,
        /// How similar the two sides are.
        similarity: Similarity,
    },
    /// An addition found to be a copy of a path that still exists (see [`rename::detect`]).
    Copy {
        /// The source path.
        old_path: Vec<u8>,
        /// What the source was.
        old: Side,
        /// The new path.
        new_path: Vec<u8>,
        /// What the copy is.
        new: Side,
        /// How similar the two sides are.
        similarity: Similarity,
    },
}

/// Access
impl Change {
    /// The status letter git would print.
    pub fn status(&self) -> Status {
        match self {
            Change::Addition { .. } => Status::Added,
            Change::Deletion { .. } => Status::Deleted,
            Change::Modification { old, new, .. } => {
                if old.is_type_change_to(new) {
                    Status::TypeChanged
                } else {
                    Status::Modified
                }
            }
            Change::Rename { .. } => Status::Renamed,
            Change::Copy { .. } => Status::Copied,
        }
    }

    /// The old path and side, unless the path was added.
    pub fn before(&self) -> Option<(&[u8], Side)> {
        match self {
            Change::Addition { .. } => None,
            Change::Deletion { path, old } | Change::Modification { path, old, .. } => {
                Some((path, *old))
            }
            Change::Rename { old_path, old, .. } | Change::Copy { old_path, old, .. } => {
                Some((old_path, *old))
            }
        }
    }

    /// The new path and side, unless the path was deleted.
    pub fn after(&self) -> Option<(&[u8], Side)> {
        match self {
            Change::Deletion { .. } => None,
            Change::Addition { path, new } | Change::Modification { path, new, .. } => {
                Some((path, *new))
            }
            Change::Rename { new_path, new, .. } | Change::Copy { new_path, new, .. } => {
                Some((new_path, *new))
            }
        }
    }

    /// The path before the change (the only path unless renamed or copied).
    pub fn old_path(&self) -> &[u8] {
        match self {
            Change::Addition { path, .. }
            | Change::Deletion { path, .. }
            | Change::Modification { path, .. } => path,
            Change::Rename { old_path, .. } | Change::Copy { old_path, .. } => old_path,
        }
    }

    /// The path after the change (the only path unless renamed or copied).
    pub fn new_path(&self) -> &[u8] {
        match self {
            Change::Addition { path, .. }
            | Change::Deletion { path, .. }
            | Change::Modification { path, .. } => path,
            Change::Rename { new_path, .. } | Change::Copy { new_path, .. } => new_path,
        }
    }

    /// The similarity of a rename or copy.
    pub fn similarity(&self) -> Option<Similarity> {
        match self {
            Change::Rename { similarity, .. } | Change::Copy { similarity, .. } => {
                Some(*similarity)
            }
            _ => None,
        }
    }
}
