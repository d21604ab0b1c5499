//! Ref formats, checked against native git: names (differentially, thousands of them), loose refs,
//! packed-refs and reflogs written by git, and refspecs from git's documentation.
#![cfg(not(target_arch = "wasm32"))]
mod loose;
mod malformed;
mod name;
mod name_differential;
mod packed;
mod reflog;
mod refspec;

use std::path::Path;

use tabgit_testtools::{git, Result};

/// A repository with branches, a lightweight tag, annotated tags (one of them a tag of a tag), a
/// remote-tracking branch and a few reflog entries, all made by native git.
pub fn make_repo(dir: &Path) -> Result {
    git(dir, &["init", "-q", "-b", "main"])?;
    std::fs::write(dir.join("a.txt"), "a\n")?;
    git(dir, &["add", "a.txt"])?;
    git(dir, &["commit", "-q", "-m", "first"])?;
    std::fs::write(dir.join("a.txt"), "b\n")?;
    git(dir, &["commit", "-q", "-am", "second  with   spaces"])?;
    git(dir, &["branch", "topic"])?;
    git(dir, &["branch", "feature/deep/name"])?;
    git(dir, &["tag", "light"])?;
    git(dir, &["tag", "-a", "-m", "annotated", "v1.0"])?;
    git(
        dir,
        &["tag", "-a", "-m", "tag of a tag", "v1.0-outer", "v1.0"],
    )?;
    git(dir, &["tag", "-a", "-m", "on first", "v0.9", "HEAD~1"])?;
    git(
        dir,
        &[
            "update-ref",
            "refs/remotes/origin/main",
            "HEAD~1",
            "-m",
            "fetch",
        ],
    )?;
    git(
        dir,
        &[
            "symbolic-ref",
            "refs/remotes/origin/HEAD",
            "refs/remotes/origin/main",
        ],
    )?;
    git(dir, &["checkout", "-q", "topic"])?;
    git(dir, &["checkout", "-q", "main"])?;
    Ok(())
}
