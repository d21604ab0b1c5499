//! `git add`: stage the current content of files (new, modified and deleted ones).

use tabgit_attributes::Pathspec;
use tabgit_index::stat::Time;
use tabgit_index::{Mode, Stage};
use tabgit_store::files::GitFiles;

use crate::stage::{stage_file, Error, Refusal};
use crate::status::{self, Difference, Untracked};
use crate::update::Update;
use crate::Repository;

/// How to add.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Which paths (empty: the whole tree, for `all` and `update`).
    pub pathspec: Pathspec,
    /// Only files the index already has (`-u`).
    pub update: bool,
    /// Add ignored files too (`-f`).
    pub force: bool,
    /// Do not fail when a path argument matches nothing (`--ignore-missing` for dry runs,
    /// `--ignore-errors`-like leniency).
    pub ignore_unmatched: bool,
    /// The index file's modification time, for git's racily-clean rule (see
    /// [`status::Options::index_mtime`]).
    pub index_mtime: Option<Time>,
}

/// What was staged.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Paths whose content was staged (new or changed), sorted.
    pub added: Vec<Vec<u8>>,
    /// Paths removed from the index because their files are gone.
    pub removed: Vec<Vec<u8>>,
    /// Staged paths whose CRLF line endings git would have normalized (tabgit stores them as
    /// they are).
    pub line_endings: Vec<Vec<u8>>,
}

/// Stage the files `options` selects (`git add`).
///
/// ### Relation to git
///
/// As git 2.x: path arguments stage new, modified and deleted files alike; with no path
/// arguments `update` (`-u`) and a pathspec of `.` cover the whole tree. Ignored files named
/// exactly fail the whole operation unless `force` (git adds the others and exits 1).
pub fn add<F: GitFiles + Clone>(repo: &Repository<F>, options: &Options) -> Result<Outcome, Error> {
    let worktree = repo.worktree().ok_or(Error::Bare)?;
    let mut index = repo.index()?;
    let spec = &options.pathspec;
    let mut matched = vec![false; spec.items().len()];
    let mut mark = |path: &[u8]| {
        for idx in spec.matching_items(path) {
            matched[idx] = true;
        }
    };

    // Tracked files: what changed according to stat data and content.
    let stat_options = status::worktree::stat_options(repo.config());
    for entry in index.entries() {
        if spec.matches(&entry.path) {
            mark(&entry.path);
        }
    }
    let unmerged: Vec<Vec<u8>> = index
        .conflicts()
        .filter(|c| spec.matches(c.path))
        .map(|c| c.path.to_vec())
        .collect();
    let comparison = status::worktree::compare(
        &mut index,
        worktree,
        options.index_mtime,
        stat_options,
        &|path| spec.matches(path),
    )?;

    // Untracked files (and ignored ones named explicitly).
    let mut untracked = Vec::new();
    let mut ignored_named = Vec::new();
    if !options.update {
        let global = status::global_excludes(repo.files()).map_err(crate::Error::from)?;
        let found = status::walk_untracked(
            worktree,
            &index,
            global,
            status::untracked::Walk {
                mode: Untracked::All,
                include_ignored: true,
                descend_ignored: options.force,
            },
            Some(spec),
        )?;
        for found in found {
            if found.ignored && !options.force {
                let named = spec.items().iter().any(|item| {
                    !item.exclude
                        && item.path.strip_suffix(b"/").unwrap_or(&item.path)
                            == found.path.strip_suffix(b"/").unwrap_or(&found.path)
                });
                if named {
                    ignored_named.push(found.path.clone());
                    mark(&found.path);
                }
                continue;
            }
            if found.is_dir() {
                continue;
            }
            mark(&found.path);
            untracked.push(found.path);
        }
    }
    if !ignored_named.is_empty() {
        return Err(Error::Refused {
            reason: Refusal::Ignored,
            paths: ignored_named,
        });
    }
    if !options.ignore_unmatched {
        for (item, was_matched) in spec.items().iter().zip(&matched) {
            if !was_matched && !item.exclude && !item.path.is_empty() {
                return Err(Error::PathspecUnmatched {
                    pathspec: item.original.clone(),
                });
            }
        }
    }

    let attributes = status::load_attributes(repo, &index)?;
    let autocrlf = crate::stage::autocrlf(repo.config());
    let mut outcome = Outcome::default();
    let mut changed = comparison.refreshed;
    for change in &comparison.changes {
        let existing = index.entry(&change.path, Stage::Merged).map(|e| e.mode);
        if existing == Some(Mode::Gitlink) {
            continue; // A submodule's commit is staged from inside it.
        }
        match change.difference {
            Difference::Deleted => {
                index.remove(&change.path);
                outcome.removed.push(change.path.clone());
            }
            Difference::Modified | Difference::TypeChanged => {
                if let Some(staged) = stage_file(repo, worktree, &change.path, existing)? {
                    if crate::stage::git_would_normalize(
                        &attributes,
                        autocrlf,
                        &change.path,
                        &staged.data,
                    ) {
                        outcome.line_endings.push(change.path.clone());
                    }
                    index.insert_replacing(staged.entry)?;
                    outcome.added.push(change.path.clone());
                }
            }
        }
        changed = true;
    }
    for path in untracked.iter().chain(&unmerged) {
        let existing = index.path_entries(path).first().map(|e| e.mode);
        if let Some(staged) = stage_file(repo, worktree, path, existing)? {
            if crate::stage::git_would_normalize(&attributes, autocrlf, path, &staged.data) {
                outcome.line_endings.push(path.clone());
            }
            index.insert_replacing(staged.entry)?;
            outcome.added.push(path.clone());
            changed = true;
        } else if !index.path_entries(path).is_empty() {
            // A conflicted path whose file is gone: resolved as deleted.
            index.remove(path);
            outcome.removed.push(path.clone());
            changed = true;
        }
    }
    outcome.added.sort();
    outcome.added.dedup();
    if changed {
        let update = Update::new(repo);
        update.write_index(&mut index, options.index_mtime)?;
        update.commit()?;
    }
    Ok(outcome)
}

/// Stage every change of tracked files selected by `filter` into `index` in memory (what
/// `git add -u` and `git commit -a` do): modified files are stored, deleted ones removed.
/// Returns whether the index changed.
pub(crate) fn update_tracked<F: GitFiles + Clone>(
    repo: &Repository<F>,
    index: &mut tabgit_index::State,
    filter: &dyn Fn(&[u8]) -> bool,
    index_mtime: Option<Time>,
) -> Result<bool, Error> {
    let worktree = repo.worktree().ok_or(Error::Bare)?;
    let stat_options = status::worktree::stat_options(repo.config());
    let comparison = status::worktree::compare(index, worktree, index_mtime, stat_options, filter)?;
    let mut changed = comparison.refreshed;
    for change in &comparison.changes {
        let existing = index.entry(&change.path, Stage::Merged).map(|e| e.mode);
        if existing == Some(Mode::Gitlink) {
            continue;
        }
        match change.difference {
            Difference::Deleted => {
                index.remove(&change.path);
            }
            Difference::Modified | Difference::TypeChanged => {
                if let Some(staged) = stage_file(repo, worktree, &change.path, existing)? {
                    index.insert_replacing(staged.entry)?;
                }
            }
        }
        changed = true;
    }
    Ok(changed)
}
