//! `tabgit ls-files`: list the index.

use std::io::Write as _;
use std::process::ExitCode;

/// Arguments of `tabgit ls-files`.
#[derive(clap::Args)]
pub struct Args {
    /// Show mode, id and stage of each entry.
    #[arg(short = 's', long)]
    stage: bool,
    /// Show only conflicted entries (with --stage information).
    #[arg(short = 'u', long)]
    unmerged: bool,
}

/// Run the command.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let repo = crate::repo::open()?;
    let index = repo.index()?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut last_path: Option<&[u8]> = None;
    for entry in &index {
        let stage = entry.stage.number();
        if args.unmerged && stage == 0 {
            continue;
        }
        if args.stage || args.unmerged {
            write!(out, "{} {} {stage}\t", entry.mode, entry.object_id)?;
        } else if last_path == Some(entry.path.as_slice()) {
            continue;
        }
        out.write_all(&crate::pretty::quote_path(&entry.path))?;
        out.write_all(b"\n")?;
        last_path = Some(&entry.path);
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
