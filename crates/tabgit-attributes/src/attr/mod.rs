//! `.gitattributes` (`gitattributes`; git's `attr.c`): which attributes a path has.
//!
//! A line is a pattern followed by assignments: `name` (set), `-name` (unset), `!name`
//! (unspecified again), `name=value`. `[attr]macro assignments…` defines a macro (only in the
//! top-level file and `info/attributes`); setting a macro sets what it stands for. The built-in
//! macro is `[attr]binary -diff -merge -text`.
//!
//! ### Precedence
//!
//! `info/attributes` first, then the `.gitattributes` of the deepest directory up to the top,
//! then the built-in definitions (`fill` in `attr.c`). Within a file, later lines win; within a
//! line, later assignments win. The first source that specifies an attribute decides it; a macro
//! set there also decides, at the same place, each of its attributes not decided yet
//! (`fill_one`, `macroexpand_one`).
//!
//! ### Relation to git
//!
//! Lines of 2048 bytes or more, negative patterns and `[attr]` lines outside the top level are
//! ignored, as git ignores them (git also warns). Patterns may be C-quoted (`"a b" text`).
//! Directory patterns (`dir/ attr`) never match, because attributes are looked up for files.

use std::collections::BTreeMap;

use crate::pattern::Pattern;

/// The longest line git reads from an attributes file (`ATTR_MAX_LINE_LENGTH`).
pub const MAX_LINE_LENGTH: usize = 2048;

/// What an attribute is for a path (`gitattributes`, "DESCRIPTION").
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum State {
    /// `name`: set (`true`).
    Set,
    /// `-name`: unset (`false`).
    Unset,
    /// `name=value`.
    Value(Vec<u8>),
    /// Nothing said, or `!name`.
    Unspecified,
}

/// One assignment of a line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assignment {
    /// The attribute's name.
    pub name: Vec<u8>,
    /// What it becomes.
    pub state: State,
}

/// One line: a pattern (or a macro name) and its assignments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    /// What the line applies to.
    pub target: Target,
    /// The assignments, in line order.
    pub assignments: Vec<Assignment>,
}

/// What a line applies to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// Paths matching a pattern.
    Pattern(Pattern),
    /// A macro definition: `[attr]name`.
    Macro(Vec<u8>),
}

/// The lines of one attributes file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct File {
    /// The directory the file applies to (`""` for the top).
    pub base: Vec<u8>,
    /// The lines that parsed, in file order.
    pub lines: Vec<Line>,
}

/// Whether `name` is a valid attribute name (`attr_name_valid`): letters, digits, `-`, `.`,
/// `_`, not starting with `-`.
pub fn is_valid_name(name: &[u8]) -> bool {
    !name.is_empty()
        && name[0] != b'-'
        && name
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'))
}

fn is_blank(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

fn skip_blank(s: &[u8]) -> &[u8] {
    let start = s.iter().position(|&b| !is_blank(b)).unwrap_or(s.len());
    &s[start..]
}

fn split_word(s: &[u8]) -> (&[u8], &[u8]) {
    let end = s.iter().position(|&b| is_blank(b)).unwrap_or(s.len());
    (&s[..end], &s[end..])
}

/// Decode a C-quoted string starting at `s[0] == '"'` (`unquote_c_style`): the text and the
/// rest after the closing quote, or `None` if it is not well formed.
fn unquote(s: &[u8]) -> Option<(Vec<u8>, &[u8])> {
    let mut out = Vec::new();
    let mut idx = 1;
    loop {
        let b = *s.get(idx)?;
        idx += 1;
        match b {
            b'"' => return Some((out, &s[idx..])),
            b'\\' => {
                let escaped = *s.get(idx)?;
                idx += 1;
                let decoded = match escaped {
                    b'a' => 7,
                    b'b' => 8,
                    b'f' => 12,
                    b'n' => b'\n',
                    b'r' => b'\r',
                    b't' => b'\t',
                    b'v' => 11,
                    b'\\' | b'"' => escaped,
                    b'0'..=b'3' => {
                        let d2 = *s.get(idx)?;
                        let d3 = *s.get(idx + 1)?;
                        if !(b'0'..=b'7').contains(&d2) || !(b'0'..=b'7').contains(&d3) {
                            return None;
                        }
                        idx += 2;
                        ((escaped - b'0') << 6) | ((d2 - b'0') << 3) | (d3 - b'0')
                    }
                    _ => return None,
                };
                out.push(decoded);
            }
            _ => out.push(b),
        }
    }
}

/// Parse the assignments after the pattern (`parse_attr`, both passes); `None` if any is
/// invalid, which makes git drop the whole line.
fn parse_assignments(mut rest: &[u8]) -> Option<Vec<Assignment>> {
    let mut out = Vec::new();
    rest = skip_blank(rest);
    while !rest.is_empty() {
        let (word, after) = split_word(rest);
        let (name_part, value) = match word.iter().position(|&b| b == b'=') {
            Some(eq) => (&word[..eq], Some(&word[eq + 1..])),
            None => (word, None),
        };
        let (name, state) = match name_part.first() {
            Some(b'-') => (&name_part[1..], State::Unset),
            Some(b'!') => (&name_part[1..], State::Unspecified),
            _ => match value {
                Some(value) => (name_part, State::Value(value.to_vec())),
                None => (name_part, State::Set),
            },
        };
        if !is_valid_name(name) || name.starts_with(b"builtin_") {
            return None;
        }
        out.push(Assignment {
            name: name.to_vec(),
            state,
        });
        rest = skip_blank(after);
    }
    Some(out)
}

/// Lifecycle
impl File {
    /// Parse an attributes file found in directory `base`. Macro definitions are kept only if
    /// `macros_allowed` (the top-level file and `info/attributes`).
    pub fn parse(data: &[u8], base: &[u8], macros_allowed: bool) -> Self {
        let mut lines = Vec::new();
        for (_, line) in crate::lines(data) {
            if line.len() >= MAX_LINE_LENGTH {
                continue;
            }
            let start = skip_blank(line);
            if start.is_empty() || start[0] == b'#' {
                continue;
            }
            let quoted = if start.first() == Some(&b'"') {
                unquote(start)
            } else {
                None
            };
            let (name, states): (Vec<u8>, &[u8]) = if let Some((name, rest)) = quoted {
                (name, rest)
            } else {
                let (name, rest) = split_word(start);
                (name.to_vec(), rest)
            };
            let target = if name.len() > 6 && name.starts_with(b"[attr]") {
                if !macros_allowed {
                    continue;
                }
                let (macro_name, _) = split_word(skip_blank(&name[6..]));
                if !is_valid_name(macro_name) {
                    continue;
                }
                Target::Macro(macro_name.to_vec())
            } else {
                let pattern = Pattern::parse(&name);
                if pattern.negative {
                    continue;
                }
                Target::Pattern(pattern)
            };
            let Some(assignments) = parse_assignments(states) else {
                continue;
            };
            lines.push(Line {
                target,
                assignments,
            });
        }
        File {
            base: base.to_vec(),
            lines,
        }
    }
}

/// The attributes of one path: every attribute some source specified, in the order they were
/// decided.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Attributes {
    decided: Vec<(Vec<u8>, State)>,
}

static UNSPECIFIED: State = State::Unspecified;

/// Access
impl Attributes {
    /// The state of attribute `name`.
    pub fn get(&self, name: &[u8]) -> &State {
        self.decided
            .iter()
            .find(|(n, _)| n == name)
            .map_or(&UNSPECIFIED, |(_, s)| s)
    }

    /// Every attribute that is set, unset or has a value (what `git check-attr -a` lists),
    /// sorted by name.
    pub fn specified(&self) -> Vec<(&[u8], &State)> {
        let mut out: Vec<(&[u8], &State)> = self
            .decided
            .iter()
            .filter(|(_, s)| *s != State::Unspecified)
            .map(|(n, s)| (n.as_slice(), s))
            .collect();
        out.sort_by(|a, b| a.0.cmp(b.0));
        out
    }

    /// Whether git treats the content as binary by attribute: `binary`, or `-text` with `-diff`.
    pub fn is_binary(&self) -> bool {
        *self.get(b"binary") == State::Set
    }

    /// What the `text` attribute says about line-ending normalization.
    pub fn text(&self) -> Text {
        match self.get(b"text") {
            State::Set => Text::Text,
            State::Unset => Text::Binary,
            State::Value(v) if v == b"auto" => Text::Auto,
            State::Value(_) | State::Unspecified => match self.get(b"eol") {
                // `eol` alone implies `text` (`gitattributes`, "eol").
                State::Value(_) => Text::Text,
                _ => Text::Unspecified,
            },
        }
    }

    /// The line ending the `eol` attribute asks for in the working tree.
    pub fn eol(&self) -> Option<Eol> {
        match self.get(b"eol") {
            State::Value(v) if v == b"lf" => Some(Eol::Lf),
            State::Value(v) if v == b"crlf" => Some(Eol::Crlf),
            _ => None,
        }
    }

    fn decide(&mut self, name: &[u8], state: &State) -> bool {
        if self.decided.iter().any(|(n, _)| n == name) {
            return false;
        }
        self.decided.push((name.to_vec(), state.clone()));
        true
    }
}

/// The `text` attribute (`gitattributes`, "text").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Text {
    /// `text` (or `eol` set): normalize line endings.
    Text,
    /// `-text` (or `binary`): never normalize.
    Binary,
    /// `text=auto`: normalize if git detects text.
    Auto,
    /// Nothing said: `core.autocrlf` decides.
    Unspecified,
}

/// The `eol` attribute.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Eol {
    /// `eol=lf`.
    Lf,
    /// `eol=crlf`.
    Crlf,
}

/// Every attributes file of a tree, by directory, plus `info/attributes`: answers lookups for
/// any path.
#[derive(Clone, Debug)]
pub struct Collection {
    builtin: File,
    by_dir: BTreeMap<Vec<u8>, File>,
    info: Option<File>,
    /// Compare case-insensitively (`core.ignoreCase`).
    pub casefold: bool,
}

impl Default for Collection {
    fn default() -> Self {
        Collection {
            builtin: File::parse(b"[attr]binary -diff -merge -text\n", b"", true),
            by_dir: BTreeMap::new(),
            info: None,
            casefold: false,
        }
    }
}

/// Mutation
impl Collection {
    /// Add the `.gitattributes` of directory `dir` (`b""` for the top).
    pub fn insert_file(&mut self, dir: &[u8], data: &[u8]) {
        let file = File::parse(data, dir, dir.is_empty());
        self.by_dir.insert(dir.to_vec(), file);
    }

    /// Set `$GIT_DIR/info/attributes`.
    pub fn set_info(&mut self, data: &[u8]) {
        self.info = Some(File::parse(data, b"", true));
    }
}

/// Access
impl Collection {
    /// Whether no attributes file was added.
    pub fn is_empty(&self) -> bool {
        self.by_dir.is_empty() && self.info.is_none()
    }

    /// The attributes of the file at `path`.
    pub fn lookup(&self, path: &[u8]) -> Attributes {
        // Highest precedence first: info/attributes, deepest directory … top, built-ins.
        let mut files: Vec<&File> = Vec::new();
        files.extend(self.info.iter());
        let mut dirs: Vec<&[u8]> = vec![b""];
        dirs.extend(
            path.iter()
                .enumerate()
                .filter(|(_, &b)| b == b'/')
                .map(|(idx, _)| &path[..idx]),
        );
        for dir in dirs.iter().rev() {
            if let Some(file) = self.by_dir.get(*dir) {
                files.push(file);
            }
        }
        files.push(&self.builtin);

        // `determine_macros`: the definition from the highest-precedence source wins.
        let mut macros: Vec<(&[u8], &[Assignment])> = Vec::new();
        for file in &files {
            for line in file.lines.iter().rev() {
                if let Target::Macro(name) = &line.target {
                    if !macros.iter().any(|(n, _)| *n == name.as_slice()) {
                        macros.push((name, &line.assignments));
                    }
                }
            }
        }

        let mut out = Attributes::default();
        for file in &files {
            for line in file.lines.iter().rev() {
                let Target::Pattern(pattern) = &line.target else {
                    continue;
                };
                if pattern.matches(path, &file.base, false, self.casefold) {
                    fill(&mut out, &line.assignments, &macros, 0);
                }
            }
        }
        out
    }
}

/// `fill_one`: decide the line's assignments, last first, expanding set macros in place.
fn fill(
    out: &mut Attributes,
    assignments: &[Assignment],
    macros: &[(&[u8], &[Assignment])],
    depth: usize,
) {
    // Macros may name each other; a cycle ends because every decision is made once, and the
    // depth bound keeps a long chain from exhausting the stack.
    if depth > 64 {
        return;
    }
    for assignment in assignments.iter().rev() {
        if out.decide(&assignment.name, &assignment.state) && assignment.state == State::Set {
            if let Some((_, expansion)) = macros.iter().find(|(n, _)| *n == assignment.name) {
                fill(out, expansion, macros, depth + 1);
            }
        }
    }
}
