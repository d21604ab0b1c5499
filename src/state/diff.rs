//! A file's diff as the diff view draws it: unified or side by side, changed words marked,
//! long runs of unchanged lines folded (and the lines between hunks counted), renames in words,
//! and the guard that keeps a huge diff from being drawn until asked.

use std::collections::BTreeSet;

use tabgit_engine::protocol::{ChangeKind, ChangedFile, DiffHunk, DiffLine, FileDiff};

/// Unchanged lines kept around a fold.
pub const FOLD_CONTEXT: usize = 3;

/// Diffs with more lines than this are drawn only when asked.
pub const LARGE_DIFF_LINES: usize = 3000;

/// How to lay out a diff.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Layout {
    /// One column, removed lines above added ones.
    #[default]
    Unified,
    /// Old on the left, new on the right.
    SideBySide,
}

/// A piece of a line: changed words are marked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Piece {
    /// The text.
    pub text: String,
    /// Whether it differs from the paired line.
    pub mark: bool,
}

/// Split `text` at the byte ranges `highlights` (clamped to character boundaries).
pub fn pieces(text: &str, highlights: &[(u32, u32)]) -> Vec<Piece> {
    let floor = |mut i: usize| {
        i = i.min(text.len());
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let mut out = Vec::new();
    let mut at = 0;
    let mut ranges: Vec<(usize, usize)> = highlights
        .iter()
        .map(|&(s, e)| (floor(s as usize), floor(e as usize)))
        .filter(|(s, e)| s < e)
        .collect();
    ranges.sort_unstable();
    for (start, end) in ranges {
        let start = start.max(at);
        if start >= end {
            continue;
        }
        if start > at {
            out.push(Piece {
                text: text[at..start].to_owned(),
                mark: false,
            });
        }
        out.push(Piece {
            text: text[start..end].to_owned(),
            mark: true,
        });
        at = end;
    }
    if at < text.len() || out.is_empty() {
        out.push(Piece {
            text: text[at..].to_owned(),
            mark: false,
        });
    }
    out
}

/// A line as drawn.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    /// `' '`, `'+'` or `'-'`.
    pub kind: char,
    /// Its number in the old file.
    pub old: Option<u32>,
    /// Its number in the new file.
    pub new: Option<u32>,
    /// Its text in pieces.
    pub pieces: Vec<Piece>,
}

impl From<&DiffLine> for Line {
    fn from(line: &DiffLine) -> Line {
        Line {
            kind: line.kind,
            old: line.old,
            new: line.new,
            pieces: pieces(&line.text, &line.highlights),
        }
    }
}

/// A fold's identity: the hunk and the index of its first line.
pub type FoldId = (usize, usize);

/// A row of the unified layout.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Row {
    /// A hunk's header.
    Hunk(String),
    /// Unchanged lines between hunks (not part of the diff).
    Gap(u32),
    /// Unchanged lines folded away (unfold by id).
    Fold {
        /// Which.
        id: FoldId,
        /// How many lines.
        lines: usize,
    },
    /// A line.
    Line(Line),
}

/// A row of the side-by-side layout.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SideRow {
    /// A hunk's header.
    Hunk(String),
    /// Unchanged lines between hunks.
    Gap(u32),
    /// Folded unchanged lines.
    Fold {
        /// Which.
        id: FoldId,
        /// How many lines.
        lines: usize,
    },
    /// The old line (left) beside the new one (right); either may be missing.
    Pair(Option<Line>, Option<Line>),
}

/// `@@ -a,b +c,d @@` to `(a, b, c, d)`.
fn parse_header(header: &str) -> Option<(u32, u32, u32, u32)> {
    let mut words = header.split_whitespace().skip(1);
    let side = |word: Option<&str>, sign: char| -> Option<(u32, u32)> {
        let range = word?.strip_prefix(sign)?;
        let (start, len) = range.split_once(',').unwrap_or((range, "1"));
        Some((start.parse().ok()?, len.parse().ok()?))
    };
    let (a, b) = side(words.next(), '-')?;
    let (c, d) = side(words.next(), '+')?;
    Some((a, b, c, d))
}

/// Unchanged lines between the end of `previous` (or the file's start) and `hunk`.
fn gap_before(previous: Option<&DiffHunk>, hunk: &DiffHunk) -> u32 {
    let Some((start, _, _, _)) = parse_header(&hunk.header) else {
        return 0;
    };
    let end = previous
        .and_then(|p| parse_header(&p.header))
        .map_or(1, |(a, b, _, _)| a + b);
    start.saturating_sub(end)
}

/// The lines of a hunk with long unchanged runs folded, as `(index, folded length)` marks:
/// `Ok(line index)` for a drawn line, `Err((first index, count))` for a fold.
fn fold_plan(
    hunk_index: usize,
    lines: &[DiffLine],
    unfolded: &BTreeSet<FoldId>,
) -> Vec<Result<usize, (usize, usize)>> {
    let mut out = Vec::with_capacity(lines.len());
    let mut i = 0;
    while i < lines.len() {
        if lines[i].kind != ' ' {
            out.push(Ok(i));
            i += 1;
            continue;
        }
        let start = i;
        while i < lines.len() && lines[i].kind == ' ' {
            i += 1;
        }
        let keep_before = if start == 0 { 0 } else { FOLD_CONTEXT };
        let keep_after = if i == lines.len() { 0 } else { FOLD_CONTEXT };
        let run = i - start;
        let fold_from = start + keep_before;
        let fold_len = run.saturating_sub(keep_before + keep_after);
        if fold_len >= 2 && !unfolded.contains(&(hunk_index, fold_from)) {
            out.extend((start..fold_from).map(Ok));
            out.push(Err((fold_from, fold_len)));
            out.extend((fold_from + fold_len..i).map(Ok));
        } else {
            out.extend((start..i).map(Ok));
        }
    }
    out
}

/// What a row of either layout is to the grouping into hunks.
pub enum RowPart<R> {
    /// A hunk's header: a new group starts.
    Hunk(String),
    /// Unchanged lines before the next hunk.
    Gap(u32),
    /// A row that belongs to the current hunk.
    Body(R),
}

/// A row of a diff layout ([`Row`], [`SideRow`]).
pub trait LayoutRow: Sized {
    /// What this row is to the grouping.
    fn part(self) -> RowPart<Self>;
}

impl LayoutRow for Row {
    fn part(self) -> RowPart<Self> {
        match self {
            Row::Hunk(header) => RowPart::Hunk(header),
            Row::Gap(n) => RowPart::Gap(n),
            other => RowPart::Body(other),
        }
    }
}

impl LayoutRow for SideRow {
    fn part(self) -> RowPart<Self> {
        match self {
            SideRow::Hunk(header) => RowPart::Hunk(header),
            SideRow::Gap(n) => RowPart::Gap(n),
            other => RowPart::Body(other),
        }
    }
}

/// One hunk of a layout: the unchanged lines before it, its header and its rows.
pub struct HunkGroup<R> {
    /// Unchanged lines between the previous hunk and this one.
    pub gap: Option<u32>,
    /// The `@@ … @@` header.
    pub header: String,
    /// Its rows (lines or pairs, and folds).
    pub rows: Vec<R>,
}

/// Group a layout's rows into hunks (rows before the first header have no hunk and are
/// dropped: a layout always starts with one).
pub fn group_hunks<R: LayoutRow>(rows: Vec<R>) -> Vec<HunkGroup<R>> {
    let mut groups: Vec<HunkGroup<R>> = Vec::new();
    let mut gap = None;
    for row in rows {
        match row.part() {
            RowPart::Gap(n) => gap = Some(n),
            RowPart::Hunk(header) => groups.push(HunkGroup {
                gap: gap.take(),
                header,
                rows: Vec::new(),
            }),
            RowPart::Body(row) => {
                if let Some(group) = groups.last_mut() {
                    group.rows.push(row);
                }
            }
        }
    }
    groups
}

/// The unified layout.
pub fn unified(diff: &FileDiff, unfolded: &BTreeSet<FoldId>) -> Vec<Row> {
    let mut rows = Vec::new();
    for (h, hunk) in diff.hunks.iter().enumerate() {
        let gap = gap_before(h.checked_sub(1).map(|p| &diff.hunks[p]), hunk);
        if gap > 0 {
            rows.push(Row::Gap(gap));
        }
        rows.push(Row::Hunk(hunk.header.clone()));
        for step in fold_plan(h, &hunk.lines, unfolded) {
            rows.push(match step {
                Ok(i) => Row::Line(Line::from(&hunk.lines[i])),
                Err((first, lines)) => Row::Fold {
                    id: (h, first),
                    lines,
                },
            });
        }
    }
    rows
}

/// The side-by-side layout: unchanged lines on both sides, a run of removed lines beside the
/// run of added lines that follows it.
pub fn side_by_side(diff: &FileDiff, unfolded: &BTreeSet<FoldId>) -> Vec<SideRow> {
    let mut rows = Vec::new();
    for (h, hunk) in diff.hunks.iter().enumerate() {
        let gap = gap_before(h.checked_sub(1).map(|p| &diff.hunks[p]), hunk);
        if gap > 0 {
            rows.push(SideRow::Gap(gap));
        }
        rows.push(SideRow::Hunk(hunk.header.clone()));
        let plan = fold_plan(h, &hunk.lines, unfolded);
        let mut k = 0;
        while k < plan.len() {
            match plan[k] {
                Err((first, lines)) => {
                    rows.push(SideRow::Fold {
                        id: (h, first),
                        lines,
                    });
                    k += 1;
                }
                Ok(i) if !matches!(hunk.lines[i].kind, '-' | '+') => {
                    let line = Line::from(&hunk.lines[i]);
                    rows.push(SideRow::Pair(Some(line.clone()), Some(line)));
                    k += 1;
                }
                Ok(_) => {
                    let (mut removed, mut added) = (Vec::new(), Vec::new());
                    while let Some(Ok(i)) = plan.get(k) {
                        match hunk.lines[*i].kind {
                            '-' if added.is_empty() => removed.push(Line::from(&hunk.lines[*i])),
                            '+' => added.push(Line::from(&hunk.lines[*i])),
                            _ => break,
                        }
                        k += 1;
                    }
                    let n = removed.len().max(added.len());
                    let (mut removed, mut added) = (removed.into_iter(), added.into_iter());
                    for _ in 0..n {
                        rows.push(SideRow::Pair(removed.next(), added.next()));
                    }
                }
            }
        }
    }
    rows
}

/// How many lines a diff draws.
pub fn line_count(diff: &FileDiff) -> usize {
    diff.hunks.iter().map(|h| h.lines.len()).sum()
}

/// A changed file's heading: its path, or `old → new` for a rename.
pub fn file_label(file: &ChangedFile) -> String {
    let path = String::from_utf8_lossy(&file.path);
    match &file.old_path {
        Some(old) if *old != file.path => format!("{} → {path}", String::from_utf8_lossy(old)),
        _ => path.into_owned(),
    }
}

/// A changed file's counts (`+3 −1`, or `binary`).
pub fn file_counts(file: &ChangedFile) -> String {
    match (file.additions, file.deletions) {
        (Some(a), Some(d)) => format!("+{a} −{d}"),
        _ => "binary".into(),
    }
}

/// What happened to a file, in a word.
pub fn kind_word(kind: ChangeKind) -> &'static str {
    match kind {
        ChangeKind::Added => "added",
        ChangeKind::Modified => "modified",
        ChangeKind::Deleted => "deleted",
        ChangeKind::Renamed => "renamed",
        ChangeKind::TypeChanged => "type changed",
        ChangeKind::Untracked => "untracked",
        ChangeKind::Conflicted => "conflicted",
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use tabgit_engine::protocol::{ChangeKind, ChangedFile, DiffHunk, DiffLine, FileDiff};

    use super::{
        file_counts, file_label, line_count, pieces, side_by_side, unified, Piece, Row, SideRow,
    };

    fn line(kind: char, old: Option<u32>, new: Option<u32>, text: &str) -> DiffLine {
        DiffLine {
            kind,
            old,
            new,
            text: text.into(),
            highlights: vec![],
        }
    }

    fn diff(hunks: Vec<DiffHunk>) -> FileDiff {
        FileDiff {
            path: b"f.txt".to_vec(),
            old_id: None,
            new_id: None,
            binary: false,
            too_large: false,
            hunks,
        }
    }

    #[test]
    fn both_layouts_group_into_the_same_hunks() {
        use super::{group_hunks, HunkGroup};
        let rows = vec![
            Row::Hunk("@@ -1 +1 @@".into()),
            Row::Fold {
                id: (0, 0),
                lines: 3,
            },
            Row::Gap(7),
            Row::Hunk("@@ -9 +9 @@".into()),
        ];
        let groups: Vec<HunkGroup<Row>> = group_hunks(rows);
        assert_eq!(groups.len(), 2);
        assert_eq!((groups[0].gap, groups[0].rows.len()), (None, 1));
        assert_eq!(
            (groups[1].gap, groups[1].header.as_str()),
            (Some(7), "@@ -9 +9 @@")
        );
        let side = vec![
            SideRow::Pair(None, None),
            SideRow::Hunk("@@ -1 +1 @@".into()),
            SideRow::Pair(None, None),
            SideRow::Pair(None, None),
        ];
        let groups = group_hunks(side);
        assert_eq!(
            groups.len(),
            1,
            "rows before the first header belong to no hunk"
        );
        assert_eq!(groups[0].rows.len(), 2);
    }

    #[test]
    fn changed_words_are_marked() {
        assert_eq!(
            pieces("let x = 1;", &[(8, 9)]),
            vec![
                Piece {
                    text: "let x = ".into(),
                    mark: false
                },
                Piece {
                    text: "1".into(),
                    mark: true
                },
                Piece {
                    text: ";".into(),
                    mark: false
                },
            ]
        );
        // Ranges inside a multi-byte character are clamped; overlapping ranges merge.
        let marked = pieces("café au lait", &[(4, 6), (3, 5)]);
        let text: String = marked.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(text, "café au lait", "nothing is lost or doubled");
        assert_eq!(
            pieces("", &[]),
            vec![Piece {
                text: String::new(),
                mark: false
            }]
        );
        assert_eq!(
            pieces("ab", &[(0, 99)])[0],
            Piece {
                text: "ab".into(),
                mark: true
            }
        );
    }

    #[test]
    fn gaps_between_hunks_and_folds_inside_them() {
        let mut lines = vec![
            line('-', Some(20), None, "old"),
            line('+', None, Some(20), "new"),
        ];
        for n in 0..10 {
            lines.push(line(' ', Some(21 + n), Some(21 + n), "same"));
        }
        lines.push(line('+', None, Some(31), "more"));
        let d = diff(vec![
            DiffHunk {
                header: "@@ -1,2 +1,2 @@".into(),
                lines: vec![
                    line('-', Some(1), None, "a"),
                    line('+', None, Some(1), "b"),
                    line(' ', Some(2), Some(2), "c"),
                ],
            },
            DiffHunk {
                header: "@@ -20,11 +20,12 @@".into(),
                lines,
            },
        ]);
        let rows = unified(&d, &BTreeSet::new());
        assert_eq!(rows[0], Row::Hunk("@@ -1,2 +1,2 @@".into()));
        assert!(
            rows.contains(&Row::Gap(17)),
            "lines 3..=19 are between the hunks: {rows:?}"
        );
        let fold = rows.iter().find_map(|r| match r {
            Row::Fold { id, lines } => Some((*id, *lines)),
            _ => None,
        });
        assert_eq!(
            fold,
            Some(((1, 5), 4)),
            "10 unchanged lines keep 3 on each side"
        );
        let mut unfolded = BTreeSet::new();
        unfolded.insert((1, 5));
        assert!(!unified(&d, &unfolded)
            .iter()
            .any(|r| matches!(r, Row::Fold { .. })));
        assert_eq!(line_count(&d), 16);
    }

    #[test]
    fn side_by_side_pairs_removed_with_added() {
        let d = diff(vec![DiffHunk {
            header: "@@ -1,3 +1,2 @@".into(),
            lines: vec![
                line(' ', Some(1), Some(1), "same"),
                line('-', Some(2), None, "a"),
                line('-', Some(3), None, "b"),
                line('+', None, Some(2), "A"),
            ],
        }]);
        let rows = side_by_side(&d, &BTreeSet::new());
        assert_eq!(rows.len(), 4);
        assert!(
            matches!(&rows[1], SideRow::Pair(Some(l), Some(r)) if l.kind == ' ' && r.kind == ' ')
        );
        assert!(
            matches!(&rows[2], SideRow::Pair(Some(l), Some(r)) if l.old == Some(2) && r.new == Some(2))
        );
        assert!(matches!(&rows[3], SideRow::Pair(Some(l), None) if l.old == Some(3)));
    }

    #[test]
    fn renames_and_counts() {
        let file = ChangedFile {
            path: b"src/helpers.rs".to_vec(),
            old_path: Some(b"src/util.rs".to_vec()),
            kind: ChangeKind::Renamed,
            additions: Some(2),
            deletions: Some(1),
        };
        assert_eq!(file_label(&file), "src/util.rs → src/helpers.rs");
        assert_eq!(file_counts(&file), "+2 −1");
        let binary = ChangedFile {
            additions: None,
            deletions: None,
            old_path: None,
            ..file
        };
        assert_eq!(file_label(&binary), "src/helpers.rs");
        assert_eq!(file_counts(&binary), "binary");
    }
}
