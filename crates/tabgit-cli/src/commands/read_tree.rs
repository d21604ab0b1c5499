//! `tabgit read-tree`: replace the index with a tree (optionally updating the working tree).

use std::process::ExitCode;

use anyhow::bail;

/// Arguments of `tabgit read-tree`.
#[derive(clap::Args)]
pub struct Args {
    /// Also write the tree's files into the working tree.
    #[arg(short = 'u')]
    update: bool,
    /// Accepted for compatibility with `read-tree --reset -u`.
    #[arg(long)]
    reset: bool,
    /// The tree (or commit).
    tree: String,
}

/// Run the command.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let repo = crate::repo::open()?;
    let tree = repo.rev_parse(format!("{}^{{tree}}", args.tree).as_bytes())?;
    let state = if args.update {
        if repo.is_bare() {
            bail!("-u needs a working tree");
        }
        repo.checkout_tree(tree, &mut |_, _| {})?
    } else {
        repo.index_from_tree(tree)?
    };
    repo.write_index(&state)?;
    Ok(ExitCode::SUCCESS)
}
