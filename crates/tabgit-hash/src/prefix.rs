//! Abbreviated object ids, as a user types them (`git rev-parse 1a2b3c`).

use crate::{oid::hex_digit, ObjectId, HEX_LEN, LEN};

/// The reason an abbreviated id could not be parsed.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Error {
    /// Fewer than 4 or more than 40 characters.
    #[error("an abbreviated object id has 4 to 40 hexadecimal characters, got {len}")]
    InvalidLength {
        /// The length of the text that was given.
        len: usize,
    },
    /// A character was not hexadecimal.
    #[error("abbreviated object id contains a non-hexadecimal character at position {position}")]
    InvalidCharacter {
        /// Zero-based position of the first offending character.
        position: usize,
    },
}

/// The first 4 to 40 hexadecimal digits of an object id.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Prefix {
    bytes: ObjectId,
    hex_len: usize,
}

impl Prefix {
    /// The shortest abbreviation git accepts.
    pub const MIN_HEX_LEN: usize = 4;

    /// Parse an abbreviated id of 4 to 40 hexadecimal characters.
    pub fn from_hex(hex: &[u8]) -> Result<Self, Error> {
        if !(Self::MIN_HEX_LEN..=HEX_LEN).contains(&hex.len()) {
            return Err(Error::InvalidLength { len: hex.len() });
        }
        let mut out = [0u8; LEN];
        for (position, &c) in hex.iter().enumerate() {
            let value = hex_digit(c).ok_or(Error::InvalidCharacter { position })?;
            out[position / 2] |= if position.is_multiple_of(2) {
                value << 4
            } else {
                value
            };
        }
        Ok(Prefix {
            bytes: ObjectId::from_bytes(out),
            hex_len: hex.len(),
        })
    }

    /// Number of hexadecimal digits in the prefix.
    pub fn hex_len(&self) -> usize {
        self.hex_len
    }

    /// The prefix padded with zeros: the smallest id it matches.
    pub fn min_id(&self) -> ObjectId {
        self.bytes
    }

    /// Whether `id` starts with this prefix.
    pub fn matches(&self, id: &ObjectId) -> bool {
        let full = self.hex_len / 2;
        let prefix = self.bytes.as_bytes();
        if id.as_bytes()[..full] != prefix[..full] {
            return false;
        }
        self.hex_len.is_multiple_of(2) || (id.as_bytes()[full] & 0xf0) == prefix[full]
    }
}
