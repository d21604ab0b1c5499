//! `tabgit ls-remote`: list a remote's refs.

use std::process::ExitCode;

use tabgit_transport::native::NativeClient;

use crate::network;

/// Arguments of `tabgit ls-remote`.
#[derive(clap::Args)]
pub struct Args {
    /// Only branches.
    #[arg(long, alias = "branches")]
    heads: bool,
    /// Only tags.
    #[arg(short, long)]
    tags: bool,
    /// Show what HEAD and other symbolic refs point to.
    #[arg(long)]
    symref: bool,
    /// The remote name or URL.
    remote: String,
}

/// Run the command.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let repo = crate::repo::open().ok();
    let (_, url) = network::remote_url(repo.as_ref(), &args.remote)?;
    let client = NativeClient::default();
    let mut session = network::session(&client, url);
    let prefixes = match (args.heads, args.tags) {
        (true, false) => vec![b"refs/heads/".to_vec()],
        (false, true) => vec![b"refs/tags/".to_vec()],
        _ => Vec::new(),
    };
    let (_, refs) = network::run(tabgit_repo::remote::list_refs(&mut session, prefixes))?;
    for r in refs {
        let name = String::from_utf8_lossy(&r.name).into_owned();
        if (args.heads || args.tags)
            && !((args.heads && name.starts_with("refs/heads/"))
                || (args.tags && name.starts_with("refs/tags/")))
        {
            continue;
        }
        if args.symref {
            if let Some(target) = &r.symref_target {
                println!("ref: {}\t{name}", String::from_utf8_lossy(target));
            }
        }
        if let Some(id) = r.object_id {
            println!("{id}\t{name}");
        }
        if let Some(peeled) = r.peeled_id {
            println!("{peeled}\t{name}^{{}}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
