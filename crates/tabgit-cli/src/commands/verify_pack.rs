//! `tabgit verify-pack`: check packs against their indexes and describe their objects.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use tabgit_pack::bundle::Limits;
use tabgit_pack::{Bundle, Index};

/// Arguments of `tabgit verify-pack`.
#[derive(clap::Args)]
pub struct Args {
    /// List every object, then a histogram of delta chain lengths.
    #[arg(short = 'v', long)]
    verbose: bool,
    /// Only print the statistics.
    #[arg(short = 's', long = "stat-only")]
    stat_only: bool,
    /// `.idx` (or `.pack`) files.
    #[arg(required = true)]
    packs: Vec<PathBuf>,
}

/// Run the command.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    for path in &args.packs {
        let idx_path = path.with_extension("idx");
        let pack_path = path.with_extension("pack");
        let index = Index::from_bytes(
            std::fs::read(&idx_path)
                .with_context(|| format!("cannot read {}", idx_path.display()))?,
        )?;
        let data = std::fs::read(&pack_path)
            .with_context(|| format!("cannot read {}", pack_path.display()))?;
        let bundle = Bundle::new(data, index, Limits::default())?;
        bundle.verify()?;
        if args.verbose || args.stat_only {
            let mut chains: BTreeMap<usize, usize> = BTreeMap::new();
            let mut non_delta = 0usize;
            for entry in bundle.entries()? {
                if !args.stat_only {
                    print!(
                        "{} {:<6} {} {} {}",
                        entry.id,
                        entry.kind.as_str(),
                        entry.size,
                        entry.packed_size,
                        entry.offset
                    );
                }
                match entry.delta {
                    Some((depth, base)) => {
                        if !args.stat_only {
                            print!(" {depth} {base}");
                        }
                        *chains.entry(depth).or_default() += 1;
                    }
                    None => non_delta += 1,
                }
                if !args.stat_only {
                    println!();
                }
            }
            println!(
                "non delta: {non_delta} object{}",
                if non_delta == 1 { "" } else { "s" }
            );
            for (depth, count) in chains {
                println!(
                    "chain length = {depth}: {count} object{}",
                    if count == 1 { "" } else { "s" }
                );
            }
        }
        if args.verbose {
            println!("{}: ok", pack_path.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}
