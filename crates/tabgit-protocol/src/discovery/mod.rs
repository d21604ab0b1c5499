//! Smart-HTTP discovery: the response to `GET $GIT_URL/info/refs?service=<service>`.
//!
//! From `gitprotocol-http` ("Smart Server Response") and `gitprotocol-pack` ("Reference
//! Discovery"); protocol v2 from `gitprotocol-v2` ("HTTP Transport", "Capability
//! Advertisement"):
//!
//! ```text
//! Content-Type: application/x-$servicename-advertisement
//!
//! smart_reply      =  PKT-LINE("# service=$servicename" LF)
//!                     *PKT-LINE(metadata)        ; ignored, as git does
//!                     "0000"
//!                     (v2-advertisement / v0-advertisement)
//!                  /  v2-advertisement           ; git http-backend in v2 skips the header
//!
//! v2-advertisement =  PKT-LINE("version 2" LF)
//!                     *PKT-LINE(key ["=" value] LF)
//!                     flush-pkt
//!
//! v0-advertisement =  *1(PKT-LINE("version 1" LF))
//!                     (no-refs / list-of-refs)
//!                     *PKT-LINE("shallow" SP obj-id LF)
//!                     flush-pkt
//! no-refs          =  PKT-LINE(zero-id SP "capabilities^{}" NUL capability-list LF)
//! list-of-refs     =  PKT-LINE(obj-id SP refname NUL capability-list LF)
//!                     *(PKT-LINE(obj-id SP refname LF) / PKT-LINE(obj-id SP refname "^{}" LF))
//! ```
//!
//! "Clients MUST validate the first five bytes of the response entity matches the regex
//! `^[0-9a-f]{4}#`"; git's own client (`remote-curl.c`, `check_smart_http`) also accepts a
//! response that starts with `version 2`, because `git http-backend` sends no `# service=`
//! header in protocol v2, and so does this module.
//! A response that fails these checks is "not a git smart-HTTP endpoint" (RELIABILITY.md
//! fault N4); a v0 answer to a v2 request is simply parsed as v0 (fault N14).

use crate::{
    capabilities, packetline, packetline::decode::Decoder, v2, Capabilities, Limits, ObjectId,
    PacketRef, Ref, RemoteError,
};

/// The reason a discovery response was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The content type is not `application/x-<service>-advertisement`.
    #[error("this URL is not a git smart-HTTP endpoint (got {content_type})")]
    NotSmartHttp {
        /// The content type that was given, or `no content type`.
        content_type: String,
    },
    /// The body is an HTML page.
    #[error("this URL is not a git smart-HTTP endpoint (got an HTML page)")]
    HtmlBody,
    /// The body does not start with a pkt-line length.
    #[error("this URL is not a git smart-HTTP endpoint (the response starts with \"{start}\", not a pkt-line)")]
    InvalidFirstBytes {
        /// The first bytes of the body, escaped.
        start: String,
    },
    /// The first pkt-line is neither `# service=<service>` nor `version 2`.
    #[error("this URL is not a git smart-HTTP endpoint (the first line is \"{line}\", expected \"# service={expected}\")")]
    UnexpectedFirstLine {
        /// The line, escaped.
        line: String,
        /// The service that was asked for.
        expected: &'static str,
    },
    /// The server answered for another service.
    #[error("the server answered for service \"{got}\" where {expected} was requested")]
    WrongService {
        /// The service that was asked for.
        expected: &'static str,
        /// The service the server named, escaped.
        got: String,
    },
    /// The body ended before the advertisement's final flush packet.
    #[error("the ref advertisement ended early (connection cut?)")]
    Truncated,
    /// There are bytes after the advertisement's final flush packet.
    #[error("unexpected data after the end of the ref advertisement")]
    TrailingData,
    /// The framing is broken.
    #[error("protocol error in the ref advertisement: {0}")]
    Packet(#[from] packetline::decode::Error),
    /// The server sent `ERR <text>`.
    #[error(transparent)]
    Remote(#[from] RemoteError),
    /// A special packet (`0001`, `0002`) where a line was expected.
    #[error("protocol error in the ref advertisement: unexpected {packet} packet")]
    UnexpectedPacket {
        /// Which special packet.
        packet: &'static str,
    },
    /// A ref line is not `<id> SP <name>`.
    #[error("protocol error in the ref advertisement: malformed ref line \"{line}\"")]
    InvalidRefLine {
        /// The line, escaped.
        line: String,
    },
    /// A ref name contains control characters or spaces, or is empty.
    #[error("the server advertised an invalid ref name \"{name}\"")]
    InvalidRefName {
        /// The name, escaped.
        name: String,
    },
    /// A `<name>^{}` line that does not follow the ref `<name>`.
    #[error("protocol error in the ref advertisement: peeled line for \"{name}\" does not follow that ref")]
    OrphanPeeledRef {
        /// The name, escaped.
        name: String,
    },
    /// A `shallow` line is malformed.
    #[error("protocol error in the ref advertisement: malformed shallow line \"{line}\"")]
    InvalidShallowLine {
        /// The line, escaped.
        line: String,
    },
    /// The v0 capability list is malformed.
    #[error(transparent)]
    Capabilities(#[from] capabilities::Error),
    /// The v2 capability advertisement is malformed.
    #[error(transparent)]
    V2Capabilities(#[from] v2::Error),
    /// The repository uses another hash than SHA-1.
    #[error("the repository uses {format} object ids; only sha1 repositories are supported")]
    UnsupportedObjectFormat {
        /// The advertised object format, escaped.
        format: String,
    },
    /// More refs (or lines) than [`Limits::max_refs`].
    #[error("the server advertised more than {limit} refs")]
    TooManyRefs {
        /// The limit that was hit.
        limit: usize,
    },
    /// More bytes than [`Limits::max_bytes`].
    #[error("the ref advertisement is larger than {limit} bytes")]
    TooLarge {
        /// The limit that was hit.
        limit: usize,
    },
}

/// The two smart-HTTP services.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Service {
    /// `git-upload-pack`: fetch and clone.
    UploadPack,
    /// `git-receive-pack`: push.
    ReceivePack,
}

/// The protocol version a server answered with.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ProtocolVersion {
    /// The original protocol: a ref advertisement with no version line.
    #[default]
    V0,
    /// A ref advertisement after a `version 1` line; otherwise the same as v0.
    V1,
    /// A capability advertisement after `version 2`; refs come from `ls-refs`.
    V2,
}

/// What discovery found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Advertisement {
    /// Protocol v2: capabilities and commands, no refs.
    V2(v2::Capabilities),
    /// Protocol v0 or v1: the refs and the capabilities.
    Refs(RefAdvertisement),
}

/// A protocol v0/v1 ref advertisement.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RefAdvertisement {
    /// [`ProtocolVersion::V1`] if the server sent `version 1`, otherwise
    /// [`ProtocolVersion::V0`].
    pub version: ProtocolVersion,
    /// The refs in the server's order, with their peeled ids and symref targets (from the
    /// `symref=` capabilities). Empty for an empty repository.
    pub refs: Vec<Ref>,
    /// The capabilities behind the first ref (or `capabilities^{}`).
    pub capabilities: Capabilities,
    /// The `shallow` lines: the server's own shallow boundary, if it is shallow.
    pub shallow: Vec<ObjectId>,
}

/// A streaming parser for a discovery response body.
///
/// ```
/// use tabgit_protocol::discovery::{Advertisement, Parser, Service};
/// let mut parser = Parser::new(
///     Service::UploadPack,
///     Some("application/x-git-upload-pack-advertisement"),
///     Default::default(),
/// )?;
/// parser.feed(b"001e# service=git-upload-pack\n0000")?;
/// parser.feed(b"004b0000000000000000000000000000000000000000 capabilities^{}\0side-band-64k\n0000")?;
/// let Advertisement::Refs(refs) = parser.finish()? else { unreachable!() };
/// assert!(refs.refs.is_empty(), "an empty repository advertises no refs");
/// assert!(refs.capabilities.contains("side-band-64k"));
/// # Ok::<(), tabgit_protocol::discovery::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Parser {
    service: Service,
    limits: Limits,
    decoder: Decoder,
    state: State,
    n_lines: usize,
    v2: v2::Capabilities,
    refs: RefAdvertisement,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Nothing decoded yet.
    Start,
    /// After `# service=…`: metadata lines until a flush.
    ServiceHeader,
    /// After the header's flush: `version 1`, `version 2`, the first ref or a flush.
    AfterHeader,
    /// After `version 1`: the first ref or a flush.
    FirstRef,
    /// Ref, peeled and shallow lines until a flush.
    Refs,
    /// Capability lines until a flush.
    V2Capabilities,
    /// The final flush of a v0/v1 advertisement was read.
    DoneRefs,
    /// The final flush of a v2 advertisement was read.
    DoneV2,
}

impl State {
    fn is_done(self) -> bool {
        matches!(self, State::DoneRefs | State::DoneV2)
    }
}

/// Access
impl Service {
    /// The service name: `git-upload-pack` or `git-receive-pack`.
    pub fn name(self) -> &'static str {
        match self {
            Service::UploadPack => "git-upload-pack",
            Service::ReceivePack => "git-receive-pack",
        }
    }

    /// The discovery URL's path and query relative to the repository URL:
    /// `info/refs?service=<name>`.
    pub fn info_refs_path(self) -> &'static str {
        match self {
            Service::UploadPack => "info/refs?service=git-upload-pack",
            Service::ReceivePack => "info/refs?service=git-receive-pack",
        }
    }

    /// The content type of the discovery response.
    pub fn advertisement_content_type(self) -> &'static str {
        match self {
            Service::UploadPack => "application/x-git-upload-pack-advertisement",
            Service::ReceivePack => "application/x-git-receive-pack-advertisement",
        }
    }

    /// The content type of the POST request body.
    pub fn request_content_type(self) -> &'static str {
        match self {
            Service::UploadPack => "application/x-git-upload-pack-request",
            Service::ReceivePack => "application/x-git-receive-pack-request",
        }
    }

    /// The content type of the POST response.
    pub fn result_content_type(self) -> &'static str {
        match self {
            Service::UploadPack => "application/x-git-upload-pack-result",
            Service::ReceivePack => "application/x-git-receive-pack-result",
        }
    }
}

impl std::fmt::Display for Service {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Access
impl Advertisement {
    /// The protocol version the server answered with.
    pub fn version(&self) -> ProtocolVersion {
        match self {
            Advertisement::V2(_) => ProtocolVersion::V2,
            Advertisement::Refs(refs) => refs.version,
        }
    }
}

/// Check a discovery response's content type: it must be
/// `application/x-<service>-advertisement` (parameters such as `; charset=…` are ignored).
pub fn check_content_type(service: Service, content_type: Option<&str>) -> Result<(), Error> {
    let expected = service.advertisement_content_type();
    let essence = content_type
        .and_then(|value| value.split(';').next())
        .map(str::trim);
    match essence {
        Some(essence) if essence.eq_ignore_ascii_case(expected) => Ok(()),
        _ => Err(Error::NotSmartHttp {
            content_type: content_type.map_or_else(
                || "no content type".to_owned(),
                |value| crate::escape(value.as_bytes()),
            ),
        }),
    }
}

/// Check and parse a whole discovery response: the content type, then the body.
pub fn parse(
    service: Service,
    content_type: Option<&str>,
    body: &[u8],
    limits: &Limits,
) -> Result<Advertisement, Error> {
    let mut parser = Parser::new(service, content_type, *limits)?;
    parser.feed(body)?;
    parser.finish()
}

/// Lifecycle
impl Parser {
    /// A parser for the response to a discovery request for `service`, whose content type was
    /// `content_type`; fails if the content type is wrong.
    pub fn new(
        service: Service,
        content_type: Option<&str>,
        limits: Limits,
    ) -> Result<Self, Error> {
        check_content_type(service, content_type)?;
        Ok(Parser {
            service,
            limits,
            decoder: Decoder::default(),
            state: State::Start,
            n_lines: 0,
            v2: v2::Capabilities::default(),
            refs: RefAdvertisement::default(),
        })
    }

    /// Parse the next chunk of the body.
    pub fn feed(&mut self, bytes: &[u8]) -> Result<(), Error> {
        let total = self.decoder.bytes_fed() + bytes.len() as u64;
        if total > self.limits.max_bytes as u64 {
            return Err(Error::TooLarge {
                limit: self.limits.max_bytes,
            });
        }
        self.decoder.feed(bytes);
        if self.state == State::Start {
            check_first_bytes(self.decoder.buffered())?;
        }
        while let Some(raw) = self.decoder.next_raw()? {
            if self.state.is_done() {
                return Err(Error::TrailingData);
            }
            let packet = self.decoder.packet(&raw).check_error()?;
            self.n_lines += 1;
            if self.n_lines > self.limits.max_refs.saturating_add(2) {
                return Err(Error::TooManyRefs {
                    limit: self.limits.max_refs,
                });
            }
            self.state = process(
                self.state,
                packet,
                self.service,
                &mut self.refs,
                &mut self.v2,
            )?;
        }
        if self.state.is_done() && !self.decoder.is_empty() {
            return Err(Error::TrailingData);
        }
        Ok(())
    }

    /// The advertisement, once the whole body was fed; fails if it ended early.
    pub fn finish(self) -> Result<Advertisement, Error> {
        if !self.state.is_done() {
            return Err(Error::Truncated);
        }
        if self.state == State::DoneV2 {
            check_object_format(self.v2.object_format.as_deref().map(str::as_bytes))?;
            return Ok(Advertisement::V2(self.v2));
        }
        let mut refs = self.refs;
        check_object_format(refs.capabilities.object_format())?;
        let symrefs: Vec<(Vec<u8>, Vec<u8>)> = refs
            .capabilities
            .symrefs()
            .map(|(name, target)| (name.to_vec(), target.to_vec()))
            .collect();
        for (name, target) in symrefs {
            if let Some(r) = refs.refs.iter_mut().find(|r| r.name == name) {
                r.symref_target = Some(target);
            }
        }
        Ok(Advertisement::Refs(refs))
    }
}

/// The first five bytes must be `^[0-9a-f]{4}#`; `v` (`version 2`, see the module
/// documentation) and `E` (an `ERR` packet, reported as the server's error) are let through to
/// the check of the whole first packet. Checked as far as the bytes have arrived.
fn check_first_bytes(start: &[u8]) -> Result<(), Error> {
    if start.trim_ascii_start().first() == Some(&b'<') {
        return Err(Error::HtmlBody);
    }
    let head = &start[..start.len().min(5)];
    let hex_ok = head
        .iter()
        .take(4)
        .all(|byte| byte.is_ascii_digit() || (b'a'..=b'f').contains(byte));
    let fifth_ok = head
        .get(4)
        .is_none_or(|byte| matches!(byte, b'#' | b'v' | b'E'));
    if hex_ok && fifth_ok {
        Ok(())
    } else {
        Err(Error::InvalidFirstBytes {
            start: crate::escape(&start[..start.len().min(16)]),
        })
    }
}

fn check_object_format(format: Option<&[u8]>) -> Result<(), Error> {
    match format {
        None | Some(b"sha1") => Ok(()),
        Some(other) => Err(Error::UnsupportedObjectFormat {
            format: crate::escape(other),
        }),
    }
}

/// Handle one packet in `state`; returns the next state.
fn process(
    state: State,
    packet: PacketRef<'_>,
    service: Service,
    refs: &mut RefAdvertisement,
    v2: &mut v2::Capabilities,
) -> Result<State, Error> {
    let line = match packet {
        PacketRef::Data(_) => packet.as_text().unwrap_or_default(),
        PacketRef::Flush => {
            return match state {
                State::ServiceHeader => Ok(State::AfterHeader),
                State::AfterHeader | State::FirstRef | State::Refs => Ok(State::DoneRefs),
                State::V2Capabilities => Ok(State::DoneV2),
                State::Start | State::DoneRefs | State::DoneV2 => {
                    Err(Error::UnexpectedPacket { packet: "flush" })
                }
            }
        }
        PacketRef::Delimiter => {
            return Err(Error::UnexpectedPacket {
                packet: "delimiter",
            })
        }
        PacketRef::ResponseEnd => {
            return Err(Error::UnexpectedPacket {
                packet: "response-end",
            })
        }
    };
    match state {
        State::Start => {
            if let Some(name) = line.strip_prefix(b"# service=") {
                if name != service.name().as_bytes() {
                    return Err(Error::WrongService {
                        expected: service.name(),
                        got: crate::escape(name),
                    });
                }
                Ok(State::ServiceHeader)
            } else if line == b"version 2" {
                Ok(State::V2Capabilities)
            } else {
                Err(Error::UnexpectedFirstLine {
                    line: crate::escape(line),
                    expected: service.name(),
                })
            }
        }
        // git ignores metadata lines here ("in the future we may use them").
        State::ServiceHeader => Ok(State::ServiceHeader),
        State::AfterHeader if line == b"version 2" => Ok(State::V2Capabilities),
        State::AfterHeader if line == b"version 1" => {
            refs.version = ProtocolVersion::V1;
            Ok(State::FirstRef)
        }
        State::AfterHeader | State::FirstRef => {
            parse_first_ref(packet.as_data().unwrap_or_default(), refs)?;
            Ok(State::Refs)
        }
        State::Refs => {
            parse_other_ref(line, refs)?;
            Ok(State::Refs)
        }
        State::V2Capabilities => {
            v2.push_line(line)?;
            Ok(State::V2Capabilities)
        }
        State::DoneRefs | State::DoneV2 => Err(Error::TrailingData),
    }
}

/// `obj-id SP refname NUL capability-list [LF]`, or the `capabilities^{}` form.
fn parse_first_ref(data: &[u8], refs: &mut RefAdvertisement) -> Result<(), Error> {
    let data = packetline::strip_newline(data);
    let (ref_part, caps) = match data.iter().position(|&byte| byte == 0) {
        Some(nul) => (&data[..nul], &data[nul + 1..]),
        // Old servers with no capabilities at all send no NUL.
        None => (data, &b""[..]),
    };
    refs.capabilities = Capabilities::from_bytes(caps)?;
    let (object_id, name) = split_ref_line(ref_part)?;
    if name == b"capabilities^{}" {
        if !object_id.is_null() {
            return Err(Error::InvalidRefLine {
                line: crate::escape(ref_part),
            });
        }
        return Ok(());
    }
    push_ref(object_id, name, refs)
}

/// `obj-id SP refname [LF]`, `obj-id SP refname "^{}" [LF]` or `shallow SP obj-id [LF]`.
fn parse_other_ref(line: &[u8], refs: &mut RefAdvertisement) -> Result<(), Error> {
    if let Some(hex) = line.strip_prefix(b"shallow ") {
        let shallow_id = crate::parse_object_id(hex).ok_or_else(|| Error::InvalidShallowLine {
            line: crate::escape(line),
        })?;
        refs.shallow.push(shallow_id);
        return Ok(());
    }
    if !refs.shallow.is_empty() {
        // Refs come before shallow lines.
        return Err(Error::InvalidRefLine {
            line: crate::escape(line),
        });
    }
    let (object_id, name) = split_ref_line(line)?;
    if let Some(peeled_name) = name.strip_suffix(b"^{}") {
        return match refs.refs.last_mut() {
            Some(last) if last.name == peeled_name && last.peeled_id.is_none() => {
                last.peeled_id = Some(object_id);
                Ok(())
            }
            _ => Err(Error::OrphanPeeledRef {
                name: crate::escape(name),
            }),
        };
    }
    push_ref(object_id, name, refs)
}

fn split_ref_line(line: &[u8]) -> Result<(ObjectId, &[u8]), Error> {
    let invalid = || Error::InvalidRefLine {
        line: crate::escape(line),
    };
    let space = line
        .iter()
        .position(|&byte| byte == b' ')
        .ok_or_else(invalid)?;
    let object_id = crate::parse_object_id(&line[..space]).ok_or_else(invalid)?;
    Ok((object_id, &line[space + 1..]))
}

fn push_ref(object_id: ObjectId, name: &[u8], refs: &mut RefAdvertisement) -> Result<(), Error> {
    if !crate::is_wire_ref_name(name) {
        return Err(Error::InvalidRefName {
            name: crate::escape(name),
        });
    }
    refs.refs.push(Ref {
        name: name.to_vec(),
        object_id: Some(object_id),
        peeled_id: None,
        symref_target: None,
    });
    Ok(())
}
