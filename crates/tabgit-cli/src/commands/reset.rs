//! `tabgit reset`: move the current branch, resetting the index (and working tree).

use std::process::ExitCode;

use tabgit_repo::reset;
use tabgit_repo::stage::restore;

use crate::commands::workdir;
use crate::repo::{identity, Role};

/// Arguments of `tabgit reset`.
#[derive(clap::Args)]
pub struct Args {
    /// Only move the branch.
    #[arg(long, group = "kind")]
    soft: bool,
    /// Reset the index too (the default).
    #[arg(long, group = "kind")]
    mixed: bool,
    /// Reset the index and the working tree.
    #[arg(long, group = "kind")]
    hard: bool,
    /// Print nothing.
    #[arg(short = 'q', long = "quiet")]
    quiet: bool,
    /// The commit (default `HEAD`).
    commit: Option<String>,
    /// Paths whose index entries to reset.
    #[arg(last = true)]
    paths: Vec<String>,
}

/// Run the command.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let repo = crate::repo::open()?;
    let target_name = args.commit.clone().unwrap_or_else(|| "HEAD".to_owned());
    if !args.paths.is_empty() {
        let source = repo.rev_parse(format!("{target_name}^{{commit}}").as_bytes())?;
        let options = restore::Options {
            pathspec: workdir::pathspec(&repo, &args.paths)?,
            source: Some(source),
            staged: true,
            worktree: false,
            overlay: false,
            index_mtime: workdir::index_mtime(&repo),
        };
        restore::restore(&repo, &options)?;
        return Ok(ExitCode::SUCCESS);
    }
    let target = repo.rev_parse(format!("{target_name}^{{commit}}").as_bytes())?;
    let kind = if args.soft {
        reset::Kind::Soft
    } else if args.hard {
        reset::Kind::Hard
    } else {
        reset::Kind::Mixed
    };
    let context = reset::Context {
        committer: identity(&repo, Role::Committer)?,
        target_name: target_name.into_bytes(),
    };
    let options = reset::Options {
        kind,
        index_mtime: workdir::index_mtime(&repo),
    };
    let outcome = match reset::reset(&repo, target, &context, &options) {
        Ok(outcome) => outcome,
        Err(reset::Error::SoftDuringMerge) => {
            eprintln!("fatal: Cannot do a soft reset in the middle of a merge.");
            return Ok(ExitCode::from(128));
        }
        Err(err) => return Err(err.into()),
    };
    if args.quiet {
        return Ok(ExitCode::SUCCESS);
    }
    let prefix = workdir::prefix(&repo)?;
    match kind {
        reset::Kind::Hard => {
            let abbrev = crate::commands::unique_abbrev(
                &repo,
                &target,
                crate::commands::default_abbrev(&repo)?,
            )?;
            let (_, data) = repo.object(&target)?;
            let subject = tabgit_object::CommitRef::from_bytes(&data)
                .map(|c| String::from_utf8_lossy(c.summary()).into_owned())
                .unwrap_or_default();
            println!("HEAD is now at {abbrev} {subject}");
        }
        reset::Kind::Mixed if !outcome.unstaged.is_empty() => {
            println!("Unstaged changes after reset:");
            for (letter, path) in &outcome.unstaged {
                println!("{}\t{}", *letter as char, workdir::quote(path, &prefix));
            }
        }
        _ => {}
    }
    Ok(ExitCode::SUCCESS)
}
