//! Diff statistics: lines added and removed per file (`git diff --numstat`), the `--stat`
//! table, and the `--shortstat` totals (`diff.c` `builtin_diffstat`, `show_stats`,
//! `show_numstat`, `show_shortstats`).

use tabgit_object::Find;

use crate::blob::{self, Attribute, Content};
use crate::{path, Change, Status};

/// What changed in one file.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub enum Lines {
    /// Lines added and removed.
    Text {
        /// Lines added.
        insertions: u64,
        /// Lines removed.
        deletions: u64,
    },
    /// A side is binary: `-\t-` in `--numstat`, `Bin <old> -> <new> bytes` in `--stat`.
    ///
    /// When both sides are equal (a pure rename or mode change), git reports both sizes as 0
    /// and so does this.
    Binary {
        /// The old side's size in bytes.
        old_size: u64,
        /// The new side's size in bytes.
        new_size: u64,
    },
    /// A side exceeds the [`blob::Limits`]; lines were not counted. Printed like
    /// [`Lines::Binary`].
    TooLarge {
        /// The old side's size in bytes.
        old_size: u64,
        /// The new side's size in bytes.
        new_size: u64,
    },
}

/// The statistics of one change.
#[derive(Clone, PartialEq, Eq, Debug, Hash)]
pub struct FileStat {
    /// The change.
    pub change: Change,
    /// What changed in its content.
    pub lines: Lines,
}

/// The statistics of a diff, one entry per change in the diff's order.
#[derive(Clone, PartialEq, Eq, Debug, Default, Hash)]
pub struct Stat {
    /// One entry per change.
    pub files: Vec<FileStat>,
}

/// The totals `--shortstat` prints.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Hash)]
pub struct Totals {
    /// Files changed (binary ones included).
    pub files: usize,
    /// Lines added in text files.
    pub insertions: u64,
    /// Lines removed in text files.
    pub deletions: u64,
}

/// How to compute statistics.
#[derive(Clone, Copy)]
pub struct Options<'a> {
    /// The line diff algorithm and the size limits (none by default, as in git).
    pub blob: blob::Options,
    /// What `.gitattributes` says about a path's `diff` attribute; `None` means nothing.
    pub attributes: Option<blob::Attributes<'a>>,
}

impl Default for Options<'_> {
    fn default() -> Self {
        Options {
            blob: blob::Options {
                limits: blob::Limits::NONE,
                ..blob::Options::default()
            },
            attributes: None,
        }
    }
}

impl std::fmt::Debug for Options<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Options")
            .field("blob", &self.blob)
            .field("attributes", &self.attributes.map(|_| "…"))
            .finish()
    }
}

/// The reasons statistics could not be computed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A side's content could not be read.
    #[error(
        "could not read {:?} to count its changes",
        String::from_utf8_lossy(path)
    )]
    Load {
        /// The path whose content was needed.
        path: Vec<u8>,
        /// What went wrong.
        #[source]
        source: blob::Error,
    },
}

/// Count the changed lines between two contents (an absent side is empty).
///
/// ### Relation to git
///
/// As `builtin_diffstat`: binary content is not counted (even if both sides are equal), text
/// is counted with the same line diff a patch uses, so the numbers equal `git diff --numstat`
/// with the same algorithm.
pub fn count(old: Content<'_>, new: Content<'_>, options: &blob::Options) -> Lines {
    match blob::diff(old, new, options) {
        blob::Outcome::Binary { .. } if old.data == new.data => Lines::Binary {
            old_size: 0,
            new_size: 0,
        },
        blob::Outcome::Binary { old_size, new_size } => Lines::Binary { old_size, new_size },
        blob::Outcome::TooLarge { old_size, new_size } => Lines::TooLarge { old_size, new_size },
        blob::Outcome::Text(diff) => Lines::Text {
            insertions: diff.insertions(),
            deletions: diff.deletions(),
        },
    }
}

/// Compute the statistics of `changes`, reading contents from `find` (with [`blob::load`]).
pub fn compute(find: &dyn Find, changes: &[Change], options: &Options<'_>) -> Result<Stat, Error> {
    let mut stat = Stat::default();
    for change in changes {
        let load = |side: Option<(&[u8], crate::Side)>| -> Result<(Vec<u8>, Attribute), Error> {
            let Some((path, side)) = side else {
                return Ok((Vec::new(), Attribute::Unspecified));
            };
            let data = blob::load(find, &side).map_err(|source| Error::Load {
                path: path.to_vec(),
                source,
            })?;
            let attribute = options
                .attributes
                .map(|attributes| attributes(path))
                .unwrap_or_default();
            Ok((data, attribute))
        };
        let (old_data, old_attribute) = load(change.before())?;
        let (new_data, new_attribute) = load(change.after())?;
        let lines = count(
            Content {
                data: &old_data,
                attribute: old_attribute,
            },
            Content {
                data: &new_data,
                attribute: new_attribute,
            },
            &options.blob,
        );
        stat.files.push(FileStat {
            change: change.clone(),
            lines,
        });
    }
    Ok(stat)
}

/// The name `--stat` and `--numstat` show for `change`: the path, quoted if needed, or for a
/// rename or copy `old => new` with the common leading directories and trailing part factored
/// out, as in `src/{util.rs => helpers.rs}` (`pprint_rename` in `diff.c`).
pub fn display_name(change: &Change) -> Vec<u8> {
    let mut name = Vec::new();
    match change.status() {
        Status::Renamed | Status::Copied => {
            write_rename(&mut name, change.old_path(), change.new_path());
        }
        _ => path::write_quoted(&mut name, change.new_path()),
    }
    name
}

/// `pprint_rename`.
fn write_rename(out: &mut Vec<u8>, a: &[u8], b: &[u8]) {
    if path::needs_quoting(a) || path::needs_quoting(b) {
        path::write_quoted(out, a);
        out.extend_from_slice(b" => ");
        path::write_quoted(out, b);
        return;
    }
    // The common prefix, up to and including its last `/`.
    let mut prefix_len = 0;
    for (idx, (x, y)) in a.iter().zip(b).enumerate() {
        if x != y {
            break;
        }
        if *x == b'/' {
            prefix_len = idx + 1;
        }
    }
    // The common suffix, from a `/` on. git compares from the terminating NUL backwards and may
    // step one byte into the prefix, onto its final slash.
    let adjust = usize::from(prefix_len > 0);
    let mut suffix_len = 0;
    let (mut old_idx, mut new_idx) = (a.len() as isize, b.len() as isize);
    let old_floor = prefix_len as isize - adjust as isize;
    let new_floor = prefix_len as isize - adjust as isize;
    let byte_at = |text: &[u8], idx: isize| -> u8 {
        if idx as usize == text.len() {
            0
        } else {
            text[idx as usize]
        }
    };
    while old_floor <= old_idx && new_floor <= new_idx && byte_at(a, old_idx) == byte_at(b, new_idx)
    {
        if byte_at(a, old_idx) == b'/' {
            suffix_len = a.len() - old_idx as usize;
        }
        old_idx -= 1;
        new_idx -= 1;
    }
    let a_mid = a.len().saturating_sub(prefix_len + suffix_len);
    let b_mid = b.len().saturating_sub(prefix_len + suffix_len);
    let has_braces = prefix_len + suffix_len > 0;
    if has_braces {
        out.extend_from_slice(&a[..prefix_len]);
        out.push(b'{');
    }
    out.extend_from_slice(&a[prefix_len..prefix_len + a_mid]);
    out.extend_from_slice(b" => ");
    out.extend_from_slice(&b[prefix_len..prefix_len + b_mid]);
    if has_braces {
        out.push(b'}');
        out.extend_from_slice(&a[a.len() - suffix_len..]);
    }
}

/// Access
impl Stat {
    /// The totals over all files.
    pub fn totals(&self) -> Totals {
        let mut totals = Totals {
            files: self.files.len(),
            ..Totals::default()
        };
        for file in &self.files {
            if let Lines::Text {
                insertions,
                deletions,
            } = file.lines
            {
                totals.insertions += insertions;
                totals.deletions += deletions;
            }
        }
        totals
    }

    /// Write `git diff --numstat`: `<added>\t<removed>\t<name>` per file, `-\t-\t<name>` for
    /// binary files.
    pub fn write_numstat(&self, out: &mut Vec<u8>) {
        for file in &self.files {
            match file.lines {
                Lines::Text {
                    insertions,
                    deletions,
                } => out.extend_from_slice(format!("{insertions}\t{deletions}\t").as_bytes()),
                Lines::Binary { .. } | Lines::TooLarge { .. } => out.extend_from_slice(b"-\t-\t"),
            }
            out.extend_from_slice(&display_name(&file.change));
            out.push(b'\n');
        }
    }

    /// Write `git diff --shortstat`: ` 2 files changed, 3 insertions(+), 1 deletion(-)`; nothing
    /// for an empty diff.
    pub fn write_shortstat(&self, out: &mut Vec<u8>) {
        if !self.files.is_empty() {
            self.totals().write(out);
        }
    }

    /// Write `git diff --stat=<width>` (80 when `width` is 0): one ` name | count +++--` line per
    /// file, scaled to the width, then the `--shortstat` line.
    ///
    /// ### Relation to git
    ///
    /// As `show_stats` in `diff.c` with no `--stat-name-width`, `--stat-graph-width` or
    /// `--stat-count`. Names are measured in bytes, which equals git's display width for the
    /// ASCII (or quoted) names git prints.
    pub fn write_stat(&self, out: &mut Vec<u8>, width: usize) {
        if self.files.is_empty() {
            return;
        }
        let names: Vec<Vec<u8>> = self
            .files
            .iter()
            .map(|file| display_name(&file.change))
            .collect();
        let mut max_len = 0;
        let mut max_change: u64 = 0;
        let mut bin_width = 0;
        let mut number_width = 0;
        for (file, name) in self.files.iter().zip(&names) {
            max_len = max_len.max(name.len());
            match file.lines {
                Lines::Binary { old_size, new_size } | Lines::TooLarge { old_size, new_size } => {
                    let w = 14 + decimal_width(new_size) + decimal_width(old_size);
                    bin_width = bin_width.max(w);
                    number_width = 3;
                }
                Lines::Text {
                    insertions,
                    deletions,
                } => max_change = max_change.max(insertions + deletions),
            }
        }
        let mut width = if width == 0 { 80 } else { width };
        number_width = number_width.max(decimal_width(max_change));
        width = width.max(16 + 6 + number_width);
        let mut graph_width = if max_change + 4 > bin_width as u64 {
            max_change as usize
        } else {
            bin_width - 4
        };
        let mut name_width = max_len;
        if name_width + number_width + 6 + graph_width > width {
            let three_eighths = (width * 3 / 8).saturating_sub(number_width + 6);
            if graph_width > three_eighths {
                graph_width = three_eighths.max(6);
            }
            let rest = width.saturating_sub(number_width + 6 + graph_width);
            if name_width > rest {
                name_width = rest;
            } else {
                graph_width = width - number_width - 6 - name_width;
            }
        }

        for (file, name) in self.files.iter().zip(&names) {
            let mut shown: &[u8] = name;
            let mut prefix: &[u8] = b"";
            let mut len = name_width;
            if name_width < shown.len() {
                prefix = b"...";
                len = len.saturating_sub(3);
                shown = &shown[shown.len() - len..];
                if let Some(slash) = shown.iter().position(|&b| b == b'/') {
                    shown = &shown[slash..];
                }
            }
            let padding = len.saturating_sub(shown.len());
            out.push(b' ');
            out.extend_from_slice(prefix);
            out.extend_from_slice(shown);
            out.extend(std::iter::repeat_n(b' ', padding));
            out.extend_from_slice(b" | ");
            match file.lines {
                Lines::Binary { old_size, new_size } | Lines::TooLarge { old_size, new_size } => {
                    out.extend_from_slice(format!("{:>number_width$}", "Bin").as_bytes());
                    if old_size == 0 && new_size == 0 {
                        out.push(b'\n');
                        continue;
                    }
                    out.extend_from_slice(format!(" {old_size} -> {new_size} bytes\n").as_bytes());
                }
                Lines::Text {
                    insertions,
                    deletions,
                } => {
                    let (mut add, mut del) = (insertions, deletions);
                    let graph = graph_width as u64;
                    if graph <= max_change {
                        let mut total = scale_linear(add + del, graph, max_change);
                        if total < 2 && add > 0 && del > 0 {
                            total = 2;
                        }
                        if add < del {
                            add = scale_linear(add, graph, max_change);
                            del = total - add;
                        } else {
                            del = scale_linear(del, graph, max_change);
                            add = total - del;
                        }
                    }
                    let changed = insertions + deletions;
                    out.extend_from_slice(format!("{changed:>number_width$}").as_bytes());
                    if changed > 0 {
                        out.push(b' ');
                    }
                    out.extend(std::iter::repeat_n(b'+', add as usize));
                    out.extend(std::iter::repeat_n(b'-', del as usize));
                    out.push(b'\n');
                }
            }
        }
        self.totals().write(out);
    }
}

/// How many digits `n` has.
fn decimal_width(n: u64) -> usize {
    n.checked_ilog10().map_or(1, |digits| digits as usize + 1)
}

/// git's `scale_linear`: at least one column for any change.
fn scale_linear(it: u64, width: u64, max_change: u64) -> u64 {
    if it == 0 || max_change == 0 {
        return 0;
    }
    1 + it * (width.saturating_sub(1)) / max_change
}

impl Totals {
    /// Write the `--shortstat` line (`print_stat_summary_inserts_removes`).
    pub fn write(&self, out: &mut Vec<u8>) {
        let plural = |n: u64| if n == 1 { "" } else { "s" };
        out.extend_from_slice(
            format!(" {} file{} changed", self.files, plural(self.files as u64)).as_bytes(),
        );
        if self.files == 0 {
            out.push(b'\n');
            return;
        }
        if self.insertions > 0 || self.deletions == 0 {
            out.extend_from_slice(
                format!(
                    ", {} insertion{}(+)",
                    self.insertions,
                    plural(self.insertions)
                )
                .as_bytes(),
            );
        }
        if self.deletions > 0 || self.insertions == 0 {
            out.extend_from_slice(
                format!(", {} deletion{}(-)", self.deletions, plural(self.deletions)).as_bytes(),
            );
        }
        out.push(b'\n');
    }
}
