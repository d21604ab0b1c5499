//! What the working-tree commands share: where in the working tree the command runs, the index
//! file's time (for git's racily-clean rule), path arguments, and paths as git prints them.

use std::path::Path;

use anyhow::Context as _;
use tabgit_attributes::Pathspec;
use tabgit_index::stat::Time;

use crate::repo::Repo;

/// The directory the command runs in, relative to the top of the working tree (`b""` at the
/// top; git's "prefix").
pub fn prefix(repo: &Repo) -> anyhow::Result<Vec<u8>> {
    use std::os::unix::ffi::OsStrExt as _;
    let Some(work_dir) = &repo.work_dir else {
        return Ok(Vec::new());
    };
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let top = std::fs::canonicalize(work_dir).unwrap_or_else(|_| work_dir.clone());
    let here = std::fs::canonicalize(&cwd).unwrap_or(cwd);
    Ok(here
        .strip_prefix(&top)
        .map(|rel| rel.as_os_str().as_bytes().to_vec())
        .unwrap_or_default())
}

/// The modification time of the index file, for the racily-clean rule.
pub fn index_mtime(repo: &Repo) -> Option<Time> {
    let meta = std::fs::metadata(repo.git_dir.join("index")).ok()?;
    let mtime = meta.modified().ok()?;
    let since = mtime.duration_since(std::time::UNIX_EPOCH).ok()?;
    Some(Time {
        secs: since.as_secs() as u32,
        nsecs: since.subsec_nanos(),
    })
}

/// The working tree, or an error for a bare repository.
pub fn require_worktree(repo: &Repo) -> anyhow::Result<&Path> {
    repo.work_dir
        .as_deref()
        .context("this operation must be run in a work tree")
}

/// Path arguments as a pathspec relative to the command's directory.
pub fn pathspec(repo: &Repo, args: &[String]) -> anyhow::Result<Pathspec> {
    let prefix = prefix(repo)?;
    let args: Vec<&[u8]> = args.iter().map(String::as_bytes).collect();
    Ok(Pathspec::parse(&args, &prefix)?)
}

/// `path` (from the top) relative to `prefix`, as git's `relative_path` gives it
/// (`../x` when it is outside).
pub fn relative(path: &[u8], prefix: &[u8]) -> Vec<u8> {
    if prefix.is_empty() {
        return path.to_vec();
    }
    let prefix_parts: Vec<&[u8]> = prefix
        .split(|&b| b == b'/')
        .filter(|p| !p.is_empty())
        .collect();
    let path_parts: Vec<&[u8]> = path.split(|&b| b == b'/').collect();
    let common = prefix_parts
        .iter()
        .zip(&path_parts)
        .take_while(|(a, b)| a == b)
        .count();
    let mut out = Vec::new();
    for _ in common..prefix_parts.len() {
        out.extend_from_slice(b"../");
    }
    out.extend_from_slice(&path_parts[common.min(path_parts.len())..].join(&b'/'));
    if out.is_empty() {
        out.extend_from_slice(b"./");
    }
    out
}

/// A path as git prints it in human and short output: relative to `prefix`, C-quoted if needed
/// (`quote_path`).
pub fn quote(path: &[u8], prefix: &[u8]) -> String {
    let relative = relative(path, prefix);
    let mut out = Vec::new();
    tabgit_diff::path::write_quoted(&mut out, &relative);
    String::from_utf8_lossy(&out).into_owned()
}

/// Print bytes to standard output as they are.
pub fn print_bytes(bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    out.write_all(bytes)?;
    out.flush()?;
    Ok(())
}

/// The short name of a branch or remote-tracking ref (`main`, `origin/main`).
pub fn short_ref(name: &[u8]) -> String {
    let short = name
        .strip_prefix(b"refs/heads/")
        .or_else(|| name.strip_prefix(b"refs/remotes/"))
        .or_else(|| name.strip_prefix(b"refs/tags/"))
        .unwrap_or(name);
    String::from_utf8_lossy(short).into_owned()
}
