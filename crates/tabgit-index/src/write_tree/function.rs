use tabgit_hash::ObjectId;
use tabgit_object::tree::{Entry as TreeEntry, EntryMode};
use tabgit_object::{Kind, Tree, Write};

use crate::entry::Stage;
use crate::extension::cache_tree::{CacheTree, Valid};
use crate::state::{lossy, State};
use crate::write_tree::{Error, Outcome};

/// Store the trees for the merged entries of `state` in `db` and return the root tree's id with
/// the matching cache tree.
///
/// ### Algorithm
///
/// Entries are visited once, in index order, with a stack of the directories that contain the
/// current entry; a directory's tree is written when the walk leaves it. Nothing recurses, so
/// arbitrarily deep paths are fine.
pub fn write_tree<W: Write + ?Sized>(state: &State, db: &mut W) -> Result<Outcome, Error> {
    let mut conflicts: Vec<Vec<u8>> = state.conflicts().map(|c| c.path.to_vec()).collect();
    if !conflicts.is_empty() {
        conflicts.dedup();
        return Err(Error::Conflicts { paths: conflicts });
    }

    let mut stack = vec![Directory::new(Vec::new(), Vec::new())];
    for entry in state.entries() {
        debug_assert_eq!(entry.stage, Stage::Merged, "conflicts were refused above");
        let path = entry.path.as_slice();
        if path.is_empty()
            || path.starts_with(b"/")
            || path.ends_with(b"/")
            || path.windows(2).any(|w| w == b"//")
        {
            return Err(Error::InvalidPath { path: lossy(path) });
        }
        // Leave the directories that do not contain this path.
        while stack.len() > 1 && !path.starts_with(&stack[stack.len() - 1].prefix) {
            finish_top(&mut stack, db)?;
        }
        // Enter the directories that lead to it.
        loop {
            let top = stack.last().expect("the root is never popped here");
            let rest = &path[top.prefix.len()..];
            let Some(slash) = rest.iter().position(|&b| b == b'/') else {
                break;
            };
            let name = rest[..slash].to_vec();
            let prefix = path[..=top.prefix.len() + slash].to_vec();
            stack.push(Directory::new(name, prefix));
        }
        let top = stack.last_mut().expect("the root is never popped here");
        top.n_entries += 1;
        if entry.flags.intent_to_add {
            top.invalid = true;
            continue;
        }
        if entry.object_id.is_null() {
            return Err(Error::NullObjectId { path: lossy(path) });
        }
        top.tree.entries.push(TreeEntry {
            mode: entry.mode.to_tree_mode(),
            filename: path[top.prefix.len()..].to_vec(),
            oid: entry.object_id,
        });
    }
    while stack.len() > 1 {
        finish_top(&mut stack, db)?;
    }
    let root = stack.pop().expect("the root");
    let finished = root.finish(db)?;
    Ok(Outcome {
        tree_id: finished.tree_id,
        cache_tree: finished.cache_tree,
    })
}

/// A directory being collected.
struct Directory {
    /// The directory's name in its parent.
    name: Vec<u8>,
    /// The directory's path with a trailing `/` (empty for the root).
    prefix: Vec<u8>,
    tree: Tree,
    /// Index entries in this directory and below.
    n_entries: usize,
    /// Whether an intent-to-add entry is in this directory or below.
    invalid: bool,
    subtrees: Vec<CacheTree>,
}

struct Finished {
    tree_id: ObjectId,
    is_empty: bool,
    n_entries: usize,
    invalid: bool,
    cache_tree: CacheTree,
}

impl Directory {
    fn new(name: Vec<u8>, prefix: Vec<u8>) -> Self {
        Directory {
            name,
            prefix,
            tree: Tree::default(),
            n_entries: 0,
            invalid: false,
            subtrees: Vec::new(),
        }
    }

    fn finish<W: Write + ?Sized>(mut self, db: &mut W) -> Result<Finished, Error> {
        let mut names: Vec<&[u8]> = self
            .tree
            .entries
            .iter()
            .map(|entry| entry.filename.as_slice())
            .collect();
        names.sort_unstable();
        if let Some(pair) = names.windows(2).find(|pair| pair[0] == pair[1]) {
            let mut path = self.prefix.clone();
            path.extend_from_slice(pair[0]);
            return Err(Error::DirectoryFileConflict { path: lossy(&path) });
        }
        self.tree.sort();
        let tree_id = db
            .write(Kind::Tree, &self.tree.to_bytes())
            .map_err(|source| Error::Write {
                path: lossy(self.prefix.strip_suffix(b"/").unwrap_or(&self.prefix)),
                source,
            })?;
        let valid = if self.invalid {
            None
        } else {
            u32::try_from(self.n_entries)
                .ok()
                .filter(|&n_entries| i32::try_from(n_entries).is_ok())
                .map(|n_entries| Valid { n_entries, tree_id })
        };
        let node = CacheTree::node(self.name, valid);
        Ok(Finished {
            tree_id,
            is_empty: self.tree.entries.is_empty(),
            n_entries: self.n_entries,
            invalid: self.invalid,
            cache_tree: CacheTree::from_parts(node, self.subtrees),
        })
    }
}

/// Write the innermost directory and add it to its parent.
fn finish_top<W: Write + ?Sized>(stack: &mut Vec<Directory>, db: &mut W) -> Result<(), Error> {
    let directory = stack
        .pop()
        .expect("caller checked there is a directory above the root");
    let name = directory.name.clone();
    let finished = directory.finish(db)?;
    let parent = stack.last_mut().expect("the root stays on the stack");
    parent.n_entries += finished.n_entries;
    parent.invalid |= finished.invalid;
    parent.subtrees.push(finished.cache_tree);
    // A directory holding only intent-to-add entries is an empty tree that git leaves out.
    if !(finished.invalid && finished.is_empty) {
        parent.tree.entries.push(TreeEntry {
            mode: EntryMode::TREE,
            filename: name,
            oid: finished.tree_id,
        });
    }
    Ok(())
}
