//! Ignore files: `.gitignore` in any directory and `$GIT_DIR/info/exclude` (`gitignore`; git's
//! `dir.c`).
//!
//! ### Precedence
//!
//! For a path, the last matching pattern wins, searched in this order (`last_matching_pattern`):
//! the `.gitignore` of the deepest directory first, up to the top-level one, then the
//! repository-wide files ([`Stack::new`]'s `global`, later ones first: `info/exclude` before
//! `core.excludesFile`). Within a file, later lines win. A matching negated pattern (`!keep.o`)
//! means "not ignored" and ends the search.
//!
//! A file inside an ignored directory is ignored whatever its own patterns say, because git
//! never looks inside ignored directories ("It is not possible to re-include a file if a parent
//! directory of that file is excluded"). A directory walk gets that by not descending into
//! ignored directories; [`check`] gets it by testing every parent directory on the way down, as
//! `git check-ignore` does.

use crate::pattern::Pattern;

/// One pattern of an ignore file, with where it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    /// The parsed pattern.
    pub pattern: Pattern,
    /// The line as written (after trimming), what `git check-ignore -v` prints.
    pub text: Vec<u8>,
    /// The line number, from 1.
    pub line: usize,
}

/// The patterns of one ignore file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct File {
    /// The directory the file applies to (`""` for the top, else without a trailing slash).
    pub base: Vec<u8>,
    /// Where it was read from, as `git check-ignore -v` names it (`.gitignore`,
    /// `src/.gitignore`, `.git/info/exclude`).
    pub source: Vec<u8>,
    /// The patterns, in file order.
    pub rules: Vec<Rule>,
}

/// Lifecycle
impl File {
    /// Parse an ignore file found in directory `base` (`add_patterns_from_buffer`): blank lines
    /// and lines starting with `#` are skipped, unescaped trailing spaces are trimmed.
    pub fn parse(data: &[u8], base: &[u8], source: &[u8]) -> Self {
        let mut rules = Vec::new();
        for (line_number, line) in crate::lines(data) {
            if line.is_empty() || line[0] == b'#' {
                continue;
            }
            let text = trim_trailing_spaces(line);
            if text.is_empty() {
                continue;
            }
            rules.push(Rule {
                pattern: Pattern::parse(text),
                text: text.to_vec(),
                line: line_number,
            });
        }
        File {
            base: base.to_vec(),
            source: source.to_vec(),
            rules,
        }
    }
}

/// Access
impl File {
    /// The last rule of this file that matches `path`, negated or not.
    pub fn last_match(&self, path: &[u8], is_dir: bool, casefold: bool) -> Option<&Rule> {
        self.rules
            .iter()
            .rev()
            .find(|rule| rule.pattern.matches(path, &self.base, is_dir, casefold))
    }
}

/// `trim_trailing_spaces`: drop trailing spaces unless escaped with a backslash.
fn trim_trailing_spaces(line: &[u8]) -> &[u8] {
    let mut last_space: Option<usize> = None;
    let mut idx = 0;
    while idx < line.len() {
        match line[idx] {
            b' ' => {
                if last_space.is_none() {
                    last_space = Some(idx);
                }
            }
            b'\\' => {
                idx += 1;
                if idx >= line.len() {
                    return line;
                }
                last_space = None;
            }
            _ => last_space = None,
        }
        idx += 1;
    }
    match last_space {
        Some(end) => &line[..end],
        None => line,
    }
}

/// The rule that decided about a path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Match<'a> {
    /// The file holding the rule.
    pub file: &'a File,
    /// The rule.
    pub rule: &'a Rule,
}

impl Match<'_> {
    /// Whether the path is ignored (the rule is not negated).
    pub fn is_ignored(&self) -> bool {
        !self.rule.pattern.negative
    }

    /// The owned form, to keep after the stack changes.
    pub fn to_owned(&self) -> OwnedMatch {
        OwnedMatch {
            source: self.file.source.clone(),
            line: self.rule.line,
            text: self.rule.text.clone(),
            negative: self.rule.pattern.negative,
        }
    }
}

/// A [`Match`] that owns its data: what `git check-ignore -v` prints.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OwnedMatch {
    /// The file (`.gitignore`, `.git/info/exclude`).
    pub source: Vec<u8>,
    /// The line number.
    pub line: usize,
    /// The pattern as written.
    pub text: Vec<u8>,
    /// Whether the pattern is negated (the path is then not ignored).
    pub negative: bool,
}

/// The ignore files in effect while walking a tree: repository-wide files plus one optional
/// `.gitignore` per directory level, pushed when the walk enters a directory and popped when
/// it leaves.
#[derive(Clone, Debug, Default)]
pub struct Stack {
    global: Vec<File>,
    dirs: Vec<Option<File>>,
    /// Compare case-insensitively (`core.ignoreCase`).
    pub casefold: bool,
}

/// Lifecycle
impl Stack {
    /// A stack with repository-wide files, lowest precedence first (`core.excludesFile`, then
    /// `info/exclude`).
    pub fn new(global: Vec<File>) -> Self {
        Stack {
            global,
            dirs: Vec::new(),
            casefold: false,
        }
    }
}

/// Mutation
impl Stack {
    /// Enter a directory whose `.gitignore` is `file`.
    pub fn push(&mut self, file: File) {
        self.dirs.push(Some(file));
    }

    /// Enter a directory without a `.gitignore`.
    pub fn push_empty(&mut self) {
        self.dirs.push(None);
    }

    /// Leave the innermost directory.
    pub fn pop(&mut self) {
        self.dirs.pop();
    }
}

/// Access
impl Stack {
    /// How many directory levels are pushed.
    pub fn depth(&self) -> usize {
        self.dirs.len()
    }

    /// The rule that decides about `path` (`last_matching_pattern_from_lists`), if any.
    pub fn decide(&self, path: &[u8], is_dir: bool) -> Option<Match<'_>> {
        let dirs = self.dirs.iter().rev().filter_map(Option::as_ref);
        for file in dirs.chain(self.global.iter().rev()) {
            if let Some(rule) = file.last_match(path, is_dir, self.casefold) {
                return Some(Match { file, rule });
            }
        }
        None
    }

    /// Whether `path` is ignored by the files on the stack (its parents are not checked).
    pub fn is_ignored(&self, path: &[u8], is_dir: bool) -> bool {
        self.decide(path, is_dir).is_some_and(|m| m.is_ignored())
    }
}

/// What `git check-ignore` decides for `path`: its parent directories are tested first, top
/// down, each with the ignore files above it, and an ignored parent decides for everything
/// below. `load(dir)` returns the `.gitignore` of directory `dir` (`b""` for the top), if it has
/// one; `global` are the repository-wide files.
pub fn check(
    path: &[u8],
    is_dir: bool,
    global: Vec<File>,
    casefold: bool,
    load: &mut dyn FnMut(&[u8]) -> Option<File>,
) -> Option<OwnedMatch> {
    let mut stack = Stack::new(global);
    stack.casefold = casefold;
    let push = |stack: &mut Stack, dir: &[u8], load: &mut dyn FnMut(&[u8]) -> Option<File>| {
        match load(dir) {
            Some(file) => stack.push(file),
            None => stack.push_empty(),
        }
    };
    push(&mut stack, b"", load);
    for (idx, _) in path.iter().enumerate().filter(|(_, &b)| b == b'/') {
        let dir = &path[..idx];
        if let Some(found) = stack.decide(dir, true) {
            if found.is_ignored() {
                return Some(found.to_owned());
            }
        }
        push(&mut stack, dir, load);
    }
    stack.decide(path, is_dir).map(|m| m.to_owned())
}
