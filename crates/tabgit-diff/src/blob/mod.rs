//! Diffing two blobs: binary detection as git does it, a guard against diffs too large to show,
//! and the line diff ([`lines::Diff`]) of text.
//!
//! Content comes in as [`Content`]: the bytes plus what `.gitattributes` says about diffing them
//! (the caller evaluates attributes; this crate never reads files).

use tabgit_object::{find, Find, Kind, ObjectId};

use crate::{lines, Side};

/// How many leading bytes git inspects for a NUL to call content binary (`FIRST_FEW_BYTES` in
/// `xdiff-interface.c`).
pub const FIRST_FEW_BYTES: usize = 8000;

/// Content larger than this is binary to git's diff whatever it contains
/// (`core.bigFileThreshold`, 512 MiB by default).
pub const BIG_FILE_THRESHOLD: u64 = 512 * 1024 * 1024;

/// Whether git's diff treats `data` as binary when no attribute says otherwise: it has a NUL
/// byte in its first [`FIRST_FEW_BYTES`] bytes (`buffer_is_binary`), or it is larger than
/// [`BIG_FILE_THRESHOLD`].
pub fn is_binary(data: &[u8]) -> bool {
    data.len() as u64 > BIG_FILE_THRESHOLD || data[..data.len().min(FIRST_FEW_BYTES)].contains(&0)
}

/// What the `diff` attribute (`gitattributes`, "Generating diff text") says about a path.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash, Default)]
pub enum Attribute {
    /// No attribute: look at the content ([`is_binary`]).
    #[default]
    Unspecified,
    /// `diff` is set: always text, even with NUL bytes.
    Text,
    /// `-diff`, or the `binary` macro: always binary.
    Binary,
}

/// Look up the `diff` attribute of a path (the caller evaluates `.gitattributes`).
pub type Attributes<'a> = &'a dyn Fn(&[u8]) -> Attribute;

/// One side's content and the `diff` attribute of its path.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct Content<'a> {
    /// The bytes (for a gitlink, [`gitlink_text`]; for an absent side, empty).
    pub data: &'a [u8],
    /// What `.gitattributes` says about the path.
    pub attribute: Attribute,
}

/// Lifecycle
impl<'a> Content<'a> {
    /// Content without an attribute.
    pub fn new(data: &'a [u8]) -> Self {
        Content {
            data,
            attribute: Attribute::Unspecified,
        }
    }
}

/// Access
impl Content<'_> {
    /// Whether git's diff treats this content as binary.
    pub fn is_binary(&self) -> bool {
        match self.attribute {
            Attribute::Unspecified => is_binary(self.data),
            Attribute::Text => false,
            Attribute::Binary => true,
        }
    }
}

/// When a text diff is too large to compute and show. The limits apply to each side.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub struct Limits {
    /// The most bytes a side may have.
    pub max_bytes: u64,
    /// The most lines a side may have.
    pub max_lines: u64,
}

impl Limits {
    /// No limits (what git does).
    pub const NONE: Limits = Limits {
        max_bytes: u64::MAX,
        max_lines: u64::MAX,
    };

    /// Whether `data` is within the limits.
    #[expect(
        clippy::naive_bytecount,
        reason = "a single pass per blob; not worth a dependency"
    )]
    pub fn allow(&self, data: &[u8]) -> bool {
        data.len() as u64 <= self.max_bytes
            && (self.max_lines == u64::MAX
                || data.iter().filter(|&&b| b == b'\n').count() as u64 <= self.max_lines)
    }
}

impl Default for Limits {
    /// 64 MiB and one million lines per side.
    fn default() -> Self {
        Limits {
            max_bytes: 64 * 1024 * 1024,
            max_lines: 1_000_000,
        }
    }
}

/// How to diff two blobs.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct Options {
    /// The line diff algorithm.
    pub algorithm: lines::Algorithm,
    /// When not to diff at all.
    pub limits: Limits,
}

/// The result of [`diff()`].
#[derive(Debug)]
pub enum Outcome<'a> {
    /// At least one side is binary: git prints `Binary files a/x and b/x differ`.
    Binary {
        /// The old side's size in bytes.
        old_size: u64,
        /// The new side's size in bytes.
        new_size: u64,
    },
    /// A side exceeds the [`Limits`]; no line diff was computed.
    TooLarge {
        /// The old side's size in bytes.
        old_size: u64,
        /// The new side's size in bytes.
        new_size: u64,
    },
    /// The line diff.
    Text(lines::Diff<'a>),
}

/// Diff `old` against `new`: binary check first, then the size limits, then the line diff.
///
/// ### Relation to git
///
/// git's `builtin_diff` checks for binary content first (an absent side is empty text). git has
/// no size limit; [`Limits::NONE`] reproduces that.
pub fn diff<'a>(old: Content<'a>, new: Content<'a>, options: &Options) -> Outcome<'a> {
    let old_size = old.data.len() as u64;
    let new_size = new.data.len() as u64;
    if old.is_binary() || new.is_binary() {
        return Outcome::Binary { old_size, new_size };
    }
    if !options.limits.allow(old.data) || !options.limits.allow(new.data) {
        return Outcome::TooLarge { old_size, new_size };
    }
    Outcome::Text(lines::Diff::compute(old.data, new.data, options.algorithm))
}

/// The text git diffs in place of a gitlink's content (`diff_populate_gitlink` in `diff.c`):
/// `Subproject commit <hex>\n`.
pub fn gitlink_text(commit_id: &ObjectId) -> Vec<u8> {
    format!("Subproject commit {commit_id}\n").into_bytes()
}

/// The reasons a blob could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The blob is not in the object database (in a partial clone: fetch it and try again).
    #[error("blob {blob_id} is missing")]
    NotFound {
        /// The missing blob.
        blob_id: ObjectId,
    },
    /// The id names another kind of object.
    #[error("object {object_id} is a {kind}, not a blob")]
    NotABlob {
        /// The object.
        object_id: ObjectId,
        /// What it is.
        kind: Kind,
    },
    /// The object database failed.
    #[error("could not read blob {blob_id}")]
    Find {
        /// The blob being read.
        blob_id: ObjectId,
        /// The store's error.
        #[source]
        source: find::Error,
    },
}

/// The content git diffs for `side`: the blob for files and symlinks, [`gitlink_text`] for
/// gitlinks (which are never read from the object database).
pub fn load(find: &dyn Find, side: &Side) -> Result<Vec<u8>, Error> {
    if side.is_gitlink() {
        return Ok(gitlink_text(&side.object_id));
    }
    let mut buf = Vec::new();
    let data = find
        .try_find(&side.object_id, &mut buf)
        .map_err(|source| Error::Find {
            blob_id: side.object_id,
            source,
        })?
        .ok_or(Error::NotFound {
            blob_id: side.object_id,
        })?;
    if data.kind != Kind::Blob {
        return Err(Error::NotABlob {
            object_id: side.object_id,
            kind: data.kind,
        });
    }
    Ok(data.data.to_vec())
}
