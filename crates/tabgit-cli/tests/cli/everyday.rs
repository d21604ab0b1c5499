//! Everyday commands, run with native git and with tabgit on two copies of the same repository
//! and compared after every step (issue 6 acceptance: status, index, history and ids with fixed
//! identities and dates, reflogs, working trees, `git fsck --strict`).
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};

use tabgit_testtools::{fixture, git, tempdir, Result, TempDir};

use crate::pair::{at, Pair};

/// A bare repository with the files that are easy to get wrong: an executable, symlinks, CRLF,
/// a byte-order mark, no final newline, binary content, a Latin-1 file name, an ignore file.
pub fn odd_source() -> Result<(TempDir, PathBuf)> {
    let tmp = tempdir()?;
    let work = tmp.path().join("work");
    std::fs::create_dir_all(work.join("src/deep"))?;
    git(&work, &["init", "-q", "-b", "main"])?;
    let files: &[(&[u8], &[u8])] = &[
        (b"README.md", b"# odd\n\nline\n"),
        (b"crlf.txt", b"one\r\ntwo\r\n"),
        (b"bom.txt", b"\xef\xbb\xbfwith bom\n"),
        (b"no-newline.txt", b"no final newline"),
        (b"binary.bin", b"\x00\x01\x02binary\x00"),
        (b"caf\xe9.txt", b"latin-1 name\n"),
        (b"src/main.rs", b"fn main() {}\n"),
        (b"src/deep/lib.rs", b"pub fn f() {}\n"),
        (b".gitignore", b"*.o\n/build/\n!keep.o\n"),
        (b"run.sh", b"#!/bin/sh\necho hi\n"),
    ];
    for (path, data) in files {
        std::fs::write(at(&work, path), data)?;
    }
    std::fs::set_permissions(work.join("run.sh"), std::fs::Permissions::from_mode(0o755))?;
    std::os::unix::fs::symlink("README.md", work.join("link"))?;
    std::os::unix::fs::symlink("src/deep", work.join("dirlink"))?;
    git(&work, &["add", "-A"])?;
    git(&work, &["commit", "-qm", "odd files"])?;
    git(&work, &["branch", "side"])?;
    std::fs::write(work.join("src/main.rs"), b"fn main() { println!(); }\n")?;
    git(&work, &["commit", "-qam", "main moves on"])?;
    let bare = tmp.path().join("odd.git");
    git(tmp.path(), &["clone", "-q", "--bare", "work", "odd.git"])?;
    Ok((tmp, bare))
}

#[test]
fn edits_add_commit_amend_and_empty_commits() -> Result {
    let pair = Pair::clone_of(&fixture("demo")?)?;
    pair.check("fresh clone")?;
    pair.both(|dir| {
        std::fs::OpenOptions::new()
            .append(true)
            .open(dir.join("README.md"))
            .and_then(|mut f| std::io::Write::write_all(&mut f, b"more\n"))?;
        std::fs::write(dir.join("new.txt"), b"new\n")?;
        std::fs::create_dir_all(dir.join("dir/sub"))?;
        std::fs::write(dir.join("dir/sub/f"), b"f\n")?;
        Ok(())
    })?;
    pair.check("edited")?;
    pair.ok(&["add", "README.md", "new.txt"])?;
    pair.check("added two")?;
    pair.ok(&["commit", "-m", "two files"])?;
    pair.check("committed")?;
    pair.run(&["commit", "-m", "nothing to commit"])?;
    pair.check("empty commit refused")?;
    pair.ok(&["commit", "--allow-empty", "-m", "empty on purpose"])?;
    pair.check("empty commit allowed")?;
    pair.run(&["commit", "--amend", "-m", "would be empty"])?;
    pair.check("amending into an empty commit refused")?;
    pair.ok(&["commit", "--amend", "--allow-empty", "-m", "amended"])?;
    pair.check("amended")?;
    pair.ok(&["add", "dir"])?;
    pair.ok(&["commit", "-m", "a directory\n\nwith a body"])?;
    pair.check("directory committed")?;
    pair.write("README.md", b"rewritten\n")?;
    pair.both(|dir| Ok(std::fs::remove_file(dir.join("docs/guide.md"))?))?;
    pair.ok(&["commit", "-a", "-m", "commit -a"])?;
    pair.check("commit -a")?;
    pair.run(&[
        "commit",
        "--amend",
        "--allow-empty",
        "-m",
        "amend keeps author",
    ])?;
    pair.check("amend again")?;
    pair.run(&["add", "does-not-exist"])?;
    pair.check("unmatched pathspec")?;
    // The commit is what `git commit-tree` makes from the same tree, parent, message and
    // identities.
    let head = tabgit_testtools::git_text(&pair.ours, &["rev-parse", "HEAD"])?;
    let again = tabgit_testtools::git_text(
        &pair.ours,
        &[
            "commit-tree",
            "HEAD^{tree}",
            "-p",
            "HEAD~1",
            "-m",
            "amend keeps author",
        ],
    )?;
    let author = tabgit_testtools::git_text(
        &pair.ours,
        &["log", "-1", "--format=%an <%ae> %ad", "--date=raw"],
    )?;
    assert_eq!(author, "A U Thor <author@example.com> 1700000000 +0100");
    assert_eq!(head, again, "commit bytes equal git commit-tree's");
    Ok(())
}

#[test]
fn switching_carries_changes_and_refuses_conflicting_ones() -> Result {
    let pair = Pair::clone_of(&fixture("demo")?)?;
    // conflict-a and conflict-b differ from main in README.md and src/lib.rs.
    pair.ok(&["switch", "conflict-a"])?;
    pair.check("switched to a remote branch (DWIM)")?;
    pair.ok(&["switch", "main"])?;
    pair.both(|dir| {
        std::fs::write(dir.join("README.md"), b"local edit\n")?;
        std::fs::write(dir.join("src/lib.rs"), b"local lib\n")?;
        Ok(())
    })?;
    pair.refused(&["switch", "conflict-a"])?;
    pair.check("refused with local changes")?;
    pair.ok(&["restore", "src/lib.rs", "README.md"])?;
    pair.write("VERSION", b"local version edit\n")?;
    pair.write("untracked.txt", b"stays\n")?;
    pair.ok(&["switch", "conflict-a"])?;
    pair.check("carried a non-conflicting change")?;
    pair.ok(&["checkout", "-b", "newbranch"])?;
    pair.check("checkout -b")?;
    pair.ok(&["switch", "-c", "from-main", "main"])?;
    pair.check("switch -c from main")?;
    pair.refused(&["switch", "--detach", "HEAD~1"])?;
    pair.check("detaching refused: VERSION differs")?;
    pair.ok(&["restore", "VERSION"])?;
    pair.ok(&["switch", "--detach", "HEAD~1"])?;
    pair.check("detached")?;
    pair.ok(&["checkout", "main"])?;
    pair.check("back on main")?;
    pair.ok(&["checkout", "-"])?;
    pair.check("checkout -")?;
    pair.ok(&["switch", "main"])?;
    pair.check("switched back with the change")?;
    Ok(())
}

#[test]
fn untracked_files_in_the_way_are_refused_like_git() -> Result {
    let (_tmp, source) = odd_source()?;
    let pair = Pair::clone_of(&source)?;
    pair.ok(&["switch", "side"])?;
    pair.ok(&["switch", "main"])?;
    pair.both(|dir| git(dir, &["rm", "-q", "src/main.rs"]).map(drop))?;
    pair.both(|dir| git(dir, &["commit", "-qm", "remove main.rs"]).map(drop))?;
    pair.write("src/main.rs", b"untracked now\n")?;
    pair.refused(&["switch", "side"])?;
    pair.check("untracked file in the way")?;
    pair.write("src/main.rs", b"fn main() {}\n")?;
    pair.refused(&["switch", "side"])?;
    pair.check("even an identical untracked file is in the way")?;
    pair.both(|dir| Ok(std::fs::remove_file(dir.join("src/main.rs"))?))?;
    pair.ok(&["switch", "side"])?;
    pair.check("switched once it was moved away")?;
    Ok(())
}

#[test]
fn rm_mv_and_restore_from_an_earlier_commit() -> Result {
    let pair = Pair::clone_of(&fixture("demo")?)?;
    pair.ok(&["rm", "VERSION"])?;
    pair.check("rm")?;
    pair.ok(&["rm", "--cached", "src/main.rs"])?;
    pair.check("rm --cached")?;
    pair.write("src/parser.rs", b"changed\n")?;
    pair.run(&["rm", "src/parser.rs"])?;
    pair.check("rm refuses a modified file")?;
    pair.run(&["rm", "src"])?;
    pair.check("rm refuses a directory without -r")?;
    pair.ok(&["rm", "-r", "-f", "src"])?;
    pair.check("rm -r -f")?;
    pair.ok(&["reset", "--hard"])?;
    pair.ok(&["mv", "README.md", "README.txt"])?;
    pair.check("mv file")?;
    pair.ok(&["mv", "src", "source"])?;
    pair.check("mv directory")?;
    pair.ok(&["mv", "README.txt", "docs"])?;
    pair.check("mv into directory")?;
    pair.ok(&["commit", "-m", "moved things"])?;
    pair.check("committed renames")?;
    pair.ok(&["restore", "--source=HEAD~3", "docs/guide.md"])?;
    pair.check("restore --source")?;
    pair.ok(&[
        "restore",
        "--staged",
        "--worktree",
        "--source=HEAD~1",
        "source",
    ])?;
    pair.check("restore --staged --worktree --source of a directory")?;
    pair.ok(&["restore", "--staged", "source"])?;
    pair.check("restore --staged")?;
    pair.ok(&["restore", "source"])?;
    pair.check("restore from the index")?;
    pair.ok(&["checkout", "HEAD~2", "--", "VERSION"])?;
    pair.check("checkout <rev> -- <path>")?;
    Ok(())
}

#[test]
fn reset_soft_mixed_hard_and_undo_through_the_reflog() -> Result {
    let pair = Pair::clone_of(&fixture("demo")?)?;
    pair.write("README.md", b"edited\n")?;
    pair.write("new.txt", b"new\n")?;
    pair.ok(&["add", "new.txt"])?;
    pair.ok(&["reset", "--soft", "HEAD~2"])?;
    pair.check("soft")?;
    pair.ok(&["reset", "HEAD@{1}"])?;
    pair.check("mixed back")?;
    pair.ok(&["reset", "--hard", "HEAD~3"])?;
    pair.check("hard")?;
    pair.ok(&["reset", "--hard", "HEAD@{1}"])?;
    pair.check("hard reset undone through the reflog")?;
    pair.ok(&["reset", "--hard", "ORIG_HEAD"])?;
    pair.check("back to ORIG_HEAD")?;
    pair.write("README.md", b"again\n")?;
    pair.ok(&["add", "README.md"])?;
    pair.ok(&["reset", "--", "README.md"])?;
    pair.check("reset -- path")?;
    Ok(())
}

#[test]
fn stash_push_pop_and_each_reads_the_others_stashes() -> Result {
    let pair = Pair::clone_of(&fixture("demo")?)?;
    pair.write("README.md", b"stashed edit\n")?;
    pair.write("docs/guide.md", b"staged edit\n")?;
    pair.ok(&["add", "docs/guide.md"])?;
    pair.write("docs/new.md", b"new and staged\n")?;
    pair.ok(&["add", "docs/new.md"])?;
    pair.both(|dir| Ok(std::fs::remove_file(dir.join("VERSION"))?))?;
    pair.ok(&["stash"])?;
    pair.check("stash push")?;
    pair.ok(&["stash", "list"])?;
    pair.write("src/main.rs", b"second stash\n")?;
    pair.ok(&["stash", "push", "-m", "named"])?;
    pair.check("second stash")?;
    pair.ok(&["stash", "pop"])?;
    pair.check("pop newest")?;
    pair.ok(&["reset", "--hard"])?;
    pair.ok(&["stash", "pop"])?;
    pair.check("pop the first")?;
    // Native git pops a stash tabgit made, and tabgit pops one git made.
    pair.ok(&["stash"])?;
    git(&pair.ours, &["stash", "pop", "-q"])?;
    git(&pair.theirs, &["stash", "pop", "-q"])?;
    pair.check("git pops tabgit's stash")?;
    git(&pair.ours, &["stash", "-q"])?;
    git(&pair.theirs, &["stash", "-q"])?;
    pair.ok(&["stash", "pop"])?;
    pair.check("tabgit pops git's stash")?;
    pair.run(&["stash", "drop"])?;
    pair.ok(&["stash"])?;
    pair.ok(&["stash", "drop"])?;
    pair.check("drop")?;
    Ok(())
}

#[test]
fn clean_ignored_files_and_untracked_directories() -> Result {
    let (_tmp, source) = odd_source()?;
    let pair = Pair::clone_of(&source)?;
    for (path, data) in [
        ("a.o", &b"obj"[..]),
        ("keep.o", b"kept"),
        ("build/out", b"out"),
        ("newdir/file", b"x"),
        ("newdir/deeper/y.o", b"o"),
        ("only-ignored/z.o", b"o"),
        ("top.txt", b"t"),
        ("src/untracked.rs", b"u"),
    ] {
        pair.write(path, data)?;
    }
    pair.both(|dir| Ok(std::fs::create_dir_all(dir.join("emptydir"))?))?;
    pair.check("untracked and ignored files")?;
    for args in [
        &["clean", "-n"][..],
        &["clean", "-nd"],
        &["clean", "-ndx"],
        &["clean", "-nx"],
        &["clean", "-ndX"],
    ] {
        let (theirs, ours) = pair.run(args)?;
        assert_eq!(
            String::from_utf8_lossy(&ours.stdout),
            String::from_utf8_lossy(&theirs.stdout),
            "{args:?}"
        );
    }
    for args in [
        &["status", "--porcelain"][..],
        &["status", "--ignored", "--porcelain"],
        &["status", "-uall", "--porcelain"],
    ] {
        let (theirs, ours) = pair.run(args)?;
        assert_eq!(
            String::from_utf8_lossy(&ours.stdout),
            String::from_utf8_lossy(&theirs.stdout),
            "{args:?}"
        );
    }
    pair.ok(&["clean", "-f"])?;
    pair.check("clean -f")?;
    pair.ok(&["clean", "-fd"])?;
    pair.check("clean -fd")?;
    pair.ok(&["clean", "-fdx"])?;
    pair.check("clean -fdx")?;
    Ok(())
}

#[test]
fn odd_files_stay_byte_for_byte() -> Result {
    let (_tmp, source) = odd_source()?;
    let pair = Pair::clone_of(&source)?;
    pair.check("checked out")?;
    pair.both(|dir| {
        std::fs::set_permissions(
            dir.join("README.md"),
            std::fs::Permissions::from_mode(0o755),
        )?;
        std::fs::remove_file(dir.join("link"))?;
        std::os::unix::fs::symlink("src/main.rs", dir.join("link"))?;
        std::fs::write(at(dir, b"caf\xe9.txt"), b"edited latin-1\r\n")?;
        std::fs::write(at(dir, b"new-\xff\xfe.txt"), b"non-utf8 new\n")?;
        std::fs::write(dir.join("crlf.txt"), b"one\r\ntwo\r\nthree\r\n")?;
        Ok(())
    })?;
    pair.check("mode, symlink and content changes")?;
    for args in [
        &["status", "--porcelain"][..],
        &["status", "-s"],
        &["status"],
        &["status", "--porcelain=v2", "-uall"],
    ] {
        let (theirs, ours) = pair.run(args)?;
        assert_eq!(
            String::from_utf8_lossy(&ours.stdout),
            String::from_utf8_lossy(&theirs.stdout),
            "{args:?}"
        );
    }
    pair.ok(&["add", "-A"])?;
    pair.check("all staged")?;
    pair.ok(&["commit", "-m", "odd changes"])?;
    pair.check("committed")?;
    pair.ok(&["switch", "side"])?;
    pair.check("switched")?;
    pair.ok(&["switch", "main"])?;
    pair.check("switched back")?;
    pair.ok(&["reset", "--hard", "HEAD~1"])?;
    pair.check("reset over odd files")?;
    pair.both(|dir| {
        std::fs::remove_file(dir.join("dirlink"))?;
        std::fs::create_dir_all(dir.join("dirlink"))?;
        std::fs::write(dir.join("dirlink/file"), b"a directory now\n")?;
        Ok(())
    })?;
    pair.check("symlink replaced by a directory")?;
    Ok(())
}

#[test]
fn branches_and_tags() -> Result {
    let pair = Pair::clone_of(&fixture("demo")?)?;
    pair.ok(&["branch", "topic-local", "origin/topic"])?;
    pair.check("branch from a remote-tracking branch tracks it")?;
    pair.ok(&["branch", "-d", "topic-local"])?;
    pair.check("merged into its upstream: deleted")?;
    pair.ok(&["branch", "--no-track", "topic-local", "origin/topic"])?;
    pair.ok(&["branch", "plain"])?;
    pair.ok(&["branch", "--set-upstream-to=origin/feature", "plain"])?;
    pair.check("set-upstream-to")?;
    pair.run(&["branch", "-d", "topic-local"])?;
    pair.check("unmerged branch refused")?;
    pair.ok(&["branch", "-D", "topic-local"])?;
    pair.check("forced delete")?;
    pair.ok(&["branch", "-m", "plain", "renamed"])?;
    pair.check("renamed with its config")?;
    pair.ok(&["branch", "-m", "main", "trunk"])?;
    pair.check("current branch renamed")?;
    pair.run(&["branch", "-d", "renamed"])?;
    pair.check("merged into HEAD but not its upstream: refused")?;
    pair.ok(&["branch", "-D", "renamed"])?;
    pair.check("forced")?;
    pair.ok(&["tag", "light"])?;
    pair.ok(&["tag", "-a", "-m", "an annotated tag", "annotated", "HEAD~1"])?;
    pair.check("tags")?;
    pair.ok(&["tag", "-d", "light"])?;
    pair.check("tag deleted")?;
    let (theirs, ours) = pair.run(&["branch", "-v"])?;
    let strip = |out: &[u8]| String::from_utf8_lossy(out).replace(" [ahead 1]", "");
    assert_eq!(
        strip(&ours.stdout),
        strip(&theirs.stdout),
        "branch -v (without tracking info)"
    );
    let (theirs, ours) = pair.run(&["tag"])?;
    assert_eq!(ours.stdout, theirs.stdout, "tag list");
    Ok(())
}

#[test]
fn status_formats_match_git_on_a_busy_tree() -> Result {
    let pair = Pair::clone_of(&fixture("demo")?)?;
    pair.write("README.md", b"changed\n")?;
    pair.both(|dir| {
        git(dir, &["mv", "src/lib.rs", "src/library.rs"])?;
        std::fs::remove_file(dir.join("VERSION"))?;
        std::fs::write(dir.join("with space.txt"), b"s\n")?;
        std::fs::create_dir_all(dir.join("nested/empty"))?;
        std::fs::create_dir_all(dir.join("nested/full/deeper"))?;
        std::fs::write(dir.join("nested/full/deeper/x"), b"x\n")?;
        std::fs::write(dir.join("src/helpers.rs"), b"staged\n")?;
        git(dir, &["add", "src/helpers.rs"])?;
        std::fs::write(dir.join("src/helpers.rs"), b"staged then changed\n")?;
        Ok(())
    })?;
    for args in [
        &["status", "--porcelain=v2", "-b"][..],
        &["status", "--porcelain=v2", "-uall"],
        &["status", "--porcelain"],
        &["status", "-s"],
        &["status", "-sb"],
        &["status", "-uno", "-s"],
        &["status"],
        &["status", "--no-renames", "-s"],
        &["status", "-s", "--", "src"],
    ] {
        let (theirs, ours) = pair.run(args)?;
        assert_eq!(
            String::from_utf8_lossy(&ours.stdout),
            String::from_utf8_lossy(&theirs.stdout),
            "{args:?}"
        );
    }
    // In a subdirectory, short paths are relative to it.
    let in_sub = |dir: &Path| dir.join("src");
    let theirs = git(&in_sub(&pair.theirs), &["status", "-s"])?;
    let ours = crate::tabgit(&in_sub(&pair.ours), &["status", "-s"])?;
    assert_eq!(
        String::from_utf8_lossy(&ours),
        String::from_utf8_lossy(&theirs),
        "status -s in src/"
    );
    Ok(())
}

#[test]
fn commits_conclude_merges_started_by_git() -> Result {
    let pair = Pair::clone_of(&fixture("demo")?)?;
    // A clean merge left uncommitted: MERGE_HEAD and MERGE_MSG are there; tabgit's commit
    // has both parents and clears them.
    pair.both(|dir| {
        git(
            dir,
            &["merge", "-q", "--no-ff", "--no-commit", "origin/conflict-a"],
        )
        .map(drop)
    })?;
    pair.check("merge in progress")?;
    pair.ok(&["commit", "-m", "merge conflict-a"])?;
    pair.check("merge committed")?;
    assert!(!pair.ours.join(".git/MERGE_HEAD").exists());
    // A conflicted merge: committing is refused until the conflicts are resolved with add.
    pair.both(|dir| {
        let out = tabgit_testtools::git_command(dir)
            .args(["merge", "-q", "origin/conflict-b"])
            .output()?;
        assert!(!out.status.success(), "the fixture's branches conflict");
        Ok(())
    })?;
    pair.check("conflicted merge")?;
    let (theirs, ours) = pair.run(&["status", "--porcelain=v2"])?;
    assert_eq!(
        String::from_utf8_lossy(&ours.stdout),
        String::from_utf8_lossy(&theirs.stdout)
    );
    let (theirs, ours) = pair.run(&["status", "-s"])?;
    assert_eq!(
        String::from_utf8_lossy(&ours.stdout),
        String::from_utf8_lossy(&theirs.stdout)
    );
    pair.run(&["commit", "-m", "not yet"])?;
    pair.write("README.md", b"resolved\n")?;
    pair.write("src/lib.rs", b"pub fn resolved() {}\n")?;
    pair.ok(&["add", "README.md", "src/lib.rs"])?;
    pair.check("conflicts resolved")?;
    pair.ok(&["commit", "--no-edit"])?;
    pair.check("merge committed with MERGE_MSG")?;
    Ok(())
}
