//! One path pattern as `.gitignore` and `.gitattributes` lines spell it (`gitignore`, "PATTERN
//! FORMAT"), and how git matches it against a path (`dir.c` `parse_path_pattern`,
//! `match_basename`, `match_pathname`).
//!
//! * A pattern without a slash (other than a trailing one) matches the path's last component,
//!   at any depth below the directory of the file that holds it.
//! * Otherwise it matches the whole path relative to that directory with
//!   [`wildmatch`](crate::wildmatch) in pathname mode; a leading slash only anchors.
//! * A trailing slash means "directories only"; a leading `!` negates (ignore files only).

use crate::wildmatch::{self, Flags};

/// A parsed pattern.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Pattern {
    /// The pattern without its leading `!` and trailing `/`.
    pub text: Vec<u8>,
    /// It started with `!` (`PATTERN_FLAG_NEGATIVE`).
    pub negative: bool,
    /// It ended with `/`: it only matches directories (`PATTERN_FLAG_MUSTBEDIR`).
    pub must_be_dir: bool,
    /// It has no other slash: it matches basenames (`PATTERN_FLAG_NODIR`).
    pub basename_only: bool,
    /// It is `*` followed by a literal: a suffix test suffices (`PATTERN_FLAG_ENDSWITH`).
    pub ends_with: bool,
    /// How many leading bytes are free of wildcards (`nowildcardlen`).
    pub literal_prefix_len: usize,
}

/// The number of leading bytes before the first glob special character (`simple_length`).
pub fn literal_len(text: &[u8]) -> usize {
    text.iter()
        .position(|&b| matches!(b, b'*' | b'?' | b'[' | b'\\'))
        .unwrap_or(text.len())
}

/// Whether `text` has no glob special character.
pub fn is_literal(text: &[u8]) -> bool {
    literal_len(text) == text.len()
}

/// Lifecycle
impl Pattern {
    /// Parse a pattern (one line of an ignore file, already trimmed, or the pattern of an
    /// attributes line).
    pub fn parse(line: &[u8]) -> Self {
        let (negative, rest) = match line.strip_prefix(b"!") {
            Some(rest) => (true, rest),
            None => (false, line),
        };
        let (must_be_dir, text) = match rest.strip_suffix(b"/") {
            Some(text) => (true, text),
            None => (false, rest),
        };
        let basename_only = !text.contains(&b'/');
        let literal_prefix_len = literal_len(rest).min(text.len());
        let ends_with = text.first() == Some(&b'*') && is_literal(&text[1..]);
        Pattern {
            text: text.to_vec(),
            negative,
            must_be_dir,
            basename_only,
            ends_with,
            literal_prefix_len,
        }
    }
}

/// Access
impl Pattern {
    /// Whether the pattern, read from a file in directory `base` (`""` for the top, else
    /// without a trailing slash), matches `path` (relative to the top of the tree).
    pub fn matches(&self, path: &[u8], base: &[u8], is_dir: bool, casefold: bool) -> bool {
        if self.must_be_dir && !is_dir {
            return false;
        }
        if self.basename_only {
            let basename = match path.iter().rposition(|&b| b == b'/') {
                Some(slash) => &path[slash + 1..],
                None => path,
            };
            self.matches_basename(basename, casefold)
        } else {
            self.matches_pathname(path, base, casefold)
        }
    }

    /// `match_basename`.
    fn matches_basename(&self, basename: &[u8], casefold: bool) -> bool {
        let pattern = &self.text;
        if self.literal_prefix_len == pattern.len() {
            pattern.len() == basename.len() && eq(pattern, basename, casefold)
        } else if self.ends_with {
            let suffix = &pattern[1..];
            suffix.len() <= basename.len()
                && eq(suffix, &basename[basename.len() - suffix.len()..], casefold)
        } else {
            wildmatch::wildmatch(
                pattern,
                basename,
                Flags {
                    pathname: false,
                    casefold,
                },
            )
        }
    }

    /// `match_pathname`: the pattern has `base/` implicitly in front of it.
    fn matches_pathname(&self, path: &[u8], base: &[u8], casefold: bool) -> bool {
        let mut pattern: &[u8] = &self.text;
        let mut prefix = self.literal_prefix_len;
        if let Some(rest) = pattern.strip_prefix(b"/") {
            pattern = rest;
            prefix = prefix.saturating_sub(1);
        }
        if path.len() < base.len() + 1
            || (!base.is_empty() && path[base.len()] != b'/')
            || !eq(&path[..base.len()], base, casefold)
        {
            return false;
        }
        let mut name = if base.is_empty() {
            path
        } else {
            &path[base.len() + 1..]
        };
        if prefix > 0 {
            if prefix > name.len() || !eq(&pattern[..prefix], &name[..prefix], casefold) {
                return false;
            }
            pattern = &pattern[prefix..];
            name = &name[prefix..];
            if pattern.is_empty() && name.is_empty() {
                return true;
            }
        }
        wildmatch::wildmatch(
            pattern,
            name,
            Flags {
                pathname: true,
                casefold,
            },
        )
    }
}

fn eq(a: &[u8], b: &[u8], casefold: bool) -> bool {
    if casefold {
        a.eq_ignore_ascii_case(b)
    } else {
        a == b
    }
}
