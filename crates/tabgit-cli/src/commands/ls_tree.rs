//! `tabgit ls-tree`: list a tree's entries.

use std::io::Write as _;
use std::process::ExitCode;

use anyhow::bail;
use tabgit_object::{Kind, TreeRef};

use crate::repo::Repo;

/// Arguments of `tabgit ls-tree`.
#[derive(clap::Args)]
pub struct Args {
    /// Recurse into subtrees.
    #[arg(short = 'r')]
    recursive: bool,
    /// List only names.
    #[arg(long = "name-only")]
    name_only: bool,
    /// The tree (or commit).
    tree: String,
}

/// Run the command.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let repo = crate::repo::open()?;
    let id = crate::commands::resolve(&repo, &args.tree)?;
    let mut buf = Vec::new();
    let tree_id = match repo.odb().find(&id, &mut buf)? {
        Some(Kind::Tree) => id,
        Some(Kind::Commit) => tabgit_object::CommitRef::from_bytes(&buf)?.tree,
        _ => bail!("not a tree object"),
    };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    list(&repo, tree_id, args, &mut out)?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn list(
    repo: &Repo,
    tree_id: tabgit_hash::ObjectId,
    args: &Args,
    out: &mut impl std::io::Write,
) -> anyhow::Result<()> {
    /// One tree being listed: its owned bytes, the position of the next entry, its path prefix.
    struct Frame {
        entries: std::vec::IntoIter<tabgit_object::tree::Entry>,
        prefix: Vec<u8>,
    }
    let load = |tree_id: tabgit_hash::ObjectId, prefix: Vec<u8>| -> anyhow::Result<Frame> {
        let mut data = Vec::new();
        if repo.odb().find(&tree_id, &mut data)? != Some(Kind::Tree) {
            bail!("tree {tree_id} is missing");
        }
        Ok(Frame {
            entries: TreeRef::from_bytes(&data)?.to_owned().entries.into_iter(),
            prefix,
        })
    };
    // Iterative depth-first walk: deep trees cannot overflow the stack.
    let mut stack = vec![load(tree_id, Vec::new())?];
    while let Some(frame) = stack.last_mut() {
        let Some(entry) = frame.entries.next() else {
            stack.pop();
            continue;
        };
        let mut path = frame.prefix.clone();
        path.extend_from_slice(&entry.filename);
        if entry.mode.is_tree() && args.recursive {
            path.push(b'/');
            let sub = load(entry.oid, path)?;
            stack.push(sub);
        } else {
            print_entry(&entry, &path, args, out)?;
        }
    }
    Ok(())
}

fn print_entry(
    entry: &tabgit_object::tree::Entry,
    path: &[u8],
    args: &Args,
    out: &mut impl std::io::Write,
) -> anyhow::Result<()> {
    if !args.name_only {
        let kind = if entry.mode.is_tree() {
            "tree"
        } else if entry.mode.is_commit() {
            "commit"
        } else {
            "blob"
        };
        write!(out, "{} {kind} {}\t", entry.mode, entry.oid)?;
    }
    out.write_all(&crate::pretty::quote_path(path))?;
    out.write_all(b"\n")?;
    Ok(())
}
