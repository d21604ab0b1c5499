//! Branches, tags, stashes and resets in words: checking a new name, the switcher's search and
//! recent branches (from HEAD's reflog), what a refusal means and what to offer next, the plain
//! warning for each kind of reset, and the reflog entry "undo" goes back to.

use tabgit_engine::protocol::{BranchInfo, MergeResult, ReflogEntry, ResetMode};

/// Check a new branch or tag name as `git check-ref-format --branch` would; the trimmed name.
pub fn check_ref_name(name: &str) -> Result<String, &'static str> {
    let name = name.trim();
    if name.is_empty() {
        return Err("Enter a name");
    }
    if name.chars().any(|c| c.is_whitespace() || c.is_control())
        || name.contains(['~', '^', ':', '?', '*', '[', '\\'])
    {
        return Err("A name cannot contain spaces or any of ~ ^ : ? * [ \\");
    }
    if name.contains("..") || name.contains("@{") || name == "@" || name.contains("//") {
        return Err("A name cannot contain '..', '@{' or '//', or be '@'");
    }
    if name.starts_with(['-', '/', '.']) || name.ends_with(['/', '.']) {
        return Err("A name cannot start with '-', '/' or '.', or end with '/' or '.'");
    }
    if name
        .split('/')
        .any(|c| c.starts_with('.') || c.to_ascii_lowercase().ends_with(".lock"))
    {
        return Err("A part of a name cannot start with '.' or end with '.lock'");
    }
    if name == "HEAD" {
        return Err("HEAD is not a branch name");
    }
    Ok(name.to_owned())
}

/// The switcher's choices for `query`: local branches, then remote-tracking ones with no local
/// branch of the same name; each matches when its name contains every word of the query.
pub fn search<'a>(
    local: &'a [BranchInfo],
    remote: &'a [BranchInfo],
    query: &str,
) -> Vec<&'a BranchInfo> {
    let words: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();
    let matches = |b: &BranchInfo| {
        let name = b.name.to_lowercase();
        words.iter().all(|w| name.contains(w.as_str()))
    };
    let has_local = |name: &str| {
        name.split_once('/')
            .is_some_and(|(_, short)| local.iter().any(|l| l.name == short))
    };
    local
        .iter()
        .filter(|b| matches(b))
        .chain(
            remote
                .iter()
                .filter(|b| !b.name.ends_with("/HEAD") && !has_local(&b.name) && matches(b)),
        )
        .collect()
}

/// The branches most recently switched to, newest first (`checkout: moving from A to B` in
/// HEAD's reflog), without `current`.
pub fn recent(reflog: &[ReflogEntry], current: Option<&str>, limit: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for entry in reflog {
        let Some(rest) = entry.message.strip_prefix("checkout: moving from ") else {
            continue;
        };
        let Some((from, to)) = rest.split_once(" to ") else {
            continue;
        };
        for name in [to, from] {
            if Some(name) != current
                && name.len() != 40
                && !out.iter().any(|n| n == name)
                && out.len() < limit
            {
                out.push(name.to_owned());
            }
        }
    }
    out
}

/// Whether an error is git's refusal to delete a branch that is not merged (ask, then force).
pub fn is_unmerged_refusal(title: &str) -> bool {
    title.contains("not fully merged")
}

/// Whether an error is a switch refused because local changes are in the way.
pub fn is_blocked_switch(title: &str) -> bool {
    title.contains("would be overwritten")
}

/// A changed path with its bytes in the current commit and in the target (`None`: not there).
pub type SwitchCandidate = (Vec<u8>, Option<Vec<u8>>, Option<Vec<u8>>);

/// The files that block a switch: those with local changes (or untracked) whose content
/// differs between the current commit and the target's. `files` holds, per changed path, its
/// bytes in the current commit and in the target (`None`: not there).
pub fn blocking_files(files: &[SwitchCandidate]) -> Vec<String> {
    files
        .iter()
        .filter(|(_, here, there)| here != there)
        .map(|(path, _, _)| String::from_utf8_lossy(path).into_owned())
        .collect()
}

/// What a reset does, in plain words, before the user agrees.
pub fn reset_warning(mode: ResetMode, branch: &str, target: &str) -> String {
    match mode {
        ResetMode::Soft => format!(
            "Move {branch} to {target}. The commits after it leave the branch; their changes \
             stay staged, ready to commit again. Your files are not touched."
        ),
        ResetMode::Mixed => format!(
            "Move {branch} to {target}. The commits after it leave the branch; their changes \
             stay in your files, unstaged. Nothing in your files is lost."
        ),
        ResetMode::Hard => format!(
            "Move {branch} to {target} and make every file match it. The commits after it \
             leave the branch, and all uncommitted changes in your files are lost for good. \
             Undo can bring the commits back, not uncommitted changes."
        ),
    }
}

/// The commit "undo" resets back to: where HEAD was before the newest reflog entry, if that
/// entry is a reset.
pub fn undo_target(reflog: &[ReflogEntry]) -> Option<String> {
    let last = reflog.first()?;
    last.message
        .starts_with("reset: moving to")
        .then(|| last.old.clone())
}

/// What a merge did, in words.
pub fn merge_words(result: &MergeResult, source: &str) -> String {
    let short = |id: &str| id.get(..10).unwrap_or(id).to_owned();
    match result {
        MergeResult::UpToDate => format!("Already up to date with {source}"),
        MergeResult::FastForward { to } => {
            format!(
                "Fast-forwarded to {source} ({}): no merge commit needed",
                short(to)
            )
        }
        MergeResult::Committed { id } => format!("Merged {source} as {}", short(id)),
        MergeResult::Conflicted { paths } => format!(
            "Merging {source} stopped with conflicts in {} {}: resolve them to finish",
            paths.len(),
            if paths.len() == 1 { "file" } else { "files" }
        ),
    }
}

#[cfg(test)]
mod tests {
    use tabgit_engine::protocol::{BranchInfo, MergeResult, ReflogEntry, ResetMode};

    use super::{
        blocking_files, check_ref_name, is_blocked_switch, is_unmerged_refusal, merge_words,
        recent, reset_warning, search, undo_target,
    };

    fn branch(name: &str) -> BranchInfo {
        BranchInfo {
            name: name.into(),
            full_name: format!("refs/heads/{name}"),
            id: "0".repeat(40),
            current: false,
            upstream: None,
        }
    }

    fn reflog(old: &str, message: &str) -> ReflogEntry {
        ReflogEntry {
            old: old.into(),
            new: "n".into(),
            who: "Ada".into(),
            time: 0,
            message: message.into(),
        }
    }

    #[test]
    fn names_are_checked() {
        assert_eq!(check_ref_name(" topic/x "), Ok("topic/x".into()));
        for bad in [
            "", "a b", "a..b", "-x", "x/", "x.lock", "a/.b", "a:b", "HEAD", "@", "a@{1",
        ] {
            assert!(check_ref_name(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn search_and_recent() {
        let local = [branch("main"), branch("topic")];
        let remote = [
            branch("origin/main"),
            branch("origin/conflict-a"),
            branch("origin/HEAD"),
        ];
        let names = |q: &str| -> Vec<String> {
            search(&local, &remote, q)
                .iter()
                .map(|b| b.name.clone())
                .collect()
        };
        assert_eq!(names(""), ["main", "topic", "origin/conflict-a"]);
        assert_eq!(names("CONF a"), ["origin/conflict-a"]);
        let log = [
            reflog("x", "checkout: moving from topic to main"),
            reflog("x", "commit: y"),
            reflog("x", "checkout: moving from main to topic"),
            reflog(
                "x",
                "checkout: moving from main to 0123456789012345678901234567890123456789",
            ),
        ];
        assert_eq!(recent(&log, Some("main"), 5), ["topic"]);
        assert_eq!(recent(&log, None, 1), ["main"]);
    }

    #[test]
    fn refusals_resets_and_merges_in_words() {
        assert!(is_unmerged_refusal(
            "Cannot delete branch 'x': the branch 'x' is not fully merged"
        ));
        assert!(is_blocked_switch(
            "Cannot switch to 'x': 1 file would be overwritten by checkout"
        ));
        let files = vec![
            (b"same".to_vec(), Some(b"a".to_vec()), Some(b"a".to_vec())),
            (
                b"differs".to_vec(),
                Some(b"a".to_vec()),
                Some(b"b".to_vec()),
            ),
            (b"new-there".to_vec(), None, Some(b"b".to_vec())),
        ];
        assert_eq!(blocking_files(&files), ["differs", "new-there"]);
        assert!(reset_warning(ResetMode::Hard, "main", "abc").contains("lost for good"));
        assert!(reset_warning(ResetMode::Soft, "main", "abc").contains("staged"));
        assert!(reset_warning(ResetMode::Mixed, "main", "abc").contains("unstaged"));
        assert_eq!(
            undo_target(&[
                reflog("before", "reset: moving to HEAD~2"),
                reflog("x", "commit: y")
            ]),
            Some("before".into())
        );
        assert_eq!(undo_target(&[reflog("x", "commit: y")]), None);
        assert!(merge_words(
            &MergeResult::FastForward {
                to: "abcdef0123456".into()
            },
            "topic"
        )
        .starts_with("Fast-forwarded to topic (abcdef0123)"));
        assert!(merge_words(
            &MergeResult::Conflicted {
                paths: vec![b"a".to_vec(), b"b".to_vec()]
            },
            "x"
        )
        .contains("2 files"));
    }
}
