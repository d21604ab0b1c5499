//! Pathspecs: the path arguments of `git add <paths>`, `git log -- <paths>` and friends
//! (`gitglossary`, "pathspec"; git's `pathspec.c` and `dir.c` `match_pathspec_item`).
//!
//! An item matches a path when it equals the path, names a directory the path is inside
//! (`src` and `src/` match `src/main.rs`), or, if it has wildcards, when it matches the whole
//! path with [`wildmatch`](crate::wildmatch) where `*` also matches `/` (`*.rs` matches
//! `src/main.rs`). Items are relative to the directory the command runs in (the `prefix`).
//!
//! Supported magic: `:/` and `:(top)` (relative to the top), `:!`, `:^` and `:(exclude)`
//! (exclude matching paths), `:(literal)` (no wildcards), `:(glob)` (`*` stops at `/`, `**`
//! crosses directories), `:(icase)`. Other magic (`attr:`) is refused.

use crate::wildmatch::{self, Flags};

/// The reasons a pathspec does not parse.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum Error {
    /// The magic word is unknown or unsupported.
    #[error("unsupported pathspec magic {magic:?} in {item:?}")]
    UnsupportedMagic {
        /// The magic word.
        magic: String,
        /// The item, lossily decoded.
        item: String,
    },
    /// `..` climbs above the top of the working tree.
    #[error("{item:?} is outside the repository")]
    OutsideRepository {
        /// The item, lossily decoded.
        item: String,
    },
}

/// One parsed item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    /// The item as a path from the top of the working tree (`""` matches everything).
    pub path: Vec<u8>,
    /// How many leading bytes have no wildcard (all of them for literal items).
    pub literal_len: usize,
    /// Exclude matching paths instead of including them.
    pub exclude: bool,
    /// `*` does not match `/` (`:(glob)`).
    pub glob: bool,
    /// Compare case-insensitively (`:(icase)`).
    pub icase: bool,
    /// The item as the user wrote it, for messages such as "did not match any files".
    pub original: Vec<u8>,
}

/// A list of items.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Pathspec {
    items: Vec<Item>,
}

/// Make `item` (relative to `prefix`, a directory path without trailing slash, `""` for the
/// top) a path from the top, resolving `.` and `..` (`prefix_path_gently`).
fn normalize(prefix: &[u8], item: &[u8]) -> Option<Vec<u8>> {
    let mut parts: Vec<&[u8]> = Vec::new();
    let joined_prefix: Vec<&[u8]> = prefix
        .split(|&b| b == b'/')
        .filter(|c| !c.is_empty())
        .collect();
    parts.extend(joined_prefix);
    let trailing_slash = item.ends_with(b"/") && item.len() > 1;
    for component in item.split(|&b| b == b'/') {
        match component {
            b"" | b"." => {}
            b".." => {
                parts.pop()?;
            }
            other => parts.push(other),
        }
    }
    let mut out = parts.join(&b'/');
    if trailing_slash && !out.is_empty() {
        out.push(b'/');
    }
    Some(out)
}

/// Lifecycle
impl Pathspec {
    /// Parse `args`, given relative to directory `prefix` of the working tree (`b""` at the
    /// top).
    pub fn parse<A: AsRef<[u8]>>(args: &[A], prefix: &[u8]) -> Result<Self, Error> {
        let mut items = Vec::new();
        for arg in args {
            items.push(Item::parse(arg.as_ref(), prefix)?);
        }
        Ok(Pathspec { items })
    }
}

impl Item {
    fn parse(arg: &[u8], prefix: &[u8]) -> Result<Self, Error> {
        let lossy = || String::from_utf8_lossy(arg).into_owned();
        let mut rest = arg;
        let (mut top, mut exclude, mut literal, mut glob, mut icase) =
            (false, false, false, false, false);
        if let Some(after) = rest.strip_prefix(b":(") {
            let close =
                after
                    .iter()
                    .position(|&b| b == b')')
                    .ok_or_else(|| Error::UnsupportedMagic {
                        magic: String::new(),
                        item: lossy(),
                    })?;
            for magic in after[..close].split(|&b| b == b',') {
                match magic {
                    b"top" => top = true,
                    b"exclude" => exclude = true,
                    b"literal" => literal = true,
                    b"glob" => glob = true,
                    b"icase" => icase = true,
                    other => {
                        return Err(Error::UnsupportedMagic {
                            magic: String::from_utf8_lossy(other).into_owned(),
                            item: lossy(),
                        })
                    }
                }
            }
            rest = &after[close + 1..];
        } else if let Some(after) = rest.strip_prefix(b":") {
            // Short magic: `:/`, `:!`, `:^`, optionally closed by another `:`.
            let mut idx = 0;
            while let Some(&b) = after.get(idx) {
                match b {
                    b'/' => top = true,
                    b'!' | b'^' => exclude = true,
                    _ => break,
                }
                idx += 1;
            }
            rest = &after[idx..];
            if let Some(stripped) = rest.strip_prefix(b":") {
                rest = stripped;
            }
        }
        let path = normalize(if top { b"" } else { prefix }, rest)
            .ok_or_else(|| Error::OutsideRepository { item: lossy() })?;
        let literal_len = if literal {
            path.len()
        } else {
            crate::pattern::literal_len(&path)
        };
        Ok(Item {
            path,
            literal_len,
            exclude,
            glob,
            icase,
            original: arg.to_vec(),
        })
    }

    /// Whether this item matches `path` (ignoring [`Item::exclude`]).
    pub fn matches(&self, path: &[u8]) -> bool {
        let item = &self.path;
        let eq = |a: &[u8], b: &[u8]| {
            if self.icase {
                a.eq_ignore_ascii_case(b)
            } else {
                a == b
            }
        };
        if item.is_empty() {
            return true;
        }
        if item.len() <= path.len()
            && eq(item, &path[..item.len()])
            && (item.len() == path.len() || item.ends_with(b"/") || path[item.len()] == b'/')
        {
            return true;
        }
        if self.literal_len < item.len() {
            let prefix = self.literal_len;
            if path.len() < prefix || !eq(&item[..prefix], &path[..prefix]) {
                return false;
            }
            return wildmatch::wildmatch(
                &item[prefix..],
                &path[prefix..],
                Flags {
                    pathname: self.glob,
                    casefold: self.icase,
                },
            );
        }
        false
    }

    /// Whether some path inside directory `dir` could match (to prune walks).
    pub fn may_match_below(&self, dir: &[u8]) -> bool {
        let item = &self.path;
        let literal = &item[..self.literal_len];
        let mut dir_slash = dir.to_vec();
        dir_slash.push(b'/');
        let common = literal.len().min(dir_slash.len());
        if self.icase {
            literal[..common].eq_ignore_ascii_case(&dir_slash[..common])
        } else {
            literal[..common] == dir_slash[..common]
        }
    }
}

/// Access
impl Pathspec {
    /// The items.
    pub fn items(&self) -> &[Item] {
        &self.items
    }

    /// Whether there are no items (everything matches).
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Whether `path` is selected: some including item matches (or there are only excluding
    /// items) and no excluding item does.
    pub fn matches(&self, path: &[u8]) -> bool {
        let mut any_include = false;
        let mut included = false;
        for item in &self.items {
            if item.exclude {
                if item.matches(path) {
                    return false;
                }
            } else {
                any_include = true;
                included = included || item.matches(path);
            }
        }
        included || !any_include
    }

    /// The indices of the including items that match `path`, for "did not match any file"
    /// checks.
    pub fn matching_items(&self, path: &[u8]) -> impl Iterator<Item = usize> + '_ {
        let selected = self.matches(path);
        let path = path.to_vec();
        self.items
            .iter()
            .enumerate()
            .filter(move |(_, item)| selected && !item.exclude && item.matches(&path))
            .map(|(idx, _)| idx)
    }

    /// Whether some path inside directory `dir` could be selected.
    pub fn may_match_below(&self, dir: &[u8]) -> bool {
        let includes: Vec<&Item> = self.items.iter().filter(|i| !i.exclude).collect();
        if includes.is_empty() {
            return true;
        }
        includes
            .iter()
            .any(|item| item.may_match_below(dir) || item.matches(dir))
    }
}
