//! `tabgit checkout-index`: write files from the index into the working tree.

use std::process::ExitCode;

use anyhow::bail;
use tabgit_index::{Mode, Stage};
use tabgit_store::worktree::FileKind;

/// Arguments of `tabgit checkout-index`.
#[derive(clap::Args)]
pub struct Args {
    /// Check out every file in the index.
    #[arg(short = 'a', long)]
    all: bool,
    /// Overwrite existing files.
    #[arg(short = 'f', long)]
    force: bool,
    /// Update the index's stat data for the files written.
    #[arg(short = 'u', long)]
    index: bool,
    /// Files to check out.
    paths: Vec<String>,
}

/// Run the command.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let repo = crate::repo::open()?;
    let Some(worktree) = repo.worktree() else {
        bail!("this operation must be run in a work tree")
    };
    let mut index = repo.index()?;
    let selected: Vec<usize> = (0..index.len())
        .filter(|&idx| {
            let entry = &index.entries()[idx];
            entry.stage == Stage::Merged
                && (args.all
                    || args
                        .paths
                        .iter()
                        .any(|p| p.as_bytes() == entry.path.as_slice()))
        })
        .collect();
    let mut updated = Vec::new();
    for idx in selected {
        let entry = &index.entries()[idx];
        let kind = match entry.mode {
            Mode::Gitlink => {
                worktree.create_dir(&entry.path)?;
                continue;
            }
            Mode::Symlink => FileKind::Symlink,
            Mode::FileExecutable => FileKind::Executable,
            Mode::File => FileKind::File,
        };
        if !args.force && worktree.metadata(&entry.path)?.is_some() {
            eprintln!(
                "{} already exists, no checkout",
                String::from_utf8_lossy(&entry.path)
            );
            continue;
        }
        let (_, data) = repo.object(&entry.object_id)?;
        let meta = worktree.write(&entry.path, kind, &data)?;
        updated.push((idx, meta.stat));
    }
    if args.index {
        for (idx, stat) in updated {
            index.set_stat(idx, stat)?;
        }
        repo.write_index(&index)?;
    }
    Ok(ExitCode::SUCCESS)
}
