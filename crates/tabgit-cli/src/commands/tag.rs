//! `tabgit tag`: create, list and delete tags.

use std::process::ExitCode;

use tabgit_repo::tag;

use crate::commands::workdir;
use crate::repo::{identity, Role};

/// Arguments of `tabgit tag`.
#[derive(clap::Args)]
pub struct Args {
    /// Make an annotated tag.
    #[arg(short = 'a', long = "annotate")]
    annotate: bool,
    /// The message (implies -a; repeatable: paragraphs).
    #[arg(short = 'm', long = "message")]
    messages: Vec<String>,
    /// Replace an existing tag.
    #[arg(short = 'f', long = "force")]
    force: bool,
    /// Delete tags.
    #[arg(short = 'd', long = "delete")]
    delete: bool,
    /// List tags.
    #[arg(short = 'l', long = "list")]
    list: bool,
    /// The tag name and the object to tag.
    names: Vec<String>,
}

/// Run the command.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let repo = crate::repo::open()?;
    if args.delete {
        let mut code = ExitCode::SUCCESS;
        for name in &args.names {
            match tag::delete(&repo, name.as_bytes()) {
                Ok(id) => {
                    let abbrev = crate::commands::unique_abbrev(
                        &repo,
                        &id,
                        crate::commands::default_abbrev(&repo)?,
                    )?;
                    println!("Deleted tag '{name}' (was {abbrev})");
                }
                Err(err) => {
                    eprintln!("error: {err}");
                    code = ExitCode::from(1);
                }
            }
        }
        return Ok(code);
    }
    if args.names.is_empty() || args.list {
        let mut out = Vec::new();
        for (name, _) in tag::list(&repo)? {
            out.extend_from_slice(&name);
            out.push(b'\n');
        }
        workdir::print_bytes(&out)?;
        return Ok(ExitCode::SUCCESS);
    }
    let name = &args.names[0];
    let target_name = args.names.get(1).map_or("HEAD", String::as_str);
    let target = repo.rev_parse(target_name.as_bytes())?;
    let annotation = if args.annotate || !args.messages.is_empty() {
        if args.messages.is_empty() {
            eprintln!("error: tabgit has no editor; give the tag message with -m");
            return Ok(ExitCode::from(1));
        }
        let raw = args.messages.join("\n\n");
        Some(tag::Annotation {
            tagger: identity(&repo, Role::Committer)?,
            message: tabgit_repo::commit::cleanup_message(raw.as_bytes(), None),
        })
    } else {
        None
    };
    let options = tag::Options {
        force: args.force,
        annotation,
    };
    match tag::create(&repo, name.as_bytes(), target, &options) {
        Ok(_) => Ok(ExitCode::SUCCESS),
        Err(tag::Error::Exists { .. }) => {
            eprintln!("fatal: tag '{name}' already exists");
            Ok(ExitCode::from(128))
        }
        Err(err) => Err(err.into()),
    }
}
