//! Push: the receive-pack request and the server's report.
//!
//! From `gitprotocol-pack` ("Reference Update Request and Packfile Transfer", "Report
//! Status") and `gitprotocol-http` ("Smart Service git-receive-pack"):
//!
//! ```text
//! update-request    =  command-list
//!                      [push-options]
//!                      [packfile]
//! command-list      =  PKT-LINE(command NUL capability-list)
//!                      *PKT-LINE(command)
//!                      flush-pkt
//! command           =  create / delete / update
//! create            =  zero-id SP new-id  SP name
//! delete            =  old-id  SP zero-id SP name
//! update            =  old-id  SP new-id  SP name
//! push-options      =  *PKT-LINE(push-option) flush-pkt
//! packfile          =  "PACK" 28*(OCTET)
//!
//! report-status     =  unpack-status
//!                      1*(command-status)
//!                      flush-pkt
//! unpack-status     =  PKT-LINE("unpack" SP unpack-result)
//! unpack-result     =  "ok" / error-msg
//! command-status    =  command-ok / command-fail
//! command-ok        =  PKT-LINE("ok" SP refname)
//!                      *option-line                          ; report-status-v2
//! command-fail      =  PKT-LINE("ng" SP refname SP error-msg)
//! option-line       =  PKT-LINE("option" SP "refname" SP refname)
//!                   /  PKT-LINE("option" SP "old-oid" SP obj-id)
//!                   /  PKT-LINE("option" SP "new-oid" SP obj-id)
//!                   /  PKT-LINE("option" SP "forced-update")
//! ```
//!
//! git writes the capability list with a leading space (`old new name\0 report-status …`),
//! as `gitprotocol-http` shows, and command lines without LF; [`request`] does the same.
//! "The packfile MUST NOT be sent if the only command used is delete", and must be sent
//! (possibly empty) otherwise: [`Request::pack_follows`] says which, and the caller appends
//! the pack to [`Request::body`].
//!
//! With `side-band-64k` the report arrives inside band 1 as nested pkt-lines, with the
//! server's messages (`remote: …`, hook output) on band 2, and the outer stream ends with its
//! own flush.
//! Per-ref outcomes are data ([`RefStatus`]); only a broken or cut response is an [`Error`].

use crate::{
    packetline,
    packetline::{decode::Decoder, encode},
    sideband::{self, Band},
    Capabilities, Limits, ObjectId, PacketRef, RemoteError,
};

/// The reason a push request could not be built or its report parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// No commands.
    #[error("a push needs at least one ref update")]
    NoCommands,
    /// A command's ref name is empty or contains spaces or control characters.
    #[error("invalid ref name \"{name}\" in a push command")]
    InvalidRefName {
        /// The name, escaped.
        name: String,
    },
    /// A command with both ids zero.
    #[error("push command for \"{name}\" neither creates, updates nor deletes")]
    NoOpCommand {
        /// The name, escaped.
        name: String,
    },
    /// The server lacks a capability this push needs; nothing was sent (RELIABILITY.md P4).
    #[error("the server does not support {feature}")]
    FeatureNotSupported {
        /// The feature and what needed it.
        feature: &'static str,
    },
    /// A push option or the agent contains characters the protocol does not allow.
    #[error("invalid {what} \"{value}\"")]
    InvalidValue {
        /// Which value (`push option`, `agent`).
        what: &'static str,
        /// The value, escaped.
        value: String,
    },
    /// A value does not fit in one pkt-line.
    #[error(transparent)]
    Encode(#[from] encode::Error),
    /// The framing is broken.
    #[error("protocol error in the push report: {0}")]
    Packet(#[from] packetline::decode::Error),
    /// The server sent `ERR <text>` or a side-band 3 message.
    #[error(transparent)]
    Remote(#[from] RemoteError),
    /// A packet is not a valid side-band packet.
    #[error("protocol error in the push report: {0}")]
    SideBand(#[from] sideband::Error),
    /// A report line is malformed or out of place.
    #[error("protocol error in the push report: unexpected line \"{line}\"")]
    InvalidLine {
        /// The line, escaped.
        line: String,
    },
    /// A special packet where the protocol does not allow it.
    #[error("protocol error in the push report: unexpected {packet} packet")]
    UnexpectedPacket {
        /// Which special packet.
        packet: &'static str,
    },
    /// The report ended early: the push may or may not have happened (RELIABILITY.md P5).
    #[error("the push report ended early: the outcome is unknown until the remote's refs are read again")]
    Truncated,
    /// Bytes after the end of the report.
    #[error("unexpected data after the end of the push report")]
    TrailingData,
    /// More report lines than [`Limits::max_refs`].
    #[error("the push report has more than {limit} lines")]
    TooManyLines {
        /// The limit that was hit.
        limit: usize,
    },
    /// More report bytes than [`Limits::max_bytes`].
    #[error("the push report is larger than {limit} bytes")]
    TooLarge {
        /// The limit that was hit.
        limit: usize,
    },
}

/// One ref update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    /// The id the ref has on the server now (from discovery); zero to create it.
    pub old_id: ObjectId,
    /// The id it should get; zero to delete it.
    pub new_id: ObjectId,
    /// The full ref name, such as `refs/heads/main`.
    pub name: Vec<u8>,
}

/// How to push, beyond the commands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Ask for `atomic`: all refs update or none. An error if the server lacks it.
    pub atomic: bool,
    /// Ask for `quiet` (if offered): no server-side progress.
    pub quiet: bool,
    /// Push options (`git push -o`); an error if the server lacks `push-options`.
    pub push_options: Vec<String>,
    /// Use side-band for the report, if offered, so server messages arrive as they happen.
    pub side_band: bool,
    /// The agent to send as `agent=<agent>`, if the server advertised `agent`.
    pub agent: String,
}

impl Default for Options {
    /// Not atomic, not quiet, no push options, side-band on, agent [`crate::AGENT`].
    fn default() -> Self {
        Options {
            atomic: false,
            quiet: false,
            push_options: Vec::new(),
            side_band: true,
            agent: crate::AGENT.to_owned(),
        }
    }
}

/// A receive-pack request, without its pack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The commands and push options; append the pack when [`Request::pack_follows`].
    pub body: Vec<u8>,
    /// Whether a pack must follow (any create or update); `false` for delete-only pushes.
    pub pack_follows: bool,
    /// The capabilities sent, in order.
    pub capabilities: Vec<String>,
    /// What the response will look like, for [`ResponseParser::new`].
    pub response: ResponseOptions,
}

/// What a receive-pack response looks like, which follows from the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResponseOptions {
    /// The report comes inside side-band.
    pub side_band: bool,
}

/// The server's report on a push.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// Whether the pack was unpacked.
    pub unpack: UnpackStatus,
    /// One status per reported ref, in the server's order.
    pub refs: Vec<RefStatus>,
}

/// The `unpack` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnpackStatus {
    /// `unpack ok`.
    Ok,
    /// `unpack <error>`: the pack was refused and no ref was updated (RELIABILITY.md P3).
    Failed {
        /// The server's reason, sanitized.
        reason: String,
    },
}

/// The outcome for one ref.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefStatus {
    /// The ref name as reported.
    pub name: Vec<u8>,
    /// Updated or rejected.
    pub outcome: RefOutcome,
    /// `report-status-v2` option lines: what a `proc-receive` hook really did.
    pub rewrite: Option<RefRewrite>,
}

/// Whether a ref was updated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefOutcome {
    /// `ok <ref>`.
    Ok,
    /// `ng <ref> <reason>`.
    Rejected {
        /// The server's reason, sanitized; [`Rejection::classify`] sorts it.
        reason: String,
    },
}

/// `report-status-v2` option lines after an `ok`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RefRewrite {
    /// `option refname <ref>`: the ref actually updated.
    pub refname: Option<Vec<u8>>,
    /// `option old-oid <id>`.
    pub old_id: Option<ObjectId>,
    /// `option new-oid <id>`.
    pub new_id: Option<ObjectId>,
    /// `option forced-update`.
    pub forced_update: bool,
}

/// Common reasons for `ng`, from `builtin/receive-pack.c` and `send-pack.c`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejection {
    /// `non-fast-forward`: the remote has commits the pushed one does not contain.
    NonFastForward,
    /// `fetch first`: the remote ref points at something the client does not have.
    FetchFirst,
    /// `stale info`, or the ref moved since discovery (`failed to update ref`, `cannot lock
    /// ref … but expected …`): RELIABILITY.md P6.
    Stale,
    /// `hook declined`, `pre-receive hook declined`.
    HookDeclined,
    /// `funny refname`: the server refused the ref name.
    FunnyRefname,
    /// `deletion prohibited`, `deletion of the current branch prohibited`.
    DeletionProhibited,
    /// `branch is currently checked out`.
    CurrentBranch,
    /// `deny updating a hidden ref`.
    HiddenRef,
    /// `missing necessary objects`, `bad pack`.
    MissingObjects,
    /// `shallow update not allowed`.
    ShallowUpdate,
    /// `atomic push failure`, `atomic transaction failed`: another ref failed an atomic push.
    AtomicPushFailed,
    /// `unpacker error`, `n/a (unpacker error)`: the pack was refused.
    UnpackerError,
    /// Anything else.
    Other,
}

/// Build a receive-pack request for `server` (the capabilities of its advertisement).
///
/// Capabilities in `send-pack.c`'s order: `report-status-v2` (else `report-status`),
/// `side-band-64k`, `quiet`, `atomic`, `push-options`, `object-format=<format>`,
/// `agent=<agent>`.
/// Deleting needs `delete-refs`, `atomic` needs `atomic` and push options need
/// `push-options`: a missing one is an error before anything is sent (RELIABILITY.md P4).
pub fn request(
    server: &Capabilities,
    commands: &[Command],
    options: &Options,
) -> Result<Request, Error> {
    if commands.is_empty() {
        return Err(Error::NoCommands);
    }
    for command in commands {
        if !crate::is_wire_ref_name(&command.name) {
            return Err(Error::InvalidRefName {
                name: crate::escape(&command.name),
            });
        }
        if command.old_id.is_null() && command.new_id.is_null() {
            return Err(Error::NoOpCommand {
                name: crate::escape(&command.name),
            });
        }
    }
    let deletes = commands.iter().any(|command| command.new_id.is_null());
    let needs = |condition: bool, capability: &str, feature: &'static str| {
        if condition && !server.contains(capability) {
            Err(Error::FeatureNotSupported { feature })
        } else {
            Ok(())
        }
    };
    needs(
        deletes,
        "delete-refs",
        "`delete-refs` (deleting remote refs)",
    )?;
    needs(options.atomic, "atomic", "`atomic` (atomic push)")?;
    needs(
        !options.push_options.is_empty(),
        "push-options",
        "`push-options` (push -o)",
    )?;
    if !server.contains("report-status") && !server.contains("report-status-v2") {
        return Err(Error::FeatureNotSupported {
            feature: "`report-status` (without it the outcome of a push is unknown)",
        });
    }
    for option in &options.push_options {
        if option.bytes().any(|byte| byte < b' ' || byte == 0x7f) {
            return Err(Error::InvalidValue {
                what: "push option",
                value: crate::escape(option.as_bytes()),
            });
        }
    }
    let agent = &options.agent;
    if agent.is_empty() || !agent.bytes().all(|byte| byte > b' ' && byte < 0x7f) {
        return Err(Error::InvalidValue {
            what: "agent",
            value: crate::escape(agent.as_bytes()),
        });
    }

    let mut capabilities = Vec::new();
    if server.contains("report-status-v2") {
        capabilities.push("report-status-v2".to_owned());
    } else {
        capabilities.push("report-status".to_owned());
    }
    let side_band = options.side_band && server.contains("side-band-64k");
    if side_band {
        capabilities.push("side-band-64k".to_owned());
    }
    if options.quiet && server.contains("quiet") {
        capabilities.push("quiet".to_owned());
    }
    if options.atomic {
        capabilities.push("atomic".to_owned());
    }
    if !options.push_options.is_empty() {
        capabilities.push("push-options".to_owned());
    }
    if let Some(format) = server.object_format() {
        capabilities.push(format!("object-format={}", String::from_utf8_lossy(format)));
    }
    if server.contains("agent") {
        capabilities.push(format!("agent={agent}"));
    }

    let mut body = Vec::new();
    for (command_idx, command) in commands.iter().enumerate() {
        let mut line = format!("{} {} ", command.old_id, command.new_id).into_bytes();
        line.extend_from_slice(&command.name);
        if command_idx == 0 {
            line.push(0);
            for capability in &capabilities {
                line.push(b' ');
                line.extend_from_slice(capability.as_bytes());
            }
        }
        encode::data(&line, &mut body)?;
    }
    encode::flush(&mut body);
    if !options.push_options.is_empty() {
        for option in &options.push_options {
            encode::data(option.as_bytes(), &mut body)?;
        }
        encode::flush(&mut body);
    }
    Ok(Request {
        body,
        pack_follows: commands.iter().any(|command| !command.new_id.is_null()),
        capabilities,
        response: ResponseOptions { side_band },
    })
}

/// Parse a whole receive-pack response at once; progress messages are returned beside the
/// report.
pub fn parse_response(
    body: &[u8],
    options: ResponseOptions,
    limits: &Limits,
) -> Result<(Report, Vec<String>), Error> {
    let mut parser = ResponseParser::new(options, *limits);
    parser.feed(body)?;
    let mut messages = Vec::new();
    while let Some(message) = parser.next_message() {
        messages.push(message);
    }
    Ok((parser.finish()?, messages))
}

/// A streaming parser for a receive-pack response (`report-status` or `report-status-v2`,
/// with or without side-band).
#[derive(Debug, Clone)]
pub struct ResponseParser {
    options: ResponseOptions,
    limits: Limits,
    /// The response body's pkt-lines.
    outer: Decoder,
    /// With side-band: the report's pkt-lines, from band 1.
    inner: Decoder,
    /// Sanitized band-2 messages not yet taken.
    messages: std::collections::VecDeque<String>,
    unpack: Option<UnpackStatus>,
    refs: Vec<RefStatus>,
    n_bytes: usize,
    report_done: bool,
    outer_done: bool,
}

/// Lifecycle
impl ResponseParser {
    /// A parser for the response to a request built with `options`.
    pub fn new(options: ResponseOptions, limits: Limits) -> Self {
        ResponseParser {
            options,
            limits,
            outer: Decoder::default(),
            inner: Decoder::default(),
            messages: std::collections::VecDeque::new(),
            unpack: None,
            refs: Vec::new(),
            n_bytes: 0,
            report_done: false,
            outer_done: false,
        }
    }
}

/// Mutation
impl ResponseParser {
    /// Parse the next chunk of the response body.
    pub fn feed(&mut self, bytes: &[u8]) -> Result<(), Error> {
        self.n_bytes = self.n_bytes.saturating_add(bytes.len());
        if self.n_bytes > self.limits.max_bytes {
            return Err(Error::TooLarge {
                limit: self.limits.max_bytes,
            });
        }
        self.outer.feed(bytes);
        if !self.options.side_band {
            while let Some(raw) = self.outer.next_raw()? {
                report_packet(
                    &mut self.unpack,
                    &mut self.refs,
                    &mut self.report_done,
                    self.limits,
                    self.outer.packet(&raw),
                )?;
            }
            return Ok(());
        }
        while let Some(raw) = self.outer.next_raw()? {
            if self.outer_done {
                return Err(Error::TrailingData);
            }
            match self.outer.packet(&raw).check_error()? {
                PacketRef::Data(data) => match sideband::decode(data)? {
                    Band::Data(nested) => self.inner.feed(nested),
                    Band::Progress(text) => {
                        if !text.is_empty() {
                            if self.messages.len() >= self.limits.max_refs {
                                return Err(Error::TooManyLines {
                                    limit: self.limits.max_refs,
                                });
                            }
                            self.messages.push_back(sideband::sanitize(text));
                        }
                    }
                    Band::Error(text) => return Err(RemoteError::from_side_band(text).into()),
                },
                PacketRef::Flush => self.outer_done = true,
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
            }
            while let Some(raw) = self.inner.next_raw()? {
                report_packet(
                    &mut self.unpack,
                    &mut self.refs,
                    &mut self.report_done,
                    self.limits,
                    self.inner.packet(&raw),
                )?;
            }
        }
        Ok(())
    }

    /// The next server message (band 2: `remote:` lines, hook output), sanitized.
    pub fn next_message(&mut self) -> Option<String> {
        self.messages.pop_front()
    }

    /// The report, once the whole response was fed; fails if it ended early, which leaves
    /// the push's outcome unknown (RELIABILITY.md P5).
    pub fn finish(self) -> Result<Report, Error> {
        let complete = self.report_done
            && (!self.options.side_band || self.outer_done)
            && self.outer.is_empty()
            && self.inner.is_empty();
        match self.unpack {
            Some(unpack) if complete => Ok(Report {
                unpack,
                refs: self.refs,
            }),
            _ => Err(Error::Truncated),
        }
    }
}

/// Handle one packet of the report itself.
fn report_packet(
    unpack: &mut Option<UnpackStatus>,
    refs: &mut Vec<RefStatus>,
    report_done: &mut bool,
    limits: Limits,
    packet: PacketRef<'_>,
) -> Result<(), Error> {
    if *report_done {
        return Err(Error::TrailingData);
    }
    let line = match packet.check_error()? {
        PacketRef::Data(_) => packet.as_text().unwrap_or_default(),
        PacketRef::Flush if unpack.is_some() => {
            *report_done = true;
            return Ok(());
        }
        PacketRef::Flush => return Err(Error::UnexpectedPacket { packet: "flush" }),
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
    let invalid = || Error::InvalidLine {
        line: crate::escape(line),
    };
    if unpack.is_none() {
        let result = line.strip_prefix(b"unpack ").ok_or_else(invalid)?;
        *unpack = Some(match result {
            b"ok" => UnpackStatus::Ok,
            b"" => return Err(invalid()),
            reason => UnpackStatus::Failed {
                reason: sideband::sanitize(reason),
            },
        });
        return Ok(());
    }
    if refs.len() >= limits.max_refs {
        return Err(Error::TooManyLines {
            limit: limits.max_refs,
        });
    }
    if let Some(name) = line.strip_prefix(b"ok ") {
        if !crate::is_wire_ref_name(name) {
            return Err(invalid());
        }
        refs.push(RefStatus {
            name: name.to_vec(),
            outcome: RefOutcome::Ok,
            rewrite: None,
        });
    } else if let Some(rest) = line.strip_prefix(b"ng ") {
        // git accepts `ng <ref>` without a reason (`send-pack.c`, `receive_status`).
        let (name, reason) = match rest.iter().position(|&byte| byte == b' ') {
            Some(space) => (&rest[..space], &rest[space + 1..]),
            None => (rest, &b""[..]),
        };
        if !crate::is_wire_ref_name(name) {
            return Err(invalid());
        }
        refs.push(RefStatus {
            name: name.to_vec(),
            outcome: RefOutcome::Rejected {
                reason: sideband::sanitize(reason),
            },
            rewrite: None,
        });
    } else if let Some(option) = line.strip_prefix(b"option ") {
        let Some(RefStatus {
            outcome: RefOutcome::Ok,
            rewrite,
            ..
        }) = refs.last_mut()
        else {
            return Err(invalid());
        };
        let rewrite = rewrite.get_or_insert_with(RefRewrite::default);
        if option == b"forced-update" {
            rewrite.forced_update = true;
        } else if let Some(name) = option.strip_prefix(b"refname ") {
            if !crate::is_wire_ref_name(name) {
                return Err(invalid());
            }
            rewrite.refname = Some(name.to_vec());
        } else if let Some(hex) = option.strip_prefix(b"old-oid ") {
            rewrite.old_id = Some(crate::parse_object_id(hex).ok_or_else(invalid)?);
        } else if let Some(hex) = option.strip_prefix(b"new-oid ") {
            rewrite.new_id = Some(crate::parse_object_id(hex).ok_or_else(invalid)?);
        } else {
            return Err(invalid());
        }
    } else {
        return Err(invalid());
    }
    Ok(())
}

/// Access
impl Command {
    /// Whether this creates the ref (old id zero).
    pub fn is_create(&self) -> bool {
        self.old_id.is_null()
    }

    /// Whether this deletes the ref (new id zero).
    pub fn is_delete(&self) -> bool {
        self.new_id.is_null()
    }
}

/// Access
impl Report {
    /// Whether the pack was unpacked and every ref updated.
    pub fn is_success(&self) -> bool {
        self.unpack == UnpackStatus::Ok
            && self
                .refs
                .iter()
                .all(|status| status.outcome == RefOutcome::Ok)
    }

    /// The status reported for `name`, if any.
    pub fn status(&self, name: &[u8]) -> Option<&RefStatus> {
        self.refs.iter().find(|status| status.name == name)
    }
}

/// Lifecycle
impl Rejection {
    /// Sort a server's `ng` reason into a common case.
    pub fn classify(reason: &str) -> Self {
        let reason = reason.trim();
        let has = |needle: &str| reason.contains(needle);
        if has("non-fast-forward") || has("non-fast forward") {
            Rejection::NonFastForward
        } else if has("fetch first") {
            Rejection::FetchFirst
        } else if has("stale info")
            || has("failed to update ref")
            || (has("cannot lock ref") && has("expected"))
        {
            Rejection::Stale
        } else if has("hook declined") {
            Rejection::HookDeclined
        } else if has("funny refname") {
            Rejection::FunnyRefname
        } else if has("deletion") && has("prohibited") {
            Rejection::DeletionProhibited
        } else if has("currently checked out") || has("checked out") {
            Rejection::CurrentBranch
        } else if has("hidden ref") {
            Rejection::HiddenRef
        } else if has("missing necessary objects") || has("bad pack") {
            Rejection::MissingObjects
        } else if has("shallow update not allowed") {
            Rejection::ShallowUpdate
        } else if has("atomic") {
            Rejection::AtomicPushFailed
        } else if has("unpacker error") || has("unpack") {
            Rejection::UnpackerError
        } else {
            Rejection::Other
        }
    }
}

/// Access
impl Rejection {
    /// A sentence a user can act on.
    pub fn message(self) -> &'static str {
        match self {
            Rejection::NonFastForward => {
                "rejected: the remote has commits you don't have; fetch and merge, then push"
            }
            Rejection::FetchFirst => {
                "rejected: the remote has work you don't have; fetch first, then push"
            }
            Rejection::Stale => {
                "rejected: the remote ref changed while pushing; fetch and try again"
            }
            Rejection::HookDeclined => {
                "rejected by a server hook; see the server's messages for the reason"
            }
            Rejection::FunnyRefname => "rejected: the server does not accept this ref name",
            Rejection::DeletionProhibited => {
                "rejected: the server does not allow deleting this ref"
            }
            Rejection::CurrentBranch => {
                "rejected: the branch is checked out in the server's non-bare repository"
            }
            Rejection::HiddenRef => "rejected: the server hides this ref and refuses updates to it",
            Rejection::MissingObjects => {
                "rejected: the server is missing objects this update needs; push again"
            }
            Rejection::ShallowUpdate => {
                "rejected: the server does not accept pushes from a shallow clone"
            }
            Rejection::AtomicPushFailed => {
                "not updated: another ref of this atomic push was rejected"
            }
            Rejection::UnpackerError => "rejected: the server could not unpack the pushed objects",
            Rejection::Other => "rejected by the server",
        }
    }
}

/// Access
impl RefOutcome {
    /// The classified reason of a rejection; `None` for `ok`.
    pub fn rejection(&self) -> Option<Rejection> {
        match self {
            RefOutcome::Ok => None,
            RefOutcome::Rejected { reason } => Some(Rejection::classify(reason)),
        }
    }
}
