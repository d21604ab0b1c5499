//! `log` (paths, `--follow`, `--author`, `--grep`, `-p`, `--stat`), `blame`, `show` and `diff`
//! against native git on the demo fixture: byte-identical output.

use tabgit_testtools::{fixture, git, tempdir, Result};

use crate::tabgit;

#[test]
fn history_commands_equal_git() -> Result {
    let src = fixture("demo")?;
    let tmp = tempdir()?;
    git(
        tmp.path(),
        &["clone", "-q", src.to_str().ok_or("utf-8")?, "work"],
    )?;
    let dir = tmp.path().join("work");
    let cases: &[&[&str]] = &[
        &["log", "--format=%H", "--", "src/helpers.rs"],
        &["log", "--format=%H", "--", "src"],
        &["log", "--format=%H", "--", "README.md", "docs"],
        &["log", "--format=%H", "--first-parent", "--", "src"],
        &["log", "--format=%H", "--follow", "--", "src/helpers.rs"],
        &["log", "--format=%H", "--author=Alice"],
        &["log", "--format=%H", "-i", "--grep=readme"],
        &["log", "--format=%h %s", "--all", "--", "src/lib.rs"],
        &["log", "-p", "-n", "3"],
        &["log", "--stat", "-n", "4"],
        &["log", "--oneline", "-p", "-n", "3"],
        &["log", "--oneline", "--stat", "-n", "6"],
        &["log", "-n", "3", "--skip", "2", "--format=%h"],
        &["log", "--topo-order", "--format=%H", "--all"],
        &["show"],
        &["show", "HEAD~3"],
        &["show", "--stat", "HEAD~1"],
        &["diff", "HEAD~5", "HEAD"],
        &["diff", "--stat", "HEAD~8", "HEAD"],
        &["diff", "--numstat", "HEAD~8", "HEAD"],
        &["diff", "--name-status", "HEAD~8", "HEAD"],
        &["blame", "README.md"],
        &["blame", "src/helpers.rs"],
        &["blame", "--porcelain", "src/helpers.rs"],
        &["blame", "--porcelain", "HEAD~2", "--", "src/lib.rs"],
    ];
    for args in cases {
        let expected = String::from_utf8(git(&dir, args)?)?;
        let actual = String::from_utf8(tabgit(&dir, args)?)?;
        assert_eq!(actual, expected, "tabgit {}", args.join(" "));
    }
    // The working tree and the index.
    std::fs::write(dir.join("README.md"), "Changed\n")?;
    std::fs::write(dir.join("VERSION"), "2.0.0\n")?;
    git(&dir, &["add", "VERSION"])?;
    for args in [
        &["diff"][..],
        &["diff", "--cached"],
        &["diff", "--stat"],
        &["diff", "--cached", "--name-status"],
    ] {
        let expected = String::from_utf8(git(&dir, args)?)?;
        let actual = String::from_utf8(tabgit(&dir, args)?)?;
        assert_eq!(actual, expected, "tabgit {}", args.join(" "));
    }
    let patch = tabgit(&dir, &["diff"])?;
    tabgit_testtools::git_with_input(&dir, &["apply", "--check", "-R"], &patch)?;
    Ok(())
}
