//! `tabgit cherry-pick` and `tabgit revert`: apply or undo one commit's changes.

use std::process::ExitCode;

use anyhow::Context as _;
use tabgit_repo::cherry_pick::Outcome;
use tabgit_repo::merge::{self, Context};

use crate::commands::merge::{conflict_style, print_commit_line, print_messages};
use crate::repo::{identity, Role};

/// Arguments of `tabgit cherry-pick` and `tabgit revert`.
#[derive(clap::Args)]
pub struct Args {
    /// For a merge commit, the parent number (from 1) to diff against.
    #[arg(short = 'm', long = "mainline")]
    mainline: Option<usize>,
    /// Apply the changes without committing.
    #[arg(short = 'n', long = "no-commit")]
    no_commit: bool,
    /// Use the prepared message without an editor (tabgit never opens one).
    #[arg(long = "no-edit")]
    no_edit: bool,
    /// Append "(cherry picked from commit …)" (cherry-pick only).
    #[arg(short = 'x')]
    record_origin: bool,
    /// Use this conflict style: `merge`, `diff3` or `zdiff3`.
    #[arg(long = "conflict")]
    conflict: Option<String>,
    /// Abort the operation in progress.
    #[arg(long, conflicts_with_all = ["continue_", "commit"])]
    abort: bool,
    /// Continue the operation in progress once conflicts are resolved.
    #[arg(long = "continue", conflicts_with = "commit")]
    continue_: bool,
    /// The commit.
    commit: Option<String>,
}

/// Which command runs.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// `cherry-pick`.
    CherryPick,
    /// `revert`.
    Revert,
}

/// Run the command.
pub fn run(args: &Args, action: Action) -> anyhow::Result<ExitCode> {
    let repo = crate::repo::open()?;
    let context = Context {
        author: identity(&repo, Role::Author)?,
        committer: identity(&repo, Role::Committer)?,
    };
    if args.abort {
        merge::abort(&repo, &context.committer)?;
        return Ok(ExitCode::SUCCESS);
    }
    if args.continue_ {
        let commit_id = merge::continue_merge(&repo, &context)?;
        print_commit_line(&repo, &commit_id)?;
        return Ok(ExitCode::SUCCESS);
    }
    let Some(name) = &args.commit else {
        anyhow::bail!("a commit is required");
    };
    let commit_id = crate::commands::resolve(&repo, &format!("{name}^{{commit}}"))?;
    let style = conflict_style(args.conflict.as_deref())?;
    let outcome = match action {
        Action::CherryPick => tabgit_repo::cherry_pick::cherry_pick(
            &repo,
            commit_id,
            &context,
            &tabgit_repo::cherry_pick::Options {
                mainline: args.mainline,
                commit: !args.no_commit,
                record_origin: args.record_origin,
                conflict_style: style,
            },
        ),
        Action::Revert => tabgit_repo::revert::revert(
            &repo,
            commit_id,
            &context,
            &tabgit_repo::revert::Options {
                mainline: args.mainline,
                commit: !args.no_commit,
                conflict_style: style,
            },
        ),
    };
    let outcome = match outcome {
        Ok(outcome) => outcome,
        Err(
            err @ (merge::Error::LocalChanges { .. } | merge::Error::UntrackedOverwritten { .. }),
        ) => {
            eprintln!("error: {err}");
            return Ok(ExitCode::from(128));
        }
        Err(err) => return Err(err).context("could not apply the commit"),
    };
    let mut out = std::io::stdout().lock();
    match outcome {
        Outcome::Committed { commit_id, merge } => {
            print_messages(&mut out, &merge)?;
            drop(out);
            print_commit_line(&repo, &commit_id)?;
        }
        Outcome::Stopped { merge } => print_messages(&mut out, &merge)?,
        Outcome::Conflicted { merge } => {
            print_messages(&mut out, &merge)?;
            let verb = match action {
                Action::CherryPick => "apply",
                Action::Revert => "revert",
            };
            eprintln!("error: could not {verb} {name}");
            return Ok(ExitCode::from(1));
        }
    }
    Ok(ExitCode::SUCCESS)
}
