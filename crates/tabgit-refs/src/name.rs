//! Ref names: validation exactly as `git check-ref-format`, branch names as `git branch` accepts
//! them, and the short-name rules of `git rev-parse`.
//!
//! The validation rules are those of `Documentation/git-check-ref-format.adoc` ("DESCRIPTION",
//! rules 1–10) as implemented by `refs.c` `check_or_sanitize_refname` and
//! `check_refname_component`. A ref name is a `/`-separated list of components such that:
//!
//! ```text
//! 1. no component begins with "." or ends with ".lock"
//! 2. there are at least two components, unless one-level names are allowed (--allow-onelevel)
//! 3. it does not contain ".."
//! 4. it has no ASCII control character (< 0x20 or 0x7f), space, "~", "^" or ":"
//! 5. it has no "?", "*" or "[" (one "*" is allowed with --refspec-pattern)
//! 6. it does not begin or end with "/" and has no "//"
//! 7. it does not end with "."
//! 8. it does not contain "@{"
//! 9. it is not the single character "@"
//! 10. it does not contain "\"
//! ```
//!
//! A ref name that passes becomes a storage key and UI text, so every name that comes from a
//! remote is checked here first (`RELIABILITY.md` row 31).

/// Why a ref name or a branch name is refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq, Clone)]
pub enum Error {
    /// The name is empty.
    #[error("ref name is empty")]
    Empty,
    /// The name is the single character `@` (rule 9), which git reads as `HEAD`.
    #[error("ref name \"@\" is reserved as a shorthand for HEAD")]
    SingleAt,
    /// A component is empty: the name starts or ends with `/` or contains `//` (rule 6).
    #[error("ref name {name:?} has an empty component (a leading, trailing or doubled /)")]
    EmptyComponent {
        /// The refused name, lossily decoded.
        name: String,
    },
    /// A component starts with `.` (rule 1).
    #[error("ref name {name:?} has a component starting with \".\"")]
    ComponentStartsWithDot {
        /// The refused name, lossily decoded.
        name: String,
    },
    /// A component ends with `.lock` (rule 1), which git reserves for its lock files.
    #[error("ref name {name:?} has a component ending with \".lock\"")]
    LockSuffix {
        /// The refused name, lossily decoded.
        name: String,
    },
    /// The name contains `..` (rule 3).
    #[error("ref name {name:?} contains \"..\"")]
    DoubleDot {
        /// The refused name, lossily decoded.
        name: String,
    },
    /// The name contains `@{` (rule 8), the start of a reflog selector.
    #[error("ref name {name:?} contains \"@{{\"")]
    AtBrace {
        /// The refused name, lossily decoded.
        name: String,
    },
    /// The name contains a control character, space, `~`, `^`, `:`, `?`, `[` or `\` (rules 4, 5, 10).
    #[error("ref name {name:?} contains the forbidden byte {byte:#04x}")]
    ForbiddenByte {
        /// The refused name, lossily decoded.
        name: String,
        /// The first forbidden byte.
        byte: u8,
    },
    /// The name contains `*` but patterns are not allowed (rule 5).
    #[error("ref name {name:?} contains \"*\"; only refspec patterns may")]
    Asterisk {
        /// The refused name, lossily decoded.
        name: String,
    },
    /// A refspec pattern contains more than one `*`.
    #[error("refspec pattern {name:?} contains more than one \"*\"")]
    MultipleAsterisks {
        /// The refused name, lossily decoded.
        name: String,
    },
    /// The name ends with `.` (rule 7).
    #[error("ref name {name:?} ends with \".\"")]
    EndsWithDot {
        /// The refused name, lossily decoded.
        name: String,
    },
    /// The name has a single component and one-level names were not allowed (rule 2).
    #[error("ref name {name:?} has only one level; use a full name such as refs/heads/{name}")]
    OneLevel {
        /// The refused name, lossily decoded.
        name: String,
    },
    /// A branch name starts with `-`, which would read as a command-line option.
    #[error("branch name {name:?} starts with \"-\"")]
    BranchStartsWithDash {
        /// The refused name, lossily decoded.
        name: String,
    },
    /// `HEAD` is not a branch name.
    #[error("\"HEAD\" is not a valid branch name")]
    BranchIsHead,
}

/// What [`check`] accepts beyond the default rules (the options of `git check-ref-format`).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct Options {
    /// Accept names with a single component such as `HEAD` or `main` (`--allow-onelevel`).
    pub allow_onelevel: bool,
    /// Accept one `*` anywhere in the name, as the side of a refspec pattern (`--refspec-pattern`).
    pub refspec_pattern: bool,
}

/// Check `name` against git's ref name rules, as `git check-ref-format [options] <name>` does.
///
/// ### Relation to git
///
/// Accepts exactly the names `check_refname_format` accepts (`refs.c`); this is tested against
/// `git check-ref-format` on thousands of generated names. git cannot see a NUL byte in a name (its
/// names are C strings); here NUL is a forbidden byte like the other control characters.
pub fn check(name: &[u8], options: Options) -> Result<(), Error> {
    let lossy = || String::from_utf8_lossy(name).into_owned();
    if name.is_empty() {
        return Err(Error::Empty);
    }
    if name == b"@" {
        return Err(Error::SingleAt);
    }
    let mut may_have_asterisk = options.refspec_pattern;
    let mut n_components = 0usize;
    for component in name.split(|&b| b == b'/') {
        let Some(&first) = component.first() else {
            return Err(Error::EmptyComponent { name: lossy() });
        };
        let mut last = 0u8;
        for &byte in component {
            match byte {
                b'.' if last == b'.' => return Err(Error::DoubleDot { name: lossy() }),
                b'{' if last == b'@' => return Err(Error::AtBrace { name: lossy() }),
                0..=0x1f | 0x7f | b' ' | b'~' | b'^' | b':' | b'?' | b'[' | b'\\' => {
                    return Err(Error::ForbiddenByte {
                        name: lossy(),
                        byte,
                    })
                }
                b'*' => {
                    if !may_have_asterisk {
                        return Err(if options.refspec_pattern {
                            Error::MultipleAsterisks { name: lossy() }
                        } else {
                            Error::Asterisk { name: lossy() }
                        });
                    }
                    may_have_asterisk = false;
                }
                _ => {}
            }
            last = byte;
        }
        if first == b'.' {
            return Err(Error::ComponentStartsWithDot { name: lossy() });
        }
        if component.ends_with(b".lock") {
            return Err(Error::LockSuffix { name: lossy() });
        }
        n_components += 1;
    }
    if name.ends_with(b".") {
        return Err(Error::EndsWithDot { name: lossy() });
    }
    if !options.allow_onelevel && n_components < 2 {
        return Err(Error::OneLevel { name: lossy() });
    }
    Ok(())
}

/// Whether [`check`] accepts `name`.
pub fn is_valid(name: &[u8], options: Options) -> bool {
    check(name, options).is_ok()
}

/// Check a short branch name as `git branch <name>` and `git check-ref-format --branch` do.
///
/// The name must not start with `-`, must not be `HEAD`, and `refs/heads/<name>` must be a valid
/// ref name (`object-name.c` `check_branch_ref`, outside a repository, so `@{-1}` is not expanded).
pub fn check_branch_name(short_name: &[u8]) -> Result<(), Error> {
    if short_name.first() == Some(&b'-') {
        return Err(Error::BranchStartsWithDash {
            name: String::from_utf8_lossy(short_name).into_owned(),
        });
    }
    if short_name == b"HEAD" {
        return Err(Error::BranchIsHead);
    }
    let mut full_name = Vec::with_capacity(LOCAL_BRANCH_PREFIX.len() + short_name.len());
    full_name.extend_from_slice(LOCAL_BRANCH_PREFIX);
    full_name.extend_from_slice(short_name);
    check(&full_name, Options::default())
}

/// Whether [`check_branch_name`] accepts `short_name`.
pub fn is_valid_branch_name(short_name: &[u8]) -> bool {
    check_branch_name(short_name).is_ok()
}

/// The namespace of local branches.
pub const LOCAL_BRANCH_PREFIX: &[u8] = b"refs/heads/";
/// The namespace of tags.
pub const TAG_PREFIX: &[u8] = b"refs/tags/";
/// The namespace of remote-tracking branches.
pub const REMOTE_BRANCH_PREFIX: &[u8] = b"refs/remotes/";
/// The namespace of notes.
pub const NOTE_PREFIX: &[u8] = b"refs/notes/";

/// The kind of ref a full name denotes, by its namespace (`Documentation/gitrepository-layout`).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub enum Category {
    /// `refs/heads/<branch>`.
    LocalBranch,
    /// `refs/tags/<tag>`.
    Tag,
    /// `refs/remotes/<remote>/<branch>`.
    RemoteBranch,
    /// `refs/notes/<name>`.
    Note,
    /// Any other name under `refs/` (`refs/stash`, `refs/bisect/…`, `refs/pull/…`).
    OtherRef,
    /// A name outside `refs/`, such as `HEAD`, `FETCH_HEAD` or `ORIG_HEAD`.
    Pseudo,
}

impl Category {
    /// The category of `full_name`.
    pub fn of(full_name: &[u8]) -> Category {
        classify(full_name).0
    }

    /// The prefix that names of this category start with, if there is one.
    pub fn prefix(self) -> Option<&'static [u8]> {
        match self {
            Category::LocalBranch => Some(LOCAL_BRANCH_PREFIX),
            Category::Tag => Some(TAG_PREFIX),
            Category::RemoteBranch => Some(REMOTE_BRANCH_PREFIX),
            Category::Note => Some(NOTE_PREFIX),
            Category::OtherRef => Some(b"refs/"),
            Category::Pseudo => None,
        }
    }
}

/// Split `full_name` into its category and the rest of the name after the category's prefix.
///
/// `refs/heads/main` is `(LocalBranch, "main")`, `refs/remotes/origin/main` is
/// `(RemoteBranch, "origin/main")`, `refs/stash` is `(OtherRef, "stash")` and `HEAD` is
/// `(Pseudo, "HEAD")`.
pub fn classify(full_name: &[u8]) -> (Category, &[u8]) {
    for category in [
        Category::LocalBranch,
        Category::Tag,
        Category::RemoteBranch,
        Category::Note,
        Category::OtherRef,
    ] {
        if let Some(rest) = category
            .prefix()
            .and_then(|prefix| full_name.strip_prefix(prefix))
        {
            return (category, rest);
        }
    }
    (Category::Pseudo, full_name)
}

/// One of git's rules for turning a short name into a full one: `prefix` + short + `suffix`.
struct Rule {
    prefix: &'static [u8],
    suffix: &'static [u8],
}

/// `refs.c` `ref_rev_parse_rules`, in git's order of preference.
const REV_PARSE_RULES: [Rule; 6] = [
    Rule {
        prefix: b"",
        suffix: b"",
    },
    Rule {
        prefix: b"refs/",
        suffix: b"",
    },
    Rule {
        prefix: b"refs/tags/",
        suffix: b"",
    },
    Rule {
        prefix: b"refs/heads/",
        suffix: b"",
    },
    Rule {
        prefix: b"refs/remotes/",
        suffix: b"",
    },
    Rule {
        prefix: b"refs/remotes/",
        suffix: b"/HEAD",
    },
];

impl Rule {
    fn apply(&self, short_name: &[u8]) -> Vec<u8> {
        let mut full_name =
            Vec::with_capacity(self.prefix.len() + short_name.len() + self.suffix.len());
        full_name.extend_from_slice(self.prefix);
        full_name.extend_from_slice(short_name);
        full_name.extend_from_slice(self.suffix);
        full_name
    }

    /// `refs.c` `match_parse_rule`: the short name this rule would expand to `full_name`.
    fn short_name<'a>(&self, full_name: &'a [u8]) -> Option<&'a [u8]> {
        full_name
            .strip_prefix(self.prefix)?
            .strip_suffix(self.suffix)
    }
}

/// The full names git tries, in order, for a short name such as `main` (`refs.c`
/// `ref_rev_parse_rules`): `<name>`, `refs/<name>`, `refs/tags/<name>`, `refs/heads/<name>`,
/// `refs/remotes/<name>` and `refs/remotes/<name>/HEAD`.
pub fn expand(short_name: &[u8]) -> Vec<Vec<u8>> {
    REV_PARSE_RULES
        .iter()
        .map(|rule| rule.apply(short_name))
        .collect()
}

/// The outcome of [`resolve_short_name`].
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Resolved {
    /// The first existing expansion, in the order of [`expand`].
    pub full_name: Vec<u8>,
    /// Whether another expansion exists too, which git reports as "refname is ambiguous".
    pub ambiguous: bool,
}

/// Resolve a short name to the full name of an existing ref, as `git rev-parse <name>` does for ref
/// names (`refs.c` `repo_dwim_ref`): the first expansion of [`expand`] for which `ref_exists`
/// returns true.
///
/// * `ref_exists` says whether a full name exists; symbolic refs count if their target exists.
pub fn resolve_short_name(
    short_name: &[u8],
    mut ref_exists: impl FnMut(&[u8]) -> bool,
) -> Option<Resolved> {
    let mut found = expand(short_name)
        .into_iter()
        .filter(|full_name| ref_exists(full_name));
    let full_name = found.next()?;
    Some(Resolved {
        full_name,
        ambiguous: found.next().is_some(),
    })
}

/// Whether `short_name` expands to `full_name` under one of git's rules (`refs.c` `refname_match`),
/// as when a refspec source `main` matches the advertised `refs/heads/main`.
pub fn matches_short_name(short_name: &[u8], full_name: &[u8]) -> bool {
    REV_PARSE_RULES
        .iter()
        .any(|rule| rule.short_name(full_name) == Some(short_name))
}

/// Shorten a full name as `git for-each-ref --format=%(refname:short)` and
/// `git rev-parse --abbrev-ref` do (`refs.c` `refs_shorten_unambiguous_ref`).
///
/// The rules of [`expand`] are tried from the last to the second; the first that matches gives a
/// short name unless that short name would also resolve to another existing ref, in which case a
/// longer form is tried (`heads/main` when a tag `main` exists). Names no rule matches, such as
/// `HEAD`, are returned unchanged.
///
/// * `strict` checks every other rule for ambiguity, not only the earlier ones; git is strict when
///   `core.warnAmbiguousRefs` is on, which is its default.
/// * `ref_exists` says whether a full name exists.
pub fn shorten(full_name: &[u8], strict: bool, mut ref_exists: impl FnMut(&[u8]) -> bool) -> &[u8] {
    for (rule_idx, rule) in REV_PARSE_RULES.iter().enumerate().skip(1).rev() {
        let Some(short_name) = rule.short_name(full_name) else {
            continue;
        };
        let n_rules_to_fail = if strict {
            REV_PARSE_RULES.len()
        } else {
            rule_idx
        };
        let ambiguous = REV_PARSE_RULES[..n_rules_to_fail]
            .iter()
            .enumerate()
            .filter(|(other_idx, _)| *other_idx != rule_idx)
            .any(|(_, other)| ref_exists(&other.apply(short_name)));
        if !ambiguous {
            return short_name;
        }
    }
    full_name
}

/// The short name of `full_name` when no other ref makes it ambiguous: `refs/heads/main` is
/// `main`, `refs/remotes/origin/HEAD` is `origin`, `refs/stash` is `stash`, `HEAD` stays `HEAD`.
pub fn short_name(full_name: &[u8]) -> &[u8] {
    shorten(full_name, true, |_| false)
}
