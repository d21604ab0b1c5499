//! The index, checked against indexes native git wrote and against git reading ours.
#![cfg(not(target_arch = "wasm32"))]
mod decode;
mod extension;
mod malformed;
mod read_tree;
mod stat;
mod state;
mod write;
mod write_tree;

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;

use tabgit_hash::Hasher;
use tabgit_index::State;
use tabgit_testtools::{git, git_command, tempdir, Result, TempDir};

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

    /// Run git with `GIT_INDEX_FILE` pointing at `index_file`.
    pub fn git_with_index(&self, index_file: &std::path::Path, args: &[&str]) -> Result<Vec<u8>> {
        let out = git_command(&self.dir)
            .env("GIT_INDEX_FILE", index_file)
            .args(args)
            .output()?;
        if !out.status.success() {
            return Err(format!(
                "git {args:?} failed: {}",
                String::from_utf8_lossy(&out.stderr)
            )
            .into());
        }
        Ok(out.stdout)
    }

    /// The absolute path of a worktree path given as bytes.
    pub fn path(&self, path: &[u8]) -> PathBuf {
        self.dir.join(OsStr::from_bytes(path))
    }

    /// Write a worktree file, creating its directories.
    pub fn write_file(&self, path: &[u8], content: &[u8]) -> Result {
        let path = self.path(path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, content)?;
        Ok(())
    }

    /// The bytes of `.git/index`.
    pub fn index_bytes(&self) -> Result<Vec<u8>> {
        Ok(std::fs::read(self.dir.join(".git/index"))?)
    }

    /// `.git/index`, decoded.
    pub fn state(&self) -> Result<State> {
        Ok(State::from_bytes(&self.index_bytes()?)?)
    }

    /// Replace `.git/index` with `bytes`.
    pub fn replace_index(&self, bytes: &[u8]) -> Result {
        std::fs::write(self.dir.join(".git/index"), bytes)?;
        Ok(())
    }
}

/// A repository with every kind of entry, added but not committed: regular and executable files,
/// a symlink, a gitlink, nested directories, names that sort differently in trees than in the
/// index (`foo.txt`, `foo/`, `foo-bar`, `foo0`), an empty file and a non-UTF-8 name.
pub fn populated_repo() -> Result<Repo> {
    let repo = Repo::init()?;
    repo.write_file(b"a.txt", b"hello\n")?;
    repo.write_file(b"exec.sh", b"#!/bin/sh\necho hi\n")?;
    set_executable(&repo.path(b"exec.sh"))?;
    std::os::unix::fs::symlink("a.txt", repo.path(b"link"))?;
    repo.write_file(b"dir/file", b"in dir\n")?;
    repo.write_file(b"dir/sub/deep.txt", b"deep\n")?;
    repo.write_file(b"dir/sub/other.txt", b"other\n")?;
    repo.write_file(b"foo.txt", b"foo.txt\n")?;
    repo.write_file(b"foo/bar", b"foo/bar\n")?;
    repo.write_file(b"foo-bar", b"foo-bar\n")?;
    repo.write_file(b"foo0", b"foo0\n")?;
    repo.write_file(b"empty", b"")?;
    repo.write_file(b"caf\xe9/na\xefve", b"latin-1 names\n")?;
    repo.git(&["add", "-A"])?;
    // A gitlink whose worktree is an empty directory, which git treats as unpopulated and clean.
    std::fs::create_dir(repo.path(b"sub"))?;
    repo.git(&[
        "update-index",
        "--add",
        "--cacheinfo",
        "160000,5555555555555555555555555555555555555555,sub",
    ])?;
    Ok(repo)
}

/// [`populated_repo`], committed: its index has a valid cache tree.
pub fn committed_repo() -> Result<Repo> {
    let repo = populated_repo()?;
    repo.git(&["commit", "-q", "-m", "initial"])?;
    Ok(repo)
}

/// A repository in the middle of a merge with a modify/modify conflict (`both.txt`), an add/add
/// conflict (`added.txt`), a modify/delete conflict (`gone.txt`) and a clean merged file.
pub fn conflicted_repo() -> Result<Repo> {
    let repo = Repo::init()?;
    repo.write_file(b"both.txt", b"base\n")?;
    repo.write_file(b"gone.txt", b"base\n")?;
    repo.write_file(b"clean.txt", b"base\n")?;
    repo.git(&["add", "-A"])?;
    repo.git(&["commit", "-q", "-m", "base"])?;
    repo.git(&["checkout", "-q", "-b", "theirs"])?;
    repo.write_file(b"both.txt", b"theirs\n")?;
    repo.write_file(b"added.txt", b"theirs\n")?;
    repo.write_file(b"gone.txt", b"changed by them\n")?;
    repo.write_file(b"clean.txt", b"base\ntheirs\n")?;
    repo.git(&["add", "-A"])?;
    repo.git(&["commit", "-q", "-m", "theirs"])?;
    repo.git(&["checkout", "-q", "main"])?;
    repo.write_file(b"both.txt", b"ours\n")?;
    repo.write_file(b"added.txt", b"ours\n")?;
    std::fs::remove_file(repo.path(b"gone.txt"))?;
    repo.git(&["add", "-A"])?;
    repo.git(&["commit", "-q", "-m", "ours"])?;
    let out = git_command(&repo.dir)
        .args(["merge", "-q", "theirs"])
        .output()?;
    if out.status.success() {
        return Err("the merge was expected to conflict".into());
    }
    Ok(repo)
}

/// Set the owner, group and other execute bits of a file.
pub fn set_executable(path: &std::path::Path) -> Result {
    use std::os::unix::fs::PermissionsExt;
    let mut permissions = std::fs::metadata(path)?.permissions();
    permissions.set_mode(0o755);
    std::fs::set_permissions(path, permissions)?;
    Ok(())
}

/// One line of `git ls-files --stage`.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct StageLine {
    /// Six octal digits.
    pub mode: String,
    /// Hexadecimal object id.
    pub object_id: String,
    /// 0 to 3.
    pub stage: u8,
    /// The path's bytes.
    pub path: Vec<u8>,
}

/// `git ls-files --stage -z`, parsed.
pub fn ls_files_stage(repo: &Repo) -> Result<Vec<StageLine>> {
    let out = repo.git(&["ls-files", "--stage", "-z"])?;
    let mut lines = Vec::new();
    for record in out.split(|&b| b == 0).filter(|r| !r.is_empty()) {
        let tab = record
            .iter()
            .position(|&b| b == b'\t')
            .ok_or("ls-files line without tab")?;
        let head = std::str::from_utf8(&record[..tab])?;
        let mut parts = head.split(' ');
        lines.push(StageLine {
            mode: parts.next().ok_or("mode")?.to_owned(),
            object_id: parts.next().ok_or("id")?.to_owned(),
            stage: parts.next().ok_or("stage")?.parse()?,
            path: record[tab + 1..].to_vec(),
        });
    }
    Ok(lines)
}

/// Our entries as `git ls-files --stage` lines.
pub fn our_stage_lines(state: &State) -> Vec<StageLine> {
    state
        .iter()
        .map(|entry| StageLine {
            mode: entry.mode.to_string(),
            object_id: entry.object_id.to_hex(),
            stage: entry.stage.number(),
            path: entry.path.clone(),
        })
        .collect()
}

/// One record of `git ls-files --debug`.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct DebugRecord {
    /// The path's bytes.
    pub path: Vec<u8>,
    /// `ctime: s:ns`, `mtime: s:ns`, `dev`, `ino`, `uid`, `gid`, `size`, in that order.
    pub stat: [u64; 9],
    /// git's in-memory `ce_flags`, as printed.
    pub flags: u32,
}

/// `git ls-files --debug -z`, parsed.
pub fn ls_files_debug(repo: &Repo) -> Result<Vec<DebugRecord>> {
    let out = repo.git(&["ls-files", "--debug", "-z"])?;
    let mut records = Vec::new();
    let mut rest = out.as_slice();
    while !rest.is_empty() {
        let nul = rest
            .iter()
            .position(|&b| b == 0)
            .ok_or("debug record without NUL")?;
        let path = rest[..nul].to_vec();
        rest = &rest[nul + 1..];
        let mut numbers = Vec::new();
        let mut flags = 0;
        for _ in 0..5 {
            let nl = rest.iter().position(|&b| b == b'\n').ok_or("debug line")?;
            let line = std::str::from_utf8(&rest[..nl])?;
            rest = &rest[nl + 1..];
            for field in line.split('\t') {
                let (name, value) = field.trim().split_once(": ").ok_or("field")?;
                match name {
                    "ctime" | "mtime" => {
                        let (secs, nsecs) = value.split_once(':').ok_or("time")?;
                        numbers.push(secs.parse()?);
                        numbers.push(nsecs.parse()?);
                    }
                    "flags" => flags = u32::from_str_radix(value, 16)?,
                    _ => numbers.push(value.parse()?),
                }
            }
        }
        records.push(DebugRecord {
            path,
            stat: numbers.try_into().map_err(|_| "nine stat numbers")?,
            flags,
        });
    }
    Ok(records)
}

/// Our entries as `git ls-files --debug` records.
pub fn our_debug_records(state: &State) -> Vec<DebugRecord> {
    state
        .iter()
        .map(|entry| {
            let stat = entry.stat;
            let mut flags = u32::from(entry.stage.number()) << 12;
            if entry.flags.assume_valid {
                flags |= 0x8000;
            }
            if entry.needs_extended_flags() {
                flags |= 0x4000;
            }
            if entry.flags.skip_worktree {
                flags |= 1 << 30;
            }
            if entry.flags.intent_to_add {
                flags |= 1 << 29;
            }
            DebugRecord {
                path: entry.path.clone(),
                stat: [
                    stat.ctime.secs,
                    stat.ctime.nsecs,
                    stat.mtime.secs,
                    stat.mtime.nsecs,
                    stat.dev,
                    stat.ino,
                    stat.uid,
                    stat.gid,
                    stat.size,
                ]
                .map(u64::from),
                flags,
            }
        })
        .collect()
}

/// Assert that our decoding of the repository's index agrees with `git ls-files --stage` and
/// `--debug`, and return it.
pub fn assert_matches_git(repo: &Repo) -> Result<State> {
    let state = repo.state()?;
    assert_eq!(
        our_stage_lines(&state),
        ls_files_stage(repo)?,
        "entries agree with git ls-files --stage"
    );
    assert_eq!(
        our_debug_records(&state),
        ls_files_debug(repo)?,
        "stat data and flags agree with git ls-files --debug"
    );
    Ok(state)
}

/// Replace the trailing checksum of an index with the SHA-1 of its contents.
pub fn fix_checksum(index: &mut [u8]) {
    let body_len = index.len() - 20;
    let mut hasher = Hasher::default();
    hasher.update(&index[..body_len]);
    index[body_len..].copy_from_slice(hasher.finalize().as_bytes());
}

/// The data of the extension with `signature` in an index file, found by walking the extensions
/// after `entries_end`.
pub fn extension_data<'a>(index: &'a [u8], state: &State, signature: &[u8; 4]) -> Option<&'a [u8]> {
    let mut offset = entries_end(index, state);
    let body_len = index.len() - 20;
    while offset + 8 <= body_len {
        let size = u32::from_be_bytes(index[offset + 4..offset + 8].try_into().ok()?) as usize;
        if &index[offset..offset + 4] == signature {
            return index.get(offset + 8..offset + 8 + size);
        }
        offset += 8 + size;
    }
    None
}

/// Where the entries of a decoded index end, recomputed by encoding them.
fn entries_end(index: &[u8], state: &State) -> usize {
    let version = state.version();
    let mut offset = 12;
    let mut previous: &[u8] = &[];
    for entry in state {
        let fixed = if version != tabgit_index::Version::V2 && entry.needs_extended_flags() {
            64
        } else {
            62
        };
        if version == tabgit_index::Version::V4 {
            let common = entry
                .path
                .iter()
                .zip(previous)
                .take_while(|(a, b)| a == b)
                .count();
            let mut strip = previous.len() - common;
            let mut varint_len = 1;
            while strip >= 0x80 {
                strip = (strip >> 7) - 1;
                varint_len += 1;
            }
            offset += fixed + varint_len + entry.path.len() - common + 1;
        } else {
            offset += (fixed + entry.path.len() + 8) & !7;
        }
        previous = &entry.path;
    }
    assert!(offset <= index.len(), "entries end inside the file");
    offset
}

/// The bytes of a version 2 entry with zeroed stat data, `flags` holding assume-valid, extended
/// and stage bits (the name length is added), `extended_flags` appended if given.
pub fn raw_entry(path: &[u8], mode: u32, flags: u16, extended_flags: Option<u16>) -> Vec<u8> {
    let mut out = vec![0u8; 24];
    out.extend_from_slice(&mode.to_be_bytes());
    out.extend_from_slice(&[0u8; 12]);
    out.extend_from_slice(&[0x11; 20]);
    out.extend_from_slice(&(flags | path.len().min(0xfff) as u16).to_be_bytes());
    if let Some(extended_flags) = extended_flags {
        out.extend_from_slice(&extended_flags.to_be_bytes());
    }
    out.extend_from_slice(path);
    let padded = (out.len() + 8) & !7;
    out.resize(padded, 0);
    out
}

/// An index file: header with `version` and `n_entries`, the given entry and extension bytes,
/// and a correct checksum.
pub fn raw_index(version: u32, n_entries: u32, entries: &[Vec<u8>], extensions: &[u8]) -> Vec<u8> {
    let mut out = b"DIRC".to_vec();
    out.extend_from_slice(&version.to_be_bytes());
    out.extend_from_slice(&n_entries.to_be_bytes());
    for entry in entries {
        out.extend_from_slice(entry);
    }
    out.extend_from_slice(extensions);
    out.extend_from_slice(&[0xff; 20]);
    fix_checksum(&mut out);
    out
}

/// The bytes of one extension.
pub fn raw_extension(signature: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut out = signature.to_vec();
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    out.extend_from_slice(data);
    out
}
