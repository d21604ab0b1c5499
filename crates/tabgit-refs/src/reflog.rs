//! Reflog lines, one per ref update, in `.git/logs/HEAD` and `.git/logs/refs/…`
//! (`Documentation/gitrepository-layout.adoc` "logs/refs", git's `refs/files-backend.c`
//! `show_one_reflog_ent` for reading and `log_ref_write_fd` for writing):
//!
//! ```text
//! line     = old-hex SP new-hex SP identity SP seconds SP zone [ HTAB message ] LF
//! identity = name SP "<" email ">"
//! zone     = ( "+" / "-" ) 4DIGIT
//! ```
//!
//! The message is normalized before it is written (`refs.c` `copy_reflog_msg`): whitespace runs
//! become one space and leading and trailing whitespace is dropped, so it never contains a newline.

use tabgit_hash::{ObjectId, HEX_LEN};
use tabgit_object::signature::{self, Signature, SignatureRef};

/// Why a reflog line could not be parsed or written.
#[derive(Debug, thiserror::Error, PartialEq, Eq, Clone)]
pub enum Error {
    /// The last line of a reflog has no newline, so it may have been cut short.
    #[error("reflog line {line} is not terminated by a newline")]
    Unterminated {
        /// One-based line number.
        line: usize,
    },
    /// A field of the line is malformed.
    #[error("reflog line has a malformed {field}: {content:?}")]
    Malformed {
        /// The field: `old id`, `new id`, `identity`, `timestamp`, `time zone` or `message`.
        field: &'static str,
        /// The line, lossily decoded and shortened.
        content: String,
    },
    /// The identity does not parse.
    #[error("reflog identity is malformed")]
    Identity(#[source] signature::Error),
    /// A name or email to be written contains a byte that would break the line.
    #[error("reflog identity {field} contains the forbidden byte {byte:#04x}")]
    ForbiddenIdentityByte {
        /// `name` or `email`.
        field: &'static str,
        /// The first forbidden byte.
        byte: u8,
    },
}

/// A parsed reflog line borrowing its bytes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct LineRef<'a> {
    /// The ref's value before the update (all zeros when it was created).
    pub previous_id: ObjectId,
    /// The ref's value after the update.
    pub new_id: ObjectId,
    /// Who made the update, and when.
    pub signature: SignatureRef<'a>,
    /// Why, such as `commit (initial): first` or `checkout: moving from main to topic`; may be empty.
    pub message: &'a [u8],
}

/// Lifecycle
impl<'a> LineRef<'a> {
    /// Parse one reflog line without its terminating newline.
    pub fn from_bytes(line: &'a [u8]) -> Result<Self, Error> {
        let malformed = |field: &'static str| Error::Malformed {
            field,
            content: String::from_utf8_lossy(&line[..line.len().min(160)]).into_owned(),
        };
        let previous_id = line
            .get(..HEX_LEN)
            .and_then(|hex| ObjectId::from_hex(hex).ok())
            .filter(|_| line.get(HEX_LEN) == Some(&b' '))
            .ok_or_else(|| malformed("old id"))?;
        let new_start = HEX_LEN + 1;
        let new_id = line
            .get(new_start..new_start + HEX_LEN)
            .and_then(|hex| ObjectId::from_hex(hex).ok())
            .filter(|_| line.get(new_start + HEX_LEN) == Some(&b' '))
            .ok_or_else(|| malformed("new id"))?;
        let identity_start = new_start + HEX_LEN + 1;
        let rest = &line[identity_start..];
        let email_end = rest
            .iter()
            .position(|&b| b == b'>')
            .ok_or_else(|| malformed("identity"))?;
        let after_email = &rest[email_end + 1..];
        let seconds = after_email
            .strip_prefix(b" ")
            .ok_or_else(|| malformed("timestamp"))?;
        let n_digits = seconds.iter().take_while(|b| b.is_ascii_digit()).count();
        if n_digits == 0 {
            return Err(malformed("timestamp"));
        }
        let zone = &seconds[n_digits..];
        let zone_ok = zone.len() >= 6
            && zone[0] == b' '
            && matches!(zone[1], b'+' | b'-')
            && zone[2..6].iter().all(u8::is_ascii_digit);
        if !zone_ok {
            return Err(malformed("time zone"));
        }
        let message = match &zone[6..] {
            [] => &[][..],
            [b'\t', message @ ..] => message,
            _ => return Err(malformed("message")),
        };
        let signature_len = email_end + 1 + 1 + n_digits + 6;
        let signature =
            SignatureRef::from_bytes(&rest[..signature_len]).map_err(Error::Identity)?;
        signature.time().map_err(Error::Identity)?;
        Ok(LineRef {
            previous_id,
            new_id,
            signature,
            message,
        })
    }

    /// An owned copy.
    pub fn to_owned(&self) -> Result<Line, Error> {
        Ok(Line {
            previous_id: self.previous_id,
            new_id: self.new_id,
            signature: self.signature.to_owned().map_err(Error::Identity)?,
            message: self.message.to_vec(),
        })
    }
}

/// An owned reflog line.
#[derive(Clone, PartialEq, Eq, Debug, Hash)]
pub struct Line {
    /// The ref's value before the update ([`ObjectId::NULL`] when it was created).
    pub previous_id: ObjectId,
    /// The ref's value after the update.
    pub new_id: ObjectId,
    /// Who made the update, and when.
    pub signature: Signature,
    /// Why; normalized by [`normalize_message`] when written.
    pub message: Vec<u8>,
}

/// Conversion
impl Line {
    /// Append the line, with its newline, as git writes it.
    ///
    /// The message is normalized with [`normalize_message`] and left out, with its tab, when empty.
    /// Names and emails containing `<`, `>`, a line break or NUL are refused: they would make the line
    /// read back differently.
    pub fn write_to(&self, out: &mut Vec<u8>) -> Result<(), Error> {
        for (field, value) in [
            ("name", &self.signature.name),
            ("email", &self.signature.email),
        ] {
            if let Some(&byte) = value
                .iter()
                .find(|&&b| matches!(b, b'<' | b'>' | b'\n' | b'\r' | 0))
            {
                return Err(Error::ForbiddenIdentityByte { field, byte });
            }
        }
        out.extend_from_slice(self.previous_id.to_hex().as_bytes());
        out.push(b' ');
        out.extend_from_slice(self.new_id.to_hex().as_bytes());
        out.push(b' ');
        self.signature.write_to(out);
        let message = normalize_message(&self.message);
        if !message.is_empty() {
            out.push(b'\t');
            out.extend_from_slice(&message);
        }
        out.push(b'\n');
        Ok(())
    }

    /// The line with its newline (see [`Line::write_to`]).
    pub fn to_bytes(&self) -> Result<Vec<u8>, Error> {
        let mut out = Vec::with_capacity(2 * HEX_LEN + 64 + self.message.len());
        self.write_to(&mut out)?;
        Ok(out)
    }
}

/// Normalize a reflog message as git does before writing it (`refs.c` `copy_reflog_msg`): every
/// run of whitespace becomes one space, and leading and trailing whitespace is removed.
pub fn normalize_message(message: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(message.len());
    let mut was_space = true;
    for &byte in message {
        let is_space = matches!(byte, b' ' | b'\t' | b'\n' | b'\r');
        if was_space && is_space {
            continue;
        }
        was_space = is_space;
        out.push(if is_space { b' ' } else { byte });
    }
    while out.last() == Some(&b' ') {
        out.pop();
    }
    out
}

/// The lines of a whole reflog file, oldest first.
pub fn iter(log: &[u8]) -> LineRefIter<'_> {
    LineRefIter { rest: log, line: 0 }
}

/// An iterator over the lines of a reflog, created by [`iter`].
///
/// Each item is a parsed line or the reason it does not parse; git skips such lines silently.
#[derive(Clone, Debug)]
pub struct LineRefIter<'a> {
    rest: &'a [u8],
    line: usize,
}

impl<'a> Iterator for LineRefIter<'a> {
    type Item = Result<LineRef<'a>, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        self.line += 1;
        let Some(newline) = self.rest.iter().position(|&b| b == b'\n') else {
            self.rest = &[];
            return Some(Err(Error::Unterminated { line: self.line }));
        };
        let line = &self.rest[..newline];
        self.rest = &self.rest[newline + 1..];
        Some(LineRef::from_bytes(line))
    }
}
