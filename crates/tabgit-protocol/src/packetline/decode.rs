//! Reading pkt-lines, from a complete buffer or from chunks as they arrive.
//!
//! The rules are `pkt-line.c`'s (`packet_length`, `packet_read_with_status`): the length is
//! four hexadecimal digits (either case); `0000`, `0001` and `0002` are the special packets;
//! `0003` and anything above [`MAX_LINE_LEN`] are errors; `0004` is an empty data packet.

use std::ops::Range;

use crate::packetline::{PacketRef, MAX_LINE_LEN};

/// The reason bytes are not a valid pkt-line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The length prefix is not four hexadecimal digits.
    #[error("invalid pkt-line length {prefix:?}: expected four hexadecimal digits")]
    InvalidLengthCharacters {
        /// The four bytes where the length was expected, escaped for display.
        prefix: String,
    },
    /// The length is 3, which no packet can have (1 and 2 are the v2 special packets).
    #[error("invalid pkt-line length {length}: a data packet is at least 4 bytes long")]
    LengthTooShort {
        /// The decoded length.
        length: usize,
    },
    /// The length is larger than git allows.
    #[error("pkt-line length {length} exceeds the maximum of {MAX_LINE_LEN}")]
    LineTooLong {
        /// The decoded length.
        length: usize,
    },
}

/// The result of reading one packet from the start of a buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream<'a> {
    /// A whole packet, and the number of bytes it took, length prefix included.
    Complete {
        /// The packet.
        packet: PacketRef<'a>,
        /// How many bytes of the input the packet used.
        consumed: usize,
    },
    /// The buffer ends inside a packet: at least `bytes_needed` more bytes are needed.
    Incomplete {
        /// How many more bytes are needed at least.
        bytes_needed: usize,
    },
}

/// Read one pkt-line from the start of `data`.
///
/// Returns [`Stream::Incomplete`] when `data` holds only part of a packet; the bytes seen so
/// far are checked, so a bad length prefix is an error as soon as its first bad byte arrives.
pub fn streaming(data: &[u8]) -> Result<Stream<'_>, Error> {
    match decode_at(data, 0)? {
        Decoded::Packet { kind, payload } => Ok(Stream::Complete {
            packet: kind.packet(&data[payload.clone()]),
            consumed: if kind == Kind::Data { payload.end } else { 4 },
        }),
        Decoded::Incomplete { bytes_needed } => Ok(Stream::Incomplete { bytes_needed }),
    }
}

/// A streaming pkt-line decoder: feed it bytes in chunks of any size, take packets out as
/// they complete.
///
/// The decoder buffers at most the unread part of what it was fed; packets borrow from that
/// buffer until the next [`Decoder::feed`].
/// To keep memory bounded, take every available packet out before feeding the next chunk.
///
/// ```
/// use tabgit_protocol::packetline::{Decoder, PacketRef};
/// let mut decoder = Decoder::default();
/// decoder.feed(b"0009hel");
/// assert_eq!(decoder.next_packet()?, None, "the packet is incomplete");
/// decoder.feed(b"lo0000");
/// assert_eq!(decoder.next_packet()?, Some(PacketRef::Data(b"hello")));
/// assert_eq!(decoder.next_packet()?, Some(PacketRef::Flush));
/// assert_eq!(decoder.next_packet()?, None);
/// assert!(decoder.is_empty());
/// # Ok::<(), tabgit_protocol::packetline::decode::Error>(())
/// ```
#[derive(Debug, Default, Clone)]
pub struct Decoder {
    buf: Vec<u8>,
    pos: usize,
    n_bytes_fed: u64,
}

/// A packet inside a [`Decoder`]'s buffer, by position, so that callers can look at it and
/// change their own state before borrowing its payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RawPacket {
    pub(crate) kind: Kind,
    pub(crate) payload: Range<usize>,
}

/// The kind of a decoded packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Data,
    Flush,
    Delimiter,
    ResponseEnd,
}

/// Lifecycle
impl Decoder {
    /// A decoder with nothing buffered.
    pub fn new() -> Self {
        Decoder::default()
    }
}

/// Mutation
impl Decoder {
    /// Append `bytes` to what is waiting to be decoded.
    ///
    /// Packets returned earlier are invalidated (the borrow checker enforces it).
    pub fn feed(&mut self, bytes: &[u8]) {
        if self.pos > 0 {
            self.buf.drain(..self.pos);
            self.pos = 0;
        }
        self.buf.extend_from_slice(bytes);
        self.n_bytes_fed += bytes.len() as u64;
    }

    /// The next complete packet, `None` if more bytes are needed first, or the framing error.
    ///
    /// After an error the decoder stays at the bad packet and returns the same error again.
    pub fn next_packet(&mut self) -> Result<Option<PacketRef<'_>>, Error> {
        Ok(self.next_raw()?.map(|raw| self.packet(&raw)))
    }

    /// The next complete packet by position.
    pub(crate) fn next_raw(&mut self) -> Result<Option<RawPacket>, Error> {
        match decode_at(&self.buf, self.pos)? {
            Decoded::Packet { kind, payload } => {
                self.pos = if kind == Kind::Data {
                    payload.end
                } else {
                    self.pos + 4
                };
                Ok(Some(RawPacket { kind, payload }))
            }
            Decoded::Incomplete { .. } => Ok(None),
        }
    }

    /// Take every buffered byte as it is, for data that follows the pkt-lines unframed (a pack
    /// sent without side-band); `None` if nothing is buffered.
    pub(crate) fn take_raw(&mut self) -> Option<Range<usize>> {
        if self.pos == self.buf.len() {
            return None;
        }
        let range = self.pos..self.buf.len();
        self.pos = self.buf.len();
        Some(range)
    }
}

/// Access
impl Decoder {
    /// The bytes fed but not yet returned as packets.
    pub fn buffered(&self) -> &[u8] {
        &self.buf[self.pos..]
    }

    /// Whether every byte fed has been returned as part of a packet.
    pub fn is_empty(&self) -> bool {
        self.pos == self.buf.len()
    }

    /// How many bytes were fed in total.
    pub fn bytes_fed(&self) -> u64 {
        self.n_bytes_fed
    }

    /// How many more bytes the packet at the front needs at least; 0 when a whole packet or
    /// nothing is buffered.
    pub fn bytes_needed(&self) -> usize {
        match decode_at(&self.buf, self.pos) {
            Ok(Decoded::Incomplete { bytes_needed }) if !self.is_empty() => bytes_needed,
            _ => 0,
        }
    }

    /// The packet at `raw`, borrowed from the buffer.
    pub(crate) fn packet(&self, raw: &RawPacket) -> PacketRef<'_> {
        raw.kind.packet(&self.buf[raw.payload.clone()])
    }

    /// The bytes at `range`, borrowed from the buffer.
    pub(crate) fn slice(&self, range: Range<usize>) -> &[u8] {
        &self.buf[range]
    }
}

impl Kind {
    fn packet(self, payload: &[u8]) -> PacketRef<'_> {
        match self {
            Kind::Data => PacketRef::Data(payload),
            Kind::Flush => PacketRef::Flush,
            Kind::Delimiter => PacketRef::Delimiter,
            Kind::ResponseEnd => PacketRef::ResponseEnd,
        }
    }
}

enum Decoded {
    Packet { kind: Kind, payload: Range<usize> },
    Incomplete { bytes_needed: usize },
}

fn decode_at(buf: &[u8], pos: usize) -> Result<Decoded, Error> {
    let available = buf.get(pos..).unwrap_or_default();
    let prefix = &available[..available.len().min(4)];
    let mut length = 0usize;
    for &byte in prefix {
        let digit = match byte {
            b'0'..=b'9' => byte - b'0',
            b'a'..=b'f' => byte - b'a' + 10,
            b'A'..=b'F' => byte - b'A' + 10,
            _ => {
                return Err(Error::InvalidLengthCharacters {
                    prefix: prefix.escape_ascii().to_string(),
                })
            }
        };
        length = (length << 4) | usize::from(digit);
    }
    if prefix.len() < 4 {
        return Ok(Decoded::Incomplete {
            bytes_needed: 4 - prefix.len(),
        });
    }
    let kind = match length {
        0 => Kind::Flush,
        1 => Kind::Delimiter,
        2 => Kind::ResponseEnd,
        3 => return Err(Error::LengthTooShort { length }),
        _ if length > MAX_LINE_LEN => return Err(Error::LineTooLong { length }),
        _ => Kind::Data,
    };
    if kind != Kind::Data {
        return Ok(Decoded::Packet {
            kind,
            payload: pos + 4..pos + 4,
        });
    }
    if available.len() < length {
        return Ok(Decoded::Incomplete {
            bytes_needed: length - available.len(),
        });
    }
    Ok(Decoded::Packet {
        kind,
        payload: pos + 4..pos + length,
    })
}
