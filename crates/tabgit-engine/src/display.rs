//! What the page shows, computed from the core's results: status entries and diffs in the
//! message types of [`crate::protocol`]. Pure functions, compiled and tested on every target.

use tabgit_diff::blob;
use tabgit_diff::lines::LineKind;
use tabgit_hash::ObjectId;
use tabgit_repo::diff::{HunkView, LineView};
use tabgit_repo::status::{self, Difference, Staged};

use crate::protocol::{
    ChangeKind, CommitSummary, ConflictHunk, DiffHunk, DiffLine, FileDiff, FileStatus, GraphRow,
    StatusSummary,
};

/// The most bytes a side of a diff may have to be shown line by line.
const DISPLAY_LIMIT: u64 = 4 * 1024 * 1024;

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn staged_kind(staged: &Staged) -> ChangeKind {
    match staged {
        Staged::Added => ChangeKind::Added,
        Staged::Deleted => ChangeKind::Deleted,
        Staged::Modified => ChangeKind::Modified,
        Staged::TypeChanged => ChangeKind::TypeChanged,
        Staged::Renamed { .. } => ChangeKind::Renamed,
    }
}

fn unstaged_kind(difference: Difference) -> ChangeKind {
    match difference {
        Difference::Deleted => ChangeKind::Deleted,
        Difference::Modified => ChangeKind::Modified,
        Difference::TypeChanged => ChangeKind::TypeChanged,
    }
}

/// The status in the engine's terms.
pub fn summary_of(outcome: &status::Outcome, merging: bool) -> StatusSummary {
    let mut files: Vec<FileStatus> = outcome
        .entries
        .iter()
        .map(|entry| {
            if entry.conflict.is_some() {
                return FileStatus {
                    path: entry.path.clone(),
                    old_path: None,
                    staged: None,
                    unstaged: Some(ChangeKind::Conflicted),
                };
            }
            FileStatus {
                path: entry.path.clone(),
                old_path: match &entry.staged {
                    Some(Staged::Renamed { from, .. }) => Some(from.clone()),
                    _ => None,
                },
                staged: entry.staged.as_ref().map(staged_kind),
                unstaged: entry.unstaged.map(unstaged_kind),
            }
        })
        .collect();
    files.extend(outcome.untracked.iter().map(|path| FileStatus {
        path: path.clone(),
        old_path: None,
        staged: None,
        unstaged: Some(ChangeKind::Untracked),
    }));
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let (ahead, behind) = outcome
        .head
        .upstream
        .as_ref()
        .and_then(|u| u.ahead_behind)
        .unwrap_or((0, 0));
    StatusSummary {
        branch: outcome
            .head
            .branch
            .as_ref()
            .map(|b| lossy(b.strip_prefix(b"refs/heads/".as_slice()).unwrap_or(b))),
        ahead,
        behind,
        merging,
        files,
    }
}

/// The display form of the diff of `old` against `new` (blob ids for hunk staging's check),
/// hunks as `git diff` groups them, with word highlights.
pub fn file_diff(
    path: &[u8],
    (old_id, old): (Option<ObjectId>, &[u8]),
    (new_id, new): (Option<ObjectId>, &[u8]),
) -> FileDiff {
    let mut out = FileDiff {
        path: path.to_vec(),
        old_id: old_id.map(|id| id.to_hex()),
        new_id: new_id.map(|id| id.to_hex()),
        binary: false,
        too_large: false,
        hunks: Vec::new(),
    };
    let limits = blob::Limits {
        max_bytes: DISPLAY_LIMIT,
        max_lines: 100_000,
    };
    if !limits.allow(old) || !limits.allow(new) {
        out.too_large = true;
        return out;
    }
    match tabgit_repo::diff::hunk_views(old, new, 3) {
        None => out.binary = true,
        Some(hunks) => out.hunks = hunks.iter().map(hunk).collect(),
    }
    out
}

fn hunk(view: &HunkView) -> DiffHunk {
    DiffHunk {
        header: lossy(&view.header),
        lines: view.lines.iter().map(line).collect(),
    }
}

fn line(view: &LineView) -> DiffLine {
    let text = view.text.strip_suffix(b"\n").unwrap_or(&view.text);
    let text = text.strip_suffix(b"\r").unwrap_or(text);
    // Highlights are byte ranges; they stay right only where decoding changed nothing.
    let (text, highlights) = match std::str::from_utf8(text) {
        Ok(valid) => (
            valid.to_owned(),
            view.highlights
                .iter()
                .filter(|r| r.end <= valid.len())
                .filter(|r| valid.is_char_boundary(r.start) && valid.is_char_boundary(r.end))
                .map(|r| (r.start as u32, r.end as u32))
                .collect(),
        ),
        Err(_) => (String::from_utf8_lossy(text).into_owned(), Vec::new()),
    };
    DiffLine {
        kind: char::from(view.kind.prefix()),
        old: match view.kind {
            LineKind::Added => None,
            _ => view.old_number,
        },
        new: match view.kind {
            LineKind::Removed => None,
            _ => view.new_number,
        },
        text,
        highlights,
    }
}

/// What a tree change is, for display.
pub fn change_kind(change: &tabgit_diff::Change) -> ChangeKind {
    use tabgit_diff::Change;
    match change {
        Change::Addition { .. } | Change::Copy { .. } => ChangeKind::Added,
        Change::Deletion { .. } => ChangeKind::Deleted,
        Change::Modification { old, new, .. } if old.is_type_change_to(new) => {
            ChangeKind::TypeChanged
        }
        Change::Modification { .. } => ChangeKind::Modified,
        Change::Rename { .. } => ChangeKind::Renamed,
    }
}

/// A commit's summary for display.
pub fn commit_summary(summary: &tabgit_repo::log::Summary) -> CommitSummary {
    CommitSummary {
        id: summary.commit_id.to_hex(),
        parents: summary.parents.iter().map(ObjectId::to_hex).collect(),
        author: lossy(&summary.author.name),
        email: lossy(&summary.author.email),
        time: summary.author.time.seconds,
        summary: lossy(&summary.subject),
    }
}

/// A graph row for display.
pub fn graph_row(row: &tabgit_repo::log::graph::Row) -> GraphRow {
    let lane = |l: usize| u16::try_from(l).unwrap_or(u16::MAX);
    GraphRow {
        lane: lane(row.lane),
        incoming: row.incoming.iter().map(|&l| lane(l)).collect(),
        passing: row.passing.iter().map(|&l| lane(l)).collect(),
        parents: row.parents.iter().map(|&(l, _)| lane(l)).collect(),
        width: lane(row.width),
    }
}

/// A conflict's merge hunks for display.
pub fn conflict_hunks(merge: &tabgit_repo::merge::FileMerge) -> Vec<ConflictHunk> {
    use tabgit_repo::merge::Hunk;
    merge
        .hunks
        .iter()
        .flatten()
        .map(|hunk| match hunk {
            Hunk::Clean(text) => ConflictHunk::Clean(lossy(text)),
            Hunk::Conflict(conflict) => ConflictHunk::Conflict {
                base: lossy(&conflict.base),
                ours: lossy(&conflict.ours),
                theirs: lossy(&conflict.theirs),
            },
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_diff_numbers_lines_from_one() {
        let diff = file_diff(
            b"a.txt",
            (None, b"one\ntwo\nthree\n"),
            (None, b"one\n2\nthree\n"),
        );
        assert_eq!(diff.hunks.len(), 1);
        assert_eq!(diff.hunks[0].header, "@@ -1,3 +1,3 @@");
        let kinds: String = diff.hunks[0].lines.iter().map(|l| l.kind).collect();
        assert_eq!(kinds, " -+ ");
        assert_eq!(diff.hunks[0].lines[1].old, Some(2));
        assert_eq!(diff.hunks[0].lines[1].new, None);
        assert_eq!(diff.hunks[0].lines[2].new, Some(2));
        assert_eq!(diff.hunks[0].lines[2].text, "2");
    }

    #[test]
    fn binary_content_has_no_lines() {
        let diff = file_diff(b"a.bin", (None, b"a\0b"), (None, b"a\0c"));
        assert!(diff.binary);
        assert!(diff.hunks.is_empty());
    }
}
