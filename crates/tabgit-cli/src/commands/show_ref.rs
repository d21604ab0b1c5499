//! `tabgit show-ref`: list refs and their ids.

use std::io::Write as _;
use std::process::ExitCode;

use anyhow::bail;
use tabgit_object::{Kind, TagRef};

/// Arguments of `tabgit show-ref`.
#[derive(clap::Args)]
pub struct Args {
    /// Only branches.
    #[arg(long)]
    heads: bool,
    /// Only tags.
    #[arg(long)]
    tags: bool,
    /// Also show what annotated tags point at, as `<ref>^{}`.
    #[arg(short, long)]
    dereference: bool,
    /// Show only the full refs given, failing if one is missing.
    #[arg(long)]
    verify: bool,
    /// Print nothing; only the exit status says whether the refs exist.
    #[arg(short, long)]
    quiet: bool,
    /// Refs to show (full names with --verify, else patterns matching the end of names).
    patterns: Vec<String>,
}

/// Run the command.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let repo = crate::repo::open()?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut shown = 0usize;
    let mut entries = Vec::new();
    if args.verify {
        for name in &args.patterns {
            match repo.refs().resolve(name.as_bytes())?.1 {
                Some(id) if name.starts_with("refs/") || name == "HEAD" => {
                    entries.push((name.as_bytes().to_vec(), id, None));
                }
                _ => {
                    if args.quiet {
                        return Ok(ExitCode::from(1));
                    }
                    bail!("'{name}' - not a valid ref");
                }
            }
        }
    } else {
        for entry in repo.refs().list(b"refs/")? {
            let Some(id) = entry
                .target
                .object_id()
                .or(repo.refs().resolve(&entry.name)?.1)
            else {
                continue;
            };
            entries.push((entry.name, id, entry.peeled));
        }
    }
    for (name, id, peeled) in entries {
        if !args.verify {
            let category_ok = (!args.heads && !args.tags)
                || (args.heads && name.starts_with(b"refs/heads/"))
                || (args.tags && name.starts_with(b"refs/tags/"));
            let pattern_ok = args.patterns.is_empty()
                || args
                    .patterns
                    .iter()
                    .any(|p| name == p.as_bytes() || name.ends_with(format!("/{p}").as_bytes()));
            if !category_ok || !pattern_ok {
                continue;
            }
        }
        shown += 1;
        if args.quiet {
            continue;
        }
        writeln!(out, "{id} {}", String::from_utf8_lossy(&name))?;
        if args.dereference {
            let peeled = if let Some(p) = peeled {
                Some(p)
            } else {
                let (kind, data) = repo.object(&id)?;
                if kind == Kind::Tag {
                    let mut target = TagRef::from_bytes(&data)?.target;
                    loop {
                        let (kind, data) = repo.object(&target)?;
                        if kind != Kind::Tag {
                            break;
                        }
                        target = TagRef::from_bytes(&data)?.target;
                    }
                    Some(target)
                } else {
                    None
                }
            };
            if let Some(peeled) = peeled {
                writeln!(out, "{peeled} {}^{{}}", String::from_utf8_lossy(&name))?;
            }
        }
    }
    out.flush()?;
    Ok(if shown > 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
