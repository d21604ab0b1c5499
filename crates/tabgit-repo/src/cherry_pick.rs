//! Applying the changes of an existing commit on top of `HEAD` (`git cherry-pick <commit>`),
//! keeping its author and message; conflicts stop with `CHERRY_PICK_HEAD`, to be resolved and
//! continued ([`crate::merge::continue_merge`]) or aborted ([`crate::merge::abort`]).

use tabgit_hash::ObjectId;
use tabgit_store::files::GitFiles;

use crate::merge::pick::{self, Action, PickOptions};
use crate::merge::{ConflictStyle, Context, TreeMerge};
use crate::Repository;

pub use crate::merge::Error;

/// How to cherry-pick.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// For a merge commit, the parent (1-based) whose changes to it are picked (`-m`).
    pub mainline: Option<usize>,
    /// Commit the result (the default); `false` only updates the index and working tree
    /// (`--no-commit`).
    pub commit: bool,
    /// Append `(cherry picked from commit <id>)` to the message (`-x`).
    pub record_origin: bool,
    /// The conflict style; `None` reads `merge.conflictStyle`.
    pub conflict_style: Option<ConflictStyle>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            mainline: None,
            commit: true,
            record_origin: false,
            conflict_style: None,
        }
    }
}

/// What a cherry-pick (or revert) did; conflicts are an outcome, not an error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The changes applied cleanly and were committed.
    Committed {
        /// The new commit.
        commit_id: ObjectId,
        /// The merge that applied them.
        merge: TreeMerge,
    },
    /// The changes applied cleanly and were not committed (`--no-commit`).
    Stopped {
        /// The merge that applied them.
        merge: TreeMerge,
    },
    /// The changes conflict: the index has the stages, the files the markers, and
    /// `CHERRY_PICK_HEAD` (or `REVERT_HEAD`) and `MERGE_MSG` are written.
    Conflicted {
        /// The merge with its conflicts.
        merge: TreeMerge,
    },
}

/// Cherry-pick `commit_id` onto `HEAD`.
///
/// ### Algorithm
///
/// As git's sequencer for one commit: the index must equal `HEAD`'s tree; the trees of the
/// commit's parent (the base, labelled `parent of <abbrev> (<subject>)`), `HEAD` and the commit
/// (labelled `<abbrev> (<subject>)`) are merged with `merge-ort`'s algorithm; the working tree
/// and index move to the result. A clean result is committed with the commit's author and
/// message (reflog `cherry-pick: <subject>`).
///
/// ### Relation to git
///
/// Equal to `git cherry-pick <commit>` (commit ids included, for the same committer and time).
/// Ranges and sequences (`A..B`, `--continue` across several commits) are not supported.
pub fn cherry_pick<F: GitFiles + Clone>(
    repo: &Repository<F>,
    commit_id: ObjectId,
    context: &Context,
    options: &Options,
) -> Result<Outcome, Error> {
    pick::pick(
        repo,
        commit_id,
        Action::CherryPick,
        context,
        &PickOptions {
            mainline: options.mainline,
            commit: options.commit,
            record_origin: options.record_origin,
            conflict_style: options.conflict_style,
        },
    )
}
