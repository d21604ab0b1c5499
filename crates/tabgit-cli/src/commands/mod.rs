//! One module per command, each with clap `Args` and a `run` function.

pub mod add;
pub mod blame;
pub mod branch;
pub mod cat_file;
pub mod checkout;
pub mod checkout_index;
pub mod cherry_pick;
pub mod clean;
pub mod clone;
pub mod commit;
pub mod commit_tree;
pub mod diff;
pub mod fetch;
pub mod hash_object;
pub mod index_pack;
pub mod init;
pub mod log;
pub mod ls_files;
pub mod ls_remote;
pub mod ls_tree;
pub mod merge;
pub mod mv;
pub mod push;
pub mod read_tree;
pub mod remote;
pub mod reset;
pub mod restore;
pub mod rev_list;
pub mod rev_parse;
pub mod rm;
pub mod show;
pub mod show_ref;
pub mod stash;
pub mod status;
pub mod switch;
pub mod tag;
pub mod update_ref;
pub mod verify_pack;
pub mod workdir;
pub mod write_tree;

use crate::repo::Repo;

/// Resolve an object name a user typed, as `git rev-parse` does.
pub fn resolve(repo: &Repo, name: &str) -> anyhow::Result<tabgit_hash::ObjectId> {
    Ok(repo.rev_parse(name.as_bytes())?)
}

/// The abbreviation length git uses by default (`core.abbrev` unset): at least 7 digits, more
/// for big repositories (`find_unique_abbrev`, `sha1-name.c`: half the bits of the object count).
pub fn default_abbrev(repo: &Repo) -> anyhow::Result<usize> {
    if let Some(value) = repo.config().get("core", None, "abbrev") {
        if let Ok(n) = std::str::from_utf8(value)
            .unwrap_or_default()
            .parse::<usize>()
        {
            return Ok(n.clamp(4, 40));
        }
    }
    let count = repo.odb().approximate_count()?.max(1);
    let bits = usize::BITS - count.leading_zeros();
    Ok(((bits as usize).div_ceil(2)).max(7))
}

/// The shortest abbreviation of `id`, at least `min` digits, that names only `id`.
pub fn unique_abbrev(
    repo: &Repo,
    id: &tabgit_hash::ObjectId,
    min: usize,
) -> anyhow::Result<String> {
    let hex = id.to_hex();
    for len in min.max(4)..40 {
        let prefix = tabgit_hash::Prefix::from_hex(&hex.as_bytes()[..len])?;
        if matches!(
            repo.odb().lookup_prefix(&prefix)?,
            tabgit_pack::index::PrefixLookup::Unique(_) | tabgit_pack::index::PrefixLookup::None
        ) {
            return Ok(hex[..len].to_owned());
        }
    }
    Ok(hex)
}
