//! Merges as git computes them: three-way merges of file contents with git's conflict markers,
//! tree merges with rename detection (git's `merge-ort`), and recursive merges of criss-cross
//! histories. Sans-IO: objects come in through [`tabgit_object::Find`] and merged blobs and trees
//! go out through [`tabgit_object::Write`]. Conflicts are data, never errors.
//!
//! * [`blob`]: the three-way merge of two versions of a file (`xdiff/xmerge.c`), as bytes with
//!   markers and as hunks that can be resolved one by one ([`blob::Outcome::resolve`]).
//! * [`tree`]: the merge of three trees (`merge-ort.c`): the merged tree, each conflict with its
//!   index stages and its content merge, git's messages, and the resulting index.
//! * [`commit`]: the merge of two commits: merge bases, virtual merge bases for criss-cross
//!   histories, then [`tree::merge`].
//!
//! ## Examples
//!
//! Merge two edits of a file and resolve the conflict by taking theirs:
//!
//! ```
//! use tabgit_merge::blob::{self, Choice, Labels, Options};
//! let base = b"one\ntwo\nthree\n";
//! let ours = b"one\n2\nthree\n";
//! let theirs = b"one\nzwei\nthree\n";
//! let labels = Labels { ancestor: None, ours: Some(b"HEAD"), theirs: Some(b"topic") };
//! let outcome = blob::merge(base, ours, theirs, &labels, &Options::default());
//! assert_eq!(outcome.n_conflicts, 1);
//! assert_eq!(
//!     outcome.result,
//!     b"one\n<<<<<<< HEAD\n2\n=======\nzwei\n>>>>>>> topic\nthree\n"
//! );
//! assert_eq!(outcome.resolve(&[Choice::Theirs])?, b"one\nzwei\nthree\n");
//! # Ok::<(), blob::Error>(())
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod blob;
pub mod commit;
pub mod tree;
