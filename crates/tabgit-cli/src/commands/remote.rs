//! `tabgit remote`: list, add and remove remotes.

use std::process::ExitCode;

use anyhow::bail;

/// Arguments of `tabgit remote`.
#[derive(clap::Args)]
pub struct Args {
    /// Show URLs.
    #[arg(short, long)]
    verbose: bool,
    #[command(subcommand)]
    action: Option<Action>,
}

/// What to do.
#[derive(clap::Subcommand)]
pub enum Action {
    /// Add a remote.
    Add {
        /// Its name.
        name: String,
        /// Its URL.
        url: String,
    },
    /// Remove a remote and its remote-tracking refs.
    #[command(alias = "rm")]
    Remove {
        /// Its name.
        name: String,
    },
}

/// Run the command.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let mut repo = crate::repo::open()?;
    match &args.action {
        None => {
            for name in repo.config().subsections("remote") {
                let name = String::from_utf8_lossy(name).into_owned();
                if args.verbose {
                    let url = repo
                        .config()
                        .get("remote", Some(name.as_bytes()), "url")
                        .map(|u| String::from_utf8_lossy(u).into_owned())
                        .unwrap_or_default();
                    println!("{name}\t{url} (fetch)\n{name}\t{url} (push)");
                } else {
                    println!("{name}");
                }
            }
        }
        Some(Action::Add { name, url }) => {
            tabgit_refs::name::check(
                format!("refs/remotes/{name}/x").as_bytes(),
                tabgit_refs::name::Options::default(),
            )
            .map_err(|_| anyhow::anyhow!("'{name}' is not a valid remote name"))?;
            if repo
                .config()
                .get("remote", Some(name.as_bytes()), "url")
                .is_some()
            {
                bail!("remote {name} already exists.");
            }
            tabgit_transport::Url::parse(url)?;
            let fetch = format!("+refs/heads/*:refs/remotes/{name}/*");
            repo.edit_config(|config| {
                config.set("remote", Some(name.as_bytes()), "url", url.as_bytes())?;
                config.set("remote", Some(name.as_bytes()), "fetch", fetch.as_bytes())
            })?;
        }
        Some(Action::Remove { name }) => {
            if repo
                .config()
                .get("remote", Some(name.as_bytes()), "url")
                .is_none()
            {
                bail!("No such remote: '{name}'");
            }
            let prefix = format!("refs/remotes/{name}/");
            let edits: Vec<_> = repo
                .refs()
                .list(prefix.as_bytes())?
                .into_iter()
                .map(|entry| tabgit_store::refs::RefEdit {
                    name: entry.name,
                    change: tabgit_store::refs::Change::Delete,
                    expected: tabgit_store::refs::Expected::Any,
                    log: None,
                })
                .collect();
            if !edits.is_empty() {
                repo.refs().commit(&edits)?;
            }
            let section = name.clone();
            repo.edit_config(|config| {
                config
                    .remove_section("remote", Some(section.as_bytes()))
                    .map(drop)
            })?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
