//! `tabgit write-tree`: store the index as tree objects and print the root.

use std::process::ExitCode;

/// Arguments of `tabgit write-tree`.
#[derive(clap::Args)]
pub struct Args {}

/// Run the command.
pub fn run(_args: &Args) -> anyhow::Result<ExitCode> {
    let mut repo = crate::repo::open()?;
    let index = repo.index()?;
    let outcome = {
        let odb = &mut OdbWriter(&repo);
        tabgit_index::write_tree(&index, odb)?
    };
    let _ = &mut repo;
    println!("{}", outcome.tree_id);
    Ok(ExitCode::SUCCESS)
}

/// Writes objects through the repository's object database.
pub struct OdbWriter<'a>(pub &'a crate::repo::Repo);

impl tabgit_object::Write for OdbWriter<'_> {
    fn write(
        &mut self,
        kind: tabgit_object::Kind,
        data: &[u8],
    ) -> Result<tabgit_hash::ObjectId, tabgit_object::find::Error> {
        Ok(self.0.odb().write_loose(kind, data)?)
    }
}
