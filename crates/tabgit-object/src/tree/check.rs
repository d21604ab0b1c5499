//! Whether a tree is safe to check out: git's `fsck_tree` and `verify_path` rules with every
//! platform protection on, on every platform (as `git fsck` and gitoxide's `gix-validate` do).
//!
//! Rows 1–12 of `RELIABILITY.md`: `..`, `.`, `.git` in any case and in its HFS+ and NTFS
//! spellings, separators, Windows drive prefixes, over-long names, unsorted and duplicate entries.

use crate::tree::{compare_entries, TreeRefIter};

/// Why a tree or a path component is refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq, Clone)]
pub enum Error {
    /// The tree bytes do not parse.
    #[error(transparent)]
    Decode(#[from] crate::tree::Error),
    /// A component names the current or parent directory.
    #[error("tree entry {name:?} climbs out of the tree")]
    DotOrDotDot {
        /// The offending name, lossily decoded.
        name: String,
    },
    /// A component is `.git` in some spelling, which would write into repository metadata.
    #[error("tree entry {name:?} is a spelling of .git")]
    DotGit {
        /// The offending name, lossily decoded.
        name: String,
    },
    /// A component contains `/` or `\`, so it is really a path.
    #[error("tree entry {name:?} contains a path separator")]
    Separator {
        /// The offending name, lossily decoded.
        name: String,
    },
    /// A component starts with a Windows drive letter such as `C:`.
    #[error("tree entry {name:?} starts with a drive prefix")]
    DrivePrefix {
        /// The offending name, lossily decoded.
        name: String,
    },
    /// A component is longer than [`MAX_COMPONENT_LEN`].
    #[error("tree entry name of {len} bytes exceeds {MAX_COMPONENT_LEN} bytes")]
    TooLong {
        /// Its length.
        len: usize,
    },
    /// Two entries have the same name.
    #[error("tree has two entries named {name:?}")]
    Duplicate {
        /// The duplicated name, lossily decoded.
        name: String,
    },
    /// Entries are not in git's order.
    #[error("tree entries are not sorted (at {name:?})")]
    Unsorted {
        /// The first out-of-order name, lossily decoded.
        name: String,
    },
    /// A `.gitmodules` entry is a symbolic link (fsck `gitmodulesSymlink`).
    #[error(".gitmodules is a symbolic link")]
    GitmodulesSymlink,
}

/// The longest path component accepted (git's default for `fsck` `largePathname` is 4096).
pub const MAX_COMPONENT_LEN: usize = 4096;

/// Check one path component (a tree entry name or a segment of a worktree path).
pub fn component(name: &[u8]) -> Result<(), Error> {
    let lossy = || String::from_utf8_lossy(name).into_owned();
    if name.len() > MAX_COMPONENT_LEN {
        return Err(Error::TooLong { len: name.len() });
    }
    if name.is_empty() || name == b"." || name == b".." {
        return Err(Error::DotOrDotDot { name: lossy() });
    }
    if name.iter().any(|&b| b == b'/' || b == b'\\' || b == 0) {
        return Err(Error::Separator { name: lossy() });
    }
    if name.len() >= 2 && name[0].is_ascii_alphabetic() && name[1] == b':' {
        return Err(Error::DrivePrefix { name: lossy() });
    }
    if is_dot_git(name) || is_hfs_dot_git(name) || is_ntfs_dot_git(name) {
        return Err(Error::DotGit { name: lossy() });
    }
    Ok(())
}

/// Check every component of a `/`-separated repository path.
pub fn path(path: &[u8]) -> Result<(), Error> {
    path.split(|&b| b == b'/').try_for_each(component)
}

/// Check a whole tree: every name, the order, duplicates and `.gitmodules` (git's `fsck_tree`).
pub fn tree(data: &[u8]) -> Result<(), Error> {
    let mut previous: Option<(&[u8], bool)> = None;
    for entry in TreeRefIter::from_bytes(data) {
        let entry = entry?;
        component(entry.filename)?;
        if entry.mode.kind() == crate::tree::EntryKind::Link && is_gitmodules(entry.filename) {
            return Err(Error::GitmodulesSymlink);
        }
        let is_tree = entry.mode.is_tree();
        if let Some((prev_name, prev_is_tree)) = previous {
            if prev_name == entry.filename {
                return Err(Error::Duplicate {
                    name: String::from_utf8_lossy(entry.filename).into_owned(),
                });
            }
            if compare_entries(prev_name, prev_is_tree, entry.filename, is_tree)
                != std::cmp::Ordering::Less
            {
                return Err(Error::Unsorted {
                    name: String::from_utf8_lossy(entry.filename).into_owned(),
                });
            }
        }
        previous = Some((entry.filename, is_tree));
    }
    Ok(())
}

fn is_dot_git(name: &[u8]) -> bool {
    name.eq_ignore_ascii_case(b".git")
}

fn is_gitmodules(name: &[u8]) -> bool {
    name.eq_ignore_ascii_case(b".gitmodules")
        || name.eq_ignore_ascii_case(b"gitmod~1")
        || is_ntfs_gitmodules_short(name)
}

/// NTFS short names of `.gitmodules` look like `GI7EBA~1` (git's `is_ntfs_dot_generic`).
fn is_ntfs_gitmodules_short(name: &[u8]) -> bool {
    name.len() == 8
        && name[..6].eq_ignore_ascii_case(b"gi7eba")
        && name[6] == b'~'
        && (b'1'..=b'4').contains(&name[7])
}

/// HFS+ ignores some Unicode code points when comparing names, so `.g\u{200c}it` is `.git`
/// there (git's `utf8.c` `is_hfs_dotgit`).
fn is_hfs_dot_git(name: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(name) else {
        return false;
    };
    if text.is_ascii() {
        return false;
    }
    let folded: String = text
        .chars()
        .filter(
            |&c| !matches!(c as u32, 0x200C..=0x200F | 0x202A..=0x202E | 0x206A..=0x206F | 0xFEFF),
        )
        .collect();
    folded.eq_ignore_ascii_case(".git")
}

/// NTFS resolves `.git.`, `.git `, `.git::$INDEX_ALLOCATION` and the short name `git~1` to
/// `.git` (git's `path.c` `is_ntfs_dotgit`).
fn is_ntfs_dot_git(name: &[u8]) -> bool {
    let rest = if name.len() >= 4 && name[..4].eq_ignore_ascii_case(b".git") {
        &name[4..]
    } else if name.len() >= 5 && name[..5].eq_ignore_ascii_case(b"git~1") {
        &name[5..]
    } else {
        return false;
    };
    for &c in rest {
        match c {
            b':' | b'\\' | b'/' => return true,
            b'.' | b' ' => {}
            _ => return false,
        }
    }
    true
}
