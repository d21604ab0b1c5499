//! `tabgit commit`: record the index as a new commit.

use std::process::ExitCode;

use anyhow::Context as _;
use tabgit_repo::commit;

use crate::commands::workdir;
use crate::repo::{identity, Role};

/// Arguments of `tabgit commit`.
#[derive(clap::Args)]
pub struct Args {
    /// The message (repeatable: paragraphs).
    #[arg(short = 'm', long = "message")]
    messages: Vec<String>,
    /// Read the message from a file (`-` for standard input).
    #[arg(short = 'F', long = "file")]
    file: Option<String>,
    /// Stage modified and deleted tracked files first.
    #[arg(short = 'a', long = "all")]
    all: bool,
    /// Replace the tip of the current branch.
    #[arg(long)]
    amend: bool,
    /// Keep the amended commit's message.
    #[arg(long = "no-edit")]
    no_edit: bool,
    /// With --amend, make the committer the author too.
    #[arg(long = "reset-author")]
    reset_author: bool,
    /// Allow a commit with the same tree as its parent.
    #[arg(long = "allow-empty")]
    allow_empty: bool,
    /// Allow an empty message.
    #[arg(long = "allow-empty-message")]
    allow_empty_message: bool,
    /// Print nothing.
    #[arg(short = 'q', long = "quiet")]
    quiet: bool,
}

/// Run the command.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let repo = crate::repo::open()?;
    let raw = if !args.messages.is_empty() {
        Some(args.messages.join("\n\n").into_bytes())
    } else if let Some(file) = &args.file {
        if file == "-" {
            let mut data = Vec::new();
            std::io::Read::read_to_end(&mut std::io::stdin(), &mut data)?;
            Some(data)
        } else {
            Some(std::fs::read(file).with_context(|| format!("could not read log file '{file}'"))?)
        }
    } else {
        None
    };
    let message = match raw {
        Some(raw) => Some(commit::cleanup_message(&raw, None)),
        None if args.amend => None,
        None => {
            let Some(merge_msg) = tabgit_store::files::GitFiles::read(repo.files(), "MERGE_MSG")?
            else {
                eprintln!("error: tabgit has no editor; give the message with -m or -F");
                return Ok(ExitCode::from(1));
            };
            Some(commit::cleanup_message(&merge_msg, None))
        }
    };
    let _ = args.no_edit;
    let context = commit::Context {
        author: identity(&repo, Role::Author)?,
        committer: identity(&repo, Role::Committer)?,
    };
    let options = commit::Options {
        message,
        amend: args.amend,
        reset_author: args.reset_author,
        allow_empty: args.allow_empty,
        allow_empty_message: args.allow_empty_message,
        all: args.all,
        index_mtime: workdir::index_mtime(&repo),
    };
    match commit::commit(&repo, &context, &options) {
        Ok(outcome) => {
            if !args.quiet {
                let branch = outcome
                    .branch
                    .as_deref()
                    .map_or_else(|| "detached HEAD".to_owned(), workdir::short_ref);
                let root = if outcome.parents.is_empty() {
                    " (root-commit)"
                } else {
                    ""
                };
                let abbrev = crate::commands::unique_abbrev(
                    &repo,
                    &outcome.commit_id,
                    crate::commands::default_abbrev(&repo)?,
                )?;
                let message = options.message.clone().unwrap_or_default();
                let subject = String::from_utf8_lossy(
                    message.split(|&b| b == b'\n').next().unwrap_or_default(),
                )
                .into_owned();
                println!("[{branch}{root} {abbrev}] {subject}");
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(commit::Error::NothingToCommit) => {
            println!("nothing to commit, working tree clean");
            Ok(ExitCode::from(1))
        }
        Err(commit::Error::EmptyAmend) => {
            eprintln!("You asked to amend the most recent commit, but doing so would make\nit empty. You can repeat your command with --allow-empty, or you can\nremove the commit entirely with \"git reset HEAD^\".");
            Ok(ExitCode::from(1))
        }
        Err(commit::Error::Unmerged { paths }) => {
            eprintln!("error: Committing is not possible because you have unmerged files.");
            for path in paths {
                eprintln!("U\t{}", String::from_utf8_lossy(&path));
            }
            Ok(ExitCode::from(128))
        }
        Err(err) => Err(err.into()),
    }
}
