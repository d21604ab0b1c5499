//! `tabgit log`: show commit history.

use std::io::Write as _;
use std::process::ExitCode;

use tabgit_object::CommitRef;

use crate::commands::rev_list::Selection;
use crate::pretty;

/// Arguments of `tabgit log`.
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    selection: Selection,
    /// One line per commit: abbreviated id and subject.
    #[arg(long)]
    oneline: bool,
    /// A format string with `%H`, `%h`, `%P`, `%s`, `%an`, … placeholders.
    #[arg(long, alias = "pretty")]
    format: Option<String>,
}

/// Run the command.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let repo = crate::repo::open()?;
    let commits = args.selection.commits(&repo, true)?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let abbrev = crate::commands::default_abbrev(&repo)?;
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
        } else {
            if idx > 0 {
                writeln!(out)?;
            }
            write!(out, "{}", pretty::medium(id, &commit))?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
