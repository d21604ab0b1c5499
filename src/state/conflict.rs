//! Resolving one conflicted file: a pick per conflicting hunk (ours, theirs, both, the base),
//! the text those picks make (unpicked hunks keep git's conflict markers), and whether a text
//! still has markers before it is marked resolved.

use tabgit_engine::protocol::{ConflictHunk, ConflictInfo};

/// What to take for one conflicting hunk.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Pick {
    /// Not chosen yet: the markers stay.
    #[default]
    Open,
    /// Our side.
    Ours,
    /// Their side.
    Theirs,
    /// Ours, then theirs.
    Both,
    /// The merge base (neither change).
    Base,
}

/// A conflicted file being resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolver {
    /// The file as the engine describes it.
    pub info: ConflictInfo,
    /// The pick for each hunk (only conflicting hunks use theirs).
    pub picks: Vec<Pick>,
}

fn with_newline(text: &str) -> String {
    if text.is_empty() || text.ends_with('\n') {
        text.to_owned()
    } else {
        format!("{text}\n")
    }
}

/// Lifecycle
impl Resolver {
    /// A resolver with nothing picked.
    pub fn new(info: ConflictInfo) -> Resolver {
        let picks = vec![Pick::Open; info.hunks.len()];
        Resolver { info, picks }
    }
}

/// Queries
impl Resolver {
    /// How many hunks conflict.
    pub fn conflicts(&self) -> usize {
        self.info
            .hunks
            .iter()
            .filter(|h| matches!(h, ConflictHunk::Conflict { .. }))
            .count()
    }

    /// Whether the file can be merged by text (not binary, both sides present).
    pub fn textual(&self) -> bool {
        !self.info.binary && !self.info.hunks.is_empty()
    }

    /// What a side-deleted conflict is, in words (`None` when both sides have the file).
    pub fn deletion(&self) -> Option<String> {
        match self.info.present {
            [_, true, false] => Some(format!(
                "Deleted on {}, changed on {}",
                self.info.theirs_label, self.info.ours_label
            )),
            [_, false, true] => Some(format!(
                "Deleted on {}, changed on {}",
                self.info.ours_label, self.info.theirs_label
            )),
            [_, false, false] => Some("Deleted on both sides".into()),
            _ => None,
        }
    }

    /// The text the picks make.
    pub fn compose(&self) -> String {
        let mut out = String::new();
        for (hunk, pick) in self.info.hunks.iter().zip(&self.picks) {
            match hunk {
                ConflictHunk::Clean(text) => out.push_str(text),
                ConflictHunk::Conflict { base, ours, theirs } => match pick {
                    Pick::Ours => out.push_str(ours),
                    Pick::Theirs => out.push_str(theirs),
                    Pick::Base => out.push_str(base),
                    Pick::Both => {
                        out.push_str(&with_newline(ours));
                        out.push_str(theirs);
                    }
                    Pick::Open => {
                        out.push_str(&format!("<<<<<<< {}\n", self.info.ours_label));
                        out.push_str(&with_newline(ours));
                        out.push_str("=======\n");
                        out.push_str(&with_newline(theirs));
                        out.push_str(&format!(">>>>>>> {}\n", self.info.theirs_label));
                    }
                },
            }
        }
        out
    }

    /// The text the editor starts with: the working-tree file if it is text (it may already be
    /// edited), else what the (empty) picks make.
    pub fn initial_text(&self) -> String {
        self.info
            .worktree
            .as_deref()
            .and_then(|bytes| std::str::from_utf8(bytes).ok())
            .map_or_else(|| self.compose(), str::to_owned)
    }
}

/// Mutation
impl Resolver {
    /// Pick for hunk `index`; the new text.
    pub fn pick(&mut self, index: usize, pick: Pick) -> String {
        if let Some(slot) = self.picks.get_mut(index) {
            *slot = pick;
        }
        self.compose()
    }
}

/// How many conflict markers (`<<<<<<<` lines) a text still has.
pub fn markers_left(text: &str) -> usize {
    text.lines()
        .filter(|l| l.starts_with("<<<<<<<") || l.starts_with(">>>>>>>"))
        .count()
        / 2
}

/// The paths of conflicted files in a status, as display strings with their bytes.
pub fn conflicted_paths(status: &tabgit_engine::protocol::StatusSummary) -> Vec<Vec<u8>> {
    status
        .files
        .iter()
        .filter(|f| f.unstaged == Some(tabgit_engine::protocol::ChangeKind::Conflicted))
        .map(|f| f.path.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use tabgit_engine::protocol::{
        ChangeKind, ConflictHunk, ConflictInfo, FileStatus, StatusSummary,
    };

    use super::{conflicted_paths, markers_left, Pick, Resolver};

    fn info() -> ConflictInfo {
        ConflictInfo {
            path: b"README.md".to_vec(),
            ours_label: "main".into(),
            theirs_label: "conflict-b".into(),
            present: [true, true, true],
            hunks: vec![
                ConflictHunk::Clean("# Title\n".into()),
                ConflictHunk::Conflict {
                    base: "base\n".into(),
                    ours: "ours".into(),
                    theirs: "theirs\n".into(),
                },
                ConflictHunk::Clean("end\n".into()),
            ],
            binary: false,
            worktree: None,
        }
    }

    #[test]
    fn picks_make_the_text() {
        let mut r = Resolver::new(info());
        assert_eq!(r.conflicts(), 1);
        assert!(r.textual());
        assert_eq!(r.deletion(), None);
        let open = r.compose();
        assert_eq!(
            open,
            "# Title\n<<<<<<< main\nours\n=======\ntheirs\n>>>>>>> conflict-b\nend\n"
        );
        assert_eq!(markers_left(&open), 1);
        assert_eq!(r.initial_text(), open, "no worktree text: the markers");
        assert_eq!(r.pick(1, Pick::Theirs), "# Title\ntheirs\nend\n");
        assert_eq!(r.pick(1, Pick::Both), "# Title\nours\ntheirs\nend\n");
        assert_eq!(r.pick(1, Pick::Base), "# Title\nbase\nend\n");
        // Ours without a final newline stays as it is when taken alone.
        assert_eq!(r.pick(1, Pick::Ours), "# Title\noursend\n");
        assert_eq!(markers_left(&r.compose()), 0);
        assert_eq!(
            r.pick(7, Pick::Ours),
            r.compose(),
            "a pick out of range changes nothing"
        );
    }

    #[test]
    fn edited_worktree_text_and_deletions() {
        let mut i = info();
        i.worktree = Some(b"edited by hand\n".to_vec());
        assert_eq!(Resolver::new(i.clone()).initial_text(), "edited by hand\n");
        i.present = [true, true, false];
        i.hunks.clear();
        let r = Resolver::new(i);
        assert!(!r.textual());
        assert_eq!(
            r.deletion().as_deref(),
            Some("Deleted on conflict-b, changed on main")
        );
        let status = StatusSummary {
            branch: Some("main".into()),
            ahead: 0,
            behind: 0,
            merging: true,
            files: vec![
                FileStatus {
                    path: b"a".to_vec(),
                    old_path: None,
                    staged: None,
                    unstaged: Some(ChangeKind::Conflicted),
                },
                FileStatus {
                    path: b"b".to_vec(),
                    old_path: None,
                    staged: Some(ChangeKind::Modified),
                    unstaged: None,
                },
            ],
        };
        assert_eq!(conflicted_paths(&status), vec![b"a".to_vec()]);
    }
}
