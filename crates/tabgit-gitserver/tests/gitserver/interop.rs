//! Native git against the server without knobs: clone, push, partial clone, protocol
//! versions and gzip request bodies.

use std::{fmt::Write as _, io::Write};

use tabgit_gitserver::Faults;

use crate::{
    fixture::{self, git, run_git, stderr_of, stdout_of},
    http, Result,
};

#[test]
fn clone_works_and_speaks_protocol_v2() -> Result {
    let fixture = fixture::demo()?;
    let server = fixture::serve(&fixture, |_| {})?;
    let url = format!("{}/demo.git", server.url());
    let output = git(
        fixture.dir.path(),
        &["-c", "protocol.version=2", "clone", &url, "clone"],
    )
    .env("GIT_TRACE_PACKET", "1")
    .output()?;
    let trace = stderr_of(&output);
    assert!(output.status.success(), "clone must succeed: {trace}");
    assert!(
        trace.contains("git< version 2"),
        "the server must answer a v2 client in protocol v2: {trace}"
    );
    let readme = std::fs::read_to_string(fixture.dir.path().join("clone/README.md"))?;
    assert_eq!(
        readme, "# demo\n\nSecond version.\n",
        "the clone checks out main"
    );
    Ok(())
}

#[test]
fn push_of_a_new_commit_lands_and_passes_fsck_strict() -> Result {
    let fixture = fixture::demo()?;
    let server = fixture::serve(&fixture, |_| {})?;
    let url = format!("{}/demo.git", server.url());
    let work = fixture.dir.path().join("clone");
    run_git(fixture.dir.path(), &["clone", "-q", &url, "clone"])?;
    std::fs::write(work.join("NEW.md"), "pushed over HTTP\n")?;
    run_git(&work, &["add", "NEW.md"])?;
    run_git(&work, &["commit", "-q", "-m", "third"])?;
    run_git(
        &work,
        &["-c", "protocol.version=2", "push", "origin", "main"],
    )?;

    let bare = fixture.root.join("demo.git");
    let pushed = stdout_of(&run_git(&work, &["rev-parse", "HEAD"])?);
    let served = stdout_of(&run_git(&bare, &["rev-parse", "refs/heads/main"])?);
    assert_eq!(served, pushed, "the server's main is the pushed commit");
    run_git(&bare, &["fsck", "--strict"])?;
    Ok(())
}

#[test]
fn push_larger_than_the_post_buffer_streams_a_chunked_body() -> Result {
    let fixture = fixture::demo()?;
    let server = fixture::serve(&fixture, |_| {})?;
    let url = format!("{}/demo.git", server.url());
    let work = fixture.dir.path().join("clone");
    run_git(fixture.dir.path(), &["clone", "-q", &url, "clone"])?;
    // Incompressible and larger than http.postBuffer (1 MiB), so git streams the pack with
    // `Transfer-Encoding: chunked` and no Content-Length reaches http-backend.
    let big = fixture::pseudo_random_bytes(7, 3 * 1024 * 1024);
    std::fs::write(work.join("huge.bin"), big)?;
    run_git(&work, &["add", "huge.bin"])?;
    run_git(&work, &["commit", "-q", "-m", "huge"])?;
    let output = git(&work, &["push", "origin", "main"])
        .env("GIT_TRACE_CURL", "1")
        .env("GIT_TRACE_CURL_NO_DATA", "1")
        .output()?;
    let trace = stderr_of(&output);
    assert!(output.status.success(), "the push must succeed: {trace}");
    assert!(
        trace.contains("Transfer-Encoding: chunked"),
        "git streamed the pack chunked"
    );
    let bare = fixture.root.join("demo.git");
    let pushed = stdout_of(&run_git(&work, &["rev-parse", "HEAD"])?);
    let served = stdout_of(&run_git(&bare, &["rev-parse", "refs/heads/main"])?);
    assert_eq!(served, pushed, "the server's main is the pushed commit");
    run_git(&bare, &["fsck", "--strict"])?;
    Ok(())
}

#[test]
fn partial_clone_leaves_old_blobs_out_and_fetches_them_lazily() -> Result {
    let fixture = fixture::demo()?;
    let server = fixture::serve(&fixture, |_| {})?;
    let url = format!("{}/demo.git", server.url());
    let clone = fixture.dir.path().join("clone");
    run_git(
        fixture.dir.path(),
        &["clone", "-q", "--filter=blob:none", &url, "clone"],
    )?;
    let promisor = stdout_of(&run_git(&clone, &["config", "remote.origin.promisor"])?);
    assert_eq!(
        promisor, "true",
        "a filtered clone marks origin as promisor"
    );

    let objects = stdout_of(&run_git(
        &clone,
        &["rev-list", "--objects", "--missing=print", "HEAD~1"],
    )?);
    assert!(
        objects.lines().any(|line| line.starts_with('?')),
        "the first commit's big.bin was filtered out: {objects}"
    );
    // Reading it fetches it by id, which needs uploadpack.allowAnySHA1InWant.
    let size = stdout_of(&run_git(&clone, &["cat-file", "-s", "HEAD~1:big.bin"])?);
    assert_eq!(
        size,
        (48 * 1024).to_string(),
        "the lazily fetched blob is complete"
    );
    Ok(())
}

#[test]
fn v0_only_server_answers_a_v2_client_in_v0() -> Result {
    let fixture = fixture::demo()?;
    let server = fixture::serve(&fixture, |config| config.faults.v0 = true)?;
    let url = format!("{}/demo.git", server.url());
    let output = git(
        fixture.dir.path(),
        &["-c", "protocol.version=2", "clone", &url, "clone"],
    )
    .env("GIT_TRACE_PACKET", "1")
    .output()?;
    let trace = stderr_of(&output);
    assert!(output.status.success(), "v0 clone must succeed: {trace}");
    assert!(
        !trace.contains("version 2"),
        "a v0-only server must not speak v2: {trace}"
    );
    assert!(
        trace.contains("# service=git-upload-pack"),
        "v0 discovery starts with the service line: {trace}"
    );
    Ok(())
}

#[test]
fn v0_knob_in_the_path_answers_in_v0_while_other_paths_speak_v2() -> Result {
    let fixture = fixture::demo()?;
    let server = fixture::serve(&fixture, |_| {})?;
    let faults = Faults {
        v0: true,
        ..Faults::default()
    };
    for (url, expect_v2) in [
        (format!("{}/demo.git", server.fault_url(&faults)), false),
        (format!("{}/demo.git", server.url()), true),
    ] {
        let output = git(fixture.dir.path(), &["ls-remote", &url])
            .env("GIT_TRACE_PACKET", "1")
            .output()?;
        let trace = stderr_of(&output);
        assert!(output.status.success(), "ls-remote {url}: {trace}");
        assert_eq!(
            trace.contains("git< version 2"),
            expect_v2,
            "protocol for {url}: {trace}"
        );
    }
    Ok(())
}

#[test]
fn gzip_request_body_is_inflated_by_http_backend() -> Result {
    let fixture = fixture::demo()?;
    let server = fixture::serve(&fixture, |_| {})?;
    let mut request = pkt_line(b"command=ls-refs\n");
    request.extend_from_slice(b"0001");
    request.extend(pkt_line(b"symrefs\n"));
    request.extend_from_slice(b"0000");
    let response = http::request(
        server.addr(),
        "POST",
        "/demo.git/git-upload-pack",
        &[
            ("Content-Type", "application/x-git-upload-pack-request"),
            ("Content-Encoding", "gzip"),
            ("Git-Protocol", "version=2"),
        ],
        &gzip(&request),
    )?;
    assert_eq!(response.status, 200, "{}", response.text());
    assert_eq!(
        response.header("content-type"),
        Some("application/x-git-upload-pack-result")
    );
    let text = response.text();
    assert!(
        text.contains(" HEAD symref-target:refs/heads/main\n")
            && text.contains(" refs/heads/main\n"),
        "ls-refs read the inflated request, symrefs argument included: {text}"
    );
    Ok(())
}

#[test]
fn native_fetch_with_many_haves_sends_gzip_and_succeeds() -> Result {
    let fixture = fixture::demo()?;
    let server = fixture::serve(&fixture, |_| {})?;
    let url = format!("{}/demo.git", server.url());
    let dir = fixture.dir.path();
    run_git(dir, &["clone", "-q", &url, "local"])?;
    run_git(dir, &["clone", "-q", &url, "other"])?;

    // 200 newer commits the server does not have are offered first as `have`s, so the
    // negotiation requests grow past the 1 KiB above which git gzips them (remote-curl.c,
    // `post_rpc`).
    let mut stream = String::new();
    for commit_idx in 1..=200 {
        stream.push_str("commit refs/heads/local\n");
        writeln!(
            stream,
            "committer Tab Git <tab@example.com> {} +0000",
            1_700_000_000 + commit_idx
        )?;
        let message = format!("local {commit_idx}\n");
        write!(stream, "data {}\n{message}", message.len())?;
        if commit_idx == 1 {
            stream.push_str("from refs/heads/main^0\n");
        }
        let content = format!("{commit_idx}\n");
        writeln!(
            stream,
            "M 644 inline local.txt\ndata {}\n{content}",
            content.len()
        )?;
    }
    let local = dir.join("local");
    let mut fast_import = git(&local, &["fast-import", "--quiet"])
        .stdin(std::process::Stdio::piped())
        .spawn()?;
    fast_import
        .stdin
        .take()
        .ok_or("fast-import stdin")?
        .write_all(stream.as_bytes())?;
    assert!(
        fast_import.wait()?.success(),
        "fast-import made the local commits"
    );

    let other = dir.join("other");
    std::fs::write(other.join("NEW.md"), "new upstream work\n")?;
    run_git(&other, &["add", "NEW.md"])?;
    run_git(&other, &["commit", "-q", "-m", "upstream"])?;
    run_git(&other, &["push", "-q", "origin", "main"])?;

    let output = git(&local, &["fetch", "origin"])
        .env("GIT_TRACE_CURL", "1")
        .env("GIT_TRACE_CURL_NO_DATA", "1")
        .output()?;
    let trace = stderr_of(&output);
    assert!(output.status.success(), "fetch must succeed: {trace}");
    assert!(
        trace.contains("Content-Encoding: gzip"),
        "git sent a gzip request body"
    );
    let fetched = stdout_of(&run_git(&local, &["rev-parse", "origin/main"])?);
    let upstream = stdout_of(&run_git(&other, &["rev-parse", "HEAD"])?);
    assert_eq!(fetched, upstream, "the fetch brought the new commit");
    Ok(())
}

#[test]
fn missing_repository_is_404() -> Result {
    let fixture = fixture::demo()?;
    let server = fixture::serve(&fixture, |_| {})?;
    let response = http::get(
        server.addr(),
        "/nope.git/info/refs?service=git-upload-pack",
        &[],
    )?;
    assert_eq!(
        response.status, 404,
        "a missing repository must not get 200"
    );
    Ok(())
}

fn pkt_line(payload: &[u8]) -> Vec<u8> {
    let mut line = format!("{:04x}", payload.len() + 4).into_bytes();
    line.extend_from_slice(payload);
    line
}

/// Wrap raw deflate from `miniz_oxide` in a gzip container (RFC 1952).
fn gzip(data: &[u8]) -> Vec<u8> {
    let mut gzip = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
    gzip.extend(miniz_oxide::deflate::compress_to_vec(data, 6));
    gzip.extend_from_slice(&crc32(data).to_le_bytes());
    gzip.extend_from_slice(&(data.len() as u32).to_le_bytes());
    gzip
}

/// CRC-32 (IEEE 802.3, reflected), as gzip's trailer needs.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for byte in data {
        crc ^= u32::from(*byte);
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
        }
    }
    !crc
}
