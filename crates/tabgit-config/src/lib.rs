//! git-config files: parsing exactly as git does, typed values, and edits that keep comments and
//! layout and write what `git config` would write.
//!
//! The syntax is that of `Documentation/git-config.adoc` ("CONFIGURATION FILE"): `[section]` and
//! `[section "subsection"]` headers, `key = value` lines, comments with `#` or `;`, quoting and
//! escapes. Section and key names are case-insensitive, subsections case-sensitive, and the last
//! value of a key wins. Includes (`include.path`) are not followed: this crate sees one file.
//!
//! Nothing read from a file can make an edit produce text that reads back differently: edits are
//! re-parsed and checked before they are kept (`RELIABILITY.md` row 18).
//!
//! ## Examples
//!
//! ```
//! use tabgit_config::File;
//!
//! let mut config = File::from_bytes(b"[core]\n\tbare = false # not bare\n[remote \"origin\"]\n\turl = /srv/repo.git\n").unwrap();
//! assert_eq!(config.get_bool("core", None, "bare").unwrap(), Some(false));
//! assert_eq!(config.get("remote", Some(b"origin".as_slice()), "url"), Some(&b"/srv/repo.git"[..]));
//!
//! config.add("remote", Some(b"origin".as_slice()), "fetch", b"+refs/heads/*:refs/remotes/origin/*").unwrap();
//! config.rename_section("remote", Some(b"origin".as_slice()), "remote", Some(b"upstream".as_slice())).unwrap();
//! assert_eq!(config.subsections("remote"), [&b"upstream"[..]]);
//! assert_eq!(
//!     config.as_bytes(),
//!     &b"[core]\n\tbare = false # not bare\n[remote \"upstream\"]\n\turl = /srv/repo.git\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n"[..]
//! );
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod file;
pub mod key;
pub mod parse;
pub mod value;

pub use file::File;
pub use key::KeyRef;
