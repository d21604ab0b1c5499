//! Checking that what a fetch received completes the history the new refs need (git's
//! `check_connected`, `RELIABILITY.md` row 29), before any ref moves.

use std::collections::HashSet;

use tabgit_hash::ObjectId;
use tabgit_object::{CommitRef, Kind, TagRef, TreeRef};
use tabgit_pack::Index;
use tabgit_store::files::GitFiles;

use crate::remote::Error;
use crate::Repository;

/// What may legitimately be absent.
#[derive(Clone, Debug, Default)]
pub struct Allowances {
    /// Blobs may be missing (a `blob:none` partial clone: the promisor remote has them).
    pub missing_blobs: bool,
    /// Commits whose parents are not needed (the shallow boundary).
    pub shallow: HashSet<ObjectId>,
}

/// Check that every object reachable from `tips` is either in the new pack (then its children
/// are checked too) or was already stored before the fetch (then it is complete, as git
/// assumes of what it has).
pub fn check<F: GitFiles + Clone>(
    repo: &Repository<F>,
    new_pack: &Index,
    tips: &[ObjectId],
    allowances: &Allowances,
) -> Result<(), Error> {
    let mut seen = HashSet::new();
    let mut stack: Vec<(ObjectId, Option<Kind>)> = tips.iter().map(|id| (*id, None)).collect();
    while let Some((id, expected)) = stack.pop() {
        if !seen.insert(id) {
            continue;
        }
        if new_pack.lookup(&id).is_none() {
            if repo.odb().has(&id).map_err(crate::Error::from)? {
                continue;
            }
            if allowances.missing_blobs && expected == Some(Kind::Blob) {
                continue;
            }
            return Err(Error::Incomplete { missing: id });
        }
        let (kind, data) = repo.object(&id)?;
        let malformed = |reason: String| Error::Malformed { id, reason };
        match kind {
            Kind::Commit => {
                let commit = CommitRef::from_bytes(&data).map_err(|e| malformed(e.to_string()))?;
                stack.push((commit.tree, Some(Kind::Tree)));
                if !allowances.shallow.contains(&id) {
                    stack.extend(commit.parents.iter().map(|p| (*p, Some(Kind::Commit))));
                }
            }
            Kind::Tree => {
                for entry in TreeRef::from_bytes(&data)
                    .map_err(|e| malformed(e.to_string()))?
                    .entries
                {
                    if entry.mode.is_commit() {
                        continue; // Submodule commits live in other repositories.
                    }
                    let kind = if entry.mode.is_tree() {
                        Kind::Tree
                    } else {
                        Kind::Blob
                    };
                    stack.push((entry.oid, Some(kind)));
                }
            }
            Kind::Tag => {
                let tag = TagRef::from_bytes(&data).map_err(|e| malformed(e.to_string()))?;
                stack.push((tag.target, Some(tag.target_kind)));
            }
            Kind::Blob => {}
        }
    }
    Ok(())
}

/// The fast check for a pack whose outgoing references were recorded while it was indexed
/// (`external_links`): every object the pack refers to but lacks must already be stored, and
/// every tip must be in the pack or stored (git's `index-pack --check-self-contained-and-connected`).
pub fn check_links<F: GitFiles + Clone>(
    repo: &Repository<F>,
    new_pack: &Index,
    external_links: &[(ObjectId, Kind)],
    tips: &[ObjectId],
    allowances: &Allowances,
) -> Result<(), Error> {
    for (id, kind) in external_links {
        if allowances.missing_blobs && *kind == Kind::Blob {
            continue;
        }
        if !repo.odb().has(id).map_err(crate::Error::from)? {
            return Err(Error::Incomplete { missing: *id });
        }
    }
    for tip in tips {
        if new_pack.lookup(tip).is_none() && !repo.odb().has(tip).map_err(crate::Error::from)? {
            return Err(Error::Incomplete { missing: *tip });
        }
    }
    Ok(())
}

/// The check every received object passes while the pack is indexed: git's fsck rules for
/// trees (no `..`, no `.git` in any spelling, sorted, no duplicates), commits and tags that
/// parse, with no NUL byte in their headers (fsck's `nulInHeader`) and identity dates that are
/// valid and fit (`badDate`, `badDateOverflow`, `badTimezone`).
pub fn check_received_object(kind: Kind, data: &[u8]) -> Result<(), String> {
    match kind {
        Kind::Tree => tabgit_object::tree::check::tree(data).map_err(|e| e.to_string()),
        Kind::Commit => {
            let commit = CommitRef::from_bytes(data).map_err(|e| e.to_string())?;
            check_headers_have_no_nul(data, "commit")?;
            for (role, identity) in [("author", &commit.author), ("committer", &commit.committer)] {
                if identity.time().is_err() {
                    return Err(bad_date("commit", role));
                }
            }
            Ok(())
        }
        Kind::Tag => {
            let tag = TagRef::from_bytes(data).map_err(|e| e.to_string())?;
            check_headers_have_no_nul(data, "tag")?;
            if tag.tagger.is_some_and(|tagger| tagger.time().is_err()) {
                return Err(bad_date("tag", "tagger"));
            }
            Ok(())
        }
        Kind::Blob => Ok(()),
    }
}

/// fsck's `nulInHeader`: the headers end at the first empty line (or with the object).
fn check_headers_have_no_nul(data: &[u8], kind: &str) -> Result<(), String> {
    let end = data
        .windows(2)
        .position(|pair| pair == b"\n\n")
        .unwrap_or(data.len());
    if data[..end].contains(&0) {
        return Err(format!("{kind} has a NUL byte in its headers"));
    }
    Ok(())
}

/// fsck's `badDate`, `badDateOverflow` and `badTimezone`, in words that do not echo the bytes.
fn bad_date(kind: &str, role: &str) -> String {
    format!("{kind} {role} date is malformed or out of range")
}

#[cfg(test)]
mod tests {
    use super::*;

    const TREE: &str = "tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n";

    #[test]
    fn received_commits_and_tags_follow_fsck_header_and_date_rules() {
        let ident = "A <a@b> 1600000000 +0000";
        let good = format!("{TREE}author {ident}\ncommitter {ident}\n\nmessage \0 with a NUL\n");
        assert_eq!(
            check_received_object(Kind::Commit, good.as_bytes()),
            Ok(()),
            "a NUL in the message is fine"
        );
        let nul = format!("{TREE}author A\0B <a@b> 1 +0000\ncommitter {ident}\n\nm\n");
        assert_eq!(
            check_received_object(Kind::Commit, nul.as_bytes()),
            Err("commit has a NUL byte in its headers".to_owned())
        );
        let overflow =
            format!("{TREE}author {ident}\ncommitter A <a@b> 100000000000000000000 +0000\n\nm\n");
        assert_eq!(
            check_received_object(Kind::Commit, overflow.as_bytes()),
            Err("commit committer date is malformed or out of range".to_owned())
        );
        let tag = "object 4b825dc642cb6eb9a060e54bf8d69288fbee4904\ntype tree\ntag v1\n\
                   tagger A <a@b> 1 +00\n\nm\n";
        assert_eq!(
            check_received_object(Kind::Tag, tag.as_bytes()),
            Err("tag tagger date is malformed or out of range".to_owned())
        );
    }
}
