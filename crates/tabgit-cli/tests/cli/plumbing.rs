//! Plumbing commands print what git prints.
use std::path::Path;

use tabgit_testtools::{fixture, git, git_text, tempdir, Result};

use crate::{tabgit, tabgit_with_input};

fn check_cat_file_batch(git_dir: &Path) -> Result {
    let ours = tabgit(git_dir, &["cat-file", "--batch-all-objects", "--batch"])?;
    let theirs = git(git_dir, &["cat-file", "--batch-all-objects", "--batch"])?;
    assert!(
        ours == theirs,
        "cat-file --batch output of every object in {} equals git's",
        git_dir.display()
    );
    Ok(())
}

#[test]
fn cat_file_batch_on_fixtures() -> Result {
    for name in ["odd", "demo"] {
        check_cat_file_batch(&fixture(name)?)?;
    }
    Ok(())
}

#[test]
fn cat_file_batch_on_our_own_repository() -> Result {
    if let Some(dir) = tabgit_testtools::own_git_dir() {
        check_cat_file_batch(&dir)?;
    }
    Ok(())
}

#[test]
fn index_pack_of_git_pack_matches_git() -> Result {
    let src = fixture("demo")?;
    let tmp = tempdir()?;
    let pack =
        tabgit_testtools::git_with_input(&src, &["pack-objects", "--all", "--stdout", "-q"], b"")?;
    let ours = tmp.path().join("ours.pack");
    let theirs = tmp.path().join("theirs.pack");
    std::fs::write(&ours, &pack)?;
    std::fs::write(&theirs, &pack)?;
    tabgit(tmp.path(), &["index-pack", "ours.pack"])?;
    git(tmp.path(), &["index-pack", "theirs.pack"])?;
    assert!(
        std::fs::read(tmp.path().join("ours.idx"))?
            == std::fs::read(tmp.path().join("theirs.idx"))?,
        "same .idx bytes"
    );
    let verify_git = git(tmp.path(), &["verify-pack", "-v", "ours.idx"])?;
    let verify_ours = tabgit(tmp.path(), &["verify-pack", "-v", "ours.idx"])?;
    assert_eq!(
        String::from_utf8(verify_ours)?,
        String::from_utf8(verify_git)?,
        "verify-pack -v output"
    );
    Ok(())
}

#[test]
fn init_hash_object_and_ls_tree_interoperate() -> Result {
    let tmp = tempdir()?;
    let dir = tmp.path();
    tabgit(dir, &["init", "-q"])?;
    std::fs::create_dir_all(dir.join("a/b"))?;
    std::fs::write(dir.join("a/b/c.txt"), "deep\n")?;
    std::fs::write(dir.join("top.txt"), "top\n")?;
    assert_eq!(
        git_text(dir, &["status", "--porcelain"])?,
        "?? a/\n?? top.txt",
        "git reads our new repository"
    );
    let ours = String::from_utf8(tabgit(dir, &["hash-object", "-w", "top.txt"])?)?;
    assert_eq!(ours.trim(), git_text(dir, &["hash-object", "top.txt"])?);
    git(dir, &["add", "-A"])?;
    git(dir, &["commit", "-qm", "files"])?;
    let tree = git_text(dir, &["rev-parse", "HEAD^{tree}"])?;
    for args in [
        vec!["ls-tree", tree.as_str()],
        vec!["ls-tree", "-r", tree.as_str()],
    ] {
        assert_eq!(tabgit(dir, &args)?, git(dir, &args)?, "{args:?}");
    }
    let piped = tabgit_with_input(dir, &["hash-object", "--stdin"], b"hello\n")?;
    assert_eq!(piped, b"ce013625030ba8dba906f756967f9e9ca394464a\n");
    git(dir, &["fsck", "--strict"])?;
    Ok(())
}

#[test]
fn cat_file_modes() -> Result {
    let src = fixture("demo")?;
    let head = git_text(&src, &["rev-parse", "HEAD"])?;
    let short = &head[..7];
    for flag in ["-t", "-s", "-p"] {
        assert_eq!(
            tabgit(&src, &["cat-file", flag, short])?,
            git(&src, &["cat-file", flag, short])?,
            "cat-file {flag}"
        );
    }
    let tree = git_text(&src, &["rev-parse", "HEAD^{tree}"])?;
    assert_eq!(
        tabgit(&src, &["cat-file", "-p", &tree])?,
        git(&src, &["cat-file", "-p", &tree])?
    );
    assert!(tabgit(
        &src,
        &["cat-file", "-e", "0000000000000000000000000000000000000000"]
    )
    .is_err());
    Ok(())
}
