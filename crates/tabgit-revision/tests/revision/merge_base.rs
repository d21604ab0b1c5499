//! Merge bases equal git's, criss-cross included.
use std::collections::HashSet;

use tabgit_revision::merge_base::{is_ancestor, merge_bases};
use tabgit_revision::Graph;
use tabgit_store::files::FsFiles;
use tabgit_store::odb::Odb;
use tabgit_testtools::{fixture, git, git_text, tempdir, Result};

use crate::{ids, lines_to_ids};

#[test]
fn fixture_merge_bases_match_git() -> Result {
    let git_dir = fixture("demo")?;
    let odb = Odb::open(FsFiles::new(&git_dir))?;
    let mut graph = Graph::new(&odb, HashSet::new());
    for (a, b) in [
        ("main", "topic"),
        ("conflict-a", "conflict-b"),
        ("main", "feature"),
        ("main", "main~3"),
    ] {
        let pair = ids(&git_dir, &[a, b])?;
        let mut ours = merge_bases(&mut graph, pair[0], pair[1])?;
        let mut theirs = lines_to_ids(&git_text(&git_dir, &["merge-base", "--all", a, b])?)?;
        ours.sort();
        theirs.sort();
        assert_eq!(ours, theirs, "merge-base --all {a} {b}");
    }
    let pair = ids(&git_dir, &["main~3", "main"])?;
    assert!(is_ancestor(&mut graph, pair[0], pair[1])?);
    assert!(!is_ancestor(&mut graph, pair[1], pair[0])?);
    Ok(())
}

#[test]
fn criss_cross_has_two_bases() -> Result {
    let tmp = tempdir()?;
    let dir = tmp.path();
    let run = |args: &[&str]| git(dir, args);
    run(&["init", "-q", "-b", "main"])?;
    std::fs::write(dir.join("f"), "base\n")?;
    run(&["add", "f"])?;
    run(&["commit", "-qm", "base"])?;
    run(&["branch", "b"])?;
    std::fs::write(dir.join("a.txt"), "a1\n")?;
    run(&["add", "a.txt"])?;
    run(&["commit", "-qm", "a1"])?;
    run(&["checkout", "-q", "b"])?;
    std::fs::write(dir.join("b.txt"), "b1\n")?;
    run(&["add", "b.txt"])?;
    run(&["commit", "-qm", "b1"])?;
    // Cross-merge both ways.
    run(&["merge", "-q", "--no-edit", "main"])?;
    run(&["checkout", "-q", "main"])?;
    run(&["merge", "-q", "--no-edit", "b~1"])?;
    std::fs::write(dir.join("a.txt"), "a2\n")?;
    run(&["commit", "-qam", "a2"])?;
    run(&["checkout", "-q", "b"])?;
    std::fs::write(dir.join("b.txt"), "b2\n")?;
    run(&["commit", "-qam", "b2"])?;
    let git_dir = dir.join(".git");
    let odb = Odb::open(FsFiles::new(&git_dir))?;
    let mut graph = Graph::new(&odb, HashSet::new());
    let pair = ids(&git_dir, &["main", "b"])?;
    let mut ours = merge_bases(&mut graph, pair[0], pair[1])?;
    let mut theirs = lines_to_ids(&git_text(&git_dir, &["merge-base", "--all", "main", "b"])?)?;
    ours.sort();
    theirs.sort();
    assert_eq!(theirs.len(), 2, "the scenario is a criss-cross");
    assert_eq!(ours, theirs);
    Ok(())
}
