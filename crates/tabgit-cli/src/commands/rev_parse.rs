//! `tabgit rev-parse`: resolve revisions and answer questions about the repository.

use std::process::ExitCode;

use anyhow::bail;

/// Arguments of `tabgit rev-parse`.
#[derive(clap::Args)]
pub struct Args {
    /// Require exactly one revision that names an object.
    #[arg(long)]
    verify: bool,
    /// With --verify: print nothing and exit 1 on failure.
    #[arg(short, long)]
    quiet: bool,
    /// Print abbreviated ids (at least this many digits).
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "7")]
    short: Option<usize>,
    /// Print the short name of a ref instead of its id.
    #[arg(long = "abbrev-ref")]
    abbrev_ref: bool,
    /// Print the full ref name instead of its id.
    #[arg(long = "symbolic-full-name")]
    symbolic_full_name: bool,
    /// Print the git directory.
    #[arg(long = "git-dir")]
    git_dir: bool,
    /// Print whether the repository is bare.
    #[arg(long = "is-bare-repository")]
    is_bare: bool,
    /// Print the top of the working tree.
    #[arg(long = "show-toplevel")]
    show_toplevel: bool,
    /// The revisions.
    revisions: Vec<String>,
}

/// Run the command.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let repo = crate::repo::open()?;
    if args.git_dir {
        println!("{}", repo.git_dir.display());
    }
    if args.is_bare {
        println!("{}", repo.is_bare());
    }
    if args.show_toplevel {
        match &repo.work_dir {
            Some(dir) => println!(
                "{}",
                std::fs::canonicalize(dir)
                    .unwrap_or_else(|_| dir.clone())
                    .display()
            ),
            None => bail!("this operation must be run in a work tree"),
        }
    }
    if args.verify && args.revisions.len() != 1 {
        bail!("Needed a single revision");
    }
    for name in &args.revisions {
        if args.abbrev_ref || args.symbolic_full_name {
            let full = match repo.dwim_ref(name.as_bytes())? {
                Some(full) if full == b"HEAD" => repo.refs().resolve(b"HEAD")?.0,
                Some(full) => full,
                None => bail!("{name}: not a ref"),
            };
            let shown = if args.abbrev_ref {
                let head_detached = matches!(repo.head()?, tabgit_store::refs::Head::Detached(_));
                if name == "HEAD" && head_detached {
                    b"HEAD".to_vec()
                } else {
                    tabgit_refs::name::short_name(&full).to_vec()
                }
            } else {
                full
            };
            println!("{}", String::from_utf8_lossy(&shown));
            continue;
        }
        let id = match repo.rev_parse(name.as_bytes()) {
            Ok(id) => id,
            Err(_) if args.verify && args.quiet => return Ok(ExitCode::from(1)),
            Err(err) if args.verify => bail!("Needed a single revision ({err})"),
            Err(err) => return Err(err.into()),
        };
        if args.verify && !repo.odb().has(&id)? {
            if args.quiet {
                return Ok(ExitCode::from(1));
            }
            bail!("Needed a single revision");
        }
        match args.short {
            Some(min) => println!("{}", crate::commands::unique_abbrev(&repo, &id, min)?),
            None => println!("{id}"),
        }
    }
    Ok(ExitCode::SUCCESS)
}
