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
#[cfg(target_arch = "wasm32")]
pub mod idb;
pub mod odb;
pub mod refs;
pub mod worktree;

/// Which pack chunks an operation needs that are not loaded yet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotLoaded {
    /// The pack's path.
    pub pack: String,
    /// First chunk needed.
    pub first: u64,
    /// Last chunk needed.
    pub last: u64,
}

/// Look through an error and its sources for a "pack data not loaded yet" cause: the async
/// layer loads those chunks and runs the operation again (`ARCHITECTURE.md`, "Where async
/// stops").
pub fn not_loaded(err: &(dyn std::error::Error + 'static)) -> Option<NotLoaded> {
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(err) = current {
        let read = err
            .downcast_ref::<tabgit_pack::bundle::ReadError>()
            .or_else(|| match err.downcast_ref::<tabgit_pack::bundle::Error>() {
                Some(tabgit_pack::bundle::Error::Read(read)) => Some(read),
                _ => None,
            })
            .or_else(|| match err.downcast_ref::<odb::Error>() {
                Some(odb::Error::Pack {
                    source: tabgit_pack::bundle::Error::Read(read),
                    ..
                }) => Some(read),
                _ => None,
            });
        if let Some(tabgit_pack::bundle::ReadError::NotLoaded { pack, first, last }) = read {
            return Some(NotLoaded {
                pack: pack.clone(),
                first: *first,
                last: *last,
            });
        }
        if let Some(worktree::Error::NotLoaded(need)) = err.downcast_ref::<worktree::Error>() {
            return Some(need.clone());
        }
        current = err.source();
    }
    None
}
