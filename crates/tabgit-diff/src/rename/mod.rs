//! Rename and copy detection (`git diff -M`/`-C`, git's `diffcore-rename.c`): pair deleted and
//! added files that have the same or similar content.
//!
//! Detection runs in git's three rounds: exact matches by object id, then files whose basename
//! is unique on both sides and whose content is at least halfway between the threshold and
//! identical, then every remaining pair scored by content similarity (git's hashed-chunk
//! estimate, [`similarity()`]), best scores first.

use crate::{blob, Similarity};

mod function;
mod similarity;

pub use function::detect;
pub use similarity::similarity;

/// How to detect renames and copies.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub struct Options {
    /// The least similarity for an inexact rename or copy (`-M50%`, the default).
    /// [`Similarity::MAX`] finds exact renames only.
    pub threshold: Similarity,
    /// Also find copies (`-C`): added files similar to files that were modified (or to a
    /// deleted file already used by a rename).
    pub copies: bool,
    /// Skip inexact detection when remaining sources × destinations exceed `limit²`
    /// (`diff.renameLimit`, 1000 by default); 0 means no limit. Exact renames are always found.
    pub limit: usize,
    /// Whether empty files can be renamed (git's default for `diff`; merges turn it off).
    pub rename_empty: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            threshold: Similarity::DEFAULT_THRESHOLD,
            copies: false,
            limit: 1000,
            rename_empty: true,
        }
    }
}

/// The result of [`detect()`].
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct Outcome {
    /// The changes with renamed pairs merged into [`Change::Rename`](crate::Change::Rename)
    /// and copies into [`Change::Copy`](crate::Change::Copy), in git's output order.
    pub changes: Vec<crate::Change>,
    /// Set when [`Options::limit`] stopped inexact detection: the limit that would have been
    /// needed (git's "you may want to set your diff.renameLimit variable to at least N").
    pub needed_limit: Option<usize>,
}

/// The reasons renames could not be detected.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A candidate's content could not be read.
    #[error(
        "could not read {:?} for rename detection",
        String::from_utf8_lossy(path)
    )]
    Load {
        /// The candidate's path.
        path: Vec<u8>,
        /// What went wrong.
        #[source]
        source: blob::Error,
    },
}
