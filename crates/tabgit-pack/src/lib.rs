//! Pack files: the format git stores and transfers objects in (`Documentation/gitformat-pack`).
//!
//! * [`data`]: the pack header and entry headers (`OBJ_OFS_DELTA`, `OBJ_REF_DELTA`).
//! * [`delta`]: applying and creating git's copy/insert deltas (`patch-delta.c`, `diff-delta.c`).
//! * [`index`]: reading and writing `.idx` version 2 files.
//! * [`indexer`]: what `git index-pack` does, fed incrementally as a pack arrives.
//! * [`bundle`]: a pack with its index, for random access to objects.
//! * [`pack_bytes`]: a pack's bytes in fixed-size chunks, as received and as the browser stores them.
//! * [`write`]: writing packs, with deltas, for push.
//!
//! Nothing here performs I/O; every limit is explicit and every malformed input is a typed error.
//!
//! ## Examples
//!
//! ```
//! use tabgit_object::Kind;
//! let entries = vec![tabgit_pack::write::Entry::full(Kind::Blob, b"hello\n".to_vec())];
//! let pack = tabgit_pack::write::write_pack(&entries).unwrap();
//! let mut indexer = tabgit_pack::indexer::Indexer::new(Default::default());
//! indexer.feed(&pack.data).unwrap();
//! let outcome = indexer.finish(&tabgit_pack::indexer::NoThinBases, &mut |_| {}).unwrap();
//! assert_eq!(outcome.n_objects, 1);
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod bundle;
pub mod data;
pub mod delta;
pub mod index;
pub mod indexer;
pub mod pack_bytes;
pub mod write;

pub use bundle::Bundle;
pub use index::Index;
pub use pack_bytes::PackBytes;
pub use tabgit_hash::ObjectId;
