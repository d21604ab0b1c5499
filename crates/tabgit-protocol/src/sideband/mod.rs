//! Side-band multiplexing, and making the server's text safe to show.
//!
//! With `side-band` or `side-band-64k` (protocol v0/v1), and always in a protocol v2 `packfile`
//! section, each pkt-line's payload starts with a band byte (`gitprotocol-capabilities`,
//! "SIDE-BAND, SIDE-BAND-64K"; `gitprotocol-v2`, "packfile section"):
//!
//! ```text
//! side-band-pkt  =  PKT-LINE(band *OCTET)
//! band           =  %x01   ; pack data (or, for receive-pack, the nested report-status)
//!                /  %x02   ; progress messages
//!                /  %x03   ; fatal error message just before stream aborts
//! ```
//!
//! A packet with no band byte at all is an error (`sideband.c`: "protocol error: no sideband";
//! RELIABILITY.md row 30); a band-2 packet with an empty payload is a keep-alive
//! (`gitprotocol-v2`, `sideband-all`).
//!
//! Server text (progress, `ERR` packets, band 3, `ng` reasons) is shown to people, in a
//! terminal or on a web page, so [`sanitize`] masks control characters the way git's
//! `sideband.allowControlCharacters=false` does (caret notation, `^[` for ESC) and also masks
//! ANSI colour sequences and Unicode bidirectional controls (RELIABILITY.md row 32).

/// The reason a side-band packet could not be demultiplexed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The packet has no band byte.
    #[error("side-band packet with no payload (a band byte 1, 2 or 3 was expected)")]
    Empty,
    /// The band byte is not 1, 2 or 3.
    #[error("side-band packet on unknown band {band} (expected 1, 2 or 3)")]
    UnknownBand {
        /// The band byte that was found.
        band: u8,
    },
}

/// The payload of one side-band packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Band<'a> {
    /// Band 1: pack data, or nested pkt-lines for receive-pack's report.
    Data(&'a [u8]),
    /// Band 2: progress text, raw (see [`sanitize`]).
    Progress(&'a [u8]),
    /// Band 3: the server's fatal error, raw; the stream ends after it.
    Error(&'a [u8]),
}

/// Which side-band flavour is in effect; they differ only in the packet size the server uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `side-band`: packets of up to 1000 bytes.
    SideBand,
    /// `side-band-64k`: packets of up to 65520 bytes.
    SideBand64k,
}

/// Split a side-band packet's payload into its band and data.
pub fn decode(payload: &[u8]) -> Result<Band<'_>, Error> {
    let (&band, data) = payload.split_first().ok_or(Error::Empty)?;
    match band {
        1 => Ok(Band::Data(data)),
        2 => Ok(Band::Progress(data)),
        3 => Ok(Band::Error(data)),
        band => Err(Error::UnknownBand { band }),
    }
}

/// Access
impl Mode {
    /// The capability name, as sent on the first `want` line or command.
    pub fn capability(self) -> &'static str {
        match self {
            Mode::SideBand => "side-band",
            Mode::SideBand64k => "side-band-64k",
        }
    }

    /// The largest pkt-line the server sends in this mode, length prefix included.
    pub fn max_line_len(self) -> usize {
        match self {
            Mode::SideBand => 1000,
            Mode::SideBand64k => crate::packetline::MAX_LINE_LEN,
        }
    }
}

/// Server text made safe to show as text in a terminal or a web page.
///
/// * Invalid UTF-8 becomes U+FFFD.
/// * LF, CR and TAB are kept: they are the line structure of progress output (a CR rewrites
///   the current line, see [`ProgressLines`]).
/// * Other C0 controls and DEL are written in caret notation (`^[`, `^?`), as git does with
///   `sideband.allowControlCharacters=false`; so are ANSI colour sequences, which git would
///   let through.
/// * C1 controls and the bidirectional controls U+061C, U+200E, U+200F, U+202A–U+202E and
///   U+2066–U+2069 (Trojan Source) are written as `<U+XXXX>`.
///
/// The result still contains `<`, `&` and the like: put it in a text node, never into HTML.
///
/// ```
/// assert_eq!(tabgit_protocol::sideband::sanitize(b"\x1b[31mred\x1b[m\r\n"), "^[[31mred^[[m\r\n");
/// assert_eq!(tabgit_protocol::sideband::sanitize("a\u{202e}b".as_bytes()), "a<U+202E>b");
/// ```
pub fn sanitize(text: &[u8]) -> String {
    let text = String::from_utf8_lossy(text);
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' | '\r' | '\t' => out.push(c),
            '\u{0}'..='\u{1f}' => {
                out.push('^');
                out.push(char::from(b'@' + c as u8));
            }
            '\u{7f}' => out.push_str("^?"),
            '\u{80}'..='\u{9f}'
            | '\u{61c}'
            | '\u{200e}'
            | '\u{200f}'
            | '\u{202a}'..='\u{202e}'
            | '\u{2066}'..='\u{2069}' => {
                out.push_str(&format!("<U+{:04X}>", u32::from(c)));
            }
            c => out.push(c),
        }
    }
    out
}

/// Progress text split into lines as a terminal would show them, sanitized.
///
/// git's progress meters end their updates with CR and their last update with LF
/// (`progress.c`); a partial line is kept until its end arrives, up to
/// [`ProgressLines::MAX_PARTIAL`] bytes.
///
/// ```
/// use tabgit_protocol::sideband::{LineEnd, ProgressLines};
/// let mut lines = ProgressLines::default();
/// assert!(lines.push(b"Counting objects:  50% (1/2)").is_empty());
/// let done = lines.push(b"\rCounting objects: 100% (2/2), done.\n");
/// assert_eq!(done[0].text, "Counting objects:  50% (1/2)");
/// assert_eq!(done[0].end, LineEnd::CarriageReturn);
/// assert_eq!(done[1].end, LineEnd::Newline);
/// ```
#[derive(Debug, Default, Clone)]
pub struct ProgressLines {
    partial: Vec<u8>,
}

/// One line of progress text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgressLine {
    /// The sanitized text, without its line end.
    pub text: String,
    /// How the line ended.
    pub end: LineEnd,
}

/// How a [`ProgressLine`] ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineEnd {
    /// LF: the line is final.
    Newline,
    /// CR: the next line replaces this one (a progress meter update).
    CarriageReturn,
    /// The text stopped without a line end (at [`ProgressLines::finish`], or a partial line
    /// longer than [`ProgressLines::MAX_PARTIAL`]).
    None,
}

/// Mutation
impl ProgressLines {
    /// The longest partial line kept before it is returned without a line end.
    pub const MAX_PARTIAL: usize = 4096;

    /// Add progress bytes; returns the lines they completed.
    pub fn push(&mut self, bytes: &[u8]) -> Vec<ProgressLine> {
        let mut lines = Vec::new();
        for &byte in bytes {
            let end = match byte {
                b'\n' => LineEnd::Newline,
                b'\r' => LineEnd::CarriageReturn,
                _ => {
                    self.partial.push(byte);
                    if self.partial.len() < Self::MAX_PARTIAL {
                        continue;
                    }
                    LineEnd::None
                }
            };
            lines.push(ProgressLine {
                text: sanitize(&self.partial),
                end,
            });
            self.partial.clear();
        }
        lines
    }

    /// The partial line left at the end of the stream, if any.
    pub fn finish(self) -> Option<ProgressLine> {
        (!self.partial.is_empty()).then(|| ProgressLine {
            text: sanitize(&self.partial),
            end: LineEnd::None,
        })
    }
}
