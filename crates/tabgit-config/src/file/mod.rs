//! A config file that keeps its original text, so that reading is exact and editing preserves
//! comments and layout (`Documentation/git-config.adoc`; git's `config.c`).

mod access;
mod mutate;

use crate::{key, parse, value};

/// Why an edit was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq, Clone)]
pub enum Error {
    /// A section, subsection or key name cannot be written.
    #[error(transparent)]
    Name(#[from] key::Error),
    /// A value cannot be written.
    #[error(transparent)]
    Value(#[from] value::Error),
    /// The edited text would not parse; nothing was changed.
    #[error("the edited config would not parse; nothing was changed")]
    WouldNotParse(#[source] parse::Error),
    /// The edited text would not read back the value that was set; nothing was changed.
    #[error("the edited config would not read back {key:?} as the value that was set; nothing was changed")]
    WouldNotReadBack {
        /// The variable, as `section.subsection.key`.
        key: String,
    },
}

/// A parsed config file, with its original text.
///
/// Reading follows git: names of sections and keys are case-insensitive, subsections are
/// case-sensitive, and the last value of a key wins. Editing follows `git config`: the text outside
/// the edited lines is kept byte for byte.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct File {
    text: Vec<u8>,
    parsed: parse::Parsed,
}

/// A section header of a [`File`].
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct SectionRef<'a> {
    /// The section name, lowercased as git reads it.
    pub name: &'a [u8],
    /// The subsection (lowercased too in the legacy `[section.subsection]` form).
    pub subsection: Option<&'a [u8]>,
    /// The one-based line of the header.
    pub line: usize,
}

/// A key and its value in a [`File`].
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct EntryRef<'a> {
    /// The section name, lowercased; empty for keys before the first section header.
    pub section: &'a [u8],
    /// The subsection.
    pub subsection: Option<&'a [u8]>,
    /// The key, lowercased.
    pub key: &'a [u8],
    /// The decoded value; `None` for a bare key (`[core]\n\tbare`), which means true.
    pub value: Option<&'a [u8]>,
    /// The one-based line where the key starts.
    pub line: usize,
}

/// Lifecycle
impl File {
    /// Parse a config file.
    pub fn from_bytes(text: &[u8]) -> Result<Self, parse::Error> {
        Ok(File {
            text: text.to_vec(),
            parsed: parse::parse(text)?,
        })
    }
}

/// Conversion
impl File {
    /// The text, including every edit.
    pub fn as_bytes(&self) -> &[u8] {
        &self.text
    }

    /// A copy of the text, including every edit.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.text.clone()
    }
}
