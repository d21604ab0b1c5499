//! The `tabgit-proxy` binary: flags and environment documented in `--help`, configuration
//! from the environment, the log on stderr, graceful shutdown on SIGTERM and SIGINT.

use std::{
    io::{BufRead, BufReader, Read},
    net::SocketAddr,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use crate::{
    support::{get_from_app, gitserver, repos, APP_ORIGIN, UPLOAD_DISCOVERY},
    Result,
};

/// The binary under test.
pub fn binary() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tabgit-proxy"));
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("TABGIT_PROXY_") {
            command.env_remove(key);
        }
    }
    command
}

/// A running binary; killed when dropped.
pub struct Process {
    /// The child process.
    pub child: Child,
    /// The address from its first line.
    pub addr: SocketAddr,
}

/// Start `command` and read its `listening on http://ADDR/` line.
pub fn spawn(command: &mut Command) -> Result<Process> {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let stdout = child.stdout.take().ok_or("stdout is piped")?;
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line)?;
    let addr = line
        .trim()
        .strip_prefix("listening on http://")
        .and_then(|rest| rest.strip_suffix('/'))
        .ok_or_else(|| format!("unexpected first line {line:?}"))?
        .parse()?;
    Ok(Process { child, addr })
}

/// Access
impl Process {
    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Send `signal` (`TERM`, `INT`) and wait up to 10 s for the exit; return its stderr.
    pub fn stop(mut self, signal: &str) -> Result<(std::process::ExitStatus, String)> {
        let status = Command::new("kill")
            .args([&format!("-{signal}"), &self.pid().to_string()])
            .status()?;
        assert!(status.success(), "kill -{signal}");
        let deadline = Instant::now() + Duration::from_secs(10);
        let exit = loop {
            if let Some(exit) = self.child.try_wait()? {
                break exit;
            }
            if Instant::now() > deadline {
                return Err("the proxy did not stop within 10 s".into());
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let mut stderr = String::new();
        if let Some(mut pipe) = self.child.stderr.take() {
            pipe.read_to_string(&mut stderr)?;
        }
        Ok((exit, stderr))
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn help_documents_every_flag_and_its_environment_variable() -> Result {
    let output = binary().arg("--help").output()?;
    assert!(output.status.success());
    let help = String::from_utf8(output.stdout)?;
    for (flag, env) in [
        ("--bind", "TABGIT_PROXY_BIND"),
        ("--port", "TABGIT_PROXY_PORT"),
        ("--allow-origin", "TABGIT_PROXY_ALLOW_ORIGINS"),
        ("--allow-no-origin", "TABGIT_PROXY_ALLOW_NO_ORIGIN"),
        ("--allow-host", "TABGIT_PROXY_ALLOW_HOSTS"),
        ("--allow-http", "TABGIT_PROXY_ALLOW_HTTP"),
        ("--allow-private", "TABGIT_PROXY_ALLOW_PRIVATE"),
        ("--allow-port", "TABGIT_PROXY_ALLOW_PORTS"),
        ("--trusted-proxy", "TABGIT_PROXY_TRUSTED_PROXIES"),
        ("--ca-file", "TABGIT_PROXY_CA_FILE"),
        ("--max-request-bytes", "TABGIT_PROXY_MAX_REQUEST_BYTES"),
        ("--max-response-bytes", "TABGIT_PROXY_MAX_RESPONSE_BYTES"),
        (
            "--connect-timeout-secs",
            "TABGIT_PROXY_CONNECT_TIMEOUT_SECS",
        ),
        ("--idle-timeout-secs", "TABGIT_PROXY_IDLE_TIMEOUT_SECS"),
        ("--total-timeout-secs", "TABGIT_PROXY_TOTAL_TIMEOUT_SECS"),
        ("--header-timeout-secs", "TABGIT_PROXY_HEADER_TIMEOUT_SECS"),
        (
            "--max-connections-per-ip",
            "TABGIT_PROXY_MAX_CONNECTIONS_PER_IP",
        ),
        ("--max-connections", "TABGIT_PROXY_MAX_CONNECTIONS"),
        ("--rate-per-ip", "TABGIT_PROXY_RATE_PER_IP"),
        ("--rate-per-origin", "TABGIT_PROXY_RATE_PER_ORIGIN"),
        ("--workers", "TABGIT_PROXY_WORKERS"),
        ("--shutdown-grace-secs", "TABGIT_PROXY_SHUTDOWN_GRACE_SECS"),
        ("--quiet", "TABGIT_PROXY_QUIET"),
    ] {
        assert!(help.contains(flag), "--help documents {flag}");
        assert!(help.contains(env), "--help documents {env} for {flag}");
    }
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))?;
    for line in help
        .lines()
        .map(str::trim)
        .filter(|line| line.starts_with("--"))
    {
        let flag = line.split([' ', '=', '<']).next().unwrap_or(line);
        if flag != "--help" && flag != "--version" {
            assert!(readme.contains(flag), "the README documents {flag}");
        }
    }
    Ok(())
}

#[test]
fn wildcard_origin_is_refused_at_startup() -> Result {
    let output = binary()
        .args(["--port", "0", "--allow-origin", "*"])
        .output()?;
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("name each origin"), "{stderr}");
    Ok(())
}

#[test]
fn configured_from_the_environment_and_stops_gracefully() -> Result {
    let repos = repos()?;
    let server = gitserver(&repos, |_| {})?;
    let local = server.addr().to_string();
    let process = spawn(
        binary()
            .env("TABGIT_PROXY_PORT", "0")
            .env(
                "TABGIT_PROXY_ALLOW_ORIGINS",
                format!("https://unused.test,{APP_ORIGIN}"),
            )
            .env("TABGIT_PROXY_ALLOW_HTTP", &local)
            .env("TABGIT_PROXY_ALLOW_PRIVATE", &local)
            .env("TABGIT_PROXY_WORKERS", "1"),
    )?;
    let discovery = format!("/{local}/demo.git/{UPLOAD_DISCOVERY}");
    let response = get_from_app(process.addr, &discovery)?;
    assert_eq!(response.status, 200, "{}", response.text());

    // A slow request is in flight when SIGTERM arrives: it still completes.
    let slow = format!("/{local}/_fault/delay=800/demo.git/{UPLOAD_DISCOVERY}");
    let addr = process.addr;
    let in_flight = std::thread::spawn(move || get_from_app(addr, &slow).map(|r| r.status));
    std::thread::sleep(Duration::from_millis(300));
    let (exit, stderr) = process.stop("TERM")?;
    let status = in_flight
        .join()
        .map_err(|_| "the client thread panicked")??;
    assert_eq!(
        status, 200,
        "the request in flight finished during the graceful shutdown"
    );
    assert!(exit.success(), "exit status {exit}: {stderr}");
    assert!(stderr.contains("SIGTERM: stopping"), "{stderr}");
    assert!(
        stderr.contains(&format!("GET {local} /demo.git/info/refs 200")),
        "the request log goes to stderr: {stderr}"
    );
    assert!(
        std::net::TcpStream::connect(addr).is_err(),
        "no longer listening after the shutdown"
    );

    let process = spawn(binary().args(["--port", "0", "--quiet"]))?;
    let (exit, stderr) = process.stop("INT")?;
    assert!(
        exit.success() && stderr.contains("SIGINT"),
        "{exit}: {stderr}"
    );
    Ok(())
}
