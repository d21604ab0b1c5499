//! clone, fetch, pull, push, ls-remote and remote through the `tabgit` binary against the local
//! git server, judged by native git.
use tabgit_testtools::{fixture, git, git_text, tempdir, Result};

use crate::tabgit;

fn server_root() -> Result<tabgit_testtools::TempDir> {
    let root = tempdir()?;
    for name in ["demo", "tiny"] {
        let src = fixture(name)?;
        git(
            root.path(),
            &[
                "clone",
                "-q",
                "--bare",
                "--mirror",
                src.to_str().ok_or("utf-8")?,
                &format!("{name}.git"),
            ],
        )?;
    }
    Ok(root)
}

#[test]
fn clone_fetch_pull_and_push_round_trip() -> Result {
    let root = server_root()?;
    let server = tabgit_gitserver::start(tabgit_gitserver::Config::new(root.path()))?;
    let url = format!("{}/demo.git", server.url());
    let work = tempdir()?;
    tabgit(work.path(), &["clone", "-q", &url, "mine"])?;
    let mine = work.path().join("mine");
    git(&mine, &["fsck", "--strict", "--no-dangling"])?;
    assert_eq!(git_text(&mine, &["status", "--porcelain"])?, "");
    let server_dir = root.path().join("demo.git");
    assert_eq!(
        git_text(&mine, &["rev-parse", "HEAD"])?,
        git_text(&server_dir, &["rev-parse", "HEAD"])?
    );

    // ls-remote lists what git lists.
    assert_eq!(
        tabgit(&mine, &["ls-remote", &url])?,
        git(&mine, &["ls-remote", &url])?,
        "ls-remote output"
    );
    assert_eq!(
        tabgit(&mine, &["ls-remote", "--heads", "origin"])?,
        git(&mine, &["ls-remote", "--heads", "origin"])?
    );

    // Someone else pushes; fetch sees it, pull fast-forwards.
    git(work.path(), &["clone", "-q", &url, "theirs"])?;
    let theirs = work.path().join("theirs");
    std::fs::write(theirs.join("NEWS"), "news\n")?;
    git(&theirs, &["add", "NEWS"])?;
    git(&theirs, &["commit", "-qm", "news"])?;
    git(&theirs, &["push", "-q", "origin", "main"])?;
    tabgit(&mine, &["fetch", "-q"])?;
    assert_eq!(
        git_text(&mine, &["rev-parse", "origin/main"])?,
        git_text(&theirs, &["rev-parse", "HEAD"])?
    );
    tabgit(&mine, &["pull", "-q"])?;
    assert_eq!(
        git_text(&mine, &["rev-parse", "HEAD"])?,
        git_text(&theirs, &["rev-parse", "HEAD"])?
    );
    assert_eq!(
        std::fs::read_to_string(mine.join("NEWS"))?,
        "news\n",
        "pull updated the working tree"
    );
    assert_eq!(git_text(&mine, &["status", "--porcelain"])?, "");

    // Our commit (made with native git), pushed with tabgit; a new branch with -u.
    std::fs::write(mine.join("NEWS"), "more news\n")?;
    git(&mine, &["commit", "-qam", "more news"])?;
    tabgit(&mine, &["push", "-q"])?;
    assert_eq!(
        git_text(&server_dir, &["rev-parse", "main"])?,
        git_text(&mine, &["rev-parse", "HEAD"])?
    );
    git(&mine, &["checkout", "-q", "-b", "feature-x"])?;
    tabgit(&mine, &["push", "-q", "-u", "origin", "feature-x"])?;
    assert_eq!(
        git_text(&mine, &["rev-parse", "--abbrev-ref", "feature-x@{u}"])?,
        "origin/feature-x"
    );
    // Delete it again, and prune it from a fetch.
    tabgit(&mine, &["push", "-q", "origin", "--delete", "feature-x"])?;
    assert!(git(
        &server_dir,
        &["rev-parse", "--verify", "-q", "refs/heads/feature-x"]
    )
    .is_err());
    git(&server_dir, &["fsck", "--strict", "--no-dangling"])?;
    tabgit(&mine, &["fetch", "-q", "--prune"])?;
    assert!(
        git(
            &mine,
            &[
                "rev-parse",
                "--verify",
                "-q",
                "refs/remotes/origin/feature-x"
            ]
        )
        .is_err(),
        "pruned"
    );

    // A rejected push exits non-zero and says why.
    git(&theirs, &["pull", "-q"])?;
    std::fs::write(theirs.join("NEWS"), "conflicting news\n")?;
    git(&theirs, &["commit", "-qam", "theirs again"])?;
    git(&theirs, &["push", "-q", "origin", "main"])?;
    git(&mine, &["checkout", "-q", "main"])?;
    std::fs::write(mine.join("OTHER"), "x\n")?;
    git(&mine, &["add", "OTHER"])?;
    git(&mine, &["commit", "-qm", "diverged"])?;
    let out = crate::command(&mine)
        .args(["push", "origin", "main"])
        .output()?;
    assert!(!out.status.success(), "a non-fast-forward push fails");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("[rejected]")
            && stderr.contains("main -> main")
            && stderr.contains("(fetch first)"),
        "{stderr}"
    );
    Ok(())
}

#[test]
fn remote_add_list_and_remove() -> Result {
    let work = tempdir()?;
    let dir = work.path();
    git(dir, &["init", "-q"])?;
    tabgit(
        dir,
        &["remote", "add", "upstream", "https://example.com/a/b.git"],
    )?;
    assert_eq!(
        tabgit(dir, &["remote", "-v"])?,
        git(dir, &["remote", "-v"])?
    );
    assert_eq!(
        git_text(dir, &["config", "remote.upstream.fetch"])?,
        "+refs/heads/*:refs/remotes/upstream/*"
    );
    assert!(
        tabgit(dir, &["remote", "add", "upstream", "https://example.com/x"]).is_err(),
        "duplicate names are refused"
    );
    assert!(
        tabgit(dir, &["remote", "add", "ssh", "git@example.com:a/b.git"]).is_err(),
        "SSH URLs are refused with a message"
    );
    tabgit(dir, &["remote", "remove", "upstream"])?;
    assert_eq!(git_text(dir, &["remote"])?, "");
    Ok(())
}

#[test]
fn failed_clone_leaves_nothing_behind() -> Result {
    let root = server_root()?;
    let server = tabgit_gitserver::start(tabgit_gitserver::Config::new(root.path()))?;
    let work = tempdir()?;
    let url = format!("{}/_fault/on=upload-pack,cut=2000/demo.git", server.url());
    let out = crate::command(work.path())
        .args(["clone", &url, "broken"])
        .output()?;
    assert!(!out.status.success());
    assert!(
        !work.path().join("broken").exists(),
        "no partial repository is left"
    );
    let out = crate::command(work.path())
        .args(["clone", "git@github.com:a/b.git"])
        .output()?;
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("HTTPS"),
        "SSH gets a clear message"
    );
    Ok(())
}
