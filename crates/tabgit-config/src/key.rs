//! Config variable names: `section.key` and `section.subsection.key`, as `git config` takes them
//! (`Documentation/git-config.adoc` "CONFIGURATION FILE", git's `config.c`
//! `git_config_parse_key`).
//!
//! ```text
//! name       = section [ "." subsection ] "." key
//! section    = 1*( ALNUM / "-" )            ; case-insensitive
//! subsection = *( any byte but LF and NUL ) ; case-sensitive, may contain "."
//! key        = ALPHA *( ALNUM / "-" )       ; case-insensitive
//! ```
//!
//! The section is everything before the first dot and the key everything after the last one.
//! When writing, a CR in a subsection is refused as well: a name must never read back differently
//! (`RELIABILITY.md` row 18).

use crate::parse::is_key_char;

/// Why a section, subsection or key name is refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq, Clone)]
pub enum Error {
    /// The full name has no dot separating a section from a key.
    #[error("config name {name:?} has no section; write section.key")]
    NoSection {
        /// The name, lossily decoded.
        name: String,
    },
    /// The section name is empty or has a character other than a letter, digit or `-`.
    #[error("config section name {section:?} may only contain letters, digits and \"-\"")]
    InvalidSection {
        /// The section name, lossily decoded.
        section: String,
    },
    /// The subsection contains a line break or NUL, which cannot be written back.
    #[error(
        "config subsection {subsection:?} contains the byte {byte:#04x}, which cannot be written"
    )]
    InvalidSubsection {
        /// The subsection, lossily decoded.
        subsection: String,
        /// The offending byte: LF, CR or NUL.
        byte: u8,
    },
    /// The key is empty, does not start with a letter, or has a character other than a letter,
    /// digit or `-`.
    #[error(
        "config key {key:?} must start with a letter and contain only letters, digits and \"-\""
    )]
    InvalidKey {
        /// The key, lossily decoded.
        key: String,
    },
}

/// A variable name split into its parts, borrowing from the name it was parsed from.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub struct KeyRef<'a> {
    /// The section, as written (compared case-insensitively).
    pub section: &'a str,
    /// The subsection, as written (compared case-sensitively).
    pub subsection: Option<&'a [u8]>,
    /// The key, as written (compared case-insensitively).
    pub key: &'a str,
}

/// Lifecycle
impl<'a> KeyRef<'a> {
    /// Parse a full name such as `remote.origin.url` as `git config` does.
    pub fn parse(name: &'a [u8]) -> Result<Self, Error> {
        let no_section = || Error::NoSection {
            name: String::from_utf8_lossy(name).into_owned(),
        };
        let first_dot = name
            .iter()
            .position(|&b| b == b'.')
            .ok_or_else(no_section)?;
        let last_dot = name
            .iter()
            .rposition(|&b| b == b'.')
            .ok_or_else(no_section)?;
        if last_dot == 0 {
            return Err(no_section());
        }
        let section = validate_section(&name[..first_dot])?;
        let subsection = (first_dot != last_dot).then(|| &name[first_dot + 1..last_dot]);
        if let Some(subsection) = subsection {
            validate_subsection(subsection)?;
        }
        let key = validate_key(&name[last_dot + 1..])?;
        Ok(KeyRef {
            section,
            subsection,
            key,
        })
    }

    /// Validate already separated parts.
    pub fn new(
        section: &'a str,
        subsection: Option<&'a [u8]>,
        key: &'a str,
    ) -> Result<Self, Error> {
        validate_section(section.as_bytes())?;
        if let Some(subsection) = subsection {
            validate_subsection(subsection)?;
        }
        validate_key(key.as_bytes())?;
        Ok(KeyRef {
            section,
            subsection,
            key,
        })
    }
}

/// Access
impl KeyRef<'_> {
    /// The name git compares with: lowercased section, the subsection as is, lowercased key.
    pub fn canonical(&self) -> Vec<u8> {
        let mut out = canonical_base(self.section, self.subsection);
        out.push(b'.');
        out.extend(self.key.bytes().map(|b| b.to_ascii_lowercase()));
        out
    }
}

/// The variable prefix git compares section headers with: the lowercased section, then `.` and
/// the subsection as written.
pub(crate) fn canonical_base(section: &str, subsection: Option<&[u8]>) -> Vec<u8> {
    let mut out: Vec<u8> = section.bytes().map(|b| b.to_ascii_lowercase()).collect();
    if let Some(subsection) = subsection {
        out.push(b'.');
        out.extend_from_slice(subsection);
    }
    out
}

fn validate_section(section: &[u8]) -> Result<&str, Error> {
    let invalid = || Error::InvalidSection {
        section: String::from_utf8_lossy(section).into_owned(),
    };
    if section.is_empty() || !section.iter().all(|&b| is_key_char(b)) {
        return Err(invalid());
    }
    std::str::from_utf8(section).map_err(|_| invalid())
}

pub(crate) fn validate_subsection(subsection: &[u8]) -> Result<(), Error> {
    match subsection.iter().find(|&&b| matches!(b, b'\n' | b'\r' | 0)) {
        Some(&byte) => Err(Error::InvalidSubsection {
            subsection: String::from_utf8_lossy(subsection).into_owned(),
            byte,
        }),
        None => Ok(()),
    }
}

fn validate_key(key: &[u8]) -> Result<&str, Error> {
    let invalid = || Error::InvalidKey {
        key: String::from_utf8_lossy(key).into_owned(),
    };
    match key.first() {
        Some(first) if first.is_ascii_alphabetic() && key.iter().all(|&b| is_key_char(b)) => {
            std::str::from_utf8(key).map_err(|_| invalid())
        }
        _ => Err(invalid()),
    }
}
