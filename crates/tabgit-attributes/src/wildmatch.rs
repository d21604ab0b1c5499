//! Shell-style pattern matching as git does it: `*`, `?`, `[...]` classes (with `!`/`^`
//! negation, ranges and `[:alpha:]`-style names), `\` escapes, and `**` that crosses directory
//! boundaries (git's `wildmatch.c`, itself from rsync).
//!
//! With [`Flags::pathname`] (git's `WM_PATHNAME`), `*`, `?` and classes never match `/`, and
//! `**` matches across directories only as a whole component (`**/`, `/**/`, `/**`); without it,
//! `*` matches `/` too (what pathspecs and basename matching use).
//!
//! ### Relation to git
//!
//! A port of `dowild()` including the 2023 fix that stops exponential backtracking (a failed
//! `*` returns "abort" rather than "no match"). Character classes follow git's own `ctype`
//! tables, so `[[:space:]]` matches tab, newline, carriage return and space but not `\v` or
//! `\f`. The one addition is a bound on recursion: every level consumes a `*` of the pattern,
//! and a pattern with more than [`MAX_STARS`] stars is refused (it matches nothing), so a
//! hostile `.gitignore` cannot exhaust the browser's 1 MiB stack.

/// Patterns with more `*` than this never match (each one may cost a level of recursion).
pub const MAX_STARS: usize = 1024;

/// How to match.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Flags {
    /// `*`, `?` and classes do not match `/` (`WM_PATHNAME`).
    pub pathname: bool,
    /// ASCII letters match regardless of case (`WM_CASEFOLD`).
    pub casefold: bool,
}

impl Flags {
    /// `WM_PATHNAME`, case-sensitive: how `.gitignore` patterns with a slash match.
    pub const PATHNAME: Flags = Flags {
        pathname: true,
        casefold: false,
    };
}

/// Whether `text` matches `pattern`.
///
/// ```
/// use tabgit_attributes::wildmatch::{wildmatch, Flags};
/// assert!(wildmatch(b"foo/**/bar", b"foo/bar", Flags::PATHNAME));
/// assert!(wildmatch(b"foo/**/bar", b"foo/a/b/bar", Flags::PATHNAME));
/// assert!(!wildmatch(b"*.rs", b"src/lib.rs", Flags::PATHNAME));
/// assert!(wildmatch(b"*.rs", b"src/lib.rs", Flags::default()));
/// ```
pub fn wildmatch(pattern: &[u8], text: &[u8], flags: Flags) -> bool {
    if pattern
        .iter()
        .fold(0usize, |n, &b| n + usize::from(b == b'*'))
        > MAX_STARS
    {
        return false;
    }
    matches!(
        dowild(Bytes(pattern), 0, Bytes(text), 0, flags),
        Outcome::Match
    )
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Outcome {
    Match,
    NoMatch,
    AbortAll,
    AbortToStarStar,
}

/// A byte string read like a C string: positions past the end (or at a NUL) read as 0.
#[derive(Clone, Copy)]
struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn at(self, idx: usize) -> u8 {
        self.0.get(idx).copied().unwrap_or(0)
    }

    /// The position of the first `/` at or after `idx`, before the end.
    fn find_slash(self, idx: usize) -> Option<usize> {
        let mut pos = idx;
        loop {
            match self.at(pos) {
                0 => return None,
                b'/' => return Some(pos),
                _ => pos += 1,
            }
        }
    }
}

fn is_glob_special(b: u8) -> bool {
    matches!(b, b'*' | b'?' | b'[' | b'\\')
}

fn fold(b: u8, flags: Flags) -> u8 {
    if flags.casefold {
        b.to_ascii_lowercase()
    } else {
        b
    }
}

/// git's `ctype` classes (`ctype.c`, `git-compat-util.h`), ASCII only.
fn in_class(name: &[u8], t: u8, flags: Flags) -> Option<bool> {
    let space = matches!(t, b' ' | b'\t' | b'\n' | b'\r');
    Some(match name {
        b"alnum" => t.is_ascii_alphanumeric(),
        b"alpha" => t.is_ascii_alphabetic(),
        b"blank" => matches!(t, b' ' | b'\t'),
        b"cntrl" => t < 0x20 || t == 0x7f,
        b"digit" => t.is_ascii_digit(),
        b"graph" => (0x21..=0x7e).contains(&t),
        b"lower" => t.is_ascii_lowercase(),
        b"print" => (0x20..=0x7e).contains(&t),
        b"punct" => t.is_ascii_punctuation(),
        b"space" => space,
        b"upper" => t.is_ascii_uppercase() || (flags.casefold && t.is_ascii_lowercase()),
        b"xdigit" => t.is_ascii_hexdigit(),
        _ => return None,
    })
}

/// `dowild()`: match `pattern[p..]` against `text[t..]`.
#[allow(clippy::too_many_lines)] // Mirrors git's single function, branch for branch.
fn dowild(
    pattern: Bytes<'_>,
    mut p: usize,
    text: Bytes<'_>,
    mut t: usize,
    flags: Flags,
) -> Outcome {
    let start = p;
    loop {
        let mut p_ch = pattern.at(p);
        if p_ch == 0 {
            break;
        }
        let mut t_ch = text.at(t);
        if t_ch == 0 && p_ch != b'*' {
            return Outcome::AbortAll;
        }
        t_ch = fold(t_ch, flags);
        p_ch = fold(p_ch, flags);
        match p_ch {
            b'?' => {
                if flags.pathname && t_ch == b'/' {
                    return Outcome::NoMatch;
                }
            }
            b'*' => {
                let match_slash;
                p += 1;
                if pattern.at(p) == b'*' {
                    // `prev_p` is the byte before the first star.
                    let first_star = p - 1;
                    while pattern.at(p) == b'*' {
                        p += 1;
                    }
                    if !flags.pathname {
                        match_slash = true;
                    } else if (first_star == start || pattern.at(first_star - 1) == b'/')
                        && (pattern.at(p) == 0
                            || pattern.at(p) == b'/'
                            || (pattern.at(p) == b'\\' && pattern.at(p + 1) == b'/'))
                    {
                        // `foo/**/bar` also matches `foo/bar`: try `**/` as nothing.
                        if pattern.at(p) == b'/'
                            && dowild(pattern, p + 1, text, t, flags) == Outcome::Match
                        {
                            return Outcome::Match;
                        }
                        match_slash = true;
                    } else {
                        match_slash = false;
                    }
                } else {
                    match_slash = !flags.pathname;
                }
                if pattern.at(p) == 0 {
                    // A trailing `**` matches everything, a trailing `*` up to the next slash.
                    if !match_slash && text.find_slash(t).is_some() {
                        return Outcome::AbortToStarStar;
                    }
                    return Outcome::Match;
                } else if !match_slash && pattern.at(p) == b'/' {
                    // One star followed by a slash matches the next directory.
                    let Some(slash) = text.find_slash(t) else {
                        return Outcome::AbortAll;
                    };
                    t = slash;
                    // The slash is consumed by the loop below.
                    p += 1;
                    t += 1;
                    continue;
                }
                let mut t_ch = t_ch;
                loop {
                    if t_ch == 0 {
                        break;
                    }
                    // Skip ahead to the literal that follows the star, if there is one.
                    if !is_glob_special(pattern.at(p)) {
                        let p_lit = fold(pattern.at(p), flags);
                        loop {
                            t_ch = text.at(t);
                            if t_ch == 0 || (!match_slash && t_ch == b'/') {
                                break;
                            }
                            t_ch = fold(t_ch, flags);
                            if t_ch == p_lit {
                                break;
                            }
                            t += 1;
                        }
                        if t_ch != p_lit {
                            return if match_slash {
                                Outcome::AbortAll
                            } else {
                                Outcome::AbortToStarStar
                            };
                        }
                    }
                    let matched = dowild(pattern, p, text, t, flags);
                    if matched != Outcome::NoMatch {
                        if !match_slash || matched != Outcome::AbortToStarStar {
                            return matched;
                        }
                    } else if !match_slash && t_ch == b'/' {
                        return Outcome::AbortToStarStar;
                    }
                    t += 1;
                    t_ch = text.at(t);
                }
                return Outcome::AbortAll;
            }
            b'[' => {
                p += 1;
                p_ch = pattern.at(p);
                if p_ch == b'^' {
                    p_ch = b'!';
                }
                let negated = p_ch == b'!';
                if negated {
                    p += 1;
                    p_ch = pattern.at(p);
                }
                let mut prev_ch: u8 = 0;
                let mut matched = false;
                loop {
                    if p_ch == 0 {
                        return Outcome::AbortAll;
                    }
                    if p_ch == b'\\' {
                        p += 1;
                        p_ch = pattern.at(p);
                        if p_ch == 0 {
                            return Outcome::AbortAll;
                        }
                        if t_ch == p_ch {
                            matched = true;
                        }
                    } else if p_ch == b'-'
                        && prev_ch != 0
                        && pattern.at(p + 1) != 0
                        && pattern.at(p + 1) != b']'
                    {
                        p += 1;
                        p_ch = pattern.at(p);
                        if p_ch == b'\\' {
                            p += 1;
                            p_ch = pattern.at(p);
                            if p_ch == 0 {
                                return Outcome::AbortAll;
                            }
                        }
                        if t_ch <= p_ch && t_ch >= prev_ch {
                            matched = true;
                        } else if flags.casefold && t_ch.is_ascii_lowercase() {
                            let upper = t_ch.to_ascii_uppercase();
                            if upper <= p_ch && upper >= prev_ch {
                                matched = true;
                            }
                        }
                        p_ch = 0; // So that `prev_ch` becomes 0.
                    } else if p_ch == b'[' && pattern.at(p + 1) == b':' {
                        p += 2;
                        let name_start = p;
                        loop {
                            p_ch = pattern.at(p);
                            if p_ch == 0 || p_ch == b']' {
                                break;
                            }
                            p += 1;
                        }
                        if p_ch == 0 {
                            return Outcome::AbortAll;
                        }
                        if p == name_start || pattern.at(p - 1) != b':' {
                            // No `:]`: a plain `[` in the set.
                            p = name_start - 2;
                            p_ch = b'[';
                            if t_ch == p_ch {
                                matched = true;
                            }
                            prev_ch = p_ch;
                            p += 1;
                            p_ch = pattern.at(p);
                            if p_ch == b']' {
                                break;
                            }
                            continue;
                        }
                        let name = &pattern.0[name_start..p - 1];
                        match in_class(name, t_ch, flags) {
                            Some(true) => matched = true,
                            Some(false) => {}
                            None => return Outcome::AbortAll,
                        }
                        p_ch = 0;
                    } else if t_ch == p_ch {
                        matched = true;
                    }
                    prev_ch = p_ch;
                    p += 1;
                    p_ch = pattern.at(p);
                    if p_ch == b']' {
                        break;
                    }
                }
                if matched == negated || (flags.pathname && t_ch == b'/') {
                    return Outcome::NoMatch;
                }
            }
            _ => {
                // An escaped character is compared as written, unfolded, as git does.
                let literal = if p_ch == b'\\' {
                    p += 1;
                    pattern.at(p)
                } else {
                    p_ch
                };
                if t_ch != literal {
                    return Outcome::NoMatch;
                }
            }
        }
        p += 1;
        t += 1;
    }
    if text.at(t) == 0 {
        Outcome::Match
    } else {
        Outcome::NoMatch
    }
}
