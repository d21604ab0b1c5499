//! The protocol v2 `ls-refs` command: which refs the server has.
//!
//! From `gitprotocol-v2` ("ls-refs"):
//!
//! ```text
//! request arguments:
//!     symrefs                 show the target of symbolic refs
//!     peel                    show what annotated tags peel to
//!     ref-prefix <prefix>     only refs starting with one of these prefixes
//!     unborn                  also HEAD if it points to an unborn branch (`ls-refs=unborn`)
//!
//! output            = *ref
//!                     flush-pkt
//! obj-id-or-unborn  = (obj-id | "unborn")
//! ref               = PKT-LINE(obj-id-or-unborn SP refname *(SP ref-attribute) LF)
//! ref-attribute     = (symref | peeled)
//! symref            = "symref-target:" symref-target
//! peeled            = "peeled:" obj-id
//! ```
//!
//! Unknown ref attributes are ignored, for forward compatibility.
//! "a server MAY show refs not matching the prefix": callers filter the result themselves.

use crate::{
    packetline::{self, decode::Decoder, encode},
    v2::{self, Context},
    Limits, ObjectId, PacketRef, Ref, RemoteError,
};

/// The reason an `ls-refs` request could not be built or its response parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The command's capability list is invalid.
    #[error(transparent)]
    Context(#[from] v2::Error),
    /// A ref prefix is empty or contains NUL or LF.
    #[error("invalid ref prefix \"{prefix}\" for ls-refs")]
    InvalidPrefix {
        /// The prefix, escaped.
        prefix: String,
    },
    /// A value does not fit in one pkt-line.
    #[error(transparent)]
    Encode(#[from] encode::Error),
    /// The framing is broken.
    #[error("protocol error in the ls-refs response: {0}")]
    Packet(#[from] packetline::decode::Error),
    /// The server sent `ERR <text>`.
    #[error(transparent)]
    Remote(#[from] RemoteError),
    /// A line is not `<id> SP <refname> *(SP <attribute>)`.
    #[error("protocol error in the ls-refs response: malformed line \"{line}\"")]
    InvalidLine {
        /// The line, escaped.
        line: String,
    },
    /// A ref name or symref target contains control characters or spaces, or is empty.
    #[error("the server listed an invalid ref name \"{name}\"")]
    InvalidRefName {
        /// The name, escaped.
        name: String,
    },
    /// A special packet other than the final flush.
    #[error("protocol error in the ls-refs response: unexpected {packet} packet")]
    UnexpectedPacket {
        /// Which special packet.
        packet: &'static str,
    },
    /// The response ended before its flush packet.
    #[error("the ls-refs response ended early (connection cut?)")]
    Truncated,
    /// Bytes after the final flush packet.
    #[error("unexpected data after the end of the ls-refs response")]
    TrailingData,
    /// More refs than [`Limits::max_refs`].
    #[error("the server listed more than {limit} refs")]
    TooManyRefs {
        /// The limit that was hit.
        limit: usize,
    },
    /// More bytes than [`Limits::max_bytes`].
    #[error("the ls-refs response is larger than {limit} bytes")]
    TooLarge {
        /// The limit that was hit.
        limit: usize,
    },
}

/// The arguments of an `ls-refs` request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Send `symrefs`: show what symbolic refs (`HEAD`) point to.
    pub symrefs: bool,
    /// Send `peel`: show what annotated tags peel to.
    pub peel: bool,
    /// Send `unborn`: list `HEAD` even if its branch does not exist yet. Only send it if the
    /// server advertised `ls-refs=unborn`.
    pub unborn: bool,
    /// `ref-prefix <prefix>` lines; empty means every ref.
    pub ref_prefixes: Vec<Vec<u8>>,
}

impl Default for Options {
    /// `symrefs` and `peel`, no `unborn`, no prefixes.
    fn default() -> Self {
        Options {
            symrefs: true,
            peel: true,
            unborn: false,
            ref_prefixes: Vec::new(),
        }
    }
}

/// Lifecycle
impl Options {
    /// What `git clone` asks: `peel`, `symrefs`, `unborn` if `server` offers it, and the
    /// prefixes `HEAD`, `refs/heads/` and `refs/tags/`.
    pub fn for_clone(server: &v2::Capabilities) -> Self {
        Options {
            symrefs: true,
            peel: true,
            unborn: server.supports_ls_refs_feature("unborn"),
            ref_prefixes: vec![
                b"HEAD".to_vec(),
                b"refs/heads/".to_vec(),
                b"refs/tags/".to_vec(),
            ],
        }
    }
}

/// The body of an `ls-refs` request.
///
/// Arguments come in git's order (`peel`, `symrefs`, `unborn`, then prefixes).
pub fn request(context: &Context, options: &Options) -> Result<Vec<u8>, Error> {
    let mut out = Vec::new();
    context.write_command("ls-refs", &mut out)?;
    if options.peel {
        encode::text(b"peel", &mut out)?;
    }
    if options.symrefs {
        encode::text(b"symrefs", &mut out)?;
    }
    if options.unborn {
        encode::text(b"unborn", &mut out)?;
    }
    for prefix in &options.ref_prefixes {
        if prefix.is_empty() || prefix.iter().any(|&byte| byte == 0 || byte == b'\n') {
            return Err(Error::InvalidPrefix {
                prefix: crate::escape(prefix),
            });
        }
        let mut line = b"ref-prefix ".to_vec();
        line.extend_from_slice(prefix);
        encode::text(&line, &mut out)?;
    }
    encode::flush(&mut out);
    Ok(out)
}

/// Parse a whole `ls-refs` response.
pub fn parse_response(body: &[u8], limits: &Limits) -> Result<Vec<Ref>, Error> {
    let mut parser = ResponseParser::new(*limits);
    parser.feed(body)?;
    parser.finish()
}

/// A streaming parser for an `ls-refs` response.
#[derive(Debug, Clone)]
pub struct ResponseParser {
    limits: Limits,
    decoder: Decoder,
    refs: Vec<Ref>,
    done: bool,
}

/// Lifecycle
impl ResponseParser {
    /// A parser that keeps at most `limits.max_refs` refs.
    pub fn new(limits: Limits) -> Self {
        ResponseParser {
            limits,
            decoder: Decoder::default(),
            refs: Vec::new(),
            done: false,
        }
    }

    /// Parse the next chunk of the response.
    pub fn feed(&mut self, bytes: &[u8]) -> Result<(), Error> {
        if self.decoder.bytes_fed() + bytes.len() as u64 > self.limits.max_bytes as u64 {
            return Err(Error::TooLarge {
                limit: self.limits.max_bytes,
            });
        }
        self.decoder.feed(bytes);
        while let Some(raw) = self.decoder.next_raw()? {
            let packet = self.decoder.packet(&raw);
            // A response-end packet may follow the flush on stateless connections.
            if self.done && packet != PacketRef::ResponseEnd {
                return Err(Error::TrailingData);
            }
            match packet.check_error()? {
                PacketRef::Data(_) => {
                    if self.refs.len() >= self.limits.max_refs {
                        return Err(Error::TooManyRefs {
                            limit: self.limits.max_refs,
                        });
                    }
                    let line = packet.as_text().unwrap_or_default();
                    self.refs.push(parse_ref_line(line)?);
                }
                PacketRef::Flush => self.done = true,
                PacketRef::ResponseEnd if self.done => {}
                PacketRef::ResponseEnd => {
                    return Err(Error::UnexpectedPacket {
                        packet: "response-end",
                    })
                }
                PacketRef::Delimiter => {
                    return Err(Error::UnexpectedPacket {
                        packet: "delimiter",
                    })
                }
            }
        }
        Ok(())
    }

    /// The refs, once the whole response was fed; fails if it ended early.
    pub fn finish(self) -> Result<Vec<Ref>, Error> {
        if self.done {
            Ok(self.refs)
        } else {
            Err(Error::Truncated)
        }
    }
}

/// `obj-id-or-unborn SP refname *(SP ref-attribute)`.
fn parse_ref_line(line: &[u8]) -> Result<Ref, Error> {
    let invalid = || Error::InvalidLine {
        line: crate::escape(line),
    };
    let mut fields = line.split(|&byte| byte == b' ');
    let id_field = fields.next().ok_or_else(invalid)?;
    let name = fields.next().ok_or_else(invalid)?;
    let object_id = if id_field == b"unborn" {
        None
    } else {
        Some(crate::parse_object_id(id_field).ok_or_else(invalid)?)
    };
    check_name(name)?;
    let mut r = Ref {
        name: name.to_vec(),
        object_id,
        peeled_id: None,
        symref_target: None,
    };
    for attribute in fields {
        if let Some(target) = attribute.strip_prefix(b"symref-target:") {
            check_name(target)?;
            r.symref_target = Some(target.to_vec());
        } else if let Some(hex) = attribute.strip_prefix(b"peeled:") {
            r.peeled_id = Some(ObjectId::from_hex(hex).map_err(|_| invalid())?);
        } else if attribute.is_empty() {
            return Err(invalid());
        }
    }
    if r.object_id.is_none() && r.symref_target.is_none() {
        // `unborn` only makes sense for a symbolic ref.
        return Err(invalid());
    }
    Ok(r)
}

fn check_name(name: &[u8]) -> Result<(), Error> {
    if crate::is_wire_ref_name(name) {
        Ok(())
    } else {
        Err(Error::InvalidRefName {
            name: crate::escape(name),
        })
    }
}
