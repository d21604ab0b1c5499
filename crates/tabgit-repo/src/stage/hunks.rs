//! Staging and unstaging single hunks (what `git add -p` and `git reset -p` offer).
//!
//! [`unstaged()`] lists the hunks between a file's index blob and its working-tree content;
//! [`stage()`] applies chosen ones to the index blob, leaving the file alone. [`staged()`] lists
//! the hunks between `HEAD` and the index; [`unstage()`] reverts chosen ones in the index.
//! Each listing carries the ids it was computed from; applying fails with
//! [`Error::StaleHunks`] if the file or the index changed in between, so a user never stages
//! something other than what they saw.

use std::ops::Range;

use tabgit_diff::lines::{self, Algorithm, HunkOptions, LineKind};
use tabgit_hash::ObjectId;
use tabgit_index::stat::Time;
use tabgit_index::{Entry, Mode, Stage};
use tabgit_object::Kind;
use tabgit_store::files::GitFiles;

use crate::stage::{head_tree, mode_for, tree_file, Error};
use crate::update::Update;
use crate::Repository;

/// One line of a hunk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    /// `' '`, `'-'` or `'+'`.
    pub kind: u8,
    /// The text, with its line ending if it has one.
    pub text: Vec<u8>,
}

/// One hunk, as a unified diff shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hunk {
    /// The `@@ -a,b +c,d @@ …` line, without its newline.
    pub header: Vec<u8>,
    /// Lines of the old side (0-based).
    pub old: Range<u32>,
    /// Lines of the new side.
    pub new: Range<u32>,
    /// The lines.
    pub lines: Vec<Line>,
}

/// The hunks of one file between two versions, and what they were computed from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileHunks {
    /// The path.
    pub path: Vec<u8>,
    /// The old side's blob (`None`: the file is new).
    pub old_id: Option<ObjectId>,
    /// The new side's content id (`None`: the file is gone).
    pub new_id: Option<ObjectId>,
    /// The hunks, in order.
    pub hunks: Vec<Hunk>,
}

fn read_blob<F: GitFiles + Clone>(
    repo: &Repository<F>,
    id: Option<ObjectId>,
) -> Result<Vec<u8>, Error> {
    match id {
        Some(id) => {
            let (kind, data) = repo.object(&id)?;
            if kind != Kind::Blob {
                return Err(crate::Error::Unsupported {
                    reason: format!("{id} is not a blob"),
                }
                .into());
            }
            Ok(data)
        }
        None => Ok(Vec::new()),
    }
}

fn is_binary(data: &[u8]) -> bool {
    tabgit_diff::blob::is_binary(data)
}

fn list(
    path: &[u8],
    old_id: Option<ObjectId>,
    old: &[u8],
    new_id: Option<ObjectId>,
    new: &[u8],
) -> Result<FileHunks, Error> {
    if is_binary(old) || is_binary(new) {
        return Err(Error::Binary {
            path: path.to_vec(),
        });
    }
    let diff = lines::Diff::compute(old, new, Algorithm::Myers);
    let options = HunkOptions::default();
    let hunks = diff
        .hunks(&options)
        .iter()
        .map(|hunk| {
            let mut header = Vec::new();
            diff.write_hunk_header(&mut header, hunk);
            while header.last() == Some(&b'\n') {
                header.pop();
            }
            Hunk {
                header,
                old: hunk.old.clone(),
                new: hunk.new.clone(),
                lines: diff
                    .hunk_lines(hunk)
                    .into_iter()
                    .map(|l| Line {
                        kind: match l.kind {
                            LineKind::Context => b' ',
                            LineKind::Removed => b'-',
                            LineKind::Added => b'+',
                        },
                        text: l.text.to_vec(),
                    })
                    .collect(),
            }
        })
        .collect();
    Ok(FileHunks {
        path: path.to_vec(),
        old_id,
        new_id,
        hunks,
    })
}

/// A working-tree file's content id, bytes and mode (all empty if it is absent).
type WorktreeSide = (Option<ObjectId>, Vec<u8>, Option<Mode>);

/// The working-tree side of `path`: its content id and bytes (`None` if absent).
fn worktree_side<F: GitFiles + Clone>(
    repo: &Repository<F>,
    path: &[u8],
) -> Result<WorktreeSide, Error> {
    let worktree = repo.worktree().ok_or(Error::Bare)?;
    Ok(match worktree.read(path)? {
        Some((kind, data)) => (
            Some(tabgit_object::compute_id(Kind::Blob, &data)),
            data,
            Some(mode_for(kind, None, true)),
        ),
        None => (None, Vec::new(), None),
    })
}

/// The hunks between the index and the working tree for `path` (what `git diff` shows).
pub fn unstaged<F: GitFiles + Clone>(
    repo: &Repository<F>,
    path: &[u8],
) -> Result<FileHunks, Error> {
    let index = repo.index()?;
    let old_id = index.entry(path, Stage::Merged).map(|e| e.object_id);
    let old = read_blob(repo, old_id)?;
    let (new_id, new, _) = worktree_side(repo, path)?;
    list(path, old_id, &old, new_id, &new)
}

/// The hunks between `HEAD` and the index for `path` (what `git diff --cached` shows).
pub fn staged<F: GitFiles + Clone>(repo: &Repository<F>, path: &[u8]) -> Result<FileHunks, Error> {
    let index = repo.index()?;
    let old_id = match head_tree(repo)? {
        Some(tree) => tree_file(repo, tree, path)?.map(|(_, id)| id),
        None => None,
    };
    let new_id = index.entry(path, Stage::Merged).map(|e| e.object_id);
    let old = read_blob(repo, old_id)?;
    let new = read_blob(repo, new_id)?;
    list(path, old_id, &old, new_id, &new)
}

/// Recompute the hunks and check they are the ones the caller saw.
fn recheck(expected: &FileHunks, current: &FileHunks, selected: &[usize]) -> Result<(), Error> {
    if expected.old_id != current.old_id
        || expected.new_id != current.new_id
        || expected.hunks != current.hunks
    {
        return Err(Error::StaleHunks {
            path: expected.path.clone(),
        });
    }
    if let Some(&hunk) = selected.iter().find(|&&h| h >= current.hunks.len()) {
        return Err(Error::NoSuchHunk {
            path: expected.path.clone(),
            hunk,
        });
    }
    Ok(())
}

/// Which line changes the selected hunks cover, as a per-change flag.
fn selected_changes(diff: &lines::Diff<'_>, selected: &[usize]) -> Vec<bool> {
    let mut flags = vec![false; diff.changes().len()];
    for (idx, hunk) in diff.hunks(&HunkOptions::default()).iter().enumerate() {
        if selected.contains(&idx) {
            for change in hunk.changes.clone() {
                flags[change] = true;
            }
        }
    }
    flags
}

/// `old` with the selected changes towards `new` applied.
fn apply_forward(diff: &lines::Diff<'_>, selected: &[bool]) -> Vec<u8> {
    let (old, new) = (diff.old_lines(), diff.new_lines());
    let mut out = Vec::new();
    let mut old_pos = 0usize;
    for (change, &take) in diff.changes().iter().zip(selected) {
        for line in &old[old_pos..change.old.start as usize] {
            out.extend_from_slice(line);
        }
        let lines = if take {
            &new[change.new.start as usize..change.new.end as usize]
        } else {
            &old[change.old.start as usize..change.old.end as usize]
        };
        for line in lines {
            out.extend_from_slice(line);
        }
        old_pos = change.old.end as usize;
    }
    for line in &old[old_pos..] {
        out.extend_from_slice(line);
    }
    out
}

/// `new` with the selected changes reverted towards `old`: `old` with every other change applied,
/// as the lines between changes are the same bytes on both sides (the line diff is exact).
fn apply_backward(diff: &lines::Diff<'_>, selected: &[bool]) -> Vec<u8> {
    let others: Vec<bool> = selected.iter().map(|revert| !revert).collect();
    apply_forward(diff, &others)
}

fn write_index_entry<F: GitFiles + Clone>(
    repo: &Repository<F>,
    path: &[u8],
    content: Option<(Mode, ObjectId)>,
    index_mtime: Option<Time>,
) -> Result<(), Error> {
    let mut index = repo.index()?;
    match content {
        Some((mode, blob_id)) => {
            index.insert_replacing(Entry::new(path.to_vec(), mode, blob_id))?;
        }
        None => {
            index.remove(path);
        }
    }
    let update = Update::new(repo);
    update.write_index(&mut index, index_mtime)?;
    update.commit()?;
    Ok(())
}

/// Stage the `selected` hunks (indices into `expected.hunks`, as listed by [`unstaged()`]) of
/// a file: the index gets its blob with those changes applied; the working tree is untouched.
pub fn stage<F: GitFiles + Clone>(
    repo: &Repository<F>,
    expected: &FileHunks,
    selected: &[usize],
    index_mtime: Option<Time>,
) -> Result<(), Error> {
    let path = &expected.path;
    let index = repo.index()?;
    let existing = index
        .entry(path, Stage::Merged)
        .map(|e| (e.mode, e.object_id));
    let old = read_blob(repo, existing.map(|(_, id)| id))?;
    let (new_id, new, new_mode) = worktree_side(repo, path)?;
    let current = list(path, existing.map(|(_, id)| id), &old, new_id, &new)?;
    recheck(expected, &current, selected)?;
    let all = selected.len() == current.hunks.len() && !selected.is_empty();
    if all && new_id.is_none() {
        return write_index_entry(repo, path, None, index_mtime);
    }
    let diff = lines::Diff::compute(&old, &new, Algorithm::Myers);
    let content = apply_forward(&diff, &selected_changes(&diff, selected));
    let blob_id = repo.odb().write_loose(Kind::Blob, &content)?;
    let mode = existing.map(|(m, _)| m).or(new_mode).unwrap_or(Mode::File);
    write_index_entry(repo, path, Some((mode, blob_id)), index_mtime)
}

/// Unstage the `selected` hunks (as listed by [`staged()`]): the index gets its blob with those
/// changes reverted towards `HEAD`. Selecting every hunk restores `HEAD`'s entry exactly.
pub fn unstage<F: GitFiles + Clone>(
    repo: &Repository<F>,
    expected: &FileHunks,
    selected: &[usize],
    index_mtime: Option<Time>,
) -> Result<(), Error> {
    let path = &expected.path;
    let index = repo.index()?;
    let in_head = match head_tree(repo)? {
        Some(tree) => tree_file(repo, tree, path)?,
        None => None,
    };
    let existing = index
        .entry(path, Stage::Merged)
        .map(|e| (e.mode, e.object_id));
    let old = read_blob(repo, in_head.map(|(_, id)| id))?;
    let new = read_blob(repo, existing.map(|(_, id)| id))?;
    let current = list(
        path,
        in_head.map(|(_, id)| id),
        &old,
        existing.map(|(_, id)| id),
        &new,
    )?;
    recheck(expected, &current, selected)?;
    if selected.len() == current.hunks.len() && !selected.is_empty() {
        return write_index_entry(repo, path, in_head, index_mtime);
    }
    let diff = lines::Diff::compute(&old, &new, Algorithm::Myers);
    let content = apply_backward(&diff, &selected_changes(&diff, selected));
    let blob_id = repo.odb().write_loose(Kind::Blob, &content)?;
    let mode = existing.or(in_head).map_or(Mode::File, |(m, _)| m);
    write_index_entry(repo, path, Some((mode, blob_id)), index_mtime)
}
