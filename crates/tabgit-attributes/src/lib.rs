//! git's rules about paths, sans-IO: which files are ignored, which attributes a file has, and
//! which paths a command's path arguments select.
//!
//! * [`wildmatch`](mod@wildmatch): git's glob matcher (`*`, `?`, `[...]`, `**`, escapes).
//! * [`pattern`]: one `.gitignore`/`.gitattributes` pattern and how it matches a path.
//! * [`ignore`]: ignore files (`.gitignore` per directory, `$GIT_DIR/info/exclude`) with git's
//!   precedence: deeper files over shallower, later lines over earlier, negation, and "an
//!   ignored directory hides everything below it".
//! * [`attr`]: `.gitattributes` (`text`, `-diff`, `eol=crlf`, `[attr]` macros such as the
//!   built-in `binary`), evaluated as `git check-attr` does.
//! * [`pathspec`]: path arguments (`src/`, `*.rs`, `:/docs`, `:!vendor`) as `git add` and
//!   `git log --` read them.
//!
//! Nothing here reads files: callers hand in the bytes of each ignore or attributes file and the
//! directory it was found in, so the same code runs over a real directory, an index or
//! IndexedDB.
//!
//! ## Examples
//!
//! ```
//! use tabgit_attributes::{attr, ignore};
//!
//! let mut stack = ignore::Stack::default();
//! stack.push(ignore::File::parse(b"*.o\n!keep.o\nbuild/\n", b"", b".gitignore"));
//! assert!(stack.is_ignored(b"src/main.o", false));
//! assert!(!stack.is_ignored(b"src/keep.o", false));
//! assert!(stack.is_ignored(b"build", true));
//! assert!(!stack.is_ignored(b"build", false), "build/ matches directories only");
//!
//! let mut attributes = attr::Collection::default();
//! attributes.insert_file(b"", b"*.png binary\n*.sh text eol=lf\n");
//! let png = attributes.lookup(b"img/logo.png");
//! assert_eq!(png.get(b"diff"), &attr::State::Unset);
//! assert_eq!(attributes.lookup(b"run.sh").get(b"eol"), &attr::State::Value(b"lf".to_vec()));
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod wildmatch;

pub mod pattern;

pub mod ignore;

pub mod attr;

pub mod pathspec;

pub use pathspec::Pathspec;
pub use pattern::Pattern;

/// The lines of an ignore or attributes file: split at `\n`, a `\r` before it dropped, a UTF-8
/// byte order mark at the start skipped, numbered from 1.
pub(crate) fn lines(data: &[u8]) -> impl Iterator<Item = (usize, &[u8])> {
    let data = data.strip_prefix(b"\xef\xbb\xbf").unwrap_or(data);
    let data = data.strip_suffix(b"\n").unwrap_or(data);
    data.split(|&b| b == b'\n')
        .enumerate()
        .map(|(idx, line)| (idx + 1, line.strip_suffix(b"\r").unwrap_or(line)))
        .filter(|_| !data.is_empty())
}
