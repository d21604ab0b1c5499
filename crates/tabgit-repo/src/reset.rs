//! Moving the current branch (`git reset --soft`, `--mixed`, `--hard`).
//!
//! `ORIG_HEAD` records where `HEAD` was, and the branch's and `HEAD`'s reflogs get
//! `reset: moving to <rev>`, so a hard reset can be undone with `reset --hard HEAD@{1}` or
//! `ORIG_HEAD`. Refs, index and working tree change in one update (see [`crate::update`]);
//! a hard reset reads every file it overwrites or removes that has local changes before changing
//! it, so a failure midway restores them.

use std::collections::{BTreeMap, HashSet};

use tabgit_hash::ObjectId;
use tabgit_index::stat::Time;
use tabgit_index::{Mode, Stage, State};
use tabgit_object::Signature;
use tabgit_refs::Target;
use tabgit_store::files::GitFiles;
use tabgit_store::refs::{Change, Expected, Head, LogEntry, RefEdit};
use tabgit_store::worktree::Worktree;

use crate::stage::kind_for;
use crate::status;
use crate::update::{Previous, Update, WorktreeOp};
use crate::Repository;

/// What a reset changes besides the branch.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Kind {
    /// Only the branch (`--soft`).
    Soft,
    /// The branch and the index (`--mixed`, the default).
    #[default]
    Mixed,
    /// The branch, the index and the working tree (`--hard`); untracked files stay.
    Hard,
}

/// How to reset.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// What to change.
    pub kind: Kind,
    /// The index file's modification time (see [`status::Options::index_mtime`]).
    pub index_mtime: Option<Time>,
}

/// Who, and what the user asked for.
#[derive(Clone, Debug)]
pub struct Context {
    /// The reflog identity.
    pub committer: Signature,
    /// The revision as typed, for the reflog (`reset: moving to HEAD~1`).
    pub target_name: Vec<u8>,
}

/// What the reset did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Where `HEAD` was.
    pub previous: Option<ObjectId>,
    /// Tracked paths whose files differ from the new index afterwards (what `git reset` lists
    /// as "Unstaged changes after reset"), with git's letter (`M`, `D`, `T`).
    pub unstaged: Vec<(u8, Vec<u8>)>,
}

/// The reasons a reset failed; nothing changed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A soft reset during a merge would lose the merge.
    #[error("cannot do a soft reset in the middle of a merge")]
    SoftDuringMerge,
    /// The target is not a commit.
    #[error("{id} is not a commit")]
    NotACommit {
        /// The object.
        id: ObjectId,
    },
    /// The repository could not be read.
    #[error(transparent)]
    Repository(#[from] crate::Error),
    /// The target tree could not be read.
    #[error(transparent)]
    Checkout(#[from] crate::checkout::Error),
    /// The working tree could not be read.
    #[error(transparent)]
    Worktree(#[from] tabgit_store::worktree::Error),
    /// The update failed.
    #[error(transparent)]
    Update(#[from] crate::update::Error),
    /// A ref could not be prepared.
    #[error(transparent)]
    Refs(#[from] tabgit_store::refs::Error),
    /// The index refused an entry.
    #[error(transparent)]
    Index(#[from] tabgit_index::state::Error),
    /// The index could not be built.
    #[error(transparent)]
    ReadTree(#[from] tabgit_index::read_tree::Error),
}

/// A tree's files: path → (mode, blob).
pub(crate) type Files = BTreeMap<Vec<u8>, (Mode, ObjectId)>;

/// The files of `tree` (checked with fsck's rules), or none.
pub(crate) fn tree_files<F: GitFiles + Clone>(
    repo: &Repository<F>,
    tree: Option<ObjectId>,
) -> Result<Files, crate::checkout::Error> {
    let mut out = Files::new();
    if let Some(tree) = tree {
        for (path, mode, id) in repo.flatten_tree(tree)? {
            if let Some(mode) = Mode::from_tree_mode(mode) {
                out.insert(path, (mode, id));
            }
        }
    }
    Ok(out)
}

/// The paths whose files differ from `index` (modified, type-changed or deleted).
pub(crate) fn dirty_paths<F: GitFiles + Clone>(
    repo: &Repository<F>,
    index: &State,
    worktree: &dyn Worktree,
    index_mtime: Option<Time>,
) -> Result<HashSet<Vec<u8>>, tabgit_store::worktree::Error> {
    let stat_options = status::worktree::stat_options(repo.config());
    let mut probe = index.clone();
    Ok(
        status::worktree::compare(&mut probe, worktree, index_mtime, stat_options, &|_| true)?
            .changes
            .into_iter()
            .map(|c| c.path)
            .collect(),
    )
}

/// What a clean, tracked file at `path` can be restored from.
pub(crate) fn previous_of(index: &State, dirty: &HashSet<Vec<u8>>, path: &[u8]) -> Previous {
    match index.entry(path, Stage::Merged) {
        Some(e) if !dirty.contains(path) && e.mode != Mode::Gitlink => {
            Previous::Blob(kind_for(e.mode), e.object_id)
        }
        _ => Previous::Unknown,
    }
}

/// Plan making the working tree and index hold exactly `target` for every tracked path:
/// the working-tree operations and the new index (written entries get stat data later).
pub(crate) fn plan_hard(
    index: &State,
    dirty: &HashSet<Vec<u8>>,
    worktree: &dyn Worktree,
    target: &Files,
) -> Result<(Vec<WorktreeOp>, State), Error> {
    let mut removals = Vec::new();
    let mut writes = Vec::new();
    let mut tracked: Vec<&[u8]> = index.entries().iter().map(|e| e.path.as_slice()).collect();
    tracked.dedup();
    for path in &tracked {
        if target.contains_key(*path) {
            continue;
        }
        let is_gitlink = index
            .path_entries(path)
            .iter()
            .any(|e| e.mode == Mode::Gitlink);
        if is_gitlink {
            continue; // A submodule's directory is left alone, as git leaves it.
        }
        if worktree
            .metadata(path)?
            .is_some_and(|m| m.file_type != tabgit_index::stat::FileType::Directory)
        {
            removals.push(WorktreeOp::Remove {
                path: path.to_vec(),
                previous: previous_of(index, dirty, path),
            });
        }
    }
    let mut new_index = tabgit_index::read_tree(
        target
            .iter()
            .map(|(p, (m, id))| (p.clone(), m.to_tree_mode(), *id)),
    )?;
    let mut stats = Vec::new();
    for (path, &(mode, id)) in target {
        let current = index.entry(path, Stage::Merged);
        let unchanged = current.is_some_and(|e| (e.mode, e.object_id) == (mode, id))
            && !dirty.contains(path)
            && index.path_entries(path).len() == 1;
        if unchanged {
            if let (Some(e), Some(idx)) = (current, new_index.entry_index(path, Stage::Merged)) {
                stats.push((idx, e.stat));
            }
            continue;
        }
        if mode == Mode::Gitlink {
            writes.push(WorktreeOp::CreateDir { path: path.clone() });
            continue;
        }
        let previous = if worktree.metadata(path)?.is_some() {
            previous_of(index, dirty, path)
        } else {
            Previous::Absent
        };
        writes.push(WorktreeOp::Write {
            path: path.clone(),
            kind: kind_for(mode),
            blob_id: id,
            previous,
        });
    }
    for (idx, stat) in stats {
        new_index.set_stat(idx, stat)?;
    }
    removals.extend(writes);
    Ok((removals, new_index))
}

/// Give written files' stat data to their index entries.
pub(crate) fn record_written(
    index: &mut State,
    written: &BTreeMap<Vec<u8>, tabgit_index::stat::Metadata>,
) -> Result<(), tabgit_index::state::Error> {
    for (path, meta) in written {
        if let Some(idx) = index.entry_index(path, Stage::Merged) {
            index.set_stat(idx, meta.stat)?;
        }
    }
    Ok(())
}

/// Append a reflog line to `logs/<path>` within `update`.
pub(crate) fn append_reflog<F: GitFiles + Clone>(
    update: &Update<'_, F>,
    log_path: &str,
    previous: Option<ObjectId>,
    new: ObjectId,
    committer: &Signature,
    message: Vec<u8>,
) -> Result<(), crate::update::Error> {
    let line = tabgit_refs::reflog::Line {
        previous_id: previous.unwrap_or(ObjectId::NULL),
        new_id: new,
        signature: committer.clone(),
        message,
    };
    let bytes = line
        .to_bytes()
        .map_err(|source| tabgit_store::refs::Error::Reflog {
            name: log_path.to_owned(),
            source,
        })?;
    let mut existing = update.read(log_path)?.unwrap_or_default();
    existing.extend_from_slice(&bytes);
    update.write(log_path, existing)
}

/// Reset `HEAD`'s branch (or a detached `HEAD`) to commit `target` (`git reset`).
pub fn reset<F: GitFiles + Clone>(
    repo: &Repository<F>,
    target: ObjectId,
    context: &Context,
    options: &Options,
) -> Result<Outcome, Error> {
    let (kind, _) = repo.object(&target)?;
    if kind != tabgit_object::Kind::Commit {
        return Err(Error::NotACommit { id: target });
    }
    let merging = repo
        .files()
        .exists("MERGE_HEAD")
        .map_err(crate::Error::from)?;
    if options.kind == Kind::Soft && merging {
        return Err(Error::SoftDuringMerge);
    }
    let head = repo.head()?;
    let previous = head.id();
    let index = repo.index()?;
    let mut update = Update::new(repo);

    let mut new_index = None;
    if options.kind != Kind::Soft {
        let target_files = tree_files(repo, Some(repo.commit_tree(target)?))?;
        if let (Kind::Hard, Some(worktree)) = (options.kind, repo.worktree()) {
            let dirty = dirty_paths(repo, &index, worktree, options.index_mtime)?;
            let (ops, mut planned) = plan_hard(&index, &dirty, worktree, &target_files)?;
            let written = update.apply_worktree(ops)?;
            if let Err(err) = record_written(&mut planned, &written) {
                return Err(update.abort(err.into()).into());
            }
            new_index = Some(planned);
        } else {
            {
                // Mixed: the target's entries, keeping stat data where nothing changed.
                let mut planned = tabgit_index::read_tree(
                    target_files
                        .iter()
                        .map(|(p, (m, id))| (p.clone(), m.to_tree_mode(), *id)),
                )?;
                for (path, &(mode, id)) in &target_files {
                    if let Some(e) = index.entry(path, Stage::Merged) {
                        if (e.mode, e.object_id) == (mode, id) {
                            if let Some(idx) = planned.entry_index(path, Stage::Merged) {
                                planned.set_stat(idx, e.stat)?;
                            }
                        }
                    }
                }
                new_index = Some(planned);
            }
        }
    }

    let res = (|| -> Result<(), crate::update::Error> {
        let mut message = b"reset: moving to ".to_vec();
        message.extend_from_slice(&context.target_name);
        let name = match &head {
            Head::Branch { name, .. } => name.clone(),
            Head::Detached(_) => b"HEAD".to_vec(),
        };
        update.refs().commit(&[RefEdit {
            name,
            change: Change::Set(Target::Object(target)),
            expected: previous.map_or(Expected::Absent, Expected::Value),
            log: Some(LogEntry {
                committer: context.committer.clone(),
                message,
            }),
        }])?;
        if let Some(previous) = previous {
            update.write("ORIG_HEAD", format!("{previous}\n").into_bytes())?;
        }
        if let Some(index) = new_index.as_mut() {
            update.write_index(index, options.index_mtime)?;
            for file in crate::commit::STATE_FILES {
                if repo.files().exists(file)? {
                    update.remove(file)?;
                }
            }
        }
        Ok(())
    })();
    if let Err(err) = res {
        return Err(update.abort(err).into());
    }
    update.commit()?;

    let mut outcome = Outcome {
        previous,
        unstaged: Vec::new(),
    };
    if options.kind == Kind::Mixed {
        if let (Some(index), Some(worktree)) = (new_index, repo.worktree()) {
            let stat_options = status::worktree::stat_options(repo.config());
            let mut probe = index;
            let changes = status::worktree::compare(
                &mut probe,
                worktree,
                options.index_mtime,
                stat_options,
                &|_| true,
            )?;
            outcome.unstaged = changes
                .changes
                .into_iter()
                .map(|c| (c.difference.letter(), c.path))
                .collect();
        }
    }
    Ok(outcome)
}
