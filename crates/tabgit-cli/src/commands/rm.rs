//! `tabgit rm`: remove files from the index and the working tree.

use std::process::ExitCode;

use tabgit_repo::stage::remove;

use crate::commands::workdir;

/// Arguments of `tabgit rm`.
#[derive(clap::Args)]
pub struct Args {
    /// Only remove from the index.
    #[arg(long)]
    cached: bool,
    /// Override the up-to-date check.
    #[arg(short = 'f', long = "force")]
    force: bool,
    /// Allow recursive removal of directories.
    #[arg(short = 'r')]
    recursive: bool,
    /// Only show what would be removed.
    #[arg(short = 'n', long = "dry-run")]
    dry_run: bool,
    /// Print nothing.
    #[arg(short = 'q', long = "quiet")]
    quiet: bool,
    /// Exit with success even if nothing matched.
    #[arg(long = "ignore-unmatch")]
    ignore_unmatch: bool,
    /// Paths to remove.
    #[arg(required = true)]
    paths: Vec<String>,
}

/// Run the command.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let repo = crate::repo::open()?;
    let options = remove::Options {
        pathspec: workdir::pathspec(&repo, &args.paths)?,
        cached: args.cached,
        force: args.force,
        recursive: args.recursive,
        ignore_unmatch: args.ignore_unmatch,
        dry_run: args.dry_run,
        index_mtime: workdir::index_mtime(&repo),
    };
    match remove::remove(&repo, &options) {
        Ok(outcome) => {
            if !args.quiet {
                let mut out = Vec::new();
                for path in &outcome.removed {
                    out.extend_from_slice(b"rm '");
                    out.extend_from_slice(path);
                    out.extend_from_slice(b"'\n");
                }
                workdir::print_bytes(&out)?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(err) => Ok(crate::commands::add::report(&err)),
    }
}
