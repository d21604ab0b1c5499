//! Side-band demultiplexing and sanitizing server text.

use tabgit_protocol::sideband::{self, Band, LineEnd, Mode, ProgressLine, ProgressLines};

use crate::Result;

#[test]
fn bands_one_two_and_three() -> Result {
    assert_eq!(sideband::decode(b"\x01PACK")?, Band::Data(b"PACK"));
    assert_eq!(
        sideband::decode(b"\x02Counting\r")?,
        Band::Progress(b"Counting\r")
    );
    assert_eq!(sideband::decode(b"\x03fatal")?, Band::Error(b"fatal"));
    assert_eq!(
        sideband::decode(b"\x02")?,
        Band::Progress(b""),
        "an empty band-2 packet is a keep-alive"
    );
    assert_eq!(sideband::decode(b""), Err(sideband::Error::Empty));
    assert_eq!(
        sideband::decode(b"\x04x"),
        Err(sideband::Error::UnknownBand { band: 4 })
    );
    assert_eq!(
        sideband::decode(b"PACK"),
        Err(sideband::Error::UnknownBand { band: b'P' })
    );
    assert_eq!(Mode::SideBand64k.capability(), "side-band-64k");
    assert_eq!(Mode::SideBand.max_line_len(), 1000);
    Ok(())
}

#[test]
fn sanitize_masks_controls_colour_and_bidi_but_keeps_line_structure() -> Result {
    assert_eq!(sideband::sanitize(b"plain text\n"), "plain text\n");
    assert_eq!(
        sideband::sanitize(b"50%\r100%\tdone\n"),
        "50%\r100%\tdone\n"
    );
    assert_eq!(
        sideband::sanitize(b"\x1b]0;owned\x07\x1b[2J\x7f\x00"),
        "^[]0;owned^G^[[2J^?^@",
        "OSC, bell, clear-screen, DEL and NUL are shown, not executed"
    );
    assert_eq!(
        sideband::sanitize("\u{202e}evil\u{202c} \u{2066}x\u{2069} \u{200f}".as_bytes()),
        "<U+202E>evil<U+202C> <U+2066>x<U+2069> <U+200F>"
    );
    assert_eq!(
        sideband::sanitize("\u{9b}31m".as_bytes()),
        "<U+009B>31m",
        "the C1 CSI is masked too"
    );
    assert_eq!(
        sideband::sanitize(b"caf\xe9 <script>"),
        "caf\u{fffd} <script>",
        "invalid UTF-8 is replaced; HTML stays text for a text node"
    );
    assert_eq!(
        sideband::sanitize("héllo wörld ✓".as_bytes()),
        "héllo wörld ✓"
    );
    Ok(())
}

#[test]
fn progress_lines_follow_carriage_returns_and_newlines() -> Result {
    let mut lines = ProgressLines::default();
    let mut out = Vec::new();
    for chunk in [
        &b"Enumerating objects: 93, done.\nCounting obj"[..],
        b"ects:  50% (1/2)\rCounting objects: 100% (2/2)",
        b", done.\n\x1b[1mtail",
    ] {
        out.extend(lines.push(chunk));
    }
    out.extend(lines.finish());
    let line = |text: &str, end| ProgressLine {
        text: text.to_owned(),
        end,
    };
    assert_eq!(
        out,
        vec![
            line("Enumerating objects: 93, done.", LineEnd::Newline),
            line("Counting objects:  50% (1/2)", LineEnd::CarriageReturn),
            line("Counting objects: 100% (2/2), done.", LineEnd::Newline),
            line("^[[1mtail", LineEnd::None),
        ]
    );
    Ok(())
}

#[test]
fn progress_lines_bound_a_line_that_never_ends() -> Result {
    let mut lines = ProgressLines::default();
    let out = lines.push(&vec![b'x'; ProgressLines::MAX_PARTIAL * 3 + 1]);
    assert_eq!(out.len(), 3, "every MAX_PARTIAL bytes become a line");
    assert!(out.iter().all(|line| line.end == LineEnd::None));
    assert_eq!(lines.finish().map(|line| line.text.len()), Some(1));
    Ok(())
}
