//! Every way a server can fail is a typed error in words, and the repository is left as it was
//! (`RELIABILITY.md` N1–N14, P1–P7), using the local git server's fault knobs.
use tabgit_repo::remote::{self, clone, push};
use tabgit_repo::{FsFiles, Repository};
use tabgit_testtools::{git, git_text, tempdir, Result};
use tabgit_transport::native::NativeClient;
use tabgit_transport::{Auth, Credentials, Url};

use crate::remote::{clone_into, clone_with_client, me, server_root};

fn clone_error(url: &str) -> remote::Error {
    let work = tempdir().expect("tempdir");
    match clone_into(&work.path().join("w"), url, &clone::Options::new(me())) {
        Ok(_) => panic!("cloning {url} should fail"),
        Err(err) => err,
    }
}

fn clone_with(
    url: &str,
    credentials: Option<Credentials>,
) -> std::result::Result<(), remote::Error> {
    let work = tempdir().expect("tempdir");
    let client = NativeClient::default();
    let parsed = Url::parse(url).expect("url");
    let mut session = remote::Session {
        client: &client,
        url: parsed,
        credentials,
        proxy: None,
        cancelled: &|| false,
        limits: Default::default(),
    };
    let dir = work.path().join("w");
    std::fs::create_dir_all(dir.join(".git")).expect("dir");
    futures_executor::block_on(clone::clone(
        FsFiles::new(dir.join(".git")),
        Some(Box::new(tabgit_repo::FsWorktree::new(&dir))),
        &mut session,
        &clone::Options::new(me()),
        &mut |_| {},
    ))
    .map(drop)
}

#[test]
fn http_statuses_and_bodies_become_words() -> Result {
    let root = server_root()?;
    let server = tabgit_gitserver::start(tabgit_gitserver::Config::new(root.path()))?;
    let base = server.url();
    let cases: Vec<(String, &str)> = vec![
        (
            format!("{base}/_fault/status=403/demo.git"),
            "access denied",
        ),
        (format!("{base}/missing.git"), "repository not found"),
        (
            format!("{base}/_fault/status=410/demo.git"),
            "repository not found",
        ),
        (
            format!("{base}/_fault/status=429,retry-after=7/demo.git"),
            "try again in 7 seconds",
        ),
        (
            format!("{base}/_fault/status=500/demo.git"),
            "answered HTTP 500",
        ),
        (
            format!("{base}/_fault/body=html/demo.git"),
            "not a git smart-HTTP endpoint",
        ),
        (format!("{base}/_fault/body=err/demo.git"), "simulated"),
        (
            format!("{base}/_fault/on=upload-pack,body=sideband3/demo.git"),
            "simulated server failure",
        ),
        (format!("{base}/_fault/body=badpkt/demo.git"), "length"),
        (
            format!("{base}/_fault/on=upload-pack,ctype=text%2Fplain/demo.git"),
            "smart-HTTP",
        ),
    ];
    for (url, words) in cases {
        let message = clone_error(&url).to_string();
        assert!(
            message.to_lowercase().contains(&words.to_lowercase()),
            "{url}: {message:?} should say {words:?}"
        );
    }
    Ok(())
}

#[test]
fn authentication_asks_once_and_never_leaks_the_token() -> Result {
    let root = server_root()?;
    let server = tabgit_gitserver::start(tabgit_gitserver::Config::new(root.path()))?;
    let url = format!("{}/_fault/auth=alice:s3cret-token/demo.git", server.url());
    let origin = Url::parse(&url)?.origin();
    let missing = clone_with(&url, None).expect_err("no credentials");
    assert!(
        matches!(missing, remote::Error::AuthRequired { .. }),
        "{missing}"
    );
    let wrong = clone_with(
        &url,
        Some(Credentials {
            origin: origin.clone(),
            auth: Auth::Basic {
                username: "alice".into(),
                secret: "wrong".into(),
            },
        }),
    )
    .expect_err("wrong credentials");
    assert!(
        wrong
            .to_string()
            .starts_with("authentication failed for http://127.0.0.1:"),
        "{wrong}"
    );
    assert!(
        !format!("{wrong} {wrong:?}").contains("wrong"),
        "no secret in the error"
    );
    clone_with(
        &url,
        Some(Credentials {
            origin: origin.clone(),
            auth: Auth::Basic {
                username: "alice".into(),
                secret: "s3cret-token".into(),
            },
        }),
    )?;
    clone_with(
        &url,
        Some(Credentials {
            origin,
            auth: Auth::Bearer {
                token: "s3cret-token".into(),
            },
        }),
    )?;
    Ok(())
}

#[test]
fn redirects_stay_on_their_host() -> Result {
    let root = server_root()?;
    let server = tabgit_gitserver::start(tabgit_gitserver::Config::new(root.path()))?;
    let other = tabgit_gitserver::start(tabgit_gitserver::Config::new(root.path()))?;
    // Same host: followed for the initial request, and the new URL is remembered.
    let work = tempdir()?;
    let same = format!("{}/_fault/redirect-initial=%2F/demo.git", server.url());
    let repo = clone_into(work.path(), &same, &clone::Options::new(me()))?;
    assert!(repo
        .config()
        .get("remote", Some(b"origin"), "url")
        .is_some_and(|u| u.ends_with(b"/demo.git")));
    // Another port is another origin: refused, credentials never sent there.
    let cross = format!(
        "{}/_fault/redirect-initial={}/demo.git",
        server.url(),
        other.url().replace('/', "%2F").replace(':', "%3A")
    );
    let err = clone_error(&cross);
    assert!(
        matches!(err, remote::Error::CrossHostRedirect { .. }),
        "{err}"
    );
    Ok(())
}

#[test]
fn v0_only_servers_work() -> Result {
    let root = server_root()?;
    let server = tabgit_gitserver::start(tabgit_gitserver::Config::new(root.path()))?;
    let work = tempdir()?;
    clone_into(
        work.path(),
        &format!("{}/_fault/v0/demo.git", server.url()),
        &clone::Options::new(me()),
    )?;
    git(work.path(), &["fsck", "--strict", "--no-dangling"])?;
    let shallow = tempdir()?;
    let mut options = clone::Options::new(me());
    options.depth = Some(2);
    clone_into(
        shallow.path(),
        &format!("{}/_fault/v0/demo.git", server.url()),
        &options,
    )?;
    assert_eq!(
        git_text(shallow.path(), &["rev-list", "--count", "HEAD"])?,
        "2"
    );
    Ok(())
}

#[test]
fn a_cut_connection_leaves_no_repository_and_no_refs() -> Result {
    let root = server_root()?;
    let server = tabgit_gitserver::start(tabgit_gitserver::Config::new(root.path()))?;
    let work = tempdir()?;
    let dir = work.path().join("w");
    let Err(err) = clone_into(
        &dir,
        &format!("{}/_fault/on=upload-pack,cut=3000/demo.git", server.url()),
        &clone::Options::new(me()),
    ) else {
        panic!("a cut pack fails");
    };
    assert!(
        matches!(
            err,
            remote::Error::Pack(_) | remote::Error::Http(_) | remote::Error::FetchV2(_)
        ),
        "{err}"
    );
    assert_no_refs(&dir);
    Ok(())
}

/// The library leaves the half-made directory of a failed clone to its caller (the CLI
/// removes it); what is there has no refs pointing at anything.
fn assert_no_refs(dir: &std::path::Path) {
    let refs = std::fs::read_dir(dir.join(".git/refs/heads")).map_or(0, Iterator::count);
    assert_eq!(refs, 0, "no branch was created");
    let remotes = std::fs::read_dir(dir.join(".git/refs/remotes")).map_or(0, Iterator::count);
    assert_eq!(remotes, 0, "no remote-tracking ref was created");
    assert!(!dir.join(".git/packed-refs").exists());
}

/// A server that stops sending mid-pack and keeps the connection open: the clone fails after
/// the idle timeout, in words, with no ref created (instead of hanging for ever).
#[test]
fn a_stalled_connection_times_out_and_leaves_no_refs() -> Result {
    let root = server_root()?;
    let server = tabgit_gitserver::start(tabgit_gitserver::Config::new(root.path()))?;
    let work = tempdir()?;
    let dir = work.path().join("w");
    let client = NativeClient::with_idle_timeout(std::time::Duration::from_secs(1));
    let Err(err) = clone_with_client(
        &client,
        &dir,
        &format!("{}/_fault/on=upload-pack,stall=3000/demo.git", server.url()),
        &clone::Options::new(me()),
    ) else {
        panic!("a stalled pack fails");
    };
    let text = err.to_string();
    assert!(
        text.contains("stopped sending data (timed out)"),
        "the error says the server went quiet: {text}"
    );
    assert_no_refs(&dir);
    Ok(())
}

#[test]
fn cancel_leaves_the_repository_as_it_was() -> Result {
    let root = server_root()?;
    let server = tabgit_gitserver::start(tabgit_gitserver::Config::new(root.path()))?;
    let work = tempdir()?;
    let client = NativeClient::default();
    let mut session = remote::Session {
        client: &client,
        url: Url::parse(&format!("{}/demo.git", server.url()))?,
        credentials: None,
        proxy: None,
        cancelled: &|| true,
        limits: Default::default(),
    };
    std::fs::create_dir_all(work.path().join(".git"))?;
    let res = futures_executor::block_on(clone::clone(
        FsFiles::new(work.path().join(".git")),
        None,
        &mut session,
        &clone::Options::new(me()),
        &mut |_| {},
    ));
    assert!(matches!(res, Err(remote::Error::Cancelled)));
    Ok(())
}

fn push_to(
    repo: &Repository<FsFiles>,
    url: &str,
    specs: Vec<push::RefSpec>,
    atomic: bool,
) -> Result<push::Outcome> {
    let client = NativeClient::default();
    let mut session = remote::Session {
        client: &client,
        url: Url::parse(url)?,
        credentials: None,
        proxy: None,
        cancelled: &|| false,
        limits: Default::default(),
    };
    let options = push::Options {
        specs,
        atomic,
        push_options: Vec::new(),
        remote_name: "origin".into(),
        committer: me(),
    };
    Ok(futures_executor::block_on(push::push(
        repo,
        &mut session,
        &options,
        &mut |_| {},
    ))?)
}

#[test]
fn push_faults_are_reported_per_ref() -> Result {
    let root = server_root()?;
    let server = tabgit_gitserver::start(tabgit_gitserver::Config::new(root.path()))?;
    let url = format!("{}/demo.git", server.url());
    let work = tempdir()?;
    clone_into(work.path(), &url, &clone::Options::new(me()))?;
    let dir = work.path();
    std::fs::write(dir.join("README.md"), "one\n")?;
    git(dir, &["commit", "-qam", "one"])?;
    let repo = Repository::open(FsFiles::new(dir.join(".git")), None)?;
    let head = repo.rev_parse(b"HEAD")?;
    let spec = |name: &str| push::RefSpec {
        source: Some(head),
        destination: name.as_bytes().to_vec(),
        force: false,
    };
    let server_dir = root.path().join("demo.git");
    let before = git_text(&server_dir, &["rev-parse", "main"])?;

    // P2: a hook declines, and its words reach the user.
    let hook = server_dir.join("hooks/pre-receive");
    std::fs::write(
        &hook,
        "#!/bin/sh\necho 'policy: no pushes on Sunday' >&2\nexit 1\n",
    )?;
    std::fs::set_permissions(&hook, std::os::unix::fs::PermissionsExt::from_mode(0o755))?;
    let outcome = push_to(&repo, &url, vec![spec("refs/heads/main")], false)?;
    assert!(
        matches!(
            &outcome.refs[0].status,
            push::Status::Rejected {
                kind: tabgit_protocol::push::Rejection::HookDeclined,
                ..
            }
        ),
        "{:?}",
        outcome.refs
    );
    assert!(
        outcome
            .messages
            .iter()
            .any(|m| m.contains("no pushes on Sunday")),
        "{:?}",
        outcome.messages
    );
    assert_eq!(git_text(&server_dir, &["rev-parse", "main"])?, before);
    std::fs::remove_file(&hook)?;

    // P4: atomic: one ref refused by an update hook refuses them all.
    let update = server_dir.join("hooks/update");
    std::fs::write(
        &update,
        "#!/bin/sh\ncase \"$1\" in refs/heads/blocked) exit 1;; esac\nexit 0\n",
    )?;
    std::fs::set_permissions(&update, std::os::unix::fs::PermissionsExt::from_mode(0o755))?;
    let outcome = push_to(
        &repo,
        &url,
        vec![spec("refs/heads/main"), spec("refs/heads/blocked")],
        true,
    )?;
    assert!(!outcome.is_success());
    assert!(
        outcome
            .refs
            .iter()
            .all(|r| !matches!(r.status, push::Status::Ok)),
        "atomic: nothing succeeds alone: {:?}",
        outcome.refs
    );
    assert_eq!(
        git_text(&server_dir, &["rev-parse", "main"])?,
        before,
        "nothing changed on the server"
    );
    std::fs::remove_file(&update)?;

    // P3/P7: the server refuses the pack (too large): whole push failed, nothing changed.
    git(&server_dir, &["config", "receive.maxInputSize", "10"])?;
    let outcome = push_to(&repo, &url, vec![spec("refs/heads/main")], false)?;
    assert!(
        outcome.unpack_error.is_some() || !outcome.is_success(),
        "{outcome:?}"
    );
    assert_eq!(git_text(&server_dir, &["rev-parse", "main"])?, before);
    git(&server_dir, &["config", "--unset", "receive.maxInputSize"])?;

    // P5: the connection drops after the pack was sent: the outcome is read back, not guessed.
    let cut = format!("{}/_fault/on=receive-pack,cut=0/demo.git", server.url());
    let outcome = push_to(&repo, &cut, vec![spec("refs/heads/main")], false)?;
    assert_eq!(
        outcome.refs[0].status,
        push::Status::Unknown { applied: true },
        "{:?}",
        outcome.refs
    );
    assert_eq!(
        git_text(&server_dir, &["rev-parse", "main"])?,
        head.to_hex()
    );
    git(&server_dir, &["fsck", "--strict", "--no-dangling"])?;
    Ok(())
}
