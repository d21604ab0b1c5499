//! `tabgit cat-file`: show objects, one at a time or in batches.

use std::io::{BufRead as _, Write as _};
use std::process::ExitCode;

use anyhow::bail;
use tabgit_object::{Kind, TreeRef};

use crate::repo::Repo;

/// Arguments of `tabgit cat-file`.
#[derive(clap::Args)]
pub struct Args {
    /// Show the object's type.
    #[arg(short = 't', conflicts_with_all = ["size", "pretty", "exists"])]
    kind: bool,
    /// Show the object's size.
    #[arg(short = 's')]
    size: bool,
    /// Pretty-print the object's content.
    #[arg(short = 'p')]
    pretty: bool,
    /// Exit with status 0 if the object exists and is valid.
    #[arg(short = 'e')]
    exists: bool,
    /// Print type, size and content of each object named on standard input.
    #[arg(long)]
    batch: bool,
    /// Print type and size of each object named on standard input.
    #[arg(long = "batch-check")]
    batch_check: bool,
    /// With --batch or --batch-check: every object in the repository instead of standard input.
    #[arg(long = "batch-all-objects")]
    batch_all_objects: bool,
    /// Accepted for compatibility: objects are listed in id order regardless.
    #[arg(long)]
    unordered: bool,
    /// The expected type, or the object when no option is given.
    operands: Vec<String>,
}

/// Run the command.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let repo = crate::repo::open()?;
    if args.batch || args.batch_check {
        return batch(&repo, args);
    }
    let mut buf = Vec::new();
    let (expected, name) = match args.operands.as_slice() {
        [name] => (None, name),
        [kind, name] if !(args.kind || args.size || args.pretty || args.exists) => {
            (Some(Kind::from_bytes(kind.as_bytes())?), name)
        }
        _ => bail!("usage: tabgit cat-file (-t | -s | -e | -p | <type>) <object>"),
    };
    let id = match crate::commands::resolve(&repo, name) {
        Ok(id) => id,
        Err(_) if args.exists => return Ok(ExitCode::from(1)),
        Err(err) => return Err(err),
    };
    let Some(kind) = repo.odb().find(&id, &mut buf)? else {
        if args.exists {
            return Ok(ExitCode::from(1));
        }
        bail!("Not a valid object name {name}");
    };
    let mut out = std::io::stdout().lock();
    if args.exists {
        return Ok(ExitCode::SUCCESS);
    } else if args.kind {
        writeln!(out, "{kind}")?;
    } else if args.size {
        writeln!(out, "{}", buf.len())?;
    } else if args.pretty {
        if kind == Kind::Tree {
            write_tree(&buf, &mut out)?;
        } else {
            out.write_all(&buf)?;
        }
    } else {
        if expected != Some(kind) {
            bail!("{name}: bad file");
        }
        out.write_all(&buf)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Write a tree the way `git cat-file -p` and `git ls-tree` do.
pub fn write_tree(data: &[u8], out: &mut impl std::io::Write) -> anyhow::Result<()> {
    for entry in TreeRef::from_bytes(data)?.entries {
        let kind = if entry.mode.is_tree() {
            "tree"
        } else if entry.mode.is_commit() {
            "commit"
        } else {
            "blob"
        };
        write!(out, "{} {kind} {}\t", entry.mode, entry.oid)?;
        out.write_all(&crate::pretty::quote_path(entry.filename))?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

fn batch(repo: &Repo, args: &Args) -> anyhow::Result<ExitCode> {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut buf = Vec::new();
    let mut emit = |name: &str, out: &mut dyn std::io::Write| -> anyhow::Result<()> {
        let found = match crate::commands::resolve(repo, name) {
            Ok(id) => repo.odb().find(&id, &mut buf)?.map(|kind| (id, kind)),
            Err(_) => None,
        };
        match found {
            Some((id, kind)) => {
                writeln!(out, "{id} {kind} {}", buf.len())?;
                if args.batch {
                    out.write_all(&buf)?;
                    out.write_all(b"\n")?;
                }
            }
            None => writeln!(out, "{name} missing")?,
        }
        Ok(())
    };
    if args.batch_all_objects {
        let mut ids = repo.odb().all_ids()?;
        ids.sort();
        ids.dedup();
        for id in ids {
            emit(&id.to_hex(), &mut out)?;
        }
    } else {
        for line in std::io::stdin().lock().lines() {
            let line = line?;
            emit(line.trim_end(), &mut out)?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
