//! Three-way merges of file contents, as git's `xdiff/xmerge.c` does them, with git's conflict
//! markers, and the same merge as hunks a user interface can resolve one by one.
//!
//! ```text
//! <<<<<<< HEAD
//! our lines
//! ||||||| 1a2b3c4            (diff3 and zdiff3 styles only)
//! the base's lines
//! =======
//! their lines
//! >>>>>>> topic
//! ```
//!
//! [`merge()`] diffs the base against each side, walks both change lists together and marks
//! overlapping changes as conflicts unless they are identical; at git's default level
//! ([`Level::Zealous`]) each conflict is then narrowed by diffing our lines against theirs, and
//! conflicts separated by three lines or fewer are joined. Binary content (a NUL byte in the
//! first 8000 bytes of any side) is never merged line by line: git keeps our side and reports a
//! conflict.
//!
//! The [`Outcome`] holds the bytes git writes ([`Outcome::result`]) and, for text, the merge as
//! [`Hunk`]s: clean text and conflicts with their three sides. [`Outcome::resolve`] renders the
//! file for a choice per conflict (ours, theirs, both, an edit), which is how the web app
//! resolves a conflict hunk by hunk.

use tabgit_diff::lines::Algorithm;

mod function;
mod lines;

pub use function::merge;

/// How conflicts are written (`merge.conflictStyle`).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash, Default)]
pub enum ConflictStyle {
    /// Our and their lines (`merge`, git's default).
    #[default]
    Merge,
    /// Also the base's lines after `|||||||` (`diff3`).
    Diff3,
    /// Like [`ConflictStyle::Diff3`], with lines common to both sides at the start and end of a
    /// conflict moved out of it (`zdiff3`).
    ZealousDiff3,
}

/// How hard the merge tries to shrink conflicts (`XDL_MERGE_*` in `xdiff/xdiff.h`).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash, PartialOrd, Ord, Default)]
pub enum Level {
    /// Every overlapping change is a conflict.
    Minimal,
    /// Overlapping changes are a conflict unless both sides made the same change.
    Eager,
    /// Conflicts are narrowed to the lines where the sides differ, and conflicts at most three
    /// lines apart are joined (what `git merge` uses, `ll_xdl_merge`).
    #[default]
    Zealous,
    /// Like [`Level::Zealous`], and conflicts separated only by lines without letters or digits
    /// are joined too (what `git merge-file` uses).
    ZealousAlnum,
}

/// Which side wins conflicts instead of writing markers (`-X ours`, `-X theirs`, `--union`).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub enum Favor {
    /// Our lines.
    Ours,
    /// Their lines.
    Theirs,
    /// Our lines followed by theirs.
    Union,
}

/// How to merge.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub struct Options {
    /// The conflict style.
    pub style: ConflictStyle,
    /// The merge level.
    pub level: Level,
    /// Resolve conflicts in favor of a side instead of writing markers.
    pub favor: Option<Favor>,
    /// The length of the `<<<<<<<` markers (`conflict-marker-size`, 7 by default).
    pub marker_size: usize,
    /// The line diff algorithm (git's merges use histogram).
    pub algorithm: Algorithm,
    /// The merge produces a virtual merge base (the inner merges of a recursive merge): binary
    /// content then takes the base's version, cleanly, as git's `ll_binary_merge` does.
    pub virtual_ancestor: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            style: ConflictStyle::Merge,
            level: Level::Zealous,
            favor: None,
            marker_size: DEFAULT_MARKER_SIZE,
            algorithm: Algorithm::Histogram,
            virtual_ancestor: false,
        }
    }
}

/// git's `DEFAULT_CONFLICT_MARKER_SIZE`.
pub const DEFAULT_MARKER_SIZE: usize = 7;

/// The names written after the conflict markers. `None` writes the marker alone.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash, Default)]
pub struct Labels<'a> {
    /// After `|||||||` (diff3 styles): the base.
    pub ancestor: Option<&'a [u8]>,
    /// After `<<<<<<<`: our side, usually `HEAD`.
    pub ours: Option<&'a [u8]>,
    /// After `>>>>>>>`: their side, usually the branch being merged.
    pub theirs: Option<&'a [u8]>,
}

/// One piece of a merged text.
#[derive(Clone, PartialEq, Eq, Debug, Hash)]
pub enum Hunk {
    /// Text both sides agree on (or only one side changed).
    Clean(Vec<u8>),
    /// Lines the sides changed differently.
    Conflict(Conflict),
}

/// The three versions of a conflicting region.
#[derive(Clone, PartialEq, Eq, Debug, Hash)]
pub struct Conflict {
    /// The base's lines (shown in the diff3 styles).
    pub base: Vec<u8>,
    /// Our lines.
    pub ours: Vec<u8>,
    /// Their lines.
    pub theirs: Vec<u8>,
    /// Whether the markers end in CRLF, because the lines around them do (`is_cr_needed`).
    pub crlf: bool,
}

/// How to resolve one conflict with [`Outcome::resolve`].
#[derive(Clone, PartialEq, Eq, Debug, Hash)]
pub enum Choice {
    /// Keep the markers.
    Unresolved,
    /// Our lines.
    Ours,
    /// Their lines.
    Theirs,
    /// The base's lines.
    Base,
    /// Our lines, then theirs.
    OursThenTheirs,
    /// Their lines, then ours.
    TheirsThenOurs,
    /// Text the user wrote.
    Edited(Vec<u8>),
}

/// The result of [`merge()`].
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Outcome {
    /// What git writes: the merged text with conflict markers, or for binary content the side git
    /// keeps (ours; the base for a virtual ancestor).
    pub result: Vec<u8>,
    /// The merge as hunks; `None` for binary content.
    pub hunks: Option<Vec<Hunk>>,
    /// How many conflicts there are (a binary conflict counts as one).
    pub n_conflicts: usize,
    markers: Markers,
}

/// What rendering a conflict needs besides its sides.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
struct Markers {
    style: ConflictStyle,
    size: usize,
    ancestor: Option<Vec<u8>>,
    ours: Option<Vec<u8>>,
    theirs: Option<Vec<u8>>,
}

/// The reasons a resolution could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The number of choices differs from the number of conflicts.
    #[error("{n_choices} choices for {n_conflicts} conflicts")]
    ChoiceCount {
        /// Choices given.
        n_choices: usize,
        /// Conflicts in the merge.
        n_conflicts: usize,
    },
    /// Binary content has no hunks to choose between.
    #[error("binary content cannot be resolved hunk by hunk")]
    Binary,
}

/// Access
impl Outcome {
    /// Whether the merge has no conflicts.
    pub fn is_clean(&self) -> bool {
        self.n_conflicts == 0
    }

    /// Whether the content was treated as binary.
    pub fn is_binary(&self) -> bool {
        self.hunks.is_none()
    }

    /// The conflicts, in order.
    pub fn conflicts(&self) -> impl Iterator<Item = &Conflict> {
        self.hunks.iter().flatten().filter_map(|hunk| match hunk {
            Hunk::Conflict(conflict) => Some(conflict),
            Hunk::Clean(_) => None,
        })
    }
}

/// Conversion
impl Outcome {
    /// Render the merge with `choices[n]` applied to the `n`th conflict; [`Choice::Unresolved`]
    /// writes that conflict with its markers as git does.
    pub fn resolve(&self, choices: &[Choice]) -> Result<Vec<u8>, Error> {
        let hunks = self.hunks.as_ref().ok_or(Error::Binary)?;
        if choices.len() != self.n_conflicts {
            return Err(Error::ChoiceCount {
                n_choices: choices.len(),
                n_conflicts: self.n_conflicts,
            });
        }
        let mut out = Vec::new();
        let mut choices = choices.iter();
        for hunk in hunks {
            match hunk {
                Hunk::Clean(text) => out.extend_from_slice(text),
                Hunk::Conflict(conflict) => match choices.next().unwrap_or(&Choice::Unresolved) {
                    Choice::Unresolved => self.markers.write_conflict(&mut out, conflict),
                    Choice::Ours => out.extend_from_slice(&conflict.ours),
                    Choice::Theirs => out.extend_from_slice(&conflict.theirs),
                    Choice::Base => out.extend_from_slice(&conflict.base),
                    Choice::OursThenTheirs => {
                        push_lines(&mut out, &conflict.ours, conflict.crlf);
                        out.extend_from_slice(&conflict.theirs);
                    }
                    Choice::TheirsThenOurs => {
                        push_lines(&mut out, &conflict.theirs, conflict.crlf);
                        out.extend_from_slice(&conflict.ours);
                    }
                    Choice::Edited(text) => out.extend_from_slice(text),
                },
            }
        }
        Ok(out)
    }
}

impl Markers {
    /// Write one conflict as `fill_conflict_hunk` does.
    fn write_conflict(&self, out: &mut Vec<u8>, conflict: &Conflict) {
        let marker = |out: &mut Vec<u8>, byte: u8, label: Option<&Vec<u8>>| {
            out.extend(std::iter::repeat_n(byte, self.size));
            if let Some(label) = label {
                out.push(b' ');
                out.extend_from_slice(label);
            }
            if conflict.crlf {
                out.push(b'\r');
            }
            out.push(b'\n');
        };
        marker(out, b'<', self.ours.as_ref());
        push_lines(out, &conflict.ours, conflict.crlf);
        if self.style != ConflictStyle::Merge {
            marker(out, b'|', self.ancestor.as_ref());
            push_lines(out, &conflict.base, conflict.crlf);
        }
        marker(out, b'=', None);
        push_lines(out, &conflict.theirs, conflict.crlf);
        marker(out, b'>', self.theirs.as_ref());
    }
}

/// Append `text`, ending it with a newline if it is not empty and lacks one (`xdl_recs_copy`
/// with `add_nl`).
fn push_lines(out: &mut Vec<u8>, text: &[u8], crlf: bool) {
    out.extend_from_slice(text);
    if !text.is_empty() && text.last() != Some(&b'\n') {
        if crlf {
            out.push(b'\r');
        }
        out.push(b'\n');
    }
}

/// Whether git's merge treats `data` as binary: a NUL byte among the first 8000 bytes
/// (`buffer_is_binary`).
pub fn is_binary(data: &[u8]) -> bool {
    data[..data.len().min(tabgit_diff::blob::FIRST_FEW_BYTES)].contains(&0)
}
