//! `tabgit push`.

use std::process::ExitCode;

use anyhow::bail;
use tabgit_repo::remote::push::{self, Status};
use tabgit_store::refs::Head;
use tabgit_transport::native::NativeClient;

use crate::network::{self, ProgressPrinter};
use crate::repo::{identity, Role};

/// Arguments of `tabgit push`.
#[derive(clap::Args)]
pub struct Args {
    /// Update even if it is not a fast-forward.
    #[arg(short, long)]
    force: bool,
    /// Delete the named remote refs.
    #[arg(short, long)]
    delete: bool,
    /// Also push every tag.
    #[arg(long)]
    tags: bool,
    /// Set the upstream of the pushed branch.
    #[arg(short = 'u', long = "set-upstream")]
    set_upstream: bool,
    /// All refs or none.
    #[arg(long)]
    atomic: bool,
    /// A push option for the server's hooks.
    #[arg(short = 'o', long = "push-option")]
    push_options: Vec<String>,
    /// Print nothing but errors.
    #[arg(short, long)]
    quiet: bool,
    /// The remote, then refspecs (`main`, `HEAD:refs/heads/x`, `+topic`, `:gone`).
    operands: Vec<String>,
}

/// Run the command.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let mut repo = crate::repo::open()?;
    let (remote, specs) = match args.operands.split_first() {
        Some((remote, specs)) => (remote.clone(), specs.to_vec()),
        None => (crate::commands::fetch::default_remote(&repo)?, Vec::new()),
    };
    let mut ref_specs = Vec::new();
    // What the user named as each destination's source, for the report (`main -> main`).
    let mut sources: std::collections::HashMap<Vec<u8>, String> = Default::default();
    let mut texts = specs;
    if texts.is_empty() && !args.tags {
        let Head::Branch { name, .. } = repo.head()? else {
            bail!("You are not currently on a branch.")
        };
        texts.push(String::from_utf8_lossy(&name).into_owned());
    }
    for text in &texts {
        let (force, text) = match text.strip_prefix('+') {
            Some(rest) => (true, rest),
            None => (args.force, text.as_str()),
        };
        let (source, destination) = match text.split_once(':') {
            Some((s, d)) => (s.to_owned(), d.to_owned()),
            None if args.delete => (String::new(), text.to_owned()),
            None => (text.to_owned(), text.to_owned()),
        };
        let destination = full_remote_name(&repo, &source, &destination)?;
        if !source.is_empty() {
            sources.insert(destination.clone(), source.clone());
        }
        let source = if source.is_empty() {
            None
        } else {
            Some(repo.rev_parse(source.as_bytes())?)
        };
        ref_specs.push(push::RefSpec {
            source,
            destination,
            force,
        });
    }
    if args.tags {
        for entry in repo.refs().list(b"refs/tags/")? {
            if let Some(id) = entry.target.object_id() {
                sources.insert(
                    entry.name.clone(),
                    String::from_utf8_lossy(tabgit_refs::name::short_name(&entry.name))
                        .into_owned(),
                );
                ref_specs.push(push::RefSpec {
                    source: Some(id),
                    destination: entry.name,
                    force: args.force,
                });
            }
        }
    }
    let (name, url) = network::remote_url(Some(&repo), &remote)?;
    let options = push::Options {
        specs: ref_specs,
        atomic: args.atomic,
        push_options: args.push_options.clone(),
        remote_name: name.clone(),
        committer: identity(&repo, Role::Committer)?,
    };
    let client = NativeClient::default();
    let mut session = network::session(&client, url.clone());
    let mut printer = ProgressPrinter::new(args.quiet);
    let outcome = network::run(push::push(&repo, &mut session, &options, &mut |p| {
        printer.show(p);
    }));
    printer.finish();
    let outcome = outcome?;
    if !args.quiet || !outcome.is_success() {
        eprintln!("To {url}");
        for r in &outcome.refs {
            let short =
                String::from_utf8_lossy(tabgit_refs::name::short_name(&r.name)).into_owned();
            // git's `src -> dst`; the source as the user named it.
            let from = sources
                .get(&r.name)
                .map(|s| format!("{s} "))
                .unwrap_or_default();
            let line = match &r.status {
                Status::Ok if r.new.is_none() => format!(" - [deleted]         {short}"),
                Status::Ok if r.old.is_none() => format!(" * [new branch]      {from}-> {short}"),
                Status::Ok => format!(
                    "   {}..{}  {from}-> {short}",
                    r.old.map(|o| o.to_hex_short(7)).unwrap_or_default(),
                    r.new.map(|n| n.to_hex_short(7)).unwrap_or_default()
                ),
                Status::UpToDate => format!(" = [up to date]      {from}-> {short}"),
                Status::RejectedLocally { reason } => {
                    let word = reason.split(':').next().unwrap_or(reason);
                    format!(" ! [rejected]        {from}-> {short} ({word})")
                }
                Status::Rejected { reason, .. } => {
                    format!(" ! [remote rejected] {from}-> {short} ({reason})")
                }
                Status::Unknown { applied } => format!(
                    " ? [{}]  {from}-> {short}",
                    if *applied {
                        "updated, report lost"
                    } else {
                        "not updated, report lost"
                    }
                ),
            };
            eprintln!("{line}");
        }
        if let Some(error) = &outcome.unpack_error {
            eprintln!("error: remote unpack failed: {error}");
        }
    }
    if args.set_upstream && outcome.is_success() {
        for r in &outcome.refs {
            if let Some(branch) = r.name.strip_prefix(b"refs/heads/") {
                let branch = branch.to_vec();
                let remote_name = name.clone();
                let merge = r.name.clone();
                repo.edit_config(|config| {
                    config.set("branch", Some(&branch), "remote", remote_name.as_bytes())?;
                    config.set("branch", Some(&branch), "merge", &merge)
                })?;
            }
        }
    }
    if !outcome.is_success() {
        eprintln!("error: failed to push some refs to '{url}'");
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

/// The full remote ref a push destination names: `main` → `refs/heads/main` (or a tag if the
/// source is a tag).
fn full_remote_name(
    repo: &crate::repo::Repo,
    source: &str,
    destination: &str,
) -> anyhow::Result<Vec<u8>> {
    if destination.starts_with("refs/") {
        return Ok(destination.as_bytes().to_vec());
    }
    if destination == "HEAD" {
        bail!("pushing to HEAD needs a branch name: use <src>:refs/heads/<branch>");
    }
    let is_tag = !source.is_empty()
        && repo
            .dwim_ref(source.as_bytes())?
            .is_some_and(|full| full.starts_with(b"refs/tags/"));
    Ok(if is_tag {
        format!("refs/tags/{destination}")
    } else {
        format!("refs/heads/{destination}")
    }
    .into_bytes())
}
