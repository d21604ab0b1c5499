//! Repositories made with native git, servers over them, and a hermetic way to run git.

use std::{
    path::{Path, PathBuf},
    process::{Command, Output},
};

use tabgit_gitserver::{Config, Running};
use tempfile::TempDir;

use crate::Result;

/// A temporary directory with `root/demo.git` (bare, served) and `work` (where it came from).
pub struct Fixture {
    /// Keeps the directory alive.
    pub dir: TempDir,
    /// The server root holding `demo.git`.
    pub root: PathBuf,
}

/// The size of `big.bin`, chosen so that a clone's pack is tens of kilobytes and a `cut` of
/// 2000 bytes lands inside it.
const BIG_FILE_LEN: usize = 48 * 1024;

/// Make a fixture: two commits on `main` touching `README.md`, `src/lib.rs` and an
/// incompressible `big.bin`, cloned bare into `root/demo.git`.
pub fn demo() -> Result<Fixture> {
    let dir = tempfile::tempdir()?;
    let root = dir.path().join("root");
    let work = dir.path().join("work");
    std::fs::create_dir_all(&root)?;
    std::fs::create_dir_all(work.join("src"))?;
    run_git(dir.path(), &["init", "-q", "-b", "main", "work"])?;

    std::fs::write(work.join("README.md"), "# demo\n")?;
    std::fs::write(work.join("src/lib.rs"), "pub fn one() -> u32 { 1 }\n")?;
    std::fs::write(work.join("big.bin"), pseudo_random_bytes(1, BIG_FILE_LEN))?;
    run_git(&work, &["add", "."])?;
    run_git(&work, &["commit", "-q", "-m", "first"])?;

    std::fs::write(work.join("README.md"), "# demo\n\nSecond version.\n")?;
    std::fs::write(work.join("big.bin"), pseudo_random_bytes(2, BIG_FILE_LEN))?;
    run_git(&work, &["commit", "-q", "-a", "-m", "second"])?;

    run_git(
        dir.path(),
        &["clone", "-q", "--bare", "work", "root/demo.git"],
    )?;
    Ok(Fixture { dir, root })
}

/// Start a server over `fixture` with `configure` applied to the default configuration.
pub fn serve(fixture: &Fixture, configure: impl FnOnce(&mut Config)) -> Result<Running> {
    let mut config = Config::new(&fixture.root);
    configure(&mut config);
    Ok(tabgit_gitserver::start(config)?)
}

/// A git command in `dir` that reads no user or system configuration, never prompts, and
/// makes reproducible commits.
pub fn git(dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new("git");
    command.current_dir(dir).args(args);
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("GIT_") {
            command.env_remove(key);
        }
    }
    command
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_AUTHOR_NAME", "Tab Git")
        .env("GIT_AUTHOR_EMAIL", "tab@example.com")
        .env("GIT_AUTHOR_DATE", "1700000000 +0000")
        .env("GIT_COMMITTER_NAME", "Tab Git")
        .env("GIT_COMMITTER_EMAIL", "tab@example.com")
        .env("GIT_COMMITTER_DATE", "1700000000 +0000")
        .env_remove("GIT_ASKPASS")
        .env_remove("SSH_ASKPASS");
    command
}

/// Run git and fail with its stderr unless it succeeds.
pub fn run_git(dir: &Path, args: &[&str]) -> Result<Output> {
    let output = git(dir, args).output()?;
    if !output.status.success() {
        return Err(format!(
            "git {args:?} failed with {}: {}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        )
        .into());
    }
    Ok(output)
}

/// Run git and return its output whatever its exit status.
pub fn try_git(dir: &Path, args: &[&str]) -> Result<Output> {
    Ok(git(dir, args).output()?)
}

/// Return git's stdout, trimmed.
pub fn stdout_of(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

/// Return git's stderr.
pub fn stderr_of(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// `len` bytes from a linear congruential generator seeded with `seed`: incompressible and
/// reproducible.
pub fn pseudo_random_bytes(seed: u64, len: usize) -> Vec<u8> {
    let mut state = seed;
    (0..len)
        .map(|_| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 56) as u8
        })
        .collect()
}
