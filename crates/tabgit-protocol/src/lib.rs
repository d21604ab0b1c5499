//! git's wire formats, sans-IO: what a client sends to and reads from a smart-HTTP server.
//!
//! Nothing here performs I/O or panics on any input, and what a parser keeps (refs,
//! capabilities, report lines) is bounded by the caller's [`Limits`].
//! Request builders return the exact bytes to POST; response parsers are fed the body in
//! chunks as they arrive and hand out what they parsed (pack data chunk by chunk, borrowed from
//! the chunk), so a large pack never has to be in memory twice.
//! Specifications: git's `Documentation/gitprotocol-common`, `gitprotocol-pack`,
//! `gitprotocol-http`, `gitprotocol-v2` and `gitprotocol-capabilities`.
//!
//! * [`packetline`]: pkt-line framing, streaming decoder, `ERR` packets.
//! * [`sideband`]: side-band demultiplexing and sanitizing server text for display.
//! * [`discovery`]: validating `GET info/refs?service=…` and reading the v0/v1 ref
//!   advertisement or the v2 capability advertisement.
//! * [`capabilities`]: the v0/v1 capability list.
//! * [`v2`]: protocol v2 capabilities and the `ls-refs` and `fetch` commands.
//! * [`v0`]: the protocol v0/v1 upload-pack request and response.
//! * [`fetch`]: what v0 and v2 fetches share: the request's arguments and the response's
//!   events.
//! * [`push`]: the receive-pack request (commands, capabilities, push options) and
//!   `report-status`/`report-status-v2`.
//!
//! ## Examples
//!
//! Discovery, then a protocol v2 fetch whose response arrives in two chunks:
//!
//! ```
//! use tabgit_protocol::{discovery, fetch, v2, Limits};
//!
//! let info_refs = b"000eversion 2\n0027fetch=shallow wait-for-done filter\n0000";
//! let advertisement = discovery::parse(
//!     discovery::Service::UploadPack,
//!     Some("application/x-git-upload-pack-advertisement"),
//!     info_refs,
//!     &Limits::default(),
//! )?;
//! let discovery::Advertisement::V2(capabilities) = advertisement else { unreachable!() };
//! assert!(capabilities.supports_fetch_feature("filter"));
//!
//! let mut arguments = fetch::Arguments::default();
//! arguments.wants.push("61bed7b336ca44f56ad9453f7f8a553b5d4d60a5".parse()?);
//! arguments.done = true;
//! let context = v2::Context::new(&capabilities, tabgit_protocol::AGENT);
//! let body = v2::fetch::request(&context, &arguments)?;
//! assert!(body.starts_with(b"0012command=fetch\n"));
//!
//! let mut parser = v2::fetch::ResponseParser::new(Limits::default());
//! let mut pack = Vec::new();
//! for chunk in [&b"000dpackfile\n0009\x01PACK"[..], b"0011\x02Counting: 1\n0000"] {
//!     parser.feed(chunk);
//!     while let Some(event) = parser.next_event()? {
//!         match event {
//!             fetch::Event::PackData(data) => pack.extend_from_slice(data),
//!             fetch::Event::Progress(text) => assert_eq!(text, "Counting: 1\n"),
//!             _ => {}
//!         }
//!     }
//! }
//! assert_eq!(parser.finish()?, fetch::End::PackReceived);
//! assert_eq!(pack, b"PACK");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod capabilities;
pub mod discovery;
pub mod fetch;
pub mod packetline;
pub mod push;
pub mod sideband;
pub mod v0;
pub mod v2;

pub use capabilities::Capabilities;
pub use packetline::{Packet, PacketRef, RemoteError};
pub use tabgit_hash::ObjectId;

/// The agent string tabgit sends (`agent=tabgit/<version>`) where the server advertised
/// `agent`.
pub const AGENT: &str = concat!("tabgit/", env!("CARGO_PKG_VERSION"));

/// A ref as a server advertised it, in a v0/v1 advertisement or a v2 `ls-refs` response.
///
/// The name is checked only as far as the wire format needs (not empty, no control characters,
/// no space); the full `git check-ref-format` rules belong to the caller, before a name becomes
/// a storage key (RELIABILITY.md row 31).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ref {
    /// The full name, such as `refs/heads/main` or `HEAD`.
    pub name: Vec<u8>,
    /// The object the ref points to; `None` only for an unborn symbolic ref (v2 `unborn`),
    /// which then has a `symref_target`.
    pub object_id: Option<ObjectId>,
    /// What an annotated tag peels to: v2 `peeled:<id>`, or v0's `<id> <name>^{}` line.
    pub peeled_id: Option<ObjectId>,
    /// The ref a symbolic ref points to: v2 `symref-target:<target>`, or v0's
    /// `symref=<name>:<target>` capability.
    pub symref_target: Option<Vec<u8>>,
}

/// Bounds on what a server can make a parser store (RELIABILITY.md goal 4 and row 31).
///
/// Pack data is not counted here: it is handed out as it arrives, and the pack indexer bounds
/// it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The most lines a response may hold that the parser keeps: refs, capabilities,
    /// `shallow`/`unshallow` lines, acknowledgments, wanted refs, push report lines.
    pub max_refs: usize,
    /// The most bytes of protocol text a response may have before its pack (or the whole
    /// response when it carries no pack).
    pub max_bytes: usize,
}

impl Default for Limits {
    /// 500,000 refs and 64 MiB: several times what the largest public repositories advertise
    /// with protocol v0, while keeping a browser tab's memory bounded.
    fn default() -> Self {
        Limits {
            max_refs: 500_000,
            max_bytes: 64 * 1024 * 1024,
        }
    }
}

/// Access
impl Ref {
    /// Whether this is a symbolic ref to a branch that does not exist yet (v2 `unborn`).
    pub fn is_unborn(&self) -> bool {
        self.object_id.is_none()
    }
}

/// Parse a 40-character hexadecimal object id; `None` if it is not one.
pub(crate) fn parse_object_id(hex: &[u8]) -> Option<ObjectId> {
    ObjectId::from_hex(hex).ok()
}

/// Whether `name` can be carried by the wire format as a ref name: not empty, no NUL, no space,
/// no other control characters, no DEL.
pub(crate) fn is_wire_ref_name(name: &[u8]) -> bool {
    !name.is_empty() && name.iter().all(|&byte| byte > b' ' && byte != 0x7f)
}

/// Bytes escaped for an error message: printable ASCII as is, everything else as `\xNN`, and
/// at most 200 bytes of input.
pub(crate) fn escape(bytes: &[u8]) -> String {
    const MAX: usize = 200;
    let mut text = bytes[..bytes.len().min(MAX)].escape_ascii().to_string();
    if bytes.len() > MAX {
        text.push('…');
    }
    text
}
