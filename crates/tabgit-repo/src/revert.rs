//! Undoing an existing commit with a new commit (`git revert <commit>`): `Revert "<subject>"`,
//! `This reverts commit <id>.`; conflicts stop with `REVERT_HEAD`, to be resolved and continued
//! ([`crate::merge::continue_merge`]) or aborted ([`crate::merge::abort`]).

use tabgit_hash::ObjectId;
use tabgit_store::files::GitFiles;

use crate::merge::pick::{self, Action, PickOptions};
use crate::merge::{ConflictStyle, Context};
use crate::Repository;

pub use crate::cherry_pick::Outcome;
pub use crate::merge::Error;

/// How to revert.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// For a merge commit, the parent (1-based) to go back to (`-m 1` reverts what the merged
    /// branch brought in).
    pub mainline: Option<usize>,
    /// Commit the result (the default); `false` only updates the index and working tree
    /// (`--no-commit`).
    pub commit: bool,
    /// The conflict style; `None` reads `merge.conflictStyle`.
    pub conflict_style: Option<ConflictStyle>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            mainline: None,
            commit: true,
            conflict_style: None,
        }
    }
}

/// Revert `commit_id` on top of `HEAD`.
///
/// ### Algorithm
///
/// As git's sequencer: a three-way merge whose base is the commit (labelled
/// `<abbrev> (<subject>)`) and whose other side is its parent (labelled
/// `parent of <abbrev> (<subject>)`), applied to `HEAD`. A clean result is committed as
/// `Revert "<subject>"` + `This reverts commit <id>.` (for a merge,
/// `, reversing changes made to <parent>`; reverting a revert says `Reapply "…"`), authored by
/// [`Context::author`], reflog `revert: <subject>`.
///
/// ### Relation to git
///
/// Equal to `git revert --no-edit <commit>` for the same identities and times.
pub fn revert<F: GitFiles + Clone>(
    repo: &Repository<F>,
    commit_id: ObjectId,
    context: &Context,
    options: &Options,
) -> Result<Outcome, Error> {
    pick::pick(
        repo,
        commit_id,
        Action::Revert,
        context,
        &PickOptions {
            mainline: options.mainline,
            commit: options.commit,
            record_origin: false,
            conflict_style: options.conflict_style,
        },
    )
}
