//! `tabgit add`: stage file contents.

use std::process::ExitCode;

use tabgit_repo::stage::{self, add};

use crate::commands::workdir;

/// Arguments of `tabgit add`.
#[derive(clap::Args)]
pub struct Args {
    /// Stage changes of tracked files only.
    #[arg(short = 'u', long = "update")]
    update: bool,
    /// Stage everything, new files included (the default with paths).
    #[arg(short = 'A', long = "all")]
    all: bool,
    /// Add ignored files too.
    #[arg(short = 'f', long = "force")]
    force: bool,
    /// Say what was added.
    #[arg(short = 'v', long = "verbose")]
    verbose: bool,
    /// Paths to add.
    paths: Vec<String>,
}

/// Print a staging error as git does and pick the exit code.
pub fn report(err: &stage::Error) -> ExitCode {
    use stage::Refusal;
    match err {
        stage::Error::PathspecUnmatched { pathspec } => {
            eprintln!(
                "fatal: pathspec '{}' did not match any files",
                String::from_utf8_lossy(pathspec)
            );
            ExitCode::from(128)
        }
        stage::Error::Refused { reason, paths } => {
            let list: Vec<String> = paths
                .iter()
                .map(|p| String::from_utf8_lossy(p).into_owned())
                .collect();
            let (one, many, hint) = match reason {
                Refusal::Ignored => {
                    eprintln!("The following paths are ignored by one of your .gitignore files:");
                    for p in &list {
                        eprintln!("{p}");
                    }
                    eprintln!("hint: Use -f if you really want to add them.");
                    return ExitCode::from(1);
                }
                Refusal::LocalModifications => (
                    "the following file has local modifications:",
                    "the following files have local modifications:",
                    "(use --cached to keep the file, or -f to force removal)",
                ),
                Refusal::StagedChanges => (
                    "the following file has changes staged in the index:",
                    "the following files have changes staged in the index:",
                    "(use --cached to keep the file, or -f to force removal)",
                ),
                Refusal::StagedAndLocal => (
                    "the following file has staged content different from both the\nfile and the HEAD:",
                    "the following files have staged content different from both the\nfile and the HEAD:",
                    "(use -f to force removal)",
                ),
                Refusal::NotRecursive => {
                    eprintln!("fatal: not removing '{}' recursively without -r", list.join(" "));
                    return ExitCode::from(128);
                }
                Refusal::Unmerged => {
                    eprintln!("error: path '{}' is unmerged", list.join(" "));
                    return ExitCode::from(1);
                }
            };
            eprintln!("error: {}", if list.len() == 1 { one } else { many });
            for p in &list {
                eprintln!("    {p}");
            }
            eprintln!("{hint}");
            ExitCode::from(1)
        }
        stage::Error::BadMove { path, reason } => {
            eprintln!("fatal: {reason}, source={}", String::from_utf8_lossy(path));
            ExitCode::from(128)
        }
        other => {
            eprintln!("fatal: {other}");
            ExitCode::from(128)
        }
    }
}

/// Run the command.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let repo = crate::repo::open()?;
    workdir::require_worktree(&repo)?;
    if args.paths.is_empty() && !args.all && !args.update {
        eprintln!("Nothing specified, nothing added.\nhint: Maybe you wanted to say 'git add .'?");
        return Ok(ExitCode::SUCCESS);
    }
    let options = add::Options {
        pathspec: workdir::pathspec(&repo, &args.paths)?,
        update: args.update,
        force: args.force,
        ignore_unmatched: false,
        index_mtime: workdir::index_mtime(&repo),
    };
    match add::add(&repo, &options) {
        Ok(outcome) => {
            for path in &outcome.line_endings {
                eprintln!(
                    "warning: in the working copy of '{}', git would normalize CRLF line endings; tabgit stored them as they are",
                    String::from_utf8_lossy(path)
                );
            }
            if args.verbose {
                for path in &outcome.added {
                    println!("add '{}'", String::from_utf8_lossy(path));
                }
                for path in &outcome.removed {
                    println!("remove '{}'", String::from_utf8_lossy(path));
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(err) => Ok(report(&err)),
    }
}
