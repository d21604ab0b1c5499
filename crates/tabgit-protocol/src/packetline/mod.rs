//! pkt-lines: the framing of every message in git's wire protocols.
//!
//! From `gitprotocol-common` ("pkt-line Format") and `gitprotocol-v2` ("Packet-Line Framing"):
//!
//! ```text
//! pkt-line          =  data-pkt / flush-pkt / delim-pkt / response-end-pkt
//! data-pkt          =  pkt-len pkt-payload
//! pkt-len           =  4*(HEXDIG)                ; includes its own 4 bytes
//! pkt-payload       =  (pkt-len - 4)*(OCTET)     ; at most 65516 bytes
//! flush-pkt         =  "0000"
//! delim-pkt         =  "0001"                    ; protocol v2: separates sections
//! response-end-pkt  =  "0002"                    ; protocol v2: end of a stateless response
//! error-line        =  PKT-LINE("ERR" SP explanation-text)
//! ```
//!
//! Lengths `0003` and above 65520 are framing errors (`pkt-line.c`: "protocol error: bad line
//! length"); `0004` is an empty data packet, which git never sends but accepts.
//! An `ERR ` packet "may appear wherever a pkt-line is expected" and ends the exchange
//! (`gitprotocol-pack`); decoding returns it as [`PacketRef::Data`], and
//! [`PacketRef::check_error`] turns it into a [`RemoteError`].
//! The response parsers of this crate call it on every packet they read.
//!
//! * [`encode`] writes packets into a `Vec<u8>`.
//! * [`decode`] reads one packet from the start of a buffer ([`decode::streaming`]) and holds
//!   the streaming [`Decoder`], which is fed bytes in chunks of any size.

pub mod decode;
pub mod encode;

pub use decode::Decoder;

/// The largest pkt-line, length prefix included (`LARGE_PACKET_MAX` in git's `pkt-line.h`).
pub const MAX_LINE_LEN: usize = 65520;
/// The largest payload of a data pkt-line.
pub const MAX_DATA_LEN: usize = MAX_LINE_LEN - 4;
/// The flush packet, ending a message.
pub const FLUSH: &[u8; 4] = b"0000";
/// The delimiter packet, separating sections of a protocol v2 message.
pub const DELIMITER: &[u8; 4] = b"0001";
/// The response-end packet, ending a protocol v2 response on stateless connections.
pub const RESPONSE_END: &[u8; 4] = b"0002";
/// The prefix of an error packet's payload.
pub const ERR_PREFIX: &[u8] = b"ERR ";

/// One decoded pkt-line whose payload borrows from the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PacketRef<'a> {
    /// A data packet with its payload (which may be empty, from `0004`).
    Data(&'a [u8]),
    /// `0000`.
    Flush,
    /// `0001` (protocol v2).
    Delimiter,
    /// `0002` (protocol v2).
    ResponseEnd,
}

/// One pkt-line that owns its payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Packet {
    /// A data packet with its payload.
    Data(Vec<u8>),
    /// `0000`.
    Flush,
    /// `0001` (protocol v2).
    Delimiter,
    /// `0002` (protocol v2).
    ResponseEnd,
}

/// An error the server reported in-band: an `ERR <text>` packet, or a message on side-band
/// channel 3 ("fatal error message just before stream aborts", `gitprotocol-capabilities`).
///
/// Either way the server has given up on the request.
/// The message is sanitized for display ([`crate::sideband::sanitize`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the server reported an error: {message}")]
pub struct RemoteError {
    /// The server's text with control and bidirectional-override characters masked, and
    /// without a trailing newline.
    pub message: String,
    /// Where the message came from.
    pub origin: RemoteErrorOrigin,
}

/// Where a [`RemoteError`] was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RemoteErrorOrigin {
    /// An `ERR <text>` pkt-line.
    ErrPacket,
    /// A packet on side-band channel 3.
    SideBand,
}

/// Access
impl<'a> PacketRef<'a> {
    /// The payload of a data packet, or `None` for the special packets.
    pub fn as_data(&self) -> Option<&'a [u8]> {
        match self {
            PacketRef::Data(data) => Some(data),
            _ => None,
        }
    }

    /// The payload of a data packet without one trailing LF, as receivers must treat text
    /// lines (`gitprotocol-common`: "stripping the LF if present, and not complaining when it
    /// is missing"); `None` for the special packets.
    pub fn as_text(&self) -> Option<&'a [u8]> {
        self.as_data().map(strip_newline)
    }

    /// The explanation of an `ERR <text>` packet, or `None` for every other packet.
    pub fn as_error(&self) -> Option<&'a [u8]> {
        self.as_data()
            .and_then(|data| data.strip_prefix(ERR_PREFIX))
            .map(strip_newline)
    }

    /// This packet, or the server's error if it is an `ERR <text>` packet.
    pub fn check_error(self) -> Result<Self, RemoteError> {
        match self.as_error() {
            Some(text) => Err(RemoteError::from_err_packet(text)),
            None => Ok(self),
        }
    }

    /// Whether this is a flush packet.
    pub fn is_flush(&self) -> bool {
        matches!(self, PacketRef::Flush)
    }
}

/// Conversion
impl PacketRef<'_> {
    /// An owned copy of this packet.
    pub fn to_owned(&self) -> Packet {
        match *self {
            PacketRef::Data(data) => Packet::Data(data.to_vec()),
            PacketRef::Flush => Packet::Flush,
            PacketRef::Delimiter => Packet::Delimiter,
            PacketRef::ResponseEnd => Packet::ResponseEnd,
        }
    }

    /// Append this packet's wire form to `out`.
    pub fn write_to(&self, out: &mut Vec<u8>) -> Result<(), encode::Error> {
        match *self {
            PacketRef::Data(data) => encode::data(data, out),
            PacketRef::Flush => {
                encode::flush(out);
                Ok(())
            }
            PacketRef::Delimiter => {
                encode::delimiter(out);
                Ok(())
            }
            PacketRef::ResponseEnd => {
                encode::response_end(out);
                Ok(())
            }
        }
    }
}

/// Conversion
impl Packet {
    /// A borrowed view of this packet.
    pub fn as_ref(&self) -> PacketRef<'_> {
        match self {
            Packet::Data(data) => PacketRef::Data(data),
            Packet::Flush => PacketRef::Flush,
            Packet::Delimiter => PacketRef::Delimiter,
            Packet::ResponseEnd => PacketRef::ResponseEnd,
        }
    }
}

/// Lifecycle
impl RemoteError {
    /// The error of an `ERR <text>` packet, given `<text>`.
    pub fn from_err_packet(text: &[u8]) -> Self {
        RemoteError {
            message: crate::sideband::sanitize(strip_newline(text)),
            origin: RemoteErrorOrigin::ErrPacket,
        }
    }

    /// The error of a side-band channel 3 packet, given its payload after the band byte.
    pub fn from_side_band(payload: &[u8]) -> Self {
        RemoteError {
            message: crate::sideband::sanitize(strip_newline(payload)),
            origin: RemoteErrorOrigin::SideBand,
        }
    }
}

/// `data` without one trailing LF.
pub(crate) fn strip_newline(data: &[u8]) -> &[u8] {
    data.strip_suffix(b"\n").unwrap_or(data)
}
