//! The changes view: status grouped for display, and the commit form.

use tabgit_engine::protocol::{ChangeKind, FileStatus, StatusSummary};

/// Which list a change is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Side {
    /// Staged (index vs HEAD).
    Staged,
    /// Not staged (worktree vs index), tracked files.
    Unstaged,
    /// New files git does not track yet.
    Untracked,
}

/// A row of the changes list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChangeRow {
    /// The repository path.
    pub path: Vec<u8>,
    /// The path for display (`old → new` for renames).
    pub label: String,
    /// What changed, in a word.
    pub kind: &'static str,
    /// Which list.
    pub side: Side,
}

/// The changes, grouped.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ChangeGroups {
    /// Staged changes.
    pub staged: Vec<ChangeRow>,
    /// Unstaged changes to tracked files.
    pub unstaged: Vec<ChangeRow>,
    /// Untracked files.
    pub untracked: Vec<ChangeRow>,
}

fn kind_word(kind: ChangeKind) -> &'static str {
    match kind {
        ChangeKind::Added => "added",
        ChangeKind::Modified => "modified",
        ChangeKind::Deleted => "deleted",
        ChangeKind::Renamed => "renamed",
        ChangeKind::TypeChanged => "type changed",
        ChangeKind::Untracked => "untracked",
        ChangeKind::Conflicted => "conflicted",
    }
}

fn row(file: &FileStatus, kind: ChangeKind, side: Side) -> ChangeRow {
    let path = String::from_utf8_lossy(&file.path).into_owned();
    let label = match (&file.old_path, side) {
        (Some(old), Side::Staged) => format!("{} → {path}", String::from_utf8_lossy(old)),
        _ => path,
    };
    ChangeRow {
        path: file.path.clone(),
        label,
        kind: kind_word(kind),
        side,
    }
}

/// Conversion
impl ChangeGroups {
    /// Group a status: a file with both staged and unstaged changes is in both lists.
    pub fn from_status(status: &StatusSummary) -> ChangeGroups {
        let mut groups = ChangeGroups::default();
        for file in &status.files {
            if let Some(kind) = file.staged {
                groups.staged.push(row(file, kind, Side::Staged));
            }
            match file.unstaged {
                Some(ChangeKind::Untracked) => {
                    groups
                        .untracked
                        .push(row(file, ChangeKind::Untracked, Side::Untracked));
                }
                Some(kind) => groups.unstaged.push(row(file, kind, Side::Unstaged)),
                None => {}
            }
        }
        for list in [
            &mut groups.staged,
            &mut groups.unstaged,
            &mut groups.untracked,
        ] {
            list.sort_by(|a, b| a.path.cmp(&b.path));
        }
        groups
    }

    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.staged.is_empty() && self.unstaged.is_empty() && self.untracked.is_empty()
    }

    /// Paths that "Stage all" stages.
    pub fn stageable(&self) -> Vec<Vec<u8>> {
        self.unstaged
            .iter()
            .chain(&self.untracked)
            .map(|r| r.path.clone())
            .collect()
    }
}

/// The commit form's fields.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CommitForm {
    /// The summary line.
    pub summary: String,
    /// The description.
    pub description: String,
    /// Replace the last commit.
    pub amend: bool,
}

/// Conversion
impl CommitForm {
    /// The commit message, or why the form is not ready.
    ///
    /// * `n_staged` — how many changes are staged (an amend may have none).
    pub fn message(&self, n_staged: usize) -> Result<String, String> {
        let summary = self.summary.trim();
        if summary.is_empty() {
            return Err("Write a summary for the commit".into());
        }
        if summary.contains('\n') {
            return Err("The summary is one line; put the rest in the description".into());
        }
        if n_staged == 0 && !self.amend {
            return Err("Nothing is staged: stage changes first".into());
        }
        let description = self.description.trim_end();
        let description = description.trim_start_matches('\n');
        Ok(if description.is_empty() {
            format!("{summary}\n")
        } else {
            format!("{summary}\n\n{description}\n")
        })
    }
}

#[cfg(test)]
mod tests {
    use tabgit_engine::protocol::{ChangeKind, FileStatus, StatusSummary};

    use super::{ChangeGroups, CommitForm, Side};

    #[test]
    fn status_is_grouped() {
        let status = StatusSummary {
            branch: Some("main".into()),
            ahead: 0,
            behind: 0,
            merging: false,
            files: vec![
                FileStatus {
                    path: b"b.txt".to_vec(),
                    old_path: None,
                    staged: Some(ChangeKind::Modified),
                    unstaged: Some(ChangeKind::Modified),
                },
                FileStatus {
                    path: b"new.txt".to_vec(),
                    old_path: None,
                    staged: None,
                    unstaged: Some(ChangeKind::Untracked),
                },
                FileStatus {
                    path: b"moved.rs".to_vec(),
                    old_path: Some(b"old.rs".to_vec()),
                    staged: Some(ChangeKind::Renamed),
                    unstaged: None,
                },
            ],
        };
        let groups = ChangeGroups::from_status(&status);
        assert_eq!(groups.staged.len(), 2);
        assert_eq!(groups.staged[1].label, "old.rs → moved.rs");
        assert_eq!(groups.unstaged[0].side, Side::Unstaged);
        assert_eq!(groups.untracked[0].kind, "untracked");
        assert_eq!(groups.stageable(), [b"b.txt".to_vec(), b"new.txt".to_vec()]);
        assert!(!groups.is_empty());
        assert!(ChangeGroups::default().is_empty());
    }

    #[test]
    fn commit_messages() {
        let mut form = CommitForm::default();
        assert!(form.message(1).is_err(), "a summary is needed");
        form.summary = " Fix the thing ".into();
        assert_eq!(form.message(1).expect("ok"), "Fix the thing\n");
        assert!(form.message(0).is_err(), "nothing staged");
        form.amend = true;
        assert!(form.message(0).is_ok(), "an amend may only reword");
        form.description = "\nBecause.\n\n".into();
        assert_eq!(form.message(1).expect("ok"), "Fix the thing\n\nBecause.\n");
    }
}
