//! Files in the working tree that the index does not know (`dir.c` `read_directory`), with
//! git's ignore rules.

use tabgit_attributes::ignore::{self, Stack};
use tabgit_attributes::Pathspec;
use tabgit_index::State;
use tabgit_store::files::GitFiles;
use tabgit_store::worktree::{EntryKind, FileKind, Worktree};

/// How to report untracked files (`--untracked-files`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Untracked {
    /// Not at all (`no`).
    No,
    /// Files, and directories holding only untracked files as one `dir/` (`normal`, git's
    /// default). Directories with nothing but ignored files or empty directories are hidden.
    #[default]
    Normal,
    /// Every untracked file (`all`).
    All,
}

/// A path the index does not have.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Found {
    /// The path; a directory's ends with `/`.
    pub path: Vec<u8>,
    /// Whether the ignore rules exclude it.
    pub ignored: bool,
}

impl Found {
    /// Whether this is a whole directory.
    pub fn is_dir(&self) -> bool {
        self.path.ends_with(b"/")
    }
}

/// The repository-wide ignore files: `$GIT_DIR/info/exclude`.
pub(crate) fn global_excludes<F: GitFiles>(
    files: &F,
) -> Result<Vec<ignore::File>, tabgit_store::files::Error> {
    Ok(files
        .read("info/exclude")?
        .map(|data| ignore::File::parse(&data, b"", b".git/info/exclude"))
        .into_iter()
        .collect())
}

/// The `.gitignore` of directory `dir`, if it is a regular file (git does not follow a symlinked
/// one).
pub(crate) fn dir_excludes(
    worktree: &dyn Worktree,
    dir: &[u8],
) -> Result<Option<ignore::File>, tabgit_store::worktree::Error> {
    let mut path = dir.to_vec();
    if !path.is_empty() {
        path.push(b'/');
    }
    path.extend_from_slice(b".gitignore");
    Ok(match worktree.read(&path)? {
        Some((FileKind::File | FileKind::Executable, data)) => {
            Some(ignore::File::parse(&data, dir, &path))
        }
        _ => None,
    })
}

/// What to walk for.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Walk {
    pub mode: Untracked,
    /// Report ignored paths too.
    pub include_ignored: bool,
    /// Look inside ignored directories and report their files (ignored) one by one.
    pub descend_ignored: bool,
}

struct Frame {
    dir: Vec<u8>,
    /// Everything below is ignored.
    ignored: bool,
    entries: std::vec::IntoIter<(Vec<u8>, EntryKind)>,
    /// Neither this directory nor anything below it is in the index.
    wholly_untracked: bool,
    /// Where this directory's findings start in the output.
    start: usize,
}

/// Walk the working tree for paths not in `index`.
pub(crate) fn walk(
    worktree: &dyn Worktree,
    index: &State,
    global: Vec<ignore::File>,
    walk: Walk,
    pathspec: Option<&Pathspec>,
) -> Result<Vec<Found>, tabgit_store::worktree::Error> {
    let Walk {
        mode,
        include_ignored,
        descend_ignored,
    } = walk;
    let mut out: Vec<Found> = Vec::new();
    if mode == Untracked::No && !include_ignored {
        return Ok(out);
    }
    let mut excludes = Stack::new(global);
    let mut stack: Vec<Frame> = Vec::new();
    let enter = |dir: Vec<u8>,
                 wholly_untracked: bool,
                 ignored: bool,
                 start: usize,
                 excludes: &mut Stack|
     -> Result<Frame, tabgit_store::worktree::Error> {
        let entries = worktree.list(&dir)?;
        // Read `.gitignore` only where the listing shows one (a regular file).
        let has_ignore_file = entries.iter().any(|(name, kind)| {
            name == b".gitignore"
                && matches!(kind, EntryKind::File(FileKind::File | FileKind::Executable))
        });
        let file = if has_ignore_file {
            dir_excludes(worktree, &dir)?
        } else {
            None
        };
        match file {
            Some(file) => excludes.push(file),
            None => excludes.push_empty(),
        }
        Ok(Frame {
            entries: entries.into_iter(),
            dir,
            ignored,
            wholly_untracked,
            start,
        })
    };
    stack.push(enter(Vec::new(), false, false, 0, &mut excludes)?);
    while let Some(frame) = stack.last_mut() {
        let Some((name, kind)) = frame.entries.next() else {
            let frame = stack.pop().expect("the loop just looked at it");
            excludes.pop();
            finish_dir(
                &frame,
                &mut out,
                mode,
                include_ignored,
                stack.last().is_some_and(|p| p.wholly_untracked),
            );
            continue;
        };
        let mut path = frame.dir.clone();
        if !path.is_empty() {
            path.push(b'/');
        }
        path.extend_from_slice(&name);
        let parent_untracked = frame.wholly_untracked;
        let parent_ignored = frame.ignored;
        match kind {
            EntryKind::Directory => {
                if let Some(spec) = pathspec {
                    if !spec.may_match_below(&path) {
                        continue;
                    }
                }
                let tracked_below = !parent_untracked && !index.directory_entries(&path).is_empty();
                if !parent_untracked && !index.path_entries(&path).is_empty() {
                    // A submodule, or a tracked file a directory replaced (a deletion, as
                    // git reports it).
                    continue;
                }
                // As for `git check-ignore`: an ignored directory makes everything below it
                // ignored, even when it holds tracked files (they stay tracked).
                let ignored = parent_ignored || excludes.is_ignored(&path, true);
                if ignored && !tracked_below && !descend_ignored {
                    if include_ignored {
                        path.push(b'/');
                        out.push(Found {
                            path,
                            ignored: true,
                        });
                    }
                    continue;
                }
                let start = out.len();
                let frame = enter(path, !tracked_below, ignored, start, &mut excludes)?;
                stack.push(frame);
            }
            EntryKind::File(_) => {
                if !parent_untracked && !index.path_entries(&path).is_empty() {
                    continue;
                }
                if pathspec.is_some_and(|spec| !spec.matches(&path)) {
                    continue;
                }
                let ignored = parent_ignored || excludes.is_ignored(&path, false);
                if ignored && !include_ignored {
                    continue;
                }
                if !ignored && mode == Untracked::No {
                    continue;
                }
                out.push(Found { path, ignored });
            }
        }
    }
    Ok(out)
}

/// At the end of a directory, in `normal` mode: a wholly untracked directory holding only
/// ignored files is reported as one ignored `dir/`; the outermost wholly untracked directory
/// with untracked files in it as one untracked `dir/` (its ignored contents stay listed).
fn finish_dir(
    frame: &Frame,
    out: &mut Vec<Found>,
    mode: Untracked,
    include_ignored: bool,
    parent_untracked: bool,
) {
    if mode != Untracked::Normal || !frame.wholly_untracked {
        return;
    }
    let has_untracked = out[frame.start..].iter().any(|f| !f.ignored);
    if !has_untracked {
        if include_ignored && out.len() > frame.start {
            out.truncate(frame.start);
            let mut path = frame.dir.clone();
            path.push(b'/');
            out.push(Found {
                path,
                ignored: true,
            });
        }
        return;
    }
    if parent_untracked {
        return;
    }
    let found = out.split_off(frame.start);
    out.extend(found.iter().filter(|f| f.ignored).cloned());
    if has_untracked {
        let mut path = frame.dir.clone();
        path.push(b'/');
        out.push(Found {
            path,
            ignored: false,
        });
    }
}
