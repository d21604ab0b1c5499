//! `tabgit merge`: merge a branch or commit into `HEAD`, or abort/continue a stopped merge.

use std::io::Write as _;
use std::process::ExitCode;

use anyhow::Context as _;
use tabgit_repo::merge::{self, Context, FastForward, Options, Outcome};

use crate::repo::{identity, Repo, Role};

/// Arguments of `tabgit merge`.
#[derive(clap::Args)]
pub struct Args {
    /// Always create a merge commit, even when a fast-forward is possible.
    #[arg(long = "no-ff", conflicts_with = "ff_only")]
    no_ff: bool,
    /// Refuse to merge unless the current branch can be fast-forwarded.
    #[arg(long = "ff-only")]
    ff_only: bool,
    /// Fast-forward when possible (the default).
    #[arg(long = "ff", overrides_with_all = ["no_ff", "ff_only"])]
    ff: bool,
    /// Stop before committing a clean merge.
    #[arg(long = "no-commit")]
    no_commit: bool,
    /// Commit a clean merge (the default).
    #[arg(long = "commit", overrides_with = "no_commit")]
    commit: bool,
    /// Accept the default message without an editor (tabgit never opens one).
    #[arg(long = "no-edit")]
    no_edit: bool,
    /// The merge commit's message.
    #[arg(short = 'm', long = "message")]
    message: Vec<String>,
    /// Use this conflict style: `merge`, `diff3` or `zdiff3`.
    #[arg(long = "conflict")]
    conflict: Option<String>,
    /// Merge histories that have no common ancestor.
    #[arg(long = "allow-unrelated-histories")]
    allow_unrelated_histories: bool,
    /// Abort the merge in progress and restore the state before it.
    #[arg(long, conflicts_with_all = ["continue_", "commits"])]
    abort: bool,
    /// Conclude the merge in progress once conflicts are resolved.
    #[arg(long = "continue", conflicts_with = "commits")]
    continue_: bool,
    /// Quiet: no progress output.
    #[arg(short = 'q', long)]
    quiet: bool,
    /// The commit to merge.
    commits: Vec<String>,
}

/// Run the command.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
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
        if !args.quiet {
            print_commit_line(&repo, &commit_id)?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    let [name] = args.commits.as_slice() else {
        anyhow::bail!("tabgit merge takes exactly one commit (octopus merges are not supported)");
    };
    let options = Options {
        fast_forward: if args.ff_only {
            FastForward::Only
        } else if args.no_ff {
            FastForward::Never
        } else {
            FastForward::Allow
        },
        commit: !args.no_commit,
        message: (!args.message.is_empty()).then(|| args.message.join("\n\n").into_bytes()),
        conflict_style: conflict_style(args.conflict.as_deref())?,
        allow_unrelated_histories: args.allow_unrelated_histories,
    };
    let head_before = repo.head()?.id();
    let outcome = match merge::merge(&repo, name.as_bytes(), &context, &options) {
        Ok(outcome) => outcome,
        Err(merge::Error::NotPossibleToFastForward) => {
            eprintln!("fatal: Not possible to fast-forward, aborting.");
            return Ok(ExitCode::from(128));
        }
        Err(
            err @ (merge::Error::LocalChanges { .. } | merge::Error::UntrackedOverwritten { .. }),
        ) => {
            eprintln!("error: {err}");
            eprintln!("Merge with strategy ort failed.");
            return Ok(ExitCode::from(2));
        }
        Err(err) => return Err(err).context("merge failed"),
    };
    let mut out = std::io::stdout().lock();
    match outcome {
        Outcome::UpToDate => {
            if !args.quiet {
                writeln!(out, "Already up to date.")?;
            }
        }
        Outcome::FastForward { from, to } => {
            if !args.quiet {
                if let Some(from) = from {
                    let abbrev = crate::commands::default_abbrev(&repo)?;
                    writeln!(
                        out,
                        "Updating {}..{}",
                        crate::commands::unique_abbrev(&repo, &from, abbrev)?,
                        crate::commands::unique_abbrev(&repo, &to, abbrev)?
                    )?;
                }
                writeln!(out, "Fast-forward")?;
            }
        }
        Outcome::Committed { merge, .. } => {
            if !args.quiet {
                print_messages(&mut out, &merge)?;
                writeln!(out, "Merge made by the 'ort' strategy.")?;
            }
        }
        Outcome::Stopped { merge } => {
            if !args.quiet {
                print_messages(&mut out, &merge)?;
                writeln!(
                    out,
                    "Automatic merge went well; stopped before committing as requested"
                )?;
            }
        }
        Outcome::Conflicted { merge } => {
            print_messages(&mut out, &merge)?;
            writeln!(
                out,
                "Automatic merge failed; fix conflicts and then commit the result."
            )?;
            return Ok(ExitCode::from(1));
        }
    }
    let _ = head_before;
    Ok(ExitCode::SUCCESS)
}

/// `merge`, `diff3` or `zdiff3`.
pub fn conflict_style(name: Option<&str>) -> anyhow::Result<Option<merge::ConflictStyle>> {
    Ok(match name {
        None => None,
        Some("merge") => Some(merge::ConflictStyle::Merge),
        Some("diff3") => Some(merge::ConflictStyle::Diff3),
        Some("zdiff3") => Some(merge::ConflictStyle::ZealousDiff3),
        Some(other) => anyhow::bail!("unknown conflict style '{other}'"),
    })
}

/// git's `Auto-merging …` and `CONFLICT (…)` lines.
pub fn print_messages(
    out: &mut impl std::io::Write,
    merge: &merge::TreeMerge,
) -> anyhow::Result<()> {
    for message in &merge.messages {
        writeln!(out, "{}", message.text)?;
    }
    Ok(())
}

/// `[branch abc1234] subject`, as `git commit` prints it.
pub fn print_commit_line(repo: &Repo, commit_id: &tabgit_hash::ObjectId) -> anyhow::Result<()> {
    let (_, data) = repo.object(commit_id)?;
    let commit = tabgit_object::CommitRef::from_bytes(&data)?;
    let branch = match repo.head()? {
        tabgit_store::refs::Head::Branch { name, .. } => {
            String::from_utf8_lossy(name.strip_prefix(b"refs/heads/").unwrap_or(&name)).into_owned()
        }
        tabgit_store::refs::Head::Detached(_) => "detached HEAD".to_owned(),
    };
    let abbrev = crate::commands::default_abbrev(repo)?;
    println!(
        "[{branch} {}] {}",
        crate::commands::unique_abbrev(repo, commit_id, abbrev)?,
        crate::pretty::subject(commit.message)
    );
    Ok(())
}
