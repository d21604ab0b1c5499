//! `tabgit update-ref`: safely change a ref, with an optional expected old value.

use std::process::ExitCode;

use anyhow::bail;
use tabgit_refs::Target;
use tabgit_store::files::GitFiles as _;
use tabgit_store::refs::{Change, Expected, LogEntry, RefEdit};

use crate::repo::{identity, Role};

/// Arguments of `tabgit update-ref`.
#[derive(clap::Args)]
pub struct Args {
    /// Delete the ref.
    #[arg(short = 'd')]
    delete: bool,
    /// The reflog message.
    #[arg(short = 'm')]
    message: Option<String>,
    /// Update the ref itself even if it is a symbolic ref.
    #[arg(long = "no-deref")]
    no_deref: bool,
    /// The ref, then the new value (unless deleting), then optionally the expected old value.
    #[arg(required = true, num_args = 1..=3)]
    operands: Vec<String>,
}

/// Run the command.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let repo = crate::repo::open()?;
    let (name, new, old) = match (args.delete, args.operands.as_slice()) {
        (true, [name]) => (name, None, None),
        (true, [name, old]) => (name, None, Some(old)),
        (false, [name, new]) => (name, Some(new), None),
        (false, [name, new, old]) => (name, Some(new), Some(old)),
        _ => {
            bail!("usage: tabgit update-ref [-m <reason>] (-d <ref> [<old>] | <ref> <new> [<old>])")
        }
    };
    let target_name = if args.no_deref {
        name.as_bytes().to_vec()
    } else {
        repo.refs().resolve(name.as_bytes())?.0
    };
    let expected = match old {
        None => Expected::Any,
        Some(old) if old.is_empty() || old.bytes().all(|b| b == b'0') => Expected::Absent,
        Some(old) => Expected::Value(repo.rev_parse(old.as_bytes())?),
    };
    let change = match new {
        None => Change::Delete,
        Some(new) => Change::Set(Target::Object(repo.rev_parse(new.as_bytes())?)),
    };
    let logged = target_name == b"HEAD"
        || target_name.starts_with(b"refs/heads/")
        || target_name.starts_with(b"refs/remotes/")
        || target_name.starts_with(b"refs/notes/")
        || repo
            .files()
            .exists(&format!("logs/{}", String::from_utf8_lossy(&target_name)))?;
    let log = if logged && !args.delete {
        Some(LogEntry {
            committer: identity(&repo, Role::Committer)?,
            message: args.message.clone().unwrap_or_default().into_bytes(),
        })
    } else {
        None
    };
    repo.refs().commit(&[RefEdit {
        name: target_name,
        change,
        expected,
        log,
    }])?;
    Ok(ExitCode::SUCCESS)
}
