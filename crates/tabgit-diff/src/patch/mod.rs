//! Unified patches as `git diff` prints them (`diff.c` `builtin_diff`), which `git apply`
//! accepts.
//!
//! ```text
//! diff --git a/<old path> b/<new path>
//! [old mode <mode> / new mode <mode>] | [new file mode <mode>] | [deleted file mode <mode>]
//! [similarity index <n>% / rename from <old path> / rename to <new path>]   (or copy from/to)
//! [index <old id>..<new id>[ <mode>]]
//! --- a/<old path> | /dev/null
//! +++ b/<new path> | /dev/null
//! @@ -<old start>,<old count> +<new start>,<new count> @@[ <function line>]
//!  context / -removed / +added lines, "\ No newline at end of file" after a last line without one
//! ```
//!
//! A binary change prints `Binary files a/<path> and b/<path> differ` instead of hunks.

use tabgit_object::{Find, ObjectId};

use crate::blob::{self, Content};
use crate::lines::HunkOptions;
use crate::{path, Change, Side, Similarity};

/// How to write patches.
#[derive(Clone, Copy)]
pub struct Options<'a> {
    /// Context lines, inter-hunk context and function lines.
    pub hunks: HunkOptions,
    /// The line diff algorithm and the size limits (none by default, as in git).
    pub blob: blob::Options,
    /// Hex digits of the object ids on the `index` line: `Some(7)` as git's default for small
    /// repositories, `None` for all 40 (`--full-index`).
    ///
    /// git lengthens an abbreviation that would be ambiguous in the repository; this crate does
    /// not know the repository, so the caller picks a length that is unique.
    pub abbrev: Option<usize>,
    /// The prefix of old paths, `a/` (`--src-prefix`).
    pub old_prefix: &'a [u8],
    /// The prefix of new paths, `b/` (`--dst-prefix`).
    pub new_prefix: &'a [u8],
    /// What `.gitattributes` says about a path's `diff` attribute; `None` means nothing.
    /// Used by [`write_changes`].
    pub attributes: Option<blob::Attributes<'a>>,
}

impl Default for Options<'_> {
    fn default() -> Self {
        Options {
            hunks: HunkOptions::default(),
            blob: blob::Options {
                limits: blob::Limits::NONE,
                ..blob::Options::default()
            },
            abbrev: Some(7),
            old_prefix: b"a/",
            new_prefix: b"b/",
            attributes: None,
        }
    }
}

impl std::fmt::Debug for Options<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Options")
            .field("hunks", &self.hunks)
            .field("blob", &self.blob)
            .field("abbrev", &self.abbrev)
            .field("old_prefix", &String::from_utf8_lossy(self.old_prefix))
            .field("new_prefix", &String::from_utf8_lossy(self.new_prefix))
            .field("attributes", &self.attributes.map(|_| "…"))
            .finish()
    }
}

/// The reasons a patch could not be written.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A side's content could not be read.
    #[error(
        "could not read {:?} to write its patch",
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

/// Write the patch of every change, reading contents from `find`.
///
/// Contents are read with [`blob::load`] (so a gitlink shows as `Subproject commit <id>`), and
/// each side's `diff` attribute comes from [`Options::attributes`].
pub fn write_changes(
    out: &mut Vec<u8>,
    find: &dyn Find,
    changes: &[Change],
    options: &Options<'_>,
) -> Result<(), Error> {
    for change in changes {
        let load = |side: Option<(&[u8], Side)>| -> Result<Vec<u8>, Error> {
            match side {
                // Identical sides need no content (pure renames, copies and mode changes).
                Some((path, side)) if needs_content(change) => {
                    blob::load(find, &side).map_err(|source| Error::Load {
                        path: path.to_vec(),
                        source,
                    })
                }
                _ => Ok(Vec::new()),
            }
        };
        let old_data = load(change.before())?;
        let new_data = load(change.after())?;
        let attribute = |side: Option<(&[u8], Side)>| {
            side.and_then(|(path, _)| options.attributes.map(|attributes| attributes(path)))
                .unwrap_or_default()
        };
        write_change(
            out,
            change,
            Content {
                data: &old_data,
                attribute: attribute(change.before()),
            },
            Content {
                data: &new_data,
                attribute: attribute(change.after()),
            },
            options,
        );
    }
    Ok(())
}

/// Whether writing `change` needs the sides' content: not when both sides are the same object of
/// the same kind.
fn needs_content(change: &Change) -> bool {
    match (change.before(), change.after()) {
        (Some((_, old)), Some((_, new))) => {
            old.object_id != new.object_id || old.is_type_change_to(&new)
        }
        _ => true,
    }
}

/// Write the patch of one change whose contents the caller supplies (`old` is ignored for an
/// addition and `new` for a deletion).
///
/// A gitlink's content is [`blob::gitlink_text`] of its commit. A type change (file ↔ symlink ↔
/// gitlink) is written as a deletion followed by an addition, as git does.
///
/// ### Relation to git
///
/// The output is `git diff` (or `git diff-tree -p`) without color, byte for byte, with the same
/// diff algorithm, context and `--abbrev`. Differences: abbreviations are never lengthened to
/// stay unique ([`Options::abbrev`]), a diff driver's `funcname` is not supported (git's default
/// function-line rule is), and content beyond [`blob::Limits`] gets only its header lines
/// (there are none by default).
pub fn write_change(
    out: &mut Vec<u8>,
    change: &Change,
    old: Content<'_>,
    new: Content<'_>,
    options: &Options<'_>,
) {
    let relation = match change {
        Change::Rename { similarity, .. } => Relation::Rename(*similarity),
        Change::Copy { similarity, .. } => Relation::Copy(*similarity),
        _ => Relation::None,
    };
    let old_side = change.before().map(|(path, side)| FileSide {
        path,
        side,
        content: old,
    });
    let new_side = change.after().map(|(path, side)| FileSide {
        path,
        side,
        content: new,
    });
    match (old_side, new_side) {
        (Some(old), Some(new)) if old.side.is_type_change_to(&new.side) => {
            write_pair(out, Some(old), None, Relation::None, options);
            write_pair(out, None, Some(new), Relation::None, options);
        }
        (old, new) => write_pair(out, old, new, relation, options),
    }
}

/// Whether a pair is a rename or copy.
#[derive(Clone, Copy)]
enum Relation {
    None,
    Rename(Similarity),
    Copy(Similarity),
}

#[derive(Clone, Copy)]
struct FileSide<'a> {
    path: &'a [u8],
    side: Side,
    content: Content<'a>,
}

/// Write one file pair (`builtin_diff`).
fn write_pair(
    out: &mut Vec<u8>,
    old: Option<FileSide<'_>>,
    new: Option<FileSide<'_>>,
    relation: Relation,
    options: &Options<'_>,
) {
    let (Some(name_a), Some(name_b)) = (
        old.or(new).map(|side| side.path),
        new.or(old).map(|side| side.path),
    ) else {
        return;
    };
    let mut label_a = Vec::new();
    path::write_quoted_with_prefix(&mut label_a, options.old_prefix, name_a);
    let mut label_b = Vec::new();
    path::write_quoted_with_prefix(&mut label_b, options.new_prefix, name_b);

    let mut header = Vec::new();
    header.extend_from_slice(b"diff --git ");
    header.extend_from_slice(&label_a);
    header.push(b' ');
    header.extend_from_slice(&label_b);
    header.push(b'\n');
    let mut must_show_header = false;
    match (old, new) {
        (None, Some(new)) => {
            header.extend_from_slice(format!("new file mode {}\n", new.side.mode).as_bytes());
            must_show_header = true;
        }
        (Some(old), None) => {
            header.extend_from_slice(format!("deleted file mode {}\n", old.side.mode).as_bytes());
            must_show_header = true;
        }
        (Some(old), Some(new)) => {
            if old.side.mode != new.side.mode {
                header.extend_from_slice(format!("old mode {}\n", old.side.mode).as_bytes());
                header.extend_from_slice(format!("new mode {}\n", new.side.mode).as_bytes());
                must_show_header = true;
            }
        }
        (None, None) => return,
    }
    let (verb, similarity) = match relation {
        Relation::None => ("", None),
        Relation::Rename(similarity) => ("rename", Some(similarity)),
        Relation::Copy(similarity) => ("copy", Some(similarity)),
    };
    if let Some(similarity) = similarity {
        header
            .extend_from_slice(format!("similarity index {}%\n", similarity.percent()).as_bytes());
        header.extend_from_slice(format!("{verb} from ").as_bytes());
        path::write_quoted(&mut header, name_a);
        header.extend_from_slice(format!("\n{verb} to ").as_bytes());
        path::write_quoted(&mut header, name_b);
        header.push(b'\n');
        must_show_header = true;
    }
    let old_id = old.map_or(ObjectId::NULL, |side| side.side.object_id);
    let new_id = new.map_or(ObjectId::NULL, |side| side.side.object_id);
    if old_id != new_id {
        header.extend_from_slice(b"index ");
        header.extend_from_slice(abbreviate(&old_id, options.abbrev).as_bytes());
        header.extend_from_slice(b"..");
        header.extend_from_slice(abbreviate(&new_id, options.abbrev).as_bytes());
        if let (Some(old), Some(new)) = (old, new) {
            if old.side.mode == new.side.mode {
                header.extend_from_slice(format!(" {}", old.side.mode).as_bytes());
            }
        }
        header.push(b'\n');
    }

    let label_a: &[u8] = if old.is_some() {
        &label_a
    } else {
        b"/dev/null"
    };
    let label_b: &[u8] = if new.is_some() {
        &label_b
    } else {
        b"/dev/null"
    };
    let empty = Content::default();
    let old_content = old.map_or(empty, |side| side.content);
    let new_content = new.map_or(empty, |side| side.content);

    if old_id == new_id {
        // Nothing to diff: a pure rename, copy or mode change.
        if must_show_header {
            out.extend_from_slice(&header);
        }
        return;
    }
    match blob::diff(old_content, new_content, &options.blob) {
        blob::Outcome::Binary { .. } => {
            out.extend_from_slice(&header);
            out.extend_from_slice(b"Binary files ");
            out.extend_from_slice(label_a);
            out.extend_from_slice(b" and ");
            out.extend_from_slice(label_b);
            out.extend_from_slice(b" differ\n");
        }
        blob::Outcome::TooLarge { .. } => out.extend_from_slice(&header),
        blob::Outcome::Text(diff) => {
            let hunks = diff.hunks(&options.hunks);
            if hunks.is_empty() {
                if must_show_header {
                    out.extend_from_slice(&header);
                }
                return;
            }
            out.extend_from_slice(&header);
            for (sign, label) in [(b"--- ", label_a), (b"+++ ", label_b)] {
                out.extend_from_slice(sign);
                out.extend_from_slice(label);
                // For GNU patch, a name with a space ends in a tab.
                if label.contains(&b' ') {
                    out.push(b'\t');
                }
                out.push(b'\n');
            }
            for hunk in &hunks {
                diff.write_hunk(out, hunk);
            }
        }
    }
}

/// `object_id` as hex, cut to `abbrev` digits.
fn abbreviate(object_id: &ObjectId, abbrev: Option<usize>) -> String {
    let mut hex = object_id.to_hex();
    if let Some(len) = abbrev {
        hex.truncate(len.clamp(4, hex.len()));
    }
    hex
}
