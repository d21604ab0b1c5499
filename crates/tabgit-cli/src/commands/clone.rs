//! `tabgit clone`: copy a repository over HTTPS.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context as _};
use tabgit_repo::remote::clone;
use tabgit_repo::{FsFiles, FsWorktree};
use tabgit_transport::native::NativeClient;
use tabgit_transport::Url;

use crate::network::{self, ProgressPrinter};

/// Arguments of `tabgit clone`.
#[derive(clap::Args)]
pub struct Args {
    /// Only the last N commits of history.
    #[arg(long)]
    depth: Option<u32>,
    /// A partial clone filter (`blob:none`).
    #[arg(long)]
    filter: Option<String>,
    /// Check out this branch.
    #[arg(short, long)]
    branch: Option<String>,
    /// Fetch only one branch.
    #[arg(long = "single-branch")]
    single_branch: bool,
    /// Do not check out files.
    #[arg(short = 'n', long = "no-checkout")]
    no_checkout: bool,
    /// Make a bare repository.
    #[arg(long)]
    bare: bool,
    /// Name of the remote.
    #[arg(short, long, default_value = "origin")]
    origin: String,
    /// Print nothing but errors.
    #[arg(short, long)]
    quiet: bool,
    /// The repository URL.
    url: String,
    /// Where to put it (default: the repository's name).
    directory: Option<PathBuf>,
}

/// The directory name git derives from a URL (`…/demo.git` → `demo`).
fn humanish(url: &Url, bare: bool) -> String {
    let last = url
        .path()
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or("repository");
    let name = last.strip_suffix(".git").unwrap_or(last);
    let name = if name.is_empty() {
        url.origin().host
    } else {
        name.to_owned()
    };
    if bare {
        format!("{name}.git")
    } else {
        name
    }
}

/// Run the command.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let url = Url::parse(&args.url).context("cannot clone this URL")?;
    let dir = args
        .directory
        .clone()
        .unwrap_or_else(|| PathBuf::from(humanish(&url, args.bare)));
    if dir.exists() && std::fs::read_dir(&dir).map_or(true, |mut d| d.next().is_some()) {
        bail!(
            "destination path '{}' already exists and is not an empty directory.",
            dir.display()
        );
    }
    let created = !dir.exists();
    let git_dir = if args.bare {
        dir.clone()
    } else {
        dir.join(".git")
    };
    std::fs::create_dir_all(&git_dir)
        .with_context(|| format!("could not create {}", git_dir.display()))?;
    if !args.quiet {
        eprintln!(
            "Cloning into {}'{}'...",
            if args.bare { "bare repository " } else { "" },
            dir.display()
        );
    }
    let committer = identity_for_clone()?;
    let mut options = clone::Options::new(committer);
    options.branch.clone_from(&args.branch);
    options.single_branch = args.single_branch || args.depth.is_some() && args.branch.is_some();
    options.depth = args.depth;
    options.filter.clone_from(&args.filter);
    options.no_checkout = args.no_checkout;
    options.bare = args.bare;
    options.remote_name.clone_from(&args.origin);
    options.server_progress = !args.quiet && std::io::IsTerminal::is_terminal(&std::io::stderr());
    let client = NativeClient::default();
    let mut session = network::session(&client, url);
    let mut printer = ProgressPrinter::new(args.quiet);
    let worktree: Option<Box<dyn tabgit_store::worktree::Worktree>> = if args.bare {
        None
    } else {
        Some(Box::new(FsWorktree::new(&dir)))
    };
    let result = network::run(clone::clone(
        FsFiles::new(&git_dir),
        worktree,
        &mut session,
        &options,
        &mut |p| printer.show(p),
    ));
    printer.finish();
    if let Err(err) = result {
        // No half-cloned repository may claim to be complete: remove what this clone made.
        let _ = if created {
            std::fs::remove_dir_all(&dir)
        } else {
            std::fs::remove_dir_all(&git_dir)
        };
        return Err(err.into());
    }
    Ok(ExitCode::SUCCESS)
}

/// The identity for reflogs of a clone: the environment, else `user.*` is not known yet, so a
/// neutral one as git uses its configured or derived identity.
fn identity_for_clone() -> anyhow::Result<tabgit_object::Signature> {
    let name = std::env::var("GIT_COMMITTER_NAME").unwrap_or_else(|_| "tabgit".into());
    let email = std::env::var("GIT_COMMITTER_EMAIL").unwrap_or_else(|_| "tabgit@localhost".into());
    let time = if let Ok(date) = std::env::var("GIT_COMMITTER_DATE") {
        crate::repo::parse_date(&date)?
    } else {
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?;
        tabgit_object::Time::new(now.as_secs() as i64, 0)
    };
    Ok(tabgit_object::Signature {
        name: name.into_bytes(),
        email: email.into_bytes(),
        time,
    })
}
