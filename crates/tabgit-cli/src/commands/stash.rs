//! `tabgit stash`: put local changes aside, in git's format.

use std::process::ExitCode;

use tabgit_repo::stash;

use crate::commands::workdir;
use crate::repo::{identity, Role};

/// Arguments of `tabgit stash`.
#[derive(clap::Args)]
pub struct Args {
    /// `push` (default), `list`, `apply`, `pop`, `drop`.
    #[command(subcommand)]
    action: Option<Action>,
}

/// What to do.
#[derive(clap::Subcommand)]
pub enum Action {
    /// Stash local changes.
    Push {
        /// The stash message.
        #[arg(short = 'm', long = "message")]
        message: Option<String>,
        /// Print nothing.
        #[arg(short = 'q', long = "quiet")]
        quiet: bool,
    },
    /// List stashes.
    List,
    /// Apply a stash.
    Apply {
        /// `stash@{n}` or `n`.
        stash: Option<String>,
    },
    /// Apply a stash and drop it.
    Pop {
        /// `stash@{n}` or `n`.
        stash: Option<String>,
    },
    /// Drop a stash.
    Drop {
        /// `stash@{n}` or `n`.
        stash: Option<String>,
    },
}

fn parse_index(arg: Option<&str>) -> anyhow::Result<usize> {
    let Some(arg) = arg else { return Ok(0) };
    let inner = arg
        .strip_prefix("stash@{")
        .and_then(|s| s.strip_suffix('}'))
        .unwrap_or(arg);
    inner
        .parse()
        .map_err(|_| anyhow::anyhow!("'{arg}' is not a stash reference"))
}

fn report(err: &stash::Error) -> ExitCode {
    let (title, paths) = match err {
        stash::Error::LocalChanges { paths } => (
            "Your local changes to the following files would be overwritten by merge:",
            paths,
        ),
        stash::Error::UntrackedInTheWay { paths } => (
            "The following untracked working tree files would be overwritten by merge:",
            paths,
        ),
        stash::Error::Conflicts { paths } => (
            "The stash and the index both changed these files (tabgit does not merge contents):",
            paths,
        ),
        other => {
            eprintln!("error: {other}");
            return ExitCode::from(1);
        }
    };
    eprintln!("error: {title}");
    for path in paths {
        eprintln!("\t{}", String::from_utf8_lossy(path));
    }
    eprintln!("Please commit your changes or stash them before you merge.\nAborting");
    ExitCode::from(1)
}

/// Run the command.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let repo = crate::repo::open()?;
    let index_mtime = workdir::index_mtime(&repo);
    match args.action.as_ref().unwrap_or(&Action::Push {
        message: None,
        quiet: false,
    }) {
        Action::Push { message, quiet } => {
            let context = stash::Context {
                author: identity(&repo, Role::Author)?,
                committer: identity(&repo, Role::Committer)?,
            };
            let options = stash::PushOptions {
                message: message.as_ref().map(|m| m.as_bytes().to_vec()),
                abbrev: crate::commands::default_abbrev(&repo)?,
                index_mtime,
            };
            match stash::push(&repo, &context, &options)? {
                None => println!("No local changes to save"),
                Some(_) => {
                    if !quiet {
                        let entry = stash::list(&repo)?.into_iter().next();
                        let message = entry.map(|e| e.message).unwrap_or_default();
                        println!(
                            "Saved working directory and index state {}",
                            String::from_utf8_lossy(&message)
                        );
                    }
                }
            }
        }
        Action::List => {
            let mut out = Vec::new();
            for entry in stash::list(&repo)? {
                out.extend_from_slice(format!("stash@{{{}}}: ", entry.index).as_bytes());
                out.extend_from_slice(&entry.message);
                out.push(b'\n');
            }
            workdir::print_bytes(&out)?;
        }
        Action::Apply { stash: which } => {
            if let Err(err) = stash::apply(&repo, parse_index(which.as_deref())?, index_mtime) {
                return Ok(report(&err));
            }
        }
        Action::Pop { stash: which } => {
            let index = parse_index(which.as_deref())?;
            let id = stash::list(&repo)?.get(index).map(|e| e.commit_id);
            if let Err(err) = stash::pop(&repo, index, index_mtime) {
                return Ok(report(&err));
            }
            if let Some(id) = id {
                println!("Dropped refs/stash@{{{index}}} ({id})");
            }
        }
        Action::Drop { stash: which } => {
            let index = parse_index(which.as_deref())?;
            match stash::drop(&repo, index) {
                Ok(id) => println!("Dropped refs/stash@{{{index}}} ({id})"),
                Err(err) => return Ok(report(&err)),
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
