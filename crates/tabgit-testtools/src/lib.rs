//! Test support shared by tabgit's crates: run native git (the reference implementation),
//! build the generated fixture repositories, and make temporary directories.
//!
//! This crate is only ever a `[dev-dependencies]` entry.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Mutex;

pub use tempfile::TempDir;

/// The result type tests return, so they can use `?`.
pub type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// The workspace root (where `Cargo.lock` is).
pub fn workspace_root() -> PathBuf {
    let mut dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    while !dir.join("Cargo.lock").exists() {
        assert!(dir.pop(), "tabgit-testtools lives inside the workspace");
    }
    dir
}

/// A new empty temporary directory, removed when dropped.
pub fn tempdir() -> Result<TempDir> {
    Ok(tempfile::Builder::new().prefix("tabgit-test-").tempdir()?)
}

/// A `git` command isolated from the user's and system's configuration, with a fixed identity
/// and dates so that the commits it makes have predictable ids.
pub fn git_command(dir: &Path) -> Command {
    let mut cmd = Command::new("git");
    cmd.current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "A U Thor")
        .env("GIT_AUTHOR_EMAIL", "author@example.com")
        .env("GIT_AUTHOR_DATE", "1700000000 +0100")
        .env("GIT_COMMITTER_NAME", "C O Mitter")
        .env("GIT_COMMITTER_EMAIL", "committer@example.com")
        .env("GIT_COMMITTER_DATE", "1700000000 +0100")
        .env("GIT_TERMINAL_PROMPT", "0")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE");
    cmd
}

/// Run native git in `dir` and return its standard output; fails with git's stderr if git fails.
pub fn git(dir: &Path, args: &[&str]) -> Result<Vec<u8>> {
    let out = git_command(dir).args(args).stdin(Stdio::null()).output()?;
    check(&out, args)?;
    Ok(out.stdout)
}

/// Run native git in `dir` with `input` on standard input.
pub fn git_with_input(dir: &Path, args: &[&str], input: &[u8]) -> Result<Vec<u8>> {
    use std::io::Write as _;
    let mut child = git_command(dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let mut stdin = child.stdin.take().expect("stdin was piped");
    let input = input.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let out = child.wait_with_output()?;
    writer.join().map_err(|_| "stdin writer panicked")??;
    check(&out, args)?;
    Ok(out.stdout)
}

/// Run native git and return its trimmed standard output as text.
pub fn git_text(dir: &Path, args: &[&str]) -> Result<String> {
    Ok(String::from_utf8(git(dir, args)?)?.trim_end().to_owned())
}

fn check(out: &Output, args: &[&str]) -> Result {
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "git {} failed ({}): {}",
            args.join(" "),
            out.status,
            String::from_utf8_lossy(&out.stderr)
        )
        .into())
    }
}

/// Every object in the repository at `git_dir` as `(hex id, type, content)`, read with one
/// `git cat-file --batch-all-objects --batch` process.
pub fn all_objects(git_dir: &Path) -> Result<Vec<(String, String, Vec<u8>)>> {
    let out = git(
        git_dir,
        &["cat-file", "--batch-all-objects", "--batch", "--unordered"],
    )?;
    let mut objects = Vec::new();
    let mut rest = &out[..];
    while !rest.is_empty() {
        let nl = rest
            .iter()
            .position(|&b| b == b'\n')
            .ok_or("batch header without newline")?;
        let header = std::str::from_utf8(&rest[..nl])?;
        let mut parts = header.split(' ');
        let (id, kind, size) = (
            parts.next().ok_or("id")?,
            parts.next().ok_or("type")?,
            parts.next().ok_or("size")?,
        );
        let size: usize = size.parse()?;
        let content = rest
            .get(nl + 1..nl + 1 + size)
            .ok_or("batch content truncated")?
            .to_vec();
        objects.push((id.to_owned(), kind.to_owned(), content));
        rest = &rest[nl + 1 + size + 1..];
    }
    Ok(objects)
}

static FIXTURE_LOCK: Mutex<()> = Mutex::new(());

/// The directory generated fixture repositories are written to (`target/fixtures`).
pub fn fixtures_dir() -> PathBuf {
    std::env::var_os("TABGIT_FIXTURES").map_or_else(
        || workspace_root().join("target").join("fixtures"),
        PathBuf::from,
    )
}

/// The bare fixture repository `name` (`demo`, `odd`, `tiny`, `medium`, `large`), generated
/// by `tests/fixtures/make-repos.sh` on first use and cached under [`fixtures_dir`].
pub fn fixture(name: &str) -> Result<PathBuf> {
    let _guard = FIXTURE_LOCK
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let dir = fixtures_dir();
    std::fs::create_dir_all(&dir)?;
    // Serialize concurrent test binaries too: `mkdir` is atomic.
    let lock = dir.join(format!(".{name}.lock"));
    let mut waited = 0;
    while std::fs::create_dir(&lock).is_err() {
        std::thread::sleep(std::time::Duration::from_millis(200));
        waited += 1;
        if waited > 3000 {
            return Err(format!("timed out waiting for {}", lock.display()).into());
        }
    }
    let script = workspace_root().join("tests/fixtures/make-repos.sh");
    let res = Command::new("bash")
        .arg(&script)
        .arg(&dir)
        .arg(name)
        .stdin(Stdio::null())
        .output();
    std::fs::remove_dir(&lock)?;
    let out = res?;
    if !out.status.success() {
        return Err(format!(
            "fixture generator failed for {name}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
        .into());
    }
    Ok(dir.join(format!("{name}.git")))
}

/// The project's own `.git` directory, a real repository to test against, if this checkout has one.
pub fn own_git_dir() -> Option<PathBuf> {
    let dir = workspace_root().join(".git");
    dir.is_dir().then_some(dir)
}
