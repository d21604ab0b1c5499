//! Diffs, checked against native git on the fixture repositories and on repositories generated
//! here: tree diffs against `git diff-tree -r --raw`, renames against `-M`/`-C`, statistics
//! against `--numstat`/`--stat`/`--shortstat`, patches against `git diff-tree -p` and by applying
//! them with `git apply`.
#![cfg(not(target_arch = "wasm32"))]
mod lines;
mod malformed;
mod patch;
mod rename;
mod stat;
mod tree;
mod tree_index;
mod words;

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use tabgit_diff::{rename as renames, tree as trees, Change};
use tabgit_hash::ObjectId;
use tabgit_store::files::FsFiles;
use tabgit_store::odb::Odb;
use tabgit_testtools::{git, tempdir, Result, TempDir};

/// A temporary worktree with a `.git` directory.
pub struct Repo {
    _tmp: TempDir,
    /// The worktree.
    pub dir: PathBuf,
}

impl Repo {
    /// `git init` in a new temporary directory.
    pub fn init() -> Result<Self> {
        let tmp = tempdir()?;
        let dir = tmp.path().to_path_buf();
        git(&dir, &["init", "-q", "-b", "main"])?;
        git(&dir, &["config", "core.autocrlf", "false"])?;
        Ok(Repo { _tmp: tmp, dir })
    }

    /// Run git in the worktree.
    pub fn git(&self, args: &[&str]) -> Result<Vec<u8>> {
        git(&self.dir, args)
    }

    /// Run git in the worktree and return its trimmed output as text.
    pub fn git_text(&self, args: &[&str]) -> Result<String> {
        tabgit_testtools::git_text(&self.dir, args)
    }

    /// The absolute path of a worktree path given as bytes.
    pub fn path(&self, path: &[u8]) -> PathBuf {
        self.dir.join(OsStr::from_bytes(path))
    }

    /// Write a worktree file, creating its directories and replacing whatever was there.
    pub fn write(&self, path: &[u8], content: &[u8]) -> Result {
        let path = self.path(path);
        remove_any(&path)?;
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, content)?;
        Ok(())
    }

    /// Make a symlink at `path` pointing to `target`, replacing whatever was there.
    pub fn symlink(&self, path: &[u8], target: &[u8]) -> Result {
        let path = self.path(path);
        remove_any(&path)?;
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::os::unix::fs::symlink(OsStr::from_bytes(target), path)?;
        Ok(())
    }

    /// Set or clear the executable bits of a file.
    pub fn set_executable(&self, path: &[u8], executable: bool) -> Result {
        use std::os::unix::fs::PermissionsExt;
        let path = self.path(path);
        let mut permissions = std::fs::metadata(&path)?.permissions();
        permissions.set_mode(if executable { 0o755 } else { 0o644 });
        std::fs::set_permissions(path, permissions)?;
        Ok(())
    }

    /// Remove a file or directory.
    pub fn remove(&self, path: &[u8]) -> Result {
        remove_any(&self.path(path))
    }

    /// Stage everything and commit; returns the commit id.
    pub fn commit(&self, message: &str) -> Result<String> {
        self.git(&["add", "-A"])?;
        self.git(&[
            "commit",
            "-q",
            "--allow-empty",
            "--no-verify",
            "-m",
            message,
        ])?;
        self.git_text(&["rev-parse", "HEAD"])
    }

    /// The git directory.
    pub fn git_dir(&self) -> PathBuf {
        self.dir.join(".git")
    }

    /// The object database.
    pub fn odb(&self) -> Result<Odb<FsFiles>> {
        Ok(Odb::open(FsFiles::new(self.git_dir()))?)
    }
}

fn remove_any(path: &Path) -> Result {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.is_dir() => std::fs::remove_dir_all(path)?,
        Ok(_) => std::fs::remove_file(path)?,
        Err(_) => {}
    }
    Ok(())
}

/// The tree of `rev` in the repository at `dir` (a worktree or a bare repository).
pub fn tree_id(dir: &Path, rev: &str) -> Result<ObjectId> {
    Ok(tabgit_testtools::git_text(dir, &["rev-parse", &format!("{rev}^{{tree}}")])?.parse()?)
}

/// The first parent of `rev`, or `None` for a root commit.
pub fn parent_tree_id(dir: &Path, rev: &str) -> Result<Option<ObjectId>> {
    let parents = tabgit_testtools::git_text(dir, &["rev-list", "--parents", "-n1", rev])?;
    match parents.split(' ').nth(1) {
        Some(parent) => Ok(Some(tree_id(dir, parent)?)),
        None => Ok(None),
    }
}

/// Our tree diff between two commits' trees, with optional rename detection.
pub fn our_changes(
    odb: &dyn tabgit_object::Find,
    old_tree: Option<&ObjectId>,
    new_tree: Option<&ObjectId>,
    renames: Option<&renames::Options>,
) -> Result<Vec<Change>> {
    let changes = trees::diff(odb, old_tree, new_tree, &trees::Options::default())?;
    Ok(match renames {
        Some(options) => renames::detect(odb, changes, options)?.changes,
        None => changes,
    })
}

/// A small deterministic PRNG (splitmix64), so that failures reproduce from the seed.
pub struct Rng(u64);

impl Rng {
    /// A generator for `seed`.
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }

    /// True with `percent` percent probability.
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    /// One element of `items`.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Lines that repeat a lot in code, so that diffs have ambiguous alignments to get right.
const COMMON_LINES: &[&str] = &[
    "}",
    "",
    "    }",
    "fn main() {",
    "    let x = 1;",
    "    return;",
    "{",
    "\t// comment",
    "#include <stdio.h>",
    "        break;",
];

/// A random line, often a common one.
pub fn random_line(rng: &mut Rng) -> Vec<u8> {
    if rng.chance(45) {
        rng.pick(COMMON_LINES).as_bytes().to_vec()
    } else {
        let indent = "    ".repeat(rng.below(3));
        format!("{indent}line {} of {}", rng.below(1000), rng.below(50)).into_bytes()
    }
}

/// Random text of up to `max_lines` lines; sometimes with CRLF lines or no final newline.
pub fn random_text(rng: &mut Rng, max_lines: usize) -> Vec<u8> {
    let n = rng.below(max_lines + 1);
    let crlf = rng.chance(10);
    let mut text = Vec::new();
    for _ in 0..n {
        text.extend_from_slice(&random_line(rng));
        if crlf && rng.chance(70) {
            text.push(b'\r');
        }
        text.push(b'\n');
    }
    if !text.is_empty() && rng.chance(15) {
        text.pop();
    }
    text
}

/// Apply random line edits to `text`: insertions, deletions and replacements of small blocks,
/// and sometimes a toggled final newline.
pub fn edit_text(rng: &mut Rng, text: &[u8]) -> Vec<u8> {
    let mut lines: Vec<Vec<u8>> = text
        .split_inclusive(|&b| b == b'\n')
        .map(<[u8]>::to_vec)
        .collect();
    let n_edits = 1 + rng.below(4);
    for _ in 0..n_edits {
        let at = rng.below(lines.len() + 1);
        match rng.below(3) {
            0 => {
                for _ in 0..=rng.below(4) {
                    let mut line = random_line(rng);
                    line.push(b'\n');
                    lines.insert(at.min(lines.len()), line);
                }
            }
            1 => {
                let n = 1 + rng.below(4);
                let end = (at + n).min(lines.len());
                lines.drain(at.min(end)..end);
            }
            _ => {
                if at < lines.len() {
                    let mut line = random_line(rng);
                    line.push(b'\n');
                    lines[at] = line;
                }
            }
        }
    }
    // A line without newline in the middle would join two lines; keep newlines except last.
    let last = lines.len().saturating_sub(1);
    for (idx, line) in lines.iter_mut().enumerate() {
        if idx != last && line.last() != Some(&b'\n') {
            line.push(b'\n');
        }
    }
    let mut out = lines.concat();
    if rng.chance(10) {
        if out.last() == Some(&b'\n') {
            out.pop();
        } else {
            out.push(b'\n');
        }
    }
    out
}

/// What a random history may contain besides text edits.
#[derive(Clone, Copy)]
pub struct HistoryOptions {
    /// Binary files.
    pub binary: bool,
    /// Symlinks and file ↔ symlink type changes.
    pub symlinks: bool,
    /// Executable-bit changes.
    pub modes: bool,
    /// File ↔ directory replacements.
    pub file_dir_swaps: bool,
}

impl Default for HistoryOptions {
    fn default() -> Self {
        HistoryOptions {
            binary: true,
            symlinks: true,
            modes: true,
            file_dir_swaps: true,
        }
    }
}

/// A repository with `n_commits` random commits on top of a random first one; returns the
/// repository and its commit ids, oldest first.
pub fn random_history(
    seed: u64,
    n_commits: usize,
    options: HistoryOptions,
) -> Result<(Repo, Vec<String>)> {
    let repo = Repo::init()?;
    let mut rng = Rng::new(seed);
    let dirs: &[&str] = &["", "src/", "src/deep/er/", "docs/", "a b/", "x/y/z/w/v/"];
    let mut files: Vec<Vec<u8>> = Vec::new();
    let new_name = |rng: &mut Rng| -> Vec<u8> {
        let dir = rng.pick(dirs);
        let ext = rng.pick(&[".rs", ".txt", ".md", ""]);
        format!("{dir}f{}{ext}", rng.below(40)).into_bytes()
    };
    // Whether `path` can be written: no file is a prefix directory of it and it is no directory.
    let can_create = |files: &[Vec<u8>], path: &[u8]| {
        !files.iter().any(|f| {
            f == path
                || (path.starts_with(f) && path.get(f.len()) == Some(&b'/'))
                || (f.starts_with(path) && f.get(path.len()) == Some(&b'/'))
        })
    };
    for _ in 0..8 {
        let path = new_name(&mut rng);
        if can_create(&files, &path) {
            repo.write(&path, &random_text(&mut rng, 40))?;
            files.push(path);
        }
    }
    let mut commits = vec![repo.commit("initial")?];
    for commit_idx in 0..n_commits {
        let n_ops = 1 + rng.below(3);
        for _ in 0..n_ops {
            let op = rng.below(100);
            let existing = if files.is_empty() {
                None
            } else {
                Some(rng.below(files.len()))
            };
            let is_link = |path: &[u8]| {
                std::fs::symlink_metadata(repo.path(path)).is_ok_and(|m| m.file_type().is_symlink())
            };
            match (op, existing) {
                (0..=49, Some(idx)) if !is_link(&files[idx]) => {
                    let path = files[idx].clone();
                    let old = std::fs::read(repo.path(&path))?;
                    let new = if crate::blob_is_binary(&old) {
                        random_binary(&mut rng)
                    } else {
                        edit_text(&mut rng, &old)
                    };
                    std::fs::write(repo.path(&path), new)?;
                }
                (50..=59, _) => {
                    let path = new_name(&mut rng);
                    if can_create(&files, &path) {
                        let content = if options.binary && rng.chance(15) {
                            random_binary(&mut rng)
                        } else {
                            random_text(&mut rng, 30)
                        };
                        repo.write(&path, &content)?;
                        files.push(path);
                    }
                }
                (60..=67, Some(idx)) => {
                    let path = files.remove(idx);
                    repo.remove(&path)?;
                }
                (68..=79, Some(idx)) => {
                    // Rename, sometimes with an edit.
                    let path = new_name(&mut rng);
                    let old_path = files[idx].clone();
                    let others: Vec<Vec<u8>> =
                        files.iter().filter(|f| **f != old_path).cloned().collect();
                    if can_create(&others, &path) && !is_link(&old_path) {
                        let mut content = std::fs::read(repo.path(&old_path))?;
                        if rng.chance(50) && !crate::blob_is_binary(&content) {
                            content = edit_text(&mut rng, &content);
                        }
                        repo.remove(&old_path)?;
                        repo.write(&path, &content)?;
                        files.retain(|f| *f != old_path);
                        files.push(path);
                    }
                }
                (80..=85, Some(idx)) if options.modes && !is_link(&files[idx]) => {
                    let executable = rng.chance(50);
                    repo.set_executable(&files[idx], executable)?;
                }
                (86..=91, Some(idx)) if options.symlinks => {
                    let path = files[idx].clone();
                    if is_link(&path) {
                        repo.write(&path, &random_text(&mut rng, 5))?;
                    } else {
                        let target = format!("target-{}", rng.below(10));
                        repo.symlink(&path, target.as_bytes())?;
                    }
                }
                (92..=99, Some(idx)) if options.file_dir_swaps => {
                    // Replace a file by a directory of the same name, or a directory's files
                    // by a file.
                    let path = files[idx].clone();
                    let inside: Vec<Vec<u8>> = files
                        .iter()
                        .filter(|f| f.starts_with(&path) && f.get(path.len()) == Some(&b'/'))
                        .cloned()
                        .collect();
                    if inside.is_empty() {
                        let child = [path.as_slice(), b"/child.txt"].concat();
                        repo.remove(&path)?;
                        repo.write(&child, &random_text(&mut rng, 10))?;
                        files.retain(|f| *f != path);
                        files.push(child);
                    }
                }
                _ => {}
            }
        }
        // Sometimes turn a directory of files into a single file.
        if options.file_dir_swaps && rng.chance(5) {
            if let Some(file) = files.iter().find(|f| f.ends_with(b"/child.txt")).cloned() {
                let dir = file[..file.len() - b"/child.txt".len()].to_vec();
                let inside: Vec<Vec<u8>> = files
                    .iter()
                    .filter(|f| f.starts_with(&dir) && f.get(dir.len()) == Some(&b'/'))
                    .cloned()
                    .collect();
                repo.remove(&dir)?;
                files.retain(|f| !inside.contains(f));
                repo.write(&dir, &random_text(&mut rng, 10))?;
                files.push(dir);
            }
        }
        commits.push(repo.commit(&format!("commit {commit_idx}"))?);
    }
    Ok((repo, commits))
}

/// Random binary content (with NUL bytes).
pub fn random_binary(rng: &mut Rng) -> Vec<u8> {
    let n = 1 + rng.below(300);
    (0..n).map(|_| (rng.next_u64() % 7) as u8).collect()
}

/// git's binary check, for the generators.
pub fn blob_is_binary(data: &[u8]) -> bool {
    tabgit_diff::blob::is_binary(data)
}

/// A repository whose commits exercise every kind of change once (see the commit messages).
pub fn scenario_repo() -> Result<(Repo, Vec<String>)> {
    let repo = Repo::init()?;
    let mut commits = Vec::new();
    let lines = |n: usize, tag: &str| -> Vec<u8> {
        (0..n)
            .map(|i| format!("{tag} line {i}\n"))
            .collect::<String>()
            .into_bytes()
    };
    repo.write(b"README.md", b"# Demo\n\nSome text.\n")?;
    repo.write(b"src/util.rs", &lines(20, "util"))?;
    repo.write(b"src/main.rs", b"fn main() {\n    println!(\"hi\");\n}\n")?;
    repo.write(b"exec.sh", b"#!/bin/sh\necho hi\n")?;
    repo.set_executable(b"exec.sh", true)?;
    repo.symlink(b"link", b"README.md")?;
    repo.write(b"empty", b"")?;
    repo.write(b"image.bin", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR")?;
    repo.write(b"crlf.txt", b"one\r\ntwo\r\nthree\r\n")?;
    repo.write(b"no-newline.txt", b"first\nlast")?;
    repo.write(b"a/b/c/d/e/f/g/deep.txt", b"deep\n")?;
    repo.write(b"file-then-dir", b"I am a file\n")?;
    repo.write(b"dir-then-file/x", b"x\n")?;
    repo.write(b"dir-then-file/y", b"y\n")?;
    repo.write(b"foo.txt", b"foo\n")?;
    repo.write(b"foo/bar", b"bar\n")?;
    repo.write(b"with space.txt", b"spaces\n")?;
    repo.write(b"caf\xc3\xa9.txt", b"utf-8 name\n")?;
    repo.write(b"tab\there", b"tab in name\n")?;
    commits.push(repo.commit("every kind of entry")?);

    // Renames: exact, with an edit, and a modification next to them.
    let util = std::fs::read(repo.path(b"src/util.rs"))?;
    repo.remove(b"src/util.rs")?;
    let mut helpers = util.clone();
    helpers.extend_from_slice(b"one more line\nand another\n");
    repo.write(b"src/helpers.rs", &helpers)?;
    repo.remove(b"README.md")?;
    repo.write(b"docs/README.md", b"# Demo\n\nSome text.\n")?;
    repo.symlink(b"link", b"docs/README.md")?;
    repo.write(
        b"src/main.rs",
        b"fn main() {\n    println!(\"hello\");\n}\n",
    )?;
    commits.push(repo.commit("renames")?);

    // Modes and type changes.
    repo.set_executable(b"exec.sh", false)?;
    repo.write(b"no-newline.txt", b"first\nlast\n")?;
    repo.symlink(b"crlf.txt", b"somewhere")?;
    repo.write(b"link", b"now a file\n")?;
    repo.remove(b"file-then-dir")?;
    repo.write(b"file-then-dir/inside.txt", b"inside\n")?;
    repo.remove(b"dir-then-file")?;
    repo.write(b"dir-then-file", b"now a file\n")?;
    repo.write(b"image.bin", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\x01")?;
    repo.write(b"empty", b"no longer empty\n")?;
    commits.push(repo.commit("modes and type changes")?);

    // Gitlinks: add one, change it, and delete a deep file.
    repo.git(&[
        "update-index",
        "--add",
        "--cacheinfo",
        "160000,5555555555555555555555555555555555555555,sub",
    ])?;
    repo.remove(b"a/b/c/d/e/f/g/deep.txt")?;
    repo.git(&["rm", "-q", "--cached", "a/b/c/d/e/f/g/deep.txt"])?;
    repo.git(&["commit", "-q", "-m", "gitlink"])?;
    commits.push(repo.git_text(&["rev-parse", "HEAD"])?);
    repo.git(&[
        "update-index",
        "--cacheinfo",
        "160000,6666666666666666666666666666666666666666,sub",
    ])?;
    repo.git(&["rm", "-q", "--cached", "foo/bar"])?;
    repo.remove(b"foo/bar")?;
    repo.git(&["commit", "-q", "-m", "gitlink moves"])?;
    commits.push(repo.git_text(&["rev-parse", "HEAD"])?);

    // Copies: a modified file and a copy of it.
    let mut main_rs = std::fs::read(repo.path(b"src/main.rs"))?;
    repo.write(b"src/main-copy.rs", &main_rs)?;
    main_rs.extend_from_slice(b"// trailing comment\n");
    repo.write(b"src/main.rs", &main_rs)?;
    repo.git(&["add", "src"])?;
    repo.git(&["commit", "-q", "-m", "copy"])?;
    commits.push(repo.git_text(&["rev-parse", "HEAD"])?);
    Ok((repo, commits))
}

/// Every commit of `rev`'s history with its first parent, oldest first, as `(parent, commit)`.
pub fn first_parent_pairs(dir: &Path, rev: &str) -> Result<Vec<(Option<String>, String)>> {
    let out = tabgit_testtools::git_text(dir, &["rev-list", "--reverse", "--parents", rev])?;
    Ok(out
        .lines()
        .map(|line| {
            let mut parts = line.split(' ');
            let commit = parts.next().unwrap_or_default().to_owned();
            (parts.next().map(str::to_owned), commit)
        })
        .collect())
}

/// `git diff-tree` between `old` (or the empty tree) and `new`.
pub fn git_diff_tree(dir: &Path, old: Option<&str>, new: &str, args: &[&str]) -> Result<Vec<u8>> {
    let empty_tree = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";
    let split = args
        .iter()
        .position(|&arg| arg == "--")
        .unwrap_or(args.len());
    let mut all = vec!["diff-tree", "-r", "--no-commit-id"];
    all.extend_from_slice(&args[..split]);
    all.push(old.unwrap_or(empty_tree));
    all.push(new);
    all.extend_from_slice(&args[split..]);
    git(dir, &all)
}

/// Show bytes as text for assertion messages.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
