//! Clone and fetch against the local git server (real `git http-backend`), judged by native git.
use std::path::Path;

use tabgit_object::{Signature, Time};
use tabgit_repo::remote::{self, clone, fetch, Session};
use tabgit_repo::{FsFiles, FsWorktree, Repository};
use tabgit_testtools::{fixture, git, git_text, tempdir, Result};
use tabgit_transport::native::NativeClient;
use tabgit_transport::Url;

pub fn me() -> Signature {
    Signature {
        name: b"T Ester".to_vec(),
        email: b"tester@example.com".to_vec(),
        time: Time::new(1_700_000_000, 0),
    }
}

/// A server root with copies of the fixtures (so pushes and new commits change nothing shared).
pub fn server_root() -> Result<tabgit_testtools::TempDir> {
    let root = tempdir()?;
    for name in ["demo", "tiny", "odd"] {
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

pub fn session<'a>(client: &'a NativeClient, url: &str) -> Result<Session<'a, NativeClient>> {
    Ok(Session {
        client,
        url: Url::parse(url)?,
        credentials: None,
        proxy: None,
        cancelled: &|| false,
        limits: Default::default(),
    })
}

pub fn clone_into(
    dir: &Path,
    url: &str,
    options: &clone::Options,
) -> std::result::Result<Repository<FsFiles>, remote::Error> {
    clone_with_client(&NativeClient::default(), dir, url, options)
}

/// [`clone_into`] with a client of the caller's.
pub fn clone_with_client(
    client: &NativeClient,
    dir: &Path,
    url: &str,
    options: &clone::Options,
) -> std::result::Result<Repository<FsFiles>, remote::Error> {
    let mut session =
        session(client, url).map_err(|e| remote::Error::Unsupported(e.to_string()))?;
    let worktree: Option<Box<dyn tabgit_store::worktree::Worktree>> = if options.bare {
        None
    } else {
        Some(Box::new(FsWorktree::new(dir)))
    };
    let git_dir = if options.bare {
        dir.to_path_buf()
    } else {
        dir.join(".git")
    };
    std::fs::create_dir_all(&git_dir).map_err(|e| remote::Error::Unsupported(e.to_string()))?;
    futures_executor::block_on(clone::clone(
        FsFiles::new(git_dir),
        worktree,
        &mut session,
        options,
        &mut |_| {},
    ))
}

#[test]
fn clone_is_what_git_clone_makes() -> Result {
    let root = server_root()?;
    let server = tabgit_gitserver::start(tabgit_gitserver::Config::new(root.path()))?;
    for name in ["demo", "odd", "tiny"] {
        let work = tempdir()?;
        let url = format!("{}/{name}.git", server.url());
        clone_into(work.path(), &url, &clone::Options::new(me()))?;
        let dir = work.path();
        git(dir, &["fsck", "--strict", "--no-dangling"]).or_else(|e| {
            if name == "odd" {
                Ok(Vec::new())
            } else {
                Err(e)
            }
        })?;
        git(dir, &["fsck", "--no-dangling"])?;
        assert_eq!(
            git_text(dir, &["status", "--porcelain"])?,
            "",
            "{name}: a fresh clone is clean"
        );
        let server_dir = root.path().join(format!("{name}.git"));
        let mut ours: Vec<String> = git_text(dir, &["log", "--all", "--format=%H"])?
            .lines()
            .map(str::to_owned)
            .collect();
        let mut theirs: Vec<String> = git_text(&server_dir, &["log", "--all", "--format=%H"])?
            .lines()
            .map(str::to_owned)
            .collect();
        ours.sort();
        theirs.sort();
        assert_eq!(ours, theirs, "{name}: the same history");
        assert_eq!(
            git_text(dir, &["rev-parse", "HEAD"])?,
            git_text(&server_dir, &["rev-parse", "HEAD"])?
        );
        assert_eq!(git_text(dir, &["config", "remote.origin.url"])?, url);
        let branch = git_text(dir, &["symbolic-ref", "--short", "HEAD"])?;
        assert_eq!(
            git_text(
                dir,
                &["rev-parse", "--abbrev-ref", &format!("{branch}@{{u}}")]
            )?,
            format!("origin/{branch}"),
            "tracking is set up"
        );
        // native git can keep working with it: fetch from the same server.
        git(dir, &["fetch", "-q", "origin"])?;
    }
    Ok(())
}

#[test]
fn shallow_and_partial_clones_are_accepted_by_git() -> Result {
    let root = server_root()?;
    let server = tabgit_gitserver::start(tabgit_gitserver::Config::new(root.path()))?;
    let url = format!("{}/demo.git", server.url());
    let shallow = tempdir()?;
    let mut options = clone::Options::new(me());
    options.depth = Some(1);
    clone_into(shallow.path(), &url, &options)?;
    assert_eq!(
        git_text(shallow.path(), &["rev-list", "--count", "HEAD"])?,
        "1",
        "depth 1 has one commit"
    );
    assert!(shallow.path().join(".git/shallow").exists());
    git(shallow.path(), &["fsck", "--no-dangling"])?;
    assert_eq!(git_text(shallow.path(), &["status", "--porcelain"])?, "");

    let partial = tempdir()?;
    let mut options = clone::Options::new(me());
    options.filter = Some("blob:none".into());
    clone_into(partial.path(), &url, &options)?;
    git(partial.path(), &["fsck", "--no-dangling"])?;
    assert_eq!(git_text(partial.path(), &["status", "--porcelain"])?, "");
    // git fetches the missing blobs lazily through our promisor setup.
    let log = git_text(partial.path(), &["log", "-p", "--format=%H", "-n", "5"])?;
    assert!(
        log.contains("diff --git"),
        "git log -p works on our partial clone"
    );
    Ok(())
}

#[test]
fn refetch_transfers_only_new_objects() -> Result {
    let root = server_root()?;
    let server = tabgit_gitserver::start(tabgit_gitserver::Config::new(root.path()))?;
    let url = format!("{}/demo.git", server.url());
    let work = tempdir()?;
    let repo = clone_into(work.path(), &url, &clone::Options::new(me()))?;
    // A new commit on the server.
    let other = tempdir()?;
    git(
        other.path(),
        &[
            "clone",
            "-q",
            &root.path().join("demo.git").to_string_lossy(),
            "w",
        ],
    )?;
    let w = other.path().join("w");
    std::fs::write(w.join("NEW.txt"), "new file\n")?;
    git(&w, &["add", "NEW.txt"])?;
    git(&w, &["commit", "-qm", "new on the server"])?;
    git(&w, &["push", "-q", "origin", "main"])?;

    let client = NativeClient::default();
    let mut session = session(&client, &url)?;
    let options = fetch::Options {
        refspecs: vec![fetch::default_refspec("origin")],
        tags: fetch::Tags::Follow,
        prune: false,
        depth: None,
        deepen_since: None,
        deepen_not: Vec::new(),
        filter: None,
        max_pack_bytes: None,
        committer: me(),
        remote_name: "origin".into(),
        server_progress: false,
    };
    let outcome =
        futures_executor::block_on(fetch::fetch(&repo, &mut session, &options, &mut |_| {}))?;
    println!(
        "re-fetch after one new commit: {} objects, {} bytes of pack",
        outcome.objects, outcome.pack_bytes
    );
    assert_eq!(outcome.objects, 3, "one commit, one tree, one blob");
    assert!(
        outcome.pack_bytes < 1000,
        "only the new objects travel: {} bytes",
        outcome.pack_bytes
    );
    assert_eq!(
        git_text(work.path(), &["rev-parse", "origin/main"])?,
        git_text(&w, &["rev-parse", "HEAD"])?
    );
    git(work.path(), &["fsck", "--strict", "--no-dangling"])?;
    // Nothing new: no pack at all.
    let again =
        futures_executor::block_on(fetch::fetch(&repo, &mut session, &options, &mut |_| {}))?;
    assert_eq!((again.objects, again.updates.len()), (0, 0));
    Ok(())
}

fn push_options(
    specs: Vec<tabgit_repo::remote::push::RefSpec>,
) -> tabgit_repo::remote::push::Options {
    tabgit_repo::remote::push::Options {
        specs,
        atomic: false,
        push_options: Vec::new(),
        remote_name: "origin".into(),
        committer: me(),
    }
}

fn push(
    repo: &Repository<FsFiles>,
    url: &str,
    specs: Vec<tabgit_repo::remote::push::RefSpec>,
) -> Result<tabgit_repo::remote::push::Outcome> {
    let client = NativeClient::default();
    let mut session = session(&client, url)?;
    Ok(futures_executor::block_on(
        tabgit_repo::remote::push::push(repo, &mut session, &push_options(specs), &mut |_| {}),
    )?)
}

fn spec(
    repo: &Repository<FsFiles>,
    source: &str,
    destination: &str,
    force: bool,
) -> Result<tabgit_repo::remote::push::RefSpec> {
    Ok(tabgit_repo::remote::push::RefSpec {
        source: if source.is_empty() {
            None
        } else {
            Some(repo.rev_parse(source.as_bytes())?)
        },
        destination: destination.as_bytes().to_vec(),
        force,
    })
}

#[test]
fn push_updates_the_server_and_git_accepts_it() -> Result {
    use tabgit_repo::remote::push::Status;
    let root = server_root()?;
    let server = tabgit_gitserver::start(tabgit_gitserver::Config::new(root.path()))?;
    let url = format!("{}/demo.git", server.url());
    let work = tempdir()?;
    clone_into(work.path(), &url, &clone::Options::new(me()))?;
    let dir = work.path();
    // A commit made with native git in our clone, plus a tag and a new branch.
    std::fs::write(dir.join("README.md"), "changed by a test\n")?;
    git(dir, &["commit", "-qam", "change the readme"])?;
    git(dir, &["tag", "-a", "-m", "a release", "v9"])?;
    let repo = Repository::open(FsFiles::new(dir.join(".git")), None)?;
    let outcome = push(
        &repo,
        &url,
        vec![
            spec(&repo, "HEAD", "refs/heads/main", false)?,
            spec(&repo, "v9", "refs/tags/v9", false)?,
            spec(&repo, "HEAD~1", "refs/heads/new-branch", false)?,
            spec(&repo, "", "refs/heads/topic", false)?,
        ],
    )?;
    assert!(outcome.is_success(), "{:?}", outcome.refs);
    let server_dir = root.path().join("demo.git");
    assert_eq!(
        git_text(&server_dir, &["rev-parse", "main"])?,
        git_text(dir, &["rev-parse", "HEAD"])?
    );
    assert_eq!(
        git_text(&server_dir, &["rev-parse", "v9"])?,
        git_text(dir, &["rev-parse", "v9"])?
    );
    assert!(
        git(
            &server_dir,
            &["rev-parse", "--verify", "-q", "refs/heads/topic"]
        )
        .is_err(),
        "the branch was deleted"
    );
    git(&server_dir, &["fsck", "--strict", "--no-dangling"])?;
    assert_eq!(
        git_text(dir, &["rev-parse", "origin/main"])?,
        git_text(dir, &["rev-parse", "HEAD"])?,
        "tracking ref moved"
    );
    // Pushing the same again: up to date, nothing sent.
    let again = push(
        &repo,
        &url,
        vec![spec(&repo, "HEAD", "refs/heads/main", false)?],
    )?;
    assert_eq!(again.refs[0].status, Status::UpToDate);
    assert_eq!(again.pack_bytes, 0);
    Ok(())
}

#[test]
fn small_change_to_a_big_file_sends_a_small_pack() -> Result {
    let root = server_root()?;
    let server = tabgit_gitserver::start(tabgit_gitserver::Config::new(root.path()))?;
    let url = format!("{}/tiny.git", server.url());
    let work = tempdir()?;
    clone_into(work.path(), &url, &clone::Options::new(me()))?;
    let dir = work.path();
    let big: String = (0..400_000)
        .map(|i| format!("{i:08} a line of a big generated file\n"))
        .collect();
    std::fs::write(dir.join("big.txt"), &big)?;
    git(dir, &["add", "big.txt"])?;
    git(dir, &["commit", "-qm", "add a big file"])?;
    let repo = Repository::open(FsFiles::new(dir.join(".git")), None)?;
    push(
        &repo,
        &url,
        vec![spec(&repo, "HEAD", "refs/heads/main", false)?],
    )?;
    std::fs::write(
        dir.join("big.txt"),
        big.replacen("00200000 a line", "00200000 A LINE", 1),
    )?;
    git(dir, &["commit", "-qam", "one line changed"])?;
    let repo = Repository::open(FsFiles::new(dir.join(".git")), None)?;
    let outcome = push(
        &repo,
        &url,
        vec![spec(&repo, "HEAD", "refs/heads/main", false)?],
    )?;
    println!(
        "push of a one-line change to a {} byte file: pack of {} bytes ({} objects, {} deltas)",
        big.len(),
        outcome.pack_bytes,
        outcome.objects,
        outcome.deltas
    );
    assert!(outcome.is_success());
    assert!(
        outcome.pack_bytes < 2_000,
        "the pack carries a delta, not the file: {} bytes",
        outcome.pack_bytes
    );
    git(
        &root.path().join("tiny.git"),
        &["fsck", "--strict", "--no-dangling"],
    )?;
    Ok(())
}

#[test]
fn rejected_pushes_are_data_and_change_nothing_locally() -> Result {
    use tabgit_repo::remote::push::Status;
    let root = server_root()?;
    let server = tabgit_gitserver::start(tabgit_gitserver::Config::new(root.path()))?;
    let url = format!("{}/demo.git", server.url());
    let work = tempdir()?;
    clone_into(work.path(), &url, &clone::Options::new(me()))?;
    let dir = work.path();
    // Diverge: rewrite our last commit.
    git(dir, &["commit", "-q", "--amend", "-m", "rewritten"])?;
    let before_tracking = git_text(dir, &["rev-parse", "origin/main"])?;
    let repo = Repository::open(FsFiles::new(dir.join(".git")), None)?;
    let outcome = push(
        &repo,
        &url,
        vec![spec(&repo, "HEAD", "refs/heads/main", false)?],
    )?;
    assert!(
        matches!(&outcome.refs[0].status, Status::RejectedLocally { reason } if reason.starts_with("non-fast-forward")),
        "{:?}",
        outcome.refs
    );
    assert!(outcome.refs[0]
        .describe()
        .contains("rejected (non-fast-forward"));
    assert_eq!(
        git_text(dir, &["rev-parse", "origin/main"])?,
        before_tracking,
        "nothing changed locally"
    );
    // The server refuses a forced non-fast-forward when it denies them: its `ng` is data too.
    git(
        &root.path().join("demo.git"),
        &["config", "receive.denyNonFastForwards", "true"],
    )?;
    let outcome = push(
        &repo,
        &url,
        vec![spec(&repo, "HEAD", "refs/heads/main", true)?],
    )?;
    assert!(
        matches!(&outcome.refs[0].status, Status::Rejected { .. }),
        "{:?}",
        outcome.refs
    );
    assert_eq!(
        git_text(dir, &["rev-parse", "origin/main"])?,
        before_tracking,
        "nothing changed locally"
    );
    assert_ne!(
        git_text(&root.path().join("demo.git"), &["rev-parse", "main"])?,
        git_text(dir, &["rev-parse", "HEAD"])?
    );
    Ok(())
}
