//! Staging and unstaging single hunks gives the index blob that `git apply --cached` of the same
//! hunks gives.
use std::path::Path;

use tabgit_repo::stage::hunks;
use tabgit_repo::{FsFiles, FsWorktree, Repository};
use tabgit_testtools::{git, git_text, git_with_input, tempdir, Result};

fn open(dir: &Path) -> Result<Repository<FsFiles>> {
    Ok(Repository::open(
        FsFiles::new(dir.join(".git")),
        Some(Box::new(FsWorktree::new(dir))),
    )?)
}

/// `git diff` output cut into its header and hunks.
fn split_patch(patch: &str) -> (String, Vec<String>) {
    let mut header = String::new();
    let mut hunks: Vec<String> = Vec::new();
    for line in patch.split_inclusive('\n') {
        if line.starts_with("@@") {
            hunks.push(String::new());
        }
        match hunks.last_mut() {
            Some(hunk) => hunk.push_str(line),
            None => header.push_str(line),
        }
    }
    (header, hunks)
}

fn setup() -> Result<(
    tabgit_testtools::TempDir,
    std::path::PathBuf,
    std::path::PathBuf,
)> {
    let tmp = tempdir()?;
    let ours = tmp.path().join("ours");
    std::fs::create_dir_all(&ours)?;
    git(&ours, &["init", "-q"])?;
    let original: String = (1..=40).map(|n| format!("line {n}\n")).collect();
    std::fs::write(ours.join("file.txt"), &original)?;
    git(&ours, &["add", "file.txt"])?;
    git(&ours, &["commit", "-qm", "base"])?;
    let theirs = tmp.path().join("theirs");
    git(tmp.path(), &["clone", "-q", "ours", "theirs"])?;
    // Three separate changes, one of them at the end without a final newline.
    let changed = original
        .replace("line 3\n", "line three\n")
        .replace("line 20\n", "line 20\ninserted\n")
        .replace("line 40\n", "line forty");
    for dir in [&ours, &theirs] {
        std::fs::write(dir.join("file.txt"), &changed)?;
    }
    Ok((tmp, ours, theirs))
}

#[test]
fn staging_chosen_hunks_equals_git_apply_cached() -> Result {
    let (_tmp, ours, theirs) = setup()?;
    let repo = open(&ours)?;
    let listed = hunks::unstaged(&repo, b"file.txt")?;
    assert_eq!(listed.hunks.len(), 3);
    for (idx, hunk) in listed.hunks.iter().enumerate() {
        assert!(hunk.header.starts_with(b"@@ -"), "hunk {idx} header");
    }
    hunks::stage(&repo, &listed, &[0, 2], None)?;

    let patch = String::from_utf8(git(&theirs, &["diff", "file.txt"])?)?;
    let (header, parts) = split_patch(&patch);
    assert_eq!(parts.len(), 3, "git sees the same three hunks");
    let chosen = format!("{header}{}{}", parts[0], parts[2]);
    git_with_input(
        &theirs,
        &["apply", "--cached", "--recount", "-"],
        chosen.as_bytes(),
    )?;
    assert_eq!(
        git_text(&ours, &["ls-files", "-s", "file.txt"])?,
        git_text(&theirs, &["ls-files", "-s", "file.txt"])?,
        "the staged blob equals git's"
    );
    assert_eq!(
        std::fs::read(ours.join("file.txt"))?,
        std::fs::read(theirs.join("file.txt"))?,
        "the working tree is untouched"
    );
    Ok(())
}

#[test]
fn unstaging_chosen_hunks_equals_git_apply_cached_reverse() -> Result {
    let (_tmp, ours, theirs) = setup()?;
    for dir in [&ours, &theirs] {
        git(dir, &["add", "file.txt"])?;
    }
    let repo = open(&ours)?;
    let listed = hunks::staged(&repo, b"file.txt")?;
    assert_eq!(listed.hunks.len(), 3);
    hunks::unstage(&repo, &listed, &[1], None)?;

    let patch = String::from_utf8(git(&theirs, &["diff", "--cached", "file.txt"])?)?;
    let (header, parts) = split_patch(&patch);
    let chosen = format!("{header}{}", parts[1]);
    git_with_input(
        &theirs,
        &["apply", "--cached", "-R", "--recount", "-"],
        chosen.as_bytes(),
    )?;
    assert_eq!(
        git_text(&ours, &["ls-files", "-s", "file.txt"])?,
        git_text(&theirs, &["ls-files", "-s", "file.txt"])?
    );
    Ok(())
}

#[test]
fn stale_hunks_are_refused() -> Result {
    let (_tmp, ours, _theirs) = setup()?;
    let repo = open(&ours)?;
    let listed = hunks::unstaged(&repo, b"file.txt")?;
    std::fs::write(ours.join("file.txt"), b"changed again\n")?;
    assert!(matches!(
        hunks::stage(&repo, &listed, &[0], None),
        Err(tabgit_repo::stage::Error::StaleHunks { .. })
    ));
    assert!(matches!(
        hunks::stage(&repo, &hunks::unstaged(&repo, b"file.txt")?, &[7], None),
        Err(tabgit_repo::stage::Error::NoSuchHunk { .. })
    ));
    Ok(())
}
