//! Each fault knob, checked with raw HTTP where the bytes matter and with native git where the
//! client's reaction matters.

use std::time::{Duration, Instant};

use tabgit_gitserver::{
    fault::{Redirect, ERR_MESSAGE, SIDEBAND3_MESSAGE},
    Faults,
};

use crate::{
    fixture::{self, run_git, stderr_of, stdout_of, try_git},
    http, Result,
};

const DISCOVERY: &str = "/demo.git/info/refs?service=git-upload-pack";

#[test]
fn cut_sends_exactly_the_first_bytes_then_drops_the_connection() -> Result {
    let fixture = fixture::demo()?;
    let server = fixture::serve(&fixture, |_| {})?;
    let whole = http::get(server.addr(), DISCOVERY, &[])?;
    assert!(
        whole.complete && whole.body.len() > 10,
        "uncut discovery is complete"
    );

    let cut = http::get(server.addr(), &format!("/_fault/cut=10{DISCOVERY}"), &[])?;
    assert_eq!(cut.status, 200);
    assert_eq!(cut.body, whole.body[..10], "the first 10 bytes arrive");
    assert!(
        !cut.complete,
        "the client must see an incomplete body, not a clean end"
    );

    let synthetic = http::get(server.addr(), "/_fault/status=503,cut=5/x", &[])?;
    assert_eq!(
        synthetic.body, b"simul",
        "cut applies to synthetic bodies too"
    );
    assert!(
        !synthetic.complete,
        "a Content-Length body is left short of its length"
    );
    Ok(())
}

#[test]
fn cut_mid_pack_fails_the_clone() -> Result {
    let fixture = fixture::demo()?;
    let server = fixture::serve(&fixture, |_| {})?;
    let url = format!(
        "{}/demo.git",
        server.fault_url(&"on=upload-pack,cut=2000".parse()?)
    );
    let output = try_git(fixture.dir.path(), &["clone", &url, "clone"])?;
    assert!(
        !output.status.success(),
        "a clone whose pack is cut must fail: {}",
        stderr_of(&output)
    );
    Ok(())
}

#[test]
fn cut_after_push_loses_the_report_but_the_push_happened() -> Result {
    let fixture = fixture::demo()?;
    let server = fixture::serve(&fixture, |_| {})?;
    let work = fixture.dir.path().join("clone");
    run_git(
        fixture.dir.path(),
        &[
            "clone",
            "-q",
            &format!("{}/demo.git", server.url()),
            "clone",
        ],
    )?;
    std::fs::write(work.join("NEW.md"), "lost report\n")?;
    run_git(&work, &["add", "NEW.md"])?;
    run_git(&work, &["commit", "-q", "-m", "third"])?;

    let url = format!(
        "{}/demo.git",
        server.fault_url(&"on=receive-pack,cut=0".parse()?)
    );
    let output = try_git(&work, &["push", &url, "main"])?;
    assert!(
        !output.status.success(),
        "the client never gets the report, so the push fails for it: {}",
        stderr_of(&output)
    );
    let pushed = stdout_of(&run_git(&work, &["rev-parse", "HEAD"])?);
    let served = stdout_of(&run_git(
        &fixture.root.join("demo.git"),
        &["rev-parse", "main"],
    )?);
    assert_eq!(
        served, pushed,
        "the server finished the push before the cut (P5)"
    );
    Ok(())
}

#[test]
fn status_with_retry_after() -> Result {
    let fixture = fixture::demo()?;
    let server = fixture::serve(&fixture, |_| {})?;
    let response = http::get(
        server.addr(),
        &format!("/_fault/status=429,retry-after=7{DISCOVERY}"),
        &[],
    )?;
    assert_eq!(response.status, 429);
    assert_eq!(response.header("retry-after"), Some("7"));
    assert_eq!(response.text(), "simulated 429 Too Many Requests\n");
    Ok(())
}

#[test]
fn status_404_is_reported_by_git_as_not_found() -> Result {
    let fixture = fixture::demo()?;
    let server = fixture::serve(&fixture, |_| {})?;
    let url = format!("{}/_fault/status=404/demo.git", server.url());
    let output = try_git(fixture.dir.path(), &["ls-remote", &url])?;
    let stderr = stderr_of(&output);
    assert!(!output.status.success(), "404 fails: {stderr}");
    assert!(stderr.contains("not found"), "git says not found: {stderr}");
    Ok(())
}

#[test]
fn on_scope_limits_response_knobs_to_one_request_kind() -> Result {
    let fixture = fixture::demo()?;
    let server = fixture::serve(&fixture, |_| {})?;
    let prefix = "/_fault/on=receive-pack,status=500";
    let discovery = http::get(server.addr(), &format!("{prefix}{DISCOVERY}"), &[])?;
    assert_eq!(
        discovery.status, 200,
        "discovery is not a receive-pack POST"
    );
    let push = http::request(
        server.addr(),
        "POST",
        &format!("{prefix}/demo.git/git-receive-pack"),
        &[("Content-Type", "application/x-git-receive-pack-request")],
        b"0000",
    )?;
    assert_eq!(push.status, 500, "the receive-pack POST gets the status");
    Ok(())
}

#[test]
fn auth_rejects_wrong_credentials_and_accepts_right_ones() -> Result {
    let fixture = fixture::demo()?;
    let server = fixture::serve(&fixture, |_| {})?;
    let authority = server.addr().to_string();
    let path = "_fault/auth=alice:s3cret/demo.git";

    let wrong = format!("http://alice:wrong@{authority}/{path}");
    let output = try_git(fixture.dir.path(), &["clone", &wrong, "wrong"])?;
    let stderr = stderr_of(&output);
    assert!(!output.status.success(), "wrong credentials fail: {stderr}");
    assert!(
        stderr.contains("Authentication failed"),
        "git reports the 401: {stderr}"
    );

    let right = format!("http://alice:s3cret@{authority}/{path}");
    run_git(fixture.dir.path(), &["clone", "-q", &right, "right"])?;
    assert!(
        fixture.dir.path().join("right/README.md").exists(),
        "the authenticated clone checked out"
    );

    let target = format!("/{path}/info/refs?service=git-upload-pack");
    let anonymous = http::get(server.addr(), &target, &[])?;
    assert_eq!(anonymous.status, 401);
    assert_eq!(
        anonymous.header("www-authenticate"),
        Some("Basic realm=\"tabgit-gitserver\"")
    );
    let bearer = http::get(
        server.addr(),
        &target,
        &[("Authorization", "Bearer s3cret")],
    )?;
    assert_eq!(
        bearer.status, 200,
        "a Bearer token equal to the token is accepted"
    );
    let wrong_bearer = http::get(server.addr(), &target, &[("Authorization", "Bearer nope")])?;
    assert_eq!(wrong_bearer.status, 401);
    Ok(())
}

#[test]
fn redirect_builds_location_from_target_and_rest() -> Result {
    let fixture = fixture::demo()?;
    let server = fixture::serve(&fixture, |_| {})?;
    let same_server = http::get(
        server.addr(),
        &format!("/_fault/redirect=%2F{DISCOVERY}"),
        &[],
    )?;
    assert_eq!(same_server.status, 301);
    assert_eq!(same_server.header("location"), Some(DISCOVERY));

    let other = http::get(
        server.addr(),
        &format!("/_fault/redirect302=http%3A%2F%2F127.0.0.1%3A9%2Fmoved{DISCOVERY}"),
        &[],
    )?;
    assert_eq!(other.status, 302);
    assert_eq!(
        other.header("location"),
        Some(format!("http://127.0.0.1:9/moved{DISCOVERY}").as_str())
    );
    Ok(())
}

#[test]
fn redirect_initial_redirects_only_discovery() -> Result {
    let fixture = fixture::demo()?;
    let server = fixture::serve(&fixture, |_| {})?;
    let initial = "/_fault/redirect-initial=%2F";
    let discovery = http::get(server.addr(), &format!("{initial}{DISCOVERY}"), &[])?;
    assert_eq!(discovery.status, 301, "discovery is redirected");
    let head = http::get(server.addr(), &format!("{initial}/demo.git/HEAD"), &[])?;
    assert_eq!(head.status, 200, "other requests are served");
    assert_eq!(head.text(), "ref: refs/heads/main\n");
    let everything = http::get(server.addr(), "/_fault/redirect=%2F/demo.git/HEAD", &[])?;
    assert_eq!(everything.status, 301, "redirect= redirects every request");
    Ok(())
}

#[test]
fn git_follows_an_initial_redirect_to_another_server() -> Result {
    let fixture = fixture::demo()?;
    let target = fixture::serve(&fixture, |_| {})?;
    let front = fixture::serve(&fixture, |_| {})?;
    let faults = Faults {
        redirect: Some(Redirect {
            target: target.url(),
            found: false,
            initial_only: true,
        }),
        ..Faults::default()
    };
    let url = format!("{}/demo.git", front.fault_url(&faults));
    let output = try_git(fixture.dir.path(), &["clone", &url, "clone"])?;
    let stderr = stderr_of(&output);
    assert!(
        output.status.success(),
        "the redirected clone works: {stderr}"
    );
    assert!(
        stderr.contains(&format!("redirecting to {}/demo.git/", target.url())),
        "git moved to the other authority: {stderr}"
    );
    Ok(())
}

#[test]
fn delay_waits_before_answering() -> Result {
    let fixture = fixture::demo()?;
    let server = fixture::serve(&fixture, |_| {})?;
    let started = Instant::now();
    let response = http::get(server.addr(), &format!("/_fault/delay=250{DISCOVERY}"), &[])?;
    assert_eq!(response.status, 200);
    assert!(
        started.elapsed() >= Duration::from_millis(250),
        "the answer came after the delay"
    );
    Ok(())
}

#[test]
fn body_html_is_a_login_page_git_refuses() -> Result {
    let fixture = fixture::demo()?;
    let server = fixture::serve(&fixture, |_| {})?;
    let response = http::get(server.addr(), &format!("/_fault/body=html{DISCOVERY}"), &[])?;
    assert_eq!(response.status, 200);
    assert_eq!(
        response.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert!(response.text().contains("<form"), "an HTML login page");

    let url = format!("{}/_fault/body=html/demo.git", server.url());
    let output = try_git(fixture.dir.path(), &["ls-remote", &url])?;
    let stderr = stderr_of(&output);
    assert!(!output.status.success(), "HTML is not a git server");
    assert!(
        stderr.contains("not valid"),
        "git rejects the page: {stderr}"
    );
    Ok(())
}

#[test]
fn body_err_is_a_protocol_correct_err_line() -> Result {
    let fixture = fixture::demo()?;
    let server = fixture::serve(&fixture, |_| {})?;
    let discovery = http::get(server.addr(), &format!("/_fault/body=err{DISCOVERY}"), &[])?;
    assert_eq!(
        discovery.header("content-type"),
        Some("application/x-git-upload-pack-advertisement")
    );
    let err_line = format!("ERR {ERR_MESSAGE}\n");
    let expected = format!(
        "001e# service=git-upload-pack\n0000{:04x}{err_line}",
        err_line.len() + 4
    );
    assert_eq!(discovery.text(), expected, "service line, flush, ERR");

    let post = http::request(
        server.addr(),
        "POST",
        "/_fault/body=err/demo.git/git-upload-pack",
        &[("Content-Type", "application/x-git-upload-pack-request")],
        b"0000",
    )?;
    assert_eq!(
        post.header("content-type"),
        Some("application/x-git-upload-pack-result")
    );
    assert_eq!(post.text(), format!("{:04x}{err_line}", err_line.len() + 4));

    let url = format!("{}/_fault/body=err/demo.git", server.url());
    let output = try_git(fixture.dir.path(), &["ls-remote", &url])?;
    let stderr = stderr_of(&output);
    assert!(
        stderr.contains(&format!("remote error: {ERR_MESSAGE}")),
        "git shows the ERR text: {stderr}"
    );
    Ok(())
}

#[test]
fn body_sideband3_fails_the_fetch_in_v2_and_v0_but_not_ls_refs() -> Result {
    let fixture = fixture::demo()?;
    let server = fixture::serve(&fixture, |_| {})?;
    let v2_url = format!("{}/_fault/body=sideband3/demo.git", server.url());
    let listed = run_git(
        fixture.dir.path(),
        &["-c", "protocol.version=2", "ls-remote", &v2_url],
    )?;
    assert!(
        stdout_of(&listed).contains("refs/heads/main"),
        "ls-refs has no pack and is served normally"
    );

    let v0_url = format!("{}/_fault/v0,body=sideband3/demo.git", server.url());
    for (url, name) in [(v2_url, "v2"), (v0_url, "v0")] {
        let output = try_git(
            fixture.dir.path(),
            &["-c", "protocol.version=2", "clone", &url, name],
        )?;
        let stderr = stderr_of(&output);
        assert!(!output.status.success(), "{name}: the fetch fails");
        assert!(
            stderr.contains(SIDEBAND3_MESSAGE),
            "{name}: git shows the band-3 message: {stderr}"
        );
    }
    Ok(())
}

#[test]
fn body_badpkt_is_a_framing_error_for_git() -> Result {
    let fixture = fixture::demo()?;
    let server = fixture::serve(&fixture, |_| {})?;
    let response = http::get(
        server.addr(),
        &format!("/_fault/body=badpkt{DISCOVERY}"),
        &[],
    )?;
    assert!(
        response
            .text()
            .starts_with("001e# service=git-upload-pack\n0000zzzz"),
        "a valid discovery start, then bad framing: {}",
        response.text()
    );
    let url = format!("{}/_fault/body=badpkt/demo.git", server.url());
    let output = try_git(fixture.dir.path(), &["ls-remote", &url])?;
    let stderr = stderr_of(&output);
    assert!(
        stderr.contains("bad line length character: zzzz"),
        "git sees a framing error: {stderr}"
    );
    Ok(())
}

#[test]
fn ctype_overrides_the_content_type_of_a_real_answer() -> Result {
    let fixture = fixture::demo()?;
    let server = fixture::serve(&fixture, |_| {})?;
    let response = http::get(
        server.addr(),
        &format!("/_fault/ctype=text%2Fplain{DISCOVERY}"),
        &[],
    )?;
    assert_eq!(response.status, 200);
    assert_eq!(response.header("content-type"), Some("text/plain"));
    assert!(
        response.text().starts_with("001e# service=git-upload-pack"),
        "the body is git's"
    );
    Ok(())
}

#[test]
fn bad_knobs_are_400_with_the_reason() -> Result {
    let fixture = fixture::demo()?;
    let server = fixture::serve(&fixture, |_| {})?;
    for (knobs, reason) in [
        ("explode", "unknown knob \"explode\""),
        ("cut=1,cut=2", "given twice"),
        ("status=700", "invalid value \"700\""),
        ("v0=1", "takes no value"),
        ("delay", "needs a value"),
    ] {
        let response = http::get(server.addr(), &format!("/_fault/{knobs}{DISCOVERY}"), &[])?;
        assert_eq!(response.status, 400, "{knobs} is refused");
        assert!(
            response.text().contains(reason),
            "{knobs}: the body says why: {}",
            response.text()
        );
    }
    Ok(())
}

#[test]
fn server_wide_knobs_apply_and_path_knobs_override_them() -> Result {
    let fixture = fixture::demo()?;
    let server = fixture::serve(&fixture, |config| {
        config.faults.status = Some(503);
    })?;
    let plain = http::get(server.addr(), DISCOVERY, &[])?;
    assert_eq!(plain.status, 503, "the server-wide status applies");
    let overridden = http::get(
        server.addr(),
        &format!("/_fault/status=429{DISCOVERY}"),
        &[],
    )?;
    assert_eq!(overridden.status, 429, "the path knob wins");
    Ok(())
}

/// A repository's `tabgit-hostile/` files replace git's answers: `info-refs` the whole
/// discovery body, `upload-pack-tail` everything after the pack start (v2 and v0), while
/// negotiation stays git's.
#[test]
fn hostile_repository_files_replace_discovery_and_the_pack() -> Result {
    let fixture = fixture::demo()?;
    let server = fixture::serve(&fixture, |_| {})?;
    let hostile = fixture.root.join("demo.git/tabgit-hostile");
    std::fs::create_dir_all(&hostile)?;

    // The pack tail: a side-band 3 message instead of the pack, in v2 and in v0.
    let message = b"\x03hostile pack tail\n";
    let mut tail = format!("{:04x}", message.len() + 4).into_bytes();
    tail.extend_from_slice(message);
    std::fs::write(hostile.join("upload-pack-tail"), &tail)?;
    let url = format!("{}/demo.git", server.url());
    let v0_url = format!("{}/_fault/v0/demo.git", server.url());
    for (url, name) in [(&url, "v2"), (&v0_url, "v0")] {
        let output = try_git(
            fixture.dir.path(),
            &["-c", "protocol.version=2", "clone", url, name],
        )?;
        assert!(!output.status.success(), "{name}: the clone gets no pack");
        assert!(
            stderr_of(&output).contains("hostile pack tail"),
            "{name}: git shows the tail's band-3 message: {}",
            stderr_of(&output)
        );
    }

    // The discovery body, as it is, with the advertisement content type.
    let advertisement = b"001e# service=git-upload-pack\n0000001aERR hostile discovery\n";
    std::fs::write(hostile.join("info-refs"), advertisement)?;
    let response = http::get(server.addr(), DISCOVERY, &[])?;
    assert_eq!(response.status, 200);
    assert_eq!(response.body, advertisement, "the file is the body");
    let output = try_git(fixture.dir.path(), &["ls-remote", &url])?;
    assert!(
        stderr_of(&output).contains("hostile discovery"),
        "git reads the canned advertisement: {}",
        stderr_of(&output)
    );

    // Without the files the repository is served by git again.
    std::fs::remove_dir_all(&hostile)?;
    run_git(fixture.dir.path(), &["clone", "-q", &url, "again"])?;
    Ok(())
}
