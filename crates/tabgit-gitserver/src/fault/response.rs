//! The synthetic bodies of the `body` knob, and the stream rewriter behind `body=sideband3`.
//!
//! pkt-line framing, from `gitprotocol-common.adoc` and `gitprotocol-v2.adoc`:
//!
//! ```text
//! pkt-line     = data-pkt / flush-pkt
//! data-pkt     = pkt-len pkt-payload
//! pkt-len      = 4*(HEXDIG)            ; includes its own four bytes
//! flush-pkt    = "0000"
//! delim-pkt    = "0001"                ; protocol v2
//! response-end = "0002"                ; protocol v2
//! error-line   = PKT-LINE("ERR" SP explanation-text)
//! ```
//!
//! Side-band packets carry the band number as the first payload byte: 1 pack data, 2 progress,
//! 3 "fatal error message just before stream aborts" (`gitprotocol-capabilities.adoc`).

use bytes::Bytes;

use crate::{
    fault::{BodyFault, ERR_MESSAGE, SIDEBAND3_MESSAGE},
    route::RequestKind,
};

/// A complete synthetic response body and its content type.
pub(crate) struct Synthetic {
    /// The `Content-Type` to send.
    pub content_type: String,
    /// The whole body.
    pub body: Bytes,
}

/// Rewrites an upload-pack response so that what follows the point where the pack would start
/// (after the `packfile` section header in protocol v2, after the final `NAK` or `ACK <id>` in
/// protocol v0) is replaced: by a side-band 3 message (`body=sideband3`), or by the bytes of a
/// hostile repository's `tabgit-hostile/upload-pack-tail` file.
///
/// A response without that point (ls-refs, a negotiation round) passes through unchanged.
pub(crate) struct Sideband3 {
    protocol_v2: bool,
    pending: Vec<u8>,
    state: RewriteState,
    /// What is sent instead of the rest of the response once the pack would start.
    tail: Vec<u8>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RewriteState {
    /// Still looking for the point where the pack starts.
    Scanning,
    /// The input is not pkt-lines as expected; pass it through untouched.
    Passthrough,
    /// The side-band 3 message was emitted; nothing more may be sent.
    Done,
}

/// Return the synthetic body for `body` on a request of `kind`, or `None` for
/// [`BodyFault::Sideband3`], which rewrites the real response instead.
pub(crate) fn synthetic(body: BodyFault, kind: RequestKind) -> Option<Synthetic> {
    match body {
        BodyFault::Html => Some(Synthetic {
            content_type: "text/html; charset=utf-8".to_owned(),
            body: Bytes::from_static(LOGIN_PAGE.as_bytes()),
        }),
        BodyFault::Err => {
            let err_line = pkt_line(format!("ERR {ERR_MESSAGE}\n").as_bytes());
            Some(protocol_body(kind, &err_line))
        }
        BodyFault::BadPkt => Some(protocol_body(kind, b"zzzzbad pkt-line framing\n")),
        BodyFault::Sideband3 => None,
    }
}

/// Frame `payload` as one pkt-line.
///
/// Payloads longer than 65516 bytes are a caller bug; they are only built from short constants.
pub(crate) fn pkt_line(payload: &[u8]) -> Vec<u8> {
    let mut line = format!("{:04x}", payload.len() + 4).into_bytes();
    line.extend_from_slice(payload);
    line
}

/// Lifecycle
impl Sideband3 {
    /// Create a rewriter for a response in protocol v2 (`protocol_v2`) or v0 that ends the
    /// response with a side-band 3 message where the pack would start.
    pub(crate) fn new(protocol_v2: bool) -> Self {
        let mut band3 = vec![3];
        band3.extend_from_slice(SIDEBAND3_MESSAGE.as_bytes());
        band3.push(b'\n');
        Self::replacing_tail(protocol_v2, pkt_line(&band3))
    }

    /// Create a rewriter that sends `tail`, as it is, instead of everything from where the pack
    /// would start.
    pub(crate) fn replacing_tail(protocol_v2: bool, tail: Vec<u8>) -> Self {
        Sideband3 {
            protocol_v2,
            pending: Vec::new(),
            state: RewriteState::Scanning,
            tail,
        }
    }
}

/// Mutation
impl Sideband3 {
    /// Feed the next chunk of the real response and return the bytes to send now.
    ///
    /// After [`Sideband3::is_done`] turns `true` the response must end and input is ignored.
    pub(crate) fn feed(&mut self, chunk: &[u8]) -> Vec<u8> {
        match self.state {
            RewriteState::Done => return Vec::new(),
            RewriteState::Passthrough => return chunk.to_vec(),
            RewriteState::Scanning => {}
        }
        self.pending.extend_from_slice(chunk);
        let mut output = Vec::new();
        while let Some(length) = self.pending.get(..4).map(parse_pkt_len) {
            let Some(length) = length.filter(|length| *length != 3) else {
                self.state = RewriteState::Passthrough;
                output.append(&mut self.pending);
                break;
            };
            if length < 4 {
                output.extend(self.pending.drain(..4));
                continue;
            }
            if self.pending.len() < length {
                break;
            }
            let line: Vec<u8> = self.pending.drain(..length).collect();
            let is_pack_start = self.is_pack_start(&line[4..]);
            output.extend_from_slice(&line);
            if is_pack_start {
                output.extend_from_slice(&self.tail);
                self.state = RewriteState::Done;
                self.pending.clear();
                break;
            }
        }
        output
    }

    /// Return the bytes held back at the end of the real response (an incomplete pkt-line).
    pub(crate) fn finish(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.pending)
    }
}

/// Access
impl Sideband3 {
    /// Return `true` once the side-band 3 message was emitted and the response must end.
    pub(crate) fn is_done(&self) -> bool {
        self.state == RewriteState::Done
    }

    fn is_pack_start(&self, payload: &[u8]) -> bool {
        if self.protocol_v2 {
            return payload == b"packfile\n";
        }
        if payload == b"NAK\n" {
            return true;
        }
        // The final ACK of v0 negotiation is `ACK <id>` with no `continue`/`common`/`ready`.
        payload
            .strip_prefix(b"ACK ")
            .and_then(|rest| rest.strip_suffix(b"\n"))
            .is_some_and(|object_id| {
                matches!(object_id.len(), 40 | 64) && object_id.iter().all(u8::is_ascii_hexdigit)
            })
    }
}

/// Frame `payload` as a response git would accept up to the payload: an advertisement (with its
/// `# service=` header) for discovery, a `-result` body for the POSTs, plain text otherwise.
fn protocol_body(kind: RequestKind, payload: &[u8]) -> Synthetic {
    let (content_type, mut body) = match kind {
        RequestKind::InfoRefs {
            service: Some(service),
        } => {
            let mut body = pkt_line(format!("# service={}\n", service.name()).as_bytes());
            body.extend_from_slice(b"0000");
            (
                format!("application/x-{}-advertisement", service.name()),
                body,
            )
        }
        RequestKind::Rpc(service) => (
            format!("application/x-{}-result", service.name()),
            Vec::new(),
        ),
        RequestKind::InfoRefs { service: None } | RequestKind::Other => {
            ("text/plain; charset=utf-8".to_owned(), Vec::new())
        }
    };
    body.extend_from_slice(payload);
    Synthetic {
        content_type,
        body: Bytes::from(body),
    }
}

/// Parse a 4-hex-digit pkt-line length; `None` if the bytes are not hex.
fn parse_pkt_len(digits: &[u8]) -> Option<usize> {
    let text = std::str::from_utf8(digits).ok()?;
    if !text.bytes().all(|byte| byte.is_ascii_hexdigit()) {
        return None;
    }
    usize::from_str_radix(text, 16).ok()
}

const LOGIN_PAGE: &str = "<!DOCTYPE html>
<html lang=\"en\">
<head><meta charset=\"utf-8\"><title>Sign in</title></head>
<body>
<h1>Sign in to continue</h1>
<form method=\"post\" action=\"/login\">
<label>User <input name=\"user\"></label>
<label>Password <input name=\"password\" type=\"password\"></label>
<button type=\"submit\">Sign in</button>
</form>
</body>
</html>
";

#[cfg(test)]
mod tests {
    use super::*;

    fn band3_line() -> Vec<u8> {
        let mut band3 = vec![3];
        band3.extend_from_slice(SIDEBAND3_MESSAGE.as_bytes());
        band3.push(b'\n');
        pkt_line(&band3)
    }

    #[test]
    fn v2_packfile_section_gets_band3_even_when_split_across_chunks() {
        let mut response = pkt_line(b"packfile\n");
        response.extend(pkt_line(b"\x02Enumerating objects\n"));
        let mut rewriter = Sideband3::new(true);
        let mut output = rewriter.feed(&response[..3]);
        assert!(output.is_empty(), "a partial length is held back");
        output.extend(rewriter.feed(&response[3..]));
        let mut expected = pkt_line(b"packfile\n");
        expected.extend(band3_line());
        assert_eq!(
            output, expected,
            "packfile header then band 3, nothing after"
        );
        assert!(rewriter.is_done());
    }

    #[test]
    fn v2_ls_refs_passes_through_unchanged() {
        let mut response = pkt_line(b"0123456789012345678901234567890123456789 refs/heads/main\n");
        response.extend_from_slice(b"0000");
        let mut rewriter = Sideband3::new(true);
        let mut output = rewriter.feed(&response);
        output.extend(rewriter.finish());
        assert_eq!(output, response, "a response without a pack is not touched");
        assert!(!rewriter.is_done());
    }

    #[test]
    fn v0_nak_and_final_ack_start_the_pack_but_common_ack_does_not() {
        let object_id = "0123456789abcdef0123456789abcdef01234567";
        let common = pkt_line(format!("ACK {object_id} common\n").as_bytes());
        let mut rewriter = Sideband3::new(false);
        assert_eq!(rewriter.feed(&common), common, "ACK common is negotiation");
        assert!(!rewriter.is_done());

        let final_ack = pkt_line(format!("ACK {object_id}\n").as_bytes());
        let mut expected = final_ack.clone();
        expected.extend(band3_line());
        assert_eq!(rewriter.feed(&final_ack), expected);
        assert!(rewriter.is_done());
        assert!(rewriter.feed(b"PACK").is_empty(), "nothing after band 3");

        let mut rewriter = Sideband3::new(false);
        let mut expected = pkt_line(b"NAK\n");
        expected.extend(band3_line());
        assert_eq!(rewriter.feed(&pkt_line(b"NAK\n")), expected);
    }

    #[test]
    fn a_hostile_tail_replaces_everything_after_the_pack_start() {
        let mut response = pkt_line(b"packfile\n");
        response.extend(pkt_line(b"\x01PACK real pack"));
        response.extend_from_slice(b"0000");
        let tail = b"0009\x01PACK0000".to_vec();
        let mut rewriter = Sideband3::replacing_tail(true, tail.clone());
        let output = rewriter.feed(&response);
        let mut expected = pkt_line(b"packfile\n");
        expected.extend(tail);
        assert_eq!(
            output, expected,
            "the section header, then the tail as it is"
        );
        assert!(rewriter.is_done());
    }

    #[test]
    fn invalid_framing_switches_to_passthrough() {
        let mut rewriter = Sideband3::new(true);
        assert_eq!(rewriter.feed(b"zzzzpackfile\n"), b"zzzzpackfile\n".to_vec());
        assert_eq!(rewriter.feed(b"0009more"), b"0009more".to_vec());
        assert!(!rewriter.is_done());
    }
}
