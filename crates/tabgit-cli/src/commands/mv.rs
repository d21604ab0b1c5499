//! `tabgit mv`: move or rename files, directories or symlinks.

use std::process::ExitCode;

use tabgit_repo::stage::rename;

use crate::commands::workdir;

/// Arguments of `tabgit mv`.
#[derive(clap::Args)]
pub struct Args {
    /// Overwrite an existing destination.
    #[arg(short = 'f', long = "force")]
    force: bool,
    /// Only show what would move.
    #[arg(short = 'n', long = "dry-run")]
    dry_run: bool,
    /// Say what moves.
    #[arg(short = 'v', long = "verbose")]
    verbose: bool,
    /// Sources, then the destination.
    #[arg(required = true, num_args = 2..)]
    paths: Vec<String>,
}

/// Run the command.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let repo = crate::repo::open()?;
    let prefix = workdir::prefix(&repo)?;
    let to_top = |arg: &str| -> anyhow::Result<Vec<u8>> {
        let spec = tabgit_attributes::Pathspec::parse(&[arg.as_bytes()], &prefix)?;
        Ok(spec.items()[0].path.clone())
    };
    let (destination, sources) = args.paths.split_last().expect("clap requires two paths");
    let sources = sources
        .iter()
        .map(|s| to_top(s))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let options = rename::Options {
        force: args.force,
        dry_run: args.dry_run,
        index_mtime: workdir::index_mtime(&repo),
    };
    match rename::rename(&repo, &sources, &to_top(destination)?, &options) {
        Ok(outcome) => {
            if args.verbose || args.dry_run {
                for (from, to) in &outcome.moved {
                    println!(
                        "Renaming {} to {}",
                        String::from_utf8_lossy(from),
                        String::from_utf8_lossy(to)
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(err) => Ok(crate::commands::add::report(&err)),
    }
}
