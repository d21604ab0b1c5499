//! `tabgit show`: a commit's header, message and patch.

use std::io::Write as _;
use std::process::ExitCode;

use tabgit_object::CommitRef;

use crate::commands::log::write_commit_diff;
use crate::pretty;

/// Arguments of `tabgit show`.
#[derive(clap::Args)]
pub struct Args {
    /// Show the diffstat instead of the patch.
    #[arg(long)]
    stat: bool,
    /// Show changed paths with status letters instead of the patch.
    #[arg(long = "name-status")]
    name_status: bool,
    /// Show only the header and message.
    #[arg(short = 's', long = "no-patch")]
    no_patch: bool,
    /// A format string instead of the default header.
    #[arg(long, alias = "pretty")]
    format: Option<String>,
    /// The commits (HEAD by default).
    commits: Vec<String>,
}

/// Run the command.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let repo = crate::repo::open()?;
    let names = if args.commits.is_empty() {
        vec!["HEAD".to_owned()]
    } else {
        args.commits.clone()
    };
    let abbrev = crate::commands::default_abbrev(&repo)?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for (idx, name) in names.iter().enumerate() {
        let commit_id = crate::commands::resolve(&repo, &format!("{name}^{{commit}}"))?;
        let (_, data) = repo.object(&commit_id)?;
        let commit = CommitRef::from_bytes(&data)?;
        if idx > 0 {
            writeln!(out)?;
        }
        match &args.format {
            Some(template) => {
                let template = template
                    .strip_prefix("format:")
                    .or_else(|| template.strip_prefix("tformat:"))
                    .unwrap_or(template);
                writeln!(
                    out,
                    "{}",
                    pretty::format(template, &commit_id, &commit, abbrev)
                )?;
            }
            None => write!(
                out,
                "{}",
                crate::commands::log::medium(&repo, &commit_id, &commit, abbrev)?
            )?,
        }
        let patch = !args.no_patch && !args.stat && !args.name_status;
        if commit.parents.len() < 2 && (patch || args.stat || args.name_status) {
            writeln!(out)?;
            write_commit_diff(
                &repo,
                &mut out,
                &commit_id,
                args.stat,
                args.name_status,
                patch,
                abbrev,
            )?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
