//! git's ref formats: ref names, loose ref files, `packed-refs`, reflog lines and refspecs.
//!
//! Everything here is a pure function of bytes: reading the files and deciding which one wins
//! (a loose ref over its packed copy) is the ref store's job. The formats come from
//! `Documentation/gitrepository-layout.adoc`, `Documentation/git-check-ref-format.adoc`,
//! `Documentation/git-fetch.adoc` (`<refspec>`) and git's `refs.c`, `refs/files-backend.c`,
//! `refs/packed-backend.c` and `refspec.c`.
//!
//! ## Examples
//!
//! ```
//! use tabgit_refs::{loose, name, packed, refspec, Target};
//!
//! // Names are checked as `git check-ref-format` does.
//! assert!(name::is_valid(b"refs/heads/main", name::Options::default()));
//! assert!(!name::is_valid(b"refs/heads/a..b", name::Options::default()));
//! assert_eq!(name::short_name(b"refs/remotes/origin/main"), b"origin/main");
//!
//! // Loose ref files.
//! let head = loose::decode(b"ref: refs/heads/main\n").unwrap();
//! assert_eq!(head, Target::Symbolic(b"refs/heads/main".to_vec()));
//!
//! // packed-refs.
//! let file = b"# pack-refs with: peeled fully-peeled sorted \n\
//!     e69de29bb2d1d6434b8b29ae775ad8c2e48c5391 refs/heads/main\n";
//! let packed = packed::PackedRefs::from_bytes(file).unwrap();
//! assert!(packed.find(b"refs/heads/main").is_some());
//! assert_eq!(packed.to_bytes().unwrap(), file);
//!
//! // Refspecs.
//! let spec = refspec::RefSpec::parse(b"+refs/heads/*:refs/remotes/origin/*", refspec::Operation::Fetch).unwrap();
//! assert_eq!(spec.map_source(b"refs/heads/main").unwrap(), b"refs/remotes/origin/main");
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod loose;
pub mod name;
pub mod packed;
pub mod reflog;
pub mod refspec;

pub use loose::Target;
pub use packed::{PackedRefs, PackedRefsRef};
pub use refspec::RefSpec;
