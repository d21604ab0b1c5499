//! `tabgit diff`: changes between the working tree, the index and commits.

use std::io::Write as _;
use std::process::ExitCode;

use tabgit_repo::diff::{self, Options, Target};

/// Arguments of `tabgit diff`.
#[derive(clap::Args)]
pub struct Args {
    /// Compare the index with HEAD (or the given commit).
    #[arg(long, alias = "staged")]
    cached: bool,
    /// Show the diffstat.
    #[arg(long)]
    stat: bool,
    /// Show added and removed line counts per file.
    #[arg(long)]
    numstat: bool,
    /// Show only the summary line of `--stat`.
    #[arg(long)]
    shortstat: bool,
    /// Show changed paths with status letters.
    #[arg(long = "name-status")]
    name_status: bool,
    /// Show only the changed paths.
    #[arg(long = "name-only")]
    name_only: bool,
    /// Do not detect renames.
    #[arg(long = "no-renames")]
    no_renames: bool,
    /// Use the histogram algorithm.
    #[arg(long)]
    histogram: bool,
    /// Commits (`diff A B`, `diff A..B`, `diff --cached A`).
    commits: Vec<String>,
    /// Only these paths (after `--`).
    #[arg(last = true)]
    paths: Vec<String>,
}

/// Run the command.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let repo = crate::repo::open()?;
    let tree = |name: &str| crate::commands::resolve(&repo, &format!("{name}^{{tree}}"));
    let target = match (args.cached, args.commits.as_slice()) {
        (true, []) => Target::IndexToTree(None),
        (true, [commit]) => Target::IndexToTree(Some(tree(commit)?)),
        (false, []) => Target::WorktreeToIndex,
        (false, [range]) if range.contains("..") => {
            let (a, b) = range.split_once("..").unwrap_or_default();
            let a = if a.is_empty() { "HEAD" } else { a };
            let b = if b.is_empty() { "HEAD" } else { b };
            Target::Trees(Some(tree(a)?), tree(b)?)
        }
        (false, [a, b]) => Target::Trees(Some(tree(a)?), tree(b)?),
        _ => anyhow::bail!("unsupported diff arguments (tabgit compares the working tree with the index, --cached, or two commits)"),
    };
    let algorithm = if args.histogram {
        tabgit_diff::lines::Algorithm::Histogram
    } else {
        tabgit_diff::lines::Algorithm::Myers
    };
    let options = Options {
        paths: args.paths.iter().map(|p| p.as_bytes().to_vec()).collect(),
        renames: !args.no_renames,
        algorithm,
    };
    let result = diff::diff(&repo, target, &options)?;
    let mut out = Vec::new();
    if args.stat || args.numstat || args.shortstat {
        let stat = result.stat(&repo)?;
        if args.numstat {
            stat.write_numstat(&mut out);
        }
        if args.stat {
            stat.write_stat(&mut out, 80);
        } else if args.shortstat {
            stat.write_shortstat(&mut out);
        }
    } else if args.name_status {
        out.extend_from_slice(&result.name_status());
    } else if args.name_only {
        for change in &result.changes {
            out.extend_from_slice(&crate::pretty::quote_path(change.new_path()));
            out.push(b'\n');
        }
    } else {
        let abbrev = crate::commands::default_abbrev(&repo)?;
        out.extend_from_slice(&result.patch(&repo, abbrev, algorithm)?);
    }
    std::io::stdout().lock().write_all(&out)?;
    Ok(ExitCode::SUCCESS)
}
