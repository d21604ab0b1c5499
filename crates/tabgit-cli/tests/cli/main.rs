//! The `tabgit` binary against native git on the same repositories.
mod everyday;
mod history;
mod merge;
mod network;
mod pair;
mod plumbing;
mod random;
mod revisions;

use std::path::Path;
use std::process::{Command, Stdio};

use tabgit_testtools::Result;

/// Run `tabgit` in `dir` and return its standard output; fails with its stderr if it fails.
pub fn tabgit(dir: &Path, args: &[&str]) -> Result<Vec<u8>> {
    let out = command(dir).args(args).stdin(Stdio::null()).output()?;
    if !out.status.success() {
        return Err(format!(
            "tabgit {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        )
        .into());
    }
    Ok(out.stdout)
}

/// Run `tabgit` with `input` on standard input.
pub fn tabgit_with_input(dir: &Path, args: &[&str], input: &[u8]) -> Result<Vec<u8>> {
    use std::io::Write as _;
    let mut child = command(dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let mut stdin = child.stdin.take().ok_or("stdin")?;
    let input = input.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let out = child.wait_with_output()?;
    writer.join().map_err(|_| "writer panicked")??;
    if !out.status.success() {
        return Err(format!(
            "tabgit {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        )
        .into());
    }
    Ok(out.stdout)
}

/// `tabgit` with the same isolated identity and dates as `tabgit_testtools::git_command`.
pub fn command(dir: &Path) -> Command {
    let reference = tabgit_testtools::git_command(dir);
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tabgit"));
    cmd.current_dir(dir);
    for (key, value) in reference.get_envs() {
        match value {
            Some(value) => cmd.env(key, value),
            None => cmd.env_remove(key),
        };
    }
    cmd
}
