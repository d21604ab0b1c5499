//! Object ids and the SHA-1 hasher every git object is named by.
//!
//! Git names each object by the SHA-1 of `"<kind> <size>\0<content>"`
//! (see git's `Documentation/gitformat-pack` and `object-file.c`).
//! This crate is the one place that knows which SHA-1 implementation is used.
//!
//! ## Examples
//!
//! ```
//! use tabgit_hash::ObjectId;
//! let empty_blob = tabgit_hash::hash_object(b"blob", b"");
//! assert_eq!(empty_blob.to_hex(), "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
//! assert_eq!(ObjectId::from_hex(b"e69de29bb2d1d6434b8b29ae775ad8c2e48c5391").unwrap(), empty_blob);
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod hasher;
mod oid;
pub mod prefix;

pub use hasher::{hash_object, hash_object_checked, Collision, Hasher};
pub use oid::{decode, ObjectId};
pub use prefix::Prefix;

/// Length of a SHA-1 object id in bytes.
pub const LEN: usize = 20;
/// Length of a SHA-1 object id in hexadecimal characters.
pub const HEX_LEN: usize = 40;
