//! Where a repository's data lives.
//!
//! A repository is a git directory: `objects/`, `refs/`, `packed-refs`, `HEAD`, `config`,
//! `index` and friends (`Documentation/gitrepository-layout`). [`files::GitFiles`] is that
//! directory as named files, with three homes: memory ([`files::MemoryFiles`], all targets),
//! a real `.git` on disk ([`files::FsFiles`], native), and `IndexedDB` in the browser (which keeps
//! a [`files::MemoryFiles`] mirror and persists its changes). Everything above, starting with
//! the object database [`odb::Odb`], is written once against that trait, so a repository written
//! natively is one native git can read.
//!
//! ## Examples
//!
//! ```
//! use tabgit_object::{Find, Kind, Write};
//! use tabgit_store::{files::MemoryFiles, odb::Odb};
//! let mut odb = Odb::open(MemoryFiles::default()).unwrap();
//! let id = odb.write(Kind::Blob, b"hello\n").unwrap();
//! let mut buf = Vec::new();
//! assert_eq!(odb.try_find(&id, &mut buf).unwrap().unwrap().data, b"hello\n");
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod files;
pub mod odb;
pub mod refs;
pub mod worktree;
