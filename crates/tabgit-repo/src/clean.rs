//! Removing untracked files (`git clean`).
//!
//! ### Relation to git
//!
//! As `git clean` with `-d` (whole untracked directories, including empty ones), `-x` (ignored
//! files too) and `-X` (only ignored files). Without `directories`, untracked directories are
//! left alone and not looked into (git's `-X` without `-d` still looks into them for ignored
//! files; tabgit does not).

use tabgit_attributes::ignore::Stack;
use tabgit_attributes::Pathspec;
use tabgit_index::State;
use tabgit_store::files::GitFiles;
use tabgit_store::worktree::{EntryKind, FileKind, Worktree};

use crate::status::{dir_excludes, global_excludes};
use crate::Repository;

/// Which files to remove.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Only report (`-n`).
    pub dry_run: bool,
    /// Remove untracked directories too (`-d`).
    pub directories: bool,
    /// Remove ignored files too (`-x`).
    pub ignored: bool,
    /// Remove only ignored files (`-X`).
    pub only_ignored: bool,
    /// Only these paths.
    pub pathspec: Option<Pathspec>,
}

/// What was (or would be) removed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Paths, directories ending with `/`, sorted.
    pub removed: Vec<Vec<u8>>,
}

/// The reasons cleaning failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The repository could not be read.
    #[error(transparent)]
    Repository(#[from] crate::Error),
    /// The working tree could not be read or changed.
    #[error(transparent)]
    Worktree(#[from] tabgit_store::worktree::Error),
    /// Storage failed.
    #[error(transparent)]
    Files(#[from] tabgit_store::files::Error),
    /// The operation needs a working tree.
    #[error("this operation must be run in a work tree")]
    Bare,
}

/// The remaining entries of a directory listing.
type Listing = std::vec::IntoIter<(Vec<u8>, EntryKind)>;

struct Walker<'a> {
    worktree: &'a dyn Worktree,
    index: &'a State,
    options: &'a Options,
    excludes: Stack,
    out: Vec<Vec<u8>>,
}

fn join(dir: &[u8], name: &[u8]) -> Vec<u8> {
    let mut path = dir.to_vec();
    if !path.is_empty() {
        path.push(b'/');
    }
    path.extend_from_slice(name);
    path
}

impl Walker<'_> {
    fn selected(&self, path: &[u8]) -> bool {
        self.options
            .pathspec
            .as_ref()
            .is_none_or(|s| s.matches(path))
    }

    fn push_dir(&mut self, dir: &[u8]) -> Result<(), Error> {
        match dir_excludes(self.worktree, dir)? {
            Some(file) => self.excludes.push(file),
            None => self.excludes.push_empty(),
        }
        Ok(())
    }

    /// Walk a tracked directory (iteratively, one frame per directory).
    fn walk(&mut self) -> Result<(), Error> {
        // Each frame: a tracked directory, whether an ignore rule covers it, its listing.
        let mut stack: Vec<(Vec<u8>, bool, Listing)> = Vec::new();
        self.push_dir(b"")?;
        stack.push((Vec::new(), false, self.worktree.list(b"")?.into_iter()));
        while let Some((dir, dir_ignored, entries)) = stack.last_mut() {
            let dir_ignored = *dir_ignored;
            let Some((name, kind)) = entries.next() else {
                stack.pop();
                self.excludes.pop();
                continue;
            };
            let path = join(dir, &name);
            match kind {
                EntryKind::File(_) => {
                    if !self.index.path_entries(&path).is_empty() || !self.selected(&path) {
                        continue;
                    }
                    let ignored = dir_ignored || self.excludes.is_ignored(&path, false);
                    if self.wanted(ignored) {
                        self.out.push(path);
                    }
                }
                EntryKind::Directory => {
                    if !self.index.path_entries(&path).is_empty() {
                        continue; // A submodule.
                    }
                    if !self.index.directory_entries(&path).is_empty() {
                        let ignored = dir_ignored || self.excludes.is_ignored(&path, true);
                        self.push_dir(&path)?;
                        let entries = self.worktree.list(&path)?.into_iter();
                        stack.push((path, ignored, entries));
                        continue;
                    }
                    if self.options.directories {
                        self.untracked_dir(&path, dir_ignored)?;
                    }
                }
            }
        }
        Ok(())
    }

    fn wanted(&self, ignored: bool) -> bool {
        if self.options.only_ignored {
            ignored
        } else {
            !ignored || self.options.ignored
        }
    }

    /// An untracked directory: removed whole, or looked into when only part of it goes.
    fn untracked_dir(&mut self, dir: &[u8], parent_ignored: bool) -> Result<(), Error> {
        if self
            .options
            .pathspec
            .as_ref()
            .is_some_and(|s| !s.matches(dir) && !s.may_match_below(dir))
        {
            return Ok(());
        }
        let dir_ignored = parent_ignored || self.excludes.is_ignored(dir, true);
        let whole = if self.options.ignored {
            true
        } else if self.options.only_ignored {
            dir_ignored || self.only_ignored_below(dir)?
        } else {
            !dir_ignored && !self.any_ignored_below(dir)?
        };
        if whole {
            if self.selected(dir) || self.options.pathspec.is_none() {
                let mut path = dir.to_vec();
                path.push(b'/');
                self.out.push(path);
            }
            return Ok(());
        }
        if dir_ignored && !self.options.only_ignored {
            return Ok(());
        }
        self.push_dir(dir)?;
        for (name, kind) in self.worktree.list(dir)? {
            let path = join(dir, &name);
            match kind {
                EntryKind::File(_) => {
                    let ignored = self.excludes.is_ignored(&path, false);
                    if self.wanted(ignored) && self.selected(&path) {
                        self.out.push(path);
                    }
                }
                EntryKind::Directory => self.untracked_dir(&path, dir_ignored)?,
            }
        }
        self.excludes.pop();
        Ok(())
    }

    /// Whether some file below `dir` is ignored (with the ignore files inside it).
    fn any_ignored_below(&mut self, dir: &[u8]) -> Result<bool, Error> {
        self.scan(dir, true)
    }

    /// Whether everything below `dir` is ignored (and there is something).
    fn only_ignored_below(&mut self, dir: &[u8]) -> Result<bool, Error> {
        Ok(!self.scan(dir, false)? && self.has_files(dir)?)
    }

    fn has_files(&self, dir: &[u8]) -> Result<bool, Error> {
        let mut stack = vec![dir.to_vec()];
        while let Some(current) = stack.pop() {
            for (name, kind) in self.worktree.list(&current)? {
                match kind {
                    EntryKind::File(_) => return Ok(true),
                    EntryKind::Directory => stack.push(join(&current, &name)),
                }
            }
        }
        Ok(false)
    }

    /// Find a file below `dir` that is ignored (`want_ignored`) or not.
    fn scan(&mut self, dir: &[u8], want_ignored: bool) -> Result<bool, Error> {
        self.push_dir(dir)?;
        let mut found = false;
        for (name, kind) in self.worktree.list(dir)? {
            let path = join(dir, &name);
            let is_dir = kind == EntryKind::Directory;
            let ignored = self.excludes.is_ignored(&path, is_dir);
            if ignored == want_ignored && (!is_dir || ignored) {
                found = true;
            } else if is_dir && !ignored {
                found = self.scan(&path, want_ignored)?;
            }
            if found {
                break;
            }
        }
        self.excludes.pop();
        Ok(found)
    }
}

/// Remove untracked files as `options` says (`git clean`).
pub fn clean<F: GitFiles + Clone>(
    repo: &Repository<F>,
    options: &Options,
) -> Result<Outcome, Error> {
    let worktree = repo.worktree().ok_or(Error::Bare)?;
    let index = repo.index()?;
    let mut walker = Walker {
        worktree,
        index: &index,
        options,
        excludes: Stack::new(global_excludes(repo.files())?),
        out: Vec::new(),
    };
    walker.walk()?;
    let mut removed = walker.out;
    removed.sort();
    if !options.dry_run {
        for path in &removed {
            match path.strip_suffix(b"/") {
                Some(dir) => remove_dir(worktree, dir)?,
                None => worktree.remove(path)?,
            }
        }
    }
    Ok(Outcome { removed })
}

/// Remove a directory and everything in it.
fn remove_dir(worktree: &dyn Worktree, dir: &[u8]) -> Result<(), Error> {
    let mut files = Vec::new();
    let mut dirs = vec![dir.to_vec()];
    let mut stack = vec![dir.to_vec()];
    while let Some(current) = stack.pop() {
        for (name, kind) in worktree.list(&current)? {
            let path = join(&current, &name);
            match kind {
                EntryKind::File(_) => files.push(path),
                EntryKind::Directory => {
                    dirs.push(path.clone());
                    stack.push(path);
                }
            }
        }
    }
    for file in files {
        worktree.remove(&file)?;
    }
    // Empty directories left over: the working-tree store removes a directory once its last file
    // goes, so give each a placeholder file and remove that.
    dirs.sort_by_key(|d| std::cmp::Reverse(d.len()));
    for dir in dirs {
        if worktree.metadata(&dir)?.is_some() {
            let placeholder = join(&dir, b".tabgit-clean");
            worktree.write(&placeholder, FileKind::File, b"")?;
            worktree.remove(&placeholder)?;
            if worktree.metadata(&dir)?.is_some() {
                worktree.remove(&dir)?;
            }
        }
    }
    Ok(())
}
