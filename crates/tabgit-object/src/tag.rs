//! Annotated tags (git's `tag.c`, `Documentation/git-mktag`):
//!
//! ```text
//! object <hex>
//! type <kind>
//! tag <name>
//! tagger <identity>     (optional in old tags)
//!
//! <message, possibly followed by a PGP signature>
//! ```

use crate::commit::{split_headers, unfold, write_header};
use crate::signature::{self, Signature, SignatureRef};
use crate::{Kind, ObjectId};

/// The reasons a tag could not be parsed.
#[derive(Debug, thiserror::Error, PartialEq, Eq, Clone)]
pub enum Error {
    /// A required header is missing or out of place.
    #[error("tag has no {header} header")]
    MissingHeader {
        /// The header that was expected.
        header: &'static str,
    },
    /// A header line is malformed.
    #[error("tag header is malformed: {reason}")]
    Malformed {
        /// What is wrong.
        reason: &'static str,
    },
    /// The `type` header names no object type.
    #[error(transparent)]
    UnknownKind(#[from] crate::UnknownKind),
    /// The tagger identity is malformed.
    #[error("tag tagger is malformed")]
    Identity(#[source] signature::Error),
}

/// A parsed tag borrowing its bytes.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct TagRef<'a> {
    /// The tagged object.
    pub target: ObjectId,
    /// Its type.
    pub target_kind: Kind,
    /// The tag's name.
    pub name: &'a [u8],
    /// Who tagged, if recorded.
    pub tagger: Option<SignatureRef<'a>>,
    /// Other headers in order, with raw (folded) values.
    pub extra_headers: Vec<(&'a [u8], &'a [u8])>,
    /// The message, including any signature block.
    pub message: &'a [u8],
}

impl<'a> TagRef<'a> {
    /// Parse a tag.
    pub fn from_bytes(data: &'a [u8]) -> Result<Self, Error> {
        let (headers, message) =
            split_headers(data).map_err(|reason| Error::Malformed { reason })?;
        let mut iter = headers.into_iter().peekable();
        let target = match iter.next() {
            Some(h) if h.name == b"object" => {
                ObjectId::from_hex(h.raw_value).map_err(|_| Error::Malformed {
                    reason: "object id is not 40 hex digits",
                })?
            }
            _ => return Err(Error::MissingHeader { header: "object" }),
        };
        let target_kind = match iter.next() {
            Some(h) if h.name == b"type" => Kind::from_bytes(h.raw_value)?,
            _ => return Err(Error::MissingHeader { header: "type" }),
        };
        let name = match iter.next() {
            Some(h) if h.name == b"tag" => h.raw_value,
            _ => return Err(Error::MissingHeader { header: "tag" }),
        };
        let tagger = match iter.next_if(|h| h.name == b"tagger") {
            Some(h) => Some(SignatureRef::from_bytes(h.raw_value).map_err(Error::Identity)?),
            None => None,
        };
        let extra_headers = iter.map(|h| (h.name, h.raw_value)).collect();
        Ok(TagRef {
            target,
            target_kind,
            name,
            tagger,
            extra_headers,
            message,
        })
    }

    /// An owned copy; fails if the tagger's time does not parse.
    pub fn to_owned(&self) -> Result<Tag, Error> {
        Ok(Tag {
            target: self.target,
            target_kind: self.target_kind,
            // A name with continuation lines is unfolded like any header, so that writing the
            // tag back folds it into the same bytes.
            name: unfold(self.name),
            tagger: self
                .tagger
                .map(|t| t.to_owned())
                .transpose()
                .map_err(Error::Identity)?,
            extra_headers: self
                .extra_headers
                .iter()
                .map(|(k, v)| (k.to_vec(), unfold(v)))
                .collect(),
            message: self.message.to_vec(),
        })
    }
}

/// An owned, editable tag.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Tag {
    /// The tagged object.
    pub target: ObjectId,
    /// Its type.
    pub target_kind: Kind,
    /// The tag's name.
    pub name: Vec<u8>,
    /// Who tagged.
    pub tagger: Option<Signature>,
    /// Other headers in order, with continuation lines joined by `\n`.
    pub extra_headers: Vec<(Vec<u8>, Vec<u8>)>,
    /// The message.
    pub message: Vec<u8>,
}

impl Tag {
    /// Serialize in git's format.
    pub fn write_to(&self, out: &mut Vec<u8>) {
        write_header(out, b"object", self.target.to_hex().as_bytes());
        write_header(out, b"type", self.target_kind.as_bytes());
        write_header(out, b"tag", &self.name);
        if let Some(tagger) = &self.tagger {
            let mut ident = Vec::new();
            tagger.write_to(&mut ident);
            write_header(out, b"tagger", &ident);
        }
        for (name, value) in &self.extra_headers {
            write_header(out, name, value);
        }
        out.push(b'\n');
        out.extend_from_slice(&self.message);
    }

    /// The serialized bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.write_to(&mut out);
        out
    }
}
