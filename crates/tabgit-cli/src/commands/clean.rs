//! `tabgit clean`: remove untracked files.

use std::process::ExitCode;

use tabgit_repo::clean;

use crate::commands::workdir;

/// Arguments of `tabgit clean`.
#[derive(clap::Args)]
pub struct Args {
    /// Only show what would be removed.
    #[arg(short = 'n', long = "dry-run")]
    dry_run: bool,
    /// Really remove.
    #[arg(short = 'f', long = "force", action = clap::ArgAction::Count)]
    force: u8,
    /// Remove untracked directories too.
    #[arg(short = 'd')]
    directories: bool,
    /// Remove ignored files too.
    #[arg(short = 'x')]
    ignored: bool,
    /// Remove only ignored files.
    #[arg(short = 'X')]
    only_ignored: bool,
    /// Print only errors.
    #[arg(short = 'q', long = "quiet")]
    quiet: bool,
    /// Limit to these paths.
    paths: Vec<String>,
}

/// Run the command.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let repo = crate::repo::open()?;
    workdir::require_worktree(&repo)?;
    let require_force = repo
        .config()
        .get_bool("clean", None, "requireforce")
        .ok()
        .flatten()
        .unwrap_or(true);
    if require_force && args.force == 0 && !args.dry_run {
        eprintln!("fatal: clean.requireForce defaults to true and neither -i, -n, nor -f given; refusing to clean");
        return Ok(ExitCode::from(128));
    }
    let options = clean::Options {
        dry_run: args.dry_run,
        directories: args.directories,
        ignored: args.ignored,
        only_ignored: args.only_ignored,
        pathspec: if args.paths.is_empty() {
            None
        } else {
            Some(workdir::pathspec(&repo, &args.paths)?)
        },
    };
    let outcome = clean::clean(&repo, &options)?;
    if !args.quiet || args.dry_run {
        let prefix = workdir::prefix(&repo)?;
        let verb = if args.dry_run {
            "Would remove"
        } else {
            "Removing"
        };
        for path in &outcome.removed {
            println!("{verb} {}", workdir::quote(path, &prefix));
        }
    }
    Ok(ExitCode::SUCCESS)
}
