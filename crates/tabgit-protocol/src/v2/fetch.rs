//! The protocol v2 `fetch` command: negotiation and the pack.
//!
//! From `gitprotocol-v2` ("fetch"); the request arguments are described in [`crate::fetch`]:
//!
//! ```text
//! output = acknowledgements flush-pkt |
//!          [acknowledgments delim-pkt] [shallow-info delim-pkt]
//!          [wanted-refs delim-pkt] [packfile-uris delim-pkt]
//!          packfile flush-pkt
//!
//! acknowledgments = PKT-LINE("acknowledgments" LF)
//!                   (nak | *ack)
//!                   (ready)
//! ready = PKT-LINE("ready" LF)
//! nak = PKT-LINE("NAK" LF)
//! ack = PKT-LINE("ACK" SP obj-id LF)
//!
//! shallow-info = PKT-LINE("shallow-info" LF)
//!                *PKT-LINE((shallow | unshallow) LF)
//! shallow = "shallow" SP obj-id
//! unshallow = "unshallow" SP obj-id
//!
//! wanted-refs = PKT-LINE("wanted-refs" LF)
//!               *PKT-LINE(wanted-ref LF)
//! wanted-ref = obj-id SP refname
//!
//! packfile-uris = PKT-LINE("packfile-uris" LF) *packfile-uri
//! packfile-uri = PKT-LINE(40*(HEXDIGIT) SP *%x20-ff LF)
//!
//! packfile = PKT-LINE("packfile" LF)
//!            *PKT-LINE(%x01-03 *%x00-ff)      ; side-band, always
//! ```
//!
//! Sections must come in this order, each at most once.
//! `packfile-uris` is refused: tabgit never sends the `packfile-uris` argument, and a server
//! that sends the section anyway is steering the client to URLs it did not ask for
//! (RELIABILITY.md row 34).
//! `ready` promises a pack, so an `acknowledgments` section with `ready` must be followed by
//! one; `ACK` and `NAK` do not mix.

use crate::{
    fetch::{self, parse_ack, parse_shallow, Acknowledgment, Arguments, End, Event, Pending},
    packetline::{self, decode::Decoder, encode},
    sideband::{self, Band},
    v2::{self, Context},
    Limits, PacketRef, RemoteError,
};

/// The reason a fetch request could not be built or its response parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The arguments break a protocol rule.
    #[error(transparent)]
    Arguments(#[from] fetch::Error),
    /// The command's capability list is invalid.
    #[error(transparent)]
    Context(#[from] v2::Error),
    /// A value does not fit in one pkt-line.
    #[error(transparent)]
    Encode(#[from] encode::Error),
    /// The framing is broken.
    #[error("protocol error in the fetch response: {0}")]
    Packet(#[from] packetline::decode::Error),
    /// The server sent `ERR <text>` or a side-band 3 message.
    #[error(transparent)]
    Remote(#[from] RemoteError),
    /// A packet in the `packfile` section is not a valid side-band packet.
    #[error("protocol error in the fetch response: {0}")]
    SideBand(#[from] sideband::Error),
    /// A section header that the protocol does not define.
    #[error("protocol error in the fetch response: unknown section \"{name}\"")]
    UnknownSection {
        /// The header, escaped.
        name: String,
    },
    /// A `packfile-uris` section, which tabgit never asks for.
    #[error("the server sent packfile URIs, which tabgit did not request and does not follow")]
    PackfileUrisNotRequested,
    /// A section out of the protocol's order, or twice.
    #[error("protocol error in the fetch response: section \"{name}\" out of order")]
    SectionOutOfOrder {
        /// The section's name.
        name: &'static str,
    },
    /// A line in a section is malformed.
    #[error(
        "protocol error in the fetch response: malformed line \"{line}\" in section {section}"
    )]
    InvalidLine {
        /// The section's name.
        section: &'static str,
        /// The line, escaped.
        line: String,
    },
    /// `NAK` and `ACK` lines in one `acknowledgments` section.
    #[error("protocol error in the fetch response: both NAK and ACK in acknowledgments")]
    NakWithAck,
    /// The response ended without the pack that `ready`, `shallow-info` or `wanted-refs`
    /// promised.
    #[error("protocol error in the fetch response: the packfile section is missing")]
    MissingPackfile,
    /// A special packet where the protocol does not allow it.
    #[error("protocol error in the fetch response: unexpected {packet} packet in {section}")]
    UnexpectedPacket {
        /// Which special packet.
        packet: &'static str,
        /// Where it was found.
        section: &'static str,
    },
    /// The response ended before its final flush packet.
    #[error("the fetch response ended early (connection cut?)")]
    Truncated,
    /// Bytes after the final flush packet.
    #[error("unexpected data after the end of the fetch response")]
    TrailingData,
    /// More lines than [`Limits::max_refs`] outside the pack.
    #[error("the fetch response has more than {limit} lines besides the pack")]
    TooManyLines {
        /// The limit that was hit.
        limit: usize,
    },
    /// More bytes than [`Limits::max_bytes`] before the pack.
    #[error("the fetch response has more than {limit} bytes before the pack")]
    TooLarge {
        /// The limit that was hit.
        limit: usize,
    },
}

/// Check that `server` offers every feature `arguments` need: `shallow` for shallow
/// arguments, `filter` for a filter, `ref-in-want` for `want-ref`.
pub fn check_arguments(
    server: &v2::Capabilities,
    arguments: &Arguments,
) -> Result<(), fetch::Error> {
    if !server.supports_command("fetch") {
        return Err(fetch::Error::FeatureNotSupported {
            feature: "the fetch command",
        });
    }
    if arguments.is_shallow_request() && !server.supports_fetch_feature("shallow") {
        return Err(fetch::Error::FeatureNotSupported {
            feature: "`shallow` (shallow clone and fetch)",
        });
    }
    if arguments.filter.is_some() && !server.supports_fetch_feature("filter") {
        return Err(fetch::Error::FeatureNotSupported {
            feature: "`filter` (partial clone)",
        });
    }
    if !arguments.want_refs.is_empty() && !server.supports_fetch_feature("ref-in-want") {
        return Err(fetch::Error::FeatureNotSupported {
            feature: "`ref-in-want` (fetching refs by name)",
        });
    }
    Ok(())
}

/// The body of a `fetch` request.
///
/// Arguments come in git's order (`fetch-pack.c`, `send_fetch_request`): the features, the
/// shallow arguments, `filter`, `want`s, `want-ref`s, `have`s, `done`.
/// Every line ends with LF; git omits it on some lines, which servers treat the same.
pub fn request(context: &Context, arguments: &Arguments) -> Result<Vec<u8>, Error> {
    arguments.validate()?;
    let mut out = Vec::new();
    context.write_command("fetch", &mut out)?;
    for (enabled, feature) in [
        (arguments.thin_pack, &b"thin-pack"[..]),
        (arguments.no_progress, b"no-progress"),
        (arguments.include_tag, b"include-tag"),
        (arguments.ofs_delta, b"ofs-delta"),
    ] {
        if enabled {
            encode::text(feature, &mut out)?;
        }
    }
    for shallow_id in &arguments.shallow {
        encode::text(format!("shallow {shallow_id}").as_bytes(), &mut out)?;
    }
    if let Some(depth) = arguments.deepen {
        encode::text(format!("deepen {depth}").as_bytes(), &mut out)?;
    }
    if let Some(time) = arguments.deepen_since {
        encode::text(format!("deepen-since {time}").as_bytes(), &mut out)?;
    }
    for rev in &arguments.deepen_not {
        encode::text(&[&b"deepen-not "[..], rev].concat(), &mut out)?;
    }
    if arguments.deepen_relative {
        encode::text(b"deepen-relative", &mut out)?;
    }
    if let Some(spec) = &arguments.filter {
        encode::text(format!("filter {spec}").as_bytes(), &mut out)?;
    }
    for want_id in &arguments.wants {
        encode::text(format!("want {want_id}").as_bytes(), &mut out)?;
    }
    for name in &arguments.want_refs {
        encode::text(&[&b"want-ref "[..], name].concat(), &mut out)?;
    }
    for have_id in &arguments.haves {
        encode::text(format!("have {have_id}").as_bytes(), &mut out)?;
    }
    if arguments.done {
        encode::text(b"done", &mut out)?;
    }
    encode::flush(&mut out);
    Ok(out)
}

/// Parse a whole fetch response (the pack included) at once.
pub fn parse_response(body: &[u8], limits: &Limits) -> Result<fetch::Response, Error> {
    let mut parser = ResponseParser::new(*limits);
    let mut response = fetch::Response::new();
    parser.feed(body);
    while let Some(event) = parser.next_event()? {
        response.push(event);
    }
    response.end = parser.finish()?;
    Ok(response)
}

/// A streaming parser for a protocol v2 fetch response.
///
/// Feed the body in chunks as it arrives and take [`Event`]s out after each chunk until
/// [`ResponseParser::next_event`] returns `None`; pack data comes out chunk by chunk
/// ([`Event::PackData`]), borrowed from the chunk that was fed.
/// At the end of the body, [`ResponseParser::finish`] says how the response ended, or that it
/// was cut short.
#[derive(Debug, Clone)]
pub struct ResponseParser {
    decoder: Decoder,
    machine: Machine,
}

#[derive(Debug, Clone)]
struct Machine {
    limits: Limits,
    state: State,
    /// The order index of the last section started.
    last_section: Option<Section>,
    n_lines: usize,
    n_text_bytes: usize,
    saw_nak: bool,
    saw_ack: bool,
    saw_ready: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// A section header is expected.
    SectionStart,
    /// Inside a section.
    In(Section),
    /// The final flush was read.
    Done(End),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Section {
    Acknowledgments,
    ShallowInfo,
    WantedRefs,
    Packfile,
}

impl Section {
    fn name(self) -> &'static str {
        match self {
            Section::Acknowledgments => "acknowledgments",
            Section::ShallowInfo => "shallow-info",
            Section::WantedRefs => "wanted-refs",
            Section::Packfile => "packfile",
        }
    }
}

/// Lifecycle
impl ResponseParser {
    /// A parser bounding what it keeps by `limits`.
    pub fn new(limits: Limits) -> Self {
        ResponseParser {
            decoder: Decoder::default(),
            machine: Machine {
                limits,
                state: State::SectionStart,
                last_section: None,
                n_lines: 0,
                n_text_bytes: 0,
                saw_nak: false,
                saw_ack: false,
                saw_ready: false,
            },
        }
    }
}

/// Mutation
impl ResponseParser {
    /// Add the next chunk of the response body.
    pub fn feed(&mut self, bytes: &[u8]) {
        self.decoder.feed(bytes);
    }

    /// The next event, or `None` when more bytes are needed (or the response is complete).
    pub fn next_event(&mut self) -> Result<Option<Event<'_>>, Error> {
        loop {
            if let State::Done(_) = self.machine.state {
                return if self.decoder.is_empty() {
                    Ok(None)
                } else {
                    Err(Error::TrailingData)
                };
            }
            let Some(raw) = self.decoder.next_raw()? else {
                return Ok(None);
            };
            let packet = self.decoder.packet(&raw);
            if let Some(pending) = self.machine.step(packet, raw.payload.start)? {
                return Ok(Some(pending.resolve(&self.decoder)));
            }
        }
    }

    /// How the response ended, once the whole body was fed and every event taken; fails if
    /// the body ended early.
    pub fn finish(&self) -> Result<End, Error> {
        match self.machine.state {
            State::Done(end) if self.decoder.is_empty() => Ok(end),
            State::Done(_) => Err(Error::TrailingData),
            _ => Err(Error::Truncated),
        }
    }
}

/// Access
impl ResponseParser {
    /// Whether the `packfile` section has started.
    pub fn in_pack(&self) -> bool {
        self.machine.state == State::In(Section::Packfile)
    }
}

impl Machine {
    /// Handle one packet whose payload starts at `payload_start` in the decoder's buffer.
    fn step(
        &mut self,
        packet: PacketRef<'_>,
        payload_start: usize,
    ) -> Result<Option<Pending>, Error> {
        let packet = packet.check_error()?;
        if self.state != State::In(Section::Packfile) {
            self.n_lines += 1;
            self.n_text_bytes += packet.as_data().map_or(4, |data| data.len() + 4);
            if self.n_lines > self.limits.max_refs.saturating_add(8) {
                return Err(Error::TooManyLines {
                    limit: self.limits.max_refs,
                });
            }
            if self.n_text_bytes > self.limits.max_bytes {
                return Err(Error::TooLarge {
                    limit: self.limits.max_bytes,
                });
            }
        }
        let section = match self.state {
            State::SectionStart => return self.start_section(packet),
            State::In(section) => section,
            State::Done(_) => return Err(Error::TrailingData),
        };
        let data = match packet {
            PacketRef::Data(data) => data,
            PacketRef::Delimiter => {
                if section == Section::Packfile {
                    return Err(Error::UnexpectedPacket {
                        packet: "delimiter",
                        section: section.name(),
                    });
                }
                self.state = State::SectionStart;
                return Ok(None);
            }
            PacketRef::Flush => {
                let end = match section {
                    Section::Packfile => End::PackReceived,
                    Section::Acknowledgments if !self.saw_ready => End::NegotiationContinues,
                    _ => return Err(Error::MissingPackfile),
                };
                self.state = State::Done(end);
                return Ok(None);
            }
            PacketRef::ResponseEnd => {
                return Err(Error::UnexpectedPacket {
                    packet: "response-end",
                    section: section.name(),
                })
            }
        };
        let line = packetline::strip_newline(data);
        let invalid = || Error::InvalidLine {
            section: section.name(),
            line: crate::escape(line),
        };
        match section {
            Section::Acknowledgments => {
                let ack = if line == b"ready" {
                    self.saw_ready = true;
                    Acknowledgment::Ready
                } else {
                    let ack = parse_ack(line).ok_or_else(invalid)?;
                    match ack {
                        Acknowledgment::Nak => self.saw_nak = true,
                        Acknowledgment::Ack { status: None, .. } => self.saw_ack = true,
                        // v2 ACKs carry no status word.
                        Acknowledgment::Ack { .. } | Acknowledgment::Ready => return Err(invalid()),
                    }
                    ack
                };
                if self.saw_nak && self.saw_ack {
                    return Err(Error::NakWithAck);
                }
                Ok(Some(Pending::Event(Event::Acknowledgment(ack))))
            }
            Section::ShallowInfo => {
                let update = parse_shallow(line).ok_or_else(invalid)?;
                Ok(Some(Pending::Event(Event::ShallowUpdate(update))))
            }
            Section::WantedRefs => {
                let space = line
                    .iter()
                    .position(|&byte| byte == b' ')
                    .ok_or_else(invalid)?;
                let object_id = crate::parse_object_id(&line[..space]).ok_or_else(invalid)?;
                let name = &line[space + 1..];
                if !crate::is_wire_ref_name(name) {
                    return Err(invalid());
                }
                let name_start = payload_start + space + 1;
                Ok(Some(Pending::WantedRef {
                    object_id,
                    name: name_start..name_start + name.len(),
                }))
            }
            Section::Packfile => match sideband::decode(data)? {
                Band::Data(pack) => Ok((!pack.is_empty())
                    .then(|| Pending::PackData(payload_start + 1..payload_start + 1 + pack.len()))),
                Band::Progress(text) => Ok((!text.is_empty())
                    .then(|| Pending::Event(Event::Progress(sideband::sanitize(text))))),
                Band::Error(text) => Err(RemoteError::from_side_band(text).into()),
            },
        }
    }

    fn start_section(&mut self, packet: PacketRef<'_>) -> Result<Option<Pending>, Error> {
        let header = match packet {
            PacketRef::Data(_) => packet.as_text().unwrap_or_default(),
            PacketRef::Flush => {
                return Err(Error::UnexpectedPacket {
                    packet: "flush",
                    section: "place of a section header",
                })
            }
            PacketRef::Delimiter => {
                return Err(Error::UnexpectedPacket {
                    packet: "delimiter",
                    section: "place of a section header",
                })
            }
            PacketRef::ResponseEnd => {
                return Err(Error::UnexpectedPacket {
                    packet: "response-end",
                    section: "place of a section header",
                })
            }
        };
        let section = match header {
            b"acknowledgments" => Section::Acknowledgments,
            b"shallow-info" => Section::ShallowInfo,
            b"wanted-refs" => Section::WantedRefs,
            b"packfile" => Section::Packfile,
            b"packfile-uris" => return Err(Error::PackfileUrisNotRequested),
            other => {
                return Err(Error::UnknownSection {
                    name: crate::escape(other),
                })
            }
        };
        if self.last_section.is_some_and(|last| last >= section) {
            return Err(Error::SectionOutOfOrder {
                name: section.name(),
            });
        }
        self.last_section = Some(section);
        self.state = State::In(section);
        Ok((section == Section::Packfile).then_some(Pending::Event(Event::PackStart)))
    }
}
