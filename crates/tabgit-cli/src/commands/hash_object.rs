//! `tabgit hash-object`: compute an object's id, optionally writing it.

use std::io::Read as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use tabgit_object::Kind;

/// Arguments of `tabgit hash-object`.
#[derive(clap::Args)]
pub struct Args {
    /// The object type.
    #[arg(short = 't', default_value = "blob")]
    kind: String,
    /// Write the object into the database.
    #[arg(short = 'w')]
    write: bool,
    /// Read the object from standard input.
    #[arg(long)]
    stdin: bool,
    /// Files to hash.
    files: Vec<PathBuf>,
}

/// Run the command.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let kind = Kind::from_bytes(args.kind.as_bytes())?;
    let repo = if args.write {
        Some(crate::repo::open()?)
    } else {
        None
    };
    let mut inputs = Vec::new();
    if args.stdin {
        let mut data = Vec::new();
        std::io::stdin()
            .read_to_end(&mut data)
            .context("cannot read standard input")?;
        inputs.push(data);
    }
    for path in &args.files {
        inputs.push(
            std::fs::read(path)
                .with_context(|| format!("could not open '{}' for reading", path.display()))?,
        );
    }
    for data in inputs {
        let id = match &repo {
            Some(repo) => repo.odb().write_loose(kind, &data)?,
            None => tabgit_object::compute_id(kind, &data),
        };
        println!("{id}");
    }
    Ok(ExitCode::SUCCESS)
}
