//! `tabgit rev-list`: list commits reachable from some and not others.

use std::io::Write as _;
use std::process::ExitCode;

use tabgit_revision::walk::{rev_list, Options, Order};

/// Arguments shared by `rev-list` and `log` for choosing commits.
#[derive(clap::Args)]
pub struct Selection {
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
    /// Show the oldest first.
    #[arg(long)]
    reverse: bool,
    /// Revisions and ranges (`main`, `^v1.0`, `a..b`, `a...b`).
    revisions: Vec<String>,
}

impl Selection {
    /// The commits selected, in output order.
    pub fn commits(
        &self,
        repo: &crate::repo::Repo,
        default_head: bool,
    ) -> anyhow::Result<Vec<tabgit_hash::ObjectId>> {
        let mut args: Vec<&[u8]> = self
            .revisions
            .iter()
            .map(std::string::String::as_bytes)
            .collect();
        if args.is_empty() && !self.all && default_head {
            args.push(b"HEAD");
        }
        let mut range = repo.rev_parse_range(&args)?;
        if self.all {
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
        let options = Options {
            order: if self.topo_order {
                Order::Topo
            } else {
                Order::Date
            },
            first_parent: self.first_parent,
            limit: if self.reverse { None } else { self.max_count },
        };
        let mut graph = repo.graph()?;
        let mut commits = rev_list(&mut graph, &range.include, &range.exclude, &options)?;
        if self.reverse {
            if let Some(n) = self.max_count {
                commits.truncate(n);
            }
            commits.reverse();
        }
        Ok(commits)
    }
}

/// Arguments of `tabgit rev-list`.
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    selection: Selection,
    /// Print only how many commits there are.
    #[arg(long)]
    count: bool,
}

/// Run the command.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let repo = crate::repo::open()?;
    let commits = args.selection.commits(&repo, false)?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if args.count {
        writeln!(out, "{}", commits.len())?;
    } else {
        for id in commits {
            writeln!(out, "{id}")?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
