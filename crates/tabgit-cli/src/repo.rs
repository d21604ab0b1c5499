//! Finding the repository the command runs in, as git does.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _};
use tabgit_store::files::FsFiles;
use tabgit_store::odb::Odb;

/// A repository found on disk.
pub struct Repo {
    /// The objects.
    pub odb: Odb<FsFiles>,
}

/// Whether `dir` looks like a git directory.
fn is_git_dir(dir: &Path) -> bool {
    dir.join("HEAD").is_file() && dir.join("objects").is_dir()
}

/// Find the git directory: `$GIT_DIR`, else `.git` in the current directory or a parent, else the
/// current directory or a parent if it is a bare repository.
pub fn discover() -> anyhow::Result<PathBuf> {
    if let Some(dir) = std::env::var_os("GIT_DIR") {
        return Ok(PathBuf::from(dir));
    }
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    for dir in cwd.ancestors() {
        let dot_git = dir.join(".git");
        if is_git_dir(&dot_git) {
            return Ok(dot_git);
        }
        if is_git_dir(dir) {
            return Ok(dir.to_path_buf());
        }
    }
    bail!("not a git repository (or any of the parent directories): .git")
}

/// Open the repository the command runs in.
pub fn open() -> anyhow::Result<Repo> {
    let git_dir = discover()?;
    let odb = Odb::open(FsFiles::new(&git_dir))
        .with_context(|| format!("cannot open {}", git_dir.display()))?;
    Ok(Repo { odb })
}
