//! Two copies of one repository: every command runs with native git in one and with `tabgit`
//! in the other, and the results are compared (status, index, history, reflog, working tree,
//! `git fsck --strict`).
use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt as _;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};

use tabgit_testtools::{git, git_command, tempdir, Result, TempDir};

/// A repository cloned twice: `git` acts in `theirs`, `tabgit` in `ours`.
pub struct Pair {
    _tmp: TempDir,
    /// Native git's copy.
    pub theirs: PathBuf,
    /// tabgit's copy.
    pub ours: PathBuf,
}

/// What one side printed and whether it succeeded.
pub struct Run {
    /// Exit status was success.
    pub ok: bool,
    /// Standard output.
    pub stdout: Vec<u8>,
    /// Standard error.
    pub stderr: Vec<u8>,
}

impl From<Output> for Run {
    fn from(out: Output) -> Self {
        Run {
            ok: out.status.success(),
            stdout: out.stdout,
            stderr: out.stderr,
        }
    }
}

/// A path in a working tree from raw bytes.
pub fn at(dir: &Path, path: &[u8]) -> PathBuf {
    dir.join(OsStr::from_bytes(path))
}

impl Pair {
    /// Two clones of the bare repository `source`.
    pub fn clone_of(source: &Path) -> Result<Self> {
        let tmp = tempdir()?;
        let src = source.to_str().ok_or("utf-8")?;
        git(tmp.path(), &["clone", "-q", src, "theirs"])?;
        git(tmp.path(), &["clone", "-q", src, "ours"])?;
        Ok(Pair {
            theirs: tmp.path().join("theirs"),
            ours: tmp.path().join("ours"),
            _tmp: tmp,
        })
    }

    /// Apply the same change to both working trees.
    pub fn both(&self, change: impl Fn(&Path) -> Result) -> Result {
        change(&self.theirs)?;
        change(&self.ours)
    }

    /// Write a file in both working trees (creating directories).
    pub fn write(&self, path: &str, data: &[u8]) -> Result {
        self.both(|dir| {
            let full = dir.join(path);
            if let Some(parent) = full.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(full, data)?;
            Ok(())
        })
    }

    /// Run `git args` in theirs and `tabgit args` in ours; both must agree on success.
    pub fn run(&self, args: &[&str]) -> Result<(Run, Run)> {
        let theirs: Run = git_command(&self.theirs)
            .args(args)
            .stdin(Stdio::null())
            .output()?
            .into();
        let ours: Run = crate::command(&self.ours)
            .args(args)
            .stdin(Stdio::null())
            .output()?
            .into();
        if theirs.ok != ours.ok {
            return Err(format!(
                "{args:?}: git {} but tabgit {}\n git stderr: {}\n tabgit stderr: {}",
                if theirs.ok { "succeeded" } else { "failed" },
                if ours.ok { "succeeded" } else { "failed" },
                String::from_utf8_lossy(&theirs.stderr),
                String::from_utf8_lossy(&ours.stderr)
            )
            .into());
        }
        Ok((theirs, ours))
    }

    /// Run in both; both must succeed.
    pub fn ok(&self, args: &[&str]) -> Result {
        let (theirs, _) = self.run(args)?;
        if !theirs.ok {
            return Err(format!(
                "{args:?} failed: {}",
                String::from_utf8_lossy(&theirs.stderr)
            )
            .into());
        }
        Ok(())
    }

    /// Run in both; both must fail, with the same tab-indented file list in their messages.
    pub fn refused(&self, args: &[&str]) -> Result {
        let (theirs, ours) = self.run(args)?;
        if theirs.ok {
            return Err(format!("{args:?} should fail").into());
        }
        let files = |stderr: &[u8]| -> Vec<String> {
            String::from_utf8_lossy(stderr)
                .lines()
                .filter(|l| l.starts_with('\t'))
                .map(|l| l.trim().to_owned())
                .collect()
        };
        assert_eq!(
            files(&ours.stderr),
            files(&theirs.stderr),
            "{args:?}: the refused files"
        );
        assert!(
            String::from_utf8_lossy(&ours.stderr).lines().next()
                == String::from_utf8_lossy(&theirs.stderr).lines().next(),
            "{args:?}: the first line of the message\n ours: {}\n git: {}",
            String::from_utf8_lossy(&ours.stderr),
            String::from_utf8_lossy(&theirs.stderr)
        );
        Ok(())
    }

    /// The cheaper comparison run after every random step: status (tabgit's own against git's),
    /// the index, the history and the working tree.
    pub fn check_quick(&self, step: &str) -> Result {
        let ours_status = crate::tabgit(&self.ours, &["status", "--porcelain=v2", "-b"])?;
        let theirs_status = git(&self.theirs, &["status", "--porcelain=v2", "-b"])?;
        if ours_status != theirs_status {
            return Err(format!(
                "{step}: tabgit status --porcelain=v2 differs from git's:\n ours: {}\n git: {}",
                String::from_utf8_lossy(&ours_status),
                String::from_utf8_lossy(&theirs_status)
            )
            .into());
        }
        for args in [
            &["ls-files", "--stage", "-z"][..],
            &["log", "--all", "--format=%H %P %s"],
        ] {
            let ours = git(&self.ours, args)?;
            let theirs = git(&self.theirs, args)?;
            if ours != theirs {
                return Err(format!(
                    "{step}: git {args:?} differs:\n ours: {}\n git: {}",
                    String::from_utf8_lossy(&ours),
                    String::from_utf8_lossy(&theirs)
                )
                .into());
            }
        }
        if worktree(&self.ours)? != worktree(&self.theirs)? {
            return Err(format!("{step}: working trees differ").into());
        }
        Ok(())
    }

    /// Compare everything observable; `step` names the point in the scenario.
    pub fn check(&self, step: &str) -> Result {
        // tabgit's own status of its copy must equal git's status of git's copy …
        let ours_status = crate::tabgit(&self.ours, &["status", "--porcelain=v2", "-b"])?;
        let theirs_status = git(&self.theirs, &["status", "--porcelain=v2", "-b"])?;
        assert_eq!(
            String::from_utf8_lossy(&ours_status),
            String::from_utf8_lossy(&theirs_status),
            "{step}: tabgit status --porcelain=v2 equals git's"
        );
        // … and git must see tabgit's copy the same way.
        for args in [
            &["status", "--porcelain=v2", "-b", "-uall"][..],
            &["ls-files", "--stage", "-z"],
            &["log", "--all", "--format=%H %P %s"],
            &["log", "-g", "--format=%H %gs", "HEAD"],
            &["stash", "list"],
            &[
                "for-each-ref",
                "--format=%(refname) %(objectname) %(upstream)",
            ],
        ] {
            let ours = git(&self.ours, args)?;
            let theirs = git(&self.theirs, args)?;
            assert_eq!(
                String::from_utf8_lossy(&ours),
                String::from_utf8_lossy(&theirs),
                "{step}: git {args:?}"
            );
        }
        assert_eq!(
            worktree(&self.ours)?,
            worktree(&self.theirs)?,
            "{step}: working trees"
        );
        let fsck = git_command(&self.ours)
            .args(["fsck", "--strict", "--no-dangling"])
            .output()?;
        assert!(
            fsck.status.success() && fsck.stdout.is_empty(),
            "{step}: git fsck --strict: {}{}",
            String::from_utf8_lossy(&fsck.stdout),
            String::from_utf8_lossy(&fsck.stderr)
        );
        Ok(())
    }
}

/// Files by path: (kind `f`/`l`, executable, content or link target).
pub type Files = BTreeMap<Vec<u8>, (char, bool, Vec<u8>)>;

/// Every file of a working tree (outside `.git`): path → (kind, executable, content or link
/// target). Empty directories are left out: `git mv` leaves the source's emptied directories
/// behind, while tabgit's working-tree stores remove a directory with its last file.
pub fn worktree(root: &Path) -> Result<Files> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir)? {
            let entry = entry?;
            if entry.file_name() == ".git" {
                continue;
            }
            let path = entry.path();
            let rel = path.strip_prefix(root)?.as_os_str().as_bytes().to_vec();
            let meta = std::fs::symlink_metadata(&path)?;
            if meta.file_type().is_symlink() {
                let target = std::fs::read_link(&path)?.as_os_str().as_bytes().to_vec();
                out.insert(rel, ('l', false, target));
            } else if meta.is_dir() {
                stack.push(path);
            } else {
                let exec = meta.permissions().mode() & 0o100 != 0;
                out.insert(rel, ('f', exec, std::fs::read(&path)?));
            }
        }
    }
    Ok(out)
}
