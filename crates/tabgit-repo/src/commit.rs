//! Recording the index as a commit (`git commit`): identities and time come in from the caller,
//! the commit is what `git commit-tree` writes from the same inputs, and the branch, its reflog,
//! the index and the merge state change together (see [`crate::update`]).

use tabgit_hash::ObjectId;
use tabgit_index::stat::Time;
use tabgit_index::State;
use tabgit_object::{Commit, CommitRef, Kind, Signature};
use tabgit_refs::Target;
use tabgit_store::files::GitFiles;
use tabgit_store::refs::{Change, Expected, Head, LogEntry, RefEdit};

use crate::update::Update;
use crate::Repository;

/// The files an operation in progress leaves in the git directory, which a commit ends
/// (`remove_branch_state` in git's `branch.c`).
pub(crate) const STATE_FILES: &[&str] = &[
    "MERGE_HEAD",
    "MERGE_MSG",
    "MERGE_MODE",
    "MERGE_RR",
    "SQUASH_MSG",
    "CHERRY_PICK_HEAD",
    "REVERT_HEAD",
    "AUTO_MERGE",
];

/// Who and when: passed in, as the porcelain reads no clock.
#[derive(Clone, Debug)]
pub struct Context {
    /// The author of new commits.
    pub author: Signature,
    /// The committer (also the reflog identity).
    pub committer: Signature,
}

/// How to commit.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// The message, used as given (see [`cleanup_message`]); `None` with `amend` keeps the
    /// amended commit's message.
    pub message: Option<Vec<u8>>,
    /// Replace the current commit (`--amend`), keeping its author unless `reset_author`.
    pub amend: bool,
    /// With `amend`, take the author from the context (`--reset-author`).
    pub reset_author: bool,
    /// Commit even if the tree equals the parent's (`--allow-empty`).
    pub allow_empty: bool,
    /// Allow an empty message (`--allow-empty-message`).
    pub allow_empty_message: bool,
    /// Stage changes of tracked files first (`-a`).
    pub all: bool,
    /// The index file's modification time (see [`crate::status::Options::index_mtime`]).
    pub index_mtime: Option<Time>,
}

/// The commit made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// The new commit.
    pub commit_id: ObjectId,
    /// Its tree.
    pub tree_id: ObjectId,
    /// Its parents.
    pub parents: Vec<ObjectId>,
    /// The branch that moved (`None`: a detached `HEAD` moved).
    pub branch: Option<Vec<u8>>,
}

/// The reasons a commit was not made; nothing changed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The tree equals the parent's and empty commits were not allowed.
    #[error("nothing to commit")]
    NothingToCommit,
    /// Amending would leave a commit with the same tree as its parent.
    #[error("amending would make the commit empty; allow empty commits or reset instead")]
    EmptyAmend,
    /// The message is empty.
    #[error("aborting commit due to empty commit message")]
    EmptyMessage,
    /// There is no commit to amend.
    #[error("you have nothing to amend")]
    NothingToAmend,
    /// A merge is in progress; it cannot be amended into the last commit.
    #[error("you are in the middle of a merge -- cannot amend")]
    AmendDuringMerge,
    /// The index has conflicts.
    #[error("committing is not possible because you have unmerged files")]
    Unmerged {
        /// The conflicted paths.
        paths: Vec<Vec<u8>>,
    },
    /// `MERGE_HEAD` does not parse.
    #[error("MERGE_HEAD is corrupt")]
    BadMergeHead,
    /// The repository could not be read.
    #[error(transparent)]
    Repository(#[from] crate::Error),
    /// The index could not be turned into trees.
    #[error(transparent)]
    WriteTree(#[from] tabgit_index::write_tree::Error),
    /// Changes could not be staged (`all`).
    #[error(transparent)]
    Stage(#[from] crate::stage::Error),
    /// The update failed.
    #[error(transparent)]
    Update(#[from] crate::update::Error),
    /// The object database failed.
    #[error(transparent)]
    Odb(#[from] tabgit_store::odb::Error),
    /// A ref could not be prepared.
    #[error(transparent)]
    Refs(#[from] tabgit_store::refs::Error),
}

/// Stores objects through `&Odb` for [`tabgit_index::write_tree`].
pub(crate) struct ObjectWriter<'a, F: GitFiles>(pub &'a tabgit_store::odb::Odb<F>);

impl<F: GitFiles> tabgit_object::Write for ObjectWriter<'_, F> {
    fn write(&mut self, kind: Kind, data: &[u8]) -> Result<ObjectId, tabgit_object::find::Error> {
        Ok(self.0.write_loose(kind, data)?)
    }
}

/// The first line of a message (the reflog's "subject").
pub(crate) fn first_line(message: &[u8]) -> &[u8] {
    let end = message
        .iter()
        .position(|&b| b == b'\n')
        .unwrap_or(message.len());
    &message[..end]
}

/// Clean up a message as `git commit` does (`strbuf_stripspace`): trailing whitespace removed
/// from every line, leading and trailing blank lines dropped, runs of blank lines collapsed to
/// one, a final newline added; with `comment`, lines starting with it are dropped too (the
/// `strip` mode used for edited messages).
pub fn cleanup_message(message: &[u8], comment: Option<u8>) -> Vec<u8> {
    let mut out = Vec::new();
    let mut pending_blank = false;
    for line in message.split(|&b| b == b'\n') {
        if comment.is_some_and(|c| line.first() == Some(&c)) {
            continue;
        }
        let end = line
            .iter()
            .rposition(|b| !b.is_ascii_whitespace())
            .map_or(0, |p| p + 1);
        let line = &line[..end];
        if line.is_empty() {
            pending_blank = !out.is_empty();
            continue;
        }
        if pending_blank {
            out.push(b'\n');
            pending_blank = false;
        }
        out.extend_from_slice(line);
        out.push(b'\n');
    }
    out
}

/// Read `MERGE_HEAD`: the commits being merged.
pub(crate) fn merge_heads<F: GitFiles>(files: &F) -> Result<Vec<ObjectId>, Error> {
    let Some(data) = files.read("MERGE_HEAD").map_err(crate::Error::from)? else {
        return Ok(Vec::new());
    };
    data.split(|&b| b == b'\n')
        .filter(|line| !line.is_empty())
        .map(|line| ObjectId::from_hex(line).map_err(|_| Error::BadMergeHead))
        .collect()
}

/// The tree of the first parent, or the empty tree's id.
fn reference_tree<F: GitFiles + Clone>(
    repo: &Repository<F>,
    parents: &[ObjectId],
) -> Result<ObjectId, crate::Error> {
    match parents.first() {
        Some(parent) => repo.commit_tree(*parent),
        None => Ok(tabgit_object::compute_id(Kind::Tree, b"")),
    }
}

/// Record the index as a new commit on the current branch (or detached `HEAD`).
pub fn commit<F: GitFiles + Clone>(
    repo: &Repository<F>,
    context: &Context,
    options: &Options,
) -> Result<Outcome, Error> {
    let head = repo.head()?;
    let head_id = head.id();
    let merging = merge_heads(repo.files())?;
    let amended = match (options.amend, head_id) {
        (true, None) => return Err(Error::NothingToAmend),
        (true, Some(_)) if !merging.is_empty() => return Err(Error::AmendDuringMerge),
        (true, Some(id)) => {
            let (_, data) = repo.object(&id)?;
            let parsed = CommitRef::from_bytes(&data).map_err(|_| crate::Error::Unsupported {
                reason: format!("commit {id} is malformed"),
            })?;
            Some(parsed.to_owned().map_err(|_| crate::Error::Unsupported {
                reason: format!("commit {id} is malformed"),
            })?)
        }
        (false, _) => None,
    };

    let mut index: State = repo.index()?;
    let mut index_changed = false;
    if options.all {
        index_changed =
            crate::stage::add::update_tracked(repo, &mut index, &|_| true, options.index_mtime)?;
    }
    let unmerged: Vec<Vec<u8>> = index.conflicts().map(|c| c.path.to_vec()).collect();
    if !unmerged.is_empty() {
        return Err(Error::Unmerged { paths: unmerged });
    }
    let written = tabgit_index::write_tree(&index, &mut ObjectWriter(repo.odb()))?;
    let tree_id = written.tree_id;
    if index.cache_tree() != Some(&written.cache_tree) {
        index.set_cache_tree(Some(written.cache_tree));
        index_changed = true;
    }

    let parents: Vec<ObjectId> = match &amended {
        Some(old) => old.parents.clone(),
        None => head_id.into_iter().chain(merging.iter().copied()).collect(),
    };
    let committable = tree_id != reference_tree(repo, &parents)?;
    let amending_merge = amended.as_ref().is_some_and(|c| c.parents.len() > 1);
    if !committable && merging.is_empty() && !options.allow_empty && !amending_merge {
        return Err(if options.amend {
            Error::EmptyAmend
        } else {
            Error::NothingToCommit
        });
    }
    let message = match (&options.message, &amended) {
        (Some(message), _) => message.clone(),
        (None, Some(old)) => old.message.clone(),
        (None, None) => Vec::new(),
    };
    if message.iter().all(u8::is_ascii_whitespace) && !options.allow_empty_message {
        return Err(Error::EmptyMessage);
    }
    let author = match &amended {
        Some(old) if !options.reset_author => old.author.clone(),
        _ => context.author.clone(),
    };
    let commit = Commit {
        tree: tree_id,
        parents: parents.clone(),
        author,
        committer: context.committer.clone(),
        encoding: None,
        extra_headers: Vec::new(),
        message,
    };
    let commit_id = repo.odb().write_loose(Kind::Commit, &commit.to_bytes())?;

    let kind = if options.amend {
        "commit (amend)"
    } else if !merging.is_empty() {
        "commit (merge)"
    } else if head_id.is_none() {
        "commit (initial)"
    } else {
        "commit"
    };
    let mut reflog = kind.as_bytes().to_vec();
    reflog.extend_from_slice(b": ");
    reflog.extend_from_slice(first_line(&commit.message));
    let (name, branch) = match &head {
        Head::Branch { name, .. } => (name.clone(), Some(name.clone())),
        Head::Detached(_) => (b"HEAD".to_vec(), None),
    };
    let update = Update::new(repo);
    update.refs().commit(&[RefEdit {
        name,
        change: Change::Set(Target::Object(commit_id)),
        expected: head_id.map_or(Expected::Absent, Expected::Value),
        log: Some(LogEntry {
            committer: context.committer.clone(),
            message: reflog,
        }),
    }])?;
    if index_changed {
        update.write_index(&mut index, options.index_mtime)?;
    }
    for file in STATE_FILES {
        if repo.files().exists(file).map_err(crate::Error::from)? {
            update.remove(file)?;
        }
    }
    update.commit()?;
    Ok(Outcome {
        commit_id,
        tree_id,
        parents,
        branch,
    })
}

/// Access
impl<F: GitFiles + Clone> Repository<F> {
    /// The tree of commit `commit_id`.
    pub fn commit_tree(&self, commit_id: ObjectId) -> Result<ObjectId, crate::Error> {
        let (kind, data) = self.object(&commit_id)?;
        if kind != Kind::Commit {
            return Err(crate::Error::Unsupported {
                reason: format!("{commit_id} is a {kind}, not a commit"),
            });
        }
        CommitRef::from_bytes(&data)
            .map(|c| c.tree)
            .map_err(|_| crate::Error::Unsupported {
                reason: format!("commit {commit_id} is malformed"),
            })
    }
}
