//! `tabgit restore`: restore working-tree files, or unstage.

use std::process::ExitCode;

use tabgit_repo::stage::restore;

use crate::commands::workdir;

/// Arguments of `tabgit restore`.
#[derive(clap::Args)]
pub struct Args {
    /// Restore from this tree-ish.
    #[arg(short = 's', long = "source")]
    source: Option<String>,
    /// Restore the index.
    #[arg(short = 'S', long = "staged")]
    staged: bool,
    /// Restore the working tree (the default without --staged).
    #[arg(short = 'W', long = "worktree")]
    worktree: bool,
    /// Paths to restore.
    #[arg(required = true)]
    paths: Vec<String>,
}

/// Run the command.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let repo = crate::repo::open()?;
    let source = match &args.source {
        Some(rev) => Some(crate::commands::resolve(&repo, rev)?),
        None => None,
    };
    let options = restore::Options {
        pathspec: workdir::pathspec(&repo, &args.paths)?,
        source,
        staged: args.staged,
        worktree: args.worktree,
        overlay: false,
        index_mtime: workdir::index_mtime(&repo),
    };
    match restore::restore(&repo, &options) {
        Ok(_) => Ok(ExitCode::SUCCESS),
        Err(tabgit_repo::stage::Error::PathspecUnmatched { pathspec }) => {
            eprintln!(
                "error: pathspec '{}' did not match any file(s) known to git",
                String::from_utf8_lossy(&pathspec)
            );
            Ok(ExitCode::from(1))
        }
        Err(err) => Ok(crate::commands::add::report(&err)),
    }
}
