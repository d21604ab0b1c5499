//! No git process outlives the request it serves: not when the client goes away mid-request,
//! and not when the server is dropped.
//!
//! Processes are found through `/proc/<pid>/environ` by their `GIT_PROJECT_ROOT`, so these
//! tests run on Linux only.
#![cfg(target_os = "linux")]

use std::{
    io::Write,
    net::TcpStream,
    path::Path,
    time::{Duration, Instant},
};

use crate::{fixture, Result};

/// A push whose body is much shorter than its `Content-Length`.
const SHORT_PUSH: &[u8] = b"POST /demo.git/git-receive-pack HTTP/1.1\r\nHost: test\r\n\
Content-Type: application/x-git-receive-pack-request\r\nContent-Length: 100000\r\n\r\n0000";

#[test]
fn client_gone_mid_request_body_leaves_no_git_process() -> Result {
    let fixture = fixture::demo()?;
    let root = std::fs::canonicalize(&fixture.root)?;
    let server = fixture::serve(&fixture, |_| {})?;
    let mut client = TcpStream::connect(server.addr())?;
    client.write_all(SHORT_PUSH)?;
    wait_for(
        || git_processes_serving(&root) > 0,
        "git http-backend started",
    )?;
    drop(client);
    // git http-backend given a short body spins forever in a forked helper
    // (`pipe_fixed_length`), so the server must kill the whole process group.
    wait_for(
        || git_processes_serving(&root) == 0,
        "every git process serving the request is gone",
    )
}

#[test]
fn dropping_the_server_kills_git_processes_in_flight() -> Result {
    let fixture = fixture::demo()?;
    let root = std::fs::canonicalize(&fixture.root)?;
    let server = fixture::serve(&fixture, |_| {})?;
    let mut client = TcpStream::connect(server.addr())?;
    client.write_all(SHORT_PUSH)?;
    wait_for(
        || git_processes_serving(&root) > 0,
        "git http-backend started",
    )?;
    drop(server);
    wait_for(
        || git_processes_serving(&root) == 0,
        "stopping the server stops git",
    )?;
    drop(client);
    Ok(())
}

/// Poll `condition` for up to ten seconds.
fn wait_for(condition: impl Fn() -> bool, what: &str) -> Result {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(10) {
        if condition() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Err(format!("timed out waiting until {what}").into())
}

/// Count the processes whose environment has `GIT_PROJECT_ROOT=<root>`.
fn git_processes_serving(root: &Path) -> usize {
    let needle = format!("GIT_PROJECT_ROOT={}", root.display()).into_bytes();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return 0;
    };
    entries
        .filter_map(std::result::Result::ok)
        .filter(|entry| {
            entry
                .file_name()
                .to_str()
                .is_some_and(|name| name.bytes().all(|byte| byte.is_ascii_digit()))
        })
        .filter_map(|entry| std::fs::read(entry.path().join("environ")).ok())
        .filter(|environ| {
            environ
                .split(|byte| *byte == 0)
                .any(|variable| variable == needle.as_slice())
        })
        .count()
}
