use std::fmt;

use crate::{HEX_LEN, LEN};

/// Errors of parsing an object id from hexadecimal text.
pub mod decode {
    /// The reason a hexadecimal object id could not be parsed.
    #[derive(Debug, thiserror::Error, PartialEq, Eq)]
    pub enum Error {
        /// The text did not have exactly 40 characters.
        #[error("an object id has 40 hexadecimal characters, got {len}")]
        InvalidLength {
            /// The length of the text that was given.
            len: usize,
        },
        /// A character was not `0-9`, `a-f` or `A-F`.
        #[error("object id contains a non-hexadecimal character at position {position}")]
        InvalidCharacter {
            /// Zero-based position of the first offending character.
            position: usize,
        },
    }
}

/// The 20-byte SHA-1 name of a git object.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct ObjectId([u8; LEN]);

/// Lifecycle
impl ObjectId {
    /// The all-zero id git uses for "no object" (for example the old value of a ref being created).
    pub const NULL: ObjectId = ObjectId([0; LEN]);

    /// Create an id from its 20 raw bytes.
    pub const fn from_bytes(bytes: [u8; LEN]) -> Self {
        ObjectId(bytes)
    }

    /// Create an id from a slice that must be exactly 20 bytes long, or `None`.
    pub fn from_slice(bytes: &[u8]) -> Option<Self> {
        Some(ObjectId(bytes.try_into().ok()?))
    }

    /// Parse 40 hexadecimal characters (either case).
    pub fn from_hex(hex: &[u8]) -> Result<Self, decode::Error> {
        if hex.len() != HEX_LEN {
            return Err(decode::Error::InvalidLength { len: hex.len() });
        }
        let mut out = [0u8; LEN];
        for (idx, pair) in hex.chunks_exact(2).enumerate() {
            let high =
                hex_value(pair[0]).ok_or(decode::Error::InvalidCharacter { position: idx * 2 })?;
            let low = hex_value(pair[1]).ok_or(decode::Error::InvalidCharacter {
                position: idx * 2 + 1,
            })?;
            out[idx] = (high << 4) | low;
        }
        Ok(ObjectId(out))
    }
}

/// Access
impl ObjectId {
    /// The raw 20 bytes.
    pub fn as_bytes(&self) -> &[u8; LEN] {
        &self.0
    }

    /// Whether this is the all-zero [`ObjectId::NULL`].
    pub fn is_null(&self) -> bool {
        self.0 == [0; LEN]
    }

    /// The first byte, used as the fan-out index of pack indexes and as the loose object directory.
    pub fn first_byte(&self) -> u8 {
        self.0[0]
    }

    /// Lower-case hexadecimal text, as git prints ids.
    pub fn to_hex(&self) -> String {
        let mut buf = [0u8; HEX_LEN];
        self.write_hex(&mut buf);
        buf.iter().map(|&b| b as char).collect()
    }

    /// Write the lower-case hexadecimal form into `buf`.
    pub fn write_hex(&self, buf: &mut [u8; HEX_LEN]) {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        for (idx, byte) in self.0.iter().enumerate() {
            buf[idx * 2] = DIGITS[usize::from(byte >> 4)];
            buf[idx * 2 + 1] = DIGITS[usize::from(byte & 0xf)];
        }
    }

    /// The first `len` hexadecimal characters (at most 40), as `git rev-parse --short` prints them.
    pub fn to_hex_short(&self, len: usize) -> String {
        let mut hex = self.to_hex();
        hex.truncate(len.min(HEX_LEN));
        hex
    }
}

fn hex_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

pub(crate) fn hex_digit(c: u8) -> Option<u8> {
    hex_value(c)
}

impl fmt::Display for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut buf = [0u8; HEX_LEN];
        self.write_hex(&mut buf);
        f.write_str(std::str::from_utf8(&buf).expect("hex digits are ASCII"))
    }
}

impl fmt::Debug for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ObjectId({self})")
    }
}

impl std::str::FromStr for ObjectId {
    type Err = decode::Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ObjectId::from_hex(s.as_bytes())
    }
}

impl AsRef<[u8]> for ObjectId {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}
