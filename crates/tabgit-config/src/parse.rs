//! The git-config syntax (`Documentation/git-config.adoc` "CONFIGURATION FILE", "Syntax"), parsed
//! exactly as git's `config.c` `git_parse_source` does, including the byte ranges of its parse
//! events that git's editor (`git_config_set_multivar_in_file_gently`) works with.
//!
//! ```text
//! file     = [ BOM ] *( WS / comment / section / entry )
//! section  = "[" name "]"                              ; name: alnum, "-", "." (lowercased)
//!          / "[" name WS+ DQUOTE subsection DQUOTE "]" ; subsection: \" and \\ escapes
//! entry    = ALPHA *( ALNUM / "-" ) *( SP / HTAB ) [ "=" value ] LF
//! value    = text with DQUOTE quoting, "\" escapes ( \\ \" \n \t \b ), "\" LF continuation,
//!            "#" or ";" starting a comment outside quotes, surrounding whitespace trimmed
//! comment  = ( "#" / ";" ) *( any byte but LF )
//! ```
//!
//! A CR LF pair reads as LF everywhere. A section header may be followed by more content on its
//! line (`[core] bare = true`), and entries before the first header have no section.

/// A syntax error, with the line number git would report ("bad config line N").
#[derive(Debug, thiserror::Error, PartialEq, Eq, Clone)]
pub enum Error {
    /// The file starts with part of a UTF-8 byte order mark.
    #[error("config line {line}: incomplete UTF-8 byte order mark")]
    PartialBom {
        /// The line git reports.
        line: usize,
    },
    /// A line starts with something that is not a section header, key, comment or whitespace.
    #[error(
        "config line {line}: unexpected byte {byte:#04x}; expected a [section] header, a key starting with a letter, or a comment"
    )]
    UnexpectedByte {
        /// The line git reports.
        line: usize,
        /// The offending byte.
        byte: u8,
    },
    /// A section header is malformed or incomplete.
    #[error(
        "config line {line}: malformed section header; write [section] or [section \"subsection\"]"
    )]
    InvalidSectionHeader {
        /// The line git reports.
        line: usize,
    },
    /// A key is followed by something other than `=` or the end of the line.
    #[error("config line {line}: key is followed by byte {byte:#04x}; expected \"=\" or the end of the line")]
    ExpectedEquals {
        /// The line git reports.
        line: usize,
        /// The offending byte.
        byte: u8,
    },
    /// A quoted value is not closed before the end of its line.
    #[error("config line {line}: value has an unterminated quote")]
    UnterminatedQuote {
        /// The line git reports.
        line: usize,
    },
    /// A value contains a backslash escape other than `\\`, `\"`, `\n`, `\t`, `\b` or a line end.
    #[error("config line {line}: invalid escape \"\\\" followed by byte {byte:#04x}; only \\\\, \\\", \\n, \\t and \\b are allowed")]
    InvalidEscape {
        /// The line git reports.
        line: usize,
        /// The byte after the backslash.
        byte: u8,
    },
    /// A value or subsection name contains a NUL byte, which git would silently cut off there.
    #[error("config line {line}: NUL byte in a value or subsection name")]
    Nul {
        /// The line of the NUL byte.
        line: usize,
    },
}

impl Error {
    /// The one-based line number of the error.
    pub fn line(&self) -> usize {
        match self {
            Error::PartialBom { line }
            | Error::UnexpectedByte { line, .. }
            | Error::InvalidSectionHeader { line }
            | Error::ExpectedEquals { line, .. }
            | Error::UnterminatedQuote { line }
            | Error::InvalidEscape { line, .. }
            | Error::Nul { line } => *line,
        }
    }
}

/// The kinds of git's parse events (`config.h` `enum config_event_t`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum EventKind {
    Whitespace,
    Comment,
    /// A section header; the index into [`Parsed::sections`].
    Section(usize),
    /// A key and its value; the index into [`Parsed::entries`].
    Entry(usize),
}

/// A parse event and the bytes it covers. Consecutive events are contiguous, as in git.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Event {
    pub(crate) kind: EventKind,
    pub(crate) begin: usize,
    pub(crate) end: usize,
}

/// A section header.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) struct Section {
    /// What git builds as the variable prefix: the lowercased name, then `.` and the subsection
    /// (lowercased too in the legacy `[section.subsection]` form).
    pub(crate) base: Vec<u8>,
    /// The `[section "subsection"]` form, whose subsection is case-sensitive.
    pub(crate) extended: bool,
    /// The one-based line of the `[`.
    pub(crate) line: usize,
}

impl Section {
    /// The section name: `base` up to its first dot.
    pub(crate) fn name(&self) -> &[u8] {
        match self.base.iter().position(|&b| b == b'.') {
            Some(dot) => &self.base[..dot],
            None => &self.base,
        }
    }

    /// The subsection: `base` after its first dot.
    pub(crate) fn subsection(&self) -> Option<&[u8]> {
        let dot = self.base.iter().position(|&b| b == b'.')?;
        Some(&self.base[dot + 1..])
    }
}

/// A key and its value.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) struct Entry {
    /// The section it belongs to, or `None` before the first header.
    pub(crate) section: Option<usize>,
    /// The lowercased key.
    pub(crate) key: Vec<u8>,
    /// The decoded value; `None` for a bare key, which means true.
    pub(crate) value: Option<Vec<u8>>,
    /// The one-based line where the key starts.
    pub(crate) line: usize,
}

/// Everything parsed from one text.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub(crate) struct Parsed {
    pub(crate) events: Vec<Event>,
    pub(crate) sections: Vec<Section>,
    pub(crate) entries: Vec<Entry>,
}

/// Parse a whole config text.
pub(crate) fn parse(text: &[u8]) -> Result<Parsed, Error> {
    Parser {
        reader: Reader {
            text,
            pos: 0,
            eof: false,
            line: 1,
        },
        previous: None,
        parsed: Parsed::default(),
    }
    .run()
}

/// git's `isspace` (`git-compat-util.h` `sane_ctype`): space, tab, LF and CR.
pub(crate) fn is_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | b'\r')
}

/// `config.c` `iskeychar`.
pub(crate) fn is_key_char(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'-'
}

/// git's character source (`config.c` `get_next_char`).
struct Reader<'a> {
    text: &'a [u8],
    pos: usize,
    eof: bool,
    line: usize,
}

impl Reader<'_> {
    /// The next character, with CR LF read as LF and the end of the text read as LF (with `eof`).
    fn next_char(&mut self) -> u8 {
        let Some(&byte) = self.text.get(self.pos) else {
            self.eof = true;
            self.line += 1;
            return b'\n';
        };
        self.pos += 1;
        if byte == b'\r' {
            if self.text.get(self.pos) == Some(&b'\n') {
                self.pos += 1;
                self.line += 1;
                return b'\n';
            }
            return b'\r';
        }
        if byte == b'\n' {
            self.line += 1;
        }
        byte
    }
}

struct Parser<'a> {
    reader: Reader<'a>,
    /// The pending event (git's `previous_type`/`previous_offset`); `None` is git's EOF type.
    previous: Option<(EventKind, usize)>,
    parsed: Parsed,
}

impl Parser<'_> {
    /// `config.c` `do_event`: close the pending event where `kind` starts. `None` is the end.
    fn event(&mut self, kind: Option<EventKind>) {
        if kind == Some(EventKind::Whitespace)
            && matches!(self.previous, Some((EventKind::Whitespace, _)))
        {
            return;
        }
        let mut offset = self.reader.pos;
        if kind.is_some() {
            offset -= 1;
        }
        if let Some((previous, begin)) = self.previous {
            self.parsed.events.push(Event {
                kind: previous,
                begin,
                end: offset,
            });
        }
        self.previous = kind.map(|kind| (kind, offset));
    }

    /// `config.c` `git_parse_source`.
    fn run(mut self) -> Result<Parsed, Error> {
        const BOM: [u8; 3] = [0xef, 0xbb, 0xbf];
        let mut bom_idx = Some(0usize);
        let mut comment = false;
        let mut section: Option<usize> = None;
        loop {
            let byte = self.reader.next_char();
            if let Some(idx) = bom_idx.filter(|&idx| idx < BOM.len()) {
                if byte == BOM[idx] {
                    bom_idx = Some(idx + 1);
                    continue;
                }
                if idx != 0 {
                    return Err(Error::PartialBom {
                        line: self.reader.line,
                    });
                }
                bom_idx = None;
            }
            if byte == b'\n' {
                if self.reader.eof {
                    self.event(None);
                    return Ok(self.parsed);
                }
                self.event(Some(EventKind::Whitespace));
                comment = false;
                continue;
            }
            if comment {
                continue;
            }
            if is_space(byte) {
                self.event(Some(EventKind::Whitespace));
                continue;
            }
            if byte == b'#' || byte == b';' {
                self.event(Some(EventKind::Comment));
                comment = true;
                continue;
            }
            if byte == b'[' {
                let section_idx = self.parsed.sections.len();
                self.event(Some(EventKind::Section(section_idx)));
                let line = self.reader.line;
                let (base, extended) = self.section_header()?;
                if base.is_empty() {
                    return Err(Error::InvalidSectionHeader {
                        line: self.reader.line,
                    });
                }
                self.parsed.sections.push(Section {
                    base,
                    extended,
                    line,
                });
                section = Some(section_idx);
                continue;
            }
            if !byte.is_ascii_alphabetic() {
                return Err(Error::UnexpectedByte {
                    line: self.reader.line,
                    byte,
                });
            }
            let entry_idx = self.parsed.entries.len();
            self.event(Some(EventKind::Entry(entry_idx)));
            let line = self.reader.line;
            let (key, value) = self.entry(byte)?;
            self.parsed.entries.push(Entry {
                section,
                key,
                value,
                line,
            });
        }
    }

    /// `config.c` `get_base_var`, after the `[`: the base and whether it is the extended form.
    fn section_header(&mut self) -> Result<(Vec<u8>, bool), Error> {
        let mut base = Vec::new();
        loop {
            let byte = self.reader.next_char();
            if self.reader.eof {
                return Err(Error::InvalidSectionHeader {
                    line: self.reader.line,
                });
            }
            if byte == b']' {
                return Ok((base, false));
            }
            if is_space(byte) {
                self.extended_section_header(&mut base, byte)?;
                return Ok((base, true));
            }
            if !is_key_char(byte) && byte != b'.' {
                return Err(Error::InvalidSectionHeader {
                    line: self.reader.line,
                });
            }
            base.push(byte.to_ascii_lowercase());
        }
    }

    /// `config.c` `get_extended_base_var`: `WS+ "subsection"]`.
    fn extended_section_header(&mut self, base: &mut Vec<u8>, first: u8) -> Result<(), Error> {
        let mut byte = first;
        loop {
            if byte == b'\n' {
                return Err(self.incomplete_line());
            }
            byte = self.reader.next_char();
            if !is_space(byte) {
                break;
            }
        }
        if byte != b'"' {
            return Err(Error::InvalidSectionHeader {
                line: self.reader.line,
            });
        }
        base.push(b'.');
        loop {
            let mut byte = self.reader.next_char();
            if byte == b'\n' {
                return Err(self.incomplete_line());
            }
            if byte == b'"' {
                break;
            }
            if byte == b'\\' {
                byte = self.reader.next_char();
                if byte == b'\n' {
                    return Err(self.incomplete_line());
                }
            }
            if byte == 0 {
                return Err(Error::Nul {
                    line: self.reader.line,
                });
            }
            base.push(byte);
        }
        if self.reader.next_char() != b']' {
            return Err(Error::InvalidSectionHeader {
                line: self.reader.line,
            });
        }
        Ok(())
    }

    /// git reports an incomplete header on the line the LF ended.
    fn incomplete_line(&mut self) -> Error {
        Error::InvalidSectionHeader {
            line: self.reader.line - 1,
        }
    }

    /// `config.c` `get_value`: the rest of the key, then `= value` or the end of the line.
    fn entry(&mut self, first: u8) -> Result<(Vec<u8>, Option<Vec<u8>>), Error> {
        let mut key = vec![first.to_ascii_lowercase()];
        let mut byte;
        loop {
            byte = self.reader.next_char();
            if self.reader.eof || !is_key_char(byte) {
                break;
            }
            key.push(byte.to_ascii_lowercase());
        }
        while byte == b' ' || byte == b'\t' {
            byte = self.reader.next_char();
        }
        if byte == b'\n' {
            return Ok((key, None));
        }
        if byte != b'=' {
            return Err(Error::ExpectedEquals {
                line: self.reader.line,
                byte,
            });
        }
        Ok((key, Some(self.value()?)))
    }

    /// `config.c` `parse_value`.
    fn value(&mut self) -> Result<Vec<u8>, Error> {
        let mut value = Vec::new();
        let mut quote = false;
        let mut comment = false;
        // Where trailing unquoted whitespace started (0: none, as in git).
        let mut trim_len = 0usize;
        loop {
            let byte = self.reader.next_char();
            if byte == b'\n' {
                if quote {
                    return Err(Error::UnterminatedQuote {
                        line: self.reader.line - 1,
                    });
                }
                if trim_len != 0 {
                    value.truncate(trim_len);
                }
                return Ok(value);
            }
            if comment {
                continue;
            }
            if is_space(byte) && !quote {
                if trim_len == 0 {
                    trim_len = value.len();
                }
                if !value.is_empty() {
                    value.push(byte);
                }
                continue;
            }
            if !quote && (byte == b';' || byte == b'#') {
                comment = true;
                continue;
            }
            trim_len = 0;
            if byte == b'\\' {
                let escaped = self.reader.next_char();
                let decoded = match escaped {
                    b'\n' => continue,
                    b't' => b'\t',
                    b'b' => 0x08,
                    b'n' => b'\n',
                    b'\\' | b'"' => escaped,
                    _ => {
                        return Err(Error::InvalidEscape {
                            line: self.reader.line,
                            byte: escaped,
                        })
                    }
                };
                value.push(decoded);
                continue;
            }
            if byte == b'"' {
                quote = !quote;
                continue;
            }
            if byte == 0 {
                return Err(Error::Nul {
                    line: self.reader.line,
                });
            }
            value.push(byte);
        }
    }
}
