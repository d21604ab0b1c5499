//! `tabgit log`: show commit history, optionally limited to paths (with git's history
//! simplification), following a file across renames, filtered by author or message, with
//! patches or statistics.

use std::io::Write as _;
use std::process::ExitCode;

use tabgit_hash::ObjectId;
use tabgit_object::CommitRef;
use tabgit_repo::log::{Log, Options, Order, Pattern};

use crate::pretty;

/// Arguments of `tabgit log`.
#[derive(clap::Args)]
pub struct Args {
    /// Walk from every ref and HEAD.
    #[arg(long)]
    all: bool,
    /// Children before parents, lines of history kept together.
    #[arg(long = "topo-order")]
    topo_order: bool,
    /// Follow only the first parent of merges.
    #[arg(long = "first-parent")]
    first_parent: bool,
    /// Show at most this many commits.
    #[arg(short = 'n', long = "max-count")]
    max_count: Option<usize>,
    /// Skip this many commits before showing any.
    #[arg(long)]
    skip: Option<usize>,
    /// Show the oldest first.
    #[arg(long)]
    reverse: bool,
    /// One line per commit: abbreviated id and subject.
    #[arg(long)]
    oneline: bool,
    /// A format string with `%H`, `%h`, `%P`, `%s`, `%an`, … placeholders.
    #[arg(long, alias = "pretty")]
    format: Option<String>,
    /// Follow the one file given across renames.
    #[arg(long)]
    follow: bool,
    /// Only commits whose author matches (a basic regular expression).
    #[arg(long)]
    author: Vec<String>,
    /// Only commits whose message matches (a basic regular expression).
    #[arg(long)]
    grep: Vec<String>,
    /// Match `--author` and `--grep` case-insensitively.
    #[arg(short = 'i', long = "regexp-ignore-case")]
    ignore_case: bool,
    /// Require every `--grep` to match.
    #[arg(long = "all-match")]
    all_match: bool,
    /// Show each commit's patch.
    #[arg(short = 'p', long = "patch", short_alias = 'u')]
    patch: bool,
    /// Show each commit's diffstat.
    #[arg(long)]
    stat: bool,
    /// Show each commit's changed paths with their status letters.
    #[arg(long = "name-status")]
    name_status: bool,
    /// Revisions and ranges (`main`, `^v1.0`, `a..b`, `a...b`).
    revisions: Vec<String>,
    /// Only commits that change these paths (after `--`).
    #[arg(last = true)]
    paths: Vec<String>,
}

/// Run the command.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let repo = crate::repo::open()?;
    let mut revisions: Vec<&[u8]> = args.revisions.iter().map(String::as_bytes).collect();
    if revisions.is_empty() && !args.all {
        revisions.push(b"HEAD");
    }
    let mut range = repo.rev_parse_range(&revisions)?;
    if args.all {
        let mut graph = repo.graph()?;
        for entry in repo.refs().list(b"refs/")? {
            if let Some(id) = entry.target.object_id() {
                if let Ok(commit) = graph.peel_to_commit(&id) {
                    range.include.push(commit);
                }
            }
        }
        if let Some(head) = repo.head()?.id() {
            range.include.push(head);
        }
    }
    let pattern = |text: &String| Pattern::new(text.as_bytes(), args.ignore_case);
    let options = Options {
        include: range.include,
        exclude: range.exclude,
        first_parent: args.first_parent,
        paths: args.paths.iter().map(|p| p.as_bytes().to_vec()).collect(),
        follow: args.follow,
        authors: args.author.iter().map(pattern).collect(),
        greps: args.grep.iter().map(pattern).collect(),
        all_match: args.all_match,
        order: if args.topo_order {
            Order::Topo
        } else {
            Order::Date
        },
    };
    let mut walk = Log::new(&repo, options)?;
    let skip = args.skip.unwrap_or(0);
    let limit = args.max_count.unwrap_or(usize::MAX);
    let mut commits = Vec::new();
    let mut seen = 0usize;
    while commits.len() < limit || args.reverse {
        let Some(commit_id) = walk.next_commit()? else {
            break;
        };
        seen += 1;
        if seen <= skip {
            continue;
        }
        commits.push(commit_id);
    }
    if args.reverse {
        commits.truncate(limit);
        commits.reverse();
    }

    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let abbrev = crate::commands::default_abbrev(&repo)?;
    let with_diff = args.patch || args.stat || args.name_status;
    for (idx, id) in commits.iter().enumerate() {
        let (_, data) = repo.object(id)?;
        let commit = CommitRef::from_bytes(&data)?;
        if args.oneline {
            let short = crate::commands::unique_abbrev(&repo, id, abbrev)?;
            writeln!(out, "{short} {}", pretty::subject(commit.message))?;
        } else if let Some(template) = &args.format {
            let template = template
                .strip_prefix("format:")
                .or_else(|| template.strip_prefix("tformat:"))
                .unwrap_or(template);
            writeln!(out, "{}", pretty::format(template, id, &commit, abbrev))?;
            if with_diff && commit.parents.len() < 2 {
                writeln!(out)?;
            }
        } else {
            if idx > 0 {
                writeln!(out)?;
            }
            write!(out, "{}", medium(&repo, id, &commit, abbrev)?)?;
            if with_diff && commit.parents.len() < 2 {
                writeln!(out)?;
            }
        }
        if with_diff && commit.parents.len() < 2 {
            write_commit_diff(
                &repo,
                &mut out,
                id,
                args.stat,
                args.name_status,
                args.patch,
                abbrev,
            )?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// git's `medium` format, with `Merge:` parents abbreviated as git abbreviates them (unique, at
/// least the default length).
pub fn medium(
    repo: &crate::repo::Repo,
    id: &ObjectId,
    commit: &CommitRef<'_>,
    abbrev: usize,
) -> anyhow::Result<String> {
    let mut text = pretty::medium(id, commit);
    if commit.parents.len() > 1 {
        let short: Vec<String> = commit.parents.iter().map(|p| p.to_hex_short(7)).collect();
        let mut unique = Vec::new();
        for parent in &commit.parents {
            unique.push(crate::commands::unique_abbrev(repo, parent, abbrev)?);
        }
        text = text.replacen(
            &format!("Merge: {}\n", short.join(" ")),
            &format!("Merge: {}\n", unique.join(" ")),
            1,
        );
    }
    Ok(text)
}

/// The diff of a (non-merge) commit against its first parent, as `log`/`show` print it.
pub fn write_commit_diff(
    repo: &crate::repo::Repo,
    out: &mut impl std::io::Write,
    commit_id: &ObjectId,
    stat: bool,
    name_status: bool,
    patch: bool,
    abbrev: usize,
) -> anyhow::Result<()> {
    let diff = tabgit_repo::diff::commit(repo, commit_id, &tabgit_repo::diff::Options::default())?;
    if stat {
        let mut text = Vec::new();
        diff.stat(repo)?.write_stat(&mut text, 80);
        out.write_all(&text)?;
    }
    if name_status {
        out.write_all(&diff.name_status())?;
    }
    if patch {
        if stat {
            writeln!(out)?;
        }
        out.write_all(&diff.patch(repo, abbrev, tabgit_diff::lines::Algorithm::Myers)?)?;
    }
    Ok(())
}
