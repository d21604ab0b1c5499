//! Refspecs, which map the refs of one repository to those of another (`Documentation/git-fetch.adoc`
//! and `git-push.adoc` `<refspec>`, `Documentation/gitglossary.adoc` "refspec"; git's `refspec.c`
//! `parse_refspec` and `match_refname_with_pattern`):
//!
//! ```text
//! refspec  = [ "+" ] src [ ":" dst ]    ; "+" forces non-fast-forward updates
//!          / "^" src                    ; negative: exclude matching refs
//!          / [ "+" ] ":"                ; push only: all "matching" branches
//! ```
//!
//! The last `:` separates the sides. A side with `*` is a pattern; then both sides (if there are
//! two) must be patterns, and the `*` of the source matches any text, which replaces the `*` of
//! the destination: `+refs/heads/*:refs/remotes/origin/*` maps `refs/heads/main` to
//! `refs/remotes/origin/main`. A source of `@` means `HEAD`.

use tabgit_hash::{ObjectId, HEX_LEN};

use crate::name;

/// Why a refspec is refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq, Clone)]
pub enum Error {
    /// The refspec contains a NUL byte, which git cannot even represent.
    #[error("refspec {spec:?} contains a NUL byte")]
    Nul {
        /// The refspec, lossily decoded.
        spec: String,
    },
    /// A negative refspec (`^src`) has a destination.
    #[error("negative refspec {spec:?} has a destination; write it as ^<ref> only")]
    NegativeWithDestination {
        /// The refspec, lossily decoded.
        spec: String,
    },
    /// A negative refspec is empty.
    #[error("negative refspec {spec:?} names no ref")]
    NegativeEmpty {
        /// The refspec, lossily decoded.
        spec: String,
    },
    /// A negative refspec names an object id, which git does not support.
    #[error(
        "negative refspec {spec:?} names an object id; only refs and patterns can be excluded"
    )]
    NegativeObjectId {
        /// The refspec, lossily decoded.
        spec: String,
    },
    /// One side is a pattern and the other is not.
    #[error("refspec {spec:?} has a \"*\" on one side only; use it on both sides or neither")]
    PatternMismatch {
        /// The refspec, lossily decoded.
        spec: String,
    },
    /// A fetch refspec pattern has no destination.
    #[error("fetch refspec pattern {spec:?} needs a destination such as refs/remotes/<remote>/*")]
    FetchPatternWithoutDestination {
        /// The refspec, lossily decoded.
        spec: String,
    },
    /// A push refspec has an empty destination (`src:`).
    #[error("push refspec {spec:?} has an empty destination")]
    EmptyPushDestination {
        /// The refspec, lossily decoded.
        spec: String,
    },
    /// The source is not a valid ref name (or pattern).
    #[error("refspec {spec:?} has an invalid source")]
    InvalidSource {
        /// The refspec, lossily decoded.
        spec: String,
        /// Why the source is refused.
        #[source]
        source: name::Error,
    },
    /// The destination is not a valid ref name (or pattern).
    #[error("refspec {spec:?} has an invalid destination")]
    InvalidDestination {
        /// The refspec, lossily decoded.
        spec: String,
        /// Why the destination is refused.
        #[source]
        source: name::Error,
    },
}

/// Which command a refspec is for; the validation rules differ.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub enum Operation {
    /// `git fetch` and `remote.<name>.fetch`.
    Fetch,
    /// `git push` and `remote.<name>.push`.
    Push,
}

/// The three shapes of refspec.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash, Default)]
pub enum Kind {
    /// `[+]src[:dst]`: map the source to the destination.
    #[default]
    Normal,
    /// `^src`: refs matching the source are excluded from the other refspecs.
    Negative,
    /// The push refspec `:` (or `+:`): push every branch that exists on both sides.
    Matching,
}

/// A parsed refspec.
#[derive(Clone, PartialEq, Eq, Debug, Hash, Default)]
pub struct RefSpec {
    /// Which shape of refspec this is.
    pub kind: Kind,
    /// `+`: update the destination even if it is not a fast-forward.
    pub force: bool,
    /// Both sides (or the only side) contain one `*`.
    pub pattern: bool,
    /// The source side; `@` is stored as `HEAD`. Empty means `HEAD` for fetch and deletion for push.
    pub source: Vec<u8>,
    /// The destination side, if the refspec has a `:`. Empty means "do not store" for fetch.
    pub destination: Option<Vec<u8>>,
}

/// Lifecycle
impl RefSpec {
    /// Parse and validate a refspec for `operation` as git does (`refspec.c` `parse_refspec`).
    ///
    /// For fetch, the source must be empty, a full object id or a valid ref name, and the
    /// destination missing, empty or a valid ref name. For push, the source may be any revision
    /// expression (`HEAD~1`, an object id) unless it is a pattern, and the destination must be a
    /// valid ref name; without a destination the source must be one. One-level names are allowed.
    pub fn parse(spec: &[u8], operation: Operation) -> Result<Self, Error> {
        let owned_spec = || String::from_utf8_lossy(spec).into_owned();
        if spec.contains(&0) {
            return Err(Error::Nul { spec: owned_spec() });
        }
        let fetch = operation == Operation::Fetch;
        let mut item = RefSpec::default();
        let mut lhs = spec;
        if let Some(rest) = lhs.strip_prefix(b"+") {
            item.force = true;
            lhs = rest;
        } else if let Some(rest) = lhs.strip_prefix(b"^") {
            item.kind = Kind::Negative;
            lhs = rest;
        }
        let colon = lhs.iter().rposition(|&b| b == b':');
        let negative = item.kind == Kind::Negative;
        if negative && colon.is_some() {
            return Err(Error::NegativeWithDestination { spec: owned_spec() });
        }
        if !fetch && lhs == b":" {
            item.kind = Kind::Matching;
            return Ok(item);
        }
        let (source, destination) = match colon {
            Some(colon) => (&lhs[..colon], Some(&lhs[colon + 1..])),
            None => (lhs, None),
        };
        let destination_is_glob = destination.is_some_and(|dst| dst.contains(&b'*'));
        let pattern = if source.contains(&b'*') {
            if destination.is_some() && !destination_is_glob {
                return Err(Error::PatternMismatch { spec: owned_spec() });
            }
            if destination.is_none() && !negative && fetch {
                return Err(Error::FetchPatternWithoutDestination { spec: owned_spec() });
            }
            true
        } else if destination_is_glob {
            return Err(Error::PatternMismatch { spec: owned_spec() });
        } else {
            false
        };
        item.pattern = pattern;
        item.source = if source == b"@" {
            b"HEAD".to_vec()
        } else {
            source.to_vec()
        };
        item.destination = destination.map(<[u8]>::to_vec);
        let options = name::Options {
            allow_onelevel: true,
            refspec_pattern: pattern,
        };
        let check_source = |name: &[u8]| {
            name::check(name, options).map_err(|source| Error::InvalidSource {
                spec: owned_spec(),
                source,
            })
        };
        let check_destination = |name: &[u8]| {
            name::check(name, options).map_err(|source| Error::InvalidDestination {
                spec: owned_spec(),
                source,
            })
        };
        let is_object_id = |name: &[u8]| name.len() == HEX_LEN && ObjectId::from_hex(name).is_ok();

        if negative {
            if item.source.is_empty() {
                return Err(Error::NegativeEmpty { spec: owned_spec() });
            }
            if is_object_id(&item.source) {
                return Err(Error::NegativeObjectId { spec: owned_spec() });
            }
            check_source(&item.source)?;
            return Ok(item);
        }
        if fetch {
            // An empty source means HEAD, and a full object id fetches that object.
            if !item.source.is_empty() && !is_object_id(&item.source) {
                check_source(&item.source)?;
            }
            match &item.destination {
                Some(destination) if !destination.is_empty() => check_destination(destination)?,
                _ => {}
            }
        } else {
            if pattern && !item.source.is_empty() {
                check_source(&item.source)?;
            }
            match &item.destination {
                None => check_source(&item.source)?,
                Some(destination) if destination.is_empty() => {
                    return Err(Error::EmptyPushDestination { spec: owned_spec() })
                }
                Some(destination) => check_destination(destination)?,
            }
        }
        Ok(item)
    }
}

/// Access
impl RefSpec {
    /// Whether the source is a full object id rather than a ref name.
    pub fn source_is_object_id(&self) -> bool {
        self.source.len() == HEX_LEN && ObjectId::from_hex(&self.source).is_ok()
    }

    /// Whether `full_name` matches the source side: the pattern, or the exact name
    /// (`refspec.c` `refspec_match`).
    pub fn matches_source(&self, full_name: &[u8]) -> bool {
        if self.pattern {
            match_pattern(&self.source, full_name, None).is_some()
        } else {
            self.source == full_name
        }
    }

    /// The destination `source_name` maps to, if this refspec maps it (`refspec.c`
    /// `refspec_find_match`): negative refspecs and refspecs without a destination map nothing.
    pub fn map_source(&self, source_name: &[u8]) -> Option<Vec<u8>> {
        let destination = self
            .destination
            .as_deref()
            .filter(|_| self.kind == Kind::Normal)?;
        if self.pattern {
            match_pattern(&self.source, source_name, Some(destination))
        } else {
            (self.source == source_name).then(|| destination.to_vec())
        }
    }

    /// The source that maps to `destination_name`: the reverse of [`RefSpec::map_source`], as used
    /// to find which remote branch a remote-tracking branch tracks.
    pub fn map_destination(&self, destination_name: &[u8]) -> Option<Vec<u8>> {
        let destination = self
            .destination
            .as_deref()
            .filter(|_| self.kind == Kind::Normal)?;
        if self.pattern {
            match_pattern(destination, destination_name, Some(&self.source))
        } else {
            (destination == destination_name).then(|| self.source.clone())
        }
    }
}

/// Conversion
impl RefSpec {
    /// The refspec as text, such as `+refs/heads/*:refs/remotes/origin/*`.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(
            2 + self.source.len() + self.destination.as_ref().map_or(0, Vec::len),
        );
        if self.force {
            out.push(b'+');
        }
        match self.kind {
            Kind::Matching => {
                out.push(b':');
                return out;
            }
            Kind::Negative => out.push(b'^'),
            Kind::Normal => {}
        }
        out.extend_from_slice(&self.source);
        if let Some(destination) = &self.destination {
            out.push(b':');
            out.extend_from_slice(destination);
        }
        out
    }
}

/// Whether a negative refspec in `specs` excludes `full_name` (`refspec.c`
/// `refname_matches_negative_refspec_item`).
pub fn is_excluded(specs: &[RefSpec], full_name: &[u8]) -> bool {
    specs
        .iter()
        .any(|spec| spec.kind == Kind::Negative && spec.matches_source(full_name))
}

/// A source name mapped by a list of refspecs.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Mapping {
    /// The destination name.
    pub destination: Vec<u8>,
    /// Whether the refspec that mapped it forces the update.
    pub force: bool,
}

/// Map `source_name` through `specs` as `git fetch` does for configured refspecs: nothing if a
/// negative refspec excludes it, otherwise the destination of the first refspec that maps it.
pub fn map_source(specs: &[RefSpec], source_name: &[u8]) -> Option<Mapping> {
    if is_excluded(specs, source_name) {
        return None;
    }
    specs.iter().find_map(|spec| {
        spec.map_source(source_name).map(|destination| Mapping {
            destination,
            force: spec.force,
        })
    })
}

/// `refspec.c` `match_refname_with_pattern`: if `name` matches `pattern` (text around one `*`),
/// the text `*` matched, substituted into `replacement`'s `*` (or the name itself without one).
fn match_pattern(pattern: &[u8], name: &[u8], replacement: Option<&[u8]>) -> Option<Vec<u8>> {
    let star = pattern.iter().position(|&b| b == b'*')?;
    let (prefix, suffix) = (&pattern[..star], &pattern[star + 1..]);
    if name.len() < prefix.len() + suffix.len()
        || !name.starts_with(prefix)
        || !name.ends_with(suffix)
    {
        return None;
    }
    let matched = &name[prefix.len()..name.len() - suffix.len()];
    let Some(replacement) = replacement else {
        return Some(name.to_vec());
    };
    let Some(replacement_star) = replacement.iter().position(|&b| b == b'*') else {
        return Some(replacement.to_vec());
    };
    let mut out = Vec::with_capacity(replacement.len() + matched.len());
    out.extend_from_slice(&replacement[..replacement_star]);
    out.extend_from_slice(matched);
    out.extend_from_slice(&replacement[replacement_star + 1..]);
    Some(out)
}
