//! Index extensions (`gitformat-index`, "Extensions"):
//!
//! ```text
//! extension = signature (4 bytes) size (32-bit, network order) data (size bytes)
//! ```
//!
//! A signature whose first byte is `A`–`Z` names an optional extension a reader may ignore; any
//! other first byte names a required one a reader must understand.
//!
//! ### Policy
//!
//! * `TREE` (the cache tree) is parsed into a [`CacheTree`]. It is kept while the entries stay the
//!   same and dropped as soon as an entry is added, removed or replaced (git regenerates it on the
//!   next `git write-tree`, `git commit` or `git status`); [`crate::write_tree()`] returns a fresh one.
//! * `REUC` (resolve undo) is parsed into [`ResolveUndo`] records, kept on every write, and
//!   extended when conflict stages are removed, as git does.
//! * Every other optional extension is kept as [`Raw`] bytes while the state is unmodified, so it
//!   can be written back unchanged ([`crate::write::Options::keep_raw_extensions`]); any
//!   modification drops them. `EOIE` and `IEOT` are never written (they hold offsets into the
//!   file), and by default neither are `UNTR` (the untracked cache) and `FSMN` (the fsmonitor
//!   state), which describe worktree state this crate cannot maintain; git rebuilds both.
//! * A required extension this crate does not understand (`link`, the split index; `sdir`, the
//!   sparse index) makes decoding fail with an error that names it.

pub mod cache_tree;
pub mod resolve_undo;

pub use cache_tree::CacheTree;
pub use resolve_undo::ResolveUndo;

/// A 4-byte extension signature such as `TREE`.
pub type Signature = [u8; 4];

/// The cache tree extension, `TREE`.
pub const TREE: Signature = *b"TREE";
/// The resolve-undo extension, `REUC`.
pub const RESOLVE_UNDO: Signature = *b"REUC";
/// The untracked cache extension, `UNTR`.
pub const UNTRACKED: Signature = *b"UNTR";
/// The fsmonitor extension, `FSMN`.
pub const FS_MONITOR: Signature = *b"FSMN";
/// The end-of-index-entries extension, `EOIE`: the offset where the extensions start.
pub const END_OF_INDEX_ENTRIES: Signature = *b"EOIE";
/// The index-entry-offset-table extension, `IEOT`: offsets of blocks of entries.
pub const INDEX_ENTRY_OFFSET_TABLE: Signature = *b"IEOT";
/// The split index extension, `link` (required; not supported).
pub const LINK: Signature = *b"link";
/// The sparse directory extension, `sdir` (required; not supported).
pub const SPARSE_DIRECTORIES: Signature = *b"sdir";

/// Whether an extension with `signature` may be ignored by readers that do not understand it.
pub fn is_optional(signature: Signature) -> bool {
    signature[0].is_ascii_uppercase()
}

/// An optional extension kept as it was read.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Raw {
    /// The extension's signature.
    pub signature: Signature,
    /// The extension's data, without signature and size.
    pub data: Vec<u8>,
}

impl Raw {
    /// Whether this extension may be written back when the index is unchanged: all but `EOIE`
    /// and `IEOT`, which record offsets into the file.
    pub fn may_be_written_back(&self) -> bool {
        self.signature != END_OF_INDEX_ENTRIES && self.signature != INDEX_ENTRY_OFFSET_TABLE
    }
}

/// Format a signature for messages: its bytes if they are printable, escaped otherwise.
pub(crate) fn display_signature(signature: Signature) -> String {
    signature.escape_ascii().to_string()
}
