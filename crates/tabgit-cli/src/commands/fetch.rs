//! `tabgit fetch` and `tabgit pull`.

use std::process::ExitCode;

use anyhow::bail;
use tabgit_refs::refspec::{Operation, RefSpec};
use tabgit_refs::Target;
use tabgit_repo::remote::fetch::{self, Tags};
use tabgit_store::refs::{Change, Expected, Head, LogEntry, RefEdit};
use tabgit_transport::native::NativeClient;

use crate::network::{self, ProgressPrinter};
use crate::repo::{identity, Repo, Role};

/// Arguments of `tabgit fetch`.
#[derive(clap::Args)]
pub struct Args {
    /// Delete remote-tracking refs whose branch is gone.
    #[arg(short, long)]
    prune: bool,
    /// Fetch every tag.
    #[arg(short, long)]
    tags: bool,
    /// Deepen or shorten a shallow history to N commits.
    #[arg(long)]
    depth: Option<u32>,
    /// Print nothing but errors.
    #[arg(short, long)]
    quiet: bool,
    /// The remote (default: the current branch's, else `origin`).
    remote: Option<String>,
}

/// The remote a command uses: given, else the current branch's, else `origin`.
pub fn default_remote(repo: &Repo) -> anyhow::Result<String> {
    if let Head::Branch { name, .. } = repo.head()? {
        let short = name.strip_prefix(b"refs/heads/").unwrap_or(&name);
        if let Some(remote) = repo.config().get("branch", Some(short), "remote") {
            return Ok(String::from_utf8_lossy(remote).into_owned());
        }
    }
    Ok("origin".into())
}

/// Fetch from `remote` and print what changed as git does.
pub fn fetch_remote(repo: &Repo, remote: &str, args: &Args) -> anyhow::Result<fetch::Outcome> {
    let (name, url) = network::remote_url(Some(repo), remote)?;
    let mut refspecs = Vec::new();
    for text in repo
        .config()
        .get_all("remote", Some(name.as_bytes()), "fetch")
    {
        refspecs.push(RefSpec::parse(text, Operation::Fetch)?);
    }
    if refspecs.is_empty() {
        refspecs.push(fetch::default_refspec(&name));
    }
    let options = fetch::Options {
        refspecs,
        tags: if args.tags { Tags::All } else { Tags::Follow },
        prune: args.prune,
        depth: args.depth,
        deepen_since: None,
        deepen_not: Vec::new(),
        filter: repo
            .config()
            .get("remote", Some(name.as_bytes()), "partialclonefilter")
            .map(|f| String::from_utf8_lossy(f).into_owned()),
        max_pack_bytes: None,
        committer: identity(repo, Role::Committer)?,
        remote_name: name.clone(),
        server_progress: !args.quiet && std::io::IsTerminal::is_terminal(&std::io::stderr()),
    };
    let client = NativeClient::default();
    let mut session = network::session(&client, url.clone());
    let mut printer = ProgressPrinter::new(args.quiet);
    let outcome = network::run(fetch::fetch(repo, &mut session, &options, &mut |p| {
        printer.show(p);
    }));
    printer.finish();
    let outcome = outcome?;
    if !args.quiet && !outcome.updates.is_empty() {
        eprintln!("From {url}");
        for update in &outcome.updates {
            let local =
                String::from_utf8_lossy(tabgit_refs::name::short_name(&update.local)).into_owned();
            match (update.old, update.new) {
                (None, Some(_)) => eprintln!(" * [new ref]         -> {local}"),
                (Some(old), Some(new)) => {
                    let sep = if update.forced { "..." } else { ".." };
                    let mark = if update.forced { "+" } else { " " };
                    eprintln!(
                        " {mark} {}{sep}{}  -> {local}",
                        old.to_hex_short(7),
                        new.to_hex_short(7)
                    );
                }
                (_, None) => eprintln!(" - [deleted]         (none) -> {local}"),
            }
        }
    }
    Ok(outcome)
}

/// Run `fetch`.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let repo = crate::repo::open()?;
    let remote = match &args.remote {
        Some(r) => r.clone(),
        None => default_remote(&repo)?,
    };
    fetch_remote(&repo, &remote, args)?;
    Ok(ExitCode::SUCCESS)
}

/// Arguments of `tabgit pull`.
#[derive(clap::Args)]
pub struct PullArgs {
    /// Print nothing but errors.
    #[arg(short, long)]
    quiet: bool,
    /// Only fast-forward (the only mode until merging lands).
    #[arg(long = "ff-only")]
    ff_only: bool,
    /// The remote.
    remote: Option<String>,
}

/// Run `pull`: fetch, then fast-forward the current branch to its upstream.
pub fn run_pull(args: &PullArgs) -> anyhow::Result<ExitCode> {
    let repo = crate::repo::open()?;
    let remote = match &args.remote {
        Some(r) => r.clone(),
        None => default_remote(&repo)?,
    };
    let fetch_args = Args {
        prune: false,
        tags: false,
        depth: None,
        quiet: args.quiet,
        remote: Some(remote),
    };
    fetch_remote(
        &repo,
        fetch_args.remote.as_deref().unwrap_or("origin"),
        &fetch_args,
    )?;
    let Head::Branch {
        name: branch,
        id: current,
    } = repo.head()?
    else {
        bail!("You are not currently on a branch.")
    };
    let upstream_name = repo.upstream_of(Some(&branch))?;
    let Some(upstream) = repo.refs().resolve(&upstream_name)?.1 else {
        bail!("no upstream commit to pull")
    };
    if current == Some(upstream) {
        println!("Already up to date.");
        return Ok(ExitCode::SUCCESS);
    }
    let mut graph = repo.graph()?;
    let fast_forward = match current {
        None => true,
        Some(current) => tabgit_revision::merge_base::is_ancestor(&mut graph, current, upstream)?,
    };
    if !fast_forward {
        bail!("Not possible to fast-forward: the branch and its upstream have diverged (merge or rebase them)");
    }
    let worktree_changes = crate::commands::fetch::checkout_fast_forward(&repo, current, upstream)?;
    let committer = identity(&repo, Role::Committer)?;
    repo.refs().commit(&[RefEdit {
        name: branch.clone(),
        change: Change::Set(Target::Object(upstream)),
        expected: current.map_or(Expected::Absent, Expected::Value),
        log: Some(LogEntry {
            committer,
            message: b"pull: Fast-forward".to_vec(),
        }),
    }])?;
    println!(
        "Updating {}..{}\nFast-forward ({worktree_changes} files)",
        current.map(|c| c.to_hex_short(7)).unwrap_or_default(),
        upstream.to_hex_short(7)
    );
    Ok(ExitCode::SUCCESS)
}

/// Move the working tree and index from `from` to `to` when the working tree is clean:
/// write changed and new files, remove deleted ones. Refuses if a tracked file has local
/// changes. Returns how many files changed.
pub fn checkout_fast_forward(
    repo: &Repo,
    from: Option<tabgit_hash::ObjectId>,
    to: tabgit_hash::ObjectId,
) -> anyhow::Result<usize> {
    let Some(worktree) = repo.worktree() else {
        return Ok(0);
    };
    let index = repo.index()?;
    // Refuse to overwrite local edits: every tracked file must match the index by content.
    for entry in &index {
        if let Some((_, data)) = worktree.read(&entry.path)? {
            if tabgit_object::compute_id(tabgit_object::Kind::Blob, &data) != entry.object_id {
                bail!("Your local changes to '{}' would be overwritten by the merge; commit or stash them first", String::from_utf8_lossy(&entry.path));
            }
        }
    }
    let new_tree = repo.rev_parse(format!("{to}^{{tree}}").as_bytes())?;
    let old_paths: std::collections::HashSet<Vec<u8>> = match from {
        Some(from) => {
            let old_tree = repo.rev_parse(format!("{from}^{{tree}}").as_bytes())?;
            repo.flatten_tree(old_tree)?
                .into_iter()
                .map(|(p, _, _)| p)
                .collect()
        }
        None => Default::default(),
    };
    let state = repo.checkout_tree(new_tree, &mut |_, _| {})?;
    let new_paths: std::collections::HashSet<Vec<u8>> =
        state.iter().map(|e| e.path.clone()).collect();
    for path in old_paths.difference(&new_paths) {
        worktree.remove(path)?;
    }
    repo.write_index(&state)?;
    Ok(old_paths.symmetric_difference(&new_paths).count() + new_paths.len())
}
