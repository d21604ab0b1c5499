//! `tabgit branch`: list, create, delete and rename branches; set upstreams.

use std::process::ExitCode;

use tabgit_repo::branch;

use crate::commands::workdir;
use crate::repo::{identity, Role};

/// Arguments of `tabgit branch`.
#[derive(clap::Args)]
pub struct Args {
    /// Delete a fully merged branch.
    #[arg(short = 'd', long = "delete")]
    delete: bool,
    /// Delete a branch even if not merged.
    #[arg(short = 'D')]
    force_delete: bool,
    /// Rename a branch.
    #[arg(short = 'm', long = "move")]
    rename: bool,
    /// Rename even if the new name exists.
    #[arg(short = 'M')]
    force_rename: bool,
    /// Reset an existing branch.
    #[arg(short = 'f', long = "force")]
    force: bool,
    /// Show the commit of each branch.
    #[arg(short = 'v', long = "verbose", action = clap::ArgAction::Count)]
    verbose: u8,
    /// Track this upstream.
    #[arg(short = 'u', long = "set-upstream-to")]
    set_upstream_to: Option<String>,
    /// Stop tracking.
    #[arg(long = "unset-upstream")]
    unset_upstream: bool,
    /// Print the current branch.
    #[arg(long = "show-current")]
    show_current: bool,
    /// List (the default without names).
    #[arg(short = 'l', long = "list")]
    list: bool,
    /// Set up tracking when creating from a remote-tracking branch (the default).
    #[arg(short = 't', long = "track")]
    track: bool,
    /// Do not set up tracking.
    #[arg(long = "no-track")]
    no_track: bool,
    /// Branch names (and a start point when creating).
    names: Vec<String>,
}

fn current_branch(repo: &crate::repo::Repo) -> anyhow::Result<Option<Vec<u8>>> {
    Ok(match repo.head()? {
        tabgit_store::refs::Head::Branch { name, .. } => Some(name),
        tabgit_store::refs::Head::Detached(_) => None,
    })
}

fn short(name: &[u8]) -> Vec<u8> {
    name.strip_prefix(b"refs/heads/").unwrap_or(name).to_vec()
}

/// Run the command.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let mut repo = crate::repo::open()?;
    if args.show_current {
        if let Some(name) = current_branch(&repo)? {
            workdir::print_bytes(&[short(&name), b"\n".to_vec()].concat())?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    if args.delete || args.force_delete {
        let mut code = ExitCode::SUCCESS;
        for name in &args.names {
            match branch::delete(&mut repo, name.as_bytes(), args.force_delete || args.force) {
                Ok(id) => {
                    let abbrev = crate::commands::unique_abbrev(
                        &repo,
                        &id,
                        crate::commands::default_abbrev(&repo)?,
                    )?;
                    println!("Deleted branch {name} (was {abbrev}).");
                }
                Err(branch::Error::NotFullyMerged { .. }) => {
                    eprintln!("error: the branch '{name}' is not fully merged\nhint: If you are sure you want to delete it, run 'git branch -D {name}'");
                    code = ExitCode::from(1);
                }
                Err(branch::Error::NotFound { .. }) => {
                    eprintln!("error: branch '{name}' not found");
                    code = ExitCode::from(1);
                }
                Err(err) => {
                    eprintln!("error: {err}");
                    code = ExitCode::from(1);
                }
            }
        }
        return Ok(code);
    }
    let committer = identity(&repo, Role::Committer)?;
    if args.rename || args.force_rename {
        let (old, new) = match args.names.as_slice() {
            [new] => (
                current_branch(&repo)?
                    .map(|n| short(&n))
                    .ok_or(branch::Error::Detached)?,
                new.clone(),
            ),
            [old, new] => (old.as_bytes().to_vec(), new.clone()),
            _ => anyhow::bail!("branch name required"),
        };
        branch::rename(
            &mut repo,
            &old,
            new.as_bytes(),
            args.force_rename || args.force,
            &committer,
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(upstream) = &args.set_upstream_to {
        let name = match args.names.first() {
            Some(name) => name.as_bytes().to_vec(),
            None => current_branch(&repo)?
                .map(|n| short(&n))
                .ok_or(branch::Error::Detached)?,
        };
        let full = repo.dwim_ref(upstream.as_bytes())?.ok_or_else(|| {
            anyhow::anyhow!("the requested upstream branch '{upstream}' does not exist")
        })?;
        branch::set_upstream(&mut repo, &name, &full)?;
        println!(
            "branch '{}' set up to track '{}'.",
            String::from_utf8_lossy(&name),
            workdir::short_ref(&full)
        );
        return Ok(ExitCode::SUCCESS);
    }
    if args.unset_upstream {
        let name = match args.names.first() {
            Some(name) => name.as_bytes().to_vec(),
            None => current_branch(&repo)?
                .map(|n| short(&n))
                .ok_or(branch::Error::Detached)?,
        };
        branch::unset_upstream(&mut repo, &name)?;
        return Ok(ExitCode::SUCCESS);
    }
    if args.names.is_empty() || args.list {
        let branches = branch::list(&repo)?;
        let width = branches
            .iter()
            .map(|b| short(&b.name).len())
            .max()
            .unwrap_or(0);
        let abbrev = crate::commands::default_abbrev(&repo)?;
        let mut out = Vec::new();
        if current_branch(&repo)?.is_none() {
            if let Some(id) = repo.head()?.id() {
                let hex = crate::commands::unique_abbrev(&repo, &id, abbrev)?;
                out.extend_from_slice(format!("* (HEAD detached at {hex})\n").as_bytes());
            }
        }
        for b in branches {
            out.extend_from_slice(if b.is_head { b"* " } else { b"  " });
            let name = short(&b.name);
            out.extend_from_slice(&name);
            if args.verbose > 0 {
                out.extend(std::iter::repeat_n(b' ', width - name.len() + 1));
                let hex = crate::commands::unique_abbrev(&repo, &b.commit_id, abbrev)?;
                let (_, data) = repo.object(&b.commit_id)?;
                let subject = tabgit_object::CommitRef::from_bytes(&data)
                    .map(|c| c.summary().to_vec())
                    .unwrap_or_default();
                out.extend_from_slice(hex.as_bytes());
                out.push(b' ');
                out.extend_from_slice(&subject);
            }
            out.push(b'\n');
        }
        workdir::print_bytes(&out)?;
        return Ok(ExitCode::SUCCESS);
    }
    let name = &args.names[0];
    let start_name = args.names.get(1).map_or("HEAD", String::as_str);
    let start = repo.rev_parse(format!("{start_name}^{{commit}}").as_bytes())?;
    let start_ref = repo.dwim_ref(start_name.as_bytes())?;
    let track = match start_ref {
        Some(full)
            if !args.no_track
                && (full.starts_with(b"refs/remotes/")
                    || (args.track && full.starts_with(b"refs/heads/"))) =>
        {
            Some(full)
        }
        _ => None,
    };
    let options = branch::CreateOptions {
        force: args.force,
        track: track.clone(),
    };
    match branch::create(
        &mut repo,
        name.as_bytes(),
        start,
        start_name.as_bytes(),
        &options,
        &committer,
    ) {
        Ok(()) => {
            if let Some(full) = track {
                println!(
                    "branch '{name}' set up to track '{}'.",
                    workdir::short_ref(&full)
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(branch::Error::Exists { .. }) => {
            eprintln!("fatal: a branch named '{name}' already exists");
            Ok(ExitCode::from(128))
        }
        Err(err) => Err(err.into()),
    }
}
