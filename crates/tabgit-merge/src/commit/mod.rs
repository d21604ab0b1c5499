//! Merging two commits as `git merge` does: find their merge bases and, when there are several
//! (a criss-cross history), merge the bases into a virtual one first (`merge-ort`'s recursive
//! merge), then merge the trees.

use std::collections::HashSet;

use tabgit_object::{Find, ObjectId, Write};

use crate::tree;

mod function;

pub use function::merge;

/// What a commit merge needs besides the commits.
pub struct Context<'a> {
    /// Where objects are read.
    pub find: &'a dyn Find,
    /// Where merged blobs and trees are stored (virtual merge-base commits are not stored).
    pub write: &'a mut dyn Write,
    /// Commits treated as having no parents (a shallow clone's boundary).
    pub shallow: HashSet<ObjectId>,
    /// How a single merge base is named in diff3 markers: git uses the commit's shortest unique
    /// abbreviation (`find_unique_abbrev`), which only the repository can compute.
    pub abbreviate: &'a dyn Fn(&ObjectId) -> Vec<u8>,
}

/// The names of the two sides.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Labels<'a> {
    /// Our side, usually `HEAD`.
    pub ours: &'a [u8],
    /// Their side: the name the user gave (`topic`, `origin/main`, an id).
    pub theirs: &'a [u8],
}

/// The result of [`merge()`].
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Outcome {
    /// The merge of the trees.
    pub tree: tree::Outcome,
    /// The merge bases, newest first (empty for unrelated histories).
    pub merge_bases: Vec<ObjectId>,
}

/// The reasons two commits could not be merged (conflicts are not errors).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The history could not be read.
    #[error(transparent)]
    Graph(#[from] tabgit_revision::graph::Error),
    /// A commit does not parse.
    #[error("commit {commit_id} is malformed")]
    Commit {
        /// The commit.
        commit_id: ObjectId,
        /// Why.
        #[source]
        source: tabgit_object::commit::Error,
    },
    /// A tree merge failed.
    #[error(transparent)]
    Tree(#[from] tree::Error),
    /// Merge bases nest deeper than the merge allows.
    #[error("merge bases nest deeper than {MAX_CALL_DEPTH} levels")]
    TooDeep,
}

/// How many levels of virtual merge bases a merge builds at most.
pub const MAX_CALL_DEPTH: usize = 64;
