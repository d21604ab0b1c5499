//! Packs, indexes and deltas, checked against native git.
mod bundle;
mod delta;
mod index;
mod indexer;
mod malformed;
mod write;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use tabgit_testtools::{git, tempdir, Result, TempDir};

/// A repository with history whose objects git packed with deltas: returns the temp dir,
/// the git dir, and the paths of its one `.pack` and `.idx`.
pub fn packed_repo() -> Result<(TempDir, PathBuf, PathBuf, PathBuf)> {
    let tmp = tempdir()?;
    let dir = tmp.path().to_path_buf();
    git(&dir, &["init", "-q", "-b", "main"])?;
    let mut text = String::new();
    for i in 0..300 {
        writeln!(
            text,
            "line {i} of a file that grows a little with every commit"
        )?;
    }
    for round in 0..30 {
        text = text.replacen(
            &format!("line {round} "),
            &format!("LINE {round} changed "),
            1,
        );
        std::fs::write(dir.join("grow.txt"), &text)?;
        std::fs::create_dir_all(dir.join("sub/dir"))?;
        std::fs::write(
            dir.join("sub/dir/n.txt"),
            format!("{round}\n").repeat(round + 1),
        )?;
        std::fs::write(
            dir.join(format!("file{}.txt", round % 7)),
            format!("content {round}\n"),
        )?;
        git(&dir, &["add", "-A"])?;
        git(&dir, &["commit", "-q", "-m", &format!("commit {round}")])?;
    }
    git(&dir, &["tag", "-a", "-m", "annotated", "v1", "HEAD~3"])?;
    git(&dir, &["repack", "-adq", "--depth=50", "--window=50"])?;
    let (pack, idx) = pack_files(&dir.join(".git"))?;
    Ok((tmp, dir.join(".git"), pack, idx))
}

/// The one pack of a repository.
pub fn pack_files(git_dir: &Path) -> Result<(PathBuf, PathBuf)> {
    let pack_dir = git_dir.join("objects/pack");
    for entry in std::fs::read_dir(&pack_dir)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "pack") {
            return Ok((path.clone(), path.with_extension("idx")));
        }
    }
    Err("repository has no pack".into())
}
