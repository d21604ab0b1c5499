//! Revisions: walking commit history, merge bases, and the revision syntax users type.
//!
//! * [`graph`]: a cache of parsed commits (parents and dates) over any [`tabgit_object::Find`].
//! * [`walk`]: what `git rev-list` does — date order (git's default), `--topo-order`,
//!   `--first-parent`, hidden (`^commit`) tips, limits.
//! * [`merge_base`]: `git merge-base [--all]`, criss-cross merges included.
//! * [`spec`]: parsing `HEAD~2`, `main^2`, `v1.0^{tree}`, `A..B`, `A...B`, `@{u}`, `rev:path`.
//!
//! Algorithms follow git's `revision.c` and `commit-reach.c`; all walks are iterative.
//!
//! ## Examples
//!
//! ```
//! let spec = tabgit_revision::spec::parse(b"main~2^{tree}").unwrap();
//! assert!(matches!(spec, tabgit_revision::spec::Spec::Single(_)));
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod graph;
pub mod merge_base;
pub mod spec;
pub mod walk;

pub use graph::Graph;
