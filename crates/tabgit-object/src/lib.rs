//! Git objects: blobs, trees, commits and tags, their loose-object encoding, and zlib.
//!
//! Parsed views borrow the object's bytes ([`TreeRef`], [`CommitRef`], [`TagRef`]); owned values
//! ([`Tree`], [`Commit`], [`Tag`]) can be edited and written back. Writing an owned value parsed
//! from git's bytes reproduces those bytes exactly: tree modes keep their raw digits and commits keep
//! extra headers such as `gpgsig` and `mergetag`.
//!
//! Formats come from git's `Documentation/gitformat-pack` ("Object types"), `object-file.c`,
//! `commit.c` and `tree.c`.
//!
//! ## Examples
//!
//! ```
//! use tabgit_object::{Kind, TreeRef};
//! let id = tabgit_object::compute_id(Kind::Blob, b"hello\n");
//! let mut tree = Vec::new();
//! tree.extend_from_slice(b"100644 hello.txt\0");
//! tree.extend_from_slice(id.as_bytes());
//! let parsed = TreeRef::from_bytes(&tree).unwrap();
//! assert_eq!(parsed.entries[0].filename, b"hello.txt");
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod commit;
pub mod find;
mod kind;
pub mod loose;
pub mod signature;
pub mod tag;
pub mod tree;
pub mod zlib;

pub use commit::{Commit, CommitRef};
pub use find::{Data, Find, Write};
pub use kind::{Kind, UnknownKind};
pub use signature::{Signature, SignatureRef, Time};
pub use tabgit_hash::ObjectId;
pub use tag::{Tag, TagRef};
pub use tree::{EntryMode, Tree, TreeRef};

/// Compute the id git gives an object of `kind` with `data` as its content.
pub fn compute_id(kind: Kind, data: &[u8]) -> ObjectId {
    tabgit_hash::hash_object(kind.as_bytes(), data)
}
