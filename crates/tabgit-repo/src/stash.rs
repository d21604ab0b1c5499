//! Putting local changes aside (`git stash push/list/apply/pop/drop`), in git's format so that
//! git and tabgit read each other's stashes.
//!
//! A stash is a commit W ("WIP on <branch>: <abbrev> <subject>") whose tree is the index plus
//! the working tree's changes to tracked files, with parents `HEAD` and a commit I ("index on
//! <branch>: …") holding the index. `refs/stash` points at the newest; its reflog is the stack
//! (`stash@{0}` newest).
//!
//! ### Relation to git
//!
//! Untracked files are not stashed (`-u` is not offered). Applying merges the stash into the
//! current index by whole files: a path the stash changed is taken when the current index still
//! has the stash's base version, kept when it already has the stash's version, and otherwise
//! refused (git would merge the contents; a three-way content merge is for the merge module).
//! As in git, applying restores working-tree changes, re-stages files the stash added, and leaves
//! the rest of the index alone.

use std::collections::BTreeSet;

use tabgit_hash::ObjectId;
use tabgit_index::stat::Time;
use tabgit_index::{Entry, Mode, Stage};
use tabgit_object::{Commit, CommitRef, Kind, Signature};
use tabgit_refs::Target;
use tabgit_store::files::GitFiles;
use tabgit_store::refs::{Change, Expected, Head, LogEntry, RefEdit};

use crate::commit::ObjectWriter;
use crate::reset::{dirty_paths, plan_hard, previous_of, record_written, tree_files};
use crate::stage::kind_for;
use crate::update::{Previous, Update, WorktreeOp};
use crate::Repository;

/// The stash ref.
pub const REF: &[u8] = b"refs/stash";
const LOG: &str = "logs/refs/stash";

/// Who and when: passed in.
#[derive(Clone, Debug)]
pub struct Context {
    /// The author of the stash commits.
    pub author: Signature,
    /// Their committer, and the reflog identity.
    pub committer: Signature,
}

/// How to stash.
#[derive(Clone, Debug)]
pub struct PushOptions {
    /// A message (`-m`): the stash is then "On <branch>: <message>".
    pub message: Option<Vec<u8>>,
    /// How many hex digits abbreviate `HEAD` in the message (at least; more if ambiguous).
    pub abbrev: usize,
    /// The index file's modification time (see [`crate::status::Options::index_mtime`]).
    pub index_mtime: Option<Time>,
}

impl Default for PushOptions {
    fn default() -> Self {
        PushOptions {
            message: None,
            abbrev: 7,
            index_mtime: None,
        }
    }
}

/// One stash entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stash {
    /// Its position: 0 is the newest (`stash@{0}`).
    pub index: usize,
    /// The W commit.
    pub commit_id: ObjectId,
    /// Its reflog message (`WIP on main: 1a2b3c4 subject`).
    pub message: Vec<u8>,
}

/// The reasons a stash operation failed; nothing changed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// There is no commit to stash on.
    #[error("you do not have the initial commit yet")]
    Unborn,
    /// The index has conflicts.
    #[error("cannot stash or apply with unmerged paths")]
    Unmerged {
        /// The paths.
        paths: Vec<Vec<u8>>,
    },
    /// No such stash entry.
    #[error("stash@{{{index}}} does not exist")]
    NoSuchStash {
        /// The position asked for.
        index: usize,
    },
    /// Applying would overwrite local changes to these files.
    #[error("your local changes to {} file(s) would be overwritten by applying the stash", .paths.len())]
    LocalChanges {
        /// The paths.
        paths: Vec<Vec<u8>>,
    },
    /// Untracked files are in the way.
    #[error("{} untracked file(s) would be overwritten by applying the stash", .paths.len())]
    UntrackedInTheWay {
        /// The paths.
        paths: Vec<Vec<u8>>,
    },
    /// Both the stash and the current index changed these files; merging contents is not
    /// supported here.
    #[error("the stash and the index both changed {} file(s); merge them by hand", .paths.len())]
    Conflicts {
        /// The paths.
        paths: Vec<Vec<u8>>,
    },
    /// A stash commit is not shaped as git makes them.
    #[error("{id} is not a stash commit")]
    NotAStash {
        /// The commit.
        id: ObjectId,
    },
    /// The repository could not be read.
    #[error(transparent)]
    Repository(#[from] crate::Error),
    /// A tree could not be read.
    #[error(transparent)]
    Checkout(#[from] crate::checkout::Error),
    /// The working tree could not be read.
    #[error(transparent)]
    Worktree(#[from] tabgit_store::worktree::Error),
    /// The update failed.
    #[error(transparent)]
    Update(#[from] crate::update::Error),
    /// The refs could not be read.
    #[error(transparent)]
    Refs(#[from] tabgit_store::refs::Error),
    /// The index could not be turned into trees.
    #[error(transparent)]
    WriteTree(#[from] tabgit_index::write_tree::Error),
    /// Changes could not be staged.
    #[error(transparent)]
    Stage(#[from] crate::stage::Error),
    /// The object database failed.
    #[error(transparent)]
    Odb(#[from] tabgit_store::odb::Error),
    /// The hard reset failed.
    #[error(transparent)]
    Reset(#[from] crate::reset::Error),
    /// The index refused an entry.
    #[error(transparent)]
    Index(#[from] tabgit_index::state::Error),
    /// A reflog line could not be written.
    #[error(transparent)]
    Reflog(#[from] tabgit_refs::reflog::Error),
}

/// The oneline subject of a commit message: its first paragraph, lines joined by spaces
/// (`format_subject` in git's `pretty.c`).
fn subject(message: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for line in message.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.iter().all(u8::is_ascii_whitespace) {
            if out.is_empty() {
                continue;
            }
            break;
        }
        if !out.is_empty() {
            out.push(b' ');
        }
        out.extend_from_slice(line.trim_ascii());
    }
    out
}

/// The shortest abbreviation of `id` with at least `min` digits that names only it.
fn abbreviate<F: GitFiles + Clone>(
    repo: &Repository<F>,
    id: &ObjectId,
    min: usize,
) -> Result<String, Error> {
    let hex = id.to_hex();
    for len in min.clamp(4, 40)..40 {
        let prefix = tabgit_hash::Prefix::from_hex(&hex.as_bytes()[..len]).map_err(|_| {
            crate::Error::Unsupported {
                reason: "abbreviation".into(),
            }
        })?;
        if !matches!(
            repo.odb()
                .lookup_prefix(&prefix)
                .map_err(crate::Error::from)?,
            tabgit_pack::index::PrefixLookup::Ambiguous
        ) {
            return Ok(hex[..len].to_owned());
        }
    }
    Ok(hex)
}

/// Stash local changes and reset the index and tracked files to `HEAD` (`git stash push`).
/// Returns `None` when there is nothing to stash ("No local changes to save").
pub fn push<F: GitFiles + Clone>(
    repo: &Repository<F>,
    context: &Context,
    options: &PushOptions,
) -> Result<Option<ObjectId>, Error> {
    let worktree = repo.worktree().ok_or(crate::Error::Unsupported {
        reason: "stash needs a working tree".into(),
    })?;
    let head = repo.head()?;
    let head_id = head.id().ok_or(Error::Unborn)?;
    let index = repo.index()?;
    let unmerged: Vec<Vec<u8>> = index.conflicts().map(|c| c.path.to_vec()).collect();
    if !unmerged.is_empty() {
        return Err(Error::Unmerged { paths: unmerged });
    }
    let head_tree = repo.commit_tree(head_id)?;
    let index_tree = tabgit_index::write_tree(&index, &mut ObjectWriter(repo.odb()))?.tree_id;
    // The working tree's state of every path that differs between HEAD and the working tree
    // (`git diff-index HEAD`): changed index entries, and HEAD's files missing from the index
    // whose files still exist.
    let head_files = tree_files(repo, Some(head_tree))?;
    let mut work_index = index.clone();
    crate::stage::add::update_tracked(repo, &mut work_index, &|_| true, options.index_mtime)?;
    for path in head_files.keys() {
        if index.path_entries(path).is_empty() {
            if let Some(staged) = crate::stage::stage_file(
                repo,
                worktree,
                path,
                head_files.get(path).map(|(m, _)| *m),
            )? {
                work_index.insert_replacing(staged.entry)?;
            }
        }
    }
    let work_tree = tabgit_index::write_tree(&work_index, &mut ObjectWriter(repo.odb()))?.tree_id;
    if index_tree == head_tree && work_tree == head_tree {
        return Ok(None);
    }

    let branch = match &head {
        Head::Branch { name, .. } => name.strip_prefix(b"refs/heads/").unwrap_or(name).to_vec(),
        Head::Detached(_) => b"(no branch)".to_vec(),
    };
    let (_, head_data) = repo.object(&head_id)?;
    let head_commit =
        CommitRef::from_bytes(&head_data).map_err(|_| Error::NotAStash { id: head_id })?;
    let mut on = branch.clone();
    on.extend_from_slice(b": ");
    on.extend_from_slice(abbreviate(repo, &head_id, options.abbrev)?.as_bytes());
    on.push(b' ');
    on.extend_from_slice(&subject(head_commit.message));

    let mut index_message = b"index on ".to_vec();
    index_message.extend_from_slice(&on);
    index_message.push(b'\n');
    let index_commit = Commit {
        tree: index_tree,
        parents: vec![head_id],
        author: context.author.clone(),
        committer: context.committer.clone(),
        encoding: None,
        extra_headers: Vec::new(),
        message: index_message,
    };
    let index_commit_id = repo
        .odb()
        .write_loose(Kind::Commit, &index_commit.to_bytes())?;
    let message = if let Some(message) = &options.message {
        let mut out = b"On ".to_vec();
        out.extend_from_slice(&branch);
        out.extend_from_slice(b": ");
        out.extend_from_slice(message);
        out
    } else {
        let mut out = b"WIP on ".to_vec();
        out.extend_from_slice(&on);
        out
    };
    let work_commit = Commit {
        tree: work_tree,
        parents: vec![head_id, index_commit_id],
        author: context.author.clone(),
        committer: context.committer.clone(),
        encoding: None,
        extra_headers: Vec::new(),
        message: message.clone(),
    };
    let stash_id = repo
        .odb()
        .write_loose(Kind::Commit, &work_commit.to_bytes())?;

    // Reset the index and tracked files to HEAD, with the stash ref, in one update.
    let dirty = dirty_paths(repo, &index, worktree, options.index_mtime)?;
    let (ops, mut new_index) = plan_hard(&index, &dirty, worktree, &head_files)?;
    let mut update = Update::new(repo);
    let written = update.apply_worktree(ops)?;
    let res = (|| -> Result<(), crate::update::Error> {
        record_written(&mut new_index, &written)?;
        // git stashes, then runs `git reset --hard`: HEAD's reflog and ORIG_HEAD show it.
        let head_name = match &head {
            Head::Branch { name, .. } => name.clone(),
            Head::Detached(_) => b"HEAD".to_vec(),
        };
        update.refs().commit(&[
            RefEdit {
                name: REF.to_vec(),
                change: Change::Set(Target::Object(stash_id)),
                expected: Expected::Any,
                log: Some(LogEntry {
                    committer: context.committer.clone(),
                    message,
                }),
            },
            RefEdit {
                name: head_name,
                change: Change::Set(Target::Object(head_id)),
                expected: Expected::Value(head_id),
                log: Some(LogEntry {
                    committer: context.committer.clone(),
                    message: b"reset: moving to HEAD".to_vec(),
                }),
            },
        ])?;
        update.write("ORIG_HEAD", format!("{head_id}\n").into_bytes())?;
        update.write_index(&mut new_index, options.index_mtime)
    })();
    if let Err(err) = res {
        return Err(update.abort(err).into());
    }
    update.commit()?;
    Ok(Some(stash_id))
}

/// The stash entries, newest first (`git stash list`).
pub fn list<F: GitFiles + Clone>(repo: &Repository<F>) -> Result<Vec<Stash>, Error> {
    let log = repo.refs().reflog(REF)?;
    Ok(log
        .into_iter()
        .rev()
        .enumerate()
        .map(|(index, line)| Stash {
            index,
            commit_id: line.new_id,
            message: line.message,
        })
        .collect())
}

/// Apply stash `index` (`git stash apply stash@{index}`) to the index and working tree.
pub fn apply<F: GitFiles + Clone>(
    repo: &Repository<F>,
    index: usize,
    index_mtime: Option<Time>,
) -> Result<(), Error> {
    apply_and_maybe_drop(repo, index, false, index_mtime)
}

/// Apply stash `index` and drop it if that succeeded (`git stash pop`), in one update.
pub fn pop<F: GitFiles + Clone>(
    repo: &Repository<F>,
    index: usize,
    index_mtime: Option<Time>,
) -> Result<(), Error> {
    apply_and_maybe_drop(repo, index, true, index_mtime)
}

/// Drop stash `index` (`git stash drop`); returns the dropped commit.
pub fn drop<F: GitFiles + Clone>(repo: &Repository<F>, index: usize) -> Result<ObjectId, Error> {
    let update = Update::new(repo);
    let dropped = drop_in(repo, &update, index)?;
    update.commit()?;
    Ok(dropped)
}

/// Remove entry `index` from the stash reflog within `update`, moving `refs/stash` to the
/// newest remaining entry or deleting it (`git reflog delete --updateref --rewrite`).
fn drop_in<F: GitFiles + Clone>(
    repo: &Repository<F>,
    update: &Update<'_, F>,
    index: usize,
) -> Result<ObjectId, Error> {
    let mut log = repo.refs().reflog(REF)?;
    if index >= log.len() {
        return Err(Error::NoSuchStash { index });
    }
    let position = log.len() - 1 - index;
    let removed = log.remove(position);
    if let Some(next) = log.get_mut(position) {
        next.previous_id = removed.previous_id;
    }
    let current = repo.refs().resolve(REF)?.1;
    match log.last() {
        None => {
            update.refs().commit(&[RefEdit {
                name: REF.to_vec(),
                change: Change::Delete,
                expected: current.map_or(Expected::Any, Expected::Value),
                log: None,
            }])?;
        }
        Some(newest) => {
            update.refs().commit(&[RefEdit {
                name: REF.to_vec(),
                change: Change::Set(Target::Object(newest.new_id)),
                expected: Expected::Any,
                log: None,
            }])?;
            let mut bytes = Vec::new();
            for line in &log {
                line.write_to(&mut bytes)?;
            }
            update.write(LOG, bytes)?;
        }
    }
    Ok(removed.new_id)
}

fn apply_and_maybe_drop<F: GitFiles + Clone>(
    repo: &Repository<F>,
    stash_index: usize,
    drop_after: bool,
    index_mtime: Option<Time>,
) -> Result<(), Error> {
    let worktree = repo.worktree().ok_or(crate::Error::Unsupported {
        reason: "stash needs a working tree".into(),
    })?;
    let entries = list(repo)?;
    let stash = entries
        .get(stash_index)
        .ok_or(Error::NoSuchStash { index: stash_index })?
        .commit_id;
    let (_, data) = repo.object(&stash)?;
    let commit = CommitRef::from_bytes(&data).map_err(|_| Error::NotAStash { id: stash })?;
    let [base, _index_commit, ..] = commit.parents[..] else {
        return Err(Error::NotAStash { id: stash });
    };
    let base_files = tree_files(repo, Some(repo.commit_tree(base)?))?;
    let stash_files = tree_files(repo, Some(commit.tree))?;

    let index = repo.index()?;
    let unmerged: Vec<Vec<u8>> = index.conflicts().map(|c| c.path.to_vec()).collect();
    if !unmerged.is_empty() {
        return Err(Error::Unmerged { paths: unmerged });
    }
    let dirty = dirty_paths(repo, &index, worktree, index_mtime)?;
    let changed: BTreeSet<&Vec<u8>> = base_files
        .keys()
        .chain(stash_files.keys())
        .filter(|p| base_files.get(*p) != stash_files.get(*p))
        .collect();
    let mut conflicts = Vec::new();
    let mut local = Vec::new();
    let mut untracked = Vec::new();
    let mut ops = Vec::new();
    let mut new_index = index.clone();
    let mut added = Vec::new();
    for path in changed {
        let current = index
            .entry(path, Stage::Merged)
            .map(|e| (e.mode, e.object_id));
        let (from, to) = (
            base_files.get(path).copied(),
            stash_files.get(path).copied(),
        );
        if current == to {
            continue;
        }
        if current != from {
            conflicts.push(path.clone());
            continue;
        }
        let exists = worktree.metadata(path)?.is_some();
        if current.is_some() && dirty.contains(path) && exists {
            local.push(path.clone());
            continue;
        }
        match to {
            Some((mode, id)) => {
                if current.is_none() && exists {
                    untracked.push(path.clone());
                    continue;
                }
                let previous = if exists {
                    previous_of(&index, &dirty, path)
                } else {
                    Previous::Absent
                };
                if mode == Mode::Gitlink {
                    ops.push(WorktreeOp::CreateDir { path: path.clone() });
                } else {
                    ops.push(WorktreeOp::Write {
                        path: path.clone(),
                        kind: kind_for(mode),
                        blob_id: id,
                        previous,
                    });
                }
                if current.is_none() {
                    // Newly added by the stash: staged again, as git does.
                    new_index.insert_replacing(Entry::new(path.clone(), mode, id))?;
                    added.push(path.clone());
                }
            }
            None => {
                if exists {
                    ops.push(WorktreeOp::Remove {
                        path: path.clone(),
                        previous: previous_of(&index, &dirty, path),
                    });
                }
            }
        }
    }
    if !conflicts.is_empty() {
        return Err(Error::Conflicts { paths: conflicts });
    }
    if !local.is_empty() {
        return Err(Error::LocalChanges { paths: local });
    }
    if !untracked.is_empty() {
        return Err(Error::UntrackedInTheWay { paths: untracked });
    }

    let mut update = Update::new(repo);
    let written = update.apply_worktree(ops)?;
    let res = (|| -> Result<(), Error> {
        for path in &added {
            if let (Some(meta), Some(idx)) = (
                written.get(path),
                new_index.entry_index(path, Stage::Merged),
            ) {
                new_index.set_stat(idx, meta.stat)?;
            }
        }
        update.write_index(&mut new_index, index_mtime)?;
        if drop_after {
            drop_in(repo, &update, stash_index)?;
        }
        Ok(())
    })();
    if let Err(err) = res {
        let cause = match err {
            Error::Update(e) => e,
            Error::Refs(e) => e.into(),
            other => crate::update::Error::Repository(crate::Error::Unsupported {
                reason: other.to_string(),
            }),
        };
        return Err(update.abort(cause).into());
    }
    update.commit()?;
    Ok(())
}
