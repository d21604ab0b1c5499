//! One module per command, each with clap `Args` and a `run` function.

pub mod cat_file;
pub mod hash_object;
pub mod index_pack;
pub mod init;
pub mod ls_tree;
pub mod verify_pack;

use anyhow::{bail, Context as _};
use tabgit_hash::{ObjectId, Prefix};
use tabgit_pack::index::PrefixLookup;

use crate::repo::Repo;

/// Resolve an object name a user typed: a full or abbreviated id (revision syntax comes with
/// refs).
pub fn resolve(repo: &Repo, name: &str) -> anyhow::Result<ObjectId> {
    if let Ok(id) = ObjectId::from_hex(name.as_bytes()) {
        return Ok(id);
    }
    let prefix = Prefix::from_hex(name.as_bytes())
        .with_context(|| format!("not a valid object name {name}"))?;
    match repo.odb.lookup_prefix(&prefix)? {
        PrefixLookup::Unique(id) => Ok(id),
        PrefixLookup::Ambiguous => bail!("short object ID {name} is ambiguous"),
        PrefixLookup::None => bail!("not a valid object name {name}"),
    }
}
