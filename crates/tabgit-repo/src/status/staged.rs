//! `HEAD`'s tree against the index (what `git diff --cached` shows), skipping every directory
//! whose cache-tree entry (the index's `TREE` extension) still names the same tree as `HEAD`,
//! so that the cost grows with what was staged, not with the size of the tree (git's
//! `diff-index --cached` with `cache_tree_matches_traversal`).

use std::collections::{BTreeMap, BTreeSet};

use tabgit_diff::{Change, Side};
use tabgit_hash::ObjectId;
use tabgit_index::{Entry, Stage, State};
use tabgit_object::{Kind, TreeRef};
use tabgit_store::files::GitFiles;

use crate::Repository;

fn join(dir: &[u8], name: &[u8]) -> Vec<u8> {
    let mut path = dir.to_vec();
    if !path.is_empty() {
        path.push(b'/');
    }
    path.extend_from_slice(name);
    path
}

fn index_side(entry: &Entry) -> Side {
    Side {
        mode: entry.mode.to_tree_mode(),
        object_id: entry.object_id,
    }
}

fn read_tree<F: GitFiles + Clone>(
    repo: &Repository<F>,
    tree_id: ObjectId,
) -> Result<Vec<(Vec<u8>, tabgit_object::EntryMode, ObjectId)>, crate::Error> {
    let (kind, data) = repo.object(&tree_id)?;
    if kind != Kind::Tree {
        return Err(crate::Error::Unsupported {
            reason: format!("{tree_id} is a {kind}, not a tree"),
        });
    }
    let tree = TreeRef::from_bytes(&data).map_err(|_| crate::Error::Unsupported {
        reason: format!("tree {tree_id} is malformed"),
    })?;
    Ok(tree
        .entries
        .iter()
        .map(|e| (e.filename.to_vec(), e.mode, e.oid))
        .collect())
}

/// Every file of the subtree `tree_id` at `dir`, as deletions.
fn delete_all<F: GitFiles + Clone>(
    repo: &Repository<F>,
    dir: Vec<u8>,
    tree_id: ObjectId,
    out: &mut Vec<Change>,
) -> Result<(), crate::Error> {
    let mut stack = vec![(dir, tree_id)];
    while let Some((dir, tree_id)) = stack.pop() {
        for (name, mode, id) in read_tree(repo, tree_id)? {
            let path = join(&dir, &name);
            if mode.is_tree() {
                stack.push((path, id));
            } else {
                out.push(Change::Deletion {
                    path,
                    old: Side {
                        mode: tabgit_diff::tree::canonical_mode(mode),
                        object_id: id,
                    },
                });
            }
        }
    }
    Ok(())
}

/// The staged changes: additions, deletions and modifications between `head_tree` and the
/// merged, non-intent-to-add entries of `index`, sorted by path. Conflicted paths are left
/// out (status reports them from the index's stages).
pub(crate) fn changes<F: GitFiles + Clone>(
    repo: &Repository<F>,
    head_tree: Option<ObjectId>,
    index: &State,
) -> Result<Vec<Change>, crate::Error> {
    let mut out = Vec::new();
    let addition = |entry: &Entry| Change::Addition {
        path: entry.path.clone(),
        new: index_side(entry),
    };
    let Some(head_tree) = head_tree else {
        out.extend(
            index
                .entries()
                .iter()
                .filter(|e| e.stage == Stage::Merged && !e.flags.intent_to_add)
                .map(addition),
        );
        return Ok(out);
    };
    let cache = index.cache_tree();
    let mut stack: Vec<(Vec<u8>, ObjectId)> = vec![(Vec::new(), head_tree)];
    while let Some((dir, tree_id)) = stack.pop() {
        if cache
            .and_then(|c| c.find(&dir))
            .and_then(tabgit_index::extension::cache_tree::Node::tree_id)
            == Some(tree_id)
        {
            continue;
        }
        let prefix_len = if dir.is_empty() { 0 } else { dir.len() + 1 };
        let below = if dir.is_empty() {
            index.entries()
        } else {
            index.directory_entries(&dir)
        };
        let mut files: BTreeMap<&[u8], &Entry> = BTreeMap::new();
        let mut conflicted: BTreeSet<&[u8]> = BTreeSet::new();
        let mut subdirs: BTreeMap<&[u8], Vec<&Entry>> = BTreeMap::new();
        for entry in below {
            let rest = &entry.path[prefix_len..];
            match rest.iter().position(|&b| b == b'/') {
                Some(slash) => subdirs.entry(&rest[..slash]).or_default().push(entry),
                None if entry.stage != Stage::Merged => {
                    conflicted.insert(rest);
                }
                None if entry.flags.intent_to_add => {}
                None => {
                    files.insert(rest, entry);
                }
            }
        }
        let mut tree_files: BTreeSet<Vec<u8>> = BTreeSet::new();
        let mut tree_dirs: BTreeSet<Vec<u8>> = BTreeSet::new();
        for (name, mode, id) in read_tree(repo, tree_id)? {
            let path = join(&dir, &name);
            if mode.is_tree() {
                if subdirs.contains_key(name.as_slice()) {
                    stack.push((path, id));
                } else {
                    delete_all(repo, path, id, &mut out)?;
                }
                tree_dirs.insert(name);
                continue;
            }
            let old = Side {
                mode: tabgit_diff::tree::canonical_mode(mode),
                object_id: id,
            };
            match files.get(name.as_slice()) {
                Some(entry) => {
                    let new = index_side(entry);
                    if new != old {
                        out.push(Change::Modification { path, old, new });
                    }
                }
                None if conflicted.contains(name.as_slice()) => {}
                None => out.push(Change::Deletion { path, old }),
            }
            tree_files.insert(name);
        }
        for (name, entry) in &files {
            if !tree_files.contains(*name) {
                out.push(addition(entry));
            }
        }
        for (name, entries) in &subdirs {
            if !tree_dirs.contains(*name) {
                out.extend(
                    entries
                        .iter()
                        .filter(|e| e.stage == Stage::Merged && !e.flags.intent_to_add)
                        .map(|e| addition(e)),
                );
            }
        }
    }
    out.sort_by(|a, b| a.new_path().cmp(b.new_path()));
    Ok(out)
}
