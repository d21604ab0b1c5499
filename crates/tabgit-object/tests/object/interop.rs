//! Every object of real repositories parses, and owned values re-serialize to git's exact bytes.
use std::path::Path;

use tabgit_object::{compute_id, CommitRef, Kind, TagRef, TreeRef};
use tabgit_testtools::{all_objects, fixture, git, tempdir, Result};

/// Parse every object of `git_dir`, check ids and the byte-exact round trip, return counts per kind.
fn round_trip_all(git_dir: &Path) -> Result<[usize; 4]> {
    let mut counts = [0usize; 4];
    for (hex, kind, content) in all_objects(git_dir)? {
        let kind = Kind::from_bytes(kind.as_bytes())?;
        assert_eq!(
            compute_id(kind, &content).to_hex(),
            hex,
            "object id is the hash of kind, size and content"
        );
        match kind {
            Kind::Tree => {
                let tree = TreeRef::from_bytes(&content)?;
                assert_eq!(
                    tree.to_owned().to_bytes(),
                    content,
                    "tree {hex} re-serializes byte for byte"
                );
            }
            Kind::Commit => {
                let commit = CommitRef::from_bytes(&content)?;
                assert_eq!(
                    commit.to_owned()?.to_bytes(),
                    content,
                    "commit {hex} re-serializes byte for byte"
                );
            }
            Kind::Tag => {
                let tag = TagRef::from_bytes(&content)?;
                assert_eq!(
                    tag.to_owned()?.to_bytes(),
                    content,
                    "tag {hex} re-serializes byte for byte"
                );
            }
            Kind::Blob => {}
        }
        counts[usize::from(kind.pack_type() - 1)] += 1;
    }
    Ok(counts)
}

#[test]
fn odd_objects_round_trip() -> Result {
    let counts = round_trip_all(&fixture("odd")?)?;
    assert!(
        counts.iter().all(|&n| n > 0),
        "the odd fixture has objects of every kind: {counts:?}"
    );
    Ok(())
}

#[test]
fn demo_repository_round_trips() -> Result {
    let counts = round_trip_all(&fixture("demo")?)?;
    assert!(counts[0] >= 10, "demo has its commits: {counts:?}");
    Ok(())
}

#[test]
fn own_repository_round_trips() -> Result {
    // The project's own history is a real repository with real-world commits.
    if let Some(dir) = tabgit_testtools::own_git_dir() {
        round_trip_all(&dir)?;
    }
    Ok(())
}

#[test]
fn commit_fields_match_git() -> Result {
    let tmp = tempdir()?;
    let dir = tmp.path();
    git(dir, &["init", "-q", "-b", "main"])?;
    std::fs::write(dir.join("a.txt"), "a\n")?;
    git(dir, &["add", "a.txt"])?;
    git(dir, &["commit", "-q", "-m", "first line\n\nbody"])?;
    let head = tabgit_testtools::git_text(dir, &["rev-parse", "HEAD"])?;
    let raw = git(dir, &["cat-file", "commit", &head])?;
    let commit = CommitRef::from_bytes(&raw)?;
    assert_eq!(commit.summary(), b"first line");
    assert_eq!(commit.author.name, b"A U Thor");
    assert_eq!(commit.author.email, b"author@example.com");
    let time = commit.author.time()?;
    assert_eq!((time.seconds, time.offset_minutes), (1_700_000_000, 60));
    assert_eq!(
        commit.tree.to_hex(),
        tabgit_testtools::git_text(dir, &["rev-parse", "HEAD^{tree}"])?
    );
    assert!(commit.parents.is_empty());
    Ok(())
}
