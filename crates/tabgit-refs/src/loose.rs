//! Loose ref files such as `.git/HEAD` and `.git/refs/heads/main`
//! (`Documentation/gitrepository-layout.adoc` "refs", git's `refs/files-backend.c`
//! `parse_loose_ref_contents`):
//!
//! ```text
//! direct   = 40*HEXDIG [ WS *OCTET ]        ; git writes "<hex>\n"
//! symbolic = "ref:" *WS refname *WS         ; git writes "ref: <refname>\n"
//! WS       = SP / HTAB / CR / LF
//! ```
//!
//! Like git, reading strips trailing whitespace, tolerates a missing final newline and ignores
//! anything after whitespace behind the object id (`FETCH_HEAD` has more data there).

use tabgit_hash::{ObjectId, HEX_LEN};

use crate::name;

/// Why a loose ref file could not be read or written.
#[derive(Debug, thiserror::Error, PartialEq, Eq, Clone)]
pub enum Error {
    /// The file is empty or only whitespace.
    #[error("loose ref file is empty")]
    Empty,
    /// The content is neither an object id nor `ref: <name>`.
    #[error("loose ref content {content:?} is neither 40 hex digits nor \"ref: <refname>\"")]
    Malformed {
        /// The first bytes of the content, lossily decoded.
        content: String,
    },
    /// A symbolic ref points at something that is not a valid ref name.
    #[error("symbolic ref target {target:?} is not a valid ref name")]
    InvalidSymbolicTarget {
        /// The target, lossily decoded.
        target: String,
        /// Why the name is refused.
        #[source]
        source: name::Error,
    },
}

/// What a ref points at: an object, or another ref by name.
#[derive(Clone, PartialEq, Eq, Debug, Hash)]
pub enum Target {
    /// A direct ref: the id of the object it points at.
    Object(ObjectId),
    /// A symbolic ref: the full name of the ref it points at, such as `refs/heads/main`.
    Symbolic(Vec<u8>),
}

/// Access
impl Target {
    /// The object id of a direct ref.
    pub fn object_id(&self) -> Option<ObjectId> {
        match self {
            Target::Object(object_id) => Some(*object_id),
            Target::Symbolic(_) => None,
        }
    }

    /// The target name of a symbolic ref.
    pub fn symbolic_target(&self) -> Option<&[u8]> {
        match self {
            Target::Object(_) => None,
            Target::Symbolic(target) => Some(target),
        }
    }
}

/// Parse the content of a loose ref file.
///
/// A symbolic target must be a valid ref name (one-level names such as `HEAD` included), which is
/// when git resolves it; git reports other targets as broken refs.
pub fn decode(content: &[u8]) -> Result<Target, Error> {
    let content = trim_end(content);
    if content.is_empty() {
        return Err(Error::Empty);
    }
    if let Some(rest) = content.strip_prefix(b"ref:") {
        let target = trim_start(rest);
        name::check(
            target,
            name::Options {
                allow_onelevel: true,
                refspec_pattern: false,
            },
        )
        .map_err(|source| Error::InvalidSymbolicTarget {
            target: String::from_utf8_lossy(target).into_owned(),
            source,
        })?;
        return Ok(Target::Symbolic(target.to_vec()));
    }
    let malformed = || Error::Malformed {
        content: String::from_utf8_lossy(&content[..content.len().min(64)]).into_owned(),
    };
    let hex = content.get(..HEX_LEN).ok_or_else(malformed)?;
    match content.get(HEX_LEN) {
        None => {}
        Some(&byte) if is_space(byte) => {}
        Some(_) => return Err(malformed()),
    }
    ObjectId::from_hex(hex)
        .map(Target::Object)
        .map_err(|_| malformed())
}

/// Serialize `target` as git writes a loose ref file: `<hex>\n` or `ref: <name>\n`.
pub fn encode(target: &Target) -> Result<Vec<u8>, Error> {
    match target {
        Target::Object(object_id) => {
            let mut out = object_id.to_hex().into_bytes();
            out.push(b'\n');
            Ok(out)
        }
        Target::Symbolic(name) => {
            name::check(
                name,
                name::Options {
                    allow_onelevel: true,
                    refspec_pattern: false,
                },
            )
            .map_err(|source| Error::InvalidSymbolicTarget {
                target: String::from_utf8_lossy(name).into_owned(),
                source,
            })?;
            let mut out = Vec::with_capacity(name.len() + 6);
            out.extend_from_slice(b"ref: ");
            out.extend_from_slice(name);
            out.push(b'\n');
            Ok(out)
        }
    }
}

/// git's `isspace`: space, tab, line feed and carriage return (`git-compat-util.h` `sane_ctype`).
fn is_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | b'\r')
}

fn trim_end(mut bytes: &[u8]) -> &[u8] {
    while let [rest @ .., last] = bytes {
        if !is_space(*last) {
            break;
        }
        bytes = rest;
    }
    bytes
}

fn trim_start(mut bytes: &[u8]) -> &[u8] {
    while let [first, rest @ ..] = bytes {
        if !is_space(*first) {
            break;
        }
        bytes = rest;
    }
    bytes
}
