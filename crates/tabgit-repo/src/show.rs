//! One commit as a commit page shows it (`git show <commit>`): its header, full message,
//! parents, and the changes it made.

use tabgit_hash::ObjectId;
use tabgit_object::CommitRef;
use tabgit_store::files::GitFiles;

use crate::diff::{self, Diff};
use crate::log::{self, Summary};
use crate::Repository;

/// A commit with its changes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Show {
    /// Id, parents, author, committer, subject.
    pub summary: Summary,
    /// The whole message.
    pub message: Vec<u8>,
    /// The changes against the first parent (the empty tree for a root commit); `None` for a
    /// merge commit, whose combined diff is not computed.
    pub diff: Option<Diff>,
}

/// The reasons a commit could not be shown.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The commit could not be read.
    #[error(transparent)]
    Log(#[from] log::Error),
    /// Its changes could not be computed.
    #[error(transparent)]
    Diff(#[from] diff::Error),
    /// The repository could not be read.
    #[error(transparent)]
    Repository(#[from] crate::Error),
    /// The commit does not parse.
    #[error("commit {commit_id} is malformed")]
    Malformed {
        /// The commit.
        commit_id: ObjectId,
    },
}

/// Show `commit_id`.
///
/// ### Relation to git
///
/// For a commit with at most one parent, the changes equal `git show`'s (renames detected, as
/// `diff.renames` does by default). git shows a merge with a combined diff (`--cc`); this leaves
/// [`Show::diff`] empty for merges: diff against a chosen parent with [`diff::diff`].
pub fn show<F: GitFiles + Clone>(
    repo: &Repository<F>,
    commit_id: &ObjectId,
    options: &diff::Options,
) -> Result<Show, Error> {
    let summary = log::summary(repo, commit_id)?;
    let (_, data) = repo.object(commit_id)?;
    let commit = CommitRef::from_bytes(&data).map_err(|_| Error::Malformed {
        commit_id: *commit_id,
    })?;
    let message = commit.message.to_vec();
    let diff = if summary.parents.len() > 1 {
        None
    } else {
        Some(diff::commit(repo, commit_id, options)?)
    };
    Ok(Show {
        summary,
        message,
        diff,
    })
}
