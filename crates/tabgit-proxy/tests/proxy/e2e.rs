//! End to end: native `git clone` and `git push` through the proxy to the local git server,
//! with protocol v2 and `Authorization` passed through (the server's `auth` knob).

use crate::{
    support::{allow_local, git, gitserver, proxy, repos, run, APP_ORIGIN},
    Result,
};

const TOKEN: &str = "e2e-t0ken";

#[test]
fn clone_and_push_with_protocol_v2_and_authorization() -> Result {
    let repos = repos()?;
    let server = gitserver(&repos, |config| {
        config.faults = format!("auth=user:{TOKEN}").parse().expect("a valid knob");
    })?;
    let proxy = proxy(|config| allow_local(config, server.addr()))?;
    let remote = proxy.url_for(&format!("{}/demo.git", server.url()));
    let authorization = format!("http.extraHeader=Authorization: Bearer {TOKEN}");
    let work = tabgit_testtools::tempdir()?;

    let clone = run(git(work.path(), Some(APP_ORIGIN))
        .env("GIT_TRACE_PACKET", "1")
        .args(["-c", "protocol.version=2", "-c", &authorization])
        .args(["clone", &remote, "clone"]))?;
    let trace = String::from_utf8_lossy(&clone.stderr);
    assert!(
        trace.contains("git< version 2"),
        "the server spoke protocol v2 through the proxy: {trace}"
    );
    assert!(
        trace.contains("clone> command=fetch"),
        "a v2 fetch: {trace}"
    );
    let clone_dir = work.path().join("clone");
    let served = repos.root().join("demo.git");
    assert_eq!(
        tabgit_testtools::git_text(&clone_dir, &["rev-parse", "HEAD"])?,
        tabgit_testtools::git_text(&served, &["rev-parse", "main"])?
    );
    run(tabgit_testtools::git_command(&clone_dir).args(["fsck", "--strict", "--no-progress"]))?;

    std::fs::write(
        clone_dir.join("through-the-proxy.txt"),
        "pushed through tabgit-proxy\n",
    )?;
    tabgit_testtools::git(&clone_dir, &["add", "through-the-proxy.txt"])?;
    tabgit_testtools::git(
        &clone_dir,
        &["commit", "-q", "-m", "push through the proxy"],
    )?;
    let pushed = tabgit_testtools::git_text(&clone_dir, &["rev-parse", "HEAD"])?;
    let push = run(git(&clone_dir, Some(APP_ORIGIN))
        .env("GIT_TRACE_PACKET", "1")
        .args(["-c", &authorization])
        .args(["push", "origin", "HEAD:refs/heads/via-proxy"]))?;
    let trace = String::from_utf8_lossy(&push.stderr);
    assert!(
        trace.contains("report-status") || trace.contains("unpack ok"),
        "{trace}"
    );
    assert_eq!(
        tabgit_testtools::git_text(&served, &["rev-parse", "refs/heads/via-proxy"])?,
        pushed,
        "the push reached the server"
    );

    let unauthorized = git(work.path(), Some(APP_ORIGIN))
        .args(["clone", "-q", &remote, "no-credentials"])
        .output()?;
    assert!(
        !unauthorized.status.success(),
        "without Authorization the server refuses"
    );
    let stderr = String::from_utf8_lossy(&unauthorized.stderr);
    assert!(
        stderr.contains("401") || stderr.contains("Authentication") || stderr.contains("Username"),
        "{stderr}"
    );
    Ok(())
}

#[test]
fn native_git_without_origin_needs_the_allowance() -> Result {
    let repos = repos()?;
    let server = gitserver(&repos, |_| {})?;
    let strict = proxy(|config| allow_local(config, server.addr()))?;
    let work = tabgit_testtools::tempdir()?;
    let refused = git(work.path(), None)
        .args([
            "clone",
            "-q",
            &strict.url_for(&format!("{}/demo.git", server.url())),
            "a",
        ])
        .output()?;
    assert!(
        !refused.status.success(),
        "a client without Origin is refused by default"
    );

    let permissive = proxy(|config| {
        allow_local(config, server.addr());
        config.allow_no_origin = true;
    })?;
    run(git(work.path(), None).args([
        "clone",
        "-q",
        &permissive.url_for(&format!("{}/demo.git", server.url())),
        "b",
    ]))?;
    Ok(())
}
