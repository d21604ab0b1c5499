//! Merging a branch or commit into `HEAD` (`git merge`): fast-forwards, three-way merges with
//! conflicts as data, `--abort` and `--continue`, and what a conflict view needs to resolve a
//! file hunk by hunk.
//!
//! A merge that stops on conflicts leaves git's state in the git directory — `MERGE_HEAD`,
//! `MERGE_MSG`, `MERGE_MODE`, `ORIG_HEAD`, `AUTO_MERGE` and the index stages 1 to 3 — so it
//! survives a restart and native git can continue it (and the other way round). Every change to
//! refs, the index and the working tree goes through one [`crate::update`], so a failure leaves
//! them as they were.

use tabgit_hash::ObjectId;
use tabgit_object::Signature;

pub(crate) mod apply;
pub(crate) mod function;
pub(crate) mod pick;
mod resolve;

pub use function::{abort, continue_merge, in_progress, merge};
pub use resolve::{conflict, resolve, ConflictView, Resolution, Version};
pub use tabgit_merge::blob::{Choice, ConflictStyle, Hunk, Outcome as FileMerge};
pub use tabgit_merge::tree::{Conflict, Message, MessageKind, Outcome as TreeMerge};

/// Whether a merge may, must or must not fast-forward.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum FastForward {
    /// Fast-forward when possible, otherwise merge (`--ff`, the default).
    #[default]
    Allow,
    /// Always make a merge commit (`--no-ff`).
    Never,
    /// Only fast-forward; refuse otherwise (`--ff-only`).
    Only,
}

/// How to merge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// Fast-forward behaviour.
    pub fast_forward: FastForward,
    /// Commit a clean merge (`--commit`, the default); `false` stops before committing, as
    /// `--no-commit` does.
    pub commit: bool,
    /// The merge commit's message (`-m`); git's default (`Merge branch 'topic'`) otherwise.
    pub message: Option<Vec<u8>>,
    /// The conflict style; `None` reads `merge.conflictStyle` from the config.
    pub conflict_style: Option<ConflictStyle>,
    /// Merge histories without a common ancestor (`--allow-unrelated-histories`), with the
    /// empty tree as the base.
    pub allow_unrelated_histories: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            fast_forward: FastForward::Allow,
            commit: true,
            message: None,
            conflict_style: None,
            allow_unrelated_histories: false,
        }
    }
}

/// Who merges, and when: the core reads no clock and no environment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Context {
    /// The author of a merge commit.
    pub author: Signature,
    /// The committer of a merge commit, also written to the reflog.
    pub committer: Signature,
}

/// What a merge did. Conflicts are an outcome, not an error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// `HEAD` already contains the commit ("Already up to date.").
    UpToDate,
    /// `HEAD` moved forward to the commit.
    FastForward {
        /// Where `HEAD` was (`None` for an unborn branch).
        from: Option<ObjectId>,
        /// Where it is now.
        to: ObjectId,
    },
    /// The merge was clean and committed.
    Committed {
        /// The merge commit.
        commit_id: ObjectId,
        /// The merge (messages, tree).
        merge: TreeMerge,
    },
    /// The merge was clean but not committed (`--no-commit`): `MERGE_HEAD` is written and
    /// [`continue_merge()`] commits it.
    Stopped {
        /// The merge.
        merge: TreeMerge,
    },
    /// The merge has conflicts: the index has their stages, the working tree their markers, and
    /// `MERGE_HEAD` is written. Resolve them, then [`continue_merge()`], or [`abort()`].
    Conflicted {
        /// The merge, with its conflicts.
        merge: TreeMerge,
    },
}

/// Which operation left state in the git directory.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Operation {
    /// `git merge` (`MERGE_HEAD`).
    Merge,
    /// `git cherry-pick` (`CHERRY_PICK_HEAD`).
    CherryPick,
    /// `git revert` (`REVERT_HEAD`).
    Revert,
}

/// An operation that stopped on conflicts (or before committing) and waits to be continued or
/// aborted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InProgress {
    /// Which operation.
    pub operation: Operation,
    /// The commits being merged (`MERGE_HEAD`), picked or reverted.
    pub heads: Vec<ObjectId>,
    /// The prepared message (`MERGE_MSG`), comments included.
    pub message: Vec<u8>,
    /// Paths that still have conflict stages.
    pub unmerged: Vec<Vec<u8>>,
}

/// The reasons a merge (or its abort or continuation) could not run; nothing was changed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The repository could not be read.
    #[error(transparent)]
    Repository(#[from] crate::Error),
    /// A tree could not be read for checkout.
    #[error(transparent)]
    Checkout(#[from] crate::checkout::Error),
    /// A name could not be resolved.
    #[error(transparent)]
    RevParse(#[from] crate::rev_parse::Error),
    /// The history could not be read.
    #[error(transparent)]
    Graph(#[from] tabgit_revision::graph::Error),
    /// The merge could not be computed.
    #[error(transparent)]
    Merge(#[from] tabgit_merge::commit::Error),
    /// The merged trees could not be read.
    #[error(transparent)]
    Tree(#[from] tabgit_merge::tree::Error),
    /// The change could not be applied.
    #[error(transparent)]
    Update(#[from] crate::update::Error),
    /// A ref could not be changed.
    #[error(transparent)]
    Refs(#[from] tabgit_store::refs::Error),
    /// The object database failed.
    #[error(transparent)]
    Odb(#[from] tabgit_store::odb::Error),
    /// Storage failed.
    #[error(transparent)]
    Files(#[from] tabgit_store::files::Error),
    /// The working tree could not be read.
    #[error(transparent)]
    Worktree(#[from] tabgit_store::worktree::Error),
    /// The index refused a change.
    #[error(transparent)]
    Index(#[from] tabgit_index::state::Error),
    /// The index could not be written as a tree.
    #[error(transparent)]
    WriteTree(#[from] tabgit_index::write_tree::Error),
    /// The repository has no working tree.
    #[error("this operation must be run in a work tree")]
    Bare,
    /// The name does not name a commit.
    #[error("{name} - not something we can merge")]
    NotACommit {
        /// The name.
        name: String,
    },
    /// A commit does not parse.
    #[error("commit {commit_id} is malformed")]
    MalformedCommit {
        /// The commit.
        commit_id: ObjectId,
    },
    /// Another merge, cherry-pick or revert is in progress.
    #[error("you have not concluded your {operation:?} ({file} exists); commit or abort it first")]
    InProgress {
        /// What is in progress.
        operation: Operation,
        /// The state file.
        file: &'static str,
    },
    /// The index has unmerged paths.
    #[error("merging is not possible because you have unmerged files")]
    Unmerged {
        /// The unmerged paths.
        paths: Vec<Vec<u8>>,
    },
    /// The histories have no common ancestor.
    #[error("refusing to merge unrelated histories")]
    UnrelatedHistories,
    /// `--ff-only` and the histories diverged.
    #[error("Not possible to fast-forward, aborting.")]
    NotPossibleToFastForward,
    /// Local changes (staged, or in files the merge must change) would be overwritten.
    #[error(
        "Your local changes to the following files would be overwritten by merge:\n{}",
        list(paths)
    )]
    LocalChanges {
        /// The files.
        paths: Vec<Vec<u8>>,
    },
    /// Untracked files are where the merge must write.
    #[error(
        "The following untracked working tree files would be overwritten by merge:\n{}",
        list(paths)
    )]
    UntrackedOverwritten {
        /// The files.
        paths: Vec<Vec<u8>>,
    },
    /// There is no merge (or pick) to abort or continue.
    #[error("There is no merge to {action} (MERGE_HEAD missing).")]
    NothingInProgress {
        /// `abort` or `continue`.
        action: &'static str,
    },
    /// Conflicts remain.
    #[error("Committing is not possible because you have unmerged files.")]
    UnresolvedConflicts {
        /// The unmerged paths.
        paths: Vec<Vec<u8>>,
    },
    /// A path has no conflict to resolve.
    #[error("{path} has no conflict")]
    NotConflicted {
        /// The path.
        path: String,
    },
    /// Picking or reverting a merge commit needs `-m <parent>`.
    #[error("commit {commit_id} is a merge but no -m option was given.")]
    MainlineMissing {
        /// The merge commit.
        commit_id: ObjectId,
    },
    /// `-m` names a parent the commit does not have.
    #[error("commit {commit_id} does not have parent {mainline}")]
    NoSuchParent {
        /// The commit.
        commit_id: ObjectId,
        /// The parent number asked for.
        mainline: usize,
    },
    /// `-m` was given for a commit that is not a merge.
    #[error("mainline was specified but commit {commit_id} is not a merge.")]
    NotAMerge {
        /// The commit.
        commit_id: ObjectId,
    },
    /// There is no commit to pick onto.
    #[error("cannot {action} onto an unborn branch")]
    UnbornHead {
        /// `cherry-pick` or `revert`.
        action: &'static str,
    },
    /// A resolution names a side the conflict does not have.
    #[error("{path} has no {side} version")]
    MissingSide {
        /// The path.
        path: String,
        /// `ours` or `theirs`.
        side: &'static str,
    },
}

fn list(paths: &[Vec<u8>]) -> String {
    paths
        .iter()
        .map(|p| format!("\t{}", String::from_utf8_lossy(p)))
        .collect::<Vec<_>>()
        .join("\n")
}
