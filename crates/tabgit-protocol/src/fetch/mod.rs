//! What protocol v0 and v2 fetches share: the request's [`Arguments`], and the [`Event`]s the
//! response parsers ([`crate::v2::fetch::ResponseParser`], [`crate::v0::ResponseParser`]) hand
//! out.
//!
//! Both versions send the same arguments (`gitprotocol-pack` "Packfile Negotiation",
//! `gitprotocol-v2` "fetch"), framed differently: v0 puts the capabilities on the first
//! `want` line, v2 sends each as its own line.
//!
//! ```text
//! want <oid>               an object the client wants
//! want-ref <ref>           v2 `ref-in-want` only: a ref the client wants, by name
//! have <oid>               an object the client has
//! done                     negotiation is over: send the pack
//! shallow <oid>            a commit whose parents the client does not have
//! deepen <depth>           a shallow fetch `depth` commits deep
//! deepen-since <time>      a shallow fetch cut at a time; not with `deepen`
//! deepen-not <rev>         a shallow fetch cut at a revision; not with `deepen`
//! deepen-relative          `deepen` counts from the client's shallow boundary
//! filter <filter-spec>     partial clone: omit objects (`blob:none`, `blob:limit=<n>`, …)
//! thin-pack, ofs-delta, include-tag, no-progress
//! ```

use crate::{ObjectId, Ref};

/// The reason fetch arguments cannot be sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// Nothing is wanted ("Clients MUST send at least one want command").
    #[error("a fetch needs at least one object or ref to want")]
    NoWants,
    /// `deepen` together with `deepen-since` or `deepen-not`, which the protocol forbids.
    #[error("a fetch can be cut by depth or by date/revision, not both")]
    ConflictingDeepen,
    /// `deepen 0`, which means "not shallow" and must not be sent.
    #[error("a shallow fetch needs a depth of at least 1")]
    ZeroDepth,
    /// A filter spec is empty or contains characters a pkt-line argument cannot carry.
    #[error("invalid filter spec \"{spec}\"")]
    InvalidFilter {
        /// The filter spec, escaped.
        spec: String,
    },
    /// A `deepen-not` revision or `want-ref` name is empty or contains spaces or control
    /// characters.
    #[error("invalid {what} \"{value}\"")]
    InvalidName {
        /// Which argument (`deepen-not` or `want-ref`).
        what: &'static str,
        /// The value, escaped.
        value: String,
    },
    /// The server did not advertise a feature the arguments need.
    #[error("the server does not support {feature}")]
    FeatureNotSupported {
        /// The feature, with what needed it, such as "`filter` (partial clone)".
        feature: &'static str,
    },
}

/// The arguments of a fetch request, for protocol v0 and v2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arguments {
    /// `want <oid>`: objects to fetch (usually ref tips).
    pub wants: Vec<ObjectId>,
    /// `want-ref <ref>`: refs to fetch by name (protocol v2 with `ref-in-want` only).
    pub want_refs: Vec<Vec<u8>>,
    /// `have <oid>`: objects the client has, newest first.
    pub haves: Vec<ObjectId>,
    /// Send `done`: the server must answer with a pack.
    pub done: bool,
    /// `thin-pack`: deltas may use bases the client has; the pack indexer must complete it.
    pub thin_pack: bool,
    /// `ofs-delta`: deltas may name their base by offset.
    pub ofs_delta: bool,
    /// `include-tag`: send annotated tags that point at sent objects.
    pub include_tag: bool,
    /// `no-progress`: no side-band 2 progress.
    pub no_progress: bool,
    /// `shallow <oid>`: the client's existing shallow boundary (its `.git/shallow`).
    pub shallow: Vec<ObjectId>,
    /// `deepen <depth>`: history depth for a shallow fetch.
    pub deepen: Option<u32>,
    /// `deepen-since <time>`: cut history at this time (seconds since the epoch).
    pub deepen_since: Option<i64>,
    /// `deepen-not <rev>`: cut history at these revisions.
    pub deepen_not: Vec<Vec<u8>>,
    /// `deepen-relative`: `deepen` counts from the current shallow boundary.
    pub deepen_relative: bool,
    /// `filter <spec>`: partial clone filter, such as `blob:none`.
    pub filter: Option<String>,
}

impl Default for Arguments {
    /// No wants; `thin-pack`, `ofs-delta` and `include-tag` on; progress on; no `done`.
    fn default() -> Self {
        Arguments {
            wants: Vec::new(),
            want_refs: Vec::new(),
            haves: Vec::new(),
            done: false,
            thin_pack: true,
            ofs_delta: true,
            include_tag: true,
            no_progress: false,
            shallow: Vec::new(),
            deepen: None,
            deepen_since: None,
            deepen_not: Vec::new(),
            deepen_relative: false,
            filter: None,
        }
    }
}

/// One thing a fetch response parser found, in the order of the response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event<'a> {
    /// An acknowledgment line (`NAK`, `ACK <id> [status]`, v2 `ready`).
    Acknowledgment(Acknowledgment),
    /// A `shallow <id>` or `unshallow <id>` line: the new shallow boundary.
    ShallowUpdate(ShallowUpdate),
    /// A v2 `wanted-refs` line: the id a `want-ref` resolved to.
    WantedRef {
        /// The object the ref points to.
        object_id: ObjectId,
        /// The ref's name.
        name: &'a [u8],
    },
    /// The pack starts (v2 `packfile` section header, or the end of v0 negotiation).
    PackStart,
    /// The next chunk of the pack, in order; hand it to the pack indexer.
    PackData(&'a [u8]),
    /// Progress text from side-band 2, sanitized ([`crate::sideband::sanitize`]).
    Progress(String),
}

/// An acknowledgment line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Acknowledgment {
    /// `NAK`: none of the haves so far are common (or, in v0, the end of a round).
    Nak,
    /// `ACK <id> [status]`: the server has this object too.
    Ack {
        /// The common object.
        object_id: ObjectId,
        /// The v0 `multi_ack` status; `None` for v2 and for v0's final ACK.
        status: Option<AckStatus>,
    },
    /// v2 `ready`: a pack follows in this response.
    Ready,
}

/// The status word of a protocol v0 `multi_ack`/`multi_ack_detailed` ACK.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AckStatus {
    /// `continue` (`multi_ack`): common; keep going.
    Continue,
    /// `common` (`multi_ack_detailed`): common.
    Common,
    /// `ready` (`multi_ack_detailed`): the server can make a pack now.
    Ready,
}

/// A change of the client's shallow boundary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShallowUpdate {
    /// `shallow <id>`: this commit's parents are not sent; record it as shallow.
    Shallow(ObjectId),
    /// `unshallow <id>`: this formerly shallow commit's parents are sent now.
    Unshallow(ObjectId),
}

/// How a fetch response ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// The pack was sent completely (the pack indexer still verifies it).
    PackReceived,
    /// No pack: the client sends another negotiation round (with more haves, or `done`).
    NegotiationContinues,
}

/// A whole fetch response, collected by `parse_response` for small responses and tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// Acknowledgment lines in order.
    pub acknowledgments: Vec<Acknowledgment>,
    /// Shallow boundary changes in order.
    pub shallow_updates: Vec<ShallowUpdate>,
    /// v2 `wanted-refs` lines, as refs.
    pub wanted_refs: Vec<Ref>,
    /// The pack bytes.
    pub pack: Vec<u8>,
    /// Progress messages, one per side-band packet.
    pub progress: Vec<String>,
    /// How the response ended.
    pub end: End,
}

/// Access
impl Arguments {
    /// Whether the request asks for a shallow update (so v0 servers answer with a
    /// shallow-update section first).
    pub fn is_shallow_request(&self) -> bool {
        self.deepen.is_some()
            || self.deepen_since.is_some()
            || !self.deepen_not.is_empty()
            || !self.shallow.is_empty()
    }

    /// Check the arguments for what the protocol forbids in any version.
    pub fn validate(&self) -> Result<(), Error> {
        if self.wants.is_empty() && self.want_refs.is_empty() {
            return Err(Error::NoWants);
        }
        if self.deepen == Some(0) {
            return Err(Error::ZeroDepth);
        }
        if self.deepen.is_some() && (self.deepen_since.is_some() || !self.deepen_not.is_empty()) {
            return Err(Error::ConflictingDeepen);
        }
        if let Some(spec) = &self.filter {
            if spec.is_empty() || spec.bytes().any(|byte| byte <= b' ' || byte == 0x7f) {
                return Err(Error::InvalidFilter {
                    spec: crate::escape(spec.as_bytes()),
                });
            }
        }
        for (what, names) in [
            ("deepen-not", &self.deepen_not),
            ("want-ref", &self.want_refs),
        ] {
            if let Some(bad) = names.iter().find(|name| !crate::is_wire_ref_name(name)) {
                return Err(Error::InvalidName {
                    what,
                    value: crate::escape(bad),
                });
            }
        }
        Ok(())
    }
}

/// Lifecycle
impl Response {
    pub(crate) fn new() -> Self {
        Response {
            acknowledgments: Vec::new(),
            shallow_updates: Vec::new(),
            wanted_refs: Vec::new(),
            pack: Vec::new(),
            progress: Vec::new(),
            end: End::NegotiationContinues,
        }
    }

    /// Record `event`.
    pub(crate) fn push(&mut self, event: Event<'_>) {
        match event {
            Event::Acknowledgment(ack) => self.acknowledgments.push(ack),
            Event::ShallowUpdate(update) => self.shallow_updates.push(update),
            Event::WantedRef { object_id, name } => self.wanted_refs.push(Ref {
                name: name.to_vec(),
                object_id: Some(object_id),
                peeled_id: None,
                symref_target: None,
            }),
            Event::PackStart => {}
            Event::PackData(data) => self.pack.extend_from_slice(data),
            Event::Progress(text) => self.progress.push(text),
        }
    }
}

/// An event whose borrowed parts are positions in a decoder's buffer, so that a parser can
/// update its state before borrowing the buffer for the returned [`Event`].
#[derive(Debug)]
pub(crate) enum Pending {
    Event(Event<'static>),
    WantedRef {
        object_id: ObjectId,
        name: std::ops::Range<usize>,
    },
    PackData(std::ops::Range<usize>),
}

impl Pending {
    pub(crate) fn resolve(self, decoder: &crate::packetline::Decoder) -> Event<'_> {
        match self {
            Pending::Event(event) => event,
            Pending::WantedRef { object_id, name } => Event::WantedRef {
                object_id,
                name: decoder.slice(name),
            },
            Pending::PackData(range) => Event::PackData(decoder.slice(range)),
        }
    }
}

/// Parse `ACK <id> [status]` or `NAK` (protocol v0) and `ACK <id>` (v2, no status).
pub(crate) fn parse_ack(line: &[u8]) -> Option<Acknowledgment> {
    if line == b"NAK" {
        return Some(Acknowledgment::Nak);
    }
    let rest = line.strip_prefix(b"ACK ")?;
    let (hex, status) = match rest.iter().position(|&byte| byte == b' ') {
        Some(space) => (&rest[..space], Some(&rest[space + 1..])),
        None => (rest, None),
    };
    let object_id = crate::parse_object_id(hex)?;
    let status = match status {
        None => None,
        Some(b"continue") => Some(AckStatus::Continue),
        Some(b"common") => Some(AckStatus::Common),
        Some(b"ready") => Some(AckStatus::Ready),
        Some(_) => return None,
    };
    Some(Acknowledgment::Ack { object_id, status })
}

/// Parse `shallow <id>` or `unshallow <id>`.
pub(crate) fn parse_shallow(line: &[u8]) -> Option<ShallowUpdate> {
    if let Some(hex) = line.strip_prefix(b"shallow ") {
        Some(ShallowUpdate::Shallow(crate::parse_object_id(hex)?))
    } else {
        let hex = line.strip_prefix(b"unshallow ")?;
        Some(ShallowUpdate::Unshallow(crate::parse_object_id(hex)?))
    }
}
