//! `git rm`: remove files from the index, and from the working tree unless `cached`.

use tabgit_attributes::Pathspec;
use tabgit_index::stat::Time;
use tabgit_index::Stage;
use tabgit_store::files::GitFiles;

use crate::stage::{head_tree, tree_file, Error, Refusal};
use crate::status;
use crate::update::{Previous, Update, WorktreeOp};
use crate::Repository;

/// How to remove.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Which paths.
    pub pathspec: Pathspec,
    /// Only from the index (`--cached`).
    pub cached: bool,
    /// Even with local or staged changes (`-f`).
    pub force: bool,
    /// Allow directories (`-r`).
    pub recursive: bool,
    /// Succeed when nothing matches (`--ignore-unmatch`).
    pub ignore_unmatch: bool,
    /// Only say what would be removed (`-n`).
    pub dry_run: bool,
    /// The index file's modification time (see [`status::Options::index_mtime`]).
    pub index_mtime: Option<Time>,
}

/// What was removed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    /// The removed paths, sorted.
    pub removed: Vec<Vec<u8>>,
}

/// Remove the paths `options` selects (`git rm`).
///
/// ### Relation to git
///
/// The safety checks are git's `check_local_mod`: without `force`, a file whose content differs
/// from the index, or whose staged content differs from `HEAD`, is refused (with `cached`,
/// only a file where all three differ); every refused path is listed and nothing is removed.
pub fn remove<F: GitFiles + Clone>(
    repo: &Repository<F>,
    options: &Options,
) -> Result<Outcome, Error> {
    let mut index = repo.index()?;
    let spec = &options.pathspec;
    let mut selected: Vec<Vec<u8>> = Vec::new();
    let mut matched = vec![false; spec.items().len()];
    let mut recursive_needed = Vec::new();
    for entry in index.entries() {
        if selected.last() == Some(&entry.path) || !spec.matches(&entry.path) {
            continue;
        }
        for idx in spec.matching_items(&entry.path) {
            matched[idx] = true;
            let item = &spec.items()[idx].path;
            let exact = item.strip_suffix(b"/").unwrap_or(item) == entry.path.as_slice();
            let literal = spec.items()[idx].literal_len == item.len();
            if !exact && literal && !options.recursive {
                recursive_needed.push(spec.items()[idx].original.clone());
            }
        }
        selected.push(entry.path.clone());
    }
    if let Some(first) = recursive_needed.first() {
        return Err(Error::Refused {
            reason: Refusal::NotRecursive,
            paths: vec![first.clone()],
        });
    }
    if !options.ignore_unmatch {
        for (item, was_matched) in spec.items().iter().zip(&matched) {
            if !was_matched && !item.exclude {
                return Err(Error::PathspecUnmatched {
                    pathspec: item.original.clone(),
                });
            }
        }
    }

    let worktree = repo.worktree();
    if !options.force {
        let head = head_tree(repo)?;
        let stat_options = status::worktree::stat_options(repo.config());
        let changed: std::collections::HashSet<Vec<u8>> = match worktree {
            Some(wt) => {
                let mut probe = index.clone();
                status::worktree::compare(
                    &mut probe,
                    wt,
                    options.index_mtime,
                    stat_options,
                    &|p| selected.binary_search_by(|s| s.as_slice().cmp(p)).is_ok(),
                )?
                .changes
                .into_iter()
                .filter(|c| c.difference != status::Difference::Deleted)
                .map(|c| c.path)
                .collect()
            }
            None => std::collections::HashSet::new(),
        };
        let (mut both, mut staged, mut local) = (Vec::new(), Vec::new(), Vec::new());
        for path in &selected {
            let Some(entry) = index.entry(path, Stage::Merged) else {
                continue; // Conflicted paths may always be removed.
            };
            let in_head = match head {
                Some(tree) => tree_file(repo, tree, path)?,
                None => None,
            };
            let staged_change = in_head != Some((entry.mode, entry.object_id));
            let local_change = changed.contains(path);
            if staged_change && local_change {
                both.push(path.clone());
            } else if !options.cached {
                if staged_change {
                    staged.push(path.clone());
                } else if local_change {
                    local.push(path.clone());
                }
            }
        }
        for (reason, paths) in [
            (Refusal::StagedAndLocal, both),
            (Refusal::StagedChanges, staged),
            (Refusal::LocalModifications, local),
        ] {
            if !paths.is_empty() {
                return Err(Error::Refused { reason, paths });
            }
        }
    }
    if options.dry_run {
        return Ok(Outcome { removed: selected });
    }

    let mut ops = Vec::new();
    for path in &selected {
        if !options.cached && worktree.is_some() {
            let previous = match index.entry(path, Stage::Merged) {
                Some(e) if options.force => {
                    let _ = e;
                    Previous::Unknown
                }
                Some(e) => Previous::Blob(crate::stage::kind_for(e.mode), e.object_id),
                None => Previous::Unknown,
            };
            if worktree.is_some_and(|wt| matches!(wt.metadata(path), Ok(Some(m)) if m.file_type != tabgit_index::stat::FileType::Directory)) {
                ops.push(WorktreeOp::Remove {
                    path: path.clone(),
                    previous,
                });
            }
        }
        index.remove(path);
    }
    let mut update = Update::new(repo);
    if let Err(err) = update.apply_worktree(ops) {
        return Err(err.into());
    }
    if let Err(err) = update.write_index(&mut index, options.index_mtime) {
        return Err(update.abort(err).into());
    }
    update.commit()?;
    Ok(Outcome { removed: selected })
}
