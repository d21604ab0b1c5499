//! Protocol v0/v1 upload-pack over stateless HTTP: the request and its response.
//!
//! From `gitprotocol-pack` ("Packfile Negotiation", "Packfile Data") and `gitprotocol-http`
//! ("Smart Service git-upload-pack"):
//!
//! ```text
//! request         =  want-list
//!                    *shallow-line
//!                    *1depth-request
//!                    [filter-request]
//!                    flush-pkt
//!                    *have-line
//!                    ("done" / flush-pkt)        ; the flush only after haves
//! first-want      =  PKT-LINE("want" SP obj-id SP capability-list)
//! additional-want =  PKT-LINE("want" SP obj-id)
//! shallow-line    =  PKT-LINE("shallow" SP obj-id)
//! depth-request   =  PKT-LINE("deepen" SP depth) /
//!                    PKT-LINE("deepen-since" SP timestamp) /
//!                    PKT-LINE("deepen-not" SP ref)
//! filter-request  =  PKT-LINE("filter" SP filter-spec)
//! have-line       =  PKT-LINE("have" SP obj-id)
//!
//! response        =  [shallow-update]            ; when the request had shallow arguments
//!                    *ack-line
//!                    [pack]
//! shallow-update  =  *PKT-LINE("shallow" SP obj-id)
//!                    *PKT-LINE("unshallow" SP obj-id)
//!                    flush-pkt
//! ack-line        =  PKT-LINE("ACK" SP obj-id [SP ("continue" / "common" / "ready")])
//!                 /  PKT-LINE("NAK")
//! pack            =  *side-band-pkt flush-pkt    ; with side-band(-64k)
//!                 /  "PACK" *OCTET               ; without
//! ```
//!
//! Over stateless HTTP the pack follows the final `ACK <id>` (no status word) or, when the
//! request said `done`, a `NAK`; with `no-done` it follows `ACK <id> ready`, `NAK`,
//! `ACK <id>` (`upload-pack.c`, `get_common_commits`).
//! A request without `done` gets a response that ends after its `NAK` (or after the
//! shallow-update, when it had no haves): the client sends another round.

use crate::{
    fetch::{
        self, parse_ack, parse_shallow, AckStatus, Acknowledgment, Arguments, End, Event, Pending,
    },
    packetline::{self, decode::Decoder, encode},
    sideband::{self, Band},
    Capabilities, Limits, PacketRef, RemoteError,
};

/// The reason an upload-pack request could not be built or its response parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The arguments break a protocol rule or need a feature the server lacks.
    #[error(transparent)]
    Arguments(#[from] fetch::Error),
    /// A value does not fit in one pkt-line.
    #[error(transparent)]
    Encode(#[from] encode::Error),
    /// `want-ref` exists only in protocol v2.
    #[error("fetching refs by name (want-ref) needs protocol v2")]
    WantRefNeedsV2,
    /// The agent string is not printable ASCII without spaces.
    #[error("invalid agent string \"{agent}\"")]
    InvalidAgent {
        /// The agent, escaped.
        agent: String,
    },
    /// The framing is broken.
    #[error("protocol error in the upload-pack response: {0}")]
    Packet(#[from] packetline::decode::Error),
    /// The server sent `ERR <text>` or a side-band 3 message.
    #[error(transparent)]
    Remote(#[from] RemoteError),
    /// A pack packet is not a valid side-band packet.
    #[error("protocol error in the upload-pack response: {0}")]
    SideBand(#[from] sideband::Error),
    /// A line is not what the protocol allows at that point.
    #[error("protocol error in the upload-pack response: unexpected line \"{line}\"")]
    InvalidLine {
        /// The line, escaped.
        line: String,
    },
    /// A special packet where the protocol does not allow it.
    #[error("protocol error in the upload-pack response: unexpected {packet} packet")]
    UnexpectedPacket {
        /// Which special packet.
        packet: &'static str,
    },
    /// The response ended before the pack was complete.
    #[error("the upload-pack response ended early (connection cut?)")]
    Truncated,
    /// Bytes after the end of the response.
    #[error("unexpected data after the end of the upload-pack response")]
    TrailingData,
    /// More lines than [`Limits::max_refs`] before the pack.
    #[error("the upload-pack response has more than {limit} lines before the pack")]
    TooManyLines {
        /// The limit that was hit.
        limit: usize,
    },
    /// More bytes than [`Limits::max_bytes`] before the pack.
    #[error("the upload-pack response has more than {limit} bytes before the pack")]
    TooLarge {
        /// The limit that was hit.
        limit: usize,
    },
}

/// An upload-pack request body and how to read its response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The bytes to POST to `$GIT_URL/git-upload-pack`.
    pub body: Vec<u8>,
    /// What the response will look like, for [`ResponseParser::new`].
    pub response: ResponseOptions,
    /// The capabilities sent on the first `want` line, in order.
    pub capabilities: Vec<String>,
}

/// What an upload-pack response looks like, which follows from the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResponseOptions {
    /// The side-band mode asked for; `None` means the pack comes unframed.
    pub side_band: Option<sideband::Mode>,
    /// The request had shallow arguments, so a shallow-update section comes first.
    pub shallow_update: bool,
    /// The request said `done`, so a pack must follow.
    pub done: bool,
}

/// Build an upload-pack request for `server` (the capabilities of its ref advertisement).
///
/// Capabilities are chosen as `fetch-pack.c` chooses them, in its order:
/// `multi_ack_detailed` (else `multi_ack`), `no-done` (stateless HTTP with
/// `multi_ack_detailed`), `side-band-64k` (else `side-band`), `deepen-relative`, `thin-pack`,
/// `no-progress`, `include-tag`, `ofs-delta`, `deepen-since`, `deepen-not` (git sends these two
/// whenever the server offers them), `agent=<agent>` (if the server sent `agent`), `filter`;
/// each only when the server offers it and the arguments ask for it.
/// Arguments that need a missing capability (`shallow`, `filter`, `deepen-since`,
/// `deepen-not`, `deepen-relative`) are an error rather than silently dropped.
pub fn request(
    server: &Capabilities,
    arguments: &Arguments,
    agent: &str,
) -> Result<Request, Error> {
    arguments.validate()?;
    if !arguments.want_refs.is_empty() {
        return Err(Error::WantRefNeedsV2);
    }
    let needs = |condition: bool, capability: &str, feature: &'static str| {
        if condition && !server.contains(capability) {
            Err(fetch::Error::FeatureNotSupported { feature })
        } else {
            Ok(())
        }
    };
    needs(
        arguments.is_shallow_request(),
        "shallow",
        "`shallow` (shallow clone and fetch)",
    )?;
    needs(
        arguments.filter.is_some(),
        "filter",
        "`filter` (partial clone)",
    )?;
    needs(
        arguments.deepen_since.is_some(),
        "deepen-since",
        "`deepen-since` (shallow fetch by date)",
    )?;
    needs(
        !arguments.deepen_not.is_empty(),
        "deepen-not",
        "`deepen-not` (shallow fetch excluding a revision)",
    )?;
    needs(
        arguments.deepen_relative,
        "deepen-relative",
        "`deepen-relative` (deepening a shallow clone)",
    )?;
    if agent.is_empty() || !agent.bytes().all(|byte| byte > b' ' && byte < 0x7f) {
        return Err(Error::InvalidAgent {
            agent: crate::escape(agent.as_bytes()),
        });
    }

    let mut capabilities = Vec::new();
    let mut add = |condition: bool, capability: &str| {
        if condition && server.contains(capability) {
            capabilities.push(capability.to_owned());
            true
        } else {
            false
        }
    };
    let multi_ack_detailed = add(true, "multi_ack_detailed");
    if !multi_ack_detailed {
        add(true, "multi_ack");
    }
    add(multi_ack_detailed, "no-done");
    let side_band = if add(true, "side-band-64k") {
        Some(sideband::Mode::SideBand64k)
    } else if add(true, "side-band") {
        Some(sideband::Mode::SideBand)
    } else {
        None
    };
    add(arguments.deepen_relative, "deepen-relative");
    add(arguments.thin_pack, "thin-pack");
    add(arguments.no_progress, "no-progress");
    add(arguments.include_tag, "include-tag");
    add(arguments.ofs_delta, "ofs-delta");
    add(true, "deepen-since");
    add(true, "deepen-not");
    if server.contains("agent") {
        capabilities.push(format!("agent={agent}"));
    }
    if arguments.filter.is_some() {
        capabilities.push("filter".to_owned());
    }

    let mut body = Vec::new();
    for (want_idx, want_id) in arguments.wants.iter().enumerate() {
        let mut line = format!("want {want_id}");
        if want_idx == 0 {
            for capability in &capabilities {
                line.push(' ');
                line.push_str(capability);
            }
        }
        encode::text(line.as_bytes(), &mut body)?;
    }
    for shallow_id in &arguments.shallow {
        encode::text(format!("shallow {shallow_id}").as_bytes(), &mut body)?;
    }
    if let Some(depth) = arguments.deepen {
        encode::text(format!("deepen {depth}").as_bytes(), &mut body)?;
    }
    if let Some(time) = arguments.deepen_since {
        encode::text(format!("deepen-since {time}").as_bytes(), &mut body)?;
    }
    for rev in &arguments.deepen_not {
        encode::text(&[&b"deepen-not "[..], rev].concat(), &mut body)?;
    }
    if let Some(spec) = &arguments.filter {
        encode::text(format!("filter {spec}").as_bytes(), &mut body)?;
    }
    encode::flush(&mut body);
    for have_id in &arguments.haves {
        encode::text(format!("have {have_id}").as_bytes(), &mut body)?;
    }
    if arguments.done {
        encode::text(b"done", &mut body)?;
    } else if !arguments.haves.is_empty() {
        encode::flush(&mut body);
    }
    Ok(Request {
        body,
        response: ResponseOptions {
            side_band,
            shallow_update: arguments.is_shallow_request(),
            done: arguments.done,
        },
        capabilities,
    })
}

/// Parse a whole upload-pack response (the pack included) at once.
pub fn parse_response(
    body: &[u8],
    options: ResponseOptions,
    limits: &Limits,
) -> Result<fetch::Response, Error> {
    let mut parser = ResponseParser::new(options, *limits);
    let mut response = fetch::Response::new();
    parser.feed(body);
    while let Some(event) = parser.next_event()? {
        response.push(event);
    }
    response.end = parser.finish()?;
    Ok(response)
}

/// A streaming parser for a protocol v0/v1 upload-pack response.
///
/// Used like [`crate::v2::fetch::ResponseParser`]: feed chunks, take events until `None`,
/// then [`ResponseParser::finish`] at the end of the body.
#[derive(Debug, Clone)]
pub struct ResponseParser {
    decoder: Decoder,
    machine: Machine,
}

#[derive(Debug, Clone)]
struct Machine {
    options: ResponseOptions,
    limits: Limits,
    state: State,
    n_lines: usize,
    n_text_bytes: usize,
    saw_ready: bool,
    /// `PackStart` is due before anything else.
    pack_start_pending: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// `shallow`/`unshallow` lines until a flush.
    ShallowUpdate,
    /// ACK and NAK lines.
    Acknowledgments,
    /// The round is over without a pack: nothing else may come.
    RoundEnded,
    /// The pack may come; `started` once its first packet did.
    Pack { started: bool },
    /// The side-band pack's final flush was read.
    Done,
}

/// Lifecycle
impl ResponseParser {
    /// A parser for a response to a request built with `options`.
    pub fn new(options: ResponseOptions, limits: Limits) -> Self {
        ResponseParser {
            decoder: Decoder::default(),
            machine: Machine {
                options,
                limits,
                state: if options.shallow_update {
                    State::ShallowUpdate
                } else {
                    State::Acknowledgments
                },
                n_lines: 0,
                n_text_bytes: 0,
                saw_ready: false,
                pack_start_pending: false,
            },
        }
    }
}

/// What the front of the unframed pack position holds (v0 without side-band).
enum PackFront {
    /// A whole `ERR` packet: the server failed instead of packing.
    Err(RemoteError),
    /// Too few bytes to tell a pack from an `ERR` packet yet.
    Undecided,
    /// Not an `ERR` packet: the pack (checked by the indexer).
    Pack,
}

/// Mutation
impl ResponseParser {
    /// Add the next chunk of the response body.
    pub fn feed(&mut self, bytes: &[u8]) {
        self.decoder.feed(bytes);
    }

    /// The next event, or `None` when more bytes are needed (or the response is complete).
    pub fn next_event(&mut self) -> Result<Option<Event<'_>>, Error> {
        if std::mem::take(&mut self.machine.pack_start_pending) {
            return Ok(Some(Event::PackStart));
        }
        loop {
            match self.machine.state {
                State::Done | State::RoundEnded => {
                    return if self.decoder.is_empty() {
                        Ok(None)
                    } else {
                        Err(Error::TrailingData)
                    };
                }
                State::Pack { started } if self.machine.options.side_band.is_none() => {
                    if !started {
                        // A server that fails instead of packing sends `ERR` framed; until the
                        // front is known not to be one, wait, so that how the body is cut
                        // into chunks never changes the answer.
                        match self.peek_err_packet() {
                            PackFront::Err(err) => return Err(err.into()),
                            PackFront::Undecided => return Ok(None),
                            PackFront::Pack => {}
                        }
                    }
                    let Some(range) = self.decoder.take_raw() else {
                        return Ok(None);
                    };
                    self.machine.state = State::Pack { started: true };
                    return Ok(Some(Event::PackData(self.decoder.slice(range))));
                }
                _ => {}
            }
            let Some(raw) = self.decoder.next_raw()? else {
                return Ok(None);
            };
            let packet = self.decoder.packet(&raw);
            if let Some(pending) = step(&mut self.machine, packet, raw.payload.start)? {
                return Ok(Some(pending.resolve(&self.decoder)));
            }
        }
    }

    /// How the response ended, once the whole body was fed and every event taken; fails if
    /// the body ended early.
    pub fn finish(&self) -> Result<End, Error> {
        if !self.decoder.is_empty() {
            return Err(
                if matches!(self.machine.state, State::Done | State::RoundEnded) {
                    Error::TrailingData
                } else {
                    Error::Truncated
                },
            );
        }
        match self.machine.state {
            State::Done => Ok(End::PackReceived),
            State::Pack { started: true } if self.machine.options.side_band.is_none() => {
                Ok(End::PackReceived)
            }
            State::RoundEnded => Ok(End::NegotiationContinues),
            State::Acknowledgments | State::Pack { started: false }
                if !self.machine.options.done =>
            {
                Ok(End::NegotiationContinues)
            }
            _ => Err(Error::Truncated),
        }
    }

    /// What the front of the unframed pack position holds: a whole `ERR` packet, the start of
    /// one (or too few bytes to tell), or anything else, which is the pack.
    fn peek_err_packet(&self) -> PackFront {
        let buffered = self.decoder.buffered();
        if buffered.starts_with(b"PACK") {
            return PackFront::Pack;
        }
        match packetline::decode::streaming(buffered) {
            Ok(packetline::decode::Stream::Complete { packet, .. }) => packet
                .check_error()
                .err()
                .map_or(PackFront::Pack, PackFront::Err),
            // A length prefix still arriving, or a packet whose payload so far could begin
            // with `ERR `: more bytes decide. (A body that ends here is truncated either way.)
            Ok(packetline::decode::Stream::Incomplete { .. }) => {
                let payload = buffered.get(4..).unwrap_or_default();
                let shared = payload.len().min(packetline::ERR_PREFIX.len());
                if buffered.len() < 4 || payload[..shared] == packetline::ERR_PREFIX[..shared] {
                    PackFront::Undecided
                } else {
                    PackFront::Pack
                }
            }
            Err(_) => PackFront::Pack,
        }
    }
}

/// Access
impl ResponseParser {
    /// Whether negotiation is over and the pack (or its place) has been reached.
    pub fn in_pack(&self) -> bool {
        matches!(self.machine.state, State::Pack { .. })
    }
}

/// Handle one packet whose payload starts at `payload_start` in the decoder's buffer.
fn step(
    parser: &mut Machine,
    packet: PacketRef<'_>,
    payload_start: usize,
) -> Result<Option<Pending>, Error> {
    let packet = packet.check_error()?;
    if !matches!(parser.state, State::Pack { .. }) {
        parser.n_lines += 1;
        parser.n_text_bytes += packet.as_data().map_or(4, |data| data.len() + 4);
        if parser.n_lines > parser.limits.max_refs.saturating_add(8) {
            return Err(Error::TooManyLines {
                limit: parser.limits.max_refs,
            });
        }
        if parser.n_text_bytes > parser.limits.max_bytes {
            return Err(Error::TooLarge {
                limit: parser.limits.max_bytes,
            });
        }
    }
    let data = match packet {
        PacketRef::Data(data) => data,
        PacketRef::Flush => {
            return match parser.state {
                State::ShallowUpdate => {
                    parser.state = State::Acknowledgments;
                    Ok(None)
                }
                State::Pack { .. } => {
                    parser.state = State::Done;
                    Ok(None)
                }
                _ => Err(Error::UnexpectedPacket { packet: "flush" }),
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
    let line = packetline::strip_newline(data);
    let invalid = || Error::InvalidLine {
        line: crate::escape(line),
    };
    match parser.state {
        State::ShallowUpdate => {
            let update = parse_shallow(line).ok_or_else(invalid)?;
            Ok(Some(Pending::Event(Event::ShallowUpdate(update))))
        }
        State::Acknowledgments => {
            let ack = parse_ack(line).ok_or_else(invalid)?;
            let pack_follows = match ack {
                Acknowledgment::Ack {
                    status: Some(AckStatus::Ready),
                    ..
                } => {
                    parser.saw_ready = true;
                    false
                }
                Acknowledgment::Ack {
                    status: Some(_), ..
                }
                | Acknowledgment::Ready => false,
                // The final ACK: the pack follows (`done` sent, or `no-done` after `ready`).
                Acknowledgment::Ack { status: None, .. } => true,
                Acknowledgment::Nak if parser.options.done => true,
                // With `no-done`, `ready` is followed by NAK and a final ACK.
                Acknowledgment::Nak if parser.saw_ready => false,
                Acknowledgment::Nak => {
                    parser.state = State::RoundEnded;
                    return Ok(Some(Pending::Event(Event::Acknowledgment(ack))));
                }
            };
            if pack_follows {
                parser.state = State::Pack { started: false };
                parser.pack_start_pending = true;
            }
            Ok(Some(Pending::Event(Event::Acknowledgment(ack))))
        }
        State::Pack { .. } => {
            parser.state = State::Pack { started: true };
            match sideband::decode(data)? {
                Band::Data(pack) => Ok((!pack.is_empty())
                    .then(|| Pending::PackData(payload_start + 1..payload_start + 1 + pack.len()))),
                Band::Progress(text) => Ok((!text.is_empty())
                    .then(|| Pending::Event(Event::Progress(sideband::sanitize(text))))),
                Band::Error(text) => Err(RemoteError::from_side_band(text).into()),
            }
        }
        State::RoundEnded | State::Done => Err(Error::TrailingData),
    }
}
