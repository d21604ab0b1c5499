//! Three-way merges of trees, as git's `merge-ort` does them: per path, with rename detection
//! on both sides, and conflicts as data.
//!
//! [`merge()`] takes a base tree and two side trees and produces the merged tree (conflicted
//! files hold their conflict markers, as the working tree should show them), the conflicts with
//! their index stages, and git's messages (`Auto-merging …`, `CONFLICT (…): …`).
//! [`Outcome::index`] turns that into the index git leaves behind: the merged tree's entries, with
//! each conflicted path at stages 1 to 3.
//!
//! Cases handled as `merge-ort` handles them: clean merges per path, content merges (text with
//! markers, binary keeps ours), executable-bit merges, modify/delete, add/add, renames on either
//! side (rename/modify, rename/delete, rename/rename one-to-two and two-to-one, rename/add),
//! directory/file conflicts (the file moves to `path~<branch>`), type changes (file, symlink,
//! gitlink: one side moves to `path~<branch>`), gitlinks, and the inner merges of a recursive
//! merge ([`Options::call_depth`]).

use tabgit_diff::{Side, Similarity};
use tabgit_object::{find, Kind, ObjectId};

use crate::blob;

pub(crate) mod function;

pub use function::merge;

/// How to merge trees.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Options {
    /// How file contents are merged: conflict style, marker size, `-X ours/theirs`, algorithm.
    /// [`blob::Options::virtual_ancestor`] is ignored (it follows [`Options::call_depth`]).
    pub blob: blob::Options,
    /// Rename detection, or `None` to treat renames as deletions and additions
    /// (`merge.renames = false`).
    pub renames: Option<RenameOptions>,
    /// 0 for a merge the user sees; more for the inner merges that build a virtual merge base
    /// in a recursive merge (longer markers, base versions kept where sides disagree, no
    /// messages).
    pub call_depth: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            blob: blob::Options::default(),
            renames: Some(RenameOptions::default()),
            call_depth: 0,
        }
    }
}

/// How renames are detected for a merge.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct RenameOptions {
    /// The least similarity for an inexact rename (`-X find-renames=<n>`, 50% by default).
    pub threshold: Similarity,
    /// Skip inexact detection beyond this many candidates per side (`merge.renameLimit`, 7000
    /// by default in `merge-ort`).
    pub limit: usize,
}

impl Default for RenameOptions {
    fn default() -> Self {
        RenameOptions {
            threshold: Similarity::DEFAULT_THRESHOLD,
            limit: 7000,
        }
    }
}

/// The names of the three trees, used in conflict markers, in `path~<branch>` names and in
/// messages.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Labels<'a> {
    /// The base (a commit's abbreviated id, `merged common ancestors`, `empty tree`, …).
    pub ancestor: &'a [u8],
    /// Our side, usually `HEAD`.
    pub ours: &'a [u8],
    /// Their side, usually the branch or commit being merged.
    pub theirs: &'a [u8],
}

/// The reasons a merge could not be computed (conflicts are not errors; see [`Outcome`]).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An object is missing (in a partial clone: fetch it and merge again).
    #[error("object {object_id} is missing")]
    NotFound {
        /// The object.
        object_id: ObjectId,
    },
    /// An object has the wrong kind.
    #[error("object {object_id} is a {actual}, not a {expected}")]
    WrongKind {
        /// The object.
        object_id: ObjectId,
        /// What the merge needed.
        expected: Kind,
        /// What it is.
        actual: Kind,
    },
    /// A tree does not parse.
    #[error("tree {tree_id} is malformed")]
    Decode {
        /// The tree.
        tree_id: ObjectId,
        /// Why.
        #[source]
        source: tabgit_object::tree::Error,
    },
    /// The object database failed.
    #[error("could not read object {object_id}")]
    Find {
        /// The object.
        object_id: ObjectId,
        /// The store's error.
        #[source]
        source: find::Error,
    },
    /// A merged blob or tree could not be stored.
    #[error("could not store a merged {kind}")]
    Write {
        /// What was being stored.
        kind: Kind,
        /// The store's error.
        #[source]
        source: find::Error,
    },
    /// Rename detection failed.
    #[error(transparent)]
    Rename(#[from] tabgit_diff::rename::Error),
    /// A tree nests deeper than the merge allows.
    #[error("trees nest deeper than {MAX_DEPTH} levels")]
    TooDeep,
    /// The merged tree holds a path the index cannot (an unsafe name).
    #[error("the merged tree cannot be put into the index")]
    IndexFromTree(#[source] tabgit_index::read_tree::Error),
    /// A conflict could not be recorded in the index.
    #[error("could not record a conflict in the index")]
    Index(#[source] tabgit_index::state::Error),
}

/// How deep trees may nest (git's `core.maxTreeDepth` default).
pub const MAX_DEPTH: usize = 2048;

/// What kind of conflict (or note) a [`Message`] reports; the names follow `merge-ort`'s
/// `type_short_descriptions`.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub enum MessageKind {
    /// `Auto-merging`: a content merge ran (not a conflict).
    AutoMerging,
    /// `CONFLICT (contents)`: a text merge with conflict markers (add/add included).
    Contents,
    /// `CONFLICT (binary)`: binary content changed on both sides.
    Binary,
    /// `CONFLICT (file/directory)`: a file where the other side has a directory.
    FileDirectory,
    /// `CONFLICT (distinct modes)`: a file on one side, a symlink or gitlink on the other.
    DistinctTypes,
    /// `CONFLICT (modify/delete)`.
    ModifyDelete,
    /// `CONFLICT (rename/rename)`: renamed differently on each side.
    RenameRename,
    /// `CONFLICT (rename involved in collision)`: a rename onto a path the other side also uses.
    RenameCollides,
    /// `CONFLICT (rename/delete)`.
    RenameDelete,
    /// `CONFLICT (submodule)`: a gitlink changed differently on both sides.
    Submodule,
}

impl MessageKind {
    /// Whether the message reports a conflict (everything but [`MessageKind::AutoMerging`]).
    pub fn is_conflict(self) -> bool {
        self != MessageKind::AutoMerging
    }
}

/// One of git's merge messages.
#[derive(Clone, PartialEq, Eq, Debug, Hash)]
pub struct Message {
    /// The path the message is about (messages are ordered by it).
    pub path: Vec<u8>,
    /// What happened.
    pub kind: MessageKind,
    /// git's text, e.g. `CONFLICT (content): Merge conflict in README.md`.
    pub text: String,
}

/// A path the merge could not resolve.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Conflict {
    /// The path (in the merged tree and the index).
    pub path: Vec<u8>,
    /// Stage 1: the base's version, if any.
    pub base: Option<Side>,
    /// Stage 2: our version, if any.
    pub ours: Option<Side>,
    /// Stage 3: their version, if any.
    pub theirs: Option<Side>,
    /// The conflicts reported for this path.
    pub kinds: Vec<MessageKind>,
    /// For a content merge: the merge by hunks, to resolve hunk by hunk. The merged tree holds
    /// its [`blob::Outcome::result`].
    pub content: Option<blob::Outcome>,
}

/// The result of [`merge()`].
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Outcome {
    /// The merged tree. Conflicted text files hold their conflict markers, a modify/delete keeps
    /// the modified file, and a file in the way of a directory sits at `path~<branch>`: this is
    /// what the working tree shows after the merge.
    pub tree_id: ObjectId,
    /// The conflicts, ordered by path.
    pub conflicts: Vec<Conflict>,
    /// git's messages, ordered by path (empty for inner merges).
    pub messages: Vec<Message>,
    /// Set when the rename limit stopped inexact rename detection: the limit that was needed.
    pub needed_rename_limit: Option<usize>,
}

/// Access
impl Outcome {
    /// Whether the merge has no conflicts.
    pub fn is_clean(&self) -> bool {
        self.conflicts.is_empty()
    }
}

/// Conversion
impl Outcome {
    /// The index git leaves after this merge: every file of [`Outcome::tree_id`] at stage 0,
    /// except conflicted paths, which have their stages 1 to 3 instead.
    pub fn index(&self, find: &dyn tabgit_object::Find) -> Result<tabgit_index::State, Error> {
        let conflicted: std::collections::HashSet<&[u8]> =
            self.conflicts.iter().map(|c| c.path.as_slice()).collect();
        let files = function::flatten(find, &self.tree_id)?;
        let mut state = tabgit_index::read_tree(
            files
                .into_iter()
                .filter(|(path, _, _)| !conflicted.contains(path.as_slice())),
        )
        .map_err(Error::IndexFromTree)?;
        let side = |side: &Option<Side>| {
            side.and_then(|side| {
                tabgit_index::Mode::from_tree_mode(side.mode).map(|mode| {
                    tabgit_index::ConflictSide {
                        mode,
                        object_id: side.object_id,
                    }
                })
            })
        };
        for conflict in &self.conflicts {
            state
                .add_conflict(
                    &conflict.path,
                    side(&conflict.base),
                    side(&conflict.ours),
                    side(&conflict.theirs),
                )
                .map_err(Error::Index)?;
        }
        Ok(state)
    }
}
