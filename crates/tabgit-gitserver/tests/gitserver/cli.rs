//! The binary: its first stdout line, `--port-file`, flags as knobs, and flag errors.

use std::{
    io::{BufRead, BufReader},
    net::SocketAddr,
    process::{Child, Command, Stdio},
};

use crate::{fixture, http, Result};

/// Kills the server process it holds when dropped, so no test leaves one running.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn server_command() -> Command {
    Command::new(env!("CARGO_BIN_EXE_tabgit-gitserver"))
}

#[test]
fn binary_prints_its_url_writes_the_port_file_and_serves() -> Result {
    let fixture = fixture::demo()?;
    let port_file = fixture.dir.path().join("port");
    let child = server_command()
        .arg("--root")
        .arg(&fixture.root)
        .args([
            "--port",
            "0",
            "--cors",
            "--delay-ms",
            "1",
            "--fault",
            "on=post",
        ])
        .arg("--port-file")
        .arg(&port_file)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    let mut server = KillOnDrop(child);
    let stdout = server.0.stdout.take().ok_or("stdout is piped")?;
    let mut first_line = String::new();
    BufReader::new(stdout).read_line(&mut first_line)?;

    let port = first_line
        .strip_prefix("listening on http://127.0.0.1:")
        .and_then(|rest| rest.strip_suffix("/\n"))
        .ok_or_else(|| format!("unexpected first line {first_line:?}"))?;
    let port_file_text = std::fs::read_to_string(&port_file)?;
    assert_eq!(
        port_file_text,
        format!("{port}\n"),
        "the port file holds the port"
    );

    let addr: SocketAddr = format!("127.0.0.1:{port}").parse()?;
    let response = http::get(addr, "/demo.git/info/refs?service=git-upload-pack", &[])?;
    assert_eq!(response.status, 200);
    assert_eq!(
        response.header("access-control-allow-origin"),
        Some("*"),
        "--cors is on"
    );

    let pid = rustix::process::Pid::from_raw(i32::try_from(server.0.id())?)
        .ok_or("a child has a positive process id")?;
    rustix::process::kill_process(pid, rustix::process::Signal::TERM)?;
    let status = server.0.wait()?;
    assert!(
        status.success(),
        "SIGTERM stops the server cleanly: {status}"
    );
    Ok(())
}

#[test]
fn binary_rejects_invalid_knob_flags() -> Result {
    let fixture = fixture::demo()?;
    let output = server_command()
        .arg("--root")
        .arg(&fixture.root)
        .args(["--cut", "5", "--fault", "cut=6"])
        .output()?;
    assert!(
        !output.status.success(),
        "conflicting knobs stop the binary"
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("\"cut\" is given twice"),
        "the error names the knob: {stderr}"
    );
    assert!(output.stdout.is_empty(), "nothing is printed as listening");
    Ok(())
}
