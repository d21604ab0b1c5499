//! Tree ↔ index against `git diff-index --cached -r --raw`.
use tabgit_diff::path::Prefixes;
use tabgit_diff::{raw, tree_index};
use tabgit_index::State;
use tabgit_testtools::Result;

use crate::{text, tree_id, Repo};

/// Compare our tree ↔ index diff with git's (`git diff --cached`, and `git diff-index --cached`
/// which shows intent-to-add entries); unmerged paths are compared with git's `U` lines.
fn check(repo: &Repo, rev: Option<&str>, paths: &[&str]) -> Result {
    for intent_to_add in [false, true] {
        check_with(repo, rev, paths, intent_to_add)?;
    }
    Ok(())
}

fn check_with(repo: &Repo, rev: Option<&str>, paths: &[&str], intent_to_add: bool) -> Result {
    let index = State::from_bytes(&std::fs::read(repo.git_dir().join("index"))?)?;
    let odb = repo.odb()?;
    let tree = rev.map(|rev| tree_id(&repo.dir, rev)).transpose()?;
    let options = tree_index::Options {
        paths: Prefixes::new(paths.iter().map(|p| p.as_bytes())),
        intent_to_add,
    };
    let outcome = tree_index::diff(&odb, tree.as_ref(), &index, &options)?;
    let mut actual = Vec::new();
    for change in &outcome.changes {
        raw::write(&mut actual, change, None);
    }
    let empty_tree = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";
    let mut args = if intent_to_add {
        vec!["diff-index", "--cached", "-r"]
    } else {
        vec!["diff", "--cached", "--raw", "--no-abbrev", "--no-renames"]
    };
    args.extend([rev.unwrap_or(empty_tree), "--"]);
    args.extend_from_slice(paths);
    let expected = repo.git_text(&args)?;
    let (unmerged, merged): (Vec<&str>, Vec<&str>) =
        expected.lines().partition(|line| line.contains(" U\t"));
    let mut expected_merged = merged.join("\n");
    if !expected_merged.is_empty() {
        expected_merged.push('\n');
    }
    assert_eq!(text(&actual), expected_merged, "{args:?} {rev:?} {paths:?}");
    let expected_unmerged: Vec<String> = unmerged
        .iter()
        .filter_map(|line| line.split('\t').nth(1).map(str::to_owned))
        .collect();
    let actual_unmerged: Vec<String> = outcome.unmerged.iter().map(|p| text(p)).collect();
    assert_eq!(actual_unmerged, expected_unmerged, "unmerged paths");
    Ok(())
}

#[test]
fn staged_changes_match_git_diff_index_cached() -> Result {
    let repo = Repo::init()?;
    repo.write(b"a.txt", b"a\n")?;
    repo.write(b"dir/file", b"file\n")?;
    repo.write(b"dir/sub/deep", b"deep\n")?;
    repo.write(b"gone.txt", b"gone\n")?;
    repo.write(b"exec", b"#!/bin/sh\n")?;
    repo.write(b"swap", b"file that becomes a directory\n")?;
    repo.write(b"foo.txt", b"foo\n")?;
    repo.write(b"foo/x", b"x\n")?;
    repo.symlink(b"link", b"a.txt")?;
    repo.commit("base")?;
    check(&repo, Some("HEAD"), &[])?;
    check(&repo, None, &[])?;

    repo.write(b"a.txt", b"changed\n")?;
    repo.write(b"new/deeply/nested.txt", b"new\n")?;
    repo.remove(b"gone.txt")?;
    repo.set_executable(b"exec", true)?;
    repo.remove(b"swap")?;
    repo.write(b"swap/inside", b"now a directory\n")?;
    repo.write(b"link", b"now a file\n")?;
    repo.remove(b"foo/x")?;
    repo.write(b"foo", b"file now\n")?;
    repo.git(&["add", "-A"])?;
    repo.write(b"intent.txt", b"intent to add\n")?;
    repo.git(&["add", "-N", "intent.txt"])?;
    repo.git(&[
        "update-index",
        "--add",
        "--cacheinfo",
        "160000,5555555555555555555555555555555555555555,module",
    ])?;
    check(&repo, Some("HEAD"), &[])?;
    check(&repo, Some("HEAD"), &["dir"])?;
    check(&repo, Some("HEAD"), &["swap", "foo"])?;
    check(&repo, None, &[])?;
    Ok(())
}

#[test]
fn conflicts_are_listed_as_unmerged() -> Result {
    let repo = Repo::init()?;
    repo.write(b"both.txt", b"base\n")?;
    repo.write(b"clean.txt", b"base\n")?;
    repo.commit("base")?;
    repo.git(&["checkout", "-q", "-b", "theirs"])?;
    repo.write(b"both.txt", b"theirs\n")?;
    repo.write(b"added.txt", b"theirs\n")?;
    repo.commit("theirs")?;
    repo.git(&["checkout", "-q", "main"])?;
    repo.write(b"both.txt", b"ours\n")?;
    repo.write(b"added.txt", b"ours\n")?;
    repo.write(b"clean.txt", b"ours\n")?;
    repo.commit("ours")?;
    let merge = tabgit_testtools::git_command(&repo.dir)
        .args(["merge", "-q", "theirs"])
        .output()?;
    assert!(!merge.status.success(), "the merge conflicts");
    check(&repo, Some("HEAD"), &[])?;
    Ok(())
}
