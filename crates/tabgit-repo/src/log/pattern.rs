//! The patterns `--author` and `--grep` take: git's basic regular expressions (the default
//! `grep.patternType`), matched line by line.
//!
//! Supported: literal characters, `.`, `*` after an atom, `^` and `$` anchors, bracket
//! expressions (`[abc]`, `[^a-z]`) and `\` escapes. In basic syntax `+`, `?`, `|`, `(` and `{`
//! are ordinary characters, as in git.

/// A compiled pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pattern {
    anchored_start: bool,
    anchored_end: bool,
    atoms: Vec<(Atom, bool)>,
    ignore_case: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Atom {
    Byte(u8),
    Any,
    Class {
        negated: bool,
        ranges: Vec<(u8, u8)>,
    },
}

impl Pattern {
    /// Compile `pattern`; `ignore_case` matches ASCII letters case-insensitively (`-i`).
    pub fn new(pattern: &[u8], ignore_case: bool) -> Self {
        let mut rest = pattern;
        let anchored_start = rest.first() == Some(&b'^');
        if anchored_start {
            rest = &rest[1..];
        }
        let anchored_end = rest.last() == Some(&b'$') && !rest.ends_with(b"\\$");
        if anchored_end {
            rest = &rest[..rest.len() - 1];
        }
        let mut atoms: Vec<(Atom, bool)> = Vec::new();
        let mut idx = 0;
        while idx < rest.len() {
            let byte = rest[idx];
            idx += 1;
            let atom = match byte {
                b'.' => Atom::Any,
                b'*' if !atoms.is_empty() && !atoms.last().is_some_and(|(_, star)| *star) => {
                    if let Some(last) = atoms.last_mut() {
                        last.1 = true;
                    }
                    continue;
                }
                b'\\' if idx < rest.len() => {
                    idx += 1;
                    Atom::Byte(rest[idx - 1])
                }
                b'[' => {
                    let mut negated = false;
                    if rest.get(idx) == Some(&b'^') {
                        negated = true;
                        idx += 1;
                    }
                    let mut ranges = Vec::new();
                    let mut first = true;
                    while idx < rest.len() && (first || rest[idx] != b']') {
                        first = false;
                        let low = rest[idx];
                        if rest.get(idx + 1) == Some(&b'-')
                            && rest.get(idx + 2).is_some_and(|&b| b != b']')
                        {
                            ranges.push((low, rest[idx + 2]));
                            idx += 3;
                        } else {
                            ranges.push((low, low));
                            idx += 1;
                        }
                    }
                    idx += 1; // the closing bracket
                    Atom::Class { negated, ranges }
                }
                other => Atom::Byte(other),
            };
            atoms.push((atom, false));
        }
        Pattern {
            anchored_start,
            anchored_end,
            atoms,
            ignore_case,
        }
    }

    /// Whether any line of `text` matches.
    pub fn matches(&self, text: &[u8]) -> bool {
        text.split(|&b| b == b'\n')
            .any(|line| self.matches_line(line))
    }

    fn matches_line(&self, line: &[u8]) -> bool {
        if self.anchored_start {
            return self.match_here(&self.atoms, line);
        }
        (0..=line.len()).any(|start| self.match_here(&self.atoms, &line[start..]))
    }

    fn atom_matches(&self, atom: &Atom, byte: u8) -> bool {
        let fold = |b: u8| {
            if self.ignore_case {
                b.to_ascii_lowercase()
            } else {
                b
            }
        };
        match atom {
            Atom::Any => true,
            Atom::Byte(expected) => fold(*expected) == fold(byte),
            Atom::Class { negated, ranges } => {
                let inside = ranges.iter().any(|&(low, high)| {
                    (low..=high).contains(&byte)
                        || (self.ignore_case
                            && ((low..=high).contains(&byte.to_ascii_lowercase())
                                || (low..=high).contains(&byte.to_ascii_uppercase())))
                });
                inside != *negated
            }
        }
    }

    /// Whether `atoms` match a prefix of `text` (all of it when anchored at the end). Stars are
    /// matched lazily from the shortest run, with an explicit loop per star.
    fn match_here(&self, atoms: &[(Atom, bool)], text: &[u8]) -> bool {
        let mut atoms = atoms;
        let mut text = text;
        loop {
            let Some(((atom, star), rest)) = atoms.split_first() else {
                return !self.anchored_end || text.is_empty();
            };
            if *star {
                let mut taken = 0;
                loop {
                    if self.match_here(rest, &text[taken..]) {
                        return true;
                    }
                    if taken < text.len() && self.atom_matches(atom, text[taken]) {
                        taken += 1;
                    } else {
                        return false;
                    }
                }
            }
            match text.split_first() {
                Some((&byte, remaining)) if self.atom_matches(atom, byte) => {
                    atoms = rest;
                    text = remaining;
                }
                _ => return false,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Pattern;

    #[test]
    fn basic_regular_expressions() {
        let m = |p: &str, t: &str| Pattern::new(p.as_bytes(), false).matches(t.as_bytes());
        assert!(m("parse", "Add a parser skeleton"));
        assert!(m("^Add", "Add a parser"));
        assert!(!m("^dd", "Add a parser"));
        assert!(m("r$", "a parser"));
        assert!(m("p.rs*er", "a parser"));
        assert!(m("[Pp]arser", "Parser"));
        assert!(!m("[^a-z]arser", "parser"));
        assert!(m("a+b", "x a+b y"), "+ is literal in basic syntax");
        assert!(m("second", "first line\nsecond line"));
        assert!(Pattern::new(b"README", true).matches(b"reword the readme"));
    }
}
