//! The revision syntax users type (`Documentation/gitrevisions`), parsed into a value that the
//! porcelain resolves against refs and objects.
//!
//! ```text
//! spec      = "^" rev | rev ".." rev | rev "..." rev | rev "^@" | rev "^!" | rev
//! rev       = base nav* [":" path]   |   ":" [stage ":"] path   |   ":/" text
//! base      = "@" | name | name "@{" n "}" | "@{-" n "}" | [name] "@{u}" | [name] "@{upstream}" | [name] "@{push}"
//! nav       = "^" [n] | "~" [n] | "^{" [type] "}" | "^{/" text "}"
//! ```
//! An empty side of `..`/`...` means `HEAD`.

/// The reasons a revision could not be parsed.
#[derive(Debug, thiserror::Error, PartialEq, Eq, Clone)]
pub enum Error {
    /// The text is empty.
    #[error("empty revision")]
    Empty,
    /// A suffix is malformed.
    #[error("invalid revision {text:?}: {reason}")]
    Invalid {
        /// The text given, lossily decoded.
        text: String,
        /// What is wrong.
        reason: &'static str,
    },
}

/// What a revision starts from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Base {
    /// `HEAD` (written `@` or `HEAD`, or an empty side of a range).
    Head,
    /// A ref name or (abbreviated) object id, resolved as `git rev-parse` does.
    Name(Vec<u8>),
    /// `<name>@{n}` or `@{n}`: the n-th prior value of a ref from its reflog.
    Reflog {
        /// The ref (`None`: the current branch).
        name: Option<Vec<u8>>,
        /// Entries back.
        entry: usize,
    },
    /// `@{-n}`: the n-th branch checked out before the current one.
    PreviousBranch(usize),
    /// `<branch>@{upstream}` / `@{u}`.
    Upstream(Option<Vec<u8>>),
    /// `<branch>@{push}`.
    Push(Option<Vec<u8>>),
    /// `:/text`: the youngest commit reachable from any ref whose message matches.
    MessageSearch(Vec<u8>),
    /// `:<stage>:<path>` or `:<path>`: a blob in the index.
    Index {
        /// The stage, 0 to 3.
        stage: u8,
        /// The path.
        path: Vec<u8>,
    },
}

/// What kind of object `^{kind}` peels to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PeelTo {
    /// `^{commit}`.
    Commit,
    /// `^{tree}`.
    Tree,
    /// `^{blob}`.
    Blob,
    /// `^{tag}`.
    Tag,
    /// `^{object}`: just check the object exists.
    Object,
    /// `^{}`: peel tags until something that is not a tag.
    AnyNonTag,
}

/// One navigation step after the base.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Nav {
    /// `^n`: the n-th parent (`^0` is the commit itself).
    Parent(usize),
    /// `~n`: the n-th first-parent ancestor.
    Ancestor(usize),
    /// `^{kind}`.
    Peel(PeelTo),
    /// `^{/text}`: the youngest ancestor whose message matches.
    Search(Vec<u8>),
}

/// A single revision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rev {
    /// Where it starts.
    pub base: Base,
    /// Steps taken from there.
    pub nav: Vec<Nav>,
    /// `rev:path`: a path inside the revision's tree.
    pub path: Option<Vec<u8>>,
}

/// A revision specification as `git rev-parse` and `git log` accept it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Spec {
    /// One revision.
    Single(Rev),
    /// `^rev`: exclude what is reachable from it.
    Exclude(Rev),
    /// `a..b`: reachable from `b` but not from `a`.
    Range {
        /// The excluded side.
        from: Rev,
        /// The included side.
        to: Rev,
    },
    /// `a...b`: reachable from either but not from both.
    SymmetricDifference {
        /// One side.
        a: Rev,
        /// The other side.
        b: Rev,
    },
    /// `rev^@`: all parents of `rev`.
    Parents(Rev),
    /// `rev^!`: `rev` without its parents.
    CommitOnly(Rev),
}

fn invalid(text: &[u8], reason: &'static str) -> Error {
    Error::Invalid {
        text: String::from_utf8_lossy(text).into_owned(),
        reason,
    }
}

/// Parse a revision specification.
pub fn parse(text: &[u8]) -> Result<Spec, Error> {
    if text.is_empty() {
        return Err(Error::Empty);
    }
    if let Some(rest) = text.strip_prefix(b"^") {
        return Ok(Spec::Exclude(parse_rev(rest)?));
    }
    if let Some(rest) = text.strip_suffix(b"^@") {
        return Ok(Spec::Parents(parse_rev(rest)?));
    }
    if let Some(rest) = text.strip_suffix(b"^!") {
        return Ok(Spec::CommitOnly(parse_rev(rest)?));
    }
    if let Some(at) = find_range(text) {
        let (dots, left, right) = if text[at..].starts_with(b"...") {
            (3, &text[..at], &text[at + 3..])
        } else {
            (2, &text[..at], &text[at + 2..])
        };
        let side = |part: &[u8]| {
            if part.is_empty() {
                Ok(Rev {
                    base: Base::Head,
                    nav: Vec::new(),
                    path: None,
                })
            } else {
                parse_rev(part)
            }
        };
        let (left, right) = (side(left)?, side(right)?);
        return Ok(if dots == 3 {
            Spec::SymmetricDifference { a: left, b: right }
        } else {
            Spec::Range {
                from: left,
                to: right,
            }
        });
    }
    Ok(Spec::Single(parse_rev(text)?))
}

/// The position of `..` or `...` outside braces and before any `:path`.
fn find_range(text: &[u8]) -> Option<usize> {
    if text.starts_with(b":") {
        return None;
    }
    let mut depth = 0usize;
    let mut idx = 0;
    while idx < text.len() {
        match text[idx] {
            b'{' => depth += 1,
            b'}' => depth = depth.saturating_sub(1),
            b':' if depth == 0 => return None,
            b'.' if depth == 0 && text.get(idx + 1) == Some(&b'.') => return Some(idx),
            _ => {}
        }
        idx += 1;
    }
    None
}

/// Parse one revision (no range operators).
pub fn parse_rev(text: &[u8]) -> Result<Rev, Error> {
    if text.is_empty() {
        return Err(Error::Empty);
    }
    if let Some(rest) = text.strip_prefix(b":") {
        if let Some(search) = rest.strip_prefix(b"/") {
            return Ok(Rev {
                base: Base::MessageSearch(search.to_vec()),
                nav: Vec::new(),
                path: None,
            });
        }
        let (stage, path) = match rest {
            [d @ b'0'..=b'3', b':', path @ ..] => (d - b'0', path),
            path => (0, path),
        };
        return Ok(Rev {
            base: Base::Index {
                stage,
                path: path.to_vec(),
            },
            nav: Vec::new(),
            path: None,
        });
    }
    // Split off `:path` (the first colon outside braces).
    let mut depth = 0usize;
    let mut colon = None;
    for (idx, &b) in text.iter().enumerate() {
        match b {
            b'{' => depth += 1,
            b'}' => depth = depth.saturating_sub(1),
            b':' if depth == 0 => {
                colon = Some(idx);
                break;
            }
            _ => {}
        }
    }
    let (rev_part, path) = match colon {
        Some(idx) => (&text[..idx], Some(text[idx + 1..].to_vec())),
        None => (text, None),
    };
    // The base ends at the first `^` or `~` outside `@{...}`.
    let mut end = rev_part.len();
    let mut depth = 0usize;
    for (idx, &b) in rev_part.iter().enumerate() {
        match b {
            b'{' => depth += 1,
            b'}' => depth = depth.saturating_sub(1),
            b'^' | b'~' if depth == 0 => {
                end = idx;
                break;
            }
            _ => {}
        }
    }
    let base = parse_base(&rev_part[..end], text)?;
    let nav = parse_nav(&rev_part[end..], text)?;
    Ok(Rev { base, nav, path })
}

fn parse_base(base: &[u8], whole: &[u8]) -> Result<Base, Error> {
    if base.is_empty() {
        return Err(invalid(whole, "nothing before the suffix"));
    }
    if base == b"@" || base == b"HEAD" {
        return Ok(Base::Head);
    }
    let Some(at) = find_subslice(base, b"@{") else {
        return Ok(Base::Name(base.to_vec()));
    };
    let name = &base[..at];
    let inner = base[at + 2..]
        .strip_suffix(b"}")
        .ok_or_else(|| invalid(whole, "unterminated @{"))?;
    let name = if name.is_empty() {
        None
    } else {
        Some(name.to_vec())
    };
    match inner {
        b"u" | b"upstream" | b"U" | b"UPSTREAM" => Ok(Base::Upstream(name)),
        b"push" => Ok(Base::Push(name)),
        [b'-', digits @ ..] if name.is_none() => {
            let n = decimal(digits)
                .filter(|&n| n > 0)
                .ok_or_else(|| invalid(whole, "@{-n} needs a positive number"))?;
            Ok(Base::PreviousBranch(n))
        }
        digits => {
            let entry = decimal(digits)
                .ok_or_else(|| invalid(whole, "only numeric reflog entries are supported"))?;
            Ok(Base::Reflog { name, entry })
        }
    }
}

fn parse_nav(mut rest: &[u8], whole: &[u8]) -> Result<Vec<Nav>, Error> {
    let mut nav = Vec::new();
    while let Some((&op, after)) = rest.split_first() {
        rest = after;
        match op {
            b'^' if rest.first() == Some(&b'{') => {
                let close = rest
                    .iter()
                    .position(|&b| b == b'}')
                    .ok_or_else(|| invalid(whole, "unterminated ^{"))?;
                let inner = &rest[1..close];
                rest = &rest[close + 1..];
                nav.push(match inner {
                    b"" => Nav::Peel(PeelTo::AnyNonTag),
                    b"commit" => Nav::Peel(PeelTo::Commit),
                    b"tree" => Nav::Peel(PeelTo::Tree),
                    b"blob" => Nav::Peel(PeelTo::Blob),
                    b"tag" => Nav::Peel(PeelTo::Tag),
                    b"object" => Nav::Peel(PeelTo::Object),
                    [b'/', text @ ..] => Nav::Search(text.to_vec()),
                    _ => return Err(invalid(whole, "unknown ^{type}")),
                });
            }
            b'^' | b'~' => {
                let digits_len = rest.iter().take_while(|b| b.is_ascii_digit()).count();
                let n = if digits_len == 0 {
                    1
                } else {
                    decimal(&rest[..digits_len])
                        .ok_or_else(|| invalid(whole, "number too large"))?
                };
                rest = &rest[digits_len..];
                nav.push(if op == b'^' {
                    Nav::Parent(n)
                } else {
                    Nav::Ancestor(n)
                });
            }
            _ => return Err(invalid(whole, "unexpected character after a revision")),
        }
    }
    Ok(nav)
}

fn decimal(digits: &[u8]) -> Option<usize> {
    if digits.is_empty() || digits.len() > 9 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(digits).ok()?.parse().ok()
}

fn find_subslice(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
