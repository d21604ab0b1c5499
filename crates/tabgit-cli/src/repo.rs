//! Finding the repository the command runs in, as git does, and the identity it writes with.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _};
use tabgit_object::{Signature, Time};
use tabgit_repo::{FsFiles, FsWorktree, Repository};

/// A repository found on disk.
pub struct Repo {
    /// The repository.
    pub inner: Repository<FsFiles>,
    /// The git directory.
    pub git_dir: PathBuf,
    /// The top of the working tree, unless bare.
    pub work_dir: Option<PathBuf>,
}

impl std::ops::Deref for Repo {
    type Target = Repository<FsFiles>;
    fn deref(&self) -> &Self::Target {
        &self.inner
    }
}

impl std::ops::DerefMut for Repo {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.inner
    }
}

fn is_git_dir(dir: &Path) -> bool {
    dir.join("HEAD").is_file() && dir.join("objects").is_dir()
}

/// Find the git directory and working tree: `$GIT_DIR`, else `.git` in the current directory or
/// a parent, else the current directory or a parent if it is a bare repository.
pub fn discover() -> anyhow::Result<(PathBuf, Option<PathBuf>)> {
    if let Some(dir) = std::env::var_os("GIT_DIR") {
        let work = std::env::var_os("GIT_WORK_TREE").map(PathBuf::from);
        return Ok((PathBuf::from(dir), work));
    }
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    for dir in cwd.ancestors() {
        let dot_git = dir.join(".git");
        if is_git_dir(&dot_git) {
            return Ok((dot_git, Some(dir.to_path_buf())));
        }
        if is_git_dir(dir) {
            return Ok((dir.to_path_buf(), None));
        }
    }
    bail!("not a git repository (or any of the parent directories): .git")
}

/// Open the repository the command runs in.
pub fn open() -> anyhow::Result<Repo> {
    let (git_dir, work_dir) = discover()?;
    let worktree = work_dir
        .as_ref()
        .map(|w| Box::new(FsWorktree::new(w)) as Box<dyn tabgit_store::worktree::Worktree>);
    let repo = Repository::open(FsFiles::new(&git_dir), worktree)
        .with_context(|| format!("cannot open {}", git_dir.display()))?;
    Ok(Repo {
        inner: repo,
        git_dir,
        work_dir,
    })
}

/// Which identity to build.
#[derive(Clone, Copy)]
pub enum Role {
    /// `GIT_AUTHOR_*`.
    Author,
    /// `GIT_COMMITTER_*`.
    Committer,
}

/// The identity git would use: `GIT_<ROLE>_{NAME,EMAIL,DATE}`, else `user.name`/`user.email`
/// from the config and the current time.
pub fn identity(repo: &Repo, role: Role) -> anyhow::Result<Signature> {
    let prefix = match role {
        Role::Author => "GIT_AUTHOR",
        Role::Committer => "GIT_COMMITTER",
    };
    let from_config = |key: &str| repo.config().get("user", None, key).map(<[u8]>::to_vec);
    let name = std::env::var(format!("{prefix}_NAME"))
        .ok()
        .map(String::into_bytes)
        .or_else(|| from_config("name"));
    let email = std::env::var(format!("{prefix}_EMAIL"))
        .ok()
        .map(String::into_bytes)
        .or_else(|| from_config("email"));
    let (Some(name), Some(email)) = (name, email) else {
        bail!("Author identity unknown\n\n*** Please tell me who you are.\n\nRun\n\n  git config user.email \"you@example.com\"\n  git config user.name \"Your Name\"\n");
    };
    let time = if let Ok(date) = std::env::var(format!("{prefix}_DATE")) {
        parse_date(&date)?
    } else {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .context("the clock is before 1970")?;
        Time::new(now.as_secs() as i64, 0)
    };
    Ok(Signature { name, email, time })
}

/// Parse git's internal date format `<seconds> <+hhmm>` (also `@<seconds> <+hhmm>`).
pub fn parse_date(text: &str) -> anyhow::Result<Time> {
    let text = text.trim().trim_start_matches('@');
    if !text.contains(' ') {
        let seconds: i64 = text
            .parse()
            .with_context(|| format!("unsupported date format: {text}"))?;
        return Ok(Time::new(seconds, 0));
    }
    Time::from_bytes(text.as_bytes())
        .with_context(|| format!("unsupported date format: {text} (use \"<seconds> <+hhmm>\")"))
}
