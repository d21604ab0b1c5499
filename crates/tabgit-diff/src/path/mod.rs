//! Paths in diff output and path limiting: git's C-style quoting (`quote.c`, `core.quotePath`)
//! and literal path prefixes (the pathspec of `git log -- <path>` without wildcards).

/// Whether git must quote `byte` in a path (`cq_must_quote` in `quote.c`, with
/// `core.quotePath=true`, git's default).
fn must_quote(byte: u8) -> bool {
    byte < 0x20 || byte == b'"' || byte == b'\\' || byte >= 0x7f
}

/// Whether `path` must be quoted in diff output.
pub fn needs_quoting(path: &[u8]) -> bool {
    path.iter().any(|&b| must_quote(b))
}

/// Append `path` to `out`, escaped as git's `quote_c_style` does without the surrounding
/// double quotes.
fn push_escaped(out: &mut Vec<u8>, path: &[u8]) {
    for &byte in path {
        if !must_quote(byte) {
            out.push(byte);
            continue;
        }
        out.push(b'\\');
        match byte {
            0x07 => out.push(b'a'),
            0x08 => out.push(b'b'),
            b'\t' => out.push(b't'),
            b'\n' => out.push(b'n'),
            0x0b => out.push(b'v'),
            0x0c => out.push(b'f'),
            b'\r' => out.push(b'r'),
            b'"' => out.push(b'"'),
            b'\\' => out.push(b'\\'),
            _ => {
                out.push(b'0' + (byte >> 6));
                out.push(b'0' + ((byte >> 3) & 7));
                out.push(b'0' + (byte & 7));
            }
        }
    }
}

/// Append `path` to `out` as git prints a path: as is, or in double quotes with C escapes when
/// it contains control characters, `"`, `\` or non-ASCII bytes (`quote_c_style` in `quote.c`).
///
/// ### Relation to git
///
/// Non-ASCII bytes are escaped as octal, as with git's default `core.quotePath=true`.
pub fn write_quoted(out: &mut Vec<u8>, path: &[u8]) {
    if needs_quoting(path) {
        out.push(b'"');
        push_escaped(out, path);
        out.push(b'"');
    } else {
        out.extend_from_slice(path);
    }
}

/// Append `prefix` followed by `path` to `out`, quoting both together if either needs it, as
/// the `diff --git "a/…" "b/…"` line does (`quote_two` in `diff.c`).
pub fn write_quoted_with_prefix(out: &mut Vec<u8>, prefix: &[u8], path: &[u8]) {
    if needs_quoting(prefix) || needs_quoting(path) {
        out.push(b'"');
        push_escaped(out, prefix);
        push_escaped(out, path);
        out.push(b'"');
    } else {
        out.extend_from_slice(prefix);
        out.extend_from_slice(path);
    }
}

/// Literal path prefixes that limit a diff: a path is included when it equals a prefix or lies
/// below one (`src` matches `src` and `src/main.rs`, but not `src2`). No prefixes means
/// everything is included.
///
/// ### Relation to git
///
/// These are git's pathspecs with the `literal` magic: no wildcards. A trailing `/` is allowed
/// and means the same as none.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct Prefixes {
    prefixes: Vec<Vec<u8>>,
}

/// Lifecycle
impl Prefixes {
    /// Limit to `prefixes`. An empty list, or an empty prefix among them, includes everything.
    pub fn new<I, P>(prefixes: I) -> Self
    where
        I: IntoIterator<Item = P>,
        P: AsRef<[u8]>,
    {
        let mut list = Vec::new();
        for prefix in prefixes {
            let mut prefix = prefix.as_ref();
            while let Some(rest) = prefix.strip_suffix(b"/") {
                prefix = rest;
            }
            if prefix.is_empty() {
                // The whole tree.
                return Prefixes::default();
            }
            list.push(prefix.to_vec());
        }
        Prefixes { prefixes: list }
    }
}

/// Access
impl Prefixes {
    /// Whether everything is included.
    pub fn is_empty(&self) -> bool {
        self.prefixes.is_empty()
    }

    /// The prefixes, without trailing slashes.
    pub fn as_slice(&self) -> &[Vec<u8>] {
        &self.prefixes
    }

    /// Whether the file or directory at `path` is included: it equals a prefix or lies below one.
    pub fn matches(&self, path: &[u8]) -> bool {
        self.prefixes.is_empty()
            || self
                .prefixes
                .iter()
                .any(|prefix| is_same_or_below(path, prefix))
    }

    /// Whether anything below the directory `dir` can be included: `dir` is included itself, or
    /// lies above a prefix.
    pub fn may_include_below(&self, dir: &[u8]) -> bool {
        self.prefixes.is_empty()
            || self
                .prefixes
                .iter()
                .any(|prefix| is_same_or_below(dir, prefix) || is_same_or_below(prefix, dir))
    }
}

/// Whether `path` is `base` or a path inside the directory `base`.
fn is_same_or_below(path: &[u8], base: &[u8]) -> bool {
    path.strip_prefix(base)
        .is_some_and(|rest| rest.is_empty() || rest.first() == Some(&b'/'))
}
