//! Diffs as the porcelain shows them (`git diff`): the working tree against the index, the index
//! against a tree (`--cached`), one tree against another (`A B`), and a commit against its first
//! parent (`git show`, `git log -p`); as unified patches, `--stat`, `--numstat`,
//! `--name-status`, and as hunks with word-level highlights for a side-by-side view.

use std::collections::HashMap;
use std::ops::Range;

use tabgit_diff::lines::{Diff as LineDiff, HunkOptions, LineKind};
use tabgit_diff::path::Prefixes;
use tabgit_diff::{blob, patch, rename, stat, tree, tree_index, words, Change, Side};
use tabgit_hash::ObjectId;
use tabgit_index::{Mode, Stage};
use tabgit_object::{CommitRef, Data, EntryMode, Find, Kind};
use tabgit_store::files::GitFiles;
use tabgit_store::worktree::FileKind;

use crate::Repository;

/// What to compare.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// The working tree against the index (`git diff`).
    WorktreeToIndex,
    /// The index against a tree, `HEAD`'s when `None` (`git diff --cached [<tree>]`).
    IndexToTree(Option<ObjectId>),
    /// One tree against another; `None` is the empty tree (`git diff <a> <b>`).
    Trees(Option<ObjectId>, ObjectId),
}

/// How to diff.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// Only these paths (a directory covers what is inside).
    pub paths: Vec<Vec<u8>>,
    /// Detect renames (`diff.renames`, on by default).
    pub renames: bool,
    /// The line diff algorithm.
    pub algorithm: tabgit_diff::lines::Algorithm,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            paths: Vec::new(),
            renames: true,
            algorithm: tabgit_diff::lines::Algorithm::Myers,
        }
    }
}

/// The reasons a diff could not be computed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The repository could not be read.
    #[error(transparent)]
    Repository(#[from] crate::Error),
    /// Trees could not be compared.
    #[error(transparent)]
    Tree(#[from] tree::Error),
    /// Renames could not be detected.
    #[error(transparent)]
    Rename(#[from] rename::Error),
    /// A patch could not be written.
    #[error(transparent)]
    Patch(#[from] patch::Error),
    /// Statistics could not be computed.
    #[error(transparent)]
    Stat(#[from] stat::Error),
    /// A blob could not be read.
    #[error(transparent)]
    Blob(#[from] blob::Error),
    /// The working tree could not be read.
    #[error(transparent)]
    Worktree(#[from] tabgit_store::worktree::Error),
    /// The repository has no working tree.
    #[error("this operation must be run in a work tree")]
    Bare,
    /// A commit does not parse.
    #[error("commit {commit_id} is malformed")]
    Malformed {
        /// The commit.
        commit_id: ObjectId,
    },
}

/// The changes between two sides, with what is needed to show them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Diff {
    /// The changed paths, in git's order, renames paired.
    pub changes: Vec<Change>,
    /// Paths that are unmerged in the index (shown as `U`).
    pub unmerged: Vec<Vec<u8>>,
    /// Contents of working-tree files, by the blob id they would have (they are not stored).
    worktree_blobs: HashMap<ObjectId, Vec<u8>>,
}

/// One line of a hunk, for a diff view.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineView {
    /// Context, removed or added.
    pub kind: LineKind,
    /// Its number in the old side (1-based), unless added.
    pub old_number: Option<u32>,
    /// Its number in the new side (1-based), unless removed.
    pub new_number: Option<u32>,
    /// The line, with its newline if it has one.
    pub text: Vec<u8>,
    /// Byte ranges of `text` whose words changed (word diff of a change's removed lines against
    /// its added lines).
    pub highlights: Vec<Range<usize>>,
}

/// One hunk, for a diff view.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HunkView {
    /// `@@ -a,b +c,d @@ function`, without the newline.
    pub header: Vec<u8>,
    /// Its lines.
    pub lines: Vec<LineView>,
}

/// One file's diff, for a diff view.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileView {
    /// The change.
    pub change: Change,
    /// Whether either side is binary (then there are no hunks).
    pub binary: bool,
    /// The hunks.
    pub hunks: Vec<HunkView>,
}

/// Compare `target` in `repo`.
///
/// ### Relation to git
///
/// The changes, patches and statistics equal `git diff` (with `--no-ext-diff`, default
/// options). The working tree is read byte for byte: no `.gitattributes` conversions, filters
/// or textconv.
pub fn diff<F: GitFiles + Clone>(
    repo: &Repository<F>,
    target: Target,
    options: &Options,
) -> Result<Diff, Error> {
    let prefixes = Prefixes::new(options.paths.iter().cloned());
    let find: &dyn Find = repo.odb();
    let mut out = Diff::default();
    match target {
        Target::Trees(old, new) => {
            out.changes = tree::diff(
                find,
                old.as_ref(),
                Some(&new),
                &tree::Options {
                    paths: prefixes.clone(),
                },
            )?;
        }
        Target::IndexToTree(tree_id) => {
            let tree_id = match tree_id {
                Some(tree_id) => Some(tree_id),
                None => match repo.head()?.id() {
                    Some(commit_id) => Some(commit_tree(repo, &commit_id)?),
                    None => None,
                },
            };
            let index = repo.index()?;
            let outcome = tree_index::diff(
                find,
                tree_id.as_ref(),
                &index,
                &tree_index::Options {
                    paths: prefixes.clone(),
                    intent_to_add: false,
                },
            )?;
            out.changes = outcome.changes;
            out.unmerged = outcome.unmerged;
        }
        Target::WorktreeToIndex => {
            let worktree = repo.worktree().ok_or(Error::Bare)?;
            let index = repo.index()?;
            let options = tabgit_index::stat::Options::default();
            for entry in index.entries() {
                if !prefixes.matches(&entry.path) {
                    continue;
                }
                if entry.stage != Stage::Merged {
                    if out.unmerged.last() != Some(&entry.path) {
                        out.unmerged.push(entry.path.clone());
                    }
                    continue;
                }
                let old = Side {
                    mode: entry.mode.to_tree_mode(),
                    object_id: entry.object_id,
                };
                let Some(meta) = worktree.metadata(&entry.path)? else {
                    out.changes.push(Change::Deletion {
                        path: entry.path.clone(),
                        old,
                    });
                    continue;
                };
                if entry.mode == Mode::Gitlink {
                    continue;
                }
                if tabgit_index::stat::compare(entry, &meta, None, &options)
                    == tabgit_index::stat::Outcome::Unchanged
                {
                    continue;
                }
                let Some((kind, data)) = worktree.read(&entry.path)? else {
                    out.changes.push(Change::Deletion {
                        path: entry.path.clone(),
                        old,
                    });
                    continue;
                };
                let mode = match kind {
                    FileKind::File => EntryMode::BLOB,
                    FileKind::Executable => EntryMode::BLOB_EXECUTABLE,
                    FileKind::Symlink => EntryMode::LINK,
                };
                let blob_id = tabgit_object::compute_id(Kind::Blob, &data);
                if blob_id == entry.object_id && mode == old.mode {
                    continue;
                }
                out.worktree_blobs.insert(blob_id, data);
                out.changes.push(Change::Modification {
                    path: entry.path.clone(),
                    old,
                    new: Side {
                        mode,
                        object_id: blob_id,
                    },
                });
            }
        }
    }
    if options.renames {
        let overlay = Overlay {
            find,
            extra: &out.worktree_blobs,
        };
        let changes = std::mem::take(&mut out.changes);
        out.changes = rename::detect(&overlay, changes, &rename::Options::default())?.changes;
    }
    Ok(out)
}

/// The changes a commit made, against its first parent (the empty tree for a root commit), with
/// renames detected: what `git show` and `git log -p` show for a non-merge commit.
pub fn commit<F: GitFiles + Clone>(
    repo: &Repository<F>,
    commit_id: &ObjectId,
    options: &Options,
) -> Result<Diff, Error> {
    let (_, data) = repo.object(commit_id)?;
    let commit = CommitRef::from_bytes(&data).map_err(|_| Error::Malformed {
        commit_id: *commit_id,
    })?;
    let parent_tree = match commit.parents.first() {
        Some(parent) => Some(commit_tree(repo, parent)?),
        None => None,
    };
    diff(repo, Target::Trees(parent_tree, commit.tree), options)
}

fn commit_tree<F: GitFiles + Clone>(
    repo: &Repository<F>,
    commit_id: &ObjectId,
) -> Result<ObjectId, Error> {
    let (_, data) = repo.object(commit_id)?;
    Ok(CommitRef::from_bytes(&data)
        .map_err(|_| Error::Malformed {
            commit_id: *commit_id,
        })?
        .tree)
}

/// The object database plus the working-tree contents a diff hashed.
struct Overlay<'a> {
    find: &'a dyn Find,
    extra: &'a HashMap<ObjectId, Vec<u8>>,
}

impl Find for Overlay<'_> {
    fn try_find<'b>(
        &self,
        id: &ObjectId,
        buf: &'b mut Vec<u8>,
    ) -> Result<Option<Data<'b>>, tabgit_object::find::Error> {
        if let Some(data) = self.extra.get(id) {
            buf.clear();
            buf.extend_from_slice(data);
            return Ok(Some(Data {
                kind: Kind::Blob,
                data: buf.as_slice(),
            }));
        }
        self.find.try_find(id, buf)
    }
}

/// Conversion
impl Diff {
    /// The unified patch (`git diff -p`), with abbreviations of `abbrev` digits on `index` lines.
    pub fn patch<F: GitFiles + Clone>(
        &self,
        repo: &Repository<F>,
        abbrev: usize,
        algorithm: tabgit_diff::lines::Algorithm,
    ) -> Result<Vec<u8>, Error> {
        let overlay = Overlay {
            find: repo.odb(),
            extra: &self.worktree_blobs,
        };
        let mut out = Vec::new();
        let mut options = patch::Options {
            abbrev: Some(abbrev),
            ..patch::Options::default()
        };
        options.blob.algorithm = algorithm;
        patch::write_changes(&mut out, &overlay, &self.changes, &options)?;
        Ok(out)
    }

    /// The statistics (`--stat`, `--numstat`, `--shortstat`).
    pub fn stat<F: GitFiles + Clone>(&self, repo: &Repository<F>) -> Result<stat::Stat, Error> {
        let overlay = Overlay {
            find: repo.odb(),
            extra: &self.worktree_blobs,
        };
        Ok(stat::compute(
            &overlay,
            &self.changes,
            &stat::Options::default(),
        )?)
    }

    /// `--name-status` lines.
    pub fn name_status(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for change in &self.changes {
            tabgit_diff::raw::write_name_status(&mut out, change);
        }
        out
    }

    /// The change at `idx` as hunks with word highlights (`context_lines` of context).
    pub fn file<F: GitFiles + Clone>(
        &self,
        repo: &Repository<F>,
        idx: usize,
        context_lines: u32,
    ) -> Result<Option<FileView>, Error> {
        let Some(change) = self.changes.get(idx) else {
            return Ok(None);
        };
        let overlay = Overlay {
            find: repo.odb(),
            extra: &self.worktree_blobs,
        };
        let load = |side: Option<(&[u8], Side)>| -> Result<Vec<u8>, Error> {
            match side {
                Some((_, side)) => Ok(blob::load(&overlay, &side)?),
                None => Ok(Vec::new()),
            }
        };
        let old = load(change.before())?;
        let new = load(change.after())?;
        Ok(Some(file_view(change.clone(), &old, &new, context_lines)))
    }
}

/// Hunks with word highlights for two contents.
pub fn file_view(change: Change, old: &[u8], new: &[u8], context_lines: u32) -> FileView {
    match hunk_views(old, new, context_lines) {
        Some(hunks) => FileView {
            change,
            binary: false,
            hunks,
        },
        None => FileView {
            change,
            binary: true,
            hunks: Vec::new(),
        },
    }
}

/// The hunks of `old` against `new` with word highlights (`context_lines` of context), as
/// `git diff` groups them; `None` if either side is binary.
pub fn hunk_views(old: &[u8], new: &[u8], context_lines: u32) -> Option<Vec<HunkView>> {
    if blob::is_binary(old) || blob::is_binary(new) {
        return None;
    }
    let diff = LineDiff::compute(old, new, tabgit_diff::lines::Algorithm::Myers);
    let options = HunkOptions {
        context_lines,
        ..HunkOptions::default()
    };
    let mut hunks = Vec::new();
    for hunk in diff.hunks(&options) {
        let mut header = Vec::new();
        diff.write_hunk_header(&mut header, &hunk);
        header.pop();
        let mut lines: Vec<LineView> = diff
            .hunk_lines(&hunk)
            .into_iter()
            .map(|line| LineView {
                kind: line.kind,
                old_number: line.old_index.map(|n| n + 1),
                new_number: line.new_index.map(|n| n + 1),
                text: line.text.to_vec(),
                highlights: Vec::new(),
            })
            .collect();
        highlight_words(&mut lines);
        hunks.push(HunkView { header, lines });
    }
    Some(hunks)
}

/// For each run of removed lines followed by added lines, mark the words that differ.
fn highlight_words(lines: &mut [LineView]) {
    let mut idx = 0;
    while idx < lines.len() {
        if lines[idx].kind != LineKind::Removed {
            idx += 1;
            continue;
        }
        let removed_start = idx;
        while idx < lines.len() && lines[idx].kind == LineKind::Removed {
            idx += 1;
        }
        let added_start = idx;
        while idx < lines.len() && lines[idx].kind == LineKind::Added {
            idx += 1;
        }
        if added_start == idx {
            continue;
        }
        let join = |range: Range<usize>, lines: &[LineView]| -> (Vec<u8>, Vec<usize>) {
            let mut text = Vec::new();
            let mut starts = Vec::new();
            for line in &lines[range] {
                starts.push(text.len());
                text.extend_from_slice(&line.text);
            }
            (text, starts)
        };
        let (old_text, old_starts) = join(removed_start..added_start, lines);
        let (new_text, new_starts) = join(added_start..idx, lines);
        for change in words::diff(&old_text, &new_text) {
            mark(
                &mut lines[removed_start..added_start],
                &old_starts,
                change.old,
            );
            mark(&mut lines[added_start..idx], &new_starts, change.new);
        }
    }
}

/// Add the byte `range` of a block (lines starting at `starts`) to the lines' highlights.
fn mark(lines: &mut [LineView], starts: &[usize], range: Range<usize>) {
    if range.is_empty() {
        return;
    }
    for (line, &start) in lines.iter_mut().zip(starts) {
        let end = start + line.text.len();
        let from = range.start.max(start);
        let to = range.end.min(end);
        if from < to {
            line.highlights.push(from - start..to - start);
        }
    }
}
