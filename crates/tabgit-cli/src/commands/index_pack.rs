//! `tabgit index-pack`: build the `.idx` for a pack, as `git index-pack` does.

use std::io::Read as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context as _};
use tabgit_pack::indexer::{Indexer, NoThinBases, Options};

/// Arguments of `tabgit index-pack`.
#[derive(clap::Args)]
pub struct Args {
    /// Read the pack from standard input and store it in the repository.
    #[arg(long)]
    stdin: bool,
    /// Complete a thin pack with objects from the repository.
    #[arg(long = "fix-thin")]
    fix_thin: bool,
    /// Where to write the index (default: the pack's name with `.idx`).
    #[arg(short = 'o')]
    output: Option<PathBuf>,
    /// Accepted for compatibility: indexing is single-threaded.
    #[arg(long)]
    threads: Option<usize>,
    /// The pack file.
    pack: Option<PathBuf>,
}

/// Run the command.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let mut indexer = Indexer::new(Options::default());
    let repo = if args.stdin || args.fix_thin {
        Some(crate::repo::open()?)
    } else {
        None
    };
    // Feed in chunks, as a pack arriving over the network would be.
    let mut reader: Box<dyn std::io::Read> = match (&args.pack, args.stdin) {
        (Some(path), false) => Box::new(
            std::fs::File::open(path)
                .with_context(|| format!("cannot open packfile '{}'", path.display()))?,
        ),
        (None, true) => Box::new(std::io::stdin().lock()),
        _ => bail!("usage: tabgit index-pack [-o <idx>] <pack> | --stdin"),
    };
    let mut chunk = vec![0u8; 1 << 16];
    loop {
        let n = reader.read(&mut chunk).context("cannot read the pack")?;
        if n == 0 {
            break;
        }
        indexer.feed(&chunk[..n])?;
    }
    let outcome = match &repo {
        Some(repo) if args.fix_thin => indexer.finish(repo.odb(), &mut |_| {})?,
        _ => indexer.finish(&NoThinBases, &mut |_| {})?,
    };
    if args.stdin {
        let repo = repo.as_ref().expect("opened for --stdin");
        repo.odb()
            .add_pack(outcome.pack, &outcome.index, &outcome.pack_checksum)?;
        println!("pack\t{}", outcome.pack_checksum);
        return Ok(ExitCode::SUCCESS);
    }
    let pack_path = args.pack.as_ref().expect("checked above");
    let idx_path = args
        .output
        .clone()
        .unwrap_or_else(|| pack_path.with_extension("idx"));
    if outcome.n_thin_bases > 0 {
        std::fs::write(pack_path, outcome.pack.to_vec())
            .with_context(|| format!("cannot rewrite {}", pack_path.display()))?;
    }
    std::fs::write(&idx_path, &outcome.index)
        .with_context(|| format!("cannot write {}", idx_path.display()))?;
    println!("{}", outcome.pack_checksum);
    Ok(ExitCode::SUCCESS)
}
