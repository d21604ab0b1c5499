//! The git index (the "staging area", `$GIT_DIR/index`): decoding versions 2, 3 and 4, encoding,
//! the staging operations the porcelain needs, and the `read-tree`/`write-tree` conversions.
//!
//! The format is git's `Documentation/gitformat-index.adoc`; behaviour that the document leaves
//! open follows git's `read-cache.c`, `cache-tree.c` and `resolve-undo.c`.
//!
//! * [`State`]: the decoded index, sorted by path and stage, with lookups and mutations
//!   ([`State::insert`], [`State::remove`], [`State::add_conflict`], [`State::resolve`], ...).
//! * [`decode`]: [`State::from_bytes`] and its [`decode::Error`].
//! * [`write`](mod@write): [`State::write_to`], and which extensions survive a rewrite.
//! * [`entry`]: [`Entry`], its [`Mode`], [`Stage`] and [`Flags`].
//! * [`stat`]: [`StatData`] and git's "is this entry possibly changed?" rule (`ie_match_stat`).
//! * [`extension`]: the cache tree (`TREE`), resolve-undo (`REUC`) and raw optional extensions.
//! * [`read_tree()`] and [`write_tree()`]: index from flattened tree entries, and trees from the index.
//!
//! Nothing here performs I/O: bytes come in, bytes and values go out, and objects are stored
//! through [`tabgit_object::Write`].
//!
//! ## Examples
//!
//! ```
//! use tabgit_index::{write_tree, Entry, Mode, State};
//! use tabgit_object::{compute_id, Kind};
//!
//! let blob_id = compute_id(Kind::Blob, b"hello\n");
//! let mut state = State::default();
//! state.insert(Entry::new(b"docs/hello.txt".to_vec(), Mode::File, blob_id)).unwrap();
//! assert!(state.entry(b"docs/hello.txt", tabgit_index::Stage::Merged).is_some());
//!
//! // Encode the index as git would, and decode it again.
//! let bytes = state.to_bytes(tabgit_index::write::Options::default()).unwrap();
//! let decoded = State::from_bytes(&bytes).unwrap();
//! assert_eq!(decoded.entries(), state.entries());
//!
//! // Compute the trees `git write-tree` would write, without storing them.
//! let outcome = write_tree(&decoded, &mut tabgit_index::write_tree::DryRun).unwrap();
//! assert_eq!(outcome.cache_tree.root().n_subtrees(), 1);
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod decode;
pub mod entry;
pub mod extension;
pub mod read_tree;
pub mod stat;
pub mod state;
pub mod write;
pub mod write_tree;

pub use entry::{ConflictSide, Entry, Flags, Mode, Stage};
pub use read_tree::read_tree;
pub use stat::StatData;
pub use state::State;
pub use tabgit_hash::ObjectId;
pub use write_tree::write_tree;

/// The on-disk version of an index file (`gitformat-index`, "4-byte version number").
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash, PartialOrd, Ord, Default)]
pub enum Version {
    /// The original format: fixed-size entries padded with NULs to a multiple of 8 bytes.
    #[default]
    V2,
    /// Like version 2, with 16 more flag bits in entries whose "extended" flag is set
    /// (skip-worktree and intent-to-add).
    V3,
    /// Like version 3 without padding, each path stored as a suffix of the previous entry's path.
    V4,
}

impl Version {
    /// The version number as stored in the header.
    pub fn number(self) -> u32 {
        match self {
            Version::V2 => 2,
            Version::V3 => 3,
            Version::V4 => 4,
        }
    }

    /// The version with `number`, if it is one this crate reads.
    pub fn from_number(number: u32) -> Option<Self> {
        Some(match number {
            2 => Version::V2,
            3 => Version::V3,
            4 => Version::V4,
            _ => return None,
        })
    }
}
