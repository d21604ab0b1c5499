//! `tabgit commit-tree`: create a commit object from a tree.

use std::io::Read as _;
use std::process::ExitCode;

use anyhow::Context as _;
use tabgit_object::{Commit, Kind};

use crate::repo::{identity, Role};

/// Arguments of `tabgit commit-tree`.
#[derive(clap::Args)]
pub struct Args {
    /// A parent commit (repeatable, in order).
    #[arg(short = 'p')]
    parents: Vec<String>,
    /// A message paragraph (repeatable); otherwise the message is read from standard input.
    #[arg(short = 'm')]
    messages: Vec<String>,
    /// Read the message from a file (`-` for standard input).
    #[arg(short = 'F')]
    file: Option<String>,
    /// The tree.
    tree: String,
}

/// Run the command.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let repo = crate::repo::open()?;
    let tree = repo.rev_parse(format!("{}^{{tree}}", args.tree).as_bytes())?;
    let parents = args
        .parents
        .iter()
        .map(|p| repo.rev_parse(format!("{p}^{{commit}}").as_bytes()))
        .collect::<Result<Vec<_>, _>>()?;
    let mut message = Vec::new();
    if !args.messages.is_empty() {
        // git joins -m paragraphs with a blank line and ends with a newline.
        message = args.messages.join("\n\n").into_bytes();
        message.push(b'\n');
    } else if let Some(file) = args.file.as_deref().filter(|f| *f != "-") {
        message =
            std::fs::read(file).with_context(|| format!("could not read log file '{file}'"))?;
    } else {
        std::io::stdin()
            .read_to_end(&mut message)
            .context("cannot read the message")?;
    }
    let commit = Commit {
        tree,
        parents,
        author: identity(&repo, Role::Author)?,
        committer: identity(&repo, Role::Committer)?,
        encoding: None,
        extra_headers: Vec::new(),
        message,
    };
    let id = repo.odb().write_loose(Kind::Commit, &commit.to_bytes())?;
    println!("{id}");
    Ok(ExitCode::SUCCESS)
}
