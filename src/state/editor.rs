//! What the file view shows for a file's bytes, and the bytes a save writes back.
//!
//! Opening and saving a file without editing it never changes it: the original bytes are kept
//! and written back as they were. An edited text file keeps its byte-order mark, its line
//! endings (CRLF stays CRLF) and its final newline (or lack of one) as the text has it. Files
//! that are not valid UTF-8 are shown read-only, so they cannot be damaged.

/// Files larger than this are not loaded into the editor.
pub const MAX_EDITABLE_BYTES: usize = 2 * 1024 * 1024;

/// How many bytes git looks at to call a file binary (`xdiff-interface.c`, `FIRST_FEW_BYTES`).
const BINARY_SNIFF_BYTES: usize = 8000;

/// How lines end in a text file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineEnding {
    /// `\n` (or no line break at all).
    Lf,
    /// `\r\n` on every line.
    CrLf,
    /// Both; an edited file gets the more common one.
    Mixed {
        /// Whether CRLF is the more common.
        mostly_crlf: bool,
    },
}

/// A text file as the editor holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextDoc {
    /// The text with `\n` line breaks and no byte-order mark (what the textarea shows).
    pub text: String,
    /// How lines ended.
    pub line_ending: LineEnding,
    /// Whether the file started with a UTF-8 byte-order mark.
    pub bom: bool,
    original: Vec<u8>,
}

/// What the file view shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Document {
    /// Editable text.
    Text(TextDoc),
    /// Text that is not valid UTF-8: shown read-only (decoded lossily).
    NotUtf8 {
        /// The lossy text.
        preview: String,
    },
    /// An image, shown from a `blob:` URL.
    Image {
        /// Its MIME type.
        mime: &'static str,
        /// Its size in bytes.
        size: usize,
    },
    /// Binary content.
    Binary {
        /// Its size in bytes.
        size: usize,
    },
    /// Too large to edit here.
    TooLarge {
        /// Its size in bytes.
        size: usize,
    },
}

/// Lifecycle
impl Document {
    /// What to show for `bytes` at `path`.
    pub fn from_bytes(path: &[u8], bytes: Vec<u8>) -> Document {
        if let Some(mime) = image_mime(path) {
            return Document::Image {
                mime,
                size: bytes.len(),
            };
        }
        if bytes.len() > MAX_EDITABLE_BYTES {
            return Document::TooLarge { size: bytes.len() };
        }
        if bytes[..bytes.len().min(BINARY_SNIFF_BYTES)].contains(&0) {
            return Document::Binary { size: bytes.len() };
        }
        let (bom, body) = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
            Some(rest) => (true, rest),
            None => (false, &bytes[..]),
        };
        let Ok(text) = std::str::from_utf8(body) else {
            return Document::NotUtf8 {
                preview: String::from_utf8_lossy(&bytes).into_owned(),
            };
        };
        let crlf = text.matches("\r\n").count();
        let lf = text.matches('\n').count() - crlf;
        let line_ending = match (crlf, lf) {
            (0, _) => LineEnding::Lf,
            (_, 0) => LineEnding::CrLf,
            (crlf, lf) => LineEnding::Mixed {
                mostly_crlf: crlf > lf,
            },
        };
        let text = if crlf > 0 {
            text.replace("\r\n", "\n")
        } else {
            text.to_owned()
        };
        Document::Text(TextDoc {
            text,
            line_ending,
            bom,
            original: bytes,
        })
    }
}

/// Conversion
impl TextDoc {
    /// The bytes to write for `edited` (the textarea's value). Unchanged text gives the
    /// original bytes exactly.
    pub fn encode(&self, edited: &str) -> Vec<u8> {
        // A textarea reports every line break as `\n` (HTML's newline normalization turns a
        // lone `\r` into `\n` too), so compare normalized text.
        let edited = normalize_breaks(edited);
        if edited == normalize_breaks(&self.text) {
            return self.original.clone();
        }
        let crlf = matches!(
            self.line_ending,
            LineEnding::CrLf | LineEnding::Mixed { mostly_crlf: true }
        );
        let body = if crlf {
            edited.replace('\n', "\r\n")
        } else {
            edited
        };
        let mut out = Vec::with_capacity(body.len() + 3);
        if self.bom {
            out.extend_from_slice(b"\xEF\xBB\xBF");
        }
        out.extend_from_slice(body.as_bytes());
        out
    }

    /// The line numbers for the gutter: `1\n2\n…`.
    pub fn gutter(text: &str) -> String {
        let lines = text.split('\n').count().max(1);
        (1..=lines)
            .map(|n| n.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// `\r\n` and lone `\r` as `\n`.
fn normalize_breaks(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\r', "\n")
}

/// A short description of the line endings and encoding, for the status line.
pub fn describe(doc: &TextDoc) -> String {
    let endings = match doc.line_ending {
        LineEnding::Lf => "LF",
        LineEnding::CrLf => "CRLF",
        LineEnding::Mixed { .. } => "mixed line endings",
    };
    let final_newline = if doc.text.is_empty() || doc.text.ends_with('\n') {
        ""
    } else {
        ", no final newline"
    };
    format!(
        "UTF-8{}, {endings}{final_newline}",
        if doc.bom { " with BOM" } else { "" }
    )
}

/// The MIME type of an image the file view shows as an image (raster formats only: an SVG
/// is text and is shown as text).
pub fn image_mime(path: &[u8]) -> Option<&'static str> {
    let name = String::from_utf8_lossy(path).to_ascii_lowercase();
    let ext = name.rsplit_once('.')?.1.to_owned();
    Some(match ext.as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "bmp" => "image/bmp",
        "ico" => "image/x-icon",
        "avif" => "image/avif",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::{describe, Document, LineEnding, TextDoc};

    fn text(bytes: &[u8]) -> TextDoc {
        match Document::from_bytes(b"f.txt", bytes.to_vec()) {
            Document::Text(doc) => doc,
            other => panic!("expected text, got {other:?}"),
        }
    }

    #[test]
    fn unedited_saves_give_the_same_bytes() {
        for bytes in [
            &b"a\r\nb\r\n"[..],
            b"\xEF\xBB\xBFbom\n",
            b"no final newline",
            b"mixed\r\nline\nendings\r\n",
            b"",
            b"lone\rcarriage return\n",
        ] {
            let doc = text(bytes);
            assert_eq!(doc.encode(&doc.text), bytes, "{bytes:?}");
            assert_eq!(
                doc.encode(&doc.text.replace('\n', "\r\n")),
                bytes,
                "a textarea that reports CRLF changes nothing: {bytes:?}"
            );
        }
    }

    #[test]
    fn edits_keep_the_file_conventions() {
        let doc = text(b"\xEF\xBB\xBFa\r\nb\r\n");
        assert_eq!(doc.line_ending, LineEnding::CrLf);
        assert_eq!(doc.text, "a\nb\n");
        assert_eq!(doc.encode("a\nb\nc\n"), b"\xEF\xBB\xBFa\r\nb\r\nc\r\n");
        assert_eq!(describe(&doc), "UTF-8 with BOM, CRLF");
        let doc = text(b"x");
        assert_eq!(doc.encode("xy"), b"xy", "no final newline is added");
        assert_eq!(describe(&doc), "UTF-8, LF, no final newline");
        assert_eq!(TextDoc::gutter("a\nb\n"), "1\n2\n3");
    }

    #[test]
    fn other_content_is_not_editable() {
        assert!(matches!(
            Document::from_bytes(b"f", b"caf\xe9\n".to_vec()),
            Document::NotUtf8 { .. }
        ));
        assert!(matches!(
            Document::from_bytes(b"f", b"a\0b".to_vec()),
            Document::Binary { size: 3 }
        ));
        assert!(matches!(
            Document::from_bytes(b"logo.PNG", b"\x89PNG".to_vec()),
            Document::Image {
                mime: "image/png",
                ..
            }
        ));
        assert!(matches!(
            Document::from_bytes(b"big.txt", vec![b'a'; super::MAX_EDITABLE_BYTES + 1]),
            Document::TooLarge { .. }
        ));
        assert!(
            matches!(
                Document::from_bytes(b"x.svg", b"<svg/>".to_vec()),
                Document::Text(_)
            ),
            "an SVG is shown as text, never rendered"
        );
    }
}
