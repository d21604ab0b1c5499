//! `tabgit checkout`: switch branches, or restore files from the index or a commit.

use std::process::ExitCode;

use tabgit_repo::stage::restore;

use crate::commands::switch::{perform, Request};
use crate::commands::workdir;

/// Arguments of `tabgit checkout`.
#[derive(clap::Args)]
pub struct Args {
    /// Create a new branch and check it out.
    #[arg(short = 'b')]
    branch: Option<String>,
    /// Create or reset a branch and check it out.
    #[arg(short = 'B')]
    force_branch: Option<String>,
    /// Detach HEAD.
    #[arg(long)]
    detach: bool,
    /// Throw away local changes.
    #[arg(short = 'f', long = "force")]
    force: bool,
    /// Print nothing.
    #[arg(short = 'q', long = "quiet")]
    quiet: bool,
    /// A branch, a commit, or paths.
    targets: Vec<String>,
    /// Paths (after `--`).
    #[arg(last = true)]
    paths: Vec<String>,
}

/// Run the command.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let mut repo = crate::repo::open()?;
    workdir::require_worktree(&repo)?;
    let create = match (&args.branch, &args.force_branch) {
        (Some(name), _) => Some((name.as_str(), false)),
        (None, Some(name)) => Some((name.as_str(), true)),
        (None, None) => None,
    };
    let mut targets = args.targets.clone();
    let mut paths = args.paths.clone();
    // `checkout <rev> -- <paths>`, `checkout -- <paths>`, or `checkout <paths>` when the first
    // argument is no revision.
    let first_is_rev = targets.first().is_some_and(|t| {
        t == "-"
            || repo.rev_parse(format!("{t}^{{commit}}").as_bytes()).is_ok()
            || repo.rev_parse(format!("{t}^{{tree}}").as_bytes()).is_ok()
            || repo.config().subsections("remote").iter().any(|r| {
                let full = [b"refs/remotes/".as_slice(), r, b"/", t.as_bytes()].concat();
                repo.refs()
                    .resolve(&full)
                    .ok()
                    .and_then(|(_, id)| id)
                    .is_some()
            })
    });
    if !paths.is_empty()
        || (targets.len() > 1 && create.is_none())
        || (!first_is_rev && !targets.is_empty() && create.is_none())
    {
        let source = if first_is_rev && !targets.is_empty() {
            Some(targets.remove(0))
        } else {
            None
        };
        paths.splice(0..0, targets);
        let source = match source {
            Some(rev) => Some(crate::commands::resolve(&repo, &rev)?),
            None => None,
        };
        let options = restore::Options {
            pathspec: workdir::pathspec(&repo, &paths)?,
            source,
            staged: source.is_some(),
            worktree: true,
            overlay: true,
            index_mtime: workdir::index_mtime(&repo),
        };
        return match restore::restore(&repo, &options) {
            Ok(_) => Ok(ExitCode::SUCCESS),
            Err(tabgit_repo::stage::Error::PathspecUnmatched { pathspec }) => {
                eprintln!(
                    "error: pathspec '{}' did not match any file(s) known to git",
                    String::from_utf8_lossy(&pathspec)
                );
                Ok(ExitCode::from(1))
            }
            Err(err) => Ok(crate::commands::add::report(&err)),
        };
    }
    let target = targets.first().map_or("HEAD", String::as_str);
    perform(
        &mut repo,
        &Request {
            target,
            create,
            detach: args.detach,
            force: args.force,
            quiet: args.quiet,
        },
    )
}
