//! Commits (git's `commit.c`, `Documentation/gitformat-commit`… described in `git-commit-tree`):
//!
//! ```text
//! tree <hex>
//! parent <hex>          (zero or more)
//! author <identity>
//! committer <identity>
//! encoding <name>       (optional)
//! <other headers>       (gpgsig, mergetag, …; continuation lines start with a space)
//!
//! <message>
//! ```

use crate::signature::{self, Signature, SignatureRef};
use crate::ObjectId;

/// The reasons a commit could not be parsed.
#[derive(Debug, thiserror::Error, PartialEq, Eq, Clone)]
pub enum Error {
    /// A required header is missing or out of place.
    #[error("commit has no {header} header")]
    MissingHeader {
        /// The header that was expected.
        header: &'static str,
    },
    /// A header line is malformed.
    #[error("commit header is malformed: {reason}")]
    Malformed {
        /// What is wrong.
        reason: &'static str,
    },
    /// An id in a `tree` or `parent` header is not 40 hex digits.
    #[error("commit {header} header has an invalid object id")]
    BadId {
        /// The header.
        header: &'static str,
    },
    /// An identity is malformed.
    #[error("commit {header} is malformed")]
    Identity {
        /// The header.
        header: &'static str,
        /// The underlying problem.
        #[source]
        source: signature::Error,
    },
}

/// One header of a commit or tag: its name and value with continuation lines joined by `\n`.
pub(crate) struct Header<'a> {
    pub(crate) name: &'a [u8],
    /// The raw value; continuation lines still carry their leading space after each `\n`.
    pub(crate) raw_value: &'a [u8],
}

/// Split `data` into headers and the message (after the first empty line).
pub(crate) fn split_headers(data: &[u8]) -> Result<(Vec<Header<'_>>, &[u8]), &'static str> {
    // (name, value start, value end) as offsets into `data`.
    let mut spans: Vec<(usize, usize, usize, usize)> = Vec::new();
    let mut message: &[u8] = &[];
    let mut pos = 0;
    while pos < data.len() {
        let line_end = data[pos..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(data.len(), |n| pos + n);
        let line = &data[pos..line_end];
        if line.is_empty() {
            message = &data[(line_end + 1).min(data.len())..];
            break;
        }
        if line[0] == b' ' {
            let last = spans
                .last_mut()
                .ok_or("continuation line before any header")?;
            last.3 = line_end;
        } else {
            let space = line
                .iter()
                .position(|&b| b == b' ')
                .ok_or("header line without a space")?;
            spans.push((pos, pos + space, pos + space + 1, line_end));
        }
        pos = line_end + 1;
    }
    let headers = spans
        .into_iter()
        .map(|(name_start, name_end, value_start, value_end)| Header {
            name: &data[name_start..name_end],
            raw_value: &data[value_start..value_end],
        })
        .collect();
    Ok((headers, message))
}

/// Join continuation lines: remove the space after each `\n`.
pub(crate) fn unfold(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut iter = raw.iter().copied().peekable();
    while let Some(b) = iter.next() {
        out.push(b);
        if b == b'\n' && iter.peek() == Some(&b' ') {
            iter.next();
        }
    }
    out
}

/// Write a header, folding `\n` in its value into continuation lines.
pub(crate) fn write_header(out: &mut Vec<u8>, name: &[u8], value: &[u8]) {
    out.extend_from_slice(name);
    out.push(b' ');
    for &b in value {
        out.push(b);
        if b == b'\n' {
            out.push(b' ');
        }
    }
    out.push(b'\n');
}

/// A parsed commit borrowing its bytes.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct CommitRef<'a> {
    /// The root tree.
    pub tree: ObjectId,
    /// Parent commits, first parent first.
    pub parents: Vec<ObjectId>,
    /// Who wrote the change.
    pub author: SignatureRef<'a>,
    /// Who made the commit.
    pub committer: SignatureRef<'a>,
    /// The `encoding` header, if any.
    pub encoding: Option<&'a [u8]>,
    /// Other headers in order, with raw (folded) values.
    pub extra_headers: Vec<(&'a [u8], &'a [u8])>,
    /// The message, everything after the empty line.
    pub message: &'a [u8],
}

impl<'a> CommitRef<'a> {
    /// Parse a commit.
    pub fn from_bytes(data: &'a [u8]) -> Result<Self, Error> {
        let (headers, message) =
            split_headers(data).map_err(|reason| Error::Malformed { reason })?;
        let mut iter = headers.into_iter().peekable();
        let tree = match iter.next() {
            Some(h) if h.name == b"tree" => {
                ObjectId::from_hex(h.raw_value).map_err(|_| Error::BadId { header: "tree" })?
            }
            _ => return Err(Error::MissingHeader { header: "tree" }),
        };
        let mut parents = Vec::new();
        while let Some(h) = iter.next_if(|h| h.name == b"parent") {
            parents.push(
                ObjectId::from_hex(h.raw_value).map_err(|_| Error::BadId { header: "parent" })?,
            );
        }
        let author = match iter.next() {
            Some(h) if h.name == b"author" => {
                SignatureRef::from_bytes(h.raw_value).map_err(|source| Error::Identity {
                    header: "author",
                    source,
                })?
            }
            _ => return Err(Error::MissingHeader { header: "author" }),
        };
        let committer = match iter.next() {
            Some(h) if h.name == b"committer" => {
                SignatureRef::from_bytes(h.raw_value).map_err(|source| Error::Identity {
                    header: "committer",
                    source,
                })?
            }
            _ => {
                return Err(Error::MissingHeader {
                    header: "committer",
                })
            }
        };
        let encoding = iter.next_if(|h| h.name == b"encoding").map(|h| h.raw_value);
        let extra_headers = iter.map(|h| (h.name, h.raw_value)).collect();
        Ok(CommitRef {
            tree,
            parents,
            author,
            committer,
            encoding,
            extra_headers,
            message,
        })
    }

    /// The first line of the message (the summary `git log --oneline` shows).
    pub fn summary(&self) -> &'a [u8] {
        let msg = self.message;
        let end = msg.iter().position(|&b| b == b'\n').unwrap_or(msg.len());
        &msg[..end]
    }

    /// An owned copy; fails if an identity's time does not parse.
    pub fn to_owned(&self) -> Result<Commit, Error> {
        Ok(Commit {
            tree: self.tree,
            parents: self.parents.clone(),
            author: self.author.to_owned().map_err(|source| Error::Identity {
                header: "author",
                source,
            })?,
            committer: self
                .committer
                .to_owned()
                .map_err(|source| Error::Identity {
                    header: "committer",
                    source,
                })?,
            // Unfolded like any header, so that writing the commit back gives the same bytes.
            encoding: self.encoding.map(unfold),
            extra_headers: self
                .extra_headers
                .iter()
                .map(|(k, v)| (k.to_vec(), unfold(v)))
                .collect(),
            message: self.message.to_vec(),
        })
    }
}

/// An owned, editable commit.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct Commit {
    /// The root tree.
    pub tree: ObjectId,
    /// Parent commits, first parent first.
    pub parents: Vec<ObjectId>,
    /// Who wrote the change.
    pub author: Signature,
    /// Who made the commit.
    pub committer: Signature,
    /// The `encoding` header, if any.
    pub encoding: Option<Vec<u8>>,
    /// Other headers in order, with continuation lines joined by `\n`.
    pub extra_headers: Vec<(Vec<u8>, Vec<u8>)>,
    /// The message.
    pub message: Vec<u8>,
}

impl Commit {
    /// Serialize in git's format.
    pub fn write_to(&self, out: &mut Vec<u8>) {
        let mut hex = [0u8; 40];
        self.tree.write_hex(&mut hex);
        write_header(out, b"tree", &hex);
        for parent in &self.parents {
            parent.write_hex(&mut hex);
            write_header(out, b"parent", &hex);
        }
        let mut ident = Vec::new();
        self.author.write_to(&mut ident);
        write_header(out, b"author", &ident);
        ident.clear();
        self.committer.write_to(&mut ident);
        write_header(out, b"committer", &ident);
        if let Some(encoding) = &self.encoding {
            write_header(out, b"encoding", encoding);
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
