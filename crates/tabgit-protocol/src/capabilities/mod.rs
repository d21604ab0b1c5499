//! The protocol v0/v1 capability list: behind the NUL of the first advertised ref, and behind
//! the first `want` or push command of a request.
//!
//! From `gitprotocol-pack` ("Reference Discovery") and `gitprotocol-capabilities`:
//!
//! ```text
//! capability-list  =  capability *(SP capability)
//! capability       =  1*(LC_ALPHA / DIGIT / "-" / "_") ["=" value]
//! ```
//!
//! Values follow `=`: `agent=git/2.47.3`, `symref=HEAD:refs/heads/main` (which may repeat),
//! `object-format=sha1`, `push-cert=<nonce>`, `session-id=<id>`.
//! Names are checked leniently (any printable ASCII but `=`), since clients "MUST ignore" what
//! they do not understand; control characters and non-ASCII bytes in names are errors.

use crate::sideband;

/// The reason a capability list could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// A capability contains a control character, or its name is empty or not ASCII.
    #[error("invalid capability {capability:?} in the server's capability list")]
    InvalidCapability {
        /// The capability, escaped for display.
        capability: String,
    },
}

/// A parsed v0/v1 capability list, in the server's order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Capabilities {
    entries: Vec<Capability>,
}

/// One capability: a name and an optional value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Capability {
    /// The name, such as `side-band-64k` or `symref`.
    pub name: String,
    /// The bytes after `=`, if there was one.
    pub value: Option<Vec<u8>>,
}

/// Lifecycle
impl Capabilities {
    /// Parse a space-separated capability list; empty items (leading, trailing or doubled
    /// spaces) are skipped.
    pub fn from_bytes(list: &[u8]) -> Result<Self, Error> {
        let mut entries = Vec::new();
        for item in list
            .split(|&byte| byte == b' ')
            .filter(|item| !item.is_empty())
        {
            let invalid = || Error::InvalidCapability {
                capability: crate::escape(item),
            };
            if item.iter().any(|&byte| byte < b' ' || byte == 0x7f) {
                return Err(invalid());
            }
            let (name, value) = match item.iter().position(|&byte| byte == b'=') {
                Some(eq) => (&item[..eq], Some(item[eq + 1..].to_vec())),
                None => (item, None),
            };
            if name.is_empty() || !name.iter().all(u8::is_ascii_graphic) {
                return Err(invalid());
            }
            entries.push(Capability {
                name: String::from_utf8_lossy(name).into_owned(),
                value,
            });
        }
        Ok(Capabilities { entries })
    }
}

/// Access
impl Capabilities {
    /// Every capability in the server's order.
    pub fn iter(&self) -> impl Iterator<Item = &Capability> {
        self.entries.iter()
    }

    /// Whether the list has no capabilities at all.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Whether the capability `name` is present, with or without a value.
    pub fn contains(&self, name: &str) -> bool {
        self.entries
            .iter()
            .any(|capability| capability.name == name)
    }

    /// The value of the first capability `name`, if present with a value.
    pub fn value(&self, name: &str) -> Option<&[u8]> {
        self.entries
            .iter()
            .find(|capability| capability.name == name && capability.value.is_some())
            .and_then(|capability| capability.value.as_deref())
    }

    /// The values of every capability `name`, in order (`symref` may repeat).
    pub fn values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a [u8]> + 'a {
        self.entries
            .iter()
            .filter(move |capability| capability.name == name)
            .filter_map(|capability| capability.value.as_deref())
    }

    /// The server's `agent=` string, sanitized for display.
    pub fn agent(&self) -> Option<String> {
        self.value("agent").map(sideband::sanitize)
    }

    /// The `object-format=` the server uses (the first one given); `None` means SHA-1.
    pub fn object_format(&self) -> Option<&[u8]> {
        self.value("object-format")
    }

    /// Every `symref=<name>:<target>` as `(name, target)`; malformed values are skipped.
    pub fn symrefs(&self) -> impl Iterator<Item = (&[u8], &[u8])> {
        self.values("symref").filter_map(|value| {
            let colon = value.iter().position(|&byte| byte == b':')?;
            Some((&value[..colon], &value[colon + 1..]))
        })
    }

    /// The side-band mode to use: `side-band-64k` if offered, else `side-band`, else none.
    pub fn side_band(&self) -> Option<sideband::Mode> {
        if self.contains("side-band-64k") {
            Some(sideband::Mode::SideBand64k)
        } else if self.contains("side-band") {
            Some(sideband::Mode::SideBand)
        } else {
            None
        }
    }
}
