//! Switching branches, or to a detached commit (`git switch`, `git checkout <branch>`).
//!
//! Local changes come along when the two commits agree on their paths, and the switch is refused
//! — listing every path — when a local change would be overwritten: git's two-way merge
//! (`twoway_merge` in `unpack-trees.c`; the table in `git read-tree`'s "Two Tree Merge"). For each
//! path that differs between the old commit (H) and the new one (M), with the index entry I:
//!
//! * I equals M: keep the index and the file as they are (the change is carried across);
//! * I equals H and the file matches I (or is missing): take M — write it, or remove it;
//! * anything else: refuse ("Your local changes to the following files would be overwritten").
//!
//! A path the index lacks is written only where no untracked file (or directory holding
//! untracked files) is in the way; ignored files may be overwritten, as git allows.
//! Only the paths that differ between the commits are written. Refs, index and working tree
//! change together (see [`crate::update`]).

use std::collections::{BTreeSet, HashSet};

use tabgit_attributes::ignore;
use tabgit_hash::ObjectId;
use tabgit_index::stat::{FileType, Time};
use tabgit_index::{Entry, Mode, Stage, State};
use tabgit_object::Signature;
use tabgit_refs::Target as RefTarget;
use tabgit_store::files::GitFiles;
use tabgit_store::refs::{Change, Expected, Head, LogEntry, RefEdit};
use tabgit_store::worktree::{EntryKind, Worktree};

use crate::reset::{
    append_reflog, dirty_paths, plan_hard, previous_of, record_written, tree_files, Files,
};
use crate::stage::kind_for;
use crate::update::{Previous, Update, WorktreeOp};
use crate::Repository;

/// Where to switch to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// A local branch, by short name (`main`).
    Branch(Vec<u8>),
    /// A commit, with `HEAD` detached.
    Detached(ObjectId),
}

/// A branch to create and switch to (`switch -c`, `checkout -b`).
#[derive(Clone, Debug)]
pub struct NewBranch {
    /// Its short name.
    pub name: Vec<u8>,
    /// Its commit.
    pub start: ObjectId,
    /// The start as typed, for the reflog.
    pub start_name: Vec<u8>,
    /// Reset it if it exists (`-C`, `-B`).
    pub force: bool,
    /// Make it track this upstream (a full ref name), as `git switch <remote branch>` does.
    pub track: Option<Vec<u8>>,
}

/// How to switch.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Throw local changes to tracked files away (`-f`, `--discard-changes`).
    pub force: bool,
    /// Create this branch first (then [`Target`] must name it).
    pub create: Option<NewBranch>,
    /// The index file's modification time (see [`crate::status::Options::index_mtime`]).
    pub index_mtime: Option<Time>,
}

/// Who, and what the user typed.
#[derive(Clone, Debug)]
pub struct Context {
    /// The reflog identity.
    pub committer: Signature,
    /// The target as typed, for `checkout: moving from <old> to <this>` when detaching.
    pub target_name: Vec<u8>,
}

/// What the switch did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Where `HEAD` was (a commit).
    pub previous: Option<ObjectId>,
    /// The commit `HEAD` is on now.
    pub commit_id: ObjectId,
    /// Files written.
    pub written: usize,
    /// Files removed.
    pub removed: usize,
    /// Paths whose local changes were carried across, sorted.
    pub carried: Vec<Vec<u8>>,
}

/// What is in the way, by git's message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Blocker {
    /// "Your local changes to the following files would be overwritten by checkout".
    LocalChanges,
    /// "The following untracked working tree files would be overwritten by checkout".
    UntrackedOverwritten,
    /// "The following untracked working tree files would be removed by checkout".
    UntrackedRemoved,
}

/// The reasons a switch did not happen; nothing changed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Files are in the way; every one is listed (git's order: sorted).
    #[error("{} {} would be overwritten by checkout", .paths.len(), if .paths.len() == 1 { "file" } else { "files" })]
    WouldOverwrite {
        /// Which kind of file.
        blocker: Blocker,
        /// The paths.
        paths: Vec<Vec<u8>>,
    },
    /// The index has conflicts.
    #[error("you need to resolve your current index first")]
    Unmerged {
        /// The conflicted paths.
        paths: Vec<Vec<u8>>,
    },
    /// The branch does not exist.
    #[error("invalid reference: {}", String::from_utf8_lossy(.name))]
    NoSuchBranch {
        /// The short name.
        name: Vec<u8>,
    },
    /// The repository has no working tree.
    #[error("this operation must be run in a work tree")]
    Bare,
    /// The new branch could not be created.
    #[error(transparent)]
    Branch(#[from] crate::branch::Error),
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
    /// A ref could not be read.
    #[error(transparent)]
    Refs(#[from] tabgit_store::refs::Error),
    /// The index refused an entry.
    #[error(transparent)]
    Index(#[from] tabgit_index::state::Error),
    /// A hard reset (`force`) failed.
    #[error(transparent)]
    Reset(#[from] crate::reset::Error),
    /// The ignore rules could not be read.
    #[error(transparent)]
    Files(#[from] tabgit_store::files::Error),
}

fn short_branch(name: &[u8]) -> &[u8] {
    name.strip_prefix(b"refs/heads/").unwrap_or(name)
}

/// Switch `HEAD` to `target`, carrying local changes across (`git switch`).
pub fn switch<F: GitFiles + Clone>(
    repo: &mut Repository<F>,
    target: &Target,
    context: &Context,
    options: &Options,
) -> Result<Outcome, Error> {
    let (outcome, config) = switch_inner(repo, target, context, options)?;
    if let Some(config) = config {
        repo.config = config;
    }
    Ok(outcome)
}

fn switch_inner<F: GitFiles + Clone>(
    repo: &Repository<F>,
    target: &Target,
    context: &Context,
    options: &Options,
) -> Result<(Outcome, Option<tabgit_config::File>), Error> {
    let worktree = repo.worktree().ok_or(Error::Bare)?;
    let head = repo.head()?;
    let previous = head.id();
    let (new_commit, branch_ref) = match target {
        Target::Branch(short) => {
            let mut full = b"refs/heads/".to_vec();
            full.extend_from_slice(short);
            let id = match &options.create {
                Some(create) if create.name == *short => create.start,
                _ => repo
                    .refs()
                    .resolve(&full)?
                    .1
                    .ok_or_else(|| Error::NoSuchBranch {
                        name: short.clone(),
                    })?,
            };
            (id, Some(full))
        }
        Target::Detached(id) => (*id, None),
    };
    let mut config = None;
    if let Some(create) = &options.create {
        crate::branch::check_new(repo, &create.name, create.force)?;
        if let Some(upstream) = &create.track {
            config = Some(crate::branch::tracking_config(
                repo,
                &create.name,
                upstream,
            )?);
        }
    }
    let index = repo.index()?;
    let unmerged: Vec<Vec<u8>> = index.conflicts().map(|c| c.path.to_vec()).collect();
    if !unmerged.is_empty() && !options.force {
        return Err(Error::Unmerged { paths: unmerged });
    }
    let old_tree = match previous {
        Some(id) => Some(repo.commit_tree(id)?),
        None => None,
    };
    let new_tree = repo.commit_tree(new_commit)?;
    let dirty = dirty_paths(repo, &index, worktree, options.index_mtime)?;

    let (ops, mut new_index, carried) = if options.force {
        let target_files = tree_files(repo, Some(new_tree))?;
        let (ops, planned) = plan_hard(&index, &dirty, worktree, &target_files)?;
        (ops, planned, Vec::new())
    } else if old_tree == Some(new_tree) {
        (
            Vec::new(),
            index.clone(),
            carried_paths(&index, &dirty, None),
        )
    } else {
        let old_files = tree_files(repo, old_tree)?;
        let new_files = tree_files(repo, Some(new_tree))?;
        two_way(repo, worktree, &index, &dirty, &old_files, &new_files)?
    };
    let written_count = ops
        .iter()
        .filter(|op| matches!(op, WorktreeOp::Write { .. } | WorktreeOp::CreateDir { .. }))
        .count();
    let removed_count = ops
        .iter()
        .filter(|op| matches!(op, WorktreeOp::Remove { .. }))
        .count();

    let mut update = Update::new(repo);
    let written = update.apply_worktree(ops)?;
    let res = (|| -> Result<(), crate::update::Error> {
        record_written(&mut new_index, &written)?;
        let mut edits = Vec::new();
        if let Some(create) = &options.create {
            let mut full = b"refs/heads/".to_vec();
            full.extend_from_slice(&create.name);
            let existing = repo.refs().resolve(&full)?.1;
            let mut message = if existing.is_some() {
                b"branch: Reset to ".to_vec()
            } else {
                b"branch: Created from ".to_vec()
            };
            message.extend_from_slice(&create.start_name);
            edits.push(RefEdit {
                name: full,
                change: Change::Set(RefTarget::Object(create.start)),
                expected: existing.map_or(Expected::Absent, Expected::Value),
                log: Some(LogEntry {
                    committer: context.committer.clone(),
                    message,
                }),
            });
        }
        edits.push(RefEdit {
            name: b"HEAD".to_vec(),
            change: Change::Set(match &branch_ref {
                Some(full) => RefTarget::Symbolic(full.clone()),
                None => RefTarget::Object(new_commit),
            }),
            expected: Expected::Any,
            log: None,
        });
        update.refs().commit(&edits)?;
        let from = match &head {
            Head::Branch { name, .. } => short_branch(name).to_vec(),
            Head::Detached(id) => id.to_hex().into_bytes(),
        };
        let to = match &branch_ref {
            Some(full) => short_branch(full).to_vec(),
            None => context.target_name.clone(),
        };
        let mut message = b"checkout: moving from ".to_vec();
        message.extend_from_slice(&from);
        message.extend_from_slice(b" to ");
        message.extend_from_slice(&to);
        append_reflog(
            &update,
            "logs/HEAD",
            previous,
            new_commit,
            &context.committer,
            message,
        )?;
        update.write_index(&mut new_index, options.index_mtime)?;
        if let Some(config) = &config {
            update.write("config", config.to_bytes())?;
        }
        Ok(())
    })();
    if let Err(err) = res {
        return Err(update.abort(err).into());
    }
    update.commit()?;
    Ok((
        Outcome {
            previous,
            commit_id: new_commit,
            written: written_count,
            removed: removed_count,
            carried,
        },
        config,
    ))
}

/// Paths with local changes relative to the new commit's files: dirty files and index entries
/// that differ from `new_files` (when a new tree is given).
fn carried_paths(
    index: &State,
    dirty: &HashSet<Vec<u8>>,
    new_tree: Option<&Files>,
) -> Vec<Vec<u8>> {
    let mut out: BTreeSet<Vec<u8>> = dirty.iter().cloned().collect();
    if let Some(files) = new_tree {
        for entry in index.entries() {
            if files.get(&entry.path) != Some(&(entry.mode, entry.object_id)) {
                out.insert(entry.path.clone());
            }
        }
        for path in files.keys() {
            if index.entry(path, Stage::Merged).is_none() {
                out.insert(path.clone());
            }
        }
    }
    out.into_iter().collect()
}

/// The two-way merge of the index from `old_files` (H) to `new_files` (M).
#[allow(clippy::type_complexity)]
fn two_way<F: GitFiles + Clone>(
    repo: &Repository<F>,
    worktree: &dyn Worktree,
    index: &State,
    dirty: &HashSet<Vec<u8>>,
    old_files: &Files,
    new_files: &Files,
) -> Result<(Vec<WorktreeOp>, State, Vec<Vec<u8>>), Error> {
    let changed: BTreeSet<&Vec<u8>> = old_files
        .keys()
        .chain(new_files.keys())
        .filter(|p| old_files.get(*p) != new_files.get(*p))
        .collect();
    let mut local_changes = Vec::new();
    let mut new_index = index.clone();
    let mut removals = Vec::new();
    let mut writes: Vec<(Vec<u8>, Mode, ObjectId, Previous)> = Vec::new();
    let mut removed_paths: HashSet<Vec<u8>> = HashSet::new();
    let mut absent_checks: Vec<(Vec<u8>, Mode, ObjectId)> = Vec::new();
    for path in changed {
        let h = old_files.get(path).copied();
        let m = new_files.get(path).copied();
        let i = index
            .entry(path, Stage::Merged)
            .map(|e| (e.mode, e.object_id));
        // A missing file is "up to date" for git (`verify_uptodate` accepts ENOENT).
        let clean = !dirty.contains(path) || worktree.metadata(path)?.is_none();
        match (i, h, m) {
            (None, None, Some((mode, id))) => {
                absent_checks.push((path.clone(), mode, id));
                writes.push((path.clone(), mode, id, Previous::Absent));
                new_index.insert_replacing(Entry::new(path.clone(), mode, id))?;
            }
            (Some(i), _, Some(m)) if i == m => {}
            (Some(i), Some(h), None) if i == h && clean => {
                if i.0 != Mode::Gitlink && worktree.metadata(path)?.is_some() {
                    removals.push(WorktreeOp::Remove {
                        path: path.clone(),
                        previous: previous_of(index, dirty, path),
                    });
                }
                removed_paths.insert(path.clone());
                new_index.remove(path);
            }
            (Some(i), Some(h), Some((mode, id))) if i == h && clean => {
                let previous = if worktree.metadata(path)?.is_some() {
                    previous_of(index, dirty, path)
                } else {
                    Previous::Absent
                };
                writes.push((path.clone(), mode, id, previous));
                new_index.insert_replacing(Entry::new(path.clone(), mode, id))?;
            }
            (None | Some(_), None, None) | (None, Some(_), None) => {}
            _ => local_changes.push(path.clone()),
        }
    }
    if !local_changes.is_empty() {
        return Err(Error::WouldOverwrite {
            blocker: Blocker::LocalChanges,
            paths: local_changes,
        });
    }

    // Untracked files in the way of new files, directly or as a parent directory's name, and
    // untracked files inside a directory a new file replaces.
    let global = crate::status::global_excludes(repo.files())?;
    let mut overwritten = Vec::new();
    let mut removed_untracked = Vec::new();
    for (path, _, _) in &absent_checks {
        match worktree.metadata(path)? {
            Some(meta) if meta.file_type == FileType::Directory => {
                collect_untracked_below(
                    worktree,
                    index,
                    path,
                    &removed_paths,
                    &global,
                    &mut removed_untracked,
                )?;
            }
            // git refuses even when the untracked file has the same content.
            Some(_) if !is_ignored(worktree, &global, path, false)? => {
                overwritten.push(path.clone());
            }
            Some(_) | None => {}
        }
    }
    for (path, ..) in &writes {
        for (idx, _) in path.iter().enumerate().filter(|(_, &b)| b == b'/') {
            let parent = &path[..idx];
            if removed_paths.contains(parent) || index.entry(parent, Stage::Merged).is_some() {
                continue;
            }
            if let Some(meta) = worktree.metadata(parent)? {
                if meta.file_type != FileType::Directory
                    && !is_ignored(worktree, &global, parent, false)?
                {
                    overwritten.push(parent.to_vec());
                }
            }
        }
    }
    if !overwritten.is_empty() {
        overwritten.sort();
        overwritten.dedup();
        return Err(Error::WouldOverwrite {
            blocker: Blocker::UntrackedOverwritten,
            paths: overwritten,
        });
    }
    if !removed_untracked.is_empty() {
        removed_untracked.sort();
        return Err(Error::WouldOverwrite {
            blocker: Blocker::UntrackedRemoved,
            paths: removed_untracked,
        });
    }

    let mut ops = removals;
    for (path, mode, id, previous) in writes {
        if mode == Mode::Gitlink {
            ops.push(WorktreeOp::CreateDir { path });
        } else {
            ops.push(WorktreeOp::Write {
                path,
                kind: kind_for(mode),
                blob_id: id,
                previous,
            });
        }
    }
    let carried = carried_paths(&new_index, dirty, Some(new_files));
    Ok((ops, new_index, carried))
}

/// Whether `path` is ignored by the ignore files on its way (`check-ignore` semantics).
fn is_ignored(
    worktree: &dyn Worktree,
    global: &[ignore::File],
    path: &[u8],
    is_dir: bool,
) -> Result<bool, tabgit_store::worktree::Error> {
    let mut failure = None;
    let found = ignore::check(path, is_dir, global.to_vec(), false, &mut |dir| {
        match crate::status::dir_excludes(worktree, dir) {
            Ok(file) => file,
            Err(err) => {
                failure.get_or_insert(err);
                None
            }
        }
    });
    if let Some(err) = failure {
        return Err(err);
    }
    Ok(found.is_some_and(|m| !m.negative))
}

/// Untracked, unignored files below directory `dir` (which a new file would replace).
fn collect_untracked_below(
    worktree: &dyn Worktree,
    index: &State,
    dir: &[u8],
    removed: &HashSet<Vec<u8>>,
    global: &[ignore::File],
    out: &mut Vec<Vec<u8>>,
) -> Result<(), tabgit_store::worktree::Error> {
    let mut stack = vec![dir.to_vec()];
    while let Some(current) = stack.pop() {
        for (name, kind) in worktree.list(&current)? {
            let mut path = current.clone();
            path.push(b'/');
            path.extend_from_slice(&name);
            match kind {
                EntryKind::Directory => stack.push(path),
                EntryKind::File(_) => {
                    let tracked = index.entry(&path, Stage::Merged).is_some();
                    if tracked {
                        // A tracked file the switch does not remove blocks the new file.
                        if !removed.contains(&path) {
                            out.push(path);
                        }
                    } else if !is_ignored(worktree, global, &path, false)? {
                        out.push(path);
                    }
                }
            }
        }
    }
    Ok(())
}
