//! History, refs and index commands print what git prints.
use tabgit_testtools::{fixture, git, git_text, git_with_input, tempdir, Result};

use crate::{tabgit, tabgit_with_input};

fn same(dir: &std::path::Path, args: &[&str]) -> Result {
    let ours = tabgit(dir, args)?;
    let theirs = git(dir, args)?;
    assert_eq!(
        String::from_utf8_lossy(&ours),
        String::from_utf8_lossy(&theirs),
        "{args:?} in {}",
        dir.display()
    );
    assert!(ours == theirs, "{args:?}: byte for byte");
    Ok(())
}

#[test]
fn rev_parse_rev_list_and_log_match_git() -> Result {
    let demo = fixture("demo")?;
    for args in [
        vec!["rev-parse", "HEAD", "main~2", "v1.0^{}", "HEAD:README.md"],
        vec!["rev-parse", "--short", "HEAD"],
        vec!["rev-parse", "--short=10", "HEAD"],
        vec!["rev-parse", "--abbrev-ref", "HEAD"],
        vec!["rev-parse", "--symbolic-full-name", "main"],
        vec!["rev-parse", "--is-bare-repository"],
        vec!["rev-list", "--all"],
        vec!["rev-list", "--topo-order", "--all"],
        vec!["rev-list", "--count", "main"],
        vec!["rev-list", "--reverse", "-n", "3", "main"],
        vec!["rev-list", "feature..main"],
        vec!["log", "--oneline"],
        vec!["log", "--oneline", "--all"],
        vec!["log", "--format=%H %P %s", "--all"],
        vec!["log", "--format=%an <%ae> %ad%n%cn %cd %T", "-n", "4"],
        vec!["log", "--first-parent", "--oneline"],
        vec!["log"],
        vec!["show-ref"],
        vec!["show-ref", "-d", "--tags"],
        vec!["show-ref", "--heads"],
    ] {
        same(&demo, &args)?;
    }
    let medium = fixture("medium")?;
    same(&medium, &["rev-list", "--all"])?;
    same(&medium, &["log", "--oneline", "-n", "50"])?;
    if let Some(own) = tabgit_testtools::own_git_dir() {
        same(&own, &["rev-list", "--all"])?;
    }
    Ok(())
}

#[test]
fn update_ref_and_commit_tree_are_what_git_makes() -> Result {
    let tmp = tempdir()?;
    let dir = tmp.path();
    git(dir, &["init", "-q", "-b", "main"])?;
    std::fs::create_dir_all(dir.join("src"))?;
    std::fs::write(dir.join("src/a.txt"), "a\n")?;
    std::fs::write(dir.join("b.txt"), "b\n")?;
    git(dir, &["add", "-A"])?;
    git(dir, &["commit", "-qm", "first"])?;
    // write-tree and commit-tree: byte-identical to git's with the same identity and dates.
    let ours_tree = String::from_utf8(tabgit(dir, &["write-tree"])?)?;
    assert_eq!(ours_tree.trim(), git_text(dir, &["write-tree"])?);
    let ours_commit = String::from_utf8(tabgit(
        dir,
        &[
            "commit-tree",
            ours_tree.trim(),
            "-p",
            "HEAD",
            "-m",
            "second",
            "-m",
            "body",
        ],
    )?)?;
    let theirs_commit = git_text(
        dir,
        &[
            "commit-tree",
            ours_tree.trim(),
            "-p",
            "HEAD",
            "-m",
            "second",
            "-m",
            "body",
        ],
    )?;
    assert_eq!(
        ours_commit.trim(),
        theirs_commit,
        "commit-tree makes the same commit"
    );
    let piped = String::from_utf8(tabgit_with_input(
        dir,
        &["commit-tree", ours_tree.trim()],
        b"from stdin\n",
    )?)?;
    assert_eq!(
        piped.trim(),
        String::from_utf8(git_with_input(
            dir,
            &["commit-tree", ours_tree.trim()],
            b"from stdin\n"
        )?)?
        .trim()
    );

    // update-ref with an expected old value, then a stale one.
    let first = git_text(dir, &["rev-parse", "HEAD"])?;
    tabgit(
        dir,
        &[
            "update-ref",
            "-m",
            "advance",
            "refs/heads/main",
            ours_commit.trim(),
            &first,
        ],
    )?;
    assert_eq!(git_text(dir, &["rev-parse", "main"])?, ours_commit.trim());
    assert!(
        tabgit(dir, &["update-ref", "refs/heads/main", &first, &first]).is_err(),
        "a stale old value is refused"
    );
    assert_eq!(
        git_text(dir, &["rev-parse", "main"])?,
        ours_commit.trim(),
        "nothing changed"
    );
    let reflog = git_text(dir, &["reflog", "show", "--format=%H %gs", "main"])?;
    assert!(
        reflog
            .lines()
            .next()
            .is_some_and(|l| l.ends_with("advance")),
        "git reads our reflog entry: {reflog}"
    );
    tabgit(dir, &["update-ref", "refs/tags/t", &first])?;
    tabgit(dir, &["update-ref", "-d", "refs/tags/t"])?;
    assert!(git(dir, &["rev-parse", "--verify", "-q", "refs/tags/t"]).is_err());
    git(dir, &["fsck", "--strict"])?;
    Ok(())
}

#[test]
fn index_commands_match_git() -> Result {
    let src = fixture("odd")?;
    let tmp = tempdir()?;
    git(
        tmp.path(),
        &["clone", "-q", src.to_str().ok_or("utf-8")?, "work"],
    )?;
    let work = tmp.path().join("work");
    same(&work, &["ls-files", "--stage"])?;
    same(&work, &["ls-files"])?;
    // read-tree replaces the index; checkout-index writes files back.
    let git_index = std::fs::read(work.join(".git/index"))?;
    tabgit(&work, &["read-tree", "HEAD"])?;
    same(&work, &["ls-files", "--stage"])?;
    std::fs::remove_file(work.join("README.md"))?;
    tabgit(&work, &["checkout-index", "-a", "-f", "-u"])?;
    assert_eq!(
        git_text(&work, &["status", "--porcelain"])?,
        "",
        "checkout-index restored the files"
    );
    let _ = git_index;
    Ok(())
}
