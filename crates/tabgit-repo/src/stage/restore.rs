//! `git restore`: bring back files in the working tree from the index, or from a commit, and
//! unstage (restore the index from `HEAD` or a commit).

use std::collections::BTreeMap;

use tabgit_attributes::Pathspec;
use tabgit_hash::ObjectId;
use tabgit_index::stat::Time;
use tabgit_index::{Entry, Mode, Stage};
use tabgit_store::files::GitFiles;

use crate::stage::{head_tree, kind_for, Error, Refusal};
use crate::status;
use crate::update::{Previous, Update, WorktreeOp};
use crate::Repository;

/// What to restore and from where.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Which paths.
    pub pathspec: Pathspec,
    /// The tree (or commit) to restore from (`--source`); by default the index for the working
    /// tree and `HEAD` for the index.
    pub source: Option<ObjectId>,
    /// Restore the index (`--staged`).
    pub staged: bool,
    /// Restore the working tree (`--worktree`; the default when `staged` is not set).
    pub worktree: bool,
    /// Keep tracked paths the source lacks (`git checkout <rev> -- <paths>`'s overlay mode);
    /// `git restore` removes them.
    pub overlay: bool,
    /// The index file's modification time (see [`status::Options::index_mtime`]).
    pub index_mtime: Option<Time>,
}

/// What was restored.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Working-tree files written.
    pub written: Vec<Vec<u8>>,
    /// Working-tree files removed (tracked, but not in the source).
    pub removed: Vec<Vec<u8>>,
    /// Index entries changed.
    pub staged: Vec<Vec<u8>>,
}

/// Restore the paths `options` selects (`git restore`).
///
/// ### Relation to git
///
/// git restore's default "no overlay" mode: a selected tracked path that the source does not
/// have is removed. Conflicted paths are refused (git's `--ours`/`--theirs`/`--merge` are not
/// offered).
pub fn restore<F: GitFiles + Clone>(
    repo: &Repository<F>,
    options: &Options,
) -> Result<Outcome, Error> {
    let restore_worktree = options.worktree || !options.staged;
    let worktree = if restore_worktree {
        Some(repo.worktree().ok_or(Error::Bare)?)
    } else {
        repo.worktree()
    };
    let spec = &options.pathspec;
    let mut index = repo.index()?;
    let mut matched = vec![false; spec.items().len()];

    // The source: path → (mode, object).
    let tree_source = match options.source {
        Some(id) => Some(peel_to_tree(repo, id)?),
        None if options.staged => head_tree(repo)?,
        None => None,
    };
    let from_tree = options.source.is_some() || options.staged;
    let mut source: BTreeMap<Vec<u8>, (Mode, ObjectId)> = BTreeMap::new();
    if from_tree {
        if let Some(tree) = tree_source {
            for (path, mode, id) in repo.flatten_tree(tree)? {
                if spec.matches(&path) {
                    if let Some(mode) = Mode::from_tree_mode(mode) {
                        source.insert(path, (mode, id));
                    }
                }
            }
        }
    } else {
        for entry in index.entries() {
            if spec.matches(&entry.path) {
                if entry.stage != Stage::Merged {
                    return Err(Error::Refused {
                        reason: Refusal::Unmerged,
                        paths: vec![entry.path.clone()],
                    });
                }
                source.insert(entry.path.clone(), (entry.mode, entry.object_id));
            }
        }
    }
    let tracked: Vec<Vec<u8>> = index
        .entries()
        .iter()
        .filter(|e| spec.matches(&e.path))
        .map(|e| e.path.clone())
        .collect();
    for path in source.keys().chain(&tracked) {
        for idx in spec.matching_items(path) {
            matched[idx] = true;
        }
    }
    for (item, was_matched) in spec.items().iter().zip(&matched) {
        if !was_matched && !item.exclude {
            return Err(Error::PathspecUnmatched {
                pathspec: item.original.clone(),
            });
        }
    }

    let mut outcome = Outcome::default();
    let before = index.clone();
    // The index first: what it will hold decides what the working tree compares against.
    if options.staged {
        for path in source
            .keys()
            .chain(&tracked)
            .cloned()
            .collect::<std::collections::BTreeSet<_>>()
        {
            let current = index
                .entry(&path, Stage::Merged)
                .map(|e| (e.mode, e.object_id));
            match source.get(&path) {
                Some(&(mode, id)) => {
                    if current != Some((mode, id))
                        || !index
                            .path_entries(&path)
                            .iter()
                            .all(|e| e.stage == Stage::Merged)
                    {
                        index.insert_replacing(Entry::new(path.clone(), mode, id))?;
                        outcome.staged.push(path);
                    }
                }
                None if options.overlay => {}
                None => {
                    if index.remove(&path) > 0 {
                        outcome.staged.push(path);
                    }
                }
            }
        }
    }

    let mut ops = Vec::new();
    if let (true, Some(wt)) = (restore_worktree, worktree) {
        let stat_options = status::worktree::stat_options(repo.config());
        let mut probe = before.clone();
        let dirty: std::collections::HashSet<Vec<u8>> =
            status::worktree::compare(&mut probe, wt, options.index_mtime, stat_options, &|p| {
                spec.matches(p)
            })?
            .changes
            .into_iter()
            .map(|c| c.path)
            .collect();
        let previous_of = |path: &[u8]| match before.entry(path, Stage::Merged) {
            Some(e) if !dirty.contains(path) => Previous::Blob(kind_for(e.mode), e.object_id),
            _ => Previous::Unknown,
        };
        for (path, &(mode, id)) in &source {
            let unchanged = before
                .entry(path, Stage::Merged)
                .is_some_and(|e| (e.mode, e.object_id) == (mode, id))
                && !dirty.contains(path);
            if unchanged {
                continue;
            }
            let previous = if wt.metadata(path)?.is_some() {
                previous_of(path)
            } else {
                Previous::Absent
            };
            if mode == Mode::Gitlink {
                ops.push(WorktreeOp::CreateDir { path: path.clone() });
                continue;
            }
            ops.push(WorktreeOp::Write {
                path: path.clone(),
                kind: kind_for(mode),
                blob_id: id,
                previous,
            });
            outcome.written.push(path.clone());
        }
        for path in &tracked {
            if !source.contains_key(path) && wt.metadata(path)?.is_some() {
                ops.push(WorktreeOp::Remove {
                    path: path.clone(),
                    previous: previous_of(path),
                });
                outcome.removed.push(path.clone());
            }
        }
        if !from_tree || options.overlay {
            // Restoring from the index removes nothing it does not have.
            outcome.removed.clear();
            ops.retain(|op| !matches!(op, WorktreeOp::Remove { .. }));
        }
    }

    let mut update = Update::new(repo);
    let written = update.apply_worktree(ops)?;
    let res = (|| -> Result<(), crate::update::Error> {
        let mut changed = !outcome.staged.is_empty();
        for (path, meta) in &written {
            if let Some(idx) = index.entry_index(path, Stage::Merged) {
                let entry = &index.entries()[idx];
                if source
                    .get(path)
                    .is_some_and(|&(_, id)| id == entry.object_id)
                {
                    index.set_stat(idx, meta.stat)?;
                    changed = true;
                }
            }
        }
        if changed {
            update.write_index(&mut index, options.index_mtime)?;
        }
        Ok(())
    })();
    if let Err(err) = res {
        return Err(update.abort(err).into());
    }
    update.commit()?;
    Ok(outcome)
}

/// The tree a commit or tree id names.
pub(crate) fn peel_to_tree<F: GitFiles + Clone>(
    repo: &Repository<F>,
    id: ObjectId,
) -> Result<ObjectId, crate::Error> {
    let (kind, _) = repo.object(&id)?;
    match kind {
        tabgit_object::Kind::Tree => Ok(id),
        tabgit_object::Kind::Commit => repo.commit_tree(id),
        other => Err(crate::Error::Unsupported {
            reason: format!("{id} is a {other}, not a tree or commit"),
        }),
    }
}
