//! `tabgit init`: create an empty repository laid out as `git init` lays it out.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use tabgit_store::files::{FsFiles, GitFiles, Transaction};

/// Arguments of `tabgit init`.
#[derive(clap::Args)]
pub struct Args {
    /// Create a bare repository.
    #[arg(long)]
    bare: bool,
    /// Name of the initial branch.
    #[arg(short = 'b', long = "initial-branch", default_value = "main")]
    initial_branch: String,
    /// Be quiet.
    #[arg(short, long)]
    quiet: bool,
    /// Where to create the repository (default: the current directory).
    directory: Option<PathBuf>,
}

/// Run the command.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let dir = args.directory.clone().unwrap_or_else(|| PathBuf::from("."));
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let git_dir = if args.bare {
        dir.clone()
    } else {
        dir.join(".git")
    };
    let reinit = git_dir.join("HEAD").is_file();
    let files = FsFiles::new(&git_dir);
    for sub in ["objects/info", "objects/pack", "refs/heads", "refs/tags"] {
        std::fs::create_dir_all(git_dir.join(sub))
            .with_context(|| format!("cannot create {sub}"))?;
    }
    if !reinit {
        let mut tx = Transaction::default();
        tx.write(
            "HEAD",
            format!("ref: refs/heads/{}\n", args.initial_branch).into_bytes(),
        );
        let bare = if args.bare { "true" } else { "false" };
        let logall = if args.bare {
            ""
        } else {
            "\tlogallrefupdates = true\n"
        };
        tx.write(
            "config",
            format!("[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = {bare}\n{logall}").into_bytes(),
        );
        tx.write(
            "description",
            b"Unnamed repository; edit this file 'description' to name the repository.\n".to_vec(),
        );
        files.commit(tx)?;
    }
    if !args.quiet {
        let abs = std::fs::canonicalize(&git_dir).unwrap_or(git_dir);
        let what = if reinit {
            "Reinitialized existing"
        } else {
            "Initialized empty"
        };
        println!("{what} Git repository in {}/", abs.display());
    }
    Ok(ExitCode::SUCCESS)
}
