use std::cmp::Ordering;
use std::ops::ControlFlow;

use tabgit_object::tree::{compare_entries, TreeRefIter};
use tabgit_object::{EntryMode, Find, Kind, ObjectId};

use crate::tree::{canonical_mode, Error, Options};
use crate::{Change, Side};

/// The changes that turn the tree `old_tree_id` into the tree `new_tree_id`, in git's order.
///
/// * `old_tree_id`, `new_tree_id`: `None` stands for the empty tree (a root commit's parent, or
///   a branch being deleted).
///
/// ### Algorithm
///
/// Both trees' entries are merged in git's tree order (names compared bytewise, directories as
/// if they ended in `/`). A name on one side only is an addition or deletion (for a directory:
/// one for every file below it); a name on both sides is a modification when the id or the
/// canonical mode differs, and a directory on both sides is entered only when its id differs.
/// Subtrees being compared are kept on an explicit stack.
///
/// ### Relation to git
///
/// The result equals `git diff-tree -r <old> <new> [-- <paths>]` without rename detection
/// (apply [`rename::detect`](crate::rename::detect) for `-M`). A file replaced by a directory
/// of the same name (or the reverse) is a deletion plus additions, because in tree order `a` and
/// `a/` are different names; a file replaced by a symlink or gitlink is one
/// [`Change::Modification`] whose [`status`](Change::status) is `TypeChanged`.
pub fn diff(
    find: &dyn Find,
    old_tree_id: Option<&ObjectId>,
    new_tree_id: Option<&ObjectId>,
    options: &Options,
) -> Result<Vec<Change>, Error> {
    let mut changes = Vec::new();
    // The delegate never stops the walk.
    let _flow = visit(find, old_tree_id, new_tree_id, options, &mut |change| {
        changes.push(change);
        ControlFlow::Continue(())
    })?;
    Ok(changes)
}

/// Like [`diff()`], but hand each change to `delegate` as it is found, which may stop the walk
/// early (for example `git log -- <path>` only needs to know whether anything changed).
///
/// Returns [`ControlFlow::Break`] if the delegate stopped the walk.
pub fn visit(
    find: &dyn Find,
    old_tree_id: Option<&ObjectId>,
    new_tree_id: Option<&ObjectId>,
    options: &Options,
    delegate: &mut dyn FnMut(Change) -> ControlFlow<()>,
) -> Result<ControlFlow<()>, Error> {
    if old_tree_id.is_some() && old_tree_id == new_tree_id {
        return Ok(ControlFlow::Continue(()));
    }
    let mut buf = Vec::new();
    let old = match old_tree_id {
        Some(tree_id) => load_tree(find, tree_id, &mut buf)?,
        None => Vec::new(),
    };
    let new = match new_tree_id {
        Some(tree_id) => load_tree(find, tree_id, &mut buf)?,
        None => Vec::new(),
    };
    let mut stack = vec![Frame::new(Vec::new(), old, new)];
    while let Some(frame) = stack.last_mut() {
        let ordering = match (frame.old.get(frame.old_idx), frame.new.get(frame.new_idx)) {
            (None, None) => {
                stack.pop();
                continue;
            }
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (Some(old), Some(new)) => {
                compare_entries(&old.name, old.mode.is_tree(), &new.name, new.mode.is_tree())
            }
        };
        let old = (ordering != Ordering::Greater).then(|| {
            frame.old_idx += 1;
            frame.old[frame.old_idx - 1].clone()
        });
        let new = (ordering != Ordering::Less).then(|| {
            frame.new_idx += 1;
            frame.new[frame.new_idx - 1].clone()
        });
        let name = old
            .as_ref()
            .or(new.as_ref())
            .map(|item| item.name.as_slice())
            .unwrap_or_default();
        let mut path = frame.prefix.clone();
        path.extend_from_slice(name);

        let is_tree = old
            .as_ref()
            .or(new.as_ref())
            .is_some_and(|e| e.mode.is_tree());
        let interesting = if is_tree {
            options.paths.may_include_below(&path)
        } else {
            options.paths.matches(&path)
        };
        if !interesting {
            continue;
        }

        let flow = match (old, new) {
            (Some(old), Some(new)) => {
                if old.mode.is_tree() {
                    if old.object_id != new.object_id {
                        let old_entries = load_tree(find, &old.object_id, &mut buf)?;
                        let new_entries = load_tree(find, &new.object_id, &mut buf)?;
                        path.push(b'/');
                        stack.push(Frame::new(path, old_entries, new_entries));
                    }
                    ControlFlow::Continue(())
                } else if old.object_id != new.object_id || old.mode != new.mode {
                    delegate(Change::Modification {
                        path,
                        old: old.side(),
                        new: new.side(),
                    })
                } else {
                    ControlFlow::Continue(())
                }
            }
            (Some(old), None) => {
                if old.mode.is_tree() {
                    let entries = load_tree(find, &old.object_id, &mut buf)?;
                    path.push(b'/');
                    stack.push(Frame::new(path, entries, Vec::new()));
                    ControlFlow::Continue(())
                } else {
                    delegate(Change::Deletion {
                        path,
                        old: old.side(),
                    })
                }
            }
            (None, Some(new)) => {
                if new.mode.is_tree() {
                    let entries = load_tree(find, &new.object_id, &mut buf)?;
                    path.push(b'/');
                    stack.push(Frame::new(path, Vec::new(), entries));
                    ControlFlow::Continue(())
                } else {
                    delegate(Change::Addition {
                        path,
                        new: new.side(),
                    })
                }
            }
            (None, None) => ControlFlow::Continue(()),
        };
        if flow.is_break() {
            return Ok(flow);
        }
    }
    Ok(ControlFlow::Continue(()))
}

/// A tree entry with its canonical mode.
#[derive(Clone)]
struct Item {
    mode: EntryMode,
    name: Vec<u8>,
    object_id: ObjectId,
}

impl Item {
    fn side(&self) -> Side {
        Side {
            mode: self.mode,
            object_id: self.object_id,
        }
    }
}

/// A pair of trees being compared: the path they are at (ending in `/`, or empty at the top)
/// and how far each side's entries have been consumed.
struct Frame {
    prefix: Vec<u8>,
    old: Vec<Item>,
    new: Vec<Item>,
    old_idx: usize,
    new_idx: usize,
}

impl Frame {
    fn new(prefix: Vec<u8>, old: Vec<Item>, new: Vec<Item>) -> Self {
        Frame {
            prefix,
            old,
            new,
            old_idx: 0,
            new_idx: 0,
        }
    }
}

/// Read and parse the tree `tree_id`.
fn load_tree(find: &dyn Find, tree_id: &ObjectId, buf: &mut Vec<u8>) -> Result<Vec<Item>, Error> {
    let data = find
        .try_find(tree_id, buf)
        .map_err(|source| Error::Find {
            tree_id: *tree_id,
            source,
        })?
        .ok_or(Error::NotFound { tree_id: *tree_id })?;
    if data.kind != Kind::Tree {
        return Err(Error::NotATree {
            object_id: *tree_id,
            kind: data.kind,
        });
    }
    TreeRefIter::from_bytes(data.data)
        .map(|entry| {
            entry
                .map(|entry| Item {
                    mode: canonical_mode(entry.mode),
                    name: entry.filename.to_vec(),
                    object_id: entry.oid,
                })
                .map_err(|source| Error::Decode {
                    tree_id: *tree_id,
                    source,
                })
        })
        .collect()
}
