//! `tabgit switch`: switch branches (or detach), carrying local changes.

use std::process::ExitCode;

use tabgit_repo::switch::{self, Blocker, NewBranch, Target};

use crate::commands::workdir;
use crate::repo::{identity, Repo, Role};

/// Arguments of `tabgit switch`.
#[derive(clap::Args)]
pub struct Args {
    /// Create a new branch and switch to it.
    #[arg(short = 'c', long = "create")]
    create: Option<String>,
    /// Create or reset a branch and switch to it.
    #[arg(long = "force-create")]
    force_create: Option<String>,
    /// Detach HEAD at the commit.
    #[arg(short = 'd', long = "detach")]
    detach: bool,
    /// Throw away local changes.
    #[arg(short = 'f', long = "discard-changes", alias = "force")]
    force: bool,
    /// Print nothing.
    #[arg(short = 'q', long = "quiet")]
    quiet: bool,
    /// The branch (or start point with -c, commit with --detach).
    target: Option<String>,
}

/// What a switch or checkout of a commit asks for.
pub struct Request<'a> {
    /// The branch or revision.
    pub target: &'a str,
    /// A branch to create.
    pub create: Option<(&'a str, bool)>,
    /// Detach even if `target` is a branch.
    pub detach: bool,
    /// Throw away local changes.
    pub force: bool,
    /// Print nothing.
    pub quiet: bool,
}

/// Print a refusal as git does.
fn report(err: &switch::Error) -> ExitCode {
    match err {
        switch::Error::WouldOverwrite { blocker, paths } => {
            let (head, tail) = match blocker {
                Blocker::LocalChanges => (
                    "Your local changes to the following files would be overwritten by checkout:",
                    "Please commit your changes or stash them before you switch branches.",
                ),
                Blocker::UntrackedOverwritten => (
                    "The following untracked working tree files would be overwritten by checkout:",
                    "Please move or remove them before you switch branches.",
                ),
                Blocker::UntrackedRemoved => (
                    "The following untracked working tree files would be removed by checkout:",
                    "Please move or remove them before you switch branches.",
                ),
            };
            eprintln!("error: {head}");
            for path in paths {
                eprintln!("\t{}", String::from_utf8_lossy(path));
            }
            eprintln!("{tail}\nAborting");
            ExitCode::from(1)
        }
        switch::Error::Unmerged { paths } => {
            for path in paths {
                eprintln!("{}: needs merge", String::from_utf8_lossy(path));
            }
            eprintln!("error: you need to resolve your current index first");
            ExitCode::from(1)
        }
        other => {
            eprintln!("fatal: {other}");
            ExitCode::from(128)
        }
    }
}

/// The branch `HEAD` was on before the last checkout (`@{-1}`, `-`), if it was a branch.
fn previous_branch(repo: &Repo) -> anyhow::Result<Option<String>> {
    for line in repo.refs().reflog(b"HEAD")?.iter().rev() {
        if let Some(rest) = line.message.strip_prefix(b"checkout: moving from ") {
            if let Some(at) = rest.windows(4).position(|w| w == b" to ") {
                return Ok(Some(String::from_utf8_lossy(&rest[..at]).into_owned()));
            }
        }
    }
    Ok(None)
}

/// The remote-tracking branch `refs/remotes/<remote>/<name>` if exactly one remote has one.
fn unique_remote_branch(repo: &Repo, name: &str) -> anyhow::Result<Option<Vec<u8>>> {
    let mut found = Vec::new();
    for remote in repo.config().subsections("remote") {
        let full = [b"refs/remotes/".as_slice(), remote, b"/", name.as_bytes()].concat();
        if tabgit_refs::name::is_valid(&full, tabgit_refs::name::Options::default())
            && repo.refs().resolve(&full)?.1.is_some()
        {
            found.push(full);
        }
    }
    Ok(if found.len() == 1 { found.pop() } else { None })
}

/// Switch as `request` says (shared by `switch` and `checkout`).
pub fn perform(repo: &mut Repo, request: &Request<'_>) -> anyhow::Result<ExitCode> {
    let committer = identity(repo, Role::Committer)?;
    let previous_name = if request.target == "-" || request.target == "@{-1}" {
        previous_branch(repo)?
    } else {
        None
    };
    let target_arg = previous_name.as_deref().unwrap_or(request.target);
    let request = &Request {
        target: target_arg,
        ..*request
    };
    let mut full_branch = b"refs/heads/".to_vec();
    full_branch.extend_from_slice(request.target.as_bytes());
    let is_branch = tabgit_refs::name::is_valid_branch_name(request.target.as_bytes())
        && repo.refs().resolve(&full_branch)?.1.is_some();
    let previous_branch = match repo.head()? {
        tabgit_store::refs::Head::Branch { name, .. } => Some(name),
        tabgit_store::refs::Head::Detached(_) => None,
    };
    let mut create = None;
    let remote_branch = if request.create.is_none() && !is_branch && !request.detach {
        unique_remote_branch(repo, request.target)?
    } else {
        None
    };
    let target = if let Some((name, force)) = request.create {
        let Ok(start) = repo.rev_parse(format!("{}^{{commit}}", request.target).as_bytes()) else {
            eprintln!(
                "fatal: '{}' is not a commit and a branch '{name}' cannot be created from it",
                request.target
            );
            return Ok(ExitCode::from(128));
        };
        let track = repo
            .dwim_ref(request.target.as_bytes())?
            .filter(|full| full.starts_with(b"refs/remotes/"));
        create = Some(NewBranch {
            name: name.as_bytes().to_vec(),
            start,
            start_name: request.target.as_bytes().to_vec(),
            force,
            track,
        });
        Target::Branch(name.as_bytes().to_vec())
    } else if is_branch && !request.detach {
        Target::Branch(request.target.as_bytes().to_vec())
    } else if let Some(remote) = remote_branch {
        // `git switch <name>` with only `<remote>/<name>`: create a branch tracking it.
        let start = repo
            .refs()
            .resolve(&remote)?
            .1
            .ok_or_else(|| anyhow::anyhow!("remote branch vanished"))?;
        create = Some(NewBranch {
            name: request.target.as_bytes().to_vec(),
            start,
            start_name: workdir::short_ref(&remote).into_bytes(),
            force: false,
            track: Some(remote),
        });
        Target::Branch(request.target.as_bytes().to_vec())
    } else {
        let Ok(id) = repo.rev_parse(format!("{}^{{commit}}", request.target).as_bytes()) else {
            eprintln!("fatal: invalid reference: {}", request.target);
            return Ok(ExitCode::from(128));
        };
        Target::Detached(id)
    };
    let context = switch::Context {
        committer,
        target_name: request.target.as_bytes().to_vec(),
    };
    let created = create.as_ref().map(|c| c.name.clone());
    let tracking = create.as_ref().and_then(|c| c.track.clone());
    let options = switch::Options {
        force: request.force,
        create,
        index_mtime: workdir::index_mtime(repo),
    };
    let outcome = match switch::switch(&mut repo.inner, &target, &context, &options) {
        Ok(outcome) => outcome,
        Err(err) => return Ok(report(&err)),
    };
    if request.quiet {
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = Vec::new();
    for path in &outcome.carried {
        out.extend_from_slice(b"M\t");
        out.extend_from_slice(path);
        out.push(b'\n');
    }
    if let (Some(full), Some(name)) = (&tracking, &created) {
        out.extend_from_slice(
            format!(
                "branch '{}' set up to track '{}'.\n",
                String::from_utf8_lossy(name),
                workdir::short_ref(full)
            )
            .as_bytes(),
        );
    }
    workdir::print_bytes(&out)?;
    match (&target, created) {
        (Target::Branch(name), Some(_)) => {
            eprintln!(
                "Switched to a new branch '{}'",
                String::from_utf8_lossy(name)
            );
        }
        (Target::Branch(name), None) => {
            let mut full = b"refs/heads/".to_vec();
            full.extend_from_slice(name);
            if previous_branch.as_deref() == Some(full.as_slice()) {
                eprintln!("Already on '{}'", String::from_utf8_lossy(name));
            } else {
                eprintln!("Switched to branch '{}'", String::from_utf8_lossy(name));
            }
        }
        (Target::Detached(id), _) => {
            let abbrev =
                crate::commands::unique_abbrev(repo, id, crate::commands::default_abbrev(repo)?)?;
            let (_, data) = repo.object(id)?;
            let subject = tabgit_object::CommitRef::from_bytes(&data)
                .map(|c| String::from_utf8_lossy(c.summary()).into_owned())
                .unwrap_or_default();
            eprintln!("HEAD is now at {abbrev} {subject}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Run the command.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let mut repo = crate::repo::open()?;
    workdir::require_worktree(&repo)?;
    let (create, target) = match (&args.create, &args.force_create) {
        (Some(name), _) => (
            Some((name.as_str(), false)),
            args.target.as_deref().unwrap_or("HEAD"),
        ),
        (None, Some(name)) => (
            Some((name.as_str(), true)),
            args.target.as_deref().unwrap_or("HEAD"),
        ),
        (None, None) => match args.target.as_deref() {
            Some(target) => (None, target),
            None => anyhow::bail!("missing branch or commit argument"),
        },
    };
    perform(
        &mut repo,
        &Request {
            target,
            create,
            detach: args.detach,
            force: args.force,
            quiet: args.quiet,
        },
    )
}
